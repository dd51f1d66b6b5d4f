/* is-sgd: the ignore-stragglers baseline of papers/hetero-gc.txt (App. D, spec §2.10): disjoint
 * equal batches of n/k partitions (k must divide n), a = 1, load d = 1, and the master sums
 * whatever arrived, w = 1 ("update with g_1 + g_2", Fig. 1(a)). Biased: partition j counts with
 * weight 1 - p_i. --rescale multiplies by k / (responders), off by default as in the spec. */
#include <stdio.h>
#include <stdlib.h>

#include "weighted.h"

static int build(coda_plan *p, const coda_scheme_args *a, coda_err *e)
{
    int k = p->N, n = a->K > 0 ? a->K : k;
    if (n % k)
        return coda_failc(e, CODA_E_USAGE, "is-sgd needs the workers to divide the partitions "
                          "(N = %d, K = %d)", k, n);
    p->K = n;
    double *w = malloc((size_t)k * sizeof *w);
    if (!w || coda_mat_alloc(&p->G, (size_t)k, (size_t)n, e) < 0) {
        free(w);
        return w ? -1 : coda_fail_oom(e);
    }
    for (int i = 0; i < k; i++) {
        w[i] = 1;
        for (int j = i * (n / k); j < (i + 1) * (n / k); j++)
            CODA_AT(&p->G, i, j) = 1;
    }
    int rc = coda_baseline_finish(p, w, e);
    free(w);
    return rc;
}

static int decode(const coda_plan *p, const coda_frame *res, size_t n, const coda_meta *opts,
                  coda_mat *out, coda_decode_info *info, coda_err *e)
{
    int rc = coda_decode_weighted(p, res, n, opts, out, info, e);
    if (rc == 0 && opts && coda_meta_get(opts, "rescale") && info->responders > 0) {
        double s = (double)p->N / info->responders;
        for (size_t k = 0; k < out->rows * out->cols; k++)
            out->data[k] *= s;
    }
    return rc;
}

static const coda_scheme_option options[] = {
    {"rescale", 0, NULL, "is-sgd: scale the sum by N / responders (coda-decode)", 1},
    {NULL, 0, NULL, NULL, 0}};

const coda_scheme coda_scheme_is_sgd = {
    .name = "is-sgd",
    .summary = "ignore stragglers (baseline of [hetero-gc]): disjoint batches, sum of what "
               "arrived (biased)",
    .caps = CODA_CAP_SUMS | CODA_CAP_APPROX | CODA_CAP_ANY,
    .options = options,
    .build = build,
    .encode = coda_encode_g,
    .decode = decode,
    .prepare = coda_weighted_prepare,
    .free = coda_weighted_free,
    .report = coda_weighted_report_load,
};
