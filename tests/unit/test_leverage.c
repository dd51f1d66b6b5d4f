/* Gradient coding by block leverage scores (lib/codes/leverage_alloc.c, leverage.c), against the
 * spec ../shared/specs/leverage-gc.md: Algorithm 2's golden vectors and eq. (20)'s worked
 * example (§2.4), Appendix B exactly (§2.11), Lemma 3, the all-server identity, unbiasedness by
 * Monte Carlo, Prop. 6, the optimal-coefficient comparator, and the refusals. Prop. 2 is false
 * as printed: a test shows the counterexample instead of asserting it. */
#include <lapacke.h>
#include <math.h>
#include <stdlib.h>
#include <string.h>
#include <unistd.h>

#include "../../lib/codes/leverage_alloc.h"
#include "../../lib/codes/scheme.h"
#include "../../lib/core/rng.h"
#include "../../lib/ops/ops.h"
#include "../../lib/sketch/sketch.h"
#include "../../lib/work/work.h"
#include "check.h"
#include "helpers.h"

static int same_longs(const long *a, const long *b, int n)
{
    for (int i = 0; i < n; i++)
        if (a[i] != b[i])
            return 0;
    return 1;
}

/* §2.4's table: (m, Pi, r-tilde) -> r, each with |R-tilde - m| steps and no freeze */
static void golden_alg2(void)
{
    static const struct {
        long m;
        int K;
        double pi[5];
        long rt[5], r[5];
    } g[] = {
        {20, 5, {.15, .15, .2, .25, .25}, {3, 3, 4, 5, 5}, {3, 3, 4, 5, 5}},
        {20, 5, {.15, .15, .2, .25, .25}, {6, 6, 8, 10, 10}, {3, 3, 4, 5, 5}},
        {20, 5, {.15, .15, .2, .25, .25}, {1, 1, 2, 2, 2}, {3, 3, 4, 5, 5}},
        {10, 4, {.1, .2, .3, .4}, {3, 3, 3, 3}, {1, 3, 3, 3}},
        {10, 4, {.1, .2, .3, .4}, {0, 1, 1, 1}, {1, 2, 3, 4}},
        {7, 4, {.1, .2, .3, .4}, {1, 2, 3, 4}, {1, 1, 2, 3}},
        {4, 2, {.5, .5}, {10, 0}, {4, 0}},
        {10, 4, {.05, .15, .3, .5}, {0, 2, 3, 7}, {0, 2, 3, 5}},
        {16, 4, {.05, .15, .3, .5}, {0, 2, 3, 7}, {1, 2, 5, 8}},
    };
    coda_err e;
    for (size_t t = 0; t < sizeof g / sizeof g[0]; t++) {
        long r[5], loops = -1, R = 0;
        for (int i = 0; i < g[t].K; i++)
            R += g[t].rt[i];
        int rc = coda_lev_alg2(g[t].m, g[t].pi, g[t].rt, g[t].K, NULL, r, &loops, &e);
        CHECK(rc == 0 && same_longs(r, g[t].r, g[t].K), "golden row %zu: got (%ld,%ld,%ld,%ld)",
              t + 1, r[0], r[1], r[2], r[3]);
        CHECK(loops == labs(R - g[t].m), "golden row %zu: %ld loops, expected %ld", t + 1, loops,
              labs(R - g[t].m));
    }
    /* Hamilton on the row where Algorithm 2 is "monotone": (2,2), not (4,0) */
    long r[2];
    double pi[2] = {.5, .5};
    CHECK(coda_lev_hamilton(4, pi, 2, NULL, r, &e) == 0 && r[0] == 2 && r[1] == 2,
          "hamilton (.5,.5) m=4: (%ld,%ld)", r[0], r[1]);
}

/* eq. (20): Pi = (.05,.15,.3,.5), phi = .9 */
static void erasure_example(void)
{
    coda_err e;
    double pi[4] = {.05, .15, .3, .5};
    long rh[4], R, r[4];
    CHECK(coda_lev_erasure(pi, 4, 0.9, 1000, rh, &R, &e) == 0, "%s", e.msg);
    long want[4] = {0, 2, 3, 7};
    CHECK(same_longs(rh, want, 4) && R == 12, "r-hat (%ld,%ld,%ld,%ld), R-hat %ld", rh[0], rh[1],
          rh[2], rh[3], R);
    /* the spec's 5 digits */
    double s = coda_lev_erasure_sum(pi, rh, 4, 0.9), b = coda_lev_lemma1_bound(pi, rh, 4, 0.9);
    CHECK(fabs(s - 0.14070) < 5e-6 && fabs(s / 4 - 0.03518) < 5e-6, "eq. 19 sum %.6f", s);
    CHECK(fabs(b - 0.15800) < 5e-6 && s <= b, "Lemma 1 bound %.6f (sum %.6f)", b, s);
    coda_lev_metrics mt;
    CHECK(coda_lev_alg2(16, pi, rh, 4, NULL, r, NULL, &e) == 0, "%s", e.msg);
    coda_lev_measure(pi, r, 4, 16, 0.9, &mt);
    long w16[4] = {1, 2, 5, 8};
    CHECK(same_longs(r, w16, 4) && fabs(mt.d - 0.0125) < 1e-15 &&
              fabs(mt.beta_def - 5.0 / 6) < 1e-12 && fabs(mt.beta_paper - 0.8) < 1e-12 &&
              fabs(mt.eps - 0.025) < 1e-15,
          "m=16: (%ld,%ld,%ld,%ld) d %.6g beta %.6g %.6g", r[0], r[1], r[2], r[3], mt.d,
          mt.beta_def, mt.beta_paper);
    CHECK(coda_lev_alg2(10, pi, rh, 4, NULL, r, NULL, &e) == 0, "%s", e.msg);
    coda_lev_measure(pi, r, 4, 10, 0.9, &mt);
    long w10[4] = {0, 2, 3, 5};
    CHECK(same_longs(r, w10, 4) && mt.beta_def == 0 && fabs(mt.beta_paper - 0.75) < 1e-12 &&
              mt.zeros == 1 && mt.lost == 1,
          "m=10: (%ld,%ld,%ld,%ld) beta %.6g %.6g", r[0], r[1], r[2], r[3], mt.beta_def,
          mt.beta_paper);
    /* phi = 0: everyone answers, no counts; phi = 1 refused */
    CHECK(coda_lev_erasure(pi, 4, 0, 1000, rh, &R, &e) == 0 && R == 0, "phi 0: R %ld", R);
    CHECK(coda_lev_erasure(pi, 4, 1, 1000, rh, &R, &e) < 0 && e.cls == CODA_E_USAGE, "phi 1");
}

/* Appendix B's allocation by ratio rounding and by lcm; fractions; Lemma 1 on random draws */
static void other_rules(void)
{
    coda_err e;
    double pi[5] = {.15, .15, .2, .25, .25};
    long r[5], R, want[5] = {3, 3, 4, 5, 5};
    CHECK(coda_lev_ratio(pi, 5, 3, 1000, r, &R, &e) == 0 && same_longs(r, want, 5) && R == 20,
          "ratio nu=3");
    CHECK(coda_lev_lcm(pi, 5, 1000, 1000, r, &R, &e) == 0 && same_longs(r, want, 5) && R == 20,
          "lcm: R %ld", R);
    long p, q;
    coda_lev_fraction(0.15, 1000, &p, &q);
    CHECK(p == 3 && q == 20, "0.15 -> %ld/%ld", p, q);
    coda_lev_fraction(M_PI - 3, 10, &p, &q);
    CHECK(p == 1 && q == 7, "pi - 3 -> %ld/%ld", p, q); /* 22/7 */
    coda_lev_fraction(M_PI - 3, 100, &p, &q);
    CHECK(p == 14 && q == 99, "pi - 3 -> %ld/%ld", p, q); /* 311/99 beats 22/7 */
    coda_lev_fraction(M_PI - 3, 200, &p, &q);
    CHECK(p == 16 && q == 113, "pi - 3 -> %ld/%ld", p, q); /* 355/113 */
    CHECK(coda_lev_lcm(pi, 5, 1000, 10, r, &R, &e) < 0, "lcm above its cap refused");
    /* Lemma 1 holds for the un-normalized sum (spec §3.15) */
    coda_rng g;
    coda_rng_init(&g, 11, 1);
    int fails = 0;
    for (int t = 0; t < 2000; t++) {
        int K = 2 + (int)coda_rng_below(&g, 9);
        double x[10], s = 0, phi = 0.05 + 0.9 * coda_rng_uniform(&g);
        for (int i = 0; i < K; i++)
            s += x[i] = coda_rng_exponential(&g);
        for (int i = 0; i < K; i++)
            x[i] /= s;
        long rh[10], tot;
        coda_lev_erasure(x, K, phi, 1000000, rh, &tot, &e);
        fails += coda_lev_erasure_sum(x, rh, K, phi) > coda_lev_lemma1_bound(x, rh, K, phi) * (1 + 1e-12);
    }
    CHECK(fails == 0, "Lemma 1 failed %d of 2000 times", fails);
}

/* Random instances: both adjustments end at sum m above the floors; Hamilton is the l1 optimum
 * (checked against every composition for small m); Prop. 2's counterexample. */
static void adjust_random(void)
{
    coda_err e;
    coda_rng g;
    coda_rng_init(&g, 12, 1);
    int bad = 0, notopt = 0;
    for (int t = 0; t < 3000; t++) {
        int K = 1 + (int)coda_rng_below(&g, 4);
        long m = K + (long)coda_rng_below(&g, 8), rt[4], r[4], h[4], fl[4];
        double pi[4], s = 0;
        for (int i = 0; i < K; i++)
            s += pi[i] = coda_rng_exponential(&g);
        for (int i = 0; i < K; i++) {
            pi[i] /= s;
            rt[i] = (long)coda_rng_below(&g, 12);
            fl[i] = t % 2;
            if (rt[i] < fl[i])
                rt[i] = fl[i];
        }
        long loops;
        int rc = coda_lev_alg2(m, pi, rt, K, fl, r, &loops, &e) |
                 coda_lev_hamilton(m, pi, K, fl, h, &e);
        long R = 0, H = 0;
        for (int i = 0; i < K; i++) {
            R += r[i], H += h[i];
            bad += r[i] < fl[i] || h[i] < fl[i];
        }
        bad += rc != 0 || R != m || H != m;
        /* brute force: every (c_1..c_K) >= floors summing to m */
        double best = INFINITY, got = 0;
        for (int i = 0; i < K; i++)
            got += fabs(pi[i] - (double)h[i] / m);
        long c[4] = {0};
        for (;;) {
            long sum = 0;
            for (int i = 0; i < K - 1; i++)
                sum += c[i];
            long last = m - sum;
            int ok = last >= fl[K - 1];
            for (int i = 0; i < K - 1; i++)
                ok &= c[i] >= fl[i];
            if (ok) {
                double d = fabs(pi[K - 1] - (double)last / m);
                for (int i = 0; i < K - 1; i++)
                    d += fabs(pi[i] - (double)c[i] / m);
                best = fmin(best, d);
            }
            int i = 0;
            while (i < K - 1 && ++c[i] > m)
                c[i++] = 0;
            if (i >= K - 1)
                break;
        }
        notopt += got > best + 1e-12;
    }
    CHECK(bad == 0, "%d random adjustments broke sum = m or a floor", bad);
    CHECK(notopt == 0, "Hamilton above the l1 optimum %d times", notopt);
    /* Prop. 2 claims d(Pi, r/m) < d(Pi, r~/R~) whenever R~ > m. m = 7, Pi = (.1,.2,.3,.4),
     * r~ = (1,2,3,4): r~/R~ = Pi exactly, so no r can do better: the claim is false. */
    double pi[4] = {.1, .2, .3, .4};
    long rt[4] = {1, 2, 3, 4}, r[4];
    coda_lev_alg2(7, pi, rt, 4, NULL, r, NULL, &e);
    coda_lev_metrics after, before;
    coda_lev_measure(pi, r, 4, 7, -1, &after);
    coda_lev_measure(pi, rt, 4, 10, -1, &before);
    CHECK(before.d < 1e-15 && after.d > 0.01,
          "Prop. 2 counterexample: d(Pi, r/m) = %.3g is not below d(Pi, r~/R~) = %.3g", after.d,
          before.d);
}

static void score_checks(void)
{
    coda_err e;
    double a[3] = {.5, -.1, .6}, b[3] = {.5, NAN, .5}, c[3] = {.2, .2, .2}, d[3] = {2, 1, 1};
    CHECK(coda_lev_check_scores(a, 3, 0, 0, &e) < 0 && strstr(e.msg, "score 2 is negative"),
          "%s", e.msg);
    CHECK(coda_lev_check_scores(b, 3, 1, 0, &e) < 0 && strstr(e.msg, "score 2 is NaN"), "%s",
          e.msg);
    CHECK(coda_lev_check_scores(c, 3, 0, 0, &e) < 0 && strstr(e.msg, "off by -0.4"), "%s", e.msg);
    CHECK(coda_lev_check_scores(d, 3, 1, 0, &e) == 0 && d[0] == 0.5 && d[1] == 0.25, "normalize");
}

/* ---- the scheme ---- */

static char scores_path[64];

static void write_scores(const double *pi, int K)
{
    strcpy(scores_path, "/tmp/coda-lev-XXXXXX.csv");
    int fd = mkstemps(scores_path, 4);
    FILE *f = fd >= 0 ? fdopen(fd, "w") : NULL;
    for (int i = 0; f && i < K; i++)
        fprintf(f, "%.17g\n", pi[i]);
    if (f)
        fclose(f);
}

/* a plan over data (rows x cols, [X y]) with options "k=v" pairs (NULL-terminated) */
static int plan_for(coda_plan *p, const coda_mat *data, int N, int K, const char *const *kv,
                    coda_err *e)
{
    coda_meta opts = {0};
    for (int i = 0; kv && kv[i]; i += 2)
        coda_meta_set(&opts, kv[i], kv[i + 1], e);
    coda_scheme_args a = {.N = N, .K = K, .op = "grad", .seed = 3, .opts = &opts, .data = data};
    int rc = coda_plan_build(p, "leverage", &a, data ? data->rows : 0, e);
    if (rc == 0 && data)
        rc = coda_plan_set_shape(p, data->cols - 1, 1, e);
    coda_meta_free(&opts);
    return rc;
}

/* the results of these servers (each once), decoded */
static int run_servers(const coda_plan *p, const coda_frame_list *tasks, const coda_mat *beta,
                       const int *who, int n, const coda_meta *dopts, coda_mat *out,
                       coda_decode_info *info, coda_err *e)
{
    coda_frame_list res = {0};
    int rc = 0;
    for (int k = 0; k < n && rc == 0; k++)
        for (size_t t = 0; t < tasks->n && rc == 0; t++)
            if (tasks->f[t].tag[CODA_TAG_WORKER] == who[k])
                rc = coda_worker_run(&tasks->f[t], 1, beta, NAN, coda_frame_list_sink, &res, e);
    if (rc == 0)
        rc = coda_decode_with(p, res.f, res.n, dopts, out, info, e);
    coda_frame_list_free(&res);
    return rc;
}

/* X^T W (X beta - y) for row weights w (NULL: 1) of data [X y] */
static void weighted_grad(const coda_mat *data, const double *w, const coda_mat *beta,
                          coda_mat *g)
{
    size_t N = data->rows, d = data->cols - 1;
    coda_mat_alloc(g, d, 1, NULL);
    for (size_t i = 0; i < N; i++) {
        double r = -CODA_AT(data, i, d);
        for (size_t c = 0; c < d; c++)
            r += CODA_AT(data, i, c) * beta->data[c];
        for (size_t c = 0; c < d; c++)
            g->data[c] += (w ? w[i] : 1.0) * CODA_AT(data, i, c) * r;
    }
}

/* Student-t(3)-like rows (heavy tails give non-uniform leverage) */
static void t3_data(coda_mat *m, size_t N, size_t cols, uint64_t seed)
{
    coda_rng g;
    coda_rng_init(&g, seed, 7);
    coda_mat_alloc(m, N, cols, NULL);
    for (size_t k = 0; k < N * cols; k++) {
        double z = coda_rng_normal(&g), v = 0;
        for (int j = 0; j < 3; j++) {
            double u = coda_rng_normal(&g);
            v += u * u;
        }
        m->data[k] = z / sqrt(v / 3);
    }
}

/* §2.11: K = 5, tau = 4, Pi = (3,3,4,5,5)/20, m = 20, q = 3 */
static void appendix_b(void)
{
    coda_err e;
    double pi[5] = {.15, .15, .2, .25, .25};
    write_scores(pi, 5);
    coda_mat data, beta;
    test_randn(&data, 20, 4, 5, 1); /* X (20 x 3) and y */
    test_randn(&beta, 3, 1, 5, 2);
    coda_plan p;
    const char *kv[] = {"scores", scores_path, "responders", "3", "initial", "lcm", NULL};
    int rc = plan_for(&p, &data, 20, 0, kv, &e);
    CHECK(rc == 0, "Appendix B plan: %s", e.msg);
    if (rc < 0)
        return;
    /* server map: block 1 -> servers 1-3, 2 -> 4-6, 3 -> 7-10, 4 -> 11-15, 5 -> 16-20 */
    static const int first[6] = {0, 3, 6, 10, 15, 20};
    static const double scale[5] = {1.490712, 1.490712, 1.290994, 1.154701, 1.154701};
    int mapped = 1;
    for (int j = 0; j < 5; j++)
        for (int l = 0; l < 20; l++) {
            double gij = CODA_AT(&p.G, l, j), want = l >= first[j] && l < first[j + 1];
            mapped &= (gij != 0) == (want != 0);
            if (want)
                mapped &= fabs(sqrt(gij) - scale[j]) < 5e-7;
        }
    CHECK(mapped && p.threshold == 3, "Appendix B: server map or scale factors differ");
    coda_frame_list tasks = {0};
    CHECK(coda_encode(&p, &data, NULL, coda_frame_list_sink, &tasks, &e) == 0 && tasks.n == 20,
          "encode: %s", e.msg);
    /* the tasks are the scaled blocks (Psi, psi) */
    int scaled = 1;
    for (size_t t = 0; t < tasks.n; t++) {
        int j = (int)tasks.f[t].tag[CODA_TAG_BLOCK];
        for (size_t c = 0; c < 4; c++)
            for (size_t i = 0; i < 4; i++)
                scaled &= fabs(CODA_AT(&tasks.f[t].mat, i, c) -
                               CODA_AT(&data, 4 * j + i, c) / sqrt(3 * pi[j])) < 1e-14;
    }
    CHECK(scaled, "tasks are not A_i / sqrt(q Pi_i)");
    /* the four received multisets of the table, as servers; the induced sketch S~[s] (3 tau x
     * 5 tau, one row block e_i^T / sqrt(3 Pi_i) per response) gives the gradient directly */
    static const int sets[4][3] = {{0, 10, 15}, {6, 15, 16}, {3, 10, 15}, {10, 0, 11}};
    static const int blocks[4][3] = {{0, 3, 4}, {2, 4, 4}, {1, 3, 4}, {3, 0, 3}};
    for (int s = 0; s < 4; s++) {
        coda_mat Sk;
        coda_mat_alloc(&Sk, 12, 20, NULL);
        for (int k = 0; k < 3; k++)
            for (int i = 0; i < 4; i++)
                CODA_AT(&Sk, 4 * k + i, 4 * blocks[s][k] + i) = 1 / sqrt(3 * pi[blocks[s][k]]);
        /* w = diag(S^T S), then X^T S^T S (X beta - y) */
        double w[20] = {0};
        for (int c = 0; c < 20; c++)
            for (int r = 0; r < 12; r++)
                w[c] += CODA_AT(&Sk, r, c) * CODA_AT(&Sk, r, c);
        coda_mat ref, out;
        weighted_grad(&data, w, &beta, &ref);
        coda_decode_info info;
        rc = run_servers(&p, &tasks, &beta, sets[s], 3, NULL, &out, &info, &e);
        CHECK(rc == 0 && test_rel_err(&out, &ref) < 1e-13 && info.status == CODA_DECODED_APPROX,
              "Appendix B S[%d]: error %.3g (%s)", s + 1, rc == 0 ? test_rel_err(&out, &ref) : -1.0,
              rc == 0 ? "" : e.msg);
        int dup = 0;
        for (int k = 0; k < info.nfig; k++)
            if (strcmp(info.fig[k].key, "duplicates") == 0)
                dup = (int)info.fig[k].val;
        CHECK(dup == (s == 1 || s == 3), "S[%d]: %d duplicates reported", s + 1, dup);
        coda_mat_free(&Sk), coda_mat_free(&ref), coda_mat_free(&out);
    }
    /* E[q-bar]: Thm 8 for i.i.d. sampling (all 5^3 ordered draws, weighted), and the GC's
     * hypergeometric sampling (all C(20,3) server sets of the plan) */
    double iid = 0, hyper = 0;
    for (int a = 0; a < 5; a++)
        for (int b = 0; b < 5; b++)
            for (int c = 0; c < 5; c++)
                iid += pi[a] * pi[b] * pi[c] * (1 + (b != a) + (c != a && c != b));
    int nsets = 0;
    for (int x = 0; x < 20; x++)
        for (int y = x + 1; y < 20; y++)
            for (int z = y + 1; z < 20; z++) {
                int bx = 0, by = 0, bz = 0;
                for (int j = 0; j < 5; j++) {
                    bx = CODA_AT(&p.G, x, j) != 0 ? j : bx;
                    by = CODA_AT(&p.G, y, j) != 0 ? j : by;
                    bz = CODA_AT(&p.G, z, j) != 0 ? j : bz;
                }
                hyper += 1 + (by != bx) + (bz != bx && bz != by);
                nsets++;
            }
    hyper /= nsets;
    double thm8 = 5;
    for (int j = 0; j < 5; j++)
        thm8 -= pow(1 - pi[j], 3);
    CHECK(fabs(iid - 2.416) < 1e-12 && fabs(thm8 - 2.416) < 1e-12, "E[q-bar] iid %.6f", iid);
    CHECK(fabs(hyper - 2.517544) < 5e-7, "E[q-bar] hypergeometric %.7f", hyper);
    /* the report: perfect emulation */
    coda_meta fig = {0};
    CHECK(coda_plan_report(&p, &fig, &e) == 0 && coda_meta_get(&fig, "d_Pi_Pibar") &&
              atof(coda_meta_get(&fig, "d_Pi_Pibar")) == 0 &&
              strcmp(coda_meta_get(&fig, "replicas"), "3,3,4,5,5") == 0 &&
              atof(coda_meta_get(&fig, "beta_def")) == 1,
          "Appendix B report");
    coda_meta_free(&fig);
    coda_frame_list_free(&tasks);
    coda_plan_free(&p);
    coda_mat_free(&data), coda_mat_free(&beta);
    unlink(scores_path);
}

/* LS solution of [X y] (or of rows scaled by sqrt(w)) */
static void lstsq(const coda_mat *data, coda_mat *x)
{
    size_t N = data->rows, d = data->cols - 1;
    coda_mat A, b;
    coda_mat_sub(&A, data, 0, N, 0, d, NULL);
    coda_mat_sub(&b, data, 0, N, d, 1, NULL);
    LAPACKE_dgels(LAPACK_COL_MAJOR, 'N', (int)N, (int)d, 1, A.data, (int)N, b.data, (int)N);
    coda_mat_sub(x, &b, 0, d, 0, 1, NULL);
    coda_mat_free(&A), coda_mat_free(&b);
}

static void stack_tasks(const coda_frame_list *tasks, coda_mat *psi)
{
    size_t rows = 0, cols = tasks->f[0].mat.cols;
    for (size_t t = 0; t < tasks->n; t++)
        rows += tasks->f[t].mat.rows;
    coda_mat_alloc(psi, rows, cols, NULL);
    size_t at = 0;
    for (size_t t = 0; t < tasks->n; t++) {
        const coda_mat *m = &tasks->f[t].mat;
        for (size_t c = 0; c < cols; c++)
            memcpy(psi->data + c * rows + at, m->data + c * m->rows, m->rows * sizeof(double));
        at += m->rows;
    }
}

/* N = 200, d = 5, K = 20, m = 40, q = 8 on t(3) data with exact scores: the all-server
 * identity, Lemma 3, unbiasedness, the optimal decoder */
static void identities(void)
{
    coda_err e;
    coda_mat data, beta, g;
    t3_data(&data, 200, 6, 21);
    test_randn(&beta, 5, 1, 21, 3);
    weighted_grad(&data, NULL, &beta, &g);
    for (int realized = 0; realized < 2; realized++) {
        coda_plan p;
        const char *kv[] = {"responders", "8", "scale", realized ? "realized" : "q", NULL};
        int rc = plan_for(&p, &data, 40, 20, kv, &e);
        CHECK(rc == 0, "plan: %s", e.msg);
        if (rc < 0)
            continue;
        coda_frame_list tasks = {0};
        coda_encode(&p, &data, NULL, coda_frame_list_sink, &tasks, &e);
        /* all m servers: (q/m) sum g_l = g, exactly (reported exact) */
        int all[40];
        for (int l = 0; l < 40; l++)
            all[l] = l;
        coda_mat out;
        coda_decode_info info;
        rc = run_servers(&p, &tasks, &beta, all, 40, NULL, &out, &info, &e);
        double cond = 1e3; /* |g| is not small here: relative error of summing 40 terms */
        CHECK(rc == 0 && test_rel_err(&out, &g) < cond * 2.2e-16 &&
                  info.status == CODA_DECODED_EXACT,
              "all servers (%s): error %.3g", realized ? "realized" : "q",
              rc == 0 ? test_rel_err(&out, &g) : -1.0);
        coda_mat_free(&out);
        /* Lemma 3: the encoded problem (Psi, psi) has the optimum x* */
        if (!realized) {
            coda_mat psi, xs, xe;
            stack_tasks(&tasks, &psi);
            lstsq(&data, &xs);
            lstsq(&psi, &xe);
            double err = test_rel_err(&xe, &xs);
            CHECK(err < 1e-10, "Lemma 3: x* of (Psi, psi) off by %.3g", err);
            /* not when the scaling uses Pi instead of Pi-bar: rows of block i weighted r_i /
             * (q Pi_i), no longer constant, give a weighted least-squares solution */
            coda_mat pis, wdat;
            coda_leverage_scores(&data, 5, 20, 0, 0, &pis, &e);
            coda_mat_copy(&wdat, &psi, &e);
            size_t at = 0;
            for (size_t t = 0; t < tasks.n; t++) {
                int j = (int)tasks.f[t].tag[CODA_TAG_BLOCK];
                double c = 1 / (sqrt(8 * pis.data[j]) *
                                sqrt(CODA_AT(&p.G, (int)tasks.f[t].tag[CODA_TAG_WORKER], j)));
                for (size_t i = 0; i < tasks.f[t].mat.rows; i++, at++)
                    for (size_t col = 0; col < wdat.cols; col++)
                        CODA_AT(&wdat, at, col) *= c;
            }
            coda_mat xw;
            lstsq(&wdat, &xw);
            double dist = test_rel_err(&xw, &xs);
            CHECK(dist > 1e-6, "Pi != Pi-bar encoding kept x* (%.3g)", dist);
            coda_mat_free(&psi), coda_mat_free(&xs), coda_mat_free(&xe), coda_mat_free(&pis);
            coda_mat_free(&wdat), coda_mat_free(&xw);
        }
        /* unbiasedness: M uniformly random q-subsets (the fixed-q model); every coordinate of
         * the mean within 5 standard errors of g (false alarm about 6e-7 per coordinate) */
        enum { M = 4000 };
        double *sum = calloc(5, sizeof *sum), *sq = calloc(5, sizeof *sq);
        size_t perm[40];
        coda_rng rg;
        coda_rng_init(&rg, 99, (uint64_t)realized);
        int ok = 1;
        for (int t = 0; t < M && ok; t++) {
            for (int l = 0; l < 40; l++)
                perm[l] = (size_t)l;
            coda_rng_shuffle(&rg, perm, 40, 8);
            int who[8];
            for (int k = 0; k < 8; k++)
                who[k] = (int)perm[k];
            ok = run_servers(&p, &tasks, &beta, who, 8, NULL, &out, &info, &e) == 0;
            for (int c = 0; c < 5 && ok; c++) {
                sum[c] += out.data[c];
                sq[c] += out.data[c] * out.data[c];
            }
            coda_mat_free(&out);
        }
        double worst = 0;
        for (int c = 0; c < 5; c++) {
            double mean = sum[c] / M, sd = sqrt(fmax(sq[c] / M - mean * mean, 0));
            worst = fmax(worst, fabs(mean - g.data[c]) / (sd / sqrt(M)));
        }
        CHECK(ok && worst < 5, "unbiasedness (%s): %.2f standard errors", realized ? "realized" : "q",
              worst);
        free(sum), free(sq);
        /* fewer than q: too few (fixed q); the realized form decodes from one */
        int two[2] = {0, 39};
        rc = run_servers(&p, &tasks, &beta, two, 2, NULL, &out, &info, &e);
        CHECK(realized ? rc == 0 : rc < 0 && e.cls == CODA_E_FEW, "two responders (%s)",
              realized ? "realized" : "q");
        coda_mat_free(&out);
        /* the optimal-coefficient comparator (eq. 30): q < K leaves B_I rank-deficient, err 1;
         * all servers give full rank, err 0, and the exact gradient */
        coda_meta dopt = {0};
        coda_meta_set(&dopt, "decoder", "optimal", &e);
        int eight[8] = {0, 5, 10, 15, 20, 25, 30, 35};
        rc = run_servers(&p, &tasks, &beta, eight, 8, &dopt, &out, &info, &e);
        double err = -1;
        for (int k = 0; k < info.nfig; k++)
            if (strcmp(info.fig[k].key, "err_B_I") == 0)
                err = info.fig[k].val;
        CHECK(rc == 0 && err == 1 && info.status == CODA_DECODED_APPROX, "optimal, 8 of 40: err %g",
              err);
        coda_mat_free(&out);
        rc = run_servers(&p, &tasks, &beta, all, 40, &dopt, &out, &info, &e);
        err = -1;
        for (int k = 0; k < info.nfig; k++)
            if (strcmp(info.fig[k].key, "err_B_I") == 0)
                err = info.fig[k].val;
        CHECK(rc == 0 && err == 0 && test_rel_err(&out, &g) < 1e-12, "optimal, all: err %g, %.3g",
              err, rc == 0 ? test_rel_err(&out, &g) : -1.0);
        coda_mat_free(&out);
        coda_meta_free(&dopt);
        coda_frame_list_free(&tasks);
        coda_plan_free(&p);
    }
    coda_mat_free(&data), coda_mat_free(&beta), coda_mat_free(&g);
}

/* Prop. 6: the weighted sketch (Appendix E) has the same S^T S, so the same gradient and
 * Hessian, as the plain one drawn with the same seed */
static void prop6(void)
{
    coda_err e;
    coda_mat data;
    t3_data(&data, 120, 5, 31);
    int worst_fail = 0;
    for (int s = 0; s < 20; s++) {
        coda_sketch_opts o = {.kind = CODA_SK_BLOCK, .rows = 60, .blocks = 24, .score_cols = 4,
                              .seed = 5, .stream = (unsigned long long)s};
        coda_mat P, W;
        coda_sketch_apply(&o, &data, &P, &e);
        o.weighted = 1;
        coda_sketch_apply(&o, &data, &W, &e);
        /* [X y]^T S^T S [X y] holds the Hessian X^T S^T S X and X^T S^T S y */
        double dmax = 0, nmax = 0;
        for (size_t a = 0; a < 5; a++)
            for (size_t b = 0; b < 5; b++) {
                double gp = 0, gw = 0;
                for (size_t i = 0; i < P.rows; i++)
                    gp += CODA_AT(&P, i, a) * CODA_AT(&P, i, b);
                for (size_t i = 0; i < W.rows; i++)
                    gw += CODA_AT(&W, i, a) * CODA_AT(&W, i, b);
                dmax = fmax(dmax, fabs(gp - gw));
                nmax = fmax(nmax, fabs(gp));
            }
        worst_fail += !(dmax <= 1e-12 * nmax) || W.rows > P.rows;
        coda_mat_free(&P), coda_mat_free(&W);
    }
    CHECK(worst_fail == 0, "Prop. 6: %d of 20 weighted sketches differ", worst_fail);
    coda_mat_free(&data);
}

/* refusals, each naming the value */
static void refusals(void)
{
    coda_err e;
    coda_plan p;
    coda_mat data;
    test_randn(&data, 40, 4, 1, 1);
    const char *dl[] = {"deadline", "0.5", "runtime", "shifted-exp:1,2", NULL};
    CHECK(plan_for(&p, &data, 10, 5, dl, &e) < 0 && e.cls == CODA_E_USAGE &&
              strstr(e.msg, "--deadline 0.5"),
          "deadline before the shift: %s", e.msg);
    CHECK(plan_for(&p, &data, 4, 5, NULL, &e) < 0 && e.cls == CODA_E_USAGE &&
              strstr(e.msg, "N = 4 servers for 5 blocks"),
          "fewer servers than blocks: %s", e.msg);
    const char *z[] = {"min-replicas", "0", NULL};
    CHECK(plan_for(&p, &data, 4, 5, z, &e) == 0, "--min-replicas 0 with 4 < 5: %s", e.msg);
    coda_meta fig = {0};
    coda_plan_report(&p, &fig, &e);
    CHECK(coda_meta_get(&fig, "warning") && strstr(coda_meta_get(&fig, "warning"), "biased"),
          "no warning for a block without a server");
    coda_meta_free(&fig);
    coda_plan_free(&p);
    double bad[3] = {0.5, 0.6, -0.1};
    write_scores(bad, 3);
    const char *f[] = {"scores", scores_path, NULL};
    CHECK(plan_for(&p, NULL, 10, 0, f, &e) < 0 && strstr(e.msg, "score 3 is negative"), "%s",
          e.msg);
    unlink(scores_path);
    const char *nodata[] = {NULL};
    CHECK(plan_for(&p, NULL, 10, 0, nodata, &e) < 0 && e.cls == CODA_E_USAGE &&
              strstr(e.msg, "--scores FILE"),
          "no data, no scores file: %s", e.msg);
    /* a deadline: q(T) = floor(F(T) m) and phi = 1 - F(T) */
    const char *ok[] = {"deadline", "1", "runtime", "shifted-exp:0,1", NULL};
    CHECK(plan_for(&p, &data, 10, 5, ok, &e) == 0 && p.threshold == 6, "q(T) %d: %s", p.threshold,
          e.msg);
    coda_plan_free(&p);
    coda_mat_free(&data);
}

int main(void)
{
    golden_alg2();
    erasure_example();
    other_rules();
    adjust_random();
    score_checks();
    appendix_b();
    identities();
    prop6();
    refusals();
    return check_summary();
}
