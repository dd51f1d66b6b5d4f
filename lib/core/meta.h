/* The key=value metadata a frame carries: every parameter a later stage needs, and provenance.
 * Keys are [A-Za-z0-9_.-]+; values are one line of text. Order is kept as inserted. */
#ifndef CODA_META_H
#define CODA_META_H

#include <stddef.h>

#include "err.h"

typedef struct {
    char **key, **val;
    size_t n, cap;
} coda_meta;

void coda_meta_free(coda_meta *m);
int coda_meta_copy(coda_meta *dst, const coda_meta *src, coda_err *e);
/* Set (replace or append). Rejects bad keys and values with a newline. */
int coda_meta_set(coda_meta *m, const char *key, const char *val, coda_err *e);
int coda_meta_setf(coda_meta *m, coda_err *e, const char *key, const char *fmt, ...)
    __attribute__((format(printf, 4, 5)));
/* Exact double, written with %.17g so that it reads back bit-exact. */
int coda_meta_set_double(coda_meta *m, const char *key, double v, coda_err *e);
int coda_meta_set_long(coda_meta *m, const char *key, long long v, coda_err *e);
const char *coda_meta_get(const coda_meta *m, const char *key);
/* Typed getters: -1 with a message naming the key when it is missing or malformed. */
int coda_meta_get_long(const coda_meta *m, const char *key, long long *out, coda_err *e);
int coda_meta_get_double(const coda_meta *m, const char *key, double *out, coda_err *e);
/* Comma-separated list of integers into a fresh array. */
int coda_meta_get_longs(const coda_meta *m, const char *key, long long **out, size_t *n,
                        coda_err *e);
/* Comma-separated list of doubles (%.17g, bit-exact) and back, into a fresh array. */
int coda_meta_set_doubles(coda_meta *m, const char *key, const double *v, size_t n, coda_err *e);
int coda_meta_get_doubles(const coda_meta *m, const char *key, double **out, size_t *n,
                          coda_err *e);
int coda_meta_key_ok(const char *key);
/* Parse "1,2,3" into a fresh array; -1 (no message) when malformed. Shared by option parsing. */
int coda_split_longs(const char *s, long long **out, size_t *n);

/* Quoting input in a message: a printable excerpt of the first CODA_ESC_SHOW of len bytes of s,
 * every byte outside printable ASCII written as \xNN (so no control byte from a file reaches a
 * terminal), "..." when cut. buf must hold CODA_ESC_BUF chars. Returns buf. */
#define CODA_ESC_SHOW 40
#define CODA_ESC_BUF (4 * CODA_ESC_SHOW + 4)
const char *coda_escape(char *buf, const char *s, size_t len);

#endif
