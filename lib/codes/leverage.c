/* leverage: approximate gradient coding by block leverage scores (Charalambides, Pilanci and
 * Hero, papers/leverage-gc.txt; spec ../shared/specs/leverage-gc.md). The data's K row blocks
 * get replication counts r_i (sum m = N servers) with r_i / m close to the block leverage
 * scores Pi_i (leverage_alloc.h); server l holds block blk(l) scaled by 1 / sqrt(q Pi-bar),
 * Pi-bar = r / m, so that the sum of any q servers' gradients, duplicates kept, is the gradient
 * of a block leverage score sketch (eq. 29) and unbiased; all m of them give (m/q) g. With
 * --scale realized the 1/q is left to the master, which divides by the count it received.
 *
 * The plan's G is the paper's fixed-coefficient matrix B (Section III-F): row l is
 * e_blk(l) / (q Pi-bar_blk(l)) (realized: / Pi-bar), the weight of block blk(l)'s gradient in
 * server l's result. The pipeline's TASK frames carry the scaled block (for grad: the weight
 * is the square of the scale); an in-process job gives each server a view of its block and the
 * weight as the coefficient of its result (the same number up to rounding, no copies). */
#include <cblas.h>
#include <float.h>
#include <lapacke.h>
#include <math.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>

#include "../io/stream.h"
#include "../sketch/sketch.h"
#include "../straggle/straggle.h"
#include "leverage_alloc.h"
#include "scheme.h"

static const coda_scheme_option options[] = {
    {"scores", 0, "S", "block scores: exact (default; thin QR of the data), approx, frobenius "
                       "(||A_l||_F^2 / ||A||_F^2), or a FILE of K numbers summing to 1", 0},
    {"normalize", 0, NULL, "divide the scores of --scores FILE by their sum", 0},
    {"initial", 0, "I", "initial counts: erasure (default; eq. 20 at phi), ratio (nu Pi / "
                        "Pi_min), lcm (perfect emulation, Prop. 1) or zero", 0},
    {"nu", 0, "NU", "--initial ratio: the multiplier nu (default 1)", 0},
    {"max-den", 0, "D", "--initial lcm: largest denominator of a score's fraction (default "
                        "1000)", 0},
    {"prescale", 0, NULL, "--initial erasure: multiply the counts by round(m / R-hat) when "
                          "they sum to less than m", 0},
    {"adjust", 0, "A", "make the counts sum to m: paper (default; Algorithm 2 with guards) or "
                       "hamilton (largest remainder, ignores the initial counts)", 0},
    {"min-replicas", 0, "R", "1 (default: every block with a positive score on a server) or "
                             "0 (as the paper: such blocks may get none)", 0},
    {"responders", 0, "Q", "q, the servers the master waits for (default: from --deadline, "
                           "else N - s)", 0},
    {"phi", 0, "P", "erasure probability in [0, 1) for eq. (20) (default 1 - q/N, or from "
                    "--deadline)", 0},
    {"deadline", 0, "T", "ending time: phi = 1 - F(T) and q = floor(F(T) N) under --runtime", 0},
    {"runtime", 0, "M", "a server's runtime CDF F: shifted-exp:SHIFT,RATE (default "
                        "shifted-exp:0,1), pareto:SCALE,SHAPE, empirical:FILE (time, CDF "
                        "rows, as coda-solve --latency) or table3 (a stand-in for the "
                        "paper's Table III trace: examples/table3-runtime.csv)", 0},
    {"scale", 0, "S", "q (default: block / sqrt(q Pi-bar), decode sums q) or realized "
                      "(block / sqrt(Pi-bar), decode divides by the responders)", 0},
    {"decoder", 0, "D", "sum (default; the scaled sum, duplicates kept) or optimal (eq. 30: "
                        "1 B_I^+, reports err(B_I)) (coda-decode)", 1},
    {NULL, 0, NULL, NULL, 0}};

/* strtod/strtol of a whole option value, usage errors naming the option */
static int opt_double(const coda_scheme_args *a, const char *name, double lo, double hi,
                      double *v, coda_err *e)
{
    const char *s = coda_scheme_opt(a, name);
    if (!s)
        return 0;
    char *end;
    double x = strtod(s, &end);
    if (end == s || *end || !(x >= lo && x <= hi))
        return coda_failc(e, CODA_E_USAGE, "leverage: --%s '%s' must be a number in [%g, %g]",
                          name, s, lo, hi);
    *v = x;
    return 1;
}

static int opt_long(const coda_scheme_args *a, const char *name, long lo, long hi, long *v,
                    coda_err *e)
{
    const char *s = coda_scheme_opt(a, name);
    if (!s)
        return 0;
    char *end;
    long x = strtol(s, &end, 10);
    if (end == s || *end || x < lo || x > hi)
        return coda_failc(e, CODA_E_USAGE, "leverage: --%s '%s' must be an integer in [%ld, "
                                           "%ld]", name, s, lo, hi);
    *v = x;
    return 1;
}

static const char *opt_word(const coda_scheme_args *a, const char *name, const char *dflt,
                            const char *const *allowed, coda_err *e)
{
    const char *s = coda_scheme_opt(a, name);
    if (!s)
        return dflt;
    for (int i = 0; allowed[i]; i++)
        if (strcmp(s, allowed[i]) == 0)
            return s;
    coda_failc(e, CODA_E_USAGE, "leverage: unknown --%s '%s'", name, s);
    return NULL;
}

/* The K scores from a file: errors have class io, so that a program does not take them for a
 * bad combination of options (they are the file's). */
static int scores_from_file(const char *path, int K_given, int normalize, double **pi, int *K,
                            coda_err *e)
{
    coda_mat m;
    if (coda_read_matrix(path, &m, NULL, e) < 0) {
        e->cls = e->cls == CODA_E_DATA ? CODA_E_IO : e->cls;
        return coda_fail_prefix(e, "--scores %s: ", path);
    }
    int rc = 0;
    size_t n = m.rows * m.cols;
    if (m.rows != 1 && m.cols != 1)
        rc = coda_failc(e, CODA_E_IO, "--scores %s: %zu x %zu, need a vector of K scores", path,
                        m.rows, m.cols);
    else if (n > 100000000)
        rc = coda_failc(e, CODA_E_IO, "--scores %s: %zu scores, more blocks than allowed", path, n);
    else if (K_given > 0 && (size_t)K_given != n)
        rc = coda_failc(e, CODA_E_USAGE, "--scores %s has %zu scores but -K is %d", path, n,
                        K_given);
    else if (coda_lev_check_scores(m.data, (int)n, normalize, 0, e) < 0) {
        e->cls = CODA_E_IO;
        rc = coda_fail_prefix(e, "--scores %s: ", path);
    }
    if (rc < 0) {
        coda_mat_free(&m);
        return rc;
    }
    *pi = m.data; /* the vector's storage, handed over */
    *K = (int)n;
    return 0;
}

/* Scores from the data [X y] (the last column is the labels): exact, approx or frobenius. */
static int scores_from_data(const coda_mat *data, const char *how, int K, unsigned long long seed,
                            double **pi, coda_err *e)
{
    if (data->cols < 2)
        return coda_fail(e, "leverage: the data [X y] has %zu column: no features", data->cols);
    size_t cols = data->cols - 1;
    if (strcmp(how, "frobenius") == 0) {
        double *s = calloc((size_t)K, sizeof *s), total = 0;
        size_t *b = malloc(((size_t)K + 1) * sizeof *b);
        if (!s || !b) {
            free(s), free(b);
            return coda_fail_oom(e);
        }
        coda_split_bounds(data->rows, K, b);
        for (size_t c = 0; c < cols; c++)
            for (int l = 0; l < K; l++)
                for (size_t i = b[l]; i < b[l + 1]; i++) {
                    double x = CODA_AT(data, i, c);
                    s[l] += x * x;
                }
        for (int l = 0; l < K; l++)
            total += s[l];
        free(b);
        if (!(total > 0)) {
            free(s);
            return coda_fail(e, "leverage: the data's features are all zero");
        }
        for (int l = 0; l < K; l++)
            s[l] /= total;
        *pi = s;
        return 0;
    }
    coda_mat sc;
    if (coda_leverage_scores(data, cols, K, strcmp(how, "approx") == 0, seed, &sc, e) < 0) {
        if (e->cls == CODA_E_DATA)
            e->cls = CODA_E_NUMERIC; /* the data's, not the options' */
        return coda_fail_prefix(e, "leverage scores: ");
    }
    *pi = sc.data;
    return 0;
}

/* A stand-in for the AWS runtime CDF of the paper's Table III (its trace is not published):
 * the points q(T) / 500 the table implies (spec §4.3), F(0) = 0, linear in between, reaching 1
 * at 66 s (the table stops at 0.998 at 60 s; a CDF must end at 1). Only the seven points are
 * the paper's; the interpolation and the last point are guesses. examples/table3-runtime.csv
 * holds the same points, for coda-solve --latency empirical:FILE. */
static const double table3_t[] = {0, 6, 12, 24, 42, 48, 54, 60, 66},
                    table3_F[] = {0, .284, .452, .460, .460, .524, .534, .998, 1};

/* F(T) of an empirical CDF from a file of (time, CDF) rows, as coda-solve --latency
 * empirical:FILE draws from it. A bad file is the input's fault (class IO, exit 1), as for
 * --scores FILE. */
static int empirical_cdf(const char *path, double T, double *F, coda_err *e)
{
    coda_mat c;
    if (coda_read_matrix(path, &c, NULL, e) < 0) {
        e->cls = e->cls == CODA_E_DATA ? CODA_E_IO : e->cls;
        return -1;
    }
    int rc = 0;
    if (c.cols != 2)
        rc = coda_failc(e, CODA_E_IO, "leverage: --runtime empirical:%s: expected 2 columns "
                                      "(time, CDF), got %zu x %zu", path, c.rows, c.cols);
    coda_straggle_model m = {.kind = CODA_LAT_EMPIRICAL, .cdf_t = c.data,
                             .cdf_p = c.data + c.rows, .ncdf = c.rows};
    if (rc == 0 && coda_latency_empirical_cdf(&m, T, F, e) < 0) {
        rc = coda_fail_prefix(e, "leverage: --runtime empirical:%s: ", path);
        e->cls = CODA_E_IO;
    }
    coda_mat_free(&c);
    return rc;
}

/* F(T) of the runtime model */
static int runtime_cdf(const char *spec, double T, double *F, coda_err *e)
{
    if (strcmp(spec, "table3") == 0) {
        coda_straggle_model m = {.kind = CODA_LAT_EMPIRICAL, .cdf_t = table3_t,
                                 .cdf_p = table3_F, .ncdf = sizeof table3_t / sizeof table3_t[0]};
        return coda_latency_empirical_cdf(&m, T, F, e);
    }
    if (strncmp(spec, "empirical:", 10) == 0)
        return empirical_cdf(spec + 10, T, F, e);
    coda_straggle_model m = {0};
    if (coda_latency_parse(spec, &m, e) < 0 ||
        (m.kind != CODA_LAT_SHIFTEXP && m.kind != CODA_LAT_PARETO)) {
        return coda_failc(e, CODA_E_USAGE, "leverage: --runtime '%s': shifted-exp:SHIFT,RATE, "
                                           "pareto:SCALE,SHAPE, table3 or empirical:FILE", spec);
    }
    if (m.kind == CODA_LAT_SHIFTEXP)
        *F = T > m.a ? -expm1(-m.b * (T - m.a)) : 0;
    else
        *F = T > m.a ? 1.0 - pow(m.a / T, m.b) : 0;
    return 0;
}

static int set_figures(coda_plan *p, const coda_lev_metrics *mt, double phi, long Rhat, long loops,
                       const char *scores, const char *initial, const char *adjust, coda_err *e)
{
    return coda_meta_set(&p->extra, "lev.scores", scores, e) |
           coda_meta_set(&p->extra, "lev.initial", initial, e) |
           coda_meta_set(&p->extra, "lev.adjust", adjust, e) |
           coda_meta_set_double(&p->extra, "lev.phi", phi, e) |
           coda_meta_set_long(&p->extra, "lev.R_hat", Rhat, e) |
           coda_meta_set_long(&p->extra, "lev.loops", loops, e) |
           coda_meta_set_double(&p->extra, "lev.d", mt->d, e) |
           coda_meta_set_double(&p->extra, "lev.delta", mt->delta, e) |
           coda_meta_set_double(&p->extra, "lev.beta_def", mt->beta_def, e) |
           coda_meta_set_double(&p->extra, "lev.beta_paper", mt->beta_paper, e) |
           coda_meta_set_double(&p->extra, "lev.eps", mt->eps, e) |
           coda_meta_set_long(&p->extra, "lev.zeros", mt->zeros, e) |
           coda_meta_set_long(&p->extra, "lev.lost", mt->lost, e);
}

static int build(coda_plan *p, const coda_scheme_args *a, coda_err *e)
{
    static const char *const inits[] = {"erasure", "ratio", "lcm", "zero", NULL};
    static const char *const adjusts[] = {"paper", "hamilton", NULL};
    static const char *const scales[] = {"q", "realized", NULL};
    long m = p->N, q = m - p->s, minrep = 1, nu = 1, maxden = 1000;
    double phi = -1, T = -1;
    const char *how = coda_scheme_opt(a, "scores") ? coda_scheme_opt(a, "scores") : "exact";
    const char *init = opt_word(a, "initial", "erasure", inits, e),
               *adjust = init ? opt_word(a, "adjust", "paper", adjusts, e) : NULL,
               *scale = adjust ? opt_word(a, "scale", "q", scales, e) : NULL;
    if (!scale || opt_long(a, "min-replicas", 0, 1, &minrep, e) < 0 ||
        opt_long(a, "nu", 1, 1000000000, &nu, e) < 0 ||
        opt_long(a, "max-den", 1, 1000000000, &maxden, e) < 0 ||
        opt_double(a, "phi", 0, 1, &phi, e) < 0 || opt_double(a, "deadline", 0, INFINITY, &T, e) < 0)
        return -1;
    int qgiven = opt_long(a, "responders", 1, m, &q, e);
    if (qgiven < 0)
        return -1;
    if (phi >= 1)
        return coda_failc(e, CODA_E_USAGE, "leverage: --phi 1 means no server ever answers");
    if (T >= 0 && phi >= 0)
        return coda_failc(e, CODA_E_USAGE, "leverage: give --phi or --deadline, not both");
    if (coda_scheme_opt(a, "runtime") && T < 0)
        return coda_failc(e, CODA_E_USAGE, "leverage: --runtime needs --deadline T");
    long qT = -1;
    if (T >= 0) {
        const char *rt = coda_scheme_opt(a, "runtime") ? coda_scheme_opt(a, "runtime")
                                                       : "shifted-exp:0,1";
        double F = 0;
        if (runtime_cdf(rt, T, &F, e) < 0)
            return -1;
        qT = (long)floor(F * (double)m);
        if (qT < 1)
            return coda_failc(e, CODA_E_USAGE, "leverage: no server is expected to answer by "
                                               "--deadline %g: F(T) = %.3g under %s, so q(T) = "
                                               "floor(F(T) N) = 0 of %ld", T, F, rt, m);
        phi = 1.0 - F;
        if (!qgiven)
            q = qT;
    }
    if (phi < 0)
        phi = 1.0 - (double)q / (double)m; /* the fixed-q model's erasure probability */
    if (!coda_scheme_opt(a, "scores") && coda_scheme_opt(a, "normalize"))
        return coda_failc(e, CODA_E_USAGE, "leverage: --normalize is for --scores FILE");

    double *pi = NULL;
    int K = a->K > 0 ? a->K : (int)m;
    int file = strcmp(how, "exact") && strcmp(how, "approx") && strcmp(how, "frobenius");
    if (file) {
        if (scores_from_file(how, a->K, coda_scheme_opt(a, "normalize") != NULL, &pi, &K, e) < 0)
            return -1;
    } else if (!a->data) {
        return coda_failc(e, CODA_E_USAGE, "leverage: --scores %s needs the data (coda-encode); "
                                           "without it give --scores FILE", how);
    } else if ((size_t)K > a->data->rows) {
        return coda_failc(e, CODA_E_USAGE, "leverage: %d blocks for %zu rows", K, a->data->rows);
    } else if (scores_from_data(a->data, how, K, a->seed, &pi, e) < 0)
        return -1;

    long *rt = malloc((size_t)K * sizeof *rt), *r = malloc((size_t)K * sizeof *r),
         *fl = malloc((size_t)K * sizeof *fl), Rhat = 0, loops = 0, need = 0;
    int rc = rt && r && fl ? 0 : coda_fail_oom(e);
    for (int i = 0; i < K && rc == 0; i++) {
        fl[i] = minrep && pi[i] > 0;
        need += fl[i];
    }
    if (rc == 0 && need > m)
        rc = coda_failc(e, CODA_E_USAGE, "leverage: N = %ld servers for %ld blocks with "
                                         "positive scores: with --min-replicas 1 every such "
                                         "block needs a server (use -N >= %ld, fewer blocks, or "
                                         "--min-replicas 0)", m, need, need);
    /* Algorithm 2 runs once per replica it adds or removes: a bound on how far it may go */
    long max_total = 1000000 + 100 * m;
    if (rc == 0 && strcmp(init, "erasure") == 0)
        rc = coda_lev_erasure(pi, K, phi, max_total, rt, &Rhat, e);
    else if (rc == 0 && strcmp(init, "ratio") == 0)
        rc = coda_lev_ratio(pi, K, nu, max_total, rt, &Rhat, e);
    else if (rc == 0 && strcmp(init, "lcm") == 0)
        rc = coda_lev_lcm(pi, K, maxden, max_total, rt, &Rhat, e);
    else if (rc == 0)
        for (int i = 0; i < K; i++)
            rt[i] = 0;
    if (rc == 0 && coda_scheme_opt(a, "prescale") && Rhat > 0 && Rhat < m) {
        long f = (long)floor((double)m / (double)Rhat + 0.5);
        for (int i = 0; i < K; i++)
            rt[i] *= f;
    }
    for (int i = 0; i < K && rc == 0; i++)
        if (rt[i] < fl[i])
            rt[i] = fl[i];
    if (rc == 0)
        rc = strcmp(adjust, "hamilton") == 0 ? coda_lev_hamilton(m, pi, K, fl, r, e)
                                             : coda_lev_alg2(m, pi, rt, K, fl, r, &loops, e);
    coda_lev_metrics mt;
    if (rc == 0) {
        coda_lev_measure(pi, r, K, m, phi, &mt);
        p->K = K;
        int realized = strcmp(scale, "realized") == 0;
        p->threshold = realized ? 1 : (int)q;
        p->load = 1.0 / K;
        p->combine = 1; /* a view of the block, its result weighted (in-process jobs) */
        rc = coda_mat_alloc(&p->G, (size_t)m, (size_t)K, e);
        for (int i = 0, l = 0; i < K && rc == 0; i++) /* block i on servers sum_{j<i} r_j.. */
            for (long c = 0; c < r[i]; c++, l++)
                CODA_AT(&p->G, l, i) = (double)m / ((realized ? 1.0 : (double)q) * (double)r[i]);
    }
    if (rc == 0)
        rc = coda_meta_set_long(&p->extra, "responders", q, e) |
             coda_meta_set(&p->extra, "scale", scale, e) |
             (qT >= 0 ? coda_meta_set_long(&p->extra, "lev.q_deadline", qT, e) : 0) |
             set_figures(p, &mt, phi, Rhat, loops, file ? "file" : how, init, adjust, e);
    free(pi), free(rt), free(r), free(fl);
    return rc;
}

/* server l's block (its one nonzero column), -1 when it holds none or several */
static int server_block(const coda_plan *p, int l)
{
    int j = -1;
    for (int c = 0; c < p->K; c++)
        if (CODA_AT(&p->G, l, c) != 0.0) {
            if (j >= 0)
                return -1;
            j = c;
        }
    return j;
}

static int realized(const coda_plan *p)
{
    const char *s = coda_meta_get(&p->extra, "scale");
    return s && strcmp(s, "realized") == 0;
}

static long responders(const coda_plan *p)
{
    long long q = 0;
    if (coda_meta_get(&p->extra, "responders"))
        coda_meta_get_long(&p->extra, "responders", &q, NULL);
    return (long)q;
}

static int load(const coda_plan *p, coda_err *e)
{
    long q = responders(p);
    const char *s = coda_meta_get(&p->extra, "scale");
    if (q < 1 || q > p->N || !s || (strcmp(s, "q") && strcmp(s, "realized")))
        return coda_fail(e, "leverage plan: responders must be in 1..%d and scale q or realized",
                         p->N);
    for (int l = 0; l < p->N; l++) {
        int j = server_block(p, l);
        if (j < 0 || !(CODA_AT(&p->G, l, j) > 0) || !isfinite(CODA_AT(&p->G, l, j)))
            return coda_fail(e, "leverage plan: server %d must hold one block with a positive "
                                "weight", l);
    }
    return coda_plan_shape_check(p, e);
}

/* The pipeline's tasks (the paper's encoding): server l gets block blk(l) of [X y] times
 * sqrt(weight), so its least-squares gradient is the weighted one. Other sum ops (not
 * homogeneous of degree 2 in the data) get the plain block and the weight as coefficient. */
static int encode(const coda_plan *p, const coda_mat *data, const coda_mat *operand,
                  coda_sink sink, void *ctx, coda_err *e)
{
    if (strcmp(p->op, "grad") != 0)
        return coda_encode_g(p, data, operand, sink, ctx, e);
    if (data->rows != p->length)
        return coda_fail(e, "data has %zu rows but the plan splits %zu", data->rows, p->length);
    for (int l = 0; l < p->N; l++) {
        int j = server_block(p, l);
        if (j < 0)
            return coda_fail(e, "leverage plan: server %d holds no single block", l);
        double c = sqrt(CODA_AT(&p->G, l, j));
        size_t at = p->bounds[j], len = coda_plan_block_len(p, j);
        coda_frame f;
        coda_frame_init(&f, CODA_TASK);
        f.tag[CODA_TAG_WORKER] = l;
        f.tag[CODA_TAG_BLOCK] = j;
        int rc = coda_meta_set(&f.meta, "op", p->op, e) |
                 coda_meta_set_long(&f.meta, "combine", 0, e) |
                 coda_meta_set_double(&f.meta, "coef", 1.0, e) |
                 coda_meta_set_double(&f.meta, "scale", c, e);
        if (rc == 0)
            rc = coda_mat_alloc_raw(&f.mat, len, data->cols, e);
        for (size_t col = 0; col < data->cols && rc == 0; col++)
            for (size_t i = 0; i < len; i++)
                f.mat.data[col * len + i] = c * data->data[col * CODA_LD(data) + at + i];
        if (rc == 0)
            rc = sink(ctx, &f, e);
        coda_frame_free(&f);
        if (rc < 0)
            return -1;
    }
    return 0;
}

/* in process: each server's block in place, its weight the coefficient of its result */
static int encode_resident(const coda_plan *p, const coda_mat *data, coda_sink sink, void *ctx,
                           coda_err *e)
{
    return coda_encode_g(p, data, NULL, sink, ctx, e);
}

static void add_fig(coda_decode_info *info, const char *key, double v)
{
    if (info->nfig < (int)(sizeof info->fig / sizeof info->fig[0])) {
        snprintf(info->fig[info->nfig].key, sizeof info->fig[0].key, "%s", key);
        info->fig[info->nfig++].val = v;
    }
}

/* eq. (30): a = 1_K B_I^+ (minimum-norm least squares of B_I^T a = 1), err(B_I) =
 * ||I_K - B_I^+ B_I||_2, which for the pseudo-inverse is 1 when B_I has rank < K, else 0 */
static int optimal_weights(const coda_plan *p, const int *w, size_t n, double *a, double *err,
                           int *rank_out, coda_err *e)
{
    size_t K = (size_t)p->K, ld = K > n ? K : n;
    double *Bt = malloc(K * n * sizeof *Bt), *rhs = calloc(ld, sizeof *rhs),
           *sv = malloc((K < n ? K : n) * sizeof *sv);
    int rc = Bt && rhs && sv ? 0 : coda_fail_oom(e);
    for (size_t k = 0; k < n && rc == 0; k++)
        for (size_t j = 0; j < K; j++)
            Bt[k * K + j] = CODA_AT(&p->G, w[k], j);
    for (size_t j = 0; j < K && rc == 0; j++)
        rhs[j] = 1.0;
    lapack_int rank = 0;
    if (rc == 0 && LAPACKE_dgelsd(LAPACK_COL_MAJOR, (lapack_int)K, (lapack_int)n, 1, Bt,
                                  (lapack_int)K, rhs, (lapack_int)ld, sv,
                                  256 * DBL_EPSILON * (double)ld, &rank) != 0)
        rc = coda_failc(e, CODA_E_NUMERIC, "leverage: the optimal decoding system failed");
    for (size_t k = 0; k < n && rc == 0; k++)
        a[k] = rhs[k];
    *err = rank < (lapack_int)K ? 1.0 : 0.0;
    *rank_out = (int)rank;
    free(Bt), free(rhs), free(sv);
    return rc;
}

static int decode(const coda_plan *p, const coda_frame *res, size_t n, const coda_meta *opts,
                  coda_mat *out, coda_decode_info *info, coda_err *e)
{
    memset(info, 0, sizeof *info);
    memset(out, 0, sizeof *out);
    const char *dec = opts ? coda_meta_get(opts, "decoder") : NULL;
    if (dec && strcmp(dec, "sum") && strcmp(dec, "optimal"))
        return coda_failc(e, CODA_E_USAGE, "leverage: unknown --decoder '%s' (sum, optimal)", dec);
    int optimal = dec && strcmp(dec, "optimal") == 0;
    const coda_frame **use;
    size_t nu;
    /* collect drops a worker's exact repeats; different workers holding the same block are
     * different responses and both count (the sketch draws that block twice) */
    if (coda_results_collect(p, res, n, &use, &nu, e) < 0)
        return -1;
    long q = responders(p);
    int rc = 0;
    if (nu == 0 || (!realized(p) && (long)nu < q))
        rc = coda_failc(e, CODA_E_FEW, "need any %ld of %d servers, got %zu", realized(p) ? 1 : q,
                        p->N, nu);
    int *w = rc == 0 ? malloc(nu * sizeof *w) : NULL, *blk = rc == 0 ? malloc(nu * sizeof *blk) : NULL;
    char *seen = rc == 0 ? calloc((size_t)p->K, 1) : NULL;
    double *a = rc == 0 ? calloc(nu, sizeof *a) : NULL;
    if (rc == 0 && (!w || !blk || !seen || !a))
        rc = coda_fail_oom(e);
    int distinct = 0;
    for (size_t k = 0; k < nu && rc == 0; k++) {
        w[k] = (int)use[k]->tag[CODA_TAG_WORKER];
        blk[k] = server_block(p, w[k]);
        if (blk[k] < 0)
            rc = coda_fail(e, "leverage plan: server %d holds no single block", w[k]);
        else if (!seen[blk[k]]++)
            distinct++;
    }
    double err = 0;
    int rank = 0;
    if (rc == 0 && optimal)
        rc = optimal_weights(p, w, nu, a, &err, &rank, e);
    else
        for (size_t k = 0; k < nu && rc == 0; k++) /* (q/n) sum: the paper's sum at n = q */
            a[k] = (realized(p) ? 1.0 : (double)q) / (double)nu;
    size_t rows = rc == 0 ? use[0]->mat.rows : 0, cols = rc == 0 ? use[0]->mat.cols : 0;
    if (rc == 0)
        rc = coda_mat_alloc(out, rows, cols, e);
    for (size_t k = 0; k < nu && rc == 0; k++) {
        cblas_daxpy((int)(rows * cols), a[k], use[k]->mat.data, 1, out->data, 1);
        info->max_coef = fmax(info->max_coef, fabs(a[k]));
    }
    if (rc == 0) {
        info->responders = (int)nu;
        info->used = (int)nu;
        info->cond = 1.0;
        /* all m servers give (q/m) sum = g exactly, unless a block with a positive score has
         * no server; the optimal decoder is exact when B_I has full column rank */
        const char *lost = coda_meta_get(&p->extra, "lev.lost");
        int none_lost = !lost || strcmp(lost, "0") == 0;
        info->status = (optimal ? err == 0 : (long)nu == p->N && none_lost) ? CODA_DECODED_EXACT
                                                                             : CODA_DECODED_APPROX;
        snprintf(info->method, sizeof info->method, optimal ? "optimal-coefficients"
                                                            : "sketched-sum");
        add_fig(info, "distinct_blocks", distinct);
        add_fig(info, "duplicates", (double)nu - distinct);
        if (!optimal)
            add_fig(info, "weight", a[0]); /* every response's coefficient */
        else {
            add_fig(info, "err_B_I", err);
            add_fig(info, "rank_B_I", rank);
        }
        /* replicas of a block computed the same thing on the same data */
        for (size_t k = 0; k < nu && info->status != CODA_DECODED_SUSPECT; k++)
            for (size_t t = 0; t < k; t++) {
                if (blk[t] != blk[k])
                    continue;
                const coda_mat *x = &use[t]->mat, *y = &use[k]->mat;
                double diff = 0, n2 = 0;
                for (size_t i = 0; i < rows * cols; i++) {
                    diff += (x->data[i] - y->data[i]) * (x->data[i] - y->data[i]);
                    n2 += x->data[i] * x->data[i];
                }
                double tol = 1e4 * DBL_EPSILON * sqrt(n2) + DBL_MIN;
                if (sqrt(diff) > tol) {
                    info->status = CODA_DECODED_SUSPECT;
                    snprintf(info->warning, sizeof info->warning,
                             "servers %d and %d sent different results for block %d (by %.3g "
                             "times the round-off bound): one of them may be corrupt",
                             w[t], w[k], blk[k], sqrt(diff) / tol);
                    break;
                }
            }
    }
    if (rc < 0)
        coda_mat_free(out);
    free(use), free(w), free(blk), free(seen), free(a);
    return rc;
}

static int report(const coda_plan *p, coda_meta *fig, coda_err *e)
{
    static const char *const keys[][2] = {
        {"responders", "q"},        {"scale", "scale"},           {"lev.scores", "scores"},
        {"lev.initial", "initial"}, {"lev.adjust", "adjust"},     {"lev.phi", "phi"},
        {"lev.q_deadline", "q_T"},  {"lev.R_hat", "R_hat"},       {"lev.loops", "alg2_loops"},
        {"lev.d", "d_Pi_Pibar"},    {"lev.delta", "Delta"},       {"lev.beta_def", "beta_def"},
        {"lev.beta_paper", "beta_paper"}, {"lev.eps", "eps_Pibar"},
        {"lev.zeros", "blocks_without_replica"}};
    for (size_t i = 0; i < sizeof keys / sizeof keys[0]; i++) {
        const char *v = coda_meta_get(&p->extra, keys[i][0]);
        if (v && coda_meta_set(fig, keys[i][1], v, e) < 0)
            return -1;
    }
    /* the counts and Pi-bar = r / m, block by block */
    double *pb = malloc((size_t)p->K * sizeof *pb);
    long long *r = calloc((size_t)p->K, sizeof *r);
    int rc = pb && r ? 0 : coda_fail_oom(e);
    for (int l = 0; l < p->N && rc == 0; l++) {
        int j = server_block(p, l);
        if (j >= 0)
            r[j]++;
    }
    for (int j = 0; j < p->K && rc == 0; j++)
        pb[j] = (double)r[j] / p->N;
    if (rc == 0)
        rc = coda_meta_set_doubles(fig, "Pibar", pb, (size_t)p->K, e);
    char *list = rc == 0 ? malloc((size_t)p->K * 21 + 1) : NULL;
    if (rc == 0 && !list)
        rc = coda_fail_oom(e);
    if (rc == 0) {
        size_t off = 0;
        for (int j = 0; j < p->K; j++)
            off += (size_t)sprintf(list + off, "%s%lld", j ? "," : "", r[j]);
        rc = coda_meta_set(fig, "replicas", list, e);
    }
    const char *lost = coda_meta_get(&p->extra, "lev.lost");
    if (rc == 0 && lost && strcmp(lost, "0") != 0) {
        char msg[200];
        snprintf(msg, sizeof msg, "%s blocks with a positive score have no server: their "
                                  "gradient is never computed and the estimate is biased", lost);
        rc = coda_meta_set(fig, "warning", msg, e);
    }
    free(pb), free(r), free(list);
    return rc;
}

const coda_scheme coda_scheme_leverage = {
    .name = "leverage",
    .summary = "block leverage score gradient code (Charalambides et al.): r_i ~ m Pi_i "
               "replicas, any q servers give an unbiased sketched gradient",
    .caps = CODA_CAP_SUMS | CODA_CAP_APPROX,
    .options = options,
    .build = build,
    .encode = encode,
    .encode_resident = encode_resident,
    .decode = decode,
    .load = load,
    .report = report,
};
