/* The worker-stage options coda-worker-sim and coda-solve --method gd share, parsed in one
 * place: who straggles and when (the straggler model), who lies and how (the adversary), and
 * how long the master waits (the policy):
 *   -s/--stragglers S  --straggle-workers LIST  -p/--straggle-prob P  --straggle-probs FILE
 *   --responders Q  --latency MODEL  --latency-scale-by-load
 *   -t/--adversaries T  --corrupt-workers LIST  --attack KIND
 *   --wait-for F  --deadline T  --until-decodable
 * Each is a coda_cli_option entry (lib/cli/options.h) below, with its help. */
#ifndef CODA_WORKER_OPTS_H
#define CODA_WORKER_OPTS_H

#include <getopt.h>
#include <stdio.h>

#include "../engine/engine.h"
#include "options.h"

enum {
    CODA_OPT_STRAGGLE_WORKERS = 1100,
    CODA_OPT_STRAGGLE_PROBS,
    CODA_OPT_RESPONDERS,
    CODA_OPT_LATENCY,
    CODA_OPT_SCALE_BY_LOAD,
    CODA_OPT_CORRUPT_WORKERS,
    CODA_OPT_ATTACK,
    CODA_OPT_WAIT_FOR,
    CODA_OPT_DEADLINE,
    CODA_OPT_UNTIL_DECODABLE,
    /* the options of a worker-stage program (coda-worker-sim, coda-worker-mpi) */
    CODA_OPT_OPERAND,
    CODA_OPT_LOG,
    CODA_OPT_TRUTH
};

/* The same options as coda_cli_option entries, with their help (lib/cli/options.h): the
 * straggler model, the adversary and the policy, without --until-decodable, which only a
 * program with a decoder takes (CODA_CLI_UNTIL_DECODABLE). */
#define CODA_CLI_STRAGGLER_OPTIONS                                                                 \
    {"stragglers", 's', "S", "exactly S workers, drawn at random each round, never respond"},    \
        {"straggle-workers", CODA_OPT_STRAGGLE_WORKERS, "LIST",                                    \
         "these workers (0-based, comma-separated) never respond"},                                \
        {"responders", CODA_OPT_RESPONDERS, "Q",                                                   \
         "exactly Q workers respond, a uniform Q-subset (fixed-q)"},                               \
        {"straggle-prob", 'p', "P", "each worker fails independently with probability P"},        \
        {"straggle-probs", CODA_OPT_STRAGGLE_PROBS, "FILE",                                        \
         "one failure probability per worker (a column)"}
#define CODA_CLI_LATENCY_OPTIONS                                                                   \
    {"latency", CODA_OPT_LATENCY, "MODEL",                                                         \
     "none, shifted-exp:SHIFT,RATE, pareto:SCALE,SHAPE, replay:FILE, rates:FILE or "              \
     "rates:LO,HI (1 + Exp(rate_i)), empirical:FILE (two columns: time, CDF)"},                   \
        {"latency-scale-by-load", CODA_OPT_SCALE_BY_LOAD, NULL,                                    \
         "a worker with more data is slower (off by default)"}
#define CODA_CLI_ADVERSARY_OPTIONS                                                                 \
    {"adversaries", 't', "T", "T corrupt workers, drawn at random each round"},                   \
        {"corrupt-workers", CODA_OPT_CORRUPT_WORKERS, "LIST", "these workers are corrupt"},        \
        {"attack", CODA_OPT_ATTACK, "KIND",                                                        \
         "what a corrupt worker sends: gauss[:SIGMA] (default, 100), replace:S, scale:C, flip, "  \
         "zero, const:C, sparse:K:S, small:S, uniform:A, wrong-input:S, collude[:S]"}
#define CODA_CLI_WAIT_FOR_HELP(h) {"wait-for", CODA_OPT_WAIT_FOR, "F", h}
#define CODA_CLI_DEADLINE_HELP(h) {"deadline", CODA_OPT_DEADLINE, "T", h}
#define CODA_CLI_WORKER_OPTIONS                                                                    \
    CODA_CLI_STRAGGLER_OPTIONS, CODA_CLI_LATENCY_OPTIONS, CODA_CLI_ADVERSARY_OPTIONS,             \
        CODA_CLI_WAIT_FOR_HELP("collect only the F earliest responders"),                          \
        CODA_CLI_DEADLINE_HELP("collect only the workers done by time T")
#define CODA_CLI_UNTIL_DECODABLE_HELP(h) {"until-decodable", CODA_OPT_UNTIL_DECODABLE, NULL, h}

/* A worker-stage program's own options (coda-worker-sim, coda-worker-mpi), but -o, -q, -h,
 * --version (CODA_CLI_OUTPUT_HELP ...). */
#define CODA_CLI_WORKER_STAGE_OPTIONS                                                              \
    {"operand", CODA_OPT_OPERAND, "FILE", "the right operand (else the one in the stream)"},      \
        CODA_CLI_ROUND_HELP("the round whose draws to use (default 0): the same as round R of "   \
                            "coda-solve --method gd with the same seed"),                          \
        CODA_CLI_SEED_HELP("seed of every random choice (default 1)"),                            \
        {"log", CODA_OPT_LOG, "FILE", "CSV: worker,latency,responded ('-': stdout, with -o)"},    \
        {"truth", CODA_OPT_TRUTH, "FILE", "CSV: round,worker,corrupt,straggled,latency"}

typedef struct {
    coda_sim_config sim;
    coda_policy policy;
    int until_decodable;
    /* files named by options, read by coda_worker_options_finish */
    const char *probs_path, *replay_path, *rates_path, *cdf_path;
    long *named, *corrupt_named;
    double *pi, *replay, *rate, *cdf;
} coda_worker_opts;

/* Defaults: no stragglers, no adversaries, no latency model, wait for everyone. */
void coda_worker_options_init(coda_worker_opts *o, unsigned long long seed);
/* 1 when c is one of the options above (parsed into o), 0 when it is not, -1 with e set
 * (class usage) when its value is bad. */
int coda_worker_option(int c, const char *arg, coda_worker_opts *o, coda_err *e);
/* After parsing: read the files the options name (class data on a bad file), check what the
 * options need of each other. */
int coda_worker_options_finish(coda_worker_opts *o, coda_err *e);
void coda_worker_options_free(coda_worker_opts *o);

/* A worker stage's --log (worker,latency,responded) and --truth (round,worker,corrupt,
 * straggled,latency) CSV of one round; f NULL: nothing. */
void coda_write_worker_log(FILE *f, int N, const double *latency, const char *responded);
void coda_write_truth(FILE *f, unsigned long long round, int N, const char *corrupt,
                      const char *responded, const double *latency);

#endif
