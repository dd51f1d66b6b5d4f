/* ehd: ERASUREHEAD (baseline of papers/hetero-gc.txt, spec §2.10): a fractional repetition code,
 * k/d groups of d consecutive workers, each group holding the same n d / k partitions (d must
 * divide k, and k/d divide n), a = 1. Decode: ErasureHead's first responder of each group (in
 * arrival order; default), or the paper's literal w = 1 for all (--ehd-decoder sum). Biased. */
#include <stdio.h>
#include <stdlib.h>
#include <string.h>

#include "weighted.h"

static int build(coda_plan *p, const coda_scheme_args *a, coda_err *e)
{
    int k = p->N, n = a->K > 0 ? a->K : k, d;
    if (coda_baseline_replication(a, k, &d, e) < 0)
        return -1;
    if (k % d || n % (k / d))
        return coda_failc(e, CODA_E_USAGE, "ehd needs the replication to divide N and N/d to "
                          "divide K (N = %d, d = %d, K = %d)", k, d, n);
    int per = n / (k / d);
    p->K = n;
    double *w = malloc((size_t)k * sizeof *w);
    if (!w || coda_mat_alloc(&p->G, (size_t)k, (size_t)n, e) < 0) {
        free(w);
        return w ? -1 : coda_fail_oom(e);
    }
    for (int i = 0; i < k; i++) {
        w[i] = 1;
        int g = i / d;
        for (int j = g * per; j < (g + 1) * per; j++)
            CODA_AT(&p->G, i, j) = 1;
    }
    int rc = coda_baseline_finish(p, w, e) < 0 ? -1 : coda_meta_set_long(&p->extra, "group", d, e);
    free(w);
    return rc;
}

static int decode(const coda_plan *p, const coda_frame *res, size_t n, const coda_meta *opts,
                  coda_mat *out, coda_decode_info *info, coda_err *e)
{
    const char *how = opts ? coda_meta_get(opts, "ehd-decoder") : NULL;
    if (how && strcmp(how, "first") && strcmp(how, "sum"))
        return coda_failc(e, CODA_E_USAGE, "ehd: --ehd-decoder '%s' (first or sum)", how);
    if (how && strcmp(how, "sum") == 0)
        return coda_decode_weighted(p, res, n, opts, out, info, e);
    memset(info, 0, sizeof *info);
    memset(out, 0, sizeof *out);
    long long d = 0;
    if (coda_meta_get_long(&p->extra, "group", &d, e) < 0 || d < 1 || d > p->N)
        return coda_fail(e, "ehd plan: group size %lld out of range", d);
    const coda_frame **use = NULL;
    size_t nu = 0;
    double *c = calloc((size_t)p->N, sizeof *c);
    char *taken = calloc((size_t)p->N, 1);
    int rc = c && taken ? coda_results_collect(p, res, n, &use, &nu, e) : coda_fail_oom(e);
    for (size_t k = 0; k < nu && rc == 0; k++) { /* the first arrival of each group */
        int wk = (int)use[k]->tag[CODA_TAG_WORKER], g = wk / (int)d;
        if (!taken[g]) {
            taken[g] = 1;
            c[wk] = 1;
        }
    }
    snprintf(info->method, sizeof info->method, "first-per-group");
    if (rc == 0)
        rc = coda_weighted_sum(p, use, nu, c, out, info, e);
    free(use), free(c), free(taken);
    return rc;
}

static const coda_scheme_option options[] = {
    CODA_BASELINE_REPLICATION_OPTION,
    {"ehd-decoder", 0, "D", "first (default; the first responder of each group) or sum "
                        "(w = 1 for all) (coda-decode)", 1},
    {NULL, 0, NULL, NULL, 0}};

const coda_scheme coda_scheme_ehd = {
    .name = "ehd",
    .summary = "ERASUREHEAD (baseline of [hetero-gc]): fractional repetition, first responder "
               "per group",
    .caps = CODA_CAP_SUMS | CODA_CAP_APPROX | CODA_CAP_ANY,
    .options = options,
    .build = build,
    .encode = coda_encode_g,
    .decode = decode,
    .prepare = coda_weighted_prepare,
    .free = coda_weighted_free,
    .report = coda_weighted_report_load,
};
