/* The gradient ops: task [X y] (b x (n+1)), operand beta (n x 1) -> the block's gradient
 * X^T (h(X beta) - y), n x 1; the blocks' gradients sum to the whole gradient.
 *   grad           h = identity: least squares, X^T (X beta - y)
 *   logistic-grad  h = sigma, labels y in {0, 1}: the gradient of
 *                  sum_i log(1 + exp(x_i beta)) - y_i x_i beta */
#include <cblas.h>
#include <math.h>
#include <string.h>

#include "ops.h"
#include "shape.h"

/* 1 / (1 + exp(-z)) without overflow for large |z| */
static double sigmoid(double z)
{
    if (z >= 0)
        return 1.0 / (1.0 + exp(-z));
    double ez = exp(z);
    return ez / (1.0 + ez);
}

/* shapes checked by the registry */
static int glm_grad(const coda_mat *t, const coda_mat *b, int logistic, coda_mat *out,
                    coda_err *e)
{
    size_t n = t->cols - 1;
    const double *y = t->data + n * CODA_LD(t);
    if (t->rows == 0) /* an empty block's gradient is zero (and BLAS takes no 0-row lda) */
        return coda_mat_alloc(out, n, 1, e);
    coda_mat r;
    /* r and out are written whole (memcpy, or gemv with beta 0, for which BLAS reads no y):
     * no zeroing, which for a wide block costs more than the product */
    if (coda_mat_alloc_raw(&r, t->rows, 1, e) < 0)
        return -1;
    if (!logistic) { /* r = X beta - y in one pass */
        memcpy(r.data, y, t->rows * sizeof(double));
        cblas_dgemv(CblasColMajor, CblasNoTrans, (int)t->rows, (int)n, 1.0, t->data,
                    (int)CODA_LD(t), b->data, 1, -1.0, r.data, 1);
    } else {
        cblas_dgemv(CblasColMajor, CblasNoTrans, (int)t->rows, (int)n, 1.0, t->data,
                    (int)CODA_LD(t), b->data, 1, 0.0, r.data, 1);
        for (size_t i = 0; i < t->rows; i++)
            r.data[i] = sigmoid(r.data[i]) - y[i];
    }
    if (coda_mat_alloc_raw(out, n, 1, e) < 0) {
        coda_mat_free(&r);
        return -1;
    }
    cblas_dgemv(CblasColMajor, CblasTrans, (int)t->rows, (int)n, 1.0, t->data, (int)CODA_LD(t),
                r.data, 1, 0.0, out->data, 1);
    coda_mat_free(&r);
    return 0;
}

static int grad(const coda_meta *args, const coda_mat *t, const coda_mat *b, coda_mat *out,
                coda_meta *info, coda_err *e)
{
    (void)args, (void)info;
    return glm_grad(t, b, 0, out, e);
}

static int logistic_grad(const coda_meta *args, const coda_mat *t, const coda_mat *b,
                         coda_mat *out, coda_meta *info, coda_err *e)
{
    (void)args, (void)info;
    return glm_grad(t, b, 1, out, e);
}

static int grad_shape(size_t rows, size_t cols, const coda_mat *b, size_t *orows, size_t *ocols,
                      coda_err *e)
{
    return coda_op_grad_shape("grad", rows, cols, b, orows, ocols, e);
}

static int logistic_shape(size_t rows, size_t cols, const coda_mat *b, size_t *orows,
                          size_t *ocols, coda_err *e)
{
    return coda_op_grad_shape("logistic-grad", rows, cols, b, orows, ocols, e);
}

const coda_op coda_op_grad = {"grad", "a block's least-squares gradient X^T (X beta - y)", 1, 0,
                              grad, grad_shape, 1};
const coda_op coda_op_logistic_grad = {"logistic-grad",
                                       "a block's logistic-loss gradient X^T (sigma(X beta) - y)",
                                       1, 0, logistic_grad, logistic_shape, 1};
