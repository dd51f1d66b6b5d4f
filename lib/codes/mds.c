/* mds: a systematic real-valued MDS code for products (Lee et al. 2018). The data is split
 * into K = N-s blocks (or -K); worker i holds sum_j G[i,j] A_j with G = [I_K; P], and any K
 * responders determine every block. P is Gaussian (default) or comes from Chebyshev
 * polynomials at Chebyshev nodes (G = V V_top^{-1}), both far better conditioned than a
 * monomial Vandermonde matrix. Decode reports the condition number it met. */
#include <lapacke.h>
#include <math.h>
#include <stdlib.h>
#include <string.h>

#include "../core/rng.h"
#include "scheme.h"

static int build(coda_plan *p, const coda_scheme_args *a, coda_err *e)
{
    int N = p->N, K = a->K > 0 ? a->K : N - p->s;
    const char *gen = coda_scheme_opt(a, "generator") ? coda_scheme_opt(a, "generator") : "gaussian";
    if (K < 1 || K > N)
        return coda_fail(e, "mds needs 1 <= K <= N (K=%d, N=%d)", K, N);
    p->K = K;
    p->threshold = K;
    p->load = 1.0 / K;
    p->data_coded = 1;
    if (coda_meta_set(&p->extra, "generator", gen, e) < 0 ||
        coda_mat_alloc(&p->G, (size_t)N, (size_t)K, e) < 0)
        return -1;
    for (int i = 0; i < K; i++)
        CODA_AT(&p->G, i, i) = 1.0;
    if (strcmp(gen, "gaussian") == 0) {
        coda_rng r;
        coda_rng_seed(&r, a->seed, CODA_RNG_MDS, 0, 0);
        for (int i = K; i < N; i++)
            for (int j = 0; j < K; j++)
                CODA_AT(&p->G, i, j) = coda_rng_normal(&r) / sqrt((double)K);
        return 0;
    }
    if (strcmp(gen, "chebyshev") != 0)
        return coda_failc(e, CODA_E_USAGE, "mds: unknown generator '%s' (gaussian, chebyshev)", gen);
    /* V[i][j] = T_j(x_i), x_i Chebyshev nodes; G = V V_top^{-1}, i.e. V_top^T G^T = V^T */
    coda_mat Vt, Tt;
    if (coda_mat_alloc(&Vt, (size_t)K, (size_t)N, e) < 0)
        return -1;
    for (int i = 0; i < N; i++) {
        double x = cos((2.0 * i + 1.0) * M_PI / (2.0 * N));
        for (int j = 0; j < K; j++)
            CODA_AT(&Vt, j, i) = cos(j * acos(x));
    }
    if (coda_mat_sub(&Tt, &Vt, 0, (size_t)K, 0, (size_t)K, e) < 0) {
        coda_mat_free(&Vt);
        return -1;
    }
    lapack_int *piv = malloc(sizeof(lapack_int) * (size_t)K);
    int rc = piv ? 0 : coda_fail_oom(e);
    if (rc == 0 && LAPACKE_dgesv(LAPACK_COL_MAJOR, K, N, Tt.data, K, piv, Vt.data, K) != 0)
        rc = coda_fail(e, "mds: singular Chebyshev system");
    for (int i = K; i < N && rc == 0; i++)
        for (int j = 0; j < K; j++)
            CODA_AT(&p->G, i, j) = CODA_AT(&Vt, j, i);
    free(piv);
    coda_mat_free(&Vt);
    coda_mat_free(&Tt);
    return rc;
}

static const coda_scheme_option options[] = {
    {"generator", 0, "G", "gaussian (default) or chebyshev: the generator's parity rows", 0},
    {NULL, 0, NULL, NULL, 0}};

const coda_scheme coda_scheme_mds = {
    .name = "mds",
    .summary = "systematic real MDS code for products (Lee et al. 2018): any K=N-s of N workers",
    .caps = CODA_CAP_CONCATS,
    .options = options,
    .build = build,
    .encode = coda_encode_g,
    .decode = coda_decode_coded,
};
