#include "lstsq.h"

#include <cblas.h>
#include <float.h>
#include <lapacke.h>
#include <math.h>
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

const char *coda_ls_method_name(coda_ls_method m) { return names[m]; }

/* [A b] in one matrix (with the ridge rows sqrt(l2) I and zeros appended when l2 > 0). */
static int augmented(const coda_mat *A, const coda_mat *b, double l2, coda_mat *Ab, coda_err *e)
{
    size_t N = A->rows, d = A->cols, R = N + (l2 > 0 ? d : 0);
    if (coda_mat_alloc(Ab, R, d + 1, e) < 0)
        return -1;
    for (size_t j = 0; j <= d; j++)
        memcpy(Ab->data + j * R, (j < d ? A->data + j * N : b->data), N * sizeof(double));
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
    if ((bad = coda_mat_first_nonfinite(b)) != (size_t)-1)
        return coda_fail(e, "b entry %zu is not finite", bad + 1);
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

/* ||A x - b|| / ||b|| with A = Ab(:, 0:d), b = Ab(:, d); r receives A x - b. */
static double residual(const coda_mat *Ab, const double *x, double *r)
{
    size_t R = Ab->rows, d = Ab->cols - 1;
    memcpy(r, Ab->data + d * R, R * sizeof *r);
    double bn = cblas_dnrm2((int)R, r, 1);
    cblas_dgemv(CblasColMajor, CblasNoTrans, (int)R, (int)d, 1.0, Ab->data, (int)R, x, 1, -1.0, r, 1);
    return cblas_dnrm2((int)R, r, 1) / (bn > 0 ? bn : 1);
}

static int dgels_solve(coda_mat *M, size_t d, double *x, coda_err *e)
{
    /* M = [A b] (rows x d+1) is overwritten; x gets the first d entries of the solution */
    size_t R = M->rows;
    lapack_int info = LAPACKE_dgels(LAPACK_COL_MAJOR, 'N', (lapack_int)R, (lapack_int)d, 1,
                                    M->data, (lapack_int)R, M->data + d * R, (lapack_int)R);
    if (info > 0)
        return coda_fail(e, "the matrix is rank-deficient (LAPACK dgels: zero diagonal %d)",
                         (int)info);
    if (info < 0)
        return coda_fail(e, "LAPACK dgels argument %d invalid", (int)-info);
    memcpy(x, M->data + d * R, d * sizeof *x);
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

/* LSQR (Paige & Saunders 1982) on min ||A R^-1 y - c|| with R upper triangular d x d, from
 * y = 0; Atc = A^T c is given (the caller gets it in the pass that forms c), and part is
 * product_pair's scratch. With r = c - A R^-1 y = b - A x the residual of x = x0 + R^-1 y, it
 * stops at the first of
 *   (1) ||(A R^-1)^T r|| <= tol ||A x||: since (A R^-1)^T r* = 0, ||A (x - x*)|| <=
 *       ||(A R^-1)^T r|| / sigma_min(A R^-1), and an eps-embedding S (R the triangular factor
 *       of S A) has sigma_min(A R^-1) >= 1 / (1 + eps); so ||A (x - x*)|| <= (1 + eps) tol
 *       ||A x||, a forward error in the fit that does not grow with ||r|| / ||A x|| (a Cholesky
 *       R, see sketch_factor, adds a factor sqrt(1 + delta), delta its rounding's relative
 *       effect, well below 1). ||A x|| is taken as
 *       sqrt(||b||^2 - ||r||^2) = sqrt(||A x*||^2 - ||A (x - x*)||^2), which underestimates it;
 *   (2) ||(A R^-1)^T r|| <= u ||A R^-1||_F ||r||: the backward error is at the rounding level
 *       of evaluating (A R^-1)^T r itself, where (1) can be out of reach (||r|| >> ||A x|| / u);
 *   or the cap. */
static int lsqr(const coda_mat *Ab, const double *Rm, size_t ldr, const double *c,
                const double *Atc, double *part, double tol, long cap, const coda_ls_opts *o,
                const double *x0, double *y, long *iters, coda_err *e)
{
    size_t R = Ab->rows, d = Ab->cols - 1;
    double *u = malloc(R * sizeof *u), *v = malloc(d * sizeof *v), *w = malloc(d * sizeof *w),
           *t = malloc(d * sizeof *t), *xt = malloc(d * sizeof *xt), *rr = malloc(R * sizeof *rr),
           *s = malloc(d * sizeof *s);
    if (!u || !v || !w || !t || !xt || !rr || !s) {
        free(u), free(v), free(w), free(t), free(xt), free(rr), free(s);
        return coda_fail_oom(e);
    }
    const int n = (int)d, m = (int)R;
    const double bnorm = cblas_dnrm2(m, Ab->data + d * R, 1);
    memset(y, 0, d * sizeof *y);
    memcpy(u, c, R * sizeof *u);
    double beta = cblas_dnrm2(m, u, 1), alpha = 0, anorm2 = 0;
    if (beta > 0)
        cblas_dscal(m, 1 / beta, u, 1);
    /* v = R^-T A^T u */
    memcpy(v, Atc, d * sizeof *v);
    if (beta > 0)
        cblas_dscal(n, 1 / beta, v, 1);
    cblas_dtrsv(CblasColMajor, CblasUpper, CblasTrans, CblasNonUnit, n, Rm, (int)ldr, v, 1);
    alpha = cblas_dnrm2(n, v, 1);
    if (alpha > 0)
        cblas_dscal(n, 1 / alpha, v, 1);
    memcpy(w, v, d * sizeof *w);
    double phibar = beta, rhobar = alpha;
    long k = 0;
    while (k < cap && beta > 0 && alpha > 0) {
        k++;
        /* u = A R^-1 v - alpha u, and A^T u, in one pass over A */
        memcpy(t, v, d * sizeof *t);
        cblas_dtrsv(CblasColMajor, CblasUpper, CblasNoTrans, CblasNonUnit, n, Rm, (int)ldr, t, 1);
        product_pair(Ab->data, R, d, t, alpha, u, s, part);
        beta = cblas_dnrm2(m, u, 1);
        if (beta > 0) {
            cblas_dscal(m, 1 / beta, u, 1);
            cblas_dscal(n, 1 / beta, s, 1);
        }
        anorm2 += alpha * alpha + beta * beta;
        /* v = R^-T A^T u - beta v */
        memcpy(t, s, d * sizeof *t);
        cblas_dtrsv(CblasColMajor, CblasUpper, CblasTrans, CblasNonUnit, n, Rm, (int)ldr, t, 1);
        cblas_daxpy(n, -beta, v, 1, t, 1);
        alpha = cblas_dnrm2(n, t, 1);
        memcpy(v, t, d * sizeof *v);
        if (alpha > 0)
            cblas_dscal(n, 1 / alpha, v, 1);
        double rho = hypot(rhobar, beta), cs = rhobar / rho, sn = beta / rho;
        double theta = sn * alpha, phi = cs * phibar;
        rhobar = -cs * alpha;
        phibar = sn * phibar;
        cblas_daxpy(n, phi / rho, w, 1, y, 1);
        cblas_dscal(n, -theta / rho, w, 1);
        cblas_daxpy(n, 1.0, v, 1, w, 1);
        /* ||(A R^-1)^T r|| = phibar alpha |c|, ||r|| = phibar */
        double arnorm = phibar * alpha * fabs(cs), rnorm = phibar;
        if (o->trace) {
            memcpy(xt, y, d * sizeof *xt);
            cblas_dtrsv(CblasColMajor, CblasUpper, CblasNoTrans, CblasNonUnit, n, Rm, (int)ldr, xt, 1);
            cblas_daxpy(n, 1.0, x0, 1, xt, 1);
            o->trace(o->trace_ctx, k, residual(Ab, xt, rr), rel_err(xt, o->reference, d));
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

/* The preconditioner R, the triangular factor of S A, and the sketch-and-solve start x0 =
 * argmin ||S (A x0 - b)||, from the sketch S[A b] (r x (d+1)). R is pointed into G ((d+1)^2
 * scratch, leading dimension d+1) or into S's own storage.
 * R serves only as a preconditioner, so it is first taken from the Cholesky factor of the
 * sketch's Gram matrix (one dsyrk: half the flops of Householder QR). In floating point that
 * gives R^T R = (SA)^T SA + E, ||E|| = c u ||SA||^2 with c about sqrt(r) in practice (r d at
 * worst), which moves the eigenvalues of (A R^-1)^T (A R^-1) by a relative c u cond(R)^2; LSQR's
 * rate and the stopping rule's bound only degrade smoothly with it. It is kept while
 * d u cond(R)^2 <= 0.1, cond(R) the 1-norm estimate of dtrcon (at d = 500, up to about 1e6).
 * That is conservative: on 50000 x 500 problems with kappa 1e4 to 1e6, a Cholesky R (forced)
 * took the same 21 LSQR iterations as Householder's. Otherwise, or if the Cholesky factorization
 * breaks down, R comes from Householder QR
 * (dgeqrf), which is backward stable whatever the conditioning; a diagonal below N u max|R_ii|
 * (N the rows of A) is refused as rank-deficient. */
static int sketch_factor(coda_mat *S, size_t N, double *G, const double **Rm, size_t *ldr,
                         double *x0, coda_err *e)
{
    size_t r = S->rows, d = S->cols - 1;
    int n = (int)d, ldg = n + 1;
    cblas_dsyrk(CblasColMajor, CblasUpper, CblasTrans, n + 1, (int)r, 1.0, S->data, (int)r, 0.0,
                G, ldg);
    double rcond = 0;
    if (LAPACKE_dpotrf(LAPACK_COL_MAJOR, 'U', n, G, ldg) == 0 &&
        LAPACKE_dtrcon(LAPACK_COL_MAJOR, '1', 'U', 'N', n, G, ldg, &rcond) == 0 &&
        (double)d * DBL_EPSILON <= 0.1 * rcond * rcond) {
        /* x0 = R^-1 R^-T (SA)^T S b, where (SA)^T S b is G's last column */
        memcpy(x0, G + d * (d + 1), d * sizeof *x0);
        cblas_dtrsv(CblasColMajor, CblasUpper, CblasTrans, CblasNonUnit, n, G, ldg, x0, 1);
        cblas_dtrsv(CblasColMajor, CblasUpper, CblasNoTrans, CblasNonUnit, n, G, ldg, x0, 1);
        *Rm = G, *ldr = d + 1;
        return 0;
    }
    double *tau = G; /* G is free again: d + 1 <= (d + 1)^2 */
    if (LAPACKE_dgeqrf(LAPACK_COL_MAJOR, (int)r, n, S->data, (int)r, tau) != 0)
        return coda_fail(e, "LAPACK dgeqrf failed on the sketch");
    double rmax = 0;
    for (size_t i = 0; i < d; i++)
        rmax = fmax(rmax, fabs(CODA_AT(S, i, i)));
    for (size_t i = 0; i < d; i++)
        if (!(fabs(CODA_AT(S, i, i)) > rmax * (double)N * DBL_EPSILON))
            return coda_fail(e, "the matrix is rank-deficient to working precision (the sketch's "
                                "triangular factor has |R_%zu%zu| = %.3g against %.3g)",
                             i + 1, i + 1, fabs(CODA_AT(S, i, i)), rmax);
    /* Q^T S b, then x0 = R^-1 of its top d */
    LAPACKE_dormqr(LAPACK_COL_MAJOR, 'L', 'T', (int)r, 1, n, S->data, (int)r, tau,
                   S->data + d * r, (int)r);
    memcpy(x0, S->data + d * r, d * sizeof *x0);
    cblas_dtrsv(CblasColMajor, CblasUpper, CblasNoTrans, CblasNonUnit, n, S->data, (int)r, x0, 1);
    *Rm = S->data, *ldr = r;
    return 0;
}

static int precond(const coda_mat *A, const coda_mat *b, const coda_mat *Ab,
                   const coda_ls_opts *o, double *x, coda_ls_info *info, coda_err *e)
{
    size_t R = Ab->rows, d = Ab->cols - 1;
    coda_sketch_opts so = o->sketch;
    if (!so.rows)
        so.rows = precond_rows(R, d, o->tol > 0 ? o->tol : CODA_LS_DEFAULT_TOL);
    if (so.rows < d)
        return coda_fail(e, "precond: the sketch has %zu rows, fewer than the %zu columns",
                         so.rows, d);
    so.score_cols = d;
    coda_mat S;
    if (coda_sketch_apply_finite(&so, Ab, &S, e) < 0)
        return -1;
    if (coda_mat_first_nonfinite(&S) != (size_t)-1) { /* see coda_lstsq: A or b, or overflow */
        coda_mat_free(&S);
        if (check_finite(A, b, e) < 0)
            return -1;
        return coda_fail(e, "the sketch of [A b] overflowed: scale A and b down");
    }
    double *G = malloc((d + 1) * (d + 1) * sizeof *G), *c = malloc(R * sizeof *c),
           *y = malloc(d * sizeof *y), *Atc = malloc(d * sizeof *Atc),
           *part = malloc((R + pair_rows(d) - 1) / pair_rows(d) * d * sizeof *part);
    int rc = G && c && y && Atc && part ? 0 : coda_fail_oom(e);
    const double *Rm = NULL;
    size_t ldr = 0;
    if (rc == 0)
        rc = sketch_factor(&S, R, G, &Rm, &ldr, x, e);
    if (rc == 0)
        info->factor = Rm == G ? "cholesky" : "qr";
    if (rc == 0) {
        /* c = b - A x0 and A^T c in one pass: the pair gives A x0 - b and A^T (A x0 - b) */
        memcpy(c, Ab->data + d * R, R * sizeof *c);
        product_pair(Ab->data, R, d, x, 1.0, c, Atc, part);
        cblas_dscal((int)R, -1.0, c, 1);
        cblas_dscal((int)d, -1.0, Atc, 1);
        rc = lsqr(Ab, Rm, ldr, c, Atc, part, o->tol > 0 ? o->tol : CODA_LS_DEFAULT_TOL,
                  o->iters > 0 ? o->iters : 1000, o, x, y, &info->iters, e);
    }
    if (rc == 0) {
        cblas_dtrsv(CblasColMajor, CblasUpper, CblasNoTrans, CblasNonUnit, (int)d, Rm, (int)ldr,
                    y, 1);
        cblas_daxpy((int)d, 1.0, y, 1, x, 1);
    }
    free(G), free(c), free(y), free(Atc), free(part);
    coda_mat_free(&S);
    return rc;
}

/* Algorithm 3: steepest descent on sketched gradients, a fresh sketch each iteration. */
static int iterative(const coda_mat *Ab, const coda_ls_opts *o, double *x, long *iters,
                     coda_err *e)
{
    size_t R = Ab->rows, d = Ab->cols - 1;
    long S = o->iters > 0 ? o->iters : 100;
    double *g = malloc(d * sizeof *g), *r = malloc(R * sizeof *r), *Ag = malloc(R * sizeof *Ag),
           *sr = NULL;
    if (!g || !r || !Ag) {
        free(g), free(r), free(Ag);
        return coda_fail_oom(e);
    }
    memset(x, 0, d * sizeof *x);
    double step = o->step;
    int rc = 0;
    for (long s = 0; s < S && rc == 0; s++) {
        coda_sketch_opts so = o->sketch;
        if (!so.rows)
            so.rows = 2 * d < R ? 2 * d : R;
        so.stream = (unsigned long long)s;
        so.score_cols = d;
        coda_mat SAb;
        if (coda_sketch_apply_finite(&so, Ab, &SAb, e) < 0) {
            rc = -1;
            break;
        }
        size_t q = SAb.rows;
        free(sr);
        sr = malloc(q * sizeof *sr);
        /* g = 2 (SA)^T (SA x - Sb) */
        memcpy(sr, SAb.data + d * q, q * sizeof *sr);
        cblas_dgemv(CblasColMajor, CblasNoTrans, (int)q, (int)d, 1.0, SAb.data, (int)q, x, 1, -1.0, sr, 1);
        cblas_dgemv(CblasColMajor, CblasTrans, (int)q, (int)d, 2.0, SAb.data, (int)q, sr, 1, 0.0, g, 1);
        if (o->line_search) { /* xi = <A g, A x - b> / ||A g||^2, on the full problem */
            residual(Ab, x, r);
            cblas_dgemv(CblasColMajor, CblasNoTrans, (int)R, (int)d, 1.0, Ab->data, (int)R, g, 1, 0.0, Ag, 1);
            double den = cblas_ddot((int)R, Ag, 1, Ag, 1);
            step = den > 0 ? cblas_ddot((int)R, Ag, 1, r, 1) / den : 0;
        } else if (!(step > 0)) {
            /* default fixed step 1 / L with L = 2 ||S_0 A||_F^2 >= 2 ||S_0 A||_2^2, the gradient's
             * Lipschitz constant on the first sketch */
            double f = 0;
            for (size_t k = 0; k < q * d; k++)
                f += SAb.data[k] * SAb.data[k];
            step = 1.0 / (2 * f);
        }
        cblas_daxpy((int)d, -step, g, 1, x, 1);
        coda_mat_free(&SAb);
        *iters = s + 1;
        if (o->trace)
            o->trace(o->trace_ctx, s + 1, residual(Ab, x, r), rel_err(x, o->reference, d));
    }
    free(g), free(r), free(Ag), free(sr);
    return rc;
}

int coda_lstsq(const coda_mat *A, const coda_mat *b, const coda_ls_opts *o, coda_mat *x,
               coda_ls_info *info, coda_err *e)
{
    memset(x, 0, sizeof *x);
    memset(info, 0, sizeof *info);
    size_t N = A->rows, d = A->cols;
    if (b->rows != N || b->cols != 1)
        return coda_fail(e, "b is %zu x %zu but A has %zu rows: need an %zu x 1 vector", b->rows,
                         b->cols, N, N);
    if (N < d && !(o->l2 > 0))
        return coda_fail(e, "A is %zu x %zu, wider than tall: give --l2 for a ridge problem", N, d);
    /* precond with a countsketch reads every entry of A and b into the sketch, which then holds
     * a NaN or Inf if they do: it scans them only in that case, saving a pass over A */
    int deferred = o->method == CODA_LS_PRECOND && o->sketch.kind == CODA_SK_COUNT;
    if (!deferred && check_finite(A, b, e) < 0)
        return -1;
    if (o->l2 < 0)
        return coda_fail(e, "the ridge parameter must be >= 0");
    coda_mat Ab, r = {0};
    /* [A b] already side by side in memory (as coda-solve reads them) is used in place */
    int view = !(o->l2 > 0) && b->data == A->data + N * d;
    if (view)
        Ab = (coda_mat){.rows = N, .cols = d + 1, .data = A->data};
    else if (augmented(A, b, o->l2, &Ab, e) < 0)
        return -1;
    int rc = coda_mat_alloc(x, d, 1, e);
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
            rc = dgels_solve(&M, d, x->data, e);
        coda_mat_free(&M);
    } else if (rc == 0 && o->method == CODA_LS_PRECOND)
        rc = precond(A, b, &Ab, o, x->data, info, e);
    else if (rc == 0)
        rc = iterative(&Ab, o, x->data, &info->iters, e);
    if (rc == 0)
        rc = coda_mat_alloc(&r, Ab.rows, 1, e);
    if (rc == 0)
        info->resid = residual(&Ab, x->data, r.data);
    if (rc < 0)
        coda_mat_free(x);
    coda_mat_free(&r);
    if (!view)
        coda_mat_free(&Ab);
    return rc;
}
