/* Adam (Kingma and Ba) for coded gradient descent, with the two-track decoder of
 * papers/hetero-gc.txt App. C.4.2: the first moment from the unbiased estimate g_hat = sum w_i
 * f_i, the second from g_v = sum v_i f_i with v = w Lambda S / (1 + Lambda S) (spec §2.7: the
 * minimizer of eq. 42 for any optimally structured code), i.e. the same estimate shrunk by
 * that scalar, which damps the heavy-tailed squares of a rarely answered round. */
#ifndef CODA_ADAM_H
#define CODA_ADAM_H

#include "../core/mat.h"
#include "../core/meta.h"

typedef struct {
    double b1, b2, eps;
    double shrink; /* the second track's factor; 1: plain Adam */
    coda_mat m, v;
    long t;
} coda_adam;

int coda_adam_init(coda_adam *a, size_t d, double b1, double b2, double eps, double shrink,
                   coda_err *e);
/* One step: m from g, v from gv (the second track; g itself for plain Adam), then
 * beta -= gamma m_hat / (sqrt(v_hat) + eps). */
void coda_adam_step(coda_adam *a, double *beta, const double *g, const double *gv, double gamma);
void coda_adam_free(coda_adam *a);
/* Lambda S / (1 + Lambda S), S = sum_i (1 - p_i) / p_i over the p a plan records
 * (straggle_probs: hetero, sgc-het); 1 when some p_i = 0 (S infinite). An error when the plan
 * has none. */
int coda_two_track_shrink(const coda_meta *plan_extra, double lambda, double *shrink,
                          coda_err *e);

#endif
