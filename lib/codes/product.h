/* Coded matrix products that encode both operands (papers/approx-matdot.txt; specs
 * approx-matdot.md §2.3-2.12): each worker s holds a pair (A~_s, B~_s) and returns A~_s B~_s.
 *
 *   matdot         A in m column blocks, B in m row blocks; A~_s = sum_i lambda_s^i A_i,
 *                  B~_s = sum_j lambda_s^(m-1-j) B_j; exact from any 2m-1 responders.
 *   matdot-approx  the same code with points near 0 (radius r): within a predicted error from any
 *                  m responders, relative to ||A||_F ||B||_F.
 *   linear         the same split with any coefficients (a searched code, coda-assign
 *                  --scheme matdot-search): decoded by least squares on the responders' codes.
 *   poly           polynomial codes (Yu et al. 2017), the other split: A in m row blocks, B in m
 *                  column blocks, A~_s = sum_i t_s^i A_i, B~_s = sum_j t_s^(j m) B_j; exact from
 *                  any m^2 responders, each returning one (Nr/m x Nc/m) block combination.
 *
 * They are schemes like the others (scheme.h, capability CODA_CAP_BOTH_FACTORS), one file each
 * (matdot_code.c, matdot_approx.c, poly.c, linear.c) over the shared code here. Their plans are
 * ordinary coda_plans (so coda-worker-sim runs them unchanged) with G = the A-coefficients
 * (P x m). A worker's B~_s travels as a TASK frame with role=operand ahead of its A~_s task. */
#ifndef CODA_PRODUCT_H
#define CODA_PRODUCT_H

#include "coding.h"
#include "matdot.h"
#include "scheme.h"

/* The evaluation points' options of the exact codes (matdot, poly): cheb nodes of radius 1. */
#define CODA_PRODUCT_POINT_OPTIONS                                                                 \
    {"radius", 0, "R", "the points' radius (default 1)", 0},                                       \
        {"points", 0, "P", "cheb (default) or equi nodes", 0}

typedef struct {
    const char *scheme;     /* matdot, matdot-approx, linear, poly */
    int m, P;
    int nodes_set;          /* else cheb for matdot and poly, equi for matdot-approx */
    coda_nodes_kind nodes;
    coda_radius_rule rule;  /* matdot-approx: auto (default), tight or paper */
    double radius;          /* > 0: this radius, no rule */
    double eps;             /* target error relative to ||A||_F ||B||_F; 0: none */
    int design;             /* design responders (default m) */
    int force;              /* encode even when the predicted error exceeds eps */
    const coda_mat *code;   /* linear: 2m x P, rows 0..m-1 the A-coefficients, m..2m-1 B's */
    int code_threshold;     /* linear: the threshold the code was designed for (0: m) */
    unsigned long long seed;
} coda_product_args;

/* A PLAN frame's product fields (coda_plan_from_frame calls it for family=product): a known
 * scheme, m = K within the encoder's range, the scheme's threshold, and every number and list
 * present, finite, in range and of the length N and m require. */
int coda_product_plan_check(const coda_plan *p, coda_err *e);

/* The shape of one worker's RESULT: C's (rows x cols of the plan) for the MatDot split, one
 * padded block (ceil(rows/m) x ceil(cols/m)) for poly. */
void coda_product_result_shape(const coda_plan *p, size_t *rows, size_t *cols);

/* Whether name is a product scheme. */
int coda_product_scheme(const char *name);
/* Whether a plan belongs to a product scheme. */

/* Build the plan for C = A B (A Nr x Ni, B Ni x Nc). matdot-approx chooses its radius here,
 * from the points and A's and B's block norms, and fails when the predicted error exceeds
 * eps (unless force). */
int coda_product_plan(coda_plan *p, const coda_product_args *a, const coda_mat *A,
                      const coda_mat *B, coda_err *e);

/* The TASK frames: for each worker, B~_s (role=operand) then A~_s (op matmul). */
int coda_product_encode(const coda_plan *p, const coda_mat *A, const coda_mat *B, coda_sink sink,
                        void *ctx, coda_err *e);

/* Decode from the RESULT frames that arrived (one per responder, any order: they are used in
 * worker order, so the same responders give the same bytes). dec picks matdot-approx's decoder
 * for m <= K < 2m-1 responders (matdot.h; the other schemes ignore it). Fills info, including
 * the error report of matdot, matdot-approx and linear codes. */
int coda_product_decode(const coda_plan *p, const coda_frame *res, size_t n,
                        coda_matdot_decoder dec, coda_mat *out, coda_decode_info *info, coda_err *e);

/* E = I_m - sum_s d_s alpha_s beta_s^T (m x m) for K responders' coefficient columns alpha,
 * beta (m x K, leading dimension m), and its 2-norm. */
double coda_code_error(int m, int K, const double *alpha, const double *beta, const double *d,
                       double *E);

/* The scheme hooks the four product schemes share (scheme.h): build from the scheme's options
 * (-m, --eps, --radius, --points, --design-responders, --force, and a->code for linear),
 * encode both factors, decode with the report in the decode's figures (--decoder). */
struct coda_scheme;
int coda_product_build(coda_plan *p, const coda_scheme_args *a, const char *scheme,
                       coda_err *e);
int coda_product_encode_s(const coda_plan *p, const coda_mat *data, const coda_mat *operand,
                          coda_sink sink, void *ctx, coda_err *e);
int coda_product_decode_s(const coda_plan *p, const coda_frame *res, size_t n,
                          const coda_meta *opts, coda_mat *out, coda_decode_info *info,
                          coda_err *e);

#endif
