/* A coded job: a code (its plan), an engine and the master's policy. start() encodes the data
 * once and installs the shards on the engine's workers; step() runs one round with an operand
 * and decodes what came back. The pipeline coda-encode | coda-worker-sim | coda-decode is the
 * same computation split over three processes. */
#ifndef CODA_JOB_H
#define CODA_JOB_H

#include "../codes/coding.h"
#include "../engine/engine.h"

typedef struct {
    coda_plan plan;
    coda_engine *engine; /* its own (owns_engine), or one several jobs share */
    int owns_engine;
    int set;             /* its task set on the engine */
    coda_policy policy;  /* decodable is set by the job when until_decodable */
    int until_decodable; /* wait for arrivals until the code can decode */
    coda_frame_list results; /* the last round's, in arrival order */
    coda_round_info round;
    coda_decode_info decoded;
    const coda_meta *decode_opts; /* the scheme's decode-time options for step (may be NULL) */
} coda_job;

/* Takes the plan over. The engine is opened for plan->N workers with config. The shards may
 * be views of data, which must outlive the job. */
int coda_job_start(coda_job *j, coda_plan *plan, const coda_mat *data,
                   const coda_engine_type *type, const void *config, const coda_policy *policy,
                   int until_decodable, coda_err *e);
/* The same on an engine already open (the caller's, closed by the caller after the jobs):
 * the job installs its shards as a new task set, so that several jobs share the workers. */
int coda_job_start_on(coda_job *j, coda_plan *plan, const coda_mat *data, coda_engine *engine,
                      const coda_policy *policy, int until_decodable, coda_err *e);
/* One round: broadcast operand, collect, decode into out. A round whose responders cannot
 * determine the result fails with class CODA_E_FEW (the loop decides what to do). */
int coda_job_step(coda_job *j, unsigned long long round, const coda_mat *operand, coda_mat *out,
                  coda_err *e);
void coda_job_free(coda_job *j);

#endif
