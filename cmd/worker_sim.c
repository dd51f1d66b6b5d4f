/* coda-worker-sim: run each worker's tasks with BLAS, draw who straggles and when they answer,
 * and forward the PLAN plus the RESULT frames of the workers that made it. Scheme-blind. */
#include <getopt.h>
#include <math.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>

#include "../lib/cli/cli.h"
#include "../lib/cli/worker_opts.h"
#include "../lib/codes/plan.h"
#include "../lib/straggle/straggle.h"
#include "../lib/work/work.h"

static const char *prog = "coda-worker-sim";

static const coda_cli_option options[] = {
    CODA_CLI_WORKER_OPTIONS,
    CODA_CLI_UNTIL_DECODABLE_HELP("not here (needs a decoder: coda-solve --method gd)"),
    CODA_CLI_WORKER_STAGE_OPTIONS,
    CODA_CLI_OUTPUT_HELP("write the stream to FILE (default stdout, not a terminal)"),
    CODA_CLI_QUIET_HELP("no summary on stderr"),
    CODA_CLI_HELP,
    CODA_CLI_VERSION,
    CODA_CLI_END};

static void usage(FILE *to)
{
    fprintf(to, "Usage: coda-worker-sim [OPTIONS] [STREAM]\n"
                "Simulate N workers on a coda-encode stream: compute each responding worker's\n"
                "tasks and forward the PLAN and their RESULT frames.\n\n");
    coda_cli_print_options(to, options);
    fprintf(to, "\nFor shifted-exp, pareto and replay a worker's latency is its load times its\n"
                "drawn time. stderr gets the simulated completion time and what an uncoded run\n"
                "would have taken. See coda-worker-sim(1).\n");
}

int main(int argc, char **argv)
{
    enum { O_OPERAND = CODA_OPT_OPERAND, O_LOG = CODA_OPT_LOG, O_TRUTH = CODA_OPT_TRUTH };
    coda_worker_opts wo;
    coda_worker_options_init(&wo, 1);
    const char *operand_path = NULL, *log_path = NULL, *truth_path = NULL, *out = NULL;
    unsigned long long seed = 1, round = 0;
    int quiet = 0, c, status = CODA_EXIT_USAGE;
    coda_err e;
    coda_cli_getopt g;
    if (coda_cli_getopt_build(&g, options, &e) < 0) {
        coda_say(prog, "%s", e.msg);
        coda_worker_options_free(&wo);
        return CODA_EXIT_DATA;
    }
    while ((c = getopt_long(argc, argv, g.shortopts, g.longopts, NULL)) != -1) {
        int bad = coda_worker_option(c, optarg, &wo, &e);
        if (bad > 0)
            continue;
        switch (bad < 0 ? 0 : c) {
        case 0: break;
        case O_OPERAND: operand_path = optarg; break;
        case CODA_CLI_ROUND_ID: bad = coda_parse_u64("--round", optarg, &round, &e); break;
        case CODA_CLI_SEED_ID: bad = coda_parse_u64("--seed", optarg, &seed, &e); break;
        case O_LOG: log_path = optarg; break;
        case O_TRUTH: truth_path = optarg; break;
        case 'o': out = optarg; break;
        case 'q': quiet = 1; break;
        case 'h': usage(stdout); coda_worker_options_free(&wo); return CODA_EXIT_OK;
        case CODA_CLI_VERSION_ID: coda_print_version(prog); coda_worker_options_free(&wo); return CODA_EXIT_OK;
        default: usage(stderr); coda_worker_options_free(&wo); return CODA_EXIT_USAGE;
        }
        if (bad) {
            coda_say(prog, "%s", e.msg);
            coda_worker_options_free(&wo);
            return CODA_EXIT_USAGE;
        }
    }
    if (wo.until_decodable) {
        coda_say(prog, "--until-decodable needs a decoder: the worker stage knows no code "
                       "(use coda-solve --method gd, or --wait-for)");
        coda_worker_options_free(&wo);
        return CODA_EXIT_USAGE;
    }
    /* the stream's stage: the policy's wait-for and deadline act in the straggler draw */
    coda_straggle_model m = wo.sim.straggle;
    coda_adversary adv = wo.sim.adversary;
    m.seed = adv.seed = seed;
    m.round = adv.round = round;
    m.wait_for = wo.policy.wait_for;
    m.deadline = wo.policy.deadline;
    /* a bad output name, --log or --truth is refused before anything is simulated */
    coda_outfile lf = {0}, tf = {0};
    int bad = argc - optind > 1 ? coda_failc(&e, CODA_E_USAGE, "unexpected argument '%s': one "
                                             "input stream at most", argv[optind + 1])
                                : coda_check_stream_output(out, &e);
    if (bad == 0 && log_path)
        bad = coda_open_side_output(&lf, "--log", log_path, out, &e);
    if (bad == 0 && truth_path)
        bad = coda_open_side_output(&tf, "--truth", truth_path, out, &e);
    if (bad < 0) {
        coda_say(prog, "%s", e.msg);
        coda_outfile_abort(&lf);
        coda_worker_options_free(&wo);
        return coda_exit_for(&e);
    }
    const char *in = optind < argc ? argv[optind] : "-";
    coda_reader r = {0};
    coda_writer w = {0};
    coda_mat operand = {0};
    coda_plan plan = {0};
    coda_straggle_outcome o = {0};
    coda_frame f;
    int have_frame = 0;
    char *corrupt = NULL;
    double *plan_pi = NULL; /* the plan's straggle_probs, when they are the failure model */
    status = -1; /* a library error, in e */
    if (coda_worker_options_finish(&wo, &e) < 0)
        goto out;
    /* the files the options named are read now: take the model again */
    m.pi = wo.sim.straggle.pi, m.npi = wo.sim.straggle.npi;
    m.replay = wo.sim.straggle.replay, m.nreplay = wo.sim.straggle.nreplay;
    m.rate = wo.sim.straggle.rate, m.nrate = wo.sim.straggle.nrate;
    m.cdf_t = wo.sim.straggle.cdf_t, m.cdf_p = wo.sim.straggle.cdf_p;
    m.ncdf = wo.sim.straggle.ncdf;
    if (operand_path && coda_read_matrix(operand_path, &operand, NULL, &e) < 0)
        goto out;
    if (coda_reader_open(&r, in, &e) < 0)
        goto out;
    int rc = coda_reader_next(&r, &f, &e);
    if (rc == 0)
        coda_fail(&e, "%s: empty stream", r.in.name);
    if (rc <= 0)
        goto out;
    have_frame = 1;
    if (f.kind != CODA_PLAN) {
        coda_fail(&e, "%s: frame 0 is a %s frame, not a PLAN (pipe coda-encode into %s)",
                  r.in.name, coda_kind_name(f.kind), prog);
        goto out;
    }
    if (coda_plan_from_frame(&f, &plan, &e) < 0) {
        coda_fail_prefix(&e, "%s: frame 0: ", r.in.name);
        goto out;
    }
    if (m.scale_by_load) {
        coda_fail(&e, "--latency-scale-by-load needs each worker's load, which only an engine "
                      "that holds the shards knows (coda-solve --method gd)");
        goto out;
    }
    /* a code built for per-worker p (hetero): its p, unless the options say otherwise */
    int from_plan = coda_straggle_probs_from_meta(&m, &plan.extra, plan.N, &plan_pi, &e);
    if (from_plan < 0) {
        coda_fail_prefix(&e, "%s: frame 0: ", r.in.name);
        goto out;
    }
    if (from_plan && !quiet)
        coda_say(prog, "each worker fails with the probability its plan records (%s's "
                       "straggle_probs; the options -s, -p, --straggle-probs override it)",
                 plan.scheme);
    if (coda_straggle_draw(&m, plan.N, plan.load, &o, &e) < 0)
        goto out;
    if (!(corrupt = calloc((size_t)plan.N, 1))) {
        coda_fail_oom(&e);
        goto out;
    }
    if (coda_adversary_draw(&adv, plan.N, corrupt, &e) < 0)
        goto out;
    coda_corruption bad_workers = {&adv, corrupt};
    if (coda_open_stream_output(&w, out, &e) < 0)
        goto out;
    if (coda_meta_set(&f.meta, "simulator", prog, &e) < 0 || coda_writer_put(&w, &f, &e) < 0)
        goto out;
    coda_frame_free(&f);
    have_frame = 0;
    coda_progress_begin(prog, quiet);
    rc = coda_simulate_workers(&r, &plan, o.responded, o.latency, &operand, operand_path != NULL,
                               &bad_workers, coda_writer_sink, &w,
                               coda_progress_on() ? coda_progress_worker : NULL, &e);
    coda_progress_end();
    if (rc < 0)
        goto out;
    coda_write_worker_log(lf.f, plan.N, o.latency, o.responded);
    coda_write_truth(tf.f, round, plan.N, corrupt, o.responded, o.latency);
    /* the files appear only now, when the whole stream has been written */
    if (coda_outfile_commit(&lf, &e) < 0 || coda_outfile_commit(&tf, &e) < 0 ||
        coda_writer_close(&w, &e) < 0)
        goto out;
    if (!quiet) {
        char unc[96];
        if (isinf(o.uncoded))
            snprintf(unc, sizeof unc, "never finishes: %d worker%s failed", o.nfailed,
                     o.nfailed == 1 ? "" : "s");
        else
            snprintf(unc, sizeof unc, "%.6g", o.uncoded);
        coda_say(prog, "%d of %d workers responded; simulated completion time %.6g "
                       "(an uncoded run on %d workers: %s)",
                 o.nresp, plan.N, o.completion, plan.N, unc);
    }
    status = CODA_EXIT_OK;
out:
    if (status != CODA_EXIT_OK) {
        coda_say(prog, "%s", e.msg);
        status = coda_exit_for(&e);
    }
    if (have_frame)
        coda_frame_free(&f);
    coda_writer_abort(&w); /* after a successful close, nothing is left to give up */
    coda_outfile_abort(&lf);
    coda_outfile_abort(&tf);
    free(corrupt);
    if (r.in.buf)
        coda_reader_close(&r);
    coda_mat_free(&operand);
    coda_plan_free(&plan);
    coda_straggle_free(&o);
    free(plan_pi);
    coda_worker_options_free(&wo);
    return status;
}
