/* The ops of coordinate descent over Byzantine-coded data (papers/byzantine.txt §5; spec §3.7),
 * whose per-worker cost is proportional to the coordinates an iteration touches, not to the
 * shard. Both take an operand that begins with a count b and b 0-based indices:
 *   sparse-matvec  task T (p x n), operand [b; idx (b); x (b)] -> T[:, idx] x (p x 1): the
 *                  product with a vector that is zero outside idx (CD's round 1, X delta with
 *                  delta supported on the coordinates updated last).
 *   vecmat         task T (n x p) coded by columns (T = A S_i^T), operand [b; idx (b); v (n)]
 *                  -> v^T T[:, idx] (1 x b); b = 0: every column (1 x p). CD's round 2, the
 *                  increments of the encoded parameters X R_i[:, U]^T g.
 * With the task argument arg.time set (the plan's), the result's metadata carries work_s, the
 * op's own wall-clock seconds (timing runs; off by default so that results are reproducible). */
#include <cblas.h>
#include <math.h>
#include <time.h>

#include "ops.h"
#include "shape.h"

/* b from the operand's first entry: a whole number with room for what follows */
static int count_of(const char *op, const coda_mat *b, size_t per, size_t fixed, size_t *cnt,
                    coda_err *e)
{
    if (!b || b->cols != 1 || b->rows < 1)
        return coda_fail(e, "%s: the operand must be a column [b; indices; values]", op);
    double v = b->data[0];
    if (!(v >= 0 && v == floor(v) && v <= (double)b->rows))
        return coda_fail(e, "%s: operand entry 1 (the count) is %g, not a whole number 0..%zu",
                         op, v, b->rows);
    *cnt = (size_t)v;
    if (b->rows != 1 + *cnt * per + fixed)
        return coda_fail(e, "%s: operand has %zu entries, need 1 + %zu%s + %zu for count %zu",
                         op, b->rows, *cnt, per == 2 ? " x 2" : "", fixed, *cnt);
    return 0;
}

static int check_index(const char *op, const coda_mat *b, size_t k, size_t limit, coda_err *e)
{
    double v = b->data[1 + k];
    if (!(v >= 0 && v < (double)limit && v == floor(v)))
        return coda_fail(e, "%s: index %zu is %g, not a column 0..%zu", op, k + 1, v, limit - 1);
    return 0;
}

static double now(void)
{
    struct timespec t;
    clock_gettime(CLOCK_MONOTONIC, &t);
    return (double)t.tv_sec + 1e-9 * (double)t.tv_nsec;
}

static int timed(const coda_meta *args, coda_meta *info, double t0, coda_err *e)
{
    if (!info || !coda_meta_get(args, "arg.time"))
        return 0;
    return coda_meta_set_double(info, "work_s", now() - t0, e);
}

static int sparse_shape(size_t rows, size_t cols, const coda_mat *b, size_t *orows,
                        size_t *ocols, coda_err *e)
{
    (void)cols;
    size_t n;
    if (b && count_of("sparse-matvec", b, 2, 0, &n, e) < 0)
        return -1;
    if (b && n == 0)
        return coda_fail(e, "sparse-matvec: the count is 0 (no column)");
    *orows = rows;
    *ocols = 1;
    return 0;
}

static int sparse_matvec(const coda_meta *args, const coda_mat *t, const coda_mat *b,
                         coda_mat *out, coda_meta *info, coda_err *e)
{
    double t0 = now();
    size_t n = (size_t)b->data[0];
    for (size_t k = 0; k < n; k++)
        if (check_index("sparse-matvec", b, k, t->cols, e) < 0)
            return -1;
    if (coda_mat_alloc(out, t->rows, 1, e) < 0)
        return -1;
    for (size_t k = 0; k < n; k++) /* column by column: the touched columns only */
        cblas_daxpy((int)t->rows, b->data[1 + n + k], t->data + (size_t)b->data[1 + k] * CODA_LD(t),
                    1, out->data, 1);
    return timed(args, info, t0, e);
}

static int vecmat_shape(size_t rows, size_t cols, const coda_mat *b, size_t *orows,
                        size_t *ocols, coda_err *e)
{
    size_t n = 0;
    if (b && count_of("vecmat", b, 1, rows, &n, e) < 0)
        return -1;
    /* on the whole data: 1 x cols, as the decode of chosen columns gives it (zeros elsewhere);
     * a shard's own result has b entries */
    (void)n;
    *orows = 1;
    *ocols = cols;
    return 0;
}

static int vecmat(const coda_meta *args, const coda_mat *t, const coda_mat *b, coda_mat *out,
                  coda_meta *info, coda_err *e)
{
    double t0 = now();
    size_t n = (size_t)b->data[0], all = n == 0, cnt = all ? t->cols : n;
    for (size_t k = 0; k < n; k++)
        if (check_index("vecmat", b, k, t->cols, e) < 0)
            return -1;
    if (coda_mat_alloc(out, 1, cnt, e) < 0)
        return -1;
    const double *v = b->data + 1 + n;
    if (all)
        cblas_dgemv(CblasColMajor, CblasTrans, (int)t->rows, (int)t->cols, 1.0, t->data,
                    (int)CODA_LD(t), v, 1, 0.0, out->data, 1);
    else
        for (size_t k = 0; k < n; k++) /* contiguous columns: one dot product each */
            out->data[k] = cblas_ddot((int)t->rows, t->data + (size_t)b->data[1 + k] * CODA_LD(t),
                                      1, v, 1);
    return timed(args, info, t0, e);
}

const coda_op coda_op_sparse_matvec = {"sparse-matvec", "a row block times a vector given by "
                                       "its non-zeros", 0, 0, sparse_matvec, sparse_shape, 1};
const coda_op coda_op_vecmat = {"vecmat", "a vector times chosen columns of a column block", 0,
                                1, vecmat, vecmat_shape, 1};
