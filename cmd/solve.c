/* coda-solve: least squares min ||A x - b|| (and ridge) by LAPACK QR, sketch-and-solve,
 * sketch-and-precondition LSQR, or iterative sketching. */
#include <getopt.h>
#include <math.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <time.h>

#include "../lib/cli/cli.h"
#include "../lib/cli/sketch_opts.h"
#include "../lib/solve/lstsq.h"

static const char *prog = "coda-solve";

static void usage(FILE *to)
{
    fprintf(to,
            "Usage: coda-solve [OPTIONS] A [b]\n"
            "Solve min ||A x - b||_2 (+ l2 ||x||^2); without b, A's last column is b.\n\n"
            "  --method M          qr (LAPACK dgels), sketch-solve, precond (default: sketch,\n"
            "                      QR of S A, LSQR on A R^-1) or iterative-sketch\n"
            "  --sketch-rows R     sketch size (default: precond 8 d, sketch-solve 4 d,\n"
            "                      iterative-sketch 2 d)\n"
            CODA_SKETCH_USAGE            "  --l2 L              ridge parameter (default 0)\n"
            "  --tol E             precond: stop when ||A(x - x*)|| <~ E ||A x|| (default 1e-13)\n"
            "  --iters N           precond: cap (default 1000); iterative-sketch: count (100)\n"
            "  --step X            iterative-sketch: fixed step (default 1 / (2 ||S_0 A||_F^2))\n"
            "  --line-search       iterative-sketch: exact line search on the full problem\n"
            "  --reference FILE    x* for the trace's error column\n"
            "  --trace FILE        CSV per iteration: iter,residual,error,seconds ('-': stdout)\n"
            "  --seed N            seed of the sketches (default 1)\n"
            "  -o, --output FILE   write x to FILE;  -f, --format F\n"
            "  -q, --quiet         no summary on stderr\n"
            "  -h, --help, --version\n\n"
            "See coda-solve(1).\n");
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
    enum { O_METHOD = 256, O_L2, O_TOL, O_ITERS, O_STEP, O_LS, O_REF, O_TRACE, O_SEED, O_VERSION };
    static const struct option opts[] = {
        CODA_SKETCH_LONG_OPTIONS,
        {"method", required_argument, 0, O_METHOD}, {"l2", required_argument, 0, O_L2},
        {"tol", required_argument, 0, O_TOL},       {"iters", required_argument, 0, O_ITERS},
        {"step", required_argument, 0, O_STEP},     {"line-search", no_argument, 0, O_LS},
        {"reference", required_argument, 0, O_REF}, {"trace", required_argument, 0, O_TRACE},
        {"seed", required_argument, 0, O_SEED},     {"output", required_argument, 0, 'o'},
        {"format", required_argument, 0, 'f'},      {"quiet", no_argument, 0, 'q'},
        {"help", no_argument, 0, 'h'},              {"version", no_argument, 0, O_VERSION},
        {0, 0, 0, 0}};
    coda_ls_opts o = {.method = CODA_LS_PRECOND,
                      .sketch = {.kind = CODA_SK_COUNT, .seed = 1}};
    const char *out = NULL, *fmt = NULL, *ref_path = NULL, *trace_path = NULL;
    int quiet = 0, c;
    coda_err e;
    while ((c = getopt_long(argc, argv, "o:f:qh", opts, NULL)) != -1) {
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
        case O_TOL:
            bad = coda_parse_double_range("--tol", optarg, 0, 1, INFINITY, &o.tol, &e);
            break;
        case O_ITERS: bad = coda_parse_long("--iters", optarg, 1, 1000000000, &o.iters, &e); break;
        case O_STEP:
            bad = coda_parse_double_range("--step", optarg, 0, 1, INFINITY, &o.step, &e);
            break;
        case O_LS: o.line_search = 1; break;
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
    if (coda_read_matrix(apath, &A, NULL, &e) < 0)
        goto out;
    if (nin == 2) {
        coda_mat b_in;
        if (coda_read_matrix(argv[optind + 1], &b_in, NULL, &e) < 0)
            goto out;
        if (b_in.rows != A.rows || b_in.cols != 1) {
            coda_fail(&e, "%s: b is %zu x %zu but A has %zu rows: need an %zu x 1 vector",
                      argv[optind + 1], b_in.rows, b_in.cols, A.rows, A.rows);
            coda_mat_free(&b_in);
            goto out;
        }
        int rc = coda_mat_append_cols(&A, &b_in, &e);
        coda_mat_free(&b_in);
        if (rc < 0)
            goto out;
    } else if (A.cols < 2) {
        coda_fail(&e, "%s: one column: give b, or A with b as its last column", apath);
        goto out;
    }
    /* A and b side by side in one block, which coda_lstsq uses without a copy: b is a view of
     * the last column (column-major keeps the first cols - 1 columns in place) */
    A.cols--;
    b = (coda_mat){.rows = A.rows, .cols = 1, .data = A.data + A.rows * A.cols};
    if (ref_path && coda_read_matrix(ref_path, &ref, NULL, &e) < 0)
        goto out;
    if (ref_path && (ref.rows != A.cols || ref.cols != 1)) {
        coda_fail(&e, "%s: the reference is %zu x %zu, need %zu x 1", ref_path, ref.rows,
                  ref.cols, A.cols);
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
    if (!quiet)
        coda_say(prog, "%s: %zu x %zu%s%s, %ld iterations, relative residual %.3e, %.3f s",
                 coda_ls_method_name(o.method), A.rows, A.cols, info.factor ? ", R by " : "",
                 info.factor ? info.factor : "", info.iters, info.resid, secs);
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
