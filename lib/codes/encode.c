#include <cblas.h>
#include <math.h>
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

/* Where the data is: in memory, or left in its file and read a piece at a time (coda-encode
 * from a file: the input is never held whole). */
typedef struct {
    size_t rows, cols;
    const coda_mat *mem; /* NULL: in file */
    coda_matfile *file;
    int check;           /* file: a NaN or infinite entry read is an error */
    char *seen;          /* check: the blocks read whole so far (NULL: none yet) */
    double *buf;         /* file: the piece last read */
    size_t cap;          /* its entries */
    const coda_parts_sink *parts; /* file: where a block sent as it is goes, piece by piece */
} source;

/* A piece just read from the file: entries first .. first + n - 1 in column-major order. */
static int checked(source *s, const double *v, uint64_t first, size_t n, coda_err *e)
{
    coda_mat m = {.rows = n, .cols = 1, .data = (double *)v};
    size_t bad = s->check && n ? coda_mat_first_nonfinite(&m) : (size_t)-1;
    if (bad == (size_t)-1)
        return 0;
    uint64_t at = first + bad;
    return coda_fail(e, "%s: the data entry (%llu,%llu) is %s", s->file->name,
                     (unsigned long long)(at % s->rows + 1), (unsigned long long)(at / s->rows + 1),
                     isnan(v[bad]) ? "NaN" : "infinite");
}

/* Entries row0 .. row0 + n - 1 of column col (n may run on into the next columns: a
 * contiguous column block), in place or read into s->buf. */
static const double *piece(source *s, size_t col, size_t row0, size_t n, coda_err *e)
{
    if (s->mem)
        return s->mem->data + col * CODA_LD(s->mem) + row0;
    if (n > s->cap) {
        free(s->buf);
        s->cap = 0;
        if (!(s->buf = malloc(n * sizeof(double)))) {
            coda_fail_oom(e);
            return NULL;
        }
        s->cap = n;
    }
    uint64_t first = (uint64_t)col * s->rows + row0;
    if (coda_matfile_read(s->file, first, n, s->buf, e) < 0 || checked(s, s->buf, first, n, e) < 0)
        return NULL;
    return s->buf;
}

/* Block j, column c's piece (a row split: part of data column c; a column split: data
 * column at + c). */
static const double *block_piece(const coda_plan *p, source *s, int j, size_t c, coda_err *e)
{
    size_t at = p->bounds[j];
    return p->by_cols ? piece(s, at + c, 0, s->rows, e)
                      : piece(s, c, at, coda_plan_block_len(p, j), e);
}

static size_t pieces(const coda_plan *p, const source *s, int j)
{
    return p->by_cols ? coda_plan_block_len(p, j) : s->cols;
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

/* A batch of combined tasks ws[0..nw) -- task t = sum_j G[ws[t],j] block_j, each block
 * zero-padded to pad rows (columns) -- made in one pass over the data, block by block in
 * order: each piece of a block is added, while it is in cache, into every task that uses it
 * (a code's parity tasks all read the whole data). The first term of a task is written (no
 * zero-fill of the whole task), the others added. Every task's column gets its terms in the
 * same order as made alone, so the bytes do not depend on the batch, nor on which blocks
 * were added from the pieces of tasks already sent (done: blocks 0..done are in). */
typedef struct {
    int *ws, nw, next; /* next: the first not yet given to the sink */
    int *first;        /* each task's first block (-1: no data, a zero task) */
    coda_mat *t;
    int done;
} batch;

/* Column c's piece of block j (src) into the batch. */
static void add_piece(const coda_plan *p, const source *s, batch *b, size_t pad, int j, size_t c,
                      const double *src)
{
    size_t len = coda_plan_block_len(p, j);
    for (int k = 0; k < b->nw; k++) {
        double g = CODA_AT(&p->G, b->ws[k], j);
        if (g == 0.0)
            continue;
        if (p->by_cols) {
            term(b->t[k].data + c * s->rows, src, s->rows, g, j == b->first[k]);
        } else {
            double *dst = b->t[k].data + c * pad;
            term(dst, src, len, g, j == b->first[k]);
            if (j == b->first[k] && len < pad)
                memset(dst + len, 0, (pad - len) * sizeof(double));
        }
    }
}

/* After block j's pieces: a column split pads the tasks it starts with zero columns. */
static void end_block(const coda_plan *p, const source *s, batch *b, size_t pad, int j)
{
    size_t len = coda_plan_block_len(p, j);
    if (p->by_cols && len < pad)
        for (int k = 0; k < b->nw; k++)
            if (j == b->first[k])
                memset(b->t[k].data + len * s->rows, 0, (pad - len) * s->rows * sizeof(double));
    b->done = j;
}

static int batch_uses(const coda_plan *p, const batch *b, int j)
{
    for (int k = 0; k < b->nw; k++)
        if (CODA_AT(&p->G, b->ws[k], j) != 0.0)
            return 1;
    return 0;
}

/* Blocks done+1 .. K-1 into the batch, read from the data (serial BLAS: memory-bound
 * axpys, which threads only slow down; the bytes do not depend on it). */
static int batch_finish(const coda_plan *p, source *s, batch *b, size_t pad, coda_err *e)
{
    int threads = coda_blas_serial(), rc = 0;
    for (int j = b->done + 1; j < p->K && rc == 0; j++) {
        if (batch_uses(p, b, j))
            for (size_t c = 0; c < pieces(p, s, j) && rc == 0; c++) {
                const double *src = block_piece(p, s, j, c, e);
                if (!src)
                    rc = -1;
                else
                    add_piece(p, s, b, pad, j, c, src);
            }
        if (rc == 0) {
            end_block(p, s, b, pad, j);
            if (s->seen && batch_uses(p, b, j))
                s->seen[j] = 1;
        }
    }
    coda_blas_restore(threads);
    return rc;
}

/* Worker i's task is block `only` as it is (a systematic task of a full-length block), or
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

/* Block j as task f, sent as it is: from memory, a view of the data; from a file, read
 * and sent a piece at a time (each piece checked). Each piece is also added into the open
 * batch when j is the next block the batch needs. */
static int send_block(const coda_plan *p, source *s, int j, batch *b, size_t pad, coda_frame *f,
                      coda_sink sink, void *ctx, coda_err *e)
{
    size_t len = coda_plan_block_len(p, j), at = p->bounds[j];
    int add = b && b->nw > 0 && b->next == 0 && b->done == j - 1 && batch_uses(p, b, j), rc = 0;
    int threads = add ? coda_blas_serial() : 0;
    if (s->mem) {
        f->mat = p->by_cols ? coda_mat_view(s->mem, 0, s->rows, at, len)
                            : coda_mat_view(s->mem, at, len, 0, s->cols);
        for (size_t c = 0; add && c < pieces(p, s, j); c++)
            add_piece(p, s, b, pad, j, c, f->mat.data + c * CODA_LD(&f->mat));
        rc = sink(ctx, f, e);
    } else {
        f->mat = (coda_mat){.rows = p->by_cols ? s->rows : len, .cols = p->by_cols ? len : s->cols};
        rc = s->parts->head(s->parts->ctx, f, e);
        for (size_t c = 0; c < pieces(p, s, j) && rc == 0; c++) {
            const double *src = block_piece(p, s, j, c, e);
            if (!src)
                rc = -1;
            else if (add)
                add_piece(p, s, b, pad, j, c, src);
            if (rc == 0)
                rc = s->parts->body(s->parts->ctx, src, (p->by_cols ? s->rows : len) * sizeof *src,
                                    e);
        }
        if (rc == 0)
            rc = s->parts->end(s->parts->ctx, e);
        if (s->seen)
            s->seen[j] = 1;
    }
    if (add)
        coda_blas_restore(threads);
    if (rc == 0 && b && b->nw > 0 && b->next == 0 && b->done == j - 1)
        end_block(p, s, b, pad, j); /* (also a block the batch does not use: it is past it) */
    return rc;
}

/* The next batch: the combined workers from worker `from` on, at most cap of them, their
 * tasks allocated (reuse: the buffers of the batch before, which the sink is done with). */
static int batch_open(const coda_plan *p, const source *s, int views, size_t pad, int cap,
                      int reuse, int from, batch *b, coda_err *e)
{
    size_t rows = p->by_cols ? s->rows : pad, cols = p->by_cols ? pad : s->cols;
    if (!reuse)
        for (int k = 0; k < b->nw; k++)
            coda_mat_free(&b->t[k]);
    b->nw = b->next = 0;
    b->done = -1;
    for (int w = from; w < p->N && b->nw < cap; w++)
        if (in_place(p, views, w, pad) < 0)
            b->ws[b->nw++] = w;
    for (int k = 0; k < b->nw; k++) {
        if (!b->t[k].data && coda_mat_alloc_raw(&b->t[k], rows, cols, e) < 0)
            return -1;
        b->first[k] = -1;
        for (int j = p->K - 1; j >= 0; j--)
            if (CODA_AT(&p->G, b->ws[k], j) != 0.0)
                b->first[k] = j;
        if (b->first[k] < 0) /* a worker with no data: a zero task */
            memset(b->t[k].data, 0, rows * cols * sizeof(double));
    }
    return 0;
}

/* The data-coded tasks, in worker order. The combined ones are made in batches that share
 * a pass over the data, each batch at most `budget` bytes (and at least one task); the first
 * batch takes the blocks that go out in place before it as they go by. reuse: the sink is
 * done with a task when it returns (it writes it), so one set of buffers serves every batch;
 * else each task is the frame's own. */
static int encode_coded(const coda_plan *p, source *s, int views, size_t budget, int reuse,
                        coda_sink sink, void *ctx, coda_err *e)
{
    size_t pad = coda_plan_max_block(p);
    size_t task_bytes = (p->by_cols ? s->rows : s->cols) * pad * sizeof(double) + 1;
    size_t fit = budget / task_bytes;
    int combined = 0; /* (a batch never needs more buffers than there are combined tasks) */
    for (int i = 0; i < p->N; i++)
        combined += in_place(p, views, i, pad) < 0;
    int cap = fit < 1 || combined < 1 ? 1 : fit > (size_t)combined ? combined : (int)fit;
    batch b = {.ws = malloc((size_t)cap * sizeof(int)), .first = malloc((size_t)cap * sizeof(int)),
               .t = calloc((size_t)cap, sizeof(coda_mat)), .done = -1};
    int rc = b.ws && b.first && b.t ? batch_open(p, s, views, pad, cap, reuse, 0, &b, e)
                                    : coda_fail_oom(e);
    for (int i = 0; i < p->N && rc == 0; i++) {
        coda_frame f;
        if (coda_task_frame(p, &f, i, -1, 1.0, e) < 0) {
            rc = -1;
            break;
        }
        int only = in_place(p, views, i, pad);
        if (only >= 0) {
            rc = send_block(p, s, only, &b, pad, &f, sink, ctx, e);
        } else {
            if (b.next == b.nw) /* this worker and the combined ones after it */
                rc = batch_open(p, s, views, pad, cap, reuse, i, &b, e);
            if (rc == 0 && b.next == 0)
                rc = batch_finish(p, s, &b, pad, e);
            if (rc == 0 && reuse) {
                f.mat = coda_mat_view(&b.t[b.next], 0, b.t[b.next].rows, 0, b.t[b.next].cols);
                b.next++;
            } else if (rc == 0) {
                f.mat = b.t[b.next]; /* the frame takes it over */
                memset(&b.t[b.next++], 0, sizeof *b.t);
            }
            if (rc == 0)
                rc = sink(ctx, &f, e);
        }
        coda_frame_free(&f);
    }
    if (b.t)
        for (int k = 0; k < cap; k++)
            coda_mat_free(&b.t[k]);
    free(b.ws);
    free(b.first);
    free(b.t);
    return rc < 0 ? -1 : 0;
}

/* views: a block that is a task goes to the sink as it is (in memory: a view of the data;
 * from a file: read into a buffer that every such block reuses). */
static int encode(const coda_plan *p, source *s, int views, size_t budget, int reuse,
                  coda_sink sink, void *ctx, coda_err *e)
{
    size_t along = p->by_cols ? s->cols : s->rows;
    if (along != p->length)
        return coda_fail(e, "data has %zu %s but the plan splits %zu", along,
                         p->by_cols ? "columns" : "rows", p->length);
    if (p->data_coded) /* one task a worker: the G[i,:]-weighted sum of the padded blocks */
        return encode_coded(p, s, views, budget, reuse, sink, ctx, e);
    int rc = 0;
    for (int i = 0; i < p->N && rc == 0; i++) {
        for (int j = 0; j < p->K && rc == 0; j++) {
            double g = CODA_AT(&p->G, i, j);
            if (g == 0.0)
                continue;
            coda_frame f;
            if (coda_task_frame(p, &f, i, j, g, e) < 0) {
                rc = -1;
                break;
            }
            if (views) { /* the block as it is: the worker reads the data, never writes it */
                rc = send_block(p, s, j, NULL, 0, &f, sink, ctx, e);
            } else {
                rc = take_block(p, s->mem, j, &f.mat, e);
                if (rc == 0)
                    rc = sink(ctx, &f, e);
            }
            coda_frame_free(&f);
        }
    }
    return rc < 0 ? -1 : 0;
}

static source in_memory(const coda_mat *data)
{
    return (source){.rows = data->rows, .cols = data->cols, .mem = data};
}

int coda_encode_tasks(const coda_plan *p, const coda_mat *data, coda_sink sink, void *ctx,
                      coda_err *e)
{
    source s = in_memory(data);
    return encode(p, &s, 0, data->rows * data->cols * sizeof(double), 0, sink, ctx, e);
}

int coda_encode_g(const coda_plan *p, const coda_mat *data, const coda_mat *operand,
                  coda_sink sink, void *ctx, coda_err *e)
{
    (void)operand; /* travels to the workers as a MATRIX frame of its own */
    /* the sink writes each task as it comes (coda-encode): blocks go out in place; combined
     * tasks in batches of at most the data's size, so that memory stays within what one
     * more copy of the input needs */
    source s = in_memory(data);
    return encode(p, &s, 1, data->rows * data->cols * sizeof(double), 0, sink, ctx, e);
}

int coda_encode_file(const coda_plan *p, coda_matfile *m, int check,
                     const coda_parts_sink *out, coda_err *e)
{
    const coda_scheme *sc = coda_plan_scheme(p);
    if (!coda_scheme_encodes_from_file(sc))
        return coda_fail(e, "scheme %s does not encode from a file", p->scheme);
    source s = {.rows = m->rows, .cols = m->cols, .file = m, .check = check, .parts = out};
    if (check && !(s.seen = calloc((size_t)p->K, 1)))
        return coda_fail_oom(e);
    /* batches of combined tasks of at most half the data's size: a code's parity tasks
     * (a few) in one batch, which the blocks sent as they are fill as they pass; each more
     * batch costs a pass over the file */
    int rc = encode(p, &s, 1, m->rows * m->cols * sizeof(double) / 2, 1, out->frame, out->ctx,
                    e);
    for (int j = 0; j < p->K && rc == 0 && check; j++) /* a block no task read (none should be) */
        for (size_t c = 0; c < pieces(p, &s, j) && !s.seen[j] && rc == 0; c++)
            if (!block_piece(p, &s, j, c, e))
                rc = -1;
    free(s.seen);
    free(s.buf);
    if (rc == 0)
        rc = coda_matfile_unchanged(m, e);
    return rc;
}

int coda_scheme_encodes_from_file(const coda_scheme *sc)
{
    return sc && sc->encode == coda_encode_g;
}
