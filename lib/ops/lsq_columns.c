/* lsq-columns: task E (r x c), operand A (r x m): argmin ||A X - E||_F -> m x c, by the solver
 * the task's arg.method / arg.eps / arg.iters name (lib/solve/lsq.h); the solver's figures go
 * into the result's metadata. Blocks are column blocks of the right-hand sides. */
#include "../solve/lsq.h"
#include "ops.h"
#include "shape.h"

static int lsq_shape(size_t rows, size_t cols, const coda_mat *b, size_t *orows, size_t *ocols,
                     coda_err *e)
{
    if (!b)
        return coda_fail(e, "lsq-columns needs the operand A");
    if (b->rows != rows)
        return coda_op_shape_error("lsq-columns", rows, cols, b,
                                   "A and the right-hand sides need the same rows", e);
    *orows = b->cols;
    *ocols = cols;
    return 0;
}

static int lsq_columns(const coda_meta *args, const coda_mat *t, const coda_mat *b,
                       coda_mat *out, coda_meta *info, coda_err *e)
{
    coda_lsq_opts o;
    coda_lsq_stats st;
    if (coda_lsq_opts_from_meta(args, &o, e) < 0 || coda_lsq_columns(b, t, &o, out, &st, e) < 0)
        return coda_fail_prefix(e, "lsq-columns: ");
    int rc = info ? coda_lsq_stats_to_meta(&st, info, e) : 0;
    coda_lsq_stats_free(&st);
    if (rc < 0)
        coda_mat_free(out);
    return rc;
}

const coda_op coda_op_lsq_columns = {"lsq-columns",
                                     "least-squares columns argmin ||A X - E|| (the inverse)", 0,
                                     1, lsq_columns, lsq_shape, 0};
