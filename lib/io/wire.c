#include "wire.h"

#include <stdio.h>
#include <stdlib.h>

#include "binfmt.h"
#include "in.h"

int coda_frames_to_bytes(const coda_frame *f, size_t n, char **buf, size_t *len, coda_err *e)
{
    *buf = NULL;
    *len = 0;
    FILE *m = open_memstream(buf, len);
    if (!m)
        return coda_fail_oom(e);
    int rc = 0;
    for (size_t i = 0; i < n && rc == 0; i++)
        if (coda_bin_write(m, &f[i], e) < 0)
            rc = -1;
    if (fclose(m) != 0 && rc == 0)
        rc = coda_fail_oom(e);
    if (rc < 0) {
        free(*buf);
        *buf = NULL;
        *len = 0;
    }
    return rc;
}

int coda_frames_from_bytes(char *buf, size_t len, const char *name, coda_frame_list *out,
                           coda_err *e)
{
    if (len == 0)
        return 0;
    coda_in in;
    if (coda_in_open_memory(&in, buf, len, name, e) < 0)
        return -1;
    int rc = 0;
    for (long idx = 0;; idx++) {
        coda_frame f;
        coda_bin_head h;
        int got = coda_bin_read_head(&in, idx, &f, &h, e);
        if (got <= 0) {
            rc = got;
            coda_frame_free(&f);
            break;
        }
        if (coda_bin_read_payload(&in, idx, &f, &h, e) < 0 ||
            coda_frame_list_push(out, &f, e) < 0) {
            coda_frame_free(&f);
            rc = -1;
            break;
        }
    }
    coda_in_close(&in);
    return rc;
}
