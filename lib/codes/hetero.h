/* Approximate gradient codes for heterogeneous stragglers (Song and Choi, papers/hetero-gc.txt;
 * spec: specs/hetero-gc.md). The paper's letters: k workers, n partitions. Worker i straggles
 * with its own probability p_i; the master forms g_hat = sum_{i responds} w_i f_i, unbiased
 * when every column of alpha = (1 - p_i) w_i a_ij sums to 1, and the bound on its residual is
 * least when row i of alpha sums to Y_i = n delta_i^-1 / S (Theorem 1, delta_i = p_i/(1-p_i),
 * S = sum_i delta_i^-1). Every alpha with those row and column sums is optimal; the
 * constructions below differ in their support (load) and in the signs of their entries.
 *
 * The constructions work on the active workers (Y_i > 0) sorted by p ascending, then scatter
 * their rows back to the original worker ids (rows of inactive workers stay zero). */
#ifndef CODA_HETERO_H
#define CODA_HETERO_H

#include "../core/err.h"
#include "../core/mat.h"
#include "scheme.h"

typedef enum {
    CODA_HETERO_INTERVAL, /* Scheme II with b from the interval rule: entries in [0, 1] */
    CODA_HETERO_STAR,     /* Scheme I (eq. 24): everyone shares partition 1 */
    CODA_HETERO_CHAIN,    /* Scheme II (eqs. 25-27): neighbours share one partition */
    CODA_HETERO_GROUPS,   /* Algorithm 1: integer-sum groups, one interval tree each */
    CODA_HETERO_TREE,     /* a given forest support, solved by leaf peeling */
    CODA_HETERO_DENSE     /* eq. (41): alpha_ij = Y_i / n, load k */
} coda_hetero_construction;

/* Each worker's straggling probability (N of them, in [0, 1]) from the options every code
 * built for them shares: --straggle-probs FILE, --psi FILE or --psi-range LO,HI with
 * --deadline T (p = exp(-psi (T - 1)), eq. 23), --p-range LO,HI (drawn with the seed).
 * *source: the file they came from (NULL: drawn). Bad values in a file have class io. */
int coda_hetero_probs(const char *who, const coda_scheme_args *a, int N, double *p,
                      const char **source, coda_err *e);

/* The name of a construction and back (-1: unknown). */
const char *coda_hetero_construction_name(coda_hetero_construction c);
int coda_hetero_construction_parse(const char *s);

/* Theorem 1 with the limits of spec §2.3 for degenerate p: p_i = 1 gets Y_i = 0; when some
 * p_i = 0, those z workers share Y_i = n/z and the others get 0. Y (k), *S (infinite when
 * some p_i = 0). p must lie in [0, 1]; all p_i = 1 is an error (no unbiased code exists).
 * *degenerate: how many p_i are 0 or 1. */
int coda_hetero_optimum(const double *p, int k, int n, double *Y, double *S, int *degenerate,
                        coda_err *e);

/* perm[r]: the worker of rank r when sorted by p ascending (stable). */
void coda_hetero_sort(const double *p, int k, int *perm);

/* The integer test of the constructions: |x - round(x)| <= tol, tol = 1e-9 n (spec §2.4.3). */
double coda_hetero_tol(int n);

/* The closed forms over m sorted workers (Y[0..m-1], non-increasing in spirit but not
 * required), into rows rows[0..m-1] of alpha (k x n, zeroed by the caller), columns
 * col0..col0+ncols-1, where sum Y = ncols. */
/* interval rule: alpha_ij = |[j-1, j] cap [c_{i-1}, c_i]|, c_i the prefix sums snapped to
 * integers within tol and the last one set to ncols. */
void coda_hetero_interval(const double *Y, const int *rows, int m, int col0, int ncols,
                          double tol, coda_mat *alpha);
/* Scheme I with b (sum b = ncols + m - 1, b_i >= 1). */
int coda_hetero_star(const double *Y, const int *b, const int *rows, int m, int col0, int ncols,
                     coda_mat *alpha, coda_err *e);
/* Scheme II with b (also middle b_i >= 2). */
int coda_hetero_chain(const double *Y, const int *b, const int *rows, int m, int col0,
                      int ncols, coda_mat *alpha, coda_err *e);
/* Check b for star or chain: sum, b_i >= 1, middle b_i >= 2 for the chain. */
int coda_hetero_check_b(const int *b, int m, int n, int chain, coda_err *e);
/* R-I: b for Scheme I by largest-remainder rounding of Y (spec §2.4.3). */
void coda_hetero_star_b(const double *Y, int m, int n, int *b);
/* The b the interval rule gives (each worker's number of cells of positive overlap). */
void coda_hetero_interval_b(const double *Y, int m, int n, double tol, int *b);

/* Algorithm 1: split m workers (Y[0..m-1]) into the most groups with integer Y-sums. Exact
 * (subset DP, O(2^m m)) when m <= dp_max; above, singletons and pairs whose fractional parts
 * add to 1, the rest one group. group[r] gets each worker's group id 0..*o-1, numbered by
 * their first member in the given order (so groups are ordered by their smallest p when the
 * workers are). *exact says which method ran. */
int coda_hetero_groups(const double *Y, int m, int n, int dp_max, int *group, int *o,
                       int *exact, coda_err *e);

/* Leaf peeling on a forest support (support k x n, nonzero = edge): the one alpha with row sums
 * Y and column sums 1 on it. Errors name the cycle, an isolated column, or the component
 * whose Y-sum is not its column count. */
int coda_hetero_peel(const double *Y, const coda_mat *support, coda_mat *alpha, coda_err *e);

#endif
