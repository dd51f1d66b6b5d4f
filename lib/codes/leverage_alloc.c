/* Replication counts (leverage_alloc.h): the paper's three initial rules, its Algorithm 2 with
 * the guards it lacks, and the largest-remainder alternative. */
#include "leverage_alloc.h"

#include <float.h>
#include <math.h>
#include <stdlib.h>

int coda_lev_check_scores(double *pi, int K, int normalize, double tol, coda_err *e)
{
    double sum = 0;
    if (K < 1)
        return coda_fail(e, "no block scores");
    for (int i = 0; i < K; i++) {
        if (!isfinite(pi[i]))
            return coda_fail(e, "score %d is %s", i + 1, isnan(pi[i]) ? "NaN" : "infinite");
        if (pi[i] < 0)
            return coda_fail(e, "score %d is negative (%.17g)", i + 1, pi[i]);
        sum += pi[i];
    }
    if (!(sum > 0))
        return coda_fail(e, "the %d scores are all zero", K);
    if (tol <= 0)
        tol = 1e-9;
    if (!normalize && fabs(sum - 1.0) > tol)
        return coda_fail(e, "the %d scores sum to %.17g, not 1 (off by %.3g; --normalize "
                            "divides them by their sum)", K, sum, sum - 1.0);
    for (int i = 0; i < K; i++)
        pi[i] /= sum;
    return 0;
}

/* log(1 - Pi) with Pi = 1 clamped just below 1 (log 0 would give infinite counts) */
static double log_miss(double p)
{
    return log1p(-fmin(p, 1.0 - DBL_EPSILON / 2));
}

int coda_lev_erasure(const double *pi, int K, double phi, long max_total, long *r, long *total,
                     coda_err *e)
{
    if (!(phi >= 0 && phi < 1))
        return coda_failc(e, CODA_E_USAGE, "the erasure probability phi = %g must be in [0, 1) "
                                           "(phi = 1: no server ever answers)", phi);
    double sum = 0;
    for (int i = 0; i < K; i++) {
        double rho = phi > 0 ? log_miss(pi[i]) / log(phi) : 0;
        double ri = floor(rho + 0.5);
        sum += ri;
        if (!(sum <= (double)max_total))
            return coda_failc(e, CODA_E_USAGE, "eq. (20) with phi = %.6g asks for more than %ld "
                                               "replicas in all (block %d alone %.3g): phi is "
                                               "too close to 1", phi, max_total, i + 1, ri);
        r[i] = (long)ri;
    }
    *total = (long)sum;
    return 0;
}

double coda_lev_erasure_sum(const double *pi, const long *r, int K, double phi)
{
    double s = 0;
    for (int i = 0; i < K; i++)
        s += fabs(pi[i] - (1.0 - pow(phi, (double)r[i])));
    return s;
}

double coda_lev_lemma1_bound(const double *pi, const long *r, int K, double phi)
{
    double s = 0;
    for (int i = 0; i < K; i++) {
        double rho = log_miss(pi[i]) / log(phi);
        s += pow(phi, fmin((double)r[i], rho));
    }
    return (1.0 - sqrt(phi)) * s;
}

int coda_lev_ratio(const double *pi, int K, long nu, long max_total, long *r, long *total,
                   coda_err *e)
{
    double lo = INFINITY, sum = 0;
    if (nu < 1)
        return coda_failc(e, CODA_E_USAGE, "ratio rounding needs nu >= 1 (got %ld)", nu);
    for (int i = 0; i < K; i++)
        if (pi[i] > 0 && pi[i] < lo)
            lo = pi[i];
    for (int i = 0; i < K; i++) {
        double ri = pi[i] > 0 ? floor((double)nu * pi[i] / lo + 0.5) : 0;
        sum += ri;
        if (!(sum <= (double)max_total))
            return coda_failc(e, CODA_E_USAGE, "ratio rounding with nu = %ld asks for more than "
                                               "%ld replicas in all (the largest score is over "
                                               "%.3g times the smallest)", nu, max_total,
                              (double)max_total / (double)nu / K);
        r[i] = (long)ri;
    }
    *total = (long)sum;
    return 0;
}

/* Best rational approximation (the Stern-Brocot / continued-fraction rule, as Python's
 * Fraction.limit_denominator): the last convergent or the best semiconvergent below max_den. */
void coda_lev_fraction(double x, long max_den, long *p, long *q)
{
    long p0 = 0, q0 = 1, p1 = 1, q1 = 0;
    double v = x;
    for (int it = 0; it < 64; it++) {
        double a = floor(v);
        if (a > 1e15)
            break;
        long ai = (long)a, q2 = q0 + ai * q1;
        if (q2 > max_den)
            break;
        long p2 = p0 + ai * p1;
        p0 = p1, q0 = q1, p1 = p2, q1 = q2;
        double f = v - a;
        if (f < 1e-12 || fabs((double)p1 / (double)q1 - x) < 1e-15)
            break;
        v = 1.0 / f;
    }
    /* the semiconvergent with the largest denominator allowed, if it is closer */
    long k = q1 > 0 ? (max_den - q0) / q1 : 0;
    long ps = p0 + k * p1, qs = q0 + k * q1;
    if (q1 == 0 || (qs > 0 && fabs((double)ps / (double)qs - x) < fabs((double)p1 / (double)q1 - x))) {
        p1 = ps;
        q1 = qs;
    }
    *p = p1;
    *q = q1 > 0 ? q1 : 1;
}

static long gcd(long a, long b)
{
    while (b) {
        long t = a % b;
        a = b;
        b = t;
    }
    return a;
}

int coda_lev_lcm(const double *pi, int K, long max_den, long max_total, long *r, long *total,
                 coda_err *e)
{
    if (max_den < 1)
        return coda_failc(e, CODA_E_USAGE, "--max-den must be >= 1 (got %ld)", max_den);
    long *a = malloc((size_t)K * sizeof *a), *b = malloc((size_t)K * sizeof *b), R = 1;
    if (!a || !b) {
        free(a), free(b);
        return coda_fail_oom(e);
    }
    int rc = 0;
    for (int i = 0; i < K && rc == 0; i++) {
        coda_lev_fraction(pi[i], max_den, &a[i], &b[i]);
        long g = gcd(a[i], b[i]);
        if (g > 1)
            a[i] /= g, b[i] /= g;
        long step = b[i] / gcd(R, b[i]);
        if (R > max_total / step)
            rc = coda_failc(e, CODA_E_USAGE, "perfect emulation needs R = lcm of the scores' "
                                             "denominators above %ld (block %d is %ld/%ld): "
                                             "lower --max-den", max_total, i + 1, a[i], b[i]);
        else
            R *= step;
    }
    double sum = 0;
    for (int i = 0; i < K && rc == 0; i++) {
        r[i] = a[i] * (R / b[i]);
        sum += (double)r[i];
    }
    if (rc == 0)
        *total = (long)sum;
    free(a), free(b);
    return rc;
}

int coda_lev_alg2(long m, const double *pi, const long *r_init, int K, const long *floor_,
                  long *r, long *loops, coda_err *e)
{
    double *d = malloc((size_t)K * sizeof *d);
    char *frozen = calloc((size_t)K, 1);
    if (!d || !frozen) {
        free(d), free(frozen);
        return coda_fail_oom(e);
    }
    long R = 0, floors = 0;
    for (int i = 0; i < K; i++) {
        r[i] = r_init[i];
        R += r[i];
        floors += floor_ ? floor_[i] : 0;
    }
    int rc = 0;
    if (floors > m)
        rc = coda_failc(e, CODA_E_USAGE, "%ld servers cannot give the blocks their %ld required "
                                         "replicas", m, floors);
    /* chi = 1: too many replicas, decrement; chi = 0: too few, increment. d_i is the deviation
     * the argmin (spec's diamond) looks at: Pi_i - r_i/m, or its negative when incrementing. */
    int chi = R > m, step = chi ? -1 : 1;
    for (int i = 0; i < K; i++)
        d[i] = chi ? pi[i] - (double)r[i] / (double)m : (double)r[i] / (double)m - pi[i];
    long it = 0, cap = 4 * (labs(R - m) + K) + 16, prev = -1;
    while (rc == 0 && R != m) {
        if (++it > cap) {
            rc = coda_failc(e, CODA_E_NUMERIC, "Algorithm 2 did not converge in %ld iterations",
                            cap);
            break;
        }
        int j = -1;
        for (int pass = 0; pass < 2 && j < 0; pass++) {
            for (int i = 0; i < K; i++) {
                /* frozen blocks, and blocks at their floor when decrementing, are skipped */
                if (frozen[i] || (chi && r[i] <= (floor_ ? floor_[i] : 0)))
                    continue;
                if (j < 0 || d[i] < d[j])
                    j = i;
            }
            if (j < 0) { /* everything frozen: the printed loop would spin forever; unfrozen,
                          * the next choice is a step (no previous index to freeze against) */
                for (int i = 0; i < K; i++)
                    frozen[i] = 0;
                prev = -1;
            }
        }
        if (j < 0) {
            rc = coda_failc(e, CODA_E_NUMERIC, "Algorithm 2: every block is at its floor with "
                                               "%ld replicas left to remove", R - m);
            break;
        }
        int over = chi ? pi[j] - (double)(r[j] - 1) / (double)m > 0
                       : (double)(r[j] + 1) / (double)m - pi[j] > 0;
        if (over && prev == j)
            frozen[j] = 1;
        else {
            r[j] += step;
            R += step;
            d[j] = chi ? pi[j] - (double)r[j] / (double)m : (double)r[j] / (double)m - pi[j];
        }
        prev = j;
    }
    if (loops)
        *loops = it;
    free(d), free(frozen);
    return rc;
}

int coda_lev_hamilton(long m, const double *pi, int K, const long *floor_, long *r, coda_err *e)
{
    long R = 0;
    for (int i = 0; i < K; i++) {
        long f = floor_ ? floor_[i] : 0, base = (long)floor((double)m * pi[i]);
        r[i] = base > f ? base : f;
        R += r[i];
    }
    /* the l1 cost |m Pi_i - r_i| is convex in r_i: adding (removing) one replica where it costs
     * least, one at a time, ends at the optimum; adding favours the largest remainder */
    while (R != m) {
        int j = -1;
        double best = INFINITY;
        for (int i = 0; i < K; i++) {
            double x = (double)m * pi[i], now = fabs(x - (double)r[i]), c;
            if (R < m)
                c = fabs(x - (double)(r[i] + 1)) - now;
            else if (r[i] > (floor_ ? floor_[i] : 0))
                c = fabs(x - (double)(r[i] - 1)) - now;
            else
                continue;
            if (c < best) {
                best = c;
                j = i;
            }
        }
        if (j < 0)
            return coda_failc(e, CODA_E_USAGE, "%ld servers cannot give the blocks their "
                                               "required replicas", m);
        r[j] += R < m ? 1 : -1;
        R += R < m ? 1 : -1;
    }
    return 0;
}

void coda_lev_measure(const double *pi, const long *r, int K, long m, double phi,
                      coda_lev_metrics *o)
{
    double d = 0, del = 0, bd = INFINITY, bp = INFINITY, eps = 0;
    o->zeros = o->lost = 0;
    for (int i = 0; i < K; i++) {
        double pb = (double)r[i] / (double)m;
        d += fabs(pi[i] - pb);
        eps = fmax(eps, fabs(pi[i] - pb));
        if (phi >= 0)
            del += fabs(pi[i] - (1.0 - pow(phi, (double)r[i])));
        if (pi[i] > 0)
            bd = fmin(bd, pb / pi[i]);
        if (pb > 0)
            bp = fmin(bp, pi[i] / pb);
        o->zeros += r[i] == 0;
        o->lost += r[i] == 0 && pi[i] > 0;
    }
    o->d = d / K;
    o->delta = phi >= 0 ? del / K : NAN;
    o->beta_def = bd;
    o->beta_paper = bp;
    o->eps = eps;
}
