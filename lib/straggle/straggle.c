#include "straggle.h"

#include <math.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>

#include "../core/rng.h"


int coda_latency_parse(const char *spec, coda_straggle_model *m, coda_err *e)
{
    double a, b;
    char extra;
    if (strcmp(spec, "none") == 0) {
        m->kind = CODA_LAT_NONE;
        return 0;
    }
    if (sscanf(spec, "shifted-exp:%lf,%lf%c", &a, &b, &extra) == 2) {
        if (!(a >= 0) || !(b > 0))
            return coda_fail(e, "shifted-exp needs SHIFT >= 0 and RATE > 0");
        m->kind = CODA_LAT_SHIFTEXP;
    } else if (sscanf(spec, "pareto:%lf,%lf%c", &a, &b, &extra) == 2) {
        if (!(a > 0) || !(b > 0))
            return coda_fail(e, "pareto needs SCALE > 0 and SHAPE > 0");
        m->kind = CODA_LAT_PARETO;
    } else
        return coda_fail(e, "unknown latency model '%s' (none, shifted-exp:SHIFT,RATE, "
                            "pareto:SCALE,SHAPE, replay:FILE)", spec);
    m->a = a;
    m->b = b;
    return 0;
}

void coda_straggle_free(coda_straggle_outcome *o)
{
    free(o->base);
    free(o->latency);
    free(o->responded);
    memset(o, 0, sizeof *o);
}

int coda_straggle_draw(const coda_straggle_model *m, int N, double load, coda_straggle_outcome *o,
                       coda_err *e)
{
    memset(o, 0, sizeof *o);
    if (m->kind == CODA_LAT_REPLAY && m->nreplay < (size_t)N)
        return coda_fail(e, "latency replay has %zu values for %d workers", m->nreplay, N);
    if (m->pi && m->npi < (size_t)N)
        return coda_fail(e, "straggle probabilities: %zu values for %d workers", m->npi, N);
    if (m->stragglers > N)
        return coda_fail(e, "cannot draw %ld stragglers among %d workers", m->stragglers, N);
    o->N = N;
    o->base = malloc((size_t)N * sizeof *o->base);
    o->latency = malloc((size_t)N * sizeof *o->latency);
    o->responded = calloc((size_t)N, 1);
    size_t *perm = malloc((size_t)N * sizeof *perm);
    char *failed = calloc((size_t)N, 1);
    if (!o->base || !o->latency || !o->responded || !perm || !failed) {
        free(perm);
        free(failed);
        coda_straggle_free(o);
        return coda_fail_oom(e);
    }
    for (int i = 0; i < N; i++) {
        coda_rng r;
        coda_rng_seed(&r, m->seed, CODA_RNG_LATENCY, 0, (uint64_t)i);
        double x = 1.0;
        if (m->kind == CODA_LAT_SHIFTEXP)
            x = m->a + coda_rng_exponential(&r) / m->b;
        else if (m->kind == CODA_LAT_PARETO)
            x = m->a / pow(1.0 - coda_rng_uniform(&r), 1.0 / m->b);
        else if (m->kind == CODA_LAT_REPLAY)
            x = m->replay[i];
        o->base[i] = x;
        coda_rng_seed(&r, m->seed, CODA_RNG_FAILURE, 0, (uint64_t)i);
        double p = m->pi ? m->pi[i] : m->p;
        if (p > 0 && coda_rng_uniform(&r) < p)
            failed[i] = 1;
    }
    if (m->stragglers > 0) {
        coda_rng r;
        coda_rng_seed(&r, m->seed, CODA_RNG_STRAGGLERS, 0, 0);
        coda_rng_shuffle(&r, perm, (size_t)N, (size_t)m->stragglers);
        for (long k = 0; k < m->stragglers; k++)
            failed[perm[k]] = 1;
    }
    for (size_t k = 0; k < m->nnamed; k++) {
        if (m->named[k] >= N) {
            free(perm);
            free(failed);
            coda_straggle_free(o);
            return coda_fail(e, "straggler worker %ld outside 0..%d", m->named[k], N - 1);
        }
        failed[m->named[k]] = 1;
    }
    double worst = 0;
    for (int i = 0; i < N; i++) {
        o->nfailed += failed[i];
        o->latency[i] = failed[i] ? INFINITY : load * o->base[i];
        worst = fmax(worst, o->base[i]);
        o->responded[i] = !failed[i] && !(m->deadline >= 0 && o->latency[i] > m->deadline);
    }
    o->uncoded = o->nfailed ? INFINITY : worst / N;
    if (m->wait_for >= 0) {
        /* keep the wait_for earliest (ties by index): rank by a stable selection */
        for (int i = 0; i < N; i++)
            perm[i] = (size_t)i;
        for (int i = 1; i < N; i++) { /* insertion sort by latency, stable */
            size_t v = perm[i];
            int j = i - 1;
            while (j >= 0 && o->latency[perm[j]] > o->latency[v]) {
                perm[j + 1] = perm[j];
                j--;
            }
            perm[j + 1] = v;
        }
        long kept = 0;
        for (int k = 0; k < N; k++) {
            size_t i = perm[k];
            if (o->responded[i] && kept < m->wait_for)
                kept++;
            else
                o->responded[i] = 0;
        }
    }
    for (int i = 0; i < N; i++)
        if (o->responded[i]) {
            o->nresp++;
            o->completion = fmax(o->completion, o->latency[i]);
        }
    free(perm);
    free(failed);
    return 0;
}
