/* A plan: everything decode needs to know about how the work was coded. It travels as the
 * PLAN frame of a stream: the N x K encoding/allocation matrix G is the payload and every
 * other field is metadata. */
#ifndef CODA_PLAN_H
#define CODA_PLAN_H

#include <stddef.h>

#include "../core/mat.h"
#include "../core/meta.h"
#include "../io/frame.h"

typedef struct {
    char scheme[32];
    char op[16];     /* matmul, matvec, grad, lsq-columns */
    int N, K, s;
    int sum;         /* the result is the sum of the blocks' results (a gradient) */
    int by_cols;     /* blocks are column blocks (lsq-columns); otherwise row blocks */
    int combine;     /* a worker returns one G-weighted sum over its blocks */
    int data_coded;  /* tasks carry G-weighted combinations of zero-padded data blocks */
    int threshold;   /* any `threshold` responders suffice; 0 when it depends on which */
    int threshold_bound; /* (not saved) assigned G: smaller sets were not all checked */
    double load;     /* fraction of the data one worker processes */
    size_t length;   /* rows (or columns) of the data being split */
    size_t *bounds;  /* K+1 block boundaries into 0..length */
    unsigned long long seed;
    coda_mat G;      /* N x K */
    coda_meta extra; /* scheme-specific parameters kept in the plan */
    /* (not saved) the scheme's private state, derived from the fields above by its prepare
     * hook when the plan is built or read, and released by coda_plan_free through its free
     * hook: what decode would otherwise parse again every round (weights, a locator) */
    void *state;
} coda_plan;

void coda_plan_free(coda_plan *p);
/* Split `length` into K blocks, the first length mod K one longer (papers/inverse.txt §IV). */
int coda_plan_split(coda_plan *p, size_t length, coda_err *e);
/* The same rule into b[0..K]: block j is b[j]..b[j+1]. */
void coda_split_bounds(size_t length, int K, size_t *b);
/* b[j] of that rule, without the array (0 <= j <= K). */
size_t coda_split_at(size_t length, int K, int j);
size_t coda_plan_block_len(const coda_plan *p, int j);
size_t coda_plan_max_block(const coda_plan *p);
/* The PLAN frame and back. */
int coda_plan_to_frame(const coda_plan *p, coda_frame *f, coda_err *e);
int coda_plan_from_frame(const coda_frame *f, coda_plan *p, coda_err *e);
/* The decoded result's shape as the encoder knew it (metadata rows and cols), checked against
 * every result by decode: 0 leaves a dimension unknown (a matmul whose operand the worker stage
 * is given). Product plans always carry both. */
int coda_plan_set_shape(coda_plan *p, size_t rows, size_t cols, coda_err *e);
/* The same for a result of op (named as in a plan) shaped rows x cols: a matmul's columns
 * are the operand's, which coda-worker-sim --operand may replace, so they stay unknown. */
int coda_plan_set_result_shape(coda_plan *p, const char *op, size_t rows, size_t cols,
                               coda_err *e);
void coda_plan_shape(const coda_plan *p, size_t *rows, size_t *cols);
/* rows and cols, when present, positive and consistent with the split. */
int coda_plan_shape_check(const coda_plan *p, coda_err *e);

#endif
