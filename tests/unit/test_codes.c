/* For small N and every straggler subset up to s: the decoded result equals the uncoded one to
 * 1e-12 relative (exhaustive, not sampled). With s+1 stragglers decoding either still succeeds
 * correctly or fails with a "need any ..." message, and it fails for some subset. */
#include <cblas.h>
#include <math.h>
#include <stdlib.h>
#include <string.h>

#include "../../lib/codes/coding.h"
#include "../../lib/codes/scheme.h"
#include "../../lib/core/rng.h"
#include "../../lib/ops/ops.h"
#include "../../lib/work/work.h"
#include "check.h"


static void randn(coda_mat *m, size_t r, size_t c, uint64_t seed)
{
    coda_rng g;
    coda_rng_init(&g, seed, 7);
    coda_mat_alloc(m, r, c, NULL);
    for (size_t k = 0; k < r * c; k++)
        m->data[k] = coda_rng_normal(&g);
}

static double rel_err(const coda_mat *x, const coda_mat *ref)
{
    if (x->rows != ref->rows || x->cols != ref->cols)
        return INFINITY;
    double d = 0;
    for (size_t k = 0; k < x->rows * x->cols; k++)
        d += (x->data[k] - ref->data[k]) * (x->data[k] - ref->data[k]);
    return sqrt(d) / coda_mat_fro(ref);
}

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
    coda_scheme_args a = {.N = N, .s = s, .op = op, .seed = 3, .generator = gen};
    coda_mat data, operand, ref = {0};
    size_t m = 23, n = 5;
    int sum = strcmp(op, "grad") == 0, lsq = strcmp(op, "lsq-columns") == 0;
    if (lsq) { /* data: right-hand sides (n x 11); operand A (n x n) */
        randn(&operand, n, n, 11);
        for (size_t i = 0; i < n; i++)
            CODA_AT(&operand, i, i) += 4.0; /* well conditioned */
        randn(&data, n, 11, 12);
        coda_op_apply("lsq-columns", NULL, &data, &operand, &ref, NULL, &e);
    } else {
        randn(&data, m, n + (sum ? 1 : 0), 13);
        randn(&operand, n, strcmp(op, "matmul") == 0 ? 3 : 1, 14);
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
                worst = fmax(worst, rel_err(&out, &ref));
        } else if (rc != 0) {
            fail_some = 1;
            msg_ok &= strstr(e.msg, "need any") != NULL;
        } else if (rel_err(&out, &ref) > 1e-12)
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
}

int main(void)
{
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
