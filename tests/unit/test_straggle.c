/* The straggler model: reproducible draws, exact straggler counts, wait-for, and the mean
 * completion time against the order-statistics formula of the shifted exponential. */
#include <math.h>
#include <stdlib.h>
#include <string.h>

#include "../../lib/straggle/straggle.h"
#include "check.h"

int main(void)
{
    coda_err e;
    coda_straggle_model m = {.kind = CODA_LAT_SHIFTEXP, .a = 1.0, .b = 2.0, .stragglers = 3,
                             .wait_for = -1, .deadline = -1, .seed = 9};
    coda_straggle_outcome o1, o2;
    CHECK(coda_straggle_draw(&m, 20, 0.1, &o1, &e) == 0, "%s", e.msg);
    CHECK(coda_straggle_draw(&m, 20, 0.1, &o2, &e) == 0, "%s", e.msg);
    CHECK(memcmp(o1.latency, o2.latency, 20 * sizeof(double)) == 0 &&
              memcmp(o1.responded, o2.responded, 20) == 0, "same seed, different draws");
    CHECK(o1.nfailed == 3 && o1.nresp == 17, "exactly 3 stragglers: %d failed, %d responded",
          o1.nfailed, o1.nresp);
    CHECK(isinf(o1.uncoded), "uncoded run with failures should never finish");
    coda_straggle_free(&o2);
    m.seed = 10;
    CHECK(coda_straggle_draw(&m, 20, 0.1, &o2, &e) == 0, "%s", e.msg);
    CHECK(memcmp(o1.latency, o2.latency, 20 * sizeof(double)) != 0, "different seeds, same draws");
    coda_straggle_free(&o1);
    coda_straggle_free(&o2);

    /* E[X_(F:N)] = shift + (H_N - H_{N-F}) / rate for X = shift + Exp(rate) */
    int N = 30, F = 24, runs = 4000;
    double shift = 1.0, rate = 2.0, load = 0.25, sum = 0, sum2 = 0;
    coda_straggle_model w = {.kind = CODA_LAT_SHIFTEXP, .a = shift, .b = rate, .stragglers = -1,
                             .wait_for = F, .deadline = -1};
    int count_ok = 1;
    for (int r = 0; r < runs; r++) {
        w.seed = (unsigned long long)r + 1000;
        coda_straggle_outcome o;
        coda_straggle_draw(&w, N, load, &o, &e);
        count_ok &= o.nresp == F;
        double t = o.completion / load;
        sum += t;
        sum2 += t * t;
        coda_straggle_free(&o);
    }
    double mean = sum / runs, sd = sqrt(sum2 / runs - mean * mean), expect = shift;
    for (int k = N - F + 1; k <= N; k++)
        expect += 1.0 / (rate * k);
    CHECK(count_ok, "wait-for did not keep exactly F responders");
    CHECK(fabs(mean - expect) < 5 * sd / sqrt(runs), "mean completion %.5f, formula %.5f (sd %.4f)",
          mean, expect, sd);

    /* deadline and named workers */
    long named[] = {0, 5};
    coda_straggle_model d = {.kind = CODA_LAT_NONE, .stragglers = -1, .named = named, .nnamed = 2,
                             .wait_for = -1, .deadline = -1, .seed = 1};
    CHECK(coda_straggle_draw(&d, 6, 1.0 / 6, &o1, &e) == 0 && !o1.responded[0] &&
              !o1.responded[5] && o1.nresp == 4, "named stragglers");
    coda_straggle_free(&o1);
    named[1] = 6;
    CHECK(coda_straggle_draw(&d, 6, 1.0 / 6, &o1, &e) < 0 && strstr(e.msg, "outside"),
          "a named worker outside 0..N-1 is refused");
    coda_straggle_model pr = {.kind = CODA_LAT_NONE, .stragglers = -1, .p = 1.0, .wait_for = -1,
                              .deadline = -1, .seed = 1};
    CHECK(coda_straggle_draw(&pr, 5, 0.2, &o1, &e) == 0 && o1.nresp == 0, "p=1 fails everyone");
    coda_straggle_free(&o1);
    return check_summary();
}
