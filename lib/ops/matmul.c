/* matmul: task (b x n) * operand (n x p) -> b x p; matvec: the same with an n x 1 operand. */
#include <cblas.h>

#include "ops.h"
#include "shape.h"

static int matmul_shape(size_t rows, size_t cols, const coda_mat *b, size_t *orows,
                        size_t *ocols, coda_err *e)
{
    if (b && cols != b->rows)
        return coda_op_shape_error("matmul", rows, cols, b, "inner dimensions differ", e);
    *orows = rows;
    *ocols = b ? b->cols : 0;
    return 0;
}

static int matvec_shape(size_t rows, size_t cols, const coda_mat *b, size_t *orows,
                        size_t *ocols, coda_err *e)
{
    if (b && (cols != b->rows || b->cols != 1))
        return coda_op_shape_error("matvec", rows, cols, b, "need an n x 1 vector", e);
    *orows = rows;
    *ocols = 1;
    return 0;
}

/* both: the shapes were checked by the registry */
static int product(const coda_meta *args, const coda_mat *t, const coda_mat *b, coda_mat *out,
                   coda_meta *info, coda_err *e)
{
    (void)args, (void)info;
    if (coda_mat_alloc(out, t->rows, b->cols, e) < 0)
        return -1;
    if (b->cols == 1)
        cblas_dgemv(CblasColMajor, CblasNoTrans, (int)t->rows, (int)t->cols, 1.0, t->data,
                    (int)CODA_LD(t), b->data, 1, 0.0, out->data, 1);
    else
        cblas_dgemm(CblasColMajor, CblasNoTrans, CblasNoTrans, (int)t->rows, (int)b->cols,
                    (int)t->cols, 1.0, t->data, (int)CODA_LD(t), b->data, (int)CODA_LD(b), 0.0,
                    out->data, (int)out->rows);
    return 0;
}

const coda_op coda_op_matmul = {"matmul", "a row block times the operand", 0, 0, product,
                                matmul_shape, 1};
const coda_op coda_op_matvec = {"matvec", "a row block times a vector", 0, 0, product,
                                matvec_shape, 1};
