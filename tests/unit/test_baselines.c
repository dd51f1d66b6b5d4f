/* The baselines of papers/hetero-gc.txt (spec §2.10) as their decoders define them, on scalar
 * partial gradients g_j (results 1 x 1, so every decode is a known combination): is-sgd sums
 * what arrived, ehd takes the first arrival of each group (or sums all), od's min-norm
 * weights make sum_R w_i a_i = 1 when the responders cover the partitions, sgc-het is unbiased
 * (all 2^k patterns enumerated), and Tandon et al.'s exact code of Fig. 1(b) decodes from any
 * two workers with the weights the spec lists. */
#include <math.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>

#include "../../lib/codes/scheme.h"
#include "../../lib/core/rng.h"
#include "check.h"
#include "helpers.h"

static int build(coda_plan *p, const char *scheme, int k, int n, const char *k1, const char *v1)
{
    coda_err e;
    coda_meta opts = {0};
    if (k1)
        coda_meta_set(&opts, k1, v1, &e);
    coda_scheme_args a = {.N = k, .K = n, .op = "grad", .seed = 9, .opts = &opts};
    int rc = coda_plan_build(p, scheme, &a, 0, &e);
    if (rc < 0)
        printf("  %s: %s\n", scheme, e.msg);
    else
        coda_plan_set_shape(p, 1, 1, &e);
    coda_meta_free(&opts);
    return rc;
}

/* f_i = sum_j G_ij g_j for the workers in `order` (arrival order), decoded */
static double decode_order(const coda_plan *p, const double *g, const int *order, int r,
                           const coda_meta *opts, coda_decode_info *info, int *ok)
{
    coda_err e;
    coda_frame_list res = {0};
    for (int t = 0; t < r; t++) {
        coda_frame f;
        coda_frame_init(&f, CODA_RESULT);
        f.tag[CODA_TAG_WORKER] = order[t];
        f.tag[CODA_TAG_BLOCK] = -1;
        coda_mat_alloc(&f.mat, 1, 1, &e);
        for (int j = 0; j < p->K; j++)
            f.mat.data[0] += CODA_AT(&p->G, order[t], j) * g[j];
        coda_frame_list_push(&res, &f, &e);
    }
    coda_mat out = {0};
    *ok = coda_decode_with(p, res.f, res.n, opts, &out, info, &e) == 0;
    if (!*ok)
        printf("  decode: %s\n", e.msg);
    double v = *ok ? out.data[0] : NAN;
    coda_mat_free(&out);
    coda_frame_list_free(&res);
    return v;
}

static void is_sgd(void)
{
    coda_plan p;
    double g[8];
    for (int j = 0; j < 8; j++)
        g[j] = j + 1;
    CHECK(build(&p, "is-sgd", 4, 8, NULL, NULL) == 0, "is-sgd");
    int order[] = {2, 0}, ok;
    coda_decode_info info;
    double v = decode_order(&p, g, order, 2, NULL, &info, &ok);
    CHECK(ok && v == (1 + 2) + (5 + 6), "is-sgd: workers 0 and 2 sum to 14, got %g", v);
    coda_meta opts = {0};
    coda_meta_set(&opts, "rescale", "1", NULL);
    v = decode_order(&p, g, order, 2, &opts, &info, &ok);
    CHECK(ok && v == 2 * 14, "is-sgd --rescale: N/responders x 14 = 28, got %g", v);
    coda_meta_free(&opts);
    v = decode_order(&p, g, order, 0, NULL, &info, &ok);
    CHECK(ok && v == 0 && info.status == CODA_DECODED_EMPTY, "is-sgd: nobody: %g", v);
    coda_plan_free(&p);
    CHECK(build(&p, "is-sgd", 3, 8, NULL, NULL) < 0, "is-sgd with 3 not dividing 8");
}

static void ehd(void)
{
    coda_plan p;
    double g[6] = {1, 2, 4, 8, 16, 32};
    CHECK(build(&p, "ehd", 6, 6, NULL, NULL) == 0, "ehd"); /* groups {0,1} {2,3} {4,5} */
    int order[] = {3, 1, 0, 2, 5}, ok;
    coda_decode_info info;
    double v = decode_order(&p, g, order, 5, NULL, &info, &ok);
    CHECK(ok && v == 63 && info.used == 3, "ehd first-per-group: all groups once: %g (used %d)",
          v, info.used);
    int missing[] = {1, 0, 2}; /* group {4,5} silent: its partitions 4, 5 lost */
    v = decode_order(&p, g, missing, 3, NULL, &info, &ok);
    CHECK(ok && v == 1 + 2 + 4 + 8, "ehd: a silent group loses its partitions: %g", v);
    coda_meta opts = {0};
    coda_meta_set(&opts, "ehd-decoder", "sum", NULL);
    v = decode_order(&p, g, order, 5, &opts, &info, &ok);
    CHECK(ok && v == 2 * (1 + 2 + 4 + 8) + 16 + 32, "ehd --ehd-decoder sum (w = 1): %g", v);
    coda_meta_free(&opts);
    coda_plan_free(&p);
    CHECK(build(&p, "ehd", 6, 4, NULL, NULL) < 0, "ehd with 3 groups not dividing 4");
}

static void od(void)
{
    coda_plan p;
    const int k = 10, n = 20, d = 3;
    CHECK(build(&p, "od", k, n, "replication", "3") == 0, "od");
    int biregular = 1;
    for (int i = 0; i < k; i++) {
        double s = 0;
        for (int j = 0; j < n; j++) {
            s += CODA_AT(&p.G, i, j);
            biregular &= CODA_AT(&p.G, i, j) == 0 || CODA_AT(&p.G, i, j) == 1;
        }
        biregular &= s == n * d / k;
    }
    for (int j = 0; j < n; j++) {
        double s = 0;
        for (int i = 0; i < k; i++)
            s += CODA_AT(&p.G, i, j);
        biregular &= s == d;
    }
    CHECK(biregular, "od: not a simple (%d, %d)-biregular 0/1 graph", n * d / k, d);
    double g[20];
    coda_mat gm;
    test_randn(&gm, 20, 1, 4, 4);
    memcpy(g, gm.data, sizeof g);
    coda_mat_free(&gm);
    double sum = 0, scale = 0;
    for (int j = 0; j < n; j++)
        sum += g[j], scale += fabs(g[j]);
    int all[10], ok;
    for (int i = 0; i < k; i++)
        all[i] = i;
    coda_decode_info info;
    /* everyone: w = 1/d solves A^T w = 1 exactly, so the min-norm decode is the gradient */
    double v = decode_order(&p, g, all, k, NULL, &info, &ok);
    CHECK(ok && fabs(v - sum) <= 1e3 * 2.2e-16 * info.cond * scale, "od, all responders: %.17g, "
          "g = %.17g", v, sum);
    coda_plan_free(&p);
}

static void sgc_het(void)
{
    coda_plan p;
    const int k = 8, n = 12;
    CHECK(build(&p, "sgc-het", k, n, "p-range", "0.2,0.9") == 0, "sgc-het");
    double *prob = NULL;
    size_t np;
    coda_meta_get_doubles(&p.extra, "straggle_probs", &prob, &np, NULL);
    double g[12], sum = 0, scale = 0, mean = 0;
    for (int j = 0; j < n; j++)
        g[j] = sin(j + 1.0), sum += g[j], scale += fabs(g[j]);
    int worst_col = 0;
    for (int j = 0; j < n; j++) { /* alpha = (1 - p_i) a_ij: columns sum to 1 */
        double s = 0;
        for (int i = 0; i < k; i++)
            s += (1 - prob[i]) * CODA_AT(&p.G, i, j);
        worst_col |= fabs(s - 1) > 1e-14;
    }
    CHECK(!worst_col, "sgc-het: a column of alpha does not sum to 1");
    for (unsigned mask = 0; mask < (1u << k); mask++) {
        int order[8], r = 0, ok;
        double pr = 1;
        for (int i = 0; i < k; i++) {
            if (mask >> i & 1)
                order[r++] = i;
            pr *= mask >> i & 1 ? 1 - prob[i] : prob[i];
        }
        coda_decode_info info;
        mean += pr * decode_order(&p, g, order, r, NULL, &info, &ok);
    }
    CHECK(fabs(mean - sum) <= 1e-13 * scale * 10, "sgc-het: E[g_hat] = %.17g, g = %.17g", mean,
          sum);
    coda_meta fig = {0};
    coda_err e;
    double bound = 0, opt = 0;
    CHECK(coda_plan_report(&p, &fig, &e) == 0 && coda_meta_get_double(&fig, "bound", &bound, &e) == 0 &&
              coda_meta_get_double(&fig, "optimum_n2_over_S", &opt, &e) == 0 &&
              bound >= opt * (1 - 1e-12),
          "sgc-het: its bound %g is below the optimum %g", bound, opt);
    coda_meta_free(&fig);
    free(prob);
    coda_plan_free(&p);
}

/* Fig. 1(b): k = n = 3, A = [[1/2, 1, 0], [0, 1, -1], [1/2, 0, 1]], any one straggler */
static void tandon(void)
{
    coda_err e;
    coda_mat G;
    coda_mat_alloc(&G, 3, 3, &e);
    const double A[3][3] = {{0.5, 1, 0}, {0, 1, -1}, {0.5, 0, 1}};
    for (int i = 0; i < 3; i++)
        for (int j = 0; j < 3; j++)
            CODA_AT(&G, i, j) = A[i][j];
    coda_scheme_args a = {.N = 3, .s = 1, .op = "grad", .seed = 1};
    coda_plan p;
    CHECK(coda_plan_from_assignment(&p, &G, &a, 3, &e) == 0, "Fig. 1(b): %s", e.msg);
    coda_plan_set_shape(&p, 1, 1, &e);
    const double g[3] = {3, 5, 7};
    const double w[3][3] = {{0, 1, 2}, {1, 0, 1}, {2, -1, 0}}; /* worker s straggles */
    for (int s = 0; s < 3; s++) {
        int order[2], r = 0, ok;
        for (int i = 0; i < 3; i++)
            if (i != s)
                order[r++] = i;
        coda_decode_info info;
        double v = decode_order(&p, g, order, 2, NULL, &info, &ok);
        CHECK(ok && fabs(v - 15) <= 1e-13, "Fig. 1(b), worker %d straggles: %g, want 15", s, v);
        double spec = 0; /* the spec's decoding vector */
        for (int i = 0; i < 3; i++) {
            double f = 0;
            for (int j = 0; j < 3; j++)
                f += A[i][j] * g[j];
            spec += w[s][i] * f;
        }
        CHECK(spec == 15, "Fig. 1(b): the spec's w for straggler %d gives %g", s, spec);
    }
    coda_plan_free(&p);
    coda_mat_free(&G);
}

int main(void)
{
    is_sgd();
    ehd();
    od();
    sgc_het();
    tandon();
    coda_plan p;
    CHECK(build(&p, "bgc", 10, 20, "replication", "2") == 0, "bgc");
    int binary = 1;
    for (size_t k = 0; k < p.G.rows * p.G.cols; k++)
        binary &= p.G.data[k] == 0 || p.G.data[k] == 1;
    CHECK(binary, "bgc: entries not 0/1");
    coda_plan q;
    build(&q, "bgc", 10, 20, "replication", "2");
    CHECK(memcmp(p.G.data, q.G.data, 200 * sizeof(double)) == 0, "bgc: same seed, other G");
    coda_plan_free(&p), coda_plan_free(&q);
    return check_summary();
}
