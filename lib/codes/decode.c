/* Generic decoding. A RESULT frame with block tag j >= 0 is f(A_j) itself; one with block -1 is
 * sum_j G[w,j] f(A_j) for its worker w (a coded combination). */
#include <cblas.h>
#include <lapacke.h>
#include <math.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>

#include "coding.h"
#include "product.h"

/* "2", "2 and 3", "1, 2 and 5" (at most 12 named) */
static void list_blocks(const int *missing, int K, char *buf, size_t cap)
{
    int total = 0, shown = 0;
    for (int j = 0; j < K; j++)
        total += missing[j];
    size_t off = 0;
    buf[0] = '\0';
    for (int j = 0; j < K && off < cap; j++) {
        if (!missing[j])
            continue;
        shown++;
        if (shown > 12) {
            snprintf(buf + off, cap - off, " and %d more", total - 12);
            break;
        }
        off += (size_t)snprintf(buf + off, cap - off, "%s%d",
                                shown == 1 ? "" : shown == total ? " and " : ", ", j);
    }
}

static int count_responders(const coda_plan *p, const coda_frame *res, size_t n)
{
    char *seen = calloc((size_t)p->N, 1);
    int r = 0;
    for (size_t k = 0; seen && k < n; k++) {
        int64_t w = res[k].tag[CODA_TAG_WORKER];
        if (w >= 0 && w < p->N && !seen[w]) {
            seen[w] = 1;
            r++;
        }
    }
    free(seen);
    return r;
}

static int shortfall(const coda_plan *p, int responders, const int *missing, coda_err *e)
{
    char blocks[256];
    list_blocks(missing, p->K, blocks, sizeof blocks);
    int nmiss = 0;
    for (int j = 0; j < p->K; j++)
        nmiss += missing[j];
    const char *what = nmiss == 1 ? "block" : "blocks";
    if (p->threshold > 0 && !nmiss && responders < p->threshold)
        return coda_fail(e, "need any %d of %d workers, got %d", p->threshold, p->N, responders);
    if (p->threshold > 0)
        return nmiss ? coda_fail(e, "need any %d of %d workers, got %d: %s %s missing",
                                 p->threshold, p->N, responders, what, blocks)
                     : coda_fail(e, "need any %d of %d workers, got %d: the responders' "
                                    "combinations do not determine the result",
                                 p->threshold, p->N, responders);
    return nmiss ? coda_fail(e, "the %d responders do not determine the result: %s %s missing",
                             responders, what, blocks)
                 : coda_fail(e, "the %d responders' combinations do not determine the result",
                             responders);
}

int coda_result_block(const coda_plan *p, const coda_frame *r)
{
    if (r->tag[CODA_TAG_BLOCK] >= 0)
        return r->tag[CODA_TAG_BLOCK] < p->K ? (int)r->tag[CODA_TAG_BLOCK] : -2;
    int w = (int)r->tag[CODA_TAG_WORKER], only = -1;
    if (w < 0 || w >= p->N)
        return -2;
    for (int j = 0; j < p->K; j++) {
        double g = CODA_AT(&p->G, w, j);
        if (g == 0.0)
            continue;
        if (g != 1.0 || only >= 0)
            return -1;
        only = j;
    }
    return only;
}

static int check_results(const coda_plan *p, const coda_frame *res, size_t n, coda_err *e)
{
    for (size_t k = 0; k < n; k++) {
        int64_t w = res[k].tag[CODA_TAG_WORKER], b = res[k].tag[CODA_TAG_BLOCK];
        if (w < 0 || w >= p->N)
            return coda_fail(e, "result %zu: worker tag %lld outside 0..%d", k, (long long)w,
                             p->N - 1);
        if (b >= p->K || b < -1 || (b >= 0 && CODA_AT(&p->G, w, b) == 0.0))
            return coda_fail(e, "result %zu: worker %lld does not hold block %lld", k,
                             (long long)w, (long long)b);
        if (coda_mat_first_nonfinite(&res[k].mat) != (size_t)-1)
            return coda_fail(e, "result %zu from worker %lld holds NaN or Inf", k, (long long)w);
    }
    return 0;
}

/* Concatenation from replicas: the first copy of every block. */
static int decode_replicas(const coda_plan *p, const coda_frame *res, size_t n, coda_mat *out,
                           coda_decode_info *info, coda_err *e)
{
    const coda_frame **pick = calloc((size_t)p->K, sizeof *pick);
    int *missing = calloc((size_t)p->K, sizeof *missing), rc = 0;
    if (!pick || !missing) {
        free(pick);
        free(missing);
        return coda_fail_oom(e);
    }
    for (size_t k = 0; k < n; k++) {
        int j = coda_result_block(p, &res[k]);
        if (j >= 0 && !pick[j])
            pick[j] = &res[k];
    }
    int nmiss = 0;
    for (int j = 0; j < p->K; j++)
        nmiss += missing[j] = pick[j] == NULL;
    if (nmiss)
        rc = shortfall(p, info->responders, missing, e);
    size_t other = rc == 0 ? (p->by_cols ? pick[0]->mat.rows : pick[0]->mat.cols) : 0;
    for (int j = 0; j < p->K && rc == 0; j++) {
        const coda_mat *m = &pick[j]->mat;
        size_t len = coda_plan_block_len(p, j);
        if ((p->by_cols ? m->cols : m->rows) != len || (p->by_cols ? m->rows : m->cols) != other)
            rc = coda_fail(e, "block %d result is %zu x %zu, expected %zu %s of %zu", j, m->rows,
                           m->cols, len, p->by_cols ? "columns" : "rows", other);
    }
    if (rc == 0)
        rc = coda_mat_alloc(out, p->by_cols ? other : p->length, p->by_cols ? p->length : other, e);
    for (int j = 0; j < p->K && rc == 0; j++) {
        const coda_mat *m = &pick[j]->mat;
        size_t at = p->bounds[j];
        for (size_t c = 0; c < m->cols; c++)
            memcpy(p->by_cols ? out->data + (at + c) * out->rows : out->data + c * out->rows + at,
                   m->data + c * m->rows, m->rows * sizeof(double));
    }
    free(pick);
    free(missing);
    if (rc == 0) {
        info->used = p->K;
        info->cond = 1.0;
        info->max_coef = 1.0;
        snprintf(info->method, sizeof info->method, "replica");
    }
    return rc;
}

/* Pseudo-inverse D (K x r) of the r x K system C by least squares, and its condition number. */
static int pinv(const coda_mat *C, coda_mat *D, double *cond, coda_err *e)
{
    size_t r = C->rows, K = C->cols;
    coda_mat A, B, S;
    if (coda_mat_copy(&A, C, e) < 0)
        return -1;
    if (coda_mat_alloc(&S, K < r ? K : r, 1, e) < 0 || coda_mat_alloc(&B, r > K ? r : K, r, e) < 0) {
        coda_mat_free(&A);
        coda_mat_free(&S);
        return -1;
    }
    for (size_t i = 0; i < r; i++)
        CODA_AT(&B, i, i) = 1.0;
    lapack_int rank;
    /* dgelsd: SVD-based, so a rank-deficient system is detected rather than amplified */
    lapack_int info = LAPACKE_dgelsd(LAPACK_COL_MAJOR, (lapack_int)r, (lapack_int)K, (lapack_int)r,
                                     A.data, (lapack_int)r, B.data, (lapack_int)B.rows, S.data,
                                     -1.0, &rank);
    int rc = 0;
    if (info != 0)
        rc = coda_fail(e, "least-squares decode failed (LAPACK dgelsd info %d)", (int)info);
    else {
        *cond = S.data[S.rows - 1] > 0 ? S.data[0] / S.data[S.rows - 1] : INFINITY;
        if (rank < (lapack_int)K)
            *cond = INFINITY;
        rc = coda_mat_sub(D, &B, 0, K, 0, r, e);
    }
    coda_mat_free(&A);
    coda_mat_free(&B);
    coda_mat_free(&S);
    return rc;
}

/* Concatenation from coded combinations (mds): blocks = pinv(G_I) * results. */
static int decode_coded(const coda_plan *p, const coda_frame *res, size_t n, coda_mat *out,
                        coda_decode_info *info, coda_err *e)
{
    int *missing = calloc((size_t)p->K, sizeof *missing);
    const coda_frame **use = malloc(n * sizeof *use);
    char *seen = calloc((size_t)p->N, 1);
    int rc = 0;
    size_t r = 0;
    if (!missing || !use || !seen)
        rc = coda_fail_oom(e);
    for (size_t k = 0; k < n && rc == 0; k++) {
        int w = (int)res[k].tag[CODA_TAG_WORKER];
        if (seen[w])
            continue;
        seen[w] = 1;
        if (r && (res[k].mat.rows != use[0]->mat.rows || res[k].mat.cols != use[0]->mat.cols))
            rc = coda_fail(e, "result from worker %d is %zu x %zu, others %zu x %zu", w,
                           res[k].mat.rows, res[k].mat.cols, use[0]->mat.rows, use[0]->mat.cols);
        use[r++] = &res[k];
    }
    coda_mat C = {0}, D = {0}, Y = {0}, X = {0};
    if (rc == 0 && r < (size_t)p->K)
        rc = shortfall(p, (int)r, missing, e); /* no block is missing as such: too few rows */
    if (rc == 0)
        rc = coda_mat_alloc(&C, r, (size_t)p->K, e);
    for (size_t i = 0; i < r && rc == 0; i++)
        for (int j = 0; j < p->K; j++)
            CODA_AT(&C, i, j) = CODA_AT(&p->G, use[i]->tag[CODA_TAG_WORKER], j);
    if (rc == 0)
        rc = pinv(&C, &D, &info->cond, e);
    if (rc == 0 && !isfinite(info->cond)) {
        rc = coda_fail(e, "need any %d of %d workers, got %zu whose code rows are dependent",
                       p->threshold, p->N, r);
    }
    size_t L = rc == 0 ? use[0]->mat.rows * use[0]->mat.cols : 0;
    /* Y (L x r): the results side by side; X = Y D^T (L x K): the padded blocks */
    if (rc == 0)
        rc = coda_mat_alloc(&Y, L, r, e);
    for (size_t i = 0; i < r && rc == 0; i++)
        memcpy(Y.data + i * L, use[i]->mat.data, L * sizeof(double));
    if (rc == 0)
        rc = coda_mat_alloc(&X, L, (size_t)p->K, e);
    if (rc == 0)
        cblas_dgemm(CblasColMajor, CblasNoTrans, CblasTrans, (int)L, p->K, (int)r, 1.0, Y.data,
                    (int)L, D.data, p->K, 0.0, X.data, (int)L);
    size_t pad = coda_plan_max_block(p);
    size_t brows = rc == 0 ? use[0]->mat.rows : 0, bcols = rc == 0 ? use[0]->mat.cols : 0;
    if (rc == 0 && (p->by_cols ? bcols : brows) != pad)
        rc = coda_fail(e, "coded results are %zu x %zu, expected blocks of %zu %s", brows, bcols,
                       pad, p->by_cols ? "columns" : "rows");
    size_t other = p->by_cols ? brows : bcols;
    if (rc == 0)
        rc = coda_mat_alloc(out, p->by_cols ? other : p->length, p->by_cols ? p->length : other, e);
    for (int j = 0; j < p->K && rc == 0; j++) {
        const double *blk = X.data + (size_t)j * L; /* brows x bcols, column-major */
        size_t len = coda_plan_block_len(p, j), at = p->bounds[j];
        for (size_t c = 0; c < (p->by_cols ? len : bcols); c++)
            memcpy(p->by_cols ? out->data + (at + c) * out->rows : out->data + c * out->rows + at,
                   blk + c * brows, (p->by_cols ? brows : len) * sizeof(double));
    }
    if (rc == 0) {
        info->used = (int)r;
        info->max_coef = 0;
        for (size_t k = 0; k < D.rows * D.cols; k++)
            info->max_coef = fmax(info->max_coef, fabs(D.data[k]));
        snprintf(info->method, sizeof info->method, "least-squares");
    }
    coda_mat_free(&C);
    coda_mat_free(&D);
    coda_mat_free(&Y);
    coda_mat_free(&X);
    free(missing);
    free(use);
    free(seen);
    return rc;
}

/* Sum: find a with a^T C = 1^T, C the results' coefficient rows; exact when a set of 0/1
 * results partitions the blocks (replicas, frc), least squares otherwise (cyclic). */
static int decode_sum(const coda_plan *p, const coda_frame *res, size_t n, coda_mat *out,
                      coda_decode_info *info, coda_err *e)
{
    size_t K = (size_t)p->K;
    coda_mat C = {0}, D = {0};
    double *a = calloc(n ? n : 1, sizeof *a);
    int *covered = calloc(K, sizeof *covered), rc = 0, binary = 1;
    if (!a || !covered || coda_mat_alloc(&C, n, K, e) < 0)
        rc = coda_fail_oom(e);
    for (size_t k = 0; k < n && rc == 0; k++) {
        int w = (int)res[k].tag[CODA_TAG_WORKER], b = (int)res[k].tag[CODA_TAG_BLOCK];
        for (size_t j = 0; j < K; j++)
            CODA_AT(&C, k, j) = b >= 0 ? (j == (size_t)b) : CODA_AT(&p->G, w, j);
        for (size_t j = 0; j < K; j++) {
            double c = CODA_AT(&C, k, j);
            binary &= c == 0.0 || c == 1.0;
            covered[j] |= c != 0.0;
        }
    }
    int nmiss = 0;
    for (size_t j = 0; j < K; j++)
        nmiss += !covered[j];
    if (rc == 0 && nmiss) {
        for (size_t j = 0; j < K; j++)
            covered[j] = !covered[j];
        rc = shortfall(p, info->responders, covered, e);
    }
    int exact = 0;
    if (rc == 0 && binary) { /* greedy: take results whose blocks are all still uncovered */
        memset(covered, 0, K * sizeof *covered);
        int got = 0;
        for (size_t k = 0; k < n; k++) {
            int clash = 0;
            for (size_t j = 0; j < K; j++)
                clash |= CODA_AT(&C, k, j) != 0.0 && covered[j];
            if (clash)
                continue;
            a[k] = 1.0;
            for (size_t j = 0; j < K; j++)
                if (CODA_AT(&C, k, j) != 0.0) {
                    covered[j] = 1;
                    got++;
                }
        }
        exact = got == (int)K;
        if (!exact)
            memset(a, 0, n * sizeof *a);
    }
    if (rc == 0 && !exact) {
        /* a = pinv(C^T) 1, then check that it really reproduces 1 */
        coda_mat Ct;
        rc = coda_mat_alloc(&Ct, K, n, e);
        for (size_t k = 0; k < n && rc == 0; k++)
            for (size_t j = 0; j < K; j++)
                CODA_AT(&Ct, j, k) = CODA_AT(&C, k, j);
        if (rc == 0)
            rc = pinv(&Ct, &D, &info->cond, e); /* D: n x K */
        coda_mat_free(&Ct);
        double worst = 0;
        for (size_t k = 0; k < n && rc == 0; k++)
            for (size_t j = 0; j < K; j++)
                a[k] += CODA_AT(&D, k, j);
        for (size_t j = 0; j < K && rc == 0; j++) {
            double s = 0;
            for (size_t k = 0; k < n; k++)
                s += a[k] * CODA_AT(&C, k, j);
            worst = fmax(worst, fabs(s - 1.0));
        }
        if (rc == 0 && !(worst <= 1e-9)) {
            memset(covered, 0, K * sizeof *covered);
            rc = shortfall(p, info->responders, covered, e);
        }
    }
    size_t rows = n ? res[0].mat.rows : 0, cols = n ? res[0].mat.cols : 0;
    for (size_t k = 0; k < n && rc == 0; k++)
        if (res[k].mat.rows != rows || res[k].mat.cols != cols)
            rc = coda_fail(e, "results differ in shape (%zu x %zu and %zu x %zu)", rows, cols,
                           res[k].mat.rows, res[k].mat.cols);
    if (rc == 0)
        rc = coda_mat_alloc(out, rows, cols, e);
    info->used = 0;
    info->max_coef = 0;
    for (size_t k = 0; k < n && rc == 0; k++) {
        if (a[k] == 0.0)
            continue;
        info->used++;
        info->max_coef = fmax(info->max_coef, fabs(a[k]));
        cblas_daxpy((int)(rows * cols), a[k], res[k].mat.data, 1, out->data, 1);
    }
    if (rc == 0) {
        if (exact)
            info->cond = 1.0;
        snprintf(info->method, sizeof info->method, exact ? "replica" : "least-squares");
    }
    coda_mat_free(&C);
    coda_mat_free(&D);
    free(a);
    free(covered);
    return rc;
}

int coda_decode(const coda_plan *p, const coda_frame *res, size_t n, coda_mat *out,
                coda_decode_info *info, coda_err *e)
{
    if (coda_plan_is_product(p))
        return coda_product_decode(p, res, n, CODA_DECODER_INTERP, out, info, e);
    memset(info, 0, sizeof *info);
    memset(out, 0, sizeof *out);
    if (check_results(p, res, n, e) < 0)
        return -1;
    info->responders = count_responders(p, res, n);
    if (n == 0) {
        int *all = calloc((size_t)p->K, sizeof *all);
        if (!all)
            return coda_fail_oom(e);
        for (int j = 0; j < p->K; j++)
            all[j] = 1;
        int rc = shortfall(p, 0, all, e);
        free(all);
        return rc;
    }
    if (p->sum)
        return decode_sum(p, res, n, out, info, e);
    return p->data_coded ? decode_coded(p, res, n, out, info, e)
                         : decode_replicas(p, res, n, out, info, e);
}
