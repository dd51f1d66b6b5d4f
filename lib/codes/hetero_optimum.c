/* Theorem 1 of papers/hetero-gc.txt: the optimal row sums Y_i = n delta_i^-1 / S, with the
 * limits of spec §2.3 where p is 0 or 1, and what every construction shares (sorting, the
 * integer tolerance, the construction names). */
#include <math.h>
#include <stdlib.h>
#include <string.h>

#include "hetero.h"

static const char *const names[] = {"interval", "star", "chain", "groups", "tree", "dense"};

const char *coda_hetero_construction_name(coda_hetero_construction c)
{
    return (unsigned)c < sizeof names / sizeof names[0] ? names[c] : "?";
}

int coda_hetero_construction_parse(const char *s)
{
    for (int i = 0; i < (int)(sizeof names / sizeof names[0]); i++)
        if (strcmp(s, names[i]) == 0)
            return i;
    return -1;
}

double coda_hetero_tol(int n) { return 1e-9 * (n > 1 ? n : 1); }

int coda_hetero_optimum(const double *p, int k, int n, double *Y, double *S, int *degenerate,
                        coda_err *e)
{
    int zeros = 0, ones = 0;
    for (int i = 0; i < k; i++) {
        if (!(p[i] >= 0 && p[i] <= 1)) /* NaN too */
            return coda_fail(e, "straggling probability p_%d = %g is outside [0, 1]", i + 1, p[i]);
        zeros += p[i] == 0;
        ones += p[i] == 1;
    }
    *degenerate = zeros + ones;
    if (ones == k)
        return coda_fail(e, "every straggling probability is 1: no worker ever responds, so no "
                            "unbiased code exists");
    if (zeros) { /* the limit p_i -> 0: the never-straggling workers take everything */
        for (int i = 0; i < k; i++)
            Y[i] = p[i] == 0 ? (double)n / zeros : 0;
        *S = INFINITY;
        return 0;
    }
    double s = 0;
    for (int i = 0; i < k; i++)
        s += (1 - p[i]) / p[i];
    for (int i = 0; i < k; i++)
        Y[i] = n * ((1 - p[i]) / p[i]) / s;
    *S = s;
    return 0;
}

static const double *sort_key;
static int by_p(const void *x, const void *y)
{
    int a = *(const int *)x, b = *(const int *)y;
    if (sort_key[a] != sort_key[b])
        return sort_key[a] < sort_key[b] ? -1 : 1;
    return (a > b) - (a < b); /* stable: ties keep worker order */
}

void coda_hetero_sort(const double *p, int k, int *perm)
{
    for (int i = 0; i < k; i++)
        perm[i] = i;
    sort_key = p;
    qsort(perm, (size_t)k, sizeof *perm, by_p);
    sort_key = NULL;
}
