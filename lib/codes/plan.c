#include "plan.h"

#include <math.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>

#include "../ops/ops.h"
#include "product.h"
#include "scheme.h"

void coda_plan_free(coda_plan *p)
{
    const coda_scheme *sc = p->state ? coda_plan_scheme(p) : NULL;
    if (sc && sc->free)
        sc->free(p->state);
    free(p->bounds);
    coda_mat_free(&p->G);
    coda_meta_free(&p->extra);
    memset(p, 0, sizeof *p);
}

void coda_split_bounds(size_t length, int K, size_t *b)
{
    size_t base = length / (size_t)K, extra = length % (size_t)K;
    b[0] = 0;
    for (int j = 0; j < K; j++)
        b[j + 1] = b[j] + base + ((size_t)j < extra);
}

size_t coda_split_at(size_t length, int K, int j)
{
    size_t base = length / (size_t)K, extra = length % (size_t)K;
    return (size_t)j * base + ((size_t)j < extra ? (size_t)j : extra);
}

int coda_plan_split(coda_plan *p, size_t length, coda_err *e)
{
    if (p->K < 1)
        return coda_fail(e, "need at least one block");
    if ((size_t)p->K > length)
        return coda_fail(e, "cannot split %zu %s into %d blocks", length,
                         p->by_cols ? "columns" : "rows", p->K);
    free(p->bounds);
    p->bounds = malloc(((size_t)p->K + 1) * sizeof *p->bounds);
    if (!p->bounds)
        return coda_fail_oom(e);
    coda_split_bounds(length, p->K, p->bounds);
    p->length = length;
    return 0;
}

size_t coda_plan_block_len(const coda_plan *p, int j) { return p->bounds[j + 1] - p->bounds[j]; }

size_t coda_plan_max_block(const coda_plan *p)
{
    size_t m = 0;
    for (int j = 0; j < p->K; j++)
        if (coda_plan_block_len(p, j) > m)
            m = coda_plan_block_len(p, j);
    return m;
}

int coda_plan_to_frame(const coda_plan *p, coda_frame *f, coda_err *e)
{
    /* a plan built with data_len 0 has no split yet: nothing a worker could be given */
    if (!p->bounds || p->K < 1)
        return coda_fail(e, "plan: the data has not been split into blocks");
    coda_frame_init(f, CODA_PLAN);
    coda_meta *m = &f->meta;
    char *b = malloc(((size_t)p->K + 1) * 24);
    if (!b)
        return coda_fail_oom(e);
    size_t off = 0;
    for (int j = 0; j <= p->K; j++)
        off += (size_t)sprintf(b + off, "%s%zu", j ? "," : "", p->bounds[j]);
    int rc = coda_meta_set(m, "scheme", p->scheme, e) | coda_meta_set(m, "op", p->op, e) |
             coda_meta_set_long(m, "N", p->N, e) | coda_meta_set_long(m, "K", p->K, e) |
             coda_meta_set_long(m, "s", p->s, e) |
             coda_meta_set(m, "result", p->sum ? "sum" : "concat", e) |
             coda_meta_set(m, "axis", p->by_cols ? "cols" : "rows", e) |
             coda_meta_set_long(m, "combine", p->combine, e) |
             coda_meta_set_long(m, "data_coded", p->data_coded, e) |
             coda_meta_set_long(m, "threshold", p->threshold, e) |
             coda_meta_set_double(m, "load", p->load, e) |
             coda_meta_set_long(m, "length", (long long)p->length, e) |
             coda_meta_set(m, "bounds", b, e) |
             coda_meta_setf(m, e, "seed", "%llu", p->seed);
    free(b);
    for (size_t i = 0; i < p->extra.n && rc == 0; i++)
        rc = coda_meta_set(m, p->extra.key[i], p->extra.val[i], e);
    if (rc == 0)
        rc = coda_mat_copy(&f->mat, &p->G, e);
    if (rc < 0)
        coda_frame_free(f);
    return rc < 0 ? -1 : 0;
}

static int known_key(const char *k)
{
    static const char *const keys[] = {"scheme", "op",     "N",         "K",    "s",
                                       "result", "axis",   "combine",   "data_coded",
                                       "threshold", "load", "length",   "bounds", "seed",
                                       "program", "family" /* written before schemes had types */};
    for (size_t i = 0; i < sizeof keys / sizeof keys[0]; i++)
        if (strcmp(k, keys[i]) == 0)
            return 1;
    return 0;
}

int coda_plan_from_frame(const coda_frame *f, coda_plan *p, coda_err *e)
{
    memset(p, 0, sizeof *p);
    const coda_meta *m = &f->meta;
    long long N, K, s, comb, dc, thr, len, *b = NULL;
    size_t nb;
    double load;
    const char *scheme = coda_meta_get(m, "scheme"), *op = coda_meta_get(m, "op"),
               *seed = coda_meta_get(m, "seed");
    if (!scheme || !op || !seed)
        return coda_fail(e, "plan lacks scheme, op or seed");
    if (coda_meta_get_long(m, "N", &N, e) < 0 || coda_meta_get_long(m, "K", &K, e) < 0 ||
        coda_meta_get_long(m, "s", &s, e) < 0 || coda_meta_get_long(m, "combine", &comb, e) < 0 ||
        coda_meta_get_long(m, "data_coded", &dc, e) < 0 ||
        coda_meta_get_long(m, "threshold", &thr, e) < 0 ||
        coda_meta_get_double(m, "load", &load, e) < 0 ||
        coda_meta_get_long(m, "length", &len, e) < 0 ||
        coda_meta_get_longs(m, "bounds", &b, &nb, e) < 0)
        return coda_fail_prefix(e, "plan: ");
    /* N and K are G's shape, so the payload (N K doubles) bounds them */
    if (N < 1 || K < 1 || N > 1000000 || K > 1000000 || (long long)nb != K + 1 || len < K ||
        f->mat.rows != (size_t)N || f->mat.cols != (size_t)K || b[0] != 0 || b[K] != len) {
        free(b);
        return coda_fail(e, "plan: inconsistent N, K, bounds or matrix shape");
    }
    size_t bad = coda_mat_first_nonfinite(&f->mat);
    const char *why = NULL;
    if (bad != (size_t)-1)
        why = "G";
    else if (s < 0 || s >= N)
        why = "s";
    else if (thr < 0 || thr > N)
        why = "threshold";
    else if (!(load >= 0 && load <= 1))
        why = "load";
    if (why) {
        free(b);
        return bad != (size_t)-1
                   ? coda_fail(e, "plan: G entry (%zu,%zu) is %s", bad % (size_t)N + 1,
                               bad / (size_t)N + 1, isnan(f->mat.data[bad]) ? "NaN" : "infinite")
                   : coda_fail(e, "plan: %s = %s is out of range for N = %lld", why,
                               coda_meta_get(m, why), N);
    }
    for (long long j = 0; j < K; j++)
        if (b[j + 1] <= b[j]) {
            free(b);
            return coda_fail(e, "plan: block bounds are not increasing");
        }
    const coda_op *kind = coda_op_find(op);
    if (!kind) {
        free(b);
        return coda_fail(e, "plan: unknown op '%s' (%s)", op, coda_op_names());
    }
    p->sum = kind->sums;
    p->by_cols = kind->by_cols;
    snprintf(p->scheme, sizeof p->scheme, "%s", scheme);
    snprintf(p->op, sizeof p->op, "%s", op);
    p->N = (int)N;
    p->K = (int)K;
    p->s = (int)s;
    p->combine = comb != 0;
    p->data_coded = dc != 0;
    p->threshold = (int)thr;
    p->load = load;
    p->length = (size_t)len;
    p->seed = strtoull(seed, NULL, 10);
    p->bounds = malloc(nb * sizeof *p->bounds);
    if (!p->bounds) {
        free(b);
        return coda_fail_oom(e);
    }
    for (size_t j = 0; j < nb; j++)
        p->bounds[j] = (size_t)b[j];
    free(b);
    int rc = 0;
    for (size_t i = 0; i < m->n && rc == 0; i++)
        if (!known_key(m->key[i]))
            rc = coda_meta_set(&p->extra, m->key[i], m->val[i], e);
    if (rc == 0)
        rc = coda_mat_copy(&p->G, &f->mat, e);
    /* the scheme checks its own fields; the family a plan belongs to is its scheme's */
    const coda_scheme *sc = rc == 0 ? coda_plan_scheme(p) : NULL;
    if (rc == 0 && !sc) {
        char q[CODA_ESC_BUF];
        rc = coda_fail(e, "plan: unknown scheme '%s' (%s)",
                       coda_escape(q, p->scheme, strlen(p->scheme)), coda_scheme_names());
    }
    if (rc == 0)
        rc = sc->load ? sc->load(p, e) : coda_plan_shape_check(p, e);
    if (rc == 0)
        rc = coda_plan_prepare(p, e);
    if (rc < 0)
        coda_plan_free(p);
    return rc;
}

int coda_plan_prepare(coda_plan *p, coda_err *e)
{
    const coda_scheme *sc = coda_plan_scheme(p);
    if (!sc || !sc->prepare || p->state)
        return 0;
    return sc->prepare(p, e);
}

int coda_plan_set_shape(coda_plan *p, size_t rows, size_t cols, coda_err *e)
{
    if (rows && coda_meta_set_long(&p->extra, "rows", (long long)rows, e) < 0)
        return -1;
    if (cols && coda_meta_set_long(&p->extra, "cols", (long long)cols, e) < 0)
        return -1;
    return 0;
}

int coda_plan_set_result_shape(coda_plan *p, const char *op, size_t rows, size_t cols,
                               coda_err *e)
{
    return coda_plan_set_shape(p, rows, coda_op_find(op) == &coda_op_matmul ? 0 : cols, e);
}

void coda_plan_shape(const coda_plan *p, size_t *rows, size_t *cols)
{
    long long v;
    *rows = *cols = 0;
    if (coda_meta_get(&p->extra, "rows") && coda_meta_get_long(&p->extra, "rows", &v, NULL) == 0 && v > 0)
        *rows = (size_t)v;
    if (coda_meta_get(&p->extra, "cols") && coda_meta_get_long(&p->extra, "cols", &v, NULL) == 0 && v > 0)
        *cols = (size_t)v;
}

int coda_plan_shape_check(const coda_plan *p, coda_err *e)
{
    static const char *const keys[] = {"rows", "cols"};
    /* a sum's (or a column split's) rows are not the plan's split: only the encoder knew them,
     * and without them a result of the wrong shape could not be told from a right one */
    if ((p->sum || p->by_cols) && !coda_meta_get(&p->extra, "rows"))
        return coda_fail(e, "plan: no result shape (rows=) for op %s: the stream was written by "
                            "an older coda-encode; encode the data again", p->op);
    for (int k = 0; k < 2; k++) {
        long long v;
        if (!coda_meta_get(&p->extra, keys[k]))
            continue;
        if (coda_meta_get_long(&p->extra, keys[k], &v, e) < 0)
            return coda_fail_prefix(e, "plan: ");
        if (v < 1)
            return coda_fail(e, "plan: %s = %lld, the result cannot be empty", keys[k], v);
        /* a concatenation has the split dimension's length */
        if (!p->sum && k == p->by_cols && (size_t)v != p->length)
            return coda_fail(e, "plan: %s = %lld but the blocks split %zu", keys[k], v, p->length);
    }
    return 0;
}
