/* Worker back ends behind one type. An engine holds N workers' resident shards (installed once)
 * and runs rounds: each round broadcasts an operand (a model beta, a vector v), runs the ops of
 * the workers that answer and collects their RESULT frames under the master's policy. Several
 * jobs may share the same workers (PGD's X coded by rows and X^T by columns): each installs its
 * own task set, and a round names the set it runs; one round runs at a time. The
 * policy (how long to wait) is separate from the straggler model (who is slow), which belongs
 * to the engine: the simulator draws it, a real back end measures it.
 *
 * Collected results come in arrival order; decoders sort them by worker, so arrival order never
 * changes a decoded result's bytes. */
#ifndef CODA_ENGINE_H
#define CODA_ENGINE_H

#include "../io/frame.h"
#include "../straggle/adversary.h"
#include "../straggle/straggle.h"

/* The master's collection policy. Every condition set must hold to keep waiting: the round ends
 * at the first of wait_for results, the deadline, or the first arrival after which
 * decodable() says yes. With none set, the round waits for every worker that answers. */
typedef struct {
    long wait_for;   /* > 0: stop after this many responders */
    double deadline; /* >= 0: drop arrivals after this time */
    /* until decodable: called after each arrival with the results so far; 1 stops the round */
    int (*decodable)(void *ctx, const coda_frame *res, size_t n);
    void *ctx;
} coda_policy;

/* What happened in a round, worker by worker (arrays of N owned by the engine, valid until the
 * engine's next round, of any task set, or close). */
typedef struct {
    int N, responders;
    double time;           /* simulated time of the round: the arrival that ended it */
    double uncoded;        /* what N workers at load 1/N, all needed, would have taken */
    const double *latency; /* INFINITY: the worker failed */
    const char *responded; /* its results were collected */
    const char *straggled; /* failed, or too late for the policy */
    const char *corrupt;   /* its outgoing results were corrupted */
} coda_round_info;

typedef struct coda_engine coda_engine;

typedef struct {
    const char *name;
    /* config: the engine's own (coda_sim_config for sim) */
    int (*open)(coda_engine *g, int N, const void *config, coda_err *e);
    /* Take the TASK frames over as a new task set: one job's shards for every worker (and the
     * worker's own operand frames for product codes), installed once. *set is its number (0,
     * 1, ... in the order installed); load is the job's plan's share of the data one worker
     * processes (for the latency models that scale by it). */
    int (*install)(coda_engine *g, coda_frame *tasks, size_t n, double load, int *set,
                   coda_err *e);
    /* One round of task set `set`: results appended to out (which the caller frees). A result
     * of another round, or of another set, is never collected. */
    int (*round)(coda_engine *g, int set, unsigned long long round, const coda_mat *operand,
                 const coda_policy *policy, coda_frame_list *out, coda_round_info *info,
                 coda_err *e);
    void (*close)(coda_engine *g);
} coda_engine_type;

struct coda_engine {
    const coda_engine_type *type;
    int N;
    void *state;
};

/* The simulator: straggler and adversary models drawn per round from (seed, purpose, round,
 * worker), whatever the task set (jobs that share workers number their rounds apart).
 * straggle.wait_for and straggle.deadline are ignored (the policy decides). Each worker's own
 * share of a set's data, for straggle.scale_by_load, comes from the sizes of its tasks. */
typedef struct {
    coda_straggle_model straggle;
    coda_adversary adversary;
    void (*progress)(int worker, int N); /* after each worker that ran (may be NULL) */
} coda_sim_config;

extern const coda_engine_type coda_engine_sim;

int coda_engine_open(coda_engine *g, const coda_engine_type *type, int N, const void *config,
                     coda_err *e);
void coda_engine_close(coda_engine *g);

#endif
