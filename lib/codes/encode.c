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

/* sum_j G[i,j] block_j, each block zero-padded to pad rows (columns): the first term is
 * written (no zero-fill of the whole task), the others added. Serial BLAS: these are
 * memory-bound axpys, which threads only slow down (and the bytes do not depend on it). */
static int combine_blocks(const coda_plan *p, const coda_mat *data, int i, size_t pad,
                               coda_mat *t, coda_err *e)
{
    size_t rows = p->by_cols ? data->rows : pad, cols = p->by_cols ? pad : data->cols;
    if (coda_mat_alloc_raw(t, rows, cols, e) < 0)
        return -1;
    int threads = coda_blas_serial(), first = 1;
    for (int j = 0; j < p->K; j++) {
        double g = CODA_AT(&p->G, i, j);
        size_t len = coda_plan_block_len(p, j), at = p->bounds[j];
        if (g == 0.0)
            continue;
        if (p->by_cols) { /* column by column: data may be a view */
            for (size_t c = 0; c < len; c++) {
                const double *src = data->data + (at + c) * CODA_LD(data);
                double *dst = t->data + c * data->rows;
                if (first) {
                    memcpy(dst, src, data->rows * sizeof(double));
                    if (g != 1.0)
                        cblas_dscal((int)data->rows, g, dst, 1);
                } else {
                    cblas_daxpy((int)data->rows, g, src, 1, dst, 1);
                }
            }
            if (first && len < pad)
                memset(t->data + len * data->rows, 0, (pad - len) * data->rows * sizeof(double));
        } else {
            for (size_t c = 0; c < data->cols; c++) {
                const double *src = data->data + c * CODA_LD(data) + at;
                double *dst = t->data + c * pad;
                if (first) {
                    memcpy(dst, src, len * sizeof(double));
                    if (g != 1.0)
                        cblas_dscal((int)len, g, dst, 1);
                    if (len < pad)
                        memset(dst + len, 0, (pad - len) * sizeof(double));
                } else {
                    cblas_daxpy((int)len, g, src, 1, dst, 1);
                }
            }
        }
        first = 0;
    }
    if (first) /* a worker with no data: a zero task */
        memset(t->data, 0, rows * cols * sizeof(double));
    coda_blas_restore(threads);
    return 0;
}

static int encode(const coda_plan *p, const coda_mat *data, int views, coda_sink sink,
                  void *ctx, coda_err *e)
{
    size_t along = p->by_cols ? data->cols : data->rows;
    if (along != p->length)
        return coda_fail(e, "data has %zu %s but the plan splits %zu", along,
                         p->by_cols ? "columns" : "rows", p->length);
    for (int i = 0; i < p->N; i++) {
        if (p->data_coded) {
            /* one task: the G[i,:]-weighted sum of the zero-padded blocks */
            coda_frame f;
            size_t pad = coda_plan_max_block(p);
            if (coda_task_frame(p, &f, i, -1, 1.0, e) < 0)
                return -1;
            int nz = 0, only = -1;
            for (int j = 0; j < p->K; j++)
                if (CODA_AT(&p->G, i, j) != 0.0)
                    nz++, only = j;
            if (views && nz == 1 && CODA_AT(&p->G, i, only) == 1.0 &&
                coda_plan_block_len(p, only) == pad) {
                /* a systematic task of a full-length block: the block in place */
                size_t at = p->bounds[only];
                f.mat = p->by_cols ? coda_mat_view(data, 0, data->rows, at, pad)
                                   : coda_mat_view(data, at, pad, 0, data->cols);
            } else if (combine_blocks(p, data, i, pad, &f.mat, e) < 0) {
                coda_frame_free(&f);
                return -1;
            }
            int rc = sink(ctx, &f, e);
            coda_frame_free(&f);
            if (rc < 0)
                return -1;
            continue;
        }
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
