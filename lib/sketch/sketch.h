/* Sketching operators S (r x N) applied to a tall A (N x d; append b as a last column to sketch
 * A and b together). Every draw comes from coda_rng(seed, stream), so the same seed gives the
 * same S whatever the thread count.
 *   gaussian     S = G / sqrt(r), G_ij ~ N(0,1)
 *   rademacher   S = R / sqrt(r), R_ij = +-1
 *   srht         sqrt(P/r) * (r rows of the P x P orthonormal Walsh-Hadamard H, uniformly
 *                without replacement) * D, rows zero-padded to P = 2^ceil(log2 N), D = diag(+-1);
 *                fast in-place transform, O(N d log N)
 *   countsketch  sparse sign embedding: each column of S has `nnz` entries +-1/sqrt(nnz) in
 *                distinct random rows (nnz = 1: CountSketch; 0: CODA_SKETCH_DEFAULT_NNZ),
 *                O(N d nnz)
 *   uniform      r rows uniformly with replacement, scaled by sqrt(N / r)
 *   leverage     r rows with probability p_i = l_i / d (l_i the leverage scores), with
 *                replacement, scaled by 1 / sqrt(r p_i); exact scores by a thin QR, or
 *                approximate ones (`approx`) from the R of a CountSketch QR and a Gaussian
 *                projection (Drineas et al. 2012)
 *   block        papers/leverage-gc.txt Algorithm 1: K row blocks, q = r / tau blocks drawn with
 *                replacement with probability Pi_l (block leverage scores), block scaled by
 *                1 / sqrt(q Pi_l); `weighted` keeps each distinct block once, scaled by
 *                sqrt(w_l / (q Pi_l)), in block order (Appendix E)
 *   block-uniform the same with Pi_l = 1 / K: q blocks uniformly with replacement, each scaled by
 *                sqrt(K / q) (uniform block sampling; the paper's SSD on A's blocks)
 *   block-srht   block-uniform on H D A instead of A (spec §2.10, a guess: the paper's
 *                definition is in a missing reference): D = diag(+-1) drawn once per seed (the
 *                same for every stream, as fixed at encoding), H the orthonormal Walsh-Hadamard
 *                transform of the rows zero-padded to P = 2^ceil(log2 N), the P rows cut into K
 *                near-equal blocks; q = r / ceil(N / K) as for block
 *   none         S = I (plain steepest descent through iterative-sketch) */
#ifndef CODA_SKETCH_H
#define CODA_SKETCH_H

#include "../core/mat.h"

/* Nonzeros per column of the sparse sign embedding when none is asked for: with 8 d rows, 4 gave
 * the preconditioner of bench/lsq.sh as few LSQR iterations as 8 on incoherent problems and
 * fewer than 2 on coherent ones, at half the sketching time of 8. */
#define CODA_SKETCH_DEFAULT_NNZ 4

typedef enum {
    CODA_SK_GAUSSIAN,
    CODA_SK_RADEMACHER,
    CODA_SK_SRHT,
    CODA_SK_COUNT,
    CODA_SK_UNIFORM,
    CODA_SK_LEVERAGE,
    CODA_SK_BLOCK,
    CODA_SK_BLOCK_UNIFORM,
    CODA_SK_BLOCK_SRHT,
    CODA_SK_NONE
} coda_sketch_kind;

typedef struct {
    coda_sketch_kind kind;
    size_t rows;           /* r */
    int nnz;               /* countsketch: nonzeros per column (0: the default) */
    int approx;            /* leverage, block: approximate scores */
    int blocks;            /* block: K */
    int weighted;          /* block: Appendix E form */
    size_t score_cols;     /* columns of A that define the scores (0: all); leaves b out */
    unsigned long long seed;
    unsigned long long stream; /* index of the CODA_RNG_SKETCH stream: a fresh S per iteration */
} coda_sketch_opts;

int coda_sketch_kind_parse(const char *name, coda_sketch_kind *k);
const char *coda_sketch_kind_name(coda_sketch_kind k);

/* SA (r x d; for block weighted, fewer rows). A holding NaN or Inf is refused. */
int coda_sketch_apply(const coda_sketch_opts *o, const coda_mat *A, coda_mat *SA, coda_err *e);
/* The same for an A the caller has already checked to be finite: saves a pass over A. */
int coda_sketch_apply_finite(const coda_sketch_opts *o, const coda_mat *A, coda_mat *SA,
                             coda_err *e);

/* Leverage scores of the first `cols` columns of A (0: all): N x 1, summing to the rank; or,
 * with blocks > 0, the K block scores Pi_l = sum of the block's scores / d, summing to 1. */
int coda_leverage_scores(const coda_mat *A, size_t cols, int blocks, int approx,
                         unsigned long long seed, coda_mat *scores, coda_err *e);

/* ||I - U^T S^T S U||_2 for U an orthonormal basis of range(A): the subspace-embedding
 * distortion of the sketch o for A. */
int coda_sketch_distortion(const coda_sketch_opts *o, const coda_mat *A, double *dist,
                           coda_err *e);

#endif
