#include "pgd.h"

#include <cblas.h>
#include <math.h>
#include <stdlib.h>
#include <string.h>


double coda_pgd_loss(const coda_pgd *g, const coda_mat *w)
{
    return coda_objective(g->o.loss, g->X, g->y, g->o.l2, g->o.l1, w);
}

int coda_pgd_init(coda_pgd *g, coda_job *xw, coda_job *xtg, const coda_mat *X, const coda_mat *y,
                  const coda_pgd_opts *o, const coda_mat *w0, coda_err *e)
{
    memset(g, 0, sizeof *g);
    g->xw = xw;
    g->xtg = xtg;
    g->X = X;
    g->y = y;
    g->o = *o;
    if (y->rows != X->rows || y->cols != 1)
        return coda_fail(e, "labels are %zu x %zu, need %zu x 1", y->rows, y->cols, X->rows);
    if (o->step.kind == CODA_STEP_LINE || o->step.kind == CODA_STEP_REL)
        return coda_failc(e, CODA_E_USAGE, "pgd: --step line and rel are not available (give const:G)");
    if (coda_mat_alloc(&g->w, X->cols, 1, e) < 0 || coda_mat_alloc(&g->prev, X->cols, 1, e) < 0 ||
        coda_mat_alloc(&g->f1, X->rows, 1, e) < 0) {
        coda_pgd_free(g);
        return -1;
    }
    if (coda_start_point(&g->w, w0, e) < 0) {
        coda_pgd_free(g);
        return -1;
    }
    g->loss = coda_pgd_loss(g, &g->w);
    g->gnorm = NAN;
    return 0;
}


/* out = A v: by the job's round (a fresh out) or at the master (A, or A^T when trans) */
static int product(coda_pgd *g, coda_job *j, int which, int trans, const coda_mat *v,
                   coda_mat *out, coda_err *e)
{
    const coda_mat *X = g->X;
    unsigned long long round = g->round++;
    if (!j) {
        if (coda_mat_alloc(out, trans ? X->cols : X->rows, 1, e) < 0)
            return -1;
        cblas_dgemv(CblasColMajor, trans ? CblasTrans : CblasNoTrans, (int)X->rows,
                    (int)X->cols, 1.0, X->data, (int)CODA_LD(X), v->data, 1, 0.0, out->data, 1);
        return 0;
    }
    if (coda_job_step(j, round, v, out, e) < 0)
        return coda_fail_prefix(e, "iteration %ld, round %llu: ", g->iter + 1, round);
    g->responders[which] = j->decoded.responders;
    g->excluded_now[which] = j->decoded.nexcluded;
    g->excluded += j->decoded.nexcluded;
    size_t want = trans ? X->cols : X->rows;
    if (out->rows != want || out->cols != 1)
        return coda_fail(e, "iteration %ld: the decoded product is %zu x %zu, need %zu x 1",
                         g->iter + 1, out->rows, out->cols, want);
    if (j->decoded.status == CODA_DECODED_SUSPECT)
        return coda_failc(e, CODA_E_SUSPECT, "iteration %ld, round %llu: the decode failed its "
                          "consistency check (%s)", g->iter + 1, round, j->decoded.warning);
    return 0;
}

int coda_pgd_iterate(coda_pgd *g, coda_err *e)
{
    if (g->iter >= g->o.iters)
        return 0;
    size_t n = g->X->rows, d = g->X->cols;
    coda_mat_free(&g->z);
    coda_mat_free(&g->grad);
    /* round 1: X w; the master's f'(X w) */
    if (product(g, g->xw, 0, 0, &g->w, &g->z, e) < 0)
        return -1;
    for (size_t i = 0; i < n; i++) {
        double z = g->z.data[i], y = g->y->data[i];
        g->f1.data[i] = g->o.loss == CODA_LOSS_LS ? z - y : 1.0 / (1.0 + exp(-z)) - y;
    }
    /* round 2: X^T f', in the mean convention, plus the ridge term */
    if (product(g, g->xtg, 1, 1, &g->f1, &g->grad, e) < 0)
        return -1;
    cblas_dscal((int)d, (g->o.loss == CODA_LOSS_LS ? 2.0 : 1.0) / (double)n, g->grad.data, 1);
    if (g->o.l2 != 0)
        cblas_daxpy((int)d, 2 * g->o.l2, g->w.data, 1, g->grad.data, 1);
    g->gnorm = cblas_dnrm2((int)d, g->grad.data, 1);
    if (!isfinite(g->gnorm))
        return coda_failc(e, CODA_E_NUMERIC, "iteration %ld: the gradient is not finite (the "
                          "iterates diverged: try a smaller step)", g->iter + 1);
    /* the proximal step: w - a grad, soft-thresholded at a l1 */
    memcpy(g->prev.data, g->w.data, d * sizeof(double));
    g->stepsize = coda_step_schedule(&g->o.step, g->iter);
    cblas_daxpy((int)d, -g->stepsize, g->grad.data, 1, g->w.data, 1);
    double thr = g->stepsize * g->o.l1;
    for (size_t k = 0; k < d && thr > 0; k++) {
        double v = g->w.data[k];
        g->w.data[k] = v > thr ? v - thr : v < -thr ? v + thr : 0.0;
    }
    g->iter++;
    g->loss = coda_pgd_loss(g, &g->w);
    if (!isfinite(g->loss))
        return coda_failc(e, CODA_E_NUMERIC, "iteration %ld: the objective is not finite (try "
                          "a smaller step)", g->iter);
    cblas_daxpy((int)d, -1.0, g->w.data, 1, g->prev.data, 1);
    double moved = cblas_dnrm2((int)d, g->prev.data, 1);
    if (g->o.tol > 0 && moved <= g->o.tol * g->stepsize)
        return 0;
    return g->iter < g->o.iters;
}

void coda_pgd_free(coda_pgd *g)
{
    coda_mat_free(&g->w);
    coda_mat_free(&g->z);
    coda_mat_free(&g->f1);
    coda_mat_free(&g->grad);
    coda_mat_free(&g->prev);
}
