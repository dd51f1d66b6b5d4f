/* The decoders of the approximate gradient codes (hetero and the baselines of its paper):
 * g_hat = sum_i c_i f_i over the results, with no solve, and the zero of the plan's shape
 * (status empty, not an error) when nobody responded. */
#ifndef CODA_WEIGHTED_H
#define CODA_WEIGHTED_H

#include "coding.h"
#include "scheme.h"

/* sum over use[] of c[worker] f (times G[worker, b] for a result tagged with block b); zero
 * of the plan's shape when nu = 0 (too few, class few, when the plan records no shape). */
int coda_weighted_sum(const coda_plan *p, const coda_frame *const *use, size_t nu,
                      const double *c, coda_mat *out, coda_decode_info *info, coda_err *e);
/* The decoder of a plan whose metadata "w" holds one weight per worker. */
int coda_decode_weighted(const coda_plan *p, const coda_frame *res, size_t n,
                         const coda_meta *opts, coda_mat *out, coda_decode_info *info,
                         coda_err *e);
/* The plan's "w": N finite weights (the caller frees *w). */
int coda_plan_weights(const coda_plan *p, double **w, coda_err *e);
/* The private state of a code decoded by coda_decode_weighted: its weights w, parsed and
 * checked once (the scheme's prepare and free hooks). */
int coda_weighted_prepare(coda_plan *p, coda_err *e);
void coda_weighted_free(void *state);

/* Figures every such code reports: load d = nnz/n, nnz, max b (nonzeros of a worker's row). */
int coda_weighted_report_load(const coda_plan *p, coda_meta *fig, coda_err *e);

#endif

/* The baselines' shared pieces (is_sgd.c, bgc.c, ehd.c, od.c, sgc_het.c). */
/* --replication D (default 2, 1 <= D <= N). */
int coda_baseline_replication(const coda_scheme_args *a, int N, int *d, coda_err *e);
/* The option table entry of --replication, which bgc, ehd, od and sgc-het share. */
#define CODA_BASELINE_REPLICATION_OPTION                                                           \
    {"replication", 0, "D", "bgc, ehd, od, sgc-het: the expected (bgc) or exact copies of a "    \
                            "partition (default 2)", 0}
/* The plan's common fields of a baseline: K, combine, load (max b / K), threshold 0, w. */
int coda_baseline_finish(coda_plan *p, const double *w, coda_err *e);
