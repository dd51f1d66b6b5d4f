/* For small N and every straggler subset up to s: the decoded result equals the uncoded one to
 * 1e-12 relative (exhaustive, not sampled). With s+1 stragglers decoding either still succeeds
 * correctly or fails with a "need any ..." message, and it fails for some subset. */
#include <cblas.h>
#include <float.h>
#include <math.h>
#include <stdlib.h>
#include <string.h>
#include <unistd.h>

#include "../../lib/codes/coding.h"
#include "../../lib/codes/scheme.h"
#include "../../lib/core/rng.h"
#include "../../lib/io/binfmt.h"
#include "../../lib/io/stream.h"
#include "../../lib/ops/ops.h"
#include "../../lib/work/work.h"
#include "check.h"
#include "helpers.h"


/* Decode with the workers in `failed` (bitmask) silent. Returns 0 ok, -1 failed (msg in e). */
static int run_subset(const coda_plan *p, const coda_frame_list *tasks, const coda_mat *operand,
                      unsigned failed, coda_mat *out, coda_err *e)
{
    coda_frame_list res = {0};
    size_t k = 0;
    while (k < tasks->n) {
        size_t j = k;
        int w = (int)tasks->f[k].tag[CODA_TAG_WORKER];
        while (j < tasks->n && tasks->f[j].tag[CODA_TAG_WORKER] == w)
            j++;
        if (!(failed >> w & 1) &&
            coda_worker_run(tasks->f + k, j - k, operand, NAN, coda_frame_list_sink, &res, e) < 0) {
            coda_frame_list_free(&res);
            return -2;
        }
        k = j;
    }
    coda_decode_info info;
    int rc = coda_decode(p, res.f, res.n, out, &info, e);
    coda_frame_list_free(&res);
    return rc;
}

static void exhaustive(const char *scheme, int N, int s, const char *op, const char *gen)
{
    coda_err e;
    coda_meta opts = {0};
    if (gen)
        coda_meta_set(&opts, "generator", gen, &e);
    coda_scheme_args a = {.N = N, .s = s, .op = op, .seed = 3, .opts = &opts};
    coda_mat data, operand, ref = {0};
    size_t m = 23, n = 5;
    int sum = strcmp(op, "grad") == 0, lsq = strcmp(op, "lsq-columns") == 0;
    if (lsq) { /* data: right-hand sides (n x 11); operand A (n x n) */
        test_randn(&operand, n, n, 11, 7);
        for (size_t i = 0; i < n; i++)
            CODA_AT(&operand, i, i) += 4.0; /* well conditioned */
        test_randn(&data, n, 11, 12, 7);
        coda_op_apply("lsq-columns", NULL, &data, &operand, &ref, NULL, &e);
    } else {
        test_randn(&data, m, n + (sum ? 1 : 0), 13, 7);
        test_randn(&operand, n, strcmp(op, "matmul") == 0 ? 3 : 1, 14, 7);
        coda_op_apply(op, NULL, &data, &operand, &ref, NULL, &e); /* the uncoded result, one worker */
    }
    coda_plan p;
    int rc = coda_plan_build(&p, scheme, &a, lsq ? data.cols : data.rows, &e);
    CHECK(rc == 0, "%s N=%d s=%d %s: %s", scheme, N, s, op, e.msg);
    if (rc < 0)
        return;
    coda_frame_list tasks = {0};
    CHECK(coda_encode_tasks(&p, &data, coda_frame_list_sink, &tasks, &e) == 0, "%s", e.msg);
    int ok_all = 1, fail_some = 0, msg_ok = 1, too_many_wrong = 0;
    double worst = 0;
    for (unsigned mask = 0; mask < (1u << N); mask++) {
        int cnt = __builtin_popcount(mask);
        if (cnt > s + 1)
            continue;
        coda_mat out;
        e.msg[0] = '\0';
        rc = run_subset(&p, &tasks, &operand, mask, &out, &e);
        if (cnt <= s) {
            if (rc != 0) {
                ok_all = 0;
                printf("  %s N=%d s=%d %s mask=%#x: %s\n", scheme, N, s, op, mask, e.msg);
            } else
                worst = fmax(worst, test_rel_err(&out, &ref));
        } else if (rc != 0) {
            fail_some = 1;
            msg_ok &= strstr(e.msg, "need any") != NULL;
        } else if (test_rel_err(&out, &ref) > 1e-12)
            too_many_wrong = 1;
        if (rc == 0)
            coda_mat_free(&out);
    }
    CHECK(ok_all, "%s N=%d s=%d %s: some subset of <= s stragglers failed to decode", scheme, N, s, op);
    CHECK(worst <= 1e-12, "%s N=%d s=%d %s: relative error %.3g", scheme, N, s, op, worst);
    CHECK(fail_some, "%s N=%d s=%d %s: s+1 stragglers never failed", scheme, N, s, op);
    CHECK(msg_ok, "%s N=%d s=%d %s: failure message lacks 'need any': %s", scheme, N, s, op, e.msg);
    CHECK(!too_many_wrong, "%s N=%d s=%d %s: a decode with s+1 stragglers was wrong", scheme, N, s, op);
    coda_frame_list_free(&tasks);
    coda_plan_free(&p);
    coda_mat_free(&data);
    coda_mat_free(&operand);
    coda_mat_free(&ref);
    coda_meta_free(&opts);
}

/* Cyclic gradient codes decode from every responder set of size >= N-s, all N included (where
 * the system is rank deficient by s and an absolute SVD cutoff used to invert round-off), for
 * many seeds; the error stays within the round-off the reported condition number allows:
 * ||g^ - g|| <= c u (N cond sum_j ||g_j|| + rows ||X|| (||X|| ||beta|| + ||y||)), the second
 * term the reference's own rounding (one worker over all rows). */
static void cyclic_all_subsets(int N, int s, int seeds)
{
    size_t rows = 4 * (size_t)N + 3, n = 4;
    int failed = 0, worst_seed = 0;
    double worst = 0;
    for (int seed = 1; seed <= seeds; seed++) {
        coda_err e;
        coda_scheme_args a = {.N = N, .s = s, .op = "grad", .seed = (unsigned long long)seed};
        coda_mat data, beta, ref = {0}, X;
        test_randn(&data, rows, n + 1, 100 + seed, 7);
        test_randn(&beta, n, 1, 200 + seed, 7);
        coda_op_apply("grad", NULL, &data, &beta, &ref, NULL, &e);
        coda_plan p;
        if (coda_plan_build(&p, "cyclic", &a, rows, &e) < 0) {
            CHECK(0, "cyclic N=%d s=%d seed %d: %s", N, s, seed, e.msg);
            continue;
        }
        /* sum_j ||g_j||, the blocks' own gradients */
        double gsum = 0, nX, ny = cblas_dnrm2((int)rows, data.data + n * rows, 1);
        for (int j = 0; j < p.K; j++) {
            coda_mat blk, gj;
            coda_mat_sub(&blk, &data, p.bounds[j], coda_plan_block_len(&p, j), 0, n + 1, &e);
            coda_op_apply("grad", NULL, &blk, &beta, &gj, NULL, &e);
            gsum += coda_mat_fro(&gj);
            coda_mat_free(&blk), coda_mat_free(&gj);
        }
        coda_mat_sub(&X, &data, 0, rows, 0, n, &e);
        nX = coda_mat_fro(&X);
        coda_mat_free(&X);
        coda_frame_list tasks = {0};
        coda_encode_tasks(&p, &data, coda_frame_list_sink, &tasks, &e);
        for (unsigned mask = 0; mask < (1u << N); mask++) {
            if (__builtin_popcount(mask) > s)
                continue;
            coda_mat out;
            coda_decode_info info;
            coda_frame_list res = {0};
            for (size_t k = 0; k < tasks.n; k++) /* one task frame per held block */
                if (!(mask >> tasks.f[k].tag[CODA_TAG_WORKER] & 1)) {
                    size_t j = k;
                    while (j < tasks.n && tasks.f[j].tag[CODA_TAG_WORKER] == tasks.f[k].tag[CODA_TAG_WORKER])
                        j++;
                    coda_worker_run(tasks.f + k, j - k, &beta, NAN, coda_frame_list_sink, &res, &e);
                    k = j - 1;
                }
            if (coda_decode(&p, res.f, res.n, &out, &info, &e) < 0) {
                if (!failed++)
                    printf("  cyclic N=%d s=%d seed %d mask %#x: %s\n", N, s, seed, mask, e.msg);
            } else {
                double d = 0;
                for (size_t k = 0; k < n; k++)
                    d += (out.data[k] - ref.data[k]) * (out.data[k] - ref.data[k]);
                double tol = 16 * DBL_EPSILON * (N * info.cond * gsum + rows * nX * (nX * coda_mat_fro(&beta) + ny));
                if (sqrt(d) / tol > worst)
                    worst = sqrt(d) / tol, worst_seed = seed;
                coda_mat_free(&out);
            }
            coda_frame_list_free(&res);
        }
        coda_frame_list_free(&tasks);
        coda_plan_free(&p);
        coda_mat_free(&data), coda_mat_free(&beta), coda_mat_free(&ref);
    }
    CHECK(!failed, "cyclic N=%d s=%d: %d responder sets of size >= N-s refused", N, s, failed);
    CHECK(worst <= 1, "cyclic N=%d s=%d: error %.3g x the round-off bound (seed %d)", N, s, worst,
          worst_seed);
}

/* coda_plan_from_assignment: G's own threshold, checked against what the codes guarantee, and
 * a G no set of workers decodes refused. */
static void assigned_thresholds(void)
{
    coda_err e;
    coda_scheme_args a = {.N = 0, .s = 0, .op = "matmul", .seed = 3};
    struct { const char *scheme, *op; int N, s, expect; } cases[] = {
        {"frc", "matmul", 6, 2, 4}, {"rep", "matmul", 5, 1, 4}, {"mds", "matmul", 6, 2, 4},
        {"cyclic", "grad", 6, 2, 4}, {"uncoded", "grad", 4, 0, 4}};
    for (size_t c = 0; c < sizeof cases / sizeof cases[0]; c++) {
        coda_plan ref, p;
        coda_scheme_args b = {.N = cases[c].N, .s = cases[c].s, .op = cases[c].op, .seed = 3};
        a.op = cases[c].op;
        CHECK(coda_plan_build(&ref, cases[c].scheme, &b, 30, &e) == 0, "%s", e.msg);
        int rc = coda_plan_from_assignment(&p, &ref.G, &a, 30, &e);
        CHECK(rc == 0 && p.threshold == cases[c].expect && !p.threshold_bound,
              "assigned %s G: threshold %d, expected %d (%s)", cases[c].scheme, rc ? -1 : p.threshold,
              cases[c].expect, rc ? e.msg : "");
        if (rc == 0)
            coda_plan_free(&p);
        coda_plan_free(&ref);
    }
    /* two equal coded rows and a third: rank 2 of 3 blocks even from all workers */
    coda_mat G;
    coda_mat_alloc(&G, 3, 3, &e);
    double v[9] = {1, 1, 0, 2, 2, 1, 0.5, 0.5, 3}; /* column-major: rows 0 and 1 equal */
    memcpy(G.data, v, sizeof v);
    a.op = "matmul";
    coda_plan p;
    CHECK(coda_plan_from_assignment(&p, &G, &a, 30, &e) < 0 && strstr(e.msg, "even all 3 workers"),
          "rank-deficient G accepted: %s", e.msg);
    memset(G.data, 0, sizeof v);
    G.data[0] = G.data[4] = 1; /* block 2 held by nobody */
    CHECK(coda_plan_from_assignment(&p, &G, &a, 30, &e) < 0 && strstr(e.msg, "block 2"),
          "G with an empty column accepted: %s", e.msg);
    coda_mat_free(&G);
}

/* Every data-coded task is its worker's G-weighted sum of the zero-padded blocks, made here
 * entry by entry, whether the encoder makes it alone, in a batch with others sharing a pass
 * over the data, or hands a systematic block in place (views: coda_encode_g). Tolerance: the
 * sum's own rounding, K u sum_j |G[i,j] x_j| per entry. */
/* An m x n Gaussian data matrix (stream `stream`) and a plan of the scheme for it (a
 * failure to build one is a failed check); 0, or -1 with nothing left allocated. */
static int plan_for(coda_plan *p, coda_mat *data, const char *scheme, int N, int s,
                    const char *op, const coda_meta *opts, size_t m, size_t n, uint64_t stream)
{
    coda_err e;
    coda_scheme_args a = {.N = N, .s = s, .op = op, .seed = 5, .opts = opts};
    test_randn(data, m, n, 21, stream);
    if (coda_plan_build(p, scheme, &a, strcmp(op, "lsq-columns") == 0 ? n : m, &e) < 0) {
        CHECK(0, "%s N=%d s=%d %s: %s", scheme, N, s, op, e.msg);
        coda_mat_free(data);
        return -1;
    }
    return 0;
}

static void tasks_are_sums(const char *scheme, int N, int s, const char *op, size_t m, size_t n)
{
    coda_err e;
    coda_mat data;
    coda_plan p;
    int by_cols = strcmp(op, "lsq-columns") == 0;
    if (plan_for(&p, &data, scheme, N, s, op, NULL, m, n, 7) < 0)
        return;
    CHECK(p.data_coded && p.by_cols == by_cols, "%s %s: not the code this test is for", scheme, op);
    size_t pad = coda_plan_max_block(&p);
    for (int views = 0; views < 2; views++) {
        coda_frame_list tasks = {0};
        int rc = views ? coda_encode_g(&p, &data, NULL, coda_frame_list_sink, &tasks, &e)
                       : coda_encode_tasks(&p, &data, coda_frame_list_sink, &tasks, &e);
        CHECK(rc == 0 && tasks.n == (size_t)N, "%s: %s", scheme, e.msg);
        int bad = 0;
        for (size_t k = 0; k < tasks.n && rc == 0; k++) {
            const coda_mat *t = &tasks.f[k].mat;
            int i = (int)tasks.f[k].tag[CODA_TAG_WORKER];
            bad |= i != (int)k || t->rows != (by_cols ? m : pad) || t->cols != (by_cols ? pad : n);
            for (size_t r = 0; r < t->rows && !bad; r++)
                for (size_t c = 0; c < t->cols; c++) {
                    double want = 0, mag = 0;
                    size_t along = by_cols ? c : r;
                    for (int j = 0; j < p.K; j++)
                        if (along < coda_plan_block_len(&p, j)) {
                            double x = by_cols ? CODA_AT(&data, r, p.bounds[j] + along)
                                               : CODA_AT(&data, p.bounds[j] + along, c);
                            want += CODA_AT(&p.G, i, j) * x;
                            mag += fabs(CODA_AT(&p.G, i, j) * x);
                        }
                    if (fabs(CODA_AT(t, r, c) - want) > p.K * DBL_EPSILON * mag)
                        bad = 1;
                }
        }
        CHECK(!bad, "%s N=%d s=%d %s views=%d: a task is not its G-weighted sum", scheme, N, s,
              op, views);
        coda_frame_list_free(&tasks);
    }
    coda_plan_free(&p);
    coda_mat_free(&data);
}

/* A parts sink that writes what it is given to a stream, as coda-encode's writer does. */
static int bytes_frame(void *ctx, coda_frame *f, coda_err *e)
{
    return coda_bin_write(ctx, f, e) < 0 ? -1 : 0;
}
static int bytes_head(void *ctx, const coda_frame *f, coda_err *e)
{
    return coda_bin_write_head(ctx, f, e) < 0 ? -1 : 0;
}
static int bytes_body(void *ctx, const void *p, size_t n, coda_err *e)
{
    return fwrite(p, 1, n, ctx) == n ? 0 : coda_fail(e, "short write");
}
static int bytes_end(void *ctx, coda_err *e)
{
    (void)ctx, (void)e;
    return 0;
}

/* coda_encode_file gives the bytes coda_encode gives for the same data in memory: blocks sent
 * by parts as they are read, the first batch of combined tasks filled from them, later
 * batches from passes over the file (cap below the combined tasks' count). With check set,
 * a NaN put at (bad_r, bad_c) is found and named; with opts, the scheme's options. */
static void file_tasks(const char *scheme, int N, int s, const char *op, size_t m, size_t n,
                       const char *opt, const char *val)
{
    coda_err e;
    coda_meta opts = {0};
    if (opt)
        coda_meta_set(&opts, opt, val, &e);
    coda_mat data;
    coda_plan p;
    if (plan_for(&p, &data, scheme, N, s, op, &opts, m, n, 8) < 0) {
        coda_meta_free(&opts);
        return;
    }
    char path[64];
    snprintf(path, sizeof path, "/tmp/coda-unit-%d.coda", (int)getpid());
    for (int nan = 0; nan < 2; nan++) {
        size_t bad_r = m - 1 - (size_t)N % m, bad_c = n / 2;
        if (nan)
            CODA_AT(&data, bad_r, bad_c) = NAN;
        coda_writer w;
        coda_frame df;
        coda_frame_init(&df, CODA_MATRIX);
        df.mat = coda_mat_view(&data, 0, m, 0, n);
        CHECK(coda_writer_open(&w, path, CODA_FMT_BIN, &e) == 0 && coda_writer_put(&w, &df, &e) == 0 &&
                  coda_writer_close(&w, &e) == 0, "%s", e.msg);
        coda_meta_free(&df.meta);
        char *want = NULL, *got = NULL;
        size_t wlen = 0, glen = 0;
        FILE *wf = open_memstream(&want, &wlen), *gf = open_memstream(&got, &glen);
        int rw = nan ? 0 : coda_encode(&p, &data, NULL, bytes_frame, wf, &e);
        CHECK(rw == 0, "%s in memory: %s", scheme, e.msg);
        coda_matfile mf;
        int opened = coda_matfile_open(&mf, path, &e);
        CHECK(opened == 1, "%s: the data file is not read in place", scheme);
        coda_parts_sink out = {bytes_frame, bytes_head, bytes_body, bytes_end, gf};
        int rg = opened == 1 ? coda_encode_file(&p, &mf, nan, &out, &e) : -1;
        fclose(wf);
        fclose(gf);
        if (nan) {
            char msg[128];
            snprintf(msg, sizeof msg, "the data entry (%zu,%zu) is NaN", bad_r + 1, bad_c + 1);
            CHECK(rg < 0 && strstr(e.msg, msg), "%s: a NaN at (%zu,%zu) not found: %s", scheme,
                  bad_r + 1, bad_c + 1, rg < 0 ? e.msg : "encoded");
        } else {
            CHECK(rg == 0 && glen == wlen && memcmp(got, want, wlen) == 0,
                  "%s N=%d s=%d %s %zux%zu: from the file %zu bytes, in memory %zu%s (%s)", scheme,
                  N, s, op, m, n, glen, wlen, glen == wlen ? ", which differ" : "",
                  rg < 0 ? e.msg : "encoded");
        }
        if (opened == 1)
            coda_matfile_close(&mf);
        free(want);
        free(got);
    }
    remove(path);
    coda_plan_free(&p);
    coda_mat_free(&data);
    coda_meta_free(&opts);
}

/* The gradient ops write every entry of their result (which is not zeroed first): against a
 * loop over the definition, X^T (X beta - y) and X^T (sigma(X beta) - y), within
 * 8 (rows + n) u ||X|| (||X|| ||beta|| + ||y||); an empty block's gradient is exactly zero.
 * The heap is first given a freed block of NaNs of the result's size, which malloc hands out
 * again, so an entry left unwritten shows. */
static void grad_written_whole(void)
{
    size_t n = 6;
    for (int logistic = 0; logistic < 2; logistic++)
        for (size_t rows = 0; rows < 9; rows += 4) {
            coda_err e;
            coda_mat data, beta, g = {0};
            test_randn(&data, rows, n + 1, 300 + rows, 3);
            test_randn(&beta, n, 1, 400 + rows, 3);
            double *poison = malloc(n * sizeof *poison);
            for (size_t j = 0; j < n; j++)
                poison[j] = NAN;
            free(poison);
            const char *op = logistic ? "logistic-grad" : "grad";
            int rc = coda_op_apply(op, NULL, &data, &beta, &g, NULL, &e);
            CHECK(rc == 0 && g.rows == n && g.cols == 1, "%s %zu rows: %s", op, rows,
                  rc ? e.msg : "shape");
            if (rc)
                continue;
            double worst = 0, nX = 0, ny = 0, nb = cblas_dnrm2((int)n, beta.data, 1);
            for (size_t i = 0; i < rows; i++)
                ny = hypot(ny, CODA_AT(&data, i, n));
            for (size_t j = 0; j < n; j++)
                for (size_t i = 0; i < rows; i++)
                    nX = hypot(nX, CODA_AT(&data, i, j));
            for (size_t j = 0; j < n; j++) {
                double want = 0;
                for (size_t i = 0; i < rows; i++) {
                    double xb = 0;
                    for (size_t k = 0; k < n; k++)
                        xb += CODA_AT(&data, i, k) * beta.data[k];
                    double r = (logistic ? 1 / (1 + exp(-xb)) : xb) - CODA_AT(&data, i, n);
                    want += CODA_AT(&data, i, j) * r;
                }
                double d = fabs(g.data[j] - want);
                if (!(d <= worst)) /* (a NaN counts as the worst) */
                    worst = isnan(d) ? INFINITY : d;
            }
            double tol = 8.0 * (double)(rows + n) * DBL_EPSILON * nX * (nX * nb + ny + 1);
            CHECK(rows ? worst <= tol : worst == 0, "%s %zu rows: error %g > %g", op, rows,
                  worst, tol);
            coda_mat_free(&data), coda_mat_free(&beta), coda_mat_free(&g);
        }
}

int main(void)
{
    grad_written_whole();
    tasks_are_sums("mds", 10, 2, "matmul", 203, 7);      /* uneven blocks, batches of tasks */
    tasks_are_sums("mds", 7, 3, "matvec", 50, 3);
    tasks_are_sums("mds", 6, 2, "lsq-columns", 4, 37); /* column blocks */
    file_tasks("mds", 10, 2, "matmul", 203, 7, NULL, NULL); /* uneven: a last block combined */
    file_tasks("mds", 10, 2, "matmul", 200, 7, NULL, NULL); /* parities filled as blocks pass */
    file_tasks("mds", 7, 3, "matvec", 50, 3, "generator", "chebyshev");
    file_tasks("mds", 6, 2, "lsq-columns", 4, 37, NULL, NULL); /* column blocks */
    file_tasks("mds", 6, 2, "lsq-columns", 5, 36, NULL, NULL);
    file_tasks("cyclic", 8, 3, "grad", 50, 3, NULL, NULL); /* all combined: a pass each */
    file_tasks("frc", 7, 2, "matmul", 31, 4, NULL, NULL);
    file_tasks("rep", 6, 2, "matmul", 31, 4, NULL, NULL); /* a task a block (not data-coded) */
    file_tasks("uncoded", 4, 0, "matmul", 9, 2, NULL, NULL);
    file_tasks("bgc", 6, 0, "grad", 40, 3, "replication", "2");
    cyclic_all_subsets(5, 1, 120);
    cyclic_all_subsets(6, 2, 60);
    cyclic_all_subsets(7, 3, 30);
    assigned_thresholds();
    exhaustive("uncoded", 4, 0, "matmul", NULL);
    exhaustive("rep", 6, 2, "matmul", NULL);
    exhaustive("frc", 6, 2, "matmul", NULL);
    exhaustive("frc", 7, 2, "matmul", NULL); /* uneven groups */
    exhaustive("mds", 6, 2, "matmul", NULL);
    exhaustive("mds", 7, 3, "matvec", "chebyshev");
    exhaustive("frc", 4, 1, "lsq-columns", NULL);
    exhaustive("mds", 5, 2, "lsq-columns", NULL);
    exhaustive("uncoded", 3, 0, "grad", NULL);
    exhaustive("rep", 5, 2, "grad", NULL);
    exhaustive("frc", 6, 1, "grad", NULL);
    exhaustive("cyclic", 6, 2, "grad", NULL);
    exhaustive("cyclic", 8, 3, "grad", NULL);
    /* schemes refuse results they cannot code */
    coda_err e;
    coda_plan p;
    coda_scheme_args a = {.N = 4, .s = 1, .op = "matmul", .seed = 1};
    CHECK(coda_plan_build(&p, "cyclic", &a, 10, &e) < 0 && strstr(e.msg, "sums"), "cyclic matmul");
    a.op = "grad";
    CHECK(coda_plan_build(&p, "mds", &a, 10, &e) < 0, "mds grad");
    a.s = 4;
    CHECK(coda_plan_build(&p, "frc", &a, 10, &e) < 0, "s >= N");
    return check_summary();
}
