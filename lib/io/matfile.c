#include "matfile.h"

#include <errno.h>
#include <math.h>
#include <stdlib.h>
#include <string.h>
#include <unistd.h>

#include "stream.h"

int coda_matfile_open(coda_matfile *m, const char *path, coda_err *e)
{
    memset(m, 0, sizeof *m);
    m->fd = -1;
    coda_reader r;
    coda_frame f;
    coda_err ignored; /* an input that does not read is read whole, which names the problem */
    if (strcmp(path, "-") == 0 || coda_reader_open(&r, path, &ignored) < 0)
        return 0;
    int rc;
    while ((rc = coda_reader_next_head(&r, &f, &ignored)) == 1 && f.kind != CODA_MATRIX)
        coda_frame_free(&f);
    int ok = rc == 1 && (r.fmt == CODA_FMT_BIN || r.fmt == CODA_FMT_NPY) &&
             coda_reader_native(&r) && fstat(fileno(r.in.f), &m->st) == 0 &&
             S_ISREG(m->st.st_mode) && r.in.off <= (uint64_t)m->st.st_size &&
             (uint64_t)m->st.st_size - r.in.off >= r.head.bytes;
    if (ok) {
        m->rows = f.mat.rows;
        m->cols = f.mat.cols;
        m->at = r.in.off;
        m->fd = dup(fileno(r.in.f));
        m->name = strdup(r.in.name);
    }
    if (rc == 1)
        coda_frame_free(&f);
    coda_reader_close(&r);
    if (ok && (m->fd < 0 || !m->name)) {
        coda_matfile_close(m);
        return coda_fail(e, "%s: %s", path, m->fd < 0 ? strerror(errno) : "out of memory");
    }
    return ok;
}

int coda_matfile_read(coda_matfile *m, uint64_t first, size_t n, double *dst, coda_err *e)
{
    char *p = (char *)dst;
    size_t left = n * sizeof(double);
    uint64_t off = m->at + first * sizeof(double);
    while (left > 0) {
        ssize_t got = pread(m->fd, p, left, (off_t)off);
        if (got < 0 && errno == EINTR)
            continue;
        if (got <= 0)
            return coda_fail(e, "%s: %s at byte %llu", m->name,
                             got < 0 ? strerror(errno) : "changed while it was read: it ends",
                             (unsigned long long)off);
        p += got;
        off += (uint64_t)got;
        left -= (size_t)got;
    }
    return 0;
}

int coda_matfile_first_nonfinite(coda_matfile *m, uint64_t *bad, double *val, coda_err *e)
{
    enum { CHUNK = 1 << 15 }; /* 256 KB: stays in cache between the read and the check */
    double *buf = malloc(CHUNK * sizeof *buf);
    if (!buf)
        return coda_fail_oom(e);
    uint64_t n = (uint64_t)m->rows * m->cols;
    *bad = (uint64_t)-1;
    for (uint64_t at = 0; at < n && *bad == (uint64_t)-1; at += CHUNK) {
        size_t len = n - at < CHUNK ? (size_t)(n - at) : CHUNK;
        if (coda_matfile_read(m, at, len, buf, e) < 0) {
            free(buf);
            return -1;
        }
        coda_mat piece = {.rows = len, .cols = 1, .data = buf};
        size_t i = coda_mat_first_nonfinite(&piece);
        if (i != (size_t)-1) {
            *bad = at + i;
            *val = buf[i];
        }
    }
    free(buf);
    return 0;
}

int coda_matfile_unchanged(coda_matfile *m, coda_err *e)
{
    struct stat now;
    if (fstat(m->fd, &now) < 0)
        return coda_fail(e, "%s: %s", m->name, strerror(errno));
    if (now.st_size != m->st.st_size || now.st_mtim.tv_sec != m->st.st_mtim.tv_sec ||
        now.st_mtim.tv_nsec != m->st.st_mtim.tv_nsec ||
        now.st_ctim.tv_sec != m->st.st_ctim.tv_sec || now.st_ctim.tv_nsec != m->st.st_ctim.tv_nsec)
        return coda_fail(e, "%s: changed while it was read", m->name);
    return 0;
}

void coda_matfile_close(coda_matfile *m)
{
    if (m->fd >= 0)
        close(m->fd);
    free(m->name);
    memset(m, 0, sizeof *m);
    m->fd = -1;
}
