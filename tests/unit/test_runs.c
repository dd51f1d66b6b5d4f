/* The seeds of coda-solve --runs (lib/run/runs.h): run 0 keeps the seed; the others are
 * hashed, so that no run of one seed is a run of a nearby seed (as seed + r would make
 * run 1 of seed s run 0 of seed s + 1), and a seed's runs are all different. */
#include "../../lib/run/runs.h"
#include "check.h"

int main(void)
{
    for (unsigned long long s = 0; s < 50; s++) {
        CHECK(coda_run_seed(s, 0) == s, "run 0 of seed %llu", s);
        for (unsigned long long r = 1; r < 50; r++) {
            unsigned long long x = coda_run_seed(s, r);
            CHECK(x >= 100 && x != s + r, "seed %llu run %llu: %llu", s, r, x);
            CHECK(x != coda_run_seed(s + 1, r - 1), "seed %llu run %llu collides", s, r);
            for (unsigned long long q = 1; q < r; q++)
                CHECK(x != coda_run_seed(s, q), "seed %llu: runs %llu and %llu", s, q, r);
        }
    }
    /* the same (seed, r), the same seed: a run replays */
    CHECK(coda_run_seed(7, 3) == coda_run_seed(7, 3), "replay");
    return check_summary();
}
