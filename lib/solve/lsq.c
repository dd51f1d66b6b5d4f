#include "lsq.h"

#include <cblas.h>
#include <float.h>
#include <lapacke.h>
#include <math.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>

int coda_lsq_method_parse(const char *name, coda_lsq_method *m)
{
    static const char *const names[] = {"direct", "sd", "cg"};
    for (int i = 0; i < 3; i++)
        if (strcmp(name, names[i]) == 0) {
            *m = (coda_lsq_method)i;
            return 0;
        }
    return -1;
}

const char *coda_lsq_method_name(coda_lsq_method m)
{
    return m == CODA_LSQ_SD ? "sd" : m == CODA_LSQ_CG ? "cg" : "direct";
}

void coda_lsq_stats_free(coda_lsq_stats *st)
{
    free(st->capped);
    st->capped = NULL;
    st->ncapped = 0;
}

int coda_lsq_stats_merge(coda_lsq_stats *a, const coda_lsq_stats *b, size_t offset, coda_err *e)
{
    if (b->ncapped) {
        size_t *c = realloc(a->capped, (a->ncapped + b->ncapped) * sizeof *c);
        if (!c)
            return coda_fail_oom(e);
        a->capped = c;
        for (size_t k = 0; k < b->ncapped; k++)
            a->capped[a->ncapped++] = b->capped[k] + offset;
    }
    if (a->columns == 0 || b->iters_max > a->iters_max)
        a->iters_max = b->iters_max;
    if (a->columns == 0 || b->grad_max > a->grad_max)
        a->grad_max = b->grad_max;
    a->resid2_sum = a->columns == 0 ? b->resid2_sum : a->resid2_sum + b->resid2_sum;
    if (a->columns == 0 || b->sigma_upper < a->sigma_upper || isnan(b->sigma_upper))
        a->sigma_upper = b->sigma_upper;
    a->grad2_sum = a->columns == 0 ? b->grad2_sum : a->grad2_sum + b->grad2_sum;
    a->iters_sum += b->iters_sum;
    a->columns += b->columns;
    return 0;
}

/* The solvers keep the columns still iterating in slots 0..active-1 of every work array, so
 * each BLAS call covers exactly those; a column that stops is swapped past the end. */
typedef struct {
    double *a;
    size_t ld;
} slot_array;

static void swap_entries(double *s, size_t j, size_t k)
{
    if (s) {
        double t = s[j];
        s[j] = s[k];
        s[k] = t;
    }
}

/* Swap slots j and k of every array, the permutation, and the per-column scalars a, b (NULL
 * when unused). */
static void swap_slots(slot_array *arr, int narr, size_t *perm, double *a, double *b, size_t j,
                       size_t k)
{
    if (j == k)
        return;
    for (int i = 0; i < narr; i++)
        if (arr[i].a)
            cblas_dswap((int)arr[i].ld, arr[i].a + j * arr[i].ld, 1, arr[i].a + k * arr[i].ld, 1);
    size_t p = perm[j];
    perm[j] = perm[k];
    perm[k] = p;
    swap_entries(a, j, k);
    swap_entries(b, j, k);
}

static int note_capped(coda_lsq_stats *st, size_t col, coda_err *e)
{
    size_t *c = realloc(st->capped, (st->ncapped + 1) * sizeof *c);
    if (!c)
        return coda_fail_oom(e);
    st->capped = c;
    st->capped[st->ncapped++] = col;
    return 0;
}

/* C(:, 0:k) = alpha op(A) B(:, 0:k) + beta C */
static void gemm(int transA, size_t rows, size_t k, size_t inner, double alpha, const double *A,
                 size_t lda, const double *B, size_t ldb, double beta, double *C, size_t ldc)
{
    cblas_dgemm(CblasColMajor, transA ? CblasTrans : CblasNoTrans, CblasNoTrans, (int)rows,
                (int)k, (int)inner, alpha, A, (int)lda, B, (int)ldb, beta, C, (int)ldc);
}

/* Steepest descent. The objective along -g is the exact quadratic
 * f(x - t g) = ||r||^2 - 2 t r.(Mg) + t^2 ||Mg||^2 (r = Mx - e), so backtracking from t = 1
 * (Armijo: f(x - t g) <= f(x) - alpha t ||g||^2) costs scalars only, once W = M G is known.
 * The test is written as t ||Mg||^2 <= 2 r.(Mg) - alpha ||g||^2 to avoid cancellation. */
static int solve_sd(const coda_mat *M, const coda_mat *E, const coda_lsq_opts *o, double *X,
                    size_t *perm, double *gfinal, long *iters, coda_lsq_stats *st, coda_err *e)
{
    const double alpha = 0.3, beta = 0.5;
    size_t r = M->rows, m = M->cols, c = E->cols;
    double *R = malloc(r * c * sizeof *R), *Ep = malloc(r * c * sizeof *Ep),
           *G = malloc(m * c * sizeof *G), *W = malloc(r * c * sizeof *W);
    if (!R || !Ep || !G || !W) {
        free(R), free(Ep), free(G), free(W);
        return coda_fail(e, "out of memory (%zu x %zu work arrays)", r, c);
    }
    memcpy(Ep, E->data, r * c * sizeof *Ep);
    for (size_t k = 0; k < r * c; k++)
        R[k] = -Ep[k];
    slot_array arr[] = {{X, m}, {R, r}, {Ep, r}, {G, m}};
    size_t active = c;
    int rc = 0;
    for (long it = 0; active > 0; it++) {
        if (o->progress)
            o->progress(it, c - active, c);
        if (it > 0 && it % 32 == 0) { /* refresh the residual against drift */
            memcpy(R, Ep, r * active * sizeof *R);
            gemm(0, r, active, m, 1.0, M->data, r, X, m, -1.0, R, r);
        }
        gemm(1, m, active, r, 2.0, M->data, r, R, r, 0.0, G, m);
        for (size_t j = 0; j < active;) {
            double gn = cblas_dnrm2((int)m, G + j * m, 1);
            if (gn <= o->eps) {
                gfinal[perm[j]] = gn;
                iters[perm[j]] = it;
                swap_slots(arr, 4, perm, NULL, NULL, j, --active);
            } else
                j++;
        }
        if (active == 0)
            break;
        if (it == o->iters) {
            for (size_t j = 0; j < active && rc == 0; j++) {
                gfinal[perm[j]] = cblas_dnrm2((int)m, G + j * m, 1);
                iters[perm[j]] = it;
                rc = note_capped(st, perm[j], e);
            }
            break;
        }
        gemm(0, r, active, m, 1.0, M->data, r, G, m, 0.0, W, r);
        for (size_t j = 0; j < active; j++) {
            double *g = G + j * m, *w = W + j * r;
            double gg = cblas_ddot((int)m, g, 1, g, 1), a = cblas_ddot((int)r, R + j * r, 1, w, 1),
                   b = cblas_ddot((int)r, w, 1, w, 1), t = 1.0;
            if (!(b > 0))
                continue;
            for (int h = 0; h < 2200 && t * b > 2 * a - alpha * gg; h++)
                t *= beta;
            cblas_daxpy((int)m, -t, g, 1, X + j * m, 1);
            cblas_daxpy((int)r, -t, w, 1, R + j * r, 1);
        }
    }
    free(R), free(Ep), free(G), free(W);
    return rc;
}

/* CGLS: CG on M^T M x = M^T e without forming M^T M. S = M^T R is -grad/2. */
static int solve_cg(const coda_mat *M, const coda_mat *E, const coda_lsq_opts *o, double *X,
                    size_t *perm, double *gfinal, long *iters, coda_lsq_stats *st, coda_err *e)
{
    size_t r = M->rows, m = M->cols, c = E->cols;
    double *R = malloc(r * c * sizeof *R), *S = malloc(m * c * sizeof *S),
           *P = malloc(m * c * sizeof *P), *Q = malloc(r * c * sizeof *Q),
           *gamma = malloc(c * sizeof *gamma), *step = malloc(c * sizeof *step);
    if (!R || !S || !P || !Q || !gamma || !step) {
        free(R), free(S), free(P), free(Q), free(gamma), free(step);
        return coda_fail(e, "out of memory (%zu x %zu work arrays)", r, c);
    }
    memcpy(R, E->data, r * c * sizeof *R);
    gemm(1, m, c, r, 1.0, M->data, r, R, r, 0.0, S, m);
    memcpy(P, S, m * c * sizeof *P);
    for (size_t j = 0; j < c; j++)
        gamma[j] = cblas_ddot((int)m, S + j * m, 1, S + j * m, 1);
    slot_array arr[] = {{X, m}, {R, r}, {S, m}, {P, m}};
    size_t active = c;
    int rc = 0;
    for (size_t j = 0; j < active;) { /* a zero right-hand side (or M^T e = 0) is solved by 0 */
        if (gamma[j] == 0) {
            gfinal[perm[j]] = 0;
            iters[perm[j]] = 0;
            swap_slots(arr, 4, perm, gamma, NULL, j, --active);
        } else
            j++;
    }
    for (long it = 0; active > 0; it++) {
        if (o->progress)
            o->progress(it, c - active, c);
        if (it == o->iters) {
            for (size_t j = 0; j < active && rc == 0; j++) {
                gfinal[perm[j]] = 2 * sqrt(gamma[j]);
                iters[perm[j]] = it;
                rc = note_capped(st, perm[j], e);
            }
            break;
        }
        gemm(0, r, active, m, 1.0, M->data, r, P, m, 0.0, Q, r);
        for (size_t j = 0; j < active; j++) {
            double qq = cblas_ddot((int)r, Q + j * r, 1, Q + j * r, 1);
            double a = qq > 0 ? gamma[j] / qq : 0;
            cblas_daxpy((int)m, a, P + j * m, 1, X + j * m, 1);
            cblas_daxpy((int)r, -a, Q + j * r, 1, R + j * r, 1);
            step[j] = fabs(a) * cblas_dnrm2((int)m, P + j * m, 1);
        }
        gemm(1, m, active, r, 1.0, M->data, r, R, r, 0.0, S, m);
        for (size_t j = 0; j < active; j++) {
            double gn = cblas_ddot((int)m, S + j * m, 1, S + j * m, 1);
            double b = gamma[j] > 0 ? gn / gamma[j] : 0;
            cblas_dscal((int)m, b, P + j * m, 1);
            cblas_daxpy((int)m, 1.0, S + j * m, 1, P + j * m, 1);
            gamma[j] = gn;
        }
        for (size_t j = 0; j < active;) {
            if (step[j] <= o->eps || gamma[j] == 0) {
                gfinal[perm[j]] = 2 * sqrt(gamma[j]);
                iters[perm[j]] = it + 1;
                swap_slots(arr, 4, perm, gamma, step, j, --active);
            } else
                j++;
        }
    }
    free(R), free(S), free(P), free(Q), free(gamma), free(step);
    return rc;
}

static int is_identity(const coda_mat *E)
{
    if (E->rows != E->cols)
        return 0;
    for (size_t j = 0; j < E->cols; j++)
        for (size_t i = 0; i < E->rows; i++)
            if (CODA_AT(E, i, j) != (i == j))
                return 0;
    return 1;
}

static int solve_direct(const coda_mat *M, const coda_mat *E, coda_mat *X, coda_err *e)
{
    size_t r = M->rows, m = M->cols, c = E->cols;
    coda_mat F;
    if (coda_mat_copy(&F, M, e) < 0)
        return -1;
    int rc = 0;
    if (r == m) {
        lapack_int *ipiv = malloc(m * sizeof *ipiv);
        double anorm = LAPACKE_dlange(LAPACK_COL_MAJOR, '1', (lapack_int)m, (lapack_int)m,
                                      M->data, (lapack_int)m),
               rcond = 0;
        lapack_int info = ipiv ? LAPACKE_dgetrf(LAPACK_COL_MAJOR, (lapack_int)m, (lapack_int)m,
                                                F.data, (lapack_int)m, ipiv)
                               : -1000;
        if (info == -1000)
            rc = coda_fail_oom(e);
        else if (info > 0)
            rc = coda_fail(e, "the matrix is singular (LU pivot %d is exactly zero)", (int)info);
        else if (LAPACKE_dgecon(LAPACK_COL_MAJOR, '1', (lapack_int)m, F.data, (lapack_int)m,
                                anorm, &rcond) != 0 || !(rcond >= DBL_EPSILON))
            rc = coda_fail(e, "the matrix is singular to working precision (reciprocal "
                              "condition number %.3g, LAPACK dgecon)", rcond);
        else if (is_identity(E)) { /* the whole inverse: dgetri in place */
            if (LAPACKE_dgetri(LAPACK_COL_MAJOR, (lapack_int)m, F.data, (lapack_int)m, ipiv) != 0)
                rc = coda_fail(e, "LAPACK dgetri failed");
            else {
                *X = F;
                F.data = NULL;
            }
        } else if (coda_mat_copy(X, E, e) < 0)
            rc = -1;
        else if (LAPACKE_dgetrs(LAPACK_COL_MAJOR, 'N', (lapack_int)m, (lapack_int)c, F.data,
                                (lapack_int)m, ipiv, X->data, (lapack_int)m) != 0)
            rc = coda_fail(e, "LAPACK dgetrs failed");
        free(ipiv);
        coda_mat_free(&F);
        return rc;
    }
    /* rectangular: least squares (or minimum norm) through QR */
    size_t ld = r > m ? r : m;
    coda_mat B;
    if (coda_mat_alloc(&B, ld, c, e) < 0) {
        coda_mat_free(&F);
        return -1;
    }
    for (size_t j = 0; j < c; j++)
        memcpy(B.data + j * ld, E->data + j * r, r * sizeof(double));
    lapack_int info = LAPACKE_dgels(LAPACK_COL_MAJOR, 'N', (lapack_int)r, (lapack_int)m,
                                    (lapack_int)c, F.data, (lapack_int)r, B.data, (lapack_int)ld);
    if (info > 0)
        rc = coda_fail(e, "the matrix is rank-deficient (LAPACK dgels: zero diagonal %d in its "
                          "triangular factor)", (int)info);
    else if (info < 0)
        rc = coda_fail(e, "LAPACK dgels argument %d invalid", (int)-info);
    else
        rc = coda_mat_sub(X, &B, 0, m, 0, c, e);
    coda_mat_free(&B);
    coda_mat_free(&F);
    return rc;
}

int coda_lsq_columns(const coda_mat *M, const coda_mat *E, const coda_lsq_opts *o, coda_mat *X,
                     coda_lsq_stats *st, coda_err *e)
{
    memset(X, 0, sizeof *X);
    memset(st, 0, sizeof *st);
    size_t r = M->rows, m = M->cols, c = E->cols;
    if (E->rows != r)
        return coda_fail(e, "the matrix is %zu x %zu but the right-hand sides have %zu rows", r,
                         m, E->rows);
    st->columns = c;
    if (o->method == CODA_LSQ_DIRECT) {
        st->grad2_sum = st->grad_max = st->resid2_sum = st->sigma_upper = NAN;
        return solve_direct(M, E, X, e);
    }
    if (r < m)
        return coda_fail(e, "the matrix is %zu x %zu, wider than tall: its least-squares "
                            "solutions are not unique (use --method direct for minimum norm)",
                         r, m);
    if (!(o->eps > 0) || o->iters < 0)
        return coda_fail(e, "%s needs eps > 0 and an iteration cap >= 0",
                         coda_lsq_method_name(o->method));
    coda_mat W = {0}, R = {0};
    size_t *perm = malloc((c ? c : 1) * sizeof *perm);
    double *gfinal = malloc((c ? c : 1) * sizeof *gfinal);
    long *iters = malloc((c ? c : 1) * sizeof *iters);
    int rc = perm && gfinal && iters ? 0 : coda_fail_oom(e);
    if (rc == 0)
        rc = coda_mat_alloc(&W, m, c, e);
    for (size_t j = 0; rc == 0 && j < c; j++)
        perm[j] = j;
    if (rc == 0)
        rc = o->method == CODA_LSQ_SD ? solve_sd(M, E, o, W.data, perm, gfinal, iters, st, e)
                                      : solve_cg(M, E, o, W.data, perm, gfinal, iters, st, e);
    if (rc == 0)
        rc = coda_mat_alloc_raw(X, m, c, e);
    if (rc == 0) { /* slots back to column order, and the exact final residuals */
        for (size_t j = 0; j < c; j++)
            memcpy(X->data + perm[j] * m, W.data + j * m, m * sizeof(double));
        rc = coda_mat_copy(&R, E, e);
    }
    st->sigma_upper = INFINITY;
    if (rc == 0 && c) {
        gemm(0, r, c, m, 1.0, M->data, r, X->data, m, -1.0, R.data, r);
        for (size_t j = 0; j < c; j++) {
            double r2 = cblas_ddot((int)r, R.data + j * r, 1, R.data + j * r, 1);
            st->resid2_sum += r2;
            /* sigma_min(M) ||r|| <= ||M^T r|| = ||grad|| / 2 whenever M has full column rank */
            if (r2 > 0 && gfinal[j] / (2 * sqrt(r2)) < st->sigma_upper)
                st->sigma_upper = gfinal[j] / (2 * sqrt(r2));
            st->grad2_sum += gfinal[j] * gfinal[j];
            st->grad_max = gfinal[j] > st->grad_max ? gfinal[j] : st->grad_max;
            st->iters_sum += (double)iters[j];
            st->iters_max = iters[j] > st->iters_max ? iters[j] : st->iters_max;
        }
    }
    if (rc < 0) {
        coda_mat_free(X);
        coda_lsq_stats_free(st);
    }
    coda_mat_free(&W);
    coda_mat_free(&R);
    free(perm);
    free(gfinal);
    free(iters);
    return rc;
}

int coda_lsq_opts_to_meta(const coda_lsq_opts *o, coda_meta *m, coda_err *e)
{
    if (coda_meta_set(m, "arg.method", coda_lsq_method_name(o->method), e) < 0)
        return -1;
    if (o->method == CODA_LSQ_DIRECT)
        return 0;
    return coda_meta_set_double(m, "arg.eps", o->eps, e) < 0 ||
                   coda_meta_set_long(m, "arg.iters", o->iters, e) < 0
               ? -1
               : 0;
}

int coda_lsq_opts_from_meta(const coda_meta *m, coda_lsq_opts *o, coda_err *e)
{
    const char *name = m ? coda_meta_get(m, "arg.method") : NULL; /* no args: direct */
    long long iters = 0;
    *o = (coda_lsq_opts){.method = CODA_LSQ_DIRECT};
    if (!name)
        return 0;
    if (coda_lsq_method_parse(name, &o->method) < 0)
        return coda_fail(e, "unknown method '%s' (direct, sd, cg)", name);
    if (o->method == CODA_LSQ_DIRECT)
        return 0;
    if (coda_meta_get_double(m, "arg.eps", &o->eps, e) < 0 ||
        coda_meta_get_long(m, "arg.iters", &iters, e) < 0)
        return -1;
    if (!(o->eps > 0) || iters < 0)
        return coda_fail(e, "arg.eps must be > 0 and arg.iters >= 0");
    o->iters = (long)iters;
    return 0;
}

int coda_lsq_stats_to_meta(const coda_lsq_stats *st, coda_meta *m, coda_err *e)
{
    int rc = coda_meta_set_long(m, "columns", (long long)st->columns, e) |
             coda_meta_set_long(m, "iters_max", st->iters_max, e) |
             coda_meta_set_double(m, "iters_sum", st->iters_sum, e) |
             coda_meta_set_double(m, "grad2_sum", st->grad2_sum, e) |
             coda_meta_set_double(m, "grad_max", st->grad_max, e) |
             coda_meta_set_double(m, "resid2_sum", st->resid2_sum, e) |
             coda_meta_set_double(m, "sigma_upper", st->sigma_upper, e);
    if (rc == 0 && st->ncapped) {
        char *b = malloc(st->ncapped * 21 + 1);
        if (!b)
            return coda_fail_oom(e);
        size_t off = 0;
        for (size_t k = 0; k < st->ncapped; k++)
            off += (size_t)sprintf(b + off, "%s%zu", k ? "," : "", st->capped[k]);
        rc = coda_meta_set(m, "capped", b, e);
        free(b);
    }
    return rc < 0 ? -1 : 0;
}

int coda_lsq_stats_from_meta(const coda_meta *m, coda_lsq_stats *st, coda_err *e)
{
    long long cols, im, *capped = NULL;
    size_t nc = 0;
    memset(st, 0, sizeof *st);
    if (coda_meta_get_long(m, "columns", &cols, e) < 0 ||
        coda_meta_get_long(m, "iters_max", &im, e) < 0 ||
        coda_meta_get_double(m, "iters_sum", &st->iters_sum, e) < 0 ||
        coda_meta_get_double(m, "grad2_sum", &st->grad2_sum, e) < 0 ||
        coda_meta_get_double(m, "grad_max", &st->grad_max, e) < 0 ||
        coda_meta_get_double(m, "resid2_sum", &st->resid2_sum, e) < 0 ||
        coda_meta_get_double(m, "sigma_upper", &st->sigma_upper, e) < 0 ||
        (coda_meta_get(m, "capped") && coda_meta_get_longs(m, "capped", &capped, &nc, e) < 0))
        return -1;
    if (cols < 0) {
        free(capped);
        return coda_fail(e, "negative column count in the solver figures");
    }
    st->columns = (size_t)cols;
    st->iters_max = (long)im;
    if (nc) {
        st->capped = malloc(nc * sizeof *st->capped);
        if (!st->capped) {
            free(capped);
            return coda_fail_oom(e);
        }
        for (size_t k = 0; k < nc; k++)
            st->capped[k] = (size_t)capped[k];
        st->ncapped = nc;
    }
    free(capped);
    return 0;
}

static int cmp_size(const void *a, const void *b)
{
    size_t x = *(const size_t *)a, y = *(const size_t *)b;
    return x < y ? -1 : x > y;
}

void coda_lsq_capped_text(coda_lsq_stats *st, long cap, char *buf, size_t len)
{
    buf[0] = '\0';
    if (!st->ncapped)
        return;
    size_t off = (size_t)snprintf(buf, len, "%zu %scolumn%s stopped at the iteration cap %ld "
                                            "before meeting eps",
                                  st->ncapped, st->coded ? "coded " : "",
                                  st->ncapped == 1 ? "" : "s", cap);
    if (st->coded || off >= len)
        return;
    qsort(st->capped, st->ncapped, sizeof *st->capped, cmp_size);
    for (size_t k = 0; k < st->ncapped && k < 10 && off < len; k++)
        off += (size_t)snprintf(buf + off, len - off, "%s%zu", k ? ", " : ": ", st->capped[k]);
    if (st->ncapped > 10 && off < len)
        snprintf(buf + off, len - off, " and %zu more", st->ncapped - 10);
}
