/* Coded gradient descent: an iterator (GSL style: init, iterate until done, free) over a coded
 * job whose op is a gradient (grad for least squares, logistic-grad for logistic regression).
 * Each iteration is one round: broadcast beta, decode the gradient from whoever answered, step.
 * It owns no I/O: the program prints progress and writes the trace from the iterator's fields.
 *
 * Losses (mean convention, with ridge term l2):
 *   ls        f(b) = (1/n) ||X b - y||^2 + l2 ||b||^2,   grad = (2/n) X^T (X b - y) + 2 l2 b
 *   logistic  f(b) = (1/n) sum log(1 + exp(x_i b)) - y_i x_i b + l2 ||b||^2 (y in {0, 1}),
 *             grad = (1/n) X^T (sigma(X b) - y) + 2 l2 b
 * Step rules: const:G, inv-t:L[,T0] (1 / (L (t + T0))), decay:G0,C (G0 / (1 + C t)),
 * inv-sqrt-t[:G] (G / sqrt(t + 1)), line (exact line search, ls only), rel:C[,F] (ls only: the
 * paper's relative step, CODA_STEP_REL). The iteration stops at
 * iters, or when ||grad|| <= tol (tol > 0). With o.adam the step is Adam's, its learning rate
 * the step rule's (not line); o.two_track > 0 takes the second moment from the two-track
 * decoder of a code built for per-worker p (adam.h). */
#ifndef CODA_GD_H
#define CODA_GD_H

#include "adam.h"
#include "job.h"

typedef enum { CODA_LOSS_LS, CODA_LOSS_LOGISTIC } coda_loss;
typedef enum {
    CODA_STEP_CONST,
    CODA_STEP_INV_T,
    CODA_STEP_DECAY,
    CODA_STEP_INV_SQRT_T,
    CODA_STEP_LINE,
    CODA_STEP_REL /* papers/leverage-gc.txt §IV: xi = C 2 / sigma_max(X)^2 on ||X b - y||^2
                   * with the gradient F X^T (X b - y), F = 2 as printed or 1 (spec §2.8);
                   * set at init as the constant step G = xi F n / 2 of the mean convention */
} coda_step_kind;
/* What a round that cannot decode does: wait for another round's draw (the iteration is not
 * counted; at most 1000 rounds in a row), skip the update, or fail. */
typedef enum { CODA_SHORT_WAIT, CODA_SHORT_SKIP, CODA_SHORT_FAIL } coda_on_short;

typedef struct {
    coda_step_kind kind;
    double gamma, lambda, t0, c;
} coda_step_rule;

typedef struct {
    coda_loss loss;
    double l2;
    coda_step_rule step;
    long iters;
    double tol;
    coda_on_short on_short;
    int track_loss; /* compute the loss every iteration (a pass over X at the master; else
                     * loss is NaN until coda_gd_loss is called) */
    int adam;       /* the step is Adam's (adam.h) with these constants */
    double adam_b1, adam_b2, adam_eps;
    double two_track; /* Lambda > 0: Adam's second moment from the two-track decoder */
} coda_gd_opts;

typedef struct {
    coda_job *job;
    const coda_mat *X, *y; /* the master's copy: for the loss and the line search */
    coda_gd_opts o;
    coda_mat beta, grad, prev;
    long iter;                    /* iterations done */
    unsigned long long round;     /* the next round's number */
    double loss, gnorm, gnorm0, stepsize, step_change;
    int skipped;                  /* rounds that could not decode, in total */
    int responders;               /* in the last round */
    double round_time, sim_time;  /* simulated: the last round's, cumulated */
    coda_adam adam;               /* o.adam: its moments */
    coda_mat gv;                  /* o.adam: the second track's gradient */
} coda_gd;

int coda_step_parse(const char *spec, coda_step_rule *r, coda_err *e);
/* The step of a schedule (const, inv-t, decay, inv-sqrt-t) at iteration iter (0-based); NaN
 * for line and rel, which need the iterator's data (gd computes them; pgd and sgd refuse). */
double coda_step_schedule(const coda_step_rule *s, long iter);
/* The starting point of an iterator: w (d x 1, allocated) = x0 when given (its shape checked,
 * naming --x0), else left at 0. */
int coda_start_point(coda_mat *w, const coda_mat *x0, coda_err *e);
/* The loss at beta (a pass over X). */
double coda_gd_loss(const coda_gd *g, const coda_mat *beta);
/* The objective every iterator reports: (1/n) sum_i loss(x_i^T w, y_i) + l2 ||w||^2 +
 * l1 ||w||_1 (ls: squared residual; logistic: log(1 + e^z) - y z, labels 0/1); NaN when out
 * of memory. */
double coda_objective(coda_loss loss, const coda_mat *X, const coda_mat *y, double l2, double l1,
                      const coda_mat *w);
/* x0 may be NULL (zeros). y holds the labels (n x 1; 0/1 or -1/+1 for logistic: the job's tasks
 * must then hold 0/1 labels). */
int coda_gd_init(coda_gd *g, coda_job *job, const coda_mat *X, const coda_mat *y,
                 const coda_gd_opts *o, const coda_mat *x0, coda_err *e);
/* 1: iterate again; 0: done (iters reached or converged); -1: error. */
int coda_gd_iterate(coda_gd *g, coda_err *e);
void coda_gd_free(coda_gd *g);

#endif
