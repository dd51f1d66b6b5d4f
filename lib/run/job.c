#include "job.h"

#include "../codes/scheme.h"
#include "../ops/ops.h"

#include <stdlib.h>
#include <string.h>

/* Decoders see the results in worker order, so arrival order never changes the bytes. */
static int by_worker(const void *a, const void *b)
{
    const coda_frame *x = a, *y = b;
    int64_t wx = x->tag[CODA_TAG_WORKER], wy = y->tag[CODA_TAG_WORKER];
    if (wx != wy)
        return wx < wy ? -1 : 1;
    int64_t bx = x->tag[CODA_TAG_BLOCK], by = y->tag[CODA_TAG_BLOCK];
    return bx < by ? -1 : bx > by;
}

/* until decodable: the results so far determine the answer */
static int decodable(void *ctx, const coda_frame *res, size_t n)
{
    coda_job *j = ctx;
    coda_frame *sorted = malloc((n ? n : 1) * sizeof *sorted);
    if (!sorted)
        return 0;
    memcpy(sorted, res, n * sizeof *sorted); /* shallow: the decoder only reads */
    if (n > 1)
        qsort(sorted, n, sizeof *sorted, by_worker);
    coda_mat out = {0};
    coda_decode_info info;
    int ok = coda_decode(&j->plan, sorted, n, &out, &info, NULL) == 0;
    coda_mat_free(&out);
    free(sorted);
    return ok;
}

struct resident {
    coda_frame_list *tasks;
    int views; /* the op reads strided views */
};

/* a sink that keeps the tasks for install: views stay views where the op reads them */
static int keep_resident(void *ctx, coda_frame *f, coda_err *e)
{
    struct resident *r = ctx;
    if (f->mat.view && !r->views && !coda_mat_is_contiguous(&f->mat)) {
        coda_mat owned;
        if (coda_mat_copy(&owned, &f->mat, e) < 0)
            return -1;
        f->mat = owned;
    }
    return coda_frame_list_push(r->tasks, f, e);
}

/* The job's plan, policy and tasks: what starting on any engine needs first. */
static int job_prepare(coda_job *j, coda_plan *plan, const coda_mat *data,
                       const coda_policy *policy, int until_decodable, coda_frame_list *tasks,
                       coda_err *e)
{
    memset(j, 0, sizeof *j);
    j->plan = *plan;
    memset(plan, 0, sizeof *plan);
    const coda_scheme *sc = coda_plan_scheme(&j->plan);
    if (!sc || (sc->caps & CODA_CAP_BOTH_FACTORS))
        return coda_failc(e, CODA_E_USAGE, "a coded job runs G-coded schemes; %s is not one",
                          j->plan.scheme);
    j->policy = *policy;
    j->until_decodable = until_decodable;
    if (until_decodable) {
        j->policy.decodable = decodable;
        j->policy.ctx = j;
    }
    /* the result's shape where the data alone fixes it (a gradient's), for decode's checks;
     * an op whose shape needs the operand leaves it to the caller's plan */
    size_t rows, cols;
    if (coda_op_result_shape(j->plan.op, data->rows, data->cols, NULL, &rows, &cols, NULL) == 0 &&
        coda_plan_set_shape(&j->plan, rows, cols, e) < 0)
        return -1;
    /* the scheme's own encode: its blocks in place are views of the data, which outlives the
     * job (replicas cost no memory); an op that cannot read a strided view gets a copy */
    const coda_op *op = coda_op_find(j->plan.op);
    struct resident res = {tasks, op && op->views};
    return coda_encode_resident(&j->plan, data, keep_resident, &res, e);
}

static int job_install(coda_job *j, coda_frame_list *tasks, coda_err *e)
{
    if (j->engine->N != j->plan.N)
        return coda_fail(e, "the plan has %d workers, the engine %d", j->plan.N, j->engine->N);
    return j->engine->type->install(j->engine, tasks->f, tasks->n, j->plan.load, &j->set, e);
}

int coda_job_start(coda_job *j, coda_plan *plan, const coda_mat *data,
                   const coda_engine_type *type, const void *config, const coda_policy *policy,
                   int until_decodable, coda_err *e)
{
    coda_frame_list tasks = {0};
    int rc = job_prepare(j, plan, data, policy, until_decodable, &tasks, e);
    if (rc == 0 && !(j->engine = calloc(1, sizeof *j->engine)))
        rc = coda_fail_oom(e);
    if (rc == 0) {
        j->owns_engine = 1;
        rc = coda_engine_open(j->engine, type, j->plan.N, config, e);
    }
    if (rc == 0)
        rc = job_install(j, &tasks, e);
    coda_frame_list_free(&tasks);
    if (rc < 0)
        coda_job_free(j);
    return rc;
}

int coda_job_start_on(coda_job *j, coda_plan *plan, const coda_mat *data, coda_engine *engine,
                      const coda_policy *policy, int until_decodable, coda_err *e)
{
    coda_frame_list tasks = {0};
    int rc = job_prepare(j, plan, data, policy, until_decodable, &tasks, e);
    j->engine = engine;
    if (rc == 0)
        rc = job_install(j, &tasks, e);
    coda_frame_list_free(&tasks);
    if (rc < 0)
        coda_job_free(j);
    return rc;
}

int coda_job_step(coda_job *j, unsigned long long round, const coda_mat *operand, coda_mat *out,
                  coda_err *e)
{
    coda_frame_list_free(&j->results);
    if (j->engine->type->round(j->engine, j->set, round, operand, &j->policy, &j->results,
                               &j->round, e) < 0)
        return -1;
    if (j->results.n > 1) /* (a round nobody answered has no array to sort) */
        qsort(j->results.f, j->results.n, sizeof *j->results.f, by_worker);
    if (coda_decode_with(&j->plan, j->results.f, j->results.n, j->decode_opts, out, &j->decoded,
                         e) < 0)
        return -1; /* too few responders has its own class: the loop decides */
    return 0;
}

void coda_job_free(coda_job *j)
{
    if (j->owns_engine) {
        coda_engine_close(j->engine);
        free(j->engine);
    }
    coda_frame_list_free(&j->results);
    coda_plan_free(&j->plan);
    memset(j, 0, sizeof *j);
}
