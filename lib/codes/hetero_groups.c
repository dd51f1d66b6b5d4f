/* Algorithm 1 of papers/hetero-gc.txt (Appendix C.3): a connected component of alpha's support
 * covers as many partitions as its workers' Y sum to, so components need integer Y-sums, and
 * o components save o - 1 entries (nnz = n + k - o, eq. 40). The paper's greedy binary split
 * can miss the most groups (spec §2.5); the most groups is the most integer prefix sums over
 * all orderings of the workers, found exactly by a DP over subsets:
 *   f(M) = max_{i in M} f(M \ {i}) + [sum_{i in M} Y_i is an integer].
 * 2^m entries: only for m <= dp_max (22 by default, 40 MiB). Above it a heuristic: integer
 * Y_i alone, pairs whose fractional parts add to 1, the rest one group. */
#include <math.h>
#include <stdint.h>
#include <stdlib.h>

#include "hetero.h"

static int is_int(double x, double tol) { return x >= 0.5 && fabs(x - round(x)) <= tol; }

static double frac(double x) { return x - floor(x); }

/* number groups by first member in the given order */
static void renumber(int *group, int m, int *o)
{
    int *map = malloc((size_t)m * sizeof *map), next = 0;
    if (!map)
        return;
    for (int i = 0; i < m; i++)
        map[i] = -1;
    for (int i = 0; i < m; i++) {
        if (map[group[i]] < 0)
            map[group[i]] = next++;
        group[i] = map[group[i]];
    }
    *o = next;
    free(map);
}

static int dp(const double *Y, int m, double tol, int *group, int *o, coda_err *e)
{
    size_t full = ((size_t)1 << m) - 1, size = full + 1;
    double *sum = malloc(size * sizeof *sum);
    unsigned char *f = malloc(size), *last = malloc(size);
    if (!sum || !f || !last) {
        free(sum), free(f), free(last);
        return coda_fail_oom(e);
    }
    sum[0] = 0;
    f[0] = 0;
    last[0] = 0;
    for (size_t M = 1; M <= full; M++) {
        int low = __builtin_ctzll((unsigned long long)M);
        sum[M] = sum[M & (M - 1)] + Y[low];
        int best = -1, arg = 0;
        for (int i = 0; i < m; i++)
            if (M >> i & 1) {
                int v = f[M & ~((size_t)1 << i)];
                if (v > best)
                    best = v, arg = i;
            }
        f[M] = (unsigned char)(best + is_int(sum[M], tol));
        last[M] = (unsigned char)arg;
    }
    /* the ordering, back to front, cut after every integer prefix */
    int *order = malloc((size_t)m * sizeof *order), *cut = calloc((size_t)m, sizeof *cut);
    int rc = 0;
    if (!order || !cut)
        rc = coda_fail_oom(e);
    size_t M = full;
    for (int r = m - 1; r >= 0 && rc == 0; r--) {
        order[r] = last[M];
        cut[r] = is_int(sum[M], tol);
        M &= ~((size_t)1 << last[M]);
    }
    for (int r = 0, g = 0; r < m && rc == 0; r++) {
        group[order[r]] = g;
        if (cut[r])
            g++;
    }
    if (rc == 0)
        renumber(group, m, o);
    free(sum), free(f), free(last), free(order), free(cut);
    return rc;
}

static const double *pair_key;
static int by_frac(const void *x, const void *y)
{
    int a = *(const int *)x, b = *(const int *)y;
    double fa = frac(pair_key[a]), fb = frac(pair_key[b]);
    if (fa != fb)
        return fa < fb ? -1 : 1;
    return (a > b) - (a < b);
}

static int heuristic(const double *Y, int m, double tol, int *group, int *o, coda_err *e)
{
    int *idx = malloc((size_t)m * sizeof *idx), ni = 0, g = 0, rest = -1;
    if (!idx)
        return coda_fail_oom(e);
    for (int i = 0; i < m; i++)
        group[i] = -1;
    for (int i = 0; i < m; i++) {
        if (is_int(Y[i], tol))
            group[i] = g++;
        else
            idx[ni++] = i;
    }
    pair_key = Y;
    qsort(idx, (size_t)ni, sizeof *idx, by_frac);
    pair_key = NULL;
    for (int lo = 0, hi = ni - 1; lo < hi;) { /* two pointers over the sorted fractions */
        double s = frac(Y[idx[lo]]) + frac(Y[idx[hi]]);
        if (fabs(s - 1) <= tol) {
            group[idx[lo++]] = g;
            group[idx[hi--]] = g++;
        } else if (s < 1)
            lo++;
        else
            hi--;
    }
    for (int i = 0; i < m; i++)
        if (group[i] < 0) {
            if (rest < 0)
                rest = g++;
            group[i] = rest;
        }
    free(idx);
    renumber(group, m, o);
    return 0;
}

int coda_hetero_groups(const double *Y, int m, int n, int dp_max, int *group, int *o,
                       int *exact, coda_err *e)
{
    double tol = coda_hetero_tol(n);
    *exact = m <= dp_max && m <= 24;
    if (m < 1)
        return coda_fail(e, "groups: no worker with a positive share");
    return *exact ? dp(Y, m, tol, group, o, e) : heuristic(Y, m, tol, group, o, e);
}
