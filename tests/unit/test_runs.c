/* The seeds of coda-solve --runs (lib/run/runs.h): run 0 keeps the seed; the others are
 * hashed, so that no run of one seed is a run of a nearby seed (as seed + r would make
 * run 1 of seed s run 0 of seed s + 1), and a seed's runs are all different. One check per
 * property over seeds 0..49 and runs 0..49 (the first failure is named). */
#include "../../lib/run/runs.h"
#include "check.h"

int main(void)
{
    int keeps = 1, hashed = 1, apart = 1, distinct = 1;
    unsigned long long bad_s = 0, bad_r = 0;
    for (unsigned long long s = 0; s < 50; s++) {
        keeps &= coda_run_seed(s, 0) == s;
        for (unsigned long long r = 1; r < 50; r++) {
            unsigned long long x = coda_run_seed(s, r);
            int ok = x >= 100 && x != s + r;
            if (!ok && hashed)
                bad_s = s, bad_r = r;
            hashed &= ok;
            apart &= x != coda_run_seed(s + 1, r - 1);
            for (unsigned long long q = 1; q < r; q++)
                distinct &= x != coda_run_seed(s, q);
        }
    }
    CHECK(keeps, "run 0 keeps the seed");
    CHECK(hashed, "seed %llu run %llu is not hashed away from small seeds", bad_s, bad_r);
    CHECK(apart, "a run of seed s is a run of seed s + 1");
    CHECK(distinct, "two runs of one seed share a seed");
    /* the same (seed, r), the same seed: a run replays */
    CHECK(coda_run_seed(7, 3) == coda_run_seed(7, 3), "replay");
    return check_summary();
}
