/* The Byzantine methods of coda-solve (papers/byzantine.txt §4, §6.1): the coded jobs they run
 * on and their loop with the uncoded reference alongside. pgd: a matvec job on X and one on X^T,
 * two rounds an iteration (lib/run/pgd); sgd: a columns job on X^T, one round (lib/run/sgd); cd:
 * a sparse-matvec job on X by rows and a vecmat job on X by columns (lib/run/cd). The
 * code is built for t corrupt workers (passed as the scheme's "adversaries" option where the
 * scheme has one) and s stragglers; each round's corrupt workers are the engine's draw. The
 * jobs share the caller's engine (the same workers hold both codings of X), each its task set;
 * their rounds are numbered apart (one counter per iterator). */
#ifndef CODA_BYZ_RUN_H
#define CODA_BYZ_RUN_H

#include "cd.h"
#include "pgd.h"
#include "sgd.h"

typedef struct {
    const char *scheme;
    int N, s, t;
    unsigned long long seed;
    coda_engine *engine;               /* open, for N workers: the caller closes it */
    const coda_adversary *adversary;   /* what the engine's corrupt workers do */
    const coda_policy *policy;
    int until_decodable;
    int plain; /* run the uncoded reference too */
    const coda_meta *opts; /* the scheme's own options (--scheme-opt; may be NULL) */
} coda_byz_setup;

typedef struct {
    int sgd, cd;
    coda_job jobs[2];
    coda_mat Xt; /* X^T: the data of the jobs on X^T */
    coda_pgd pgd, ppgd;
    coda_sgd sgdi, psgd;
    coda_cd cdi, pcd;
    double *master_s;            /* cd: per iteration, for the median */
    double *each_s;              /* cd: iters x N, each worker's op seconds per iteration */
    int have;    /* iterators initialized: 1 coded, 2 plain */
    double gap;  /* the largest relative deviation from the uncoded run */
} coda_byz_run;

/* Build the jobs and iterators (po for pgd, so for sgd, co for cd: exactly one non-NULL). cd
 * refuses the wrong-input attack, which would perturb the indices in its operands. */
int coda_byz_run_init(coda_byz_run *r, const coda_byz_setup *s, const coda_mat *X,
                      const coda_mat *y, const coda_pgd_opts *po, const coda_sgd_opts *so,
                      const coda_cd_opts *co, const coda_mat *x0, coda_err *e);
/* One iteration of both runs: 1 again, 0 done, -1 error. */
int coda_byz_run_iterate(coda_byz_run *r, coda_err *e);
/* The coded run's iterate and figures. */
const coda_mat *coda_byz_run_w(const coda_byz_run *r);
void coda_byz_run_figures(const coda_byz_run *r, long *iters, double *loss, double *gnorm,
                          long *excluded);
/* cd: the slowest worker's op seconds per iteration (both rounds), as the largest over the
 * workers of each one's median over the iterations (robust to a worker descheduled now and
 * then on a shared machine), and the median of the master's; NaN for the other methods. */
void coda_byz_run_times(const coda_byz_run *r, double *worker_s, double *master_s);
void coda_byz_run_free(coda_byz_run *r);

#endif
