/* The plan parser: coda_plan_from_frame on every frame of the input stream (coda-decode and
 * coda-worker-sim parse the PLAN frame they are given). A plan it accepts must be consistent
 * (its blocks tile 0..length) and come back the same through coda_plan_to_frame. */
#include <math.h>
#include <string.h>

#include "../../lib/codes/plan.h"
#include "../../lib/codes/scheme.h"
#include "fuzz.h"

static void same_plan(const coda_plan *a, const coda_plan *b)
{
    if (strcmp(a->scheme, b->scheme) || strcmp(a->op, b->op) || a->N != b->N || a->K != b->K ||
        a->s != b->s || a->sum != b->sum || a->by_cols != b->by_cols ||
        a->combine != b->combine || a->data_coded != b->data_coded ||
        a->threshold != b->threshold ||
        !(a->load == b->load || (isnan(a->load) && isnan(b->load))) ||
        a->length != b->length || a->seed != b->seed)
        fuzz_fail("plan round-trip: a field changed (scheme %s, op %s, N %d, K %d)", a->scheme,
                  a->op, a->N, a->K);
    if (memcmp(a->bounds, b->bounds, ((size_t)a->K + 1) * sizeof *a->bounds))
        fuzz_fail("plan round-trip: block bounds changed");
    coda_frame fa, fb;
    coda_frame_init(&fa, CODA_PLAN);
    coda_frame_init(&fb, CODA_PLAN);
    fa.mat = a->G;
    fa.meta = a->extra;
    fb.mat = b->G;
    fb.meta = b->extra;
    fuzz_same_frame(&fa, &fb, 1, "plan round-trip (G, extra keys)");
}

static void check_plan(const coda_frame *f)
{
    coda_plan p, q;
    coda_frame g;
    coda_err e;
    if (coda_plan_from_frame(f, &p, &e) < 0) {
        coda_plan_free(&p);
        return;
    }
    size_t total = 0;
    for (int j = 0; j < p.K; j++)
        total += coda_plan_block_len(&p, j);
    if (total != p.length || coda_plan_max_block(&p) > p.length)
        fuzz_fail("plan: blocks of %zu items in all for length %zu", total, p.length);
    const coda_scheme *sc = coda_plan_scheme(&p);
    if (sc && sc->result_shape) { /* a product plan's piece shape, as decode asks it */
        size_t r, c;
        sc->result_shape(&p, &r, &c);
    }
    if (coda_plan_to_frame(&p, &g, &e) < 0)
        fuzz_fail("plan accepted but not written: %s", e.msg);
    if (coda_plan_from_frame(&g, &q, &e) < 0)
        fuzz_fail("plan written but not read back: %s", e.msg);
    same_plan(&p, &q);
    coda_plan_free(&q);
    coda_frame_free(&g);
    coda_plan_free(&p);
}

int LLVMFuzzerTestOneInput(const uint8_t *data, size_t size)
{
    coda_frame_list l = {0};
    coda_err e;
    fuzz_read_all(fuzz_file(FUZZ_IN, data, size), &l, &e); /* frames before an error count too */
    for (size_t k = 0; k < l.n; k++)
        check_plan(&l.f[k]);
    coda_frame_list_free(&l);
    return 0;
}
