#include "ops.h"

#include <stdio.h>
#include <string.h>

static const coda_op *const ops[] = {&coda_op_matmul, &coda_op_matvec, &coda_op_grad,
                                     &coda_op_lsq_columns, &coda_op_logistic_grad,
                                     &coda_op_columns, &coda_op_sparse_matvec,
                                     &coda_op_vecmat, NULL};

const coda_op *const *coda_op_list(void) { return ops; }

const coda_op *coda_op_find(const char *name)
{
    for (int i = 0; name && ops[i]; i++)
        if (strcmp(ops[i]->name, name) == 0)
            return ops[i];
    return NULL;
}

const char *coda_op_names(void)
{
    static char names[256];
    if (!names[0]) {
        size_t off = 0;
        for (int i = 0; ops[i] && off < sizeof names; i++)
            off += (size_t)snprintf(names + off, sizeof names - off, "%s%s", i ? ", " : "",
                                    ops[i]->name);
    }
    return names;
}

int coda_op_result_shape(const char *name, size_t rows, size_t cols, const coda_mat *operand,
                         size_t *out_rows, size_t *out_cols, coda_err *e)
{
    *out_rows = *out_cols = 0;
    const coda_op *op = coda_op_find(name);
    if (!op)
        return coda_fail(e, "unknown op '%s' (%s)", name ? name : "", coda_op_names());
    return op->shape(rows, cols, operand, out_rows, out_cols, e);
}

int coda_op_apply(const char *name, const coda_meta *args, const coda_mat *task,
                  const coda_mat *operand, coda_mat *out, coda_meta *info, coda_err *e)
{
    memset(out, 0, sizeof *out);
    const coda_op *op = coda_op_find(name);
    if (!op)
        return coda_fail(e, "unknown op '%s' (%s)", name ? name : "", coda_op_names());
    if (!operand || !operand->data)
        return coda_fail(e, "%s needs an operand (--operand FILE, or give it to coda-encode)",
                         op->name);
    size_t r, c;
    if (op->shape(task->rows, task->cols, operand, &r, &c, e) < 0)
        return -1;
    return op->apply(args, task, operand, out, info, e);
}
