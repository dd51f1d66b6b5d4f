/* R independent runs of coded gradient descent, averaged (coda-solve --method gd --runs R):
 * the paper's experiments (papers/hetero-gc.txt §6) report the mean over 10 runs.
 *
 * Run r draws everything from its own seed coda_run_seed(seed, r): the code (hetero's psi or p
 * from --psi-range/--p-range, a baseline's random support), the stragglers and the
 * adversaries. What a file fixes (--straggle-probs, --psi FILE) stays fixed. Run 0 keeps the
 * seed itself, so that one run is the plain run; coda-solve --run-index r replays run r alone.
 *
 * The runs go one after the other (memory: one job at a time). Per trace row they keep the
 * running mean and sum of squared deviations (Welford) of the loss, ||grad||, the error, the
 * responders and the simulated times; the result's beta is the mean of the runs' final betas. */
#ifndef CODA_RUNS_H
#define CODA_RUNS_H

#include "gd.h"

#include "../codes/scheme.h"

/* The seed of run r: seed itself for r = 0, else the first draw of the stream (seed,
 * CODA_RNG_RUN, 0, r) (a hash: run r of seed s is no run of a nearby seed, as s + r would be). */
unsigned long long coda_run_seed(unsigned long long seed, unsigned long long r);

typedef struct {
    const char *scheme;
    coda_scheme_args args;   /* args.seed: the base seed, replaced by each run's */
    const coda_mat *data;    /* [X y]: the workers' shards are views of it */
    const coda_mat *X, *y;   /* views of data: the master's copy */
    const coda_mat *x0, *ref; /* may be NULL: start at 0; no error column (NaN) */
    coda_gd_opts go;
    coda_sim_config sim;     /* its seeds replaced by each run's; p from the plan unless given */
    coda_policy policy;
    int until_decodable;
    int keep_rows;           /* record the per-iteration statistics (for a trace) */
} coda_gd_runs_setup;

/* The statistics of a trace row, in the trace's column order. */
enum {
    CODA_RUNS_LOSS,
    CODA_RUNS_GNORM,
    CODA_RUNS_ERROR,      /* ||beta - ref|| / ||ref|| (NaN without ref) */
    CODA_RUNS_RESPONDERS,
    CODA_RUNS_ROUND_TIME,
    CODA_RUNS_SIM_TIME,
    CODA_RUNS_ERROR_SQ,   /* its square: the mean of it is the paper's metric */
    CODA_RUNS_NSTATS
};

typedef struct {
    int R;
    long rows, cap;      /* trace rows recorded (a run writes one per iterate call) */
    long *count;         /* per row: the runs that wrote it (fewer when --tol stopped some) */
    double *mean, *m2;   /* per row, CODA_RUNS_NSTATS each (Welford) */
    coda_mat beta;       /* the mean of the runs' final betas */
    double loss;         /* the objective at that mean */
    double gnorm;        /* the mean of the final ||grad|| */
    double sim_time;     /* the mean simulated time of a run */
    long iters;          /* the most iterations a run did */
    long skipped;        /* rounds that could not decode, all runs */
    int K, s;            /* run 0's plan (for the trace's header) */
    double shrink;       /* run 0's two-track factor (1 without --two-track) */
} coda_gd_runs;

/* Runs R >= 1 runs; a failing run's error is prefixed "run r (seed S): ". */
int coda_gd_runs_do(coda_gd_runs *a, const coda_gd_runs_setup *s, int R, coda_err *e);
/* Row i (0-based): the mean and the sample standard deviation (0 from one run) of each
 * statistic over the runs that wrote it; returns that count. */
long coda_gd_runs_row(const coda_gd_runs *a, long i, double mean[CODA_RUNS_NSTATS],
                      double sd[CODA_RUNS_NSTATS]);
void coda_gd_runs_free(coda_gd_runs *a);

#endif
