#include <stdio.h>
#include <string.h>

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
    if (coda_mat_first_nonfinite(G) != (size_t)-1)
        return coda_fail(e, "assignment matrix has a NaN or infinite entry");
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
    if (coda_mat_copy(&p->G, G, e) < 0 || coda_plan_split(p, data_len, e) < 0) {
        coda_plan_free(p);
        return -1;
    }
    return 0;
}
