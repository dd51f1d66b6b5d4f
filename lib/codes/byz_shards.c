/* byz's shards: the batch encode and the streaming append (spec §3.3 ENCODE, §3.9). Worker
 * i's line j (a row of S_i A, or a column of A S_i^T for a column split) is
 * sum_c Fp[i,c] x_{jq+c} over the data's lines x, c = 0..q-1 in this order, the first nonzero
 * term a product and each next one added to the sum. With the paper's interleaved lines, new
 * data lines only continue the last shard line and add new ones, so the append computes the
 * same sums term by term: its shards are bitwise those of encoding the whole data at once.
 *
 * The terms are plain loops, not BLAS axpys, on purpose: whether an axpy fuses its multiply
 * and add may depend on the stride and the alignment it is given, and the batch and the append
 * call it on different shapes; a product and a sum written as two statements round the same
 * in both. */
#include <stdlib.h>
#include <string.h>

#include "byz.h"
#include "scheme.h"

/* Line j's term c: what to do with row (column) r = jq+c of the data. */
enum { SKIP, DONE_BEFORE, FIRST, ADD, PAST };

/* The terms of worker i's line j, in order (c = 0..q-1): a zero weight is skipped, a line
 * r < n0 was summed before, the first term written is a product and the next ones added; a
 * line with no term is zero (the padding). *started: whether any term was taken. */
static int term(const coda_plan *p, int i, size_t j, int c, size_t n0, size_t n, int *started)
{
    size_t r = coda_byz_line(p->K, c, j);
    if (r >= n)
        return PAST;
    if (CODA_AT(&p->G, i, c) == 0.0)
        return SKIP;
    int was = *started;
    *started = 1;
    return r < n0 ? DONE_BEFORE : was ? ADD : FIRST;
}

/* Worker i's lines from data line n0 on: the lines of `more` are the data's lines n0.. (the
 * first n0 were summed into sh before: a line they began is continued). sh's across
 * positions x0.. are written. Loops in the order that walks memory forward (a row code's
 * columns, a column code's rows innermost); every entry gets the same terms in the same
 * order either way. */
static void extend(const coda_plan *p, int i, size_t n0, const coda_mat *more, coda_mat *sh,
                   size_t x0)
{
    int q = p->K;
    size_t n = n0 + (p->by_cols ? more->cols : more->rows);
    size_t pad = (n + (size_t)q - 1) / (size_t)q, ld = CODA_LD(more);
    if (!p->by_cols) { /* column k of the shard from column k of the data */
        for (size_t k = 0; k < more->cols; k++) {
            const double *src = more->data + k * ld;
            double *dst = sh->data + (x0 + k) * sh->rows;
            for (size_t j = n0 / (size_t)q; j < pad; j++) {
                int started = 0, kind = SKIP;
                for (int c = 0; c < q && kind != PAST; c++) {
                    double g = CODA_AT(&p->G, i, c);
                    kind = term(p, i, j, c, n0, n, &started);
                    if (kind == FIRST)
                        dst[j] = g * src[coda_byz_line(q, c, j) - n0];
                    else if (kind == ADD) {
                        double v = g * src[coda_byz_line(q, c, j) - n0];
                        dst[j] = dst[j] + v;
                    }
                }
                if (!started)
                    dst[j] = 0.0;
            }
        }
        return;
    }
    size_t nx = more->rows; /* column j of the shard from columns jq+c of the data */
    for (size_t j = n0 / (size_t)q; j < pad; j++) {
        double *dst = sh->data + j * sh->rows + x0;
        int started = 0, kind = SKIP;
        for (int c = 0; c < q && kind != PAST; c++) {
            double g = CODA_AT(&p->G, i, c);
            kind = term(p, i, j, c, n0, n, &started);
            if (kind != FIRST && kind != ADD)
                continue;
            const double *src = more->data + (coda_byz_line(q, c, j) - n0) * ld;
            if (kind == FIRST)
                for (size_t k = 0; k < nx; k++)
                    dst[k] = g * src[k];
            else if (kind == ADD)
                for (size_t k = 0; k < nx; k++) {
                    double v = g * src[k];
                    dst[k] = dst[k] + v;
                }
        }
        if (!started)
            for (size_t k = 0; k < nx; k++)
                dst[k] = 0.0;
    }
}

int coda_byz_encode(const coda_plan *p, const coda_mat *data, const coda_mat *operand,
                    coda_sink sink, void *ctx, coda_err *e)
{
    (void)operand; /* travels to the workers as a MATRIX frame of its own */
    size_t along = p->by_cols ? data->cols : data->rows, nx = p->by_cols ? data->rows : data->cols;
    if (along != p->length)
        return coda_fail(e, "data has %zu %s but the plan splits %zu", along,
                         p->by_cols ? "columns" : "rows", p->length);
    size_t pad = coda_plan_max_block(p);
    for (int i = 0; i < p->N; i++) {
        coda_frame f;
        if (coda_task_frame(p, &f, i, -1, 1.0, e) < 0)
            return -1;
        if (coda_mat_alloc_raw(&f.mat, p->by_cols ? nx : pad, p->by_cols ? pad : nx, e) < 0) {
            coda_frame_free(&f);
            return -1;
        }
        extend(p, i, 0, data, &f.mat, 0);
        int rc = sink(ctx, &f, e);
        coda_frame_free(&f);
        if (rc < 0)
            return -1;
    }
    return 0;
}

/* old's entries into the top-left corner of sh */
static void copy_into(const coda_mat *old, coda_mat *sh)
{
    for (size_t c = 0; c < old->cols; c++)
        memcpy(sh->data + c * sh->rows, old->data + c * CODA_LD(old), old->rows * sizeof(double));
}

int coda_byz_append(const coda_plan *p, coda_plan *next, const coda_frame *tasks, size_t n,
                    const coda_mat *more, int across, coda_sink sink, void *ctx, coda_err *e)
{
    long long ncols;
    if (coda_meta_get_long(&p->extra, "data_cols", &ncols, e) < 0)
        return coda_fail_prefix(e, "plan: ");
    int cols = p->by_cols, m = p->N;
    size_t nx = (size_t)ncols, pad = coda_plan_max_block(p), npad = coda_plan_max_block(next);
    size_t mx = cols ? more->rows : more->cols; /* more's lines across */
    const coda_frame **of = calloc((size_t)m, sizeof *of);
    if (!of)
        return coda_fail_oom(e);
    int rc = 0;
    for (size_t k = 0; k < n && rc == 0; k++) {
        const coda_frame *t = &tasks[k];
        int64_t w = t->tag[CODA_TAG_WORKER];
        if (w < 0 || w >= m || t->tag[CODA_TAG_BLOCK] != -1)
            rc = coda_fail(e, "task %zu: worker %lld block %lld is not a byz task of %d "
                              "workers", k + 1, (long long)w, (long long)t->tag[CODA_TAG_BLOCK], m);
        else if (of[w])
            rc = coda_fail(e, "task %zu: a second task of worker %lld", k + 1, (long long)w);
        else if (t->mat.rows != (cols ? nx : pad) || t->mat.cols != (cols ? pad : nx))
            rc = coda_fail(e, "task %zu (worker %lld) is %zu x %zu, the plan needs %zu x %zu",
                           k + 1, (long long)w, t->mat.rows, t->mat.cols, cols ? nx : pad,
                           cols ? pad : nx);
        else
            of[w] = t;
    }
    for (int i = 0; i < m && rc == 0; i++)
        if (!of[i])
            rc = coda_fail(e, "the stream has no task for worker %d", i);
    /* (more's shape against the plan: checked by the driver, coda_append_stream) */
    if (rc == 0 && across)
        rc = coda_meta_set_long(&next->extra, "data_cols", (long long)(nx + mx), e);
    size_t tx = across ? nx + mx : nx, tl = across ? pad : npad; /* the new shard: across, along */
    for (int i = 0; i < m && rc == 0; i++) {
        coda_frame f;
        coda_frame_init(&f, CODA_TASK);
        memcpy(f.tag, of[i]->tag, sizeof f.tag);
        rc = coda_meta_copy(&f.meta, &of[i]->meta, e);
        if (rc == 0)
            rc = coda_mat_alloc_raw(&f.mat, cols ? tx : tl, cols ? tl : tx, e);
        if (rc == 0) {
            copy_into(&of[i]->mat, &f.mat);
            if (across) /* every line gains entries: more's lines coded on their own */
                extend(p, i, 0, more, &f.mat, nx);
            else /* the last line continued, new lines added (§3.9) */
                extend(p, i, p->length, more, &f.mat, 0);
            rc = sink(ctx, &f, e);
        }
        coda_frame_free(&f);
    }
    free(of);
    return rc < 0 ? -1 : 0;
}
