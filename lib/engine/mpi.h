/* The MPI engine (Open MPI): rank 0 is the master, ranks 1..N the workers. The master's side is
 * an engine like the simulator (coda_engine_mpi: install sends each worker its shards once,
 * round sends the round's operand and collects with MPI_Testsome/Waitsome until the policy is
 * met); the workers' side is coda_mpi_serve, which holds the shards and answers rounds until
 * the master says stop. Messages are frames in the stream's own binary format (lib/io/wire.h).
 *
 * The pattern is the one of papers' MPI code without its faults (specs/anchors.md part D): one
 * receive per worker is always posted, and a result is recognised by the round it carries (its
 * tag): a late one is dropped, never cancelled; no MPI_Cancel of sends and no Waitall at the
 * end of a round, so a straggler of round r costs round r nothing and is free to answer round
 * r+1 (a worker that falls behind skips to the newest round). Several jobs may share the
 * workers (each its task set, installed once): a result carries its set with its round, and
 * one of another set is as stale as one of an earlier round. At the end every worker is told
 * to stop and says goodbye, so a straggler still sleeping or computing never blocks shutdown
 * and the job ends with MPI_Finalize, not MPI_Abort.
 *
 * Built only into libcoda-mpi.a (the Makefile compiles it with Open MPI's flags); the rest of
 * libcoda knows nothing of MPI. */
#ifndef CODA_ENGINE_MPI_H
#define CODA_ENGINE_MPI_H

#include "engine.h"

/* What the workers do besides computing, and what the master knows of it: both sides parse the
 * same command line (mpirun starts the same program everywhere). */
typedef struct {
    /* --delay: each worker sleeps its drawn latency times delay_scale seconds before it
     * answers (the simulator's models, drawn per round from (seed, latency, round, worker));
     * the model's failures (-s, --straggle-workers, -p) never answer that round */
    coda_straggle_model delay;
    int delay_on;
    double delay_scale;
    coda_adversary adversary;  /* -t/--attack, applied by the corrupt workers */
    const long *fail;          /* --fail-workers: never answer at all */
    size_t nfail;
    int keep_stale;            /* keep a result of an earlier round of the same task set (it
                                * has its round tag) */
} coda_mpi_config;

/* MPI_Init, when the process runs under a launcher (mpirun, srun): 0 with *rank and *size, or
 * -1 with a usage error saying how to start it (nothing is initialised then). */
int coda_mpi_init(int *argc, char ***argv, int *rank, int *size, coda_err *e);
void coda_mpi_finalize(void);
/* Whether ok is true on every rank (collective: every rank calls it). */
int coda_mpi_all(int ok);

/* Worker ranks: wait for the shards, answer rounds, return at the master's stop. Returns the
 * exit status the master asked for (0, or 1/2 when the master failed; its message is in e). */
int coda_mpi_serve(const coda_mpi_config *cfg, coda_err *e);

/* The master, when it fails before (or without) opening the engine: tell every worker to stop
 * with this status and message, and wait until each has said goodbye. */
void coda_mpi_stop_workers(int status, const char *msg);

/* The master's engine (config: a coda_mpi_config). open checks that the communicator has N + 1
 * ranks (a usage error otherwise). round's time is wall-clock seconds since the round began,
 * and a responder's latency its measured arrival. The results a round appends are views into
 * the messages they came in (no copy): valid until the next round of the same task set, or
 * close. */
extern const coda_engine_type coda_engine_mpi;

/* Before closing after a failure: the status and message the workers should stop with (close
 * tells them 0 otherwise). */
void coda_mpi_engine_fail(coda_engine *g, int status, const char *msg);
/* Results of earlier rounds dropped so far (each arrived after its round had ended). */
long coda_mpi_engine_stale(const coda_engine *g);

#endif
