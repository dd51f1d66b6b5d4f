#include "gen.h"

#include <cblas.h>
#include <math.h>
#include <stdlib.h>
#include <string.h>

#include "rng.h"

int coda_gen_kind_parse(const char *name, coda_gen_kind *k)
{
    static const char *const names[] = {"gaussian", "svd", "spd"};
    for (int i = 0; i < 3; i++)
        if (strcmp(name, names[i]) == 0) {
            *k = (coda_gen_kind)i;
            return 0;
        }
    return -1;
}

static int gaussian(coda_mat *m, size_t r, size_t c, coda_rng *g, coda_err *e)
{
    if (coda_mat_alloc_raw(m, r, c, e) < 0)
        return -1;
    for (size_t k = 0; k < r * c; k++)
        m->data[k] = coda_rng_normal(g);
    return 0;
}

/* r x c (r >= c) with orthonormal columns; the first `heavy` rows scaled up before the QR. */
static int orthonormal(coda_mat *Q, size_t r, size_t c, size_t heavy, coda_rng *g, coda_err *e)
{
    if (gaussian(Q, r, c, g, e) < 0)
        return -1;
    for (size_t i = 0; i < heavy; i++)
        cblas_dscal((int)c, 1e4, Q->data + i, (int)r);
    int rc = coda_mat_orthonormalize(Q, e);
    if (rc < 0)
        coda_mat_free(Q);
    return rc;
}

int coda_gen(coda_gen_kind kind, size_t rows, size_t cols, double kappa, int coherent,
             unsigned long long seed, coda_mat *out, coda_err *e)
{
    memset(out, 0, sizeof *out);
    coda_rng g;
    coda_rng_seed(&g, seed, CODA_RNG_GEN, 0, 0);
    if (kind == CODA_GEN_GAUSSIAN)
        return gaussian(out, rows, cols, &g, e);
    if (!(kappa >= 1) || !isfinite(kappa))
        return coda_fail(e, "kappa must be at least 1");
    if (kind == CODA_GEN_SPD && rows != cols)
        return coda_fail(e, "an spd matrix is square: %zu x %zu asked", rows, cols);
    size_t p = rows < cols ? rows : cols;
    coda_mat U, V;
    if (orthonormal(&U, rows, p, coherent ? p : 0, &g, e) < 0)
        return -1;
    if (kind == CODA_GEN_SPD)
        coda_mat_copy(&V, &U, e);
    else if (orthonormal(&V, cols, p, 0, &g, e) < 0) {
        coda_mat_free(&U);
        return -1;
    }
    coda_mat W;
    int rc = coda_mat_copy(&W, &U, e);
    for (size_t j = 0; rc == 0 && j < p; j++)
        cblas_dscal((int)rows, p == 1 ? 1.0 : pow(kappa, -(double)j / (double)(p - 1)),
                    W.data + j * rows, 1);
    if (rc == 0 && coda_mat_alloc_raw(out, rows, cols, e) == 0)
        cblas_dgemm(CblasColMajor, CblasNoTrans, CblasTrans, (int)rows, (int)cols, (int)p, 1.0,
                    W.data, (int)rows, V.data, (int)cols, 0.0, out->data, (int)rows);
    else
        rc = -1;
    coda_mat_free(&U);
    coda_mat_free(&V);
    coda_mat_free(&W);
    return rc;
}
