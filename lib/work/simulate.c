#include <stdlib.h>
#include <string.h>

#include "work.h"

/* Where the frames come from: a stream (the pipeline) or a list in memory (one-shot programs).
 * next() gives 1 and a frame the caller then owns, 0 at the end, -1 on error; name and index
 * say where a frame came from in messages. */
typedef struct {
    int (*next)(void *src, coda_frame *f, coda_err *e);
    void *src;
    const char *name;
    long index;
} frame_source;

static int reader_next(void *src, coda_frame *f, coda_err *e)
{
    return coda_reader_next(src, f, e);
}

typedef struct {
    coda_frame *frames;
    size_t n, at;
} frame_cursor;

static int list_next(void *src, coda_frame *f, coda_err *e)
{
    (void)e;
    frame_cursor *l = src;
    if (l->at == l->n)
        return 0;
    *f = l->frames[l->at];
    memset(&l->frames[l->at++], 0, sizeof *f);
    return 1;
}

/* A corrupt worker's results pass through here on their way out. */
typedef struct {
    const coda_adversary *adv;
    coda_sink sink;
    void *ctx;
} corrupt_sink;

static int corrupt_out(void *ctx, coda_frame *f, coda_err *e)
{
    corrupt_sink *c = ctx;
    if (c->adv->kind != CODA_ATK_WRONG_INPUT &&
        coda_attack_result(c->adv, (int)f->tag[CODA_TAG_WORKER], &f->mat, e) < 0)
        return -1;
    if (coda_meta_set(&f->meta, "corrupt", "1", e) < 0)
        return -1;
    return c->sink(c->ctx, f, e);
}

int coda_worker_run_as(const coda_frame *tasks, size_t n, int w, const coda_mat *operand,
                       double latency, const coda_corruption *bad, coda_sink sink, void *ctx,
                       coda_err *e)
{
    if (!bad || !bad->corrupt || !bad->corrupt[w])
        return coda_worker_run(tasks, n, operand, latency, sink, ctx, e);
    corrupt_sink c = {bad->adv, sink, ctx};
    if (bad->adv->kind != CODA_ATK_WRONG_INPUT)
        return coda_worker_run(tasks, n, operand, latency, corrupt_out, &c, e);
    /* wrong-input: the operand the worker computes with is perturbed, its own (role=operand,
     * codes of both factors) where it has one, else the broadcast one */
    coda_mat perturbed = {0};
    coda_frame *own = malloc((n ? n : 1) * sizeof *own);
    if (!own)
        return coda_fail_oom(e);
    memcpy(own, tasks, n * sizeof *own); /* shallow: only an operand's matrix is replaced */
    int swapped = 0, rc = 0;
    for (size_t k = 0; k < n && rc == 0 && !swapped; k++) {
        const char *role = coda_meta_get(&tasks[k].meta, "role");
        if (role && strcmp(role, "operand") == 0) {
            rc = coda_attack_operand(bad->adv, w, &tasks[k].mat, &perturbed, e);
            own[k].mat = perturbed;
            swapped = 1;
        }
    }
    if (rc == 0 && !swapped) {
        if (!operand || !operand->data)
            rc = coda_failc(e, CODA_E_USAGE, "attack wrong-input: worker %d has no operand to "
                            "perturb", w);
        else if (coda_attack_operand(bad->adv, w, operand, &perturbed, e) == 0)
            operand = &perturbed;
        else
            rc = -1;
    }
    if (rc == 0)
        rc = coda_worker_run(own, n, operand, latency, corrupt_out, &c, e);
    free(own);
    coda_mat_free(&perturbed);
    return rc;
}

static int simulate(frame_source *r, const coda_plan *plan, const char *responded,
                    const double *latency, coda_mat *operand, int operand_fixed,
                    const coda_corruption *bad, coda_sink sink, void *ctx,
                    void (*progress)(int worker, int N), coda_err *e)
{
    coda_frame_list g = {0}; /* one worker's tasks */
    int gw = -1;
    char *done = calloc((size_t)plan->N, 1);
    int rc = done ? 0 : coda_fail_oom(e);
    coda_frame f;
    while (rc == 0) {
        int more = r->next(r->src, &f, e);
        if (more < 0) {
            rc = -1;
            break;
        }
        r->index += more;
        int w = more && f.kind == CODA_TASK ? (int)f.tag[CODA_TAG_WORKER] : -1;
        if (more && f.kind != CODA_TASK) {
            if (f.kind == CODA_MATRIX && !operand_fixed) {
                coda_mat_free(operand);
                *operand = f.mat;
                f.mat.data = NULL;
            } else if (f.kind != CODA_MATRIX)
                rc = coda_fail(e, "%s: frame %ld: unexpected %s frame", r->name, r->index - 1, coda_kind_name(f.kind));
            coda_frame_free(&f);
            continue;
        }
        if (more && (w < 0 || w >= plan->N)) {
            rc = coda_fail(e, "%s: frame %ld: task for worker %d outside 0..%d", r->name, r->index - 1, w, plan->N - 1);
            coda_frame_free(&f);
            break;
        }
        /* a worker's tasks are contiguous: run the group when the next worker begins */
        if (g.n && (!more || w != gw)) {
            if (responded[gw])
                rc = coda_worker_run_as(g.f, g.n, gw, operand, latency[gw], bad, sink, ctx, e);
            done[gw] = 1;
            coda_frame_list_free(&g);
            if (progress)
                progress(gw, plan->N);
        }
        if (!more)
            break;
        if (rc == 0 && done[w])
            rc = coda_fail(e, "%s: frame %ld: tasks of worker %d are not contiguous", r->name,
                           r->index - 1, w);
        if (rc == 0)
            rc = coda_frame_list_push(&g, &f, e);
        if (rc < 0) {
            coda_frame_free(&f);
            break;
        }
        gw = w;
    }
    coda_frame_list_free(&g);
    free(done);
    return rc;
}

int coda_simulate_workers(coda_reader *r, const coda_plan *plan, const char *responded,
                          const double *latency, coda_mat *operand, int operand_fixed,
                          const coda_corruption *bad, coda_sink sink, void *ctx,
                          void (*progress)(int worker, int N), coda_err *e)
{
    /* the PLAN frame was frame 0 of the stream */
    frame_source src = {reader_next, r, r->in.name, r->frames};
    return simulate(&src, plan, responded, latency, operand, operand_fixed, bad, sink, ctx,
                    progress, e);
}

int coda_simulate_frames(coda_frame *frames, size_t n, const coda_plan *plan,
                         const char *responded, const double *latency, coda_mat *operand,
                         const coda_corruption *bad, coda_sink sink, void *ctx,
                         void (*progress)(int worker, int N), coda_err *e)
{
    frame_cursor l = {frames, n, 0};
    frame_source src = {list_next, &l, "tasks", 0};
    int rc = simulate(&src, plan, responded, latency, operand, 1, bad, sink, ctx, progress, e);
    for (size_t k = l.at; k < n; k++)
        coda_frame_free(&frames[k]);
    return rc;
}
