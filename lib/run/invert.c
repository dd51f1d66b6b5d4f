#include "invert.h"

#include <cblas.h>
#include <lapacke.h>
#include <math.h>
#include <stdlib.h>
#include <string.h>

#include "../codes/coding.h"
#include "../codes/scheme.h"
#include "../work/work.h"
#include "job.h"

int coda_inv_mode_parse(const char *name, size_t rows, size_t cols, coda_inv_mode *mode,
                        coda_err *e)
{
    if (strcmp(name, "inverse") == 0)
        *mode = CODA_INV_INVERSE;
    else if (strcmp(name, "left") == 0)
        *mode = CODA_INV_LEFT;
    else if (strcmp(name, "right") == 0)
        *mode = CODA_INV_RIGHT;
    else if (strcmp(name, "pinv") == 0)
        *mode = rows > cols ? CODA_INV_LEFT : rows < cols ? CODA_INV_RIGHT : CODA_INV_INVERSE;
    else
        return coda_fail(e, "unknown mode '%s' (inverse, left, right, pinv)", name);
    return 0;
}

const char *coda_inv_mode_name(coda_inv_mode m)
{
    return m == CODA_INV_LEFT ? "left" : m == CODA_INV_RIGHT ? "right" : "inverse";
}

void coda_invert_info_free(coda_invert_info *info) { coda_lsq_stats_free(&info->lsq); }

static int shape_check(const coda_mat *A, coda_inv_mode mode, coda_err *e)
{
    size_t r = A->rows, c = A->cols;
    if (r == 0 || c == 0)
        return coda_fail(e, "the matrix is empty");
    if (mode == CODA_INV_INVERSE && r != c)
        return coda_fail(e, "the matrix is %zu x %zu: an inverse needs a square matrix "
                            "(--mode pinv gives a pseudoinverse)", r, c);
    if (mode == CODA_INV_LEFT && r <= c)
        return coda_fail(e, "the matrix is %zu x %zu: a left pseudoinverse needs more rows than "
                            "columns (--mode right, or pinv to choose)", r, c);
    if (mode == CODA_INV_RIGHT && r >= c)
        return coda_fail(e, "the matrix is %zu x %zu: a right pseudoinverse needs more columns "
                            "than rows (--mode left, or pinv to choose)", r, c);
    size_t bad = coda_mat_first_nonfinite(A);
    if (bad != (size_t)-1)
        return coda_fail(e, "entry (%zu,%zu) is %s", bad % r + 1, bad / r + 1,
                         isnan(CODA_AT(A, bad % A->rows, bad / A->rows)) ? "NaN" : "infinite");
    return 0;
}

/* The matrix whose inverse's columns are solved for: A, A^T A or A A^T (symmetric, from dsyrk). */
static int system_matrix(const coda_mat *A, coda_inv_mode mode, double d, coda_mat *M,
                         coda_err *e)
{
    if (mode == CODA_INV_INVERSE) {
        if (coda_mat_copy(M, A, e) < 0)
            return -1;
    } else {
        int left = mode == CODA_INV_LEFT;
        size_t k = left ? A->cols : A->rows, inner = left ? A->rows : A->cols;
        if (coda_mat_alloc(M, k, k, e) < 0)
            return -1;
        cblas_dsyrk(CblasColMajor, CblasUpper, left ? CblasTrans : CblasNoTrans, (int)k,
                    (int)inner, 1.0, A->data, (int)A->rows, 0.0, M->data, (int)k);
        for (size_t j = 0; j < k; j++)
            for (size_t i = j + 1; i < k; i++)
                CODA_AT(M, i, j) = CODA_AT(M, j, i);
    }
    if (d != 1.0)
        cblas_dscal((int)(M->rows * M->cols), d, M->data, 1);
    return 0;
}

/* Encode the identity's columns, run the workers that respond, decode: one round of a coded
 * job, the pipeline in memory (the same bytes for the same seed). */
static int distributed(const coda_mat *M, const coda_invert_opts *o, coda_mat *C,
                       coda_invert_info *info, coda_err *e)
{
    size_t k = M->rows;
    coda_scheme_args a = {.N = o->N, .s = o->s, .op = "lsq-columns", .seed = o->seed};
    coda_plan plan;
    coda_mat ident = {0};
    coda_job job = {0};
    coda_straggle_model none = {.kind = CODA_LAT_NONE, .stragglers = -1, .wait_for = -1,
                                .deadline = -1, .seed = o->seed};
    if (coda_plan_build(&plan, o->scheme ? o->scheme : "frc", &a, k, e) < 0)
        return -1;
    const coda_straggle_model *m = o->straggle ? o->straggle : &none;
    coda_sim_config cfg = {.straggle = *m, .progress = o->progress};
    coda_policy policy = {.wait_for = m->wait_for, .deadline = m->deadline};
    int rc = coda_plan_set_shape(&plan, M->cols, k, e);
    if (rc == 0)
        rc = coda_lsq_opts_to_meta(&o->lsq, &plan.extra, e);
    if (rc == 0)
        rc = coda_mat_identity(&ident, k, e);
    if (rc == 0)
        rc = coda_job_start(&job, &plan, &ident, &coda_engine_sim, &cfg, &policy, 0, e);
    coda_plan_free(&plan); /* taken over by the job, or never built */
    if (rc == 0 && coda_job_step(&job, 0, M, C, e) < 0)
        rc = coda_fail_prefix(e, "%s: ", job.plan.scheme);
    if (rc == 0)
        rc = coda_lsq_stats_from_results(&job.plan, job.results.f, job.results.n, &info->lsq,
                                         e);
    if (rc == 0) {
        info->N = job.plan.N;
        info->responders = job.decoded.responders;
        info->completion = job.round.time;
        info->uncoded = job.round.uncoded;
        snprintf(info->scheme, sizeof info->scheme, "%s", job.plan.scheme);
    }
    coda_job_free(&job); /* before the data its tasks may view */
    coda_mat_free(&ident);
    return rc;
}

int coda_invert(const coda_mat *A, const coda_invert_opts *o, coda_mat *out,
                coda_invert_info *info, coda_err *e)
{
    memset(out, 0, sizeof *out);
    memset(info, 0, sizeof *info);
    if (shape_check(A, o->mode, e) < 0)
        return -1;
    if (!(o->scale > 0) || !isfinite(o->scale))
        return coda_fail(e, "the scale d must be positive and finite");
    const char *what = o->mode == CODA_INV_INVERSE ? "A" : o->mode == CODA_INV_LEFT ? "A^T A" : "A A^T";
    coda_mat M, C = {0};
    if (system_matrix(A, o->mode, o->scale, &M, e) < 0)
        return -1;
    info->subproblems = M.rows;
    int rc;
    if (o->N > 0)
        rc = distributed(&M, o, &C, info, e);
    else {
        coda_mat ident;
        rc = coda_mat_identity(&ident, M.rows, e);
        if (rc == 0)
            rc = coda_lsq_columns(&M, &ident, &o->lsq, &C, &info->lsq, e);
        coda_mat_free(&ident);
    }
    if (rc < 0)
        coda_fail_prefix(e, "%s: ", what);
    /* For a singular M the columns converge to least-squares solutions and ||M X - I||_F^2 >=
     * dim null(M^T) >= 1; a nonsingular M gives that too when eps is loose for its sigma_min.
     * The residuals certify sigma_min(M) <= sigma_upper: refuse when that bound says M is
     * singular to the solver's accuracy; the caller warns about a large residual otherwise. */
    if (rc == 0 && o->lsq.method != CODA_LSQ_DIRECT && info->lsq.resid2_sum >= 0.5 &&
        info->lsq.sigma_upper <= 1e-8 * coda_mat_fro(&M))
        rc = coda_fail(e, "%s is singular to the solver's accuracy: ||M X - I||_F = %.3g after "
                          "%s stopped (a singular matrix gives at least 1), and the residuals "
                          "show sigma_min <= %.3g, below 1e-8 ||M||_F (use --method direct to "
                          "check)",
                       what, sqrt(info->lsq.resid2_sum), coda_lsq_method_name(o->lsq.method),
                       info->lsq.sigma_upper / o->scale);
    coda_mat_free(&M);
    if (rc < 0) {
        coda_mat_free(&C);
        coda_invert_info_free(info);
        return -1;
    }
    if (o->scale != 1.0)
        cblas_dscal((int)(C.rows * C.cols), o->scale, C.data, 1);
    if (o->mode == CODA_INV_INVERSE) {
        *out = C;
        return 0;
    }
    /* left: A^+ = C^T A^T (m x n); right: A^+ = A^T C (n x m) */
    int left = o->mode == CODA_INV_LEFT;
    size_t m = C.rows, n = left ? A->rows : A->cols;
    rc = left ? coda_mat_alloc_raw(out, m, n, e) : coda_mat_alloc_raw(out, n, m, e);
    if (rc == 0 && left)
        cblas_dgemm(CblasColMajor, CblasTrans, CblasTrans, (int)m, (int)n, (int)m, 1.0, C.data,
                    (int)m, A->data, (int)A->rows, 0.0, out->data, (int)m);
    else if (rc == 0)
        cblas_dgemm(CblasColMajor, CblasTrans, CblasNoTrans, (int)n, (int)m, (int)m, 1.0, A->data,
                    (int)A->rows, C.data, (int)m, 0.0, out->data, (int)n);
    coda_mat_free(&C);
    if (rc < 0)
        coda_invert_info_free(info);
    return rc;
}

/* Singular values of a copy of X (values only, or also U, V^T for the pseudoinverse). */
static int svd(const coda_mat *X, double *s, coda_mat *U, coda_mat *VT, coda_err *e)
{
    size_t r = X->rows, c = X->cols, p = r < c ? r : c;
    coda_mat W;
    if (coda_mat_copy(&W, X, e) < 0)
        return -1;
    int rc = 0;
    if (U && (coda_mat_alloc_raw(U, r, p, e) < 0 || coda_mat_alloc_raw(VT, p, c, e) < 0))
        rc = -1;
    if (rc == 0 && LAPACKE_dgesdd(LAPACK_COL_MAJOR, U ? 'S' : 'N', (lapack_int)r, (lapack_int)c,
                                  W.data, (lapack_int)r, s, U ? U->data : NULL, (lapack_int)r,
                                  U ? VT->data : NULL, (lapack_int)p) != 0)
        rc = coda_fail(e, "LAPACK dgesdd did not converge");
    coda_mat_free(&W);
    return rc;
}

int coda_invert_auto_scale(const coda_mat *A, coda_inv_mode mode, double *d, coda_err *e)
{
    size_t p = A->rows < A->cols ? A->rows : A->cols;
    if (shape_check(A, mode, e) < 0)
        return -1;
    double *s = malloc(p * sizeof *s);
    if (!s)
        return coda_fail_oom(e);
    int rc = svd(A, s, NULL, NULL, e);
    if (rc == 0 && !(s[p - 1] > 0))
        rc = coda_fail(e, "the matrix is singular (its smallest singular value is 0)");
    if (rc == 0)
        *d = mode == CODA_INV_INVERSE ? 1.0 / s[p - 1] : 1.0 / (s[p - 1] * s[p - 1]);
    free(s);
    return rc;
}

int coda_invert_check(const coda_mat *A, const coda_mat *X, const coda_invert_opts *o,
                      const coda_invert_info *info, coda_invert_report *rep, coda_err *e)
{
    size_t r = A->rows, c = A->cols, p = r < c ? r : c;
    coda_mat U = {0}, VT = {0}, P = {0};
    double *s = malloc((p + 1) * sizeof *s);
    int rc = s ? svd(A, s, &U, &VT, e) : coda_fail_oom(e);
    if (rc == 0 && !(s[p - 1] > 0))
        rc = coda_fail(e, "the matrix is singular: no exact inverse to compare with");
    if (rc == 0 && (X->rows != c || X->cols != r))
        rc = coda_fail(e, "the estimate is %zu x %zu, not %zu x %zu", X->rows, X->cols, c, r);
    /* A^+ = V S^-1 U^T: scale the rows of V^T, then (S^-1 V^T)^T U^T */
    for (size_t i = 0; rc == 0 && i < p; i++)
        cblas_dscal((int)c, 1.0 / s[i], VT.data + i, (int)p);
    if (rc == 0 && coda_mat_alloc_raw(&P, c, r, e) < 0)
        rc = -1;
    if (rc == 0) {
        cblas_dgemm(CblasColMajor, CblasTrans, CblasTrans, (int)c, (int)r, (int)p, 1.0, VT.data,
                    (int)p, U.data, (int)r, 0.0, P.data, (int)c);
        double pf = coda_mat_fro(&P);
        rep->sigma_min = s[p - 1];
        rep->sigma_max = s[0];
        cblas_daxpy((int)(r * c), -1.0, X->data, 1, P.data, 1); /* P = A^+ - X */
        double df = coda_mat_fro(&P);
        rep->err_F = df * df;
        rep->err_rF = rep->err_F / (pf * pf);
        rc = svd(&P, s, NULL, NULL, e);
        if (rc == 0)
            rep->err_l2 = s[0] * s[0];
    }
    if (rc == 0) {
        double sg = rep->sigma_min, sM = rep->sigma_max, d = o->scale, eps = o->lsq.eps,
               k = (double)info->subproblems, cF, crF;
        /* Each column: ||x_i - M^-1 e_i|| <= ||M^-1|| ||M x_i - e_i|| <= g_i / (2 sigma_M^2) for
         * the final gradient g_i of the scaled problem, so the squared error of d x_i is at most
         * g_i^2 / (4 d^2 sigma_M^4); the paper states 1/2 for 1/4 and we keep its constant.
         * Pseudoinverse: sigma_M = sigma^2, and multiplying by A^T adds sigma_max^2.
         * Relative: ||A^+||_F^2 >= 1 / sigma^2. */
        if (o->mode == CODA_INV_INVERSE)
            cF = 1.0 / (2 * d * d * pow(sg, 4));
        else
            cF = sM * sM / (2 * d * d * pow(sg, 8));
        crF = cF * sg * sg;
        int theorem = o->lsq.method == CODA_LSQ_SD && info->lsq.ncapped == 0;
        rep->bound_F = theorem ? k * eps * eps * cF : NAN;
        rep->bound_rF = theorem ? k * eps * eps * crF : NAN;
        rep->bound_F_obs = info->lsq.grad2_sum * cF;
        rep->bound_rF_obs = info->lsq.grad2_sum * crF;
        if (o->mode == CODA_INV_INVERSE) {
            rep->paper_bound_F = rep->bound_F;
            rep->paper_bound_rF = rep->bound_rF;
        } else if (theorem && d == 1.0) { /* Corollary 2 as printed */
            rep->paper_bound_F = k * eps * eps * sM * sM / (2 * pow(sg, 4));
            rep->paper_bound_rF = k * eps * eps * (sM / sg) * (sM / sg) / 2;
        } else
            rep->paper_bound_F = rep->paper_bound_rF = NAN;
    }
    free(s);
    coda_mat_free(&U);
    coda_mat_free(&VT);
    coda_mat_free(&P);
    return rc;
}
