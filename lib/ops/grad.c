/* grad: task [X y] (b x (n+1)), operand beta (n x 1): X^T (X beta - y) -> n x 1. The blocks'
 * gradients sum to the whole gradient. */
#include <cblas.h>
#include <string.h>

#include "ops.h"
#include "shape.h"

static int grad_shape(size_t rows, size_t cols, const coda_mat *b, size_t *orows,
                           size_t *ocols, coda_err *e)
{
    return coda_op_grad_shape("grad", rows, cols, b, orows, ocols, e);
}

static int grad(const coda_meta *args, const coda_mat *t, const coda_mat *b, coda_mat *out,
                coda_meta *info, coda_err *e)
{
    (void)args, (void)info;
    size_t n = t->cols - 1; /* shapes checked by the registry */
    coda_mat r;
    if (coda_mat_alloc(&r, t->rows, 1, e) < 0)
        return -1;
    /* r = X beta - y, then out = X^T r */
    memcpy(r.data, t->data + n * t->rows, t->rows * sizeof(double));
    cblas_dgemv(CblasColMajor, CblasNoTrans, (int)t->rows, (int)n, 1.0, t->data, (int)t->rows,
                b->data, 1, -1.0, r.data, 1);
    if (coda_mat_alloc(out, n, 1, e) < 0) {
        coda_mat_free(&r);
        return -1;
    }
    cblas_dgemv(CblasColMajor, CblasTrans, (int)t->rows, (int)n, 1.0, t->data, (int)t->rows,
                r.data, 1, 0.0, out->data, 1);
    coda_mat_free(&r);
    return 0;
}

const coda_op coda_op_grad = {"grad", "a block's least-squares gradient X^T (X beta - y)", 1, 0,
                              grad, grad_shape};
