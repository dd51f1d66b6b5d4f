#include "rng.h"

#include <math.h>

static uint64_t splitmix64(uint64_t *x)
{
    uint64_t z = (*x += 0x9e3779b97f4a7c15ULL);
    z = (z ^ (z >> 30)) * 0xbf58476d1ce4e5b9ULL;
    z = (z ^ (z >> 27)) * 0x94d049bb133111ebULL;
    return z ^ (z >> 31);
}

void coda_rng_init(coda_rng *r, uint64_t seed, uint64_t stream)
{
    uint64_t x = seed ^ (stream * 0xd1342543de82ef95ULL + 0x2545f4914f6cdd1dULL);
    for (int i = 0; i < 4; i++)
        r->s[i] = splitmix64(&x);
    r->has_spare = 0;
    r->spare = 0.0;
}

void coda_rng_seed(coda_rng *r, uint64_t seed, coda_rng_purpose purpose, uint64_t round,
                   uint64_t index)
{
    /* the stream numbers in use before purposes existed (round 0 only); the overlap of gen,
     * latency, search and sketch at base 0 is kept so that old seeds reproduce */
    static const uint64_t legacy[CODA_RNG_NPURPOSES] = {
        [CODA_RNG_GEN] = 0,
        [CODA_RNG_LATENCY] = 0,
        [CODA_RNG_FAILURE] = UINT64_C(1) << 40,
        [CODA_RNG_STRAGGLERS] = UINT64_C(1) << 41,
        [CODA_RNG_MDS] = UINT64_C(0x6d6473),          /* "mds" */
        [CODA_RNG_CYCLIC] = UINT64_C(0x6379636c),     /* "cycl" */
        [CODA_RNG_SUBSETS] = UINT64_C(0x6d6174646f74), /* "matdot" */
        [CODA_RNG_SEARCH] = 0,
        [CODA_RNG_SKETCH] = 0,
        [CODA_RNG_RANGE] = (UINT64_C(1) << 30) + 1,
    };
    int has_legacy = purpose < CODA_RNG_ADVERSARY;
    if (round == 0 && has_legacy) {
        coda_rng_init(r, seed, legacy[purpose] + index);
        return;
    }
    /* top bit set: never one of the legacy stream numbers (all below 2^48 + index) */
    uint64_t x = (uint64_t)purpose * UINT64_C(0x9e3779b97f4a7c15) ^ round;
    uint64_t h = splitmix64(&x);
    x = h ^ index;
    h = splitmix64(&x);
    coda_rng_init(r, seed, h | UINT64_C(1) << 63);
}

static inline uint64_t rotl(uint64_t x, int k) { return (x << k) | (x >> (64 - k)); }

uint64_t coda_rng_u64(coda_rng *r)
{
    uint64_t *s = r->s;
    uint64_t result = rotl(s[1] * 5, 7) * 9, t = s[1] << 17;
    s[2] ^= s[0];
    s[3] ^= s[1];
    s[1] ^= s[2];
    s[0] ^= s[3];
    s[2] ^= t;
    s[3] = rotl(s[3], 45);
    return result;
}

double coda_rng_uniform(coda_rng *r) { return (double)(coda_rng_u64(r) >> 11) * 0x1.0p-53; }

double coda_rng_normal(coda_rng *r)
{
    if (r->has_spare) {
        r->has_spare = 0;
        return r->spare;
    }
    double u1, u2 = coda_rng_uniform(r);
    do
        u1 = coda_rng_uniform(r);
    while (u1 == 0.0);
    double rad = sqrt(-2.0 * log(u1)), th = 2.0 * M_PI * u2;
    r->spare = rad * sin(th);
    r->has_spare = 1;
    return rad * cos(th);
}

double coda_rng_exponential(coda_rng *r) { return -log1p(-coda_rng_uniform(r)); }

uint64_t coda_rng_below(coda_rng *r, uint64_t n)
{
    if (n == 0)
        return 0;
    uint64_t lim = UINT64_MAX - UINT64_MAX % n, x;
    do
        x = coda_rng_u64(r);
    while (x >= lim);
    return x % n;
}

uint32_t coda_rng_below32(coda_rng *r, uint32_t n)
{
    /* x n / 2^32 for a 32-bit x; the low word of the product decides rejection, and falls below
     * the threshold 2^32 mod n only with probability < n / 2^32 */
    uint64_t m = (coda_rng_u64(r) >> 32) * n;
    if ((uint32_t)m < n) {
        uint32_t t = (uint32_t)-n % n;
        while ((uint32_t)m < t)
            m = (coda_rng_u64(r) >> 32) * n;
    }
    return (uint32_t)(m >> 32);
}

void coda_rng_shuffle(coda_rng *r, size_t *perm, size_t n, size_t k)
{
    for (size_t i = 0; i < n; i++)
        perm[i] = i;
    for (size_t i = 0; i < k && i < n; i++) {
        size_t j = i + (size_t)coda_rng_below(r, n - i), t = perm[i];
        perm[i] = perm[j];
        perm[j] = t;
    }
}
