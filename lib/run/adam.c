/* Adam and the two-track factor (adam.h). */
#include "adam.h"

#include <math.h>
#include <stdlib.h>

int coda_adam_init(coda_adam *a, size_t d, double b1, double b2, double eps, double shrink,
                   coda_err *e)
{
    a->b1 = b1, a->b2 = b2, a->eps = eps, a->shrink = shrink, a->t = 0;
    if (coda_mat_alloc(&a->m, d, 1, e) < 0 || coda_mat_alloc(&a->v, d, 1, e) < 0) {
        coda_adam_free(a);
        return -1;
    }
    return 0;
}

void coda_adam_step(coda_adam *a, double *beta, const double *g, const double *gv, double gamma)
{
    a->t++;
    double c1 = 1 - pow(a->b1, (double)a->t), c2 = 1 - pow(a->b2, (double)a->t);
    for (size_t i = 0; i < a->m.rows; i++) {
        a->m.data[i] = a->b1 * a->m.data[i] + (1 - a->b1) * g[i];
        a->v.data[i] = a->b2 * a->v.data[i] + (1 - a->b2) * gv[i] * gv[i];
        double den = sqrt(a->v.data[i] / c2) + a->eps;
        if (den > 0) /* v = 0 (no information yet in this coordinate) and eps = 0: no step */
            beta[i] -= gamma * (a->m.data[i] / c1) / den;
    }
}

void coda_adam_free(coda_adam *a)
{
    coda_mat_free(&a->m);
    coda_mat_free(&a->v);
}

int coda_two_track_shrink(const coda_meta *plan_extra, double lambda, double *shrink,
                          coda_err *e)
{
    double *p;
    size_t n;
    if (!coda_meta_get(plan_extra, "straggle_probs"))
        return coda_failc(e, CODA_E_USAGE, "--two-track needs a code built for per-worker "
                          "straggling probabilities (hetero, sgc-het: --straggle-probs)");
    if (coda_meta_get_doubles(plan_extra, "straggle_probs", &p, &n, e) < 0)
        return -1;
    double S = 0;
    int zero = 0;
    for (size_t i = 0; i < n; i++) {
        zero |= p[i] == 0;
        S += p[i] > 0 && p[i] < 1 ? (1 - p[i]) / p[i] : 0;
    }
    free(p);
    *shrink = zero ? 1 : lambda * S / (1 + lambda * S);
    return 0;
}
