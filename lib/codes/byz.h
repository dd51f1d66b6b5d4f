/* The numerical core of the Byzantine-resilient code (papers/byzantine.txt; the spec's §3):
 * the 2t x m error-locator F whose every 2t columns are independent, a basis F^perp (m x q,
 * q = m - 2t) of its null space, and the Prony-type decoder that finds the support of a
 * t-sparse e from its syndrome F e. The scheme (byz.c) codes blocks of rows with F^perp as the
 * generator and F as the parity check; these functions are what it and the tests share. */
#ifndef CODA_BYZ_H
#define CODA_BYZ_H

#include <stdint.h>

#include "../core/mat.h"
#include "coding.h"

typedef enum { CODA_BYZ_ODD_DFT, CODA_BYZ_VANDERMONDE } coda_byz_locator_kind;

/* The nodes of a Vandermonde locator, by name: equi (midpoints of m equal cells of [-1, 1]),
 * cheb (Chebyshev points), int (1..m, the paper's, unreliable in float64). z holds m. Usage
 * class on an unknown name. */
int coda_byz_nodes(const char *name, int m, double *z, coda_err *e);

/* F (2t x m): odd-dft, F[2j][i] = cos((2j+1) phi_i), F[2j+1][i] = sin((2j+1) phi_i) with
 * phi_i = pi i / m (i = 0..m-1); vandermonde, F[j][i] = z_i^j. t = 0: a 0 x m matrix (data
 * NULL). z is used by vandermonde only. */
int coda_byz_locator(int m, int t, coda_byz_locator_kind kind, const double *z, coda_mat *F,
                     coda_err *e);

/* A basis of null(F) (m x q): systematic, [-F1^{-1} F2; I_q] (the paper's RREF: the last q
 * workers hold their rows verbatim); orthonormal (F^perp^T F^perp = I), the last q columns of
 * the Q of a Householder QR of F^T. k = F->rows may be 0 (then the identity). */
int coda_byz_nullspace(const coda_mat *F, int m, int systematic, coda_mat *Fp, coda_err *e);

/* The worst condition number of F^perp_T over the row sets T of size m - t: every one when
 * C(m, t) <= 1e4, otherwise a sample of them (drawn from `seed`, as many as a budget of
 * about 2e8 flops allows, at most 1000; none, and NaN, where one SVD would cost 2e10).
 * *count: the sets examined; *exhaustive: all of them. Infinite when some F^perp_T is rank
 * deficient. */
int coda_byz_worst_cond(const coda_mat *Fp, int t, uint64_t seed, double *worst, long *count,
                        int *exhaustive, coda_err *e);

/* The singular-value condition number of the rows `rows` (n of them) of Fp, its smallest
 * singular value in *smin (may be NULL). */
int coda_byz_rows_cond(const coda_mat *Fp, const int *rows, int n, double *cond, double *smin,
                       coda_err *e);

/* What LOCATE found. */
typedef struct {
    int nu;          /* the model order accepted (0: no error), or the best one tried */
    int accepted;    /* 1: the residual test passed at order nu (or the syndrome was noise) */
    double sigma;    /* ||sigma||_2, the moments' norm */
    double scale;    /* the syndrome's noise reference, max_j sum_i |F_ji y_i| */
    double resid;    /* the best order's residual ||V a - sigma|| */
} coda_byz_located;

/* The support of a (<= t)-sparse error e from s = F e (2t numbers), where y is the vector
 * whose syndrome s is (for the noise floor scale = max_j sum_i |F_ji y_i|): moments on the
 * nodes (odd-dft: the unit circle, vandermonde: z), a Hankel least-squares fit of the
 * error-locator polynomial for orders 1..t, the nu nodes where it is smallest, accepted when
 * the moments are fitted to tol_locate ||sigma|| + tol_syndrome scale. Returns the located
 * workers in which[0..nu-1] (ascending; which holds t). tol_syndrome also decides "no error"
 * (||sigma|| <= tol_syndrome scale). */
int coda_byz_locate(const coda_mat *F, coda_byz_locator_kind kind, const double *z,
                    const double *y, double tol_syndrome, double tol_locate, int *which,
                    coda_byz_located *out, coda_err *e);

/* The shards' layout (byz_shards.c; the paper's, spec §3.3): line `pos` of block `block`
 * (q blocks) is line pos q + block of the data, so that block j of consecutive lines is
 * [j q, (j+1) q) and new lines only extend the last shard line and add new ones. The plan
 * records it as layout=interleaved. */
static inline size_t coda_byz_line(int q, int block, size_t pos)
{
    return pos * (size_t)q + (size_t)block;
}

/* Every worker's TASK frame: worker i's line j is sum_c Fp[i,c] x_{jq+c} over the data's
 * lines x (rows, or columns for a column split), c in order, the first nonzero term a
 * product and the others added (spec §3.3 ENCODE). */
int coda_byz_encode(const coda_plan *p, const coda_mat *data, const coda_mat *operand,
                    coda_sink sink, void *ctx, coda_err *e);

/* The scheme's append hook (scheme.h): the shards of p's tasks extended by more (§3.9),
 * bitwise those coda_byz_encode gives the whole data. */
int coda_byz_append(const coda_plan *p, coda_plan *next, const coda_frame *tasks, size_t n,
                    const coda_mat *more, int across, coda_sink sink, void *ctx, coda_err *e);

#endif
