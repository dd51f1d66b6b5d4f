/* The RNG's streams: one per (seed, purpose, round, index); round 0 of the older purposes keeps
 * the stream numbers they had before purposes existed (same seed, same bytes). */
#include <stdint.h>

#include "../../lib/core/rng.h"
#include "check.h"

static int same_first(coda_rng *a, coda_rng *b, int n)
{
    for (int i = 0; i < n; i++)
        if (coda_rng_u64(a) != coda_rng_u64(b))
            return 0;
    return 1;
}

int main(void)
{
    coda_rng a, b;
    /* the legacy stream numbers of round 0 */
    const struct {
        coda_rng_purpose p;
        uint64_t base;
    } legacy[] = {{CODA_RNG_LATENCY, 0},
                  {CODA_RNG_FAILURE, UINT64_C(1) << 40},
                  {CODA_RNG_STRAGGLERS, UINT64_C(1) << 41},
                  {CODA_RNG_MDS, 0x6d6473},
                  {CODA_RNG_CYCLIC, 0x6379636c},
                  {CODA_RNG_SUBSETS, 0x6d6174646f74},
                  {CODA_RNG_RANGE, (UINT64_C(1) << 30) + 1}};
    for (size_t k = 0; k < sizeof legacy / sizeof legacy[0]; k++)
        for (uint64_t i = 0; i < 3; i++) {
            coda_rng_seed(&a, 42, legacy[k].p, 0, i);
            coda_rng_init(&b, 42, legacy[k].base + i);
            CHECK(same_first(&a, &b, 8), "purpose %d index %llu", (int)legacy[k].p,
                  (unsigned long long)i);
        }
    /* a round, an index, a purpose or a seed of its own gives a different stream */
    for (uint64_t r = 1; r < 4; r++) {
        coda_rng_seed(&a, 42, CODA_RNG_LATENCY, r, 5);
        coda_rng_seed(&b, 42, CODA_RNG_LATENCY, 0, 5);
        CHECK(!same_first(&a, &b, 2), "round %llu equals round 0", (unsigned long long)r);
        coda_rng_seed(&b, 42, CODA_RNG_LATENCY, r, 6);
        coda_rng_seed(&a, 42, CODA_RNG_LATENCY, r, 5);
        CHECK(!same_first(&a, &b, 2), "index 5 equals index 6 in round %llu",
              (unsigned long long)r);
        coda_rng_seed(&a, 42, CODA_RNG_ATTACK, r, 5);
        coda_rng_seed(&b, 42, CODA_RNG_ADVERSARY, r, 5);
        CHECK(!same_first(&a, &b, 2), "attack equals adversary");
        coda_rng_seed(&a, 43, CODA_RNG_ATTACK, r, 5);
        coda_rng_seed(&b, 42, CODA_RNG_ATTACK, r, 5);
        CHECK(!same_first(&a, &b, 2), "seed 43 equals seed 42");
    }
    /* the same name twice is the same stream */
    coda_rng_seed(&a, 7, CODA_RNG_ATTACK, 9, 3);
    coda_rng_seed(&b, 7, CODA_RNG_ATTACK, 9, 3);
    CHECK(same_first(&a, &b, 16), "a stream is not reproducible");
    return check_summary();
}
