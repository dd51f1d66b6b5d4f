/* Seeded random numbers: xoshiro256** seeded through splitmix64. A (seed, stream) pair names an
 * independent sequence, so e.g. worker i can draw its latency from stream i no matter in which
 * order workers are processed: same seed, same bytes. */
#ifndef CODA_RNG_H
#define CODA_RNG_H

#include <stddef.h>
#include <stdint.h>

typedef struct {
    uint64_t s[4];
    double spare; /* second Box-Muller normal */
    int has_spare;
} coda_rng;

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
