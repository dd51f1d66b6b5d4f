/* NumPy .npy, versions 1.0, 2.0 and 3.0 (numpy.lib.format). The header is a Python dict
 * literal, parsed here as such: exactly the keys 'descr', 'fortran_order' and 'shape', with a
 * string, a bool and a tuple of integers, so that a key's name inside another value is never
 * taken for the key. Reads float64/32/16, bool and 8- to 64-bit integers in either byte order
 * and either storage order, with 0, 1 or 2 dimensions; writes float64 (or float32 when asked)
 * in host byte order, Fortran order, the header padded to 64 bytes like numpy's. */
#include <ctype.h>
#include <errno.h>
#include <stdarg.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>

#include "binfmt.h"
#include "textfmt.h"

static const unsigned char npy_magic[6] = {0x93, 'N', 'U', 'M', 'P', 'Y'};
/* numpy.load refuses longer headers (its max_header_size) */
#define NPY_HEADER_MAX 10000
#define NPY_MAXDIM 32
#define NPY_DTYPES "float64, float32, float16, bool, int8/16/32/64, uint8/16/32/64 in either " \
                   "byte order, e.g. <f8 >f4 |b1 |u1 <i8"

typedef struct {
    const char *h; /* the header text, NUL-terminated */
    size_t n, p;   /* length, position */
    uint64_t base; /* file offset of h[0], for messages */
    int py2;       /* versions 1 and 2 may come from Python 2, whose ints can end in L */
    const char *name;
    coda_err *e;
} hdr;

static int hfail(hdr *s, const char *fmt, ...) __attribute__((format(printf, 2, 3)));
static int hfail(hdr *s, const char *fmt, ...)
{
    char msg[256];
    va_list ap;
    va_start(ap, fmt);
    vsnprintf(msg, sizeof msg, fmt, ap);
    va_end(ap);
    return coda_fail(s->e, "%s: byte %llu: .npy header: %s", s->name,
                     (unsigned long long)(s->base + s->p), msg);
}

static void skip_ws(hdr *s) /* Python's whitespace inside brackets */
{
    while (s->p < s->n && strchr(" \t\r\n\f", s->h[s->p]) && s->h[s->p])
        s->p++;
}

static int eat(hdr *s, char c)
{
    skip_ws(s);
    if (s->p < s->n && s->h[s->p] == c) {
        s->p++;
        return 1;
    }
    return 0;
}

/* A quoted string without escapes (no key or dtype needs one). */
static int parse_str(hdr *s, char *out, size_t cap)
{
    skip_ws(s);
    char q = s->p < s->n ? s->h[s->p] : 0;
    if (q != '\'' && q != '"')
        return hfail(s, "expected a quoted string");
    size_t start = ++s->p;
    while (s->p < s->n && s->h[s->p] != q) {
        unsigned char c = (unsigned char)s->h[s->p];
        if (c == '\\' || c < 0x20 || c >= 0x7f) /* also keeps messages printable */
            return hfail(s, "unsupported character in a string");
        s->p++;
    }
    if (s->p == s->n)
        return s->p = start - 1, hfail(s, "unterminated string");
    size_t len = s->p - start;
    if (len >= cap)
        return s->p = start, hfail(s, "string too long for a key or dtype");
    memcpy(out, s->h + start, len);
    out[len] = '\0';
    s->p++;
    return 0;
}

static int parse_bool(hdr *s, int *v)
{
    skip_ws(s);
    const char *t = s->h + s->p;
    size_t len = strncmp(t, "True", 4) == 0 ? 4 : strncmp(t, "False", 5) == 0 ? 5 : 0;
    if (!len || isalnum((unsigned char)t[len]) || t[len] == '_')
        return hfail(s, "'fortran_order' must be True or False");
    *v = len == 4;
    s->p += len;
    return 0;
}

/* A tuple of non-negative integers: (), (n,), (n, m), with an optional trailing comma. */
static int parse_shape(hdr *s, unsigned long long *dims, int *ndim)
{
    *ndim = 0;
    if (!eat(s, '('))
        return hfail(s, "'shape' must be a tuple such as (3, 4)");
    if (eat(s, ')'))
        return 0;
    for (;;) {
        skip_ws(s);
        const char *t = s->h + s->p;
        if (!isdigit((unsigned char)*t) || (t[0] == '0' && isdigit((unsigned char)t[1])))
            return hfail(s, "a dimension must be a non-negative integer");
        char *end;
        errno = 0;
        unsigned long long v = strtoull(t, &end, 10);
        if (errno || v > SIZE_MAX)
            return hfail(s, "dimension too large");
        if (*ndim == NPY_MAXDIM)
            return hfail(s, "more than %d dimensions", NPY_MAXDIM);
        dims[(*ndim)++] = v;
        s->p += (size_t)(end - t);
        if (s->py2 && s->h[s->p] == 'L')
            s->p++;
        if (eat(s, ',')) {
            if (eat(s, ')'))
                return 0;
        } else if (eat(s, ')')) {
            /* (n) is an integer in Python, not a tuple: numpy refuses it */
            return *ndim == 1 ? (s->p--, hfail(s, "a 1-D shape is written (n,), not (n)")) : 0;
        } else
            return hfail(s, "expected ',' or ')' in the shape");
    }
}

/* descr such as '<f8' into an element type and byte order. */
static int parse_descr(const char *d, coda_layout *l)
{
    static const struct {
        const char *code;
        coda_eltype t;
    } types[] = {{"f8", CODA_EL_F8}, {"f4", CODA_EL_F4}, {"f2", CODA_EL_F2}, {"b1", CODA_EL_B1},
                 {"i1", CODA_EL_I1}, {"u1", CODA_EL_U1}, {"i2", CODA_EL_I2}, {"u2", CODA_EL_U2},
                 {"i4", CODA_EL_I4}, {"u4", CODA_EL_U4}, {"i8", CODA_EL_I8}, {"u8", CODA_EL_U8}};
    int little = coda_host_little();
    if (*d == '<' || *d == '>')
        little = *d++ == '<';
    else if (*d == '|' || *d == '=') /* not applicable, or native */
        d++;
    for (size_t i = 0; i < sizeof types / sizeof types[0]; i++)
        if (strcmp(d, types[i].code) == 0) {
            l->type = types[i].t;
            l->swap = coda_el_width(l->type) > 1 && little != coda_host_little();
            return 0;
        }
    return -1;
}

static int parse_header(hdr *s, coda_layout *l, unsigned long long *dims, int *ndim)
{
    enum { DESCR = 1, FORTRAN = 2, SHAPE = 4 };
    int seen = 0, fortran = 0;
    char key[32], descr[16];
    size_t descr_at = 0;
    /* before the dict, Python allows blank lines and leading blanks on the first line, but
     * no indentation (not even a form feed, numpy finds) on a later line */
    size_t line = 0; /* where the current line starts */
    int broke = 0;
    for (; s->p < s->n && strchr(" \t\f\r\n", s->h[s->p]) && s->h[s->p]; s->p++)
        if (s->h[s->p] == '\r' || s->h[s->p] == '\n')
            line = s->p + 1, broke = 1;
    if (broke && line < s->p)
        return hfail(s, "unexpected indentation before the dict");
    if (!eat(s, '{'))
        return hfail(s, "expected a dict: '{'");
    while (!eat(s, '}')) {
        size_t key_at = (skip_ws(s), s->p);
        if (parse_str(s, key, sizeof key) < 0)
            return -1;
        int which = !strcmp(key, "descr") ? DESCR : !strcmp(key, "fortran_order") ? FORTRAN
                  : !strcmp(key, "shape") ? SHAPE : 0;
        s->p = which ? s->p : key_at;
        if (!which)
            return hfail(s, "unknown key '%s' (a .npy header has 'descr', 'fortran_order' "
                            "and 'shape', nothing else)", key);
        if (seen & which)
            return s->p = key_at, hfail(s, "duplicate key '%s'", key);
        seen |= which;
        if (!eat(s, ':'))
            return hfail(s, "expected ':' after '%s'", key);
        if (which == DESCR) {
            descr_at = (skip_ws(s), s->p);
            if (s->h[s->p] == '[')
                return hfail(s, "a structured dtype (a list of fields) is not a matrix");
            if (parse_str(s, descr, sizeof descr) < 0)
                return -1;
        } else if (which == FORTRAN) {
            if (parse_bool(s, &fortran) < 0)
                return -1;
        } else if (parse_shape(s, dims, ndim) < 0)
            return -1;
        if (!eat(s, ',') && !(skip_ws(s), s->h[s->p] == '}'))
            return hfail(s, "expected ',' or '}'");
    }
    size_t close = s->p - 1;
    skip_ws(s);
    if (s->p < s->n)
        return hfail(s, "unexpected text after the header dict");
    if (seen != (DESCR | FORTRAN | SHAPE))
        return s->p = close, hfail(s, "the header lacks '%s'", !(seen & DESCR) ? "descr"
                                                 : !(seen & FORTRAN) ? "fortran_order" : "shape");
    l->rowmajor = !fortran;
    s->p = descr_at;
    if (parse_descr(descr, l) < 0)
        return hfail(s, "unsupported .npy dtype '%s' (reads " NPY_DTYPES ")", descr);
    if (*ndim > 2)
        return hfail(s, ".npy arrays of more than 2 dimensions are not matrices");
    return 0;
}

#define BAD(at, ...) (coda_fail(e, __VA_ARGS__), coda_fail_prefix(e, "%s: byte %llu: ", name, \
                                                                   (unsigned long long)(at)))

int coda_npy_read_head(coda_src *src, const char *name, coda_frame *f, coda_layout *l,
                       uint64_t *data_at, coda_err *e)
{
    unsigned char pre[12];
    coda_frame_init(f, CODA_MATRIX);
    if (src->read(src->ctx, pre, 8) != 8 || memcmp(pre, npy_magic, 6) != 0)
        return BAD(0, "truncated or bad .npy magic");
    if ((pre[6] < 1 || pre[6] > 3) || pre[7] != 0)
        return BAD(6, "unsupported .npy version %d.%d (reads 1.0, 2.0, 3.0)", pre[6], pre[7]);
    size_t lenbytes = pre[6] == 1 ? 2 : 4, hlen = 0;
    if (src->read(src->ctx, pre + 8, lenbytes) != lenbytes)
        return BAD(8, "truncated .npy header length");
    for (size_t i = 0; i < lenbytes; i++)
        hlen |= (size_t)pre[8 + i] << (8 * i);
    uint64_t hstart = 8 + lenbytes;
    if (hlen > NPY_HEADER_MAX)
        return BAD(8, ".npy header of %zu bytes is longer than numpy reads (%d)", hlen,
                   NPY_HEADER_MAX);
    char *h = malloc(hlen + 1);
    if (!h)
        return coda_fail_oom(e);
    if (src->read(src->ctx, h, hlen) != hlen) {
        free(h);
        return BAD(hstart, "truncated .npy header");
    }
    h[hlen] = '\0';
    hdr s = {h, hlen, 0, hstart, pre[6] < 3, name, e};
    unsigned long long dims[NPY_MAXDIM];
    int ndim = 0;
    int rc = parse_header(&s, l, dims, &ndim);
    free(h);
    if (rc < 0)
        return -1;
    size_t rows = ndim >= 1 ? dims[0] : 1, cols = ndim == 2 ? dims[1] : 1;
    *data_at = hstart + hlen;
    if (coda_size_check(rows, cols, sizeof(double), NULL, e) < 0)
        return coda_fail_prefix(e, "%s: byte %llu: ", name, (unsigned long long)hstart);
    if (src->left != UINT64_MAX)
        src->left = src->left > *data_at ? src->left - *data_at : 0;
    f->mat.rows = rows;
    f->mat.cols = cols;
    f->dtype = l->type == CODA_EL_F4 ? CODA_F32 : CODA_F64;
    /* a vector or a scalar keeps its shape through a round trip (the writer reads this) */
    if (ndim < 2 && coda_meta_set(&f->meta, "shape", ndim ? "1d" : "0d", e) < 0) {
        coda_frame_free(f);
        return -1;
    }
    return 1;
}

int coda_npy_read_end(coda_src src, const char *name, uint64_t end_at, coda_err *e)
{
    unsigned char one;
    if (src.read(src.ctx, &one, 1) == 1)
        return BAD(end_at, "trailing bytes after the .npy data");
    return 0;
}

int coda_npy_read_data(coda_src src, const char *name, coda_frame *f, const coda_layout *l,
                       uint64_t data_at, coda_err *e)
{
    uint64_t at;
    if (coda_raw_read(src, l, f->mat.rows, f->mat.cols, &f->mat, ".npy data", &at, e) < 0) {
        coda_frame_free(f);
        return coda_fail_prefix(e, "%s: byte %llu: ", name, (unsigned long long)(data_at + at));
    }
    if (coda_npy_read_end(src, name, data_at + f->mat.rows * f->mat.cols * coda_el_width(l->type),
                          e) < 0) {
        coda_frame_free(f);
        return -1;
    }
    return 1;
}
#undef BAD

int coda_npy_read_src(coda_src src, const char *name, coda_frame *f, coda_err *e)
{
    coda_layout l;
    uint64_t data_at;
    int rc = coda_npy_read_head(&src, name, f, &l, &data_at, e);
    return rc == 1 ? coda_npy_read_data(src, name, f, &l, data_at, e) : rc;
}

int coda_npy_read(coda_in *in, coda_frame *f, coda_err *e)
{
    return coda_npy_read_src(coda_in_src(in), in->name, f, e);
}

/* The header numpy would write for f (version 1.0, padded with spaces and a newline to a
 * multiple of 64 bytes) into buf; returns its length, magic included. */
size_t coda_npy_header(const coda_frame *f, int dtype, char buf[CODA_NPY_HEADER_CAP])
{
    const size_t cap = CODA_NPY_HEADER_CAP;
    const char *sh = coda_meta_get(&f->meta, "shape");
    char shape[64];
    int vec = sh && !strcmp(sh, "1d") && f->mat.cols == 1;
    if (sh && !strcmp(sh, "0d") && f->mat.rows == 1 && f->mat.cols == 1)
        snprintf(shape, sizeof shape, "()");
    else if (vec)
        snprintf(shape, sizeof shape, "(%zu,)", f->mat.rows);
    else
        snprintf(shape, sizeof shape, "(%zu, %zu)", f->mat.rows, f->mat.cols);
    int dl = snprintf(buf + 10, cap - 10, "{'descr': '%c%s', 'fortran_order': %s, 'shape': %s, }",
                      coda_host_little() ? '<' : '>', dtype == CODA_F32 ? "f4" : "f8",
                      strchr(shape, ',') && !vec ? "True" : "False", shape);
    size_t total = (10 + (size_t)dl + 1 + 63) / 64 * 64, hlen = total - 10;
    memcpy(buf, npy_magic, 6);
    buf[6] = 1;
    buf[7] = 0;
    buf[8] = (char)(hlen & 0xff);
    buf[9] = (char)(hlen >> 8);
    memset(buf + 10 + dl, ' ', total - 11 - (size_t)dl);
    buf[total - 1] = '\n';
    return total;
}

uint64_t coda_npy_size(const coda_frame *f, int dtype)
{
    char h[CODA_NPY_HEADER_CAP];
    return coda_npy_header(f, dtype, h) +
           (uint64_t)f->mat.rows * f->mat.cols * (dtype == CODA_F32 ? 4 : 8);
}

int coda_npy_put(const coda_frame *f, int dtype, coda_put_fn put, void *ctx, coda_err *e)
{
    char h[CODA_NPY_HEADER_CAP];
    size_t hl = coda_npy_header(f, dtype, h);
    if (put(ctx, h, hl, e) < 0)
        return -1;
    return coda_raw_write(&f->mat, dtype == CODA_F32, put, ctx, e);
}

int coda_npy_write(FILE *out, const coda_frame *f, int dtype, coda_err *e)
{
    return coda_npy_put(f, dtype, coda_put_file, out, e);
}
