/* lib/codes/matdot: the checks of ../shared/specs/approx-matdot.md §3 and §6 on the numerical
 * core (encode pairs, weights, error matrix, radius), each against a bound from the problem:
 *  - exact MatDot from every (2m-1)-subset to 1e-12 of ||A||_F ||B||_F (Theorem 1);
 *  - approximate MatDot from every m-subset within the predicted trunc + 2 roundoff, which is
 *    below eps, at the auto and tight radii (Theorem 3 in float64);
 *  - m = 2: C^ - C = (lambda_1 + lambda_2) A_2 B_1 exactly (specs §2.6);
 *  - ||E_S||_2 is attained by rank-one inputs (specs §2.2);
 *  - the converse (Theorem 4): inputs that every worker of an (m-1)-subset maps to 0 while C =
 *    +-e1 e1^T, and m-1 responders refused;
 *  - the min-norm decoder: equal to row m-1 of the pseudo-inverse of the unscaled Vandermonde
 *    system (LAPACK dgelsd, an independent route) within u cond; converging to interp as r -> 0
 *    (the difference is second order in r, the error first order); within eps at the paper's
 *    radius (Theorem 3). */
#include <cblas.h>
#include <float.h>
#include <lapacke.h>
#include <math.h>
#include <stdlib.h>
#include <string.h>

#include "../../lib/codes/matdot.h"
#include "../../lib/codes/product.h"
#include "../../lib/core/gen.h"
#include "check.h"

static void gemm(const coda_mat *A, const coda_mat *B, coda_mat *C)
{
    coda_err e;
    coda_mat_alloc(C, A->rows, B->cols, &e);
    cblas_dgemm(CblasColMajor, CblasNoTrans, CblasNoTrans, (int)A->rows, (int)B->cols,
                (int)A->cols, 1.0, A->data, (int)A->rows, B->data, (int)B->rows, 0.0, C->data,
                (int)C->rows);
}

static double diff_fro(const coda_mat *a, const coda_mat *b)
{
    double s = 0;
    for (size_t k = 0; k < a->rows * a->cols; k++)
        s += (a->data[k] - b->data[k]) * (a->data[k] - b->data[k]);
    return sqrt(s);
}

/* Every worker's product C~_s for points lambda. */
static void worker_products(const coda_mat *A, const coda_mat *B, int m, int P,
                            const double *lambda, coda_mat *Ct)
{
    coda_err e;
    coda_mat al, be;
    coda_matdot_coeffs(m, P, lambda, &al, &be, &e);
    for (int s = 0; s < P; s++) {
        coda_mat At, Bt;
        coda_matdot_encode_pair(A, B, m, al.data + s * m, be.data + s * m, &At, &Bt, &e);
        gemm(&At, &Bt, &Ct[s]);
        coda_mat_free(&At), coda_mat_free(&Bt);
    }
    coda_mat_free(&al), coda_mat_free(&be);
}

/* Worst ||C^ - C||_F / (||A|| ||B||) over every K-subset, decoding with weights on nodes t at
 * radius r; also the worst predicted trunc + 2 roundoff. */
static double worst_decode(const coda_mat *A, const coda_mat *B, const coda_mat *C,
                           const coda_mat *Ct, int m, int P, int K, const double *t, double r,
                           double *predicted)
{
    coda_err e;
    double nanb = coda_mat_fro(A) * coda_mat_fro(B), worst = 0;
    int idx[32];
    for (int k = 0; k < K; k++)
        idx[k] = k;
    *predicted = 0;
    for (;;) {
        double ts[32], g[32], d[32];
        const coda_mat *sel[32];
        for (int k = 0; k < K; k++) {
            ts[k] = t[idx[k]];
            sel[k] = &Ct[idx[k]];
        }
        if (coda_matdot_weights(m, K, ts, g, &e) < 0) {
            CHECK(0, "%s", e.msg);
            return INFINITY;
        }
        for (int k = 0; k < K; k++)
            d[k] = g[k] / pow(r, m - 1);
        coda_mat Ch;
        coda_matdot_combine(K, d, sel, &Ch, &e);
        worst = fmax(worst, diff_fro(&Ch, C) / nanb);
        coda_mat_free(&Ch);
        *predicted = fmax(*predicted, coda_matdot_trunc(m, K, ts, r, g, CODA_DECODER_INTERP) +
                                          2 * coda_matdot_roundoff(m, K, ts, r, g, NULL, NULL));
        if (!coda_subset_next(idx, K, P))
            break;
    }
    return worst;
}

static void exact(void)
{
    coda_err e;
    for (int m = 2; m <= 4; m++) {
        int P = 2 * m + 1;
        coda_mat A, B, C, Ct[16];
        coda_gen(CODA_GEN_GAUSSIAN, 12, 10 * m + 1, 1, 0, (unsigned)m, &A, &e); /* padded */
        coda_gen(CODA_GEN_GAUSSIAN, 10 * m + 1, 9, 1, 0, (unsigned)m + 50, &B, &e);
        gemm(&A, &B, &C);
        double t[16], pred;
        coda_matdot_nodes(CODA_NODES_CHEB, P, t);
        worker_products(&A, &B, m, P, t, Ct);
        double w = worst_decode(&A, &B, &C, Ct, m, P, 2 * m - 1, t, 1.0, &pred);
        CHECK(w <= 1e-12, "exact MatDot m=%d P=%d: worst error %.3g over (2m-1)-subsets", m, P, w);
        /* more responders than needed: min-norm weights, still exact */
        w = worst_decode(&A, &B, &C, Ct, m, P, 2 * m, t, 1.0, &pred);
        CHECK(w <= 1e-12, "exact MatDot m=%d from 2m responders: %.3g", m, w);
        /* 2m-2 responders cannot be exact: the truncation of the best decoder stays large */
        double g[16];
        coda_matdot_weights(m, 2 * m - 2, t, g, &e);
        CHECK(coda_matdot_trunc(m, 2 * m - 2, t, 1.0, g, CODA_DECODER_INTERP) > 1e-3,
              "m=%d: 2m-2 responders at radius 1 look exact", m);
        for (int s = 0; s < P; s++)
            coda_mat_free(&Ct[s]);
        coda_mat_free(&A), coda_mat_free(&B), coda_mat_free(&C);
    }
}

static void approximate(void)
{
    coda_err e;
    for (int m = 2; m <= 5; m++) {
        int P = m + 2;
        coda_mat A, B, C, Ct[16];
        coda_gen(CODA_GEN_GAUSSIAN, 20, 10 * m, 1, 0, (unsigned)(100 + m), &A, &e);
        coda_gen(CODA_GEN_GAUSSIAN, 10 * m, 15, 1, 0, (unsigned)(200 + m), &B, &e);
        gemm(&A, &B, &C);
        double t[16], lambda[16], pred;
        coda_matdot_nodes(CODA_NODES_EQUI, P, t);
        for (coda_radius_rule rule = CODA_RADIUS_AUTO; rule <= CODA_RADIUS_TIGHT; rule++) {
            /* eps: above the float64 floor of about u^(1/m) (specs §4.3) */
            double eps = m <= 2 ? 1e-6 : m == 3 ? 1e-4 : m == 4 ? 1e-3 : 1e-2;
            coda_radius_choice rc;
            if (coda_matdot_radius(rule, eps, m, P, t, m, NULL, NULL, 1, &rc, &e) < 0) {
                CHECK(0, "%s", e.msg);
                continue;
            }
            for (int s = 0; s < P; s++)
                lambda[s] = rc.r * t[s];
            worker_products(&A, &B, m, P, lambda, Ct);
            double w = worst_decode(&A, &B, &C, Ct, m, P, m, t, rc.r, &pred);
            const char *name = rule == CODA_RADIUS_AUTO ? "auto" : "tight";
            CHECK(w <= pred, "approx MatDot m=%d %s r=%.3g: worst error %.3g above predicted %.3g",
                  m, name, rc.r, w, pred);
            CHECK(pred <= eps, "approx MatDot m=%d %s: predicted %.3g above eps %.3g", m, name,
                  pred, eps);
            if (rule == CODA_RADIUS_TIGHT) /* tight guarantees the truncation alone */
                CHECK(rc.trunc <= eps, "m=%d tight: truncation %.3g > eps", m, rc.trunc);
            for (int s = 0; s < P; s++)
                coda_mat_free(&Ct[s]);
        }
        /* m - 1 responders: refused */
        double g[16];
        CHECK(coda_matdot_weights(m, m - 1, t, g, &e) < 0 && strstr(e.msg, "at least m"),
              "m=%d: %d responders accepted", m, m - 1);
        coda_mat_free(&A), coda_mat_free(&B), coda_mat_free(&C);
    }
}

/* m = 2, K = 2: C^ - C = (lambda_1 + lambda_2) A_2 B_1 (0-based A_1 B_0). */
static void closed_form(void)
{
    coda_err e;
    int m = 2;
    double lambda[2] = {0.01, 0.03}, t[2] = {0.01, 0.03}, g[2], d[2];
    coda_mat A, B, C, Ct[2];
    coda_gen(CODA_GEN_GAUSSIAN, 7, 8, 1, 0, 7, &A, &e);
    coda_gen(CODA_GEN_GAUSSIAN, 8, 5, 1, 0, 8, &B, &e);
    gemm(&A, &B, &C);
    worker_products(&A, &B, m, 2, lambda, Ct);
    coda_matdot_weights(m, 2, t, g, &e);
    for (int k = 0; k < 2; k++)
        d[k] = g[k]; /* r = 1: t = lambda */
    const coda_mat *sel[2] = {&Ct[0], &Ct[1]};
    coda_mat Ch, A2, B1, P;
    coda_matdot_combine(2, d, sel, &Ch, &e);
    coda_mat_sub(&A2, &A, 0, 7, 4, 4, &e);
    coda_mat_sub(&B1, &B, 0, 4, 0, 5, &e);
    gemm(&A2, &B1, &P);
    cblas_dscal(35, lambda[0] + lambda[1], P.data, 1);
    cblas_daxpy(35, 1.0, C.data, 1, P.data, 1); /* C + (l1 + l2) A_2 B_1 */
    double dd = diff_fro(&Ch, &P), scale = diff_fro(&P, &C);
    /* round-off: u |d| ||C~|| with |d| ~ 1/|l1 - l2| = 50 */
    CHECK(dd <= 1e-12 * scale, "m=2 closed form off by %.3g (error term %.3g)", dd, scale);
    coda_mat_free(&Ch), coda_mat_free(&A2), coda_mat_free(&B1), coda_mat_free(&P);
    coda_mat_free(&Ct[0]), coda_mat_free(&Ct[1]);
    coda_mat_free(&A), coda_mat_free(&B), coda_mat_free(&C);
}

/* ||E_S||_2 attained: A = e1 (u (x) f)^T, B = (v (x) f) e1^T with u, v E's top singular pair
 * and f a unit vector of the block width; A, B unit norm. */
static void tight_bound(void)
{
    coda_err e;
    int m = 3, P = 4, bw = 2;
    double t[4], r = 0.05, lambda[4], g[3], d[3];
    coda_matdot_nodes(CODA_NODES_EQUI, P, t);
    for (int s = 0; s < P; s++)
        lambda[s] = r * t[s];
    coda_matdot_weights(m, m, t, g, &e);
    double T = coda_matdot_trunc(m, m, t, r, g, CODA_DECODER_INTERP);
    /* E itself, for its singular vectors */
    double E[9], U[9], VT[9], sv[3], sup[3];
    coda_matdot_error_matrix(m, m, t, r, g, CODA_DECODER_INTERP, E);
    LAPACKE_dgesvd(LAPACK_COL_MAJOR, 'A', 'A', m, m, E, m, sv, U, m, VT, m, sup);
    coda_mat A, B, C, Ct[3];
    coda_mat_alloc(&A, 3, (size_t)(m * bw), &e);
    coda_mat_alloc(&B, (size_t)(m * bw), 2, &e);
    for (int i = 0; i < m; i++) /* f = e_1 of the block */
        CODA_AT(&A, 0, i * bw) = U[i], CODA_AT(&B, i * bw, 0) = VT[i * m];
    gemm(&A, &B, &C);
    worker_products(&A, &B, m, m, lambda, Ct);
    for (int k = 0; k < m; k++)
        d[k] = g[k] / pow(r, m - 1);
    const coda_mat *sel[3] = {&Ct[0], &Ct[1], &Ct[2]};
    coda_mat Ch;
    coda_matdot_combine(m, d, sel, &Ch, &e);
    double err = diff_fro(&Ch, &C);
    CHECK(fabs(err - T) <= 1e-9 * T + 1e-12, "rank-one input: error %.12g, ||E_S||_2 %.12g", err,
          T);
    coda_mat_free(&Ch);
    for (int s = 0; s < m; s++)
        coda_mat_free(&Ct[s]);
    coda_mat_free(&A), coda_mat_free(&B), coda_mat_free(&C);
}

/* Theorem 4: q = the coefficients of prod_{s in S} (x - lambda_s) (|S| = m-1), normalized;
 * A = q^T (x) A-bar, B = +-q (x) B-bar: every worker of S outputs 0, C = +-e1 e1^T. */
static void converse(void)
{
    coda_err e;
    int m = 3, P = 8, bw = 2;
    double t[8];
    coda_matdot_nodes(CODA_NODES_CHEB, P, t);
    double q[3] = {1, 0, 0}; /* coefficients of x^0..x^(m-1) of (x - t_0)(x - t_1) */
    for (int s = 0; s < m - 1; s++) {
        for (int k = m - 1; k > 0; k--)
            q[k] = q[k - 1] - t[s] * q[k];
        q[0] *= -t[s];
    }
    double nq = cblas_dnrm2(m, q, 1);
    for (int k = 0; k < m; k++)
        q[k] /= nq;
    /* A~_s = (alpha_s . q) A-bar = p(t_s) A-bar = 0 on S, whatever B~_s is */
    for (int sign = -1; sign <= 1; sign += 2) {
        coda_mat A, B, C, Ct[8];
        coda_mat_alloc(&A, 2, (size_t)(m * bw), &e);
        coda_mat_alloc(&B, (size_t)(m * bw), 2, &e);
        for (int i = 0; i < m; i++)
            CODA_AT(&A, 0, i * bw) = q[i], CODA_AT(&B, i * bw, 0) = sign * q[i];
        gemm(&A, &B, &C);
        worker_products(&A, &B, m, P, t, Ct);
        double on_s = fmax(coda_mat_fro(&Ct[0]), coda_mat_fro(&Ct[1]));
        CHECK(on_s <= 1e-14, "converse: workers of S output %.3g", on_s);
        CHECK(fabs(coda_mat_fro(&A) - 1) < 1e-14 && fabs(coda_mat_fro(&B) - 1) < 1e-14,
              "converse: inputs not unit norm");
        /* C = sum_i q_i^2 (+-e1 e1^T) = +-e1 e1^T: the outputs of S cannot tell the signs apart,
         * so any decoder from S errs by 1 = ||A||_F ||B||_F for one of them */
        CHECK(fabs(CODA_AT(&C, 0, 0) - sign) < 1e-14 && fabs(coda_mat_fro(&C) - 1) < 1e-14,
              "converse: C(0,0) = %.17g for sign %d", CODA_AT(&C, 0, 0), sign);
        for (int s = 0; s < P; s++)
            coda_mat_free(&Ct[s]);
        coda_mat_free(&A), coda_mat_free(&B), coda_mat_free(&C);
    }
}

/* Row m-1 of V^+ for the K x (2m-1) Vandermonde matrix V[s][l] = lambda_s^l (SVD, nothing
 * truncated): the paper's min-norm weights d, by a route independent of the library's. Returns
 * cond(V). */
static double minnorm_reference(int m, int K, const double *lambda, double *d)
{
    int n = 2 * m - 1, ld = K > n ? K : n;
    double V[16 * 31], X[31 * 16] = {0}, Vc[16 * 31], sv[16], superb[16];
    lapack_int rank;
    for (int l = 0; l < n; l++)
        for (int s = 0; s < K; s++)
            V[l * K + s] = pow(lambda[s], l);
    memcpy(Vc, V, sizeof(double) * (size_t)(K * n));
    for (int s = 0; s < K; s++)
        X[s * ld + s] = 1;
    LAPACKE_dgelsd(LAPACK_COL_MAJOR, K, n, K, V, K, X, ld, sv, 0.0, &rank);
    for (int s = 0; s < K; s++)
        d[s] = X[s * ld + m - 1];
    LAPACKE_dgesvd(LAPACK_COL_MAJOR, 'N', 'N', K, n, Vc, K, sv, NULL, 1, NULL, 1, superb);
    return sv[0] / sv[K - 1];
}

static void minnorm(void)
{
    coda_err e;
    /* (1) the library's weights (QR with pivoting on the scaled rows) against the reference */
    for (int m = 2; m <= 4; m++) {
        int P = 2 * m;
        double t[8], g[8], d[8], ts[8], lam[8];
        coda_matdot_nodes(CODA_NODES_EQUI, P, t);
        const double radii[] = {0.5, 0.1};
        for (int q = 0; q < 2; q++)
            for (int K = m; K <= 2 * m - 2; K++) {
                int idx[8];
                for (int k = 0; k < K; k++)
                    idx[k] = k;
                double worst = 0, tol = 100 * DBL_EPSILON;
                do {
                    for (int k = 0; k < K; k++)
                        ts[k] = t[idx[k]], lam[k] = radii[q] * t[idx[k]];
                    double cond = minnorm_reference(m, K, lam, d);
                    if (coda_matdot_weights_minnorm(m, K, ts, radii[q], g, &e) < 0) {
                        CHECK(0, "minnorm m=%d K=%d: %s", m, K, e.msg);
                        break;
                    }
                    double num = 0, den = 0;
                    for (int k = 0; k < K; k++) {
                        double dk = g[k] / pow(radii[q], m - 1);
                        num = fmax(num, fabs(dk - d[k]));
                        den = fmax(den, fabs(d[k]));
                    }
                    worst = fmax(worst, num / den / cond);
                } while (coda_subset_next(idx, K, P));
                CHECK(worst <= tol, "minnorm m=%d K=%d r=%g: differs from pinv by %.3g u cond", m,
                      K, radii[q], worst / DBL_EPSILON);
            }
    }
    /* (2) both decoders share the first-order error h_1(lambda_S) P_(m+1) (specs §2.6), so their
     * E_S differ by O(r^2) while E_S is O(r): the relative difference falls like r (about m r /
     * 2 in exact arithmetic, specs §2.6). Radii where the weights' own round-off, about
     * u r^-(m-1) ||g||, stays far below that difference */
    for (int m = 2; m <= 4; m++) {
        int P = 2 * m, K = m;
        double t[8], ratio[2];
        coda_matdot_nodes(CODA_NODES_EQUI, P, t);
        const double radii[] = {1e-1, 1e-2};
        for (int q = 0; q < 2; q++) {
            double r = radii[q], dmax = 0, emax = 0, ts[8], gi[8], gm[8], Ei[256], Em[256];
            int idx[8];
            for (int k = 0; k < K; k++)
                idx[k] = k;
            do {
                for (int k = 0; k < K; k++)
                    ts[k] = t[idx[k]];
                coda_matdot_weights(m, K, ts, gi, &e);
                coda_matdot_weights_minnorm(m, K, ts, r, gm, &e);
                coda_matdot_error_matrix(m, K, ts, r, gi, CODA_DECODER_INTERP, Ei);
                coda_matdot_error_matrix(m, K, ts, r, gm, CODA_DECODER_MINNORM, Em);
                for (int k = 0; k < m * m; k++)
                    Em[k] -= Ei[k];
                double sv[16], sup[16];
                LAPACKE_dgesvd(LAPACK_COL_MAJOR, 'N', 'N', m, m, Em, m, sv, NULL, 1, NULL, 1, sup);
                dmax = fmax(dmax, sv[0]);
                emax = fmax(emax, coda_matdot_trunc(m, K, ts, r, gi, CODA_DECODER_INTERP));
            } while (coda_subset_next(idx, K, P));
            ratio[q] = dmax / emax;
        }
        CHECK(ratio[0] <= m * 1e-1 && ratio[1] <= m * 1e-2 && ratio[1] <= 0.2 * ratio[0],
              "minnorm m=%d: ||E_minnorm - E_interp|| / ||E_interp|| = %.3g at r=1e-1, %.3g at "
              "r=1e-2 (should fall like r)", m, ratio[0], ratio[1]);
    }
    /* (3) Theorem 3: at the paper's radius (17) the min-norm decoder is within eps from every
     * S with m <= |S| < 2m-1. Checked where float64 can show it: ||E_S|| is evaluated for the
     * weights as computed, whose rounding moves it by about the round-off estimate R, so only
     * cases with R <= eps / 100 count (m = 5, and m = 4 at eps = 1e-2, are past that: the
     * paper's radius is too small for float64 there, specs §2.7) */
    int shown = 0;
    for (int m = 2; m <= 5; m++)
        for (double eps = 1e-1; eps >= 1e-2; eps /= 10) {
            int P = 2 * m;
            double t[10], ts[10], g[10];
            coda_matdot_nodes(CODA_NODES_EQUI, P, t);
            double r = eps / (6 * sqrt(2.0 * m - 1) * (m - 1) * m), worst = 0, Rmax = 0;
            for (int K = m; K <= 2 * m - 2; K++) {
                int idx[10];
                for (int k = 0; k < K; k++)
                    idx[k] = k;
                do {
                    for (int k = 0; k < K; k++)
                        ts[k] = t[idx[k]];
                    coda_matdot_weights_minnorm(m, K, ts, r, g, &e);
                    worst = fmax(worst, coda_matdot_trunc(m, K, ts, r, g, CODA_DECODER_MINNORM));
                    Rmax = fmax(Rmax, coda_matdot_roundoff(m, K, ts, r, g, NULL, NULL));
                } while (coda_subset_next(idx, K, P));
            }
            if (Rmax > eps / 100)
                continue;
            shown++;
            CHECK(worst <= eps, "minnorm m=%d eps=%g at the paper radius: max ||E_S|| = %.3g", m,
                  eps, worst);
        }
    CHECK(shown >= 5, "minnorm: Theorem 3 shown in only %d cases", shown);
}

/* The error matrices and the radius search hold nothing sized by the input on the stack:
 * m above the encoder's 16 (a plan the parser refuses, but the library functions take any m)
 * and P above 64 (the radius rule's drawn subsets) run clean under ASan, with the answers
 * the algebra fixes. */
static void large_sizes(void)
{
    int m = 20, K = 20;
    double *al = calloc((size_t)m * K, sizeof *al), *d = malloc(sizeof *d * K),
           *E = malloc(sizeof *E * (size_t)m * m);
    for (int s = 0; s < K; s++) {
        al[s * m + s] = 1; /* alpha = beta = I, d = 1: E = I - I = 0 */
        d[s] = 1;
    }
    CHECK(coda_code_error(m, K, al, al, d, E) == 0, "m=20: ||I - I||_2 != 0");
    d[3] = 0.5; /* E = diag(0, .., 0.5, ..): norm 0.5 exactly */
    CHECK(coda_code_error(m, K, al, al, d, E) == 0.5, "m=20: ||E||_2 != 0.5");
    /* interp weights on 2m-1 nodes are exact: E_S is zero to round-off */
    int n = 2 * m - 1;
    double *t = malloc(sizeof *t * n), *g = malloc(sizeof *g * n);
    coda_err e;
    coda_matdot_nodes(CODA_NODES_CHEB, n, t);
    CHECK(coda_matdot_weights(m, n, t, g, &e) == 0, "m=20 weights: %s", e.msg);
    double T = coda_matdot_trunc(m, n, t, 1.0, g, CODA_DECODER_INTERP);
    CHECK(isfinite(T) && T < 1, "m=20 exact weights: ||E_S||_2 = %.3g", T);
    free(al), free(d), free(E), free(t), free(g);
    /* P = 300 > 64 with C(300, 2) > 20000: the subsets are drawn */
    int P = 300;
    double *tp = malloc(sizeof *tp * P);
    coda_radius_choice ch;
    coda_matdot_nodes(CODA_NODES_EQUI, P, tp);
    CHECK(coda_matdot_radius(CODA_RADIUS_FIXED, 0.01, 2, P, tp, 2, NULL, NULL, 1, &ch, &e) == 0 &&
              ch.subsets == 20000 && ch.r == 0.01,
          "P=300 radius: %s", e.msg);
    free(tp);
}

int main(void)
{
    large_sizes();
    exact();
    approximate();
    closed_form();
    tight_bound();
    converse();
    minnorm();
    return check_summary();
}
