/* coda-solve: least squares min ||A x - b|| (and ridge) by LAPACK QR, sketch-and-solve,
 * sketch-and-precondition LSQR, or iterative sketching. */
#include <getopt.h>
#include <math.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <time.h>

#include "../lib/cli/cli.h"
#include "../lib/cli/options.h"
#include "../lib/cli/sketch_opts.h"
#include "../lib/cli/worker_opts.h"
#include "../lib/codes/scheme.h"
#include "../lib/engine/mpi.h"
#include "../lib/run/gd.h"
#include "../lib/run/byz_run.h"
#include "../lib/run/runs.h"
#include "../lib/solve/lstsq.h"

static const char *prog = "coda-solve";

static int gd_main(int argc, char **argv);
static void gd_options(FILE *to);

/* --method gd (or --method=gd) anywhere on the command line */
static int wants_gd(int argc, char **argv)
{
    for (int i = 1; i < argc; i++) {
        if (strcmp(argv[i], "--") == 0)
            break;
        if ((strcmp(argv[i], "--method") == 0 && i + 1 < argc &&
             (strcmp(argv[i + 1], "gd") == 0 || strcmp(argv[i + 1], "pgd") == 0 ||
              strcmp(argv[i + 1], "sgd") == 0 || strcmp(argv[i + 1], "cd") == 0)) ||
            strcmp(argv[i], "--method=gd") == 0 || strcmp(argv[i], "--method=pgd") == 0 ||
            strcmp(argv[i], "--method=sgd") == 0 || strcmp(argv[i], "--method=cd") == 0)
            return 1;
    }
    return 0;
}

enum { O_METHOD = 256, O_RCOND, O_LS, O_REF, O_FIXED, O_L2 = CODA_CLI_L2_ID,
       O_TOL = CODA_CLI_TOL_ID, O_ITERS = CODA_CLI_ITERS_ID, O_STEP = CODA_CLI_STEP_ID,
       O_TRACE = CODA_CLI_TRACE_ID, O_SEED = CODA_CLI_SEED_ID, O_VERSION = CODA_CLI_VERSION_ID };

static const coda_cli_option ls_options[] = {
    {"method", O_METHOD, "M",
     "qr (LAPACK dgels), sketch-solve, precond (default: sketch, QR of S A, LSQR on A R^-1) "
     "or iterative-sketch; gd, pgd, sgd and cd are coded gradient descent (below)"},
    CODA_CLI_SKETCH_ROWS_HELP("sketch size (default: precond 8 d, sketch-solve 4 d, "
                              "iterative-sketch 2 d)"),
    CODA_CLI_SKETCH_OPTIONS,
    CODA_CLI_L2_HELP("ridge parameter (default 0)"),
    {"rcond", O_RCOND, "R",
     "minimum-norm solution, singular values <= R sigma_max taken as zero (numpy lstsq's "
     "rcond), instead of refusing a rank-deficient A"},
    CODA_CLI_TOL_HELP("precond: stop when ||A(x - x*)|| <~ E ||A x|| (default 1e-13)"),
    CODA_CLI_ITERS_HELP("precond: cap (default 1000); iterative-sketch: count (100)"),
    CODA_CLI_STEP_HELP("iterative-sketch: a fixed step X (default 1 / (2 ||S_0 A||_F^2)), or "
                       "rel:C[,F]: C 2 / sigma_max(A)^2 with the gradient F (S A)^T (S A x - "
                       "S b), F = 2 (default) or 1"),
    {"line-search", O_LS, NULL, "iterative-sketch: exact line search on the full problem"},
    {"fixed-sketch", O_FIXED, NULL,
     "iterative-sketch: one sketch for every iteration (the non-iterative variant: tends to "
     "sketch-solve's answer)"},
    {"reference", O_REF, "FILE", "x* (of B's first column) for the trace's error column"},
    CODA_CLI_TRACE_HELP("CSV per iteration: iter,residual,error,seconds ('-': stdout)"),
    CODA_CLI_SEED_HELP("seed of the sketches (default 1)"),
    CODA_CLI_OUTPUT_HELP("write x to FILE (format from its extension unless -f)"),
    CODA_CLI_FORMAT,
    CODA_CLI_QUIET_HELP("no summary on stderr"),
    CODA_CLI_HELP,
    CODA_CLI_VERSION,
    CODA_CLI_END};

static void usage(FILE *to)
{
    fprintf(to,
            "Usage: coda-solve [OPTIONS] A [B]\n"
            "Solve min ||A x - b||_2 (+ l2 ||x||^2) for each column b of B (x: the columns\n"
            "of the output); without B, A's last column is b. A rank-deficient A is\n"
            "refused.\n\n");
    coda_cli_print_options(to, ls_options);
    fprintf(to, "\nWith --method gd, pgd, sgd or cd (coded gradient descent) the options are\n"
                "those of coda-solve --method gd --help:\n");
    gd_options(to);
}

typedef struct {
    coda_outfile out; /* written under a temporary name, committed with x */
    struct timespec t0;
} tracer;

static void trace_row(void *ctx, long iter, double resid, double err)
{
    tracer *t = ctx;
    struct timespec now;
    clock_gettime(CLOCK_MONOTONIC, &now);
    double s = (double)(now.tv_sec - t->t0.tv_sec) + 1e-9 * (double)(now.tv_nsec - t->t0.tv_nsec);
    fprintf(t->out.f, "%ld,%.6e,%.6e,%.6f\n", iter, resid, err, s);
}

int main(int argc, char **argv)
{
    if (wants_gd(argc, argv))
        return gd_main(argc, argv);
    coda_ls_opts o = {.method = CODA_LS_PRECOND,
                      .sketch = {.kind = CODA_SK_COUNT, .seed = 1}};
    const char *out = NULL, *fmt = NULL, *ref_path = NULL, *trace_path = NULL;
    int quiet = 0, c;
    coda_err e;
    coda_cli_getopt g;
    if (coda_cli_getopt_build(&g, ls_options, &e) < 0) {
        coda_say(prog, "%s", e.msg);
        return CODA_EXIT_DATA;
    }
    while ((c = getopt_long(argc, argv, g.shortopts, g.longopts, NULL)) != -1) {
        int bad = coda_sketch_option(c, optarg, &o.sketch, &e);
        if (bad > 0)
            continue;
        switch (bad < 0 ? 0 : c) {
        case 0: break; /* a bad sketch option: reported below */
        case O_METHOD:
            if (coda_ls_method_parse(optarg, &o.method) < 0)
                bad = coda_fail(&e, "option --method: unknown method '%s' (qr, sketch-solve, "
                                    "precond, iterative-sketch)", optarg);
            break;
        case O_L2:
            bad = coda_parse_double_range("--l2", optarg, 0, 0, INFINITY, &o.l2, &e);
            break;
        case O_RCOND:
            bad = coda_parse_double_range("--rcond", optarg, 0, 1, 1, &o.rcond, &e);
            break;
        case O_TOL:
            bad = coda_parse_double_range("--tol", optarg, 0, 1, INFINITY, &o.tol, &e);
            break;
        case O_ITERS: bad = coda_parse_long("--iters", optarg, 1, 1000000000, &o.iters, &e); break;
        case O_STEP: bad = coda_ls_step_parse(optarg, &o, &e); break;
        case O_LS: o.line_search = 1; break;
        case O_FIXED: o.fixed_sketch = 1; break;
        case O_REF: ref_path = optarg; break;
        case O_TRACE: trace_path = optarg; break;
        case O_SEED: bad = coda_parse_u64("--seed", optarg, &o.sketch.seed, &e); break;
        case 'o': out = optarg; break;
        case 'f': fmt = optarg; break;
        case 'q': quiet = 1; break;
        case 'h': usage(stdout); return CODA_EXIT_OK;
        case O_VERSION: coda_print_version(prog); return CODA_EXIT_OK;
        default: usage(stderr); return CODA_EXIT_USAGE;
        }
        if (bad) {
            coda_say(prog, "%s", e.msg);
            return CODA_EXIT_USAGE;
        }
    }
    if (coda_sketch_options_check(&o.sketch, &e) < 0 || coda_check_output(out, fmt, &e) < 0) {
        coda_say(prog, "%s", e.msg);
        return CODA_EXIT_USAGE;
    }
    int nin = argc - optind;
    if (nin < 1)
        return coda_missing_operand(prog, "A (and b)");
    if (nin > 2) {
        coda_say(prog, "unexpected argument '%s'", argv[optind + 2]);
        return CODA_EXIT_USAGE;
    }
    coda_mat A = {0}, b = {0}, x = {0}, ref = {0};
    coda_ls_info info;
    tracer tr = {0};
    int status = -1; /* a library error, in e */
    const char *apath = argv[optind];
    size_t k = 1; /* right-hand sides */
    if (coda_read_matrix(apath, &A, NULL, &e) < 0)
        goto out;
    if (nin == 2) {
        coda_mat b_in;
        if (coda_read_matrix(argv[optind + 1], &b_in, NULL, &e) < 0)
            goto out;
        if (b_in.rows != A.rows || b_in.cols < 1) {
            coda_fail(&e, "%s: b is %zu x %zu but A has %zu rows: need %zu rows (a column per "
                      "right-hand side)", argv[optind + 1], b_in.rows, b_in.cols, A.rows, A.rows);
            coda_mat_free(&b_in);
            goto out;
        }
        k = b_in.cols;
        int rc = coda_mat_append_cols(&A, &b_in, &e);
        coda_mat_free(&b_in);
        if (rc < 0)
            goto out;
    } else if (A.cols < 2) {
        coda_fail(&e, "%s: one column: give b, or A with b as its last column", apath);
        goto out;
    }
    /* A and B side by side in one block, which coda_lstsq uses without a copy: B is a view of
     * the last k columns (column-major keeps the first cols - k columns in place) */
    A.cols -= k;
    b = (coda_mat){.rows = A.rows, .cols = k, .data = A.data + A.rows * A.cols};
    if (ref_path && coda_read_matrix(ref_path, &ref, NULL, &e) < 0)
        goto out;
    if (ref_path && (ref.rows != A.cols || (ref.cols != 1 && ref.cols != k))) {
        coda_fail(&e, "%s: the reference is %zu x %zu, need %zu x 1 (or x %zu)", ref_path,
                  ref.rows, ref.cols, A.cols, k);
        goto out;
    }
    o.reference = ref_path ? &ref : NULL;
    if (trace_path) {
        if (coda_open_side_output(&tr.out, "--trace", trace_path, out, &e) < 0)
            goto out;
        fprintf(tr.out.f, "iter,residual,error,seconds\n");
        clock_gettime(CLOCK_MONOTONIC, &tr.t0);
        o.trace = trace_row;
        o.trace_ctx = &tr;
    }
    struct timespec t0, t1;
    clock_gettime(CLOCK_MONOTONIC, &t0);
    int solved = coda_lstsq(&A, &b, &o, &x, &info, &e);
    clock_gettime(CLOCK_MONOTONIC, &t1);
    double secs = (double)(t1.tv_sec - t0.tv_sec) + 1e-9 * (double)(t1.tv_nsec - t0.tv_nsec);
    if (solved < 0) {
        coda_fail_prefix(&e, "%s: ", apath);
        goto out;
    }
    coda_frame f;
    coda_frame_init(&f, CODA_MATRIX);
    f.mat = x;
    int rc = coda_meta_set(&f.meta, "program", prog, &e) |
             coda_meta_set(&f.meta, "method", coda_ls_method_name(o.method), &e) |
             coda_meta_set_double(&f.meta, "residual", info.resid, &e);
    rc = rc == 0 ? coda_write_output_side(out, fmt, &f, &tr.out, &e) : coda_exit_for(&e);
    coda_meta_free(&f.meta);
    if (rc != 0) {
        status = rc;
        goto out;
    }
    char rhs[48] = "";
    if (k > 1)
        snprintf(rhs, sizeof rhs, ", %zu right-hand sides", k);
    if (!quiet)
        coda_say(prog, "%s: %zu x %zu%s%s%s, %ld iterations, relative residual %.3e, %.3f s",
                 coda_ls_method_name(o.method), A.rows, A.cols, rhs, info.factor ? ", R by " : "",
                 info.factor ? info.factor : "", info.iters, info.resid, secs);
    if (!quiet && o.rcond > 0 && info.rank > 0)
        coda_say(prog, "numerical rank %zu of %zu (rcond %g)", info.rank, A.cols, o.rcond);
    status = CODA_EXIT_OK;
out:
    if (status != CODA_EXIT_OK)
        coda_say(prog, "%s", e.msg);
    if (status < 0)
        status = coda_exit_for(&e);
    coda_outfile_abort(&tr.out); /* committed with x, or given up */
    coda_mat_free(&A);
    coda_mat_free(&x);
    coda_mat_free(&ref);
    return status;
}

/* --method gd: coded gradient descent (lib/run/gd) on an engine (sim or mpi). Its options are
 * its own (a different problem from the least-squares methods above), so it has its own
 * option table; main hands over when --method gd is given. */
enum {
    G_METHOD = 256, G_CODE_S, G_X0, G_SHORT, G_REF, G_PLAIN, G_DELAY, G_DELAY_SCALE, G_FAIL,
    G_SCHEME_OPT, G_OPTIMIZER, G_ADAM, G_TWO_TRACK, G_CODE_T, G_L1, G_BATCH, G_RUNS,
    G_RUN_INDEX, G_TAU, G_FRACTION, G_CD_ORDER, G_RESYNC,
    G_SCHEME = CODA_CLI_SCHEME_ID, G_LOSS = CODA_CLI_LOSS_ID, G_L2 = CODA_CLI_L2_ID,
    G_STEP = CODA_CLI_STEP_ID, G_ITERS = CODA_CLI_ITERS_ID, G_TOL = CODA_CLI_TOL_ID,
    G_ENGINE = CODA_CLI_ENGINE_ID, G_TRACE = CODA_CLI_TRACE_ID, G_SEED = CODA_CLI_SEED_ID,
    G_VERSION = CODA_CLI_VERSION_ID
};

static const coda_cli_option gd_table[] = {
    {"method", G_METHOD, "M", "gd, pgd, sgd or cd (the last three's own options are at the end)"},
    CODA_CLI_SCHEME_HELP("a code whose results sum: uncoded (default), rep, frc, cyclic, "
                         "leverage, hetero (built for --straggle-probs)"),
    CODA_CLI_WORKERS_HELP("workers (default 1)"),
    CODA_CLI_BLOCKS_HELP("data blocks (default: the scheme's)"),
    {"code-stragglers", G_CODE_S, "S", "stragglers the code tolerates (default: -s, else 0)"},
    {"scheme-opt", G_SCHEME_OPT, "NAME=VALUE",
     "one of the scheme's own options (repeatable; e.g. construction=star for hetero)"},
    {"optimizer", G_OPTIMIZER, "O",
     "gd (default) or adam (its learning rate: --step, default const:0.001)"},
    {"adam", G_ADAM, "B1,B2,EPS", "Adam's constants (default 0.9,0.999,1e-8)"},
    {"two-track", G_TWO_TRACK, "L",
     "adam: the second moment from the two-track decoder, v = w L S/(1 + L S) (codes built "
     "for --straggle-probs)"},
    CODA_CLI_LOSS_HELP("ls (default: (1/n) ||X b - y||^2) or logistic (labels 0/1 or -1/+1)"),
    CODA_CLI_L2_HELP("ridge term L ||b||^2 (default 0)"),
    CODA_CLI_STEP_HELP("const:G, inv-t:L[,T0], decay:G0,C, inv-sqrt-t[:G], line, rel:C[,F] (C "
                       "2/sigma_max^2 with gradient F X^T r) (default: line for ls; "
                       "const:4n/||X||_F^2 for logistic)"),
    CODA_CLI_ITERS_HELP("iteration cap (default 100)"),
    CODA_CLI_TOL_HELP("stop when ||grad|| <= E (default: run all iterations)"),
    {"x0", G_X0, "FILE", "starting point (default 0)"},
    {"on-short", G_SHORT, "A",
     "a round that cannot decode: wait (default: the next round's draw), skip (no update) or "
     "fail"},
    CODA_CLI_WORKER_OPTIONS,
    CODA_CLI_UNTIL_DECODABLE_HELP("each round waits for arrivals until the code decodes"),
    CODA_CLI_ENGINE_HELP("the worker back end: sim (simulated, the default) or mpi (under "
                         "mpirun -n N+1: rank 0 the master, 1..N workers)"),
    {"delay", G_DELAY, "MODEL",
     "mpi: each worker sleeps its drawn latency (a --latency model) times --delay-scale X "
     "seconds (default 1)"},
    {"delay-scale", G_DELAY_SCALE, "X", "mpi: seconds per unit of drawn latency (default 1)"},
    {"fail-workers", G_FAIL, "LIST", "mpi: these workers never answer"},
    CODA_CLI_TRACE_HELP("CSV per iteration (parameters echoed in '#' lines)"),
    {"reference", G_REF, "FILE", "beta* for the trace's error column"},
    {"compare-plain", G_PLAIN, NULL,
     "also run uncoded GD with the same steps and report the largest relative deviation of "
     "the iterates"},
    CODA_CLI_SEED_HELP("seed of the code and of every draw (default 1)"),
    {"runs", G_RUNS, "R",
     "gd: R independent runs, each with its own seed (the code's --psi-range/--p-range "
     "redrawn, the stragglers); beta is the mean of the runs' final betas, the trace the "
     "per-iteration mean and sd over the runs"},
    {"run-index", G_RUN_INDEX, "I", "run I (0-based) of --runs alone (I = 0: --seed itself)"},
    CODA_CLI_OUTPUT_HELP("write beta to FILE (format from its extension unless -f)"),
    CODA_CLI_FORMAT,
    CODA_CLI_QUIET,
    CODA_CLI_HELP,
    CODA_CLI_VERSION,
    CODA_CLI_HEADING("--method pgd: two-round proximal GD (X w, then X^T f'(X w)) over two matvec\n"
                     "jobs, --scheme byz by default (coda-byz(7)):"),
    {"code-adversaries", G_CODE_T, "T",
     "byz: corrupt workers the code locates (default: -t plus the stragglers)"},
    {"l1", G_L1, "L", "pgd: lasso term L ||b||_1, by its prox"},
    CODA_CLI_HEADING("--method sgd: one-round SGD, the workers hold X^T coded (byz by default)\n"
                     "and return the drawn points' columns:"),
    {"batch", G_BATCH, "B", "sgd: points per iteration (default 1)"},
    CODA_CLI_HEADING("--method cd: two-round coordinate descent, X coded by rows and by columns\n"
                     "(byz by default); each iteration updates the coordinates f(U) of tau\n"
                     "encoded coordinates U:"),
    {"tau", G_TAU, "T", "cd: encoded coordinates per iteration (default: all, GD)"},
    {"fraction", G_FRACTION, "G", "cd: tau = ceil(G p2) of the p2 = ceil(d/q)"},
    {"cd-order", G_CD_ORDER, "O", "cd: roundrobin (default) or random blocks"},
    {"resync", G_RESYNC, "K", "cd: broadcast the dense w every K iterations (default 0)"},
    CODA_CLI_END};

static void gd_options(FILE *to)
{
    coda_cli_print_options(to, gd_table);
}

static void gd_usage(FILE *to)
{
    fprintf(to, "Usage: coda-solve --method gd|pgd|sgd|cd [OPTIONS] X [y]\n"
                "Coded gradient descent: each iteration broadcasts beta to N simulated workers\n"
                "and decodes the gradient from whoever answers. Without y, X's last column is y.\n\n");
    gd_options(to);
    fprintf(to, "\nSee coda-solve(1).\n");
}

static double gd_seconds(const struct timespec *t0)
{
    struct timespec now;
    clock_gettime(CLOCK_MONOTONIC, &now);
    return (double)(now.tv_sec - t0->tv_sec) + 1e-9 * (double)(now.tv_nsec - t0->tv_nsec);
}

/* Plain uncoded GD with the coded run's step sizes: the reference of --compare-plain. */
static double gd_relative_gap(const coda_mat *a, const coda_mat *b)
{
    double d = 0, n = 0;
    for (size_t i = 0; i < a->rows; i++) {
        d += (a->data[i] - b->data[i]) * (a->data[i] - b->data[i]);
        n += b->data[i] * b->data[i];
    }
    return n > 0 ? sqrt(d / n) : sqrt(d);
}

/* --scheme-opt NAME=VALUE pairs into the scheme's option table (usage class when it has none) */
static int scheme_opts_meta(const char *scheme, const char *const *args, int n, coda_meta *m,
                            coda_err *e)
{
    for (int k = 0; k < n; k++) {
        char name[64];
        const char *eq = strchr(args[k], '=');
        snprintf(name, sizeof name, "%.*s", (int)(eq - args[k]) < 63 ? (int)(eq - args[k]) : 63,
                 args[k]);
        if (!coda_scheme_find(scheme) || !coda_scheme_takes(coda_scheme_find(scheme), name))
            return coda_failc(e, CODA_E_USAGE, "--scheme-opt %s: scheme %s has no option --%s",
                              args[k], scheme, name);
        if (coda_meta_set(m, name, eq + 1, e) < 0)
            return -1;
    }
    return 0;
}

/* --method pgd or sgd (lib/run/byz_run): the coded run, with --compare-plain the uncoded one
 * alongside; writes w. Returns the exit status, or -1 with e set. */
static int byz_main(const coda_byz_setup *bs, const coda_pgd_opts *po, const coda_sgd_opts *so,
                    const coda_cd_opts *co, const coda_mat *X, const coda_mat *y,
                    const coda_mat *x0, const char *out, const char *fmt, int quiet, coda_err *e)
{
    coda_byz_run r;
    const char *method = co ? "cd" : so ? "sgd" : "pgd";
    if (coda_byz_run_init(&r, bs, X, y, po, so, co, x0, e) < 0)
        return -1;
    int rc, status = -1;
    while ((rc = coda_byz_run_iterate(&r, e)) > 0)
        ;
    long iters, excluded;
    double loss, gnorm;
    coda_byz_run_figures(&r, &iters, &loss, &gnorm, &excluded);
    coda_frame f;
    coda_frame_init(&f, CODA_MATRIX);
    f.mat = *coda_byz_run_w(&r);
    if (rc == 0)
        rc = coda_meta_set(&f.meta, "program", prog, e) | coda_meta_set(&f.meta, "method", method, e) |
             coda_meta_set(&f.meta, "scheme", bs->scheme, e) |
             coda_meta_set_long(&f.meta, "iters", iters, e) |
             coda_meta_set_double(&f.meta, "loss", loss, e) |
             coda_meta_set_long(&f.meta, "excluded", excluded, e);
    if (rc == 0 && bs->plain)
        rc = coda_meta_set_double(&f.meta, "plain_deviation", r.gap, e);
    double wk, ms;
    coda_byz_run_times(&r, &wk, &ms);
    if (rc == 0 && co)
        rc = coda_meta_set_long(&f.meta, "tau", co->tau, e) |
             coda_meta_set_double(&f.meta, "worker_s", wk, e) |
             coda_meta_set_double(&f.meta, "master_s", ms, e);
    if (rc == 0)
        rc = coda_write_output(out, fmt, &f, e);
    coda_meta_free(&f.meta);
    if (rc > 0)
        status = rc;
    else if (rc == 0) {
        status = CODA_EXIT_OK;
        if (!quiet) {
            int on_mpi = bs->engine->type == &coda_engine_mpi;
            coda_say(prog, "%s: %s on %d %sworkers (t=%d), %ld iterations, objective %.6g, "
                           "||grad|| %.3g, %ld workers excluded",
                     method, bs->scheme, bs->N, on_mpi ? "MPI " : "", bs->t, iters, loss, gnorm,
                     excluded);
            if (on_mpi)
                coda_say(prog, "%s: %ld late results dropped", method,
                         coda_mpi_engine_stale(bs->engine));
            if (co)
                coda_say(prog, "cd: tau %ld of %zu encoded coordinates (q=%d), per iteration "
                               ": slowest worker %.3g s (its median), master %.3g s (median)",
                         co->tau, r.cdi.p2, r.cdi.o.q, wk, ms);
            if (bs->plain)
                coda_say(prog, "%s: largest relative deviation from uncoded %s %.3e", method,
                         co ? "CD" : so ? "SGD" : "PGD", r.gap);
        }
    }
    coda_byz_run_free(&r);
    return status;
}

/* --runs R: the runs (lib/run/runs), the trace of their means and standard deviations, the
 * mean beta. Returns the exit status, or -1 with e set. */
static int gd_runs_main(const coda_gd_runs_setup *rs, int R, const char *trace_path,
                        const char *step, const char *out, const char *fmt, int quiet,
                        coda_err *e)
{
    coda_gd_runs r;
    coda_outfile tf = {0};
    int status = -1;
    if (trace_path && coda_open_side_output(&tf, "--trace", trace_path, out, e) < 0)
        return -1;
    if (coda_gd_runs_do(&r, rs, R, e) < 0) {
        coda_outfile_abort(&tf);
        return -1;
    }
    const coda_gd_opts *go = &rs->go;
    const coda_straggle_model *sm = &rs->sim.straggle;
    if (tf.f) {
        char atk[64];
        coda_attack_name(&rs->sim.adversary, atk, sizeof atk);
        fprintf(tf.f, "# program=%s method=gd scheme=%s N=%d K=%d s=%d loss=%s l2=%.17g "
                      "step=%s iters=%ld tol=%.17g seed=%llu\n",
                prog, rs->scheme, rs->args.N, r.K, r.s,
                go->loss == CODA_LOSS_LS ? "ls" : "logistic", go->l2, step ? step : "default", go->iters, go->tol, rs->args.seed);
        fprintf(tf.f, "# stragglers=%ld straggle_prob=%.17g responders=%ld adversaries=%ld "
                      "attack=%s wait_for=%ld deadline=%.17g until_decodable=%d\n",
                sm->stragglers, sm->p, sm->responders, rs->sim.adversary.t,
                rs->sim.adversary.nnamed || rs->sim.adversary.t > 0 ? atk : "none",
                rs->policy.wait_for, rs->policy.deadline, rs->until_decodable);
        if (go->adam)
            fprintf(tf.f, "# optimizer=adam adam=%.17g,%.17g,%.17g two_track=%.17g shrink=%.17g "
                          "(run 0)\n", go->adam_b1, go->adam_b2, go->adam_eps, go->two_track,
                    r.shrink);
        fprintf(tf.f, "# runs=%d: each row the mean over the runs that wrote it (column runs), "
                      "*_sd their sample standard deviation, error_sq the mean of error^2; "
                      "run r alone: --run-index r\n# run_seeds=", R);
        for (int k = 0; k < R; k++) /* what coda-assign --seed takes to show run k's code */
            fprintf(tf.f, "%s%llu", k ? "," : "",
                    coda_run_seed(rs->args.seed, (unsigned long long)k));
        fputc('\n', tf.f);
        fprintf(tf.f, "iter,loss,grad_norm,error,responders,round_time,sim_time,loss_sd,"
                      "grad_norm_sd,error_sd,responders_sd,error_sq,runs\n");
        for (long i = 0; i < r.rows; i++) {
            double m[CODA_RUNS_NSTATS], sd[CODA_RUNS_NSTATS];
            long n = coda_gd_runs_row(&r, i, m, sd);
            fprintf(tf.f,
                    "%ld,%.17g,%.17g,%.17g,%.17g,%.17g,%.17g,%.17g,%.17g,%.17g,%.17g,%.17g,%ld\n",
                    i + 1, m[CODA_RUNS_LOSS], m[CODA_RUNS_GNORM], m[CODA_RUNS_ERROR],
                    m[CODA_RUNS_RESPONDERS], m[CODA_RUNS_ROUND_TIME], m[CODA_RUNS_SIM_TIME],
                    sd[CODA_RUNS_LOSS], sd[CODA_RUNS_GNORM], sd[CODA_RUNS_ERROR],
                    sd[CODA_RUNS_RESPONDERS], m[CODA_RUNS_ERROR_SQ], n);
        }
    }
    coda_frame f;
    coda_frame_init(&f, CODA_MATRIX);
    f.mat = r.beta;
    int rc = coda_meta_set(&f.meta, "program", prog, e) |
             coda_meta_set(&f.meta, "method", "gd", e) |
             coda_meta_set(&f.meta, "scheme", rs->scheme, e) |
             coda_meta_set_long(&f.meta, "iters", r.iters, e) |
             coda_meta_set_double(&f.meta, "loss", r.loss, e);
    if (rc == 0 && R > 1) /* (one run writes what the plain run writes, byte for byte) */
        rc = coda_meta_set_long(&f.meta, "runs", R, e);
    if (rc == 0)
        rc = coda_write_output(out, fmt, &f, e);
    coda_meta_free(&f.meta);
    if (rc > 0)
        status = rc;
    else if (rc == 0 && (!tf.f || coda_outfile_commit(&tf, e) == 0)) {
        status = CODA_EXIT_OK;
        if (!quiet)
            coda_say(prog, "gd: %s on %d workers, %d runs of up to %ld iterations, loss at the "
                           "mean beta %.6g, mean final ||grad|| %.3g, %ld rounds could not "
                           "decode, mean simulated time %.6g",
                     rs->scheme, rs->args.N, R, r.iters, r.loss, r.gnorm, r.skipped, r.sim_time);
    }
    coda_outfile_abort(&tf);
    coda_gd_runs_free(&r);
    return status;
}

static int gd_main(int argc, char **argv)
{
    coda_worker_opts w;
    coda_mpi_config mcfg = {.delay_scale = 1};
    long *fail = NULL;
    int use_mpi = 0, latency_given = 0, rank = 0;
    const char *sopt_args[32]; /* --scheme-opt NAME=VALUE, in order */
    int nsopt = 0;
    coda_gd_opts go = {.loss = CODA_LOSS_LS, .iters = 100, .adam_b1 = 0.9, .adam_b2 = 0.999,
                       .adam_eps = 1e-8};
    const char *scheme = coda_scheme_default()->name, *out = NULL, *fmt = NULL, *x0_path = NULL,
               *trace_path = NULL, *ref_path = NULL, *step = NULL;
    long N = 1, K = 0, code_s = -1, code_t = -1, batch = 0, runs = 0, run_index = 0;
    unsigned long long seed = 1;
    int quiet = 0, plain = 0, pgd = 0, sgd = 0, cd = 0, cd_random = 0, scheme_given = 0, c;
    long tau = 0, resync = 0;
    double l1 = 0, fraction = 0;
    coda_err e;
    coda_cli_getopt gt;
    if (coda_cli_getopt_build(&gt, gd_table, &e) < 0) {
        coda_say(prog, "%s", e.msg);
        return CODA_EXIT_DATA;
    }
    coda_worker_options_init(&w, seed);
    optind = 1;
    while ((c = getopt_long(argc, argv, gt.shortopts, gt.longopts, NULL)) != -1) {
        latency_given |= c == CODA_OPT_LATENCY;
        int bad = coda_worker_option(c, optarg, &w, &e);
        if (bad > 0)
            continue;
        switch (bad < 0 ? 0 : c) {
        case 0: break;
        case G_METHOD: /* gd, pgd or sgd: how we got here */
            pgd = strcmp(optarg, "pgd") == 0;
            sgd = strcmp(optarg, "sgd") == 0;
            cd = strcmp(optarg, "cd") == 0;
            break;
        case G_TAU: bad = coda_parse_long("--tau", optarg, 1, 1000000000, &tau, &e); break;
        case G_FRACTION:
            bad = coda_parse_double_range("--fraction", optarg, 0, 1, 1, &fraction, &e);
            break;
        case G_RESYNC: bad = coda_parse_long("--resync", optarg, 0, 1000000000, &resync, &e); break;
        case G_CD_ORDER:
            if (strcmp(optarg, "roundrobin") == 0 || strcmp(optarg, "random") == 0)
                cd_random = optarg[1] == 'a';
            else
                bad = coda_fail(&e, "option --cd-order: '%s' is not roundrobin or random", optarg);
            break;
        case G_BATCH: bad = coda_parse_long("--batch", optarg, 1, 1000000, &batch, &e); break;
        case G_RUNS: bad = coda_parse_long("--runs", optarg, 1, 100000, &runs, &e); break;
        case G_RUN_INDEX:
            bad = coda_parse_long("--run-index", optarg, 0, 1000000, &run_index, &e);
            break;
        case G_SCHEME: scheme = optarg, scheme_given = 1; break;
        case G_CODE_T:
            bad = coda_parse_long("--code-adversaries", optarg, 0, 100000, &code_t, &e);
            break;
        case G_L1: bad = coda_parse_double_range("--l1", optarg, 0, 0, INFINITY, &l1, &e); break;
        case G_OPTIMIZER:
            if (strcmp(optarg, "gd") == 0 || strcmp(optarg, "adam") == 0)
                go.adam = strcmp(optarg, "adam") == 0;
            else
                bad = coda_fail(&e, "option --optimizer: '%s' is not gd or adam", optarg);
            break;
        case G_ADAM: {
            char *end;
            go.adam_b1 = strtod(optarg, &end);
            if (*end == ',')
                go.adam_b2 = strtod(end + 1, &end);
            if (*end == ',')
                go.adam_eps = strtod(end + 1, &end);
            if (*end || !(go.adam_b1 >= 0 && go.adam_b1 < 1) || !(go.adam_b2 >= 0 && go.adam_b2 < 1) ||
                !(go.adam_eps >= 0) || !isfinite(go.adam_eps))
                bad = coda_fail(&e, "option --adam: '%s' is not B1,B2,EPS with B1, B2 in [0, 1) "
                                "and EPS >= 0", optarg);
            break;
        }
        case G_TWO_TRACK:
            bad = coda_parse_double_range("--two-track", optarg, 0, 1, INFINITY, &go.two_track, &e);
            break;
        case G_SCHEME_OPT: /* NAME=VALUE for the scheme's own table, checked when it builds */
            if (nsopt == (int)(sizeof sopt_args / sizeof sopt_args[0]) || !strchr(optarg, '=') ||
                optarg[0] == '=') {
                coda_fail(&e, "option --scheme-opt: '%s' is not NAME=VALUE (at most %d)", optarg,
                          (int)(sizeof sopt_args / sizeof sopt_args[0]));
                bad = 1;
            } else
                sopt_args[nsopt++] = optarg;
            break;
        case 'N': bad = coda_parse_long("--workers", optarg, 1, 100000, &N, &e); break;
        case 'K': bad = coda_parse_long("--blocks", optarg, 1, 1000000, &K, &e); break;
        case G_CODE_S:
            bad = coda_parse_long("--code-stragglers", optarg, 0, 100000, &code_s, &e);
            break;
        case G_LOSS:
            if (strcmp(optarg, "ls") == 0)
                go.loss = CODA_LOSS_LS;
            else if (strcmp(optarg, "logistic") == 0)
                go.loss = CODA_LOSS_LOGISTIC;
            else
                bad = coda_fail(&e, "option --loss: unknown loss '%s' (ls, logistic)", optarg);
            break;
        case G_L2: bad = coda_parse_double_range("--l2", optarg, 0, 0, INFINITY, &go.l2, &e); break;
        case G_STEP: step = optarg; break;
        case G_ITERS: bad = coda_parse_long("--iters", optarg, 1, 1000000000, &go.iters, &e); break;
        case G_TOL: bad = coda_parse_double_range("--tol", optarg, 0, 1, INFINITY, &go.tol, &e); break;
        case G_X0: x0_path = optarg; break;
        case G_SHORT:
            if (strcmp(optarg, "wait") == 0)
                go.on_short = CODA_SHORT_WAIT;
            else if (strcmp(optarg, "skip") == 0)
                go.on_short = CODA_SHORT_SKIP;
            else if (strcmp(optarg, "fail") == 0)
                go.on_short = CODA_SHORT_FAIL;
            else
                bad = coda_fail(&e, "option --on-short: '%s' is not wait, skip or fail", optarg);
            break;
        case G_ENGINE:
            if (strcmp(optarg, "mpi") == 0)
                use_mpi = 1;
            else if (strcmp(optarg, "sim") == 0)
                use_mpi = 0;
            else
                bad = coda_fail(&e, "option --engine: unknown engine '%s' (sim, mpi)", optarg);
            break;
        case G_DELAY:
            mcfg.delay_on = 1;
            bad = coda_worker_option(CODA_OPT_LATENCY, optarg, &w, &e) < 0 ? -1 : 0;
            break;
        case G_DELAY_SCALE:
            bad = coda_parse_double_range("--delay-scale", optarg, 0, 0, 1e6, &mcfg.delay_scale,
                                          &e);
            break;
        case G_FAIL:
            free(fail);
            fail = NULL;
            bad = coda_parse_list("--fail-workers", optarg, &fail, &mcfg.nfail, &e);
            mcfg.fail = fail;
            break;
        case G_TRACE: trace_path = optarg; break;
        case G_REF: ref_path = optarg; break;
        case G_PLAIN: plain = 1; break;
        case G_SEED: bad = coda_parse_u64("--seed", optarg, &seed, &e); break;
        case 'o': out = optarg; break;
        case 'f': fmt = optarg; break;
        case 'q': quiet = 1; break;
        case 'h': gd_usage(stdout); coda_worker_options_free(&w); free(fail); return CODA_EXIT_OK;
        case G_VERSION: coda_print_version(prog); coda_worker_options_free(&w); free(fail); return CODA_EXIT_OK;
        default: gd_usage(stderr); coda_worker_options_free(&w); free(fail); return CODA_EXIT_USAGE;
        }
        if (bad) {
            coda_say(prog, "%s", e.msg);
            coda_worker_options_free(&w);
            free(fail);
            return CODA_EXIT_USAGE;
        }
    }
    if (run_index > 0) /* run I of --runs alone: its seed (lib/run/runs.h) */
        seed = coda_run_seed(seed, (unsigned long long)run_index);
    w.sim.straggle.seed = w.sim.adversary.seed = seed;
    const char *misplaced = use_mpi && latency_given     ? "--latency: on MPI latencies are "
                                                           "measured; --delay MODEL makes "
                                                           "workers sleep a drawn one"
                            : use_mpi && w.sim.straggle.scale_by_load
                                ? "--latency-scale-by-load is for --engine sim"
                            : !use_mpi && (mcfg.delay_on || mcfg.nfail)
                                ? "--delay and --fail-workers are for --engine mpi"
                            : runs && (use_mpi || plain || pgd || sgd || cd || run_index)
                                ? "--runs averages --method gd runs on --engine sim (not with "
                                  "--compare-plain or --run-index)"
                                : NULL;
    if (misplaced) {
        coda_say(prog, "%s", misplaced);
        coda_worker_options_free(&w);
        free(fail);
        return CODA_EXIT_USAGE;
    }
    if ((pgd || sgd || cd) && !scheme_given)
        scheme = coda_scheme_first_with(CODA_CAP_BYZANTINE)->name; /* the Byzantine code */
    if ((!pgd && !cd && l1 > 0) || (!pgd && !sgd && !cd && code_t >= 0) || (!sgd && batch > 0) ||
        (!cd && (tau || fraction > 0 || cd_random || resync)) || (tau && fraction > 0)) {
        coda_say(prog, "--l1 is for --method pgd and cd, --batch for sgd, --tau (or --fraction, "
                       "not both), --cd-order and --resync for cd, --code-adversaries for pgd, "
                       "sgd and cd");
        coda_worker_options_free(&w);
        free(fail);
        return CODA_EXIT_USAGE;
    }
    if (step && coda_step_parse(step, &go.step, &e) < 0) {
        char *end;
        double g = strtod(step, &end); /* a bare number is a constant step */
        if (*end || !(g > 0) || !isfinite(g)) {
            coda_say(prog, "%s", e.msg);
            coda_worker_options_free(&w);
            return CODA_EXIT_USAGE;
        }
        go.step = (coda_step_rule){.kind = CODA_STEP_CONST, .gamma = g};
    }
    int nin = argc - optind, status = -1; /* -1: the exit status of e's class */
    if (nin < 1 || nin > 2) {
        coda_say(prog, nin < 1 ? "missing operand: X (and y)" : "too many operands");
        coda_worker_options_free(&w);
        return CODA_EXIT_USAGE;
    }
    /* a bad output or trace name is refused before anything is computed */
    if (coda_check_output(out, fmt, &e) < 0) {
        coda_say(prog, "%s", e.msg);
        coda_worker_options_free(&w);
        return coda_exit_for(&e);
    }
    if (use_mpi) {
        /* every rank runs this program: ranks 1..N serve the workers' side and leave */
        int size = 0;
        if (coda_mpi_init(&argc, &argv, &rank, &size, &e) < 0) {
            coda_say(prog, "--engine mpi: %s", e.msg);
            coda_worker_options_free(&w);
            free(fail);
            return CODA_EXIT_USAGE;
        }
        int ok = coda_worker_options_finish(&w, &e) == 0;
        if (!coda_mpi_all(ok)) {
            if (!ok)
                coda_say(prog, "rank %d: %s", rank, e.msg);
            coda_mpi_finalize();
            coda_worker_options_free(&w);
            free(fail);
            return ok ? CODA_EXIT_DATA : coda_exit_for(&e);
        }
        mcfg.delay = w.sim.straggle;
        mcfg.adversary = w.sim.adversary;
        if (rank > 0) {
            int st = coda_mpi_serve(&mcfg, &e);
            if (st != 0)
                coda_say(prog, "rank %d: %s", rank, e.msg);
            coda_mpi_finalize();
            coda_worker_options_free(&w);
            free(fail);
            return st < 0 ? CODA_EXIT_DATA : st;
        }
    }
    coda_mat X = {0}, y = {0}, x0 = {0}, ref = {0}, Xy = {0};
    coda_meta sopts = {0}; /* what the code is built for: the per-worker p (hetero) */
    double *plan_pi = NULL; /* the plan's straggle_probs, when they are the failure model */
    coda_job job = {0}, pjob = {0};
    coda_engine byz_engine = {0}; /* the Byzantine methods' jobs share it */
    coda_gd g = {0}, pg = {0};
    coda_outfile tf = {0};
    int have_g = 0, have_pg = 0;
    const char *xpath = argv[optind];
    if (!use_mpi && coda_worker_options_finish(&w, &e) < 0) {
        status = coda_exit_for(&e);
        goto out;
    }
    if (coda_read_matrix(xpath, &X, NULL, &e) < 0)
        goto out;
    if (nin == 2) {
        if (coda_read_matrix(argv[optind + 1], &y, NULL, &e) < 0)
            goto out;
        if (y.rows != X.rows || y.cols != 1) {
            coda_fail(&e, "%s: y is %zu x %zu but X has %zu rows: need an %zu x 1 vector",
                      argv[optind + 1], y.rows, y.cols, X.rows, X.rows);
            goto out;
        }
    } else {
        if (X.cols < 2) {
            coda_fail(&e, "%s: one column: give y, or X with y as its last column", xpath);
            goto out;
        }
        if (coda_mat_sub(&y, &X, 0, X.rows, X.cols - 1, 1, &e) < 0)
            goto out;
        X.cols--;
    }
    for (int which = 0; which < 2; which++) { /* NaN/Inf: the file and the entry */
        const coda_mat *m = which ? &y : &X;
        size_t bad = coda_mat_first_nonfinite(m);
        if (bad != (size_t)-1) {
            coda_fail(&e, "%s: entry (%zu,%zu) is %s",
                      which && nin == 2 ? argv[optind + 1] : xpath, bad % m->rows + 1,
                      which && nin == 1 ? X.cols + 1 : bad / m->rows + 1,
                      isnan(CODA_AT(m, bad % m->rows, bad / m->rows)) ? "NaN" : "infinite");
            goto out;
        }
    }
    if (x0_path && coda_read_matrix(x0_path, &x0, NULL, &e) < 0)
        goto out;
    if (ref_path && coda_read_matrix(ref_path, &ref, NULL, &e) < 0)
        goto out;
    if (ref_path && (ref.rows != X.cols || ref.cols != 1)) {
        coda_fail(&e, "%s: the reference is %zu x %zu, need %zu x 1", ref_path, ref.rows,
                  ref.cols, X.cols);
        goto out;
    }
    if (go.loss == CODA_LOSS_LOGISTIC)
        for (size_t i = 0; i < y.rows; i++) {
            if (y.data[i] != 0 && y.data[i] != 1 && y.data[i] != -1) {
                coda_fail(&e, "%s: logistic labels must be 0/1 or -1/+1: row %zu is %g",
                          nin == 2 ? argv[optind + 1] : xpath, i + 1, y.data[i]);
                goto out;
            }
            y.data[i] = y.data[i] > 0; /* the op and the loss take 0/1 */
        }
    if (!step && go.adam) /* Adam's usual learning rate (the paper's App. E) */
        go.step = (coda_step_rule){.kind = CODA_STEP_CONST, .gamma = 0.001};
    else if (!step) { /* line search for ls; for logistic 1/L with L <= ||X||_F^2 / (4n) + 2 l2 */
        if (go.loss == CODA_LOSS_LS && (pgd || cd)) { /* 1/L, L <= 2 ||X||_F^2 / n + 2 l2 */
            double f = coda_mat_fro(&X);
            go.step = (coda_step_rule){.kind = CODA_STEP_CONST,
                                       .gamma = 1.0 / (2.0 * f * f / (double)X.rows + 2 * go.l2)};
        } else if (sgd) { /* sgd: 1/(L sqrt(t+1)), L the mean point's constant as above */
            double f = coda_mat_fro(&X), L = go.loss == CODA_LOSS_LS ? 2.0 : 0.25;
            go.step = (coda_step_rule){.kind = CODA_STEP_INV_SQRT_T,
                                       .gamma = 1.0 / (L * f * f / (double)X.rows + 2 * go.l2)};
        } else if (go.loss == CODA_LOSS_LS)
            go.step.kind = CODA_STEP_LINE;
        else {
            double f = coda_mat_fro(&X);
            go.step = (coda_step_rule){.kind = CODA_STEP_CONST,
                                       .gamma = 1.0 / (f * f / (4.0 * (double)X.rows) +
                                                       2 * go.l2)};
        }
    }
    /* the loss costs a pass over X a round: only where it is shown */
    go.track_loss = trace_path || (!quiet && coda_stderr_is_tty());
    if (pgd || sgd || cd) { /* the Byzantine methods: a code for t liars and s stragglers */
        const coda_straggle_model *sm = &w.sim.straggle;
        long bs_s = code_s >= 0 ? code_s : sm->stragglers > 0 ? sm->stragglers : (long)sm->nnamed;
        long bs_t = code_t >= 0 ? code_t
                                : bs_s + (w.sim.adversary.nnamed ? (long)w.sim.adversary.nnamed
                                                                 : w.sim.adversary.t);
        if (scheme_opts_meta(scheme, sopt_args, nsopt, &sopts, &e) < 0)
            goto out;
        if (coda_engine_open(&byz_engine, use_mpi ? &coda_engine_mpi : &coda_engine_sim, (int)N,
                             use_mpi ? (const void *)&mcfg : &w.sim, &e) < 0)
            goto out;
        coda_byz_setup bs = {.scheme = scheme, .N = (int)N, .s = (int)bs_s, .t = (int)bs_t,
                             .seed = seed, .opts = &sopts, .engine = &byz_engine,
                             .adversary = &w.sim.adversary, .policy = &w.policy,
                             .until_decodable = w.until_decodable, .plain = plain};
        coda_pgd_opts po = {.loss = go.loss, .l2 = go.l2, .l1 = l1, .step = go.step,
                            .iters = go.iters, .tol = go.tol};
        coda_sgd_opts so = {.loss = go.loss, .l2 = go.l2, .step = go.step, .iters = go.iters,
                            .batch = batch ? batch : 1, .seed = seed};
        /* cd: tau of the p2 = ceil(d / q) encoded coordinates, q = N - 2t for byz */
        long p2 = bs.N > 2 * bs.t ? (long)((X.cols + (size_t)(bs.N - 2 * bs.t) - 1) /
                                           (size_t)(bs.N - 2 * bs.t)) : 1;
        coda_cd_opts co = {.loss = go.loss, .l2 = go.l2, .l1 = l1, .step = go.step,
                           .iters = go.iters, .random = cd_random, .seed = seed,
                           .resync = resync,
                           .tau = tau ? tau : fraction > 0 ? (long)ceil(fraction * (double)p2 - 1e-9)
                                                           : p2};
        if (co.tau < 1)
            co.tau = 1;
        if (trace_path || ref_path) {
            coda_failc(&e, CODA_E_USAGE, "--trace and --reference are for --method gd");
            goto out;
        }
        status = byz_main(&bs, sgd || cd ? NULL : &po, sgd ? &so : NULL, cd ? &co : NULL, &X, &y,
                          x0_path ? &x0 : NULL, out, fmt, quiet, &e);
        goto out;
    }
    /* [X y] once, X grown in place (realloc moves pages, not bytes): the workers' shards are
     * views of it, and so are the master's X and y */
    Xy = X;
    X = (coda_mat){0};
    if (coda_mat_append_cols(&Xy, &y, &e) < 0)
        goto out;
    coda_mat_free(&y);
    X = coda_mat_view(&Xy, 0, Xy.rows, 0, Xy.cols - 1);
    y = coda_mat_view(&Xy, 0, Xy.rows, Xy.cols - 1, 1);
    const char *op = go.loss == CODA_LOSS_LS ? "grad" : "logistic-grad";
    /* the stragglers the code tolerates: given, else those the options draw */
    const coda_straggle_model *sm = &w.sim.straggle;
    long s_code = code_s >= 0             ? code_s
                  : sm->responders > 0    ? N - sm->responders
                  : sm->stragglers > 0    ? sm->stragglers
                  : sm->nnamed > 0        ? (long)sm->nnamed
                                          : 0;
    coda_scheme_args a = {.N = (int)N, .s = (int)s_code, .K = (int)K, .op = op, .seed = seed,
                          .data = &Xy, /* schemes whose code depends on the data (leverage) */
                          .opts = &sopts};
    if (w.probs_path && coda_meta_set(&sopts, "straggle-probs", w.probs_path, &e) < 0)
        goto out;
    if (scheme_opts_meta(scheme, sopt_args, nsopt, &sopts, &e) < 0)
        goto out;
    if (runs) { /* R runs averaged (lib/run/runs.c) */
        coda_gd_runs_setup rs = {.scheme = scheme, .args = a, .data = &Xy, .X = &X, .y = &y,
                                 .x0 = x0_path ? &x0 : NULL, .ref = ref_path ? &ref : NULL,
                                 .go = go, .sim = w.sim, .policy = w.policy,
                                 .until_decodable = w.until_decodable, .keep_rows = !!trace_path};
        status = gd_runs_main(&rs, (int)runs, trace_path, step, out, fmt, quiet, &e);
        goto out;
    }
    coda_plan plan;
    if (coda_plan_build(&plan, scheme, &a, Xy.rows, &e) < 0) {
        coda_fail_prefix(&e, "--scheme %s: ", scheme);
        if (e.cls == CODA_E_DATA) /* built from the options alone: a bad combination of them */
            e.cls = CODA_E_USAGE;
        goto out;
    }
    /* a code built for per-worker p (hetero --psi-range ...): its p, unless told otherwise */
    if (coda_straggle_probs_from_meta(&w.sim.straggle, &plan.extra, plan.N, &plan_pi, &e) < 0) {
        coda_plan_free(&plan);
        goto out;
    }
    /* (on MPI the workers draw from the options they were given, not from the plan: its p is
     * not the model of a real run's stragglers) */
    if (coda_job_start(&job, &plan, &Xy, use_mpi ? &coda_engine_mpi : &coda_engine_sim,
                       use_mpi ? (const void *)&mcfg : &w.sim, &w.policy, w.until_decodable,
                       &e) < 0 ||
        coda_gd_init(&g, &job, &X, &y, &go, x0_path ? &x0 : NULL, &e) < 0)
        goto out;
    have_g = 1;
    if (plain) { /* uncoded, one worker, nobody straggles: the reference trajectory */
        coda_scheme_args pa = {.N = 1, .s = 0, .op = op, .seed = seed};
        coda_sim_config pc = {.straggle = {.kind = CODA_LAT_NONE, .stragglers = -1,
                                           .wait_for = -1, .deadline = -1}};
        coda_policy pp = {.wait_for = -1, .deadline = -1};
        coda_plan pplan;
        if (coda_plan_build(&pplan, coda_scheme_default()->name, &pa, Xy.rows, &e) < 0 ||
            coda_job_start(&pjob, &pplan, &Xy, &coda_engine_sim, &pc, &pp, 0, &e) < 0 ||
            coda_gd_init(&pg, &pjob, &X, &y, &go, x0_path ? &x0 : NULL, &e) < 0)
            goto out;
        have_pg = 1;
    }
    if (trace_path) {
        if (coda_open_side_output(&tf, "--trace", trace_path, out, &e) < 0)
            goto out;
        char atk[64];
        coda_attack_name(&w.sim.adversary, atk, sizeof atk);
        fprintf(tf.f, "# program=%s method=gd scheme=%s N=%ld K=%d s=%d loss=%s l2=%.17g "
                      "step=%s iters=%ld tol=%.17g seed=%llu\n",
                prog, scheme, N, job.plan.K, job.plan.s,
                go.loss == CODA_LOSS_LS ? "ls" : "logistic", go.l2, step ? step : "default",
                go.iters, go.tol, seed);
        fprintf(tf.f, "# stragglers=%ld straggle_prob=%.17g responders=%ld adversaries=%ld "
                      "attack=%s wait_for=%ld deadline=%.17g until_decodable=%d\n",
                w.sim.straggle.stragglers, w.sim.straggle.p, w.sim.straggle.responders,
                w.sim.adversary.t, w.sim.adversary.nnamed || w.sim.adversary.t > 0 ? atk : "none",
                w.policy.wait_for, w.policy.deadline, w.until_decodable);
        if (go.adam)
            fprintf(tf.f, "# optimizer=adam adam=%.17g,%.17g,%.17g two_track=%.17g shrink=%.17g\n",
                    go.adam_b1, go.adam_b2, go.adam_eps, go.two_track, g.adam.shrink);
        fprintf(tf.f, "iter,loss,grad_norm,error,responders,round_time,sim_time,seconds\n");
    }
    int progress = !quiet && coda_stderr_is_tty();
    struct timespec t0;
    clock_gettime(CLOCK_MONOTONIC, &t0);
    double gap = 0;
    int rc;
    while ((rc = coda_gd_iterate(&g, &e)) >= 0) {
        if (have_pg) {
            /* the plain run takes the coded run's step, so that the trajectories compare */
            pg.o.step = (coda_step_rule){.kind = CODA_STEP_CONST, .gamma = g.stepsize};
            if (coda_gd_iterate(&pg, &e) < 0) {
                rc = -1;
                break;
            }
            gap = fmax(gap, gd_relative_gap(&g.beta, &pg.beta));
        }
        if (tf.f)
            fprintf(tf.f, "%ld,%.17g,%.17g,%.17g,%d,%.17g,%.17g,%.6f\n", g.iter, g.loss, g.gnorm,
                    ref_path ? gd_relative_gap(&g.beta, &ref) : NAN, g.responders, g.round_time,
                    g.sim_time, gd_seconds(&t0));
        if (progress)
            fprintf(stderr, "\r%s: iteration %ld/%ld, loss %.6g, ||grad|| %.3g", prog, g.iter,
                    go.iters, g.loss, g.gnorm);
        if (rc == 0)
            break;
    }
    if (progress)
        fputc('\n', stderr);
    if (rc < 0) {
        status = coda_exit_for(&e);
        goto out;
    }
    if (!go.track_loss)
        g.loss = coda_gd_loss(&g, &g.beta);
    coda_frame f;
    coda_frame_init(&f, CODA_MATRIX);
    f.mat = g.beta;
    rc = coda_meta_set(&f.meta, "program", prog, &e) | coda_meta_set(&f.meta, "method", "gd", &e) |
         coda_meta_set(&f.meta, "scheme", scheme, &e) |
         coda_meta_set_long(&f.meta, "iters", g.iter, &e) |
         coda_meta_set_double(&f.meta, "loss", g.loss, &e);
    if (rc == 0)
        rc = coda_write_output(out, fmt, &f, &e);
    coda_meta_free(&f.meta);
    if (rc != 0) {
        status = rc < 0 ? CODA_EXIT_DATA : rc;
        goto out;
    }
    if (tf.f && coda_outfile_commit(&tf, &e) < 0)
        goto out;
    if (!quiet) {
        if (use_mpi)
            coda_say(prog, "gd: %s on %ld MPI workers, %ld iterations, loss %.6g, ||grad|| "
                           "%.3g, %d rounds could not decode, %.6g s in rounds, %ld late "
                           "results dropped",
                     scheme, N, g.iter, g.loss, g.gnorm, g.skipped, g.sim_time,
                     coda_mpi_engine_stale(job.engine));
        else
            coda_say(prog, "gd: %s on %ld workers, %ld iterations, loss %.6g, ||grad|| %.3g, "
                           "%d rounds could not decode, simulated time %.6g",
                     scheme, N, g.iter, g.loss, g.gnorm, g.skipped, g.sim_time);
        if (have_pg)
            coda_say(prog, "gd: largest relative deviation from uncoded GD %.3e", gap);
    }
    status = CODA_EXIT_OK;
out:
    if (status < 0)
        status = coda_exit_for(&e);
    if (status != CODA_EXIT_OK) {
        coda_say(prog, "%s", e.msg);
        if (job.engine)
            coda_mpi_engine_fail(job.engine, status, e.msg);
        coda_mpi_engine_fail(&byz_engine, status, e.msg);
    }
    coda_outfile_abort(&tf);
    if (have_g)
        coda_gd_free(&g);
    if (have_pg)
        coda_gd_free(&pg);
    coda_job_free(&job);
    coda_job_free(&pjob);
    coda_engine_close(&byz_engine);
    coda_mat_free(&X), coda_mat_free(&y), coda_mat_free(&x0), coda_mat_free(&ref);
    coda_mat_free(&Xy);
    coda_meta_free(&sopts);
    free(plan_pi);
    coda_worker_options_free(&w);
    if (use_mpi) { /* (a failure before the job began: the workers still wait) */
        coda_mpi_stop_workers(status, status ? e.msg : NULL);
        coda_mpi_finalize();
    }
    free(fail);
    return status;
}
