/* hetero: the optimal approximate gradient codes for heterogeneous stragglers of Song and Choi
 * (papers/hetero-gc.txt; specs/hetero-gc.md). One registered scheme; --construction picks the
 * support, each construction in a file of its own (hetero_*.c, hetero.h):
 *   interval (default)  Scheme II with b from the interval rule, every entry in [0, 1]
 *   star                Scheme I (eq. 24), b by largest remainder or -b
 *   chain               Scheme II (eqs. 25-27), b of the interval rule or -b
 *   groups              Algorithm 1 (subset DP for k <= 22, a heuristic above), interval blocks
 *   tree                leaf peeling on a forest support given as a file
 *   dense               eq. (41), alpha_ij = Y_i / n
 * The plan's G is the encoding a = alpha / w~ (alpha itself with --wtilde one, the default);
 * the plan carries p and the decode weights w = w~ / (1 - p), so decode needs nothing else:
 * g_hat = sum_{i responded} w_i f_i, and zero (status empty) when nobody responded. */
#include <math.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>

#include "../core/rng.h"
#include "../io/stream.h"
#include "hetero.h"
#include "scheme.h"
#include "weighted.h"

static const coda_scheme_option options[] = {
    {"construction", 0, "C", "interval (default; chain with -b), star, chain, groups, tree or "
                             "dense", 0},
    {"straggle-probs", 0, "FILE", "each worker's straggling probability p_i (a column of N)", 0},
    {"psi", 0, "FILE", "each worker's latency rate psi_i: p_i = exp(-psi_i (T - 1)) with "
                       "--deadline T (eq. 23)", 0},
    {"psi-range", 0, "LO,HI", "psi_i ~ U(LO, HI) drawn with --seed (the paper: 0.1,2), with "
                              "--deadline", 0},
    {"p-range", 0, "LO,HI", "p_i ~ U(LO, HI) drawn with --seed", 0},
    {"deadline", 0, "T", "the response deadline tau_th >= 1 of --psi and --psi-range", 0},
    {"b", 'b', "LIST", "star and chain: partitions per worker, in p order (sum n + k - 1)", 0},
    {"wtilde", 0, "W", "one (default), propensity or random: a = alpha / w~, w = w~ / (1 - p)",
     0},
    {"dp-max", 0, "K", "groups: the exact subset DP up to K workers (default 22, at most 24)",
     0},
    {"support", 0, "FILE", "tree: an N x K matrix whose nonzeros are the support (a forest)", 0},
    {"grad-bound", 0, "C", "the bound C on ||g_j||^2 of the reported residual bounds (default "
                           "1)", 0},
    {NULL, 0, NULL, NULL, 0}};

/* A file's contents are input, not a command line: class io keeps coda-assign from calling a
 * bad value there a usage error. */
static int bad_file(coda_err *e, const char *path)
{
    coda_fail_prefix(e, "%s: ", path);
    if (e)
        e->cls = CODA_E_IO;
    return -1;
}

static int parse_range(const char *opt, const char *v, double lo_ok, double hi_ok, double *lo,
                       double *hi, coda_err *e)
{
    char *end;
    *lo = strtod(v, &end);
    if (*end == ',')
        *hi = strtod(end + 1, &end);
    if (*end || !(*lo >= lo_ok) || !(*hi <= hi_ok) || !(*lo <= *hi))
        return coda_failc(e, CODA_E_USAGE, "--%s: '%s' is not LO,HI with %g <= LO <= HI <= %g",
                          opt, v, lo_ok, hi_ok);
    return 0;
}

/* One value per worker from a file (a column or a row), checked against N. */
static int read_column(const char *path, int N, double *out, coda_err *e)
{
    coda_mat m;
    if (coda_read_matrix(path, &m, NULL, e) < 0)
        return bad_file(e, path);
    size_t count = m.rows * m.cols;
    int rc = 0;
    if (m.rows != 1 && m.cols != 1)
        rc = coda_fail(e, "expected one column, got %zu x %zu", m.rows, m.cols);
    else if (count != (size_t)N)
        rc = coda_fail(e, "%zu values for N = %d workers", count, N);
    for (size_t i = 0; i < count && rc == 0; i++)
        out[i] = m.data[i];
    coda_mat_free(&m);
    return rc < 0 ? bad_file(e, path) : 0;
}

int coda_hetero_probs(const char *who, const coda_scheme_args *a, int N, double *p, const char **source,
                          coda_err *e)
{
    const char *probs = coda_scheme_opt(a, "straggle-probs"), *psi = coda_scheme_opt(a, "psi"),
               *psi_range = coda_scheme_opt(a, "psi-range"),
               *p_range = coda_scheme_opt(a, "p-range"), *dl = coda_scheme_opt(a, "deadline");
    int given = !!probs + !!psi + !!psi_range + !!p_range;
    if (given != 1)
        return coda_failc(e, CODA_E_USAGE, "%s needs %s of --straggle-probs FILE, --psi FILE "
                          "or --psi-range LO,HI (with --deadline T), or --p-range LO,HI",
                          who, given ? "only one" : "one");
    if ((psi || psi_range) != !!dl)
        return coda_failc(e, CODA_E_USAGE, dl ? "--deadline is for --psi and --psi-range"
                                              : "--psi and --psi-range need --deadline T");
    double tau = 1;
    char *end;
    if (dl && (tau = strtod(dl, &end), *end || !(tau >= 1) || !isfinite(tau)))
        return coda_failc(e, CODA_E_USAGE, "--deadline: '%s' is not a time >= 1 (the latency "
                          "shift is 1)", dl);
    if (probs) {
        *source = probs;
        if (read_column(probs, N, p, e) < 0)
            return -1;
        for (int i = 0; i < N; i++)
            if (!(p[i] >= 0 && p[i] <= 1)) {
                coda_fail(e, "row %d: straggling probability %g is outside [0, 1]", i + 1, p[i]);
                return bad_file(e, probs);
            }
        return 0;
    }
    double lo = 0, hi = 0;
    if (psi) {
        *source = psi;
        if (read_column(psi, N, p, e) < 0)
            return -1;
        for (int i = 0; i < N; i++) {
            if (!(p[i] >= 0) || !isfinite(p[i])) {
                coda_fail(e, "row %d: rate psi = %g is not finite and >= 0", i + 1, p[i]);
                return bad_file(e, psi);
            }
            p[i] = exp(-p[i] * (tau - 1));
        }
        return 0;
    }
    if (parse_range(psi_range ? "psi-range" : "p-range", psi_range ? psi_range : p_range, 0,
                    psi_range ? INFINITY : 1, &lo, &hi, e) < 0)
        return -1;
    for (int i = 0; i < N; i++) {
        coda_rng r;
        coda_rng_seed(&r, a->seed, CODA_RNG_HETERO_P, 0, (uint64_t)i);
        double u = lo + (hi - lo) * coda_rng_uniform(&r);
        p[i] = psi_range ? exp(-u * (tau - 1)) : u;
    }
    return 0;
}

static int parse_b(const char *v, int m, int *b, coda_err *e)
{
    long long *vals;
    size_t nv;
    if (coda_split_longs(v, &vals, &nv) < 0)
        return coda_failc(e, CODA_E_USAGE, "-b: '%s' is not a comma-separated list of integers",
                          v);
    int rc = 0;
    if (nv != (size_t)m)
        rc = coda_failc(e, CODA_E_USAGE, "-b has %zu entries for %d workers (those with p < 1, "
                        "or with p = 0 when some have it)", nv, m);
    for (size_t i = 0; i < nv && rc == 0; i++) {
        if (vals[i] < 0 || vals[i] > 1000000000)
            rc = coda_failc(e, CODA_E_USAGE, "-b: b_%zu = %lld is out of range", i + 1, vals[i]);
        else
            b[i] = (int)vals[i];
    }
    free(vals);
    return rc;
}

/* alpha for the active workers (rows[0..m-1], sorted by p, Ys their Y) */
static int construct(int c, const coda_scheme_args *a, const double *Y, const double *Ys,
                     const int *rows, int m, int n, coda_mat *alpha, int *groups,
                     int *groups_exact, coda_err *e)
{
    double tol = coda_hetero_tol(n);
    const char *bopt = coda_scheme_opt(a, "b");
    int *b = NULL, rc = 0;
    *groups = 0;
    *groups_exact = -1;
    if (bopt && c != CODA_HETERO_STAR && c != CODA_HETERO_CHAIN)
        return coda_failc(e, CODA_E_USAGE, "-b is for --construction star or chain, not %s",
                          coda_hetero_construction_name(c));
    if (coda_scheme_opt(a, "support") && c != CODA_HETERO_TREE)
        return coda_failc(e, CODA_E_USAGE, "--support is for --construction tree");
    if (coda_scheme_opt(a, "dp-max") && c != CODA_HETERO_GROUPS)
        return coda_failc(e, CODA_E_USAGE, "--dp-max is for --construction groups");
    switch (c) {
    case CODA_HETERO_INTERVAL: coda_hetero_interval(Ys, rows, m, 0, n, tol, alpha); return 0;
    case CODA_HETERO_DENSE:
        for (int i = 0; i < m; i++)
            for (int j = 0; j < n; j++)
                CODA_AT(alpha, rows[i], j) = Ys[i] / n;
        return 0;
    case CODA_HETERO_STAR:
    case CODA_HETERO_CHAIN:
        b = malloc((size_t)m * sizeof *b);
        if (!b)
            return coda_fail_oom(e);
        if (bopt)
            rc = parse_b(bopt, m, b, e);
        else if (c == CODA_HETERO_STAR)
            coda_hetero_star_b(Ys, m, n, b);
        else {
            coda_hetero_interval_b(Ys, m, n, tol, b);
            long sum = 0;
            int one = 0;
            for (int i = 0; i < m; i++) {
                sum += b[i];
                one = !one && i > 0 && i < m - 1 && b[i] < 2 ? i + 1 : one;
            }
            if (one)
                rc = coda_failc(e, CODA_E_USAGE, "chain: the interval rule gives middle worker %d "
                                "(in p order) b = 1, which Scheme II cannot take; give -b, or use "
                                "--construction interval", one);
            else if (sum != (long)n + m - 1)
                rc = coda_failc(e, CODA_E_USAGE, "chain: the interval rule's b sums to %ld, not "
                                "n + k - 1 (an integer prefix); give -b, or use --construction "
                                "interval or groups", sum);
        }
        if (rc == 0)
            rc = c == CODA_HETERO_STAR ? coda_hetero_star(Ys, b, rows, m, 0, n, alpha, e)
                                       : coda_hetero_chain(Ys, b, rows, m, 0, n, alpha, e);
        if (rc < 0 && bopt && e)
            e->cls = CODA_E_USAGE;
        free(b);
        return rc;
    case CODA_HETERO_GROUPS: {
        const char *dv = coda_scheme_opt(a, "dp-max");
        long dp_max = 22;
        char *end;
        if (dv && (dp_max = strtol(dv, &end, 10), *end || dp_max < 0 || dp_max > 24))
            return coda_failc(e, CODA_E_USAGE, "--dp-max: '%s' is not an integer in 0..24", dv);
        int *group = malloc((size_t)m * sizeof *group), *members = malloc((size_t)m * sizeof *members);
        double *Yg = malloc((size_t)m * sizeof *Yg);
        if (!group || !members || !Yg)
            rc = coda_fail_oom(e);
        if (rc == 0)
            rc = coda_hetero_groups(Ys, m, n, (int)dp_max, group, groups, groups_exact, e);
        int col0 = 0;
        for (int g = 0; g < *groups && rc == 0; g++) { /* each group a block of its own */
            int cnt = 0;
            double s = 0;
            for (int r = 0; r < m; r++)
                if (group[r] == g) {
                    members[cnt] = rows[r];
                    Yg[cnt++] = Ys[r];
                    s += Ys[r];
                }
            int cols = (int)lround(s);
            if (g == *groups - 1)
                cols = n - col0; /* what rounding left */
            coda_hetero_interval(Yg, members, cnt, col0, cols, tol, alpha);
            col0 += cols;
        }
        free(group), free(members), free(Yg);
        return rc;
    }
    case CODA_HETERO_TREE: {
        const char *path = coda_scheme_opt(a, "support");
        if (!path)
            return coda_failc(e, CODA_E_USAGE, "--construction tree needs --support FILE");
        coda_mat sup;
        if (coda_read_matrix(path, &sup, NULL, e) < 0)
            return bad_file(e, path);
        if (sup.rows != alpha->rows || sup.cols != alpha->cols)
            rc = coda_fail(e, "the support is %zu x %zu, need N x K = %zu x %zu", sup.rows,
                           sup.cols, alpha->rows, alpha->cols);
        for (size_t i = 0; i < sup.rows && rc == 0; i++)
            for (size_t j = 0; j < sup.cols && rc == 0; j++)
                if (Y[i] == 0 && CODA_AT(&sup, i, j) != 0)
                    rc = coda_fail(e, "row %zu: worker %zu has Y = 0 (p = 1, or another worker "
                                      "never straggles) but holds partition %zu", i + 1, i, j + 1);
        if (rc == 0)
            rc = coda_hetero_peel(Y, &sup, alpha, e);
        coda_mat_free(&sup);
        return rc < 0 ? bad_file(e, path) : 0;
    }
    default: return coda_failc(e, CODA_E_USAGE, "unknown construction");
    }
}

static int build(coda_plan *p, const coda_scheme_args *a, coda_err *e)
{
    int k = p->N, n = a->K > 0 ? a->K : p->N, rc = 0;
    const char *cons = coda_scheme_opt(a, "construction"), *wt = coda_scheme_opt(a, "wtilde"),
               *gb = coda_scheme_opt(a, "grad-bound");
    int c = cons ? coda_hetero_construction_parse(cons)
                 : coda_scheme_opt(a, "b") ? CODA_HETERO_CHAIN : CODA_HETERO_INTERVAL;
    if (c < 0)
        return coda_failc(e, CODA_E_USAGE, "--construction: unknown '%s' (interval, star, chain, "
                          "groups, tree, dense)", cons);
    if (wt && strcmp(wt, "one") && strcmp(wt, "propensity") && strcmp(wt, "random"))
        return coda_failc(e, CODA_E_USAGE, "--wtilde: unknown '%s' (one, propensity, random)", wt);
    double C = 1;
    char *end;
    if (gb && (C = strtod(gb, &end), *end || !(C > 0) || !isfinite(C)))
        return coda_failc(e, CODA_E_USAGE, "--grad-bound: '%s' is not a positive number", gb);
    double *prob = malloc((size_t)k * sizeof *prob), *Y = malloc((size_t)k * sizeof *Y),
           *Ys = malloc((size_t)k * sizeof *Ys), *wtl = malloc((size_t)k * sizeof *wtl),
           *w = malloc((size_t)k * sizeof *w);
    int *perm = malloc((size_t)k * sizeof *perm), *rows = malloc((size_t)k * sizeof *rows);
    coda_mat alpha = {0};
    if (!prob || !Y || !Ys || !wtl || !w || !perm || !rows)
        rc = coda_fail_oom(e);
    const char *source = NULL;
    double S = 0;
    int degenerate = 0, m = 0, groups = 0, groups_exact = -1;
    if (rc == 0)
        rc = coda_hetero_probs("hetero", a, k, prob, &source, e);
    if (rc == 0 && (rc = coda_hetero_optimum(prob, k, n, Y, &S, &degenerate, e)) < 0 && source)
        bad_file(e, source);
    if (rc == 0) {
        coda_hetero_sort(prob, k, perm);
        for (int r = 0; r < k; r++)
            if (Y[perm[r]] > 0) {
                rows[m] = perm[r];
                Ys[m++] = Y[perm[r]];
            }
        rc = coda_mat_alloc(&alpha, (size_t)k, (size_t)n, e);
    }
    if (rc == 0)
        rc = construct(c, a, Y, Ys, rows, m, n, &alpha, &groups, &groups_exact, e);
    /* coefficient recovery (eq. 17): any nonzero w~ gives the same g_hat */
    for (int i = 0; i < k && rc == 0; i++) {
        wtl[i] = 1;
        if (wt && strcmp(wt, "propensity") == 0 && prob[i] < 1)
            wtl[i] = 1 - prob[i];
        else if (wt && strcmp(wt, "random") == 0) {
            coda_rng r;
            coda_rng_seed(&r, a->seed, CODA_RNG_HETERO_WTILDE, 0, (uint64_t)i);
            double mag = 0.5 + coda_rng_uniform(&r);
            wtl[i] = coda_rng_uniform(&r) < 0.5 ? -mag : mag;
        }
        w[i] = prob[i] < 1 ? wtl[i] / (1 - prob[i]) : 0;
    }
    if (rc == 0)
        rc = coda_mat_alloc(&p->G, (size_t)k, (size_t)n, e);
    int maxb = 0;
    for (int i = 0; i < k && rc == 0; i++) {
        int bi = 0;
        for (int j = 0; j < n; j++) {
            CODA_AT(&p->G, i, j) = CODA_AT(&alpha, i, j) / wtl[i];
            bi += CODA_AT(&alpha, i, j) != 0;
        }
        maxb = bi > maxb ? bi : maxb;
    }
    char warn[256] = "";
    if (rc == 0 && degenerate) { /* the limits of spec §2.3 */
        int ones = 0, zeros = 0;
        for (int i = 0; i < k; i++)
            ones += prob[i] == 1, zeros += prob[i] == 0;
        if (zeros)
            snprintf(warn, sizeof warn, "%d worker(s) with p = 0 never straggle: they share all "
                     "partitions and the others get none (the limit p -> 0; residual 0)", zeros);
        else
            snprintf(warn, sizeof warn, "%d worker(s) with p = 1 never respond: they get no data "
                     "and w = 0", ones);
    }
    if (rc == 0) {
        p->K = n;
        p->threshold = 0; /* any responders decode, approximately; none gives zero */
        p->load = (double)maxb / n;
        p->combine = 1;
        rc = coda_meta_set(&p->extra, "construction", coda_hetero_construction_name(c), e) |
             coda_meta_set(&p->extra, "wtilde", wt ? wt : "one", e) |
             coda_meta_set_doubles(&p->extra, "straggle_probs", prob, (size_t)k, e) |
             coda_meta_set_doubles(&p->extra, "w", w, (size_t)k, e) |
             coda_meta_set_doubles(&p->extra, "w_tilde", wtl, (size_t)k, e) |
             coda_meta_set_double(&p->extra, "grad_bound", C, e);
        if (rc == 0 && groups_exact >= 0)
            rc = coda_meta_set(&p->extra, "group_search", groups_exact ? "dp" : "heuristic", e);
        if (rc == 0 && warn[0])
            rc = coda_meta_set(&p->extra, "build_warning", warn, e);
        rc = rc ? -1 : 0;
    }
    free(prob), free(Y), free(Ys), free(wtl), free(w), free(perm), free(rows);
    coda_mat_free(&alpha);
    return rc;
}

/* The plan's p, w~ and w, each one per worker. */
static int plan_vectors(const coda_plan *p, double **prob, double **wtl, double **w, coda_err *e)
{
    size_t np = 0, nt = 0, nw = 0;
    *prob = *wtl = *w = NULL;
    int rc = coda_meta_get_doubles(&p->extra, "straggle_probs", prob, &np, e) < 0 ||
                     coda_meta_get_doubles(&p->extra, "w_tilde", wtl, &nt, e) < 0 ||
                     coda_meta_get_doubles(&p->extra, "w", w, &nw, e) < 0
                 ? -1
                 : 0;
    if (rc == 0 && (np != (size_t)p->N || nt != (size_t)p->N || nw != (size_t)p->N))
        rc = coda_fail(e, "hetero plan: p, w_tilde and w need one value per worker (N = %d)",
                       p->N);
    for (int i = 0; i < p->N && rc == 0; i++)
        if (!((*prob)[i] >= 0 && (*prob)[i] <= 1) || !isfinite((*w)[i]) ||
            !isfinite((*wtl)[i]) || (*wtl)[i] == 0)
            rc = coda_fail(e, "hetero plan: worker %d has p, w_tilde or w out of range", i);
    if (rc < 0) {
        free(*prob), free(*wtl), free(*w);
        *prob = *wtl = *w = NULL;
    }
    return rc;
}

static int check_vectors(const coda_plan *p, coda_err *e)
{
    double *prob, *wtl, *w;
    if (plan_vectors(p, &prob, &wtl, &w, e) < 0)
        return -1;
    free(prob), free(wtl), free(w);
    return 0;
}

static int load(const coda_plan *p, coda_err *e)
{
    return coda_plan_shape_check(p, e) < 0 ? -1 : check_vectors(p, e);
}

/* Its weights, checked with p and w~ once (the weighted decoders' state). */
static int prepare(coda_plan *p, coda_err *e)
{
    return check_vectors(p, e) < 0 ? -1 : coda_weighted_prepare(p, e);
}

/* union-find root */
static int root(int *up, int v)
{
    while (up[v] != v)
        v = up[v] = up[up[v]];
    return v;
}

static int fig_list(coda_meta *fig, const char *key, const double *v, size_t n, int ints,
                    coda_err *e)
{
    size_t cap = n * 26 + 2, off = 0;
    char *s = malloc(cap);
    if (!s)
        return coda_fail_oom(e);
    s[0] = 0;
    for (size_t i = 0; i < n && off < cap; i++)
        off += (size_t)snprintf(s + off, cap - off, ints ? "%s%.0f" : "%s%.10g", i ? "," : "",
                                v[i]);
    int rc = coda_meta_set(fig, key, s, e);
    free(s);
    return rc;
}

/* The code's figures (spec §6): the p order, Y, S, b, load, nnz, groups, min alpha, and the
 * two residual bounds: the paper's n^2 C / S (Lemma 2), valid only when alpha >= 0, and
 * C sum_i delta_i (sum_j |alpha_ij|)^2, valid always (spec §3 L1). */
static int report(const coda_plan *p, coda_meta *fig, coda_err *e)
{
    double *prob, *wtl, *w;
    if (plan_vectors(p, &prob, &wtl, &w, e) < 0)
        return -1;
    int k = p->N, n = p->K, rc = 0;
    double C = 1, S = 0;
    coda_meta_get_double(&p->extra, "grad_bound", &C, NULL);
    double *Y = malloc((size_t)k * sizeof *Y), *b = malloc((size_t)k * sizeof *b),
           *order = malloc((size_t)k * sizeof *order);
    int *perm = malloc((size_t)k * sizeof *perm), *up = malloc(((size_t)k + (size_t)n) * sizeof *up);
    char *has_edge = calloc((size_t)k + (size_t)n, 1);
    if (!Y || !b || !order || !perm || !up || !has_edge)
        rc = coda_fail_oom(e);
    int degenerate = 0;
    if (rc == 0)
        rc = coda_hetero_optimum(prob, k, n, Y, &S, &degenerate, e);
    long nnz = 0;
    double maxb = 0, minal = INFINITY, valid = 0;
    for (int v = 0; rc == 0 && v < k + n; v++)
        up[v] = v;
    for (int i = 0; i < k && rc == 0; i++) {
        double l1 = 0;
        b[i] = 0;
        for (int j = 0; j < n; j++) {
            double al = wtl[i] * CODA_AT(&p->G, i, j);
            if (al == 0)
                continue;
            b[i]++;
            l1 += fabs(al);
            minal = fmin(minal, al);
            int x = root(up, i), y = root(up, k + j);
            up[x] = y;
            has_edge[i] = has_edge[k + j] = 1;
        }
        nnz += (long)b[i];
        maxb = fmax(maxb, b[i]);
        if (prob[i] < 1 && l1 > 0)
            valid += prob[i] / (1 - prob[i]) * l1 * l1 * C;
    }
    int groups = 0;
    for (int v = 0; v < k + n && rc == 0; v++)
        groups += has_edge[v] && root(up, v) == v;
    if (rc == 0) {
        coda_hetero_sort(prob, k, perm);
        for (int r = 0; r < k; r++)
            order[r] = perm[r];
    }
    double paper = isinf(S) ? 0 : (double)n * n * C / S;
    const char *cons = coda_meta_get(&p->extra, "construction");
    if (rc == 0)
        rc = coda_meta_set(fig, "construction", cons ? cons : "?", e) |
             fig_list(fig, "order", order, (size_t)k, 1, e) | fig_list(fig, "Y", Y, (size_t)k, 0, e) |
             coda_meta_set_double(fig, "S", S, e) | fig_list(fig, "b", b, (size_t)k, 1, e) |
             coda_meta_set_double(fig, "load_d", (double)nnz / n, e) |
             coda_meta_set_long(fig, "nnz", nnz, e) | coda_meta_set_long(fig, "max_b", (long)maxb, e) |
             coda_meta_set_long(fig, "groups", groups, e) |
             coda_meta_set_double(fig, "min_alpha", minal, e) |
             coda_meta_set_double(fig, "bound_paper", paper, e) |
             coda_meta_set_double(fig, "bound_valid", valid, e);
    const char *gs = coda_meta_get(&p->extra, "group_search");
    if (rc == 0 && gs)
        rc = coda_meta_set(fig, "group_search", gs, e);
    char warn[512] = "";
    const char *bw = coda_meta_get(&p->extra, "build_warning");
    if (bw)
        snprintf(warn, sizeof warn, "%s", bw);
    if (rc == 0 && fabs(valid - paper) > 1e-9 * fmax(paper, 1e-300) && minal < 0) {
        size_t off = strlen(warn);
        snprintf(warn + off, sizeof warn - off,
                 "%salpha has negative entries (min %.6g): the paper's bound n^2 C/S = %.6g does "
                 "not hold; the valid bound is %.6g (use --construction interval for alpha >= 0)",
                 off ? "; " : "", minal, paper, valid);
    }
    if (rc == 0 && warn[0])
        rc = coda_meta_set(fig, "warning", warn, e);
    free(prob), free(wtl), free(w), free(Y), free(b), free(order), free(perm), free(up),
        free(has_edge);
    return rc ? -1 : 0;
}

const coda_scheme coda_scheme_hetero = {
    .name = "hetero",
    .summary = "optimal approximate gradient codes for heterogeneous stragglers (Song and "
               "Choi): unbiased, least residual bound, load < 2",
    .caps = CODA_CAP_SUMS | CODA_CAP_APPROX | CODA_CAP_ANY | CODA_CAP_UNBIASED,
    .options = options,
    .build = build,
    .encode = coda_encode_g,
    /* g_hat = sum over the responders of w_i f_i (eq. 5): no solve (weighted.c) */
    .decode = coda_decode_weighted,
    .prepare = prepare,
    .free = coda_weighted_free,
    .load = load,
    .report = report,
};
