#include "matdot.h"

#include <cblas.h>
#include <float.h>
#include <lapacke.h>
#include <math.h>
#include <stdlib.h>
#include <string.h>

#include "../core/rng.h"
#include "plan.h"

void coda_matdot_nodes(coda_nodes_kind kind, int P, double *t)
{
    for (int l = 1; l <= P; l++)
        t[l - 1] = kind == CODA_NODES_CHEB ? cos((2.0 * l - 1) * M_PI / (2.0 * P))
                                           : -1 + (2.0 * l - 1) / P;
}

int coda_matdot_coeffs(int m, int P, const double *lambda, coda_mat *alpha, coda_mat *beta,
                       coda_err *e)
{
    if (coda_mat_alloc(alpha, (size_t)m, (size_t)P, e) < 0)
        return -1;
    if (coda_mat_alloc(beta, (size_t)m, (size_t)P, e) < 0) {
        coda_mat_free(alpha);
        return -1;
    }
    for (int s = 0; s < P; s++)
        for (int i = 0; i < m; i++) {
            CODA_AT(alpha, i, s) = pow(lambda[s], i);
            CODA_AT(beta, m - 1 - i, s) = pow(lambda[s], i);
        }
    return 0;
}

int coda_matdot_weights(int m, int K, const double *t, double *g, coda_err *e)
{
    if (K < m)
        return coda_fail(e, "matdot: %d responders, need at least m = %d (any decoder errs by "
                            "||A||_F ||B||_F with fewer, papers/approx-matdot.txt Thm 4)", K, m);
    int rows = K <= 2 * m - 1 ? K : 2 * m - 1; /* powers 0..rows-1 */
    double *W = malloc(sizeof *W * (size_t)rows * (size_t)K), *rhs = calloc((size_t)K, sizeof *rhs);
    lapack_int *piv = malloc(sizeof *piv * (size_t)K);
    int rc = W && rhs && piv ? 0 : coda_fail_oom(e);
    for (int s = 0; rc == 0 && s < K; s++)
        for (int p = 0; p < rows; p++)
            W[s * rows + p] = pow(t[s], p);
    if (rc == 0) {
        rhs[m - 1] = 1;
        lapack_int info =
            rows == K ? LAPACKE_dgesv(LAPACK_COL_MAJOR, K, 1, W, K, piv, rhs, K)
                      /* more responders than coefficients: the min-norm weights (LQ) */
                      : LAPACKE_dgels(LAPACK_COL_MAJOR, 'N', rows, K, 1, W, rows, rhs, K);
        if (info != 0)
            rc = coda_fail(e, "matdot: the responders' points are not distinct (LAPACK info %d)",
                           (int)info);
    }
    if (rc == 0)
        memcpy(g, rhs, sizeof *g * (size_t)K);
    free(W), free(rhs), free(piv);
    return rc;
}

int coda_matdot_weights_minnorm(int m, int K, const double *t, double r, double *g, coda_err *e)
{
    if (K < m || K >= 2 * m - 1)
        return coda_matdot_weights(m, K, t, g, e);
    if (!(r > 0 && r <= 1))
        return coda_fail(e, "matdot: radius %g outside (0, 1]", r);
    int rows = 2 * m - 1;
    double *W = malloc(sizeof *W * (size_t)rows * (size_t)K), *rhs = calloc((size_t)rows, sizeof *rhs);
    lapack_int *jpvt = calloc((size_t)K, sizeof *jpvt), rank = 0;
    int rc = W && rhs && jpvt ? 0 : coda_fail_oom(e);
    for (int s = 0; rc == 0 && s < K; s++)
        for (int l = 0; l < rows; l++)
            W[s * rows + l] = pow(r, l - (m - 1)) * pow(t[s], l);
    if (rc == 0) {
        rhs[m - 1] = 1;
        if (LAPACKE_dgelsy(LAPACK_COL_MAJOR, rows, K, 1, W, rows, rhs, rows, jpvt, 0.0, &rank) != 0 ||
            rank < K)
            rc = coda_fail(e, "matdot: the min-norm system has rank %d < %d responders (points "
                              "not distinct?)", (int)rank, K);
    }
    for (int s = 0; rc == 0 && s < K; s++)
        if (!isfinite(rhs[s]))
            rc = coda_fail(e, "matdot: the min-norm weights overflow at radius %g; use the interp "
                              "decoder", r);
    if (rc == 0)
        memcpy(g, rhs, sizeof *g * (size_t)K);
    free(W), free(rhs), free(jpvt);
    return rc;
}

int coda_matdot_error_matrix(int m, int K, const double *t, double r, const double *g,
                             coda_matdot_decoder dec, double *E)
{
    /* E[i][j] = delta_ij - mu_(i-j), mu_e = r^e sum_s g_s t_s^(m-1+e), e = -(m-1)..m-1. interp
     * reproduces the powers below m-1 exactly (mu_e = 0 for e < 0 by construction; evaluating
     * them would only add cancellation noise of order u r^-(m-1)), minnorm does not */
    double *mu_ = malloc(sizeof *mu_ * (size_t)(2 * m - 1)), *mu = mu_ + (m - 1);
    /* in long double: the sums cancel (to 0 or 1), and this is the E_S of the weights as
     * computed, which must not drown in the cancellation of its own evaluation. Powers by
     * running products: the radius rules call this for every subset at every radius */
    long double *s_ = calloc((size_t)(2 * m - 1), sizeof *s_), *s = s_ + (m - 1);
    if (!mu_ || !s_) {
        free(mu_), free(s_);
        return -1;
    }
    int lo = dec == CODA_DECODER_MINNORM ? -(m - 1) : 0;
    for (int k = 0; k < K; k++) {
        long double tp = 1;
        for (int q = 0; q < m - 1 + lo; q++)
            tp *= t[k];
        for (int ee = lo; ee < m; ee++, tp *= t[k])
            s[ee] += (long double)g[k] * tp;
    }
    long double rp = 1;
    for (int ee = 0; ee > lo; ee--)
        rp /= r;
    for (int ee = lo; ee < m; ee++, rp *= r)
        mu[ee] = (double)(rp * s[ee]);
    for (int j = 0; j < m; j++)
        for (int i = 0; i < m; i++)
            E[j * m + i] = (i == j) - (i - j >= lo ? mu[i - j] : 0);
    free(mu_), free(s_);
    return 0;
}

double coda_matdot_trunc(int m, int K, const double *t, double r, const double *g,
                         coda_matdot_decoder dec)
{
    /* E (m x m), then its singular values and dgesvd's superdiagonal */
    double *E = malloc(sizeof *E * (size_t)m * (size_t)(m + 2)), *sv = E + (size_t)m * m,
           n2 = INFINITY;
    if (E && coda_matdot_error_matrix(m, K, t, r, g, dec, E) == 0 &&
        LAPACKE_dgesvd(LAPACK_COL_MAJOR, 'N', 'N', m, m, E, m, sv, NULL, 1, NULL, 1, sv + m) == 0)
        n2 = sv[0];
    free(E);
    return n2;
}

double coda_matdot_roundoff(int m, int K, const double *t, double r, const double *g,
                            const double *a, const double *b)
{
    double sum = 0, eq = 1 / sqrt((double)m);
    for (int s = 0; s < K; s++) {
        double l = fabs(r * t[s]), na = 0, nb = 0, li = 1;
        for (int i = 0; i < m; i++, li *= l) { /* li = l^i */
            na += li * (a ? a[i] : eq);
            nb += li * (b ? b[m - 1 - i] : eq);
        }
        sum += fabs(g[s]) / pow(r, m - 1) * na * nb;
    }
    return DBL_EPSILON / 2 * sum;
}

int coda_subset_next(int *idx, int R, int P)
{
    int i = R - 1;
    while (i >= 0 && idx[i] == P - R + i)
        i--;
    if (i < 0)
        return 0;
    idx[i]++;
    for (int j = i + 1; j < R; j++)
        idx[j] = idx[j - 1] + 1;
    return 1;
}

enum { MAX_SUBSETS = 20000, GRID = 129 };

int coda_matdot_radius(coda_radius_rule rule, double eps, int m, int P, const double *t, int R,
                       const double *a, const double *b, unsigned long long seed,
                       coda_radius_choice *out, coda_err *e)
{
    memset(out, 0, sizeof *out);
    if (m < 2 || m > CODA_PRODUCT_MAX_M)
        return coda_fail(e, "matdot: m = %d, need 2 <= m <= %d", m, CODA_PRODUCT_MAX_M);
    if (R < m || R > P)
        return coda_fail(e, "matdot: %d design responders, need m = %d <= R <= P = %d", R, m, P);
    if (rule == CODA_RADIUS_FIXED && !(eps > 0 && eps <= 1))
        return coda_fail(e, "matdot: the radius must be in (0, 1] (got %g)", eps);
    if ((rule == CODA_RADIUS_TIGHT || rule == CODA_RADIUS_PAPER) && !(eps > 0 && eps < 2))
        return coda_fail(e, "matdot: the radius rule needs 0 < eps < 2 (got %g)", eps);
    /* the subsets: every one, or MAX_SUBSETS drawn with the seed */
    double total = 1;
    for (int k = 0; k < R; k++)
        total = total * (P - k) / (k + 1);
    long n = total <= MAX_SUBSETS ? (long)llround(total) : MAX_SUBSETS;
    int *sub = malloc(sizeof *sub * (size_t)n * (size_t)R), *idx = malloc(sizeof *idx * (size_t)P);
    double *g = malloc(sizeof *g * (size_t)n * (size_t)R), *ts = malloc(sizeof *ts * (size_t)n * (size_t)R);
    size_t *perm = malloc(sizeof *perm * (size_t)P);
    int rc = sub && idx && g && ts && perm ? 0 : coda_fail_oom(e);
    if (rc == 0 && total <= MAX_SUBSETS) {
        for (int k = 0; k < R; k++)
            idx[k] = k;
        long q = 0;
        do
            memcpy(sub + q++ * R, idx, sizeof *idx * (size_t)R);
        while (coda_subset_next(idx, R, P));
    } else if (rc == 0) {
        coda_rng rng;
        coda_rng_seed(&rng, seed, CODA_RNG_SUBSETS, 0, 0);
        for (long q = 0; q < n; q++) {
            for (int k = 0; k < P; k++)
                perm[k] = (size_t)k;
            coda_rng_shuffle(&rng, perm, (size_t)P, (size_t)R);
            for (int k = 0; k < R; k++)
                sub[q * R + k] = (int)perm[k];
        }
    }
    /* scaled weights per subset: they do not depend on the radius */
    for (long q = 0; rc == 0 && q < n; q++) {
        for (int k = 0; k < R; k++)
            ts[q * R + k] = t[sub[q * R + k]];
        rc = coda_matdot_weights(m, R, ts + q * R, g + q * R, e);
    }
    double best = INFINITY;
    for (int k = 0; rc == 0 && k < GRID; k++) {
        double r = rule == CODA_RADIUS_TIGHT   ? 1 - pow(1 + eps, -1.0 / m)
                   : rule == CODA_RADIUS_PAPER ? eps / (6 * sqrt(2.0 * m - 1) * (m - 1) * m)
                   : rule == CODA_RADIUS_FIXED ? eps
                                               : pow(10, -k / 8.0);
        double T = 0, Rf = 0;
        for (long q = 0; q < n; q++) {
            T = fmax(T, coda_matdot_trunc(m, R, ts + q * R, r, g + q * R, CODA_DECODER_INTERP));
            Rf = fmax(Rf, coda_matdot_roundoff(m, R, ts + q * R, r, g + q * R, a, b));
        }
        if (T + 2 * Rf < best) {
            best = T + 2 * Rf;
            *out = (coda_radius_choice){r, T, Rf, T + 2 * Rf, n};
        }
        if (rule != CODA_RADIUS_AUTO)
            break;
    }
    free(sub), free(idx), free(g), free(ts), free(perm);
    return rc;
}

int coda_matdot_encode_pair(const coda_mat *A, const coda_mat *B, int m, const double *alpha_s,
                            const double *beta_s, coda_mat *At, coda_mat *Bt, coda_err *e)
{
    if (A->cols != B->rows)
        return coda_fail(e, "matdot: A is %zu x %zu but B has %zu rows", A->rows, A->cols,
                         B->rows);
    /* the plan's split (coda_plan_split): the first Ni mod m blocks one longer, every block
     * zero-padded to the longest, ceil(Ni/m) */
    if (m < 1 || m > CODA_PRODUCT_MAX_M || A->cols < (size_t)m)
        return coda_fail(e, "matdot: %zu inner columns in m = %d blocks (1 <= m <= %d, m <= "
                            "columns)", A->cols, m, CODA_PRODUCT_MAX_M);
    size_t bw = coda_split_at(A->cols, m, 1); /* the first block is the longest */
    if (coda_mat_alloc(At, A->rows, bw, e) < 0)
        return -1;
    if (coda_mat_alloc(Bt, bw, B->cols, e) < 0) {
        coda_mat_free(At);
        return -1;
    }
    for (int i = 0; i < m; i++) {
        size_t lo = coda_split_at(A->cols, m, i), w = coda_split_at(A->cols, m, i + 1) - lo;
        if (w == 0)
            continue;
        /* A's column block i is contiguous; B's row block i is strided by B->rows */
        cblas_daxpy((int)(A->rows * w), alpha_s[i], A->data + lo * A->rows, 1, At->data, 1);
        for (size_t c = 0; c < B->cols; c++)
            cblas_daxpy((int)w, beta_s[i], B->data + c * B->rows + lo, 1, Bt->data + c * bw, 1);
    }
    return 0;
}

int coda_matdot_combine(int K, const double *d, const coda_mat *const *Ct, coda_mat *out,
                        coda_err *e)
{
    if (K < 1)
        return coda_fail(e, "matdot: no results to combine");
    if (coda_mat_alloc(out, Ct[0]->rows, Ct[0]->cols, e) < 0)
        return -1;
    for (int s = 0; s < K; s++) {
        if (Ct[s]->rows != out->rows || Ct[s]->cols != out->cols) {
            coda_mat_free(out);
            return coda_fail(e, "matdot: result %d is %zu x %zu, the others %zu x %zu", s,
                             Ct[s]->rows, Ct[s]->cols, out->rows, out->cols);
        }
        cblas_daxpy((int)(out->rows * out->cols), d[s], Ct[s]->data, 1, out->data, 1);
    }
    return 0;
}
