#include "in.h"

#include <errno.h>
#include <unistd.h>
#include <stdlib.h>
#include <string.h>

#include "../core/mat.h"

#define IN_BUFSZ (1u << 16)

/* One read(2), retried on EINTR: returns what arrived (0 at end), like cat does. We read the
 * descriptor directly, not through stdio, so a pipe's data is passed on as soon as it comes. */
static size_t read_some(coda_in *in, void *dst, size_t n)
{
    for (;;) {
        ssize_t got = read(fileno(in->f), dst, n);
        if (got >= 0) {
            if (got == 0)
                in->eof = 1;
            return (size_t)got;
        }
        if (errno != EINTR) {
            in->eof = 1;
            in->ioerr = 1;
            return 0;
        }
    }
}

int coda_in_open(coda_in *in, const char *path, coda_err *e)
{
    memset(in, 0, sizeof *in);
    if (strcmp(path, "-") == 0) {
        in->f = stdin;
        in->name = strdup("stdin");
    } else {
        in->f = fopen(path, "rb");
        if (!in->f)
            return coda_fail(e, "%s: %s", path, strerror(errno));
        in->own = 1;
        in->name = strdup(path);
    }
    in->buf = malloc(IN_BUFSZ);
    in->cap = IN_BUFSZ;
    if (!in->name || !in->buf) {
        coda_in_close(in);
        return coda_fail_oom(e);
    }
    return 0;
}

int coda_in_open_memory(coda_in *in, void *buf, size_t len, const char *name, coda_err *e)
{
    memset(in, 0, sizeof *in);
    in->name = strdup(name);
    if (!in->name)
        return coda_fail_oom(e);
    in->buf = buf;
    in->cap = in->len = len;
    in->eof = 1; /* everything is here */
    in->borrowed = 1;
    return 0;
}

void coda_in_close(coda_in *in)
{
    if (in->own && in->f)
        fclose(in->f);
    if (!in->borrowed)
        free(in->buf);
    free(in->name);
    memset(in, 0, sizeof *in);
}

/* Move unread bytes to the front and read more, until `need` bytes are buffered or input ends. */
static void fill(coda_in *in, size_t need)
{
    if (in->pos > 0 && in->len - in->pos < need) {
        memmove(in->buf, in->buf + in->pos, in->len - in->pos);
        in->len -= in->pos;
        in->pos = 0;
    }
    while (in->len - in->pos < need && !in->eof) {
        in->len += read_some(in, in->buf + in->len, in->cap - in->len);
        /* a pipe delivers partial reads: stop as soon as we have enough */
    }
}

size_t coda_in_peek(coda_in *in, size_t need, const unsigned char **p)
{
    if (need > in->cap)
        need = in->cap;
    fill(in, need);
    *p = in->buf + in->pos;
    return in->len - in->pos;
}

size_t coda_in_read(coda_in *in, void *dst, size_t n)
{
    unsigned char *d = dst;
    size_t have = in->len - in->pos, take = have < n ? have : n;
    memcpy(d, in->buf + in->pos, take);
    in->pos += take;
    in->off += take;
    size_t done = take;
    /* large reads go straight into the destination, no double copy */
    while (done < n && !in->eof) {
        size_t got = read_some(in, d + done, n - done);
        done += got;
        in->off += got;
    }
    return done;
}

size_t coda_in_read_some(coda_in *in, void *dst, size_t n)
{
    if (in->pos < in->len)
        return coda_in_read(in, dst, n < in->len - in->pos ? n : in->len - in->pos);
    if (in->eof)
        return 0;
    size_t got = read_some(in, dst, n);
    in->off += got;
    return got;
}

ssize_t coda_in_getline(coda_in *in, char **line, size_t *cap)
{
    size_t n = 0;
    for (;;) {
        if (in->pos == in->len) {
            fill(in, 1);
            if (in->pos == in->len) {
                if (n == 0)
                    return -1;
                break;
            }
        }
        unsigned char *start = in->buf + in->pos;
        size_t avail = in->len - in->pos;
        unsigned char *nl = memchr(start, '\n', avail);
        size_t take = nl ? (size_t)(nl - start) : avail;
        if (n + take + 1 > *cap) {
            size_t nc = (*cap ? *cap : 256), lim = coda_mem_limit();
            while (nc < n + take + 1 && nc <= SIZE_MAX / 2)
                nc *= 2;
            if (nc < n + take + 1 || n + take + 1 > lim)
                return -2;
            if (nc > lim)
                nc = lim;
            char *p = realloc(*line, nc);
            if (!p)
                return -2;
            *line = p;
            *cap = nc;
        }
        memcpy(*line + n, start, take);
        n += take;
        in->pos += take + (nl != NULL);
        in->off += take + (nl != NULL);
        if (nl)
            break;
    }
    if (n && (*line)[n - 1] == '\r')
        n--;
    (*line)[n] = '\0';
    return (ssize_t)n;
}

int coda_in_textline(coda_in *in, char **line, size_t *cap, size_t *len, long *lineno,
                     coda_err *e)
{
    ssize_t n = coda_in_getline(in, line, cap);
    if (n == -2)
        return coda_failc(e, CODA_E_MEMORY, "%s:%ld: line too long for memory (or over "
                          "CODA_MAX_MEMORY)", in->name, *lineno + 1);
    if (n < 0)
        return in->ioerr ? coda_failc(e, CODA_E_IO, "%s: read error", in->name) : 0;
    ++*lineno;
    const char *nul = memchr(*line, '\0', (size_t)n);
    if (nul)
        return coda_fail(e, "%s:%ld:%zu: NUL byte in text input", in->name, *lineno,
                         (size_t)(nul - *line) + 1);
    *len = (size_t)n;
    return 1;
}
