#include "lstsq.h"

#include <cblas.h>
#include <float.h>
#include <lapacke.h>
#include <math.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>

#include "../core/threads.h"

static const char *const names[] = {"qr", "sketch-solve", "precond", "iterative-sketch"};

int coda_ls_method_parse(const char *name, coda_ls_method *m)
{
    for (int i = 0; i < 4; i++)
        if (strcmp(name, names[i]) == 0) {
            *m = (coda_ls_method)i;
            return 0;
        }
    return -1;
}

int coda_ls_step_parse(const char *s, coda_ls_opts *o, coda_err *e)
{
    double c, f = 2, x;
    char extra;
    if ((sscanf(s, "rel:%lf,%lf%c", &c, &f, &extra) == 2 || sscanf(s, "rel:%lf%c", &c, &extra) == 1)
        && c > 0 && isfinite(c) && (f == 1 || f == 2)) {
        o->step_rel = c;
        o->grad_factor = (int)f;
        o->step = 0;
        return 0;
    }
    if (strncmp(s, "rel:", 4) != 0 && sscanf(s, "%lf%c", &x, &extra) == 1 && x > 0 && isfinite(x)) {
        o->step = x;
        o->step_rel = 0;
        return 0;
    }
    return coda_failc(e, CODA_E_USAGE, "option --step: '%s' is neither a positive number nor "
                                       "rel:C[,F] (C > 0, F 1 or 2)", s);
}

const char *coda_ls_method_name(coda_ls_method m) { return names[m]; }

/* [A B] in one matrix (with the ridge rows sqrt(l2) I and zeros appended when l2 > 0). */
static int augmented(const coda_mat *A, const coda_mat *b, double l2, coda_mat *Ab, coda_err *e)
{
    size_t N = A->rows, d = A->cols, k = b->cols, R = N + (l2 > 0 ? d : 0);
    if (coda_mat_alloc(Ab, R, d + k, e) < 0)
        return -1;
    for (size_t j = 0; j < d + k; j++)
        memcpy(Ab->data + j * R, (j < d ? A->data + j * N : b->data + (j - d) * N),
               N * sizeof(double));
    for (size_t j = 0; l2 > 0 && j < d; j++)
        Ab->data[j * R + N + j] = sqrt(l2);
    return 0;
}

/* The first NaN or Inf of A, then of b, as an error. */
static int check_finite(const coda_mat *A, const coda_mat *b, coda_err *e)
{
    size_t N = A->rows, bad = coda_mat_first_nonfinite(A);
    if (bad != (size_t)-1)
        return coda_fail(e, "A entry (%zu,%zu) is not finite", bad % N + 1, bad / N + 1);
    if ((bad = coda_mat_first_nonfinite(b)) != (size_t)-1) {
        if (b->cols == 1)
            return coda_fail(e, "b entry %zu is not finite", bad + 1);
        return coda_fail(e, "b entry (%zu,%zu) is not finite", bad % N + 1, bad / N + 1);
    }
    return 0;
}

static double rel_err(const double *x, const coda_mat *ref, size_t d)
{
    if (!ref)
        return NAN;
    double num = 0, den = 0;
    for (size_t i = 0; i < d; i++) {
        num += (x[i] - ref->data[i]) * (x[i] - ref->data[i]);
        den += ref->data[i] * ref->data[i];
    }
    return sqrt(num / (den > 0 ? den : 1));
}

/* ||A X - B||_F / ||B||_F for the k columns of X (d x k) and B (R x k, contiguous), A =
 * Ab(:, 0:d); r (R x k) receives A X - B. */
static double residual(const coda_mat *Ab, size_t d, size_t k, const double *B, const double *X,
                       double *r)
{
    size_t R = Ab->rows;
    memcpy(r, B, R * k * sizeof *r);
    double bn = cblas_dnrm2((int)(R * k), r, 1);
    for (size_t j = 0; j < k; j++)
        cblas_dgemv(CblasColMajor, CblasNoTrans, (int)R, (int)d, 1.0, Ab->data, (int)R,
                    X + j * d, 1, -1.0, r + j * R, 1);
    return cblas_dnrm2((int)(R * k), r, 1) / (bn > 0 ? bn : 1);
}

/* The rank test of every method, on R (n x n upper triangular, leading dimension ldr): the
 * triangular factor of A (qr) or of a sketch S A (the other methods), whose singular values are
 * A's within the sketch's distortion. A counts as rank deficient when
 *   sigma_min(R) <= tol sigma_max(R),  tol = max(N, n) u
 * (N the rows of the problem, u the unit roundoff): numpy's default rcond for lstsq and
 * matrix_rank, the level below which a direction of x is set by rounding alone. LAPACK dtrcon's
 * 1-norm estimate (O(n^2)) screens: 1/cond_1 > 10 n tol clears R, since cond_2 <= n cond_1 and
 * the estimate is within a small factor of cond_1; otherwise the singular values of R (O(n^3),
 * less than the factorization that gave R) decide, and give the numerical rank. */
static int rank_check(const double *Rm, size_t ldr, size_t n, size_t N, int sketched,
                      coda_err *e)
{
    double tol = (double)(N > n ? N : n) * DBL_EPSILON, rc = 0;
    if (n == 0)
        return 0;
    if (LAPACKE_dtrcon(LAPACK_COL_MAJOR, '1', 'U', 'N', (int)n, Rm, (int)ldr, &rc) == 0 &&
        rc > 10 * (double)n * tol)
        return 0;
    coda_mat T, s;
    if (coda_mat_alloc(&T, n, n, e) < 0)
        return -1;
    if (coda_mat_alloc(&s, n, 1, e) < 0) {
        coda_mat_free(&T);
        return -1;
    }
    for (size_t j = 0; j < n; j++)
        memcpy(T.data + j * n, Rm + j * ldr, (j + 1) * sizeof(double));
    lapack_int info = LAPACKE_dgesdd(LAPACK_COL_MAJOR, 'N', (int)n, (int)n, T.data, (int)n,
                                     s.data, NULL, 1, NULL, 1);
    size_t rank = 0;
    while (info == 0 && rank < n && s.data[rank] > tol * s.data[0])
        rank++;
    double cond = s.data[n - 1] > 0 ? s.data[0] / s.data[n - 1] : INFINITY;
    coda_mat_free(&T);
    coda_mat_free(&s);
    if (info != 0)
        return coda_failc(e, CODA_E_NUMERIC, "LAPACK dgesdd did not converge on R");
    if (rank == n)
        return 0;
    return coda_failc(e, CODA_E_NUMERIC,
                      "A is rank deficient: numerical rank %zu of %zu (cond %.3g of the "
                      "triangular factor of %s, above 1/(max(N,d) u) = %.3g); give --rcond for "
                      "the minimum-norm solution%s",
                      rank, n, cond, sketched ? "its sketch" : "A", 1 / tol,
                      sketched ? " (or, if A has full rank, a larger sketch)" : "");
}

/* x (d x k) from M = [A B] (rows x (d+k), overwritten). rcond 0: dgels (Householder QR), whose
 * factor R then passes rank_check; rcond > 0: dgelsd's minimum-norm solution, singular values
 * <= rcond sigma_max taken as zero (numpy's lstsq). *rank: the numerical rank used. */
static int direct_solve(coda_mat *M, size_t d, size_t N, double rcond, int sketched,
                        double *x, size_t *rank, coda_err *e)
{
    size_t R = M->rows, k = M->cols - d;
    lapack_int info;
    if (rcond > 0) {
        coda_mat s;
        lapack_int rk = 0;
        if (coda_mat_alloc(&s, d, 1, e) < 0)
            return -1;
        info = LAPACKE_dgelsd(LAPACK_COL_MAJOR, (int)R, (int)d, (int)k, M->data, (int)R,
                              M->data + d * R, (int)R, s.data, rcond, &rk);
        coda_mat_free(&s);
        if (info > 0)
            return coda_failc(e, CODA_E_NUMERIC, "LAPACK dgelsd: the SVD did not converge");
        *rank = (size_t)rk;
    } else {
        info = LAPACKE_dgels(LAPACK_COL_MAJOR, 'N', (int)R, (int)d, (int)k, M->data, (int)R,
                             M->data + d * R, (int)R);
        /* info > 0 (a zero diagonal of R) fails rank_check, as sigma_min(R) <= min |R_ii| */
        if (info >= 0 && rank_check(M->data, R, d, N, sketched, e) < 0)
            return -1;
        if (info > 0)
            return coda_failc(e, CODA_E_NUMERIC, "LAPACK dgels: zero diagonal %d", (int)info);
        *rank = d;
    }
    if (info < 0)
        return coda_fail(e, "LAPACK argument %d invalid", (int)-info);
    for (size_t j = 0; j < k; j++)
        memcpy(x + j * d, M->data + (d + j) * R, d * sizeof *x);
    return 0;
}

/* Rows of A per block of product_pair: about 1 MiB of A, so that a block stays in cache
 * between its two products. */
static size_t pair_rows(size_t n)
{
    size_t h = ((size_t)1 << 20) / (8 * n);
    return h < 64 ? 64 : h;
}

/* u = A t - alpha u and s = A^T u (the new u) for A m x n with leading dimension m. The two
 * products of an LSQR step share one pass over A, which halves the memory traffic that bounds
 * an iteration on a tall A. The blocks run in parallel with one BLAS thread each; each block
 * writes its own part of A^T u to part (n x blocks), summed in a fixed order, so that the result
 * has the same bytes whatever the thread count. */
static void product_pair(const double *A, size_t m, size_t n, const double *t, double alpha,
                         double *u, double *s, double *part)
{
    size_t h = pair_rows(n);
    long nb = (long)((m + h - 1) / h);
    int threads = coda_blas_serial();
#pragma omp parallel for schedule(static) if (m * n > 100000)
    for (long b = 0; b < nb; b++) {
        size_t i0 = (size_t)b * h;
        int hb = (int)(m - i0 < h ? m - i0 : h);
        cblas_dgemv(CblasColMajor, CblasNoTrans, hb, (int)n, 1.0, A + i0, (int)m, t, 1, -alpha,
                    u + i0, 1);
        cblas_dgemv(CblasColMajor, CblasTrans, hb, (int)n, 1.0, A + i0, (int)m, u + i0, 1, 0.0,
                    part + (size_t)b * n, 1);
    }
    coda_blas_restore(threads);
    memcpy(s, part, n * sizeof *s);
    for (long b = 1; b < nb; b++)
        cblas_daxpy((int)n, 1.0, part + (size_t)b * n, 1, s, 1);
}

/* The right preconditioner x = P y of LSQR: P = R^-1 (R the d x d upper triangular factor of
 * S A), or, on the numerical range (rcond), P = Q^T with Q = Sigma_p^-1 V_p^T (p x d) from the
 * SVD of S A, as in LSRN (Meng, Saunders & Mahoney 2014). */
typedef struct {
    const double *M; /* R, or Q */
    size_t ld, d, p; /* p = d for R */
    int dense;
} pc_op;

/* t (d) = P v (v: p) */
static void pc_apply(const pc_op *P, const double *v, double *t)
{
    if (P->dense) {
        cblas_dgemv(CblasColMajor, CblasTrans, (int)P->p, (int)P->d, 1.0, P->M, (int)P->ld, v, 1,
                    0.0, t, 1);
        return;
    }
    memcpy(t, v, P->d * sizeof *t);
    cblas_dtrsv(CblasColMajor, CblasUpper, CblasNoTrans, CblasNonUnit, (int)P->d, P->M,
                (int)P->ld, t, 1);
}

/* t (p) = P^T s (s: d) */
static void pc_apply_t(const pc_op *P, const double *s, double *t)
{
    if (P->dense) {
        cblas_dgemv(CblasColMajor, CblasNoTrans, (int)P->p, (int)P->d, 1.0, P->M, (int)P->ld, s,
                    1, 0.0, t, 1);
        return;
    }
    memcpy(t, s, P->d * sizeof *t);
    cblas_dtrsv(CblasColMajor, CblasUpper, CblasTrans, CblasNonUnit, (int)P->d, P->M, (int)P->ld,
                t, 1);
}

/* LSQR (Paige & Saunders 1982) on min ||A P y - c|| (P = R^-1, or see pc_op), from y = 0, for
 * the right-hand side b (a column of Ab); Atc = A^T c is given (the caller gets it in the pass
 * that forms c), and part is product_pair's scratch. With r = c - A P y = b - A x the residual of
 * x = x0 + P y, it stops at the first of
 *   (1) ||(A P)^T r|| <= tol ||A x||: since (A P)^T r* = 0, ||A (x - x*)|| <=
 *       ||(A P)^T r|| / sigma_min(A P), and an eps-embedding S (R the triangular factor
 *       of S A) has sigma_min(A P) >= 1 / (1 + eps) (on the numerical range for the SVD's P);
 *       so ||A (x - x*)|| <= (1 + eps) tol ||A x||, a forward error in the fit that does not
 *       grow with ||r|| / ||A x|| (a Cholesky R, see sketch_factor, adds a factor
 *       sqrt(1 + delta), delta its rounding's relative effect, well below 1). ||A x|| is taken
 *       as sqrt(||b||^2 - ||r||^2) = sqrt(||A x*||^2 - ||A (x - x*)||^2), which underestimates it;
 *   (2) ||(A P)^T r|| <= u ||A P||_F ||r||: the backward error is at the rounding level
 *       of evaluating (A P)^T r itself, where (1) can be out of reach (||r|| >> ||A x|| / u);
 *   or the cap. trace: report each iteration to o->trace. */
static int lsqr(const coda_mat *Ab, const double *b, const pc_op *P, const double *c,
                const double *Atc, double *part, double tol, long cap, const coda_ls_opts *o,
                int trace, const double *x0, double *y, long *iters, coda_err *e)
{
    size_t R = Ab->rows, d = P->d, p = P->p;
    double *u = malloc(R * sizeof *u), *v = malloc(p * sizeof *v), *w = malloc(p * sizeof *w),
           *t = malloc(d * sizeof *t), *xt = malloc(d * sizeof *xt), *rr = malloc(R * sizeof *rr),
           *s = malloc(d * sizeof *s);
    if (!u || !v || !w || !t || !xt || !rr || !s) {
        free(u), free(v), free(w), free(t), free(xt), free(rr), free(s);
        return coda_fail_oom(e);
    }
    const int n = (int)p, m = (int)R;
    const double bnorm = cblas_dnrm2(m, b, 1);
    memset(y, 0, p * sizeof *y);
    memcpy(u, c, R * sizeof *u);
    double beta = cblas_dnrm2(m, u, 1), alpha = 0, anorm2 = 0;
    if (beta > 0)
        cblas_dscal(m, 1 / beta, u, 1);
    /* v = P^T A^T u */
    memcpy(s, Atc, d * sizeof *s);
    if (beta > 0)
        cblas_dscal((int)d, 1 / beta, s, 1);
    pc_apply_t(P, s, v);
    alpha = cblas_dnrm2(n, v, 1);
    if (alpha > 0)
        cblas_dscal(n, 1 / alpha, v, 1);
    memcpy(w, v, p * sizeof *w);
    double phibar = beta, rhobar = alpha;
    long k = 0;
    while (k < cap && beta > 0 && alpha > 0) {
        k++;
        /* u = A P v - alpha u, and A^T u, in one pass over A */
        pc_apply(P, v, t);
        product_pair(Ab->data, R, d, t, alpha, u, s, part);
        beta = cblas_dnrm2(m, u, 1);
        if (beta > 0) {
            cblas_dscal(m, 1 / beta, u, 1);
            cblas_dscal((int)d, 1 / beta, s, 1);
        }
        anorm2 += alpha * alpha + beta * beta;
        /* v = P^T A^T u - beta v */
        pc_apply_t(P, s, t);
        cblas_daxpy(n, -beta, v, 1, t, 1);
        alpha = cblas_dnrm2(n, t, 1);
        memcpy(v, t, p * sizeof *v);
        if (alpha > 0)
            cblas_dscal(n, 1 / alpha, v, 1);
        double rho = hypot(rhobar, beta), cs = rhobar / rho, sn = beta / rho;
        double theta = sn * alpha, phi = cs * phibar;
        rhobar = -cs * alpha;
        phibar = sn * phibar;
        cblas_daxpy(n, phi / rho, w, 1, y, 1);
        cblas_dscal(n, -theta / rho, w, 1);
        cblas_daxpy(n, 1.0, v, 1, w, 1);
        /* ||(A P)^T r|| = phibar alpha |c|, ||r|| = phibar */
        double arnorm = phibar * alpha * fabs(cs), rnorm = phibar;
        if (trace) {
            pc_apply(P, y, xt);
            cblas_daxpy((int)d, 1.0, x0, 1, xt, 1);
            o->trace(o->trace_ctx, k, residual(Ab, d, 1, b, xt, rr), rel_err(xt, o->reference, d));
        }
        double fit = sqrt(fmax((bnorm - rnorm) * (bnorm + rnorm), 0));
        if (arnorm <= tol * fit || arnorm <= DBL_EPSILON * sqrt(anorm2) * rnorm)
            break;
    }
    *iters = k;
    free(u), free(v), free(w), free(t), free(xt), free(rr), free(s);
    return 0;
}

/* precond's default sketch size k d (at most N), k = 4..64 minimizing a model of the cost counted
 * in passes over A (N x d):
 *   k d^2 / (15 N)          the dsyrk of the k d x d sketch, k d^3 flops, against a pass's N d
 *                           doubles: 15 flops per double is the development machine's ratio of
 *                           dsyrk speed (about 25 GFlop/s) to memory bandwidth (13 GB/s);
 *   2.07 ln(1/tol) / ln k   the LSQR iterations, one pass each: the error contracts by about
 *                           1/sqrt(k) per iteration; the constant fits the 30, 25, 22 and 21
 *                           iterations measured at k = 8, 12, 16, 20 (50000 x 500, tol 1e-13).
 * The optimum is flat: k about 20 for 50000 x 500, 64 for 200000 x 200, 6 for 20000 x 1000. */
static size_t precond_rows(size_t N, size_t d, double tol)
{
    size_t best = 4;
    double best_cost = INFINITY;
    for (size_t k = 4; k <= 64; k++) {
        double cost = (double)k * (double)d * (double)d / (15.0 * (double)N) +
                      2.07 * log(1 / tol) / log((double)k);
        if (cost < best_cost)
            best = k, best_cost = cost;
    }
    return best * d < N ? best * d : N;
}


/* The preconditioner R, the triangular factor of S A, and the sketch-and-solve starts X0 =
 * argmin ||S (A X0 - B)|| (d x k), from the sketch S[A B] (r x (d+k)). R is pointed into G
 * ((d+k)^2 scratch, leading dimension d+k) or into S's own storage.
 * R serves only as a preconditioner, so it is first taken from the Cholesky factor of the
 * sketch's Gram matrix (one dsyrk: half the flops of Householder QR). In floating point that
 * gives R^T R = (SA)^T SA + E, ||E|| = c u ||SA||^2 with c about sqrt(r) in practice (r d at
 * worst), which moves the eigenvalues of (A R^-1)^T (A R^-1) by a relative c u cond(R)^2; LSQR's
 * rate and the stopping rule's bound only degrade smoothly with it. It is kept while
 * d u cond(R)^2 <= 0.1, cond(R) the 1-norm estimate of dtrcon (at d = 500, up to about 1e6).
 * That is conservative: on 50000 x 500 problems with kappa 1e4 to 1e6, a Cholesky R (forced)
 * took the same 21 LSQR iterations as Householder's. Otherwise, or if the Cholesky factorization
 * breaks down, R comes from Householder QR (dgeqrf), which is backward stable whatever the
 * conditioning. Either R then passes rank_check (N the rows of the problem). */
static int sketch_factor(coda_mat *S, size_t N, size_t d, double *G, pc_op *P, double *X0,
                         coda_err *e)
{
    size_t r = S->rows, k = S->cols - d;
    int n = (int)d, ldg = n + (int)k;
    cblas_dsyrk(CblasColMajor, CblasUpper, CblasTrans, ldg, (int)r, 1.0, S->data, (int)r, 0.0,
                G, ldg);
    double rcond = 0;
    if (LAPACKE_dpotrf(LAPACK_COL_MAJOR, 'U', n, G, ldg) == 0 &&
        LAPACKE_dtrcon(LAPACK_COL_MAJOR, '1', 'U', 'N', n, G, ldg, &rcond) == 0 &&
        (double)d * DBL_EPSILON <= 0.1 * rcond * rcond) {
        if (rank_check(G, (size_t)ldg, d, N, 1, e) < 0)
            return -1;
        /* X0 = R^-1 R^-T (SA)^T S B, where (SA)^T S B is G's last k columns */
        for (size_t j = 0; j < k; j++) {
            double *x0 = X0 + j * d;
            memcpy(x0, G + (d + j) * (size_t)ldg, d * sizeof *x0);
            cblas_dtrsv(CblasColMajor, CblasUpper, CblasTrans, CblasNonUnit, n, G, ldg, x0, 1);
            cblas_dtrsv(CblasColMajor, CblasUpper, CblasNoTrans, CblasNonUnit, n, G, ldg, x0, 1);
        }
        *P = (pc_op){.M = G, .ld = (size_t)ldg, .d = d, .p = d};
        return 0;
    }
    double *tau = G; /* G is free again: d <= (d + k)^2 */
    if (LAPACKE_dgeqrf(LAPACK_COL_MAJOR, (int)r, n, S->data, (int)r, tau) != 0)
        return coda_fail(e, "LAPACK dgeqrf failed on the sketch");
    if (rank_check(S->data, r, d, N, 1, e) < 0)
        return -1;
    /* Q^T S B, then X0 = R^-1 of its top d rows */
    LAPACKE_dormqr(LAPACK_COL_MAJOR, 'L', 'T', (int)r, (int)k, n, S->data, (int)r, tau,
                   S->data + d * r, (int)r);
    for (size_t j = 0; j < k; j++) {
        double *x0 = X0 + j * d;
        memcpy(x0, S->data + (d + j) * r, d * sizeof *x0);
        cblas_dtrsv(CblasColMajor, CblasUpper, CblasNoTrans, CblasNonUnit, n, S->data, (int)r,
                    x0, 1);
    }
    *P = (pc_op){.M = S->data, .ld = r, .d = d, .p = d};
    return 0;
}

/* With rcond: the SVD S A = U Sigma V^T (r x d, r >= d), p the singular values above
 * rcond sigma_1, P = V_p Sigma_p^-1 kept as Q = Sigma_p^-1 V_p^T in VT (d x d) and
 * X0 = P U_p^T S B, the minimum-norm sketch-and-solve start. When rank(S A) = rank(A), x = P y
 * ranges over A's row space, so LSQR's least-squares solution is the minimum-norm one, and
 * A P has singular values within the embedding's [1/(1+eps), 1/(1-eps)]. U is r x d scratch. */
static int svd_factor(coda_mat *S, size_t d, double rcond, double *U, double *VT, double *sv,
                      pc_op *P, double *X0, coda_err *e)
{
    size_t r = S->rows, k = S->cols - d;
    if (LAPACKE_dgesdd(LAPACK_COL_MAJOR, 'S', (int)r, (int)d, S->data, (int)r, sv, U, (int)r,
                       VT, (int)d) != 0)
        return coda_failc(e, CODA_E_NUMERIC, "LAPACK dgesdd did not converge on the sketch");
    size_t p = 0;
    while (p < d && sv[p] > rcond * sv[0]) /* r >= d: d singular values */
        p++;
    for (size_t i = 0; i < p; i++)
        cblas_dscal((int)d, 1 / sv[i], VT + i, (int)d);
    *P = (pc_op){.M = VT, .ld = d, .d = d, .p = p, .dense = 1};
    memset(X0, 0, d * k * sizeof *X0);
    for (size_t j = 0; j < k && p > 0; j++) {
        /* sv is free now: U_p^T S b_j there, then X0 = Q^T of it */
        cblas_dgemv(CblasColMajor, CblasTrans, (int)r, (int)p, 1.0, U, (int)r, S->data + (d + j) * r,
                    1, 0.0, sv, 1);
        pc_apply(P, sv, X0 + j * d);
    }
    return 0;
}

static int precond(const coda_mat *A, const coda_mat *b, const coda_mat *Ab, size_t d,
                   const coda_ls_opts *o, double *X, coda_ls_info *info, coda_err *e)
{
    size_t R = Ab->rows, k = Ab->cols - d;
    double tol = o->tol > 0 ? o->tol : CODA_LS_DEFAULT_TOL;
    coda_sketch_opts so = o->sketch;
    if (!so.rows)
        so.rows = precond_rows(R, d, tol);
    if (so.rows < d)
        return coda_fail(e, "precond: the sketch has %zu rows, fewer than the %zu columns",
                         so.rows, d);
    so.score_cols = d;
    coda_mat S, G = {0}, U = {0};
    if (coda_sketch_apply_finite(&so, Ab, &S, e) < 0)
        return -1;
    if (coda_mat_first_nonfinite(&S) != (size_t)-1) { /* see coda_lstsq: A or b, or overflow */
        coda_mat_free(&S);
        if (check_finite(A, b, e) < 0)
            return -1;
        return coda_fail(e, "the sketch of [A b] overflowed: scale A and b down");
    }
    if (S.rows < d) { /* a weighted block sketch can have fewer rows than asked for */
        coda_mat_free(&S);
        return coda_fail(e, "precond: the sketch has %zu rows, fewer than the %zu columns",
                         S.rows, d);
    }
    int svd = o->rcond > 0;
    /* G: the Gram matrix ((d+k)^2), or the SVD's V^T (d^2); U: the SVD's (r x d) */
    int rc = coda_mat_alloc_raw(&G, d + k, d + k, e);
    if (rc == 0 && svd)
        rc = coda_mat_alloc_raw(&U, S.rows, d, e);
    double *c = malloc(R * sizeof *c), *y = malloc(d * sizeof *y), *Atc = malloc(d * sizeof *Atc),
           *sv = malloc(d * sizeof *sv),
           *part = malloc((R + pair_rows(d) - 1) / pair_rows(d) * d * sizeof *part);
    if (rc == 0 && !(c && y && Atc && sv && part))
        rc = coda_fail_oom(e);
    pc_op P = {0};
    if (rc == 0 && svd)
        rc = svd_factor(&S, d, o->rcond, U.data, G.data, sv, &P, X, e);
    else if (rc == 0)
        rc = sketch_factor(&S, R, d, G.data, &P, X, e);
    if (rc == 0) {
        info->factor = svd ? "svd" : P.M == G.data ? "cholesky" : "qr";
        info->rank = P.p;
    }
    for (size_t j = 0; rc == 0 && j < k && P.p > 0; j++) {
        const double *bj = Ab->data + (d + j) * R;
        double *x = X + j * d;
        long iters = 0;
        /* c = b - A x0 and A^T c in one pass: the pair gives A x0 - b and A^T (A x0 - b) */
        memcpy(c, bj, R * sizeof *c);
        product_pair(Ab->data, R, d, x, 1.0, c, Atc, part);
        cblas_dscal((int)R, -1.0, c, 1);
        cblas_dscal((int)d, -1.0, Atc, 1);
        rc = lsqr(Ab, bj, &P, c, Atc, part, tol, o->iters > 0 ? o->iters : 1000, o,
                  o->trace && j == 0, x, y, &iters, e);
        if (iters > info->iters)
            info->iters = iters;
        if (rc == 0) { /* x = x0 + P y (Atc is free: d doubles) */
            pc_apply(&P, y, Atc);
            cblas_daxpy((int)d, 1.0, Atc, 1, x, 1);
        }
    }
    free(c), free(y), free(Atc), free(sv), free(part);
    coda_mat_free(&G);
    coda_mat_free(&U);
    coda_mat_free(&S);
    return rc;
}

/* Stream of the sketch that tests iterative-sketch's rank, apart from the iterations' 0, 1, ... */
#define RANK_STREAM (1ull << 40)

/* iterative-sketch has no factor of its own to test: rank_check on the triangular factor of a
 * sparse sign embedding of A (4 d rows, the default nonzeros), which keeps A's rank whatever
 * its coherence, where the iterations' sketches (2 d rows; row sampling) need not. One more
 * sketch of A and a 4 d x d QR: about one iteration's work. */
static int sketch_rank(const coda_mat *Ab, size_t d, unsigned long long seed, coda_err *e)
{
    size_t R = Ab->rows;
    coda_sketch_opts so = {.kind = CODA_SK_COUNT, .rows = 4 * d < R ? 4 * d : R, .seed = seed,
                           .stream = RANK_STREAM};
    coda_mat A = {.rows = R, .cols = d, .data = Ab->data}, SA, tau;
    if (coda_sketch_apply_finite(&so, &A, &SA, e) < 0)
        return -1;
    int rc = coda_mat_alloc(&tau, d, 1, e);
    if (rc == 0 && LAPACKE_dgeqrf(LAPACK_COL_MAJOR, (int)SA.rows, (int)d, SA.data, (int)SA.rows,
                                  tau.data) != 0)
        rc = coda_fail(e, "LAPACK dgeqrf failed on the sketch");
    if (rc == 0)
        rc = rank_check(SA.data, SA.rows, d, R, 1, e);
    coda_mat_free(&SA);
    coda_mat_free(&tau);
    return rc;
}

/* The step of the relative rule, for the gradient 2 (S A)^T (...) the loop takes: the paper's
 * xi = c 2 / sigma_max(A)^2 on the gradient F (S A)^T (...) is the step xi F / 2 on it.
 * sigma_max^2 = lambda_max(A^T A), from dsyrk and dsyev (d x d). */
static int rel_step(const coda_mat *Ab, size_t d, double c, double F, double *step, coda_err *e)
{
    size_t R = Ab->rows;
    double *C = calloc(d * d, sizeof *C), *w = malloc(d * sizeof *w);
    int rc = C && w ? 0 : coda_fail_oom(e);
    if (rc == 0) {
        cblas_dsyrk(CblasColMajor, CblasUpper, CblasTrans, (int)d, (int)R, 1.0, Ab->data,
                    (int)R, 0.0, C, (int)d);
        if (LAPACKE_dsyev(LAPACK_COL_MAJOR, 'N', 'U', (int)d, C, (int)d, w) != 0 ||
            !(w[d - 1] > 0))
            rc = coda_failc(e, CODA_E_NUMERIC, "--step rel: sigma_max(A) is 0 or not computable");
    }
    if (rc == 0)
        *step = c * 2.0 / w[d - 1] * F / 2.0;
    free(C), free(w);
    return rc;
}

/* Algorithm 3: steepest descent on sketched gradients, a fresh sketch each iteration, for the k
 * columns of X together (one sketch of [A B] per iteration). Each gradient 2 A^T S^T (S A x - S b)
 * lies in A's row space, so from x = 0 the iterates never leave it: on a rank-deficient A they
 * tend to the minimum-norm solution, at the rate the nonzero singular values set, and the
 * directions of singular values below rcond sigma_1 move by at most about iters rcond / sigma_1
 * times b's component along them. Without rcond, A first passes sketch_rank. */
static int iterative(const coda_mat *Ab, size_t d, const coda_ls_opts *o, double *X, long *iters,
                     coda_err *e)
{
    size_t R = Ab->rows, k = Ab->cols - d;
    long S = o->iters > 0 ? o->iters : 100;
    double *g = malloc(d * sizeof *g), *r = malloc(R * sizeof *r), *Ag = malloc(R * sizeof *Ag),
           *sr = NULL;
    if (!g || !r || !Ag) {
        free(g), free(r), free(Ag);
        return coda_fail_oom(e);
    }
    memset(X, 0, d * k * sizeof *X);
    double step = o->step, gf = o->grad_factor ? o->grad_factor : 2;
    int rc = o->rcond > 0 ? 0 : sketch_rank(Ab, d, o->sketch.seed, e);
    if (rc == 0 && o->step_rel > 0 && !o->line_search)
        rc = rel_step(Ab, d, o->step_rel, gf, &step, e);
    coda_mat SAb = {0};
    for (long s = 0; s < S && rc == 0; s++) {
        coda_sketch_opts so = o->sketch;
        if (!so.rows)
            so.rows = 2 * d < R ? 2 * d : R;
        so.stream = o->fixed_sketch ? 0 : (unsigned long long)s;
        so.score_cols = d;
        if (!o->fixed_sketch || s == 0) { /* the non-iterative variant keeps S_0 A */
            coda_mat_free(&SAb);
            if (coda_sketch_apply_finite(&so, Ab, &SAb, e) < 0) {
                rc = -1;
                break;
            }
        }
        size_t q = SAb.rows;
        free(sr);
        if (!(sr = malloc(q * sizeof *sr))) {
            rc = coda_fail_oom(e);
            break;
        }
        for (size_t j = 0; j < k; j++) {
            double *x = X + j * d;
            const double *bj = Ab->data + (d + j) * R;
            /* g = 2 (SA)^T (SA x - Sb) */
            memcpy(sr, SAb.data + (d + j) * q, q * sizeof *sr);
            cblas_dgemv(CblasColMajor, CblasNoTrans, (int)q, (int)d, 1.0, SAb.data, (int)q, x, 1, -1.0, sr, 1);
            cblas_dgemv(CblasColMajor, CblasTrans, (int)q, (int)d, 2.0, SAb.data, (int)q, sr, 1, 0.0, g, 1);
            if (o->line_search) { /* xi = <A g, A x - b> / ||A g||^2, on the full problem */
                residual(Ab, d, 1, bj, x, r);
                cblas_dgemv(CblasColMajor, CblasNoTrans, (int)R, (int)d, 1.0, Ab->data, (int)R, g, 1, 0.0, Ag, 1);
                double den = cblas_ddot((int)R, Ag, 1, Ag, 1);
                step = den > 0 ? cblas_ddot((int)R, Ag, 1, r, 1) / den : 0;
            } else if (!(step > 0)) {
                /* default fixed step 1 / L with L = 2 ||S_0 A||_F^2 >= 2 ||S_0 A||_2^2, the
                 * gradient's Lipschitz constant on the first sketch */
                double f = 0;
                for (size_t t = 0; t < q * d; t++)
                    f += SAb.data[t] * SAb.data[t];
                step = f > 0 ? 1.0 / (2 * f) : 0; /* f = 0: A = 0, g = 0 */
            }
            cblas_daxpy((int)d, -step, g, 1, x, 1);
        }
        *iters = s + 1;
        if (o->trace)
            o->trace(o->trace_ctx, s + 1, residual(Ab, d, 1, Ab->data + d * R, X, r),
                     rel_err(X, o->reference, d));
    }
    coda_mat_free(&SAb);
    free(g), free(r), free(Ag), free(sr);
    return rc;
}

int coda_lstsq(const coda_mat *A, const coda_mat *b, const coda_ls_opts *o, coda_mat *x,
               coda_ls_info *info, coda_err *e)
{
    memset(x, 0, sizeof *x);
    memset(info, 0, sizeof *info);
    size_t N = A->rows, d = A->cols, k = b->cols;
    if (b->rows != N || k < 1)
        return coda_fail(e, "b is %zu x %zu but A has %zu rows: need %zu rows (a column per "
                            "right-hand side)", b->rows, b->cols, N, N);
    if (N < d && !(o->l2 > 0))
        return coda_fail(e, "A is %zu x %zu, wider than tall: give --l2 for a ridge problem", N, d);
    /* precond with a countsketch reads every entry of A and b into the sketch, which then holds
     * a NaN or Inf if they do: it scans them only in that case, saving a pass over A */
    int deferred = o->method == CODA_LS_PRECOND && o->sketch.kind == CODA_SK_COUNT;
    if (!deferred && check_finite(A, b, e) < 0)
        return -1;
    if (o->l2 < 0)
        return coda_fail(e, "the ridge parameter must be >= 0");
    if (!(o->rcond >= 0 && o->rcond <= 1))
        return coda_failc(e, CODA_E_USAGE, "rcond must be in [0, 1]");
    coda_mat Ab, r = {0};
    /* [A B] already side by side in memory (as coda-solve reads them) is used in place */
    int view = !(o->l2 > 0) && b->data == A->data + N * d;
    if (view)
        Ab = (coda_mat){.rows = N, .cols = d + k, .data = A->data};
    else if (augmented(A, b, o->l2, &Ab, e) < 0)
        return -1;
    int rc = coda_mat_alloc(x, d, k, e);
    if (rc == 0 && (o->method == CODA_LS_QR || o->method == CODA_LS_SKETCH_SOLVE)) {
        coda_mat M;
        if (o->method == CODA_LS_QR)
            rc = coda_mat_copy(&M, &Ab, e);
        else {
            coda_sketch_opts so = o->sketch;
            if (!so.rows)
                so.rows = 4 * d < Ab.rows ? 4 * d : Ab.rows;
            so.score_cols = d;
            rc = coda_sketch_apply_finite(&so, &Ab, &M, e);
            if (rc == 0 && M.rows < d)
                rc = coda_fail(e, "sketch-solve: %zu sketch rows for %zu unknowns", M.rows, d);
        }
        if (rc == 0)
            rc = direct_solve(&M, d, Ab.rows, o->rcond, o->method == CODA_LS_SKETCH_SOLVE, x->data,
                              &info->rank, e);
        coda_mat_free(&M);
    } else if (rc == 0 && o->method == CODA_LS_PRECOND)
        rc = precond(A, b, &Ab, d, o, x->data, info, e);
    else if (rc == 0) {
        rc = iterative(&Ab, d, o, x->data, &info->iters, e);
        info->rank = o->rcond > 0 ? 0 : d;
    }
    if (rc == 0)
        rc = coda_mat_alloc(&r, Ab.rows, k, e);
    if (rc == 0)
        info->resid = residual(&Ab, d, k, Ab.data + d * Ab.rows, x->data, r.data);
    if (rc < 0)
        coda_mat_free(x);
    coda_mat_free(&r);
    if (!view)
        coda_mat_free(&Ab);
    return rc;
}
