/* Matrix Market: array and coordinate; real, integer, pattern; general, symmetric,
 * skew-symmetric. Read into a dense matrix; written as array real general. */
#include <ctype.h>
#include <errno.h>
#include <stdlib.h>
#include <string.h>
#include <strings.h>

#include "textfmt.h"

typedef struct {
    coda_in *in;
    char *line;
    size_t cap;
    long lineno;
    coda_err *e;
} mtx_reader;

/* Next line that is neither a comment nor blank; 0 at end of input. */
static int next_line(mtx_reader *r)
{
    ssize_t len;
    while ((len = coda_in_getline(r->in, &r->line, &r->cap)) >= 0) {
        r->lineno++;
        const char *p = r->line;
        while (isspace((unsigned char)*p))
            p++;
        if (*p && *p != '%')
            return 1;
    }
    return 0;
}

/* Parse the next whitespace-separated token of the current line as a number. */
static int token(mtx_reader *r, char **pos, double *v, int integer, const char *what)
{
    char *p = *pos;
    while (*p == ' ' || *p == '\t')
        p++;
    size_t col = (size_t)(p - r->line) + 1;
    if (!*p)
        return coda_fail(r->e, "%s:%ld:%zu: missing %s", r->in->name, r->lineno, col, what);
    char *end;
    errno = 0;
    if (integer) {
        long long x = strtoll(p, &end, 10);
        *v = (double)x;
        if (errno || x < 0)
            end = p;
    } else
        *v = strtod(p, &end);
    if (end == p || (*end && !isspace((unsigned char)*end))) {
        int n = 0;
        while (p[n] && !isspace((unsigned char)p[n]) && n < 40)
            n++;
        return coda_fail(r->e, "%s:%ld:%zu: %s is not a%s number: '%.*s'", r->in->name,
                         r->lineno, col, what, integer ? " non-negative whole" : "", n, p);
    }
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

int coda_mtx_read(coda_in *in, coda_frame *f, coda_err *e)
{
    mtx_reader r = {.in = in, .e = e};
    coda_frame_init(f, CODA_MATRIX);
    int rc = -1;
    char obj[32] = "", fmt[32] = "", field[32] = "", sym[32] = "";
    if (coda_in_getline(in, &r.line, &r.cap) < 0) {
        coda_fail(e, "%s:1:1: empty Matrix Market file", in->name);
        goto out;
    }
    r.lineno = 1;
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
        coda_fail(e, "%s:1:1: unsupported Matrix Market type '%s %s %s %s' (reads matrix "
                     "array|coordinate real|integer|pattern general|symmetric|skew-symmetric)",
                  in->name, obj, fmt, field, sym);
        goto out;
    }
    if (!next_line(&r)) {
        coda_fail(e, "%s:%ld: missing size line", in->name, r.lineno + 1);
        goto out;
    }
    char *p = r.line;
    double dm, dn, dnz = 0;
    if (token(&r, &p, &dm, 1, "row count") < 0 || token(&r, &p, &dn, 1, "column count") < 0 ||
        (coord && token(&r, &p, &dnz, 1, "entry count") < 0) || line_done(&r, p) < 0)
        goto out;
    size_t m = (size_t)dm, n = (size_t)dn;
    if ((symm || skew) && m != n) {
        coda_fail(e, "%s:%ld: a %s matrix must be square, not %zu x %zu", in->name, r.lineno,
                  sym, m, n);
        goto out;
    }
    if (coda_mat_alloc(&f->mat, m, n, e) < 0) {
        coda_fail_prefix(e, "%s:%ld: ", in->name, r.lineno);
        goto out;
    }
    if (array) {
        /* column-major; symmetric stores the lower triangle, skew the strict lower one */
        for (size_t j = 0; j < n; j++)
            for (size_t i = (symm ? j : skew ? j + 1 : 0); i < m; i++) {
                if (!next_line(&r)) {
                    coda_fail(e, "%s:%ld: truncated: entry (%zu,%zu) missing", in->name,
                              r.lineno + 1, i + 1, j + 1);
                    goto out;
                }
                double v;
                p = r.line;
                if (token(&r, &p, &v, 0, "value") < 0 || line_done(&r, p) < 0)
                    goto out;
                CODA_AT(&f->mat, i, j) = v;
                if (i != j && (symm || skew))
                    CODA_AT(&f->mat, j, i) = skew ? -v : v;
            }
    } else {
        size_t nnz = (size_t)dnz;
        for (size_t k = 0; k < nnz; k++) {
            if (!next_line(&r)) {
                coda_fail(e, "%s:%ld: truncated: %zu of %zu entries", in->name, r.lineno + 1, k,
                          nnz);
                goto out;
            }
            double di, dj, v = 1.0;
            p = r.line;
            if (token(&r, &p, &di, 1, "row index") < 0 ||
                token(&r, &p, &dj, 1, "column index") < 0 ||
                (!pattern && token(&r, &p, &v, 0, "value") < 0) || line_done(&r, p) < 0)
                goto out;
            size_t i = (size_t)di, j = (size_t)dj;
            if (i < 1 || i > m || j < 1 || j > n) {
                coda_fail(e, "%s:%ld:1: index (%zu,%zu) outside %zu x %zu", in->name, r.lineno,
                          i, j, m, n);
                goto out;
            }
            if ((symm || skew) && i < j) {
                coda_fail(e, "%s:%ld:1: %s entry (%zu,%zu) above the diagonal", in->name,
                          r.lineno, sym, i, j);
                goto out;
            }
            if (skew && i == j) {
                coda_fail(e, "%s:%ld:1: skew-symmetric entry on the diagonal", in->name,
                          r.lineno);
                goto out;
            }
            CODA_AT(&f->mat, i - 1, j - 1) += v;
            if (i != j && (symm || skew))
                CODA_AT(&f->mat, j - 1, i - 1) += skew ? -v : v;
        }
    }
    if (next_line(&r)) {
        coda_fail(e, "%s:%ld:1: more entries than the size line declares", in->name, r.lineno);
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
