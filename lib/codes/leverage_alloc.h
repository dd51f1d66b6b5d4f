/* Replication counts for gradient coding by block leverage scores (papers/leverage-gc.txt §III,
 * spec ../shared/specs/leverage-gc.md §2.3-2.4): how many of m servers hold each of K blocks so
 * that the induced distribution r_i / m approximates the block scores Pi. Pure computation,
 * 0-based indices (the paper's are 1-based). */
#ifndef CODA_LEVERAGE_ALLOC_H
#define CODA_LEVERAGE_ALLOC_H

#include "../core/err.h"

/* Scores usable as a distribution: finite, >= 0, summing to 1 within tol (tol <= 0: 1e-9).
 * normalize: divide by the sum instead of refusing one that is off (still refuses negative,
 * non-finite or all-zero scores). The message names the first bad entry (1-based) or the sum
 * and how far it is from 1. */
int coda_lev_check_scores(double *pi, int K, int normalize, double tol, coda_err *e);

/* Eq. (20), the erasure-channel counts: r_i = floor(log(1 - Pi_i) / log(phi) + 1/2), phi in
 * [0, 1) (phi = 0: every server answers, r = 0). Pi_i = 1 is clamped below 1. Refuses counts
 * whose sum would exceed max_total. Returns the sum R-hat in *total. */
int coda_lev_erasure(const double *pi, int K, double phi, long max_total, long *r, long *total,
                     coda_err *e);
/* The un-normalized sum of eq. (19) for counts r: sum_i |Pi_i - (1 - phi^r_i)| (Delta is this
 * over K), and Lemma 1's bound on it for the counts of eq. (20): (1 - sqrt(phi)) sum_i
 * phi^min(r_i, rho_i), rho_i = log(1 - Pi_i) / log(phi). */
double coda_lev_erasure_sum(const double *pi, const long *r, int K, double phi);
double coda_lev_lemma1_bound(const double *pi, const long *r, int K, double phi);

/* Ratio rounding (§III-C): r_i = floor(nu Pi_i / Pi_min + 1/2), Pi_min the smallest positive
 * score (zero scores get 0). */
int coda_lev_ratio(const double *pi, int K, long nu, long max_total, long *r, long *total,
                   coda_err *e);

/* Perfect emulation (Prop. 1): each Pi_i as the closest fraction a_i / b_i with b_i <= max_den
 * (continued fractions), R = lcm(b_i), r_i = a_i R / b_i. Refuses an R above max_total. */
int coda_lev_lcm(const double *pi, int K, long max_den, long max_total, long *r, long *total,
                 coda_err *e);
/* The closest fraction p / q to x in [0, 1] with 1 <= q <= max_den. */
void coda_lev_fraction(double x, long max_den, long *p, long *q);

/* Algorithm 2 as printed (spec §2.4) with its guards: ties to the lowest index, a floor
 * r_i >= floor_[i] (floor_ NULL: 0; a block at its floor is never decremented), every block
 * unfrozen when all are frozen, and an iteration cap. r_init (sum R-tilde) in, r out with
 * sum m. *loops (may be NULL): the iterations run. */
int coda_lev_alg2(long m, const double *pi, const long *r_init, int K, const long *floor_,
                  long *r, long *loops, coda_err *e);

/* The largest-remainder (Hamilton) apportionment of m Pi with r_i >= floor_[i]: the integers
 * summing to m closest to m Pi in l1 (greedy on the convex per-block cost, ties to the lowest
 * index). */
int coda_lev_hamilton(long m, const double *pi, int K, const long *floor_, long *r, coda_err *e);

/* How well r (summing to m) emulates Pi, spec §2.0. */
typedef struct {
    double d;          /* d_{Pi,Pi-bar} = (1/K) sum |Pi_i - r_i/m| */
    double delta;      /* Delta, eq. (19) with its 1/K, at phi (NAN when phi < 0) */
    double beta_def;   /* min over Pi_i > 0 of Pi-bar_i / Pi_i (the definition Pi~ >= beta Pi) */
    double beta_paper; /* min over Pi-bar_i > 0 of Pi_i / Pi-bar_i (as Sec. III-B prints it) */
    double eps;        /* max |Pi_i - Pi-bar_i| */
    int zeros;         /* blocks with r_i = 0 */
    int lost;          /* of them, blocks with Pi_i > 0: their gradient is never computed */
} coda_lev_metrics;

void coda_lev_measure(const double *pi, const long *r, int K, long m, double phi,
                      coda_lev_metrics *out);

#endif
