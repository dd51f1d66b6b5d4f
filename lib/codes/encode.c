#include <cblas.h>
#include <stdlib.h>
#include <string.h>

#include "../core/threads.h"
#include "coding.h"
#include "scheme.h"

/* Block j of the data: rows (or columns) bounds[j]..bounds[j+1]. */
static int take_block(const coda_plan *p, const coda_mat *d, int j, coda_mat *b, coda_err *e)
{
    size_t len = coda_plan_block_len(p, j), at = p->bounds[j];
    if (coda_mat_alloc_raw(b, p->by_cols ? d->rows : len, p->by_cols ? len : d->cols, e) < 0)
        return -1;
    for (size_t c = 0; c < (p->by_cols ? len : d->cols); c++)
        memcpy(b->data + c * b->rows,
               p->by_cols ? d->data + (at + c) * CODA_LD(d) : d->data + c * CODA_LD(d) + at,
               (p->by_cols ? d->rows : len) * sizeof(double));
    return 0;
}

int coda_task_frame(const coda_plan *p, coda_frame *f, int worker, int block, double coef,
                    coda_err *e)
{
    coda_frame_init(f, CODA_TASK);
    f->tag[CODA_TAG_WORKER] = worker;
    f->tag[CODA_TAG_BLOCK] = block;
    if (coda_meta_set(&f->meta, "op", p->op, e) < 0 ||
        coda_meta_set_long(&f->meta, "combine", p->combine, e) < 0 ||
        coda_meta_set_double(&f->meta, "coef", coef, e) < 0) {
        coda_frame_free(f);
        return -1;
    }
    /* the op's own arguments (a solver and its tolerance) ride in the plan as arg.* */
    for (size_t k = 0; k < p->extra.n; k++)
        if (strncmp(p->extra.key[k], "arg.", 4) == 0 &&
            coda_meta_set(&f->meta, p->extra.key[k], p->extra.val[k], e) < 0) {
            coda_frame_free(f);
            return -1;
        }
    return 0;
}

/* A column (row split: part of one) of block j into task i: written when j is the task's
 * first term, else added. The calls, and so the bytes, are those of the task made alone. */
static void term(double *dst, const double *src, size_t n, double g, int first)
{
    if (first) {
        memcpy(dst, src, n * sizeof(double));
        if (g != 1.0)
            cblas_dscal((int)n, g, dst, 1);
    } else {
        cblas_daxpy((int)n, g, src, 1, dst, 1);
    }
}

/* Tasks ws[0..nw) -- task t = sum_j G[ws[t],j] block_j, each block zero-padded to pad rows
 * (columns) -- in one pass over the data: each piece of a block is read once, while it is
 * in cache, for every task that uses it (a code's parity tasks all read the whole data).
 * The first term of a task is written (no zero-fill of the whole task), the others added.
 * Serial BLAS: these are memory-bound axpys, which threads only slow down (and the bytes do
 * not depend on it). */
static int combine_blocks(const coda_plan *p, const coda_mat *data, const int *ws, int nw,
                          size_t pad, coda_mat *t, coda_err *e)
{
    size_t rows = p->by_cols ? data->rows : pad, cols = p->by_cols ? pad : data->cols;
    int *first = malloc((size_t)nw * sizeof *first); /* each task's first block */
    if (!first)
        return coda_fail_oom(e);
    for (int k = 0; k < nw; k++) {
        if (coda_mat_alloc_raw(&t[k], rows, cols, e) < 0) {
            while (k--)
                coda_mat_free(&t[k]);
            free(first);
            return -1;
        }
        first[k] = -1;
        for (int j = p->K - 1; j >= 0; j--)
            if (CODA_AT(&p->G, ws[k], j) != 0.0)
                first[k] = j;
        if (first[k] < 0) /* a worker with no data: a zero task */
            memset(t[k].data, 0, rows * cols * sizeof(double));
    }
    int threads = coda_blas_serial();
    if (p->by_cols) { /* column by column: data may be a view */
        for (int j = 0; j < p->K; j++) {
            size_t len = coda_plan_block_len(p, j), at = p->bounds[j];
            for (size_t c = 0; c < len; c++) {
                const double *src = data->data + (at + c) * CODA_LD(data);
                for (int k = 0; k < nw; k++) {
                    double g = CODA_AT(&p->G, ws[k], j);
                    if (g != 0.0)
                        term(t[k].data + c * data->rows, src, data->rows, g, j == first[k]);
                }
            }
            for (int k = 0; k < nw; k++)
                if (j == first[k] && len < pad)
                    memset(t[k].data + len * data->rows, 0,
                           (pad - len) * data->rows * sizeof(double));
        }
    } else {
        for (size_t c = 0; c < data->cols; c++)
            for (int j = 0; j < p->K; j++) {
                size_t len = coda_plan_block_len(p, j), at = p->bounds[j];
                const double *src = data->data + c * CODA_LD(data) + at;
                for (int k = 0; k < nw; k++) {
                    double g = CODA_AT(&p->G, ws[k], j);
                    if (g == 0.0)
                        continue;
                    double *dst = t[k].data + c * pad;
                    term(dst, src, len, g, j == first[k]);
                    if (j == first[k] && len < pad)
                        memset(dst + len, 0, (pad - len) * sizeof(double));
                }
            }
    }
    coda_blas_restore(threads);
    free(first);
    return 0;
}

/* Worker i's task is block `only` in place (a systematic task of a full-length block), or
 * -1: it is combined. */
static int in_place(const coda_plan *p, int views, int i, size_t pad)
{
    int nz = 0, only = -1;
    for (int j = 0; j < p->K; j++)
        if (CODA_AT(&p->G, i, j) != 0.0)
            nz++, only = j;
    return views && nz == 1 && CODA_AT(&p->G, i, only) == 1.0 &&
                   coda_plan_block_len(p, only) == pad
               ? only : -1;
}

/* The data-coded tasks, in worker order. The combined ones are made in batches that share
 * a pass over the data, each batch at most the data's size (and at least one task), so that
 * memory stays within what one more copy of the input needs. */
static int encode_coded(const coda_plan *p, const coda_mat *data, int views, coda_sink sink,
                        void *ctx, coda_err *e)
{
    size_t pad = coda_plan_max_block(p);
    size_t task_bytes = (p->by_cols ? data->rows : data->cols) * pad * sizeof(double) + 1;
    size_t budget = data->rows * data->cols * sizeof(double) / task_bytes;
    int cap = budget < 1 ? 1 : budget > (size_t)p->N ? p->N : (int)budget;
    int *ws = malloc((size_t)cap * sizeof *ws), nw = 0, next = 0, rc = 0;
    coda_mat *t = calloc((size_t)cap, sizeof *t);
    if (!ws || !t) {
        free(ws);
        free(t);
        return coda_fail_oom(e);
    }
    for (int i = 0; i < p->N && rc == 0; i++) {
        coda_frame f;
        if (coda_task_frame(p, &f, i, -1, 1.0, e) < 0) {
            rc = -1;
            break;
        }
        int only = in_place(p, views, i, pad);
        if (only >= 0) {
            size_t at = p->bounds[only];
            f.mat = p->by_cols ? coda_mat_view(data, 0, data->rows, at, pad)
                               : coda_mat_view(data, at, pad, 0, data->cols);
        } else {
            if (next == nw) { /* the next batch: this worker and the combined ones after it */
                for (int k = 0; k < nw; k++)
                    coda_mat_free(&t[k]);
                nw = next = 0;
                for (int w = i; w < p->N && nw < cap; w++)
                    if (in_place(p, views, w, pad) < 0)
                        ws[nw++] = w;
                if (combine_blocks(p, data, ws, nw, pad, t, e) < 0) {
                    nw = 0;
                    coda_frame_free(&f);
                    rc = -1;
                    break;
                }
            }
            f.mat = t[next]; /* the frame takes it over */
            memset(&t[next++], 0, sizeof *t);
        }
        rc = sink(ctx, &f, e);
        coda_frame_free(&f);
    }
    for (int k = 0; k < nw; k++)
        coda_mat_free(&t[k]);
    free(ws);
    free(t);
    return rc < 0 ? -1 : 0;
}

static int encode(const coda_plan *p, const coda_mat *data, int views, coda_sink sink,
                  void *ctx, coda_err *e)
{
    size_t along = p->by_cols ? data->cols : data->rows;
    if (along != p->length)
        return coda_fail(e, "data has %zu %s but the plan splits %zu", along,
                         p->by_cols ? "columns" : "rows", p->length);
    if (p->data_coded) /* one task a worker: the G[i,:]-weighted sum of the padded blocks */
        return encode_coded(p, data, views, sink, ctx, e);
    for (int i = 0; i < p->N; i++) {
        for (int j = 0; j < p->K; j++) {
            double g = CODA_AT(&p->G, i, j);
            if (g == 0.0)
                continue;
            coda_frame f;
            if (coda_task_frame(p, &f, i, j, g, e) < 0)
                return -1;
            if (views) { /* the block in place: the worker reads the data, never writes it */
                size_t len = coda_plan_block_len(p, j), at = p->bounds[j];
                f.mat = p->by_cols ? coda_mat_view(data, 0, data->rows, at, len)
                                   : coda_mat_view(data, at, len, 0, data->cols);
            } else if (take_block(p, data, j, &f.mat, e) < 0) {
                coda_frame_free(&f);
                return -1;
            }
            int rc = sink(ctx, &f, e);
            coda_frame_free(&f);
            if (rc < 0)
                return -1;
        }
    }
    return 0;
}

int coda_encode_tasks(const coda_plan *p, const coda_mat *data, coda_sink sink, void *ctx,
                      coda_err *e)
{
    return encode(p, data, 0, sink, ctx, e);
}

int coda_encode_g(const coda_plan *p, const coda_mat *data, const coda_mat *operand,
                  coda_sink sink, void *ctx, coda_err *e)
{
    (void)operand; /* travels to the workers as a MATRIX frame of its own */
    /* the sink writes each task as it comes (coda-encode): blocks go out in place */
    return encode(p, data, 1, sink, ctx, e);
}
