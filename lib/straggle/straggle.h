/* Which workers respond in a round, and when. Worker i's base time is drawn from the latency
 * model on its own stream (seed, latency, round, i). For shifted-exp, pareto and replay the
 * base is a whole-job time and the latency is load * base (load: the plan's share of the data
 * one worker processes); rates and empirical draw a worker's whole round time, which is its
 * latency. With scale_by_load, worker i's latency is further multiplied by its own share of the
 * data relative to an even split (a worker with more data is slower). Failures (exactly S at
 * random, named ones, or independent with probability p_i) never respond. The fixed-q model of
 * papers/leverage-gc.txt §II-E is S = N - q; its q-fastest model is wait_for = q.
 * --wait-for F keeps the F earliest responders; --deadline T those that finish by T. */
#ifndef CODA_STRAGGLE_H
#define CODA_STRAGGLE_H

#include <stddef.h>

#include "../core/err.h"
#include "../core/meta.h"

typedef enum {
    CODA_LAT_NONE,
    CODA_LAT_SHIFTEXP,  /* a + Exp(rate b) */
    CODA_LAT_PARETO,    /* a / U^(1/b) */
    CODA_LAT_REPLAY,    /* replay[i] */
    CODA_LAT_RATES,     /* a + Exp(rate[i]): heterogeneous workers (papers/hetero-gc.txt eq. 23,
                         * shift 1: with deadline T, p_i = exp(-rate_i (T - 1))) */
    CODA_LAT_EMPIRICAL  /* inverse of a piecewise-linear runtime CDF */
} coda_lat_kind;

typedef struct {
    coda_lat_kind kind;
    double a, b;           /* shifted-exp: shift, rate; pareto: scale, shape */
    const double *replay;  /* replay: base time per worker */
    size_t nreplay;
    const double *rate;    /* rates: per worker (else drawn from U(rate_lo, rate_hi), fixed
                            * across rounds: a worker's speed is a property of the worker) */
    size_t nrate;
    double rate_lo, rate_hi;
    const double *cdf_t, *cdf_p; /* empirical: increasing times and CDF values 0..1 */
    size_t ncdf;
    const double *worker_load;   /* scale_by_load: each worker's share of the data */
    int scale_by_load;
    long responders;       /* > 0: exactly this many respond, uniformly at random (fixed-q) */
    unsigned long long round;
    long stragglers;       /* exactly this many at random; < 0: none */
    const long *named;     /* these never respond */
    size_t nnamed;
    double p;              /* independent failure probability, when pi is NULL */
    const double *pi;      /* per-worker failure probabilities */
    size_t npi;
    long wait_for;         /* < 0: every worker that does not fail */
    double deadline;       /* < 0: none */
    unsigned long long seed;
} coda_straggle_model;

typedef struct {
    int N;
    double *base;          /* whole-job time per worker */
    double *latency;       /* load * base; INFINITY for a failed worker */
    char *responded;
    int nresp, nfailed;
    double completion;     /* arrival of the last forwarded result */
    double uncoded;        /* N workers at load 1/N, all needed; INFINITY if one failed */
} coda_straggle_outcome;

/* "none", "shifted-exp:SHIFT,RATE", "pareto:SCALE,SHAPE", "rates:LO,HI" (rates drawn from a
 * range, shift 1); "replay", "rates:FILE" and "empirical:FILE" are set up by the caller. */
int coda_latency_parse(const char *spec, coda_straggle_model *m, coda_err *e);
int coda_straggle_draw(const coda_straggle_model *m, int N, double load, coda_straggle_outcome *o,
                       coda_err *e);
/* F(t) of an empirical model: the piecewise-linear CDF its draws invert (0 before its first
 * point's time when that point's probability is 0), after the checks a draw makes. */
int coda_latency_empirical_cdf(const coda_straggle_model *m, double t, double *F, coda_err *e);
void coda_straggle_free(coda_straggle_outcome *o);
/* Whether a draw of m can leave a worker out (failures, stragglers, named workers, fixed-q, or
 * replayed times, which may be infinite). When it cannot, every latency is finite and a caller
 * that only needs to know who fails need not draw (the MPI engine, every round). */
int coda_straggle_may_fail(const coda_straggle_model *m);
/* The code's own straggling probabilities as the failure model, when none was given (no -s,
 * --straggle-workers, -p, --straggle-probs nor --responders): a plan built for per-worker p
 * (hetero, sgc-het) records them as metadata straggle_probs (N values in [0, 1]). *owned
 * gets the array m->pi points to (the caller frees it; NULL when nothing was taken). Returns
 * 1 when taken, 0 when not, -1 on a malformed list. */
int coda_straggle_probs_from_meta(coda_straggle_model *m, const coda_meta *meta, int N,
                                  double **owned, coda_err *e);

#endif
