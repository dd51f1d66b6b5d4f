/* coda-invert: approximate inverse or pseudoinverse, column by column, on one process or on N
 * simulated workers with a straggler-robust code ([inverse], arXiv:2003.02948). */
#include <getopt.h>
#include <math.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>

#include "../lib/cli/cli.h"
#include "../lib/cli/options.h"
#include "../lib/run/invert.h"

static const char *prog = "coda-invert";

enum { O_MODE = 256, O_METHOD, O_EPS, O_SCALE, O_NAMED, O_LAT, O_REPORT };

static const coda_cli_option options[] = {
    {"mode", O_MODE, "MODE", "inverse (default), left (tall A: (A^T A)^-1 A^T), right (wide A: "
                             "A^T (A A^T)^-1), or pinv (left or right from the shape)"},
    {"method", O_METHOD, "M", "direct (LAPACK, default), sd (steepest descent, backtracking) or "
                              "cg (conjugate gradient on the normal equations)"},
    CODA_CLI_TOL_HELP("sd: stop at ||grad f_i|| <= E; cg: at ||b_k - b_k-1|| <= E (default "
                      "1e-6)"),
    {"eps", O_EPS, "E", "the old name of --tol: still works, with a warning"},
    CODA_CLI_ITERS_HELP("iteration cap per column (default 10000); capped columns are named in "
                        "a warning"),
    {"scale", O_SCALE, "D|auto", "solve for (D A)^-1 and multiply by D (paper §III-B); auto: "
                                 "D = 1/sigma_min from LAPACK's singular values (O(n^3))"},
    CODA_CLI_WORKERS_HELP("distribute the columns over N simulated workers"),
    CODA_CLI_STRAGGLERS_HELP("code for S stragglers and draw S at random (default 0) unless "
                             "--straggle-workers names them"),
    CODA_CLI_SCHEME_HELP("the code for -N (default frc; uncoded, rep, mds also work)"),
    {"straggle-workers", O_NAMED, "LIST", "these workers (0-based, comma-separated) never "
                                          "respond"},
    {"latency", O_LAT, "MODEL", "none, shifted-exp:SHIFT,RATE or pareto:SCALE,SHAPE"},
    CODA_CLI_SEED_HELP("seed of every random choice (default 1)"),
    {"report", O_REPORT, "FILE", "CSV of errors against LAPACK's exact (pseudo)inverse, "
                                 "iterations and the bounds of Proposition 1 / Corollary 2 "
                                 "('-': stderr)"},
    CODA_CLI_OUTPUT_HELP("write the estimate to FILE (format from the extension)"),
    CODA_CLI_FORMAT_HELP("bin, csv, tsv, npy or mtx"),
    CODA_CLI_QUIET_HELP("no summary on stderr (warnings still print)"),
    CODA_CLI_HELP,
    CODA_CLI_VERSION,
    CODA_CLI_END};

static void usage(FILE *to)
{
    fprintf(to, "Usage: coda-invert [OPTIONS] [MATRIX]\n"
                "Approximate A^-1 (or a pseudoinverse) column by column with a least-squares\n"
                "solver.\n\n");
    coda_cli_print_options(to, options);
    fprintf(to, "\nSee coda-invert(1).\n");
}

static int fail(const char *msg, int code)
{
    coda_say(prog, "%s", msg);
    return code;
}

static void print_num(FILE *f, double x) { fprintf(f, isnan(x) ? ",nan" : ",%.6e", x); }

static void write_report(FILE *f, const coda_invert_opts *o, const coda_mat *A,
                         const coda_invert_info *info, const coda_invert_report *r)
{
    fprintf(f, "mode,method,rows,cols,eps,scale,workers,responders,iters_max,iters_mean,capped,"
               "err_l2,err_F,err_rF,bound_F,bound_rF,bound_F_obs,bound_rF_obs,paper_bound_F,"
               "paper_bound_rF,sigma_min,sigma_max\n");
    fprintf(f, "%s,%s,%zu,%zu,%.6e,%.6e,%d,%d,%ld,%.6g,%zu", coda_inv_mode_name(o->mode),
            coda_lsq_method_name(o->lsq.method), A->rows, A->cols, o->lsq.eps, o->scale, info->N,
            info->responders, info->lsq.iters_max,
            info->lsq.columns ? info->lsq.iters_sum / (double)info->lsq.columns : 0.0,
            info->lsq.ncapped);
    double v[] = {r->err_l2,        r->err_F,         r->err_rF,        r->bound_F,
                  r->bound_rF,      r->bound_F_obs,   r->bound_rF_obs,  r->paper_bound_F,
                  r->paper_bound_rF, r->sigma_min,    r->sigma_max};
    for (size_t k = 0; k < sizeof v / sizeof v[0]; k++)
        print_num(f, v[k]);
    fputc('\n', f);
}

int main(int argc, char **argv)
{
    coda_invert_opts o = {.lsq = {.method = CODA_LSQ_DIRECT, .eps = 1e-6, .iters = 10000},
                          .scale = 1.0, .seed = 1};
    coda_straggle_model m = {.kind = CODA_LAT_NONE, .stragglers = -1, .wait_for = -1,
                             .deadline = -1, .seed = 1};
    const char *mode = "inverse", *out = NULL, *fmt = NULL, *report = NULL, *scale = NULL;
    long N = 0, s = 0, *named = NULL;
    int quiet = 0, c;
    coda_err e;
    coda_cli_getopt g;
    if (coda_cli_getopt_build(&g, options, &e) < 0)
        return fail(e.msg, CODA_EXIT_DATA);
    while ((c = getopt_long(argc, argv, g.shortopts, g.longopts, NULL)) != -1) {
        int bad = 0;
        switch (c) {
        case O_MODE: mode = optarg; break;
        case O_METHOD:
            if (coda_lsq_method_parse(optarg, &o.lsq.method) < 0)
                bad = coda_fail(&e, "option --method: unknown method '%s' (direct, sd, cg)", optarg);
            break;
        case O_EPS:
            coda_say(prog, "warning: --eps is now --tol (a solver's stopping tolerance; --eps "
                           "names accuracy targets)");
            /* fall through */
        case CODA_CLI_TOL_ID:
            bad = coda_parse_double_range("--tol", optarg, 0, 1, INFINITY, &o.lsq.eps, &e);
            break;
        case CODA_CLI_ITERS_ID: bad = coda_parse_long("--iters", optarg, 0, 1000000000, &o.lsq.iters, &e); break;
        case O_SCALE:
            scale = optarg;
            if (strcmp(optarg, "auto") != 0)
                bad = coda_parse_double_range("--scale", optarg, 0, 1, INFINITY, &o.scale, &e);
            break;
        case 'N': bad = coda_parse_long("--workers", optarg, 1, 100000, &N, &e); break;
        case 's': bad = coda_parse_long("--stragglers", optarg, 0, 100000, &s, &e); break;
        case CODA_CLI_SCHEME_ID: o.scheme = optarg; break;
        case O_NAMED: bad = coda_parse_list("--straggle-workers", optarg, &named, &m.nnamed, &e); break;
        case O_LAT:
            bad = coda_latency_parse(optarg, &m, &e);
            if (bad)
                coda_fail_prefix(&e, "option --latency: ");
            break;
        case CODA_CLI_SEED_ID: bad = coda_parse_u64("--seed", optarg, &o.seed, &e); break;
        case O_REPORT: report = optarg; break;
        case 'o': out = optarg; break;
        case 'f': fmt = optarg; break;
        case 'q': quiet = 1; break;
        case 'h': usage(stdout); return CODA_EXIT_OK;
        case CODA_CLI_VERSION_ID: coda_print_version(prog); return CODA_EXIT_OK;
        default: usage(stderr); return CODA_EXIT_USAGE;
        }
        if (bad) {
            free(named);
            return fail(e.msg, CODA_EXIT_USAGE);
        }
    }
    if (argc - optind > 1) {
        free(named);
        coda_say(prog, "unexpected argument '%s': one input matrix at most", argv[optind + 1]);
        return CODA_EXIT_USAGE;
    }
    if (coda_check_output(out, fmt, &e) < 0) {
        free(named);
        return fail(e.msg, coda_exit_for(&e));
    }
    if (!N && (s || named || m.kind != CODA_LAT_NONE || o.scheme)) {
        free(named);
        return fail("-s, --scheme, --straggle-workers and --latency need -N workers",
                    CODA_EXIT_USAGE);
    }
    const char *in = optind < argc ? argv[optind] : "-";
    m.named = named;
    m.stragglers = s > 0 && !named ? s : -1; /* named stragglers replace the random draw */
    m.seed = o.seed;
    o.N = (int)N;
    o.s = (int)s;
    o.straggle = &m;
    coda_mat A = {0}, X = {0};
    coda_invert_info info = {0};
    coda_outfile rf = {0};
    int status = -1, have_info = 0; /* -1: a library error, in e */
    if (coda_read_matrix(in, &A, NULL, &e) < 0)
        goto out;
    if (coda_inv_mode_parse(mode, A.rows, A.cols, &o.mode, &e) < 0) {
        e.cls = CODA_E_USAGE; /* a mode name, or one the matrix's shape does not allow */
        coda_fail_prefix(&e, "option --mode: ");
        goto out;
    }
    if (scale && strcmp(scale, "auto") == 0 &&
        coda_invert_auto_scale(&A, o.mode, &o.scale, &e) < 0) {
        coda_fail_prefix(&e, "%s: --scale auto: ", in);
        goto out;
    }
    coda_progress_begin(prog, quiet);
    if (coda_progress_on()) {
        o.progress = coda_progress_worker;       /* distributed: workers done */
        o.lsq.progress = coda_progress_columns; /* sd, cg: iterations and columns done */
    }
    int rc = coda_invert(&A, &o, &X, &info, &e);
    coda_progress_end();
    if (rc < 0) {
        coda_fail_prefix(&e, "%s: ", in);
        goto out;
    }
    have_info = 1;
    char capped[512];
    coda_lsq_capped_text(&info.lsq, o.lsq.iters, capped, sizeof capped);
    if (capped[0])
        coda_say(prog, "warning: %s", capped);
    if (info.lsq.resid2_sum >= 0.5) /* not NaN: an iterative method */
        coda_say(prog, "warning: ||M X - I||_F = %.3g (M = %s): a poor %s at eps %g; the residuals "
                       "show sigma_min(M) <= %.3g",
                 sqrt(info.lsq.resid2_sum), o.mode == CODA_INV_INVERSE ? "A" : "the Gram matrix",
                 o.mode == CODA_INV_INVERSE ? "inverse" : "pseudoinverse", o.lsq.eps,
                 info.lsq.sigma_upper / o.scale);
    coda_frame f;
    coda_frame_init(&f, CODA_MATRIX);
    f.mat = X;
    rc = coda_meta_set(&f.meta, "program", prog, &e) |
         coda_meta_set(&f.meta, "mode", coda_inv_mode_name(o.mode), &e) |
         coda_meta_set(&f.meta, "method", coda_lsq_method_name(o.lsq.method), &e);
    if (rc == 0 && o.lsq.method != CODA_LSQ_DIRECT)
        rc = coda_meta_set_double(&f.meta, "eps", o.lsq.eps, &e) |
             coda_meta_set_long(&f.meta, "iters_max", info.lsq.iters_max, &e) |
             coda_meta_set_long(&f.meta, "capped", (long long)info.lsq.ncapped, &e);
    /* the report is made first, so that the estimate and the report are written together
     * (the report file is committed just before the estimate) or not at all */
    if (rc == 0 && report) {
        coda_invert_report rep;
        if (coda_invert_check(&A, &X, &o, &info, &rep, &e) < 0 ||
            coda_outfile_open(&rf, report, stderr, &e) < 0) {
            coda_fail_prefix(&e, "--report: ");
            rc = -1;
        } else
            write_report(rf.f, &o, &A, &info, &rep);
    }
    if (rc == 0)
        rc = coda_write_output_side(out, fmt, &f, &rf, &e);
    else
        rc = coda_exit_for(&e);
    coda_meta_free(&f.meta);
    if (rc != 0) {
        coda_say(prog, "%s", e.msg);
        status = rc;
        goto out;
    }
    if (!quiet) {
        char dist[160] = "";
        if (N)
            snprintf(dist, sizeof dist, "; %s on %d workers, %d responded", info.scheme, info.N,
                     info.responders);
        if (o.lsq.method == CODA_LSQ_DIRECT)
            coda_say(prog, "%s of %zu x %zu by LAPACK%s", coda_inv_mode_name(o.mode), A.rows,
                     A.cols, dist);
        else
            coda_say(prog, "%s of %zu x %zu by %s (eps %g): %zu columns, iterations max %ld, "
                           "mean %.1f%s",
                     coda_inv_mode_name(o.mode), A.rows, A.cols, coda_lsq_method_name(o.lsq.method),
                     o.lsq.eps, info.lsq.columns, info.lsq.iters_max,
                     info.lsq.columns ? info.lsq.iters_sum / (double)info.lsq.columns : 0.0, dist);
    }
    status = CODA_EXIT_OK;
out:
    if (status < 0) {
        coda_say(prog, "%s", e.msg);
        status = coda_exit_for(&e);
    }
    coda_outfile_abort(&rf);
    if (have_info)
        coda_invert_info_free(&info);
    coda_mat_free(&A);
    coda_mat_free(&X);
    free(named);
    return status;
}
