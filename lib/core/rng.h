/* Seeded random numbers: xoshiro256** seeded through splitmix64. Every draw of the toolkit comes
 * from a stream named by (seed, purpose, round, index) through coda_rng_seed, so e.g. worker i
 * draws its latency of round r from its own stream no matter in which order workers are
 * processed or rounds are replayed: same seed, same bytes. */
#ifndef CODA_RNG_H
#define CODA_RNG_H

#include <stddef.h>
#include <stdint.h>

typedef struct {
    uint64_t s[4];
    double spare; /* second Box-Muller normal */
    int has_spare;
} coda_rng;

/* What a stream is drawn for. Round 0 of the purposes that existed before rounds did keeps the
 * stream numbers of that time (base + index), so old seeds give the same bytes; every other
 * (purpose, round, index) gets a hashed stream of its own. */
typedef enum {
    CODA_RNG_GEN,        /* test matrices (coda-gen) */
    CODA_RNG_LATENCY,    /* worker index's latency */
    CODA_RNG_FAILURE,    /* worker index's independent failure */
    CODA_RNG_STRAGGLERS, /* which S workers straggle */
    CODA_RNG_MDS,        /* the Gaussian MDS generator */
    CODA_RNG_CYCLIC,     /* the cyclic code's random H */
    CODA_RNG_SUBSETS,    /* responder subsets sampled to evaluate a code */
    CODA_RNG_SEARCH,     /* code search start index */
    CODA_RNG_SKETCH,     /* sketch index (a fresh S per iteration: index = iteration) */
    CODA_RNG_RANGE,      /* the Gaussian test matrix of approximate leverage scores */
    CODA_RNG_ADVERSARY,  /* which workers are corrupt */
    CODA_RNG_ATTACK,     /* what corrupt worker index sends */
    CODA_RNG_COLLUDE,    /* the one vector colluding workers all add */
    CODA_RNG_RATES,      /* worker index's latency rate drawn from a range (fixed across rounds) */
    CODA_RNG_HETERO_P,   /* hetero: worker index's psi_i or p_i drawn from a range */
    CODA_RNG_HETERO_WTILDE, /* hetero: worker index's random scale w~_i (--wtilde random) */
    CODA_RNG_BASELINE,   /* the random supports of bgc, od and sgc-het (index: the scheme's) */
    CODA_RNG_BYZ_COMBINE, /* the Byzantine decode's random combination (index = retry) */
    CODA_RNG_SGD,        /* the data points SGD draws in iteration round */
    CODA_RNG_RUN,        /* the seed of run index of coda-solve --runs (lib/run/runs.h) */
    CODA_RNG_CD,         /* the blocks coordinate descent updates in iteration round */
    CODA_RNG_NPURPOSES
} coda_rng_purpose;

void coda_rng_seed(coda_rng *r, uint64_t seed, coda_rng_purpose purpose, uint64_t round,
                   uint64_t index);
/* A raw (seed, stream) pair: only for sub-streams of a key drawn from a seeded stream (chunked
 * parallel draws); everything else goes through coda_rng_seed. */
void coda_rng_init(coda_rng *r, uint64_t seed, uint64_t stream);
uint64_t coda_rng_u64(coda_rng *r);
double coda_rng_uniform(coda_rng *r);     /* [0, 1), 53 random bits */
double coda_rng_normal(coda_rng *r);      /* N(0, 1) */
double coda_rng_exponential(coda_rng *r); /* Exp(1) */
uint64_t coda_rng_below(coda_rng *r, uint64_t n); /* uniform in [0, n), unbiased */
/* Uniform in [0, n) for 0 < n < 2^32, unbiased, without a division in the common case (Lemire's
 * multiply-shift with rejection); a different sequence from coda_rng_below's. */
uint32_t coda_rng_below32(coda_rng *r, uint32_t n);
/* The first k entries of perm become a uniform random k-subset of 0..n-1 (partial Fisher-Yates). */
void coda_rng_shuffle(coda_rng *r, size_t *perm, size_t n, size_t k);

#endif
