/* Least squares min ||A x - b||_2 (ridge: + l2 ||x||^2, by appending sqrt(l2) I to A and zeros
 * to b), A tall (N x d, N >= d), for each of the k columns of B (X = d x k, as numpy's lstsq).
 * A rank-deficient A (sigma_min <= max(N, d) u sigma_max of the triangular factor of A or of its
 * sketch: rank_check in lstsq.c) is refused with class CODA_E_NUMERIC; with rcond > 0, singular
 * values <= rcond sigma_max count as zero and each method returns the minimum-norm solution:
 *   qr, sketch-solve  dgelsd on [A B] or on S[A B]
 *   precond           P = V_p Sigma_p^-1 from the SVD of S A (LSRN) instead of R^-1
 *   iterative-sketch  unchanged: its iterates stay in A's row space
 *   qr              LAPACK dgels, the reference
 *   sketch-solve    x = argmin ||S (A x - b)||: one sketch of [A b], dgels on it (approximate)
 *   precond         sketch-and-precondition (Blendenpik / LSRN family): R, the triangular
 *                   factor of S A, and the sketch-and-solve start x0 from S[A b]; LSQR on
 *                   min ||A R^-1 y - (b - A x0)|| until ||(A R^-1)^T r|| <= tol ||A x||, which
 *                   bounds ||A (x - x*)|| by (1 + eps) tol ||A x|| for an eps-embedding S;
 *                   x = x0 + R^-1 y
 *   iterative-sketch papers/leverage-gc.txt Algorithm 3: x <- x - step * 2 (S_s A)^T (S_s A x -
 *                   S_s b) with a fresh sketch S_s each iteration; fixed step (absolute, or
 *                   relative: c 2 / sigma_max(A)^2 with the gradient F (S A)^T (...), spec §2.8)
 *                   or exact line search on the full problem; fixed_sketch: one S (stream 0)
 *                   for every iteration, the non-iterative variant, which tends to
 *                   argmin ||S (A x - b)|| (sketch-solve's answer for the same seed), not x* */
#ifndef CODA_LSTSQ_H
#define CODA_LSTSQ_H

#include "../sketch/sketch.h"

/* precond's default tolerance: the fit A x within about 1e-13 of A x* (see lsqr in lstsq.c) */
#define CODA_LS_DEFAULT_TOL 1e-13

typedef enum { CODA_LS_QR, CODA_LS_SKETCH_SOLVE, CODA_LS_PRECOND, CODA_LS_ITER_SKETCH } coda_ls_method;

typedef struct {
    coda_ls_method method;
    coda_sketch_opts sketch; /* rows 0: the method's default (precond k d from a cost model,
                                sketch-solve 4 d, iterative 2 d) */
    double l2;
    double tol;              /* precond: LSQR tolerance (0: CODA_LS_DEFAULT_TOL) */
    long iters;              /* precond: cap; iterative-sketch: the count */
    int line_search;         /* iterative-sketch: exact line search instead of a fixed step */
    double step;             /* iterative-sketch fixed step (0: 1 / ||S_0 A||_2^2 estimate) */
    double step_rel;         /* > 0: the step step_rel 2 / sigma_max(A)^2 instead ... */
    int grad_factor;         /* ... with the gradient grad_factor (S A)^T (S A x - S b), 1 or 2
                                (0: 2, the paper's as printed) */
    int fixed_sketch;        /* iterative-sketch: one sketch for all iterations */
    double rcond;            /* > 0: the minimum-norm solution, singular values <= rcond
                                sigma_max taken as zero (numpy lstsq's rcond); 0: refuse a
                                rank-deficient A */
    const coda_mat *reference; /* x* of B's first column for the trace's error column, or NULL */
    /* called after each iteration (for B's first column): relative residual ||A x - b|| / ||b||,
     * and ||x - x*|| / ||x*|| (NaN without a reference) */
    void (*trace)(void *ctx, long iter, double resid, double err);
    void *trace_ctx;
} coda_ls_opts;

typedef struct {
    long iters;         /* the most over B's columns */
    double resid;       /* ||A X - B||_F / ||B||_F at the end (of the regularized problem) */
    const char *factor; /* precond: how R was computed, "cholesky", "qr" or "svd" (rcond) */
    size_t rank;        /* the numerical rank used (d when full; 0: not computed, which is
                           iterative-sketch with rcond) */
} coda_ls_info;

int coda_ls_method_parse(const char *name, coda_ls_method *m);
/* --step of iterative-sketch: a positive number X (o->step) or rel:C[,F] (o->step_rel = C > 0,
 * o->grad_factor = F, 1 or 2); a usage error otherwise */
int coda_ls_step_parse(const char *s, coda_ls_opts *o, coda_err *e);
const char *coda_ls_method_name(coda_ls_method m);

/* x: d x k for b: N x k. When l2 = 0 and b's data directly follow A's (b = the last k columns
 * of one N x (d+k) block), the block is used in place; otherwise [A b] is copied once. */
int coda_lstsq(const coda_mat *A, const coda_mat *b, const coda_ls_opts *o, coda_mat *x,
               coda_ls_info *info, coda_err *e);

#endif
