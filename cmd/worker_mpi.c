/* coda-worker-mpi: the worker stage on a real Open MPI job, a drop-in for coda-worker-sim in a
 * pipeline: coda-encode ... | mpirun -n N+1 coda-worker-mpi | coda-decode. Rank 0 reads the
 * stream, sends each worker its shards and the operand (lib/engine/mpi), and writes the PLAN
 * and the RESULT frames that arrived under the policy; ranks 1..N compute. Scheme-blind. */
#include <getopt.h>
#include <math.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>

#include "../lib/cli/cli.h"
#include "../lib/cli/options.h"
#include "../lib/cli/worker_opts.h"
#include "../lib/codes/plan.h"
#include "../lib/engine/mpi.h"

static const char *prog = "coda-worker-mpi";

enum { O_OPERAND = CODA_OPT_OPERAND, O_LOG = CODA_OPT_LOG, O_TRUTH = CODA_OPT_TRUTH,
       O_DELAY = 256, O_DELAY_SCALE, O_FAIL, O_KEEP_STALE };

static const coda_cli_option cli_options[] = {
    CODA_CLI_WORKER_STAGE_OPTIONS,
    CODA_CLI_WAIT_FOR_HELP("collect only the F earliest responders"),
    CODA_CLI_DEADLINE_HELP("collect only what arrives within T seconds (wall clock); default: "
                           "wait for every worker that is not made to fail"),
    {"keep-stale", O_KEEP_STALE, NULL, "keep a result that arrives for an earlier round"},
    CODA_CLI_OUTPUT_HELP("write the stream to FILE (default stdout)"),
    CODA_CLI_QUIET_HELP("no summary on stderr"),
    CODA_CLI_HELP,
    CODA_CLI_VERSION,
    CODA_CLI_HEADING("Stragglers made real, for tests and experiments on one machine (the "
                     "workers\ndrawn never answer):"),
    {"delay", O_DELAY, "MODEL", "each worker sleeps its drawn latency before answering: "
                                "shifted-exp:SHIFT,RATE, pareto:SCALE,SHAPE, replay:FILE, "
                                "rates:FILE or rates:LO,HI, empirical:FILE (as coda-worker-sim "
                                "--latency, drawn per round)"},
    {"delay-scale", O_DELAY_SCALE, "X", "seconds per unit of drawn latency (default 1)"},
    {"fail-workers", O_FAIL, "LIST", "these workers (0-based) never answer"},
    CODA_CLI_STRAGGLER_OPTIONS,
    CODA_CLI_HEADING("Corrupt workers, as in coda-worker-sim:"),
    CODA_CLI_ADVERSARY_OPTIONS,
    CODA_CLI_HEADING("Refused here (latencies are measured; the others need the code:\n"
                     "coda-solve --method gd --engine mpi):"),
    {"latency", CODA_OPT_LATENCY, "MODEL", "see --delay"},
    {"latency-scale-by-load", CODA_OPT_SCALE_BY_LOAD, NULL, "refused"},
    CODA_CLI_UNTIL_DECODABLE_HELP("refused"),
    CODA_CLI_END};

static void usage(FILE *to)
{
    fprintf(to, "Usage: mpirun -n N+1 coda-worker-mpi [OPTIONS] [STREAM]\n"
                "The worker stage on an MPI job: rank 0 reads a coda-encode stream (stdin or\n"
                "STREAM), ranks 1..N are the plan's N workers, and rank 0 writes the PLAN and\n"
                "the RESULT frames that arrived to stdout, for coda-decode.\n\n");
    coda_cli_print_options(to, cli_options);
    fprintf(to, "\nFiles named by options must be readable on every rank. See "
                "coda-worker-mpi(1).\n");
}

typedef struct {
    coda_worker_opts wo;
    coda_mpi_config mpi;
    const char *operand_path, *log_path, *truth_path, *out, *in;
    unsigned long long seed, round;
    long *fail;
    int quiet;
} options;

/* Every rank parses the same command line; rank 0 alone speaks for usage errors. */
static int master_rank(void)
{
    const char *r = getenv("OMPI_COMM_WORLD_RANK");
    return !r || strcmp(r, "0") == 0;
}

/* 0 to go on, else the exit status (after --help or a usage error). */
static int parse(int argc, char **argv, options *o)
{
    coda_err e;
    int c;
    size_t nfail = 0;
    o->mpi.delay_scale = 1;
    coda_cli_getopt g;
    if (coda_cli_getopt_build(&g, cli_options, &e) < 0) {
        coda_say(prog, "%s", e.msg);
        return CODA_EXIT_DATA;
    }
    while ((c = getopt_long(argc, argv, g.shortopts, g.longopts, NULL)) != -1) {
        int bad = 0;
        switch (c) {
        case CODA_OPT_LATENCY:
            bad = coda_failc(&e, CODA_E_USAGE, "--latency: on MPI latencies are measured; "
                                               "--delay MODEL makes workers sleep a drawn one");
            break;
        case CODA_OPT_SCALE_BY_LOAD:
        case CODA_OPT_UNTIL_DECODABLE:
            bad = coda_failc(&e, CODA_E_USAGE, "%s: not in the worker stage (it needs the "
                             "code: coda-solve --method gd --engine mpi)",
                             c == CODA_OPT_UNTIL_DECODABLE ? "--until-decodable"
                                                           : "--latency-scale-by-load");
            break;
        case O_DELAY:
            o->mpi.delay_on = 1;
            bad = coda_worker_option(CODA_OPT_LATENCY, optarg, &o->wo, &e) < 0 ? -1 : 0;
            break;
        case O_DELAY_SCALE:
            bad = coda_parse_double_range("--delay-scale", optarg, 0, 0, 1e6,
                                          &o->mpi.delay_scale, &e);
            break;
        case O_FAIL: {
            free(o->fail);
            o->fail = NULL;
            bad = coda_parse_list("--fail-workers", optarg, &o->fail, &nfail, &e);
            break;
        }
        case O_KEEP_STALE: o->mpi.keep_stale = 1; break;
        case O_OPERAND: o->operand_path = optarg; break;
        case CODA_CLI_ROUND_ID: bad = coda_parse_u64("--round", optarg, &o->round, &e); break;
        case CODA_CLI_SEED_ID: bad = coda_parse_u64("--seed", optarg, &o->seed, &e); break;
        case O_LOG: o->log_path = optarg; break;
        case O_TRUTH: o->truth_path = optarg; break;
        case 'o': o->out = optarg; break;
        case 'q': o->quiet = 1; break;
        case 'h': usage(stdout); return CODA_EXIT_OK + 256;
        case CODA_CLI_VERSION_ID: coda_print_version(prog); return CODA_EXIT_OK + 256;
        default: {
            int taken = coda_worker_option(c, optarg, &o->wo, &e);
            if (taken == 0) {
                if (master_rank())
                    usage(stderr);
                return CODA_EXIT_USAGE;
            }
            bad = taken < 0 ? -1 : 0;
        }
        }
        if (bad) {
            if (master_rank())
                coda_say(prog, "%s", e.msg);
            return CODA_EXIT_USAGE;
        }
    }
    if (argc - optind > 1) {
        if (master_rank())
            coda_say(prog, "unexpected argument '%s': one input stream at most", argv[optind + 1]);
        return CODA_EXIT_USAGE;
    }
    o->in = optind < argc ? argv[optind] : "-";
    o->mpi.fail = o->fail;
    o->mpi.nfail = nfail;
    return 0;
}

/* The stream: its PLAN frame (kept to forward), the operand, every TASK frame. */
static int read_stream(const options *o, coda_frame *planf, coda_plan *plan, coda_mat *operand,
                       coda_frame_list *tasks, coda_err *e)
{
    coda_reader r;
    if (coda_reader_open(&r, o->in, e) < 0)
        return -1;
    int rc = coda_reader_next(&r, planf, e);
    if (rc == 0)
        coda_fail(e, "%s: empty stream", r.in.name);
    if (rc > 0 && planf->kind != CODA_PLAN) {
        coda_fail(e, "%s: frame 0 is a %s frame, not a PLAN (pipe coda-encode into %s)",
                  r.in.name, coda_kind_name(planf->kind), prog);
        rc = -1;
    } else if (rc > 0 && coda_plan_from_frame(planf, plan, e) < 0) {
        coda_fail_prefix(e, "%s: frame 0: ", r.in.name);
        rc = -1;
    }
    while (rc > 0) {
        coda_frame f;
        rc = coda_reader_next(&r, &f, e);
        if (rc <= 0)
            break;
        if (f.kind == CODA_TASK) {
            int64_t w = f.tag[CODA_TAG_WORKER];
            if (w < 0 || w >= plan->N) {
                rc = coda_fail(e, "%s: frame %ld: task for worker %lld outside 0..%d", r.in.name,
                               r.frames - 1, (long long)w, plan->N - 1);
                coda_frame_free(&f);
            } else if (coda_frame_list_push(tasks, &f, e) < 0) {
                rc = -1;
                coda_frame_free(&f);
            }
        } else if (f.kind == CODA_MATRIX) {
            if (!o->operand_path) {
                coda_mat_free(operand);
                *operand = f.mat;
                f.mat.data = NULL;
            }
            coda_frame_free(&f);
        } else {
            rc = coda_fail(e, "%s: frame %ld: unexpected %s frame", r.in.name, r.frames - 1,
                           coda_kind_name(f.kind));
            coda_frame_free(&f);
        }
    }
    coda_reader_close(&r);
    return rc < 0 ? -1 : 0;
}

static int master(options *o, int size)
{
    coda_err e;
    coda_frame planf;
    coda_frame_init(&planf, CODA_PLAN);
    coda_plan plan = {0};
    coda_mat operand = {0};
    coda_frame_list tasks = {0}, results = {0};
    coda_outfile lf = {0}, tf = {0};
    coda_writer w = {0};
    coda_engine g = {0};
    int status = -1;
    /* a bad output name, --log or --truth is refused before anything runs */
    if ((o->out && strcmp(o->out, "-") != 0 && coda_check_stream_output(o->out, &e) < 0) ||
        (o->log_path && coda_open_side_output(&lf, "--log", o->log_path, o->out, &e) < 0) ||
        (o->truth_path && coda_open_side_output(&tf, "--truth", o->truth_path, o->out, &e) < 0))
        goto out;
    if (o->operand_path && coda_read_matrix(o->operand_path, &operand, NULL, &e) < 0)
        goto out;
    if (read_stream(o, &planf, &plan, &operand, &tasks, &e) < 0)
        goto out;
    if (plan.N != size - 1) {
        coda_failc(&e, CODA_E_USAGE, "the plan has %d workers, so it needs mpirun -n %d (the "
                   "master and %d workers); this job has %d processes", plan.N, plan.N + 1,
                   plan.N, size);
        goto out;
    }
    int set = 0;
    if (coda_engine_open(&g, &coda_engine_mpi, plan.N, &o->mpi, &e) < 0)
        goto out;
    if (g.type->install(&g, tasks.f, tasks.n, plan.load, &set, &e) < 0)
        goto out;
    coda_round_info info;
    coda_policy policy = o->wo.policy;
    if (g.type->round(&g, set, o->round, operand.data ? &operand : NULL, &policy, &results, &info,
                      &e) < 0)
        goto out;
    /* the stream: the PLAN, then the results in worker order (arrival order is in --log) */
    if (coda_open_stream_output_under_mpirun(&w, o->out, &e) < 0 ||
        coda_meta_set(&planf.meta, "engine", "mpi", &e) < 0 ||
        coda_writer_put(&w, &planf, &e) < 0)
        goto out;
    for (int k = 0; k < plan.N; k++)
        for (size_t i = 0; i < results.n; i++) {
            coda_frame *f = &results.f[i];
            if (f->tag[CODA_TAG_WORKER] != k)
                continue;
            if (coda_meta_set_double(&f->meta, "latency", info.latency[k], &e) < 0 ||
                coda_writer_put(&w, f, &e) < 0)
                goto out;
        }
    coda_write_worker_log(lf.f, plan.N, info.latency, info.responded);
    coda_write_truth(tf.f, o->round, plan.N, info.corrupt, info.responded, info.latency);
    if (coda_outfile_commit(&lf, &e) < 0 || coda_outfile_commit(&tf, &e) < 0 ||
        coda_writer_close(&w, &e) < 0)
        goto out;
    long stale = coda_mpi_engine_stale(&g);
    coda_engine_close(&g); /* the stragglers are told to stop, and said goodbye */
    if (!o->quiet)
        coda_say(prog, "%d of %d workers responded; round time %.6g s (wall clock)%s", info.responders,
                 plan.N, info.time, stale ? "; late results of earlier rounds dropped" : "");
    status = CODA_EXIT_OK;
out:
    if (status != CODA_EXIT_OK) {
        status = coda_exit_for(&e);
        coda_say(prog, "%s", e.msg);
        coda_mpi_engine_fail(&g, status, e.msg);
    }
    coda_engine_close(&g);
    coda_mpi_stop_workers(status, status ? e.msg : NULL); /* (when the engine never opened) */
    coda_writer_abort(&w);
    coda_outfile_abort(&lf);
    coda_outfile_abort(&tf);
    coda_frame_free(&planf);
    coda_plan_free(&plan);
    coda_mat_free(&operand);
    coda_frame_list_free(&tasks);
    coda_frame_list_free(&results);
    return status;
}

int main(int argc, char **argv)
{
    options o = {.seed = 1};
    coda_worker_options_init(&o.wo, 1);
    int status = parse(argc, argv, &o);
    int rank = 0, size = 0;
    coda_err e;
    if (status) {
        status = status >= 256 ? status - 256 : status;
        goto done;
    }
    if (coda_mpi_init(&argc, &argv, &rank, &size, &e) < 0) {
        coda_say(prog, "%s", e.msg);
        status = coda_exit_for(&e);
        goto done;
    }
    /* the seed and round of every draw; the files the options name are read on every rank,
     * and every rank goes on only if all could */
    o.wo.sim.straggle.seed = o.wo.sim.adversary.seed = o.seed;
    int ok = coda_worker_options_finish(&o.wo, &e) == 0, all = coda_mpi_all(ok);
    if (!all) {
        if (rank == 0 || !ok)
            coda_say(prog, "%s", ok ? "a file an option names cannot be read on every rank" : e.msg);
        status = ok ? CODA_EXIT_DATA : coda_exit_for(&e);
        goto done;
    }
    o.mpi.delay = o.wo.sim.straggle;
    o.mpi.adversary = o.wo.sim.adversary;
    if (size < 2) {
        coda_say(prog, "a job of one process has no workers: mpirun -n N+1 for N workers");
        status = CODA_EXIT_USAGE;
    } else if (rank == 0) {
        status = master(&o, size);
    } else {
        status = coda_mpi_serve(&o.mpi, &e);
        if (status != 0)
            coda_say(prog, "rank %d: %s", rank, e.msg);
        if (status < 0)
            status = CODA_EXIT_DATA;
    }
done:
    coda_mpi_finalize();
    coda_worker_options_free(&o.wo);
    free(o.fail);
    return status;
}
