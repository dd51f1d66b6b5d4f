/* The worker stage. Scheme-blind: a worker sees only its TASK frames (op, coefficient, whether
 * to combine) and the operand; what each op computes is lib/ops. */
#ifndef CODA_WORK_H
#define CODA_WORK_H

#include "../codes/coding.h"
#include "../io/frame.h"
#include "../io/stream.h"
#include "../straggle/adversary.h"
#include "../solve/lsq.h"

/* Run all of one worker's TASK frames and pass its RESULT frames to sink: one per task, or one
 * coefficient-weighted sum when the tasks say combine=1. A TASK frame with role=operand is the
 * worker's own operand (product codes code both factors) and serves the tasks after it.
 * `latency` (if finite) goes into the results' metadata. */
int coda_worker_run(const coda_frame *tasks, size_t n, const coda_mat *operand, double latency,
                    coda_sink sink, void *ctx, coda_err *e);

/* Corrupt workers (lib/straggle/adversary.h): corrupt[w] marks worker w this round; its
 * outgoing results are corrupted by adv (or, for wrong-input, computed from a perturbed
 * operand) and carry corrupt=1 in their metadata. NULL: everyone is honest. */
typedef struct {
    const coda_adversary *adv;
    const char *corrupt;
} coda_corruption;

/* coda_worker_run for worker w, who may be corrupt (bad may be NULL). */
int coda_worker_run_as(const coda_frame *tasks, size_t n, int w, const coda_mat *operand,
                       double latency, const coda_corruption *bad, coda_sink sink, void *ctx,
                       coda_err *e);

/* The worker stage of a pipeline: read the frames after the PLAN from r (the operand as a
 * MATRIX frame unless *operand is already set and fixed, then TASK frames, one worker's tasks
 * contiguous), run the tasks of each worker with responded[w] set, and pass their RESULT frames
 * to sink. progress (may be NULL) is called after each worker. */
int coda_simulate_workers(coda_reader *r, const coda_plan *plan, const char *responded,
                          const double *latency, coda_mat *operand, int operand_fixed,
                          const coda_corruption *bad, coda_sink sink, void *ctx,
                          void (*progress)(int worker, int N), coda_err *e);

/* The same worker stage over TASK frames in memory (one-shot programs: coda-invert). It takes
 * the frames over and frees them; the operand is given. */
int coda_simulate_frames(coda_frame *frames, size_t n, const coda_plan *plan,
                         const char *responded, const double *latency, coda_mat *operand,
                         const coda_corruption *bad, coda_sink sink, void *ctx,
                         void (*progress)(int worker, int N), coda_err *e);

/* The solver figures of a decoded lsq-columns job: one result per block, merged in column
 * order. Results without figures (direct) give NaN gradients. */
int coda_lsq_stats_from_results(const coda_plan *p, const coda_frame *res, size_t n,
                                coda_lsq_stats *st, coda_err *e);

#endif
