/* The one list of schemes, and the dispatch every program and job goes through. */
#include <stdio.h>
#include <stdlib.h>
#include <string.h>

#include "scheme.h"

#include "../ops/ops.h"

static const coda_scheme *const schemes[] = {
    &coda_scheme_uncoded, &coda_scheme_rep,           &coda_scheme_frc,
    &coda_scheme_cyclic,  &coda_scheme_mds,           &coda_scheme_matdot,
    &coda_scheme_matdot_approx, &coda_scheme_poly,    &coda_scheme_linear,
    &coda_scheme_leverage, &coda_scheme_byz, &coda_scheme_assigned, &coda_scheme_hetero,
    &coda_scheme_is_sgd, &coda_scheme_bgc, &coda_scheme_ehd, &coda_scheme_od,
    &coda_scheme_sgc_het, NULL};

const coda_scheme *const *coda_scheme_list(void) { return schemes; }

const coda_scheme *coda_scheme_find(const char *name)
{
    for (int i = 0; name && schemes[i]; i++)
        if (strcmp(schemes[i]->name, name) == 0)
            return schemes[i];
    return NULL;
}

const char *coda_scheme_names(void)
{
    static char names[1024];
    if (!names[0]) {
        size_t off = 0;
        for (int i = 0; schemes[i] && off < sizeof names; i++)
            if (schemes[i] != &coda_scheme_assigned)
                off += (size_t)snprintf(names + off, sizeof names - off, "%s%s", off ? ", " : "",
                                        schemes[i]->name);
    }
    return names;
}

const coda_scheme *coda_scheme_default(void) { return &coda_scheme_uncoded; }

const coda_scheme *coda_scheme_for_assignment(void) { return &coda_scheme_assigned; }

const coda_scheme *coda_scheme_first_with(unsigned caps)
{
    for (const coda_scheme *const *s = coda_scheme_list(); *s; s++)
        if (((*s)->caps & caps) == caps)
            return *s;
    return NULL;
}

const coda_scheme *coda_plan_scheme(const coda_plan *p) { return coda_scheme_find(p->scheme); }

int coda_plan_report(const coda_plan *p, coda_meta *fig, coda_err *e)
{
    const coda_scheme *sc = coda_plan_scheme(p);
    return sc && sc->report ? sc->report(p, fig, e) : 0;
}

int coda_scheme_takes(const coda_scheme *sc, const char *name)
{
    for (const coda_scheme_option *o = sc->options; o && o->name; o++)
        if (strcmp(o->name, name) == 0)
            return 1;
    return 0;
}

const char *coda_scheme_opt(const coda_scheme_args *a, const char *name)
{
    return a->opts ? coda_meta_get(a->opts, name) : NULL;
}

/* What every G-coded plan starts from. */
int coda_plan_common(coda_plan *p, const char *scheme, const coda_scheme_args *a, coda_err *e)
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
    memset(p, 0, sizeof *p);
    if (!sc)
        return coda_failc(e, CODA_E_USAGE, "unknown scheme '%s' (%s)", name,
                          coda_scheme_names());
    const coda_op *op = coda_op_find(a->op);
    if (!op)
        return coda_failc(e, CODA_E_USAGE, "unknown op '%s' (%s)", a->op, coda_op_names());
    if (op->sums && !(sc->caps & CODA_CAP_SUMS))
        return coda_failc(e, CODA_E_USAGE, "scheme %s codes concatenated results (products), "
                          "not sums: op %s needs a scheme that sums", name, a->op);
    if (!op->sums && !(sc->caps & CODA_CAP_CONCATS))
        return coda_failc(e, CODA_E_USAGE, "scheme %s codes sums (gradients), not op %s", name,
                          a->op);
    if (sc->caps & CODA_CAP_BOTH_FACTORS) { /* the scheme builds the whole plan */
        if (sc->build(p, a, e) < 0)
            return -1;
        if (coda_plan_prepare(p, e) < 0) {
            coda_plan_free(p);
            return -1;
        }
        return 0;
    }
    if ((sc->caps & CODA_CAP_ANY) && a->s != 0)
        return coda_failc(e, CODA_E_USAGE, "%s tolerates no fixed number of stragglers (give "
                          "no -s or --code-stragglers): it is built for straggling probabilities "
                          "and decodes from any responders, approximately", name);
    if (coda_plan_common(p, name, a, e) < 0)
        return -1;
    if (sc->build(p, a, e) < 0 || (data_len && coda_plan_split(p, data_len, e) < 0) ||
        coda_plan_prepare(p, e) < 0) {
        coda_plan_free(p);
        return -1;
    }
    return 0;
}

int coda_encode(const coda_plan *p, const coda_mat *data, const coda_mat *operand,
                coda_sink sink, void *ctx, coda_err *e)
{
    const coda_scheme *sc = coda_plan_scheme(p);
    if (!sc)
        return coda_fail(e, "unknown scheme '%s' (%s)", p->scheme, coda_scheme_names());
    return sc->encode(p, data, operand, sink, ctx, e);
}

int coda_encode_resident(const coda_plan *p, const coda_mat *data, coda_sink sink, void *ctx,
                         coda_err *e)
{
    const coda_scheme *sc = coda_plan_scheme(p);
    if (!sc)
        return coda_fail(e, "unknown scheme '%s' (%s)", p->scheme, coda_scheme_names());
    return sc->encode_resident ? sc->encode_resident(p, data, sink, ctx, e)
                               : sc->encode(p, data, NULL, sink, ctx, e);
}
