/* The one message for a task and an operand that do not fit an op. */
#ifndef CODA_OPS_SHAPE_H
#define CODA_OPS_SHAPE_H

#include "../core/mat.h"

static inline int coda_op_shape_error(const char *op, const coda_mat *t, const coda_mat *b,
                                      const char *need, coda_err *e)
{
    return coda_fail(e, "%s: task is %zu x %zu but operand is %zu x %zu (%s)", op, t->rows,
                     t->cols, b->rows, b->cols, need);
}

#endif
