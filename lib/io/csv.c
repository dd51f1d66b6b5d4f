/* CSV, TSV and blank-separated text (numpy.savetxt's default) through libcsv. Lines whose first
 * non-blank character is '#' are comments, blank lines are skipped, and a first row with no
 * numeric field is a header. */
#include <csv.h>
#include <errno.h>
#include <math.h>
#include <stdlib.h>
#include <string.h>

#include "textfmt.h"

/* A growing string (a header row, encoded). */
typedef struct {
    char *s;
    size_t len, cap;
} strbuf;

static int sb_put(strbuf *b, const char *s, size_t n)
{
    if (b->len + n + 1 > b->cap) {
        size_t cap = b->cap ? b->cap : 256;
        while (cap < b->len + n + 1)
            cap *= 2;
        char *p = realloc(b->s, cap);
        if (!p)
            return -1;
        b->s = p;
        b->cap = cap;
    }
    memcpy(b->s + b->len, s, n);
    b->len += n;
    b->s[b->len] = '\0';
    return 0;
}

/* A name is quoted when, bare, it would not read back as one field whatever the separator: it
 * holds a separator, a quote or a line break, is empty (a blank line), or starts a comment. */
static int needs_quotes(const char *s, size_t n)
{
    if (n == 0 || s[0] == '#')
        return 1;
    for (size_t i = 0; i < n; i++)
        if (memchr("\",;\t \r\n", s[i], 7))
            return 1;
    return 0;
}

/* Append one field, after a separator unless it is the row's first, quoted as RFC 4180 says. */
static int put_field(strbuf *b, const char *s, size_t n, char delim, int first)
{
    if (!first && sb_put(b, &delim, 1) < 0)
        return -1;
    if (!needs_quotes(s, n))
        return sb_put(b, s, n);
    if (sb_put(b, "\"", 1) < 0)
        return -1;
    for (size_t i = 0; i < n; i++)
        if ((s[i] == '"' && sb_put(b, "\"", 1) < 0) || sb_put(b, s + i, 1) < 0)
            return -1;
    return sb_put(b, "\"", 1);
}

int coda_text_double(const char *s, char **end, double *v, const char **why)
{
    errno = 0;
    *v = strtod(s, end);
    if (*end == s)
        return -1;
    /* glibc sets ERANGE for subnormal results too: those are kept (gradual underflow) */
    if (errno == ERANGE && isinf(*v)) {
        *why = "overflows float64 (magnitude above 1.8e308)";
        return 1;
    }
    if (errno == ERANGE && *v == 0) {
        *why = "underflows to 0 (nonzero, but below the smallest float64, 4.9e-324)";
        return 1;
    }
    return 0;
}

int coda_delim_parse(const char *s, char *delim)
{
    static const struct {
        const char *name;
        char d;
    } names[] = {{"auto", 0},  {",", ','},      {"comma", ','}, {";", ';'},
                 {"semicolon", ';'}, {"\t", '\t'}, {"\\t", '\t'}, {"tab", '\t'},
                 {" ", ' '},   {"space", ' '},  {"whitespace", ' '}};
    for (size_t i = 0; i < sizeof names / sizeof names[0]; i++)
        if (strcmp(s, names[i].name) == 0) {
            *delim = names[i].d;
            return 0;
        }
    return -1;
}

typedef struct {
    double *vals; /* row-major while reading */
    size_t n, cap;
    size_t ncols, field, rows;
    long line;
    const char *linetext; /* the line as read, for the columns in messages */
    char delim;           /* ',', ';', '\t', or ' ' for runs of blanks */
    int first_row, failed;
    size_t numeric_in_first;
    strbuf header; /* the first row, CSV-encoded, in case no field of it is numeric */
    coda_err *e;
    const char *name;
} csv_state;

static int is_blank(char c) { return c == ' ' || c == '\t'; }

/* Character column (1-based) where field `idx` starts in `line`, quotes respected. */
static size_t field_column(const char *line, char delim, size_t idx)
{
    size_t f = 0, i = 0;
    int quoted = 0;
    if (delim == ' ')
        while (is_blank(line[i]))
            i++;
    for (; line[i] && f < idx; i++) {
        if (line[i] == '"')
            quoted = !quoted;
        else if (quoted)
            continue;
        else if (delim == ' ' ? is_blank(line[i]) : line[i] == delim) {
            while (delim == ' ' && is_blank(line[i + 1]))
                i++;
            f++;
        }
    }
    return i + 1;
}

static void csv_error_at(csv_state *st, size_t field, const char *what, const char *text,
                         size_t len)
{
    char q[CODA_ESC_BUF];
    st->failed = 1;
    coda_fail(st->e, "%s:%ld:%zu: %s%s%s%s (field %zu)", st->name, st->line,
              field_column(st->linetext, st->delim, field), what, text ? " '" : "",
              text ? coda_escape(q, text, len) : "", text ? "'" : "", field + 1);
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

/* s is NUL-terminated (CSV_APPEND_NULL); strtod skips leading blanks, we allow trailing ones.
 * 0: a number; -1: not one; 1: a number out of range, *why says how. */
static int parse_number(const char *s, size_t len, double *out, const char **why)
{
    if (len == 0)
        return -1;
    char *end;
    int rc = coda_text_double(s, &end, out, why);
    if (rc < 0)
        return -1;
    while (is_blank(*end))
        end++;
    return end == s + len ? rc : -1;
}

static void on_field(void *s, size_t len, void *data)
{
    csv_state *st = data;
    if (st->failed)
        return;
    double v;
    const char *why = NULL;
    int rc = parse_number(s, len, &v, &why);
    if (rc > 0) {
        char what[96];
        snprintf(what, sizeof what, "number %s:", why);
        csv_error_at(st, st->field, what, s, len);
        return;
    }
    if (st->first_row) {
        if (!st->numeric_in_first && put_field(&st->header, s, len, ',', st->field == 0) < 0) {
            st->failed = 1;
            coda_fail_oom(st->e);
            return;
        }
        if (rc == 0)
            st->numeric_in_first++;
        else if (st->numeric_in_first) {
            csv_error_at(st, st->field, len ? "not a number:" : "empty field", len ? s : NULL,
                         len);
            return;
        }
    } else if (rc < 0) {
        csv_error_at(st, st->field, len ? "not a number:" : "empty field", len ? s : NULL, len);
        return;
    }
    if (st->ncols && st->field >= st->ncols) {
        csv_error_at(st, st->field, "more fields than the first row's", NULL, 0);
        return;
    }
    if (rc == 0 && push(st, v) < 0) {
        st->failed = 1;
        coda_failc(st->e, CODA_E_MEMORY, "%s:%ld: out of memory (or over CODA_MAX_MEMORY)",
                   st->name, st->line);
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
        free(st->header.s);
        st->header = (strbuf){0};
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

/* The separator a line suggests: a tab, else a comma (outside quotes), else the blanks between
 * its fields; 0 when it holds a single field. */
static char suggest_delim(const char *line)
{
    int quoted = 0;
    char d = 0;
    while (is_blank(*line))
        line++;
    for (const char *p = line; *p; p++) {
        if (*p == '"')
            quoted = !quoted;
        else if (quoted)
            continue;
        else if (*p == '\t' && p[strspn(p, " \t")])
            return '\t';
        else if (*p == ',')
            d = ',';
        else if (*p == ' ' && !d && p[strspn(p, " \t")])
            d = ' ';
    }
    return d;
}

/* Blank-separated text as libcsv reads it with the separator ' ': one blank between fields,
 * none around them (blanks inside quotes are kept). */
static size_t squeeze_blanks(char *dst, const char *src)
{
    size_t n = 0;
    int quoted = 0;
    while (is_blank(*src))
        src++;
    for (; *src; src++) {
        if (*src == '"')
            quoted = !quoted;
        if (!quoted && is_blank(*src)) {
            src += strspn(src, " \t") - 1;
            if (src[1])
                dst[n++] = ' ';
        } else
            dst[n++] = *src;
    }
    dst[n] = '\0';
    return n;
}

/* One line into libcsv, then its terminator, which ends the row (or continues a quoted field).
 * Blank-separated lines are squeezed into *scratch first. */
static void feed(csv_state *st, struct csv_parser *p, const char *line, size_t len,
                 strbuf *scratch)
{
    st->linetext = line;
    if (st->delim == ' ') {
        scratch->len = 0;
        if (sb_put(scratch, line, len) < 0) { /* as large as the line */
            st->failed = 1;
            coda_fail_oom(st->e);
            return;
        }
        len = squeeze_blanks(scratch->s, line);
        line = scratch->s;
    }
    if ((csv_parse(p, line, len, on_field, on_row, st) != len ||
         csv_parse(p, "\n", 1, on_field, on_row, st) != 1) &&
        !st->failed) {
        coda_fail(st->e, "%s:%ld: %s", st->name, st->line, csv_strerror(csv_error(p)));
        st->failed = 1;
    }
}

/* The separator chosen (a single field decides nothing: ','), then the line held for it. */
static void start(csv_state *st, struct csv_parser *p, char d, const char *held, size_t len,
                  long lineno, strbuf *scratch)
{
    st->delim = d ? d : ',';
    csv_set_delim(p, (unsigned char)st->delim);
    if (held) {
        long now = st->line;
        st->line = lineno;
        feed(st, p, held, len, scratch);
        st->line = now;
    }
}

int coda_csv_read(coda_in *in, coda_frame *f, coda_err *e)
{
    csv_state st = {.e = e, .name = in->name, .first_row = 1, .delim = in->delim};
    struct csv_parser p;
    if (csv_init(&p, CSV_STRICT | CSV_STRICT_FINI | CSV_APPEND_NULL) != 0)
        return coda_fail(e, "%s: cannot initialise the CSV parser", in->name);
    if (st.delim)
        csv_set_delim(&p, (unsigned char)st.delim);
    char *line = NULL, *held = NULL; /* held: a first line that decides nothing */
    size_t cap = 0, len, held_len = 0;
    strbuf scratch = {0};
    long held_line = 0;
    coda_frame_init(f, CODA_MATRIX);
    for (;;) {
        int rc = coda_in_textline(in, &line, &cap, &len, &st.line, e);
        if (rc < 0)
            st.failed = 1;
        if (rc <= 0 || st.failed)
            break;
        const char *q = line + strspn(line, " \t");
        if (*q == '\0' || *q == '#')
            continue;
        if (!st.delim) {
            /* a tab or a comma decides; blanks alone might be in a one-column header
             * ("mean value"), so then the second line decides: a single field there means
             * ',', and after a blank-separated first line so does only a comma */
            char d = suggest_delim(line);
            if (held && suggest_delim(held) == ' ' && d == '\t')
                d = ' ';
            if (!held && (d == ' ' || d == 0)) {
                if (!(held = strdup(line))) {
                    coda_fail_oom(e);
                    st.failed = 1;
                    break;
                }
                held_len = len;
                held_line = st.line;
                continue;
            }
            start(&st, &p, d, held, held_len, held_line, &scratch);
        }
        feed(&st, &p, line, len, &scratch);
    }
    if (!st.failed && !st.delim && held) /* one line only: it decides */
        start(&st, &p, suggest_delim(held), held, held_len, held_line, &scratch);
    if (!st.failed && csv_fini(&p, on_field, on_row, &st) != 0 && !st.failed) {
        coda_fail(e, "%s:%ld: unterminated quoted field", in->name, st.line);
        st.failed = 1;
    }
    csv_free(&p);
    free(line);
    free(scratch.s);
    free(held);
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
        /* metadata is one line: a name with a line break in it loses the header */
        if (st.header.s && !strchr(st.header.s, '\n') &&
            coda_meta_set(&f->meta, "columns", st.header.s, e) < 0)
            st.failed = 1;
    }
    free(st.vals);
    free(st.header.s);
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

/* columns= re-encoded for the output's separator, in h->out; h->n names, h->bad when one of
 * them reads as a number (the row would not read back as a header). */
typedef struct {
    strbuf out;
    size_t n;
    char delim;
    int bad;
} header_out;

static void header_field(void *s, size_t len, void *data)
{
    header_out *h = data;
    double v;
    const char *why;
    if (parse_number(s, len, &v, &why) >= 0 || put_field(&h->out, s, len, h->delim, h->n == 0) < 0)
        h->bad = 1;
    h->n++;
}

/* The header row for columns=, when it names each of the matrix's columns: NULL otherwise
 * (names from elsewhere, or a sub-block's frame, would make the file unreadable). */
static char *header_line(const char *cols, size_t ncols, char delim)
{
    header_out h = {.delim = delim};
    struct csv_parser p;
    if (csv_init(&p, CSV_STRICT | CSV_STRICT_FINI | CSV_APPEND_NULL) != 0)
        return NULL;
    size_t n = strlen(cols);
    int ok = csv_parse(&p, cols, n, header_field, NULL, &h) == n &&
             csv_fini(&p, header_field, NULL, &h) == 0 && !h.bad && h.n == ncols;
    csv_free(&p);
    if (!ok) {
        free(h.out.s);
        return NULL;
    }
    return h.out.s;
}

int coda_csv_write(FILE *out, const coda_frame *f, char delim, coda_err *e)
{
    const coda_mat *m = &f->mat;
    /* rows of nothing are blank lines, which a reader skips: refuse rather than write them
     * (a 2^62 x 0 frame would print 2^62 of them) */
    if (m->rows == 0 || m->cols == 0)
        return coda_fail(e, "a %zu x %zu matrix has no entries, which CSV and TSV cannot hold "
                            "(write it as bin, npy or mtx)", m->rows, m->cols);
    const char *cols = coda_meta_get(&f->meta, "columns");
    char *hdr = cols ? header_line(cols, m->cols, delim) : NULL;
    int bad = hdr && fprintf(out, "%s\n", hdr) < 0;
    free(hdr);
    if (bad)
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
