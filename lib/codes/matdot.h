/* MatDot codes and epsilon-approximate MatDot (papers/approx-matdot.txt Constructions 1 and 2;
 * ../shared/specs/approx-matdot.md §2.3-2.8): the numerical core, without the pipeline.
 *
 * A (Nr x Ni) is split into m column blocks A_i, B (Ni x Nc) into m row blocks B_j (inner
 * dimension zero-padded to m b). Worker s holds
 *     A~_s = sum_i lambda_s^i A_i,   B~_s = sum_j lambda_s^(m-1-j) B_j      (0-based i, j)
 * and returns A~_s B~_s = p_C(lambda_s), a polynomial of degree 2m-2 whose x^(m-1) coefficient
 * is C = AB. Decoding is one weight vector d: C^ = sum_{s in S} d_s A~_s B~_s.
 *
 * Points are lambda_s = r t_s with nodes t_s in (-1, 1). Every system is solved in the scaled
 * variable t (a Vandermonde matrix on nodes in (-1, 1), never normal equations or a truncating
 * pseudo-inverse); the unavoidable amplification is the explicit factor r^-(m-1).
 *
 * Errors are relative to ||A||_F ||B||_F, as the paper's epsilon (its eta = 1 form): the decoded
 * C^ satisfies ||C^ - C||_F <= ||E_S||_2 ||A||_F ||B||_F in exact arithmetic, with the m x m error
 * matrix E_S = I - sum_s d_s alpha_s beta_s^T (tight on rank-one inputs), plus float64 round-off
 * of about u sum_s |d_s| ||C~_s||_F. */
#ifndef CODA_MATDOT_H
#define CODA_MATDOT_H

#include "../core/mat.h"

/* The largest m of the product codes: beyond it the monomial systems in float64 (condition
 * growing exponentially in m) decode nothing useful. Every array sized by m is on the heap. */
#define CODA_PRODUCT_MAX_M 16

typedef enum { CODA_NODES_CHEB, CODA_NODES_EQUI } coda_nodes_kind;

/* P nodes in (-1, 1): cheb cos((2l-1) pi / (2P)), equi -1 + (2l-1)/P, l = 1..P. */
void coda_matdot_nodes(coda_nodes_kind kind, int P, double *t);

/* Encoding coefficients for points lambda (P): alpha (m x P) alpha[i,s] = lambda_s^i, and
 * beta (m x P) beta[j,s] = lambda_s^(m-1-j). */
int coda_matdot_coeffs(int m, int P, const double *lambda, coda_mat *alpha, coda_mat *beta,
                       coda_err *e);

/* Decoding weights for K responders with nodes t (their points are r t). K >= 2m-1: exact
 * (the x^(m-1) coefficient of the interpolating polynomial; min-norm when K > 2m-1); m <= K <
 * 2m-1: the approximate decoder that interpolates with degree K-1 (papers/approx-matdot.txt
 * §III-B; specs §2.6). g receives the scaled weights (d_s = g_s / r^(m-1)). K < m: refused. */
int coda_matdot_weights(int m, int K, const double *t, double *g, coda_err *e);

/* The two decoders of matdot-approx (they coincide for K >= 2m-1):
 *   interp   coda_matdot_weights: interpolation in the scaled variable (specs §2.6), for which
 *            the tight radius rule is proved; the default.
 *   minnorm  the paper's Algorithm 1: the x^(m-1) coefficient of the minimum-norm solution of
 *            the K x (2m-1) Vandermonde system in the points lambda = r t, i.e. the d that
 *            minimizes ||e_(m-1) - sum_s d_s (1, lambda_s, ..., lambda_s^(2m-2))||_2 (Thm 3 is
 *            proved for it). It converges to interp as r -> 0. */
typedef enum { CODA_DECODER_INTERP, CODA_DECODER_MINNORM } coda_matdot_decoder;

/* The minnorm weights for K responders with nodes t at radius r, scaled as g (d_s = g_s /
 * r^(m-1)). For K < 2m-1 the least-squares problem above is solved in the form
 * min || e_(m-1) - W g ||, W[l][s] = r^(l-m+1) t_s^l, whose rows shrink with l: Householder QR
 * with column pivoting (LAPACK dgelsy, nothing truncated) is row-wise backward stable on such
 * graded rows (Cox and Higham 1998), where the normal equations or a truncating pseudo-inverse
 * lose the small rows (specs §2.5). K >= 2m-1: the exact weights of coda_matdot_weights. */
int coda_matdot_weights_minnorm(int m, int K, const double *t, double r, double *g, coda_err *e);

/* E_S (m x m, column-major) for scaled weights g on nodes t at radius r, from decoder
 * dec's weights: interp reproduces the powers below m-1 exactly, so E_S is lower triangular and
 * only its lower part is evaluated; minnorm's E_S is full. -1 when out of memory. */
int coda_matdot_error_matrix(int m, int K, const double *t, double r, const double *g,
                             coda_matdot_decoder dec, double *E);

/* The next R-subset idx of 0..P-1 in lexicographic order (start from 0..R-1); 0 after the
 * last. */
int coda_subset_next(int *idx, int R, int P);

/* ||E_S||_2 for scaled weights g on nodes t at radius r: the worst-case truncation error
 * relative to ||A||_F ||B||_F in exact arithmetic. */
double coda_matdot_trunc(int m, int K, const double *t, double r, const double *g,
                         coda_matdot_decoder dec);

/* The round-off estimate u sum_s |d_s| nu_s, with nu_s = (sum_i |lambda_s|^i a_i)
 * (sum_j |lambda_s|^(m-1-j) b_j) from the block norms a_i = ||A_i||_F / ||A||_F and b_j =
 * ||B_j||_F / ||B||_F (nu_s bounds ||C~_s||_F / (||A||_F ||B||_F)). */
double coda_matdot_roundoff(int m, int K, const double *t, double r, const double *g,
                            const double *a, const double *b);

typedef enum { CODA_RADIUS_AUTO, CODA_RADIUS_TIGHT, CODA_RADIUS_PAPER, CODA_RADIUS_FIXED } coda_radius_rule;

typedef struct {
    double r;          /* chosen radius */
    double trunc;      /* worst ||E_S||_2 over the design subsets */
    double roundoff;   /* worst round-off estimate over them */
    double predicted;  /* trunc + 2 roundoff */
    long subsets;      /* subsets examined */
} coda_radius_choice;

/* The radius for P nodes t and R design responders (m <= R <= P):
 *   auto   minimizes trunc + 2 roundoff over r = 10^(-k/8), k = 0..128 (specs §2.7);
 *   tight  1 - (1 + eps)^(-1/m): truncation <= eps for every m-subset (specs §2.6);
 *   paper  eps / (6 sqrt(2m-1) (m-1) m), the paper's (17);
 *   fixed  eps itself is the radius (0 < r <= 1): only its prediction is computed.
 * trunc and roundoff are the worst over all R-subsets (every one when there are at most
 * 20000, else 20000 drawn with the seed). Block norms a, b as for coda_matdot_roundoff (NULL:
 * equal blocks, 1/sqrt(m) each). */
int coda_matdot_radius(coda_radius_rule rule, double eps, int m, int P, const double *t, int R,
                       const double *a, const double *b, unsigned long long seed,
                       coda_radius_choice *out, coda_err *e);

/* Worker s's pair (A~_s, B~_s) = (sum_i alpha_s[i] A_i, sum_j beta_s[j] B_j). The inner
 * dimension is split as coda_plan_split does (the first Ni mod m blocks one longer) and each
 * block zero-padded to ceil(Ni/m). Any linear code in this split uses it. */
int coda_matdot_encode_pair(const coda_mat *A, const coda_mat *B, int m, const double *alpha_s,
                            const double *beta_s, coda_mat *At, coda_mat *Bt, coda_err *e);

/* out = sum_s d[s] Ct[s], in the order given (the same responders give the same bytes). */
int coda_matdot_combine(int K, const double *d, const coda_mat *const *Ct, coda_mat *out,
                        coda_err *e);

#endif
