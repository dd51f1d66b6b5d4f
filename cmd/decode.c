/* coda-decode: recover the result from the PLAN and whatever RESULT frames arrived. */
#include <getopt.h>
#include <math.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>

#include "../lib/cli/cli.h"
#include "../lib/work/work.h"
#include "../lib/codes/coding.h"
#include "../lib/codes/plan.h"
#include "../lib/codes/product.h"

static const char *prog = "coda-decode";

static void usage(FILE *to)
{
    fprintf(to,
            "Usage: coda-decode [OPTIONS] [STREAM]\n"
            "Read a PLAN frame and the RESULT frames of the workers that responded, decode,\n"
            "and write the result (a product, a gradient, or least-squares columns).\n\n"
            "  -o, --output FILE   write the result to FILE (format from its extension)\n"
            "  -f, --format F      bin, csv, tsv, npy or mtx (default: bin into a pipe or file,\n"
            "                      csv to a terminal)\n"
            "      --decoder D     matdot-approx from m..2m-2 responders: interp (default;\n"
            "                      interpolation in the scaled points) or minnorm (the paper's\n"
            "                      minimum-norm Algorithm 1)\n"
            "  -q, --quiet         no summary on stderr\n"
            "  -h, --help, --version\n\n"
            "Exits 1 with a message saying what is missing when the responders cannot determine\n"
            "the result. Product codes (matdot, matdot-approx, linear) also report the error\n"
            "they expect for these responders, relative to ||A||_F ||B||_F. See coda-decode(1).\n");
}

int main(int argc, char **argv)
{
    static const struct option opts[] = {
        {"output", required_argument, 0, 'o'}, {"format", required_argument, 0, 'f'},
        {"quiet", no_argument, 0, 'q'},        {"help", no_argument, 0, 'h'},
        {"version", no_argument, 0, 'V'},      {"decoder", required_argument, 0, 'D'},
        {0, 0, 0, 0}};
    const char *out = NULL, *fmt = NULL;
    int quiet = 0, decoder_set = 0, c;
    coda_matdot_decoder decoder = CODA_DECODER_INTERP;
    while ((c = getopt_long(argc, argv, "o:f:qh", opts, NULL)) != -1) {
        switch (c) {
        case 'o': out = optarg; break;
        case 'f': fmt = optarg; break;
        case 'q': quiet = 1; break;
        case 'D':
            decoder_set = 1;
            if (strcmp(optarg, "interp") == 0)
                decoder = CODA_DECODER_INTERP;
            else if (strcmp(optarg, "minnorm") == 0)
                decoder = CODA_DECODER_MINNORM;
            else {
                coda_say(prog, "option --decoder: unknown decoder '%s' (interp, minnorm)", optarg);
                return CODA_EXIT_USAGE;
            }
            break;
        case 'h': usage(stdout); return CODA_EXIT_OK;
        case 'V': coda_print_version(prog); return CODA_EXIT_OK;
        default: usage(stderr); return CODA_EXIT_USAGE;
        }
    }
    if (argc - optind > 1) {
        coda_say(prog, "expected at most one input stream");
        return CODA_EXIT_USAGE;
    }
    if (fmt && coda_format_parse(fmt) == CODA_FMT_AUTO) {
        coda_say(prog, "option --format: unknown format '%s' (bin, csv, tsv, npy, mtx)", fmt);
        return CODA_EXIT_USAGE;
    }
    const char *in = optind < argc ? argv[optind] : "-";
    coda_err e;
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
    if (decoder_set && strcmp(plan.scheme, "matdot") != 0 && strcmp(plan.scheme, "matdot-approx") != 0) {
        coda_failc(&e, CODA_E_USAGE, "option --decoder: applies to matdot and matdot-approx plans; "
                                     "%s's plan is '%s'", r.in.name, plan.scheme);
        goto out;
    }
    if ((coda_plan_is_product(&plan) ? coda_product_decode(&plan, res.f, res.n, decoder, &result, &info, &e)
                                     : coda_decode(&plan, res.f, res.n, &result, &info, &e)) < 0) {
        /* bad results name the input; too few responders is the round's outcome, not its fault */
        if (e.cls == CODA_E_FEW)
            coda_fail_prefix(&e, "%s: ", plan.scheme);
        else
            coda_fail_prefix(&e, "%s: %s: ", r.in.name, plan.scheme);
        goto out;
    }
    if (strcmp(plan.op, "lsq-columns") == 0) { /* iterative workers: say which columns capped */
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
         coda_meta_set_double(&f.meta, "decode_cond", info.cond, &e);
    if (rc == 0 && info.report)
        rc = coda_meta_set_double(&f.meta, "trunc", info.trunc, &e) |
             coda_meta_set_double(&f.meta, "roundoff", info.roundoff, &e) |
             coda_meta_set_double(&f.meta, "predicted", info.predicted, &e) |
             coda_meta_set_double(&f.meta, "norm_ab", info.norm_ab, &e);
    if (rc == 0)
        rc = coda_write_output(out, fmt, &f, &e);
    coda_meta_free(&f.meta);
    if (rc != 0) {
        status = rc < 0 ? CODA_EXIT_DATA : rc;
        goto out;
    }
    if (!quiet && info.report) {
        /* product codes: what the responders can guarantee, relative to ||A||_F ||B||_F */
        coda_say(prog, "%s: decoded from %d of %d workers (%s), ||d||_1 %.3g; error relative to "
                       "||A||_F ||B||_F: truncation %.3g (worst case), round-off %.3g, predicted "
                       "%.3g",
                 plan.scheme, info.responders, plan.N, info.method, info.dnorm1, info.trunc,
                 info.roundoff, info.predicted);
    } else if (!quiet)
        coda_say(prog, "%s: decoded from %d of %d workers (%s, %d results combined, condition "
                       "number %.3g, largest coefficient %.3g)",
                 plan.scheme, info.responders, plan.N, info.method, info.used, info.cond,
                 info.max_coef);
    if (info.report && info.responders < plan.threshold)
        coda_say(prog, "warning: %d responders, fewer than the %d this code is designed for: "
                       "the result may be off by %.3g of ||A||_F ||B||_F",
                 info.responders, plan.threshold, info.predicted);
    else if (info.report && info.eps > 0 && info.predicted > info.eps)
        coda_say(prog, "warning: the predicted error %.3g exceeds the plan's eps %.3g for these "
                       "%d responders", info.predicted, info.eps, info.responders);
    status = CODA_EXIT_OK;
out:
    if (status < 0)
        status = coda_exit_for(&e); /* too few responders, bad data, memory: 1; usage: 2 */
    if (status != CODA_EXIT_OK)
        coda_say(prog, "%s", e.msg);
    coda_frame_list_free(&res);
    coda_mat_free(&result);
    coda_plan_free(&plan);
    if (r.in.buf)
        coda_reader_close(&r);
    return status;
}
