/* Scheme I of papers/hetero-gc.txt (Appendix A.1, eq. 24): every worker holds partition 1,
 * worker i also b_i - 1 partitions of its own, and its share of partition 1 makes its row sum
 * Y_i: alpha_i1 = Y_i - b_i + 1. The support is a star (a tree); alpha_i1 is negative whenever
 * b_i - 1 > Y_i, which any b with sum n + k - 1 forces unless the fractional parts of Y sum to
 * 0 or 1 (spec §2.4.1). */
#include <math.h>
#include <stdlib.h>

#include "hetero.h"

int coda_hetero_check_b(const int *b, int m, int n, int chain, coda_err *e)
{
    long sum = 0;
    for (int i = 0; i < m; i++) {
        if (b[i] < 1)
            return coda_fail(e, "-b: b_%d = %d, every worker needs at least one partition", i + 1,
                             b[i]);
        if (chain && i > 0 && i < m - 1 && b[i] < 2)
            return coda_fail(e, "-b: b_%d = %d breaks Scheme II: a middle worker needs b_i >= 2 "
                                "(use --construction interval for a worker inside one "
                                "partition)", i + 1, b[i]);
        sum += b[i];
    }
    if (sum != (long)n + m - 1)
        return coda_fail(e, "-b sums to %ld, need n + k - 1 = %d (n = %d partitions, k = %d "
                            "workers)", sum, n + m - 1, n, m);
    return 0;
}

int coda_hetero_star(const double *Y, const int *b, const int *rows, int m, int col0, int ncols,
                     coda_mat *alpha, coda_err *e)
{
    if (coda_hetero_check_b(b, m, ncols, 0, e) < 0)
        return -1;
    int next = 1; /* the next exclusive partition (0-based; partition 0 is the shared one) */
    for (int i = 0; i < m; i++) {
        CODA_AT(alpha, rows[i], col0) = Y[i] - b[i] + 1;
        for (int t = 0; t < b[i] - 1; t++)
            CODA_AT(alpha, rows[i], col0 + next++) = 1;
    }
    return 0;
}

/* R-I: e_i = floor(Y_i) exclusive partitions, then one more for the (n-1) - sum floor(Y)
 * workers with the largest fractional parts (fewer for the smallest when that is negative,
 * keeping e_i >= 0), so alpha_i1 = Y_i - e_i stays in (-1, 1). */
static const double *frac_key;
static int by_frac_desc(const void *x, const void *y)
{
    int a = *(const int *)x, b = *(const int *)y;
    double fa = frac_key[a] - floor(frac_key[a]), fb = frac_key[b] - floor(frac_key[b]);
    if (fa != fb)
        return fa > fb ? -1 : 1;
    return (a > b) - (a < b);
}

void coda_hetero_star_b(const double *Y, int m, int n, int *b)
{
    long total = 0;
    int *order = malloc((size_t)m * sizeof *order);
    for (int i = 0; i < m; i++) {
        b[i] = (int)floor(Y[i]);
        total += b[i];
    }
    long extra = (long)(n - 1) - total;
    if (order) {
        for (int i = 0; i < m; i++)
            order[i] = i;
        frac_key = Y;
        qsort(order, (size_t)m, sizeof *order, by_frac_desc);
        frac_key = NULL;
        for (int r = 0; r < m && extra > 0; r++, extra--)
            b[order[r]]++;
        for (int r = m - 1; r >= 0 && extra < 0; r--)
            if (b[order[r]] > 0) {
                b[order[r]]--;
                extra++;
            }
    }
    for (int i = 0; i < m; i++) /* b counts partition 1 too */
        b[i]++;
    free(order);
}
