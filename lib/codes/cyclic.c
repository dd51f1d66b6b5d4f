/* cyclic: the cyclic-repetition gradient code of Tandon, Lei, Dimakis and Karampatziakis
 * (ICML 2017, Algorithm 2). K = N blocks; worker i holds blocks i..i+s (mod N) and returns one
 * combination B[i,:] of their gradients. The rows of B are built to lie in the null space of a
 * random s x N matrix H with H*1 = 0; that null space has dimension N-s and contains 1, so any
 * N-s rows span it and a with a_I^T B_I = 1^T exists (decode solves for it). */
#include <lapacke.h>
#include <stdlib.h>

#include "../core/rng.h"
#include "scheme.h"

static int build(coda_plan *p, const coda_scheme_args *a, coda_err *e)
{
    int N = p->N, s = p->s;
    p->K = N;
    p->threshold = N - s;
    p->load = (double)(s + 1) / N;
    p->combine = 1;
    if (coda_mat_alloc(&p->G, (size_t)N, (size_t)N, e) < 0)
        return -1;
    if (s == 0) {
        for (int i = 0; i < N; i++)
            CODA_AT(&p->G, i, i) = 1.0;
        return 0;
    }
    coda_mat H;
    if (coda_mat_alloc(&H, (size_t)s, (size_t)N, e) < 0)
        return -1;
    coda_rng r;
    coda_rng_seed(&r, a->seed, CODA_RNG_CYCLIC, 0, 0);
    for (int k = 0; k < s; k++) {
        double sum = 0;
        for (int j = 0; j < N - 1; j++) {
            CODA_AT(&H, k, j) = coda_rng_normal(&r);
            sum += CODA_AT(&H, k, j);
        }
        CODA_AT(&H, k, N - 1) = -sum;
    }
    double *M = malloc(sizeof(double) * (size_t)s * (size_t)s), *rhs = malloc(sizeof(double) * (size_t)s);
    lapack_int *piv = malloc(sizeof(lapack_int) * (size_t)s);
    int rc = 0;
    if (!M || !rhs || !piv)
        rc = coda_fail_oom(e);
    for (int i = 0; i < N && rc == 0; i++) {
        /* H[:, i+1..i+s] x = -H[:, i] */
        for (int d = 1; d <= s; d++)
            for (int k = 0; k < s; k++)
                M[(size_t)(d - 1) * (size_t)s + (size_t)k] = CODA_AT(&H, k, (i + d) % N);
        for (int k = 0; k < s; k++)
            rhs[k] = -CODA_AT(&H, k, i);
        if (LAPACKE_dgesv(LAPACK_COL_MAJOR, s, 1, M, s, piv, rhs, s) != 0)
            rc = coda_fail(e, "cyclic: singular support system for worker %d (try another --seed)", i);
        CODA_AT(&p->G, i, i) = 1.0;
        for (int d = 1; d <= s && rc == 0; d++)
            CODA_AT(&p->G, i, (i + d) % N) = rhs[d - 1];
    }
    free(M);
    free(rhs);
    free(piv);
    coda_mat_free(&H);
    return rc;
}

const coda_scheme coda_scheme_cyclic = {
    .name = "cyclic",
    .summary = "cyclic repetition gradient code (Tandon et al. 2017): any N-s of N workers",
    .caps = CODA_CAP_SUMS,
    .build = build,
    .encode = coda_encode_g,
    .decode = coda_decode_sum,
};
