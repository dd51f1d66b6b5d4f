/* sgc-het: stochastic gradient coding (Bitar et al.) as papers/hetero-gc.txt modified it
 * (spec §2.10): each partition on d distinct workers drawn uniformly, a_ij = 1/(d_j (1 - p_i)),
 * w = 1. Unbiased (alpha's columns sum to 1), but its rows do not sum to the optimal Y_i, so
 * its residual bound sum_i delta_i (sum_j alpha_ij)^2 is above n^2/S; the report gives both. */
#include <math.h>
#include <stdlib.h>

#include "../core/rng.h"
#include "hetero.h"
#include "weighted.h"

static int build(coda_plan *p, const coda_scheme_args *a, coda_err *e)
{
    int k = p->N, n = a->K > 0 ? a->K : k, d, rc = 0;
    if (coda_baseline_replication(a, k, &d, e) < 0)
        return -1;
    double *prob = malloc((size_t)k * sizeof *prob), *w = malloc((size_t)k * sizeof *w);
    size_t *perm = malloc((size_t)k * sizeof *perm);
    const char *source = NULL;
    if (!prob || !w || !perm)
        rc = coda_fail_oom(e);
    if (rc == 0)
        rc = coda_hetero_probs("sgc-het", a, k, prob, &source, e);
    for (int i = 0; i < k && rc == 0; i++)
        if (prob[i] == 1)
            rc = coda_failc(e, source ? CODA_E_IO : CODA_E_USAGE, "%s%sworker %d has p = 1: "
                            "sgc-het divides by 1 - p", source ? source : "", source ? ": " : "",
                            i);
    p->K = n;
    if (rc == 0)
        rc = coda_mat_alloc(&p->G, (size_t)k, (size_t)n, e);
    for (int j = 0; j < n && rc == 0; j++) {
        coda_rng r;
        coda_rng_seed(&r, a->seed, CODA_RNG_BASELINE, 3, (uint64_t)j);
        for (int i = 0; i < k; i++)
            perm[i] = (size_t)i;
        coda_rng_shuffle(&r, perm, (size_t)k, (size_t)d);
        for (int t = 0; t < d; t++)
            CODA_AT(&p->G, perm[t], j) = 1.0 / (d * (1 - prob[perm[t]]));
    }
    for (int i = 0; i < k && rc == 0; i++)
        w[i] = 1;
    if (rc == 0)
        rc = coda_baseline_finish(p, w, e) < 0 ||
                     coda_meta_set_doubles(&p->extra, "straggle_probs", prob, (size_t)k, e) < 0
                 ? -1
                 : 0;
    free(prob), free(w), free(perm);
    return rc;
}

/* load, and the P3 objective against the optimum n^2/S of the same p */
static int report(const coda_plan *p, coda_meta *fig, coda_err *e)
{
    double *prob = NULL, obj = 0, S = 0;
    size_t np = 0;
    if (coda_weighted_report_load(p, fig, e) < 0 ||
        coda_meta_get_doubles(&p->extra, "straggle_probs", &prob, &np, e) < 0)
        return -1;
    for (size_t i = 0; i < np && i < (size_t)p->N; i++) {
        double row = 0;
        for (int j = 0; j < p->K; j++)
            row += (1 - prob[i]) * CODA_AT(&p->G, i, j);
        if (prob[i] > 0)
            obj += prob[i] / (1 - prob[i]) * row * row;
        S += prob[i] > 0 ? (1 - prob[i]) / prob[i] : INFINITY;
    }
    free(prob);
    return coda_meta_set_double(fig, "bound", obj, e) < 0 ||
                   coda_meta_set_double(fig, "optimum_n2_over_S",
                                        isinf(S) ? 0 : (double)p->K * p->K / S, e) < 0
               ? -1
               : 0;
}

static const coda_scheme_option options[] = {
    CODA_BASELINE_REPLICATION_OPTION,
    {"straggle-probs", 0, "FILE", "each worker's straggling probability p_i (a column of N)", 0},
    {"psi", 0, "FILE", "each worker's latency rate psi_i: p_i = exp(-psi_i (T - 1)) with "
                       "--deadline T (eq. 23)", 0},
    {"psi-range", 0, "LO,HI", "psi_i ~ U(LO, HI) drawn with --seed (the paper: 0.1,2), with "
                              "--deadline", 0},
    {"p-range", 0, "LO,HI", "p_i ~ U(LO, HI) drawn with --seed", 0},
    {"deadline", 0, "T", "the response deadline tau_th >= 1 of --psi and --psi-range", 0},
    {NULL, 0, NULL, NULL, 0}};

const coda_scheme coda_scheme_sgc_het = {
    .name = "sgc-het",
    .summary = "stochastic gradient coding as modified by [hetero-gc]: random d-subsets, "
               "a = 1/(d (1 - p)), w = 1 (unbiased)",
    .caps = CODA_CAP_SUMS | CODA_CAP_APPROX | CODA_CAP_ANY | CODA_CAP_UNBIASED,
    .options = options,
    .build = build,
    .encode = coda_encode_g,
    .decode = coda_decode_weighted,
    .prepare = coda_weighted_prepare,
    .free = coda_weighted_free,
    .report = report,
};
