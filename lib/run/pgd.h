/* Two-round proximal gradient descent (papers/byzantine.txt §4; spec §3.6): an iterator over
 * two coded jobs whose op is matvec, one holding X (n x d) coded by rows, the other X^T. Each
 * iteration is two rounds: broadcast w and decode X w (round 1), compute f'(X w) at the master,
 * broadcast it and decode X^T f' (round 2), then a proximal step. With a Byzantine code (byz)
 * each round locates and excludes its own corrupt workers, so the trajectory is plain PGD's.
 * Without jobs (NULL) both products are computed at the master: the uncoded reference.
 *
 * Losses (mean convention, as coda_gd): ls f = (1/n) ||X w - y||^2, logistic as in gd.h; h =
 * l2 ||w||^2 (folded into the gradient) + l1 ||w||_1 (lasso, by its prox, the soft threshold
 * at step * l1). Step rules as gd's, except line. */
#ifndef CODA_PGD_H
#define CODA_PGD_H

#include "gd.h"

typedef struct {
    coda_loss loss;
    double l2, l1;
    coda_step_rule step;
    long iters;
    double tol; /* stop when ||w - w_prev|| / step <= tol (the prox-gradient norm); 0: never */
} coda_pgd_opts;

typedef struct {
    coda_job *xw, *xtg; /* round 1 (X w) and round 2 (X^T f'); NULL: at the master */
    const coda_mat *X, *y;
    coda_pgd_opts o;
    coda_mat w, z, f1, grad, prev;
    long iter;
    unsigned long long round; /* the next round's number (two per iteration) */
    double loss, gnorm, stepsize;
    long excluded;          /* workers the decodes excluded, in total */
    int excluded_now[2];    /* in this iteration's two rounds */
    int responders[2];
} coda_pgd;

/* The objective at w: f(w) + h(w) (a pass over X). */
double coda_pgd_loss(const coda_pgd *g, const coda_mat *w);
/* w0 may be NULL (zeros); y holds 0/1 labels for logistic. */
int coda_pgd_init(coda_pgd *g, coda_job *xw, coda_job *xtg, const coda_mat *X, const coda_mat *y,
                  const coda_pgd_opts *o, const coda_mat *w0, coda_err *e);
/* 1: iterate again; 0: done; -1: error (a round that cannot decode: class too-few; a decode
 * that failed its consistency check: class suspect). */
int coda_pgd_iterate(coda_pgd *g, coda_err *e);
void coda_pgd_free(coda_pgd *g);

#endif
