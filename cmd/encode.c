/* coda-encode: split and encode data for N workers; writes PLAN, operand and TASK frames. */
#include <getopt.h>
#include <limits.h>
#include <math.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>

#include "../lib/cli/cli.h"
#include "../lib/cli/options.h"
#include "../lib/cli/scheme_opts.h"
#include "../lib/codes/coding.h"
#include "../lib/codes/scheme.h"
#include "../lib/io/stream.h"
#include "../lib/ops/ops.h"
#include "../lib/solve/lsq.h"
#include "../lib/work/work.h"

static const char *prog = "coda-encode";

enum { O_OPERAND = 256, O_LABELS, O_RHS, O_ASSIGN, O_METHOD, O_APPEND, O_APPEND_COLUMNS };

static const coda_cli_option options[] = {
    CODA_CLI_SCHEME_HELP("the code (default uncoded; e.g. mds, or matdot to code both factors of A B); the list is below"),
    CODA_CLI_WORKERS_HELP("number of workers (required)"),
    CODA_CLI_STRAGGLERS_HELP("stragglers the code must tolerate (default 0)"),
    CODA_CLI_BLOCKS_HELP("data blocks (where the scheme takes it; mds: default N-s)"),
    CODA_CLI_OP_HELP("what a worker computes (default matmul); the list is below"),
    {"operand", O_OPERAND, "FILE",
     "right operand (B for matmul, v for matvec, beta for grad); it travels in the stream to the workers (codes of both factors encode it)"},
    {"labels", O_LABELS, "FILE",
     "grad: the labels y (else the input's last column is y); other ops but lsq-columns: y appended to the input as its last column, coded with it ([X y])"},
    {"rhs", O_RHS, "FILE",
     "lsq-columns: right-hand sides (default: the identity, so the result is the inverse or pseudoinverse of INPUT)"},
    {"method", O_METHOD, "M",
     "lsq-columns: the workers' solver, direct (LAPACK, default), sd or cg (see coda-invert(1))"},
    CODA_CLI_TOL_HELP("lsq-columns sd/cg: tolerance per column (default 1e-6; --eps E, its old name here, still works, warning)"),
    CODA_CLI_ITERS_HELP("lsq-columns sd/cg: iteration cap per column (default 10000)"),
    {"assign", O_ASSIGN, "FILE", "use this N x K allocation/encoding matrix (coda-assign)"},
    {"append", O_APPEND, "NEW",
     "streaming: the input is an encoded stream (byz); write it with the rows of NEW added to its data, as encoding the whole data would (--labels: NEW's labels)"},
    {"append-columns", O_APPEND_COLUMNS, "NEW",
     "streaming: the same with the columns of NEW added to the data"},
    CODA_CLI_SEED,
    CODA_CLI_OUTPUT_HELP("write the stream to FILE (default: stdout, not a terminal)"),
    CODA_CLI_QUIET_HELP("no summary on stderr"),
    CODA_CLI_HELP,
    CODA_CLI_VERSION,
    CODA_CLI_END};

static void usage(FILE *to)
{
    fprintf(to, "Usage: coda-encode --scheme NAME -N WORKERS [OPTIONS] [INPUT]\n"
                "       coda-encode --append NEW | --append-columns NEW [-o OUT] [STREAM]\n"
                "Split the input matrix into blocks, code them for N workers, and write a\n"
                "stream: a PLAN frame, the operand (if any), then each worker's TASK frames.\n\n");
    coda_cli_print_options(to, options);
    fprintf(to, "\nSchemes (--scheme):\n");
    coda_print_wrapped(to, 2, coda_scheme_names());
    fprintf(to, "Ops (--op):\n");
    coda_print_wrapped(to, 2, coda_op_names());
    fprintf(to, "\nThe schemes' own options:\n");
    coda_scheme_cli_usage(to, 0);
    fprintf(to,
            "\nFor matmul, matvec and grad the input rows are split; for lsq-columns the input\n"
            "A is the operand and the columns of the right-hand sides are split.\n"
            "See coda-encode(1).\n");
}

static int fail(const char *msg, int code)
{
    coda_say(prog, "%s", msg);
    return code;
}

/* The stream's writer, with a progress line: a worker's frames are done when the next one's
 * begin. */
typedef struct {
    coda_writer *w;
    int N;
} progress_sink;

static void progress(const progress_sink *p, const coda_frame *f)
{
    if (f->kind == CODA_TASK && f->tag[CODA_TAG_WORKER] > 0)
        coda_progress_worker((int)f->tag[CODA_TAG_WORKER] - 1, p->N);
}

static int write_with_progress(void *ctx, coda_frame *f, coda_err *e)
{
    progress(ctx, f);
    return coda_writer_sink(((progress_sink *)ctx)->w, f, e);
}

/* A task by parts (a block read from the input file as it goes out). */
static int head_with_progress(void *ctx, const coda_frame *f, coda_err *e)
{
    progress(ctx, f);
    return coda_writer_put_head(((progress_sink *)ctx)->w, f, e);
}

static int write_body(void *ctx, const void *p, size_t n, coda_err *e)
{
    return coda_writer_body(((progress_sink *)ctx)->w, p, n, e);
}

static int write_end(void *ctx, coda_err *e)
{
    return coda_writer_end(((progress_sink *)ctx)->w, e);
}

/* A rows x cols matrix from `path` that coda-encode can code: not empty, and no entry (the
 * first bad one at column-major index bad, of value val) NaN or infinite. */
static int check_entries(const char *path, const char *what, size_t rows, size_t cols,
                         uint64_t bad, double val, coda_err *e)
{
    if (rows == 0 || cols == 0)
        return coda_fail(e, "%s: %s is %zu x %zu: nothing to encode", path, what, rows, cols);
    if (bad != (uint64_t)-1)
        return coda_fail(e, "%s: %s entry (%llu,%llu) is %s", path, what,
                         (unsigned long long)(bad % rows + 1), (unsigned long long)(bad / rows + 1),
                         isnan(val) ? "NaN" : "infinite");
    return 0;
}

static int check_input(const char *path, const char *what, const coda_mat *m, coda_err *e)
{
    size_t bad = m->rows && m->cols ? coda_mat_first_nonfinite(m) : (size_t)-1;
    return check_entries(path, what, m->rows, m->cols, bad == (size_t)-1 ? (uint64_t)-1 : bad,
                         bad == (size_t)-1 ? 0 : m->data[bad], e);
}

/* The data left in its file (coda_encode_file): m takes its shape, not its entries, which
 * are checked when scan is set (else as the encoder reads them). */
static int check_file(const char *path, coda_matfile *mf, int scan, coda_mat *m, coda_err *e)
{
    uint64_t bad = (uint64_t)-1;
    double val = 0;
    if (scan && mf->rows && mf->cols && coda_matfile_first_nonfinite(mf, &bad, &val, e) < 0)
        return -1;
    *m = (coda_mat){.rows = mf->rows, .cols = mf->cols};
    return check_entries(path, "the data", mf->rows, mf->cols, bad, val, e);
}

/* [X y]: append the labels as the last column. */
static int append_labels(coda_mat *X, const coda_mat *y, coda_err *e)
{
    if (y->rows != X->rows || y->cols != 1)
        return coda_fail(e, "labels are %zu x %zu, need %zu x 1", y->rows, y->cols, X->rows);
    coda_mat Z;
    if (coda_mat_alloc(&Z, X->rows, X->cols + 1, e) < 0)
        return -1;
    memcpy(Z.data, X->data, X->rows * X->cols * sizeof(double));
    memcpy(Z.data + X->rows * X->cols, y->data, y->rows * sizeof(double));
    coda_mat_free(X);
    *X = Z;
    return 0;
}

/* --append, --append-columns: the encoded stream `stream` with new data lines (lib/codes/append.c) */
static int append_main(const char *new_path, int columns, const char *labels_path,
                       const char *stream, const char *out, int quiet)
{
    coda_err e;
    coda_mat more = {0}, y = {0};
    coda_reader r = {0};
    coda_writer w = {0};
    coda_plan next = {0};
    int status = CODA_EXIT_OK, opened = 0;
    const char *what = columns ? "the new columns" : "the new rows";
    if (coda_read_matrix(new_path, &more, NULL, &e) < 0 || check_input(new_path, what, &more, &e) < 0)
        status = -1;
    if (status == 0 && labels_path &&
        (coda_read_matrix(labels_path, &y, NULL, &e) < 0 ||
         check_input(labels_path, "the labels", &y, &e) < 0 || append_labels(&more, &y, &e) < 0)) {
        coda_fail_prefix(&e, "%s: ", labels_path);
        status = -1;
    }
    if (status == 0 && coda_reader_open(&r, stream, &e) < 0)
        status = -1;
    opened = status == 0;
    if (status == 0 && (coda_open_stream_output(&w, out, &e) < 0 ||
                        coda_append_stream(&r, strcmp(stream, "-") == 0 ? "stdin" : stream, &more,
                                           columns, prog, &w, &next, &e) < 0 ||
                        coda_writer_close(&w, &e) < 0))
        status = -1;
    if (status == 0 && !quiet)
        coda_say(prog, "%s: %zu new %s%s: %zu %s in %d blocks of at most %zu", next.scheme,
                 columns ? more.cols : more.rows, columns ? "column" : "row",
                 (columns ? more.cols : more.rows) == 1 ? "" : "s", next.length,
                 next.by_cols ? "columns" : "rows", next.K, coda_plan_max_block(&next));
    if (status < 0) {
        status = coda_exit_for(&e);
        coda_say(prog, "%s", e.msg);
    }
    coda_writer_abort(&w);
    if (opened)
        coda_reader_close(&r);
    coda_plan_free(&next);
    coda_mat_free(&more);
    coda_mat_free(&y);
    return status;
}

int main(int argc, char **argv)
{
    const char *append_path = NULL;
    int append_columns = 0, encoding_given = 0;
    coda_lsq_opts solver = {.method = CODA_LSQ_DIRECT, .eps = 1e-6, .iters = 10000};
    int solver_set = 0;
    const char *scheme = coda_scheme_default()->name, *out = NULL, *operand_path = NULL, *labels_path = NULL,
               *rhs_path = NULL, *assign_path = NULL;
    coda_scheme_args a = {.N = 0, .s = 0, .K = 0, .op = "matmul", .seed = 1};
    int quiet = 0, c;
    long v;
    coda_err e;
    coda_scheme_cli sc_opts;
    coda_cli_getopt g;
    if (coda_cli_getopt_build(&g, options, &e) < 0 ||
        coda_scheme_cli_init(&sc_opts, g.longopts, g.shortopts, 0, &e) < 0)
        return fail(e.msg, CODA_EXIT_DATA);
    int status = CODA_EXIT_USAGE;
    while ((c = getopt_long(argc, argv, sc_opts.shortopts, sc_opts.longopts, NULL)) != -1) {
        int taken = coda_scheme_cli_option(&sc_opts, c, optarg, &e);
        if (taken < 0)
            goto usage_error;
        if (taken)
            continue;
        switch (c) {
        case O_APPEND:
        case O_APPEND_COLUMNS:
            if (append_path) {
                coda_fail(&e, "give one of --append and --append-columns, once");
                goto usage_error;
            }
            append_path = optarg, append_columns = c == O_APPEND_COLUMNS;
            break;
        case CODA_CLI_SCHEME_ID: scheme = optarg; encoding_given = 1; break;
        case 'N':
            if (coda_parse_long("--workers", optarg, 1, 100000, &v, &e) < 0)
                goto usage_error;
            a.N = (int)v;
            break;
        case 's':
            if (coda_parse_long("--stragglers", optarg, 0, 100000, &v, &e) < 0)
                goto usage_error;
            a.s = (int)v;
            break;
        case 'K':
            if (coda_parse_long("--blocks", optarg, 1, 100000, &v, &e) < 0)
                goto usage_error;
            a.K = (int)v;
            break;
        case CODA_CLI_OP_ID: a.op = optarg; encoding_given = 1; break;
        case O_METHOD:
            solver_set = 1;
            if (coda_lsq_method_parse(optarg, &solver.method) < 0) {
                coda_fail(&e, "option --method: unknown method '%s' (direct, sd, cg)", optarg);
                goto usage_error;
            }
            break;
        case CODA_CLI_TOL_ID:
            solver_set = 1;
            if (coda_parse_double_range("--tol", optarg, 0, 1, INFINITY, &solver.eps, &e) < 0)
                goto usage_error;
            break;
        case CODA_CLI_ITERS_ID:
            solver_set = 1;
            if (coda_parse_long("--iters", optarg, 0, 1000000000, &solver.iters, &e) < 0)
                goto usage_error;
            break;
        case O_OPERAND: operand_path = optarg; break;
        case O_LABELS: labels_path = optarg; break;
        case O_RHS: rhs_path = optarg; break;
        case O_ASSIGN: assign_path = optarg; break;
        case CODA_CLI_SEED_ID:
            if (coda_parse_u64("--seed", optarg, &a.seed, &e) < 0)
                goto usage_error;
            encoding_given = 1; /* (the stream's code has its seed) */
            break;
        case 'o': out = optarg; break;
        case 'q': quiet = 1; break;
        case 'h': usage(stdout); coda_scheme_cli_free(&sc_opts); return CODA_EXIT_OK;
        case CODA_CLI_VERSION_ID: coda_print_version(prog); coda_scheme_cli_free(&sc_opts); return CODA_EXIT_OK;
        default: usage(stderr); coda_scheme_cli_free(&sc_opts); return CODA_EXIT_USAGE;
        }
    }
    if (append_path) { /* the code is the stream's: nothing of an encoding is taken */
        encoding_given |= a.N || a.s || a.K || operand_path || rhs_path || assign_path ||
                          solver_set || sc_opts.given.n;
        if (encoding_given || (labels_path && append_columns) || argc - optind > 1) {
            coda_fail(&e, argc - optind > 1 ? "--append: expected at most one stream"
                          : encoding_given ? "--append: the code is the stream's; no --scheme, -N, "
                                             "--op, --seed or other encoding option"
                                           : "--labels is for --append (new rows)");
            goto usage_error;
        }
        coda_scheme_cli_free(&sc_opts);
        return append_main(append_path, append_columns, labels_path,
                           optind < argc ? argv[optind] : "-", out, quiet);
    }
    const coda_op *op = coda_op_find(a.op);
    if (!op) {
        coda_failc(&e, CODA_E_USAGE, "option --op: unknown op '%s' (%s)", a.op, coda_op_names());
        goto usage_error;
    }
    /* lsq-columns splits the right-hand sides (the input is A); other column ops split the input */
    int lsq = op == &coda_op_lsq_columns;
    if (assign_path)
        scheme = coda_scheme_for_assignment()->name;
    const coda_scheme *sc = coda_scheme_find(scheme);
    if (!sc || (sc == coda_scheme_for_assignment() && !assign_path)) {
        coda_fail(&e, "option --scheme: unknown scheme '%s' (%s)", scheme, coda_scheme_names());
        goto usage_error;
    }
    /* --eps was the solver's tolerance before --tol: still taken, with a warning, where the
     * scheme has no --eps of its own */
    const char *old_eps = coda_meta_get(&sc_opts.given, "eps");
    if (old_eps && lsq && coda_scheme_cli_check(&sc_opts, sc, &e) < 0) {
        if (coda_parse_double_range("--eps", old_eps, 0, 1, INFINITY, &solver.eps, &e) < 0)
            goto usage_error;
        solver_set = 1;
        coda_say(prog, "warning: --eps for the workers' solver is now --tol");
        coda_scheme_cli_take(&sc_opts, "eps");
    }
    if (coda_scheme_cli_check(&sc_opts, sc, &e) < 0)
        goto usage_error;
    if (labels_path && lsq) {
        coda_fail(&e, "--labels is not for --op lsq-columns (give --rhs)");
        goto usage_error;
    }
    if (solver_set && !lsq) {
        coda_fail(&e, "--method, --tol and --iters are for --op lsq-columns");
        goto usage_error;
    }
    if (!assign_path && a.N < 1 && !(sc->caps & CODA_CAP_BOTH_FACTORS)) {
        coda_fail(&e, "option -N/--workers is required (or give --assign FILE)");
        goto usage_error;
    }
    if ((sc->caps & CODA_CAP_BOTH_FACTORS) && !operand_path) {
        coda_fail(&e, "--scheme %s codes both factors of A B: give B with --operand FILE", scheme);
        goto usage_error;
    }
    if (argc - optind > 1) {
        coda_fail(&e, "expected at most one input file");
        goto usage_error;
    }
    const char *in = optind < argc ? argv[optind] : "-";
    a.opts = &sc_opts.given;

    coda_mat input = {0}, operand = {0}, data = {0}, extra = {0}, G = {0};
    coda_plan plan = {0};
    coda_writer w = {0};
    coda_matfile mf = {.fd = -1};
    status = -1; /* -1: the exit status of e's class */
    /* a code of the data's blocks from a file reads them from there as it goes, never holding
     * the whole input (the same bytes out) */
    int from_file = !lsq && !labels_path && coda_scheme_encodes_from_file(sc)
                        ? coda_matfile_open(&mf, in, &e) : 0;
    if (from_file < 0 ||
        (from_file ? check_file(in, &mf, 0, &input, &e) < 0
                   : coda_read_matrix(in, &input, NULL, &e) < 0 ||
                         check_input(in, lsq ? "A" : "the data", &input, &e) < 0))
        goto out;
    if (lsq) { /* lsq-columns: the input is A; the right-hand sides are split */
        operand = input;
        input.data = NULL;
        if (rhs_path) {
            if (coda_read_matrix(rhs_path, &data, NULL, &e) < 0 ||
                check_input(rhs_path, "the right-hand sides", &data, &e) < 0)
                goto out;
        } else {
            if (coda_mat_identity(&data, operand.rows, &e) < 0)
                goto out;
        }
    } else {
        data = input;
        input.data = NULL;
        if (operand_path && (coda_read_matrix(operand_path, &operand, NULL, &e) < 0 ||
                             check_input(operand_path, sc->caps & CODA_CAP_BOTH_FACTORS ? "B"
                                                                            : "the operand",
                                         &operand, &e) < 0))
            goto out;
        if (labels_path) { /* [X y]: grad's labels, or a column coded with the data */
            if (coda_read_matrix(labels_path, &extra, NULL, &e) < 0 ||
                check_input(labels_path, "the labels", &extra, &e) < 0 ||
                append_labels(&data, &extra, &e) < 0) {
                coda_fail_prefix(&e, "%s: ", labels_path);
                goto out;
            }
        }
    }
    /* the operand against the data, before anything is written: a worker would fail on it */
    size_t res_rows, res_cols;
    if (coda_op_result_shape(a.op, data.rows, data.cols, operand.data ? &operand : NULL,
                             &res_rows, &res_cols, &e) < 0) {
        coda_fail_prefix(&e, "%s: ", lsq ? (rhs_path ? rhs_path : in) : operand_path ? operand_path : in);
        goto out;
    }
    size_t len = op->by_cols ? data.cols : data.rows;
    a.data = &data;
    a.operand = operand.data ? &operand : NULL;
    if (assign_path) {
        if (coda_read_matrix(assign_path, &G, NULL, &e) < 0)
            goto out;
        if (coda_plan_from_assignment(&plan, &G, &a, len, &e) < 0) {
            coda_fail_prefix(&e, "%s: ", assign_path);
            goto out;
        }
    } else if (coda_plan_build(&plan, scheme, &a, len, &e) < 0) {
        if (e.cls == CODA_E_DATA && !(sc->caps & CODA_CAP_BOTH_FACTORS))
            e.cls = CODA_E_USAGE; /* built from the options alone: a bad combination of them */
        goto out;
    }
    /* (the codes of both factors record their own shape) */
    if (!(sc->caps & CODA_CAP_BOTH_FACTORS) &&
        coda_plan_set_result_shape(&plan, a.op, res_rows, res_cols, &e) < 0)
        goto out;
    if (lsq && coda_lsq_opts_to_meta(&solver, &plan.extra, &e) < 0)
        goto out;
    if (coda_open_stream_output(&w, out, &e) < 0)
        goto out;
    /* into a file renamed into place only at the end, a bad entry may be found as the data
     * is read; a stream that goes out as it is written must not begin first */
    int check_as_read = from_file && w.out.tmp;
    if (from_file && !check_as_read && check_file(in, &mf, 1, &input, &e) < 0)
        goto out;
    coda_frame f;
    if (coda_plan_to_frame(&plan, &f, &e) < 0)
        goto out;
    int rc = coda_meta_set(&f.meta, "program", prog, &e);
    if (rc == 0)
        rc = coda_writer_put(&w, &f, &e);
    coda_frame_free(&f);
    if (rc < 0)
        goto out;
    if (operand.data && !(sc->caps & CODA_CAP_BOTH_FACTORS)) {
        coda_frame_init(&f, CODA_MATRIX);
        f.mat = operand;
        rc = coda_meta_set(&f.meta, "role", "operand", &e);
        if (rc == 0)
            rc = coda_writer_put(&w, &f, &e);
        coda_meta_free(&f.meta);
        if (rc < 0)
            goto out;
    }
    progress_sink ps = {&w, plan.N};
    coda_progress_begin(prog, quiet);
    coda_parts_sink parts = {write_with_progress, head_with_progress, write_body, write_end, &ps};
    rc = from_file ? coda_encode_file(&plan, &mf, check_as_read, &parts, &e)
                   : coda_encode(&plan, &data, a.operand, write_with_progress, &ps, &e);
    coda_progress_end();
    if (rc < 0)
        goto out;
    if (coda_writer_close(&w, &e) < 0)
        goto out;
    if (!quiet && plan.threshold == 0 && sc && (sc->caps & CODA_CAP_APPROX))
        coda_say(prog, "%s: %d workers, %d blocks of at most %zu %s, any responders decode "
                       "approximately, load %.4g of the data per worker", plan.scheme, plan.N,
                 plan.K, coda_plan_max_block(&plan), plan.by_cols ? "columns" : "rows",
                 plan.load);
    else if (!quiet)
        coda_say(prog, "%s: %d workers, %d blocks of at most %zu %s, any %d responders "
                       "suffice%s, load %.4g of the data per worker",
                 plan.scheme, plan.N, plan.K, coda_plan_max_block(&plan),
                 plan.by_cols ? "columns" : "rows", plan.threshold ? plan.threshold : plan.N,
                 plan.threshold_bound ? " (smaller sets not all checked)"
                 : assign_path && plan.threshold > 1 ? " (fewer may, depending on which)" : "",
                 plan.load);
    if (!quiet) {
        coda_meta fig = {0};
        if (coda_plan_report(&plan, &fig, &e) == 0)
            coda_print_figures(prog, plan.scheme, &fig);
        coda_meta_free(&fig);
    }
    status = CODA_EXIT_OK;
out:
    if (status < 0)
        status = coda_exit_for(&e);
    if (status != CODA_EXIT_OK)
        coda_say(prog, "%s", e.msg);
    coda_writer_abort(&w); /* after a successful close, nothing is left to give up */
    coda_plan_free(&plan);
    coda_matfile_close(&mf);
    coda_mat_free(&input);
    coda_mat_free(&operand);
    coda_mat_free(&data);
    coda_mat_free(&extra);
    coda_mat_free(&G);
    coda_scheme_cli_free(&sc_opts);
    return status;
usage_error:
    coda_say(prog, "%s", e.msg);
    coda_scheme_cli_free(&sc_opts);
    return CODA_EXIT_USAGE;
}
