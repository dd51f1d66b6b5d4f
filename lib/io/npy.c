/* NumPy .npy: versions 1.0, 2.0 and 3.0. Reads <f8 >f8 <f4 <i4 <i8 in C or Fortran order with
 * 0, 1 or 2 dimensions; writes <f8 (host order) in Fortran order, header padded to 64 bytes. */
#include <errno.h>
#include <math.h>
#include <stdint.h>
#include <stdlib.h>
#include <string.h>

#include "textfmt.h"

static const unsigned char npy_magic[6] = {0x93, 'N', 'U', 'M', 'P', 'Y'};
#define NPY_HEADER_MAX (1u << 20)

static int host_little(void)
{
    const uint16_t x = 1;
    return *(const unsigned char *)&x == 1;
}

/* Find 'key' in the header dict and return a pointer just after its ':'. */
static const char *dict_value(const char *h, const char *key)
{
    char pat[32];
    snprintf(pat, sizeof pat, "'%s'", key);
    const char *p = strstr(h, pat);
    if (!p) {
        snprintf(pat, sizeof pat, "\"%s\"", key);
        p = strstr(h, pat);
    }
    if (!p)
        return NULL;
    p = strchr(p + strlen(pat), ':');
    if (!p)
        return NULL;
    p++;
    while (*p == ' ')
        p++;
    return p;
}

int coda_npy_read(coda_in *in, coda_frame *f, coda_err *e)
{
    unsigned char pre[12];
    coda_frame_init(f, CODA_MATRIX);
#define BAD(at, ...) (coda_fail(e, __VA_ARGS__), coda_fail_prefix(e, "%s: byte %llu: ", in->name, \
                                                                   (unsigned long long)(at)))
    if (coda_in_read(in, pre, 8) != 8 || memcmp(pre, npy_magic, 6) != 0)
        return BAD(0, "truncated or bad .npy magic");
    int major = pre[6];
    size_t hlen;
    if (major == 1) {
        if (coda_in_read(in, pre + 8, 2) != 2)
            return BAD(8, "truncated .npy header length");
        hlen = (size_t)pre[8] | (size_t)pre[9] << 8;
    } else if (major == 2 || major == 3) {
        if (coda_in_read(in, pre + 8, 4) != 4)
            return BAD(8, "truncated .npy header length");
        hlen = (size_t)pre[8] | (size_t)pre[9] << 8 | (size_t)pre[10] << 16 |
               (size_t)pre[11] << 24;
    } else
        return BAD(6, "unsupported .npy version %d.%d", pre[6], pre[7]);
    if (hlen > NPY_HEADER_MAX)
        return BAD(8, ".npy header of %zu bytes is implausibly large", hlen);
    uint64_t hstart = in->off;
    char *h = malloc(hlen + 1);
    if (!h)
        return BAD(hstart, "out of memory");
    if (coda_in_read(in, h, hlen) != hlen) {
        free(h);
        return BAD(hstart, "truncated .npy header");
    }
    h[hlen] = '\0';
    const char *d = dict_value(h, "descr"), *fo = dict_value(h, "fortran_order"),
               *sh = dict_value(h, "shape");
    if (!d || !fo || !sh) {
        free(h);
        return BAD(hstart, ".npy header lacks descr, fortran_order or shape");
    }
    char descr[8] = {0};
    if ((*d != '\'' && *d != '"') || sscanf(d + 1, "%7[^'\"]", descr) != 1) {
        free(h);
        return BAD(hstart, "bad .npy descr");
    }
    int fortran;
    if (strncmp(fo, "True", 4) == 0)
        fortran = 1;
    else if (strncmp(fo, "False", 5) == 0)
        fortran = 0;
    else {
        free(h);
        return BAD(hstart, "bad .npy fortran_order");
    }
    if (*sh != '(') {
        free(h);
        return BAD(hstart, "bad .npy shape");
    }
    unsigned long long dims[3];
    int ndim = 0;
    const char *p = sh + 1;
    for (;;) {
        while (*p == ' ' || *p == ',')
            p++;
        if (*p == ')')
            break;
        char *end;
        errno = 0;
        unsigned long long v = strtoull(p, &end, 10);
        if (end == p || errno || *p == '-' || ndim == 3) {
            free(h);
            return ndim == 3 ? BAD(hstart, ".npy arrays of more than 2 dimensions are not "
                                           "matrices")
                             : BAD(hstart, "bad .npy shape");
        }
        dims[ndim++] = v;
        p = end;
    }
    free(h);
    if (ndim == 3)
        return BAD(hstart, ".npy arrays of more than 2 dimensions are not matrices");
    size_t rows = ndim >= 1 ? dims[0] : 1, cols = ndim == 2 ? dims[1] : 1;
    /* dtype */
    int little, width, isint;
    char kind;
    if (strlen(descr) != 3 || (descr[0] != '<' && descr[0] != '>' && descr[0] != '|'))
        return BAD(hstart, "unsupported .npy dtype '%s' (reads <f8 >f8 <f4 <i4 <i8)", descr);
    little = descr[0] != '>';
    kind = descr[1];
    width = descr[2] - '0';
    if (!((kind == 'f' && (width == 8 || width == 4)) || (kind == 'i' && (width == 4 || width == 8))))
        return BAD(hstart, "unsupported .npy dtype '%s' (reads <f8 >f8 <f4 <i4 <i8)", descr);
    isint = kind == 'i';
    size_t bytes;
    if (coda_size_check(rows, cols, (size_t)width, &bytes, e) < 0 ||
        coda_size_check(rows, cols, sizeof(double), NULL, e) < 0)
        return coda_fail_prefix(e, "%s: byte %llu: ", in->name, (unsigned long long)hstart);
    if (coda_mat_alloc(&f->mat, rows, cols, e) < 0)
        return coda_fail_prefix(e, "%s: ", in->name);
    uint64_t data_at = in->off;
    unsigned char *raw = malloc(bytes ? bytes : 1);
    if (!raw) {
        coda_frame_free(f);
        return BAD(data_at, "out of memory");
    }
    size_t got = coda_in_read(in, raw, bytes);
    if (got != bytes) {
        free(raw);
        coda_frame_free(f);
        return BAD(data_at + got, "truncated .npy data: %zu of %zu bytes", got, bytes);
    }
    unsigned char one;
    if (coda_in_read(in, &one, 1) == 1) {
        free(raw);
        coda_frame_free(f);
        return BAD(data_at + bytes, "trailing bytes after the .npy data");
    }
    size_t n = rows * cols;
    for (size_t k = 0; k < n; k++) {
        unsigned char b[8];
        for (int i = 0; i < width; i++)
            b[i] = raw[k * (size_t)width + (size_t)(little == host_little() ? i : width - 1 - i)];
        double v;
        if (!isint && width == 8)
            memcpy(&v, b, 8);
        else if (!isint) {
            float x;
            memcpy(&x, b, 4);
            v = x;
        } else if (width == 4) {
            int32_t x;
            memcpy(&x, b, 4);
            v = x;
        } else {
            int64_t x;
            memcpy(&x, b, 8);
            v = (double)x;
            if (x > (INT64_C(1) << 53) || x < -(INT64_C(1) << 53)) {
                free(raw);
                coda_frame_free(f);
                return BAD(data_at + k * 8, "int64 value %lld is not exactly representable as "
                                            "float64", (long long)x);
            }
        }
        size_t i = fortran ? k % rows : k / cols, j = fortran ? k / rows : k % cols;
        f->mat.data[j * rows + i] = v;
    }
    free(raw);
    return 1;
#undef BAD
}

int coda_npy_write(FILE *out, const coda_frame *f, coda_err *e)
{
    char dict[160];
    int dl = snprintf(dict, sizeof dict, "{'descr': '%cf8', 'fortran_order': True, 'shape': (%zu, %zu), }",
                      host_little() ? '<' : '>', f->mat.rows, f->mat.cols);
    /* version 1.0: magic(6) + version(2) + u16 length, total padded to a multiple of 64 */
    size_t total = 10 + (size_t)dl + 1, padded = (total + 63) / 64 * 64;
    size_t hlen = padded - 10;
    unsigned char pre[10] = {0x93, 'N', 'U', 'M', 'P', 'Y', 1, 0, (unsigned char)(hlen & 0xff),
                             (unsigned char)(hlen >> 8)};
    fwrite(pre, 1, 10, out);
    fwrite(dict, 1, (size_t)dl, out);
    for (size_t i = 10 + (size_t)dl; i < padded - 1; i++)
        putc(' ', out);
    putc('\n', out);
    size_t n = f->mat.rows * f->mat.cols;
    if (n && fwrite(f->mat.data, sizeof(double), n, out) != n)
        return coda_fail(e, "write error: %s", strerror(errno));
    return ferror(out) ? coda_fail(e, "write error: %s", strerror(errno)) : 0;
}
