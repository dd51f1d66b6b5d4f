/* coda-decode: recover the result from the PLAN and whatever RESULT frames arrived. */
#include <getopt.h>
#include <math.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>

#include "../lib/cli/cli.h"
#include "../lib/cli/options.h"
#include "../lib/cli/scheme_opts.h"
#include "../lib/work/work.h"
#include "../lib/codes/coding.h"
#include "../lib/codes/plan.h"
#include "../lib/codes/scheme.h"

static const char *prog = "coda-decode";

static const coda_cli_option options[] = {
    CODA_CLI_OUTPUT_HELP("write the result to FILE (format from its extension)"),
    CODA_CLI_FORMAT_HELP("bin, csv, tsv, npy, npz or mtx (default: bin into a pipe or file, csv "
                         "to a terminal)"),
    CODA_CLI_QUIET_HELP("no summary on stderr"),
    CODA_CLI_HELP,
    CODA_CLI_VERSION,
    CODA_CLI_END};

static void usage(FILE *to)
{
    fprintf(to, "Usage: coda-decode [OPTIONS] [STREAM]\n"
                "Read a PLAN frame and the RESULT frames of the workers that responded, decode,\n"
                "and write the result (a product, a gradient, or least-squares columns).\n\n");
    coda_cli_print_options(to, options);
    fprintf(to, "\nThe schemes' own decode options:\n");
    coda_scheme_cli_usage(to, 1);
    fprintf(to,
            "\nExits 1 with a message saying what is missing when the responders cannot\n"
            "determine the result. Approximate codes (matdot-approx, linear) also report the\n"
            "error they expect for these responders, relative to ||A||_F ||B||_F.\n"
            "See coda-decode(1).\n");
}

int main(int argc, char **argv)
{
    const char *out = NULL, *fmt = NULL;
    int quiet = 0, c;
    coda_err e;
    coda_scheme_cli sc_opts;
    coda_cli_getopt g;
    if (coda_cli_getopt_build(&g, options, &e) < 0 ||
        coda_scheme_cli_init(&sc_opts, g.longopts, g.shortopts, 1, &e) < 0) {
        coda_say(prog, "%s", e.msg);
        return CODA_EXIT_DATA;
    }
    while ((c = getopt_long(argc, argv, sc_opts.shortopts, sc_opts.longopts, NULL)) != -1) {
        int taken = coda_scheme_cli_option(&sc_opts, c, optarg, &e);
        if (taken < 0) {
            coda_say(prog, "%s", e.msg);
            coda_scheme_cli_free(&sc_opts);
            return CODA_EXIT_USAGE;
        }
        if (taken)
            continue;
        switch (c) {
        case 'o': out = optarg; break;
        case 'f': fmt = optarg; break;
        case 'q': quiet = 1; break;
        case 'h': usage(stdout); coda_scheme_cli_free(&sc_opts); return CODA_EXIT_OK;
        case CODA_CLI_VERSION_ID: coda_print_version(prog); coda_scheme_cli_free(&sc_opts); return CODA_EXIT_OK;
        default: usage(stderr); coda_scheme_cli_free(&sc_opts); return CODA_EXIT_USAGE;
        }
    }
    if (argc - optind > 1) {
        coda_say(prog, "expected at most one input stream");
        coda_scheme_cli_free(&sc_opts);
        return CODA_EXIT_USAGE;
    }
    if (fmt && coda_format_parse(fmt) == CODA_FMT_AUTO) {
        coda_say(prog, "option --format: unknown format '%s' (bin, csv, tsv, npy, npz, mtx)", fmt);
        coda_scheme_cli_free(&sc_opts);
        return CODA_EXIT_USAGE;
    }
    const char *in = optind < argc ? argv[optind] : "-";
    coda_reader r = {0};
    coda_plan plan = {0};
    coda_frame_list res = {0};
    coda_frame f;
    coda_mat result = {0};
    coda_decode_info info;
    int status = -1, have_plan = 0, rc; /* -1: the exit status of e's class */
    if (coda_reader_open(&r, in, &e) < 0)
        goto out;
    while ((rc = coda_reader_next(&r, &f, &e)) == 1) {
        if (f.kind == CODA_PLAN) {
            rc = have_plan ? coda_fail(&e, "%s: frame %ld: a second PLAN frame", r.in.name,
                                       r.frames - 1)
                           : coda_plan_from_frame(&f, &plan, &e);
            if (rc < 0 && have_plan == 0)
                coda_fail_prefix(&e, "%s: frame %ld: ", r.in.name, r.frames - 1);
            have_plan = 1;
            coda_frame_free(&f);
            if (rc < 0)
                goto out;
            continue;
        }
        if (f.kind != CODA_RESULT) {
            coda_frame_free(&f);
            continue; /* operands or tasks passed along are not results */
        }
        if (!have_plan) {
            coda_frame_free(&f);
            coda_fail(&e, "%s: frame %ld: a RESULT before the PLAN frame", r.in.name, r.frames - 1);
            goto out;
        }
        if (coda_frame_list_push(&res, &f, &e) < 0) {
            coda_frame_free(&f);
            goto out;
        }
    }
    if (rc < 0)
        goto out;
    if (!have_plan) {
        coda_fail(&e, "%s: no PLAN frame (decode reads coda-worker-sim output)", r.in.name);
        goto out;
    }
    if (coda_scheme_cli_check(&sc_opts, coda_plan_scheme(&plan), &e) < 0) {
        coda_fail_prefix(&e, "%s's plan: ", r.in.name);
        goto out;
    }
    if (coda_decode_with(&plan, res.f, res.n, &sc_opts.given, &result, &info, &e) < 0) {
        /* bad results name the input; too few responders is the round's outcome, not its fault */
        if (e.cls == CODA_E_FEW)
            coda_fail_prefix(&e, "%s: ", plan.scheme);
        else
            coda_fail_prefix(&e, "%s: %s: ", r.in.name, plan.scheme);
        goto out;
    }
    if (coda_meta_get(&plan.extra, "arg.method")) { /* iterative workers: which columns capped */
        coda_lsq_opts so;
        coda_lsq_stats st;
        char capped[512];
        if (coda_lsq_opts_from_meta(&plan.extra, &so, &e) < 0 ||
            coda_lsq_stats_from_results(&plan, res.f, res.n, &st, &e) < 0)
            goto out;
        coda_lsq_capped_text(&st, so.iters, capped, sizeof capped);
        coda_lsq_stats_free(&st);
        if (capped[0])
            coda_say(prog, "warning: %s", capped);
    }
    coda_frame_init(&f, CODA_MATRIX);
    f.mat = result;
    rc = coda_meta_set(&f.meta, "program", prog, &e) | coda_meta_set(&f.meta, "scheme", plan.scheme, &e) |
         coda_meta_set(&f.meta, "op", plan.op, &e) |
         coda_meta_set_long(&f.meta, "responders", info.responders, &e) |
         coda_meta_set_double(&f.meta, "decode_cond", info.cond, &e) |
         coda_meta_set(&f.meta, "decode_status", coda_decode_status_name(info.status), &e);
    for (int k = 0; k < info.nfig && rc == 0; k++) /* the scheme's figures, as it named them */
        rc = coda_meta_set_double(&f.meta, info.fig[k].key, info.fig[k].val, &e);
    if (rc == 0 && info.nexcluded) { /* the workers a Byzantine decode located and left out */
        char list[CODA_MAX_EXCLUDED * 12] = "";
        size_t off = 0;
        for (int k = 0; k < info.nexcluded && k < CODA_MAX_EXCLUDED; k++)
            off += (size_t)snprintf(list + off, sizeof list - off, "%s%d", k ? "," : "",
                                    info.excluded[k]);
        rc = coda_meta_set(&f.meta, "excluded", list, &e);
    }
    if (rc == 0)
        rc = coda_write_output(out, fmt, &f, &e);
    coda_meta_free(&f.meta);
    if (rc != 0) {
        status = rc < 0 ? CODA_EXIT_DATA : rc;
        goto out;
    }
    if (!quiet) {
        char figs[400] = "";
        size_t off = 0;
        for (int k = 0; k < info.nfig && off < sizeof figs; k++)
            off += (size_t)snprintf(figs + off, sizeof figs - off, "%s %s %.3g",
                                    k ? "," : ";", info.fig[k].key, info.fig[k].val);
        coda_say(prog, "%s: decoded from %d of %d workers (%s, %s, %d results combined, "
                       "condition number %.3g, largest coefficient %.3g%s)",
                 plan.scheme, info.responders, plan.N, coda_decode_status_name(info.status),
                 info.method, info.used, info.cond, info.max_coef, figs);
    }
    if (info.warning[0])
        coda_say(prog, "warning: %s", info.warning);
    status = CODA_EXIT_OK;
    /* a code that locates liars and still fails its check: the written result is a best effort */
    if (info.status == CODA_DECODED_SUSPECT && coda_plan_scheme(&plan) &&
        (coda_plan_scheme(&plan)->caps & CODA_CAP_BYZANTINE)) {
        status = CODA_EXIT_SUSPECT;
        coda_failc(&e, CODA_E_SUSPECT, "%s: the decode failed its consistency check (exit 3; "
                                       "the result written is a best effort)", plan.scheme);
    }
out:
    if (status < 0)
        status = coda_exit_for(&e); /* too few responders, bad data, memory: 1; usage: 2 */
    if (status != CODA_EXIT_OK)
        coda_say(prog, "%s", e.msg);
    coda_frame_list_free(&res);
    coda_mat_free(&result);
    coda_plan_free(&plan);
    coda_scheme_cli_free(&sc_opts);
    if (r.in.buf)
        coda_reader_close(&r);
    return status;
}
