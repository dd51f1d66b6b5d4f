/* The Byzantine code's matrices: the locator F, a basis of its null space, and the worst
 * conditioning of the basis restricted to m - t rows (spec §3.1, §3.2, §5.3). */
#include <float.h>
#include <lapacke.h>
#include <math.h>
#include <stdlib.h>
#include <string.h>

#include "../core/rng.h"
#include "byz.h"

int coda_byz_nodes(const char *name, int m, double *z, coda_err *e)
{
    for (int i = 0; i < m; i++) {
        if (strcmp(name, "equi") == 0)
            z[i] = -1.0 + (2.0 * i + 1.0) / m;
        else if (strcmp(name, "cheb") == 0)
            z[i] = cos((2.0 * i + 1.0) * M_PI / (2.0 * m));
        else if (strcmp(name, "int") == 0)
            z[i] = i + 1.0;
        else
            return coda_failc(e, CODA_E_USAGE, "byz: unknown nodes '%s' (equi, cheb, int or a "
                                               "file of m numbers)", name);
    }
    return 0;
}

int coda_byz_locator(int m, int t, coda_byz_locator_kind kind, const double *z, coda_mat *F,
                     coda_err *e)
{
    memset(F, 0, sizeof *F);
    if (t == 0) { /* no parity: a 0 x m matrix */
        F->cols = (size_t)m;
        return 0;
    }
    if (coda_mat_alloc(F, 2 * (size_t)t, (size_t)m, e) < 0)
        return -1;
    for (int i = 0; i < m; i++) {
        if (kind == CODA_BYZ_ODD_DFT) {
            double phi = M_PI * i / m;
            for (int j = 0; j < t; j++) {
                CODA_AT(F, 2 * j, i) = cos((2.0 * j + 1.0) * phi);
                CODA_AT(F, 2 * j + 1, i) = sin((2.0 * j + 1.0) * phi);
            }
        } else {
            double pw = 1.0;
            for (int j = 0; j < 2 * t; j++, pw *= z[i])
                CODA_AT(F, j, i) = pw;
        }
    }
    return 0;
}

/* [-F1^{-1} F2; I_q]: F1 the first k columns, invertible since any k columns are. */
static int systematic(const coda_mat *F, int m, coda_mat *Fp, coda_err *e)
{
    int k = (int)F->rows, q = m - k;
    coda_mat F1, P;
    lapack_int *piv = malloc(sizeof *piv * (size_t)(k ? k : 1));
    if (!piv)
        return coda_fail_oom(e);
    if (coda_mat_sub(&F1, F, 0, (size_t)k, 0, (size_t)k, e) < 0) {
        free(piv);
        return -1;
    }
    if (coda_mat_sub(&P, F, 0, (size_t)k, (size_t)k, (size_t)q, e) < 0) {
        free(piv);
        coda_mat_free(&F1);
        return -1;
    }
    lapack_int info = LAPACKE_dgesv(LAPACK_COL_MAJOR, k, q, F1.data, k, piv, P.data, k);
    int rc = info == 0 ? coda_mat_alloc(Fp, (size_t)m, (size_t)q, e)
                       : coda_failc(e, CODA_E_NUMERIC, "byz: the locator's first %d columns are "
                                                       "singular (LAPACK dgesv info %d)",
                                    k, (int)info);
    for (int c = 0; c < q && rc == 0; c++) {
        for (int a = 0; a < k; a++)
            CODA_AT(Fp, a, c) = -CODA_AT(&P, a, c);
        CODA_AT(Fp, k + c, c) = 1.0;
    }
    free(piv);
    coda_mat_free(&F1);
    coda_mat_free(&P);
    return rc;
}

/* The last q columns of the full Q of F^T = Q R. */
static int orthonormal(const coda_mat *F, int m, coda_mat *Fp, coda_err *e)
{
    int k = (int)F->rows, q = m - k;
    coda_mat Q;
    double *tau = malloc(sizeof *tau * (size_t)(k ? k : 1));
    if (!tau)
        return coda_fail_oom(e);
    if (coda_mat_alloc(&Q, (size_t)m, (size_t)m, e) < 0) {
        free(tau);
        return -1;
    }
    for (int i = 0; i < m; i++)
        for (int j = 0; j < k; j++)
            CODA_AT(&Q, i, j) = CODA_AT(F, j, i);
    int rc = 0;
    if (LAPACKE_dgeqrf(LAPACK_COL_MAJOR, m, k, Q.data, m, tau) != 0 ||
        LAPACKE_dorgqr(LAPACK_COL_MAJOR, m, m, k, Q.data, m, tau) != 0)
        rc = coda_failc(e, CODA_E_NUMERIC, "byz: QR of the locator failed");
    if (rc == 0)
        rc = coda_mat_sub(Fp, &Q, 0, (size_t)m, (size_t)k, (size_t)q, e);
    free(tau);
    coda_mat_free(&Q);
    return rc;
}

int coda_byz_nullspace(const coda_mat *F, int m, int sys, coda_mat *Fp, coda_err *e)
{
    memset(Fp, 0, sizeof *Fp);
    if (F->rows == 0)
        return coda_mat_identity(Fp, (size_t)m, e);
    if ((int)F->rows >= m || (int)F->cols != m)
        return coda_fail(e, "byz: a %zu x %zu locator has no null space of dimension >= 1 in "
                            "R^%d", F->rows, F->cols, m);
    return sys ? systematic(F, m, Fp, e) : orthonormal(F, m, Fp, e);
}

/* Singular values of a small matrix (destroyed), descending, into s. */
static int svals(coda_mat *A, double *s, coda_err *e)
{
    size_t n = A->rows < A->cols ? A->rows : A->cols;
    double *sup = malloc(sizeof *sup * (n ? n : 1));
    if (!sup)
        return coda_fail_oom(e);
    lapack_int info = LAPACKE_dgesvd(LAPACK_COL_MAJOR, 'N', 'N', (lapack_int)A->rows,
                                     (lapack_int)A->cols, A->data, (lapack_int)A->rows, s, NULL,
                                     1, NULL, 1, sup);
    free(sup);
    return info == 0 ? 0 : coda_failc(e, CODA_E_NUMERIC, "byz: SVD failed (LAPACK info %d)",
                                      (int)info);
}

int coda_byz_rows_cond(const coda_mat *Fp, const int *rows, int n, double *cond, double *smin,
                       coda_err *e)
{
    size_t q = Fp->cols, ns = (size_t)n < q ? (size_t)n : q;
    coda_mat A;
    double *s = malloc(sizeof *s * (ns ? ns : 1));
    if (!s)
        return coda_fail_oom(e);
    if (coda_mat_alloc_raw(&A, (size_t)n, q, e) < 0) {
        free(s);
        return -1;
    }
    for (int i = 0; i < n; i++)
        for (size_t c = 0; c < q; c++)
            CODA_AT(&A, i, c) = CODA_AT(Fp, rows[i], c);
    int rc = svals(&A, s, e);
    if (rc == 0) {
        double lo = (size_t)n < q ? 0.0 : s[ns - 1];
        *cond = lo > 0 ? s[0] / lo : INFINITY;
        if (smin)
            *smin = lo;
    }
    coda_mat_free(&A);
    free(s);
    return rc;
}

/* The rows kept when the t rows `drop` (ascending) are left out. */
static void keep_rows(int m, const int *drop, int t, int *rows)
{
    for (int i = 0, d = 0, n = 0; i < m; i++) {
        if (d < t && drop[d] == i)
            d++;
        else
            rows[n++] = i;
    }
}

static int by_int(const void *a, const void *b) { return *(const int *)a - *(const int *)b; }

int coda_byz_worst_cond(const coda_mat *Fp, int t, uint64_t seed, double *worst, long *count,
                        int *exhaustive, coda_err *e)
{
    int m = (int)Fp->rows, n = m - t;
    double subsets = 1;
    for (int k = 0; k < t; k++)
        subsets = subsets * (m - k) / (k + 1);
    *worst = 0;
    *count = 0;
    *exhaustive = subsets <= 1e4;
    double flops = 4.0 * n * (double)Fp->cols * (double)Fp->cols + 1;
    /* a budget of about 2e8 flops: 10 to 1000 sampled sets, fewer for very large codes, none
     * (NaN: not estimated) where one SVD alone would cost more than 2e10 */
    long samples = *exhaustive ? (long)(subsets + 0.5)
                   : flops > 2e10 ? 0
                                  : (long)fmin(1000, fmax(flops > 2e7 ? 1 : 10, 2e8 / flops));
    if (samples == 0)
        *worst = NAN;
    int *drop = malloc(sizeof *drop * (size_t)(t ? t : 1)), *rows = malloc(sizeof *rows * (size_t)m);
    size_t *perm = malloc(sizeof *perm * (size_t)m);
    if (!drop || !rows || !perm) {
        free(drop), free(rows), free(perm);
        return coda_fail_oom(e);
    }
    for (int k = 0; k < t; k++)
        drop[k] = k;
    coda_rng r;
    coda_rng_seed(&r, seed, CODA_RNG_SUBSETS, 1, 0);
    int rc = 0;
    for (long s = 0; s < samples && rc == 0; s++) {
        if (!*exhaustive) {
            coda_rng_shuffle(&r, perm, (size_t)m, (size_t)t);
            for (int k = 0; k < t; k++)
                drop[k] = (int)perm[k];
            qsort(drop, (size_t)t, sizeof *drop, by_int);
        }
        keep_rows(m, drop, t, rows);
        double c;
        rc = coda_byz_rows_cond(Fp, rows, n, &c, NULL, e);
        if (rc == 0 && !(c <= *worst))
            *worst = c; /* NaN or infinite: kept as the worst */
        ++*count;
        if (*exhaustive) { /* next t-subset in lexicographic order */
            int k = t - 1;
            while (k >= 0 && drop[k] == m - t + k)
                k--;
            if (k < 0)
                break;
            drop[k]++;
            for (int j = k + 1; j < t; j++)
                drop[j] = drop[j - 1] + 1;
        }
    }
    free(drop), free(rows), free(perm);
    return rc;
}
