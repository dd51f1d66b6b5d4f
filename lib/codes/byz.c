/* byz: the Byzantine-resilient code of Data, Song and Diggavi (papers/byzantine.txt; spec
 * ../shared/specs/byzantine.md). The rows of A are split into q = m - 2t blocks A_1..A_q and
 * worker i holds sum_c Fp[i,c] A_c, Fp (m x q) a basis of the null space of a 2t x m locator F
 * any 2t of whose columns are independent: a real [m, q] MDS code with parity check F. Each
 * round the master draws one random combination of the response entries, locates the <= t
 * corrupt workers from its syndrome (byz_locate.c), solves least squares on the others and
 * checks that they agree; stragglers are zero-filled and counted against t (the paper's model).
 *
 * The rows are the paper's, interleaved (layout=interleaved in the plan): block c is rows c,
 * c+q, c+2q, ..., worker i's row j is sum_c Fp[i,c] A[j q + c] (byz_shards.c), and position j
 * of the last row exists only in the l blocks that are one row longer (the plan's split gives
 * the blocks' lengths). New rows extend the shards at their end: coda-encode --append. */
#include <cblas.h>
#include <float.h>
#include <lapacke.h>
#include <math.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>

#include "../core/rng.h"
#include "../io/stream.h"
#include "byz.h"
#include "scheme.h"

enum { DEFAULT_RETRIES = 3 };
static const double TOL_SYNDROME = 1e-9, TOL_LOCATE = 1e-7, TOL_VERIFY = 1e-8;
static const double COND_REFUSE = 1e10;

static const coda_scheme_option options[] = {
    {"adversaries", 't', "T", "corrupt workers located and excluded each round, stragglers "
                              "counted among them; 2T < N (default: -s if given, else 1)", 0},
    {"epsilon", 0, "E", "instead of -t: storage overhead 1+E = N/q, T = floor(E/(1+E) N/2)", 0},
    {"locator", 0, "L", "odd-dft (default; well conditioned) or vandermonde (the paper's)", 0},
    {"nodes", 0, "Z", "vandermonde: equi (default), cheb, int (the paper's; fails in float64 "
                      "beyond small N, T) or a file of N distinct numbers", 0},
    {"basis", 0, "B", "orth (default; orthonormal null-space basis) or systematic (the "
                      "paper's: the last N-2T workers hold rows verbatim, cheaper encoding, "
                      "ill-conditioned)", 0},
    {"force", 0, NULL, "encode even when the basis is numerically singular", 0},
    {"tol-syndrome", 0, "E", "no corrupt worker when the syndrome is below E times its noise "
                             "scale (default 1e-9) (coda-decode)", 1},
    {"tol-locate", 0, "E", "accept a located set when it explains the syndrome to E relative "
                           "(default 1e-7) (coda-decode)", 1},
    {"tol-verify", 0, "E", "the honest responses must agree with the result to E relative "
                           "(default 1e-8, or the round-off of the system if larger) "
                           "(coda-decode)", 1},
    {"retries", 0, "R", "fresh random combinations after a failed check (default 3) "
                        "(coda-decode)", 1},
    {"erasures", 0, "LIST", "treat these workers (0-based, comma-separated) as missing: "
                            "zero-filled and counted against T (coda-decode)", 1},
    {"positions", 0, "LIST", "the responses hold only these positions of the shards (0-based "
                             "rows, or columns for a column code, in order; coordinate "
                             "descent's blocks): the result has their rows, zeros elsewhere "
                             "(coda-decode)", 1},
    {NULL, 0, NULL, NULL, 0}};

/* ---- the code's parameters, from the options (build) or the plan (load, decode) ---- */

typedef struct {
    int m, t;
    coda_byz_locator_kind kind;
    int systematic;
    double *z; /* vandermonde nodes (m) */
    coda_mat F;
} code;

static void code_free(code *c)
{
    free(c->z);
    coda_mat_free(&c->F);
    memset(c, 0, sizeof *c);
}

static int whole(const char *s, long lo, long hi, long *v)
{
    char *end;
    *v = strtol(s, &end, 10);
    return end != s && *end == '\0' && *v >= lo && *v <= hi;
}

static int number(const char *s, double *v)
{
    char *end;
    *v = strtod(s, &end);
    return end != s && *end == '\0' && isfinite(*v);
}

/* The nodes named by --nodes: a name or a file of m numbers, distinct. */
static int read_nodes(const char *spec, int m, double *z, coda_err *e)
{
    if (strcmp(spec, "equi") == 0 || strcmp(spec, "cheb") == 0 || strcmp(spec, "int") == 0)
        return coda_byz_nodes(spec, m, z, e);
    coda_mat Z;
    if (coda_read_matrix(spec, &Z, NULL, e) < 0)
        return coda_fail_prefix(e, "byz: --nodes %s: ", spec);
    int rc = 0;
    if (Z.rows * Z.cols != (size_t)m)
        rc = coda_failc(e, CODA_E_USAGE, "byz: --nodes %s holds %zu numbers, need one per "
                                         "worker (%d)", spec, Z.rows * Z.cols, m);
    for (int i = 0; i < m && rc == 0; i++) {
        z[i] = Z.data[i]; /* a column or a row: the same run of numbers */
        if (!isfinite(z[i]))
            rc = coda_failc(e, CODA_E_USAGE, "byz: --nodes %s: entry %d is not finite", spec,
                            i + 1);
        for (int j = 0; j < i && rc == 0; j++)
            if (z[j] == z[i])
                rc = coda_failc(e, CODA_E_USAGE, "byz: --nodes %s: entries %d and %d are both "
                                                 "%.17g (nodes must be distinct)",
                                spec, j + 1, i + 1, z[i]);
    }
    coda_mat_free(&Z);
    return rc;
}

/* The code a plan describes: t, the locator and its nodes. */
static int code_from_plan(const coda_plan *p, code *c, coda_err *e)
{
    memset(c, 0, sizeof *c);
    const char *tv = coda_meta_get(&p->extra, "t"), *loc = coda_meta_get(&p->extra, "locator"),
               *basis = coda_meta_get(&p->extra, "basis");
    long t;
    if (!tv || !whole(tv, 0, p->N, &t) || 2 * t >= p->N)
        return coda_fail(e, "plan: byz needs t with 2t < N = %d (t=%s)", p->N, tv ? tv : "none");
    c->m = p->N;
    c->t = (int)t;
    if (!loc || (strcmp(loc, "odd-dft") != 0 && strcmp(loc, "vandermonde") != 0))
        return coda_fail(e, "plan: byz locator '%s' is not odd-dft or vandermonde",
                         loc ? loc : "none");
    if (!basis || (strcmp(basis, "orth") != 0 && strcmp(basis, "systematic") != 0))
        return coda_fail(e, "plan: byz basis '%s' is not orth or systematic",
                         basis ? basis : "none");
    c->systematic = basis[0] == 's';
    c->kind = loc[0] == 'o' ? CODA_BYZ_ODD_DFT : CODA_BYZ_VANDERMONDE;
    if (c->kind == CODA_BYZ_VANDERMONDE) {
        size_t n;
        if (coda_meta_get_doubles(&p->extra, "node_values", &c->z, &n, e) < 0)
            return coda_fail_prefix(e, "plan: ");
        if (n != (size_t)c->m) {
            code_free(c);
            return coda_fail(e, "plan: byz has %zu node values for %d workers", n, p->N);
        }
    }
    if (coda_byz_locator(c->m, c->t, c->kind, c->z, &c->F, e) < 0) {
        code_free(c);
        return -1;
    }
    return 0;
}

/* t from -t, --epsilon or the default (-s if given, else 1 where 2t < m allows). */
static int choose_t(const coda_plan *p, const coda_scheme_args *a, int *t, coda_err *e)
{
    const char *tv = coda_scheme_opt(a, "adversaries"), *ev = coda_scheme_opt(a, "epsilon");
    int m = p->N;
    long v;
    double eps;
    if (tv && ev)
        return coda_failc(e, CODA_E_USAGE, "byz: give -t/--adversaries or --epsilon, not both");
    if (tv) {
        if (!whole(tv, 0, 1000000, &v))
            return coda_failc(e, CODA_E_USAGE, "byz: option -t/--adversaries: '%s' is not a "
                                               "whole number >= 0", tv);
        *t = (int)v;
    } else if (ev) {
        if (!number(ev, &eps) || eps < 0)
            return coda_failc(e, CODA_E_USAGE, "byz: option --epsilon: '%s' is not a number "
                                               ">= 0", ev);
        *t = (int)floor(eps / (1 + eps) * m / 2 + 1e-12);
    } else
        *t = p->s > 0 ? p->s : m >= 3;
    if (2 * *t >= m)
        return coda_failc(e, CODA_E_USAGE, "byz: t=%d corrupt workers need 2t < N = %d "
                                           "workers (at most t=%d)", *t, m, (m - 1) / 2);
    if (p->s > *t)
        return coda_failc(e, CODA_E_USAGE, "byz: stragglers count against t: -s %d needs "
                                           "t >= %d (t=%d)", p->s, p->s, *t);
    return 0;
}

static int build(coda_plan *p, const coda_scheme_args *a, coda_err *e)
{
    int t = 0, m = p->N;
    if (choose_t(p, a, &t, e) < 0)
        return -1;
    const char *loc = coda_scheme_opt(a, "locator"), *nodes = coda_scheme_opt(a, "nodes"),
               *basis = coda_scheme_opt(a, "basis");
    loc = loc ? loc : "odd-dft";
    basis = basis ? basis : "orth";
    if (strcmp(loc, "odd-dft") != 0 && strcmp(loc, "vandermonde") != 0)
        return coda_failc(e, CODA_E_USAGE, "byz: unknown locator '%s' (odd-dft, vandermonde)",
                          loc);
    if (strcmp(basis, "orth") != 0 && strcmp(basis, "systematic") != 0)
        return coda_failc(e, CODA_E_USAGE, "byz: unknown basis '%s' (orth, systematic)", basis);
    int vdm = loc[0] == 'v';
    if (nodes && !vdm)
        return coda_failc(e, CODA_E_USAGE, "byz: --nodes is for --locator vandermonde (the "
                                           "odd-dft locator's nodes are fixed)");
    if (a->K > 0 && a->K != m - 2 * t)
        return coda_failc(e, CODA_E_USAGE, "byz: the blocks are K = N - 2t = %d, not -K %d",
                          m - 2 * t, a->K);
    code c = {.m = m, .t = t, .kind = vdm ? CODA_BYZ_VANDERMONDE : CODA_BYZ_ODD_DFT,
              .systematic = basis[0] == 's'};
    int rc = 0;
    if (vdm) {
        nodes = nodes ? nodes : "equi";
        c.z = malloc(sizeof *c.z * (size_t)m);
        rc = c.z ? read_nodes(nodes, m, c.z, e) : coda_fail_oom(e);
    }
    coda_mat Fp = {0};
    if (rc == 0)
        rc = coda_byz_locator(m, t, c.kind, c.z, &c.F, e);
    if (rc == 0)
        rc = coda_byz_nullspace(&c.F, m, c.systematic, &Fp, e);
    double worst = 0;
    long sets = 0;
    int all = 0;
    if (rc == 0)
        rc = coda_byz_worst_cond(&Fp, t, a->seed, &worst, &sets, &all, e);
    if (rc == 0 && sets > 0 && !(worst <= COND_REFUSE) && !coda_scheme_opt(a, "force"))
        rc = coda_failc(e, CODA_E_USAGE, "byz: the %s basis is numerically singular on some "
                                         "%d of the %d workers: worst cond(F^perp_T) %.3g "
                                         "(%s %ld sets) > %.0e; use --basis orth (or --force)",
                        basis, m - t, m, worst, all ? "all" : "a sample of", sets, COND_REFUSE);
    if (rc == 0) {
        p->K = m - 2 * t;
        p->threshold = m - t;
        p->load = 1.0 / p->K;
        p->data_coded = 1;
        p->G = Fp;
        Fp.data = NULL;
        rc = coda_meta_set_long(&p->extra, "t", t, e) | coda_meta_set(&p->extra, "locator", loc, e) |
             coda_meta_set(&p->extra, "basis", basis, e) |
             coda_meta_set(&p->extra, "layout", "interleaved", e);
    }
    if (rc == 0 && vdm) {
        int named = strcmp(nodes, "equi") == 0 || strcmp(nodes, "cheb") == 0 ||
                    strcmp(nodes, "int") == 0;
        rc = coda_meta_set(&p->extra, "nodes", named ? nodes : "file", e) |
             coda_meta_set_doubles(&p->extra, "node_values", c.z, (size_t)m, e);
    }
    if (rc == 0)
        rc = coda_meta_set_double(&p->extra, "cond_worst", worst, e) |
             coda_meta_set_long(&p->extra, "cond_sets", sets, e) |
             coda_meta_set_long(&p->extra, "cond_exhaustive", all, e);
    if (rc == 0 && a->data)
        rc = coda_meta_set_long(&p->extra, "data_cols",
                                (long long)(p->by_cols ? a->data->rows : a->data->cols), e);
    coda_mat_free(&Fp);
    code_free(&c);
    return rc ? -1 : 0;
}

/* The plan's own fields: t, the locator, and G a basis of the locator's null space. */
static int load(const coda_plan *p, coda_err *e)
{
    code c;
    if (code_from_plan(p, &c, e) < 0)
        return -1;
    int rc = 0, q = c.m - 2 * c.t;
    const char *layout = coda_meta_get(&p->extra, "layout");
    if (!layout || strcmp(layout, "interleaved") != 0)
        rc = coda_fail(e, "plan: byz layout '%s' is not interleaved: the stream was written by "
                          "an older coda-encode (contiguous blocks); encode the data again",
                       layout ? layout : "contiguous");
    else if (p->K != q || p->threshold != c.m - c.t || !p->data_coded)
        rc = coda_fail(e, "plan: byz with t=%d on %d workers needs K=%d, threshold %d and coded "
                          "data (K=%d, threshold %d)", c.t, c.m, q, c.m - c.t, p->K, p->threshold);
    if (rc == 0 && c.t > 0) { /* F G = 0, to the round-off of the product */
        coda_mat FG;
        rc = coda_mat_alloc(&FG, c.F.rows, (size_t)q, e);
        if (rc == 0) {
            cblas_dgemm(CblasColMajor, CblasNoTrans, CblasNoTrans, (int)c.F.rows, q, c.m, 1.0,
                        c.F.data, (int)c.F.rows, p->G.data, c.m, 0.0, FG.data, (int)c.F.rows);
            double worst = 0;
            for (size_t k = 0; k < FG.rows * FG.cols; k++)
                worst = fmax(worst, fabs(FG.data[k]));
            double bound = 1e-8 * coda_mat_fro(&c.F) * coda_mat_fro(&p->G);
            if (!(worst <= bound))
                rc = coda_fail(e, "plan: byz's G is not a null-space basis of its locator "
                                  "(|F G| = %.3g)", worst);
            coda_mat_free(&FG);
        }
    }
    code_free(&c);
    return rc < 0 ? -1 : coda_plan_shape_check(p, e);
}

/* What coda-encode prints: the code's sizes, its cost and its conditioning (spec §6 P4). */
static int report(const coda_plan *p, coda_meta *fig, coda_err *e)
{
    long long t = 0, ncols = 0, all = 0;
    double worst = 0;
    const char *basis = coda_meta_get(&p->extra, "basis"), *nodes = coda_meta_get(&p->extra, "nodes");
    if (coda_meta_get_long(&p->extra, "t", &t, e) < 0 ||
        coda_meta_get_double(&p->extra, "cond_worst", &worst, e) < 0 ||
        coda_meta_get_long(&p->extra, "cond_exhaustive", &all, e) < 0)
        return -1;
    if (coda_meta_get(&p->extra, "data_cols"))
        coda_meta_get_long(&p->extra, "data_cols", &ncols, NULL);
    int rc = coda_meta_set_long(fig, "t", t, e) | coda_meta_set_long(fig, "q", p->K, e);
    size_t pad = p->bounds ? coda_plan_max_block(p) : 0, nnz = 0; /* no data split yet: 0 */
    int full = 0;
    for (int c = 0; c < p->K && pad; c++) {
        full += coda_plan_block_len(p, c) == pad;
        for (int i = 0; i < p->N; i++)
            nnz += CODA_AT(&p->G, i, c) != 0.0 ? coda_plan_block_len(p, c) : 0;
    }
    if (rc == 0 && pad)
        rc = coda_meta_set_long(fig, "p", (long long)pad, e) | coda_meta_set_long(fig, "l", full, e) |
             coda_meta_set_long(fig, "nnz_S", (long long)nnz, e) |
             coda_meta_setf(fig, e, "storage_redundancy", "%.4g",
                            (double)p->N * (double)pad / (double)p->length);
    if (rc == 0 && pad && ncols > 0)
        rc = coda_meta_setf(fig, e, "encode_multiply_adds", "%.4g", (double)nnz * (double)ncols);
    if (rc == 0)
        rc = isnan(worst) ? coda_meta_set(fig, "worst_cond", "not estimated (too large)", e)
                          : coda_meta_setf(fig, e, all ? "worst_cond" : "worst_cond_sampled",
                                           "%.3g", worst);
    char warn[400] = "";
    size_t off = 0;
    if (basis && strcmp(basis, "systematic") == 0 && worst >= 1e3)
        off += (size_t)snprintf(warn, sizeof warn, "the systematic basis loses about %.0f digits "
                                "(worst cond(F^perp_T) %.3g%s); --basis orth is better "
                                "conditioned", log10(fmax(worst, 1)), worst,
                                all ? "" : ", sampled");
    if (nodes && strcmp(nodes, "int") == 0)
        snprintf(warn + off, sizeof warn - off, "%sinteger nodes make location unreliable in "
                 "float64 beyond small N and t (spec 5.3): use equi, cheb or --locator odd-dft",
                 off ? "; " : "");
    if (rc == 0 && warn[0])
        rc = coda_meta_set(fig, "warning", warn, e);
    return rc ? -1 : 0;
}

/* ---- decode: locate, recover, verify (spec §3.5 D1-D6) ---- */

typedef struct {
    const coda_plan *p;
    const code *c;
    const double *R; /* m x L responses, zero where missing */
    size_t L, rows;  /* entries per response, its rows */
    size_t pad;      /* the longest block */
    int full;        /* blocks of length pad (the others lack the last position) */
    const char *missing;
    const size_t *pos; /* the shard position of each response position (NULL: the same) */
} job;

typedef struct {
    coda_byz_located loc;
    int *which;   /* located (t) */
    char *out;    /* excluded: located or missing (m) */
    int nout;
    coda_mat X;   /* q x L: block c's entry at position k */
    double rel, cond, smin, tolv;
    int ok;
} attempt;

static void attempt_free(attempt *a)
{
    free(a->which);
    free(a->out);
    coda_mat_free(&a->X);
    memset(a, 0, sizeof *a);
}

/* position k of a response is the last row of the blocks (absent from the shorter ones) */
static int last_position(const job *j, size_t k)
{
    size_t along = j->p->by_cols ? k / j->rows : k % j->rows;
    if (j->pos)
        along = j->pos[along];
    return j->full < j->p->K && along == j->pad - 1;
}

/* Least squares G X = R_T for the positions `pos` (n of them) with the first `q` columns of G
 * = Fp[T, :], written into X's columns pos (rows q.. left zero). */
static int solve_positions(const job *j, const int *T, int nT, int q, const size_t *pos,
                           size_t n, coda_mat *X, coda_err *e)
{
    if (n == 0 || q == 0)
        return 0;
    coda_mat G, B;
    if (coda_mat_alloc_raw(&G, (size_t)nT, (size_t)q, e) < 0)
        return -1;
    if (coda_mat_alloc_raw(&B, (size_t)nT, n, e) < 0) {
        coda_mat_free(&G);
        return -1;
    }
    int m = j->c->m;
    for (int c = 0; c < q; c++)
        for (int r = 0; r < nT; r++)
            CODA_AT(&G, r, c) = CODA_AT(&j->p->G, T[r], c);
    for (size_t k = 0; k < n; k++)
        for (int r = 0; r < nT; r++)
            CODA_AT(&B, r, k) = j->R[(size_t)T[r] + pos[k] * (size_t)m];
    lapack_int info = LAPACKE_dgels(LAPACK_COL_MAJOR, 'N', nT, q, (lapack_int)n, G.data, nT,
                                    B.data, nT);
    int rc = info == 0 ? 0
                       : coda_failc(e, CODA_E_NUMERIC, "byz: the honest rows' system is rank "
                                                       "deficient (LAPACK dgels info %d)",
                                    (int)info);
    for (size_t k = 0; k < n && rc == 0; k++)
        memcpy(X->data + pos[k] * X->rows, B.data + k * (size_t)nT, sizeof(double) * (size_t)q);
    coda_mat_free(&G);
    coda_mat_free(&B);
    return rc;
}

/* One try: combine with fresh weights, locate, solve on the rest, check agreement. */
static int try_once(const job *j, uint64_t round, int index, double tol0, double tol1,
                    double tol2, attempt *a, coda_err *e)
{
    int m = j->c->m, t = j->c->t, q = j->p->K;
    size_t L = j->L;
    memset(a, 0, sizeof *a);
    double *alpha = malloc(sizeof *alpha * L), *y = calloc((size_t)m, sizeof *y),
           *Rh = NULL;
    int *T = malloc(sizeof *T * (size_t)m), rc = 0;
    size_t *full = malloc(sizeof *full * L), *last = malloc(sizeof *last * L), nf = 0, nl = 0;
    a->which = malloc(sizeof *a->which * (size_t)(t ? t : 1));
    a->out = calloc((size_t)m, 1);
    if (!alpha || !y || !T || !full || !last || !a->which || !a->out) {
        rc = coda_fail_oom(e);
        goto done;
    }
    /* D1: y = R alpha, alpha ~ N(0, 1)^L drawn after the responses arrived */
    coda_rng g;
    coda_rng_seed(&g, j->p->seed, CODA_RNG_BYZ_COMBINE, round, (uint64_t)index);
    for (size_t k = 0; k < L; k++)
        alpha[k] = coda_rng_normal(&g);
    cblas_dgemv(CblasColMajor, CblasNoTrans, m, (int)L, 1.0, j->R, m, alpha, 1, 0.0, y, 1);
    /* D2-D3: the corrupt workers from the syndrome F y */
    if (coda_byz_locate(&j->c->F, j->c->kind, j->c->z, y, tol0, tol1, a->which, &a->loc, e) < 0)
        goto fail;
    for (int k = 0; k < a->loc.nu; k++)
        a->out[a->which[k]] = 1;
    int nT = 0;
    for (int i = 0; i < m; i++) {
        a->out[i] |= j->missing[i];
        a->nout += a->out[i];
        if (!a->out[i])
            T[nT++] = i;
    }
    /* D4-D5: least squares on the rest (any q rows of Fp are independent; nT >= m - 2t = q) */
    if (coda_byz_rows_cond(&j->p->G, T, nT, &a->cond, &a->smin, e) < 0 ||
        coda_mat_alloc(&a->X, (size_t)q, L, e) < 0)
        goto fail;
    for (size_t k = 0; k < L; k++) {
        if (last_position(j, k))
            last[nl++] = k;
        else
            full[nf++] = k;
    }
    if (solve_positions(j, T, nT, q, full, nf, &a->X, e) < 0 ||
        solve_positions(j, T, nT, j->full, last, nl, &a->X, e) < 0)
        goto fail;
    /* D6: the honest responses the result implies, against those received */
    if (!(Rh = malloc(sizeof *Rh * (size_t)m * L))) {
        rc = coda_fail_oom(e);
        goto done;
    }
    cblas_dgemm(CblasColMajor, CblasNoTrans, CblasNoTrans, m, (int)L, q, 1.0, j->p->G.data, m,
                a->X.data, q, 0.0, Rh, m);
    double diff = 0, norm = 0;
    for (size_t k = 0; k < L; k++)
        for (int r = 0; r < nT; r++) {
            double got = j->R[(size_t)T[r] + k * (size_t)m], d = got - Rh[(size_t)T[r] + k * (size_t)m];
            diff += d * d;
            norm += got * got;
        }
    a->rel = norm > 0 ? sqrt(diff / norm) : sqrt(diff);
    a->tolv = fmax(tol2, 1e3 * DBL_EPSILON * a->cond);
    a->ok = a->loc.accepted && a->nout <= t && a->rel <= a->tolv;
    goto done;
fail:
    rc = -1;
done:
    free(alpha), free(y), free(T), free(full), free(last), free(Rh);
    if (rc < 0)
        attempt_free(a);
    return rc;
}

typedef struct {
    double tol0, tol1, tol2;
    long retries;
    char *erased; /* m: --erasures */
    size_t *pos, npos; /* --positions */
} decode_opts;

static int parse_opts(const coda_meta *o, int m, size_t pad, decode_opts *d, coda_err *e)
{
    static const char *const names[] = {"tol-syndrome", "tol-locate", "tol-verify"};
    double *dst[] = {&d->tol0, &d->tol1, &d->tol2};
    d->tol0 = TOL_SYNDROME, d->tol1 = TOL_LOCATE, d->tol2 = TOL_VERIFY;
    d->retries = DEFAULT_RETRIES;
    if (!(d->erased = calloc((size_t)m, 1)))
        return coda_fail_oom(e);
    const char *v;
    for (int k = 0; k < 3; k++)
        if (o && (v = coda_meta_get(o, names[k])) && (!number(v, dst[k]) || *dst[k] < 0))
            return coda_failc(e, CODA_E_USAGE, "byz: option --%s: '%s' is not a number >= 0",
                              names[k], v);
    if (o && (v = coda_meta_get(o, "retries")) && !whole(v, 0, 1000, &d->retries))
        return coda_failc(e, CODA_E_USAGE, "byz: option --retries: '%s' is not a whole number "
                                           "in 0..1000", v);
    if (o && (v = coda_meta_get(o, "erasures"))) {
        long long *w;
        size_t n;
        if (coda_split_longs(v, &w, &n) < 0)
            return coda_failc(e, CODA_E_USAGE, "byz: option --erasures: '%s' is not a list of "
                                               "workers", v);
        for (size_t k = 0; k < n; k++) {
            if (w[k] < 0 || w[k] >= m) {
                long long bad = w[k];
                free(w);
                return coda_failc(e, CODA_E_USAGE, "byz: option --erasures: worker %lld outside "
                                                   "0..%d", bad, m - 1);
            }
            d->erased[w[k]] = 1;
        }
        free(w);
    }
    if (o && (v = coda_meta_get(o, "positions"))) {
        long long *w;
        size_t n;
        if (coda_split_longs(v, &w, &n) < 0 || n == 0)
            return coda_failc(e, CODA_E_USAGE, "byz: option --positions: '%s' is not a list of "
                                               "positions", v);
        d->pos = malloc(sizeof *d->pos * n);
        for (size_t k = 0; k < n && d->pos; k++) {
            if (w[k] < 0 || (size_t)w[k] >= pad) {
                long long bad = w[k];
                free(w);
                return coda_failc(e, CODA_E_USAGE, "byz: option --positions: position %lld "
                                                   "outside 0..%zu", bad, pad - 1);
            }
            d->pos[k] = (size_t)w[k];
        }
        d->npos = n;
        free(w);
        if (!d->pos)
            return coda_fail_oom(e);
    }
    return 0;
}

/* A list of workers into buf: "2, 5 and 7". */
static void name_workers(const char *set, int m, char *buf, size_t cap)
{
    int total = 0, shown = 0;
    size_t off = 0;
    buf[0] = '\0';
    for (int i = 0; i < m; i++)
        total += set[i] != 0;
    for (int i = 0; i < m && off < cap; i++)
        if (set[i]) {
            shown++;
            off += (size_t)snprintf(buf + off, cap - off, "%s%d",
                                    shown == 1 ? "" : shown == total ? " and " : ", ", i);
        }
}

static int decode(const coda_plan *p, const coda_frame *res, size_t n, const coda_meta *opts,
                  coda_mat *out, coda_decode_info *info, coda_err *e)
{
    memset(info, 0, sizeof *info);
    memset(out, 0, sizeof *out);
    code c;
    decode_opts d = {0};
    if (code_from_plan(p, &c, e) < 0)
        return -1;
    int m = c.m, t = c.t, q = p->K, rc = parse_opts(opts, m, coda_plan_max_block(p), &d, e);
    /* a result that is not a number, or a worker that sent two different results, is a lie
     * like any other: left out and counted against t (--erasures likewise), so collect sees
     * only finite, single results of the workers kept */
    coda_frame *keep = rc == 0 ? malloc(sizeof *keep * (n ? n : 1)) : NULL;
    long *first = rc == 0 ? malloc(sizeof *first * (size_t)m) : NULL;
    const coda_frame **use = NULL;
    size_t nk = 0, nu = 0;
    if (rc == 0 && (!keep || !first))
        rc = coda_fail_oom(e);
    for (int i = 0; i < m && rc == 0; i++)
        first[i] = -1;
    for (size_t k = 0; k < n && rc == 0; k++) {
        int64_t w = res[k].tag[CODA_TAG_WORKER];
        if (w < 0 || w >= m)
            continue; /* collect names it */
        const coda_mat *x = &res[k].mat, *f0 = first[w] >= 0 ? &res[first[w]].mat : NULL;
        if (coda_mat_first_nonfinite(x) != (size_t)-1)
            d.erased[w] = 1;
        else if (!f0)
            first[w] = (long)k;
        else if (f0->rows != x->rows || f0->cols != x->cols || (x->rows > 0 && x->cols > 0 &&
                 memcmp(f0->data, x->data, sizeof(double) * x->rows * x->cols) != 0))
            d.erased[w] = 1;
    }
    free(first);
    for (size_t k = 0; k < n && rc == 0; k++) {
        int64_t w = res[k].tag[CODA_TAG_WORKER];
        if (!(w >= 0 && w < m && d.erased[w]))
            keep[nk++] = res[k]; /* a shallow copy: the data stays res's */
    }
    /* responses of --positions hold npos entries along the split: collect checks them
     * against a plan whose longest block is that long */
    coda_plan shaped = *p;
    size_t *sb = rc == 0 && d.pos ? malloc(sizeof *sb * (size_t)(q + 1)) : NULL;
    if (rc == 0 && d.pos && !sb)
        rc = coda_fail_oom(e);
    for (int b = 0; sb && b <= q; b++)
        sb[b] = (size_t)b * d.npos;
    if (sb)
        shaped.bounds = sb, shaped.length = (size_t)q * d.npos;
    if (rc == 0)
        rc = coda_results_collect(&shaped, keep, nk, &use, &nu, e);
    free(sb);
    char *missing = rc == 0 ? calloc((size_t)m, 1) : NULL;
    if (rc == 0 && !missing)
        rc = coda_fail_oom(e);
    double *R = NULL;
    attempt best = {0}, cur;
    if (rc < 0)
        goto done;
    memset(missing, 1, (size_t)m);
    uint64_t round = 0;
    for (size_t k = 0; k < nu; k++) {
        missing[use[k]->tag[CODA_TAG_WORKER]] = 0;
        if (use[k]->tag[CODA_TAG_ITER] > 0 && (uint64_t)use[k]->tag[CODA_TAG_ITER] > round)
            round = (uint64_t)use[k]->tag[CODA_TAG_ITER];
    }
    info->responders = (int)nu;
    if ((int)nu < m - t) {
        rc = coda_failc(e, CODA_E_FEW, "need any %d of %d workers, got %zu (missing workers "
                                       "count against t=%d)", m - t, m, nu, t);
        goto done;
    }
    job j = {.p = p, .c = &c, .rows = use[0]->mat.rows, .pad = coda_plan_max_block(p),
             .missing = missing, .pos = d.pos};
    j.L = use[0]->mat.rows * use[0]->mat.cols;
    for (int b = 0; b < q; b++)
        j.full += coda_plan_block_len(p, b) == j.pad;
    if (!(R = calloc((size_t)m * j.L, sizeof *R))) {
        rc = coda_fail_oom(e);
        goto done;
    }
    for (size_t k = 0; k < nu; k++)
        cblas_dcopy((int)j.L, use[k]->mat.data, 1, R + use[k]->tag[CODA_TAG_WORKER], m);
    j.R = R;
    int tries = 0;
    for (long r = 0; r <= d.retries; r++) {
        tries++;
        if (try_once(&j, round, (int)r, d.tol0, d.tol1, d.tol2, &cur, e) < 0) {
            rc = -1;
            goto done;
        }
        /* the best so far: a passing try, else the smallest disagreement */
        if (!best.X.data || cur.ok > best.ok || (cur.ok == best.ok && cur.rel < best.rel)) {
            attempt_free(&best);
            best = cur;
        } else
            attempt_free(&cur);
        if (best.ok)
            break;
    }
    /* the result: block b's entries at each position of the responses */
    size_t other = p->by_cols ? j.rows : use[0]->mat.cols;
    if (coda_mat_alloc(out, p->by_cols ? other : p->length, p->by_cols ? p->length : other, e) < 0) {
        rc = -1;
        goto done;
    }
    for (int b = 0; b < q; b++) {
        size_t len = coda_plan_block_len(p, b);
        for (size_t k = 0; k < j.L; k++) {
            size_t r0 = k % j.rows, c0 = k / j.rows, along = p->by_cols ? c0 : r0;
            if (d.pos)
                along = d.pos[along];
            if (along >= len)
                continue;
            double v = CODA_AT(&best.X, b, k);
            size_t at = coda_byz_line(q, b, along);
            if (p->by_cols)
                CODA_AT(out, r0, at) = v;
            else
                CODA_AT(out, at, c0) = v;
        }
    }
    info->status = best.ok ? CODA_DECODED_EXACT : CODA_DECODED_SUSPECT;
    info->used = m - best.nout;
    info->cond = best.cond;
    info->max_coef = best.smin > 0 ? 1.0 / best.smin : INFINITY;
    snprintf(info->method, sizeof info->method, "locate+least-squares");
    const char *keys[] = {"located", "nu", "sigma", "residual", "retries", "tol_syndrome",
                          "tol_locate", "tol_verify"};
    double vals[] = {best.loc.nu, best.loc.nu, best.loc.sigma, best.rel, tries - 1, d.tol0,
                     d.tol1, best.tolv};
    for (int k = 0; k < 8; k++) {
        snprintf(info->fig[k].key, sizeof info->fig[k].key, "%s", keys[k]);
        info->fig[k].val = vals[k];
    }
    info->nfig = 8;
    char *corrupt = calloc((size_t)m, 1);
    if (!corrupt) {
        rc = coda_fail_oom(e);
        goto done;
    }
    for (int k = 0; k < best.loc.nu; k++)
        if (!missing[best.which[k]]) {
            corrupt[best.which[k]] = 1;
            if (info->nexcluded < CODA_MAX_EXCLUDED)
                info->excluded[info->nexcluded] = best.which[k];
            info->nexcluded++;
        }
    char who[160], gone[160];
    name_workers(corrupt, m, who, sizeof who);
    name_workers(missing, m, gone, sizeof gone);
    free(corrupt);
    size_t off = 0;
    if (!best.ok)
        off += (size_t)snprintf(info->warning, sizeof info->warning,
                                "verification failed after %d tr%s: the honest responses "
                                "disagree with the result by %.3g (tolerance %.3g)%s: more "
                                "than t=%d workers corrupt or missing, or a numerical breakdown; "
                                "the result is a best effort. ", tries, tries == 1 ? "y" : "ies",
                                best.rel, best.tolv,
                                best.loc.accepted ? "" : ", no <= t-sparse error explains the "
                                                         "syndrome",
                                t);
    if (info->nexcluded && off < sizeof info->warning)
        off += (size_t)snprintf(info->warning + off, sizeof info->warning - off,
                                "excluded worker%s %s as corrupt. ",
                                info->nexcluded == 1 ? "" : "s", who);
    if (gone[0] && off < sizeof info->warning)
        snprintf(info->warning + off, sizeof info->warning - off,
                 "worker%s %s missing or left out, zero-filled, counted against t=%d.",
                 m - (int)nu == 1 ? "" : "s", gone, t);
    for (size_t k = strlen(info->warning); k > 0 && info->warning[k - 1] == ' '; k--)
        info->warning[k - 1] = '\0';
done:
    if (rc < 0)
        coda_mat_free(out);
    attempt_free(&best);
    free(R);
    free(missing);
    free(use);
    free(keep);
    free(d.erased);
    free(d.pos);
    code_free(&c);
    return rc < 0 ? -1 : 0;
}

const coda_scheme coda_scheme_byz = {
    .name = "byz",
    .summary = "Byzantine-resilient code (Data, Song, Diggavi): locates and excludes up to t "
               "corrupt workers of N, 2t < N",
    .caps = CODA_CAP_CONCATS | CODA_CAP_BYZANTINE,
    .options = options,
    .build = build,
    .encode = coda_byz_encode,
    .decode = decode,
    .load = load,
    .report = report,
    .append = coda_byz_append,
};
