#include "search.h"

#include <cblas.h>
#include <lapacke.h>
#include <math.h>
#include <stdlib.h>
#include <string.h>

#include "../core/threads.h"
#include "../core/rng.h"
#include "matdot.h"
#include "product.h"

enum { MAX_SUBSETS = 100000 };

/* Least squares min ||M X - R||_F (M rows x n, R rows x nrhs, X into R's top n rows) by QR, or by
 * SVD (dgelsd, rcond 0) when M is rank-deficient: either way an exact minimizer. */
static int least_squares(int rows, int n, int nrhs, double *M, double *R, int ldr, double *Mcopy,
                         coda_err *e)
{
    memcpy(Mcopy, M, sizeof *M * (size_t)rows * (size_t)n);
    lapack_int info = LAPACKE_dgels(LAPACK_COL_MAJOR, 'N', rows, n, nrhs, M, rows, R, ldr);
    if (info == 0)
        return 0;
    if (info < 0)
        return coda_fail(e, "search: LAPACK dgels argument %d", (int)-info);
    /* dgels stopped on a zero diagonal of R and left R (the right-hand side) untouched */
    double *sv = malloc(sizeof *sv * (size_t)(rows < n ? rows : n));
    lapack_int rank;
    int rc = sv ? 0 : coda_fail_oom(e);
    if (rc == 0 && LAPACKE_dgelsd(LAPACK_COL_MAJOR, rows, n, nrhs, Mcopy, rows, R, ldr, sv, 0.0,
                                  &rank) != 0)
        rc = coda_fail(e, "search: LAPACK dgelsd failed");
    free(sv);
    return rc;
}

typedef struct {
    int m, k, P;
    long C;
    int *sub;     /* C x k */
    double *A, *B; /* m x P */
    double *D;    /* k x C: the decoder of each subset */
    double *M, *Mc, *R, *al, *be, *E;
} state;

/* d-step (i): d_p = argmin ||vec(I) - G_S d||, G_S[:, s] = vec(alpha_s beta_s^T). */
static int d_step(state *st, coda_err *e)
{
    int m = st->m, k = st->k, mm = m * m, ld = mm > k ? mm : k;
    for (long p = 0; p < st->C; p++) {
        const int *S = st->sub + p * k;
        for (int q = 0; q < k; q++)
            for (int j = 0; j < m; j++)
                for (int i = 0; i < m; i++)
                    st->M[(size_t)q * mm + j * m + i] = st->A[S[q] * m + i] * st->B[S[q] * m + j];
        memset(st->R, 0, sizeof *st->R * (size_t)ld);
        for (int i = 0; i < m; i++)
            st->R[i * m + i] = 1;
        if (least_squares(mm, k, 1, st->M, st->R, ld, st->Mc, e) < 0)
            return -1;
        memcpy(st->D + p * k, st->R, sizeof *st->R * (size_t)k);
    }
    return 0;
}

/* A-step (ii) (which = 0) or B-step (iii): with X = A^T (P x m), L = sum_p ||I - (B diag(d_p)) X||^2,
 * one least-squares problem with the m C x P matrix of the stacked B diag(d_p) and the stacked
 * identities (for B the roles swap: L = sum_p ||I - (A diag(d_p)) B^T||^2). */
static int coef_step(state *st, int which, coda_err *e)
{
    int m = st->m, k = st->k, P = st->P;
    size_t rows = (size_t)m * (size_t)st->C;
    const double *other = which == 0 ? st->B : st->A;
    double *X = which == 0 ? st->A : st->B;
    memset(st->M, 0, sizeof *st->M * rows * (size_t)P);
    memset(st->R, 0, sizeof *st->R * rows * (size_t)m);
    for (long p = 0; p < st->C; p++)
        for (int q = 0; q < k; q++) {
            int s = st->sub[p * k + q];
            double d = st->D[p * k + q];
            for (int i = 0; i < m; i++)
                st->M[(size_t)s * rows + (size_t)p * m + i] = other[s * m + i] * d;
        }
    for (long p = 0; p < st->C; p++)
        for (int i = 0; i < m; i++)
            st->R[(size_t)i * rows + (size_t)p * m + i] = 1;
    int n_rows = (int)(rows > (size_t)P ? rows : (size_t)P);
    if (rows < (size_t)P) /* fewer equations than unknowns: dgels wants ldb >= P */
        return coda_fail(e, "search: m C(P,k) = %zu < P = %d equations", rows, P);
    if (least_squares((int)rows, P, m, st->M, st->R, n_rows, st->Mc, e) < 0)
        return -1;
    /* X^T (P x m) sits in R's top P rows: X[s*m + i] = R[i*rows + s] */
    for (int s = 0; s < P; s++)
        for (int i = 0; i < m; i++)
            X[s * m + i] = st->R[(size_t)i * rows + s];
    return 0;
}

/* Direct L, max l_p, max ||E_p||_2 for the current A, B, D. */
static void evaluate(state *st, double *L, double *maxl, double *maxe2)
{
    int m = st->m, k = st->k;
    *L = *maxl = *maxe2 = 0;
    for (long p = 0; p < st->C; p++) {
        for (int q = 0; q < k; q++) {
            int s = st->sub[p * k + q];
            memcpy(st->al + q * m, st->A + s * m, sizeof *st->al * (size_t)m);
            memcpy(st->be + q * m, st->B + s * m, sizeof *st->be * (size_t)m);
        }
        double n2 = coda_code_error(m, k, st->al, st->be, st->D + p * k, st->E), f = 0;
        for (int i = 0; i < m * m; i++)
            f += st->E[i] * st->E[i];
        *L += f;
        *maxl = fmax(*maxl, f);
        *maxe2 = fmax(*maxe2, n2);
    }
}

static double max_abs(const double *x, size_t n)
{
    double a = 0;
    for (size_t i = 0; i < n; i++)
        a = fmax(a, fabs(x[i]));
    return a;
}

int coda_matdot_search(const coda_search_opts *o, coda_search_result *r, coda_err *e)
{
    memset(r, 0, sizeof *r);
    int m = o->m, k = o->k, P = o->P;
    if (m < 1 || m > 16)
        return coda_fail(e, "search: m = %d, need 1 <= m <= 16", m);
    if (k < 1 || k > P || k > 64)
        return coda_fail(e, "search: threshold k = %d, need 1 <= k <= P = %d (and k <= 64)", k, P);
    if (P > 256)
        return coda_fail(e, "search: P = %d workers, at most 256", P);
    double total = 1;
    for (int q = 0; q < k; q++)
        total = total * (P - q) / (q + 1);
    if (total > MAX_SUBSETS)
        return coda_fail(e, "search: C(%d, %d) = %.0f subsets, more than %d", P, k, total,
                         MAX_SUBSETS);
    state st = {.m = m, .k = k, .P = P, .C = (long)llround(total)};
    size_t rows = (size_t)m * (size_t)st.C, mm = (size_t)m * (size_t)m;
    size_t mrows = rows > mm ? rows : mm, mcols = (size_t)(P > k ? P : k);
    st.sub = malloc(sizeof *st.sub * (size_t)st.C * (size_t)k);
    st.A = malloc(sizeof *st.A * (size_t)m * (size_t)P);
    st.B = malloc(sizeof *st.B * (size_t)m * (size_t)P);
    st.D = malloc(sizeof *st.D * (size_t)st.C * (size_t)k);
    st.M = malloc(sizeof *st.M * mrows * mcols);
    st.Mc = malloc(sizeof *st.Mc * mrows * mcols);
    st.R = malloc(sizeof *st.R * (mrows > (size_t)P ? mrows : (size_t)P) * (size_t)m);
    st.al = malloc(sizeof *st.al * (size_t)m * (size_t)k);
    st.be = malloc(sizeof *st.be * (size_t)m * (size_t)k);
    st.E = malloc(sizeof *st.E * mm);
    double *bestA = malloc(sizeof *bestA * (size_t)m * (size_t)P),
           *bestB = malloc(sizeof *bestB * (size_t)m * (size_t)P);
    int rc = st.sub && st.A && st.B && st.D && st.M && st.Mc && st.R && st.al && st.be && st.E &&
                     bestA && bestB
                 ? 0
                 : coda_fail_oom(e);
    if (rc == 0) { /* the subsets in lexicographic order, each the successor of the one before */
        int *idx = st.sub;
        for (int q = 0; q < k; q++)
            idx[q] = q;
        for (long p = 1; p < st.C; p++) {
            memcpy(st.sub + p * k, st.sub + (p - 1) * k, sizeof *idx * (size_t)k);
            coda_subset_next(st.sub + p * k, k, P);
        }
    }
    /* every solve is tiny: BLAS threads would cost more than they save */
    int threads = coda_blas_serial();
    double best = INFINITY, stop = o->stop_loss > 0 ? o->stop_loss : 1e-26;
    long every = o->trace_every > 0 ? o->trace_every : 1000;
    int starts = o->init_radius > 0 ? 1 : (o->starts > 0 ? o->starts : 1);
    for (int start = 1; rc == 0 && start <= starts; start++) {
        if (o->init_radius > 0) {
            double *lam = st.R; /* scratch of at least P, overwritten by the first step */
            coda_matdot_nodes(CODA_NODES_CHEB, P, lam);
            for (int s = 0; s < P; s++)
                lam[s] *= o->init_radius;
            for (int s = 0; s < P; s++)
                for (int i = 0; i < m; i++) {
                    st.A[s * m + i] = pow(lam[s], i);
                    st.B[s * m + i] = pow(lam[s], m - 1 - i);
                }
        } else {
            coda_rng g;
            coda_rng_seed(&g, o->seed, CODA_RNG_SEARCH, 0, (uint64_t)start);
            for (int q = 0; q < m * P; q++) /* A, then B, column by column (worker by worker) */
                st.A[q] = coda_rng_normal(&g);
            for (int q = 0; q < m * P; q++)
                st.B[q] = coda_rng_normal(&g);
        }
        double L = INFINITY, maxl, maxe2;
        for (long it = 1; rc == 0 && it <= o->iters; it++) {
            rc = d_step(&st, e);
            if (rc == 0)
                rc = coef_step(&st, 0, e);
            if (rc == 0)
                rc = coef_step(&st, 1, e);
            int last = it == o->iters;
            if (rc == 0 && (it % every == 0 || last)) {
                rc = d_step(&st, e); /* the decoders of the final code */
                if (rc == 0) {
                    evaluate(&st, &L, &maxl, &maxe2);
                    if (o->trace)
                        o->trace(o->trace_ctx, start, it, L, max_abs(st.D, (size_t)st.C * k),
                                 max_abs(st.A, (size_t)m * P), max_abs(st.B, (size_t)m * P));
                    if (L < stop)
                        break;
                }
            }
        }
        if (rc == 0 && o->iters < 1) {
            rc = d_step(&st, e);
            if (rc == 0)
                evaluate(&st, &L, &maxl, &maxe2);
        }
        if (rc == 0 && L < best) {
            best = L;
            r->loss = L;
            r->max_loss = maxl;
            r->max_e2 = maxe2;
            r->thm5 = sqrt(maxl) * m;
            r->best_start = start;
            memcpy(bestA, st.A, sizeof *bestA * (size_t)m * (size_t)P);
            memcpy(bestB, st.B, sizeof *bestB * (size_t)m * (size_t)P);
        }
    }
    coda_blas_restore(threads);
    r->subsets = st.C;
    if (rc == 0 && coda_mat_alloc(&r->code, (size_t)(2 * m), (size_t)P, e) < 0)
        rc = -1;
    for (int s = 0; rc == 0 && s < P; s++)
        for (int i = 0; i < m; i++) {
            CODA_AT(&r->code, i, s) = bestA[s * m + i];
            CODA_AT(&r->code, m + i, s) = bestB[s * m + i];
        }
    free(st.sub), free(st.A), free(st.B), free(st.D), free(st.M), free(st.Mc), free(st.R);
    free(st.al), free(st.be), free(st.E), free(bestA), free(bestB);
    return rc;
}
