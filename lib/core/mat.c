#include "mat.h"

#include <cblas.h>
#include <lapacke.h>
#include <math.h>
#include <pthread.h>
#include <stdint.h>
#include <stdlib.h>
#include <string.h>
#include <unistd.h>

/* The limits do not change while we run, so each is read once: getenv over an MPI job's long
 * environment, twice per allocation, was 3% of a small coded-GD round, and a sysinfo call
 * per allocation a tenth of it. */
static size_t mem_given, mem_physical;
static pthread_once_t mem_once = PTHREAD_ONCE_INIT;

static void mem_limits_read(void)
{
    /* CODA_MAX_MEMORY (CODA_MAX_BYTES, its older name) caps what one matrix may take */
    const char *env = getenv("CODA_MAX_MEMORY");
    if (!env || !*env)
        env = getenv("CODA_MAX_BYTES");
    if (env && *env) {
        char *end;
        unsigned long long v = strtoull(env, &end, 10);
        if (*end == '\0' && v > 0)
            mem_given = (size_t)v;
    }
    long pages = sysconf(_SC_PHYS_PAGES), psize = sysconf(_SC_PAGESIZE);
    mem_physical = pages > 0 && psize > 0 ? (size_t)pages * (size_t)psize : (size_t)1 << 34;
}

size_t coda_mem_limit_given(void)
{
    pthread_once(&mem_once, mem_limits_read);
    return mem_given;
}

size_t coda_mem_limit(void)
{
    pthread_once(&mem_once, mem_limits_read);
    return mem_given ? mem_given : mem_physical;
}

int coda_size_check(size_t rows, size_t cols, size_t elem, size_t *bytes, coda_err *e)
{
    if (cols != 0 && rows > SIZE_MAX / cols)
        return coda_failc(e, CODA_E_MEMORY, "dimensions %zu x %zu overflow", rows, cols);
    size_t n = rows * cols;
    if (elem != 0 && n > SIZE_MAX / elem)
        return coda_failc(e, CODA_E_MEMORY, "dimensions %zu x %zu overflow", rows, cols);
    size_t b = n * elem, lim = coda_mem_limit();
    if (b > lim)
        return coda_failc(e, CODA_E_MEMORY,
                          "a %zu x %zu matrix needs %zu bytes, more than the %zu allowed "
                          "(physical memory, or CODA_MAX_MEMORY)",
                         rows, cols, b, lim);
    if (bytes)
        *bytes = b;
    return 0;
}

static int mat_alloc(coda_mat *m, size_t rows, size_t cols, int zero, coda_err *e)
{
    size_t bytes = 0;
    m->rows = rows;
    m->cols = cols;
    m->data = NULL;
    m->ld = 0;
    m->view = 0;
    if (coda_size_check(rows, cols, sizeof(double), &bytes, e) < 0)
        return -1;
    if (bytes == 0)
        return 0;
    m->data = zero ? calloc(rows * cols, sizeof(double)) : malloc(bytes);
    if (!m->data)
        return coda_failc(e, CODA_E_MEMORY, "out of memory for a %zu x %zu matrix", rows, cols);
    return 0;
}

int coda_mat_alloc(coda_mat *m, size_t rows, size_t cols, coda_err *e)
{
    return mat_alloc(m, rows, cols, 1, e);
}

int coda_mat_alloc_raw(coda_mat *m, size_t rows, size_t cols, coda_err *e)
{
    return mat_alloc(m, rows, cols, 0, e);
}

int coda_mat_copy(coda_mat *dst, const coda_mat *src, coda_err *e)
{
    if (coda_mat_alloc_raw(dst, src->rows, src->cols, e) < 0)
        return -1;
    if (src->rows && src->cols && coda_mat_is_contiguous(src))
        memcpy(dst->data, src->data, src->rows * src->cols * sizeof(double));
    else /* a view: column by column */
        for (size_t j = 0; j < src->cols && src->rows; j++)
            memcpy(dst->data + j * src->rows, src->data + j * CODA_LD(src),
                   src->rows * sizeof(double));
    return 0;
}

int coda_mat_append_cols(coda_mat *A, const coda_mat *B, coda_err *e)
{
    if (A->view || !coda_mat_is_contiguous(B))
        return coda_fail(e, "cannot append to a view, or a view's columns");
    if (A->rows != B->rows)
        return coda_fail(e, "cannot append a %zu-row matrix to a %zu-row one", B->rows, A->rows);
    size_t bytes;
    if (coda_size_check(A->rows, A->cols + B->cols, sizeof(double), &bytes, e) < 0)
        return -1;
    double *p = realloc(A->data, bytes ? bytes : 1);
    if (!p)
        return coda_failc(e, CODA_E_MEMORY, "out of memory (%zu bytes)", bytes);
    A->data = p;
    if (B->rows && B->cols)
        memcpy(p + A->rows * A->cols, B->data, B->rows * B->cols * sizeof(double));
    A->cols += B->cols;
    return 0;
}

int coda_mat_sub(coda_mat *dst, const coda_mat *src, size_t r0, size_t nr, size_t c0, size_t nc,
                 coda_err *e)
{
    if (r0 + nr > src->rows || c0 + nc > src->cols)
        return coda_fail(e, "sub-matrix [%zu+%zu, %zu+%zu] outside %zu x %zu", r0, nr, c0, nc,
                         src->rows, src->cols);
    coda_mat v = coda_mat_view(src, r0, nr, c0, nc);
    return coda_mat_copy(dst, &v, e);
}

void coda_mat_free(coda_mat *m)
{
    if (!m)
        return;
    if (!m->view)
        free(m->data);
    m->data = NULL;
    m->rows = m->cols = 0;
    m->ld = 0;
    m->view = 0;
}

coda_mat coda_mat_view(const coda_mat *m, size_t r0, size_t nr, size_t c0, size_t nc)
{
    coda_mat v = {.rows = nr, .cols = nc, .ld = CODA_LD(m), .view = 1};
    v.data = nr && nc ? m->data + c0 * CODA_LD(m) + r0 : NULL;
    return v;
}

int coda_mat_is_contiguous(const coda_mat *m) { return m->cols <= 1 || CODA_LD(m) == m->rows; }

double coda_mat_fro(const coda_mat *m)
{
    size_t n = m->rows * m->cols;
    if (!n)
        return 0.0;
    if (coda_mat_is_contiguous(m))
        return cblas_dnrm2((int)n, m->data, 1);
    double s = 0; /* a view: column by column (the hypot-safe dnrm2 of each, then summed) */
    for (size_t j = 0; j < m->cols; j++) {
        double c = cblas_dnrm2((int)m->rows, m->data + j * CODA_LD(m), 1);
        s += c * c;
    }
    return sqrt(s);
}

/* Whether any of x[0..n) is Inf or NaN: all exponent bits set. An OR over integer flags, which
 * the compiler vectorizes, where an early-exit isfinite loop runs one element at a time. */
static int any_nonfinite(const double *x, size_t n)
{
    uint64_t bad = 0;
    for (size_t i = 0; i < n; i++) {
        uint64_t u;
        memcpy(&u, x + i, sizeof u);
        bad |= (~u & 0x7ff0000000000000u) == 0;
    }
    return bad != 0;
}

size_t coda_mat_first_nonfinite(const coda_mat *m)
{
    enum { BLOCK = 4096 };
    if (!coda_mat_is_contiguous(m)) { /* a view: column by column, index as if contiguous */
        for (size_t j = 0; j < m->cols; j++)
            for (size_t i = 0; i < m->rows; i++)
                if (!isfinite(m->data[j * CODA_LD(m) + i]))
                    return j * m->rows + i;
        return (size_t)-1;
    }
    size_t n = m->rows * m->cols, first = (size_t)-1;
    long nb = (long)((n + BLOCK - 1) / BLOCK);
    if (n <= 1000000) { /* serial: a parallel region costs more (every round's results) */
        for (long b = 0; b < nb && first == (size_t)-1; b++) {
            size_t i0 = (size_t)b * BLOCK, len = n - i0 < BLOCK ? n - i0 : BLOCK;
            if (any_nonfinite(m->data + i0, len))
                first = i0;
        }
    } else {
        /* blocks in parallel; the first bad block is then searched element by element */
#pragma omp parallel for schedule(static) reduction(min : first)
        for (long b = 0; b < nb; b++) {
            size_t i0 = (size_t)b * BLOCK, len = n - i0 < BLOCK ? n - i0 : BLOCK;
            if (i0 < first && any_nonfinite(m->data + i0, len))
                first = i0;
        }
    }
    for (size_t i = first; i < n; i++)
        if (!isfinite(m->data[i]))
            return i;
    return (size_t)-1;
}

int coda_mat_identity(coda_mat *m, size_t n, coda_err *e)
{
    if (coda_mat_alloc(m, n, n, e) < 0)
        return -1;
    for (size_t i = 0; i < n; i++)
        CODA_AT(m, i, i) = 1.0;
    return 0;
}

int coda_mat_orthonormalize(coda_mat *Q, coda_err *e)
{
    size_t r = Q->rows, c = Q->cols;
    if (r < c)
        return coda_fail(e, "an orthonormal basis of %zu columns needs at least as many rows "
                            "(%zu)", c, r);
    double *tau = malloc((c ? c : 1) * sizeof *tau);
    int ld = (int)CODA_LD(Q);
    int rc = tau && LAPACKE_dgeqrf(LAPACK_COL_MAJOR, (int)r, (int)c, Q->data, ld, tau) == 0 &&
                     LAPACKE_dorgqr(LAPACK_COL_MAJOR, (int)r, (int)c, (int)c, Q->data, ld,
                                    tau) == 0
                 ? 0
                 : coda_fail(e, "LAPACK QR failed (or out of memory)");
    free(tau);
    return rc;
}
