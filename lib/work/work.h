/* What a worker computes. Scheme-blind: a worker sees only its TASK frames (op, coefficient,
 * whether to combine) and the operand. */
#ifndef CODA_WORK_H
#define CODA_WORK_H

#include "../codes/coding.h"
#include "../io/frame.h"
#include "../io/stream.h"
#include "../solve/lsq.h"

/* One task's result:
 *   matmul       task (b x n) * operand (n x p)                       -> b x p
 *   matvec       task (b x n) * operand (n x 1)                       -> b x 1
 *   grad         task [X y] (b x (n+1)), operand beta (n x 1): X^T (X beta - y) -> n x 1
 *   lsq-columns  task E (r x c), operand A (r x m): argmin ||A X - E||_F -> m x c, by the
 *                solver the task's arg.method / arg.eps / arg.iters name (lib/solve/lsq.h)
 * `args` is the task's metadata; what the work measured (iterations, final gradients) goes into
 * `info` (may be NULL) and travels in the RESULT frame. */
int coda_work_apply(const char *op, const coda_meta *args, const coda_mat *task,
                    const coda_mat *operand, coda_mat *out, coda_meta *info, coda_err *e);

/* The shape of op's result on a rows x cols task (the whole data: the uncoded result), and
 * whether `operand` fits it (NULL: given later, to the worker stage; a dimension only the
 * operand fixes is then 0). */
int coda_work_result_shape(const char *op, size_t rows, size_t cols, const coda_mat *operand,
                           size_t *out_rows, size_t *out_cols, coda_err *e);

/* Run all of one worker's TASK frames and pass its RESULT frames to sink: one per task, or one
 * coefficient-weighted sum when the tasks say combine=1. A TASK frame with role=operand is the
 * worker's own operand (product codes code both factors) and serves the tasks after it.
 * `latency` (if finite) goes into the results' metadata. */
int coda_worker_run(const coda_frame *tasks, size_t n, const coda_mat *operand, double latency,
                    coda_sink sink, void *ctx, coda_err *e);

/* The worker stage of a pipeline: read the frames after the PLAN from r (the operand as a
 * MATRIX frame unless *operand is already set and fixed, then TASK frames, one worker's tasks
 * contiguous), run the tasks of each worker with responded[w] set, and pass their RESULT frames
 * to sink. progress (may be NULL) is called after each worker. */
int coda_simulate_workers(coda_reader *r, const coda_plan *plan, const char *responded,
                          const double *latency, coda_mat *operand, int operand_fixed,
                          coda_sink sink, void *ctx, void (*progress)(int worker, int N),
                          coda_err *e);

/* The same worker stage over TASK frames in memory (one-shot programs: coda-invert). It takes
 * the frames over and frees them; the operand is given. */
int coda_simulate_frames(coda_frame *frames, size_t n, const coda_plan *plan,
                         const char *responded, const double *latency, coda_mat *operand,
                         coda_sink sink, void *ctx, void (*progress)(int worker, int N),
                         coda_err *e);

/* The solver figures of a decoded lsq-columns job: one result per block, merged in column
 * order. Results without figures (direct) give NaN gradients. */
int coda_lsq_stats_from_results(const coda_plan *p, const coda_frame *res, size_t n,
                                coda_lsq_stats *st, coda_err *e);

#endif
