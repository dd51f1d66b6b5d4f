/* The op registry: what a worker computes on one task. Each op is one entry: its name, whether
 * the results of the blocks sum to the answer (a gradient) or are concatenated, whether its
 * blocks are column blocks, and its apply function. Codes and the worker stage look ops up here
 * instead of matching names. Adding an op: one file here and one line in registry.c. */
#ifndef CODA_OPS_H
#define CODA_OPS_H

#include <stddef.h>

#include "../core/mat.h"
#include "../core/meta.h"

typedef struct coda_op {
    const char *name;
    const char *summary;
    int sums;    /* the answer is the sum of the blocks' results, else their concatenation */
    int by_cols; /* blocks are column blocks of the data, else row blocks */
    /* out = the op on one task (the worker's data) and the operand; `args` is the task's
     * metadata, `info` (may be NULL) receives what the work measured. */
    int (*apply)(const coda_meta *args, const coda_mat *task, const coda_mat *operand,
                 coda_mat *out, coda_meta *info, coda_err *e);
    /* The result's shape on a rows x cols task, and whether `operand` fits it (NULL: given
     * later, to the worker stage; a dimension only the operand fixes is then 0). */
    int (*shape)(size_t rows, size_t cols, const coda_mat *operand, size_t *out_rows,
                 size_t *out_cols, coda_err *e);
    int views; /* apply reads a task that is a view (any leading dimension) */
} coda_op;

/* NULL when unknown. */
const coda_op *coda_op_find(const char *name);
/* NULL-terminated. */
const coda_op *const *coda_op_list(void);
/* "matmul, matvec, grad, lsq-columns", for messages and --help. */
const char *coda_op_names(void);
/* The named op on a task; an unknown name or a missing operand is an error. */
int coda_op_apply(const char *name, const coda_meta *args, const coda_mat *task,
                  const coda_mat *operand, coda_mat *out, coda_meta *info, coda_err *e);

/* The shape of the named op's result on the whole data (the uncoded result): checked by
 * coda-encode before anything is written. */
int coda_op_result_shape(const char *name, size_t rows, size_t cols, const coda_mat *operand,
                         size_t *out_rows, size_t *out_cols, coda_err *e);

/* The ops. */
extern const coda_op coda_op_matmul, coda_op_matvec, coda_op_grad, coda_op_lsq_columns,
    coda_op_logistic_grad, coda_op_columns, coda_op_sparse_matvec, coda_op_vecmat;

#endif
