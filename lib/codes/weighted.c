/* g_hat = sum_i c_i f_i (weighted.h). */
#include <cblas.h>
#include <math.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>

#include "weighted.h"

int coda_weighted_sum(const coda_plan *p, const coda_frame *const *use, size_t nu,
                      const double *c, coda_mat *out, coda_decode_info *info, coda_err *e)
{
    size_t rows = 0, cols = 0;
    memset(out, 0, sizeof *out);
    if (nu == 0) {
        coda_plan_shape(p, &rows, &cols);
        if (!rows || !cols)
            return coda_failc(e, CODA_E_FEW, "nobody responded, and the plan does not record the "
                              "result's shape for the zero estimate");
    } else
        rows = use[0]->mat.rows, cols = use[0]->mat.cols;
    char *seen = calloc((size_t)p->N, 1);
    if (!seen || coda_mat_alloc(out, rows, cols, e) < 0) {
        free(seen);
        return seen ? -1 : coda_fail_oom(e);
    }
    info->responders = info->used = 0;
    info->max_coef = 0;
    for (size_t k = 0; k < nu; k++) {
        int wk = (int)use[k]->tag[CODA_TAG_WORKER], b = (int)use[k]->tag[CODA_TAG_BLOCK];
        info->responders += !seen[wk];
        seen[wk] = 1;
        double coef = c[wk] * (b >= 0 ? CODA_AT(&p->G, wk, b) : 1.0);
        if (coef == 0)
            continue;
        info->used++;
        info->max_coef = fmax(info->max_coef, fabs(c[wk]));
        cblas_daxpy((int)(rows * cols), coef, use[k]->mat.data, 1, out->data, 1);
    }
    free(seen);
    info->status = nu ? CODA_DECODED_APPROX : CODA_DECODED_EMPTY;
    info->cond = 1.0;
    if (!info->method[0])
        snprintf(info->method, sizeof info->method, "weighted-sum");
    if (!nu)
        snprintf(info->warning, sizeof info->warning,
                 "nobody responded: the estimate is zero (counted, not an error)");
    return 0;
}

int coda_plan_weights(const coda_plan *p, double **w, coda_err *e)
{
    size_t nw = 0;
    *w = NULL;
    if (coda_meta_get_doubles(&p->extra, "w", w, &nw, e) < 0)
        return -1;
    int rc = nw == (size_t)p->N ? 0
                                : coda_fail(e, "plan: w has %zu weights for N = %d workers", nw,
                                            p->N);
    for (int i = 0; i < p->N && rc == 0; i++)
        if (!isfinite((*w)[i]))
            rc = coda_fail(e, "plan: the weight w of worker %d is not finite", i);
    if (rc < 0) {
        free(*w);
        *w = NULL;
    }
    return rc;
}

int coda_weighted_prepare(coda_plan *p, coda_err *e)
{
    double *w;
    if (coda_plan_weights(p, &w, e) < 0)
        return -1;
    p->state = w;
    return 0;
}

void coda_weighted_free(void *state) { free(state); }

int coda_decode_weighted(const coda_plan *p, const coda_frame *res, size_t n,
                         const coda_meta *opts, coda_mat *out, coda_decode_info *info,
                         coda_err *e)
{
    (void)opts;
    memset(info, 0, sizeof *info);
    memset(out, 0, sizeof *out);
    /* the weights checked once, when the plan was built or read (coda_plan_prepare) */
    const double *w = p->state;
    if (!w)
        return coda_fail(e, "plan: %s's weights were not prepared (coda_plan_prepare)",
                         p->scheme);
    const coda_frame **use = NULL;
    size_t nu = 0;
    int rc = coda_results_collect(p, res, n, &use, &nu, e);
    if (rc == 0)
        rc = coda_weighted_sum(p, use, nu, w, out, info, e);
    free(use);
    return rc;
}

int coda_weighted_report_load(const coda_plan *p, coda_meta *fig, coda_err *e)
{
    long nnz = 0, maxb = 0;
    for (int i = 0; i < p->N; i++) {
        long b = 0;
        for (int j = 0; j < p->K; j++)
            b += CODA_AT(&p->G, i, j) != 0;
        nnz += b;
        maxb = b > maxb ? b : maxb;
    }
    return coda_meta_set_double(fig, "load_d", (double)nnz / p->K, e) < 0 ||
                   coda_meta_set_long(fig, "nnz", nnz, e) < 0 ||
                   coda_meta_set_long(fig, "max_b", maxb, e) < 0
               ? -1
               : 0;
}

int coda_baseline_replication(const coda_scheme_args *a, int N, int *d, coda_err *e)
{
    const char *v = a->opts ? coda_meta_get(a->opts, "replication") : NULL;
    char *end;
    long r = v ? strtol(v, &end, 10) : 2;
    if (v && (*end || r < 1 || r > N))
        return coda_failc(e, CODA_E_USAGE, "--replication: '%s' is not an integer in 1..%d (N)",
                          v, N);
    if (!v && r > N)
        r = N;
    *d = (int)r;
    return 0;
}

int coda_baseline_finish(coda_plan *p, const double *w, coda_err *e)
{
    long maxb = 0;
    for (int i = 0; i < p->N; i++) {
        long b = 0;
        for (int j = 0; j < p->K; j++)
            b += CODA_AT(&p->G, i, j) != 0;
        maxb = b > maxb ? b : maxb;
    }
    p->threshold = 0;
    p->combine = 1;
    p->load = (double)maxb / p->K;
    return coda_meta_set_doubles(&p->extra, "w", w, (size_t)p->N, e);
}
