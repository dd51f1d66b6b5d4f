/* Per-round draws of the straggler and adversary models: rounds differ and replay for the same
 * seed; fixed-q, heterogeneous rates with a deadline (papers/hetero-gc.txt eq. 23) and the
 * empirical runtime CDF against their laws; every attack kind changes a result as documented,
 * and only the drawn workers are corrupt. Statistical checks use tolerances of 5 standard
 * deviations (binomial) or the DKW bound at level 1e-6. */
#include <math.h>
#include <stdlib.h>
#include <string.h>

#include "../../lib/core/rng.h"
#include "../../lib/straggle/adversary.h"
#include "../../lib/straggle/straggle.h"
#include "check.h"

static coda_straggle_model base_model(void)
{
    return (coda_straggle_model){.kind = CODA_LAT_SHIFTEXP, .a = 1.0, .b = 2.0,
                                 .stragglers = 2, .wait_for = -1, .deadline = -1, .seed = 5};
}

static void rounds(void)
{
    coda_err e;
    coda_straggle_model m = base_model();
    coda_straggle_outcome a, b;
    int differ = 0;
    for (unsigned long long r = 0; r < 6; r++) {
        m.round = r;
        CHECK(coda_straggle_draw(&m, 12, 0.25, &a, &e) == 0, "%s", e.msg);
        CHECK(coda_straggle_draw(&m, 12, 0.25, &b, &e) == 0, "%s", e.msg);
        CHECK(memcmp(a.latency, b.latency, 12 * sizeof(double)) == 0 &&
                  memcmp(a.responded, b.responded, 12) == 0,
              "round %llu does not replay", r);
        CHECK(a.nfailed == 2, "round %llu: %d failed, not 2", r, a.nfailed);
        coda_straggle_free(&b);
        m.round = r + 1;
        CHECK(coda_straggle_draw(&m, 12, 0.25, &b, &e) == 0, "%s", e.msg);
        differ += memcmp(a.latency, b.latency, 12 * sizeof(double)) != 0;
        coda_straggle_free(&a);
        coda_straggle_free(&b);
    }
    CHECK(differ == 6, "consecutive rounds drew the same latencies %d of 6 times", 6 - differ);
}

static void fixed_q(void)
{
    coda_err e;
    coda_straggle_model m = base_model();
    m.stragglers = -1;
    m.responders = 7;
    int hits[10] = {0}, runs = 4000;
    for (int r = 0; r < runs; r++) {
        m.round = (unsigned long long)r;
        coda_straggle_outcome o;
        if (coda_straggle_draw(&m, 10, 0.1, &o, &e) < 0 || o.nresp != 7)
            CHECK(0, "round %d: %d responders, not 7", r, o.nresp);
        for (int i = 0; i < 10; i++)
            hits[i] += o.responded[i];
        coda_straggle_free(&o);
    }
    /* each worker responds with probability 7/10 */
    double p = 0.7, sd = sqrt(runs * p * (1 - p));
    for (int i = 0; i < 10; i++)
        CHECK(fabs(hits[i] - runs * p) < 5 * sd, "worker %d responded %d of %d times", i,
              hits[i], runs);
    m.responders = 11;
    coda_straggle_outcome o;
    CHECK(coda_straggle_draw(&m, 10, 0.1, &o, &e) < 0 && e.cls == CODA_E_USAGE,
          "11 responders of 10 accepted");
}

static void rates_deadline(void)
{
    coda_err e;
    double rate[4] = {0.1, 0.5, 1.0, 2.0}, T = 1.5;
    coda_straggle_model m = {.kind = CODA_LAT_RATES, .a = 1.0, .rate = rate, .nrate = 4,
                             .stragglers = -1, .wait_for = -1, .deadline = T, .seed = 3};
    int miss[4] = {0}, runs = 5000;
    for (int r = 0; r < runs; r++) {
        m.round = (unsigned long long)r;
        coda_straggle_outcome o;
        if (coda_straggle_draw(&m, 4, 0.25, &o, &e) < 0)
            CHECK(0, "%s", e.msg);
        for (int i = 0; i < 4; i++)
            miss[i] += !o.responded[i];
        coda_straggle_free(&o);
    }
    for (int i = 0; i < 4; i++) {
        double p = exp(-rate[i] * (T - 1)), sd = sqrt(runs * p * (1 - p));
        CHECK(fabs(miss[i] - runs * p) < 5 * sd + 1, "rate %g: missed %d of %d, expected p=%g",
              rate[i], miss[i], runs, p);
    }
    /* rates drawn from a range stay fixed across rounds: the same worker is as fast */
    coda_straggle_model g = {.kind = CODA_LAT_RATES, .a = 1.0, .rate_lo = 0.1, .rate_hi = 2.0,
                             .stragglers = -1, .wait_for = -1, .deadline = -1, .seed = 4};
    double mean[3] = {0};
    for (int r = 0; r < runs; r++) {
        g.round = (unsigned long long)r;
        coda_straggle_outcome o;
        coda_straggle_draw(&g, 3, 1.0, &o, &e);
        for (int i = 0; i < 3; i++)
            mean[i] += (o.latency[i] - 1.0) / runs;
        coda_straggle_free(&o);
    }
    for (int i = 0; i < 3; i++) {
        coda_rng q;
        coda_rng_seed(&q, 4, CODA_RNG_RATES, 0, (uint64_t)i);
        double ri = 0.1 + 1.9 * coda_rng_uniform(&q);
        /* the mean of Exp(ri) over 5000 draws: within 5 standard errors of 1/ri */
        CHECK(fabs(mean[i] - 1 / ri) < 5 / ri / sqrt(runs), "worker %d: mean delay %g, rate %g",
              i, mean[i], ri);
    }
}

static void empirical(void)
{
    coda_err e;
    double t[3] = {1.0, 2.0, 4.0}, p[3] = {0.0, 0.5, 1.0};
    coda_straggle_model m = {.kind = CODA_LAT_EMPIRICAL, .cdf_t = t, .cdf_p = p, .ncdf = 3,
                             .stragglers = -1, .wait_for = -1, .deadline = -1, .seed = 8};
    int runs = 2000, N = 5, below2 = 0, below3 = 0, total = 0, inside = 1;
    for (int r = 0; r < runs; r++) {
        m.round = (unsigned long long)r;
        coda_straggle_outcome o;
        if (coda_straggle_draw(&m, N, 0.2, &o, &e) < 0)
            CHECK(0, "%s", e.msg);
        for (int i = 0; i < N; i++) {
            below2 += o.latency[i] <= 2.0;
            below3 += o.latency[i] <= 3.0;
            inside &= o.latency[i] >= 1.0 && o.latency[i] <= 4.0;
            total++;
        }
        coda_straggle_free(&o);
    }
    /* DKW: sup |F_n - F| <= sqrt(ln(2/1e-6) / (2n)) with probability 1 - 1e-6 */
    double eps = sqrt(log(2 / 1e-6) / (2.0 * total));
    CHECK(inside, "a draw outside the CDF's support [1, 4]");
    CHECK(fabs((double)below2 / total - 0.5) < eps, "F(2) = %g, not 0.5", (double)below2 / total);
    CHECK(fabs((double)below3 / total - 0.75) < eps, "F(3) = %g, not 0.75",
          (double)below3 / total);
    p[2] = 0.9;
    coda_straggle_outcome o;
    CHECK(coda_straggle_draw(&m, N, 0.2, &o, &e) < 0, "a CDF that never reaches 1 accepted");
}

static void scale_by_load(void)
{
    coda_err e;
    double load[3] = {0.5, 0.25, 0.25};
    coda_straggle_model m = {.kind = CODA_LAT_SHIFTEXP, .a = 1.0, .b = 1.0, .stragglers = -1,
                             .wait_for = -1, .deadline = -1, .seed = 2};
    coda_straggle_outcome plain, scaled;
    CHECK(coda_straggle_draw(&m, 3, 0.5, &plain, &e) == 0, "%s", e.msg);
    m.worker_load = load;
    m.scale_by_load = 1;
    CHECK(coda_straggle_draw(&m, 3, 0.5, &scaled, &e) == 0, "%s", e.msg);
    for (int i = 0; i < 3; i++)
        CHECK(fabs(scaled.latency[i] - plain.latency[i] * load[i] * 3) <=
                  4 * 2.2e-16 * scaled.latency[i],
              "worker %d: %g, not %g * %g * 3", i, scaled.latency[i], plain.latency[i], load[i]);
    coda_straggle_free(&plain);
    coda_straggle_free(&scaled);
}

static double max_abs_diff(const coda_mat *a, const coda_mat *b)
{
    double d = 0;
    for (size_t i = 0; i < a->rows * a->cols; i++)
        d = fmax(d, fabs(a->data[i] - b->data[i]));
    return d;
}

static void attacks(void)
{
    coda_err e;
    coda_mat x, y;
    coda_mat_alloc(&x, 40, 3, &e);
    for (size_t i = 0; i < 120; i++)
        x.data[i] = (double)i / 7.0 - 3.0;
    const char *specs[] = {"gauss",   "gauss:5", "replace:2", "scale:3",       "flip",
                           "zero",    "const:7", "sparse:4:9", "small:1e-9",    "uniform:2",
                           "collude:3"};
    for (size_t s = 0; s < sizeof specs / sizeof specs[0]; s++) {
        coda_adversary a = {.seed = 11, .round = 2};
        CHECK(coda_attack_parse(specs[s], &a, &e) == 0, "%s: %s", specs[s], e.msg);
        coda_mat_copy(&y, &x, &e);
        CHECK(coda_attack_result(&a, 3, &y, &e) == 0, "%s: %s", specs[s], e.msg);
        size_t changed = 0;
        for (size_t i = 0; i < 120; i++)
            changed += y.data[i] != x.data[i];
        switch (a.kind) {
        case CODA_ATK_SCALE:
            for (size_t i = 0; i < 120; i++)
                if (y.data[i] != a.c * x.data[i])
                    CHECK(0, "%s: entry %zu is %g, not %g", specs[s], i, y.data[i],
                          a.c * x.data[i]);
            break;
        case CODA_ATK_CONST:
            CHECK(y.data[0] == 7 && y.data[119] == 7, "const:7 sent %g", y.data[0]);
            break;
        case CODA_ATK_SPARSE: CHECK(changed == 4, "sparse:4 changed %zu entries", changed); break;
        case CODA_ATK_UNIFORM:
            CHECK(changed == 120 && max_abs_diff(&x, &y) <= 2, "uniform:2 moved by %g",
                  max_abs_diff(&x, &y));
            break;
        case CODA_ATK_SMALL:
            CHECK(changed > 100 && max_abs_diff(&x, &y) < 10 * 1e-9, "small: %g",
                  max_abs_diff(&x, &y));
            break;
        default:
            CHECK(changed == 120, "%s changed %zu of 120 entries", specs[s], changed);
        }
        /* a round replays; another round or worker draws another noise */
        coda_mat z;
        coda_mat_copy(&z, &x, &e);
        coda_attack_result(&a, 3, &z, &e);
        CHECK(max_abs_diff(&y, &z) == 0, "%s does not replay", specs[s]);
        coda_mat_free(&z);
        if (a.kind == CODA_ATK_GAUSS || a.kind == CODA_ATK_COLLUDE) {
            coda_mat_copy(&z, &x, &e);
            coda_attack_result(&a, 4, &z, &e);
            double d = max_abs_diff(&y, &z);
            CHECK(a.kind == CODA_ATK_COLLUDE ? d == 0 : d > 0,
                  "%s: workers 3 and 4 differ by %g", specs[s], d);
            coda_mat_free(&z);
        }
        coda_mat_free(&y);
    }
    /* wrong-input perturbs the operand only */
    coda_adversary w = {.seed = 1};
    CHECK(coda_attack_parse("wrong-input:0.5", &w, &e) == 0, "%s", e.msg);
    CHECK(coda_attack_operand(&w, 0, &x, &y, &e) == 0, "%s", e.msg);
    CHECK(max_abs_diff(&x, &y) > 0 && max_abs_diff(&x, &y) < 0.5 * 10, "wrong-input: %g",
          max_abs_diff(&x, &y));
    coda_mat_free(&y);
    CHECK(coda_attack_result(&w, 0, &x, &e) < 0, "wrong-input applied to a result");
    const char *bad[] = {"gaus", "scale", "sparse:0:1", "gauss:-1", "const:inf", "replace"};
    for (size_t s = 0; s < sizeof bad / sizeof bad[0]; s++) {
        coda_adversary a = {0};
        CHECK(coda_attack_parse(bad[s], &a, &e) < 0 && e.cls == CODA_E_USAGE, "'%s' accepted",
              bad[s]);
    }
    coda_mat_free(&x);
}

static void corrupt_sets(void)
{
    coda_err e;
    char c1[9], c2[9];
    coda_adversary a = {.t = 3, .seed = 6};
    int differ = 0;
    for (unsigned long long r = 0; r < 8; r++) {
        a.round = r;
        CHECK(coda_adversary_draw(&a, 9, c1, &e) == 0, "%s", e.msg);
        CHECK(coda_adversary_draw(&a, 9, c2, &e) == 0, "%s", e.msg);
        int n = 0;
        for (int i = 0; i < 9; i++)
            n += c1[i];
        CHECK(n == 3 && memcmp(c1, c2, 9) == 0, "round %llu: %d corrupt, or not replayed", r, n);
        a.round = r + 1;
        coda_adversary_draw(&a, 9, c2, &e);
        differ += memcmp(c1, c2, 9) != 0;
    }
    CHECK(differ >= 6, "the corrupt set repeated in %d of 8 rounds", 8 - differ);
    long named[2] = {1, 7};
    coda_adversary b = {.named = named, .nnamed = 2};
    CHECK(coda_adversary_draw(&b, 9, c1, &e) == 0 && c1[1] && c1[7] && !c1[0], "named");
    named[1] = 9;
    CHECK(coda_adversary_draw(&b, 9, c1, &e) < 0, "worker 9 of 9 accepted");
    a.t = 10;
    CHECK(coda_adversary_draw(&a, 9, c1, &e) < 0 && e.cls == CODA_E_USAGE, "t=10 of 9 accepted");
}

int main(void)
{
    rounds();
    fixed_q();
    rates_deadline();
    empirical();
    scale_by_load();
    attacks();
    corrupt_sets();
    return check_summary();
}
