/* The one message for a task and an operand that do not fit an op. */
#ifndef CODA_OPS_SHAPE_H
#define CODA_OPS_SHAPE_H

#include "../core/mat.h"

static inline int coda_op_shape_error(const char *op, size_t rows, size_t cols,
                                      const coda_mat *b, const char *need, coda_err *e)
{
    return coda_fail(e, "%s: task is %zu x %zu but operand is %zu x %zu (%s)", op, rows, cols,
                     b->rows, b->cols, need);
}

/* The gradient ops: task [X y] (b x (n+1)), operand beta (n x 1) -> n x 1. */
static inline int coda_op_grad_shape(const char *op, size_t rows, size_t cols,
                                     const coda_mat *b, size_t *orows, size_t *ocols,
                                     coda_err *e)
{
    if (cols < 2 && !b)
        return coda_fail(e, "%s: task is %zu x %zu, need [X y] with X b x n, n >= 1", op, rows,
                         cols);
    if (cols < 2 || (b && (b->rows != cols - 1 || b->cols != 1)))
        return coda_op_shape_error(op, rows, cols, b, "task [X y] with X b x n needs beta n x 1",
                                   e);
    *orows = cols - 1;
    *ocols = 1;
    return 0;
}

#endif
