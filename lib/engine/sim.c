/* The simulator engine: every worker's ops really run (BLAS), in the order of their drawn
 * arrivals, so that a policy that stops early computes only what it collects. */
#include <math.h>
#include <stdlib.h>
#include <string.h>

#include "../work/work.h"
#include "engine.h"

/* One job's installed tasks, grouped by worker. */
typedef struct {
    coda_frame_list tasks;
    size_t *first, *count; /* worker w's tasks: tasks.f[first[w] .. first[w]+count[w]) */
    double *worker_load;
    double load;
} sim_set;

typedef struct {
    coda_sim_config cfg;
    sim_set *sets;
    int nsets;
    char *responded, *straggled, *corrupt;
    int *order;
    coda_straggle_outcome drawn;
} sim_state;

static void set_free(sim_set *t)
{
    coda_frame_list_free(&t->tasks);
    free(t->first);
    free(t->count);
    free(t->worker_load);
}

static void sim_close(coda_engine *g)
{
    sim_state *s = g->state;
    if (!s)
        return;
    for (int k = 0; k < s->nsets; k++)
        set_free(&s->sets[k]);
    free(s->sets);
    free(s->responded);
    free(s->straggled);
    free(s->corrupt);
    free(s->order);
    coda_straggle_free(&s->drawn);
    free(s);
    g->state = NULL;
}

static int sim_open(coda_engine *g, int N, const void *config, coda_err *e)
{
    sim_state *s = calloc(1, sizeof *s);
    if (!s)
        return coda_fail_oom(e);
    g->state = s;
    s->cfg = *(const coda_sim_config *)config;
    s->responded = calloc((size_t)N, 1);
    s->straggled = calloc((size_t)N, 1);
    s->corrupt = calloc((size_t)N, 1);
    s->order = calloc((size_t)N, sizeof *s->order);
    if (!s->responded || !s->straggled || !s->corrupt || !s->order) {
        sim_close(g);
        return coda_fail_oom(e);
    }
    return 0;
}

static int sim_install(coda_engine *g, coda_frame *tasks, size_t n, double load, int *set,
                       coda_err *e)
{
    sim_state *s = g->state;
    int rc = 0;
    for (size_t k = 0; k < n && rc == 0; k++) {
        int64_t w = tasks[k].tag[CODA_TAG_WORKER];
        if (tasks[k].kind != CODA_TASK || w < 0 || w >= g->N)
            rc = coda_fail(e, "task %zu: worker tag %lld outside 0..%d", k, (long long)w,
                           g->N - 1);
    }
    /* built aside, and counted only once it is whole */
    sim_set one = {.load = load}, *t = &one;
    if (rc == 0) {
        t->first = calloc((size_t)g->N, sizeof *t->first);
        t->count = calloc((size_t)g->N, sizeof *t->count);
        t->worker_load = calloc((size_t)g->N, sizeof *t->worker_load);
        if (!t->first || !t->count || !t->worker_load)
            rc = coda_fail_oom(e);
    }
    /* stable sort by worker (tasks of one worker keep their order) */
    size_t *idx = rc == 0 ? malloc((n ? n : 1) * sizeof *idx) : NULL;
    if (rc == 0 && !idx)
        rc = coda_fail_oom(e);
    if (rc == 0) {
        for (size_t k = 0; k < n; k++)
            t->count[tasks[k].tag[CODA_TAG_WORKER]]++;
        size_t at = 0;
        for (int w = 0; w < g->N; w++) {
            t->first[w] = at;
            at += t->count[w];
            t->count[w] = 0;
        }
        for (size_t k = 0; k < n; k++) {
            int w = (int)tasks[k].tag[CODA_TAG_WORKER];
            idx[t->first[w] + t->count[w]++] = k;
        }
    }
    double total = 0;
    for (size_t k = 0; k < n && rc == 0; k++) {
        coda_frame *f = &tasks[idx[k]];
        const char *role = coda_meta_get(&f->meta, "role");
        if (!role) {
            double sz = (double)f->mat.rows * (double)f->mat.cols;
            t->worker_load[f->tag[CODA_TAG_WORKER]] += sz;
            total += sz;
        }
        rc = coda_frame_list_push(&t->tasks, f, e);
    }
    for (size_t k = 0; k < n; k++)
        coda_frame_free(&tasks[k]);
    free(idx);
    /* each worker's share of the data its tasks hold, for latency scaled by load */
    for (int w = 0; rc == 0 && w < g->N && total > 0; w++)
        t->worker_load[w] /= total;
    sim_set *more = rc == 0 ? realloc(s->sets, (size_t)(s->nsets + 1) * sizeof *more) : NULL;
    if (rc == 0 && !more)
        rc = coda_fail_oom(e);
    if (rc < 0) {
        set_free(t);
        return rc;
    }
    s->sets = more;
    s->sets[s->nsets] = one;
    *set = s->nsets++;
    return 0;
}

static int sim_round(coda_engine *g, int set, unsigned long long round, const coda_mat *operand,
                     const coda_policy *p, coda_frame_list *out, coda_round_info *info,
                     coda_err *e)
{
    sim_state *s = g->state;
    int N = g->N;
    if (N < 1)
        return coda_fail(e, "the engine has no workers");
    if (set < 0 || set >= s->nsets)
        return coda_fail(e, "the engine has no task set %d (%d installed)", set, s->nsets);
    const sim_set *ts = &s->sets[set];
    coda_straggle_model m = s->cfg.straggle;
    m.round = round;
    m.wait_for = -1; /* the policy decides, below */
    m.deadline = -1;
    m.worker_load = ts->worker_load;
    coda_straggle_free(&s->drawn);
    if (coda_straggle_draw(&m, N, ts->load, &s->drawn, e) < 0)
        return -1;
    coda_adversary adv = s->cfg.adversary;
    adv.round = round;
    if (coda_adversary_draw(&adv, N, s->corrupt, e) < 0)
        return -1;
    /* arrivals: the workers that did not fail, by latency (ties by index) */
    int n = 0;
    for (int w = 0; w < N; w++)
        if (isfinite(s->drawn.latency[w]))
            s->order[n++] = w;
    for (int i = 1; i < n; i++) {
        int v = s->order[i], j = i - 1;
        while (j >= 0 && s->drawn.latency[s->order[j]] > s->drawn.latency[v]) {
            s->order[j + 1] = s->order[j];
            j--;
        }
        s->order[j + 1] = v;
    }
    memset(s->responded, 0, (size_t)N);
    memset(s->straggled, 1, (size_t)N);
    int got = 0, rc = 0;
    double time = 0;
    size_t before = out->n;
    if (n == 0 && p->deadline >= 0)
        time = p->deadline; /* nobody: the master waited until the deadline */
    for (int i = 0; i < n && rc == 0; i++) {
        int w = s->order[i];
        double t = s->drawn.latency[w];
        if (p->deadline >= 0 && t > p->deadline) {
            time = p->deadline; /* the master waited until the deadline */
            break;
        }
        if (p->wait_for > 0 && got >= p->wait_for)
            break;
        coda_corruption bad = {&adv, s->corrupt};
        /* the latency stays in the round's info, not in every result's metadata */
        rc = coda_worker_run_as(ts->tasks.f + ts->first[w], ts->count[w], w, operand, NAN, &bad,
                                coda_frame_list_sink, out, e);
        if (rc < 0)
            break;
        for (size_t k = before; k < out->n; k++)
            out->f[k].tag[CODA_TAG_ITER] = (int64_t)round;
        before = out->n;
        s->responded[w] = 1;
        s->straggled[w] = 0;
        got++;
        if (s->cfg.progress)
            s->cfg.progress(w, N);
        time = t;
        if (p->decodable && p->decodable(p->ctx, out->f, out->n))
            break;
    }
    *info = (coda_round_info){.N = N,
                              .responders = got,
                              .time = time,
                              .uncoded = s->drawn.uncoded,
                              .latency = s->drawn.latency,
                              .responded = s->responded,
                              .straggled = s->straggled,
                              .corrupt = s->corrupt};
    return rc;
}

const coda_engine_type coda_engine_sim = {"sim", sim_open, sim_install, sim_round, sim_close};

int coda_engine_open(coda_engine *g, const coda_engine_type *type, int N, const void *config,
                     coda_err *e)
{
    memset(g, 0, sizeof *g);
    if (N < 1)
        return coda_failc(e, CODA_E_USAGE, "an engine needs at least one worker");
    g->type = type;
    g->N = N;
    return type->open(g, N, config, e);
}

void coda_engine_close(coda_engine *g)
{
    if (g->type)
        g->type->close(g);
    memset(g, 0, sizeof *g);
}
