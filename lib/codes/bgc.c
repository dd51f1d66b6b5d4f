/* bgc: Bernoulli gradient code (Charles et al.; baseline of papers/hetero-gc.txt, spec §2.10):
 * a_ij ~ Bernoulli(d/k) independently (seeded), w = 1. Biased; a partition nobody drew is lost. */
#include <stdlib.h>

#include "../core/rng.h"
#include "weighted.h"

static int build(coda_plan *p, const coda_scheme_args *a, coda_err *e)
{
    int k = p->N, n = a->K > 0 ? a->K : k, d;
    if (coda_baseline_replication(a, k, &d, e) < 0)
        return -1;
    p->K = n;
    double *w = malloc((size_t)k * sizeof *w);
    if (!w || coda_mat_alloc(&p->G, (size_t)k, (size_t)n, e) < 0) {
        free(w);
        return w ? -1 : coda_fail_oom(e);
    }
    for (int i = 0; i < k; i++) {
        coda_rng r;
        coda_rng_seed(&r, a->seed, CODA_RNG_BASELINE, 1, (uint64_t)i);
        w[i] = 1;
        for (int j = 0; j < n; j++)
            CODA_AT(&p->G, i, j) = coda_rng_uniform(&r) < (double)d / k;
    }
    int rc = coda_baseline_finish(p, w, e);
    free(w);
    return rc;
}

static const coda_scheme_option options[] = {
    CODA_BASELINE_REPLICATION_OPTION,
    {NULL, 0, NULL, NULL, 0}};

const coda_scheme coda_scheme_bgc = {
    .name = "bgc",
    .summary = "Bernoulli gradient code (baseline of [hetero-gc]): a_ij ~ Bernoulli(d/N), w = 1",
    .caps = CODA_CAP_SUMS | CODA_CAP_APPROX | CODA_CAP_ANY,
    .options = options,
    .build = build,
    .encode = coda_encode_g,
    .decode = coda_decode_weighted,
    .prepare = coda_weighted_prepare,
    .free = coda_weighted_free,
    .report = coda_weighted_report_load,
};
