/* Matrix Market: array and coordinate; real, integer, pattern; general, symmetric,
 * skew-symmetric. Read into a dense matrix; written as array real general. */
#include <ctype.h>
#include <errno.h>
#include <math.h>
#include <stdlib.h>
#include <string.h>
#include <strings.h>

#include "textfmt.h"

typedef struct {
    coda_in *in;
    char *line;
    size_t cap, len;
    long lineno;
    coda_err *e;
} mtx_reader;

/* Next line that is neither a comment nor blank: 1, 0 at end of input, -1 on error. */
static int next_line(mtx_reader *r)
{
    int rc;
    while ((rc = coda_in_textline(r->in, &r->line, &r->cap, &r->len, &r->lineno, r->e)) == 1) {
        const char *p = r->line;
        while (isspace((unsigned char)*p))
            p++;
        if (*p && *p != '%')
            return 1;
    }
    return rc;
}

/* "missing" or "truncated" when the input ended, else the error next_line gave. */
static int need_line(mtx_reader *r, int rc, const char *fmt, size_t a, size_t b)
{
    if (rc < 0)
        return -1;
    char what[128];
    snprintf(what, sizeof what, fmt, a, b);
    return coda_fail(r->e, "%s:%ld: %s", r->in->name, r->lineno + 1, what);
}

static int bad_token(mtx_reader *r, const char *p, const char *what, const char *why)
{
    char q[CODA_ESC_BUF];
    return coda_fail(r->e, "%s:%ld:%zu: %s %s: '%s'", r->in->name, r->lineno,
                     (size_t)(p - r->line) + 1, what, why,
                     coda_escape(q, p, strcspn(p, " \t\v\f\r")));
}

/* Start of the next whitespace-separated token, or an error when the line has no more. */
static char *token_start(mtx_reader *r, char *p, const char *what)
{
    while (*p == ' ' || *p == '\t')
        p++;
    if (!*p)
        coda_fail(r->e, "%s:%ld:%zu: missing %s", r->in->name, r->lineno,
                  (size_t)(p - r->line) + 1, what);
    return *p ? p : NULL;
}

/* A dimension, count or index: a whole number parsed as one (a double would round it above
 * 2^53), at most SIZE_MAX. */
static int token_size(mtx_reader *r, char **pos, size_t *v, const char *what)
{
    char *p = token_start(r, *pos, what), *q = p;
    if (!p)
        return -1;
    size_t x = 0;
    for (; isdigit((unsigned char)*q); q++) {
        unsigned d = (unsigned)(*q - '0');
        if (x > (SIZE_MAX - d) / 10)
            return bad_token(r, p, what, "is too large");
        x = 10 * x + d;
    }
    if (q == p || (*q && !isspace((unsigned char)*q)))
        return bad_token(r, p, what, "is not a non-negative whole number");
    *v = x;
    *pos = q;
    return 0;
}

static int token_value(mtx_reader *r, char **pos, double *v)
{
    char *p = token_start(r, *pos, "value"), *end;
    if (!p)
        return -1;
    const char *why = "is not a number";
    int rc = coda_text_double(p, &end, v, &why);
    if (rc < 0 || (*end && !isspace((unsigned char)*end)))
        return bad_token(r, p, "value", "is not a number");
    if (rc > 0)
        return bad_token(r, p, "value", why);
    *pos = end;
    return 0;
}

static int line_done(mtx_reader *r, char *p)
{
    while (isspace((unsigned char)*p))
        p++;
    if (*p)
        return coda_fail(r->e, "%s:%ld:%zu: unexpected extra field", r->in->name, r->lineno,
                         (size_t)(p - r->line) + 1);
    return 0;
}

/* "3.2 GB": sizes in messages, decimal units. */
static void fmt_bytes(char *buf, size_t cap, double b)
{
    static const char *const unit[] = {"bytes", "kB", "MB", "GB", "TB", "PB", "EB"};
    int u = 0;
    while (b >= 1000 && u < 6) {
        b /= 1000;
        u++;
    }
    snprintf(buf, cap, u ? "%.1f %s" : "%.0f %s", b, unit[u]);
}

/* The dense matrix every Matrix Market file becomes must fit under the memory limit: a 60-byte
 * coordinate file may declare 20000 x 20000. So must one row and one column of it, or a
 * 0 x 2e16 matrix would be accepted that no later step could use. */
static int dense_fits(mtx_reader *r, size_t m, size_t n)
{
    size_t lim = coda_mem_limit(), most = lim / sizeof(double);
    if (m <= most && n <= most && (n == 0 || m <= most / n))
        return 0;
    char need[32], have[32];
    double big = m > n ? (double)m : (double)n;
    fmt_bytes(have, sizeof have, (double)lim);
    if (m > most || n > most) {
        fmt_bytes(need, sizeof need, big * (double)sizeof(double));
        return coda_failc(r->e, CODA_E_MEMORY, "%s:%ld: a %zu x %zu matrix: one %s of it needs "
                          "%s, more than the memory limit of %s (CODA_MAX_MEMORY, default "
                          "physical memory)", r->in->name, r->lineno, m, n,
                          m > n ? "column" : "row", need, have);
    }
    fmt_bytes(need, sizeof need, (double)m * (double)n * (double)sizeof(double));
    return coda_failc(r->e, CODA_E_MEMORY, "%s:%ld: densifying %zu x %zu needs %s, more than "
                      "the memory limit of %s (CODA_MAX_MEMORY, default physical memory)",
                      r->in->name, r->lineno, m, n, need, have);
}

/* Array entries, column-major (symmetric: the lower triangle; skew: the strict lower one).
 * They are collected as they come, so memory follows the input, not its size line; then
 * placed. */
static int read_array(mtx_reader *r, coda_mat *A, size_t m, size_t n, int symm, int skew)
{
    size_t count = symm ? n * (n + 1) / 2 : skew ? (n ? n * (n - 1) / 2 : 0) : m * n;
    double *v = NULL;
    size_t cap = 0;
    int rc = -1;
    for (size_t k = 0; k < count; k++) {
        if (k == cap) {
            size_t nc = cap ? (cap < count / 2 ? 2 * cap : count) : (count < 4096 ? count : 4096);
            double *p = realloc(v, nc * sizeof *p);
            if (!p) {
                coda_fail_oom(r->e);
                goto out;
            }
            v = p;
            cap = nc;
        }
        int got = next_line(r);
        if (got <= 0) {
            need_line(r, got, "truncated: %zu of %zu entries", k, count);
            goto out;
        }
        char *p = r->line;
        if (token_value(r, &p, &v[k]) < 0 || line_done(r, p) < 0)
            goto out;
    }
    if (!symm && !skew) { /* already in place */
        A->rows = m;
        A->cols = n;
        A->data = count ? v : NULL;
        if (!count)
            free(v);
        return 0;
    }
    if (coda_mat_alloc(A, m, n, r->e) < 0)
        goto out;
    size_t k = 0;
    for (size_t j = 0; j < n; j++)
        for (size_t i = j + (size_t)skew; i < m; i++, k++) {
            CODA_AT(A, i, j) = v[k];
            CODA_AT(A, j, i) = skew ? -v[k] : v[k];
        }
    rc = 0;
out:
    free(v);
    return rc;
}

/* What a coordinate file's entries justify densifying without being told: 256 MiB, or 1000
 * doubles per entry (a density of 1/1000). A 60-byte "20000 20000 0" does not justify 3.2 GB;
 * CODA_MAX_MEMORY, when set, is the only limit. */
#define CODA_MTX_FREE_BYTES ((size_t)256 << 20)
#define CODA_MTX_PER_ENTRY 1000

static int justified(mtx_reader *r, size_t m, size_t n, size_t nnz)
{
    if (coda_mem_limit_given())
        return 0;
    double dense = (double)m * (double)n * (double)sizeof(double);
    double ok = fmax((double)CODA_MTX_FREE_BYTES,
                     (double)nnz * CODA_MTX_PER_ENTRY * (double)sizeof(double));
    if (dense <= ok)
        return 0;
    char need[32];
    fmt_bytes(need, sizeof need, dense);
    return coda_failc(r->e, CODA_E_MEMORY, "%s:%ld: densifying %zu x %zu from %zu entries "
                      "needs %s, more than its entries justify (density below 1/%d and over "
                      "256 MiB): set CODA_MAX_MEMORY to allow it",
                      r->in->name, r->lineno, m, n, nnz, need, CODA_MTX_PER_ENTRY);
}

static int read_coordinate(mtx_reader *r, coda_mat *A, size_t m, size_t n, size_t nnz,
                           int pattern, int symm, int skew, const char *sym)
{
    if (justified(r, m, n, nnz) < 0 || coda_mat_alloc(A, m, n, r->e) < 0)
        return -1;
    for (size_t k = 0; k < nnz; k++) {
        int got = next_line(r);
        if (got <= 0)
            return need_line(r, got, "truncated: %zu of %zu entries", k, nnz);
        size_t i, j;
        double v = 1.0;
        char *p = r->line;
        if (token_size(r, &p, &i, "row index") < 0 || token_size(r, &p, &j, "column index") < 0 ||
            (!pattern && token_value(r, &p, &v) < 0) || line_done(r, p) < 0)
            return -1;
        if (i < 1 || i > m || j < 1 || j > n)
            return coda_fail(r->e, "%s:%ld:1: index (%zu,%zu) outside %zu x %zu", r->in->name,
                             r->lineno, i, j, m, n);
        if ((symm || skew) && i < j)
            return coda_fail(r->e, "%s:%ld:1: %s entry (%zu,%zu) above the diagonal",
                             r->in->name, r->lineno, sym, i, j);
        if (skew && i == j)
            return coda_fail(r->e, "%s:%ld:1: skew-symmetric entry on the diagonal",
                             r->in->name, r->lineno);
        CODA_AT(A, i - 1, j - 1) += v;
        if (i != j && (symm || skew))
            CODA_AT(A, j - 1, i - 1) += skew ? -v : v;
    }
    return 0;
}

int coda_mtx_read(coda_in *in, coda_frame *f, coda_err *e)
{
    mtx_reader r = {.in = in, .e = e};
    coda_frame_init(f, CODA_MATRIX);
    int rc = -1, got;
    char obj[32] = "", fmt[32] = "", field[32] = "", sym[32] = "";
    if ((got = coda_in_textline(in, &r.line, &r.cap, &r.len, &r.lineno, e)) <= 0) {
        if (got == 0)
            coda_fail(e, "%s:1:1: empty Matrix Market file", in->name);
        goto out;
    }
    if (sscanf(r.line, "%%%%MatrixMarket %31s %31s %31s %31s", obj, fmt, field, sym) != 4) {
        coda_fail(e, "%s:1:1: bad Matrix Market banner", in->name);
        goto out;
    }
    int coord = !strcasecmp(fmt, "coordinate"), array = !strcasecmp(fmt, "array");
    int pattern = !strcasecmp(field, "pattern"), integer = !strcasecmp(field, "integer");
    int real = !strcasecmp(field, "real") || !strcasecmp(field, "double");
    int general = !strcasecmp(sym, "general"), symm = !strcasecmp(sym, "symmetric"),
        skew = !strcasecmp(sym, "skew-symmetric");
    if (strcasecmp(obj, "matrix") || !(coord || array) || !(pattern || integer || real) ||
        !(general || symm || skew) || (pattern && array) || (pattern && skew)) {
        char q[CODA_ESC_BUF];
        const char *banner = r.line + strlen("%%MatrixMarket");
        coda_fail(e, "%s:1:1: unsupported Matrix Market type '%s' (reads matrix "
                     "array|coordinate real|integer|pattern general|symmetric|skew-symmetric)",
                  in->name, coda_escape(q, banner + 1, strlen(banner + 1)));
        goto out;
    }
    if ((got = next_line(&r)) <= 0) {
        need_line(&r, got, "missing size line", 0, 0);
        goto out;
    }
    char *p = r.line;
    size_t m, n, nnz = 0;
    if (token_size(&r, &p, &m, "row count") < 0 || token_size(&r, &p, &n, "column count") < 0 ||
        (coord && token_size(&r, &p, &nnz, "entry count") < 0) || line_done(&r, p) < 0)
        goto out;
    if ((symm || skew) && m != n) {
        coda_fail(e, "%s:%ld: a %s matrix must be square, not %zu x %zu", in->name, r.lineno,
                  sym, m, n);
        goto out;
    }
    long size_line = r.lineno;
    if (dense_fits(&r, m, n) < 0 ||
        (array ? read_array(&r, &f->mat, m, n, symm, skew)
               : read_coordinate(&r, &f->mat, m, n, nnz, pattern, symm, skew, sym)) < 0) {
        if (e->cls == CODA_E_MEMORY && !strstr(e->msg, in->name))
            coda_fail_prefix(e, "%s:%ld: ", in->name, size_line);
        goto out;
    }
    if ((got = next_line(&r)) != 0) {
        if (got > 0)
            coda_fail(e, "%s:%ld:1: more entries than the size line declares", in->name,
                      r.lineno);
        goto out;
    }
    rc = 1;
out:
    free(r.line);
    if (rc < 0)
        coda_frame_free(f);
    return rc;
}

int coda_mtx_write(FILE *out, const coda_frame *f, coda_err *e)
{
    const coda_mat *m = &f->mat;
    fprintf(out, "%%%%MatrixMarket matrix array real general\n%zu %zu\n", m->rows, m->cols);
    char buf[64];
    for (size_t k = 0; k < m->rows * m->cols; k++) {
        int n = coda_fmt_double(buf, sizeof buf, m->data[k]);
        buf[n] = '\n';
        fwrite(buf, 1, (size_t)n + 1, out);
    }
    return ferror(out) ? coda_fail(e, "write error: %s", strerror(errno)) : 0;
}
