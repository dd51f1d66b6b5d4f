#include <stdio.h>
#include <stdlib.h>
#include <string.h>

#include "coding.h"
#include "matdot.h"
#include "scheme.h"

#include "../ops/ops.h"

static const coda_scheme *const schemes[] = {
    &coda_scheme_uncoded, &coda_scheme_rep, &coda_scheme_frc, &coda_scheme_cyclic,
    &coda_scheme_mds, NULL};

const coda_scheme *const *coda_scheme_list(void) { return schemes; }

const coda_scheme *coda_scheme_find(const char *name)
{
    for (int i = 0; schemes[i]; i++)
        if (strcmp(schemes[i]->name, name) == 0)
            return schemes[i];
    return NULL;
}

static int plan_common(coda_plan *p, const char *scheme, const coda_scheme_args *a, coda_err *e)
{
    memset(p, 0, sizeof *p);
    const coda_op *op = coda_op_find(a->op);
    if (!op)
        return coda_failc(e, CODA_E_USAGE, "unknown op '%s' (%s)", a->op, coda_op_names());
    p->sum = op->sums;
    p->by_cols = op->by_cols;
    if (a->N < 1)
        return coda_fail(e, "need at least one worker");
    if (a->s < 0 || a->s >= a->N)
        return coda_fail(e, "stragglers s=%d must be in [0, N-1] for N=%d workers", a->s, a->N);
    snprintf(p->scheme, sizeof p->scheme, "%s", scheme);
    snprintf(p->op, sizeof p->op, "%s", a->op);
    p->N = a->N;
    p->s = a->s;
    p->seed = a->seed;
    return 0;
}

int coda_plan_build(coda_plan *p, const char *name, const coda_scheme_args *a, size_t data_len,
                    coda_err *e)
{
    const coda_scheme *sc = coda_scheme_find(name);
    if (!sc)
        return coda_fail(e, "unknown scheme '%s'", name);
    if (plan_common(p, name, a, e) < 0)
        return -1;
    if (p->sum && !sc->sums)
        return coda_fail(e, "scheme %s codes concatenated results (products), not sums; "
                            "op %s needs uncoded, rep, frc or cyclic", name, a->op);
    if (!p->sum && !sc->concats)
        return coda_fail(e, "scheme %s codes sums (gradients), not op %s", name, a->op);
    if (sc->build(p, a, e) < 0 || (data_len && coda_plan_split(p, data_len, e) < 0)) {
        coda_plan_free(p);
        return -1;
    }
    return 0;
}

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
    if (plan_common(p, "assigned", &b, e) < 0)
        return -1;
    size_t bad = coda_mat_first_nonfinite(G);
    if (bad != (size_t)-1)
        return coda_fail(e, "assignment matrix entry (%zu,%zu) is %s", bad % G->rows + 1,
                         bad / G->rows + 1, G->data[bad] != G->data[bad] ? "NaN" : "infinite");
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
