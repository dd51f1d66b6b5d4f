#include "cd.h"

#include <cblas.h>
#include <math.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <time.h>

#include "../codes/byz.h"
#include "../core/rng.h"

static double seconds(void)
{
    struct timespec t;
    clock_gettime(CLOCK_MONOTONIC, &t);
    return (double)t.tv_sec + 1e-9 * (double)t.tv_nsec;
}

double coda_cd_loss(const coda_cd *g, const coda_mat *w)
{
    return coda_objective(g->o.loss, g->X, g->y, g->o.l2, g->o.l1, w);
}

int coda_cd_init(coda_cd *g, coda_job *xl, coda_job *xr, const coda_mat *X, const coda_mat *y,
                 const coda_cd_opts *o, const coda_mat *w0, coda_err *e)
{
    memset(g, 0, sizeof *g);
    g->xl = xl, g->xr = xr, g->X = X, g->y = y, g->o = *o;
    size_t n = X->rows, d = X->cols;
    if (y->rows != n || y->cols != 1)
        return coda_fail(e, "labels are %zu x %zu, need %zu x 1", y->rows, y->cols, n);
    if (o->step.kind == CODA_STEP_LINE || o->step.kind == CODA_STEP_REL)
        return coda_failc(e, CODA_E_USAGE, "cd: --step line and rel are not available (give const:G)");
    if (xr && (xr->plan.length != d || !xr->plan.by_cols || xl->plan.length != n))
        return coda_fail(e, "cd: the jobs do not split X's %zu columns and %zu rows", d, n);
    int q = xr ? xr->plan.K : o->q;
    if (q < 1 || (size_t)q > d)
        return coda_failc(e, CODA_E_USAGE, "cd: %d coordinate blocks for %zu coordinates", q, d);
    g->o.q = q;
    if (!(g->bounds = malloc(sizeof *g->bounds * (size_t)(q + 1))))
        return coda_fail_oom(e);
    if (xr)
        memcpy(g->bounds, xr->plan.bounds, sizeof *g->bounds * (size_t)(q + 1));
    else
        coda_split_bounds(d, q, g->bounds);
    for (int c = 0; c < q; c++)
        g->p2 = g->bounds[c + 1] - g->bounds[c] > g->p2 ? g->bounds[c + 1] - g->bounds[c] : g->p2;
    if (o->tau < 1 || (size_t)o->tau > g->p2) {
        int rc = coda_failc(e, CODA_E_USAGE, "cd: --tau %ld outside 1..%zu (the encoded "
                            "coordinates: ceil(d/q) = ceil(%zu/%d))", o->tau, g->p2, d, q);
        coda_cd_free(g);
        return rc;
    }
    g->U = malloc(sizeof *g->U * (size_t)o->tau);
    g->fU = malloc(sizeof *g->fU * d);
    g->fprev = malloc(sizeof *g->fprev * d);
    g->nworkers = xl ? xl->plan.N : 0;
    g->wtime = calloc((size_t)(g->nworkers ? g->nworkers : 1), sizeof *g->wtime);
    if (!g->U || !g->fU || !g->fprev || !g->wtime) {
        coda_cd_free(g);
        return coda_fail_oom(e);
    }
    if (coda_mat_alloc(&g->w, d, 1, e) < 0 || coda_mat_alloc(&g->prev, d, 1, e) < 0 ||
        coda_mat_alloc(&g->z, n, 1, e) < 0 || coda_mat_alloc(&g->g, n, 1, e) < 0) {
        coda_cd_free(g);
        return -1;
    }
    if (coda_start_point(&g->w, w0, e) < 0) {
        coda_cd_free(g);
        return -1;
    }
    g->loss = coda_cd_loss(g, &g->w);
    g->gnorm = NAN;
    return 0;
}

/* the slowest worker's op and all workers' ops of the last round (seconds), and each one's */
static void worker_times(const coda_job *j, double *slowest, double *total, double *each, int N)
{
    double mx = 0, sum = 0, v;
    for (size_t k = 0; k < j->results.n; k++)
        if (coda_meta_get(&j->results.f[k].meta, "work_s") &&
            coda_meta_get_double(&j->results.f[k].meta, "work_s", &v, NULL) == 0) {
            mx = fmax(mx, v), sum += v;
            int64_t w = j->results.f[k].tag[CODA_TAG_WORKER];
            if (each && w >= 0 && w < N)
                each[w] += v;
        }
    *slowest += mx;
    *total += sum;
}

/* one coded round: decode into out and account for its workers */
static int step(coda_cd *g, coda_job *j, const coda_mat *operand, coda_mat *out, double *work,
                coda_err *e)
{
    unsigned long long round = g->round++;
    if (coda_job_step(j, round, operand, out, e) < 0)
        return coda_fail_prefix(e, "iteration %ld, round %llu: ", g->iter + 1, round);
    g->excluded += j->decoded.nexcluded;
    worker_times(j, &g->worker_s, work, g->wtime, g->nworkers);
    if (j->decoded.status == CODA_DECODED_SUSPECT)
        return coda_failc(e, CODA_E_SUSPECT, "iteration %ld, round %llu: the decode failed its "
                          "consistency check (%s)", g->iter + 1, round, j->decoded.warning);
    return 0;
}

/* round 1: X w afresh from the dense w, or X w += X (w - prev) on f(U_prev) */
static int round_one(coda_cd *g, double *work, coda_err *e)
{
    const coda_mat *X = g->X;
    size_t n = X->rows, d = X->cols;
    int dense = g->iter == 0 || (g->o.resync > 0 && g->iter % g->o.resync == 0);
    size_t b = dense ? d : g->nprev;
    if (b == 0)
        return 0;
    if (!g->xl) { /* the master's own product, the same sum */
        if (dense)
            cblas_dgemv(CblasColMajor, CblasNoTrans, (int)n, (int)d, 1.0, X->data,
                        (int)CODA_LD(X), g->w.data, 1, 0.0, g->z.data, 1);
        else
            for (size_t k = 0; k < b; k++)
                cblas_daxpy((int)n, g->w.data[g->fprev[k]] - g->prev.data[g->fprev[k]],
                            X->data + g->fprev[k] * CODA_LD(X), 1, g->z.data, 1);
        return 0;
    }
    coda_mat op, xd = {0};
    if (coda_mat_alloc_raw(&op, 1 + 2 * b, 1, e) < 0)
        return -1;
    op.data[0] = (double)b;
    for (size_t k = 0; k < b; k++) {
        size_t c = dense ? k : g->fprev[k];
        op.data[1 + k] = (double)c;
        op.data[1 + b + k] = dense ? g->w.data[c] : g->w.data[c] - g->prev.data[c];
    }
    int rc = step(g, g->xl, &op, &xd, work, e);
    coda_mat_free(&op);
    if (rc == 0 && (xd.rows != n || xd.cols != 1))
        rc = coda_fail(e, "iteration %ld: the decoded X w is %zu x %zu, need %zu x 1",
                       g->iter + 1, xd.rows, xd.cols, n);
    if (rc == 0) {
        if (dense)
            memcpy(g->z.data, xd.data, n * sizeof(double));
        else
            cblas_daxpy((int)n, 1.0, xd.data, 1, g->z.data, 1);
    }
    coda_mat_free(&xd);
    return rc;
}

/* U: tau of the p2 encoded coordinates, and f(U) in ascending order of (j, block) */
static void choose(coda_cd *g)
{
    size_t tau = (size_t)g->o.tau, p2 = g->p2;
    if (g->o.random) { /* a partial Fisher-Yates shuffle of 0..p2-1, kept sorted */
        coda_rng r;
        coda_rng_seed(&r, g->o.seed, CODA_RNG_CD, (uint64_t)g->iter, 0);
        size_t *all = g->fU; /* scratch: p2 <= d */
        for (size_t k = 0; k < p2; k++)
            all[k] = k;
        for (size_t k = 0; k < tau; k++) {
            size_t s = k + (size_t)coda_rng_below(&r, p2 - k), t = all[k];
            all[k] = all[s], all[s] = t;
        }
        for (size_t k = 0; k < tau; k++)
            g->U[k] = all[k];
        for (size_t a = 1; a < tau; a++) /* insertion sort: tau is small */
            for (size_t b = a; b > 0 && g->U[b - 1] > g->U[b]; b--) {
                size_t t = g->U[b];
                g->U[b] = g->U[b - 1], g->U[b - 1] = t;
            }
    } else /* round-robin: every coordinate once per ceil(p2 / tau) iterations */
        for (size_t k = 0; k < tau; k++)
            g->U[k] = ((size_t)g->iter * tau + k) % p2;
    g->nfu = 0;
    for (size_t k = 0; k < tau; k++)
        for (int c = 0; c < g->o.q; c++) /* byz's interleaved blocks: position U of block c */
            if (coda_byz_line(g->o.q, c, g->U[k]) < g->X->cols)
                g->fU[g->nfu++] = coda_byz_line(g->o.q, c, g->U[k]);
}

/* round 2: h[k] = X[:, f(U)[k]]^T g, decoded from the increments of the encoded parameters */
static int round_two(coda_cd *g, double *h, double *work, coda_err *e)
{
    const coda_mat *X = g->X;
    size_t n = X->rows, d = X->cols, tau = (size_t)g->o.tau;
    if (!g->xr) {
        for (size_t k = 0; k < g->nfu; k++)
            h[k] = cblas_ddot((int)n, X->data + g->fU[k] * CODA_LD(X), 1, g->g.data, 1);
        return 0;
    }
    coda_mat op, out = {0};
    if (coda_mat_alloc_raw(&op, 1 + tau + n, 1, e) < 0)
        return -1;
    op.data[0] = (double)tau;
    char *list = malloc(tau * 24 + 1);
    size_t off = 0;
    if (!list) {
        coda_mat_free(&op);
        return coda_fail_oom(e);
    }
    list[0] = '\0';
    for (size_t k = 0; k < tau; k++) {
        op.data[1 + k] = (double)g->U[k];
        off += (size_t)snprintf(list + off, 24, "%s%zu", k ? "," : "", g->U[k]);
    }
    memcpy(op.data + 1 + tau, g->g.data, n * sizeof(double));
    int rc = coda_meta_set(&g->dopts, "positions", list, e);
    free(list);
    if (rc == 0)
        rc = step(g, g->xr, &op, &out, work, e);
    coda_mat_free(&op);
    if (rc == 0 && (out.rows != 1 || out.cols != d))
        rc = coda_fail(e, "iteration %ld: the decoded X^T g is %zu x %zu, need 1 x %zu",
                       g->iter + 1, out.rows, out.cols, d);
    for (size_t k = 0; k < g->nfu && rc == 0; k++)
        h[k] = out.data[g->fU[k]];
    coda_mat_free(&out);
    return rc;
}

int coda_cd_iterate(coda_cd *g, coda_err *e)
{
    if (g->iter >= g->o.iters)
        return 0;
    const coda_mat *X = g->X;
    size_t n = X->rows, d = X->cols;
    double t0 = seconds(), work = 0;
    g->worker_s = 0;
    for (int w = 0; w < g->nworkers; w++)
        g->wtime[w] = 0;
    if (g->xr)
        g->xr->decode_opts = &g->dopts;
    if (round_one(g, &work, e) < 0)
        return -1;
    for (size_t i = 0; i < n; i++) {
        double z = g->z.data[i], y = g->y->data[i];
        g->g.data[i] = g->o.loss == CODA_LOSS_LS ? z - y : 1.0 / (1.0 + exp(-z)) - y;
    }
    choose(g);
    double *h = malloc(sizeof *h * (g->nfu ? g->nfu : 1));
    if (!h)
        return coda_fail_oom(e);
    if (round_two(g, h, &work, e) < 0) {
        free(h);
        return -1;
    }
    /* the step on f(U): the mean-convention gradient, ridge folded in, lasso by its prox */
    double scale = (g->o.loss == CODA_LOSS_LS ? 2.0 : 1.0) / (double)n, g2 = 0;
    g->stepsize = coda_step_schedule(&g->o.step, g->iter);
    double thr = g->stepsize * g->o.l1;
    memcpy(g->prev.data, g->w.data, d * sizeof(double));
    for (size_t k = 0; k < g->nfu; k++) {
        size_t c = g->fU[k];
        double grad = scale * h[k] + 2 * g->o.l2 * g->w.data[c], v = g->w.data[c] - g->stepsize * grad;
        g2 += grad * grad;
        g->w.data[c] = v > thr ? v - thr : v < -thr ? v + thr : thr > 0 ? 0.0 : v;
    }
    free(h);
    g->gnorm = sqrt(g2);
    memcpy(g->fprev, g->fU, g->nfu * sizeof *g->fU);
    g->nprev = g->nfu;
    g->iter++;
    if (!isfinite(g->gnorm) || !isfinite(cblas_dnrm2((int)d, g->w.data, 1)))
        return coda_failc(e, CODA_E_NUMERIC, "iteration %ld: the iterate is not finite (try a "
                          "smaller step)", g->iter);
    g->master_s = seconds() - t0 - work;
    return g->iter < g->o.iters;
}

void coda_cd_free(coda_cd *g)
{
    if (g->xr && g->xr->decode_opts == &g->dopts)
        g->xr->decode_opts = NULL;
    free(g->bounds);
    free(g->U);
    free(g->fU);
    free(g->fprev);
    free(g->wtime);
    coda_mat_free(&g->w);
    coda_mat_free(&g->z);
    coda_mat_free(&g->g);
    coda_mat_free(&g->prev);
    coda_meta_free(&g->dopts);
    memset(g, 0, sizeof *g);
}
