/* LOCATE (spec §3.5 D2-D3): the support of a t-sparse error from its 2t-number syndrome, by
 * Prony's method made robust with least squares and a residual test. The syndrome becomes
 * 2t moments sigma_r = sum_i a_i u_i^r on nodes u_i (the unit circle for the odd-harmonic DFT
 * locator, the real nodes z_i for a Vandermonde one), with a_i != 0 exactly on the support.
 * For each order nu = 1..t: the error-locator polynomial Lambda(x) = x^nu + sum_c lambda_c x^c
 * fitted to the Hankel equations sum_c lambda_c sigma_{r+c} = -sigma_{r+nu}; the nu nodes where
 * |Lambda| is smallest ("Chien search"); accepted when amplitudes on those nodes reproduce the
 * moments. Complex arithmetic throughout (a real locator's moments have zero imaginary part).
 * Cost O(t^4 + m t^2), negligible against the decode's O(p m^2). */
#include <complex.h>

#include <cblas.h>
#include <lapacke.h>
#include <math.h>
#include <stdlib.h>
#include <string.h>

#include "byz.h"

typedef double complex cplx;

typedef struct {
    double v;
    int i;
} ranked;

static int by_value(const void *a, const void *b)
{
    const ranked *x = a, *y = b;
    if (x->v != y->v)
        return x->v < y->v ? -1 : 1;
    return x->i - y->i;
}

static int by_int(const void *a, const void *b) { return *(const int *)a - *(const int *)b; }

/* The moments and nodes of the locator's syndrome s (2t numbers). */
static void moments(coda_byz_locator_kind kind, const double *z, const double *s, int t, int m,
                    cplx *sigma, cplx *u)
{
    if (kind == CODA_BYZ_VANDERMONDE) {
        for (int r = 0; r < 2 * t; r++)
            sigma[r] = s[r];
        for (int i = 0; i < m; i++)
            u[i] = z[i];
        return;
    }
    /* c_j = s_{2j} + i s_{2j+1} = sum_i e_i exp(i (2j+1) phi_i); the moment of the odd harmonic
     * 2r - (2t-1) is c or its conjugate, and factoring exp(-i (2t-1) phi_i) out of every term
     * leaves powers of u_i = exp(2 i phi_i), distinct roots of unity */
    for (int r = 0; r < 2 * t; r++) {
        int h = 2 * r - (2 * t - 1);
        int j = h > 0 ? (h - 1) / 2 : (-h - 1) / 2;
        cplx c = s[2 * j] + I * s[2 * j + 1];
        sigma[r] = h > 0 ? c : conj(c);
    }
    for (int i = 0; i < m; i++)
        u[i] = cexp(2.0 * I * M_PI * i / m);
}

static double cnorm(const cplx *x, int n)
{
    double s = 0;
    for (int i = 0; i < n; i++)
        s += creal(x[i]) * creal(x[i]) + cimag(x[i]) * cimag(x[i]);
    return sqrt(s);
}

int coda_byz_locate(const coda_mat *F, coda_byz_locator_kind kind, const double *z,
                    const double *y, double tol0, double tol1, int *which,
                    coda_byz_located *out, coda_err *e)
{
    int k = (int)F->rows, m = (int)F->cols, t = k / 2;
    memset(out, 0, sizeof *out);
    out->accepted = 1;
    if (t == 0)
        return 0;
    double *s = calloc((size_t)k, sizeof *s);
    cplx *sigma = malloc(sizeof *sigma * (size_t)k), *u = malloc(sizeof *u * (size_t)m),
         *H = malloc(sizeof *H * (size_t)k * (size_t)t), *g = malloc(sizeof *g * (size_t)k),
         *V = malloc(sizeof *V * (size_t)k * (size_t)t), *b = malloc(sizeof *b * (size_t)k);
    ranked *rk = malloc(sizeof *rk * (size_t)m);
    int *pick = malloc(sizeof *pick * (size_t)t), rc = 0;
    if (!s || !sigma || !u || !H || !g || !V || !b || !rk || !pick) {
        rc = coda_fail_oom(e);
        goto done;
    }
    cblas_dgemv(CblasColMajor, CblasNoTrans, k, m, 1.0, F->data, k, y, 1, 0.0, s, 1);
    for (int j = 0; j < k; j++) { /* the syndrome's noise reference */
        double a = 0;
        for (int i = 0; i < m; i++)
            a += fabs(CODA_AT(F, j, i) * y[i]);
        out->scale = fmax(out->scale, a);
    }
    moments(kind, z, s, t, m, sigma, u);
    out->sigma = cnorm(sigma, k);
    if (out->sigma <= tol0 * out->scale) /* no corrupt worker: the syndrome is round-off */
        goto done;
    out->accepted = 0;
    double best = INFINITY;
    for (int nu = 1; nu <= t; nu++) {
        int rows = k - nu; /* >= nu */
        for (int c = 0; c < nu; c++)
            for (int r = 0; r < rows; r++)
                H[r + (size_t)c * rows] = sigma[r + c];
        for (int r = 0; r < rows; r++)
            g[r] = -sigma[r + nu];
        if (LAPACKE_zgels(LAPACK_COL_MAJOR, 'N', rows, nu, 1, H, rows, g, rows) != 0)
            continue; /* a singular fit: this order is not the support's */
        for (int i = 0; i < m; i++) { /* |Lambda(u_i)| by Horner */
            cplx v = 1.0;
            for (int c = nu - 1; c >= 0; c--)
                v = v * u[i] + g[c];
            rk[i] = (ranked){cabs(v), i};
        }
        qsort(rk, (size_t)m, sizeof *rk, by_value);
        for (int c = 0; c < nu; c++) {
            pick[c] = rk[c].i;
            cplx pw = 1.0;
            for (int r = 0; r < k; r++, pw *= u[pick[c]])
                V[r + (size_t)c * k] = pw;
        }
        memcpy(b, sigma, sizeof *b * (size_t)k);
        if (LAPACKE_zgels(LAPACK_COL_MAJOR, 'N', k, nu, 1, V, k, b, k) != 0)
            continue;
        double resid = cnorm(b + nu, k - nu), bound = tol1 * out->sigma + tol0 * out->scale;
        if (resid / bound < best) {
            best = resid / bound;
            out->nu = nu;
            out->resid = resid;
            memcpy(which, pick, sizeof *pick * (size_t)nu);
        }
        if (resid <= bound) {
            out->accepted = 1;
            break;
        }
    }
    qsort(which, (size_t)out->nu, sizeof *which, by_int);
done:
    free(s), free(sigma), free(u), free(H), free(g), free(V), free(b), free(rk), free(pick);
    return rc;
}
