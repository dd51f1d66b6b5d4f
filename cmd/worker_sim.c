/* coda-worker-sim: run each worker's tasks with BLAS, draw who straggles and when they answer,
 * and forward the PLAN plus the RESULT frames of the workers that made it. Scheme-blind. */
#include <getopt.h>
#include <math.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>

#include "../lib/cli/cli.h"
#include "../lib/codes/plan.h"
#include "../lib/straggle/straggle.h"
#include "../lib/work/work.h"

static const char *prog = "coda-worker-sim";

static void usage(FILE *to)
{
    fprintf(to,
            "Usage: coda-worker-sim [OPTIONS] [STREAM]\n"
            "Simulate N workers on a coda-encode stream: compute each responding worker's tasks\n"
            "and forward the PLAN and their RESULT frames.\n\n"
            "  --operand FILE          the right operand (else the one in the stream)\n"
            "  -s, --stragglers S      exactly S workers, drawn at random, never respond\n"
            "  --straggle-workers LIST these workers (0-based, comma-separated) never respond\n"
            "  -p, --straggle-prob P   each worker fails independently with probability P\n"
            "  --straggle-probs FILE   one failure probability per worker (a column)\n"
            "  --latency MODEL         none (default), shifted-exp:SHIFT,RATE, pareto:SCALE,SHAPE\n"
            "                          or replay:FILE (a column of whole-job times per worker);\n"
            "                          a worker's latency is its load times its drawn time\n"
            "  --wait-for F            forward only the F earliest responders\n"
            "  --deadline T            forward only the workers done by time T\n"
            "  --seed N                seed of every random choice (default 1)\n"
            "  --log FILE              CSV: worker,latency,responded ('-': stdout, with -o)\n"
            "  -o, --output FILE       write the stream to FILE (default stdout, not a terminal)\n"
            "  -q, --quiet             no summary on stderr\n"
            "  -h, --help, --version\n\n"
            "stderr gets the simulated completion time and what an uncoded run would have taken.\n"
            "See coda-worker-sim(1).\n");
}

static int read_column(const char *path, double **out, size_t *n, coda_err *e)
{
    coda_mat m;
    if (coda_read_matrix(path, &m, NULL, e) < 0)
        return -1;
    if (m.cols != 1 && m.rows != 1) {
        coda_mat_free(&m);
        return coda_fail(e, "%s: expected one column of values, got %zu x %zu", path, m.rows,
                         m.cols);
    }
    *out = m.data;
    *n = m.rows * m.cols;
    for (size_t i = 0; i < *n; i++)
        if (!isfinite((*out)[i]) || (*out)[i] < 0)
            return coda_fail(e, "%s: entry %zu is negative or not finite", path, i + 1);
    return 0;
}

int main(int argc, char **argv)
{
    enum { O_OPERAND = 256, O_NAMED, O_PROBS, O_LAT, O_WAIT, O_DEADLINE, O_SEED, O_LOG, O_VERSION };
    static const struct option opts[] = {
        {"operand", required_argument, 0, O_OPERAND},
        {"stragglers", required_argument, 0, 's'},
        {"straggle-workers", required_argument, 0, O_NAMED},
        {"straggle-prob", required_argument, 0, 'p'},
        {"straggle-probs", required_argument, 0, O_PROBS},
        {"latency", required_argument, 0, O_LAT},
        {"wait-for", required_argument, 0, O_WAIT},
        {"deadline", required_argument, 0, O_DEADLINE},
        {"seed", required_argument, 0, O_SEED},
        {"log", required_argument, 0, O_LOG},
        {"output", required_argument, 0, 'o'},
        {"quiet", no_argument, 0, 'q'},
        {"help", no_argument, 0, 'h'},
        {"version", no_argument, 0, O_VERSION},
        {0, 0, 0, 0}};
    coda_straggle_model m = {.kind = CODA_LAT_NONE, .stragglers = -1, .wait_for = -1,
                             .deadline = -1, .seed = 1};
    const char *operand_path = NULL, *log_path = NULL, *out = NULL, *probs_path = NULL,
               *replay_path = NULL;
    long *named = NULL;
    double *pi = NULL, *replay = NULL;
    int quiet = 0, c, status = CODA_EXIT_USAGE;
    coda_err e;
    while ((c = getopt_long(argc, argv, "s:p:o:qh", opts, NULL)) != -1) {
        int bad = 0;
        switch (c) {
        case O_OPERAND: operand_path = optarg; break;
        case 's': bad = coda_parse_long("--stragglers", optarg, 0, 1000000, &m.stragglers, &e); break;
        case O_NAMED: bad = coda_parse_list("--straggle-workers", optarg, &named, &m.nnamed, &e); break;
        case 'p':
            bad = coda_parse_double_range("--straggle-prob", optarg, 0, 0, 1, &m.p, &e);
            break;
        case O_PROBS: probs_path = optarg; break;
        case O_LAT:
            if (strncmp(optarg, "replay:", 7) == 0) {
                m.kind = CODA_LAT_REPLAY;
                replay_path = optarg + 7;
            } else
                bad = coda_latency_parse(optarg, &m, &e);
            if (bad)
                coda_fail_prefix(&e, "option --latency: ");
            break;
        case O_WAIT: bad = coda_parse_long("--wait-for", optarg, 0, 1000000, &m.wait_for, &e); break;
        case O_DEADLINE:
            bad = coda_parse_double_range("--deadline", optarg, 0, 0, INFINITY, &m.deadline, &e);
            break;
        case O_SEED: bad = coda_parse_u64("--seed", optarg, &m.seed, &e); break;
        case O_LOG: log_path = optarg; break;
        case 'o': out = optarg; break;
        case 'q': quiet = 1; break;
        case 'h': usage(stdout); return CODA_EXIT_OK;
        case O_VERSION: coda_print_version(prog); return CODA_EXIT_OK;
        default: usage(stderr); return CODA_EXIT_USAGE;
        }
        if (bad) {
            coda_say(prog, "%s", e.msg);
            free(named);
            return CODA_EXIT_USAGE;
        }
    }
    m.named = named;
    /* a bad output name or --log is refused before anything is simulated */
    coda_outfile lf = {0};
    int bad = argc - optind > 1 ? coda_failc(&e, CODA_E_USAGE, "unexpected argument '%s': one "
                                             "input stream at most", argv[optind + 1])
                                : coda_check_stream_output(out, &e);
    if (bad == 0 && log_path)
        bad = coda_open_side_output(&lf, "--log", log_path, out, &e);
    if (bad < 0) {
        coda_say(prog, "%s", e.msg);
        free(named);
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
    status = -1; /* a library error, in e */
    if ((probs_path && read_column(probs_path, &pi, &m.npi, &e) < 0) ||
        (replay_path && read_column(replay_path, &replay, &m.nreplay, &e) < 0))
        goto out;
    m.pi = pi;
    m.replay = replay;
    for (size_t k = 0; pi && k < m.npi; k++)
        if (pi[k] > 1) {
            coda_fail(&e, "%s: probability %g in row %zu exceeds 1", probs_path, pi[k], k + 1);
            goto out;
        }
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
    if (coda_straggle_draw(&m, plan.N, plan.load, &o, &e) < 0)
        goto out;
    if (coda_open_stream_output(&w, out, &e) < 0)
        goto out;
    if (coda_meta_set(&f.meta, "simulator", prog, &e) < 0 || coda_writer_put(&w, &f, &e) < 0)
        goto out;
    coda_frame_free(&f);
    have_frame = 0;
    coda_progress_begin(prog, quiet);
    rc = coda_simulate_workers(&r, &plan, o.responded, o.latency, &operand, operand_path != NULL,
                               coda_writer_sink, &w,
                               coda_progress_on() ? coda_progress_worker : NULL, &e);
    coda_progress_end();
    if (rc < 0)
        goto out;
    if (lf.f) {
        fprintf(lf.f, "worker,latency,responded\n");
        for (int i = 0; i < plan.N; i++)
            fprintf(lf.f, "%d,%.17g,%d\n", i, o.latency[i], o.responded[i]);
    }
    /* both files appear only now, when the whole stream has been written */
    if (coda_outfile_commit(&lf, &e) < 0 || coda_writer_close(&w, &e) < 0)
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
    if (r.in.buf)
        coda_reader_close(&r);
    coda_mat_free(&operand);
    coda_plan_free(&plan);
    coda_straggle_free(&o);
    free(named);
    free(pi);
    free(replay);
    return status;
}
