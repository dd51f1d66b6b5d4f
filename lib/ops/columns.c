/* columns: task (p x n) and an operand of b column indices (b x 1, 0-based) -> the p x b
 * columns task[:, idx]. A lookup, no arithmetic: the worker's side of the Byzantine code's SGD
 * (papers/byzantine.txt §6.1), where worker i holds S_i X^T and the master draws data points. */
#include <math.h>
#include <string.h>

#include "ops.h"
#include "shape.h"

static int columns_shape(size_t rows, size_t cols, const coda_mat *b, size_t *orows,
                         size_t *ocols, coda_err *e)
{
    (void)cols;
    if (b && (b->cols != 1 || b->rows < 1))
        return coda_op_shape_error("columns", rows, cols, b, "need a b x 1 list of column "
                                   "indices", e);
    *orows = rows;
    *ocols = b ? b->rows : 0;
    return 0;
}

static int columns(const coda_meta *args, const coda_mat *t, const coda_mat *b, coda_mat *out,
                   coda_meta *info, coda_err *e)
{
    (void)args, (void)info;
    for (size_t k = 0; k < b->rows; k++) {
        double v = b->data[k];
        if (!(v >= 0 && v < (double)t->cols && v == floor(v)))
            return coda_fail(e, "columns: index %zu is %g, not a column 0..%zu", k + 1, v,
                             t->cols - 1);
    }
    if (coda_mat_alloc_raw(out, t->rows, b->rows, e) < 0)
        return -1;
    for (size_t k = 0; k < b->rows; k++)
        memcpy(out->data + k * t->rows, t->data + (size_t)b->data[k] * CODA_LD(t),
               t->rows * sizeof(double));
    return 0;
}

const coda_op coda_op_columns = {"columns", "the task's columns at the operand's indices", 0, 0,
                                 columns, columns_shape, 1};
