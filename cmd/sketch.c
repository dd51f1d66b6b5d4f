/* coda-sketch: apply a sketching operator to A (and b with it), or report A's leverage scores
 * or a sketch's embedding distortion for A. */
#include <getopt.h>
#include <stdio.h>
#include <string.h>

#include "../lib/cli/cli.h"
#include "../lib/cli/options.h"
#include "../lib/cli/sketch_opts.h"

static const char *prog = "coda-sketch";

enum { O_EMIT = 256 };

static const coda_cli_option options[] = {
    {"emit", O_EMIT, "WHAT", "sketch (default); scores: A's leverage scores (N x 1), or with "
                             "--blocks K its K block scores; distortion: the 1 x 1 "
                             "||I - U^T S^T S U||_2 of the sketch for range(A)"},
    CODA_CLI_SKETCH_ROWS_HELP("sketch size r (default 4 d)"),
    CODA_CLI_SKETCH_OPTIONS,
    CODA_CLI_SEED,
    CODA_CLI_OUTPUT,
    CODA_CLI_FORMAT,
    CODA_CLI_QUIET_HELP("no summary on stderr"),
    CODA_CLI_HELP,
    CODA_CLI_VERSION,
    CODA_CLI_END};

static void usage(FILE *to)
{
    fprintf(to, "Usage: coda-sketch [OPTIONS] A [b]\n"
                "Sketch A (N x d), and b with it by the same S: writes S A, or S [A b] with\n"
                "S b as the last column.\n\n");
    coda_cli_print_options(to, options);
    fprintf(to, "\nSee coda-sketch(1).\n");
}

enum emit { EMIT_SKETCH, EMIT_SCORES, EMIT_DISTORTION };

int main(int argc, char **argv)
{
    coda_sketch_opts so = {.kind = CODA_SK_COUNT, .seed = 1};
    enum emit emit = EMIT_SKETCH;
    const char *out = NULL, *fmt = NULL;
    int quiet = 0, c;
    coda_err e;
    coda_cli_getopt g;
    if (coda_cli_getopt_build(&g, options, &e) < 0) {
        coda_say(prog, "%s", e.msg);
        return CODA_EXIT_DATA;
    }
    while ((c = getopt_long(argc, argv, g.shortopts, g.longopts, NULL)) != -1) {
        int bad = coda_sketch_option(c, optarg, &so, &e);
        if (bad > 0)
            continue;
        switch (bad < 0 ? 0 : c) {
        case 0: break; /* a bad sketch option: reported below */
        case O_EMIT:
            if (strcmp(optarg, "sketch") == 0)
                emit = EMIT_SKETCH;
            else if (strcmp(optarg, "scores") == 0)
                emit = EMIT_SCORES;
            else if (strcmp(optarg, "distortion") == 0)
                emit = EMIT_DISTORTION;
            else
                bad = coda_fail(&e, "option --emit: '%s' is not sketch, scores or distortion",
                                optarg);
            break;
        case CODA_CLI_SEED_ID: bad = coda_parse_u64("--seed", optarg, &so.seed, &e); break;
        case 'o': out = optarg; break;
        case 'f': fmt = optarg; break;
        case 'q': quiet = 1; break;
        case 'h': usage(stdout); return CODA_EXIT_OK;
        case CODA_CLI_VERSION_ID: coda_print_version(prog); return CODA_EXIT_OK;
        default: usage(stderr); return CODA_EXIT_USAGE;
        }
        if (bad) {
            coda_say(prog, "%s", e.msg);
            return CODA_EXIT_USAGE;
        }
    }
    int nin = argc - optind;
    if (nin < 1)
        return coda_missing_operand(prog, "A (and b)");
    if (nin > 2) {
        coda_say(prog, "unexpected argument '%s'", argv[optind + 2]);
        return CODA_EXIT_USAGE;
    }
    if (coda_sketch_options_check(&so, &e) < 0 || coda_check_output(out, fmt, &e) < 0 ||
        (nin == 2 && emit != EMIT_SKETCH &&
         coda_fail(&e, "--emit %s describes A alone: give no b",
                   emit == EMIT_SCORES ? "scores" : "distortion") < 0)) {
        coda_say(prog, "%s", e.msg);
        return CODA_EXIT_USAGE;
    }
    const char *apath = argv[optind], *bpath = nin == 2 ? argv[optind + 1] : NULL;
    coda_mat A = {0}, b = {0};
    coda_frame f;
    coda_frame_init(&f, CODA_MATRIX);
    int status = -1, rc = 0; /* -1: a library error, in e */
    if (coda_read_matrix(apath, &A, NULL, &e) < 0)
        goto out;
    size_t d = A.cols;
    if (bpath) {
        if (coda_read_matrix(bpath, &b, NULL, &e) < 0)
            goto out;
        if (b.rows != A.rows) {
            coda_fail(&e, "%s: b has %zu rows but A has %zu", bpath, b.rows, A.rows);
            goto out;
        }
        /* [A b] side by side, sketched by one S; the scores come from A's columns alone */
        if (coda_mat_append_cols(&A, &b, &e) < 0)
            goto out;
        so.score_cols = d;
    }
    if (!so.rows)
        so.rows = 4 * d;
    double dist = 0;
    if (emit == EMIT_SKETCH)
        rc = coda_sketch_apply(&so, &A, &f.mat, &e);
    else if (emit == EMIT_SCORES)
        rc = coda_leverage_scores(&A, 0, so.blocks, so.approx, so.seed, &f.mat, &e);
    else if ((rc = coda_sketch_distortion(&so, &A, &dist, &e)) == 0 &&
             (rc = coda_mat_alloc(&f.mat, 1, 1, &e)) == 0)
        f.mat.data[0] = dist;
    if (rc < 0) {
        coda_fail_prefix(&e, "%s: ", apath);
        goto out;
    }
    static const char *const emitted[] = {"sketch", "scores", "distortion"};
    rc = coda_meta_set(&f.meta, "program", prog, &e) |
         coda_meta_set(&f.meta, "emit", emitted[emit], &e) |
         coda_meta_set(&f.meta, "sketch", coda_sketch_kind_name(so.kind), &e) |
         coda_meta_set_long(&f.meta, "sketch_rows", (long)so.rows, &e) |
         coda_meta_set_long(&f.meta, "seed", (long)so.seed, &e);
    if (rc == 0 && bpath && emit == EMIT_SKETCH)
        rc = coda_meta_set(&f.meta, "last_column", "S b", &e);
    if (rc != 0)
        goto out;
    if ((rc = coda_write_output(out, fmt, &f, &e)) != 0) {
        status = rc;
        goto out;
    }
    if (!quiet) {
        if (emit == EMIT_SKETCH)
            coda_say(prog, "%s: %zu x %zu -> %zu x %zu", coda_sketch_kind_name(so.kind), A.rows,
                     A.cols, f.mat.rows, f.mat.cols);
        else if (emit == EMIT_DISTORTION)
            coda_say(prog, "%s, %zu rows: distortion %.4g for a %zu x %zu A",
                     coda_sketch_kind_name(so.kind), so.rows, dist, A.rows, A.cols);
    }
    status = CODA_EXIT_OK;
out:
    if (status != CODA_EXIT_OK)
        coda_say(prog, "%s", e.msg);
    if (status < 0)
        status = coda_exit_for(&e);
    coda_frame_free(&f);
    coda_mat_free(&A);
    coda_mat_free(&b);
    return status;
}
