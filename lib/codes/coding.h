/* Generic encoding and decoding over a plan's G. The same functions serve the pipeline
 * programs (frames written to a stream) and the one-shot programs (frames passed in memory). */
#ifndef CODA_CODING_H
#define CODA_CODING_H

#include "../io/frame.h"
#include "plan.h"

/* Receives each produced frame; it borrows the frame (the caller frees it afterwards). */
typedef int (*coda_sink)(void *ctx, coda_frame *f, coda_err *e);

/* A sink that also takes a frame by parts, so that a block read from a file goes on a piece
 * at a time, never held whole: head gets the frame with f->mat shaped and no data, body its
 * entries in column-major order in pieces of any size, end closes it (coda_writer_put_head,
 * coda_writer_body and coda_writer_end do it for a stream). */
typedef struct {
    coda_sink frame;
    int (*head)(void *ctx, const coda_frame *f, coda_err *e);
    int (*body)(void *ctx, const void *p, size_t n, coda_err *e);
    int (*end)(void *ctx, coda_err *e);
    void *ctx;
} coda_parts_sink;

/* TASK frames, worker by worker, for `data` (rows x cols; split along the plan's axis). */
int coda_encode_tasks(const coda_plan *p, const coda_mat *data, coda_sink sink, void *ctx,
                      coda_err *e);

/* A TASK frame's tags and metadata (its op, combine, coef and the plan's arg.* fields), no
 * matrix yet: what every encoder's task carries. */
int coda_task_frame(const coda_plan *p, coda_frame *f, int worker, int block, double coef,
                    coda_err *e);

/* The block a RESULT frame stands for on its own (its block tag, or a worker whose only block
 * has coefficient 1); -1 when it is a combination, -2 when its tags are out of range. */
int coda_result_block(const coda_plan *p, const coda_frame *r);

/* The RESULT frames a decode uses, in arrival order: worker and block tags in range, every
 * entry finite, the shape the plan implies (coda_plan_shape; where it leaves a dimension open,
 * the first result's), never empty, and one per worker (per worker and block for replicas): an
 * exact repeat is dropped, one that differs is an error naming the worker. *kept (the caller
 * frees it) points into res. */
int coda_results_collect(const coda_plan *p, const coda_frame *res, size_t n,
                         const coda_frame ***kept, size_t *nkept, coda_err *e);

/* Whether the results of these r distinct workers determine the result, by the decoder's own
 * criterion: every block held (replicas), rank K (coded blocks), 1 in their rows' span (sums
 * of combinations). -1 on error. */
int coda_plan_decodes(const coda_plan *p, const int *workers, int r, coda_err *e);

/* What a decode produced. */
typedef enum {
    CODA_DECODED_EXACT,  /* the result itself, to round-off */
    CODA_DECODED_APPROX, /* within the error the report gives */
    CODA_DECODED_EMPTY,  /* nobody answered and the code says zero (not an error) */
    CODA_DECODED_SUSPECT /* decoded, but a consistency check failed */
} coda_decode_status;

/* A scheme's own figure of a decode, which programs print and copy into the output's
 * metadata without knowing what it means. */
typedef struct {
    char key[24];
    double val;
} coda_decode_figure;

typedef struct {
    coda_decode_status status;
    int responders;   /* distinct workers whose results arrived */
    int used;         /* results the decoder combined */
    double cond;      /* condition number of the decoding system (1 for replication) */
    double max_coef;  /* largest |decoding coefficient| */
    char method[32];  /* "replica", "least-squares", "interpolation", ... */
    /* product codes (product.h): the error report, relative to ||A||_F ||B||_F */
    int report;       /* the fields below are set */
    double trunc;     /* ||E_S||_2: worst-case truncation error, exact arithmetic */
    double roundoff;  /* u sum_s |d_s| ||C~_s||_F / (||A||_F ||B||_F) */
    double predicted; /* trunc + 2 roundoff */
    double eps;       /* the plan's target (0: none) */
    double dnorm1;    /* ||d||_1 */
    double norm_ab;   /* ||A||_F ||B||_F */
    coda_decode_figure fig[8]; /* the scheme's own figures, in the order to print them */
    int nfig;
    char warning[256]; /* what the user should know about this decode ("" when nothing) */
    /* workers a Byzantine decoder located as corrupt among the responders and left out: how
     * many, and the first CODA_MAX_EXCLUDED of them, ascending */
    int nexcluded;
    int excluded[64];
} coda_decode_info;
#define CODA_MAX_EXCLUDED 64

const char *coda_decode_status_name(coda_decode_status s);

/* The consistency check schemes with spare responders share: decode again, with f, without
 * each responder in turn; f also gives the tolerance relative to ||out|| the two decodes may
 * differ by. Returns the largest ||x - out|| / (tol ||out||) above 1, or 0 when all agree. */
typedef int (*coda_redecode)(void *ctx, const coda_plan *p, const coda_frame *const *rest,
                             size_t n, coda_mat *x, coda_decode_info *again,
                             double *tol);
double coda_leave_one_out(const coda_plan *p, const coda_frame *const *use, size_t nu,
                          const coda_mat *out, coda_redecode f, void *ctx);
/* Mark a decode suspect: "leaving one out changes the WHAT by up to WORST times BOUND". */
void coda_report_suspect(coda_decode_info *info, double worst, const char *what,
                         const char *bound);

/* Recover the result from whatever RESULT frames arrived. On failure the message says what is
 * missing ("need any 5 of 8 workers, got 4: blocks 2 and 3 missing"), class CODA_E_FEW when
 * more responders would do. */
int coda_decode(const coda_plan *p, const coda_frame *res, size_t nres, coda_mat *out,
                coda_decode_info *info, coda_err *e);
/* The same with the scheme's decode-time options (a scheme option table's at_decode entries,
 * name=value; NULL: the defaults). The plan's scheme decides how. */
int coda_decode_with(const coda_plan *p, const coda_frame *res, size_t nres,
                     const coda_meta *opts, coda_mat *out, coda_decode_info *info, coda_err *e);

#endif
