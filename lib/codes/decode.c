/* Generic decoding. A RESULT frame with block tag j >= 0 is f(A_j) itself; one with block -1 is
 * sum_j G[w,j] f(A_j) for its worker w (a coded combination). */
#include <cblas.h>
#include <float.h>
#include <lapacke.h>
#include <math.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>

#include "coding.h"
#include "scheme.h"

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

static int count_responders(const coda_plan *p, const coda_frame *const *use, size_t n)
{
    char *seen = calloc((size_t)p->N, 1);
    int r = 0;
    for (size_t k = 0; seen && k < n; k++) {
        int64_t w = use[k]->tag[CODA_TAG_WORKER];
        if (!seen[w]) {
            seen[w] = 1;
            r++;
        }
    }
    free(seen);
    return r;
}

/* Too few responders: class CODA_E_FEW, so that a loop can wait for more. */
static int shortfall(const coda_plan *p, int responders, const int *missing, coda_err *e)
{
    char blocks[256];
    list_blocks(missing, p->K, blocks, sizeof blocks);
    int nmiss = 0;
    for (int j = 0; j < p->K; j++)
        nmiss += missing[j];
    const char *what = nmiss == 1 ? "block" : "blocks";
    if (p->threshold > 0 && !nmiss && responders < p->threshold)
        return coda_failc(e, CODA_E_FEW, "need any %d of %d workers, got %d", p->threshold, p->N,
                          responders);
    if (p->threshold > 0)
        return nmiss ? coda_failc(e, CODA_E_FEW, "need any %d of %d workers, got %d: %s %s missing",
                                  p->threshold, p->N, responders, what, blocks)
                     : coda_failc(e, CODA_E_FEW, "need any %d of %d workers, got %d: the responders' "
                                                 "combinations do not determine the result",
                                  p->threshold, p->N, responders);
    return nmiss ? coda_failc(e, CODA_E_FEW, "the %d responders do not determine the result: %s %s "
                                             "missing", responders, what, blocks)
                 : coda_failc(e, CODA_E_FEW, "the %d responders' combinations do not determine the "
                                             "result", responders);
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

/* The shape result r must have; 0 where the plan leaves it open (the first result then fixes
 * it for the others, shared[] says which dimensions all results share). */
static void expected_shape(const coda_plan *p, const coda_frame *r, size_t *er, size_t *ec,
                           int shared[2])
{
    size_t R, C;
    const coda_scheme *sc = coda_plan_scheme(p);
    if (sc && sc->result_shape) {
        sc->result_shape(p, er, ec);
        shared[0] = shared[1] = 1;
        return;
    }
    coda_plan_shape(p, &R, &C);
    if (p->sum) {
        *er = R, *ec = C;
        shared[0] = shared[1] = 1;
        return;
    }
    /* a concatenation: one block's (or, coded, the longest block's) length along the split; a
     * combination the replica decoder does not use has none */
    int j = p->data_coded ? -1 : coda_result_block(p, r);
    size_t len = p->data_coded ? coda_plan_max_block(p) : j >= 0 ? coda_plan_block_len(p, j) : 0;
    *er = p->by_cols ? R : len;
    *ec = p->by_cols ? len : C;
    shared[0] = p->by_cols;
    shared[1] = !p->by_cols;
}

static int by_key(const void *x, const void *y)
{
    const coda_frame *a = *(const coda_frame *const *)x, *b = *(const coda_frame *const *)y;
    for (int t = CODA_TAG_WORKER; t <= CODA_TAG_BLOCK; t++)
        if (a->tag[t] != b->tag[t])
            return a->tag[t] > b->tag[t] ? 1 : -1;
    return (a > b) - (a < b); /* arrival order among repeats */
}

static int same_result(const coda_frame *a, const coda_frame *b)
{
    size_t n = a->mat.rows * a->mat.cols;
    return a->mat.rows == b->mat.rows && a->mat.cols == b->mat.cols &&
           (n == 0 || memcmp(a->mat.data, b->mat.data, n * sizeof(double)) == 0);
}

int coda_results_collect(const coda_plan *p, const coda_frame *res, size_t n,
                         const coda_frame ***kept, size_t *nkept, coda_err *e)
{
    *kept = NULL;
    *nkept = 0;
    /* workers of coded plans return one combination each, with no block tag */
    const coda_scheme *sc = coda_plan_scheme(p);
    int coded = p->data_coded || (sc && (sc->caps & CODA_CAP_BOTH_FACTORS)), rc = 0;
    size_t ref[2] = {0, 0}; /* the open shared dimensions, as the first result has them */
    for (size_t k = 0; k < n && rc == 0; k++) {
        const coda_frame *r = &res[k];
        int64_t w = r->tag[CODA_TAG_WORKER], b = r->tag[CODA_TAG_BLOCK];
        if (w < 0 || w >= p->N) {
            rc = coda_fail(e, "result %zu: worker tag %lld outside 0..%d", k, (long long)w, p->N - 1);
            break;
        }
        if (b >= p->K || b < -1 || (b >= 0 && (coded || CODA_AT(&p->G, w, b) == 0.0))) {
            rc = coda_fail(e, "result %zu: worker %lld does not hold block %lld%s", k, (long long)w,
                           (long long)b, coded ? " (its result is one coded combination)" : "");
            break;
        }
        size_t ex[2], got[2] = {r->mat.rows, r->mat.cols};
        int shared[2], open = 0;
        expected_shape(p, r, &ex[0], &ex[1], shared);
        for (int d = 0; d < 2; d++)
            if (!ex[d]) { /* open: fixed by the first result if shared, else anything */
                open |= shared[d] && ref[d];
                ex[d] = shared[d] && ref[d] ? ref[d] : got[d];
            }
        if (!got[0] || !got[1]) {
            rc = coda_fail(e, "result %zu from worker %lld is %zu x %zu: empty", k, (long long)w,
                           got[0], got[1]);
            break;
        }
        if (got[0] != ex[0] || got[1] != ex[1]) {
            rc = coda_fail(e, "result %zu from worker %lld is %zu x %zu, expected %zu x %zu%s", k,
                           (long long)w, got[0], got[1], ex[0], ex[1],
                           open ? " (as the results before it)" : "");
            break;
        }
        for (int d = 0; d < 2; d++)
            if (shared[d] && !ref[d])
                ref[d] = got[d];
        size_t bad = coda_mat_first_nonfinite(&r->mat);
        if (bad != (size_t)-1)
            rc = coda_fail(e, "result %zu from worker %lld: entry (%zu,%zu) is %s", k, (long long)w,
                           bad % got[0] + 1, bad / got[0] + 1,
                           isnan(CODA_AT(&r->mat, bad % got[0], bad / got[0])) ? "NaN" : "infinite");
    }
    if (rc < 0 || n == 0)
        return rc;
    /* one result per worker (and block): repeats sorted next to each other */
    const coda_frame **sorted = malloc(n * sizeof *sorted), **out = malloc(n * sizeof *out);
    char *drop = calloc(n, 1);
    if (!sorted || !out || !drop)
        rc = coda_fail_oom(e);
    for (size_t k = 0; k < n && rc == 0; k++)
        sorted[k] = &res[k];
    if (rc == 0)
        qsort(sorted, n, sizeof *sorted, by_key);
    for (size_t k = 1; k < n && rc == 0; k++) {
        const coda_frame *a = sorted[k - 1], *b = sorted[k];
        if (a->tag[CODA_TAG_WORKER] != b->tag[CODA_TAG_WORKER] ||
            a->tag[CODA_TAG_BLOCK] != b->tag[CODA_TAG_BLOCK])
            continue;
        if (!same_result(a, b)) {
            char blk[40] = "";
            if (b->tag[CODA_TAG_BLOCK] >= 0)
                snprintf(blk, sizeof blk, " for block %lld", (long long)b->tag[CODA_TAG_BLOCK]);
            rc = coda_fail(e, "results %zu and %zu: worker %lld sent two different results%s",
                           (size_t)(a - res), (size_t)(b - res), (long long)b->tag[CODA_TAG_WORKER],
                           blk);
            break;
        }
        drop[b - res] = 1; /* an exact repeat: the first copy is kept */
    }
    size_t m = 0;
    for (size_t k = 0; k < n && rc == 0; k++)
        if (!drop[k])
            out[m++] = &res[k];
    free(sorted);
    free(drop);
    if (rc < 0) {
        free(out);
        return -1;
    }
    *kept = out;
    *nkept = m;
    return 0;
}

/* Concatenation from replicas: the first copy of every block (shapes checked by collect). */
static int decode_replicas(const coda_plan *p, const coda_frame *const *use, size_t n,
                           coda_mat *out, coda_decode_info *info, coda_err *e)
{
    const coda_frame **pick = calloc((size_t)p->K, sizeof *pick);
    int *missing = calloc((size_t)p->K, sizeof *missing), rc = 0;
    if (!pick || !missing) {
        free(pick);
        free(missing);
        return coda_fail_oom(e);
    }
    for (size_t k = 0; k < n; k++) {
        int j = coda_result_block(p, use[k]);
        if (j >= 0 && !pick[j])
            pick[j] = use[k];
    }
    int nmiss = 0;
    for (int j = 0; j < p->K; j++)
        nmiss += missing[j] = pick[j] == NULL;
    if (nmiss)
        rc = shortfall(p, info->responders, missing, e);
    size_t other = rc == 0 ? (p->by_cols ? pick[0]->mat.rows : pick[0]->mat.cols) : 0;
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

/* Refuse, with the size, a decoding system of `copies` rows x cols matrices beyond the memory
 * limit: the responders justify it (at most N of them), the limit bounds it. */
static int system_fits(size_t rows, size_t cols, size_t copies, coda_err *e)
{
    size_t bytes;
    if (coda_size_check(rows, cols, copies * sizeof(double), &bytes, NULL) == 0)
        return 0;
    return coda_failc(e, CODA_E_MEMORY, "the decoding system needs %zu matrices of %zu x %zu "
                                        "(%.0f bytes), more than the %zu allowed (physical "
                                        "memory, or CODA_MAX_MEMORY)", copies, rows, cols,
                      (double)rows * (double)cols * (double)copies * sizeof(double),
                      coda_mem_limit());
}

/* Pseudo-inverse D (K x r) of the r x K system C by SVD (dgelsd), singular values below
 * CUTOFF u max(r, K) sigma_max treated as zero (so a rank-deficient system is detected rather
 * than amplified: with LAPACK's default cutoff u, the round-off of a dependent row can pass for
 * a singular value and be inverted). cond is sigma_max / the smallest kept one. */
enum { CUTOFF = 256 };
static int pinv(const coda_mat *C, coda_mat *D, double *cond, int *rank_out, coda_err *e)
{
    size_t r = C->rows, K = C->cols;
    coda_mat A, B, S;
    if (system_fits(r > K ? r : K, r, 3, e) < 0 || coda_mat_copy(&A, C, e) < 0)
        return -1;
    if (coda_mat_alloc(&S, K < r ? K : r, 1, e) < 0 || coda_mat_alloc(&B, r > K ? r : K, r, e) < 0) {
        coda_mat_free(&A);
        coda_mat_free(&S);
        return -1;
    }
    for (size_t i = 0; i < r; i++)
        CODA_AT(&B, i, i) = 1.0;
    lapack_int rank;
    double rcond = CUTOFF * DBL_EPSILON * (double)(r > K ? r : K);
    lapack_int info = LAPACKE_dgelsd(LAPACK_COL_MAJOR, (lapack_int)r, (lapack_int)K, (lapack_int)r,
                                     A.data, (lapack_int)r, B.data, (lapack_int)B.rows, S.data,
                                     rcond, &rank);
    int rc = 0;
    if (info != 0)
        rc = coda_failc(e, CODA_E_NUMERIC, "least-squares decode failed (LAPACK dgelsd info %d)",
                        (int)info);
    else {
        *cond = rank > 0 ? S.data[0] / S.data[rank - 1] : INFINITY;
        *rank_out = (int)rank;
        rc = coda_mat_sub(D, &B, 0, K, 0, r, e);
    }
    coda_mat_free(&A);
    coda_mat_free(&B);
    coda_mat_free(&S);
    return rc;
}

/* Concatenation from coded combinations (mds): blocks = pinv(G_I) * results. One result per
 * responder, all of the shape collect checked. */
static int decode_coded(const coda_plan *p, const coda_frame *const *use, size_t r, coda_mat *out,
                        coda_decode_info *info, coda_err *e)
{
    coda_mat C = {0}, D = {0}, Y = {0}, X = {0};
    int rc = 0, rank = 0;
    if (r < (size_t)p->K) {
        if (p->threshold > 0)
            return coda_failc(e, CODA_E_FEW, "need any %d of %d workers, got %zu", p->threshold,
                              p->N, r);
        return coda_failc(e, CODA_E_FEW, "the %zu responders cannot determine %d coded blocks", r,
                          p->K);
    }
    rc = coda_mat_alloc(&C, r, (size_t)p->K, e);
    for (size_t i = 0; i < r && rc == 0; i++)
        for (int j = 0; j < p->K; j++)
            CODA_AT(&C, i, j) = CODA_AT(&p->G, use[i]->tag[CODA_TAG_WORKER], j);
    if (rc == 0)
        rc = pinv(&C, &D, &info->cond, &rank, e);
    if (rc == 0 && rank < p->K)
        rc = p->threshold > 0
                 ? coda_failc(e, CODA_E_FEW, "need any %d of %d workers, got %zu whose code rows "
                                             "are dependent (rank %d)", p->threshold, p->N, r, rank)
                 : coda_failc(e, CODA_E_FEW, "the %zu responders' code rows have rank %d, fewer "
                                             "than the %d blocks", r, rank, p->K);
    size_t brows = use[0]->mat.rows, bcols = use[0]->mat.cols, L = brows * bcols;
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
    return rc;
}

/* Weights a (nc) with sum_k a_k G[w_k, J_jj] = 1 for every column jj (J NULL: all K): a =
 * pinv(C^T) 1, C the workers' rows restricted to J. *ok says whether a reproduces 1 to within
 * what solving leaves when 1 is in C's row space: the backward error of the SVD solve, about
 * u max(nc, nj) ||C|| ||a||, plus the part of 1 along the singular values the cutoff drops,
 * at most CUTOFF u max(nc, nj) ||C|| ||a||. Responders that do not span 1 leave its distance
 * from their row space, which no rounding explains. */
static int sum_weights(const coda_plan *p, const int *w, size_t nc, const int *J, size_t nj,
                       double *a, double *cond, int *ok, coda_err *e)
{
    coda_mat Ct, D = {0};
    int rank = 0;
    *ok = 0;
    if (system_fits(nc > nj ? nc : nj, nc > nj ? nc : nj, 5, e) < 0 ||
        coda_mat_alloc(&Ct, nj, nc, e) < 0)
        return -1;
    for (size_t k = 0; k < nc; k++)
        for (size_t jj = 0; jj < nj; jj++)
            CODA_AT(&Ct, jj, k) = CODA_AT(&p->G, w[k], J ? J[jj] : (int)jj);
    int rc = pinv(&Ct, &D, cond, &rank, e); /* D: nc x nj */
    double worst = 0, na = 0, nC = coda_mat_fro(&Ct);
    for (size_t k = 0; k < nc && rc == 0; k++) {
        a[k] = 0;
        for (size_t jj = 0; jj < nj; jj++)
            a[k] += CODA_AT(&D, k, jj);
        na += a[k] * a[k];
    }
    for (size_t jj = 0; jj < nj && rc == 0; jj++) {
        double s = 0;
        for (size_t k = 0; k < nc; k++)
            s += a[k] * CODA_AT(&Ct, jj, k);
        worst = fmax(worst, fabs(s - 1.0));
    }
    double tol = 4.0 * CUTOFF * DBL_EPSILON * (double)(nc > nj ? nc : nj) * nC * sqrt(na);
    if (rc == 0)
        *ok = worst <= tol;
    coda_mat_free(&Ct);
    coda_mat_free(&D);
    return rc;
}

/* Sum: weights a with sum_k a_k c_k = 1^T, c_k result k's coefficient row (e_b for a result of
 * block b, G's row for a worker's combination). Exact when a set of 0/1 results partitions the
 * blocks (replicas, frc); otherwise the blocks some result stands for on its own are taken from
 * it and a least-squares system over the workers' combinations covers the rest (cyclic), so the
 * system is never larger than the responders' rows of G. */
static int decode_sum(const coda_plan *p, const coda_frame *const *use, size_t n, coda_mat *out,
                      coda_decode_info *info, coda_err *e)
{
    size_t K = (size_t)p->K;
    double *a = calloc(n, sizeof *a);
    int *covered = calloc(K, sizeof *covered), *pick = malloc(K * sizeof *pick),
        *w = malloc(n * sizeof *w), *J = malloc(K * sizeof *J), rc = 0, binary = 1;
    size_t *rowk = malloc(n * sizeof *rowk);
    if (!a || !covered || !pick || !w || !J || !rowk)
        rc = coda_fail_oom(e);
    for (size_t k = 0; k < n && rc == 0; k++) {
        int b = (int)use[k]->tag[CODA_TAG_BLOCK], wk = (int)use[k]->tag[CODA_TAG_WORKER];
        if (b >= 0) {
            covered[b] = 1;
            continue;
        }
        for (size_t j = 0; j < K; j++) {
            double c = CODA_AT(&p->G, wk, j);
            binary &= c == 0.0 || c == 1.0;
            covered[j] |= c != 0.0;
        }
    }
    int nmiss = 0;
    for (size_t j = 0; j < K && rc == 0; j++)
        nmiss += !covered[j];
    if (rc == 0 && nmiss) {
        for (size_t j = 0; j < K; j++)
            covered[j] = !covered[j];
        rc = shortfall(p, info->responders, covered, e);
    }
    int exact = 0;
    if (rc == 0 && binary) { /* greedy: take results whose blocks are all still uncovered */
        memset(covered, 0, K * sizeof *covered);
        size_t got = 0;
        for (size_t k = 0; k < n; k++) {
            int b = (int)use[k]->tag[CODA_TAG_BLOCK], wk = (int)use[k]->tag[CODA_TAG_WORKER];
            int clash = b >= 0 && covered[b];
            for (size_t j = 0; b < 0 && j < K; j++)
                clash |= CODA_AT(&p->G, wk, j) != 0.0 && covered[j];
            if (clash)
                continue;
            a[k] = 1.0;
            for (size_t j = 0; j < K; j++)
                if (b >= 0 ? j == (size_t)b : CODA_AT(&p->G, wk, j) != 0.0) {
                    covered[j] = 1;
                    got++;
                }
        }
        exact = got == K;
        if (!exact)
            memset(a, 0, n * sizeof *a);
    }
    if (rc == 0 && !exact) {
        /* blocks some result stands for on its own (its first such result), the others J */
        size_t nc = 0, nj = 0;
        for (size_t j = 0; j < K; j++)
            pick[j] = -1;
        for (size_t k = 0; k < n; k++) {
            int b = (int)use[k]->tag[CODA_TAG_BLOCK];
            if (b < 0) {
                w[nc] = (int)use[k]->tag[CODA_TAG_WORKER];
                rowk[nc++] = k;
            } else if (pick[b] < 0)
                pick[b] = (int)k;
        }
        for (size_t j = 0; j < K; j++)
            if (pick[j] < 0)
                J[nj++] = (int)j;
        double *ac = calloc(nc ? nc : 1, sizeof *ac);
        int ok = 1;
        info->cond = 1.0;
        if (!ac)
            rc = coda_fail_oom(e);
        else if (nj > 0)
            rc = sum_weights(p, w, nc, J, nj, ac, &info->cond, &ok, e);
        if (rc == 0 && !ok) {
            memset(covered, 0, K * sizeof *covered);
            rc = shortfall(p, info->responders, covered, e);
        }
        for (size_t c = 0; c < nc && rc == 0; c++)
            a[rowk[c]] = ac[c];
        /* a block's own result makes up what the combinations leave of it */
        for (size_t j = 0; j < K && rc == 0; j++) {
            if (pick[j] < 0)
                continue;
            double s = 0;
            for (size_t c = 0; c < nc; c++)
                s += ac[c] * CODA_AT(&p->G, w[c], j);
            a[pick[j]] = 1.0 - s;
        }
        free(ac);
    }
    size_t rows = use[0]->mat.rows, cols = use[0]->mat.cols;
    if (rc == 0)
        rc = coda_mat_alloc(out, rows, cols, e);
    info->used = 0;
    info->max_coef = 0;
    for (size_t k = 0; k < n && rc == 0; k++) {
        if (a[k] == 0.0)
            continue;
        info->used++;
        info->max_coef = fmax(info->max_coef, fabs(a[k]));
        cblas_daxpy((int)(rows * cols), a[k], use[k]->mat.data, 1, out->data, 1);
    }
    if (rc == 0) {
        if (exact)
            info->cond = 1.0;
        snprintf(info->method, sizeof info->method, exact ? "replica" : "least-squares");
    }
    free(a), free(covered), free(pick), free(w), free(J), free(rowk);
    return rc;
}

int coda_plan_decodes(const coda_plan *p, const int *workers, int r, coda_err *e)
{
    int K = p->K, ok = 1;
    if (!p->data_coded && !(p->sum && p->combine)) { /* replicas: every block held */
        for (int j = 0; j < K && ok; j++) {
            int held = 0;
            for (int i = 0; i < r && !held; i++)
                held = CODA_AT(&p->G, workers[i], j) != 0.0;
            ok = held;
        }
        return ok;
    }
    if (r < 1 || (p->data_coded && r < K))
        return 0;
    double cond;
    if (p->sum) {
        double *a = malloc((size_t)r * sizeof *a);
        int rc = a ? sum_weights(p, workers, (size_t)r, NULL, (size_t)K, a, &cond, &ok, e)
                   : coda_fail_oom(e);
        free(a);
        return rc < 0 ? -1 : ok;
    }
    coda_mat C, D;
    int rank = 0;
    if (coda_mat_alloc(&C, (size_t)r, (size_t)K, e) < 0)
        return -1;
    for (int i = 0; i < r; i++)
        for (int j = 0; j < K; j++)
            CODA_AT(&C, i, j) = CODA_AT(&p->G, workers[i], j);
    int rc = pinv(&C, &D, &cond, &rank, e);
    coda_mat_free(&C);
    coda_mat_free(&D);
    return rc < 0 ? -1 : rank == K;
}

const char *coda_decode_status_name(coda_decode_status s)
{
    static const char *const names[] = {"exact", "approximate", "empty", "suspect"};
    return (unsigned)s < 4 ? names[s] : "exact";
}

typedef int (*use_decoder)(const coda_plan *p, const coda_frame *const *use, size_t n,
                           coda_mat *out, coda_decode_info *info, coda_err *e);

double coda_leave_one_out(const coda_plan *p, const coda_frame *const *use, size_t nu,
                          const coda_mat *out, coda_redecode f, void *ctx)
{
    size_t len = out->rows * out->cols;
    const coda_frame **rest = malloc((nu ? nu : 1) * sizeof *rest);
    if (!rest)
        return 0;
    double norm = coda_mat_fro(out), worst = 0;
    for (int w = 0; w < p->N; w++) {
        size_t m = 0;
        for (size_t k = 0; k < nu; k++)
            if (use[k]->tag[CODA_TAG_WORKER] != w)
                rest[m++] = use[k];
        if (m == nu) /* w did not answer */
            continue;
        coda_mat x = {0};
        coda_decode_info again;
        memset(&again, 0, sizeof again);
        double tol;
        if (f(ctx, p, rest, m, &x, &again, &tol) == 0 && x.rows == out->rows &&
            x.cols == out->cols) {
            double diff = 0;
            for (size_t i = 0; i < len; i++)
                diff += (x.data[i] - out->data[i]) * (x.data[i] - out->data[i]);
            tol = tol * norm + DBL_MIN;
            worst = fmax(worst, sqrt(diff) > tol ? sqrt(diff) / tol : 0);
        }
        coda_mat_free(&x);
    }
    free(rest);
    return worst;
}

void coda_report_suspect(coda_decode_info *info, double worst, const char *what,
                         const char *bound)
{
    info->status = CODA_DECODED_SUSPECT;
    snprintf(info->warning, sizeof info->warning,
             "the responders disagree: leaving one out changes the %s by up to %.3g times %s "
             "(a worker may be corrupt; this code cannot tell which, nor exclude it)",
             what, worst, bound);
}

/* A G decoder run again on the rest; its tolerance relative to ||out||: round-off through both
 * decoding systems. */
typedef struct {
    use_decoder d;
    const coda_decode_info *info;
} g_redecode;

static int g_again(void *ctx, const coda_plan *p, const coda_frame *const *rest, size_t m,
                   coda_mat *x, coda_decode_info *again, double *tol)
{
    const g_redecode *g = ctx;
    if (g->d(p, rest, m, x, again, NULL) < 0)
        return -1;
    double cond = fmax(isfinite(g->info->cond) ? g->info->cond : 1,
                       isfinite(again->cond) ? again->cond : 1);
    *tol = 1e4 * DBL_EPSILON * cond * fmax(1.0 + g->info->max_coef, 1.0 + again->max_coef);
    return 0;
}

/* The consistency check of a decode that had spare responders. Replicas of a block are the same
 * computation on the same data, so copies that differ beyond round-off disagree (even where the
 * decode used neither). Combinations are decoded again without each responder in turn
 * (coda_leave_one_out). The codes here cannot locate a liar (that is the Byzantine code's work):
 * the report says the result is suspect. Skipped where the extra decodes would cost more than
 * the decode is worth (more than 2^24 result entries in all). */
static void verify(use_decoder d, const coda_plan *p, const coda_frame *const *use, size_t nu,
                   const coda_mat *out, coda_decode_info *info)
{
    if (nu < 2 || info->responders < 2)
        return;
    int replicas = 1; /* every result one block: comparing the copies says all there is to say */
    for (size_t k = 0; k < nu && replicas; k++)
        replicas = coda_result_block(p, use[k]) >= 0;
    if (!replicas) {
        if ((double)out->rows * (double)out->cols * (double)info->responders <= 16777216.0) {
            g_redecode g = {d, info};
            double worst = coda_leave_one_out(p, use, nu, out, g_again, &g);
            if (worst > 0)
                coda_report_suspect(info, worst, "result", "the round-off bound");
        }
        return;
    }
    for (size_t k = 0; k < nu; k++) {
        int j = coda_result_block(p, use[k]);
        for (size_t q = 0; q < k; q++) {
            if (coda_result_block(p, use[q]) != j)
                continue;
            const coda_mat *a = &use[q]->mat, *b = &use[k]->mat;
            double diff = 0, n2 = 0;
            for (size_t i = 0; i < a->rows * a->cols; i++) {
                diff += (a->data[i] - b->data[i]) * (a->data[i] - b->data[i]);
                n2 += a->data[i] * a->data[i];
            }
            double tol = 1e4 * DBL_EPSILON * sqrt(n2) + DBL_MIN;
            if (sqrt(diff) > tol) {
                info->status = CODA_DECODED_SUSPECT;
                snprintf(info->warning, sizeof info->warning,
                         "workers %lld and %lld sent different copies of block %d (by %.3g times "
                         "the round-off bound): one of them may be corrupt; this code cannot "
                         "tell which",
                         (long long)use[q]->tag[CODA_TAG_WORKER],
                         (long long)use[k]->tag[CODA_TAG_WORKER], j, sqrt(diff) / tol);
                return;
            }
        }
    }
}

/* Collect the usable results (coda_results_collect), then decode them with d. */
static int collect_then(use_decoder d, const coda_plan *p, const coda_frame *res, size_t n,
                        coda_mat *out, coda_decode_info *info, coda_err *e)
{
    memset(info, 0, sizeof *info);
    memset(out, 0, sizeof *out);
    const coda_frame **use;
    size_t nu;
    if (coda_results_collect(p, res, n, &use, &nu, e) < 0)
        return -1;
    info->responders = count_responders(p, use, nu);
    int rc;
    if (nu == 0) {
        int *all = calloc((size_t)p->K, sizeof *all);
        if (!all)
            return coda_fail_oom(e);
        for (int j = 0; j < p->K; j++)
            all[j] = 1;
        rc = shortfall(p, 0, all, e);
        free(all);
    } else
        rc = d(p, use, nu, out, info, e);
    if (rc == 0) {
        info->status = CODA_DECODED_EXACT;
        verify(d, p, use, nu, out, info);
    }
    free(use);
    return rc;
}

int coda_decode_replicas(const coda_plan *p, const coda_frame *res, size_t n,
                         const coda_meta *opts, coda_mat *out, coda_decode_info *info,
                         coda_err *e)
{
    (void)opts;
    return collect_then(p->sum ? decode_sum : decode_replicas, p, res, n, out, info, e);
}

int coda_decode_coded(const coda_plan *p, const coda_frame *res, size_t n,
                      const coda_meta *opts, coda_mat *out, coda_decode_info *info,
                      coda_err *e)
{
    (void)opts;
    return collect_then(decode_coded, p, res, n, out, info, e);
}

int coda_decode_sum(const coda_plan *p, const coda_frame *res, size_t n, const coda_meta *opts,
                    coda_mat *out, coda_decode_info *info, coda_err *e)
{
    (void)opts;
    return collect_then(decode_sum, p, res, n, out, info, e);
}

int coda_decode_g(const coda_plan *p, const coda_frame *res, size_t n, const coda_meta *opts,
                  coda_mat *out, coda_decode_info *info, coda_err *e)
{
    (void)opts;
    use_decoder d = p->sum ? decode_sum : p->data_coded ? decode_coded : decode_replicas;
    return collect_then(d, p, res, n, out, info, e);
}

int coda_decode(const coda_plan *p, const coda_frame *res, size_t n, coda_mat *out,
                coda_decode_info *info, coda_err *e)
{
    return coda_decode_with(p, res, n, NULL, out, info, e);
}

int coda_decode_with(const coda_plan *p, const coda_frame *res, size_t n, const coda_meta *opts,
                     coda_mat *out, coda_decode_info *info, coda_err *e)
{
    const coda_scheme *sc = coda_plan_scheme(p);
    memset(out, 0, sizeof *out);
    if (!sc)
        return coda_fail(e, "unknown scheme '%s' (%s)", p->scheme, coda_scheme_names());
    return sc->decode(p, res, n, opts, out, info, e);
}
