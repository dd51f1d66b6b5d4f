/* lib/solve: the column solvers against their own stopping rules and the a-posteriori error
 * bound ||x - M^-1 e|| <= ||grad f|| / (2 sigma_min^2), on matrices with known singular values;
 * the inverse and pseudoinverses against the SVD; distributed runs against one process; the
 * singular cases; least squares (lstsq) on a rank-deficient A, refused or solved for the
 * minimum-norm solution, with several right-hand sides. */
#include <cblas.h>
#include <float.h>
#include <math.h>
#include <stdlib.h>
#include <string.h>

#include "../../lib/core/gen.h"
#include "../../lib/run/invert.h"
#include "../../lib/solve/lstsq.h"
#include "check.h"

/* r x c matrix with singular values geometric from smax down to smin (coda-gen's svd kind). */
static void known_svd(coda_mat *A, size_t r, size_t c, double smax, double smin, unsigned seed)
{
    coda_err e;
    coda_gen(CODA_GEN_SVD, r, c, smax / smin, 0, seed, A, &e);
    cblas_dscal((int)(r * c), smax, A->data, 1);
}

static double diff_fro(const coda_mat *a, const coda_mat *b)
{
    double s = 0;
    for (size_t k = 0; k < a->rows * a->cols; k++)
        s += (a->data[k] - b->data[k]) * (a->data[k] - b->data[k]);
    return sqrt(s);
}

static void solvers(void)
{
    coda_err e;
    size_t n = 40;
    double smin = 0.5, smax = 5;
    coda_mat A, Id, X, Xd;
    known_svd(&A, n, n, smax, smin, 3);
    coda_mat_identity(&Id, n, &e);
    coda_lsq_opts direct = {.method = CODA_LSQ_DIRECT};
    coda_lsq_stats st;
    CHECK(coda_lsq_columns(&A, &Id, &direct, &Xd, &st, &e) == 0, "%s", e.msg);
    for (int m = CODA_LSQ_SD; m <= CODA_LSQ_CG; m++) {
        for (double eps = 1e-2; eps >= 1e-10; eps *= 1e-4) {
            coda_lsq_opts o = {.method = (coda_lsq_method)m, .eps = eps, .iters = 100000};
            CHECK(coda_lsq_columns(&A, &Id, &o, &X, &st, &e) == 0, "%s", e.msg);
            CHECK(st.ncapped == 0 && st.columns == n, "%zu capped", st.ncapped);
            if (m == CODA_LSQ_SD)
                CHECK(st.grad_max <= eps, "sd stopped with gradient %g > eps %g", st.grad_max, eps);
            /* every column: ||x - x*|| <= ||grad|| / (2 smin^2), with room for round-off */
            double worst = 0;
            for (size_t j = 0; j < n; j++) {
                double d = 0;
                for (size_t i = 0; i < n; i++)
                    d += pow(CODA_AT(&X, i, j) - CODA_AT(&Xd, i, j), 2);
                worst = fmax(worst, sqrt(d));
            }
            double bound = st.grad_max / (2 * smin * smin) + 100 * DBL_EPSILON * (smax / smin) / smin;
            CHECK(worst <= bound, "%s eps %g: column error %g above the bound %g",
                  coda_lsq_method_name(o.method), eps, worst, bound);
            coda_mat_free(&X);
            coda_lsq_stats_free(&st);
        }
    }
    /* solving columns together gives each column what solving it alone gives */
    coda_lsq_opts o = {.method = CODA_LSQ_CG, .eps = 1e-12, .iters = 1000};
    coda_mat col, x1;
    coda_lsq_columns(&A, &Id, &o, &X, &st, &e);
    coda_lsq_stats_free(&st);
    coda_mat_sub(&col, &Id, 0, n, 7, 8, &e);
    CHECK(coda_lsq_columns(&A, &col, &o, &x1, &st, &e) == 0, "%s", e.msg);
    double d = 0;
    for (size_t i = 0; i < n; i++)
        d = fmax(d, fabs(CODA_AT(&x1, i, 0) - CODA_AT(&X, i, 7)));
    CHECK(d <= 1e-12 * smax / smin / smin, "column 7 alone differs by %g", d);
    coda_mat_free(&col);
    coda_mat_free(&x1);
    coda_mat_free(&X);
    coda_lsq_stats_free(&st);
    /* the cap: every column named */
    o = (coda_lsq_opts){.method = CODA_LSQ_SD, .eps = 1e-14, .iters = 3};
    CHECK(coda_lsq_columns(&A, &Id, &o, &X, &st, &e) == 0, "%s", e.msg);
    CHECK(st.ncapped == n && st.iters_max == 3, "%zu capped, %ld iterations", st.ncapped,
          st.iters_max);
    char text[512];
    coda_lsq_capped_text(&st, 3, text, sizeof text);
    CHECK(strstr(text, "40 columns stopped at the iteration cap 3") && strstr(text, ": 0, 1, 2"),
          "%s", text);
    coda_mat_free(&X);
    coda_lsq_stats_free(&st);
    coda_mat_free(&A);
    coda_mat_free(&Id);
    coda_mat_free(&Xd);
}

/* Exact pseudoinverse from the known SVD is what coda_invert_check computes; here the estimate
 * must stay within the bounds it reports, for every mode and method. */
static void modes(void)
{
    coda_err e;
    struct { size_t r, c; coda_inv_mode mode; } cases[] = {
        {30, 30, CODA_INV_INVERSE}, {40, 20, CODA_INV_LEFT}, {20, 40, CODA_INV_RIGHT}};
    for (int k = 0; k < 3; k++)
        for (int m = CODA_LSQ_DIRECT; m <= CODA_LSQ_CG; m++) {
            coda_mat A, X;
            known_svd(&A, cases[k].r, cases[k].c, 4, 1.5, 10 + k);
            coda_invert_opts o = {.mode = cases[k].mode, .scale = 1,
                                  .lsq = {.method = (coda_lsq_method)m, .eps = 1e-6, .iters = 100000}};
            coda_invert_info info;
            coda_invert_report rep;
            CHECK(coda_invert(&A, &o, &X, &info, &e) == 0, "%s", e.msg);
            CHECK(coda_invert_check(&A, &X, &o, &info, &rep, &e) == 0, "%s", e.msg);
            CHECK(fabs(rep.sigma_min - 1.5) < 1e-12 && fabs(rep.sigma_max - 4) < 1e-12,
                  "singular values %g %g", rep.sigma_min, rep.sigma_max);
            if (m == CODA_LSQ_DIRECT)
                CHECK(rep.err_rF <= 1e-26, "direct %s: err_rF %g", coda_inv_mode_name(o.mode),
                      rep.err_rF);
            else
                CHECK(rep.err_F <= rep.bound_F_obs, "%s %s: err_F %g above the bound %g",
                      coda_inv_mode_name(o.mode), coda_lsq_method_name(o.lsq.method), rep.err_F,
                      rep.bound_F_obs);
            if (m == CODA_LSQ_SD)
                CHECK(rep.err_F <= rep.bound_F && rep.err_rF <= rep.bound_rF,
                      "sd %s: %g > %g or %g > %g", coda_inv_mode_name(o.mode), rep.err_F,
                      rep.bound_F, rep.err_rF, rep.bound_rF);
            CHECK(rep.err_l2 <= rep.err_F * (1 + 1e-12), "spectral error above Frobenius");
            coda_invert_info_free(&info);
            coda_mat_free(&X);
            coda_mat_free(&A);
        }
}

/* On N workers with the frc code, every straggler set the code tolerates gives the result of
 * one process to round-off, and one straggler too many names the missing block. */
static void distributed(void)
{
    coda_err e;
    coda_mat A, X0;
    known_svd(&A, 24, 24, 3, 0.5, 21);
    coda_invert_opts o = {.mode = CODA_INV_INVERSE, .scale = 1,
                          .lsq = {.method = CODA_LSQ_CG, .eps = 1e-13, .iters = 1000}};
    coda_invert_info info;
    CHECK(coda_invert(&A, &o, &X0, &info, &e) == 0, "%s", e.msg);
    coda_invert_info_free(&info);
    double tol = 1e-11 * coda_mat_fro(&X0);
    o.N = 6;
    o.s = 1;
    for (long w = 0; w < 6; w++) {
        coda_straggle_model m = {.kind = CODA_LAT_NONE, .stragglers = -1, .wait_for = -1,
                                 .deadline = -1, .named = &w, .nnamed = 1};
        o.straggle = &m;
        coda_mat X;
        CHECK(coda_invert(&A, &o, &X, &info, &e) == 0, "worker %ld out: %s", w, e.msg);
        CHECK(info.responders == 5 && info.lsq.columns == 24, "responders %d, columns %zu",
              info.responders, info.lsq.columns);
        CHECK(diff_fro(&X, &X0) <= tol, "worker %ld out: differs by %g", w, diff_fro(&X, &X0));
        coda_invert_info_free(&info);
        coda_mat_free(&X);
    }
    long two[] = {0, 1};
    coda_straggle_model m2 = {.kind = CODA_LAT_NONE, .stragglers = -1, .wait_for = -1,
                              .deadline = -1, .named = two, .nnamed = 2};
    o.straggle = &m2;
    coda_mat X;
    CHECK(coda_invert(&A, &o, &X, &info, &e) < 0 && strstr(e.msg, "need any 5 of 6 workers"),
          "two of one group out: %s", e.msg);
    coda_mat_free(&X0);
    coda_mat_free(&A);
}

static void refusals(void)
{
    coda_err e;
    coda_mat A, X;
    coda_invert_info info;
    known_svd(&A, 20, 20, 2, 1, 5);
    for (size_t i = 0; i < 20; i++) /* rank 19: column 3 repeats column 2 */
        CODA_AT(&A, i, 3) = CODA_AT(&A, i, 2);
    for (int m = CODA_LSQ_DIRECT; m <= CODA_LSQ_CG; m++) {
        coda_invert_opts o = {.mode = CODA_INV_INVERSE, .scale = 1,
                              .lsq = {.method = (coda_lsq_method)m, .eps = 1e-8, .iters = 100000}};
        CHECK(coda_invert(&A, &o, &X, &info, &e) < 0 && strstr(e.msg, "singular"),
              "%s on a singular matrix: %s", coda_lsq_method_name(o.lsq.method), e.msg);
    }
    coda_invert_opts o = {.mode = CODA_INV_LEFT, .scale = 1, .lsq = {.method = CODA_LSQ_SD,
                                                                     .eps = 1e-8, .iters = 10}};
    CHECK(coda_invert(&A, &o, &X, &info, &e) < 0 && strstr(e.msg, "more rows than columns"),
          "left of a square matrix: %s", e.msg);
    A.data[5] = NAN;
    o.mode = CODA_INV_INVERSE;
    CHECK(coda_invert(&A, &o, &X, &info, &e) < 0 && strstr(e.msg, "entry (6,1) is NaN"),
          "NaN: %s", e.msg);
    coda_mat_free(&A);
}

/* lstsq on A (N x d, Gaussian) whose column 4 repeats column 1: A's row space is {x : x_1 = x_4},
 * so for B = A Z (consistent) the minimum-norm solution is Z with entries 1 and 4 both replaced
 * by their mean. Without rcond every method refuses (class numeric, the rank named); with it,
 * every method returns that solution for each of B's 3 columns, within 1e3 N u ||x*|| (A's
 * condition on its row space is below 10 for N = 400 >> d). */
static void lstsq_rank(void)
{
    coda_err e;
    size_t N = 400, d = 6, k = 3;
    coda_mat A, Z, B, X, Xs;
    coda_gen(CODA_GEN_GAUSSIAN, N, d, 1, 0, 50, &A, &e);
    coda_gen(CODA_GEN_GAUSSIAN, d, k, 1, 0, 51, &Z, &e);
    for (size_t i = 0; i < N; i++)
        CODA_AT(&A, i, 4) = CODA_AT(&A, i, 1);
    coda_mat_alloc(&B, N, k, &e);
    cblas_dgemm(CblasColMajor, CblasNoTrans, CblasNoTrans, (int)N, (int)k, (int)d, 1.0, A.data,
                (int)N, Z.data, (int)d, 0.0, B.data, (int)N);
    coda_mat_copy(&Xs, &Z, &e);
    for (size_t j = 0; j < k; j++)
        CODA_AT(&Xs, 1, j) = CODA_AT(&Xs, 4, j) = (CODA_AT(&Z, 1, j) + CODA_AT(&Z, 4, j)) / 2;
    coda_ls_info info;
    for (int m = CODA_LS_QR; m <= CODA_LS_ITER_SKETCH; m++) {
        coda_ls_opts o = {.method = (coda_ls_method)m, .line_search = 1,
                          .sketch = {.kind = CODA_SK_COUNT, .seed = 52}};
        const char *name = coda_ls_method_name(o.method);
        CHECK(coda_lstsq(&A, &B, &o, &X, &info, &e) < 0 && e.cls == CODA_E_NUMERIC &&
                  strstr(e.msg, "rank deficient: numerical rank 5 of 6"),
              "%s without rcond: %s", name, e.msg);
        o.rcond = 1e-10;
        if (coda_lstsq(&A, &B, &o, &X, &info, &e) < 0) {
            CHECK(0, "%s with rcond: %s", name, e.msg);
            continue;
        }
        CHECK(X.rows == d && X.cols == k, "%s: X is %zu x %zu", name, X.rows, X.cols);
        CHECK(info.rank == (m == CODA_LS_ITER_SKETCH ? 0 : d - 1), "%s: rank %zu", name,
              info.rank);
        for (size_t j = 0; j < k; j++) {
            double dx = 0, xn = 0;
            for (size_t i = 0; i < d; i++) {
                dx += pow(CODA_AT(&X, i, j) - CODA_AT(&Xs, i, j), 2);
                xn += pow(CODA_AT(&Xs, i, j), 2);
            }
            CHECK(sqrt(dx) <= 1e3 * (double)N * DBL_EPSILON * sqrt(xn),
                  "%s column %zu: ||x - x*|| = %.3g of %.3g", name, j, sqrt(dx), sqrt(xn));
        }
        coda_mat_free(&X);
    }
    /* a zero A: the minimum-norm solution is 0 (rank 0) */
    memset(A.data, 0, N * d * sizeof *A.data);
    coda_ls_opts o = {.method = CODA_LS_PRECOND, .rcond = 1e-10,
                      .sketch = {.kind = CODA_SK_COUNT, .seed = 53}};
    CHECK(coda_lstsq(&A, &B, &o, &X, &info, &e) == 0 && info.rank == 0 && coda_mat_fro(&X) == 0,
          "zero A: %s", e.msg);
    coda_mat_free(&X);
    coda_mat_free(&A), coda_mat_free(&Z), coda_mat_free(&B), coda_mat_free(&Xs);
}

int main(void)
{
    solvers();
    modes();
    distributed();
    refusals();
    lstsq_rank();
    return check_summary();
}
