/* assigned: a user-given N x K matrix G (coda-assign output, possibly edited). 0/1 entries
 * are replications, each held block coming back on its own; other coefficients are codes. Its
 * threshold is G's true one, by decode's own criterion. */
#include <math.h>
#include <stdlib.h>
#include <string.h>

#include "matdot.h"
#include "scheme.h"

/* Subsets examined for an assigned G's threshold before settling for the smallest verified. */
enum { MAX_THRESHOLD_SUBSETS = 20000 };

/* The smallest r such that every r-subset of the workers decodes (decoding is monotone: a
 * superset of a decoding set decodes). Replicas: N - (fewest holders of a block) + 1. Codes:
 * every subset of N - k workers for k = 0, 1, ... until one fails; past the budget the last
 * verified size, flagged as a bound. Refuses a G that cannot decode even from all N. */
static int assigned_threshold(coda_plan *p, coda_err *e)
{
    int N = p->N, K = p->K;
    if (!p->data_coded && !(p->sum && p->combine)) {
        int fewest = N, at = 0;
        for (int j = 0; j < K; j++) {
            int h = 0;
            for (int i = 0; i < N; i++)
                h += CODA_AT(&p->G, i, j) != 0.0;
            if (h < fewest)
                fewest = h, at = j;
        }
        if (fewest == 0)
            return coda_fail(e, "assignment: no worker holds block %d, so no set of responders "
                                "can decode", at);
        p->threshold = N - fewest + 1;
        return 0;
    }
    int *out = malloc(sizeof *out * (size_t)N), *in = malloc(sizeof *in * (size_t)N), rc = 0;
    long examined = 0;
    if (!out || !in)
        rc = coda_fail_oom(e);
    p->threshold = 0;
    for (int k = 0; rc == 0 && k < N && !p->threshold; k++) { /* k workers silent */
        for (int q = 0; q < k; q++)
            out[q] = q;
        do {
            if (examined++ >= MAX_THRESHOLD_SUBSETS) {
                p->threshold = N - k + 1;
                p->threshold_bound = 1;
                break;
            }
            int r = 0;
            for (int i = 0, q = 0; i < N; i++) {
                if (q < k && out[q] == i)
                    q++;
                else
                    in[r++] = i;
            }
            int ok = coda_plan_decodes(p, in, r, e);
            if (ok < 0)
                rc = -1;
            else if (!ok) {
                if (k == 0)
                    rc = p->data_coded
                             ? coda_fail(e, "assignment: even all %d workers cannot decode: their "
                                            "rows of G have rank below K = %d", N, K)
                             : coda_fail(e, "assignment: even all %d workers cannot decode: their "
                                            "rows of G do not span the all-ones vector", N);
                p->threshold = N - k + 1;
                break;
            }
        } while (rc == 0 && k > 0 && coda_subset_next(out, k, N));
    }
    if (rc == 0 && !p->threshold)
        p->threshold = 1; /* every single worker decodes */
    free(out);
    free(in);
    return rc;
}

int coda_plan_from_assignment(coda_plan *p, const coda_mat *G, const coda_scheme_args *a,
                              size_t data_len, coda_err *e)
{
    coda_scheme_args b = *a;
    b.N = (int)G->rows;
    if (G->rows < 1 || G->cols < 1)
        return coda_fail(e, "assignment matrix is empty");
    if (b.s < 0 || b.s >= b.N)
        b.s = 0;
    if (coda_plan_common(p, "assigned", &b, e) < 0)
        return -1;
    size_t bad = coda_mat_first_nonfinite(G);
    if (bad != (size_t)-1)
        return coda_fail(e, "assignment matrix entry (%zu,%zu) is %s", bad % G->rows + 1,
                         bad / G->rows + 1,
                         isnan(CODA_AT(G, bad % G->rows, bad / G->rows)) ? "NaN" : "infinite");
    int binary = 1;
    for (size_t k = 0; k < G->rows * G->cols; k++)
        binary &= G->data[k] == 0.0 || G->data[k] == 1.0;
    p->K = (int)G->cols;
    /* 0/1 allocations are replications: each held block comes back on its own, which decodes
     * from any set of responders that covers every block. Other coefficients are codes. */
    p->combine = !binary && p->sum;
    p->data_coded = !binary && !p->sum;
    p->threshold = 0;
    size_t most = 0;
    for (size_t i = 0; i < G->rows; i++) {
        size_t nz = 0;
        for (size_t j = 0; j < G->cols; j++)
            nz += CODA_AT(G, i, j) != 0.0;
        most = nz > most ? nz : most;
    }
    p->load = p->data_coded ? 1.0 / p->K : (double)most / p->K;
    if (coda_mat_copy(&p->G, G, e) < 0 || assigned_threshold(p, e) < 0 ||
        coda_plan_split(p, data_len, e) < 0) {
        coda_plan_free(p);
        return -1;
    }
    return 0;
}

static int build(coda_plan *p, const coda_scheme_args *a, coda_err *e)
{
    (void)p, (void)a;
    return coda_failc(e, CODA_E_USAGE, "the assigned scheme takes its G from coda-encode "
                      "--assign FILE");
}

const coda_scheme coda_scheme_assigned = {
    .name = "assigned",
    .summary = "a user-given allocation/encoding matrix G (coda-encode --assign)",
    .caps = CODA_CAP_SUMS | CODA_CAP_CONCATS,
    .build = build,
    .encode = coda_encode_g,
    .decode = coda_decode_g,
};
