/* od: optimal decoding (Glasgow and Wootters; baseline of papers/hetero-gc.txt, spec §2.10):
 * a 0/1 assignment from a random biregular bipartite graph (each partition on d workers, each
 * worker on n d / k partitions: k must divide n d), drawn by the configuration model with
 * multi-edges repaired by random swaps; each round the master takes the minimum-norm
 * w_R = argmin ||A_R^T w - 1_n||_2 (LAPACK dgelsd) and returns sum_R w_i f_i. Biased. */
#include <float.h>
#include <lapacke.h>
#include <math.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>

#include "../core/rng.h"
#include "weighted.h"

static int build(coda_plan *p, const coda_scheme_args *a, coda_err *e)
{
    int k = p->N, n = a->K > 0 ? a->K : k, d;
    if (coda_baseline_replication(a, k, &d, e) < 0)
        return -1;
    if (((long)n * d) % k || (long)n * d / k > n)
        return coda_failc(e, CODA_E_USAGE, "od needs N to divide K d (N = %d, K = %d, d = %d)", k,
                          n, d);
    size_t stubs = (size_t)n * (size_t)d;
    int per = (int)(stubs / (size_t)k);
    p->K = n;
    int *part = malloc(stubs * sizeof *part), rc = 0;
    size_t *perm = malloc(stubs * sizeof *perm);
    double *w = malloc((size_t)k * sizeof *w);
    if (!part || !perm || !w || coda_mat_alloc(&p->G, (size_t)k, (size_t)n, e) < 0)
        rc = part && perm && w ? -1 : coda_fail_oom(e);
    coda_rng r;
    coda_rng_seed(&r, a->seed, CODA_RNG_BASELINE, 2, 0);
    if (rc == 0) { /* stub s belongs to worker s / per; its partition is a shuffled stub's */
        for (size_t s = 0; s < stubs; s++)
            perm[s] = s;
        coda_rng_shuffle(&r, perm, stubs, stubs);
        for (size_t s = 0; s < stubs; s++)
            part[s] = (int)(perm[s] / (size_t)d);
        for (size_t s = 0; s < stubs; s++)
            CODA_AT(&p->G, s / (size_t)per, part[s]) += 1;
    }
    /* repair: move a repeated edge's partition to a stub where the swap makes no new repeat */
    size_t budget = 1000 * stubs + 1000;
    for (size_t s = 0; s < stubs && rc == 0; s++) {
        int ws = (int)(s / (size_t)per);
        while (CODA_AT(&p->G, ws, part[s]) > 1 && budget--) {
            size_t t = coda_rng_below(&r, stubs);
            int wt = (int)(t / (size_t)per);
            if (wt == ws || CODA_AT(&p->G, ws, part[t]) != 0 || CODA_AT(&p->G, wt, part[s]) != 0)
                continue;
            CODA_AT(&p->G, ws, part[s]) -= 1, CODA_AT(&p->G, wt, part[t]) -= 1;
            int tmp = part[s];
            part[s] = part[t], part[t] = tmp;
            CODA_AT(&p->G, ws, part[s]) += 1, CODA_AT(&p->G, wt, part[t]) += 1;
        }
        if (CODA_AT(&p->G, ws, part[s]) > 1)
            rc = coda_failc(e, CODA_E_USAGE, "od: no simple biregular graph found for N = %d, "
                            "K = %d, d = %d (try another --seed)", k, n, d);
    }
    for (int i = 0; i < k && rc == 0; i++)
        w[i] = 1; /* unused by the decoder; kept so that the plan says what a plain sum means */
    if (rc == 0)
        rc = coda_baseline_finish(p, w, e);
    free(part), free(perm), free(w);
    return rc;
}

static int decode(const coda_plan *p, const coda_frame *res, size_t n, const coda_meta *opts,
                  coda_mat *out, coda_decode_info *info, coda_err *e)
{
    (void)opts;
    memset(info, 0, sizeof *info);
    memset(out, 0, sizeof *out);
    const coda_frame **use = NULL;
    size_t nu = 0;
    if (coda_results_collect(p, res, n, &use, &nu, e) < 0)
        return -1;
    size_t K = (size_t)p->K, ld = K > nu ? K : nu;
    double *A = malloc((K * (nu ? nu : 1)) * sizeof *A), *b = malloc(ld * sizeof *b),
           *sv = malloc((ld ? ld : 1) * sizeof *sv), *c = calloc((size_t)p->N, sizeof *c);
    int rc = A && b && sv && c ? 0 : coda_fail_oom(e);
    if (rc == 0 && nu) { /* A_R^T: column k is responder k's row of G */
        for (size_t k = 0; k < nu; k++)
            for (size_t j = 0; j < K; j++)
                A[k * K + j] = CODA_AT(&p->G, use[k]->tag[CODA_TAG_WORKER], j);
        for (size_t j = 0; j < ld; j++)
            b[j] = j < K ? 1 : 0;
        lapack_int rank;
        if (LAPACKE_dgelsd(LAPACK_COL_MAJOR, (lapack_int)K, (lapack_int)nu, 1, A, (lapack_int)K,
                           b, (lapack_int)ld, sv, 256 * DBL_EPSILON * (double)ld, &rank) != 0)
            rc = coda_failc(e, CODA_E_NUMERIC, "od: the least-squares decode failed");
        info->cond = rc == 0 && rank > 0 ? sv[0] / sv[rank - 1] : 1;
        for (size_t k = 0; k < nu && rc == 0; k++)
            c[use[k]->tag[CODA_TAG_WORKER]] = b[k];
    }
    double cond = info->cond;
    snprintf(info->method, sizeof info->method, "min-norm");
    if (rc == 0)
        rc = coda_weighted_sum(p, use, nu, c, out, info, e);
    if (nu)
        info->cond = cond;
    free(use), free(A), free(b), free(sv), free(c);
    return rc;
}

static const coda_scheme_option options[] = {
    CODA_BASELINE_REPLICATION_OPTION,
    {NULL, 0, NULL, NULL, 0}};

const coda_scheme coda_scheme_od = {
    .name = "od",
    .summary = "optimal decoding (baseline of [hetero-gc]): random biregular 0/1 code, "
               "min-norm weights per round",
    .caps = CODA_CAP_SUMS | CODA_CAP_APPROX | CODA_CAP_ANY,
    .options = options,
    .build = build,
    .encode = coda_encode_g,
    .decode = decode,
    .report = coda_weighted_report_load,
};
