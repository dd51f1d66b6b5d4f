/* CSV and TSV through libcsv. Lines whose first non-blank character is '#' are comments, blank
 * lines are skipped, and a first row with no numeric field is a header. */
#include <csv.h>
#include <errno.h>
#include <math.h>
#include <stdlib.h>
#include <string.h>

#include "textfmt.h"

typedef struct {
    double *vals; /* row-major while reading */
    size_t n, cap;
    size_t ncols, field, rows;
    long line;
    const char *linetext;
    char delim;
    int first_row, failed;
    size_t numeric_in_first;
    char *header; /* names of a header row, comma-joined */
    size_t header_len;
    coda_err *e;
    const char *name;
} csv_state;

/* Character column (1-based) where field `idx` starts in `line`, quotes respected. */
static size_t field_column(const char *line, char delim, size_t idx)
{
    size_t f = 0, i = 0;
    int quoted = 0;
    for (; line[i] && f < idx; i++) {
        if (line[i] == '"')
            quoted = !quoted;
        else if (line[i] == delim && !quoted)
            f++;
    }
    return i + 1;
}

static void csv_error_at(csv_state *st, size_t field, const char *what, const char *text)
{
    st->failed = 1;
    coda_fail(st->e, "%s:%ld:%zu: %s%s%.40s%s (field %zu)", st->name, st->line,
              field_column(st->linetext, st->delim, field), what, text ? " '" : "",
              text ? text : "", text ? "'" : "", field + 1);
}

static int push(csv_state *st, double v)
{
    if (st->n == st->cap) {
        size_t cap = st->cap ? 2 * st->cap : 1024;
        if (coda_size_check(cap, 1, sizeof(double), NULL, NULL) < 0)
            return -1;
        double *p = realloc(st->vals, cap * sizeof *p);
        if (!p)
            return -1;
        st->vals = p;
        st->cap = cap;
    }
    st->vals[st->n++] = v;
    return 0;
}

/* s is NUL-terminated (CSV_APPEND_NULL); strtod skips leading blanks, we allow trailing ones */
static int parse_number(const char *s, size_t len, double *out)
{
    if (len == 0)
        return -1;
    char *end;
    double v = strtod(s, &end);
    if (end == s)
        return -1;
    while (*end == ' ' || *end == '\t')
        end++;
    if (end != s + len)
        return -1;
    *out = v;
    return 0;
}

static void on_field(void *s, size_t len, void *data)
{
    csv_state *st = data;
    if (st->failed)
        return;
    double v;
    int ok = parse_number(s, len, &v) == 0;
    if (st->first_row) {
        /* keep the header text in case no field of this row is numeric */
        char *h = realloc(st->header, st->header_len + len + 2);
        if (!h) {
            st->failed = 1;
            coda_fail(st->e, "out of memory");
            return;
        }
        st->header = h;
        if (st->header_len)
            h[st->header_len++] = ',';
        memcpy(h + st->header_len, s, len);
        st->header_len += len;
        h[st->header_len] = '\0';
        if (ok)
            st->numeric_in_first++;
        else if (st->numeric_in_first) {
            csv_error_at(st, st->field, len ? "not a number:" : "empty field", len ? s : NULL);
            return;
        }
    } else if (!ok) {
        csv_error_at(st, st->field, len ? "not a number:" : "empty field", len ? s : NULL);
        return;
    }
    if (st->ncols && st->field >= st->ncols) {
        csv_error_at(st, st->field, "more fields than the first row's", NULL);
        return;
    }
    if (ok && push(st, v) < 0) {
        st->failed = 1;
        coda_fail(st->e, "%s:%ld: out of memory (or over CODA_MAX_MEMORY)", st->name, st->line);
        return;
    }
    st->field++;
}

static void on_row(int c, void *data)
{
    (void)c;
    csv_state *st = data;
    if (st->failed)
        return;
    if (st->first_row) {
        st->first_row = 0;
        if (st->numeric_in_first == 0) { /* a header row: names only */
            st->ncols = st->field;
            st->field = 0;
            return;
        }
        free(st->header);
        st->header = NULL;
        /* a mixed first row: a non-numeric field after a numeric one is caught in on_field;
         * one before it is caught here */
        if (st->numeric_in_first != st->field) {
            st->failed = 1;
            coda_fail(st->e, "%s:%ld:1: not a number in a data row (a header row may hold no "
                             "numbers)", st->name, st->line);
            return;
        }
    }
    if (st->ncols == 0)
        st->ncols = st->field;
    else if (st->field != st->ncols) {
        st->failed = 1;
        coda_fail(st->e, "%s:%ld:%zu: ragged row: %zu fields, expected %zu", st->name, st->line,
                  field_column(st->linetext, st->delim, st->field), st->field, st->ncols);
        return;
    }
    st->rows++;
    st->field = 0;
}

int coda_csv_read(coda_in *in, coda_frame *f, coda_err *e)
{
    csv_state st = {.e = e, .name = in->name, .first_row = 1};
    struct csv_parser p;
    if (csv_init(&p, CSV_STRICT | CSV_STRICT_FINI | CSV_APPEND_NULL) != 0)
        return coda_fail(e, "%s: cannot initialise the CSV parser", in->name);
    char *line = NULL;
    size_t cap = 0;
    ssize_t len;
    int delim_known = 0;
    coda_frame_init(f, CODA_MATRIX);
    while (!st.failed && (len = coda_in_getline(in, &line, &cap)) >= 0) {
        st.line++;
        const char *q = line;
        while (*q == ' ' || *q == '\t')
            q++;
        if (*q == '\0' || *q == '#')
            continue;
        if (memchr(line, '\0', (size_t)len)) {
            coda_fail(e, "%s:%ld: NUL byte in text input", in->name, st.line);
            st.failed = 1;
            break;
        }
        if (!delim_known) {
            st.delim = strchr(line, '\t') ? '\t' : ',';
            csv_set_delim(&p, (unsigned char)st.delim);
            delim_known = 1;
        }
        st.linetext = line;
        /* the line, then its terminator, which ends the row inside libcsv */
        if ((csv_parse(&p, line, (size_t)len, on_field, on_row, &st) != (size_t)len ||
             csv_parse(&p, "\n", 1, on_field, on_row, &st) != 1) &&
            !st.failed) {
            coda_fail(e, "%s:%ld: %s", in->name, st.line, csv_strerror(csv_error(&p)));
            st.failed = 1;
        }
    }
    if (!st.failed && in->ioerr) {
        coda_fail(e, "%s: read error", in->name);
        st.failed = 1;
    }
    if (!st.failed && csv_fini(&p, on_field, on_row, &st) != 0 && !st.failed) {
        coda_fail(e, "%s:%ld: unterminated quoted field", in->name, st.line);
        st.failed = 1;
    }
    csv_free(&p);
    free(line);
    if (!st.failed && st.rows == 0) {
        coda_fail(e, "%s: no data rows", in->name);
        st.failed = 1;
    }
    if (!st.failed && coda_mat_alloc_raw(&f->mat, st.rows, st.ncols, e) < 0)
        st.failed = 1;
    if (!st.failed) {
        /* row-major to column-major in tiles, so neither side strides through memory */
        enum { TILE = 64 };
        for (size_t i0 = 0; i0 < st.rows; i0 += TILE)
            for (size_t j0 = 0; j0 < st.ncols; j0 += TILE)
                for (size_t i = i0; i < i0 + TILE && i < st.rows; i++)
                    for (size_t j = j0; j < j0 + TILE && j < st.ncols; j++)
                        CODA_AT(&f->mat, i, j) = st.vals[i * st.ncols + j];
        if (st.header && !strchr(st.header, '\n'))
            coda_meta_set(&f->meta, "columns", st.header, NULL);
    }
    free(st.vals);
    free(st.header);
    if (st.failed) {
        coda_frame_free(f);
        return -1;
    }
    return 1;
}

int coda_fmt_double(char *buf, size_t cap, double v)
{
    if (v == 0.0)
        return snprintf(buf, cap, signbit(v) ? "-0" : "0");
    return snprintf(buf, cap, "%.17g", v);
}

int coda_csv_write(FILE *out, const coda_frame *f, char delim, coda_err *e)
{
    const coda_mat *m = &f->mat;
    const char *hdr = coda_meta_get(&f->meta, "columns");
    if (hdr && delim == ',' && fprintf(out, "%s\n", hdr) < 0)
        return coda_fail(e, "write error: %s", strerror(errno));
    char buf[64];
    for (size_t i = 0; i < m->rows; i++) {
        for (size_t j = 0; j < m->cols; j++) {
            int n = coda_fmt_double(buf, sizeof buf, CODA_AT(m, i, j));
            if (j)
                putc(delim, out);
            fwrite(buf, 1, (size_t)n, out);
        }
        if (putc('\n', out) == EOF)
            return coda_fail(e, "write error: %s", strerror(errno));
    }
    return ferror(out) ? coda_fail(e, "write error: %s", strerror(errno)) : 0;
}
