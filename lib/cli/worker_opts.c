#include "worker_opts.h"

#include <math.h>
#include <stdlib.h>
#include <string.h>

#include "../io/stream.h"
#include "cli.h"

void coda_worker_options_init(coda_worker_opts *o, unsigned long long seed)
{
    memset(o, 0, sizeof *o);
    o->sim.straggle = (coda_straggle_model){.kind = CODA_LAT_NONE, .stragglers = -1,
                                            .wait_for = -1, .deadline = -1, .seed = seed};
    o->sim.adversary = (coda_adversary){.kind = CODA_ATK_GAUSS, .sigma = 100, .seed = seed};
    o->policy = (coda_policy){.wait_for = -1, .deadline = -1};
}

static int usage_error(coda_err *e) { return e->cls = CODA_E_USAGE, -1; }

int coda_worker_option(int c, const char *arg, coda_worker_opts *o, coda_err *e)
{
    coda_straggle_model *m = &o->sim.straggle;
    size_t n;
    switch (c) {
    case 's':
        return coda_parse_long("--stragglers", arg, 0, 1000000, &m->stragglers, e) < 0
                   ? usage_error(e)
                   : 1;
    case CODA_OPT_STRAGGLE_WORKERS:
        free(o->named);
        o->named = NULL;
        if (coda_parse_list("--straggle-workers", arg, &o->named, &m->nnamed, e) < 0)
            return usage_error(e);
        m->named = o->named;
        return 1;
    case 'p':
        return coda_parse_double_range("--straggle-prob", arg, 0, 0, 1, &m->p, e) < 0
                   ? usage_error(e)
                   : 1;
    case CODA_OPT_STRAGGLE_PROBS: o->probs_path = arg; return 1;
    case CODA_OPT_RESPONDERS:
        return coda_parse_long("--responders", arg, 1, 1000000, &m->responders, e) < 0
                   ? usage_error(e)
                   : 1;
    case CODA_OPT_LATENCY:
        o->replay_path = o->rates_path = o->cdf_path = NULL;
        if (strncmp(arg, "replay:", 7) == 0) {
            m->kind = CODA_LAT_REPLAY;
            o->replay_path = arg + 7;
        } else if (strncmp(arg, "empirical:", 10) == 0) {
            m->kind = CODA_LAT_EMPIRICAL;
            o->cdf_path = arg + 10;
        } else if (strncmp(arg, "rates:", 6) == 0 && !strchr(arg + 6, ',')) {
            m->kind = CODA_LAT_RATES;
            m->a = 1.0;
            o->rates_path = arg + 6;
        } else if (coda_latency_parse(arg, m, e) < 0) {
            coda_fail_prefix(e, "option --latency: ");
            return usage_error(e);
        }
        return 1;
    case CODA_OPT_SCALE_BY_LOAD: m->scale_by_load = 1; return 1;
    case 't':
        return coda_parse_long("--adversaries", arg, 0, 1000000, &o->sim.adversary.t, e) < 0
                   ? usage_error(e)
                   : 1;
    case CODA_OPT_CORRUPT_WORKERS:
        free(o->corrupt_named);
        o->corrupt_named = NULL;
        if (coda_parse_list("--corrupt-workers", arg, &o->corrupt_named, &n, e) < 0)
            return usage_error(e);
        o->sim.adversary.named = o->corrupt_named;
        o->sim.adversary.nnamed = n;
        return 1;
    case CODA_OPT_ATTACK:
        if (coda_attack_parse(arg, &o->sim.adversary, e) < 0) {
            coda_fail_prefix(e, "option --attack: ");
            return -1;
        }
        return 1;
    case CODA_OPT_WAIT_FOR:
        return coda_parse_long("--wait-for", arg, 1, 1000000, &o->policy.wait_for, e) < 0
                   ? usage_error(e)
                   : 1;
    case CODA_OPT_DEADLINE:
        return coda_parse_double_range("--deadline", arg, 0, 0, INFINITY, &o->policy.deadline,
                                       e) < 0
                   ? usage_error(e)
                   : 1;
    case CODA_OPT_UNTIL_DECODABLE: o->until_decodable = 1; return 1;
    default: return 0;
    }
}

/* A matrix file's values, as one array (a column, or the columns of a table). */
static int read_values(const char *path, size_t want_cols, double **out, size_t *rows,
                       coda_err *e)
{
    coda_mat m;
    if (coda_read_matrix(path, &m, NULL, e) < 0)
        return -1;
    if (want_cols == 1 && m.rows == 1) { /* a row is a column too */
        m.rows = m.cols;
        m.cols = 1;
    }
    if (m.cols != want_cols) {
        coda_mat_free(&m);
        return coda_fail(e, "%s: expected %zu column%s, got %zu x %zu", path, want_cols,
                         want_cols == 1 ? "" : "s", m.rows, m.cols);
    }
    for (size_t i = 0; i < m.rows * m.cols; i++)
        if (!isfinite(m.data[i]) || m.data[i] < 0) {
            size_t r = i % (m.rows ? m.rows : 1) + 1;
            coda_mat_free(&m);
            return coda_fail(e, "%s: row %zu holds a negative or non-finite value", path, r);
        }
    *out = m.data;
    *rows = m.rows;
    return 0;
}

int coda_worker_options_finish(coda_worker_opts *o, coda_err *e)
{
    coda_straggle_model *m = &o->sim.straggle;
    size_t n;
    if (o->probs_path) {
        if (read_values(o->probs_path, 1, &o->pi, &m->npi, e) < 0)
            return -1;
        for (size_t k = 0; k < m->npi; k++)
            if (o->pi[k] > 1)
                return coda_fail(e, "%s: probability %g in row %zu exceeds 1", o->probs_path,
                                 o->pi[k], k + 1);
        m->pi = o->pi;
    }
    if (o->replay_path) {
        if (read_values(o->replay_path, 1, &o->replay, &m->nreplay, e) < 0)
            return -1;
        m->replay = o->replay;
    }
    if (o->rates_path) {
        if (read_values(o->rates_path, 1, &o->rate, &m->nrate, e) < 0)
            return -1;
        m->rate = o->rate;
    }
    if (o->cdf_path) {
        if (read_values(o->cdf_path, 2, &o->cdf, &n, e) < 0)
            return -1;
        m->cdf_t = o->cdf;
        m->cdf_p = o->cdf + n;
        m->ncdf = n;
    }
    if (m->responders > 0 && (m->stragglers >= 0 || m->nnamed))
        return coda_failc(e, CODA_E_USAGE, "--responders is the fixed-q model: it replaces "
                          "--stragglers and --straggle-workers");
    if (o->sim.adversary.nnamed && o->sim.adversary.t > 0)
        return coda_failc(e, CODA_E_USAGE, "give -t/--adversaries or --corrupt-workers, not "
                          "both");
    if (o->until_decodable && (o->policy.wait_for >= 0 || o->policy.deadline >= 0))
        return coda_failc(e, CODA_E_USAGE, "--until-decodable replaces --wait-for and "
                          "--deadline");
    return 0;
}

void coda_worker_options_free(coda_worker_opts *o)
{
    free(o->named);
    free(o->corrupt_named);
    free(o->pi);
    free(o->replay);
    free(o->rate);
    free(o->cdf);
    memset(o, 0, sizeof *o);
}

void coda_write_worker_log(FILE *f, int N, const double *latency, const char *responded)
{
    if (!f)
        return;
    fprintf(f, "worker,latency,responded\n");
    for (int i = 0; i < N; i++)
        fprintf(f, "%d,%.17g,%d\n", i, latency[i], responded[i]);
}

void coda_write_truth(FILE *f, unsigned long long round, int N, const char *corrupt,
                      const char *responded, const double *latency)
{
    if (!f)
        return;
    fprintf(f, "round,worker,corrupt,straggled,latency\n");
    for (int i = 0; i < N; i++)
        fprintf(f, "%llu,%d,%d,%d,%.17g\n", round, i, corrupt[i], !responded[i], latency[i]);
}
