/* coda-assign: write a scheme's N x K allocation/encoding matrix so a user can inspect or edit
 * it and pass it back with coda-encode --assign FILE. */
#include <getopt.h>
#include <stdio.h>
#include <stdlib.h>

#include "../lib/cli/cli.h"
#include "../lib/codes/scheme.h"

static const char *prog = "coda-assign";

static void usage(FILE *to)
{
    fprintf(to,
            "Usage: coda-assign --scheme NAME -N WORKERS [-s S] [-K K] [OPTIONS]\n"
            "Write the N x K allocation/encoding matrix G of a scheme: row i says which data\n"
            "blocks worker i holds and with which coefficient. Edit it and give it back with\n"
            "coda-encode --assign FILE.\n\n"
            "  --scheme NAME       uncoded, rep, frc, cyclic or mds (default uncoded)\n"
            "  -N, --workers N     number of workers (required)\n"
            "  -s, --stragglers S  stragglers to tolerate (default 0)\n"
            "  -K, --blocks K      data blocks (mds only; default N-s)\n"
            "  --generator G       mds: gaussian (default) or chebyshev\n"
            "  --seed N            seed (cyclic, mds gaussian; default 1)\n"
            "  -o, --output FILE   output file (format from its extension unless -f)\n"
            "  -f, --format F      bin, csv, tsv, npy or mtx (default: csv to a terminal)\n"
            "  -h, --help, --version\n\nSchemes:\n");
    for (const coda_scheme *const *s = coda_scheme_list(); *s; s++)
        fprintf(to, "  %-9s %s\n", (*s)->name, (*s)->summary);
}

int main(int argc, char **argv)
{
    enum { O_SCHEME = 256, O_GEN, O_SEED, O_VERSION };
    static const struct option opts[] = {
        {"scheme", required_argument, 0, O_SCHEME}, {"workers", required_argument, 0, 'N'},
        {"stragglers", required_argument, 0, 's'},  {"blocks", required_argument, 0, 'K'},
        {"generator", required_argument, 0, O_GEN}, {"seed", required_argument, 0, O_SEED},
        {"output", required_argument, 0, 'o'},      {"format", required_argument, 0, 'f'},
        {"help", no_argument, 0, 'h'},              {"version", no_argument, 0, O_VERSION},
        {0, 0, 0, 0}};
    const char *scheme = "uncoded", *out = NULL, *fmt = NULL;
    coda_scheme_args a = {.op = "matmul", .seed = 1};
    coda_err e;
    long v;
    int c;
    while ((c = getopt_long(argc, argv, "N:s:K:o:f:h", opts, NULL)) != -1) {
        int bad = 0;
        switch (c) {
        case O_SCHEME: scheme = optarg; break;
        case 'N': bad = coda_parse_long("--workers", optarg, 1, 100000, &v, &e); a.N = (int)v; break;
        case 's': bad = coda_parse_long("--stragglers", optarg, 0, 100000, &v, &e); a.s = (int)v; break;
        case 'K': bad = coda_parse_long("--blocks", optarg, 1, 100000, &v, &e); a.K = (int)v; break;
        case O_GEN: a.generator = optarg; break;
        case O_SEED: bad = coda_parse_u64("--seed", optarg, &a.seed, &e); break;
        case 'o': out = optarg; break;
        case 'f': fmt = optarg; break;
        case 'h': usage(stdout); return CODA_EXIT_OK;
        case O_VERSION: coda_print_version(prog); return CODA_EXIT_OK;
        default: usage(stderr); return CODA_EXIT_USAGE;
        }
        if (bad) {
            coda_say(prog, "%s", e.msg);
            return CODA_EXIT_USAGE;
        }
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
    if (!sc->concats)
        a.op = "grad";
    coda_plan p;
    if (coda_plan_build(&p, scheme, &a, 0, &e) < 0) {
        coda_say(prog, "%s", e.msg);
        return CODA_EXIT_USAGE;
    }
    coda_writer w;
    coda_frame f;
    int rc = coda_open_output(&w, out, fmt, &e);
    if (rc == 0) {
        coda_frame_init(&f, CODA_MATRIX);
        f.mat = p.G;
        rc = coda_meta_set(&f.meta, "program", prog, &e) | coda_meta_set(&f.meta, "scheme", scheme, &e) |
             coda_meta_set_long(&f.meta, "N", p.N, &e) | coda_meta_set_long(&f.meta, "s", p.s, &e) |
             coda_meta_set_long(&f.meta, "threshold", p.threshold, &e) |
             coda_meta_set_double(&f.meta, "load", p.load, &e) |
             coda_meta_setf(&f.meta, &e, "seed", "%llu", a.seed);
        if (rc == 0)
            rc = coda_writer_put(&w, &f, &e);
        coda_meta_free(&f.meta);
        if (coda_writer_close(&w, rc < 0 ? NULL : &e) < 0)
            rc = -1;
    }
    coda_plan_free(&p);
    if (rc < 0) {
        coda_say(prog, "%s", e.msg);
        return CODA_EXIT_DATA;
    }
    return CODA_EXIT_OK;
}
