/* Which workers respond, and when. Worker i's base time for the whole job is drawn from the
 * latency model on its own random stream (seed, i); its latency is load * base. Failures
 * (exactly S at random, named ones, or independent with probability p_i) never respond.
 * --wait-for F keeps the F earliest responders; --deadline T those that finish by T. */
#ifndef CODA_STRAGGLE_H
#define CODA_STRAGGLE_H

#include <stddef.h>

#include "../core/err.h"

typedef enum { CODA_LAT_NONE, CODA_LAT_SHIFTEXP, CODA_LAT_PARETO, CODA_LAT_REPLAY } coda_lat_kind;

typedef struct {
    coda_lat_kind kind;
    double a, b;           /* shifted-exp: shift, rate; pareto: scale, shape */
    const double *replay;  /* replay: base time per worker */
    size_t nreplay;
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

/* "none", "shifted-exp:SHIFT,RATE", "pareto:SCALE,SHAPE" ("replay" is set up by the caller). */
int coda_latency_parse(const char *spec, coda_straggle_model *m, coda_err *e);
int coda_straggle_draw(const coda_straggle_model *m, int N, double load, coda_straggle_outcome *o,
                       coda_err *e);
void coda_straggle_free(coda_straggle_outcome *o);

#endif
