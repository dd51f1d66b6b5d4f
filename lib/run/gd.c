#include "gd.h"

#include <cblas.h>
#include <lapacke.h>
#include <math.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>

int coda_step_parse(const char *s, coda_step_rule *r, coda_err *e)
{
    char extra;
    memset(r, 0, sizeof *r);
    if (strcmp(s, "line") == 0) {
        r->kind = CODA_STEP_LINE;
        return 0;
    }
    if (strcmp(s, "inv-sqrt-t") == 0) {
        r->kind = CODA_STEP_INV_SQRT_T;
        r->gamma = 1.0;
        return 0;
    }
    if (sscanf(s, "const:%lf%c", &r->gamma, &extra) == 1 && r->gamma > 0 && isfinite(r->gamma))
        r->kind = CODA_STEP_CONST;
    else if (sscanf(s, "inv-t:%lf,%lf%c", &r->lambda, &r->t0, &extra) == 2 && r->lambda > 0 &&
             r->t0 >= 0 && isfinite(r->lambda + r->t0))
        r->kind = CODA_STEP_INV_T;
    else if (sscanf(s, "inv-t:%lf%c", &r->lambda, &extra) == 1 && r->lambda > 0 &&
             isfinite(r->lambda)) {
        r->kind = CODA_STEP_INV_T;
        r->t0 = 1;
    } else if (sscanf(s, "decay:%lf,%lf%c", &r->gamma, &r->c, &extra) == 2 && r->gamma > 0 &&
               r->c >= 0 && isfinite(r->gamma + r->c))
        r->kind = CODA_STEP_DECAY;
    else if (sscanf(s, "inv-sqrt-t:%lf%c", &r->gamma, &extra) == 1 && r->gamma > 0 &&
             isfinite(r->gamma))
        r->kind = CODA_STEP_INV_SQRT_T;
    else if ((sscanf(s, "rel:%lf,%lf%c", &r->gamma, &r->c, &extra) == 2 ||
              (sscanf(s, "rel:%lf%c", &r->gamma, &extra) == 1 && (r->c = 2))) &&
             r->gamma > 0 && isfinite(r->gamma) && (r->c == 1 || r->c == 2))
        r->kind = CODA_STEP_REL;
    else
        return coda_failc(e, CODA_E_USAGE,
                          "option --step: '%s' is not const:G, inv-t:L[,T0], decay:G0,C, "
                          "inv-sqrt-t[:G], line or rel:C[,F] (G, L, G0, C > 0; T0 >= 0; F 2 "
                          "or 1)",
                          s);
    return 0;
}

/* log(1 + exp(z)) without overflow */
static double softplus(double z) { return z > 0 ? z + log1p(exp(-z)) : log1p(exp(z)); }

double coda_objective(coda_loss loss, const coda_mat *X, const coda_mat *y, double l2, double l1,
                      const coda_mat *w)
{
    size_t n = X->rows, d = X->cols;
    double *r = malloc((n ? n : 1) * sizeof *r);
    if (!r)
        return NAN;
    cblas_dgemv(CblasColMajor, CblasNoTrans, (int)n, (int)d, 1.0, X->data, (int)CODA_LD(X),
                w->data, 1, 0.0, r, 1);
    double f = 0;
    for (size_t i = 0; i < n; i++) {
        double yi = y->data[i];
        if (loss == CODA_LOSS_LS)
            f += (r[i] - yi) * (r[i] - yi);
        else
            f += softplus(r[i]) - (yi > 0 ? 1.0 : 0.0) * r[i];
    }
    free(r);
    double b2 = cblas_ddot((int)d, w->data, 1, w->data, 1);
    return f / (double)n + l2 * b2 + (l1 > 0 ? l1 * cblas_dasum((int)d, w->data, 1) : 0);
}

double coda_gd_loss(const coda_gd *g, const coda_mat *beta)
{
    return coda_objective(g->o.loss, g->X, g->y, g->o.l2, 0, beta);
}

/* CODA_STEP_REL as the constant step it stands for: sigma_max(X)^2 = lambda_max(X^T X) */
static int sigma_max_step(coda_gd *g, coda_err *e)
{
    const coda_mat *X = g->X;
    size_t n = X->rows, d = X->cols;
    if (g->o.loss != CODA_LOSS_LS)
        return coda_failc(e, CODA_E_USAGE, "--step rel is the relative step of --loss ls");
    double *C = calloc(d * d, sizeof *C), *w = malloc(d * sizeof *w);
    int rc = C && w ? 0 : coda_fail_oom(e);
    if (rc == 0) {
        cblas_dsyrk(CblasColMajor, CblasUpper, CblasTrans, (int)d, (int)n, 1.0, X->data,
                    (int)CODA_LD(X), 0.0, C, (int)d);
        if (LAPACKE_dsyev(LAPACK_COL_MAJOR, 'N', 'U', (int)d, C, (int)d, w) != 0 || !(w[d - 1] > 0))
            rc = coda_failc(e, CODA_E_NUMERIC, "--step rel: sigma_max(X) is 0 or not computable");
    }
    if (rc == 0) {
        double xi = g->o.step.gamma * 2.0 / w[d - 1];
        g->o.step = (coda_step_rule){.kind = CODA_STEP_CONST,
                                     .gamma = xi * g->o.step.c * (double)n / 2.0};
    }
    free(C), free(w);
    return rc;
}

int coda_gd_init(coda_gd *g, coda_job *job, const coda_mat *X, const coda_mat *y,
                 const coda_gd_opts *o, const coda_mat *x0, coda_err *e)
{
    memset(g, 0, sizeof *g);
    g->job = job;
    g->X = X;
    g->y = y;
    g->o = *o;
    if (y->rows != X->rows || y->cols != 1)
        return coda_fail(e, "labels are %zu x %zu, need %zu x 1", y->rows, y->cols, X->rows);
    if (o->step.kind == CODA_STEP_LINE && o->loss != CODA_LOSS_LS)
        return coda_failc(e, CODA_E_USAGE, "--step line is the exact line search of --loss ls");
    if (o->loss == CODA_LOSS_LOGISTIC)
        for (size_t i = 0; i < y->rows; i++)
            if (y->data[i] != 0 && y->data[i] != 1 && y->data[i] != -1)
                return coda_fail(e, "logistic labels must be 0/1 or -1/+1: row %zu is %g", i + 1,
                                 y->data[i]);
    if (coda_mat_alloc(&g->beta, X->cols, 1, e) < 0 ||
        coda_mat_alloc(&g->prev, X->cols, 1, e) < 0) {
        coda_gd_free(g);
        return -1;
    }
    if (coda_start_point(&g->beta, x0, e) < 0) {
        coda_gd_free(g);
        return -1;
    }
    if (o->step.kind == CODA_STEP_REL && sigma_max_step(g, e) < 0) {
        coda_gd_free(g);
        return -1;
    }
    if (o->adam) {
        double shrink = 1;
        int rc = o->step.kind == CODA_STEP_LINE
                     ? coda_failc(e, CODA_E_USAGE, "--optimizer adam takes a step rule, not line "
                                  "(e.g. --step const:0.001)")
                     : 0;
        if (rc == 0 && o->two_track > 0)
            rc = coda_two_track_shrink(&job->plan.extra, o->two_track, &shrink, e);
        if (rc == 0)
            rc = coda_adam_init(&g->adam, X->cols, o->adam_b1, o->adam_b2, o->adam_eps, shrink,
                                e);
        if (rc == 0)
            rc = coda_mat_alloc(&g->gv, X->cols, 1, e);
        if (rc < 0) {
            coda_gd_free(g);
            return -1;
        }
    } else if (o->two_track > 0) {
        coda_gd_free(g);
        return coda_failc(e, CODA_E_USAGE, "--two-track is Adam's second track: give "
                          "--optimizer adam");
    }
    g->loss = o->track_loss ? coda_gd_loss(g, &g->beta) : NAN;
    g->gnorm = NAN;
    return 0;
}

int coda_start_point(coda_mat *w, const coda_mat *x0, coda_err *e)
{
    if (!x0)
        return 0;
    if (x0->rows != w->rows || x0->cols != 1)
        return coda_fail(e, "--x0 is %zu x %zu, need %zu x 1", x0->rows, x0->cols, w->rows);
    for (size_t i = 0; i < w->rows; i++) /* (x0 may be a view) */
        w->data[i] = CODA_AT(x0, i, 0);
    return 0;
}

double coda_step_schedule(const coda_step_rule *s, long iter)
{
    double t = (double)iter;
    switch (s->kind) {
    case CODA_STEP_CONST: return s->gamma;
    case CODA_STEP_INV_T: return 1.0 / (s->lambda * (t + s->t0));
    case CODA_STEP_DECAY: return s->gamma / (1.0 + s->c * t);
    case CODA_STEP_INV_SQRT_T: return s->gamma / sqrt(t + 1.0);
    case CODA_STEP_REL: /* made a constant step by coda_gd_init */
    case CODA_STEP_LINE: break;
    }
    return NAN;
}

static double step_size(coda_gd *g)
{
    const coda_step_rule *s = &g->o.step;
    switch (s->kind) {
    case CODA_STEP_CONST:
    case CODA_STEP_INV_T:
    case CODA_STEP_DECAY:
    case CODA_STEP_INV_SQRT_T:
    case CODA_STEP_REL: return coda_step_schedule(s, g->iter);
    case CODA_STEP_LINE: {
        /* exact minimizer of f(b - a g) for ls: a = ||g||^2 / ((2/n) ||X g||^2 + 2 l2 ||g||^2) */
        const coda_mat *X = g->X;
        size_t n = X->rows, d = X->cols;
        double *xg = malloc((n ? n : 1) * sizeof *xg);
        if (!xg)
            return NAN;
        cblas_dgemv(CblasColMajor, CblasNoTrans, (int)n, (int)d, 1.0, X->data, (int)CODA_LD(X),
                    g->grad.data, 1, 0.0, xg, 1);
        double g2 = cblas_ddot((int)d, g->grad.data, 1, g->grad.data, 1);
        double curv = 2.0 / (double)n * cblas_ddot((int)n, xg, 1, xg, 1) + 2 * g->o.l2 * g2;
        free(xg);
        return curv > 0 ? g2 / curv : 0;
    }
    }
    return NAN;
}

int coda_gd_iterate(coda_gd *g, coda_err *e)
{
    if (g->iter >= g->o.iters)
        return 0;
    size_t d = g->X->cols, n = g->X->rows;
    int waited = 0;
    coda_mat_free(&g->grad);
    for (;;) {
        coda_err err;
        unsigned long long round = g->round++;
        int rc = coda_job_step(g->job, round, &g->beta, &g->grad, &err);
        g->responders = g->job->round.responders;
        g->round_time = g->job->round.time;
        g->sim_time += g->round_time;
        if (rc == 0)
            break;
        if (err.cls != CODA_E_FEW || g->o.on_short == CODA_SHORT_FAIL) {
            if (e)
                *e = err;
            return coda_fail_prefix(e, "iteration %ld (round %llu): ", g->iter + 1, round);
        }
        g->skipped++;
        if (g->o.on_short == CODA_SHORT_SKIP) {
            g->iter++;
            return g->iter < g->o.iters;
        }
        if (++waited == 1000)
            return coda_failc(e, CODA_E_FEW, "iteration %ld: 1000 rounds in a row could not "
                              "decode (%s)", g->iter + 1, err.msg);
    }
    if (g->grad.rows != d || g->grad.cols != 1)
        return coda_fail(e, "the decoded gradient is %zu x %zu, need %zu x 1", g->grad.rows,
                         g->grad.cols, d);
    /* the decoded sum X^T(...) in the mean convention, plus the ridge term */
    double scale = (g->o.loss == CODA_LOSS_LS ? 2.0 : 1.0) / (double)n;
    cblas_dscal((int)d, scale, g->grad.data, 1);
    if (g->o.adam) { /* the second track: the decoded estimate shrunk, the exact ridge term */
        for (size_t i = 0; i < d; i++)
            g->gv.data[i] = g->adam.shrink * g->grad.data[i] + 2 * g->o.l2 * g->beta.data[i];
    }
    if (g->o.l2 != 0)
        cblas_daxpy((int)d, 2 * g->o.l2, g->beta.data, 1, g->grad.data, 1);
    g->gnorm = cblas_dnrm2((int)d, g->grad.data, 1);
    if (!isfinite(g->gnorm))
        return coda_failc(e, CODA_E_NUMERIC, "iteration %ld: the gradient is not finite (the "
                          "iterates diverged: try --step line or a smaller step)", g->iter + 1);
    /* without the loss, divergence shows in the gradient: a millionfold growth */
    if (g->gnorm0 == 0)
        g->gnorm0 = g->gnorm;
    else if (g->gnorm > 1e6 * g->gnorm0 && g->gnorm > 1e-300)
        return coda_failc(e, CODA_E_NUMERIC, "iteration %ld: the gradient grew %.3g-fold (the "
                          "step is too large: try --step line or a smaller step)", g->iter + 1,
                          g->gnorm / g->gnorm0);
    /* a round nobody answered decodes to zero (an unbiased code's estimate): not converged */
    if (g->o.tol > 0 && g->gnorm <= g->o.tol && g->job->decoded.status != CODA_DECODED_EMPTY)
        return 0;
    memcpy(g->prev.data, g->beta.data, d * sizeof(double));
    g->stepsize = step_size(g);
    if (g->o.adam)
        coda_adam_step(&g->adam, g->beta.data, g->grad.data, g->gv.data, g->stepsize);
    else
        cblas_daxpy((int)d, -g->stepsize, g->grad.data, 1, g->beta.data, 1);
    g->iter++;
    double bn = cblas_dnrm2((int)d, g->beta.data, 1);
    cblas_daxpy((int)d, -1.0, g->beta.data, 1, g->prev.data, 1);
    g->step_change = cblas_dnrm2((int)d, g->prev.data, 1);
    if (!isfinite(bn))
        return coda_failc(e, CODA_E_NUMERIC, "iteration %ld: the iterate is not finite (try "
                          "--step line or a smaller step)", g->iter);
    if (g->o.track_loss) {
        double before = g->loss;
        g->loss = coda_gd_loss(g, &g->beta);
        if (!isfinite(g->loss) || (isfinite(before) && g->loss > 1e3 * fmax(before, 1e-300) &&
                                   g->loss > 1e3))
            return coda_failc(e, CODA_E_NUMERIC, "iteration %ld: the loss grew to %g (the "
                              "step is too large: try --step line or a smaller step)",
                              g->iter, g->loss);
    }
    return g->iter < g->o.iters;
}

void coda_gd_free(coda_gd *g)
{
    coda_mat_free(&g->beta);
    coda_mat_free(&g->grad);
    coda_mat_free(&g->prev);
    coda_mat_free(&g->gv);
    coda_adam_free(&g->adam);
}
