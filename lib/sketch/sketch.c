#include "sketch.h"

#include <cblas.h>
#include <lapacke.h>
#include <math.h>
#include <omp.h>
#include <stdint.h>
#include <stdlib.h>
#include <string.h>

#include "../core/threads.h"
#include "../core/rng.h"

static const char *const kind_names[] = {"gaussian",      "rademacher", "srht", "countsketch",
                                         "uniform",       "leverage",   "block", "block-uniform",
                                         "block-srht",    "none"};

int coda_sketch_kind_parse(const char *name, coda_sketch_kind *k)
{
    for (int i = 0; i < (int)(sizeof kind_names / sizeof kind_names[0]); i++)
        if (strcmp(name, kind_names[i]) == 0) {
            *k = (coda_sketch_kind)i;
            return 0;
        }
    return -1;
}

const char *coda_sketch_kind_name(coda_sketch_kind k) { return kind_names[k]; }

/* Dense sketches: S drawn column by column in chunks, SA accumulated by GEMM, so S is never
 * held whole (r x N would not fit for large N). */
enum { DENSE_ROWS = 64 };

static int dense(const coda_sketch_opts *o, const coda_mat *A, coda_mat *SA, coda_rng *g,
                 coda_err *e)
{
    size_t r = o->rows, N = A->rows, d = A->cols, chunk = 2048;
    double *S = malloc(r * chunk * sizeof *S), scale = 1.0 / sqrt((double)r);
    if (!S)
        return coda_fail_oom(e);
    if (coda_mat_alloc(SA, r, d, e) < 0) {
        free(S);
        return -1;
    }
    long nrb = (long)((r + DENSE_ROWS - 1) / DENSE_ROWS);
    int threads = coda_blas_serial();
    for (size_t j0 = 0; j0 < N; j0 += chunk) {
        size_t w = N - j0 < chunk ? N - j0 : chunk;
        for (size_t k = 0; k < r * w; k++)
            S[k] = o->kind == CODA_SK_GAUSSIAN ? scale * coda_rng_normal(g)
                                               : (coda_rng_u64(g) >> 63 ? scale : -scale);
        /* fixed blocks of S's rows, one serial GEMM each: a threaded GEMM may split the sums
         * differently for different thread counts, these blocks never do */
#pragma omp parallel for schedule(static) if (r * d * w > 100000)
        for (long rb = 0; rb < nrb; rb++) {
            size_t r0 = (size_t)rb * DENSE_ROWS, h = r - r0 < DENSE_ROWS ? r - r0 : DENSE_ROWS;
            cblas_dgemm(CblasColMajor, CblasNoTrans, CblasNoTrans, (int)h, (int)d, (int)w, 1.0,
                        S + r0, (int)r, A->data + j0, (int)N, 1.0, SA->data + r0, (int)r);
        }
    }
    coda_blas_restore(threads);
    free(S);
    return 0;
}

/* In-place unnormalized fast Walsh-Hadamard transform of x (length P, a power of two). */
static void fwht(double *x, size_t P)
{
    for (size_t h = 1; h < P; h *= 2)
        for (size_t i = 0; i < P; i += 2 * h)
            for (size_t j = i; j < i + h; j++) {
                double a = x[j], b = x[j + h];
                x[j] = a + b;
                x[j + h] = a - b;
            }
}

static int srht(const coda_sketch_opts *o, const coda_mat *A, coda_mat *SA, coda_rng *g,
                coda_err *e)
{
    size_t N = A->rows, d = A->cols, r = o->rows, P = 1;
    while (P < N)
        P *= 2;
    if (r > P)
        return coda_fail(e, "srht: %zu rows asked of a transform of order %zu", r, P);
    double *x = malloc(P * sizeof *x), *sign = malloc(N * sizeof *sign);
    size_t *rows = malloc(P * sizeof *rows);
    int rc = x && sign && rows ? coda_mat_alloc_raw(SA, r, d, e) : coda_fail_oom(e);
    if (rc == 0) {
        for (size_t i = 0; i < N; i++)
            sign[i] = coda_rng_u64(g) >> 63 ? 1.0 : -1.0;
        for (size_t i = 0; i < P; i++)
            rows[i] = i;
        coda_rng_shuffle(g, rows, P, r);
        /* (1/sqrt(P)) H is orthonormal; sampling r of P rows scales by sqrt(P/r) */
        double scale = 1.0 / sqrt((double)r);
        for (size_t j = 0; j < d; j++) {
            for (size_t i = 0; i < N; i++)
                x[i] = sign[i] * A->data[j * N + i];
            memset(x + N, 0, (P - N) * sizeof *x);
            fwht(x, P);
            for (size_t k = 0; k < r; k++)
                SA->data[j * r + k] = scale * x[rows[k]];
        }
    }
    free(x);
    free(sign);
    free(rows);
    return rc;
}

/* Sparse sign embedding. The map holds one 64-bit entry per nonzero: the target row and sign in
 * the low word (row | sign << 31), the source row's offset within its chunk of CS_CHUNK rows of A
 * in the high word; within a chunk the entries are sorted by target row (stably, so by source row
 * among equal targets). A block of w columns of SA is accumulated row-major in a buffer, chunk by
 * chunk: the chunk's w x CS_CHUNK slice of A stays in cache, and the sorted updates sweep the
 * buffer in order instead of jumping about it. Every entry of SA sums its terms in source-row
 * order, so the bytes depend on neither the blocking nor the thread count. */
enum { CS_CHUNK = 256 };

/* Stable LSD radix sort of n entries by their target row (< r), 8 bits a pass; tmp holds n. */
static void cs_sort_chunk(uint64_t *ent, uint64_t *tmp, size_t n, size_t r)
{
    for (unsigned shift = 0; shift < 31 && ((r - 1) >> shift); shift += 8) {
        size_t count[257] = {0};
        for (size_t q = 0; q < n; q++)
            count[((ent[q] & 0x7fffffffu) >> shift & 0xff) + 1]++;
        for (size_t k = 1; k < 257; k++)
            count[k] += count[k - 1];
        for (size_t q = 0; q < n; q++)
            tmp[count[(ent[q] & 0x7fffffffu) >> shift & 0xff]++] = ent[q];
        memcpy(ent, tmp, n * sizeof *ent);
    }
}

/* blk (r x w, row-major) += the chunk's updates; W is w when it is one of the constant widths the
 * compiler unrolls and vectorizes (restrict: the slice and the accumulator never overlap), 0
 * otherwise. */
static inline __attribute__((always_inline)) void cs_apply(const uint64_t *restrict ent, size_t n,
                                                           const double *restrict sl, double v,
                                                           double *restrict blk, size_t w,
                                                           size_t W)
{
    if (W)
        w = W;
    for (size_t q = 0; q < n; q++) {
        uint64_t en = ent[q];
        const double *restrict a = sl + (en >> 32) * w;
        double sv = (uint32_t)en >> 31 ? -v : v;
        double *restrict out = blk + (size_t)(en & 0x7fffffffu) * w;
        for (size_t c = 0; c < w; c++)
            out[c] += sv * a[c];
    }
}

static int countsketch(const coda_sketch_opts *o, const coda_mat *A, coda_mat *SA, coda_rng *g,
                       coda_err *e)
{
    size_t N = A->rows, d = A->cols, r = o->rows, s = o->nnz > 0 ? (size_t)o->nnz : CODA_SKETCH_DEFAULT_NNZ;
    if (s > r)
        return coda_fail(e, "countsketch: %zu nonzeros per column but only %zu rows", s, r);
    if (r >= (size_t)1 << 31)
        return coda_fail(e, "countsketch: %zu rows, more than 2^31 - 1", r);
    uint64_t *ent = malloc(N * s * sizeof *ent);
    double v = 1.0 / sqrt((double)s);
    int rc = ent ? coda_mat_alloc(SA, r, d, e) : coda_fail_oom(e);
    /* chunk c draws its nonzeros from stream c of a key drawn from g: the map is made in
     * parallel and is the same whatever the thread count */
    uint64_t key = coda_rng_u64(g);
    long nchunks = (long)((N + CS_CHUNK - 1) / CS_CHUNK);
    /* the widest column block that leaves every thread several blocks and keeps its buffer
     * within a few MiB */
    int nt = rc == 0 && N * d * s > 1000000 ? omp_get_max_threads() : 1;
    size_t W = 32;
    while (W > 8 && ((d + W - 1) / W < 4 * (size_t)nt || r * W * sizeof(double) > (4u << 20)))
        W /= 2;
    long nblocks = (long)((d + W - 1) / W);
    /* per thread: the sort's scratch, the block's accumulator, the chunk's slice */
    uint64_t *tmp = malloc((size_t)nt * CS_CHUNK * s * sizeof *tmp);
    double *blk = malloc((size_t)nt * r * W * sizeof *blk),
           *sl = malloc((size_t)nt * CS_CHUNK * W * sizeof *sl);
    if (rc == 0 && (!tmp || !blk || !sl)) {
        coda_mat_free(SA);
        rc = coda_fail_oom(e);
    }
#pragma omp parallel num_threads(nt) if (rc == 0 && nt > 1)
    {
        int me = omp_get_thread_num();
        uint64_t *mtmp = tmp + (size_t)me * CS_CHUNK * s;
        double *mblk = blk + (size_t)me * r * W, *msl = sl + (size_t)me * CS_CHUNK * W;
#pragma omp for schedule(static)
        for (long ci = 0; ci < (rc == 0 ? nchunks : 0); ci++) {
            size_t i0 = (size_t)ci * CS_CHUNK, h = N - i0 < CS_CHUNK ? N - i0 : CS_CHUNK;
            uint64_t *ec = ent + i0 * s;
            coda_rng gc;
            coda_rng_init(&gc, key, (uint64_t)ci);
            for (size_t i = 0; i < h; i++)
                for (size_t k = 0; k < s; k++) {
                    uint64_t x;
                    int again;
                    do { /* distinct rows within a column */
                        x = coda_rng_below32(&gc, (uint32_t)r);
                        again = 0;
                        for (size_t q = 0; q < k; q++)
                            again |= (ec[i * s + q] & 0x7fffffffu) == x;
                    } while (again);
                    ec[i * s + k] = (uint64_t)i << 32 | x | (coda_rng_u64(&gc) >> 63) << 31;
                }
            cs_sort_chunk(ec, mtmp, h * s, r);
        }
        /* column blocks are independent, so threads change the speed and never the bytes */
#pragma omp for schedule(static)
        for (long bi = 0; bi < (rc == 0 ? nblocks : 0); bi++) {
            size_t j0 = (size_t)bi * W, w = d - j0 < W ? d - j0 : W;
            memset(mblk, 0, r * w * sizeof *mblk);
            for (size_t i0 = 0; i0 < N; i0 += CS_CHUNK) {
                size_t h = N - i0 < CS_CHUNK ? N - i0 : CS_CHUNK, n = h * s;
                /* the chunk's slice of the column block, row-major: each update reads one
                 * contiguous row of it */
                for (size_t c = 0; c < w; c++) {
                    const double *col = A->data + (j0 + c) * N + i0;
                    for (size_t i = 0; i < h; i++)
                        msl[i * w + c] = col[i];
                }
                const uint64_t *ec = ent + i0 * s;
                if (w == 32)
                    cs_apply(ec, n, msl, v, mblk, w, 32);
                else if (w == 16)
                    cs_apply(ec, n, msl, v, mblk, w, 16);
                else if (w == 8)
                    cs_apply(ec, n, msl, v, mblk, w, 8);
                else
                    cs_apply(ec, n, msl, v, mblk, w, 0);
            }
            for (size_t c = 0; c < w; c++)
                for (size_t k = 0; k < r; k++)
                    SA->data[(j0 + c) * r + k] = mblk[k * w + c];
        }
    }
    free(tmp), free(blk), free(sl);
    free(ent);
    return rc;
}

/* Rows idx[k] of A scaled by w[k]. */
static int gather(const coda_mat *A, const size_t *idx, const double *w, size_t r, coda_mat *SA,
                  coda_err *e)
{
    if (coda_mat_alloc_raw(SA, r, A->cols, e) < 0)
        return -1;
    for (size_t j = 0; j < A->cols; j++)
        for (size_t k = 0; k < r; k++)
            SA->data[j * r + k] = w[k] * A->data[j * A->rows + idx[k]];
    return 0;
}

/* k draws from the distribution p (n entries summing to 1) by inverse CDF, with replacement. */
static void draw(const double *cum, size_t n, size_t k, coda_rng *g, size_t *out)
{
    for (size_t t = 0; t < k; t++) {
        double u = coda_rng_uniform(g) * cum[n - 1];
        size_t lo = 0, hi = n - 1;
        while (lo < hi) {
            size_t mid = (lo + hi) / 2;
            if (cum[mid] > u)
                hi = mid;
            else
                lo = mid + 1;
        }
        while (lo > 0 && cum[lo] == cum[lo - 1]) /* never a zero-probability entry */
            lo--;
        out[t] = lo;
    }
}

/* Orthonormal basis of the first `cols` columns (thin QR), N x cols. */
static int basis(const coda_mat *A, size_t cols, coda_mat *Q, coda_err *e)
{
    if (cols > A->rows)
        return coda_fail(e, "leverage scores need at least as many rows as columns (%zu x %zu)",
                         A->rows, cols);
    if (coda_mat_sub(Q, A, 0, A->rows, 0, cols, e) < 0)
        return -1;
    int rc = coda_mat_orthonormalize(Q, e);
    if (rc < 0)
        coda_mat_free(Q);
    return rc;
}

/* Approximate scores: R from the QR of a sparse sign sketch of A (4 cols rows, 8 nonzeros per
 * column), then the squared row norms of A R^-1 G with G a cols x k Gaussian / sqrt(k). */
static int approx_scores(const coda_mat *A, size_t cols, unsigned long long seed, double *l,
                         coda_err *e)
{
    size_t N = A->rows, k = 8 + (size_t)(2 * log((double)N + 1));
    coda_mat Ac, SA, Om = {0}, AO = {0};
    if (coda_mat_sub(&Ac, A, 0, N, 0, cols, e) < 0)
        return -1;
    coda_sketch_opts so = {.kind = CODA_SK_COUNT, .rows = 4 * cols, .nnz = 8, .seed = seed,
                           .stream = 1u << 30};
    if (so.rows > N)
        so.rows = N;
    int rc = coda_sketch_apply(&so, &Ac, &SA, e);
    double *tau = malloc(cols * sizeof *tau);
    if (rc == 0 && (!tau || LAPACKE_dgeqrf(LAPACK_COL_MAJOR, (int)SA.rows, (int)cols, SA.data,
                                           (int)SA.rows, tau) != 0))
        rc = coda_fail(e, "LAPACK QR of the sketch failed");
    for (size_t i = 0; rc == 0 && i < cols; i++)
        if (CODA_AT(&SA, i, i) == 0)
            rc = coda_fail(e, "the matrix is rank-deficient (approximate leverage scores need "
                              "full column rank)");
    if (rc == 0)
        rc = coda_mat_alloc_raw(&Om, cols, k, e);
    if (rc == 0) {
        coda_rng g;
        coda_rng_seed(&g, seed, CODA_RNG_RANGE, 0, 0);
        for (size_t t = 0; t < cols * k; t++)
            Om.data[t] = coda_rng_normal(&g) / sqrt((double)k);
        cblas_dtrsm(CblasColMajor, CblasLeft, CblasUpper, CblasNoTrans, CblasNonUnit, (int)cols,
                    (int)k, 1.0, SA.data, (int)SA.rows, Om.data, (int)cols);
        rc = coda_mat_alloc(&AO, N, k, e);
    }
    if (rc == 0) {
        cblas_dgemm(CblasColMajor, CblasNoTrans, CblasNoTrans, (int)N, (int)k, (int)cols, 1.0,
                    Ac.data, (int)N, Om.data, (int)cols, 0.0, AO.data, (int)N);
        for (size_t i = 0; i < N; i++)
            l[i] = 0;
        for (size_t j = 0; j < k; j++)
            for (size_t i = 0; i < N; i++)
                l[i] += AO.data[j * N + i] * AO.data[j * N + i];
    }
    free(tau);
    coda_mat_free(&Ac);
    coda_mat_free(&SA);
    coda_mat_free(&Om);
    coda_mat_free(&AO);
    return rc;
}

static int row_scores_any_threads(const coda_mat *A, size_t cols, int approx,
                                  unsigned long long seed, double *l, coda_err *e);

/* The scores decide which rows are drawn and their weights, and a threaded QR rounds differently
 * from a serial one: they are computed with one BLAS thread, so that the same seed gives the
 * same bytes whatever OPENBLAS_NUM_THREADS says. */
static int row_scores(const coda_mat *A, size_t cols, int approx, unsigned long long seed,
                      double *l, coda_err *e)
{
    int threads = coda_blas_serial();
    int rc = row_scores_any_threads(A, cols, approx, seed, l, e);
    coda_blas_restore(threads);
    return rc;
}

static int row_scores_any_threads(const coda_mat *A, size_t cols, int approx,
                                  unsigned long long seed, double *l, coda_err *e)
{
    if (approx)
        return approx_scores(A, cols, seed, l, e);
    coda_mat Q;
    if (basis(A, cols, &Q, e) < 0)
        return -1;
    size_t N = A->rows;
    for (size_t i = 0; i < N; i++)
        l[i] = 0;
    for (size_t j = 0; j < cols; j++)
        for (size_t i = 0; i < N; i++)
            l[i] += Q.data[j * N + i] * Q.data[j * N + i];
    coda_mat_free(&Q);
    return 0;
}

/* Block l holds rows lo(l) .. lo(l+1)-1: the first N mod K blocks one row longer. */
static size_t block_lo(size_t N, size_t K, size_t l)
{
    size_t base = N / K, extra = N % K;
    return l * base + (l < extra ? l : extra);
}

int coda_leverage_scores(const coda_mat *A, size_t cols, int blocks, int approx,
                         unsigned long long seed, coda_mat *scores, coda_err *e)
{
    size_t N = A->rows, c = cols ? cols : A->cols;
    memset(scores, 0, sizeof *scores);
    if (blocks < 0 || (size_t)blocks > N)
        return coda_fail(e, "%d blocks for %zu rows", blocks, N);
    coda_mat l;
    if (coda_mat_alloc(&l, N, 1, e) < 0)
        return -1;
    if (row_scores(A, c, approx, seed, l.data, e) < 0) {
        coda_mat_free(&l);
        return -1;
    }
    if (!blocks) {
        *scores = l;
        return 0;
    }
    double total = 0;
    for (size_t i = 0; i < N; i++)
        total += l.data[i];
    if (coda_mat_alloc(scores, (size_t)blocks, 1, e) < 0) {
        coda_mat_free(&l);
        return -1;
    }
    for (size_t b = 0; b < (size_t)blocks; b++) {
        for (size_t i = block_lo(N, blocks, b); i < block_lo(N, blocks, b + 1); i++)
            scores->data[b] += l.data[i];
        scores->data[b] /= total;
    }
    coda_mat_free(&l);
    return 0;
}

static int sampling(const coda_sketch_opts *o, const coda_mat *A, coda_mat *SA, coda_rng *g,
                    coda_err *e)
{
    size_t N = A->rows, r = o->rows;
    size_t *idx = malloc(r * sizeof *idx);
    double *w = malloc(r * sizeof *w), *p = NULL;
    int rc = idx && w ? 0 : coda_fail_oom(e);
    if (rc == 0 && o->kind == CODA_SK_UNIFORM) {
        for (size_t k = 0; k < r; k++) {
            idx[k] = (size_t)coda_rng_below(g, N);
            w[k] = sqrt((double)N / (double)r);
        }
    } else if (rc == 0) {
        p = malloc(N * sizeof *p);
        rc = p ? row_scores(A, o->score_cols ? o->score_cols : A->cols, o->approx, o->seed, p, e)
               : coda_fail_oom(e);
        double total = 0;
        for (size_t i = 0; rc == 0 && i < N; i++) {
            total += p[i];
            p[i] = total; /* cumulative */
        }
        if (rc == 0) {
            draw(p, N, r, g, idx);
            for (size_t k = 0; k < r; k++) {
                double pk = (p[idx[k]] - (idx[k] ? p[idx[k] - 1] : 0)) / total;
                w[k] = 1.0 / sqrt((double)r * pk);
            }
        }
    }
    if (rc == 0)
        rc = gather(A, idx, w, r, SA, e);
    free(idx);
    free(w);
    free(p);
    return rc;
}

/* q of the K blocks of A's rows drawn with replacement, with probabilities pi (NULL: uniform,
 * 1 / K), each scaled by 1 / sqrt(q pi_l) (plain, in draw order) or, weighted, each distinct
 * block once scaled by sqrt(count_l / (q pi_l)) in block order */
static int block_sample(const coda_sketch_opts *o, const coda_mat *A, const double *pi, size_t q,
                        coda_mat *SA, coda_rng *g, coda_err *e)
{
    size_t N = A->rows, K = (size_t)o->blocks;
    double *cum = malloc(K * sizeof *cum), *scale = malloc(q * sizeof *scale);
    size_t *pick = malloc(q * sizeof *pick), *count = calloc(K, sizeof *count);
    int rc = cum && scale && pick && count ? 0 : coda_fail_oom(e);
    if (rc == 0) {
        double t = 0;
        for (size_t l = 0; l < K; l++)
            cum[l] = t += pi ? pi[l] : 1.0;
        draw(cum, K, q, g, pick);
        for (size_t j = 0; j < q; j++)
            count[pick[j]]++;
    }
    size_t nb = 0, rows = 0;
    if (rc == 0 && o->weighted) {
        for (size_t l = 0; l < K; l++)
            if (count[l]) {
                pick[nb] = l;
                scale[nb++] = sqrt((double)count[l] / ((double)q * (pi ? pi[l] : 1.0 / (double)K)));
            }
    } else if (rc == 0) {
        for (nb = 0; nb < q; nb++)
            scale[nb] = 1.0 / sqrt((double)q * (pi ? pi[pick[nb]] : 1.0 / (double)K));
    }
    for (size_t j = 0; rc == 0 && j < nb; j++)
        rows += block_lo(N, K, pick[j] + 1) - block_lo(N, K, pick[j]);
    size_t *idx = rc == 0 ? malloc(rows * sizeof *idx) : NULL;
    double *w = rc == 0 ? malloc(rows * sizeof *w) : NULL;
    if (rc == 0 && (!idx || !w))
        rc = coda_fail_oom(e);
    for (size_t j = 0, k = 0; rc == 0 && j < nb; j++)
        for (size_t i = block_lo(N, K, pick[j]); i < block_lo(N, K, pick[j] + 1); i++, k++) {
            idx[k] = i;
            w[k] = scale[j];
        }
    if (rc == 0)
        rc = gather(A, idx, w, rows, SA, e);
    free(cum), free(scale), free(pick), free(count), free(idx), free(w);
    return rc;
}

/* H D A / sqrt(P): the rows zero-padded to P = 2^ceil(log2 N), D's signs from a stream of their
 * own, so that every iteration's sketch (o->stream) keeps the same D */
static int hadamard_rows(const coda_sketch_opts *o, const coda_mat *A, coda_mat *HA, coda_err *e)
{
    size_t N = A->rows, d = A->cols, P = 1;
    while (P < N)
        P *= 2;
    double *sign = malloc(N * sizeof *sign);
    int rc = sign ? coda_mat_alloc(HA, P, d, e) : coda_fail_oom(e);
    if (rc == 0) {
        coda_rng g;
        coda_rng_seed(&g, o->seed, CODA_RNG_SKETCH, 1, 0);
        for (size_t i = 0; i < N; i++)
            sign[i] = coda_rng_u64(&g) >> 63 ? 1.0 : -1.0;
        double s = 1.0 / sqrt((double)P);
        for (size_t j = 0; j < d; j++) {
            double *x = HA->data + j * P; /* zeroed beyond N by the allocation */
            for (size_t i = 0; i < N; i++)
                x[i] = s * sign[i] * A->data[j * N + i];
            fwht(x, P);
        }
    }
    free(sign);
    return rc;
}

static int block(const coda_sketch_opts *o, const coda_mat *A, coda_mat *SA, coda_rng *g,
                 coda_err *e)
{
    size_t N = A->rows, K = (size_t)o->blocks;
    if (K < 1 || K > N)
        return coda_fail(e, "%s: need 1 <= K <= N blocks (K = %zu, N = %zu)",
                         coda_sketch_kind_name(o->kind), K, N);
    size_t tau = (N + K - 1) / K, q = o->rows / tau ? o->rows / tau : 1;
    if (o->kind == CODA_SK_BLOCK_UNIFORM)
        return block_sample(o, A, NULL, q, SA, g, e);
    if (o->kind == CODA_SK_BLOCK_SRHT) {
        coda_mat HA;
        if (hadamard_rows(o, A, &HA, e) < 0)
            return -1;
        int rc = block_sample(o, &HA, NULL, q, SA, g, e);
        coda_mat_free(&HA);
        return rc;
    }
    coda_mat pi;
    if (coda_leverage_scores(A, o->score_cols, (int)K, o->approx, o->seed, &pi, e) < 0)
        return -1;
    int rc = block_sample(o, A, pi.data, q, SA, g, e);
    coda_mat_free(&pi);
    return rc;
}

int coda_sketch_apply(const coda_sketch_opts *o, const coda_mat *A, coda_mat *SA, coda_err *e)
{
    memset(SA, 0, sizeof *SA);
    if (coda_mat_first_nonfinite(A) != (size_t)-1)
        return coda_fail(e, "the matrix holds NaN or Inf");
    return coda_sketch_apply_finite(o, A, SA, e);
}

int coda_sketch_apply_finite(const coda_sketch_opts *o, const coda_mat *A, coda_mat *SA,
                             coda_err *e)
{
    memset(SA, 0, sizeof *SA);
    if (o->rows < 1)
        return coda_fail(e, "a sketch needs at least one row");
    coda_rng g;
    coda_rng_seed(&g, o->seed, CODA_RNG_SKETCH, 0, o->stream);
    switch (o->kind) {
    case CODA_SK_GAUSSIAN:
    case CODA_SK_RADEMACHER: return dense(o, A, SA, &g, e);
    case CODA_SK_SRHT: return srht(o, A, SA, &g, e);
    case CODA_SK_COUNT: return countsketch(o, A, SA, &g, e);
    case CODA_SK_UNIFORM:
    case CODA_SK_LEVERAGE: return sampling(o, A, SA, &g, e);
    case CODA_SK_BLOCK:
    case CODA_SK_BLOCK_UNIFORM:
    case CODA_SK_BLOCK_SRHT: return block(o, A, SA, &g, e);
    case CODA_SK_NONE: return coda_mat_copy(SA, A, e);
    }
    return coda_fail(e, "unknown sketch");
}

int coda_sketch_distortion(const coda_sketch_opts *o, const coda_mat *A, double *dist,
                           coda_err *e)
{
    coda_mat U, SU, M;
    size_t d = o->score_cols ? o->score_cols : A->cols;
    if (basis(A, d, &U, e) < 0)
        return -1;
    coda_sketch_opts so = *o;
    so.score_cols = 0;
    int rc = coda_sketch_apply(&so, &U, &SU, e);
    coda_mat_free(&U);
    if (rc < 0)
        return -1;
    if (coda_mat_identity(&M, d, e) < 0) {
        coda_mat_free(&SU);
        return -1;
    }
    /* M = (SU)^T (SU) - I, then its largest |eigenvalue| */
    cblas_dsyrk(CblasColMajor, CblasUpper, CblasTrans, (int)d, (int)SU.rows, 1.0, SU.data,
                (int)SU.rows, -1.0, M.data, (int)d);
    double *ev = malloc(d * sizeof *ev);
    rc = ev && LAPACKE_dsyevd(LAPACK_COL_MAJOR, 'N', 'U', (int)d, M.data, (int)d, ev) == 0
             ? 0
             : coda_fail(e, "LAPACK dsyevd failed");
    if (rc == 0)
        *dist = fmax(fabs(ev[0]), fabs(ev[d - 1]));
    free(ev);
    coda_mat_free(&SU);
    coda_mat_free(&M);
    return rc;
}
