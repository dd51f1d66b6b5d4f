/* Code search by alternating minimization (papers/approx-matdot.txt §IV, Algorithm 1,
 * Proposition 1; specs approx-matdot.md §2.10): minimize
 *     L(A, B, D) = sum over every k-subset S_p of the P workers of ||I_m - A diag(d_p) B^T||_F^2
 * over the encoding coefficients A, B (m x P) and one decoder d_p per subset. Each step is an
 * exact least-squares block minimization, solved by QR (never normal equations), so L never
 * increases; L is always evaluated directly, never by the expanded formula. The best of several
 * seeded random starts is kept. */
#ifndef CODA_SEARCH_H
#define CODA_SEARCH_H

#include "../core/mat.h"

typedef struct {
    int m, k, P;
    int starts;
    long iters;
    unsigned long long seed;
    double init_radius;   /* > 0: start from MatDot at this radius (Chebyshev nodes) */
    double stop_loss;     /* stop a start when L falls below this (1e-26) */
    long trace_every;     /* call trace every this many iterations, and at the end (1000) */
    void (*trace)(void *ctx, int start, long iter, double loss, double max_d, double max_a,
                  double max_b);
    void *trace_ctx;
} coda_search_opts;

typedef struct {
    coda_mat code;      /* 2m x P: rows 0..m-1 the A-coefficients, m..2m-1 the B-coefficients */
    double loss;        /* L of (28), summed over the subsets */
    double max_loss;    /* max_p ||E_p||_F^2 */
    double max_e2;      /* max_p ||E_p||_2: the tight worst-case error relative to ||A||_F ||B||_F */
    double thm5;        /* max_p sqrt(l_p) m: Theorem 5's bound, relative to eta^2 */
    long subsets;       /* C(P, k) */
    int best_start;     /* 1-based */
} coda_search_result;

/* Refuses C(P, k) above 100000 subsets and k outside 1..P. */
int coda_matdot_search(const coda_search_opts *o, coda_search_result *r, coda_err *e);

#endif
