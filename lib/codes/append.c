/* coda-encode --append: an encoded stream extended by new rows or columns of its data, without
 * the old data (spec byzantine.md §3.9). The driver reads the whole stream (so that the output
 * may replace it), works out the new plan (split, result shape) and lets the scheme's append
 * hook extend the shards; the output is the stream that encoding the whole data gives. */
#include <stdlib.h>
#include <string.h>

#include "../ops/ops.h"
#include "scheme.h"

int coda_append_stream(coda_reader *in, const char *in_name, const coda_mat *more, int columns,
                       const char *program, coda_writer *out, coda_plan *next_out, coda_err *e)
{
    coda_frame_list others = {0}, tasks = {0}, made = {0};
    coda_frame f, pf;
    coda_plan p = {0}, next = {0};
    const coda_mat *operand = NULL;
    int rc, got;
    coda_frame_init(&pf, CODA_PLAN);
    if ((got = coda_reader_next(in, &pf, e)) <= 0) {
        if (got == 0)
            coda_fail(e, "%s: empty: not an encoded stream", in_name);
        coda_frame_free(&pf);
        return -1;
    }
    if (pf.kind != CODA_PLAN) {
        rc = coda_fail(e, "%s: frame 1 is %s, not PLAN: not an encoded stream (coda-encode's "
                          "output)", in_name, coda_kind_name(pf.kind));
        goto done;
    }
    /* twice: the old plan, and the new one whose split and shape change */
    rc = coda_plan_from_frame(&pf, &p, e) < 0 || coda_plan_from_frame(&pf, &next, e) < 0 ? -1 : 0;
    if (rc < 0) {
        coda_fail_prefix(e, "%s: ", in_name);
        goto done;
    }
    const coda_scheme *sc = coda_plan_scheme(&p);
    if (!sc || !sc->append) {
        rc = coda_failc(e, CODA_E_USAGE, "%s: scheme %s cannot extend its shards (--append "
                                         "is for byz)", in_name, p.scheme);
        goto done;
    }
    for (long k = 2; rc == 0; k++) {
        coda_frame_init(&f, 0);
        if ((got = coda_reader_next(in, &f, e)) <= 0) {
            rc = got < 0 ? coda_fail_prefix(e, "%s: ", in_name) : 0;
            coda_frame_free(&f);
            break;
        }
        if (f.kind == CODA_TASK)
            rc = coda_frame_list_push(&tasks, &f, e);
        else if (f.kind == CODA_MATRIX && tasks.n == 0)
            rc = coda_frame_list_push(&others, &f, e);
        else
            rc = coda_fail(e, "%s: frame %ld is %s: an encoded stream holds a PLAN, the operand "
                              "and TASK frames", in_name, k, coda_kind_name(f.kind));
        coda_frame_free(&f);
    }
    if (rc < 0)
        goto done;
    for (size_t k = 0; k < others.n; k++) {
        const char *role = coda_meta_get(&others.f[k].meta, "role");
        if (role && strcmp(role, "operand") == 0)
            operand = &others.f[k].mat;
    }
    /* the data's shape before and after: its lines along the split and across */
    long long across;
    if (coda_meta_get_long(&p.extra, "data_cols", &across, e) < 0) {
        rc = coda_fail_prefix(e, "%s: plan: ", in_name);
        goto done;
    }
    int along = columns == p.by_cols; /* more's lines continue the split */
    size_t more_along = p.by_cols ? more->cols : more->rows,
           more_across = p.by_cols ? more->rows : more->cols;
    const char *line = columns ? "column" : "row";
    if (!along && operand) {
        rc = coda_fail(e, "%s: new %ss change the data's %s, which the stream's operand "
                          "(%zu x %zu) multiplies: not appendable for op %s", in_name, line,
                       p.by_cols ? "rows" : "columns", operand->rows, operand->cols, p.op);
        goto done;
    }
    size_t len = p.length + (along ? more_along : 0), nx = (size_t)across + (along ? 0 : more_across);
    size_t rows = p.by_cols ? nx : len, cols = p.by_cols ? len : nx, rr, rcols;
    if ((along && more_across != (size_t)across) || (!along && more_along != p.length)) {
        rc = coda_fail(e, "%s: the new %ss have %zu entries, the encoded data's have %lld",
                       in_name, line, columns ? more->rows : more->cols,
                       columns ? (long long)(p.by_cols ? (size_t)across : p.length)
                               : (long long)(p.by_cols ? p.length : (size_t)across));
        goto done;
    }
    if (coda_plan_split(&next, len, e) < 0 ||
        coda_op_result_shape(p.op, rows, cols, operand, &rr, &rcols, e) < 0 ||
        coda_plan_set_result_shape(&next, p.op, rr, rcols, e) < 0) {
        rc = coda_fail_prefix(e, "%s: ", in_name);
        goto done;
    }
    if (sc->append(&p, &next, tasks.f, tasks.n, more, !along, coda_frame_list_sink, &made, e) < 0) {
        rc = coda_fail_prefix(e, "%s: ", in_name);
        goto done;
    }
    /* the new stream: PLAN, the operand as it was, the tasks */
    coda_frame nf;
    rc = coda_plan_to_frame(&next, &nf, e);
    if (rc == 0) {
        rc = coda_meta_set(&nf.meta, "program", program, e);
        if (rc == 0)
            rc = coda_writer_put(out, &nf, e);
        coda_frame_free(&nf);
    }
    for (size_t k = 0; k < others.n && rc == 0; k++)
        rc = coda_writer_put(out, &others.f[k], e);
    for (size_t k = 0; k < made.n && rc == 0; k++)
        rc = coda_writer_put(out, &made.f[k], e);
done:
    coda_frame_free(&pf);
    coda_frame_list_free(&others);
    coda_frame_list_free(&tasks);
    coda_frame_list_free(&made);
    coda_plan_free(&p);
    if (rc == 0 && next_out)
        *next_out = next;
    else
        coda_plan_free(&next);
    return rc < 0 ? -1 : 0;
}
