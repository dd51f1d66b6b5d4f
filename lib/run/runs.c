/* R runs of coded gradient descent, averaged (runs.h). */
#include "runs.h"

#include <math.h>
#include <stdlib.h>
#include <string.h>

#include "../core/rng.h"

unsigned long long coda_run_seed(unsigned long long seed, unsigned long long r)
{
    if (r == 0)
        return seed;
    coda_rng g;
    coda_rng_seed(&g, seed, CODA_RNG_RUN, 0, r);
    return coda_rng_u64(&g);
}

/* ||b - ref|| / ||ref|| (||b - ref|| when ref = 0): the trace's error column, the same sums in
 * the same order as the plain run's */
static double relative_gap(const coda_mat *b, const coda_mat *ref)
{
    double d = 0, n = 0;
    for (size_t i = 0; i < b->rows; i++) {
        d += (b->data[i] - ref->data[i]) * (b->data[i] - ref->data[i]);
        n += ref->data[i] * ref->data[i];
    }
    return n > 0 ? sqrt(d / n) : sqrt(d);
}

static int grow_rows(coda_gd_runs *a, long need, coda_err *e)
{
    if (need <= a->cap)
        return 0;
    long cap = a->cap ? 2 * a->cap : 256;
    if (cap < need)
        cap = need;
    long *c = realloc(a->count, (size_t)cap * sizeof *c);
    if (c)
        a->count = c;
    double *m = c ? realloc(a->mean, (size_t)cap * CODA_RUNS_NSTATS * sizeof *m) : NULL;
    if (m)
        a->mean = m;
    double *q = m ? realloc(a->m2, (size_t)cap * CODA_RUNS_NSTATS * sizeof *q) : NULL;
    if (!q)
        return coda_fail_oom(e);
    a->m2 = q;
    memset(a->count + a->cap, 0, (size_t)(cap - a->cap) * sizeof *c);
    memset(a->mean + a->cap * CODA_RUNS_NSTATS, 0,
           (size_t)(cap - a->cap) * CODA_RUNS_NSTATS * sizeof *m);
    memset(a->m2 + a->cap * CODA_RUNS_NSTATS, 0,
           (size_t)(cap - a->cap) * CODA_RUNS_NSTATS * sizeof *q);
    a->cap = cap;
    return 0;
}

static int record(coda_gd_runs *a, long row, const double x[CODA_RUNS_NSTATS], coda_err *e)
{
    if (grow_rows(a, row + 1, e) < 0)
        return -1;
    long n = ++a->count[row];
    double *mean = a->mean + row * CODA_RUNS_NSTATS, *m2 = a->m2 + row * CODA_RUNS_NSTATS;
    for (int k = 0; k < CODA_RUNS_NSTATS; k++) {
        double delta = x[k] - mean[k];
        mean[k] += delta / (double)n;
        m2[k] += delta * (x[k] - mean[k]);
    }
    if (row + 1 > a->rows)
        a->rows = row + 1;
    return 0;
}

/* Run r: its own code, stragglers and adversaries from its seed; its rows and final beta go
 * into the means. */
static int one_run(coda_gd_runs *a, const coda_gd_runs_setup *s, int r, coda_err *e)
{
    unsigned long long seed = coda_run_seed(s->args.seed, (unsigned long long)r);
    coda_scheme_args args = s->args;
    coda_sim_config sim = s->sim;
    args.seed = sim.straggle.seed = sim.adversary.seed = seed;
    coda_plan plan;
    if (coda_plan_build(&plan, s->scheme, &args, s->data->rows, e) < 0) {
        coda_fail_prefix(e, "--scheme %s: ", s->scheme);
        if (e->cls == CODA_E_DATA) /* built from the options alone: a bad combination of them */
            e->cls = CODA_E_USAGE;
        return -1;
    }
    double *pi = NULL; /* this run's code's p as its failure model, unless told otherwise */
    if (coda_straggle_probs_from_meta(&sim.straggle, &plan.extra, plan.N, &pi, e) < 0) {
        coda_plan_free(&plan);
        return -1;
    }
    coda_job job;
    coda_gd g;
    int have_g = 0, rc = coda_job_start(&job, &plan, s->data, &coda_engine_sim, &sim, &s->policy,
                                        s->until_decodable, e);
    if (rc == 0 && (rc = coda_gd_init(&g, &job, s->X, s->y, &s->go, s->x0, e)) == 0)
        have_g = 1;
    long row = 0;
    while (rc == 0) {
        int more = coda_gd_iterate(&g, e);
        if (more < 0) {
            rc = -1;
            break;
        }
        if (s->keep_rows) {
            double x[CODA_RUNS_NSTATS] = {
                [CODA_RUNS_LOSS] = g.loss, [CODA_RUNS_GNORM] = g.gnorm,
                [CODA_RUNS_ERROR] = s->ref ? relative_gap(&g.beta, s->ref) : NAN,
                [CODA_RUNS_RESPONDERS] = g.responders, [CODA_RUNS_ROUND_TIME] = g.round_time,
                [CODA_RUNS_SIM_TIME] = g.sim_time};
            x[CODA_RUNS_ERROR_SQ] = x[CODA_RUNS_ERROR] * x[CODA_RUNS_ERROR];
            rc = record(a, row++, x, e);
        }
        if (more == 0)
            break;
    }
    if (rc == 0) {
        double n = (double)(r + 1);
        if (r == 0) /* (a copy: one run's beta, bit for bit, signed zeros too) */
            memcpy(a->beta.data, g.beta.data, a->beta.rows * sizeof(double));
        else
            for (size_t i = 0; i < a->beta.rows; i++) /* the running mean of the final betas */
                a->beta.data[i] += (g.beta.data[i] - a->beta.data[i]) / n;
        a->gnorm += (g.gnorm - a->gnorm) / n;
        a->sim_time += (g.sim_time - a->sim_time) / n;
        a->iters = g.iter > a->iters ? g.iter : a->iters;
        a->skipped += g.skipped;
        if (r == 0) {
            a->K = job.plan.K, a->s = job.plan.s;
            a->shrink = s->go.adam ? g.adam.shrink : 1;
        }
    }
    if (have_g)
        coda_gd_free(&g);
    coda_job_free(&job);
    free(pi);
    if (rc < 0 && a->R > 1)
        coda_fail_prefix(e, "run %d (seed %llu): ", r, seed);
    return rc;
}

int coda_gd_runs_do(coda_gd_runs *a, const coda_gd_runs_setup *s, int R, coda_err *e)
{
    memset(a, 0, sizeof *a);
    a->R = R;
    if (R < 1)
        return coda_failc(e, CODA_E_USAGE, "--runs: %d runs (need at least 1)", R);
    if (coda_mat_alloc(&a->beta, s->X->cols, 1, e) < 0)
        return -1;
    for (int r = 0; r < R; r++)
        if (one_run(a, s, r, e) < 0) {
            coda_gd_runs_free(a);
            return -1;
        }
    a->loss = coda_objective(s->go.loss, s->X, s->y, s->go.l2, 0, &a->beta);
    return 0;
}

long coda_gd_runs_row(const coda_gd_runs *a, long i, double mean[CODA_RUNS_NSTATS],
                      double sd[CODA_RUNS_NSTATS])
{
    long n = a->count[i];
    for (int k = 0; k < CODA_RUNS_NSTATS; k++) {
        mean[k] = a->mean[i * CODA_RUNS_NSTATS + k];
        sd[k] = n > 1 ? sqrt(a->m2[i * CODA_RUNS_NSTATS + k] / (double)(n - 1)) : 0;
    }
    return n;
}

void coda_gd_runs_free(coda_gd_runs *a)
{
    free(a->count);
    free(a->mean);
    free(a->m2);
    a->count = NULL, a->mean = a->m2 = NULL;
    a->rows = a->cap = 0;
    coda_mat_free(&a->beta);
}
