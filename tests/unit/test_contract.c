/* The contract every registered scheme keeps, checked by iterating the registry (a new scheme
 * is tested by registering it): on small problems, every responder set of at least the
 * scheme's threshold decodes to the uncoded result (exact codes within 1e-10 relative, or a
 * round-off bound from the condition number decode reports; approximate codes within the error
 * decode predicts; sketching codes, whose decode is an unbiased estimate with no error bound
 * (status approximate, no report), on average over all responder sets of each size, which
 * under uniformly random responders is the expectation); one responder fewer than the threshold is refused, with class too-few, for
 * some set; honest results are never reported suspect; the same seed gives the same bytes;
 * the PLAN frame reads back to the same plan.
 * Codes built for straggling probabilities (CODA_CAP_ANY) take no -s and decode from every
 * responder set, the empty one to zero with status empty; the unbiased ones
 * (CODA_CAP_UNBIASED) have the exact result as the expectation of their decode under the
 * plan's straggle_probs, computed exactly over all 2^N sets.
 * The options a scheme needs are supplied by option name, never by scheme name: m (2), a
 * probability range (p-range), and a code from the code search (code). A scheme whose options
 * this generic test still cannot supply is named as skipped. */
#include <math.h>
#include <stdlib.h>
#include <string.h>

#include "../../lib/codes/scheme.h"
#include "../../lib/codes/search.h"
#include "../../lib/core/rng.h"
#include "../../lib/ops/ops.h"
#include "../../lib/work/work.h"
#include "check.h"
#include "helpers.h"

static int takes(const coda_scheme *sc, const char *name)
{
    for (const coda_scheme_option *o = sc->options; o && o->name; o++)
        if (strcmp(o->name, name) == 0)
            return 1;
    return 0;
}

/* the workers in mask answer; their results, decoded */
static int run(const coda_plan *p, const coda_frame_list *tasks, const coda_mat *operand,
               unsigned mask, coda_mat *out, coda_decode_info *info, coda_err *e)
{
    coda_frame_list res = {0};
    size_t k = 0;
    int rc = 0;
    while (k < tasks->n && rc == 0) {
        size_t j = k;
        int w = (int)tasks->f[k].tag[CODA_TAG_WORKER];
        while (j < tasks->n && tasks->f[j].tag[CODA_TAG_WORKER] == w)
            j++;
        if (mask >> w & 1)
            rc = coda_worker_run(tasks->f + k, j - k, operand, NAN, coda_frame_list_sink, &res,
                                 e);
        k = j;
    }
    if (rc == 0)
        rc = coda_decode(p, res.f, res.n, out, info, e);
    coda_frame_list_free(&res);
    return rc;
}

static int same_frames(const coda_frame_list *a, const coda_frame_list *b)
{
    if (a->n != b->n)
        return 0;
    for (size_t k = 0; k < a->n; k++) {
        const coda_mat *x = &a->f[k].mat, *y = &b->f[k].mat;
        if (x->rows != y->rows || x->cols != y->cols)
            return 0;
        for (size_t j = 0; j < x->cols; j++) /* column by column: a task may be a view */
            if (x->rows && memcmp(&CODA_AT(x, 0, j), &CODA_AT(y, 0, j), x->rows * sizeof(double)))
                return 0;
    }
    return 1;
}

/* CODA_CAP_ANY: every responder set decodes (the empty one to zero, status empty), none is
 * called suspect; CODA_CAP_UNBIASED: sum over the sets R of P(R) decode(R) is the exact result,
 * P(R) = prod_{i in R} (1 - p_i) prod_{i not in R} p_i with the plan's p. */
static void any_contract(const coda_scheme *sc, const coda_plan *p, const coda_frame_list *tasks,
                         const coda_mat *wop, const coda_mat *ref, const char *opname)
{
    coda_err e;
    const int N = p->N;
    double *prob = NULL;
    size_t np = 0;
    int unbiased = (sc->caps & CODA_CAP_UNBIASED) != 0;
    if (unbiased)
        CHECK(coda_meta_get_doubles(&p->extra, "straggle_probs", &prob, &np, &e) == 0 &&
                  np == (size_t)N,
              "%s: an unbiased code's plan has no straggle_probs for its %d workers", sc->name,
              N);
    coda_mat mean = {0};
    coda_mat_alloc(&mean, ref->rows, ref->cols, &e);
    int failed = 0, suspect = 0, nonzero_empty = 0, nonfinite = 0;
    double weight = 0, max_abs = 0;
    for (unsigned mask = 0; mask < (1u << N); mask++) {
        coda_mat out;
        coda_decode_info info;
        if (run(p, tasks, wop, mask, &out, &info, &e) < 0) {
            failed++;
            printf("  %s: responders %#x: %s\n", sc->name, mask, e.msg);
            continue;
        }
        suspect += info.status == CODA_DECODED_SUSPECT;
        nonfinite += coda_mat_first_nonfinite(&out) != (size_t)-1;
        if (mask == 0)
            for (size_t k = 0; k < out.rows * out.cols; k++)
                nonzero_empty += info.status != CODA_DECODED_EMPTY || out.data[k] != 0;
        if (prob && np == (size_t)N && out.rows == ref->rows && out.cols == ref->cols) {
            double w = 1;
            for (int i = 0; i < N; i++)
                w *= mask >> i & 1 ? 1 - prob[i] : prob[i];
            weight += w;
            for (size_t k = 0; k < out.rows * out.cols; k++) {
                mean.data[k] += w * out.data[k];
                max_abs = fmax(max_abs, fabs(out.data[k]));
            }
        }
        coda_mat_free(&out);
    }
    CHECK(failed == 0, "%s %s: %d responder sets failed to decode", sc->name, opname, failed);
    CHECK(suspect == 0, "%s %s: %d honest decodes reported suspect", sc->name, opname, suspect);
    CHECK(nonfinite == 0, "%s %s: %d decodes not finite", sc->name, opname, nonfinite);
    CHECK(nonzero_empty == 0, "%s %s: nobody answering did not decode to zero, status empty",
          sc->name, opname);
    if (unbiased && prob) {
        /* round-off: 2^N weighted terms, each of size at most max_abs, relative to |ref| */
        double err = test_rel_err(&mean, ref), ref_norm = 0;
        for (size_t k = 0; k < ref->rows * ref->cols; k++)
            ref_norm = fmax(ref_norm, fabs(ref->data[k]));
        double tol = 1e2 * 2.2e-16 * (1 << N) * (1 + max_abs / (ref_norm > 0 ? ref_norm : 1));
        CHECK(fabs(weight - 1) < 1e-12, "%s: the set probabilities sum to %.17g", sc->name,
              weight);
        CHECK(err <= tol, "%s %s: the expected decode is off the exact result by %.3g (> %.3g)",
              sc->name, opname, err, tol);
    }
    free(prob);
    coda_mat_free(&mean);
}

static void contract(const coda_scheme *sc, const char *opname)
{
    coda_err e;
    int both = (sc->caps & CODA_CAP_BOTH_FACTORS) != 0, sums = strcmp(opname, "grad") == 0;
    int any = (sc->caps & CODA_CAP_ANY) != 0;
    /* 5 workers; 6 for the codes of any responders, whose replication must divide N */
    const int N = any ? 6 : 5;
    coda_meta opts = {0};
    if (takes(sc, "m"))
        coda_meta_set(&opts, "m", "2", &e);
    if (takes(sc, "replication"))
        coda_meta_set(&opts, "replication", "2", &e);
    if (takes(sc, "p-range"))
        coda_meta_set(&opts, "p-range", "0.05,0.4", &e);
    coda_search_result code = {0};
    if (takes(sc, "code")) { /* a searched code for m = 2 pieces, decodable from 2 of N */
        coda_search_opts so = {.m = 2, .k = 2, .P = N, .starts = 2, .iters = 200, .seed = 3,
                               .stop_loss = 1e-26, .trace_every = 1000};
        CHECK(coda_matdot_search(&so, &code, &e) == 0, "%s: code search: %s", sc->name, e.msg);
    }
    coda_mat data, operand, ref;
    test_randn(&data, 12, sums ? 5 : 6, 1, 5);
    test_randn(&operand, sums ? 4 : 6, sums ? 1 : 3, 2, 5);
    coda_op_apply(opname, NULL, &data, &operand, &ref, NULL, &e); /* the uncoded result */
    coda_scheme_args a = {.N = N, .s = any ? 0 : 1, .op = opname, .seed = 7, .opts = &opts,
                          .data = &data, .operand = &operand,
                          .code = code.code.data ? &code.code : NULL};
    coda_plan p;
    if (coda_plan_build(&p, sc->name, &a, data.rows, &e) < 0) {
        /* every registered scheme builds from the options above: one that does not is a
         * scheme the contract does not cover, a failure rather than a skip */
        CHECK(0, "%s %s: the contract's plan does not build: %s", sc->name, opname, e.msg);
        coda_meta_free(&opts), coda_mat_free(&data), coda_mat_free(&operand), coda_mat_free(&ref);
        coda_mat_free(&code.code);
        return;
    }
    if (!both) {
        size_t r, c;
        coda_op_result_shape(opname, data.rows, data.cols, &operand, &r, &c, &e);
        coda_plan_set_shape(&p, r, c, &e);
    }
    coda_frame_list tasks = {0}, again = {0};
    CHECK(coda_encode(&p, &data, both ? &operand : NULL, coda_frame_list_sink, &tasks, &e) == 0,
          "%s: %s", sc->name, e.msg);
    /* same seed, same bytes: the plan and the tasks */
    coda_plan q;
    CHECK(coda_plan_build(&q, sc->name, &a, data.rows, &e) == 0 &&
              coda_encode(&q, &data, both ? &operand : NULL, coda_frame_list_sink, &again,
                          &e) == 0 &&
              same_frames(&tasks, &again) && q.G.rows == p.G.rows &&
              memcmp(q.G.data, p.G.data, p.G.rows * p.G.cols * sizeof(double)) == 0,
          "%s: the same seed gave other bytes", sc->name);
    coda_plan_free(&q);
    coda_frame_list_free(&again);
    /* the PLAN frame reads back to the same plan (and writes the same frame again) */
    coda_frame f1, f2;
    int ok = coda_plan_to_frame(&p, &f1, &e) == 0 && coda_plan_from_frame(&f1, &q, &e) == 0 &&
             coda_plan_to_frame(&q, &f2, &e) == 0;
    CHECK(ok, "%s: save/load: %s", sc->name, e.msg);
    if (ok) {
        int same = f1.meta.n == f2.meta.n && q.threshold == p.threshold && q.K == p.K;
        for (size_t k = 0; same && k < f1.meta.n; k++)
            same = strcmp(f1.meta.key[k], f2.meta.key[k]) == 0 &&
                   strcmp(f1.meta.val[k], f2.meta.val[k]) == 0;
        CHECK(same, "%s: the plan read back differs", sc->name);
        coda_frame_free(&f2);
        coda_plan_free(&q);
    }
    coda_frame_free(&f1);
    if (any) {
        any_contract(sc, &p, &tasks, both ? NULL : &operand, &ref, opname);
        coda_frame_list_free(&tasks);
        coda_plan_free(&p);
        coda_meta_free(&opts);
        coda_mat_free(&data), coda_mat_free(&operand), coda_mat_free(&ref);
        coda_mat_free(&code.code);
        return;
    }
    /* every set of at least threshold responders decodes; one fewer is refused for some set */
    const coda_mat *wop = both ? NULL : &operand;
    int thr = p.threshold ? p.threshold : N, bad_sets = 0, refused = 0, wrong_class = 0,
        suspect = 0;
    double worst = 0;
    coda_mat mean[8]; /* sketching codes: the sum of the decodes of each size's sets (N < 8) */
    int nmean[8];
    memset(mean, 0, sizeof mean);
    memset(nmean, 0, sizeof nmean);
    for (unsigned mask = 1; mask < (1u << N); mask++) {
        int r = __builtin_popcount(mask);
        if (r < thr - 1)
            continue;
        coda_mat out;
        coda_decode_info info;
        int rc = run(&p, &tasks, wop, mask, &out, &info, &e);
        if (r == thr - 1) {
            if (rc < 0) {
                refused++;
                wrong_class += e.cls != CODA_E_FEW;
            }
        } else if (rc < 0) {
            bad_sets++;
            printf("  %s: responders %#x: %s\n", sc->name, mask, e.msg);
        } else if (info.status == CODA_DECODED_APPROX && !info.report) {
            if (!nmean[r]++)
                coda_mat_alloc(&mean[r], out.rows, out.cols, &e);
            for (size_t k = 0; k < out.rows * out.cols && k < mean[r].rows * mean[r].cols; k++)
                mean[r].data[k] += out.data[k];
        } else {
            double err = test_rel_err(&out, &ref);
            /* exact codes: round-off through the decoding system; approximate ones: the bound
             * decode reports */
            double cond = isfinite(info.cond) && info.cond > 0 ? info.cond : 1;
            double tol = info.report ? info.predicted * (1 + 1e-9) + 1e-15
                                     : 1e3 * 2.2e-16 * cond * (1 + info.max_coef);
            if (!(err <= tol)) {
                bad_sets++;
                printf("  %s: responders %#x: error %.3g above %.3g\n", sc->name, mask, err, tol);
            }
            worst = fmax(worst, err / tol);
            suspect += info.status == CODA_DECODED_SUSPECT;
        }
        coda_mat_free(&out);
    }
    for (int r = 1; r <= N; r++) {
        if (!nmean[r])
            continue;
        for (size_t k = 0; k < mean[r].rows * mean[r].cols; k++)
            mean[r].data[k] /= nmean[r];
        double err = test_rel_err(&mean[r], &ref);
        CHECK(err <= 1e3 * 2.2e-16 * nmean[r], "%s %s: the mean over the %d sets of %d "
              "responders is off by %.3g", sc->name, opname, nmean[r], r, err);
        coda_mat_free(&mean[r]);
    }
    CHECK(bad_sets == 0, "%s %s: %d responder sets of >= %d failed", sc->name, opname, bad_sets,
          thr);
    CHECK(suspect == 0, "%s %s: %d honest decodes reported suspect", sc->name, opname, suspect);
    CHECK(thr <= 1 || refused > 0, "%s %s: no set of %d responders was refused", sc->name,
          opname, thr - 1);
    CHECK(wrong_class == 0, "%s %s: %d refusals not of class too-few", sc->name, opname,
          wrong_class);
    coda_frame_list_free(&tasks);
    coda_plan_free(&p);
    coda_meta_free(&opts);
    coda_mat_free(&data), coda_mat_free(&operand), coda_mat_free(&ref);
    coda_mat_free(&code.code);
}

int main(void)
{
    int tested = 0;
    for (const coda_scheme *const *s = coda_scheme_list(); *s; s++) {
        if (*s == coda_scheme_for_assignment())
            continue; /* its G is the user's: test_codes.c covers it */
        if ((*s)->caps & CODA_CAP_SUMS)
            contract(*s, "grad");
        if ((*s)->caps & CODA_CAP_CONCATS)
            contract(*s, "matmul");
        tested++;
    }
    CHECK(tested >= 9, "only %d schemes registered", tested);
    return check_summary();
}
