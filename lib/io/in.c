#include "in.h"

#include <errno.h>
#include <stdlib.h>
#include <string.h>

#define IN_BUFSZ (1u << 16)

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
        return coda_fail(e, "out of memory");
    }
    return 0;
}

void coda_in_close(coda_in *in)
{
    if (in->own && in->f)
        fclose(in->f);
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
        size_t got = fread(in->buf + in->len, 1, in->cap - in->len, in->f);
        if (got == 0) {
            in->eof = 1;
            in->ioerr = ferror(in->f);
        }
        in->len += got;
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
        size_t got = fread(d + done, 1, n - done, in->f);
        if (got == 0) {
            in->eof = 1;
            in->ioerr = ferror(in->f);
        }
        done += got;
        in->off += got;
    }
    return done;
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
            size_t nc = (*cap ? *cap : 256);
            while (nc < n + take + 1)
                nc *= 2;
            char *p = realloc(*line, nc);
            if (!p)
                return -1;
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
