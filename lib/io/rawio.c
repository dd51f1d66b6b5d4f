/* copy_file_range */
#define _GNU_SOURCE
#include "rawio.h"

#include <cblas.h>
#include <errno.h>
#include <float.h>
#include <limits.h>
#include <math.h>
#include <stdlib.h>
#include <string.h>
#include <sys/mman.h>
#include <sys/stat.h>
#include <unistd.h>

/* Elements per chunk: 4 MiB of doubles, small enough to stay in cache, large enough that
 * the per-chunk overhead (one read call) does not show. */
#define CHUNK ((size_t)1 << 19)
#define TILE 32

int coda_host_little(void)
{
    const uint16_t x = 1;
    return *(const unsigned char *)&x == 1;
}

static size_t in_read(void *ctx, void *dst, size_t n) { return coda_in_read(ctx, dst, n); }

coda_src coda_in_src(coda_in *in)
{
    coda_src s = {in_read, in, UINT64_MAX};
    if (in->borrowed) { /* bytes in memory: all there is is buffered */
        s.left = in->len - in->pos;
        return s;
    }
    struct stat st;
    off_t pos = lseek(fileno(in->f), 0, SEEK_CUR);
    /* what the file still holds: past the descriptor's offset, plus what is buffered */
    if (fstat(fileno(in->f), &st) == 0 && S_ISREG(st.st_mode) && pos >= 0 && st.st_size >= pos)
        s.left = (uint64_t)(st.st_size - pos) + (in->len - in->pos);
    return s;
}

static const struct {
    const char *name;
    size_t width;
} el_info[] = {{"float64", 8}, {"float32", 4}, {"float16", 2}, {"bool", 1},
               {"int8", 1},    {"uint8", 1},   {"int16", 2},   {"uint16", 2},
               {"int32", 4},   {"uint32", 4},  {"int64", 8},   {"uint64", 8}};

size_t coda_el_width(coda_eltype t) { return el_info[t].width; }
const char *coda_el_name(coda_eltype t) { return el_info[t].name; }

/* Ask for transparent huge pages on a large fresh block: filling 200 MB then takes a third
 * of the time, the page faults being most of the cost of reading into new memory. The range
 * is the block's whole pages, so that the mapping stays one (a hint on a part of it would
 * split it, and a later realloc could no longer move it with mremap: it would copy). */
static void huge_hint(void *p, size_t n)
{
#ifdef MADV_HUGEPAGE
    const uintptr_t page = 4096;
    uintptr_t a = (uintptr_t)p & ~(page - 1), b = ((uintptr_t)p + n + page - 1) & ~(page - 1);
    if (n >= ((size_t)1 << 22))
        madvise((void *)a, b - a, MADV_HUGEPAGE);
#else
    (void)p, (void)n;
#endif
}

static double half_to_double(uint16_t h)
{
    int exp = (h >> 10) & 31, man = h & 1023;
    double v = exp == 0 ? ldexp(man, -24) : exp == 31 ? (man ? NAN : INFINITY)
                                                      : ldexp(man + 1024, exp - 25);
    return h >> 15 ? -v : v;
}

/* Integers beyond 2^53 are taken only when float64 holds them exactly. */
static int i64_exact(int64_t x)
{
    if (x >= -(INT64_C(1) << 53) && x <= (INT64_C(1) << 53))
        return 1;
    double d = (double)x;
    return d < 9223372036854775808.0 && (int64_t)d == x;
}

static int u64_exact(uint64_t x)
{
    if (x <= (UINT64_C(1) << 53))
        return 1;
    double d = (double)x;
    return d < 18446744073709551616.0 && (uint64_t)d == x;
}

/* Elements as loaded: memcpy (the bytes may be unaligned), then the byte swap when needed. */
static inline uint16_t ld16(const unsigned char *p, int swap)
{
    uint16_t u;
    memcpy(&u, p, 2);
    return swap ? __builtin_bswap16(u) : u;
}

static inline uint32_t ld32(const unsigned char *p, int swap)
{
    uint32_t u;
    memcpy(&u, p, 4);
    return swap ? __builtin_bswap32(u) : u;
}

static inline uint64_t ld64(const unsigned char *p, int swap)
{
    uint64_t u;
    memcpy(&u, p, 8);
    return swap ? __builtin_bswap64(u) : u;
}

/* Convert c elements at s into doubles at d (d may be s for float64). Returns the index of
 * the first integer float64 cannot hold, or c when all are exact. */
static size_t convert(double *d, const unsigned char *s, size_t c, coda_eltype t, int swap)
{
    size_t k;
    switch (t) {
    case CODA_EL_F8:
        if (swap)
            for (k = 0; k < c; k++) {
                uint64_t u = ld64(s + 8 * k, 1);
                memcpy(d + k, &u, 8);
            }
        else if ((const void *)d != (const void *)s)
            memcpy(d, s, c * 8);
        break;
    case CODA_EL_F4:
        for (k = 0; k < c; k++) {
            uint32_t u = ld32(s + 4 * k, swap);
            float x;
            memcpy(&x, &u, 4);
            d[k] = x;
        }
        break;
    case CODA_EL_F2: for (k = 0; k < c; k++) d[k] = half_to_double(ld16(s + 2 * k, swap)); break;
    case CODA_EL_B1: for (k = 0; k < c; k++) d[k] = s[k] != 0; break;
    case CODA_EL_I1: for (k = 0; k < c; k++) d[k] = (int8_t)s[k]; break;
    case CODA_EL_U1: for (k = 0; k < c; k++) d[k] = s[k]; break;
    case CODA_EL_I2: for (k = 0; k < c; k++) d[k] = (int16_t)ld16(s + 2 * k, swap); break;
    case CODA_EL_U2: for (k = 0; k < c; k++) d[k] = ld16(s + 2 * k, swap); break;
    case CODA_EL_I4: for (k = 0; k < c; k++) d[k] = (int32_t)ld32(s + 4 * k, swap); break;
    case CODA_EL_U4: for (k = 0; k < c; k++) d[k] = ld32(s + 4 * k, swap); break;
    case CODA_EL_I8:
        for (k = 0; k < c; k++) {
            int64_t x = (int64_t)ld64(s + 8 * k, swap);
            if (!i64_exact(x))
                return k;
            d[k] = (double)x;
        }
        break;
    case CODA_EL_U8:
        for (k = 0; k < c; k++) {
            uint64_t x = ld64(s + 8 * k, swap);
            if (!u64_exact(x))
                return k;
            d[k] = (double)x;
        }
        break;
    }
    return c;
}

static int inexact(const unsigned char *s, size_t k, const coda_layout *l, coda_err *e)
{
    uint64_t u = ld64(s + 8 * k, l->swap);
    if (l->type == CODA_EL_I8)
        return coda_fail(e, "int64 value %lld is not exactly representable as float64",
                         (long long)(int64_t)u);
    return coda_fail(e, "uint64 value %llu is not exactly representable as float64",
                     (unsigned long long)u);
}

/* The nr x nc row-major block src into m at (r0, c0). OpenBLAS's out-of-place transpose
 * (its omatcopy, which copies the bits when alpha is 1: signalling NaNs stay as they are)
 * moves 200 MB at 7-9 GB/s here against 5 GB/s for a 32 x 32 tiled loop (bench/io.sh's
 * C-order rows); the loop serves only a matrix whose sizes an int cannot hold. */
static void transpose_in(coda_mat *m, const double *src, size_t nr, size_t nc, size_t r0,
                         size_t c0)
{
    double *dst = m->data + c0 * m->rows + r0;
    if (m->rows <= INT_MAX) { /* nr, nc <= CHUNK */
        /* src is, column-major, the nc x nr matrix whose transpose goes into m */
        cblas_domatcopy(CblasColMajor, CblasTrans, (int)nc, (int)nr, 1.0, src, (int)nc, dst,
                        (int)m->rows);
        return;
    }
    for (size_t jj = 0; jj < nc; jj += TILE)
        for (size_t ii = 0; ii < nr; ii += TILE) {
            size_t je = jj + TILE < nc ? jj + TILE : nc, ie = ii + TILE < nr ? ii + TILE : nr;
            for (size_t j = jj; j < je; j++)
                for (size_t i = ii; i < ie; i++)
                    dst[j * m->rows + i] = src[i * nc + j];
        }
}

int coda_raw_read(coda_src src, const coda_layout *l, size_t rows, size_t cols, coda_mat *m,
                  const char *what, uint64_t *at, coda_err *e)
{
    size_t w = coda_el_width(l->type), bytes;
    unsigned char *raw = NULL;
    double *dbl = NULL;
    *at = 0;
    m->data = NULL;
    if (coda_size_check(rows, cols, w, &bytes, e) < 0)
        return -1;
    if (bytes > src.left) { /* refused before anything is allocated for it */
        *at = src.left;
        return coda_fail(e, "truncated %s: %llu of %zu bytes", what,
                         (unsigned long long)src.left, bytes);
    }
    if (coda_mat_alloc_raw(m, rows, cols, e) < 0)
        return -1;
    size_t n = rows * cols, got = 0;
    if (n == 0)
        return 0;
    huge_hint(m->data, n * sizeof(double));
    /* with one row or one column both storage orders are the same */
    int rowmajor = l->rowmajor && rows > 1 && cols > 1;
    if (!rowmajor && l->type == CODA_EL_F8) { /* straight into the matrix: no second copy */
        size_t step = l->swap ? CHUNK : n;    /* swap each chunk while it is in cache */
        for (size_t k = 0; k < n; k += step) {
            size_t c = n - k < step ? n - k : step;
            got = src.read(src.ctx, m->data + k, c * 8);
            if (got != c * 8) {
                got += k * 8;
                goto truncated;
            }
            convert(m->data + k, (unsigned char *)(m->data + k), c, l->type, l->swap);
        }
        return 0;
    }
    /* chunks in storage order: whole rows of a C-order array, or pieces of one long row */
    size_t nc = !rowmajor ? n : cols <= CHUNK ? cols : CHUNK;
    size_t nr = !rowmajor ? 1 : cols <= CHUNK ? CHUNK / cols : 1;
    size_t cap = !rowmajor ? (n < CHUNK ? n : CHUNK) : nr * nc;
    raw = malloc(cap * w);
    dbl = rowmajor && l->type != CODA_EL_F8 ? malloc(cap * sizeof(double)) : (double *)raw;
    if (!raw || !dbl)
        goto oom;
    size_t outer = rowmajor ? rows : 1;
    for (size_t r0 = 0; r0 < outer; r0 += nr) {
        size_t br = rowmajor && rows - r0 < nr ? rows - r0 : nr;
        size_t inner = rowmajor ? cols : n;
        for (size_t c0 = 0; c0 < inner; c0 += rowmajor ? nc : cap) {
            size_t bc = rowmajor ? (cols - c0 < nc ? cols - c0 : nc)
                                 : (n - c0 < cap ? n - c0 : cap);
            size_t c = br * bc, k0 = rowmajor ? r0 * cols + c0 : c0;
            got = src.read(src.ctx, raw, c * w);
            if (got != c * w) {
                got += k0 * w;
                goto truncated;
            }
            double *d = rowmajor ? dbl : m->data + k0;
            size_t bad = convert(d, raw, c, l->type, l->swap);
            if (bad < c) {
                *at = (k0 + bad) * w;
                inexact(raw, bad, l, e);
                goto fail;
            }
            if (rowmajor)
                transpose_in(m, dbl, br, bc, r0, c0);
        }
    }
    if (dbl != (double *)raw)
        free(dbl);
    free(raw);
    return 0;
truncated:
    *at = got;
    coda_fail(e, "truncated %s: %zu of %zu bytes", what, got, bytes);
    goto fail;
oom:
    coda_fail_oom(e);
fail:
    if (dbl != (double *)raw)
        free(dbl);
    free(raw);
    coda_mat_free(m);
    return -1;
}

int coda_raw_convert(coda_src src, const coda_layout *l, size_t n, coda_put_fn put, void *ctx,
                     const char *what, uint64_t *at, coda_err *e)
{
    size_t w = coda_el_width(l->type), bytes;
    *at = 0;
    if (coda_size_check(n, 1, w, &bytes, e) < 0)
        return -1;
    if (bytes > src.left) { /* as coda_raw_read says it, before anything goes out */
        *at = src.left;
        return coda_fail(e, "truncated %s: %llu of %zu bytes", what,
                         (unsigned long long)src.left, bytes);
    }
    if (n == 0)
        return 0;
    size_t cap = n < CHUNK ? n : CHUNK;
    unsigned char *raw = malloc(cap * w);
    /* float64 is swapped in place; narrower elements widen into a second buffer */
    double *dbl = l->type == CODA_EL_F8 ? (double *)raw : malloc(cap * sizeof(double));
    int rc = 0;
    if (!raw || !dbl) {
        rc = coda_fail_oom(e);
        goto out;
    }
    for (size_t k0 = 0; k0 < n; k0 += cap) {
        size_t c = n - k0 < cap ? n - k0 : cap, got = src.read(src.ctx, raw, c * w);
        if (got != c * w) {
            *at = k0 * w + got;
            rc = coda_fail(e, "truncated %s: %llu of %zu bytes", what, (unsigned long long)*at,
                           bytes);
            goto out;
        }
        size_t bad = convert(dbl, raw, c, l->type, l->swap);
        if (bad < c) {
            *at = (k0 + bad) * w;
            rc = inexact(raw, bad, l, e);
            goto out;
        }
        if (put(ctx, dbl, c * sizeof(double), e) < 0) {
            rc = -2;
            goto out;
        }
    }
out:
    if (dbl != (double *)raw)
        free(dbl);
    free(raw);
    return rc;
}

int coda_put_file(void *file, const void *p, size_t n, coda_err *e)
{
    if (n && fwrite(p, 1, n, file) != n)
        return coda_failc(e, CODA_E_IO, "write error: %s", strerror(errno));
    return 0;
}

/* Up to n bytes from a regular input file to fd inside the kernel (copy_file_range), the way
 * cat copies a file: no pass through this process's memory. Returns the bytes moved; fewer
 * than n when the kernel cannot do it here (another file system, a pipe): the caller moves
 * the rest itself. Only when the two offsets are the same within a page: otherwise (a binary
 * frame's payload into an .npy, whose headers differ in length) the kernel copies each page
 * into two, and 200 MB took 0.15 s against 0.10 s through a 1 MB buffer here (ext4). */
static uint64_t pass_in_kernel(coda_in *in, uint64_t n, FILE *out)
{
    struct stat st;
    int fd = fileno(out);
    if (fd < 0 || fflush(out) != 0 || in->borrowed || in->pos < in->len || fstat(fileno(in->f), &st) != 0 ||
        !S_ISREG(st.st_mode))
        return 0;
    off_t from = lseek(fileno(in->f), 0, SEEK_CUR), to = lseek(fd, 0, SEEK_CUR);
    long page = sysconf(_SC_PAGESIZE);
    if (from < 0 || to < 0 || page <= 0 || (from - to) % page != 0)
        return 0;
    uint64_t done = 0;
    while (done < n) {
        size_t want = n - done > ((size_t)1 << 30) ? (size_t)1 << 30 : (size_t)(n - done);
        ssize_t got = copy_file_range(fileno(in->f), NULL, fd, NULL, want, 0);
        if (got <= 0) /* the end of the input (the read then says so), or not here */
            break;
        done += (uint64_t)got;
        in->off += (uint64_t)got;
    }
    return done;
}

int64_t coda_raw_pass(coda_in *in, uint64_t n, coda_put_fn put, void *ctx, FILE *out,
                      coda_err *e)
{
    const size_t piece = (size_t)1 << 20; /* big: few calls; small: stays in cache */
    uint64_t left = n;
    unsigned char *buf = NULL;
    while (left) {
        if (put && out && in->pos == in->len) { /* the buffered bytes are out first */
            uint64_t moved = pass_in_kernel(in, left, out);
            left -= moved;
            out = moved ? out : NULL; /* refused once: the rest through memory */
            if (!left)
                break;
        }
        if (!buf && !(buf = malloc(left < piece ? (size_t)left : piece)))
            return coda_fail_oom(e);
        size_t want = left < piece ? (size_t)left : piece, got = coda_in_read_some(in, buf, want);
        if (got == 0)
            break;
        if (put && put(ctx, buf, got, e) < 0) {
            free(buf);
            return -1;
        }
        left -= got;
    }
    free(buf);
    return (int64_t)(n - left);
}

int coda_raw_write(const coda_mat *m, int f4, coda_put_fn put, void *ctx, coda_err *e)
{
    size_t n = m->rows * m->cols;
    if (n == 0)
        return 0;
    if (!coda_mat_is_contiguous(m)) { /* a view: its columns one by one */
        for (size_t j = 0; j < m->cols; j++) {
            coda_mat col = coda_mat_view(m, 0, m->rows, j, 1);
            if (coda_raw_write(&col, f4, put, ctx, e) < 0)
                return -1;
        }
        return 0;
    }
    if (!f4)
        return put(ctx, m->data, n * sizeof(double), e);
    size_t cap = n < CHUNK ? n : CHUNK;
    float *buf = malloc(cap * sizeof *buf);
    if (!buf)
        return coda_fail_oom(e);
    for (size_t k0 = 0; k0 < n; k0 += cap) {
        size_t c = n - k0 < cap ? n - k0 : cap;
        for (size_t k = 0; k < c; k++) {
            double x = m->data[k0 + k];
            /* from FLT_MAX plus half an ulp, float32 rounds to infinity */
            if (isfinite(x) && fabs(x) >= 0x1.ffffffp127) {
                free(buf);
                return coda_fail(e, "value %.17g at row %zu, column %zu is beyond float32's "
                                    "range (write float64, the default)",
                                 x, (k0 + k) % m->rows, (k0 + k) / m->rows);
            }
            buf[k] = (float)x;
        }
        if (put(ctx, buf, c * sizeof *buf, e) < 0) {
            free(buf);
            return -1;
        }
    }
    free(buf);
    return 0;
}
