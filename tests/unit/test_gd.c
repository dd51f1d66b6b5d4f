/* Coded gradient descent through the job (encode once, rounds on the simulator engine, decode):
 * with any tolerated straggler pattern it follows uncoded GD (the same BLAS calls in a plain
 * loop here) to 1e-12 relative; logistic GD converges to the optimum of the same regularized
 * problem found by Newton's method here; the until-decodable policy ends a round at the arrival
 * that made it decodable; corruption touches only the drawn workers' results; two jobs sharing
 * one engine decode what each decodes on its own. */
#include <cblas.h>
#include <lapacke.h>
#include <math.h>
#include <stdlib.h>
#include <string.h>

#include "../../lib/codes/scheme.h"
#include "../../lib/core/rng.h"
#include "../../lib/run/gd.h"
#include "../../lib/work/work.h"
#include "check.h"
#include "helpers.h"

/* [X y] for the tasks */
static void with_labels(coda_mat *Xy, const coda_mat *X, const coda_mat *y)
{
    coda_mat_alloc(Xy, X->rows, X->cols + 1, NULL);
    memcpy(Xy->data, X->data, X->rows * X->cols * sizeof(double));
    memcpy(Xy->data + X->rows * X->cols, y->data, X->rows * sizeof(double));
}

/* A least-squares problem of n points in d features: X, y and [X y] from seeds seed, seed+1,
 * and a point beta (seed+2) where one is asked for. */
static void problem(size_t n, size_t d, uint64_t seed, coda_mat *X, coda_mat *y, coda_mat *Xy,
                    coda_mat *beta)
{
    test_randn(X, n, d, seed, 3);
    test_randn(y, n, 1, seed + 1, 3);
    if (beta)
        test_randn(beta, d, 1, seed + 2, 3);
    with_labels(Xy, X, y);
}

static int start(coda_job *j, const char *scheme, int N, int s, const char *op,
                 const coda_mat *Xy, const coda_straggle_model *sm, const coda_adversary *adv,
                 int until)
{
    coda_err e;
    coda_scheme_args a = {.N = N, .s = s, .op = op, .seed = 4};
    coda_plan p;
    if (coda_plan_build(&p, scheme, &a, Xy->rows, &e) < 0) {
        CHECK(0, "%s: %s", scheme, e.msg);
        return -1;
    }
    coda_sim_config cfg = {.straggle = *sm};
    if (adv)
        cfg.adversary = *adv;
    coda_policy pol = {.wait_for = -1, .deadline = -1};
    if (coda_job_start(j, &p, Xy, &coda_engine_sim, &cfg, &pol, until, &e) < 0) {
        CHECK(0, "%s: %s", scheme, e.msg);
        return -1;
    }
    return 0;
}

/* plain GD for ls: b <- b - g ((2/n) X^T (X b - y) + 2 l2 b) */
static void plain_ls(const coda_mat *X, const coda_mat *y, double gamma, double l2, long iters,
                     coda_mat *b)
{
    size_t n = X->rows, d = X->cols;
    coda_mat_alloc(b, d, 1, NULL);
    double *r = malloc(n * sizeof *r), *g = malloc(d * sizeof *g);
    for (long t = 0; t < iters; t++) {
        memcpy(r, y->data, n * sizeof *r);
        cblas_dgemv(CblasColMajor, CblasNoTrans, (int)n, (int)d, 1.0, X->data, (int)n, b->data,
                    1, -1.0, r, 1);
        cblas_dgemv(CblasColMajor, CblasTrans, (int)n, (int)d, 2.0 / (double)n, X->data, (int)n,
                    r, 1, 0.0, g, 1);
        cblas_daxpy((int)d, 2 * l2, b->data, 1, g, 1);
        cblas_daxpy((int)d, -gamma, g, 1, b->data, 1);
    }
    free(r);
    free(g);
}

static void follows_plain(const char *scheme, int N, int s)
{
    coda_err e;
    coda_mat X, y, Xy, ref;
    problem(60, 4, 1, &X, &y, &Xy, NULL);
    double gamma = 0.2, l2 = 0.01;
    long iters = 25;
    plain_ls(&X, &y, gamma, l2, iters, &ref);
    /* every round draws exactly s stragglers at random: a pattern the code tolerates */
    coda_straggle_model sm = {.kind = CODA_LAT_SHIFTEXP, .a = 1, .b = 1, .stragglers = s,
                              .wait_for = -1, .deadline = -1, .seed = 9};
    coda_job j;
    if (start(&j, scheme, N, s, "grad", &Xy, &sm, NULL, 0) == 0) {
        coda_gd g;
        coda_gd_opts o = {.loss = CODA_LOSS_LS, .l2 = l2, .step = {.kind = CODA_STEP_CONST,
                                                                   .gamma = gamma},
                          .iters = iters};
        CHECK(coda_gd_init(&g, &j, &X, &y, &o, NULL, &e) == 0, "%s", e.msg);
        int rc;
        while ((rc = coda_gd_iterate(&g, &e)) == 1)
            ;
        CHECK(rc == 0, "%s N=%d s=%d: %s", scheme, N, s, e.msg);
        CHECK(g.iter == iters && g.skipped == 0, "%s: %ld iterations, %d skipped", scheme,
              g.iter, g.skipped);
        /* each step's decode error is a few ulps times the code's conditioning */
        double err = test_rel_err(&g.beta, &ref);
        CHECK(err < 1e-12, "%s N=%d s=%d: iterate off plain GD by %g", scheme, N, s, err);
        coda_gd_free(&g);
        coda_job_free(&j);
    }
    coda_mat_free(&X);
    coda_mat_free(&y);
    coda_mat_free(&Xy);
    coda_mat_free(&ref);
}

/* Newton's method on the same regularized logistic problem */
static void newton_logistic(const coda_mat *X, const coda_mat *y, double l2, coda_mat *b)
{
    size_t n = X->rows, d = X->cols;
    coda_mat_alloc(b, d, 1, NULL);
    double *H = malloc(d * d * sizeof *H), *g = malloc(d * sizeof *g), *z = malloc(n * sizeof *z);
    lapack_int *piv = malloc(d * sizeof *piv);
    for (int it = 0; it < 50; it++) {
        cblas_dgemv(CblasColMajor, CblasNoTrans, (int)n, (int)d, 1.0, X->data, (int)n, b->data,
                    1, 0.0, z, 1);
        memset(H, 0, d * d * sizeof *H);
        for (size_t k = 0; k < d; k++)
            g[k] = 2 * l2 * b->data[k];
        for (size_t i = 0; i < n; i++) {
            double p = 1 / (1 + exp(-z[i])), w = p * (1 - p) / (double)n;
            for (size_t k = 0; k < d; k++) {
                g[k] += (p - y->data[i]) * CODA_AT(X, i, k) / (double)n;
                for (size_t l = 0; l < d; l++)
                    H[l * d + k] += w * CODA_AT(X, i, k) * CODA_AT(X, i, l);
            }
        }
        for (size_t k = 0; k < d; k++)
            H[k * d + k] += 2 * l2;
        LAPACKE_dgesv(LAPACK_COL_MAJOR, (int)d, 1, H, (int)d, piv, g, (int)d);
        cblas_daxpy((int)d, -1.0, g, 1, b->data, 1);
    }
    free(H), free(g), free(z), free(piv);
}

static void logistic(void)
{
    coda_err e;
    coda_mat X, y, Xy, opt;
    test_randn(&X, 200, 3, 5, 3);
    test_randn(&y, 200, 1, 6, 3);
    for (size_t i = 0; i < 200; i++) /* labels from a noisy linear model */
        y.data[i] = X.data[i] - 0.5 * X.data[200 + i] + 0.8 * y.data[i] > 0;
    with_labels(&Xy, &X, &y);
    double l2 = 0.05;
    newton_logistic(&X, &y, l2, &opt);
    coda_straggle_model sm = {.kind = CODA_LAT_NONE, .stragglers = 1, .wait_for = -1,
                              .deadline = -1, .seed = 2};
    coda_job j;
    if (start(&j, "frc", 4, 1, "logistic-grad", &Xy, &sm, NULL, 0) == 0) {
        coda_gd g;
        /* the loss is (l2 + 1/4 lambda_max(X^T X / n))-smooth: a step 1/L converges */
        coda_gd_opts o = {.loss = CODA_LOSS_LOGISTIC, .l2 = l2,
                          .step = {.kind = CODA_STEP_CONST, .gamma = 1.0}, .iters = 3000,
                          .tol = 1e-11, .track_loss = 1};
        CHECK(coda_gd_init(&g, &j, &X, &y, &o, NULL, &e) == 0, "%s", e.msg);
        int rc;
        while ((rc = coda_gd_iterate(&g, &e)) == 1)
            ;
        CHECK(rc == 0, "%s", e.msg);
        /* ||b - b*|| <= ||grad|| / mu with mu = 2 l2 the strong convexity */
        double dist = 0;
        for (size_t k = 0; k < 3; k++)
            dist += (g.beta.data[k] - opt.data[k]) * (g.beta.data[k] - opt.data[k]);
        CHECK(sqrt(dist) <= 1e-11 / (2 * l2) * 1.01 + 1e-13, "logistic: %g from Newton's optimum "
              "(||grad|| %g after %ld iterations)", sqrt(dist), g.gnorm, g.iter);
        coda_gd_free(&g);
        coda_job_free(&j);
    }
    coda_mat_free(&X), coda_mat_free(&y), coda_mat_free(&Xy), coda_mat_free(&opt);
}

static void until_decodable(void)
{
    coda_err e;
    coda_mat X, y, Xy, beta;
    problem(30, 3, 7, &X, &y, &Xy, &beta);
    coda_straggle_model sm = {.kind = CODA_LAT_SHIFTEXP, .a = 1, .b = 1, .stragglers = -1,
                              .wait_for = -1, .deadline = -1, .seed = 3};
    coda_job j;
    /* frc N=6 s=2: 2 groups of 3 replicas; decodable once each group has one arrival */
    if (start(&j, "frc", 6, 2, "grad", &Xy, &sm, NULL, 1) == 0) {
        for (unsigned long long r = 0; r < 20; r++) {
            coda_mat g;
            CHECK(coda_job_step(&j, r, &beta, &g, &e) == 0, "%s", e.msg);
            const coda_round_info *ri = &j.round;
            /* the round ends at the first arrival after which both groups are covered */
            double first[2] = {INFINITY, INFINITY};
            for (int w = 0; w < 6; w++)
                first[w / 3] = fmin(first[w / 3], ri->latency[w]);
            double expect = fmax(first[0], first[1]);
            CHECK(ri->time == expect, "round %llu ended at %g, not %g", r, ri->time, expect);
            int later = 0;
            for (int w = 0; w < 6; w++)
                later += ri->responded[w] && ri->latency[w] > expect;
            CHECK(!later, "round %llu collected an arrival after it was decodable", r);
            coda_mat_free(&g);
        }
        coda_job_free(&j);
    }
    coda_mat_free(&X), coda_mat_free(&y), coda_mat_free(&Xy), coda_mat_free(&beta);
}

static void corruption(void)
{
    coda_err e;
    coda_mat X, y, Xy, beta;
    problem(24, 3, 10, &X, &y, &Xy, &beta);
    coda_straggle_model sm = {.kind = CODA_LAT_NONE, .stragglers = -1, .wait_for = -1,
                              .deadline = -1, .seed = 3};
    coda_adversary adv = {.t = 2, .seed = 5};
    coda_attack_parse("scale:3", &adv, &e);
    coda_job honest, bad;
    if (start(&honest, "uncoded", 6, 0, "grad", &Xy, &sm, NULL, 0) == 0 &&
        start(&bad, "uncoded", 6, 0, "grad", &Xy, &sm, &adv, 0) == 0) {
        for (unsigned long long r = 0; r < 5; r++) {
            coda_mat g1, g2;
            coda_job_step(&honest, r, &beta, &g1, &e);
            coda_job_step(&bad, r, &beta, &g2, &e);
            int ncorrupt = 0, ok = 1;
            for (size_t k = 0; k < bad.results.n; k++) {
                const coda_frame *h = &honest.results.f[k], *b = &bad.results.f[k];
                int w = (int)b->tag[CODA_TAG_WORKER];
                ncorrupt += bad.round.corrupt[w];
                for (size_t i = 0; i < 3; i++)
                    ok &= b->mat.data[i] == (bad.round.corrupt[w] ? 3 : 1) * h->mat.data[i];
            }
            CHECK(ncorrupt == 2 && ok, "round %llu: %d corrupt, results as documented: %d", r,
                  ncorrupt, ok);
            coda_mat_free(&g1);
            coda_mat_free(&g2);
        }
    }
    coda_job_free(&honest);
    coda_job_free(&bad);
    coda_mat_free(&X), coda_mat_free(&y), coda_mat_free(&Xy), coda_mat_free(&beta);
}

/* Round r through the job (engine, arrival order, results sorted by worker) decodes the same
 * bytes as the pipeline's worker stage drawing round r (coda-worker-sim --round r). */
static void same_as_pipeline(const char *scheme, int N, int s)
{
    coda_err e;
    coda_mat X, y, Xy, beta;
    problem(40, 4, 21, &X, &y, &Xy, &beta);
    coda_straggle_model sm = {.kind = CODA_LAT_SHIFTEXP, .a = 1, .b = 1, .stragglers = s,
                              .wait_for = -1, .deadline = -1, .seed = 17};
    coda_adversary none = {0};
    coda_job j;
    if (start(&j, scheme, N, s, "grad", &Xy, &sm, &none, 0) == 0) {
        for (unsigned long long r = 0; r < 6; r++) {
            coda_mat g1, g2 = {0};
            CHECK(coda_job_step(&j, r, &beta, &g1, &e) == 0, "%s", e.msg);
            coda_straggle_model m = sm;
            m.round = r;
            coda_straggle_outcome o;
            coda_frame_list tasks = {0}, res = {0};
            coda_decode_info info;
            int ok = coda_straggle_draw(&m, N, j.plan.load, &o, &e) == 0 &&
                     coda_encode_tasks(&j.plan, &Xy, coda_frame_list_sink, &tasks, &e) == 0 &&
                     coda_simulate_frames(tasks.f, tasks.n, &j.plan, o.responded, o.latency,
                                          &beta, NULL, coda_frame_list_sink, &res, NULL,
                                          &e) == 0 &&
                     coda_decode(&j.plan, res.f, res.n, &g2, &info, &e) == 0;
            tasks.n = 0; /* taken over by the worker stage */
            CHECK(ok, "%s round %llu: %s", scheme, r, e.msg);
            CHECK(ok && g1.rows == g2.rows &&
                      memcmp(g1.data, g2.data, g1.rows * sizeof(double)) == 0,
                  "%s round %llu: the job and the pipeline decode different bytes", scheme, r);
            coda_mat_free(&g1);
            coda_mat_free(&g2);
            coda_frame_list_free(&tasks);
            coda_frame_list_free(&res);
            coda_straggle_free(&o);
        }
        coda_job_free(&j);
    }
    coda_mat_free(&X), coda_mat_free(&y), coda_mat_free(&Xy), coda_mat_free(&beta);
}

/* Two jobs on one engine (two task sets on the same workers, rounds alternating between them)
 * decode the same bytes as each job on its own engine with the same round numbers; a round of
 * a set never installed is refused. */
static void shared_engine(void)
{
    coda_err e;
    coda_mat X, y, Xy, beta;
    problem(40, 4, 31, &X, &y, &Xy, &beta);
    int N = 6;
    coda_straggle_model sm = {.kind = CODA_LAT_SHIFTEXP, .a = 1, .b = 1, .stragglers = 1,
                              .wait_for = -1, .deadline = -1, .seed = 19};
    coda_adversary none = {0};
    coda_sim_config cfg = {.straggle = sm};
    coda_policy pol = {.wait_for = -1, .deadline = -1};
    /* loads 1/2 and 1/3: each set's latencies scale by its own */
    const char *schemes[2] = {"frc", "cyclic"};
    int tolerate[2] = {2, 1};
    coda_engine g;
    coda_job shared[2], alone[2];
    memset(shared, 0, sizeof shared);
    memset(alone, 0, sizeof alone);
    int ok = coda_engine_open(&g, &coda_engine_sim, N, &cfg, &e) == 0;
    CHECK(ok, "%s", e.msg);
    for (int k = 0; k < 2 && ok; k++) {
        coda_scheme_args a = {.N = N, .s = tolerate[k], .op = "grad", .seed = 4};
        coda_plan p;
        ok = coda_plan_build(&p, schemes[k], &a, Xy.rows, &e) == 0 &&
             coda_job_start_on(&shared[k], &p, &Xy, &g, &pol, 0, &e) == 0 &&
             start(&alone[k], schemes[k], N, tolerate[k], "grad", &Xy, &sm, &none, 0) == 0;
        CHECK(ok, "%s: %s", schemes[k], e.msg);
        CHECK(!ok || shared[k].set == k, "%s: task set %d, not %d", schemes[k], shared[k].set, k);
    }
    for (unsigned long long r = 0; r < 8 && ok; r++) {
        int k = (int)(r % 2);
        coda_mat g1 = {0}, g2 = {0};
        ok = coda_job_step(&shared[k], r, &beta, &g1, &e) == 0 &&
             coda_job_step(&alone[k], r, &beta, &g2, &e) == 0;
        CHECK(ok, "round %llu: %s", r, e.msg);
        CHECK(!ok || (g1.rows == g2.rows &&
                      memcmp(g1.data, g2.data, g1.rows * sizeof(double)) == 0),
              "round %llu (%s): the shared engine decodes different bytes", r, schemes[k]);
        coda_mat_free(&g1);
        coda_mat_free(&g2);
    }
    if (ok) {
        coda_frame_list out = {0};
        coda_round_info info;
        CHECK(g.type->round(&g, 2, 0, &beta, &pol, &out, &info, &e) < 0 &&
                  strstr(e.msg, "no task set 2"),
              "a round of a set never installed ran");
        coda_frame_list_free(&out);
    }
    for (int k = 0; k < 2; k++) {
        coda_job_free(&shared[k]);
        coda_job_free(&alone[k]);
    }
    coda_engine_close(&g);
    coda_mat_free(&X), coda_mat_free(&y), coda_mat_free(&Xy), coda_mat_free(&beta);
}

int main(void)
{
    shared_engine();
    same_as_pipeline("frc", 6, 2);
    same_as_pipeline("cyclic", 5, 1);
    follows_plain("uncoded", 4, 0);
    follows_plain("rep", 6, 2);
    follows_plain("frc", 6, 2);
    follows_plain("cyclic", 5, 1);
    follows_plain("cyclic", 7, 3);
    logistic();
    until_decodable();
    corruption();
    return check_summary();
}
