/* Two-round coordinate descent over Byzantine-coded data (papers/byzantine.txt §5, Theorem 2;
 * spec §3.7): an iterator over two coded jobs, one holding X (n x d) coded by rows (the L-code,
 * worker i's S_i X, op sparse-matvec), the other X coded by columns (the R-code, worker i's
 * X R_i = X S_i^T, op vecmat), both built for t corrupt workers. The d coordinates are split
 * like the R-code's columns into q blocks; "encoded coordinate" j (0 <= j < p2, p2 the longest
 * block) stands for the original coordinates f(j) = {the j-th of every block}, and the
 * encoded parameters are v_i = S_i w. Each iteration:
 *   round 1: broadcast the change of w on f(U_prev) (the whole w in iteration 1 and every
 *            `resync` iterations); each worker returns S_i X[:, f(U_prev)] delta (cost
 *            p1 |f(U_prev)|); the master decodes X delta and updates its X w;
 *   master:  g = phi'(X w), draws U (tau encoded coordinates, round-robin or random);
 *   round 2: broadcast (g, U); each worker returns the increment of its encoded parameters
 *            on U, (X R_i[:, U])^T g (n tau work, tau numbers); the master locates the liars
 *            and decodes X[:, f(U)]^T g, and steps w on f(U) (a prox step for l1).
 * The paper's worker keeps v_i and sends v_i[U] after the step; that message is this one
 * times -step plus the codeword S_i[U,:] w, which the master knows, so both locate the same
 * workers and decode the same w (the workers here keep no state, and an adversary can not
 * make a worker's stored state drift). The trajectory is plain CD on the blocks f(U); without
 * jobs (NULL) every product is computed at the master: the uncoded reference.
 *
 * Losses as pgd's (mean convention): ls (1/n) ||X w - y||^2, logistic; h = l2 ||w||^2 folded
 * into the gradient, l1 ||w||_1 by the soft threshold on f(U). */
#ifndef CODA_CD_H
#define CODA_CD_H

#include "gd.h"

typedef struct {
    coda_loss loss;
    double l2, l1;
    coda_step_rule step; /* const or a schedule; not line or rel */
    long iters;
    long tau;            /* encoded coordinates per iteration, 1..p2 */
    int random;          /* U drawn from (seed, CODA_RNG_CD, iteration) instead of round-robin */
    unsigned long long seed;
    long resync;         /* broadcast the dense w again every `resync` iterations (0: never) */
    int q;               /* the blocks of the coordinate split (uncoded reference: the code's) */
} coda_cd_opts;

typedef struct {
    coda_job *xl, *xr; /* X by rows (sparse-matvec), X by columns (vecmat); NULL: the master */
    const coda_mat *X, *y;
    coda_cd_opts o;
    size_t *bounds;    /* q + 1: block c of the coordinates is bounds[c]..bounds[c+1] */
    size_t p2;         /* the longest block: encoded coordinates 0..p2-1 */
    coda_mat w, z, g, prev; /* w (d), X w and phi' (n), w before the last step (d) */
    size_t *U, *fU, nfu;    /* this iteration's encoded coordinates (tau) and f(U) (nfu) */
    size_t *fprev, nprev;   /* f(U) of the previous iteration */
    coda_meta dopts;        /* the R-code's decode options (its positions) */
    long iter;
    unsigned long long round;
    double loss, gnorm, stepsize;
    long excluded;
    double worker_s, master_s; /* this iteration: the slowest worker of each round (summed
                                  over the two rounds) and the rest of its wall time */
    double *wtime;             /* this iteration: each worker's op seconds, both rounds (N) */
    int nworkers;
} coda_cd;

double coda_cd_loss(const coda_cd *g, const coda_mat *w);
int coda_cd_init(coda_cd *g, coda_job *xl, coda_job *xr, const coda_mat *X, const coda_mat *y,
                 const coda_cd_opts *o, const coda_mat *w0, coda_err *e);
/* 1: again, 0: done, -1: error (too-few, suspect as pgd's). */
int coda_cd_iterate(coda_cd *g, coda_err *e);
void coda_cd_free(coda_cd *g);

#endif
