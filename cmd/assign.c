/* coda-assign: write a scheme's N x K allocation/encoding matrix so a user can inspect or edit
 * it and pass it back with coda-encode --assign FILE. */
#include <getopt.h>
#include <stdio.h>
#include <stdlib.h>

#include "../lib/cli/cli.h"
#include "../lib/cli/options.h"
#include "../lib/cli/scheme_opts.h"
#include "../lib/codes/scheme.h"
#include "../lib/codes/search.h"

#include <math.h>
#include <string.h>

static const char *prog = "coda-assign";

enum { O_THRESHOLD = 256, O_STARTS, O_INIT };

static const coda_cli_option options[] = {
    CODA_CLI_SCHEME_HELP("a code that splits the data (default uncoded; list below)"),
    CODA_CLI_WORKERS_HELP("number of workers (required)"),
    CODA_CLI_STRAGGLERS_HELP("stragglers to tolerate (default 0)"),
    CODA_CLI_BLOCKS_HELP("data blocks (default: the scheme's)"),
    CODA_CLI_SEED_HELP("seed of the scheme's random choices (default 1)"),
    CODA_CLI_OUTPUT_HELP("output file (format from its extension unless -f)"),
    CODA_CLI_FORMAT_HELP("bin, csv, tsv, npy or mtx (default: csv to a terminal)"),
    CODA_CLI_QUIET,
    CODA_CLI_HELP,
    CODA_CLI_VERSION,
    CODA_CLI_HEADING("Code search ([approx-matdot] §IV, arXiv:2105.01973): --scheme\n"
                     "matdot-search -m M --threshold k -N P writes a 2M x P code (A-coefficients,\n"
                     "then B's) for coda-encode --scheme linear --code FILE."),
    {NULL, 'm', "M", "pieces per factor"},
    {"threshold", O_THRESHOLD, "k", "responders the code is designed for (m <= k < 2m-1)"},
    {"starts", O_STARTS, "S", "random starts, the best kept (default 20)"},
    CODA_CLI_ITERS_HELP("iterations per start (default 20000)"),
    {"init", O_INIT, "I", "randn (default) or matdot:R (start from MatDot at radius R)"},
    CODA_CLI_TRACE_HELP("CSV: start, iteration, loss, max|d|, max|alpha|, max|beta| ('-': "
                        "stdout, with -o FILE)"),
    CODA_CLI_END};

static void usage(FILE *to)
{
    fprintf(to, "Usage: coda-assign --scheme NAME -N WORKERS [-s S] [-K K] [OPTIONS]\n"
                "Write the N x K allocation/encoding matrix G of a scheme: row i says which data\n"
                "blocks worker i holds and with which coefficient. Edit it and give it back with\n"
                "coda-encode --assign FILE.\n\n");
    coda_cli_print_options(to, options);
    fprintf(to, "\nSchemes (the product codes, which code both factors, have no allocation to\n"
                "write):\n");
    for (const coda_scheme *const *s = coda_scheme_list(); *s; s++)
        if (!((*s)->caps & CODA_CAP_BOTH_FACTORS) && *s != coda_scheme_for_assignment())
            coda_cli_print_entry(to, 2, 16, (*s)->name, (*s)->summary);
    coda_cli_print_entry(to, 2, 16, "matdot-search",
                         "alternating minimization over MatDot-split linear codes (Algorithm 1)");
    fprintf(to, "\nThe schemes' own options:\n");
    coda_scheme_cli_usage(to, 0);
}

typedef struct {
    coda_outfile trace; /* committed with the code, or given up */
    long iters;
} search_ctx;

static void on_trace(void *ctx, int start, long iter, double loss, double max_d, double max_a,
                     double max_b)
{
    search_ctx *c = ctx;
    if (c->trace.f)
        fprintf(c->trace.f, "%d,%ld,%.17g,%.6g,%.6g,%.6g\n", start, iter, loss, max_d, max_a,
                max_b);
    coda_progress("start %d, iteration %ld of %ld, loss %.3g", start, iter, c->iters, loss);
}

/* --scheme matdot-search */
static int search(const coda_search_opts *so, const char *trace_path, const char *out,
                  const char *fmt, int quiet)
{
    coda_err e;
    coda_search_opts o = *so;
    search_ctx c = {.iters = o.iters};
    if (trace_path) {
        if (coda_open_side_output(&c.trace, "--trace", trace_path, out, &e) < 0) {
            coda_say(prog, "%s", e.msg);
            return coda_exit_for(&e);
        }
        fprintf(c.trace.f, "start,iteration,loss,max_d,max_alpha,max_beta\n");
    }
    o.trace = on_trace;
    o.trace_ctx = &c;
    coda_search_result r;
    coda_progress_begin(prog, quiet);
    int rc = coda_matdot_search(&o, &r, &e);
    coda_progress_end();
    if (rc < 0) {
        coda_outfile_abort(&c.trace);
        coda_say(prog, "%s", e.msg);
        return coda_exit_for(&e);
    }
    coda_frame f;
    coda_frame_init(&f, CODA_MATRIX);
    f.mat = r.code;
    rc = coda_meta_set(&f.meta, "program", prog, &e) |
         coda_meta_set(&f.meta, "scheme", "matdot-search", &e) |
         coda_meta_set_long(&f.meta, "m", o.m, &e) |
         coda_meta_set_long(&f.meta, "threshold", o.k, &e) |
         coda_meta_set_long(&f.meta, "N", o.P, &e) |
         coda_meta_set_double(&f.meta, "loss", r.loss, &e) |
         coda_meta_set_double(&f.meta, "max_subset_loss", r.max_loss, &e) |
         coda_meta_set_double(&f.meta, "max_error_norm", r.max_e2, &e) |
         coda_meta_set_double(&f.meta, "thm5_bound", r.thm5, &e) |
         coda_meta_set_long(&f.meta, "starts", o.starts, &e) |
         coda_meta_set_long(&f.meta, "iters", o.iters, &e) |
         coda_meta_set_long(&f.meta, "best_start", r.best_start, &e) |
         coda_meta_setf(&f.meta, &e, "seed", "%llu", o.seed);
    rc = rc == 0 ? coda_write_output_side(out, fmt, &f, &c.trace, &e) : coda_exit_for(&e);
    coda_meta_free(&f.meta);
    coda_outfile_abort(&c.trace);
    coda_mat_free(&r.code);
    if (rc != 0) {
        coda_say(prog, "%s", e.msg);
        return rc;
    }
    if (!quiet)
        coda_say(prog, "matdot-search: m = %d, k = %d, P = %d, %ld subsets, best of %d starts "
                   "(start %d): loss (28) %.3g, worst subset ||E||_F^2 %.3g; error bounds "
                   "relative to ||A||_F ||B||_F: Theorem 5 %.3g, tight max ||E||_2 %.3g",
             o.m, o.k, o.P, r.subsets, o.init_radius > 0 ? 1 : o.starts, r.best_start, r.loss,
             r.max_loss, r.thm5, r.max_e2);
    return CODA_EXIT_OK;
}

static int assign_main(int argc, char **argv, coda_scheme_cli *sc_opts);

int main(int argc, char **argv)
{
    coda_err e;
    coda_scheme_cli sc_opts; /* the schemes' own options; -m and --threshold are the search's */
    coda_cli_getopt g;
    if (coda_cli_getopt_build(&g, options, &e) < 0 ||
        coda_scheme_cli_init(&sc_opts, g.longopts, g.shortopts, 0, &e) < 0) {
        coda_say(prog, "%s", e.msg);
        return coda_exit_for(&e);
    }
    int rc = assign_main(argc, argv, &sc_opts);
    coda_scheme_cli_free(&sc_opts);
    return rc;
}

static int assign_main(int argc, char **argv, coda_scheme_cli *sc_opts)
{
    coda_search_opts so = {.starts = 20, .iters = 20000};
    const char *trace_path = NULL;
    int search_opt = 0, quiet = 0;
    const char *scheme = coda_scheme_default()->name, *out = NULL, *fmt = NULL;
    coda_scheme_args a = {.op = "matmul", .seed = 1};
    coda_err e;
    long v;
    int c;
    while ((c = getopt_long(argc, argv, sc_opts->shortopts, sc_opts->longopts, NULL)) != -1) {
        int bad = 0;
        switch (c) {
        case 'm': /* the search's; linear's -m belongs to coda-encode */
            bad = coda_parse_long("-m", optarg, 1, 16, &v, &e);
            so.m = (int)v;
            search_opt = 1;
            break;
        case O_THRESHOLD:
            bad = coda_parse_long("--threshold", optarg, 1, 64, &v, &e);
            so.k = (int)v;
            search_opt = 1;
            break;
        case O_STARTS: bad = coda_parse_long("--starts", optarg, 1, 1000000, &v, &e); so.starts = (int)v; break;
        case CODA_CLI_ITERS_ID: bad = coda_parse_long("--iters", optarg, 0, 1000000000, &so.iters, &e); break;
        case O_INIT:
            if (strcmp(optarg, "randn") == 0)
                so.init_radius = 0;
            else if (strncmp(optarg, "matdot:", 7) != 0 ||
                     coda_parse_double_range("--init", optarg + 7, 0, 1, INFINITY, &so.init_radius, &e) < 0) {
                coda_fail(&e, "option --init: randn or matdot:R with R > 0");
                bad = -1;
            }
            break;
        case CODA_CLI_TRACE_ID: trace_path = optarg; break;
        case CODA_CLI_SCHEME_ID: scheme = optarg; break;
        case 'N': bad = coda_parse_long("--workers", optarg, 1, 100000, &v, &e); a.N = (int)v; break;
        case 's': bad = coda_parse_long("--stragglers", optarg, 0, 100000, &v, &e); a.s = (int)v; break;
        case 'K': bad = coda_parse_long("--blocks", optarg, 1, 100000, &v, &e); a.K = (int)v; break;
        case CODA_CLI_SEED_ID: bad = coda_parse_u64("--seed", optarg, &a.seed, &e); break;
        case 'o': out = optarg; break;
        case 'f': fmt = optarg; break;
        case 'q': quiet = 1; break;
        case 'h': usage(stdout); return CODA_EXIT_OK;
        case CODA_CLI_VERSION_ID: coda_print_version(prog); return CODA_EXIT_OK;
        default:
            bad = coda_scheme_cli_option(sc_opts, c, optarg, &e);
            if (bad == 0) {
                usage(stderr);
                return CODA_EXIT_USAGE;
            }
            bad = bad < 0;
        }
        if (bad) {
            coda_say(prog, "%s", e.msg);
            return CODA_EXIT_USAGE;
        }
    }
    if (coda_check_output(out, fmt, &e) < 0) {
        coda_say(prog, "%s", e.msg);
        return CODA_EXIT_USAGE;
    }
    if (strcmp(scheme, "matdot-search") == 0) {
        if (a.N < 1 || so.m < 1 || so.k < 1 || optind != argc) {
            coda_say(prog, "matdot-search needs -m M, --threshold k and -N P");
            return CODA_EXIT_USAGE;
        }
        so.P = a.N;
        so.seed = a.seed;
        return search(&so, trace_path, out, fmt, quiet);
    }
    if (search_opt || trace_path) {
        coda_say(prog, "-m, --threshold and --trace are for --scheme matdot-search");
        return CODA_EXIT_USAGE;
    }
    if (a.N < 1 || optind != argc) {
        coda_say(prog, a.N < 1 ? "option -N/--workers is required" : "unexpected argument '%s'",
                 optind < argc ? argv[optind] : "");
        return CODA_EXIT_USAGE;
    }
    const coda_scheme *sc = coda_scheme_find(scheme);
    if (!sc) {
        coda_say(prog, "option --scheme: unknown scheme '%s'", scheme);
        return CODA_EXIT_USAGE;
    }
    if ((sc->caps & CODA_CAP_BOTH_FACTORS) || sc == coda_scheme_for_assignment()) {
        coda_say(prog, "--scheme %s: %s", scheme,
                 sc == coda_scheme_for_assignment() ? "is what coda-encode --assign makes of a file"
                 : "codes both factors of A B and has no allocation matrix (see coda-encode)");
        return CODA_EXIT_USAGE;
    }
    if (coda_scheme_cli_check(sc_opts, sc, &e) < 0) {
        coda_say(prog, "%s", e.msg);
        return CODA_EXIT_USAGE;
    }
    if (!(sc->caps & CODA_CAP_CONCATS))
        a.op = "grad";
    coda_plan p;
    a.opts = &sc_opts->given;
    int built = coda_plan_build(&p, scheme, &a, 0, &e);
    if (built < 0) {
        if (e.cls == CODA_E_DATA) /* built from the options alone: a bad combination of them */
            e.cls = CODA_E_USAGE;
        coda_say(prog, "%s", e.msg);
        return coda_exit_for(&e);
    }
    coda_meta fig = {0};
    if (coda_plan_report(&p, &fig, &e) < 0) {
        coda_say(prog, "%s", e.msg);
        coda_plan_free(&p);
        return coda_exit_for(&e);
    }
    coda_frame f;
    coda_frame_init(&f, CODA_MATRIX);
    f.mat = p.G;
    int rc = coda_meta_set(&f.meta, "program", prog, &e) | coda_meta_set(&f.meta, "scheme", scheme, &e) |
         coda_meta_set_long(&f.meta, "N", p.N, &e) | coda_meta_set_long(&f.meta, "s", p.s, &e) |
         coda_meta_set_long(&f.meta, "threshold", p.threshold, &e) |
         coda_meta_set_double(&f.meta, "load", p.load, &e) |
         coda_meta_setf(&f.meta, &e, "seed", "%llu", a.seed) |
         coda_figures_to_meta(&fig, &f.meta, &e);
    rc = rc == 0 ? coda_write_output(out, fmt, &f, &e) : coda_exit_for(&e);
    coda_meta_free(&f.meta);
    coda_plan_free(&p);
    if (rc != 0)
        coda_say(prog, "%s", e.msg);
    else if (!quiet)
        coda_print_figures(prog, scheme, &fig);
    coda_meta_free(&fig);
    return rc;
}
