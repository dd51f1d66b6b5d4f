#include "wire.h"

#include <stdint.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>

#include "binfmt.h"
#include "in.h"

/* Frame k's header and metadata, as coda_bin_write_head writes them. */
static int heads_of(const coda_frame *f, size_t n, char **heads, size_t **hlen, coda_err *e)
{
    size_t total = 0;
    *heads = NULL;
    *hlen = calloc(n ? n : 1, sizeof **hlen);
    FILE *m = *hlen ? open_memstream(heads, &total) : NULL;
    if (!m) {
        free(*hlen);
        *hlen = NULL;
        return coda_fail_oom(e);
    }
    int rc = 0;
    long before = 0;
    for (size_t k = 0; k < n && rc == 0; k++) {
        if (coda_bin_write_head(m, &f[k], e) < 0)
            rc = -1;
        long now = ftell(m);
        (*hlen)[k] = (size_t)(now - before);
        before = now;
    }
    if (fclose(m) != 0 && rc == 0)
        rc = coda_fail_oom(e);
    if (rc < 0) {
        free(*heads);
        free(*hlen);
        *heads = NULL;
        *hlen = NULL;
    }
    return rc;
}

int coda_frames_to_bytes(const coda_frame *f, size_t n, char **buf, size_t *len, coda_err *e)
{
    return coda_frames_to_bytes_after(f, n, 0, buf, len, e);
}

int coda_frames_to_bytes_after(const coda_frame *f, size_t n, size_t room, char **buf,
                               size_t *len, coda_err *e)
{
    *buf = NULL;
    *len = 0;
    char *heads;
    size_t *hlen, total = 0;
    if (heads_of(f, n, &heads, &hlen, e) < 0)
        return -1;
    for (size_t k = 0; k < n; k++)
        total += hlen[k] + f[k].mat.rows * f[k].mat.cols * sizeof(double);
    char *out = malloc(room + total + 1);
    if (!out) {
        free(heads);
        free(hlen);
        return coda_fail_oom(e);
    }
    size_t at = room, hat = 0;
    for (size_t k = 0; k < n; k++) {
        memcpy(out + at, heads + hat, hlen[k]);
        at += hlen[k];
        hat += hlen[k];
        const coda_mat *m = &f[k].mat;
        if (coda_mat_is_contiguous(m)) {
            memcpy(out + at, m->data, m->rows * m->cols * sizeof(double));
            at += m->rows * m->cols * sizeof(double);
        } else { /* a view: column by column */
            for (size_t j = 0; j < m->cols; j++, at += m->rows * sizeof(double))
                memcpy(out + at, &CODA_AT(m, 0, j), m->rows * sizeof(double));
        }
    }
    free(heads);
    free(hlen);
    *buf = out;
    *len = total;
    return 0;
}

int coda_frames_to_pieces(const coda_frame *f, size_t n, coda_wire_pieces *p, coda_err *e)
{
    memset(p, 0, sizeof *p);
    for (size_t k = 0; k < n; k++)
        if (f[k].mat.data && (f[k].mat.view || !coda_mat_is_contiguous(&f[k].mat)))
            return coda_fail(e, "frame %zu: only owned matrices go out in pieces", k);
    size_t *hlen;
    if (heads_of(f, n, &p->heads, &hlen, e) < 0)
        return -1;
    p->at = malloc(2 * (n ? n : 1) * sizeof *p->at);
    p->len = malloc(2 * (n ? n : 1) * sizeof *p->len);
    if (!p->at || !p->len) {
        free(hlen);
        coda_wire_pieces_free(p);
        return coda_fail_oom(e);
    }
    size_t hat = 0;
    for (size_t k = 0; k < n; k++) {
        p->at[2 * k] = p->heads + hat;
        p->len[2 * k] = hlen[k];
        hat += hlen[k];
        p->at[2 * k + 1] = (const char *)f[k].mat.data;
        p->len[2 * k + 1] = f[k].mat.rows * f[k].mat.cols * sizeof(double);
        p->total += p->len[2 * k] + p->len[2 * k + 1];
    }
    p->n = 2 * n;
    free(hlen);
    return 0;
}

void coda_wire_pieces_free(coda_wire_pieces *p)
{
    free(p->heads);
    free(p->at);
    free(p->len);
    memset(p, 0, sizeof *p);
}

static int parse(char *buf, size_t len, const char *name, int views, coda_frame_list *out,
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
        /* in memory the payload is where it is: point at it (the head read moved nothing) */
        size_t at = in.pos, n = f.mat.rows * f.mat.cols;
        if (views && coda_bin_native(&h) && (uintptr_t)(buf + at) % sizeof(double) == 0 &&
            h.bytes == n * sizeof(double) && len - at >= h.bytes) {
            f.mat.data = n ? (double *)(void *)(buf + at) : NULL;
            f.mat.view = 1;
            in.pos += h.bytes;
            in.off += h.bytes;
        } else if (coda_bin_read_payload(&in, idx, &f, &h, e) < 0) {
            rc = -1;
            break;
        }
        if (coda_frame_list_push(out, &f, e) < 0) {
            coda_frame_free(&f);
            rc = -1;
            break;
        }
    }
    coda_in_close(&in);
    return rc;
}

int coda_frames_from_bytes(char *buf, size_t len, const char *name, coda_frame_list *out,
                           coda_err *e)
{
    return parse(buf, len, name, 0, out, e);
}

int coda_frames_view_bytes(char *buf, size_t len, const char *name, coda_frame_list *out,
                           coda_err *e)
{
    return parse(buf, len, name, 1, out, e);
}
