#include "work.h"

#include "../solve/lsq.h"

#include <cblas.h>
#include <lapacke.h>
#include <math.h>
#include <string.h>

static int shape_error(const char *op, size_t rows, size_t cols, const coda_mat *b,
                       const char *need, coda_err *e)
{
    return coda_fail(e, "%s: task is %zu x %zu but operand is %zu x %zu (%s)", op, rows, cols,
                     b->rows, b->cols, need);
}

int coda_work_result_shape(const char *op, size_t rows, size_t cols, const coda_mat *b,
                           size_t *out_rows, size_t *out_cols, coda_err *e)
{
    *out_rows = *out_cols = 0;
    if (strcmp(op, "matmul") == 0 || strcmp(op, "matvec") == 0) {
        int vec = op[3] == 'v';
        if (b && (cols != b->rows || (vec && b->cols != 1)))
            return shape_error(op, rows, cols, b, vec ? "need an n x 1 vector" : "inner dimensions differ", e);
        *out_rows = rows;
        *out_cols = vec ? 1 : b ? b->cols : 0;
        return 0;
    }
    if (strcmp(op, "grad") == 0) {
        if (cols < 2 || (b && (b->rows != cols - 1 || b->cols != 1)))
            return b ? shape_error(op, rows, cols, b, "task [X y] with X b x n needs beta n x 1", e)
                     : coda_fail(e, "grad: task is %zu x %zu, need [X y] with X b x n, n >= 1",
                                 rows, cols);
        *out_rows = cols - 1;
        *out_cols = 1;
        return 0;
    }
    if (strcmp(op, "lsq-columns") == 0) {
        if (!b)
            return coda_fail(e, "lsq-columns needs the operand A");
        if (b->rows != rows)
            return shape_error(op, rows, cols, b, "A and the right-hand sides need the same rows", e);
        *out_rows = b->cols;
        *out_cols = cols;
        return 0;
    }
    return coda_fail(e, "unknown op '%s' (matmul, matvec, grad, lsq-columns)", op);
}

int coda_work_apply(const char *op, const coda_meta *args, const coda_mat *t, const coda_mat *b,
                    coda_mat *out, coda_meta *info, coda_err *e)
{
    memset(out, 0, sizeof *out);
    size_t orows, ocols;
    if (!b || !b->data)
        return coda_fail(e, "%s needs an operand (--operand FILE, or give it to coda-encode)", op);
    if (coda_work_result_shape(op, t->rows, t->cols, b, &orows, &ocols, e) < 0)
        return -1;
    if (strcmp(op, "matmul") == 0 || strcmp(op, "matvec") == 0) {
        if (coda_mat_alloc(out, t->rows, b->cols, e) < 0)
            return -1;
        if (b->cols == 1)
            cblas_dgemv(CblasColMajor, CblasNoTrans, (int)t->rows, (int)t->cols, 1.0, t->data,
                        (int)t->rows, b->data, 1, 0.0, out->data, 1);
        else
            cblas_dgemm(CblasColMajor, CblasNoTrans, CblasNoTrans, (int)t->rows, (int)b->cols,
                        (int)t->cols, 1.0, t->data, (int)t->rows, b->data, (int)b->rows, 0.0,
                        out->data, (int)out->rows);
        return 0;
    }
    if (strcmp(op, "grad") == 0) {
        size_t n = t->cols - 1;
        coda_mat r;
        if (coda_mat_alloc(&r, t->rows, 1, e) < 0)
            return -1;
        /* r = X beta - y, then out = X^T r */
        memcpy(r.data, t->data + n * t->rows, t->rows * sizeof(double));
        cblas_dgemv(CblasColMajor, CblasNoTrans, (int)t->rows, (int)n, 1.0, t->data,
                    (int)t->rows, b->data, 1, -1.0, r.data, 1);
        if (coda_mat_alloc(out, n, 1, e) < 0) {
            coda_mat_free(&r);
            return -1;
        }
        cblas_dgemv(CblasColMajor, CblasTrans, (int)t->rows, (int)n, 1.0, t->data, (int)t->rows,
                    r.data, 1, 0.0, out->data, 1);
        coda_mat_free(&r);
        return 0;
    }
    if (strcmp(op, "lsq-columns") == 0) {
        coda_lsq_opts o;
        coda_lsq_stats st;
        if (coda_lsq_opts_from_meta(args, &o, e) < 0 ||
            coda_lsq_columns(b, t, &o, out, &st, e) < 0)
            return coda_fail_prefix(e, "lsq-columns: ");
        int rc = info ? coda_lsq_stats_to_meta(&st, info, e) : 0;
        coda_lsq_stats_free(&st);
        if (rc < 0)
            coda_mat_free(out);
        return rc;
    }
    return coda_fail(e, "unknown op '%s' (matmul, matvec, grad, lsq-columns)", op);
}

static int emit(const coda_frame *task, coda_mat *m, int block, double latency,
                const coda_meta *info, coda_sink sink, void *ctx, coda_err *e)
{
    coda_frame r;
    coda_frame_init(&r, CODA_RESULT);
    r.tag[CODA_TAG_WORKER] = task->tag[CODA_TAG_WORKER];
    r.tag[CODA_TAG_BLOCK] = block;
    r.tag[CODA_TAG_ITER] = task->tag[CODA_TAG_ITER];
    r.mat = *m;
    memset(m, 0, sizeof *m);
    int rc = coda_meta_set(&r.meta, "op", coda_meta_get(&task->meta, "op"), e);
    for (size_t k = 0; info && k < info->n && rc == 0; k++)
        rc = coda_meta_set(&r.meta, info->key[k], info->val[k], e);
    if (rc == 0 && isfinite(latency))
        rc = coda_meta_set_double(&r.meta, "latency", latency, e);
    if (rc == 0)
        rc = sink(ctx, &r, e);
    coda_frame_free(&r);
    return rc;
}

int coda_worker_run(const coda_frame *tasks, size_t n, const coda_mat *operand, double latency,
                    coda_sink sink, void *ctx, coda_err *e)
{
    coda_mat acc = {0};
    coda_meta kept = {0};
    int combine = 0, rc = 0;
    size_t ntasks = 0, first = 0;
    for (size_t k = 0; k < n; k++) {
        const char *role = coda_meta_get(&tasks[k].meta, "role");
        if (!role || strcmp(role, "operand") != 0)
            first = ntasks++ ? first : k;
    }
    for (size_t k = 0; k < n && rc == 0; k++) {
        const coda_frame *t = &tasks[k];
        const char *op = coda_meta_get(&t->meta, "op"), *role = coda_meta_get(&t->meta, "role");
        /* a worker's own operand (both factors coded, product.h): it serves the tasks after it */
        if (role && strcmp(role, "operand") == 0) {
            operand = &t->mat;
            continue;
        }
        long long comb = 0;
        double coef = 1.0;
        if (!op)
            return coda_fail(e, "task %zu of worker %lld has no op", k,
                             (long long)t->tag[CODA_TAG_WORKER]);
        if (coda_meta_get(&t->meta, "combine") && coda_meta_get_long(&t->meta, "combine", &comb, e) < 0)
            return -1;
        if (coda_meta_get(&t->meta, "coef") && coda_meta_get_double(&t->meta, "coef", &coef, e) < 0)
            return -1;
        combine = comb != 0;
        coda_mat r;
        coda_meta info = {0};
        if (coda_work_apply(op, &t->meta, &t->mat, operand, &r, &info, e) < 0) {
            coda_meta_free(&info);
            rc = coda_fail_prefix(e, "worker %lld: ", (long long)t->tag[CODA_TAG_WORKER]);
            break;
        }
        if (!combine) {
            rc = emit(t, &r, (int)t->tag[CODA_TAG_BLOCK], latency, &info, sink, ctx, e);
            coda_meta_free(&info);
            coda_mat_free(&r);
            continue;
        }
        /* a lone task's figures stay with its result; sums of several have none */
        if (ntasks == 1)
            kept = info;
        else
            coda_meta_free(&info);
        if (k == first && coda_mat_alloc(&acc, r.rows, r.cols, e) < 0)
            rc = -1;
        else if (acc.rows != r.rows || acc.cols != r.cols)
            rc = coda_fail(e, "worker %lld: task results differ in shape",
                           (long long)t->tag[CODA_TAG_WORKER]);
        else
            cblas_daxpy((int)(r.rows * r.cols), coef, r.data, 1, acc.data, 1);
        coda_mat_free(&r);
    }
    if (rc == 0 && combine && ntasks)
        rc = emit(&tasks[first], &acc, -1, latency, &kept, sink, ctx, e);
    coda_meta_free(&kept);
    coda_mat_free(&acc);
    return rc;
}

int coda_lsq_stats_from_results(const coda_plan *p, const coda_frame *res, size_t n,
                                coda_lsq_stats *st, coda_err *e)
{
    memset(st, 0, sizeof *st);
    for (int j = 0; j < (p->data_coded ? 1 : p->K); j++)
        for (size_t k = 0; k < n; k++) {
            /* replicas of a block solved the same columns: one per block. Coded results
             * (data_coded) each solved combinations: all of them, columns as the tasks had. */
            if (!p->data_coded && coda_result_block(p, &res[k]) != j)
                continue;
            coda_lsq_stats b;
            if (!coda_meta_get(&res[k].meta, "columns")) {
                b = (coda_lsq_stats){.columns = p->data_coded ? 0 : coda_plan_block_len(p, j),
                                     .grad2_sum = NAN, .grad_max = NAN, .resid2_sum = NAN,
                                     .sigma_upper = NAN};
            } else if (coda_lsq_stats_from_meta(&res[k].meta, &b, e) < 0) {
                coda_lsq_stats_free(st);
                return coda_fail_prefix(e, "result of worker %lld: ",
                                        (long long)res[k].tag[CODA_TAG_WORKER]);
            }
            int rc = coda_lsq_stats_merge(st, &b, p->data_coded ? 0 : p->bounds[j], e);
            coda_lsq_stats_free(&b);
            if (rc < 0) {
                coda_lsq_stats_free(st);
                return -1;
            }
            if (!p->data_coded)
                break;
        }
    st->coded = p->data_coded;
    return 0;
}
