/* One-round SGD over a Byzantine-coded X^T (papers/byzantine.txt §6.1; spec §3.8): an
 * iterator over a coded job holding X^T (d x n) coded by rows with op columns. Each iteration
 * the master draws a mini-batch of b data points uniformly (with replacement, from (seed,
 * CODA_RNG_SGD, iteration)), broadcasts their indices, decodes the points x_r themselves from
 * the workers' columns (one location step for the whole batch) and steps with the batch's
 * gradient, computed at the master with its labels. Without a job (NULL) the points are read
 * from the master's X: the uncoded reference, with the same draws.
 *
 * Losses as coda_gd's (mean over the batch): ls (2/b) sum x_r (x_r w - y_r) + 2 l2 w, logistic
 * (1/b) sum x_r (sigma(x_r w) - y_r) + 2 l2 w. Step rules as gd's, except line. */
#ifndef CODA_SGD_H
#define CODA_SGD_H

#include "gd.h"

typedef struct {
    coda_loss loss;
    double l2;
    coda_step_rule step;
    long iters, batch;
    unsigned long long seed;
} coda_sgd_opts;

typedef struct {
    coda_job *job; /* X^T with op columns; NULL: at the master */
    const coda_mat *X, *y;
    coda_sgd_opts o;
    coda_mat w, idx, pts, grad; /* d, b, d x b, d */
    long iter;
    double loss, gnorm, stepsize;
    long excluded; /* workers the decodes excluded, in total */
} coda_sgd;

double coda_sgd_loss(const coda_sgd *g, const coda_mat *w);
int coda_sgd_init(coda_sgd *g, coda_job *job, const coda_mat *X, const coda_mat *y,
                  const coda_sgd_opts *o, const coda_mat *w0, coda_err *e);
/* 1: iterate again; 0: done; -1: error (too few responders: class too-few; a decode that
 * failed its check: class suspect). */
int coda_sgd_iterate(coda_sgd *g, coda_err *e);
void coda_sgd_free(coda_sgd *g);

#endif
