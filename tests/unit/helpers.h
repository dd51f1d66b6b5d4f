/* Helpers the unit tests share: seeded Gaussian matrices and relative errors. */
#ifndef CODA_TEST_HELPERS_H
#define CODA_TEST_HELPERS_H

#include <math.h>

#include "../../lib/core/mat.h"
#include "../../lib/core/rng.h"

/* An r x c matrix of N(0, 1) entries from the test stream (seed, stream). */
static inline void test_randn(coda_mat *m, size_t r, size_t c, uint64_t seed, uint64_t stream)
{
    coda_rng g;
    coda_rng_init(&g, seed, stream);
    coda_mat_alloc(m, r, c, NULL);
    for (size_t k = 0; k < r * c; k++)
        m->data[k] = coda_rng_normal(&g);
}

/* ||x - ref||_F / ||ref||_F; infinite when the shapes differ. */
static inline double test_rel_err(const coda_mat *x, const coda_mat *ref)
{
    if (x->rows != ref->rows || x->cols != ref->cols)
        return INFINITY;
    double d = 0;
    for (size_t k = 0; k < x->rows * x->cols; k++)
        d += (x->data[k] - ref->data[k]) * (x->data[k] - ref->data[k]);
    double n = coda_mat_fro(ref);
    return n > 0 ? sqrt(d) / n : sqrt(d);
}

#endif
