#include "product.h"

#include "../io/stream.h"

#include <cblas.h>
#include <float.h>
#include <lapacke.h>
#include <math.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>

#include "scheme.h"

int coda_product_scheme(const char *name)
{
    const coda_scheme *sc = coda_scheme_find(name);
    return sc && (sc->caps & CODA_CAP_BOTH_FACTORS);
}


static int is_poly(const coda_plan *p) { return strcmp(p->scheme, "poly") == 0; }

/* The threshold a product scheme has by construction (linear: its code's, at least m). */
static int scheme_threshold(const char *scheme, int m)
{
    return strcmp(scheme, "poly") == 0            ? m * m
           : strcmp(scheme, "matdot-approx") == 0 ? m
           : strcmp(scheme, "linear") == 0        ? m
                                                  : 2 * m - 1;
}

/* A plan number: present (unless optional), finite and in [lo, hi]. */
static int plan_number(const coda_plan *p, const char *key, double lo, double hi, int optional,
                       coda_err *e)
{
    double v;
    if (optional && !coda_meta_get(&p->extra, key))
        return 0;
    if (coda_meta_get_double(&p->extra, key, &v, e) < 0)
        return coda_fail_prefix(e, "plan: ");
    if (!isfinite(v))
        return coda_fail(e, "plan: %s is %s", key, isnan(v) ? "NaN" : "infinite");
    if (v < lo || v > hi)
        return coda_fail(e, "plan: %s = %g is outside [%g, %g]", key, v, lo, hi);
    return 0;
}

/* A plan list of exactly n finite numbers. */
static int plan_list(const coda_plan *p, const char *key, size_t n, coda_err *e)
{
    double *v;
    size_t got;
    if (coda_meta_get_doubles(&p->extra, key, &v, &got, e) < 0)
        return coda_fail_prefix(e, "plan: ");
    int rc = got == n ? 0 : coda_fail(e, "plan: %s has %zu entries, need %zu", key, got, n);
    for (size_t i = 0; rc == 0 && i < n; i++)
        if (!isfinite(v[i]))
            rc = coda_fail(e, "plan: %s entry %zu is %s", key, i + 1,
                           isnan(v[i]) ? "NaN" : "infinite");
    free(v);
    return rc;
}

int coda_product_plan_check(const coda_plan *p, coda_err *e)
{
    if (!coda_product_scheme(p->scheme))
        return coda_fail(e, "plan: unknown product scheme '%s'", p->scheme);
    long long m, rows, inner = 0, cols;
    if (coda_meta_get_long(&p->extra, "m", &m, e) < 0 ||
        coda_meta_get_long(&p->extra, "rows", &rows, e) < 0 ||
        coda_meta_get_long(&p->extra, "cols", &cols, e) < 0 ||
        (!is_poly(p) && coda_meta_get_long(&p->extra, "inner", &inner, e) < 0))
        return coda_fail_prefix(e, "plan: ");
    /* m = K is G's width, so the payload bounds it; the encoder's range bounds it further */
    if (m != p->K)
        return coda_fail(e, "plan: m = %lld but G has %d columns", m, p->K);
    if (m < 1 || m > CODA_PRODUCT_MAX_M)
        return coda_fail(e, "plan: m = %lld is outside coda-encode's 1..%d", m, CODA_PRODUCT_MAX_M);
    int thr = scheme_threshold(p->scheme, (int)m), linear = strcmp(p->scheme, "linear") == 0;
    if (linear ? p->threshold < thr : p->threshold != thr)
        return coda_fail(e, "plan: %s with m = %lld has threshold %s%d, the plan says %d", p->scheme,
                         m, linear ? "at least " : "", thr, p->threshold);
    if (p->N < thr)
        return coda_fail(e, "plan: %s with m = %lld needs at least %d workers, the plan has %d",
                         p->scheme, m, thr, p->N);
    /* the split dimension: A's rows (poly) or the inner dimension, at least m long */
    if (rows < 1 || cols < 1 || (is_poly(p) ? (rows < m || cols < m || (size_t)rows != p->length)
                                            : (inner < m || (size_t)inner != p->length)))
        return coda_fail(e, "plan: rows = %lld, inner = %lld, cols = %lld do not fit m = %lld "
                            "blocks of %zu", rows, inner, cols, m, p->length);
    if (plan_number(p, "norm_a", 0, INFINITY, 0, e) < 0 ||
        plan_number(p, "norm_b", 0, INFINITY, 0, e) < 0 ||
        (!linear && (plan_number(p, "radius", DBL_MIN, 1, 0, e) < 0 ||
                     plan_list(p, "nodes", (size_t)p->N, e) < 0)) ||
        plan_list(p, "beta", (size_t)p->N * (size_t)m, e) < 0 ||
        plan_list(p, "block_norms_a", (size_t)m, e) < 0 ||
        plan_list(p, "block_norms_b", (size_t)m, e) < 0 ||
        plan_number(p, "eps", 0, INFINITY, 1, e) < 0 ||
        plan_number(p, "predicted", 0, INFINITY, 1, e) < 0 ||
        plan_number(p, "predicted_trunc", 0, INFINITY, 1, e) < 0 ||
        plan_number(p, "predicted_roundoff", 0, INFINITY, 1, e) < 0 ||
        plan_number(p, "design_responders", (double)m, p->N, 1, e) < 0)
        return -1;
    return 0;
}

double coda_code_error(int m, int K, const double *alpha, const double *beta, const double *d,
                       double *E)
{
    /* E = I - alpha diag(d) beta^T */
    double *ad = malloc(sizeof *ad * (size_t)m * (size_t)K);
    if (!ad)
        return INFINITY;
    for (int s = 0; s < K; s++)
        for (int i = 0; i < m; i++)
            ad[s * m + i] = alpha[s * m + i] * d[s];
    memset(E, 0, sizeof *E * (size_t)m * (size_t)m);
    for (int i = 0; i < m; i++)
        E[i * m + i] = 1;
    cblas_dgemm(CblasColMajor, CblasNoTrans, CblasTrans, m, m, K, -1.0, ad, m, beta, m, 1.0, E, m);
    free(ad);
    double *W = malloc(sizeof *W * (size_t)m * (size_t)m), *sv = malloc(sizeof *sv * (size_t)m),
           *sup = malloc(sizeof *sup * (size_t)m), n2 = INFINITY;
    if (W && sv && sup) {
        memcpy(W, E, sizeof *W * (size_t)m * (size_t)m);
        if (LAPACKE_dgesvd(LAPACK_COL_MAJOR, 'N', 'N', m, m, W, m, sv, NULL, 1, NULL, 1, sup) == 0)
            n2 = sv[0];
    }
    free(W), free(sv), free(sup);
    return n2;
}

/* ||M||_F of the row block [lo, hi) (rows) or column block (cols) of M. */
static double block_norm(const coda_mat *M, size_t lo, size_t hi, int cols)
{
    double s = 0;
    if (cols)
        for (size_t j = lo; j < hi; j++) {
            double v = cblas_dnrm2((int)M->rows, M->data + j * M->rows, 1);
            s += v * v;
        }
    else
        for (size_t j = 0; j < M->cols; j++) {
            double v = cblas_dnrm2((int)(hi - lo), M->data + j * M->rows + lo, 1);
            s += v * v;
        }
    return sqrt(s);
}

/* matdot-approx: the radius and its predicted error, written to the plan. */
static int choose_radius(coda_plan *p, const coda_product_args *a, const double *t,
                         const double *an, const double *bn, double *r, coda_err *e)
{
    int m = a->m, R = a->design ? a->design : m;
    coda_radius_choice ch;
    /* a given radius goes through the same subsets for its predicted error */
    if (coda_matdot_radius(a->radius > 0 ? CODA_RADIUS_FIXED : a->rule,
                           a->radius > 0 ? a->radius : a->eps, m, a->P, t, R, an, bn, a->seed,
                           &ch, e) < 0)
        return -1;
    *r = ch.r;
    if (a->eps > 0 && ch.predicted > a->eps && !a->force)
        return coda_fail(e, "matdot-approx: eps = %g is not reachable in float64 with m = %d, "
                            "P = %d and %d responders: the best predicted error is %.3g at "
                            "radius %.3g (see coda-encode(1); --force encodes anyway)",
                         a->eps, m, a->P, R, ch.predicted, ch.r);
    if (coda_meta_set_double(&p->extra, "radius", ch.r, e) < 0 ||
        coda_meta_set_double(&p->extra, "predicted", ch.predicted, e) < 0 ||
        coda_meta_set_double(&p->extra, "predicted_trunc", ch.trunc, e) < 0 ||
        coda_meta_set_double(&p->extra, "predicted_roundoff", ch.roundoff, e) < 0 ||
        coda_meta_set_long(&p->extra, "design_responders", R, e) < 0)
        return -1;
    return 0;
}

int coda_product_plan(coda_plan *p, const coda_product_args *a, const coda_mat *A,
                      const coda_mat *B, coda_err *e)
{
    memset(p, 0, sizeof *p);
    int m = a->m, P = a->P, poly = strcmp(a->scheme, "poly") == 0,
        approx = strcmp(a->scheme, "matdot-approx") == 0,
        linear = strcmp(a->scheme, "linear") == 0;
    if (!coda_product_scheme(a->scheme))
        return coda_fail(e, "unknown product scheme '%s'", a->scheme);
    if (linear) {
        if (!a->code || a->code->rows % 2 || a->code->rows < 2)
            return coda_fail(e, "linear: needs a code file (2m x P: the A- then the "
                                "B-coefficients, from coda-assign --scheme matdot-search)");
        m = (int)a->code->rows / 2;
        P = (int)a->code->cols;
        if (coda_mat_first_nonfinite(a->code) != (size_t)-1)
            return coda_fail(e, "linear: the code holds NaN or Inf");
    }
    if (m < 1 || m > CODA_PRODUCT_MAX_M)
        return coda_fail(e, "%s: m = %d, need 1 <= m <= %d", a->scheme, m, CODA_PRODUCT_MAX_M);
    int threshold = poly ? m * m : approx ? m : linear ? (a->code_threshold ? a->code_threshold : m)
                                                      : 2 * m - 1;
    if (P < threshold)
        return coda_fail(e, "%s with m = %d needs at least %d workers (got %d)", a->scheme, m,
                         threshold, P);
    if (approx && m < 2)
        return coda_fail(e, "matdot-approx needs m >= 2 (with m = 1 every worker computes AB: "
                            "use matdot)");
    if (a->design && (a->design < m || a->design > P))
        return coda_fail(e, "--design-responders %d: need m = %d <= R <= P = %d", a->design, m, P);
    if (A->cols != B->rows)
        return coda_fail(e, "A is %zu x %zu but B is %zu x %zu: the inner dimensions differ",
                         A->rows, A->cols, B->rows, B->cols);
    size_t len = poly ? A->rows : A->cols;
    if (len < (size_t)m || (poly && B->cols < (size_t)m))
        return coda_fail(e, "%s: m = %d blocks but the split dimension has %zu", a->scheme, m,
                         poly && len >= (size_t)m ? B->cols : len);
    snprintf(p->scheme, sizeof p->scheme, "%s", a->scheme);
    snprintf(p->op, sizeof p->op, "matmul");
    p->N = P;
    p->K = m;
    p->s = P - threshold;
    p->data_coded = 1;
    p->threshold = threshold;
    p->load = 1.0 / m;
    p->seed = a->seed;
    double nA = cblas_dnrm2((int)(A->rows * A->cols), A->data, 1),
           nB = cblas_dnrm2((int)(B->rows * B->cols), B->data, 1);
    double *t = malloc(sizeof *t * (size_t)P), *an = malloc(sizeof *an * (size_t)m),
           *bn = malloc(sizeof *bn * (size_t)m);
    size_t *bd = malloc(sizeof *bd * (size_t)(m + 1)), *bc = malloc(sizeof *bc * (size_t)(m + 1));
    int rc = t && an && bn && bd && bc ? 0 : coda_fail_oom(e);
    if (rc == 0)
        rc = coda_plan_split(p, len, e);
    /* block norms relative to the whole: the round-off estimate's inputs */
    if (rc == 0) {
        coda_split_bounds(len, m, bd);
        coda_split_bounds(B->cols, m, bc);
        for (int i = 0; i < m; i++) {
            an[i] = nA > 0 ? block_norm(A, bd[i], bd[i + 1], !poly) / nA : 0;
            bn[i] = nB > 0 ? block_norm(B, poly ? bc[i] : bd[i], poly ? bc[i + 1] : bd[i + 1], poly) / nB : 0;
        }
    }
    coda_nodes_kind nodes = a->nodes_set ? a->nodes : approx ? CODA_NODES_EQUI : CODA_NODES_CHEB;
    double r = 1;
    if (rc == 0 && !linear) {
        coda_matdot_nodes(nodes, P, t);
        rc = coda_meta_set_doubles(&p->extra, "nodes", t, (size_t)P, e) |
             coda_meta_set(&p->extra, "points", nodes == CODA_NODES_CHEB ? "cheb" : "equi", e);
    }
    if (rc == 0 && approx)
        rc = choose_radius(p, a, t, an, bn, &r, e);
    else if (rc == 0 && !linear) {
        r = a->radius > 0 ? a->radius : 1;
        rc = coda_meta_set_double(&p->extra, "radius", r, e);
    }
    if (rc == 0)
        rc = coda_meta_set_long(&p->extra, "m", m, e) |
             coda_meta_set_long(&p->extra, "rows", (long long)A->rows, e) |
             coda_meta_set_long(&p->extra, "inner", (long long)A->cols, e) |
             coda_meta_set_long(&p->extra, "cols", (long long)B->cols, e) |
             coda_meta_set_double(&p->extra, "norm_a", nA, e) |
             coda_meta_set_double(&p->extra, "norm_b", nB, e) |
             coda_meta_set_doubles(&p->extra, "block_norms_a", an, (size_t)m, e) |
             coda_meta_set_doubles(&p->extra, "block_norms_b", bn, (size_t)m, e);
    if (rc == 0 && a->eps > 0)
        rc = coda_meta_set_double(&p->extra, "eps", a->eps, e);
    if (rc == 0)
        rc = coda_mat_alloc(&p->G, (size_t)P, (size_t)m, e);
    /* G = the A-coefficients, one row per worker; the B-coefficients ride as "beta" */
    double *beta = rc == 0 ? malloc(sizeof *beta * (size_t)P * (size_t)m) : NULL;
    if (rc == 0 && !beta)
        rc = coda_fail_oom(e);
    for (int s = 0; rc == 0 && s < P; s++)
        for (int i = 0; i < m; i++) {
            double l = r * t[s];
            CODA_AT(&p->G, s, i) = linear ? CODA_AT(a->code, i, s) : pow(l, i);
            beta[i * P + s] = linear ? CODA_AT(a->code, m + i, s)
                              : poly ? pow(l, (double)i * m)
                                     : pow(l, m - 1 - i);
        }
    if (rc == 0)
        rc = coda_meta_set_doubles(&p->extra, "beta", beta, (size_t)P * (size_t)m, e);
    free(beta);
    free(t), free(an), free(bn), free(bd), free(bc);
    if (rc != 0) {
        coda_plan_free(p);
        return -1;
    }
    return 0;
}

/* The B-coefficients (P x m, column-major) from the plan. */
static int plan_beta(const coda_plan *p, double **beta, coda_err *e)
{
    size_t n;
    if (coda_meta_get_doubles(&p->extra, "beta", beta, &n, e) < 0)
        return coda_fail_prefix(e, "plan: ");
    if (n != (size_t)p->N * (size_t)p->K) {
        free(*beta);
        *beta = NULL; /* the caller owns *beta only on success */
        return coda_fail(e, "plan: beta has %zu entries, need P m = %d", n, p->N * p->K);
    }
    return 0;
}

/* Polynomial codes' pair: A~ = sum_i alpha_i A_i (row blocks), B~ = sum_j beta_j B_j (column
 * blocks), each block zero-padded to the longest. */
static int encode_outer(const coda_mat *A, const coda_mat *B, int m, const double *alpha,
                        const double *beta, coda_mat *At, coda_mat *Bt, coda_err *e)
{
    size_t h = coda_split_at(A->rows, m, 1), w = coda_split_at(B->cols, m, 1);
    if (coda_mat_alloc(At, h, A->cols, e) < 0)
        return -1;
    if (coda_mat_alloc(Bt, B->rows, w, e) < 0) {
        coda_mat_free(At);
        return -1;
    }
    for (int i = 0; i < m; i++) {
        size_t r0 = coda_split_at(A->rows, m, i), r1 = coda_split_at(A->rows, m, i + 1),
               c0 = coda_split_at(B->cols, m, i), c1 = coda_split_at(B->cols, m, i + 1);
        for (size_t c = 0; c < A->cols; c++)
            cblas_daxpy((int)(r1 - r0), alpha[i], A->data + c * A->rows + r0, 1, At->data + c * h, 1);
        cblas_daxpy((int)(B->rows * (c1 - c0)), beta[i], B->data + c0 * B->rows, 1, Bt->data, 1);
    }
    return 0;
}

int coda_product_encode(const coda_plan *p, const coda_mat *A, const coda_mat *B, coda_sink sink,
                        void *ctx, coda_err *e)
{
    int m = p->K;
    double *beta, *alpha = malloc(sizeof *alpha * 2 * (size_t)m), *bs = alpha + m;
    if (!alpha)
        return coda_fail_oom(e);
    if (plan_beta(p, &beta, e) < 0) {
        free(alpha);
        return -1;
    }
    int rc = 0;
    for (int s = 0; rc == 0 && s < p->N; s++) {
        for (int i = 0; i < m; i++) {
            alpha[i] = CODA_AT(&p->G, s, i);
            bs[i] = beta[i * p->N + s];
        }
        coda_mat At, Bt;
        rc = is_poly(p) ? encode_outer(A, B, m, alpha, bs, &At, &Bt, e)
                        : coda_matdot_encode_pair(A, B, m, alpha, bs, &At, &Bt, e);
        if (rc < 0)
            break;
        coda_frame f[2];
        coda_frame_init(&f[0], CODA_TASK);
        coda_frame_init(&f[1], CODA_TASK);
        f[0].mat = Bt;
        f[1].mat = At;
        for (int k = 0; k < 2; k++) {
            f[k].tag[CODA_TAG_WORKER] = s;
            f[k].tag[CODA_TAG_BLOCK] = -1;
        }
        rc = coda_meta_set(&f[0].meta, "role", "operand", e) |
             coda_meta_set(&f[1].meta, "op", "matmul", e);
        for (int k = 0; k < 2 && rc == 0; k++)
            rc = sink(ctx, &f[k], e);
        coda_frame_free(&f[0]);
        coda_frame_free(&f[1]);
    }
    free(beta);
    free(alpha);
    return rc;
}

static int by_worker(const void *x, const void *y)
{
    const coda_frame *a = *(const coda_frame *const *)x, *b = *(const coda_frame *const *)y;
    return (a->tag[CODA_TAG_WORKER] > b->tag[CODA_TAG_WORKER]) -
           (a->tag[CODA_TAG_WORKER] < b->tag[CODA_TAG_WORKER]);
}

/* Least-squares weights d (K) with G_S d ~ vec(I_m), G_S[:, s] = vec(alpha_s beta_s^T): the
 * Frobenius-optimal decoder of a linear code (specs §2.11), by SVD (dgelsd, rcond 0: G_S may be
 * rank-deficient, and nothing is truncated). */
static int linear_weights(int m, int K, const double *alpha, const double *beta, double *d,
                          coda_err *e)
{
    int mm = m * m, ld = mm > K ? mm : K;
    double *G = malloc(sizeof *G * (size_t)mm * (size_t)K), *rhs = calloc((size_t)ld, sizeof *rhs),
           *sv = malloc(sizeof *sv * (size_t)(mm < K ? mm : K));
    int rc = G && rhs && sv ? 0 : coda_fail_oom(e);
    for (int s = 0; rc == 0 && s < K; s++)
        for (int j = 0; j < m; j++)
            for (int i = 0; i < m; i++)
                G[(size_t)s * mm + j * m + i] = alpha[s * m + i] * beta[s * m + j];
    for (int i = 0; i < m; i++)
        if (rhs)
            rhs[i * m + i] = 1;
    lapack_int rank;
    if (rc == 0 && LAPACKE_dgelsd(LAPACK_COL_MAJOR, mm, K, 1, G, mm, rhs, ld, sv, 0.0, &rank) != 0)
        rc = coda_fail(e, "linear: the least-squares decode failed (LAPACK dgelsd)");
    if (rc == 0)
        memcpy(d, rhs, sizeof *d * (size_t)K);
    free(G), free(rhs), free(sv);
    return rc;
}

/* Polynomial codes: all m^2 coefficient blocks by least squares on the K x m^2 Vandermonde
 * system in the nodes (K >= m^2), then C's blocks in place. */
static int decode_poly(const coda_plan *p, const coda_frame *const *use, int K, const double *t,
                       coda_mat *out, coda_decode_info *info, coda_err *e)
{
    int m = p->K, q = m * m;
    long long Nr, Nc;
    if (coda_meta_get_long(&p->extra, "rows", &Nr, e) < 0 ||
        coda_meta_get_long(&p->extra, "cols", &Nc, e) < 0)
        return coda_fail_prefix(e, "plan: ");
    /* the shapes are collect's (coda_product_result_shape) */
    size_t h = coda_split_at((size_t)Nr, m, 1), w = coda_split_at((size_t)Nc, m, 1), L = h * w;
    size_t bytes;
    /* V and its copy (K x q), D (K x K): K responders justify them, the memory limit bounds */
    if (coda_size_check((size_t)K, (size_t)K + 2 * (size_t)q, sizeof(double), &bytes, e) < 0)
        return coda_fail_prefix(e, "poly: the interpolation system of %d responders: ", K);
    double *V = malloc(sizeof *V * (size_t)K * (size_t)q), *Vc = malloc(sizeof *Vc * (size_t)K * (size_t)q),
           *D = calloc((size_t)K * (size_t)K, sizeof *D), *sv = malloc(sizeof *sv * (size_t)q),
           *sup = malloc(sizeof *sup * (size_t)q);
    coda_mat Y = {0}, X = {0};
    int rc = V && Vc && D && sv && sup ? 0 : coda_fail_oom(e);
    for (int s = 0; rc == 0 && s < K; s++) {
        for (int l = 0; l < q; l++)
            V[(size_t)l * K + s] = pow(t[s], l);
        D[(size_t)s * K + s] = 1;
    }
    if (rc == 0) {
        memcpy(Vc, V, sizeof *V * (size_t)K * (size_t)q);
        info->cond = LAPACKE_dgesvd(LAPACK_COL_MAJOR, 'N', 'N', K, q, Vc, K, sv, NULL, 1, NULL, 1, sup) == 0
                         ? sv[0] / sv[q - 1] : INFINITY;
        /* D (first q rows) = V^+ : overdetermined least squares against I_K */
        if (LAPACKE_dgels(LAPACK_COL_MAJOR, 'N', K, q, K, V, K, D, K) != 0)
            rc = coda_fail(e, "poly: the interpolation system is singular");
    }
    if (rc == 0)
        rc = coda_mat_alloc(&Y, L, (size_t)K, e);
    for (int s = 0; rc == 0 && s < K; s++)
        memcpy(Y.data + (size_t)s * L, use[s]->mat.data, L * sizeof(double));
    /* X (L x q) = Y (V^+)^T: coefficient l = i + j m is the block A_i B_j */
    if (rc == 0)
        rc = coda_mat_alloc(&X, L, (size_t)q, e);
    if (rc == 0)
        cblas_dgemm(CblasColMajor, CblasNoTrans, CblasTrans, (int)L, q, K, 1.0, Y.data, (int)L, D,
                    K, 0.0, X.data, (int)L);
    if (rc == 0)
        rc = coda_mat_alloc(out, (size_t)Nr, (size_t)Nc, e);
    for (int l = 0; rc == 0 && l < q; l++) {
        int i = l % m, j = l / m;
        const double *blk = X.data + (size_t)l * L;
        size_t r0 = coda_split_at((size_t)Nr, m, i), r1 = coda_split_at((size_t)Nr, m, i + 1),
               c0 = coda_split_at((size_t)Nc, m, j), c1 = coda_split_at((size_t)Nc, m, j + 1);
        for (size_t c = 0; c < c1 - c0; c++)
            memcpy(out->data + (c0 + c) * out->rows + r0, blk + c * h, (r1 - r0) * sizeof(double));
    }
    if (rc == 0) {
        info->max_coef = 0;
        for (int l = 0; l < q; l++)
            for (int s = 0; s < K; s++)
                info->max_coef = fmax(info->max_coef, fabs(D[(size_t)s * K + l]));
        snprintf(info->method, sizeof info->method, "interpolation");
    }
    free(V), free(Vc), free(D), free(sv), free(sup);
    coda_mat_free(&Y);
    coda_mat_free(&X);
    return rc;
}

void coda_product_result_shape(const coda_plan *p, size_t *rows, size_t *cols)
{
    coda_plan_shape(p, rows, cols);
    if (is_poly(p)) {
        *rows = coda_split_at(*rows, p->K, 1);
        *cols = coda_split_at(*cols, p->K, 1);
    }
}

/* gamma_k = k u / (1 - k u): the relative error bound of k roundings (Higham, ASNA §3.1) */
static double gamma_u(double k)
{
    double u = DBL_EPSILON / 2;
    return k * u / (1 - k * u);
}

/* The round-off part of the error bound, relative to ||A||_F ||B||_F, to first order in the
 * rounding of the plan's norms. With C^_s the results as they arrived and the exact code
 * sum_s d_s A~_s B~_s = C - A (E_S (x) I) B (whose norm trunc bounds):
 *   combining:    gamma_(K+c) sum_s |d_s| ||C^_s||_F  (K axpys, and c = 2 roundings scaling the
 *                 weights by r^-(m-1); linear uses its weights as solved, c = 0);
 *   the workers:  gamma_(2k+2m+b) sum_s |d_s| a_s b_s, a_s = sum_i |alpha_si| ||A_i||_F and b_s
 *                 likewise: each factor's coefficients (k = m roundings for lambda^i, 0 for a
 *                 given code), its encoding (m axpys) and the product over the padded inner
 *                 block of b (any summation order; Higham Thm 3.5 with |A~_s| <= sum |alpha| |A_i|).
 * The encode-time figure (coda_matdot_roundoff) is an estimate; this is a bound. */
static double roundoff_bound(const coda_plan *p, int K, const double *d, const double *al,
                             const double *be, const coda_frame *const *use, int linear,
                             double nAB)
{
    int m = p->K;
    long long inner = 0;
    double *an = NULL, *bn = NULL, comb = 0, work = 0;
    size_t na = 0, nb = 0;
    if (coda_meta_get_long(&p->extra, "inner", &inner, NULL) < 0 ||
        coda_meta_get_doubles(&p->extra, "block_norms_a", &an, &na, NULL) < 0 ||
        coda_meta_get_doubles(&p->extra, "block_norms_b", &bn, &nb, NULL) < 0 ||
        na != (size_t)m || nb != (size_t)m || !(nAB > 0)) {
        free(an), free(bn);
        return nAB > 0 ? INFINITY : 0; /* coda_product_plan_check makes these present */
    }
    for (int k = 0; k < K; k++) {
        double as = 0, bs = 0;
        for (int i = 0; i < m; i++) {
            as += fabs(al[k * m + i]) * an[i];
            bs += fabs(be[k * m + i]) * bn[i];
        }
        comb += fabs(d[k]) * coda_mat_fro(&use[k]->mat);
        work += fabs(d[k]) * as * bs;
    }
    free(an), free(bn);
    double b = (double)coda_split_at((size_t)inner, m, 1);
    return gamma_u(K + (linear ? 0 : 2)) * comb / nAB +
           gamma_u(2.0 * (linear ? 0 : m) + 2.0 * m + b) * work;
}

int coda_product_decode(const coda_plan *p, const coda_frame *res, size_t n,
                        coda_matdot_decoder dec, coda_mat *out, coda_decode_info *info, coda_err *e)
{
    memset(info, 0, sizeof *info);
    memset(out, 0, sizeof *out);
    int m = p->K, P = p->N;
    int approx = strcmp(p->scheme, "matdot-approx") == 0, linear = strcmp(p->scheme, "linear") == 0;
    const coda_frame **use = NULL;
    size_t nu = 0, nt = 0;
    double *t = NULL, *beta = NULL, *ts = NULL, *g = NULL, *al = NULL, *be = NULL, *E = NULL;
    /* tags, shapes, finiteness and repeats: one result per worker */
    int rc = coda_results_collect(p, res, n, &use, &nu, e), K = (int)nu;
    info->responders = K;
    if (rc == 0 && nu > 1)
        qsort(use, nu, sizeof *use, by_worker);
    /* below the threshold: refused (matdot, poly), or below m: no linear decoder can do better
     * than an error of ||A||_F ||B||_F (papers/approx-matdot.txt Thm 4) */
    int need = scheme_threshold(p->scheme, m);
    if (rc == 0 && K < need)
        rc = coda_failc(e, CODA_E_FEW, "need any %d of %d workers, got %d%s", need, P, K,
                        approx || linear ? " (with fewer than m responders some A, B of unit norm "
                                           "give an error of 1, Thm 4)" : "");
    if (rc == 0 && !linear && (coda_meta_get_doubles(&p->extra, "nodes", &t, &nt, e) < 0 || nt != (size_t)P))
        rc = nt != (size_t)P && t ? coda_fail(e, "plan: %zu nodes for %d workers", nt, P)
                                  : coda_fail_prefix(e, "plan: ");
    if (rc == 0 && !(ts = malloc(sizeof *ts * (size_t)K)))
        rc = coda_fail_oom(e);
    for (int k = 0; rc == 0 && k < K; k++)
        ts[k] = t ? t[use[k]->tag[CODA_TAG_WORKER]] : 0;
    if (rc == 0 && is_poly(p)) {
        rc = decode_poly(p, use, K, ts, out, info, e);
        info->used = K;
        goto done;
    }
    double r = 1, nA = 0, nB = 0;
    if (rc == 0 && (coda_meta_get_double(&p->extra, "norm_a", &nA, e) < 0 ||
                    coda_meta_get_double(&p->extra, "norm_b", &nB, e) < 0 ||
                    (!linear && coda_meta_get_double(&p->extra, "radius", &r, e) < 0)))
        rc = coda_fail_prefix(e, "plan: ");
    if (rc == 0 && plan_beta(p, &beta, e) < 0)
        rc = -1;
    g = rc == 0 ? malloc(sizeof *g * (size_t)K) : NULL;
    al = rc == 0 ? malloc(sizeof *al * (size_t)K * (size_t)m) : NULL;
    be = rc == 0 ? malloc(sizeof *be * (size_t)K * (size_t)m) : NULL;
    E = rc == 0 ? malloc(sizeof *E * (size_t)m * (size_t)m) : NULL;
    if (rc == 0 && !(g && al && be && E))
        rc = coda_fail_oom(e);
    for (int k = 0; rc == 0 && k < K; k++)
        for (int i = 0; i < m; i++) {
            int w = (int)use[k]->tag[CODA_TAG_WORKER];
            al[k * m + i] = CODA_AT(&p->G, w, i);
            be[k * m + i] = beta[i * P + w];
        }
    if (rc == 0 && linear) {
        rc = linear_weights(m, K, al, be, g, e);
        if (rc == 0) {
            /* E_S evaluated in float64 (dgemm): its own rounding, gamma_K sum_s |d_s|
             * ||alpha_s|| ||beta_s||, is part of the bound */
            double ev = 0;
            for (int k = 0; k < K; k++)
                ev += fabs(g[k]) * cblas_dnrm2(m, al + k * m, 1) * cblas_dnrm2(m, be + k * m, 1);
            info->trunc = coda_code_error(m, K, al, be, g, E) + gamma_u(K) * ev;
        }
        snprintf(info->method, sizeof info->method, "least-squares");
    } else if (rc == 0) {
        /* scaled weights, d = g / r^(m-1) (matdot.h); the decoders differ only below 2m-1 */
        if (K >= 2 * m - 1)
            dec = CODA_DECODER_INTERP;
        rc = dec == CODA_DECODER_MINNORM ? coda_matdot_weights_minnorm(m, K, ts, r, g, e)
                                         : coda_matdot_weights(m, K, ts, g, e);
        if (rc == 0) {
            info->trunc = coda_matdot_trunc(m, K, ts, r, g, dec);
            for (int k = 0; k < K; k++)
                g[k] /= pow(r, m - 1);
        }
        snprintf(info->method, sizeof info->method, "%s",
                 K >= 2 * m - 1 ? (K > 2 * m - 1 ? "min-norm interpolation" : "interpolation")
                 : dec == CODA_DECODER_MINNORM ? "min-norm, Algorithm 1"
                                               : "approximate interpolation");
    }
    const coda_mat **mats = rc == 0 ? malloc(sizeof *mats * (size_t)K) : NULL;
    if (rc == 0 && !mats)
        rc = coda_fail_oom(e);
    for (int k = 0; rc == 0 && k < K; k++)
        mats[k] = &use[k]->mat;
    if (rc == 0)
        rc = coda_matdot_combine(K, g, mats, out, e);
    free(mats);
    if (rc == 0) {
        info->dnorm1 = 0;
        info->max_coef = 0;
        for (int k = 0; k < K; k++) {
            info->dnorm1 += fabs(g[k]);
            info->max_coef = fmax(info->max_coef, fabs(g[k]));
        }
        info->norm_ab = nA * nB;
        info->roundoff = roundoff_bound(p, K, g, al, be, use, linear, info->norm_ab);
        info->predicted = info->trunc + info->roundoff;
        info->report = 1;
        info->cond = NAN;
        info->used = K;
        if (coda_meta_get(&p->extra, "eps"))
            rc = coda_meta_get_double(&p->extra, "eps", &info->eps, e);
    }
done:
    free(use), free(t), free(beta), free(ts), free(g), free(al), free(be), free(E);
    if (rc < 0)
        coda_mat_free(out);
    return rc;
}

/* The scheme type's hooks, shared by matdot, matdot-approx, poly and linear: each scheme's
 * file has its option table and calls these. */
int coda_product_build(coda_plan *p, const coda_scheme_args *a, const char *scheme,
                       coda_err *e)
{
    coda_product_args pa = {.scheme = scheme, .P = a->N, .seed = a->seed,
                            .rule = CODA_RADIUS_AUTO, .code = a->code};
    const char *v;
    memset(p, 0, sizeof *p);
    if (!a->data || !a->operand)
        return coda_failc(e, CODA_E_USAGE, "%s codes both factors of A B: it needs A (the "
                          "input) and B (--operand FILE)", scheme);
    if ((v = coda_scheme_opt(a, "m"))) {
        char *end;
        long m = strtol(v, &end, 10);
        if (*end || m < 1 || m > CODA_PRODUCT_MAX_M)
            return coda_failc(e, CODA_E_USAGE, "option -m: '%s' is not an integer in [1, %d]",
                              v, CODA_PRODUCT_MAX_M);
        pa.m = (int)m;
    } else if (!a->code && !coda_scheme_opt(a, "code"))
        return coda_failc(e, CODA_E_USAGE, "%s needs -m M (pieces per factor)", scheme);
    if (!a->code && !coda_scheme_opt(a, "code") && a->N < 1)
        return coda_failc(e, CODA_E_USAGE, "%s needs -N WORKERS", scheme);
    if ((v = coda_scheme_opt(a, "eps"))) {
        char *end;
        pa.eps = strtod(v, &end);
        if (*end || !(pa.eps > 0) || !(pa.eps < 2))
            return coda_failc(e, CODA_E_USAGE, "option --eps: '%s' is not a number in (0, 2)",
                              v);
    }
    if ((v = coda_scheme_opt(a, "radius"))) {
        char *end;
        if (strcmp(v, "auto") == 0)
            pa.rule = CODA_RADIUS_AUTO;
        else if (strcmp(v, "tight") == 0)
            pa.rule = CODA_RADIUS_TIGHT;
        else if (strcmp(v, "paper") == 0)
            pa.rule = CODA_RADIUS_PAPER;
        else if (pa.radius = strtod(v, &end), *end || !(pa.radius > 0) || pa.radius > 1)
            return coda_failc(e, CODA_E_USAGE, "option --radius: '%s' is not auto, tight, "
                              "paper or a number in (0, 1]", v);
        if (pa.rule != CODA_RADIUS_AUTO && !(pa.eps > 0))
            return coda_failc(e, CODA_E_USAGE, "--radius tight and paper need --eps E with "
                              "0 < E < 2");
    }
    if ((v = coda_scheme_opt(a, "points"))) {
        pa.nodes_set = 1;
        if (strcmp(v, "cheb") == 0)
            pa.nodes = CODA_NODES_CHEB;
        else if (strcmp(v, "equi") == 0)
            pa.nodes = CODA_NODES_EQUI;
        else
            return coda_failc(e, CODA_E_USAGE, "option --points: '%s' is not cheb or equi", v);
    }
    if ((v = coda_scheme_opt(a, "design-responders"))) {
        char *end;
        long d = strtol(v, &end, 10);
        if (*end || d < 1 || d > 100000)
            return coda_failc(e, CODA_E_USAGE, "option --design-responders: '%s' is not a "
                              "positive integer", v);
        pa.design = (int)d;
    }
    pa.force = coda_scheme_opt(a, "force") != NULL;
    /* linear's code: given, or read from --code FILE */
    coda_mat code = {0};
    if (!a->code && (v = coda_scheme_opt(a, "code"))) {
        coda_meta cm = {0};
        if (coda_read_matrix(v, &code, &cm, e) < 0)
            return -1;
        const char *thr = coda_meta_get(&cm, "threshold");
        char *end = NULL;
        long t = thr ? strtol(thr, &end, 10) : 0;
        int bad = thr && (*end || t < (long)(code.rows / 2) || t > (long)code.cols);
        coda_meta_free(&cm);
        if (bad) {
            coda_mat_free(&code);
            return coda_fail(e, "%s: the code's threshold must be an integer in [m, P] = "
                                "[%zu, %zu]", v, code.rows / 2, code.cols);
        }
        pa.code_threshold = (int)t;
        pa.code = &code;
    }
    if (pa.code && pa.P > 0 && pa.P != (int)pa.code->cols) {
        int rc = coda_failc(e, CODA_E_USAGE, "%s: the code is for %zu workers, -N says %d",
                            v ? v : "the code", pa.code->cols, pa.P);
        coda_mat_free(&code);
        return rc;
    }
    if (pa.code && pa.m && pa.m != (int)pa.code->rows / 2) {
        int rc = coda_failc(e, CODA_E_USAGE, "-m %d, but the code has %zu rows: m = %zu", pa.m,
                            pa.code->rows, pa.code->rows / 2);
        coda_mat_free(&code);
        return rc;
    }
    if (pa.code) {
        pa.m = (int)pa.code->rows / 2;
        pa.P = (int)pa.code->cols;
    }
    int rc = coda_product_plan(p, &pa, a->data, a->operand, e);
    coda_mat_free(&code);
    return rc;
}

int coda_product_encode_s(const coda_plan *p, const coda_mat *data, const coda_mat *operand,
                          coda_sink sink, void *ctx, coda_err *e)
{
    if (!operand || !operand->data)
        return coda_failc(e, CODA_E_USAGE, "%s codes both factors: it needs B (--operand)",
                          p->scheme);
    return coda_product_encode(p, data, operand, sink, ctx, e);
}

/* A product decode run again on the rest; both decodes are within their predictions of A B,
 * so they may differ by their sum (a tolerance relative to ||out|| ~ ||A B||, kept generous). */
typedef struct {
    coda_matdot_decoder dec;
    const coda_decode_info *info;
} product_redecode;

static int product_again(void *ctx, const coda_plan *p, const coda_frame *const *rest, size_t m,
                         coda_mat *x, coda_decode_info *again, double *tol)
{
    const product_redecode *r = ctx;
    coda_frame *frames = malloc((m ? m : 1) * sizeof *frames);
    if (!frames)
        return -1;
    for (size_t k = 0; k < m; k++)
        frames[k] = *rest[k]; /* shallow: the decoder only reads */
    int rc = coda_product_decode(p, frames, m, r->dec, x, again, NULL);
    free(frames);
    double norm = coda_mat_fro(x);
    *tol = norm > 0 ? 10 * (r->info->predicted + again->predicted) * r->info->norm_ab / norm : 0;
    return rc;
}

/* The consistency check of an exact product code with spare responders (coda_leave_one_out);
 * skipped for matdot-approx, whose answer changes with the responders by design, and where the
 * extra decodes would hold more than 2^24 entries. */
static void product_verify(const coda_plan *p, const coda_frame *res, size_t n,
                           coda_matdot_decoder dec, const coda_mat *out, coda_decode_info *info)
{
    if (strcmp(p->scheme, "matdot-approx") == 0 || !info->report ||
        info->responders <= p->threshold ||
        (double)out->rows * (double)out->cols * info->responders > 16777216.0)
        return;
    const coda_frame **use = malloc((n ? n : 1) * sizeof *use);
    if (!use)
        return;
    for (size_t k = 0; k < n; k++)
        use[k] = &res[k];
    product_redecode r = {dec, info};
    double worst = coda_leave_one_out(p, use, n, out, product_again, &r);
    free(use);
    if (worst > 0)
        coda_report_suspect(info, worst, "product", "the predicted error");
}

int coda_product_decode_s(const coda_plan *p, const coda_frame *res, size_t n,
                          const coda_meta *opts, coda_mat *out, coda_decode_info *info,
                          coda_err *e)
{
    coda_matdot_decoder dec = CODA_DECODER_INTERP;
    const char *v = opts ? coda_meta_get(opts, "decoder") : NULL;
    if (v && strcmp(v, "minnorm") == 0)
        dec = CODA_DECODER_MINNORM;
    else if (v && strcmp(v, "interp") != 0) {
        memset(out, 0, sizeof *out);
        return coda_failc(e, CODA_E_USAGE, "option --decoder: unknown decoder '%s' (interp, "
                          "minnorm)", v);
    }
    if (coda_product_decode(p, res, n, dec, out, info, e) < 0)
        return -1;
    product_verify(p, res, n, dec, out, info);
    /* the report: its figures, in the words decode prints them */
    static const char *const keys[] = {"trunc", "roundoff", "predicted", "norm_ab", "dnorm1"};
    const double vals[] = {info->trunc, info->roundoff, info->predicted, info->norm_ab,
                           info->dnorm1};
    info->nfig = 0;
    for (int k = 0; k < 5 && info->report; k++) {
        snprintf(info->fig[k].key, sizeof info->fig[k].key, "%s", keys[k]);
        info->fig[k].val = vals[k];
        info->nfig++;
    }
    if (info->status != CODA_DECODED_SUSPECT)
        info->status = strcmp(p->scheme, "matdot-approx") == 0 ||
                               (info->report && info->responders < p->threshold)
                           ? CODA_DECODED_APPROX
                           : CODA_DECODED_EXACT;
    /* the consistency check's finding, if any, comes first */
    if (info->warning[0] == '\0' && info->report && info->responders < p->threshold)
        snprintf(info->warning, sizeof info->warning,
                 "%d responders, fewer than the %d this code is designed for: the result may "
                 "be off by %.3g of ||A||_F ||B||_F",
                 info->responders, p->threshold, info->predicted);
    else if (info->warning[0] == '\0' && info->report && info->eps > 0 &&
             info->predicted > info->eps)
        snprintf(info->warning, sizeof info->warning,
                 "the predicted error %.3g exceeds the plan's eps %.3g for these %d responders",
                 info->predicted, info->eps, info->responders);
    return 0;
}
