/* The decode path, as coda-decode (cmd/decode.c) runs it: the input is a stream with a PLAN
 * frame and RESULT frames (coda-worker-sim output); the plan is parsed, the results collected
 * and decoded by the plan's scheme (coda_decode_with; matdot plans with both decoders);
 * lsq-columns results also give their solver figures. */
#include <string.h>

#include "../../lib/codes/coding.h"
#include "../../lib/codes/plan.h"
#include "../../lib/codes/product.h"
#include "../../lib/work/work.h"
#include "fuzz.h"

/* Decode as coda-decode does once the frames are in. */
static void decode(const coda_plan *p, const coda_frame *res, size_t n, const char *decoder)
{
    coda_mat out = {0};
    coda_decode_info info;
    coda_err e;
    coda_meta opts = {0};
    if (decoder)
        coda_meta_set(&opts, "decoder", decoder, &e);
    int rc = coda_decode_with(p, res, n, &opts, &out, &info, &e);
    coda_meta_free(&opts);
    if (rc == 0 && strcmp(p->op, "lsq-columns") == 0) {
        coda_lsq_opts so;
        coda_lsq_stats st;
        char capped[512];
        if (coda_lsq_opts_from_meta(&p->extra, &so, &e) == 0 &&
            coda_lsq_stats_from_results(p, res, n, &st, &e) == 0) {
            coda_lsq_capped_text(&st, so.iters, capped, sizeof capped);
            coda_lsq_stats_free(&st);
        }
    }
    coda_mat_free(&out);
}

int LLVMFuzzerTestOneInput(const uint8_t *data, size_t size)
{
    coda_frame_list l = {0}, res = {0};
    coda_plan plan = {0};
    coda_err e;
    int have_plan = 0;
    /* coda-decode stops at a read error; so do we */
    if (fuzz_read_all(fuzz_file(FUZZ_IN, data, size), &l, &e) < 0)
        goto out;
    for (size_t k = 0; k < l.n; k++) {
        coda_frame *f = &l.f[k];
        if (f->kind == CODA_PLAN) {
            if (have_plan++ || coda_plan_from_frame(f, &plan, &e) < 0)
                goto out; /* a second PLAN or a bad one: coda-decode stops */
        } else if (f->kind == CODA_RESULT) {
            if (!have_plan)
                goto out;
            (void)coda_result_block(&plan, f);
            if (coda_frame_list_push(&res, f, &e) < 0)
                goto out;
        }
    }
    if (!have_plan)
        goto out;
    decode(&plan, res.f, res.n, NULL);
    if (strcmp(plan.scheme, "matdot") == 0 || strcmp(plan.scheme, "matdot-approx") == 0)
        decode(&plan, res.f, res.n, "minnorm");
out:
    coda_plan_free(&plan);
    coda_frame_list_free(&res);
    coda_frame_list_free(&l);
    return 0;
}
