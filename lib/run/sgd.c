#include "sgd.h"

#include <cblas.h>
#include <math.h>
#include <stdlib.h>
#include <string.h>

#include "../core/rng.h"


double coda_sgd_loss(const coda_sgd *g, const coda_mat *w)
{
    return coda_objective(g->o.loss, g->X, g->y, g->o.l2, 0, w);
}

int coda_sgd_init(coda_sgd *g, coda_job *job, const coda_mat *X, const coda_mat *y,
                  const coda_sgd_opts *o, const coda_mat *w0, coda_err *e)
{
    memset(g, 0, sizeof *g);
    g->job = job;
    g->X = X;
    g->y = y;
    g->o = *o;
    if (y->rows != X->rows || y->cols != 1)
        return coda_fail(e, "labels are %zu x %zu, need %zu x 1", y->rows, y->cols, X->rows);
    if (o->step.kind == CODA_STEP_LINE || o->step.kind == CODA_STEP_REL)
        return coda_failc(e, CODA_E_USAGE, "sgd: --step line and rel are not available");
    if (o->batch < 1 || (size_t)o->batch > 100 * X->rows)
        return coda_failc(e, CODA_E_USAGE, "sgd: --batch %ld outside 1..%zu", o->batch,
                          100 * X->rows);
    if (coda_mat_alloc(&g->w, X->cols, 1, e) < 0 ||
        coda_mat_alloc(&g->idx, (size_t)o->batch, 1, e) < 0 ||
        coda_mat_alloc(&g->grad, X->cols, 1, e) < 0) {
        coda_sgd_free(g);
        return -1;
    }
    if (coda_start_point(&g->w, w0, e) < 0) {
        coda_sgd_free(g);
        return -1;
    }
    g->loss = coda_sgd_loss(g, &g->w);
    g->gnorm = NAN;
    return 0;
}


int coda_sgd_iterate(coda_sgd *g, coda_err *e)
{
    if (g->iter >= g->o.iters)
        return 0;
    const coda_mat *X = g->X;
    size_t n = X->rows, d = X->cols, b = (size_t)g->o.batch;
    coda_rng r;
    coda_rng_seed(&r, g->o.seed, CODA_RNG_SGD, (uint64_t)g->iter, 0);
    for (size_t k = 0; k < b; k++)
        g->idx.data[k] = (double)coda_rng_below(&r, n);
    coda_mat_free(&g->pts);
    if (g->job) { /* the points decoded from the workers' columns of S_i X^T */
        unsigned long long round = (unsigned long long)g->iter;
        if (coda_job_step(g->job, round, &g->idx, &g->pts, e) < 0)
            return coda_fail_prefix(e, "iteration %ld: ", g->iter + 1);
        g->excluded += g->job->decoded.nexcluded;
        if (g->pts.rows != d || g->pts.cols != b)
            return coda_fail(e, "iteration %ld: the decoded points are %zu x %zu, need %zu x %zu",
                             g->iter + 1, g->pts.rows, g->pts.cols, d, b);
        if (g->job->decoded.status == CODA_DECODED_SUSPECT)
            return coda_failc(e, CODA_E_SUSPECT, "iteration %ld: the decode failed its "
                              "consistency check (%s)", g->iter + 1, g->job->decoded.warning);
    } else {
        if (coda_mat_alloc_raw(&g->pts, d, b, e) < 0)
            return -1;
        for (size_t k = 0; k < b; k++)
            cblas_dcopy((int)d, X->data + (size_t)g->idx.data[k], (int)CODA_LD(X),
                        g->pts.data + k * d, 1);
    }
    /* the batch's residuals, then grad = pts res (mean convention) + the ridge term */
    double *res = malloc(b * sizeof *res);
    if (!res)
        return coda_fail_oom(e);
    cblas_dgemv(CblasColMajor, CblasTrans, (int)d, (int)b, 1.0, g->pts.data, (int)d, g->w.data,
                1, 0.0, res, 1);
    for (size_t k = 0; k < b; k++) {
        double z = res[k], y = g->y->data[(size_t)g->idx.data[k]];
        res[k] = g->o.loss == CODA_LOSS_LS ? 2.0 * (z - y) : 1.0 / (1.0 + exp(-z)) - y;
    }
    cblas_dgemv(CblasColMajor, CblasNoTrans, (int)d, (int)b, 1.0 / (double)b, g->pts.data,
                (int)d, res, 1, 0.0, g->grad.data, 1);
    free(res);
    if (g->o.l2 != 0)
        cblas_daxpy((int)d, 2 * g->o.l2, g->w.data, 1, g->grad.data, 1);
    g->gnorm = cblas_dnrm2((int)d, g->grad.data, 1);
    g->stepsize = coda_step_schedule(&g->o.step, g->iter);
    cblas_daxpy((int)d, -g->stepsize, g->grad.data, 1, g->w.data, 1);
    g->iter++;
    if (!isfinite(cblas_dnrm2((int)d, g->w.data, 1)))
        return coda_failc(e, CODA_E_NUMERIC, "iteration %ld: the iterate is not finite (try a "
                          "smaller step)", g->iter);
    return g->iter < g->o.iters;
}

void coda_sgd_free(coda_sgd *g)
{
    coda_mat_free(&g->w);
    coda_mat_free(&g->idx);
    coda_mat_free(&g->pts);
    coda_mat_free(&g->grad);
}
