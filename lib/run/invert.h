/* Approximate inverse and pseudoinverse, column by column (papers/inverse.txt):
 *   inverse  Algorithm 1: column i of A^-1 = argmin ||A b - e_i||^2
 *   left     Algorithm 2, tall A (n x m, n > m): B = A^T A, C ~ B^-1 by Algorithm 1,
 *            A^+ = C^T A^T (row i of A^+ is c_i^T A^T)
 *   right    wide A (m x n, m < n): B = A A^T, A^+ = A^T C
 * A job (encode, workers, decode), so it lives above lib/codes and lib/work; the columns are
 * solved by lib/solve/lsq.h. Scaling (§III-B): with --scale d the solver works
 * on dM and the result is multiplied by d. Distributed: the columns are split over N workers by
 * a scheme (frc by default) and run through the same encode / worker / decode code as the
 * coda-encode | coda-worker-sim | coda-decode pipeline, with the same straggler model. */
#ifndef CODA_INVERT_H
#define CODA_INVERT_H

#include "../codes/plan.h"
#include "../straggle/straggle.h"
#include "../solve/lsq.h"

typedef enum { CODA_INV_INVERSE, CODA_INV_LEFT, CODA_INV_RIGHT } coda_inv_mode;

typedef struct {
    coda_inv_mode mode;
    coda_lsq_opts lsq;
    double scale;                      /* d > 0 (1: none) */
    int N, s;                          /* N = 0: one process, no coding */
    const char *scheme;                /* distributed: the code (frc when NULL) */
    unsigned long long seed;
    const coda_straggle_model *straggle; /* distributed: who responds */
    void (*progress)(int worker, int N);
} coda_invert_opts;

typedef struct {
    coda_lsq_stats lsq;    /* over the subproblems (columns of M^-1) */
    size_t subproblems;    /* n for the inverse, m for a pseudoinverse */
    int N, responders;
    double completion, uncoded; /* simulated times (distributed) */
    char scheme[32];
} coda_invert_info;

/* "inverse", "left", "right", "pinv" (left or right from the shape; inverse if square) */
int coda_inv_mode_parse(const char *name, size_t rows, size_t cols, coda_inv_mode *mode,
                        coda_err *e);
const char *coda_inv_mode_name(coda_inv_mode m);

/* d = 1 / sigma_min of the matrix the solver runs on (A, or A^T A / A A^T), from LAPACK's
 * singular values: O(n^3), as much as a direct inverse. */
int coda_invert_auto_scale(const coda_mat *A, coda_inv_mode mode, double *d, coda_err *e);

int coda_invert(const coda_mat *A, const coda_invert_opts *o, coda_mat *out,
                coda_invert_info *info, coda_err *e);
void coda_invert_info_free(coda_invert_info *info);

/* Errors against the exact (pseudo)inverse from LAPACK's SVD, and the bounds of Proposition 1
 * and Corollary 2. The errors are squared norms, as the paper defines them. */
typedef struct {
    double err_l2, err_F, err_rF;   /* ||X - A^+||_2^2, ||X - A^+||_F^2, err_F / ||A^+||_F^2 */
    double sigma_min, sigma_max;    /* of A */
    double bound_F, bound_rF;       /* at the requested eps (a theorem for sd whose columns all
                                       met eps; NaN otherwise) */
    double bound_F_obs, bound_rF_obs; /* with the final gradients measured, any method */
    double paper_bound_F, paper_bound_rF; /* Corollary 2 as printed (pseudoinverses) */
} coda_invert_report;

int coda_invert_check(const coda_mat *A, const coda_mat *X, const coda_invert_opts *o,
                      const coda_invert_info *info, coda_invert_report *rep, coda_err *e);

#endif
