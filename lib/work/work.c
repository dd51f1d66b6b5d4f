#include "work.h"

#include "../ops/ops.h"

#include <cblas.h>
#include <math.h>
#include <string.h>

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
        if (!op) {
            rc = coda_fail(e, "task %zu of worker %lld has no op", k,
                           (long long)t->tag[CODA_TAG_WORKER]);
            break;
        }
        if ((coda_meta_get(&t->meta, "combine") &&
             coda_meta_get_long(&t->meta, "combine", &comb, e) < 0) ||
            (coda_meta_get(&t->meta, "coef") &&
             coda_meta_get_double(&t->meta, "coef", &coef, e) < 0)) {
            rc = -1;
            break;
        }
        combine = comb != 0;
        coda_mat r;
        coda_meta info = {0};
        if (coda_op_apply(op, &t->meta, &t->mat, operand, &r, &info, e) < 0) {
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
