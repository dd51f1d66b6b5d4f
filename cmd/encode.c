/* coda-encode: split and encode data for N workers; writes PLAN, operand and TASK frames. */
#include <getopt.h>
#include <limits.h>
#include <math.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>

#include "../lib/cli/cli.h"
#include "../lib/codes/coding.h"
#include "../lib/codes/product.h"
#include "../lib/codes/scheme.h"
#include "../lib/io/stream.h"
#include "../lib/ops/ops.h"
#include "../lib/solve/lsq.h"
#include "../lib/work/work.h"

static const char *prog = "coda-encode";

static void usage(FILE *to)
{
    fprintf(to,
            "Usage: coda-encode --scheme NAME -N WORKERS [OPTIONS] [INPUT]\n"
            "Split the input matrix into blocks, code them for N workers, and write a stream:\n"
            "a PLAN frame, the operand (if any), then each worker's TASK frames.\n\n"
            "  --scheme NAME        uncoded, rep, frc, cyclic or mds (default uncoded); the\n"
            "                       product codes matdot, matdot-approx, linear and poly\n"
            "                       code both factors of A B (B from --operand)\n"
            "  -N, --workers N      number of workers (required)\n"
            "  -s, --stragglers S   stragglers the code must tolerate (default 0)\n"
            "  -K, --blocks K       data blocks (mds only; default N-s)\n"
            "  --op OP              matmul (default), matvec, grad or lsq-columns\n"
            "  --operand FILE       right operand (B for matmul, v for matvec, beta for grad);\n"
            "                       it travels in the stream to the workers\n"
            "  --labels FILE        grad: the labels y (else the input's last column is y)\n"
            "  --rhs FILE           lsq-columns: right-hand sides (default: the identity, so the\n"
            "                       result is the inverse or pseudoinverse of INPUT)\n"
            "  --method M           lsq-columns: the workers' solver, direct (LAPACK, default),\n"
            "                       sd or cg (see coda-invert(1))\n"
            "  --eps E, --iters N   lsq-columns sd/cg: tolerance (1e-6) and cap per column (10000)\n"
            "  --assign FILE        use this N x K allocation/encoding matrix (coda-assign)\n"
            "  --generator G        mds: gaussian (default) or chebyshev\n"
            "  -m M                 product codes: pieces per factor (matdot: any 2M-1 of N\n"
            "                       workers; matdot-approx: any M; poly: any M^2)\n"
            "  --eps E              matdot-approx: target error relative to ||A||_F ||B||_F;\n"
            "                       refused when float64 cannot reach it (unless --force)\n"
            "  --radius R           matdot-approx: auto (default), tight, paper, or a number;\n"
            "                       matdot and poly: the points' radius (default 1)\n"
            "  --points P           cheb or equi nodes (default: equi for matdot-approx, else\n"
            "                       cheb)\n"
            "  --design-responders R  matdot-approx: choose the radius for R responders (m)\n"
            "  --code FILE          linear: the 2M x N code of coda-assign --scheme matdot-search\n"
            "  --force              matdot-approx: encode even when eps is not reachable\n"
            "  --seed N             seed of every random choice (default 1)\n"
            "  -o, --output FILE    write the stream to FILE (default: stdout, not a terminal)\n"
            "  -q, --quiet          no summary on stderr\n"
            "  -h, --help, --version\n\n"
            "For matmul, matvec and grad the input rows are split; for lsq-columns the input A\n"
            "is the operand and the columns of the right-hand sides are split. See coda-encode(1).\n");
}

static int fail(const char *msg, int code)
{
    coda_say(prog, "%s", msg);
    return code;
}

/* A matrix read from `path` that coda-encode can code: not empty, every entry finite. */
static int check_input(const char *path, const char *what, const coda_mat *m, coda_err *e)
{
    if (m->rows == 0 || m->cols == 0)
        return coda_fail(e, "%s: %s is %zu x %zu: nothing to encode", path, what, m->rows,
                         m->cols);
    size_t bad = coda_mat_first_nonfinite(m);
    if (bad != (size_t)-1)
        return coda_fail(e, "%s: %s entry (%zu,%zu) is %s", path, what, bad % m->rows + 1,
                         bad / m->rows + 1, isnan(m->data[bad]) ? "NaN" : "infinite");
    return 0;
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

/* The product codes: A (the input) and B (--operand) both coded, a pair per worker. */
static int encode_product(coda_product_args *pa, const char *in, const char *operand_path,
                          const char *code_path, const char *out, int quiet)
{
    coda_mat A = {0}, B = {0}, code = {0};
    coda_plan plan = {0};
    coda_writer w = {0};
    coda_err e;
    coda_frame f;
    int status = -1; /* -1: the exit status of e's class */
    if (coda_read_matrix(in, &A, NULL, &e) < 0 || check_input(in, "A", &A, &e) < 0 ||
        coda_read_matrix(operand_path, &B, NULL, &e) < 0 ||
        check_input(operand_path, "B", &B, &e) < 0)
        goto out;
    if (code_path) {
        coda_meta cm = {0};
        if (coda_read_matrix(code_path, &code, &cm, &e) < 0)
            goto out;
        long long k = 0;
        if (coda_meta_get(&cm, "threshold") && coda_meta_get_long(&cm, "threshold", &k, &e) == 0)
            pa->code_threshold = (int)k;
        coda_meta_free(&cm);
        pa->m = (int)code.rows / 2;
        if (pa->P > 0 && pa->P != (int)code.cols) {
            coda_failc(&e, CODA_E_USAGE, "%s: the code is for %zu workers, -N says %d", code_path,
                       code.cols, pa->P);
            goto out;
        }
        pa->P = (int)code.cols;
        pa->code = &code;
    }
    if (coda_product_plan(&plan, pa, &A, &B, &e) < 0)
        goto out;
    if (coda_open_stream_output(&w, out, &e) < 0) {
        status = coda_exit_for(&e);
        goto out;
    }
    if (coda_plan_to_frame(&plan, &f, &e) < 0)
        goto out;
    int rc = coda_meta_set(&f.meta, "program", prog, &e);
    if (rc == 0)
        rc = coda_writer_put(&w, &f, &e);
    coda_frame_free(&f);
    if (rc < 0 || coda_product_encode(&plan, &A, &B, coda_writer_sink, &w, &e) < 0 ||
        coda_writer_close(&w, &e) < 0)
        goto out;
    if (!quiet) {
        double r = 0, pred = NAN;
        if (coda_meta_get(&plan.extra, "radius"))
            coda_meta_get_double(&plan.extra, "radius", &r, &e);
        if (coda_meta_get(&plan.extra, "predicted"))
            coda_meta_get_double(&plan.extra, "predicted", &pred, &e);
        char extra[160] = "";
        if (isfinite(pred))
            snprintf(extra, sizeof extra, ", radius %.3g, predicted error %.3g of ||A||_F ||B||_F "
                     "from %s responders", r, pred, coda_meta_get(&plan.extra, "design_responders"));
        coda_say(prog, "%s: %d workers, m = %d, any %d responders suffice%s", plan.scheme, plan.N,
                 plan.K, plan.threshold, extra);
    }
    status = CODA_EXIT_OK;
out:
    if (status < 0)
        status = coda_exit_for(&e);
    if (status != CODA_EXIT_OK)
        coda_say(prog, "%s", e.msg);
    coda_writer_abort(&w); /* after a successful close, nothing is left to give up */
    coda_plan_free(&plan);
    coda_mat_free(&A);
    coda_mat_free(&B);
    coda_mat_free(&code);
    return status;
}

int main(int argc, char **argv)
{
    enum { O_SCHEME = 256, O_OP, O_OPERAND, O_LABELS, O_RHS, O_ASSIGN, O_GEN, O_SEED, O_VERSION,
           O_METHOD, O_EPS, O_ITERS, O_RADIUS, O_POINTS, O_DESIGN, O_CODE, O_FORCE };
    static const struct option opts[] = {
        {"scheme", required_argument, 0, O_SCHEME}, {"workers", required_argument, 0, 'N'},
        {"stragglers", required_argument, 0, 's'},  {"blocks", required_argument, 0, 'K'},
        {"op", required_argument, 0, O_OP},         {"operand", required_argument, 0, O_OPERAND},
        {"labels", required_argument, 0, O_LABELS}, {"rhs", required_argument, 0, O_RHS},
        {"assign", required_argument, 0, O_ASSIGN}, {"generator", required_argument, 0, O_GEN},
        {"seed", required_argument, 0, O_SEED},     {"output", required_argument, 0, 'o'},
        {"quiet", no_argument, 0, 'q'},             {"help", no_argument, 0, 'h'},
        {"version", no_argument, 0, O_VERSION},     {"method", required_argument, 0, O_METHOD},
        {"eps", required_argument, 0, O_EPS},       {"iters", required_argument, 0, O_ITERS},
        {"radius", required_argument, 0, O_RADIUS}, {"points", required_argument, 0, O_POINTS},
        {"design-responders", required_argument, 0, O_DESIGN},
        {"code", required_argument, 0, O_CODE},     {"force", no_argument, 0, O_FORCE},
        {0, 0, 0, 0}};
    coda_product_args pa = {.rule = CODA_RADIUS_AUTO};
    const char *code_path = NULL;
    int product_opt = 0;
    coda_lsq_opts solver = {.method = CODA_LSQ_DIRECT, .eps = 1e-6, .iters = 10000};
    int solver_set = 0;
    const char *scheme = "uncoded", *out = NULL, *operand_path = NULL, *labels_path = NULL,
               *rhs_path = NULL, *assign_path = NULL;
    coda_scheme_args a = {.N = 0, .s = 0, .K = 0, .op = "matmul", .seed = 1};
    int quiet = 0, c;
    long v;
    coda_err e;
    while ((c = getopt_long(argc, argv, "N:s:K:m:o:qh", opts, NULL)) != -1) {
        switch (c) {
        case 'm':
            if (coda_parse_long("-m", optarg, 1, 16, &v, &e) < 0)
                return fail(e.msg, CODA_EXIT_USAGE);
            pa.m = (int)v;
            break;
        case O_RADIUS:
            product_opt = 1;
            if (strcmp(optarg, "auto") == 0)
                pa.rule = CODA_RADIUS_AUTO;
            else if (strcmp(optarg, "tight") == 0)
                pa.rule = CODA_RADIUS_TIGHT;
            else if (strcmp(optarg, "paper") == 0)
                pa.rule = CODA_RADIUS_PAPER;
            else if (coda_parse_double_range("--radius", optarg, 0, 1, 1, &pa.radius, &e) < 0) {
                coda_say(prog, "option --radius: '%s' is not auto, tight, paper or a number in "
                               "(0, 1]", optarg);
                return CODA_EXIT_USAGE;
            }
            break;
        case O_POINTS:
            product_opt = 1;
            pa.nodes_set = 1;
            if (strcmp(optarg, "cheb") == 0)
                pa.nodes = CODA_NODES_CHEB;
            else if (strcmp(optarg, "equi") == 0)
                pa.nodes = CODA_NODES_EQUI;
            else
                return fail("option --points: cheb or equi", CODA_EXIT_USAGE);
            break;
        case O_DESIGN:
            product_opt = 1;
            if (coda_parse_long("--design-responders", optarg, 1, 100000, &v, &e) < 0)
                return fail(e.msg, CODA_EXIT_USAGE);
            pa.design = (int)v;
            break;
        case O_CODE: product_opt = 1; code_path = optarg; break;
        case O_FORCE: product_opt = 1; pa.force = 1; break;
        case O_SCHEME: scheme = optarg; break;
        case 'N':
            if (coda_parse_long("--workers", optarg, 1, 100000, &v, &e) < 0)
                return fail(e.msg, CODA_EXIT_USAGE);
            a.N = (int)v;
            break;
        case 's':
            if (coda_parse_long("--stragglers", optarg, 0, 100000, &v, &e) < 0)
                return fail(e.msg, CODA_EXIT_USAGE);
            a.s = (int)v;
            break;
        case 'K':
            if (coda_parse_long("--blocks", optarg, 1, 100000, &v, &e) < 0)
                return fail(e.msg, CODA_EXIT_USAGE);
            a.K = (int)v;
            break;
        case O_OP: a.op = optarg; break;
        case O_METHOD:
            solver_set = 1;
            if (coda_lsq_method_parse(optarg, &solver.method) < 0) {
                coda_say(prog, "option --method: unknown method '%s' (direct, sd, cg)", optarg);
                return CODA_EXIT_USAGE;
            }
            break;
        case O_EPS:
            solver_set = 1;
            if (coda_parse_double_range("--eps", optarg, 0, 1, INFINITY, &solver.eps, &e) < 0)
                return fail(e.msg, CODA_EXIT_USAGE);
            break;
        case O_ITERS:
            solver_set = 1;
            if (coda_parse_long("--iters", optarg, 0, 1000000000, &solver.iters, &e) < 0)
                return fail(e.msg, CODA_EXIT_USAGE);
            break;
        case O_OPERAND: operand_path = optarg; break;
        case O_LABELS: labels_path = optarg; break;
        case O_RHS: rhs_path = optarg; break;
        case O_ASSIGN: assign_path = optarg; break;
        case O_GEN: a.generator = optarg; break;
        case O_SEED:
            if (coda_parse_u64("--seed", optarg, &a.seed, &e) < 0)
                return fail(e.msg, CODA_EXIT_USAGE);
            break;
        case 'o': out = optarg; break;
        case 'q': quiet = 1; break;
        case 'h': usage(stdout); return CODA_EXIT_OK;
        case O_VERSION: coda_print_version(prog); return CODA_EXIT_OK;
        default: usage(stderr); return CODA_EXIT_USAGE;
        }
    }
    const coda_op *op = coda_op_find(a.op);
    if (!op) {
        coda_say(prog, "option --op: unknown op '%s' (%s)", a.op, coda_op_names());
        return CODA_EXIT_USAGE;
    }
    if (coda_product_scheme(scheme)) {
        if (op != &coda_op_matmul)
            return fail("product codes compute --op matmul", CODA_EXIT_USAGE);
        if (solver.method != CODA_LSQ_DIRECT || solver.iters != 10000)
            return fail("--method and --iters are for --op lsq-columns", CODA_EXIT_USAGE);
        if (a.N < 1 && strcmp(scheme, "linear") != 0)
            return fail("option -N/--workers is required", CODA_EXIT_USAGE);
        if (pa.m < 1 && strcmp(scheme, "linear") != 0)
            return fail("option -m is required for the product codes", CODA_EXIT_USAGE);
        if (!operand_path)
            return fail("product codes need B: --operand FILE", CODA_EXIT_USAGE);
        if (strcmp(scheme, "linear") == 0 && !code_path)
            return fail("--scheme linear needs --code FILE", CODA_EXIT_USAGE);
        if (pa.rule != CODA_RADIUS_AUTO && !(solver_set && solver.eps > 0 && solver.eps < 2))
            return fail("--radius tight and paper need --eps E with 0 < E < 2", CODA_EXIT_USAGE);
        if (argc - optind > 1)
            return fail("expected at most one input file", CODA_EXIT_USAGE);
        pa.scheme = scheme;
        pa.P = a.N;
        pa.seed = a.seed;
        pa.eps = solver_set ? solver.eps : 0;
        return encode_product(&pa, optind < argc ? argv[optind] : "-", operand_path, code_path,
                              out, quiet);
    }
    if (product_opt || pa.m)
        return fail("-m, --radius, --points, --design-responders, --code and --force are for "
                    "the product codes (matdot, matdot-approx, linear, poly)", CODA_EXIT_USAGE);
    if (solver_set && !op->by_cols)
        return fail("--method, --eps and --iters are for --op lsq-columns", CODA_EXIT_USAGE);
    if (!assign_path && a.N < 1)
        return fail("option -N/--workers is required (or give --assign FILE)", CODA_EXIT_USAGE);
    if (!assign_path && !coda_scheme_find(scheme)) {
        coda_say(prog, "option --scheme: unknown scheme '%s' (uncoded, rep, frc, cyclic, mds, "
                       "matdot, matdot-approx, linear, poly)",
                 scheme);
        return CODA_EXIT_USAGE;
    }
    if (argc - optind > 1)
        return fail("expected at most one input file", CODA_EXIT_USAGE);
    const char *in = optind < argc ? argv[optind] : "-";

    coda_mat input = {0}, operand = {0}, data = {0}, extra = {0};
    coda_plan plan = {0};
    coda_writer w = {0};
    int status = -1; /* -1: the exit status of e's class */
    if (coda_read_matrix(in, &input, NULL, &e) < 0 ||
        check_input(in, op->by_cols ? "A" : "the data", &input, &e) < 0)
        goto out;
    if (op->by_cols) { /* lsq-columns: the input is A; the right-hand sides are split */
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
                             check_input(operand_path, "the operand", &operand, &e) < 0))
            goto out;
        if (op->sums && labels_path) {
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
        coda_fail_prefix(&e, "%s: ", op->by_cols ? (rhs_path ? rhs_path : in) : operand_path ? operand_path : in);
        goto out;
    }
    size_t len = op->by_cols ? data.cols : data.rows;
    if (assign_path) {
        coda_mat G;
        if (coda_read_matrix(assign_path, &G, NULL, &e) < 0)
            goto out;
        int rc = coda_plan_from_assignment(&plan, &G, &a, len, &e);
        coda_mat_free(&G);
        if (rc < 0) {
            coda_fail_prefix(&e, "%s: ", assign_path);
            goto out;
        }
    } else if (coda_plan_build(&plan, scheme, &a, len, &e) < 0) {
        status = CODA_EXIT_USAGE;
        goto out;
    }
    /* a matmul's columns are the operand's, which coda-worker-sim --operand may replace */
    if (coda_plan_set_shape(&plan, res_rows, op == &coda_op_matmul ? 0 : res_cols, &e) < 0)
        goto out;
    if (op->by_cols && coda_lsq_opts_to_meta(&solver, &plan.extra, &e) < 0)
        goto out;
    if (coda_open_stream_output(&w, out, &e) < 0) {
        status = coda_exit_for(&e);
        goto out;
    }
    coda_frame f;
    if (coda_plan_to_frame(&plan, &f, &e) < 0)
        goto out;
    int rc = coda_meta_set(&f.meta, "program", prog, &e);
    if (rc == 0)
        rc = coda_writer_put(&w, &f, &e);
    coda_frame_free(&f);
    if (rc < 0)
        goto out;
    if (operand.data) {
        coda_frame_init(&f, CODA_MATRIX);
        f.mat = operand;
        rc = coda_meta_set(&f.meta, "role", "operand", &e);
        if (rc == 0)
            rc = coda_writer_put(&w, &f, &e);
        coda_meta_free(&f.meta);
        if (rc < 0)
            goto out;
    }
    if (coda_encode_tasks(&plan, &data, coda_writer_sink, &w, &e) < 0)
        goto out;
    if (coda_writer_close(&w, &e) < 0)
        goto out;
    if (!quiet)
        coda_say(prog, "%s: %d workers, %d blocks of at most %zu %s, any %d responders "
                       "suffice%s, load %.4g of the data per worker",
                 plan.scheme, plan.N, plan.K, coda_plan_max_block(&plan),
                 plan.by_cols ? "columns" : "rows", plan.threshold ? plan.threshold : plan.N,
                 plan.threshold_bound ? " (smaller sets not all checked)"
                 : assign_path && plan.threshold > 1 ? " (fewer may, depending on which)" : "",
                 plan.load);
    status = CODA_EXIT_OK;
out:
    if (status < 0)
        status = coda_exit_for(&e);
    if (status != CODA_EXIT_OK)
        coda_say(prog, "%s", e.msg);
    coda_writer_abort(&w); /* after a successful close, nothing is left to give up */
    coda_plan_free(&plan);
    coda_mat_free(&input);
    coda_mat_free(&operand);
    coda_mat_free(&data);
    coda_mat_free(&extra);
    return status;
}
