/* coda-gen: seeded test matrices with known structure (Gaussian, prescribed singular values,
 * coherent, SPD) for experiments, examples and benchmarks. */
#include <getopt.h>
#include <math.h>
#include <stdio.h>
#include <stdlib.h>

#include "../lib/cli/cli.h"
#include "../lib/cli/options.h"
#include "../lib/core/gen.h"

static const char *prog = "coda-gen";

enum { O_KIND = 256, O_KAPPA, O_COHERENT };

static const coda_cli_option options[] = {
    {"kind", O_KIND, "K", "gaussian (default: i.i.d. N(0,1)), svd (U diag(s) V^T with\n"
                          "Haar-random U, V and s geometric from 1 to 1/kappa), spd"},
    {"kappa", O_KAPPA, "K", "condition number for svd and spd (default 100)"},
    {"coherent", O_COHERENT, NULL, "svd: leverage concentrated on the first min(ROWS,COLS) rows"},
    CODA_CLI_SEED,
    CODA_CLI_OUTPUT,
    CODA_CLI_FORMAT_HELP("bin, csv, tsv, npy or mtx"),
    CODA_CLI_HELP,
    CODA_CLI_VERSION,
    CODA_CLI_END};

static void usage(FILE *to)
{
    fprintf(to, "Usage: coda-gen [OPTIONS] ROWS COLS\n"
                "Write a seeded random ROWS x COLS matrix.\n\n");
    coda_cli_print_options(to, options);
    fprintf(to, "\nSee coda-gen(1).\n");
}

int main(int argc, char **argv)
{
    coda_gen_kind kind = CODA_GEN_GAUSSIAN;
    double kappa = 100;
    int coherent = 0, c;
    unsigned long long seed = 1;
    const char *out = NULL, *fmt = NULL;
    coda_err e;
    coda_cli_getopt g;
    if (coda_cli_getopt_build(&g, options, &e) < 0) {
        coda_say(prog, "%s", e.msg);
        return CODA_EXIT_DATA;
    }
    while ((c = getopt_long(argc, argv, g.shortopts, g.longopts, NULL)) != -1) {
        int bad = 0;
        switch (c) {
        case O_KIND:
            if (coda_gen_kind_parse(optarg, &kind) < 0)
                bad = coda_fail(&e, "option --kind: unknown kind '%s' (gaussian, svd, spd)", optarg);
            break;
        case O_KAPPA:
            bad = coda_parse_double_range("--kappa", optarg, 1, 0, INFINITY, &kappa, &e);
            break;
        case O_COHERENT: coherent = 1; break;
        case CODA_CLI_SEED_ID: bad = coda_parse_u64("--seed", optarg, &seed, &e); break;
        case 'o': out = optarg; break;
        case 'f': fmt = optarg; break;
        case 'h': usage(stdout); return CODA_EXIT_OK;
        case CODA_CLI_VERSION_ID: coda_print_version(prog); return CODA_EXIT_OK;
        default: usage(stderr); return CODA_EXIT_USAGE;
        }
        if (bad) {
            coda_say(prog, "%s", e.msg);
            return CODA_EXIT_USAGE;
        }
    }
    long rows, cols;
    if (argc - optind < 2)
        return coda_missing_operand(prog, argc - optind ? "COLS" : "ROWS COLS");
    if (argc - optind > 2) {
        coda_say(prog, "unexpected argument '%s'", argv[optind + 2]);
        return CODA_EXIT_USAGE;
    }
    if (coda_parse_long("ROWS", argv[optind], 1, 1L << 40, &rows, &e) < 0 ||
        coda_parse_long("COLS", argv[optind + 1], 1, 1L << 40, &cols, &e) < 0 ||
        coda_check_output(out, fmt, &e) < 0) {
        coda_say(prog, "%s", e.msg);
        return CODA_EXIT_USAGE;
    }
    coda_frame f;
    coda_frame_init(&f, CODA_MATRIX);
    int status;
    if (coda_gen(kind, (size_t)rows, (size_t)cols, kappa, coherent, seed, &f.mat, &e) < 0 ||
        coda_meta_set(&f.meta, "program", prog, &e) < 0)
        status = coda_exit_for(&e);
    else
        status = coda_write_output(out, fmt, &f, &e);
    if (status != CODA_EXIT_OK)
        coda_say(prog, "%s", e.msg);
    coda_frame_free(&f);
    return status;
}
