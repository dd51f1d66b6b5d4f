/* Least-squares columns: x_i = argmin f_i(x) = ||M x - e_i||_2^2 for every column e_i of E,
 * solved together so that each iteration is two level-3 BLAS calls over the columns still
 * running (papers/inverse.txt Alg. 1 and 2 run this with E = I).
 *   sd      steepest descent with backtracking (Armijo) line search, stopping at
 *           ||grad f_i||_2 <= eps, where grad f_i = 2 M^T (M x - e_i)
 *   cg      CG on the normal equations in the CGLS form (Bjorck), stopping at
 *           ||x^(k) - x^(k-1)||_2 <= eps (papers/inverse.txt §V)
 *   direct  LAPACK: LU (dgetrf/dgetrs, dgetri for a whole identity) for square M with a
 *           condition check (dgecon), QR least squares (dgels) otherwise */
#ifndef CODA_LSQ_H
#define CODA_LSQ_H

#include <stddef.h>

#include "../core/mat.h"
#include "../core/meta.h"

typedef enum { CODA_LSQ_DIRECT, CODA_LSQ_SD, CODA_LSQ_CG } coda_lsq_method;

typedef struct {
    coda_lsq_method method;
    double eps;  /* sd, cg: stopping tolerance */
    long iters;  /* sd, cg: iteration cap per column */
    /* sd, cg: called before each iteration with the columns done so far (may be NULL) */
    void (*progress)(long iter, size_t done, size_t total);
} coda_lsq_opts;

typedef struct {
    size_t columns;
    long iters_max;
    double iters_sum;
    double grad2_sum;   /* sum_i ||grad f_i||^2 at the returned x_i (NaN for direct) */
    double grad_max;
    double resid2_sum;  /* sum_i ||M x_i - e_i||^2 = ||M X - E||_F^2 (NaN for direct) */
    double sigma_upper; /* min_i ||M^T r_i|| / ||r_i||, a certified upper bound on sigma_min(M)
                           (INFINITY when every residual is 0; NaN for direct) */
    size_t *capped;     /* columns that stopped at the iteration cap */
    size_t ncapped;
    int coded;          /* the columns are coded combinations (mds tasks), not the caller's */
} coda_lsq_stats;

/* "sd", "cg", "direct" */
int coda_lsq_method_parse(const char *name, coda_lsq_method *m);
const char *coda_lsq_method_name(coda_lsq_method m);

/* X (M->cols x E->cols) from M (r x m, r >= m) and E (r x c). The caller frees X and the stats. */
int coda_lsq_columns(const coda_mat *M, const coda_mat *E, const coda_lsq_opts *o, coda_mat *X,
                     coda_lsq_stats *st, coda_err *e);
void coda_lsq_stats_free(coda_lsq_stats *st);
/* Add b's figures into a (columns of b numbered from `offset`). */
int coda_lsq_stats_merge(coda_lsq_stats *a, const coda_lsq_stats *b, size_t offset, coda_err *e);

/* "3 columns stopped at the iteration cap 100 before meeting eps: 4, 17 and 52" (sorted,
 * at most 10 named); empty when none did. */
void coda_lsq_capped_text(coda_lsq_stats *st, long cap, char *buf, size_t len);

/* The solver options as metadata (arg.method, arg.eps, arg.iters; direct when absent), and the
 * stats as RESULT metadata (iters_max, iters_sum, grad2_sum, grad_max, resid2_sum, sigma_upper,
 * capped): how the pipeline carries them between encode, the workers and decode. */
int coda_lsq_opts_to_meta(const coda_lsq_opts *o, coda_meta *m, coda_err *e);
int coda_lsq_opts_from_meta(const coda_meta *m, coda_lsq_opts *o, coda_err *e);
int coda_lsq_stats_to_meta(const coda_lsq_stats *st, coda_meta *m, coda_err *e);
int coda_lsq_stats_from_meta(const coda_meta *m, coda_lsq_stats *st, coda_err *e);

#endif
