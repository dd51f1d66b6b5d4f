/* The Byzantine code's numerics (lib/codes/byz*.c) against the spec's checkable claims
 * (../shared/specs/byzantine.md §4): F F^perp = 0 to round-off, the orthonormal basis is
 * orthonormal, any q rows of F^perp are independent (Claim 1, every subset for m <= 15), the
 * systematic basis has (2t+1) n_r non-zeros in S, and LOCATE returns the support of every
 * t-sparse error (every support for m <= 15, random and adjacent-node supports up to m = 63);
 * the streaming append (§3.9) gives the batch encode's shards bit for bit. */
#include <float.h>
#include <math.h>
#include <stdlib.h>
#include <string.h>

#include "../../lib/codes/byz.h"
#include "../../lib/codes/scheme.h"
#include "../../lib/core/rng.h"
#include "check.h"
#include "helpers.h"

static double max_abs(const coda_mat *A)
{
    double w = 0;
    for (size_t k = 0; k < A->rows * A->cols; k++)
        w = fmax(w, fabs(A->data[k]));
    return w;
}

/* the next k-subset of 0..n-1 in lexicographic order; 0 after the last */
static int next_subset(int *s, int k, int n)
{
    int i = k - 1;
    while (i >= 0 && s[i] == n - k + i)
        i--;
    if (i < 0)
        return 0;
    s[i]++;
    for (int j = i + 1; j < k; j++)
        s[j] = s[j - 1] + 1;
    return 1;
}

static void build(int m, int t, coda_byz_locator_kind kind, int sys, coda_mat *F, coda_mat *Fp,
                  double *z)
{
    coda_err e;
    coda_byz_nodes("equi", m, z, &e);
    CHECK(coda_byz_locator(m, t, kind, z, F, &e) == 0, "%s", e.msg);
    CHECK(coda_byz_nullspace(F, m, sys, Fp, &e) == 0, "%s", e.msg);
}

/* ||F Fp||, orthonormality, and Claim 1 over every q-row subset (m <= 15) */
static void bases(void)
{
    coda_err e;
    for (int kind = 0; kind < 2; kind++)
        for (int sys = 0; sys < 2; sys++) {
            int bad_null = 0, bad_orth = 0, bad_rank = 0, bad_sys = 0, subsets = 0;
            double worst_null = 0;
            for (int m = 1; m <= 15; m++)
                for (int t = 0; 2 * t < m; t++) {
                    int q = m - 2 * t;
                    double z[15];
                    coda_mat F, Fp;
                    build(m, t, kind, sys, &F, &Fp, z);
                    CHECK(Fp.rows == (size_t)m && Fp.cols == (size_t)q, "m=%d t=%d: %zu x %zu", m,
                          t, Fp.rows, Fp.cols);
                    if (t > 0) {
                        coda_mat FG;
                        coda_mat_alloc(&FG, F.rows, (size_t)q, &e);
                        for (size_t i = 0; i < F.rows; i++)
                            for (int c = 0; c < q; c++)
                                for (int k = 0; k < m; k++)
                                    CODA_AT(&FG, i, c) += CODA_AT(&F, i, k) * CODA_AT(&Fp, k, c);
                        /* round-off of the product: u m max|F| max|Fp| */
                        double r = max_abs(&FG) / (m * DBL_EPSILON * max_abs(&F) * max_abs(&Fp));
                        worst_null = fmax(worst_null, r);
                        bad_null += !(r <= 1e3);
                        coda_mat_free(&FG);
                    }
                    if (!sys)
                        for (int a = 0; a < q; a++)
                            for (int b = 0; b < q; b++) {
                                double d = 0;
                                for (int k = 0; k < m; k++)
                                    d += CODA_AT(&Fp, k, a) * CODA_AT(&Fp, k, b);
                                bad_orth += !(fabs(d - (a == b)) <= 1e2 * m * DBL_EPSILON);
                            }
                    else /* the last q workers systematic, every parity entry non-zero */
                        for (int i = 0; i < m; i++)
                            for (int c = 0; c < q; c++)
                                bad_sys += i < 2 * t ? CODA_AT(&Fp, i, c) == 0.0
                                                     : CODA_AT(&Fp, i, c) != (i - 2 * t == c);
                    /* Claim 1: every q rows independent (so every |T| >= m - t has rank q) */
                    int rows[15];
                    for (int k = 0; k < q; k++)
                        rows[k] = k;
                    do {
                        double cond;
                        subsets++;
                        if (coda_byz_rows_cond(&Fp, rows, q, &cond, NULL, &e) < 0 ||
                            !(cond < 1e-3 / DBL_EPSILON))
                            bad_rank++;
                    } while (next_subset(rows, q, m));
                    coda_mat_free(&F);
                    coda_mat_free(&Fp);
                }
            const char *name = kind == CODA_BYZ_ODD_DFT ? "odd-dft" : "vandermonde";
            CHECK(bad_null == 0, "%s %s: %d bases with F Fp above round-off (worst %.3g u)", name,
                  sys ? "systematic" : "orth", bad_null, worst_null);
            CHECK(bad_orth == 0, "%s orth: %d entries of Fp^T Fp - I above round-off", name,
                  bad_orth);
            CHECK(bad_sys == 0, "%s systematic: %d entries off [-P; I]", name, bad_sys);
            CHECK(bad_rank == 0 && subsets > 30000, "%s %s: %d of %d q-row subsets singular",
                  name, sys ? "systematic" : "orth", bad_rank, subsets);
        }
}

/* the worst condition over |T| = m - t: the spec's §5.3 values for odd-dft orth at m = 15 are
 * all below 10; every T seen exhaustively */
static void worst_cond(void)
{
    coda_err e;
    for (int t = 1; t <= 7; t++) {
        double z[15], w;
        long n;
        int all;
        coda_mat F, Fp;
        build(15, t, CODA_BYZ_ODD_DFT, 0, &F, &Fp, z);
        CHECK(coda_byz_worst_cond(&Fp, t, 1, &w, &n, &all, &e) == 0, "%s", e.msg);
        double sets = 1;
        for (int k = 0; k < t; k++)
            sets = sets * (15 - k) / (k + 1);
        CHECK(all && n == (long)sets, "t=%d: %ld sets, expected all %.0f", t, n, sets);
        CHECK(w >= 1 && w < 10, "t=%d: worst cond %.3g", t, w);
        coda_mat_free(&F);
        coda_mat_free(&Fp);
    }
}

/* nnz(S) = (2t+1) n_r for the systematic basis, m n_r for orth: the plan's report */
static void sparsity(void)
{
    coda_err e;
    for (int sys = 0; sys < 2; sys++)
        for (int m = 3; m <= 15; m += 4)
            for (int t = 0; 2 * t < m; t++) {
                coda_meta opts = {0}, fig = {0};
                char tv[8];
                snprintf(tv, sizeof tv, "%d", t);
                coda_meta_set(&opts, "adversaries", tv, &e);
                coda_meta_set(&opts, "basis", sys ? "systematic" : "orth", &e);
                coda_scheme_args a = {.N = m, .op = "matvec", .seed = 3, .opts = &opts};
                coda_plan p;
                size_t nr = 101;
                int ok = coda_plan_build(&p, "byz", &a, nr, &e) == 0;
                CHECK(ok, "m=%d t=%d: %s", m, t, e.msg);
                if (!ok)
                    continue;
                long long nnz = -1;
                CHECK(coda_plan_report(&p, &fig, &e) == 0 &&
                          coda_meta_get_long(&fig, "nnz_S", &nnz, &e) == 0,
                      "%s", e.msg);
                /* systematic: 2t parity workers with every entry, q systematic ones with one
                 * each; orth (t > 0): at most every entry */
                long long want = (2LL * t + 1) * (long long)nr;
                CHECK(sys || t == 0 ? nnz == want : nnz >= want && nnz <= (long long)m * (long long)nr,
                      "m=%d t=%d %s: nnz(S) %lld (systematic: %lld)", m, t,
                      sys ? "systematic" : "orth", nnz, want);
                CHECK(p.K == m - 2 * t && p.threshold == m - t, "m=%d t=%d: K %d threshold %d",
                      m, t, p.K, p.threshold);
                coda_plan_free(&p);
                coda_meta_free(&opts);
                coda_meta_free(&fig);
            }
    /* 2t >= m is a usage error; so is a bad locator */
    coda_meta opts = {0};
    coda_meta_set(&opts, "adversaries", "2", &e);
    coda_scheme_args a = {.N = 4, .op = "matvec", .seed = 3, .opts = &opts};
    coda_plan p;
    CHECK(coda_plan_build(&p, "byz", &a, 10, &e) < 0 && e.cls == CODA_E_USAGE, "t=2 of 4 built");
    coda_meta_set(&opts, "adversaries", "1", &e);
    coda_meta_set(&opts, "locator", "dft", &e);
    CHECK(coda_plan_build(&p, "byz", &a, 10, &e) < 0 && e.cls == CODA_E_USAGE, "locator dft");
    coda_meta_free(&opts);
}

/* a byz plan for `len` lines of data (rows, or columns for vecmat) */
static int stream_plan(coda_plan *p, int m, int t, int sys, const char *op, const coda_mat *d,
                       size_t len, coda_err *e)
{
    coda_meta opts = {0};
    char tv[16];
    snprintf(tv, sizeof tv, "%d", t);
    coda_meta_set(&opts, "adversaries", tv, e);
    coda_meta_set(&opts, "basis", sys ? "systematic" : "orth", e);
    coda_scheme_args a = {.N = m, .op = op, .seed = 3, .opts = &opts, .data = d};
    int rc = coda_plan_build(p, "byz", &a, len, e);
    coda_meta_free(&opts);
    return rc;
}

/* Encode the first n0 lines, append the rest one line at a time: every shard equals the batch
 * encode's, bit for bit; a plan without the interleaved layout is refused. */
static void streaming(void)
{
    coda_err e;
    const char *ops[] = {"matvec", "vecmat"};
    for (int o = 0; o < 2; o++)
        for (int sys = 0; sys < 2; sys++)
            for (int m = 3; m <= 9; m += 2)
                for (int t = 0; 2 * t < m; t += 1 + (m > 5)) {
                    int cols = o == 1, q = m - 2 * t;
                    size_t n = 17, nx = 4, n0 = (size_t)q;
                    coda_mat A = {0};
                    coda_mat_alloc(&A, cols ? nx : n, cols ? n : nx, &e);
                    coda_rng g;
                    coda_rng_seed(&g, 7, 0, (uint64_t)m, (uint64_t)t);
                    for (size_t k = 0; k < A.rows * A.cols; k++)
                        A.data[k] = coda_rng_normal(&g);
                    coda_plan whole = {0}, p = {0};
                    coda_frame_list batch = {0}, cur = {0};
                    coda_mat first = cols ? coda_mat_view(&A, 0, nx, 0, n0) : coda_mat_view(&A, 0, n0, 0, nx);
                    int ok = stream_plan(&whole, m, t, sys, ops[o], &A, n, &e) == 0 &&
                             coda_byz_encode(&whole, &A, NULL, coda_frame_list_sink, &batch, &e) == 0 &&
                             stream_plan(&p, m, t, sys, ops[o], &first, n0, &e) == 0 &&
                             coda_byz_encode(&p, &first, NULL, coda_frame_list_sink, &cur, &e) == 0;
                    CHECK(ok, "m=%d t=%d %s: %s", m, t, ops[o], e.msg);
                    for (size_t len = n0; ok && len < n; len++) {
                        coda_plan next = {0};
                        coda_frame_list made = {0};
                        coda_mat grown = cols ? coda_mat_view(&A, 0, nx, 0, len + 1)
                                              : coda_mat_view(&A, 0, len + 1, 0, nx),
                                 line = cols ? coda_mat_view(&A, 0, nx, len, 1)
                                             : coda_mat_view(&A, len, 1, 0, nx);
                        ok = stream_plan(&next, m, t, sys, ops[o], &grown, len + 1, &e) == 0 &&
                             coda_byz_append(&p, &next, cur.f, cur.n, &line, 0,
                                             coda_frame_list_sink, &made, &e) == 0;
                        CHECK(ok, "m=%d t=%d %s append at %zu: %s", m, t, ops[o], len, e.msg);
                        coda_frame_list_free(&cur);
                        coda_plan_free(&p);
                        cur = made, p = next;
                    }
                    for (size_t i = 0; ok && i < batch.n; i++) {
                        const coda_mat *x = &batch.f[i].mat, *y = &cur.f[i].mat;
                        CHECK(x->rows == y->rows && x->cols == y->cols &&
                                  memcmp(x->data, y->data, sizeof(double) * x->rows * x->cols) == 0,
                              "m=%d t=%d %s %s: worker %zu's appended shard differs from the "
                              "batch one", m, t, ops[o], sys ? "systematic" : "orth", i);
                    }
                    /* a plan of the older contiguous layout */
                    if (ok) {
                        coda_meta_set(&whole.extra, "layout", "contiguous", &e);
                        CHECK(coda_scheme_byz.load(&whole, &e) < 0 && strstr(e.msg, "older"),
                              "contiguous layout loaded");
                    }
                    coda_frame_list_free(&batch);
                    coda_frame_list_free(&cur);
                    coda_plan_free(&whole);
                    coda_plan_free(&p);
                    coda_mat_free(&A);
                }
}

/* locate e (support `sup`, n of them, N(0,1) amplitudes): 1 when found exactly */
static int locate_ok(const coda_mat *F, coda_byz_locator_kind kind, const double *z, int m,
                     const int *sup, int n, coda_rng *r)
{
    double e_[64] = {0};
    int which[32];
    coda_byz_located loc;
    coda_err e;
    for (int k = 0; k < n; k++) /* the combined error of a random combination: Gaussian */
        e_[sup[k]] = coda_rng_normal(r);
    if (coda_byz_locate(F, kind, z, e_, 1e-9, 1e-7, which, &loc, &e) < 0)
        return 0;
    if (!loc.accepted || loc.nu != n)
        return 0;
    for (int k = 0; k < n; k++)
        if (which[k] != sup[k])
            return 0;
    (void)m;
    return 1;
}

static void locate(void)
{
    coda_rng r;
    coda_rng_init(&r, 11, 0);
    /* every support of every size 0..t, m <= 15 (odd-dft; vandermonde equi up to m = 11) */
    for (int kind = 0; kind < 2; kind++) {
        int fails = 0, tried = 0;
        for (int m = 3; m <= (kind == CODA_BYZ_ODD_DFT ? 15 : 11); m++)
            for (int t = 1; 2 * t < m; t++) {
                double z[15];
                coda_mat F, Fp;
                build(m, t, kind, 0, &F, &Fp, z);
                for (int n = 0; n <= t; n++) {
                    int sup[15];
                    for (int k = 0; k < n; k++)
                        sup[k] = k;
                    do {
                        tried++;
                        fails += !locate_ok(&F, kind, z, m, sup, n, &r);
                    } while (n > 0 && next_subset(sup, n, m));
                }
                coda_mat_free(&F);
                coda_mat_free(&Fp);
            }
        CHECK(fails == 0 && tried > 1000, "%s: %d of %d supports not located",
              kind ? "vandermonde" : "odd-dft", fails, tried);
    }
    /* odd-dft, m = 31 and 63: random supports and runs of adjacent nodes (the weak case of
     * Prony), including the run that wraps around the circle */
    for (int m = 31; m <= 63; m += 32) {
        int fails = 0, tried = 0;
        for (int t = 1; 2 * t < m; t += m == 63 ? 3 : 1) {
            coda_mat F, Fp;
            double z[63];
            build(m, t, CODA_BYZ_ODD_DFT, 0, &F, &Fp, z);
            for (int trial = 0; trial < 6; trial++) {
                int sup[32], n = t;
                size_t perm[63];
                if (trial < 3) {
                    coda_rng_shuffle(&r, perm, (size_t)m, (size_t)n);
                    for (int k = 0; k < n; k++)
                        sup[k] = (int)perm[k];
                } else {
                    int start = trial == 3 ? 0 : trial == 4 ? m / 2 : m - n / 2 - 1;
                    for (int k = 0; k < n; k++)
                        sup[k] = (start + k) % m;
                }
                for (int a = 1; a < n; a++) /* ascending */
                    for (int b = a; b > 0 && sup[b - 1] > sup[b]; b--) {
                        int x = sup[b];
                        sup[b] = sup[b - 1];
                        sup[b - 1] = x;
                    }
                tried++;
                fails += !locate_ok(&F, CODA_BYZ_ODD_DFT, z, m, sup, n, &r);
            }
            coda_mat_free(&F);
            coda_mat_free(&Fp);
        }
        CHECK(fails == 0, "odd-dft m=%d: %d of %d random or adjacent supports not located", m,
              fails, tried);
    }
}

int main(void)
{
    bases();
    worst_cond();
    sparsity();
    streaming();
    locate();
    return check_summary();
}
