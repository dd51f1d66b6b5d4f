/* The hetero scheme (papers/hetero-gc.txt, specs/hetero-gc.md) against the spec's exact
 * fixtures (§2.11 and §2.5: rationals, compared within a few ulps of their size), and its
 * contract on random p: row sums Y, column sums 1, nnz <= n + k - 1, unbiasedness and the
 * exact residual formula by enumerating all 2^k responder patterns, w~ invariance of the
 * decode, the empty responder set, and bad input named in one line. */
#include <math.h>
#include <stdarg.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <unistd.h>

#include "../../lib/codes/hetero.h"
#include "../../lib/codes/scheme.h"
#include "../../lib/core/rng.h"
#include "check.h"
#include "helpers.h"

static char dir[64];

/* a column of values into a csv file of the scratch directory */
static const char *write_col(const char *name, const double *v, int k)
{
    static char path[4][128];
    static int next;
    char *p = path[next++ % 4];
    snprintf(p, 128, "%s/%s", dir, name);
    FILE *f = fopen(p, "w");
    for (int i = 0; f && i < k; i++)
        fprintf(f, "%.17g\n", v[i]);
    if (f)
        fclose(f);
    return p;
}

/* build a hetero plan: opts "key=value" pairs, NULL-terminated */
static int build(coda_plan *p, int k, int n, const double *prob, coda_err *e, ...)
{
    coda_meta opts = {0};
    if (prob)
        coda_meta_set(&opts, "straggle-probs", write_col("p.csv", prob, k), e);
    va_list ap;
    va_start(ap, e);
    for (const char *kv; (kv = va_arg(ap, const char *));) {
        char key[64];
        const char *eq = strchr(kv, '=');
        snprintf(key, sizeof key, "%.*s", (int)(eq - kv), kv);
        coda_meta_set(&opts, key, eq + 1, e);
    }
    va_end(ap);
    coda_scheme_args a = {.N = k, .K = n, .op = "grad", .seed = 5, .opts = &opts};
    int rc = coda_plan_build(p, "hetero", &a, 0, e);
    coda_meta_free(&opts);
    return rc;
}

static double *plan_doubles(const coda_plan *p, const char *key)
{
    double *v = NULL;
    size_t n;
    coda_meta_get_doubles(&p->extra, key, &v, &n, NULL);
    return v;
}

/* alpha_ij = w~_i a_ij */
static double alpha(const coda_plan *p, const double *wt, int i, int j)
{
    return wt[i] * CODA_AT(&p->G, i, j);
}

static int same_alpha(const coda_plan *p, const double *want, double tol)
{
    double *wt = plan_doubles(p, "w_tilde");
    int ok = wt != NULL;
    for (int i = 0; ok && i < p->N; i++)
        for (int j = 0; j < p->K; j++)
            ok &= fabs(alpha(p, wt, i, j) - want[i * p->K + j]) <= tol;
    free(wt);
    return ok;
}

/* decode scalar results f_i (1 x 1) of the workers in mask */
static int decode_mask(const coda_plan *p, const double *f, unsigned mask, double *g,
                       coda_decode_info *info, coda_err *e)
{
    coda_frame_list res = {0};
    for (int i = 0; i < p->N; i++)
        if (mask >> i & 1) {
            coda_frame fr;
            coda_frame_init(&fr, CODA_RESULT);
            fr.tag[CODA_TAG_WORKER] = i;
            fr.tag[CODA_TAG_BLOCK] = -1;
            coda_mat_alloc(&fr.mat, 1, 1, e);
            fr.mat.data[0] = f[i];
            coda_frame_list_push(&res, &fr, e);
        }
    coda_mat out;
    int rc = coda_decode(p, res.f, res.n, &out, info, e);
    if (rc == 0) {
        *g = out.data[0];
        coda_mat_free(&out);
    }
    coda_frame_list_free(&res);
    return rc;
}

/* §2.11: p = (1/4, 1/2, 3/4), n = 4 */
static void fixture_211(void)
{
    coda_err e;
    const double p[] = {0.25, 0.5, 0.75}, t = 1.0 / 13, tol = 8e-16 * 4;
    double Y[3], S;
    int deg;
    CHECK(coda_hetero_optimum(p, 3, 4, Y, &S, &deg, &e) == 0, "%s", e.msg);
    CHECK(fabs(S - 13.0 / 3) <= 4e-16 * 13 && fabs(Y[0] - 36 * t) <= tol &&
              fabs(Y[1] - 12 * t) <= tol && fabs(Y[2] - 4 * t) <= tol,
          "Y = %.17g %.17g %.17g, S = %.17g", Y[0], Y[1], Y[2], S);
    const double interval[] = {1, 1, 10 * t, 0, 0, 0, 3 * t, 9 * t, 0, 0, 0, 4 * t};
    const double star321[] = {10 * t, 1, 1, 0, -t, 0, 0, 1, 4 * t, 0, 0, 0};
    const double star222[] = {23 * t, 1, 0, 0, -t, 0, 1, 0, -9 * t, 0, 0, 1};
    const double chain222[] = {1, 23 * t, 0, 0, 0, -10 * t, 22 * t, 0, 0, 0, -9 * t, 1};
    coda_plan pl;
    struct {
        const char *cons, *b;
        const double *want;
    } cases[] = {{"interval", NULL, interval}, {"chain", "3,2,1", interval},
                 {"chain", NULL, interval},    {"star", "3,2,1", star321},
                 {"star", "2,2,2", star222},   {"chain", "2,2,2", chain222}};
    for (size_t c = 0; c < sizeof cases / sizeof cases[0]; c++) {
        char cons[64], b[64];
        snprintf(cons, sizeof cons, "construction=%s", cases[c].cons);
        snprintf(b, sizeof b, "b=%s", cases[c].b ? cases[c].b : "");
        int rc = build(&pl, 3, 4, p, &e, cons, cases[c].b ? b : NULL, NULL);
        CHECK(rc == 0, "%s b=%s: %s", cases[c].cons, cases[c].b, e.msg);
        if (rc < 0)
            continue;
        CHECK(same_alpha(&pl, cases[c].want, tol), "%s b=%s: alpha differs from §2.11",
              cases[c].cons, cases[c].b);
        /* the tree solver on the same support gives the same alpha */
        coda_mat sup, al;
        coda_mat_alloc(&sup, 3, 4, &e);
        coda_mat_alloc(&al, 3, 4, &e);
        for (int i = 0; i < 3; i++)
            for (int j = 0; j < 4; j++)
                CODA_AT(&sup, i, j) = cases[c].want[i * 4 + j] != 0;
        CHECK(coda_hetero_peel(Y, &sup, &al, &e) == 0, "peel: %s", e.msg);
        int same = 1;
        for (int i = 0; i < 3; i++)
            for (int j = 0; j < 4; j++)
                same &= fabs(CODA_AT(&al, i, j) - cases[c].want[i * 4 + j]) <= tol;
        CHECK(same, "peel on the %s b=%s support differs", cases[c].cons, cases[c].b);
        coda_mat_free(&sup), coda_mat_free(&al);
        /* the report warns exactly when alpha has negative entries */
        coda_meta fig = {0};
        CHECK(coda_plan_report(&pl, &fig, &e) == 0, "%s", e.msg);
        int neg = cases[c].want != interval;
        CHECK(!!coda_meta_get(&fig, "warning") == neg, "%s b=%s: warning %s", cases[c].cons,
              cases[c].b, coda_meta_get(&fig, "warning"));
        double paper, valid;
        coda_meta_get_double(&fig, "bound_paper", &paper, &e);
        coda_meta_get_double(&fig, "bound_valid", &valid, &e);
        CHECK(fabs(paper - 48 * t) <= 1e-14, "paper bound %.17g, want 48/13", paper);
        /* valid bound: 48/13 for alpha >= 0; Scheme II b=(2,2,2): 2908/169 (spec §3 L2) */
        if (cases[c].want == chain222)
            CHECK(fabs(valid - 2908.0 / 169) <= 1e-13, "valid bound %.17g, want 2908/169", valid);
        if (cases[c].want == star321)
            CHECK(fabs(valid - 4) <= 1e-14, "valid bound %.17g, want 4", valid);
        if (!neg)
            CHECK(fabs(valid - paper) <= 1e-14, "valid %.17g vs paper %.17g", valid, paper);
        coda_meta_free(&fig);
        coda_plan_free(&pl);
    }
    /* w (w~ = 1) and g_hat for every responder set, g = (1, 2, 3, 4) (Scheme II) */
    CHECK(build(&pl, 3, 4, p, &e, NULL) == 0, "%s", e.msg);
    coda_plan_set_shape(&pl, 1, 1, &e); /* the zero of the empty set has the result's shape */
    double *w = plan_doubles(&pl, "w");
    CHECK(w && fabs(w[0] - 4.0 / 3) <= 1e-15 && fabs(w[1] - 2) <= 1e-15 && fabs(w[2] - 4) <= 1e-15,
          "w = %g %g %g", w ? w[0] : NAN, w ? w[1] : NAN, w ? w[2] : NAN);
    free(w);
    double f[3];
    for (int i = 0; i < 3; i++) {
        f[i] = 0;
        for (int j = 0; j < 4; j++)
            f[i] += CODA_AT(&pl.G, i, j) * (j + 1);
    }
    CHECK(fabs(f[0] - 69 * t) <= 1e-14 && fabs(f[1] - 45 * t) <= 1e-14 && fabs(f[2] - 16 * t) <= 1e-14,
          "f = %g %g %g", f[0], f[1], f[2]);
    /* masks: bit i = worker i responds */
    const double ghat[8] = {0, 92 * t, 90 * t, 14, 64 * t, 12, 154 * t, 246 * t};
    double mean = 0, resid = 0;
    for (unsigned mask = 0; mask < 8; mask++) {
        double g = NAN, pr = 1;
        coda_decode_info info;
        int rc = decode_mask(&pl, f, mask, &g, &info, &e);
        CHECK(rc == 0 && fabs(g - ghat[mask]) <= 1e-13, "responders %#x: g_hat %.17g, want "
              "%.17g (%s)", mask, g, ghat[mask], rc ? e.msg : "");
        CHECK(info.status == (mask ? CODA_DECODED_APPROX : CODA_DECODED_EMPTY),
              "responders %#x: status %s", mask, coda_decode_status_name(info.status));
        for (int i = 0; i < 3; i++)
            pr *= mask >> i & 1 ? 1 - p[i] : p[i];
        mean += pr * g;
        resid += pr * (g - 10) * (g - 10);
    }
    CHECK(fabs(mean - 10) <= 1e-13, "E[g_hat] = %.17g, want 10", mean);
    CHECK(fabs(resid - 4380.0 / 169) <= 1e-12, "E(g_hat - g)^2 = %.17g, want 4380/169", resid);
    coda_plan_free(&pl);
    /* Scheme I's residual on the same data: 348/13 */
    CHECK(build(&pl, 3, 4, p, &e, "construction=star", "b=3,2,1", NULL) == 0, "%s", e.msg);
    for (int i = 0; i < 3; i++) {
        f[i] = 0;
        for (int j = 0; j < 4; j++)
            f[i] += CODA_AT(&pl.G, i, j) * (j + 1);
    }
    resid = 0;
    for (unsigned mask = 0; mask < 8; mask++) {
        double g = 0, pr = 1;
        coda_decode_info info;
        decode_mask(&pl, f, mask, &g, &info, &e);
        for (int i = 0; i < 3; i++)
            pr *= mask >> i & 1 ? 1 - p[i] : p[i];
        resid += pr * (g - 10) * (g - 10);
    }
    CHECK(fabs(resid - 348.0 / 13) <= 1e-12, "Scheme I residual %.17g, want 348/13", resid);
    coda_plan_free(&pl);
}

static int count_nnz(const coda_plan *p)
{
    int nnz = 0;
    for (size_t k = 0; k < p->G.rows * p->G.cols; k++)
        nnz += p->G.data[k] != 0;
    return nnz;
}

/* §2.5: Algorithm 1's fixtures, p_i = 1/(1 + Y_i) giving the chosen Y (S = n) */
static void fixture_alg1(void)
{
    coda_err e;
    coda_plan pl;
    const double p1[] = {2.0 / 7, 2.0 / 5, 5.0 / 11, 5.0 / 9};
    const double want[] = {1, 1, .5, 0, 0, 0, 0, 0, .5, 1, 0, 0,
                           0, 0, 0,  0, 1, .2, 0, 0, 0, 0, 0, .8};
    CHECK(build(&pl, 4, 6, p1, &e, "construction=groups", NULL) == 0, "%s", e.msg);
    CHECK(same_alpha(&pl, want, 1e-14), "Algorithm 1 fixture 1: alpha differs");
    CHECK(count_nnz(&pl) == 8, "nnz %d, want 8", count_nnz(&pl));
    coda_meta fig = {0};
    long long o = 0;
    coda_plan_report(&pl, &fig, &e);
    coda_meta_get_long(&fig, "groups", &o, &e);
    CHECK(o == 2, "groups %lld, want 2", o);
    coda_meta_free(&fig);
    coda_plan_free(&pl);
    /* o = 4: {1}, {4}, {2,3}, {5,6} */
    const double Y2[] = {2, 1.3, 0.7, 1, 0.4, 0.6};
    double p2[6];
    for (int i = 0; i < 6; i++)
        p2[i] = 1 / (1 + Y2[i]);
    CHECK(build(&pl, 6, 6, p2, &e, "construction=groups", NULL) == 0, "%s", e.msg);
    CHECK(count_nnz(&pl) == 8, "fixture 2: nnz %d, want 8 (o = 4)", count_nnz(&pl));
    coda_plan_free(&pl);
    /* the case a greedy binary split misses: the DP finds o = 3, nnz = n + k - 3 */
    const double Y3[] = {1.5, 1.5, 1.25, 0.75, 1.25, 0.75};
    int group[6], og = 0, exact = 0;
    CHECK(coda_hetero_groups(Y3, 6, 7, 22, group, &og, &exact, &e) == 0 && exact && og == 3,
          "greedy-miss case: %d groups (exact %d), want 3", og, exact);
    int sums_ok = 1;
    for (int g = 0; g < og; g++) {
        double s = 0;
        for (int i = 0; i < 6; i++)
            s += group[i] == g ? Y3[i] : 0;
        sums_ok &= fabs(s - round(s)) <= 1e-12 && s >= 1;
    }
    CHECK(sums_ok, "greedy-miss case: a group's Y-sum is not an integer");
    double p3[6];
    for (int i = 0; i < 6; i++)
        p3[i] = 1 / (1 + Y3[i]);
    CHECK(build(&pl, 6, 7, p3, &e, "construction=groups", NULL) == 0, "%s", e.msg);
    CHECK(count_nnz(&pl) == 7 + 6 - 3, "greedy-miss case: nnz %d, want 10", count_nnz(&pl));
    coda_plan_free(&pl);
    /* the heuristic (dp-max 0) finds the pairs too */
    CHECK(coda_hetero_groups(Y3, 6, 7, 0, group, &og, &exact, &e) == 0 && !exact && og == 3,
          "heuristic: %d groups, want 3", og);
}

/* random p: sums, nnz, signs, the P3 optimum, and every responder pattern for k <= 14 */
static void random_codes(void)
{
    coda_err e;
    const char *cons[] = {"interval", "star", "chain", "groups", "dense", "tree"};
    const int ks[] = {3, 10, 100, 14};
    for (size_t ki = 0; ki < sizeof ks / sizeof ks[0]; ki++)
        for (int mult = 1; mult <= 3; mult++) {
            int k = ks[ki], n = mult * k;
            double *p = malloc((size_t)k * sizeof *p);
            coda_rng r;
            coda_rng_init(&r, 99, (uint64_t)(k * 10 + mult));
            for (int i = 0; i < k; i++) /* the paper's profile, tau_th = 1.5 */
                p[i] = exp(-(0.1 + 1.9 * coda_rng_uniform(&r)) * 0.5);
            double *Y = malloc((size_t)k * sizeof *Y), S;
            int deg;
            coda_hetero_optimum(p, k, n, Y, &S, &deg, &e);
            for (size_t c = 0; c < sizeof cons / sizeof cons[0]; c++) {
                char copt[64];
                snprintf(copt, sizeof copt, "construction=%s", cons[c]);
                coda_plan pl;
                int tree = strcmp(cons[c], "tree") == 0;
                char sopt[200];
                if (tree) { /* the interval rule's support, solved by peeling */
                    coda_plan iv;
                    build(&iv, k, n, p, &e, NULL);
                    snprintf(sopt, sizeof sopt, "support=%s/sup.csv", dir);
                    FILE *f = fopen(sopt + 8, "w");
                    for (int i = 0; f && i < k; i++)
                        for (int j = 0; j < n; j++)
                            fprintf(f, "%d%c", CODA_AT(&iv.G, i, j) != 0, j == n - 1 ? '\n' : ',');
                    if (f)
                        fclose(f);
                    coda_plan_free(&iv);
                }
                int rc = build(&pl, k, n, p, &e, copt, tree ? sopt : NULL, NULL);
                /* chain takes the interval rule's b only where its middle entries are >= 2 */
                if (rc < 0 && strcmp(cons[c], "chain") == 0 && strstr(e.msg, "-b"))
                    continue;
                CHECK(rc == 0, "%s k=%d n=%d: %s", cons[c], k, n, e.msg);
                if (rc < 0)
                    continue;
                double *wt = plan_doubles(&pl, "w_tilde"), worst_row = 0, worst_col = 0,
                       obj = 0, minal = INFINITY;
                for (int i = 0; i < k; i++) {
                    double s = 0;
                    for (int j = 0; j < n; j++) {
                        s += alpha(&pl, wt, i, j);
                        minal = fmin(minal, alpha(&pl, wt, i, j));
                    }
                    worst_row = fmax(worst_row, fabs(s - Y[i]));
                    obj += p[i] / (1 - p[i]) * s * s;
                }
                for (int j = 0; j < n; j++) {
                    double s = 0;
                    for (int i = 0; i < k; i++)
                        s += alpha(&pl, wt, i, j);
                    worst_col = fmax(worst_col, fabs(s - 1));
                }
                CHECK(worst_row <= 1e-12 * n && worst_col <= 1e-12 * n,
                      "%s k=%d n=%d: row sums off by %.3g, column sums by %.3g", cons[c], k, n,
                      worst_row, worst_col);
                CHECK(fabs(obj - (double)n * n / S) <= 1e-12 * n * n / S,
                      "%s k=%d n=%d: P3 objective %.17g, optimum %.17g", cons[c], k, n, obj,
                      (double)n * n / S);
                if (strcmp(cons[c], "dense") != 0)
                    CHECK(count_nnz(&pl) <= n + k - 1, "%s k=%d n=%d: nnz %d > n + k - 1",
                          cons[c], k, n, count_nnz(&pl));
                if (strcmp(cons[c], "interval") == 0 || strcmp(cons[c], "groups") == 0 ||
                    strcmp(cons[c], "dense") == 0 || tree)
                    CHECK(minal >= 0, "%s k=%d n=%d: negative entry %g", cons[c], k, n, minal);
                if (k <= 14) { /* all 2^k patterns: E[g_hat] = g, and the exact residual */
                    const int l = 2;
                    coda_mat gj;
                    test_randn(&gj, (size_t)n, l, 7, (uint64_t)k);
                    double *w = plan_doubles(&pl, "w"), *fi = calloc((size_t)k * l, sizeof *fi);
                    double g[2] = {0, 0}, Eg[2] = {0, 0}, err = 0, formula = 0;
                    for (int j = 0; j < n; j++)
                        for (int t = 0; t < l; t++)
                            g[t] += CODA_AT(&gj, j, t);
                    for (int i = 0; i < k; i++) {
                        double sa[2] = {0, 0};
                        for (int j = 0; j < n; j++)
                            for (int t = 0; t < l; t++) {
                                fi[i * l + t] += CODA_AT(&pl.G, i, j) * CODA_AT(&gj, j, t);
                                sa[t] += alpha(&pl, wt, i, j) * CODA_AT(&gj, j, t);
                            }
                        formula += p[i] / (1 - p[i]) * (sa[0] * sa[0] + sa[1] * sa[1]);
                    }
                    for (unsigned long mask = 0; mask < (1ul << k); mask++) {
                        double pr = 1, gh[2] = {0, 0};
                        for (int i = 0; i < k; i++) {
                            int on = mask >> i & 1;
                            pr *= on ? 1 - p[i] : p[i];
                            for (int t = 0; on && t < l; t++)
                                gh[t] += w[i] * fi[i * l + t];
                        }
                        for (int t = 0; t < l; t++) {
                            Eg[t] += pr * gh[t];
                            err += pr * (gh[t] - g[t]) * (gh[t] - g[t]);
                        }
                    }
                    double scale = fabs(g[0]) + fabs(g[1]) + coda_mat_fro(&gj) * n;
                    CHECK(fabs(Eg[0] - g[0]) <= 1e-12 * scale && fabs(Eg[1] - g[1]) <= 1e-12 * scale,
                          "%s k=%d n=%d: E[g_hat] = (%.17g, %.17g), g = (%.17g, %.17g)", cons[c],
                          k, n, Eg[0], Eg[1], g[0], g[1]);
                    CHECK(fabs(err - formula) <= 1e-10 * fmax(formula, 1),
                          "%s k=%d n=%d: E||g_hat - g||^2 = %.17g, formula %.17g", cons[c], k, n,
                          err, formula);
                    free(w), free(fi);
                    coda_mat_free(&gj);
                }
                free(wt);
                coda_plan_free(&pl);
            }
            free(p), free(Y);
        }
}

/* the decode is the same whatever w~: one, propensity, random */
static void wtilde_invariance(void)
{
    coda_err e;
    const int k = 8, n = 13;
    double p[8];
    coda_rng r;
    coda_rng_init(&r, 5, 5);
    for (int i = 0; i < k; i++)
        p[i] = 0.05 + 0.9 * coda_rng_uniform(&r);
    coda_mat gj;
    test_randn(&gj, (size_t)n, 1, 8, 8);
    double ref[256];
    const char *modes[] = {"wtilde=one", "wtilde=propensity", "wtilde=random"};
    const char *cons[] = {"construction=interval", "construction=star", "construction=dense"};
    for (int c = 0; c < 3; c++)
        for (int m = 0; m < 3; m++) {
            coda_plan pl;
            CHECK(build(&pl, k, n, p, &e, cons[c], modes[m], NULL) == 0, "%s", e.msg);
            double f[8];
            for (int i = 0; i < k; i++) {
                f[i] = 0;
                for (int j = 0; j < n; j++)
                    f[i] += CODA_AT(&pl.G, i, j) * gj.data[j];
            }
            /* round-off: a few ulps of the terms sum_i |w_i f_i| the decode adds */
            double *w = plan_doubles(&pl, "w"), terms = 0, worst = 0;
            for (int i = 0; i < k; i++)
                terms += fabs(w[i] * f[i]);
            free(w);
            for (unsigned mask = 0; mask < 256; mask++) {
                double g = 0;
                coda_decode_info info;
                decode_mask(&pl, f, mask, &g, &info, &e);
                if (m == 0)
                    ref[mask] = g;
                else
                    worst = fmax(worst, fabs(g - ref[mask]) / terms);
            }
            CHECK(worst <= 64 * 2.2e-16, "%s %s: g_hat differs from w~ = 1 by %.3g of its terms", cons[c],
                  modes[m], worst);
            coda_plan_free(&pl);
        }
    coda_mat_free(&gj);
}

/* degenerate p, and bad input: one line naming the value */
static void edges(void)
{
    coda_err e;
    coda_plan pl;
    const double pz[] = {0.5, 0, 1, 0};
    CHECK(build(&pl, 4, 6, pz, &e, NULL) == 0, "%s", e.msg);
    double *wt = plan_doubles(&pl, "w_tilde"), *w = plan_doubles(&pl, "w");
    double rows[4] = {0};
    for (int i = 0; i < 4; i++)
        for (int j = 0; j < 6; j++)
            rows[i] += alpha(&pl, wt, i, j);
    CHECK(rows[0] == 0 && rows[2] == 0 && fabs(rows[1] - 3) <= 1e-15 && fabs(rows[3] - 3) <= 1e-15,
          "p = 0 workers share n: rows %g %g %g %g", rows[0], rows[1], rows[2], rows[3]);
    CHECK(w[2] == 0, "p = 1: w = %g, want 0", w[2]);
    coda_meta fig = {0};
    coda_plan_report(&pl, &fig, &e);
    CHECK(coda_meta_get(&fig, "warning") && strstr(coda_meta_get(&fig, "warning"), "p = 0"),
          "no warning for degenerate p");
    coda_meta_free(&fig);
    free(wt), free(w);
    coda_plan_free(&pl);
    const double pone[] = {0.5, 1, 0.25};
    CHECK(build(&pl, 3, 4, pone, &e, NULL) == 0, "%s", e.msg);
    CHECK(CODA_AT(&pl.G, 1, 0) == 0 && CODA_AT(&pl.G, 1, 3) == 0, "p = 1 worker holds data");
    coda_plan_free(&pl);
    struct {
        const double *p;
        int k, n;
        const char *opt, *opt2, *msg;
    } bad[] = {
        {(const double[]){0.5, 1.5, 0.2}, 3, 4, NULL, NULL, "1.5"},
        {(const double[]){0.5, -0.1, 0.2}, 3, 4, NULL, NULL, "-0.1"},
        {(const double[]){1, 1, 1}, 3, 4, NULL, NULL, "every straggling probability is 1"},
        {(const double[]){0.1, 0.2, 0.3}, 3, 4, "b=3,3,1", NULL, "sums to 7"},
        {(const double[]){0.1, 0.2, 0.3, 0.4}, 4, 5, "b=3,1,2,2", NULL, "b_2 = 1"},
        {(const double[]){0.1, 0.2, 0.3}, 3, 4, "b=3,2", NULL, "2 entries"},
        {(const double[]){0.1, 0.2, 0.3}, 3, 4, "construction=fancy", NULL, "fancy"},
        {(const double[]){0.1, 0.2, 0.3}, 3, 4, "wtilde=two", NULL, "two"},
        {(const double[]){0.1, 0.2, 0.3}, 3, 4, "construction=interval", "b=2,2,2", "-b is for"},
        {NULL, 3, 4, "psi-range=0.1,2", NULL, "--deadline"},
        {NULL, 3, 4, "deadline=0.5", "psi-range=0.1,2", "0.5"},
    };
    for (size_t c = 0; c < sizeof bad / sizeof bad[0]; c++) {
        e.msg[0] = 0;
        int rc = build(&pl, bad[c].k, bad[c].n, bad[c].p, &e, bad[c].opt ? bad[c].opt : bad[c].opt2,
                       bad[c].opt ? bad[c].opt2 : NULL, NULL);
        CHECK(rc < 0 && strstr(e.msg, bad[c].msg) && !strchr(e.msg, '\n'),
              "bad input %zu: rc %d, message '%s' lacks '%s'", c, rc, e.msg, bad[c].msg);
        if (rc == 0)
            coda_plan_free(&pl);
    }
    /* a count that differs from N */
    const double p3[] = {0.1, 0.2, 0.3};
    coda_meta opts = {0};
    coda_meta_set(&opts, "straggle-probs", write_col("short.csv", p3, 3), &e);
    coda_scheme_args a = {.N = 4, .K = 4, .op = "grad", .seed = 1, .opts = &opts};
    CHECK(coda_plan_build(&pl, "hetero", &a, 0, &e) < 0 && strstr(e.msg, "3 values for N = 4"),
          "count: %s", e.msg);
    coda_meta_free(&opts);
    /* psi and a deadline (eq. 23), and the empty responder set's zero of the plan's shape */
    coda_meta_set(&opts, "psi-range", "0.1,2", &e);
    coda_meta_set(&opts, "deadline", "1.1", &e);
    a.N = 10, a.K = 10;
    CHECK(coda_plan_build(&pl, "hetero", &a, 40, &e) == 0, "%s", e.msg);
    double *p = plan_doubles(&pl, "straggle_probs");
    int in_range = 1;
    for (int i = 0; i < 10; i++)
        in_range &= p[i] >= exp(-2 * 0.1) - 1e-15 && p[i] <= exp(-0.1 * 0.1) + 1e-15;
    CHECK(in_range, "p from psi ~ U(0.1, 2), tau 1.1 outside [e^-0.2, e^-0.01]");
    free(p);
    coda_plan_set_shape(&pl, 3, 1, &e);
    coda_mat out;
    coda_decode_info info;
    CHECK(coda_decode(&pl, NULL, 0, &out, &info, &e) == 0 && info.status == CODA_DECODED_EMPTY &&
              out.rows == 3 && out.cols == 1 && coda_mat_fro(&out) == 0,
          "empty responder set: %s", e.msg);
    coda_mat_free(&out);
    coda_plan_free(&pl);
    coda_meta_free(&opts);
}

int main(void)
{
    snprintf(dir, sizeof dir, "/tmp/coda-hetero-XXXXXX");
    if (!mkdtemp(dir))
        return 1;
    fixture_211();
    fixture_alg1();
    random_codes();
    wtilde_invariance();
    edges();
    char cmd[128];
    snprintf(cmd, sizeof cmd, "rm -rf %s", dir);
    if (system(cmd) != 0)
        printf("could not remove %s\n", dir);
    return check_summary();
}
