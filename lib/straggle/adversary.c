#include "adversary.h"

#include <math.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>

#include "../core/rng.h"

static const struct {
    const char *name;
    coda_attack_kind kind;
} kinds[] = {{"gauss", CODA_ATK_GAUSS},     {"replace", CODA_ATK_REPLACE},
             {"scale", CODA_ATK_SCALE},     {"const", CODA_ATK_CONST},
             {"sparse", CODA_ATK_SPARSE},   {"small", CODA_ATK_SMALL},
             {"uniform", CODA_ATK_UNIFORM}, {"wrong-input", CODA_ATK_WRONG_INPUT},
             {"collude", CODA_ATK_COLLUDE}};

static int bad(coda_err *e, const char *spec)
{
    return coda_failc(e, CODA_E_USAGE,
                      "unknown attack '%s' (gauss[:SIGMA], replace:SIGMA, scale:C, flip, zero, "
                      "const:C, sparse:K:SIGMA, small:SIGMA, uniform:A, wrong-input:SIGMA, "
                      "collude[:SIGMA])",
                      spec);
}

/* a finite number filling all of s */
static int number(const char *s, double *v)
{
    char *end;
    *v = strtod(s, &end);
    return end != s && *end == '\0' && isfinite(*v);
}

int coda_attack_parse(const char *spec, coda_adversary *a, coda_err *e)
{
    a->sigma = 100.0;
    a->c = 0;
    a->k = 0;
    if (strcmp(spec, "flip") == 0 || strcmp(spec, "zero") == 0) {
        a->kind = CODA_ATK_SCALE;
        a->c = spec[0] == 'f' ? -1.0 : 0.0;
        return 0;
    }
    const char *colon = strchr(spec, ':');
    size_t len = colon ? (size_t)(colon - spec) : strlen(spec);
    a->kind = CODA_ATK_NONE;
    for (size_t i = 0; i < sizeof kinds / sizeof kinds[0]; i++)
        if (strlen(kinds[i].name) == len && strncmp(spec, kinds[i].name, len) == 0)
            a->kind = kinds[i].kind;
    if (a->kind == CODA_ATK_NONE)
        return bad(e, spec);
    const char *arg = colon ? colon + 1 : NULL;
    int optional = a->kind == CODA_ATK_GAUSS || a->kind == CODA_ATK_COLLUDE;
    if (!arg && !optional)
        return coda_failc(e, CODA_E_USAGE, "attack '%s' needs a parameter (%s:VALUE)", spec,
                          spec);
    if (!arg)
        return 0;
    double v;
    if (a->kind == CODA_ATK_SPARSE) {
        char kbuf[32];
        const char *c2 = strchr(arg, ':');
        if (!c2 || (size_t)(c2 - arg) >= sizeof kbuf)
            return coda_failc(e, CODA_E_USAGE, "attack sparse needs sparse:K:SIGMA");
        memcpy(kbuf, arg, (size_t)(c2 - arg));
        kbuf[c2 - arg] = '\0';
        if (!number(kbuf, &v) || v < 1 || v != floor(v) || v > 1e9)
            return coda_failc(e, CODA_E_USAGE, "attack sparse: K must be a positive integer");
        a->k = (long)v;
        arg = c2 + 1;
    }
    if (!number(arg, &v))
        return coda_failc(e, CODA_E_USAGE, "attack %.*s: '%s' is not a finite number", (int)len,
                          spec, arg);
    if (a->kind == CODA_ATK_SCALE || a->kind == CODA_ATK_CONST)
        a->c = v;
    else if (a->kind == CODA_ATK_UNIFORM) {
        if (!(v > 0))
            return coda_failc(e, CODA_E_USAGE, "attack uniform: A must be > 0");
        a->c = v;
    } else {
        if (!(v > 0))
            return coda_failc(e, CODA_E_USAGE, "attack %.*s: SIGMA must be > 0", (int)len, spec);
        a->sigma = v;
    }
    return 0;
}

void coda_attack_name(const coda_adversary *a, char *buf, size_t cap)
{
    const char *name = "none";
    for (size_t i = 0; i < sizeof kinds / sizeof kinds[0]; i++)
        if (kinds[i].kind == a->kind)
            name = kinds[i].name;
    switch (a->kind) {
    case CODA_ATK_SCALE:
    case CODA_ATK_CONST:
    case CODA_ATK_UNIFORM: snprintf(buf, cap, "%s:%.17g", name, a->c); break;
    case CODA_ATK_SPARSE: snprintf(buf, cap, "sparse:%ld:%.17g", a->k, a->sigma); break;
    case CODA_ATK_NONE: snprintf(buf, cap, "none"); break;
    default: snprintf(buf, cap, "%s:%.17g", name, a->sigma); break;
    }
}

int coda_adversary_draw(const coda_adversary *a, int N, char *corrupt, coda_err *e)
{
    memset(corrupt, 0, (size_t)N);
    if (a->nnamed) {
        for (size_t k = 0; k < a->nnamed; k++) {
            if (a->named[k] < 0 || a->named[k] >= N)
                return coda_failc(e, CODA_E_USAGE, "corrupt worker %ld outside 0..%d",
                                  a->named[k], N - 1);
            corrupt[a->named[k]] = 1;
        }
        return 0;
    }
    if (a->t <= 0)
        return 0;
    if (a->t > N)
        return coda_failc(e, CODA_E_USAGE, "cannot draw %ld corrupt workers among %d", a->t, N);
    size_t *perm = malloc((size_t)N * sizeof *perm);
    if (!perm)
        return coda_fail_oom(e);
    coda_rng r;
    coda_rng_seed(&r, a->seed, CODA_RNG_ADVERSARY, a->round, 0);
    coda_rng_shuffle(&r, perm, (size_t)N, (size_t)a->t);
    for (long k = 0; k < a->t; k++)
        corrupt[perm[k]] = 1;
    free(perm);
    return 0;
}

int coda_attack_result(const coda_adversary *a, int w, coda_mat *x, coda_err *e)
{
    size_t n = x->rows * x->cols;
    coda_rng r;
    coda_rng_seed(&r, a->seed, a->kind == CODA_ATK_COLLUDE ? CODA_RNG_COLLUDE : CODA_RNG_ATTACK,
                  a->round, a->kind == CODA_ATK_COLLUDE ? 0 : (uint64_t)w);
    switch (a->kind) {
    case CODA_ATK_NONE: break;
    case CODA_ATK_GAUSS:
    case CODA_ATK_SMALL:
    case CODA_ATK_COLLUDE:
        for (size_t i = 0; i < n; i++)
            x->data[i] += a->sigma * coda_rng_normal(&r);
        break;
    case CODA_ATK_REPLACE:
        for (size_t i = 0; i < n; i++)
            x->data[i] = a->sigma * coda_rng_normal(&r);
        break;
    case CODA_ATK_SCALE:
        for (size_t i = 0; i < n; i++)
            x->data[i] *= a->c;
        break;
    case CODA_ATK_CONST:
        for (size_t i = 0; i < n; i++)
            x->data[i] = a->c;
        break;
    case CODA_ATK_UNIFORM:
        for (size_t i = 0; i < n; i++)
            x->data[i] += a->c * (2 * coda_rng_uniform(&r) - 1);
        break;
    case CODA_ATK_SPARSE: {
        size_t k = (size_t)a->k < n ? (size_t)a->k : n;
        size_t *perm = malloc((n ? n : 1) * sizeof *perm);
        if (!perm)
            return coda_fail_oom(e);
        coda_rng_shuffle(&r, perm, n, k);
        for (size_t i = 0; i < k; i++)
            x->data[perm[i]] += a->sigma * coda_rng_normal(&r);
        free(perm);
        break;
    }
    case CODA_ATK_WRONG_INPUT:
        return coda_fail(e, "attack wrong-input perturbs the operand, not the result");
    }
    return 0;
}

int coda_attack_operand(const coda_adversary *a, int w, const coda_mat *operand,
                        coda_mat *perturbed, coda_err *e)
{
    if (coda_mat_copy(perturbed, operand, e) < 0)
        return -1;
    coda_rng r;
    coda_rng_seed(&r, a->seed, CODA_RNG_ATTACK, a->round, (uint64_t)w);
    for (size_t i = 0; i < operand->rows * operand->cols; i++)
        perturbed->data[i] += a->sigma * coda_rng_normal(&r);
    return 0;
}
