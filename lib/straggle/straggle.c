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
    } else if (sscanf(spec, "rates:%lf,%lf%c", &a, &b, &extra) == 2) {
        if (!(a > 0) || !(b >= a) || !isfinite(b))
            return coda_fail(e, "rates:LO,HI needs 0 < LO <= HI");
        m->kind = CODA_LAT_RATES;
        m->rate_lo = a;
        m->rate_hi = b;
        m->a = 1.0;
        return 0;
    } else
        return coda_fail(e, "unknown latency model '%s' (none, shifted-exp:SHIFT,RATE, "
                            "pareto:SCALE,SHAPE, rates:LO,HI, rates:FILE, empirical:FILE, "
                            "replay:FILE)", spec);
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

/* t with F(t) = u on the piecewise-linear CDF through (cdf_t[k], cdf_p[k]) */
static double empirical_draw(const coda_straggle_model *m, double u)
{
    size_t n = m->ncdf;
    if (u <= m->cdf_p[0])
        return m->cdf_t[0];
    for (size_t k = 1; k < n; k++)
        if (u <= m->cdf_p[k]) {
            double dp = m->cdf_p[k] - m->cdf_p[k - 1];
            double f = dp > 0 ? (u - m->cdf_p[k - 1]) / dp : 1.0;
            return m->cdf_t[k - 1] + f * (m->cdf_t[k] - m->cdf_t[k - 1]);
        }
    return m->cdf_t[n - 1];
}

static int check_model(const coda_straggle_model *m, int N, coda_err *e)
{
    if (m->kind == CODA_LAT_REPLAY && m->nreplay < (size_t)N)
        return coda_fail(e, "latency replay has %zu values for %d workers", m->nreplay, N);
    if (m->kind == CODA_LAT_RATES && m->rate && m->nrate < (size_t)N)
        return coda_fail(e, "latency rates: %zu values for %d workers", m->nrate, N);
    for (size_t i = 0; m->kind == CODA_LAT_RATES && m->rate && i < (size_t)N; i++)
        if (!(m->rate[i] > 0) || !isfinite(m->rate[i]))
            return coda_fail(e, "latency rates: rate %zu is %g, not a positive number", i,
                             m->rate[i]);
    if (m->kind == CODA_LAT_EMPIRICAL) {
        if (m->ncdf < 2)
            return coda_fail(e, "empirical runtime CDF needs at least two points");
        for (size_t k = 0; k < m->ncdf; k++)
            if (!isfinite(m->cdf_t[k]) || m->cdf_t[k] < 0 || !(m->cdf_p[k] >= 0) ||
                m->cdf_p[k] > 1 || (k && (m->cdf_t[k] < m->cdf_t[k - 1] ||
                                           m->cdf_p[k] < m->cdf_p[k - 1])))
                return coda_fail(e, "empirical runtime CDF: point %zu (%g, %g) is not a "
                                    "non-decreasing (time >= 0, probability in [0, 1]) pair",
                                 k + 1, m->cdf_t[k], m->cdf_p[k]);
        if (m->cdf_p[m->ncdf - 1] != 1.0)
            return coda_fail(e, "empirical runtime CDF must end at probability 1, not %g",
                             m->cdf_p[m->ncdf - 1]);
    }
    if (m->scale_by_load && !m->worker_load)
        return coda_fail(e, "latency scaled by load needs each worker's load");
    if (m->pi && m->npi < (size_t)N)
        return coda_fail(e, "straggle probabilities: %zu values for %d workers", m->npi, N);
    if (m->stragglers > N)
        return coda_failc(e, CODA_E_USAGE, "cannot draw %ld stragglers among %d workers",
                          m->stragglers, N);
    if (m->responders > N)
        return coda_failc(e, CODA_E_USAGE, "cannot have %ld responders among %d workers",
                          m->responders, N);
    return 0;
}

int coda_latency_empirical_cdf(const coda_straggle_model *m, double t, double *F, coda_err *e)
{
    if (m->kind != CODA_LAT_EMPIRICAL)
        return coda_failc(e, CODA_E_USAGE, "not an empirical runtime CDF");
    if (check_model(m, 0, e) < 0)
        return -1;
    size_t n = m->ncdf;
    *F = t < m->cdf_t[0] ? 0 : m->cdf_p[n - 1];
    for (size_t k = 1; k < n && t >= m->cdf_t[0]; k++)
        if (t < m->cdf_t[k]) { /* cdf_t[k-1] <= t < cdf_t[k]: a positive width */
            double f = (t - m->cdf_t[k - 1]) / (m->cdf_t[k] - m->cdf_t[k - 1]);
            *F = m->cdf_p[k - 1] + f * (m->cdf_p[k] - m->cdf_p[k - 1]);
            break;
        }
    return 0;
}

int coda_straggle_draw(const coda_straggle_model *m, int N, double load, coda_straggle_outcome *o,
                       coda_err *e)
{
    memset(o, 0, sizeof *o);
    if (check_model(m, N, e) < 0)
        return -1;
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
        coda_rng_seed(&r, m->seed, CODA_RNG_LATENCY, m->round, (uint64_t)i);
        double x = 1.0;
        if (m->kind == CODA_LAT_SHIFTEXP)
            x = m->a + coda_rng_exponential(&r) / m->b;
        else if (m->kind == CODA_LAT_PARETO)
            x = m->a / pow(1.0 - coda_rng_uniform(&r), 1.0 / m->b);
        else if (m->kind == CODA_LAT_REPLAY)
            x = m->replay[i];
        else if (m->kind == CODA_LAT_RATES) {
            double rate = m->rate ? m->rate[i] : 0;
            if (!m->rate) {
                coda_rng g;
                coda_rng_seed(&g, m->seed, CODA_RNG_RATES, 0, (uint64_t)i);
                rate = m->rate_lo + (m->rate_hi - m->rate_lo) * coda_rng_uniform(&g);
            }
            x = m->a + coda_rng_exponential(&r) / rate;
        } else if (m->kind == CODA_LAT_EMPIRICAL)
            x = empirical_draw(m, coda_rng_uniform(&r));
        o->base[i] = x;
        coda_rng_seed(&r, m->seed, CODA_RNG_FAILURE, m->round, (uint64_t)i);
        double p = m->pi ? m->pi[i] : m->p;
        if (p > 0 && coda_rng_uniform(&r) < p)
            failed[i] = 1;
    }
    /* fixed-q: exactly q respond, a uniform q-subset, the same draw as N - q stragglers */
    long stragglers = m->responders > 0 ? N - m->responders : m->stragglers;
    if (stragglers > 0) {
        coda_rng r;
        coda_rng_seed(&r, m->seed, CODA_RNG_STRAGGLERS, m->round, 0);
        coda_rng_shuffle(&r, perm, (size_t)N, (size_t)stragglers);
        for (long k = 0; k < stragglers; k++)
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
        /* whole-round models (rates, empirical) are not scaled by the plan's load */
        double scale = m->kind == CODA_LAT_RATES || m->kind == CODA_LAT_EMPIRICAL ? 1.0 : load;
        if (m->scale_by_load)
            scale *= m->worker_load[i] * N;
        o->latency[i] = failed[i] ? INFINITY : scale * o->base[i];
        worst = fmax(worst, o->base[i]);
        o->responded[i] = !failed[i] && !(m->deadline >= 0 && o->latency[i] > m->deadline);
    }
    /* an uncoded run needs all N at load 1/N (whole-round models: each worker's round time) */
    int whole_round = m->kind == CODA_LAT_RATES || m->kind == CODA_LAT_EMPIRICAL;
    o->uncoded = o->nfailed ? INFINITY : whole_round ? worst : worst / N;
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

int coda_straggle_may_fail(const coda_straggle_model *m)
{
    return m->responders > 0 || m->stragglers > 0 || m->nnamed > 0 || m->p > 0 || m->pi ||
           m->kind == CODA_LAT_REPLAY;
}

int coda_straggle_probs_from_meta(coda_straggle_model *m, const coda_meta *meta, int N,
                                  double **owned, coda_err *e)
{
    *owned = NULL;
    int told = m->stragglers > 0 || m->nnamed > 0 || m->p > 0 || m->pi || m->responders > 0;
    if (told || !coda_meta_get(meta, "straggle_probs"))
        return 0;
    double *v;
    size_t n;
    if (coda_meta_get_doubles(meta, "straggle_probs", &v, &n, e) < 0)
        return coda_fail_prefix(e, "plan: ");
    for (size_t i = 0; i < n; i++)
        if (!(v[i] >= 0 && v[i] <= 1)) {
            free(v);
            return coda_fail(e, "plan: straggle_probs entry %zu is %g, outside [0, 1]", i + 1,
                             v[i]);
        }
    if (n != (size_t)N) {
        free(v);
        return coda_fail(e, "plan: straggle_probs has %zu values for N = %d workers", n, N);
    }
    m->pi = v;
    m->npi = n;
    *owned = v;
    return 1;
}
