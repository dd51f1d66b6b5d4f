/* Test matrices with known properties, seeded (the same seed gives the same bytes):
 *   gaussian  i.i.d. N(0,1) entries
 *   svd       U diag(s) V^T with U, V Haar-random orthonormal (QR of Gaussian matrices) and
 *             singular values geometric from 1 down to 1/kappa; `coherent` concentrates the
 *             leverage of U on its first rows (U from the QR of a Gaussian matrix whose first
 *             min(rows, cols) rows are scaled by 1e4), the hard case for uniform sampling
 *   spd       Q diag(s) Q^T, eigenvalues geometric from 1 down to 1/kappa */
#ifndef CODA_GEN_H
#define CODA_GEN_H

#include "mat.h"

typedef enum { CODA_GEN_GAUSSIAN, CODA_GEN_SVD, CODA_GEN_SPD } coda_gen_kind;

int coda_gen_kind_parse(const char *name, coda_gen_kind *k);
int coda_gen(coda_gen_kind kind, size_t rows, size_t cols, double kappa, int coherent,
             unsigned long long seed, coda_mat *out, coda_err *e);

#endif
