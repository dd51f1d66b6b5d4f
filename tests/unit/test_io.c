/* Bit-exact round trips through every format, metadata and tags, rejection of bad input, and the
 * scan for non-finite values. */
#include <float.h>
#include <math.h>
#include <unistd.h>
#include <stdlib.h>
#include <string.h>

#include <csv.h>

#include "../../lib/core/rng.h"
#include "../../lib/io/binfmt.h"
#include "../../lib/io/matfile.h"
#include "../../lib/io/stream.h"
#include "../../lib/io/textfmt.h"
#include "../../lib/io/wire.h"
#include "check.h"

/* Awkward doubles: signed zeros, subnormals, extremes, and random bit patterns. */
static void fill_awkward(coda_mat *m, uint64_t seed)
{
    coda_rng r;
    coda_rng_init(&r, seed, 0);
    static const double special[] = {0.0, -0.0, 1.0, -1.0, 0.1, 1.0 / 3.0, 5e-324, -2.2250738585072014e-308,
                                     1.7976931348623157e308, 123456789012345678.0, 1e-300, M_PI};
    size_t n = m->rows * m->cols;
    for (size_t k = 0; k < n; k++) {
        if (k < sizeof special / sizeof special[0])
            m->data[k] = special[k];
        else {
            uint64_t bits;
            double v;
            do { /* finite random bit patterns */
                bits = coda_rng_u64(&r);
                memcpy(&v, &bits, 8);
            } while (!isfinite(v));
            m->data[k] = v;
        }
    }
}

static int same_bits(const coda_mat *a, const coda_mat *b)
{
    return a->rows == b->rows && a->cols == b->cols &&
           memcmp(a->data, b->data, a->rows * a->cols * sizeof(double)) == 0;
}

static void round_trip(coda_format fmt, const char *name)
{
    coda_err e;
    coda_frame f, g;
    coda_frame_init(&f, CODA_MATRIX);
    coda_mat_alloc(&f.mat, 7, 5, &e);
    fill_awkward(&f.mat, 42);
    char path[64];
    snprintf(path, sizeof path, "/tmp/coda-unit-%d.%s", (int)getpid(), name);
    coda_writer w;
    CHECK(coda_writer_open(&w, path, fmt, &e) == 0, "%s", e.msg);
    CHECK(coda_writer_put(&w, &f, &e) == 0, "%s", e.msg);
    CHECK(coda_writer_close(&w, &e) == 0, "%s", e.msg);
    coda_reader r;
    CHECK(coda_reader_open(&r, path, &e) == 0, "%s", e.msg);
    int rc = coda_reader_next(&r, &g, &e);
    CHECK(rc == 1, "%s: %s", name, e.msg);
    CHECK(r.fmt == fmt || (fmt == CODA_FMT_TSV && r.fmt == CODA_FMT_CSV), "%s detected as %s", name,
          coda_format_name(r.fmt));
    if (rc == 1) {
        CHECK(same_bits(&f.mat, &g.mat), "%s round trip is not bit-exact", name);
        coda_frame_free(&g);
    }
    CHECK(coda_reader_next(&r, &g, &e) == 0, "%s: a second frame", name);
    coda_reader_close(&r);
    coda_frame_free(&f);
    remove(path);
}

static void frames_with_meta(void)
{
    coda_err e;
    char path[64];
    snprintf(path, sizeof path, "/tmp/coda-unit-%d.frames", (int)getpid());
    coda_writer w;
    coda_writer_open(&w, path, CODA_FMT_BIN, &e);
    for (int k = 0; k < 3; k++) {
        coda_frame f;
        coda_frame_init(&f, k == 0 ? CODA_PLAN : CODA_TASK);
        f.tag[CODA_TAG_WORKER] = k;
        f.tag[CODA_TAG_BLOCK] = 10 + k;
        coda_meta_set(&f.meta, "scheme", "frc", &e);
        coda_meta_set_double(&f.meta, "x", 0.1 * k, &e);
        coda_mat_alloc(&f.mat, (size_t)k, 2, &e); /* includes an empty 0 x 2 frame */
        for (size_t i = 0; i < (size_t)k * 2; i++)
            f.mat.data[i] = (double)i;
        CHECK(coda_writer_put(&w, &f, &e) == 0, "%s", e.msg);
        coda_frame_free(&f);
    }
    coda_writer_close(&w, &e);
    coda_reader r;
    coda_reader_open(&r, path, &e);
    for (int k = 0; k < 3; k++) {
        coda_frame f;
        CHECK(coda_reader_next(&r, &f, &e) == 1, "frame %d: %s", k, e.msg);
        CHECK(f.kind == (k == 0 ? CODA_PLAN : CODA_TASK), "kind %d", f.kind);
        CHECK(f.tag[CODA_TAG_WORKER] == k && f.tag[CODA_TAG_BLOCK] == 10 + k &&
                  f.tag[CODA_TAG_ITER] == CODA_NOTAG, "tags");
        double x;
        CHECK(coda_meta_get_double(&f.meta, "x", &x, &e) == 0 && x == 0.1 * k, "meta x");
        CHECK(f.mat.rows == (size_t)k && f.mat.cols == 2, "shape %zu x %zu", f.mat.rows, f.mat.cols);
        coda_frame_free(&f);
    }
    coda_frame f;
    CHECK(coda_reader_next(&r, &f, &e) == 0, "end of stream");
    coda_reader_close(&r);
    remove(path);
}

/* Every byte-prefix of a valid frame is rejected with a message, never accepted or crashed on. */
static void truncations(void)
{
    coda_err e;
    char path[64], cut[64];
    snprintf(path, sizeof path, "/tmp/coda-unit-%d.one", (int)getpid());
    snprintf(cut, sizeof cut, "/tmp/coda-unit-%d.cut", (int)getpid());
    coda_writer w;
    coda_frame f;
    coda_frame_init(&f, CODA_MATRIX);
    coda_meta_set(&f.meta, "k", "v", &e);
    coda_mat_alloc(&f.mat, 3, 2, &e);
    coda_writer_open(&w, path, CODA_FMT_BIN, &e);
    coda_writer_put(&w, &f, &e);
    coda_writer_close(&w, &e);
    coda_frame_free(&f);
    FILE *in = fopen(path, "rb");
    unsigned char buf[256];
    size_t n = fread(buf, 1, sizeof buf, in);
    fclose(in);
    int all_rejected = 1;
    for (size_t len = 1; len < n; len++) {
        FILE *o = fopen(cut, "wb");
        fwrite(buf, 1, len, o);
        fclose(o);
        coda_reader r;
        coda_reader_open(&r, cut, &e);
        e.msg[0] = '\0';
        int rc = coda_reader_next(&r, &f, &e);
        if (rc == 1)
            coda_frame_free(&f);
        if (rc != -1 || !strstr(e.msg, "truncated"))
            all_rejected = 0;
        coda_reader_close(&r);
    }
    CHECK(all_rejected, "a truncated frame was not rejected as truncated");
    remove(path);
    remove(cut);
}

/* coda_mat_first_nonfinite scans in parallel blocks: it must still return the first bad index,
 * wherever it lies relative to the blocks, for +Inf, -Inf and NaN, and none for finite data. */
static void first_nonfinite(void)
{
    coda_mat m;
    coda_err e;
    CHECK(coda_mat_alloc(&m, 1500, 1000, &e) == 0, "%s", e.msg);
    size_t n = m.rows * m.cols;
    for (size_t i = 0; i < n; i++)
        m.data[i] = i % 7 ? 1e308 : -DBL_MAX; /* finite, with exponent bits almost all set */
    CHECK(coda_mat_first_nonfinite(&m) == (size_t)-1, "finite data reported bad");
    const size_t at[] = {0, 4095, 4096, 4097, n / 2, n - 1};
    const double bad[] = {INFINITY, -INFINITY, NAN};
    for (size_t k = 0; k < sizeof at / sizeof *at; k++)
        for (size_t b = 0; b < 3; b++) {
            m.data[at[k]] = bad[b];
            if (at[k] + 5000 < n)
                m.data[at[k] + 5000] = NAN; /* a later one, in another block */
            size_t got = coda_mat_first_nonfinite(&m);
            CHECK(got == at[k], "bad value %g at %zu found at %zu", bad[b], at[k], got);
            m.data[at[k]] = 1.0;
            if (at[k] + 5000 < n)
                m.data[at[k] + 5000] = 1.0;
        }
    coda_mat_free(&m);
}

/* Write frames (kinds[k], m whole for the MATRIX ones, a 2 x 2 for others) to path as fmt. */
static void write_frames(const char *path, coda_format fmt, int dtype, const int *kinds, int n,
                         const coda_mat *m)
{
    coda_err e;
    coda_writer w;
    CHECK(coda_writer_open(&w, path, fmt, &e) == 0, "%s", e.msg);
    w.dtype = dtype;
    for (int k = 0; k < n; k++) {
        coda_frame f;
        coda_frame_init(&f, kinds[k]);
        if (kinds[k] == CODA_MATRIX)
            f.mat = coda_mat_view(m, 0, m->rows, 0, m->cols);
        else
            coda_mat_alloc(&f.mat, 2, 2, &e);
        CHECK(coda_writer_put(&w, &f, &e) == 0, "%s", e.msg);
        coda_frame_free(&f);
    }
    CHECK(coda_writer_close(&w, &e) == 0, "%s", e.msg);
}

/* A matrix read in place from its file: a stream's first MATRIX frame and a float64 .npy
 * are; float32, text, stdin and a cut file are not (they are read whole, which names their
 * problem). Pieces are its entries bit for bit, the scan finds the first bad entry, and a
 * file changed under the reader is an error. */
static void matfile(void)
{
    coda_err e;
    coda_mat m;
    coda_mat_alloc(&m, 37, 5, &e);
    fill_awkward(&m, 7);
    char path[64], npy[64], csv[64];
    snprintf(path, sizeof path, "/tmp/coda-unit-%d.mf.coda", (int)getpid());
    snprintf(npy, sizeof npy, "/tmp/coda-unit-%d.mf.npy", (int)getpid());
    snprintf(csv, sizeof csv, "/tmp/coda-unit-%d.mf.csv", (int)getpid());
    const int task_then_matrix[] = {CODA_TASK, CODA_MATRIX}, matrix[] = {CODA_MATRIX};
    write_frames(path, CODA_FMT_BIN, CODA_F64, task_then_matrix, 2, &m);
    write_frames(npy, CODA_FMT_NPY, CODA_F64, matrix, 1, &m);
    for (int k = 0; k < 2; k++) {
        const char *f = k ? npy : path;
        coda_matfile mf;
        CHECK(coda_matfile_open(&mf, f, &e) == 1 && mf.rows == 37 && mf.cols == 5, "%s", f);
        if (mf.fd < 0)
            continue;
        double piece[80];
        const uint64_t first[] = {0, 36, 37, 100, 185 - 80};
        for (size_t i = 0; i < sizeof first / sizeof *first; i++) {
            size_t n = 185 - first[i] < 80 ? 185 - first[i] : 80;
            CHECK(coda_matfile_read(&mf, first[i], n, piece, &e) == 0 &&
                      memcmp(piece, m.data + first[i], n * sizeof(double)) == 0,
                  "%s: entries %llu.. are not the matrix's", f, (unsigned long long)first[i]);
        }
        uint64_t bad;
        double val;
        CHECK(coda_matfile_first_nonfinite(&mf, &bad, &val, &e) == 0 && bad == (uint64_t)-1,
              "%s: finite data reported bad", f);
        CHECK(coda_matfile_unchanged(&mf, &e) == 0, "%s: %s", f, e.msg);
        coda_matfile_close(&mf);
    }
    /* the first bad entry, past the scan's first chunk; then the file rewritten under it */
    coda_mat big;
    coda_mat_alloc(&big, 1000, 70, &e);
    big.data[50000] = NAN;
    big.data[60000] = INFINITY;
    write_frames(path, CODA_FMT_BIN, CODA_F64, matrix, 1, &big);
    coda_matfile mf;
    uint64_t bad = 0;
    double val = 0;
    CHECK(coda_matfile_open(&mf, path, &e) == 1 &&
              coda_matfile_first_nonfinite(&mf, &bad, &val, &e) == 0 && bad == 50000 && isnan(val),
          "the first bad entry at %llu", (unsigned long long)bad);
    FILE *cut = fopen(path, "r+b");
    CHECK(cut && ftruncate(fileno(cut), 4096) == 0, "cutting the file");
    if (cut)
        fclose(cut);
    double piece[8];
    CHECK(coda_matfile_read(&mf, 69000, 8, piece, &e) < 0 && strstr(e.msg, "changed while it was read"),
          "a read past a cut: %s", e.msg);
    CHECK(coda_matfile_unchanged(&mf, &e) < 0 && strstr(e.msg, "changed while it was read"),
          "a cut file unnoticed");
    coda_matfile_close(&mf);
    CHECK(coda_matfile_open(&mf, path, &e) == 0 && mf.fd < 0, "a cut file read in place");
    coda_mat_free(&big);
    /* read whole instead */
    coda_mat small;
    coda_mat_alloc(&small, 3, 2, &e);
    write_frames(npy, CODA_FMT_NPY, CODA_F32, matrix, 1, &small);
    coda_mat_free(&small);
    write_frames(csv, CODA_FMT_CSV, CODA_F64, matrix, 1, &m);
    CHECK(coda_matfile_open(&mf, npy, &e) == 0, "a float32 .npy read in place");
    CHECK(coda_matfile_open(&mf, csv, &e) == 0, "CSV read in place");
    CHECK(coda_matfile_open(&mf, "-", &e) == 0, "stdin read in place");
    CHECK(coda_matfile_open(&mf, "/nonexistent/x.coda", &e) == 0, "a missing file read in place");
    remove(path);
    remove(npy);
    remove(csv);
    coda_mat_free(&m);
}

/* Messages quote input through coda_escape: no byte outside printable ASCII gets through. */
static void escapes(void)
{
    char q[CODA_ESC_BUF], long40[60];
    const char raw[] = "a\x1b[1m\r\n\xff\x7f";
    CHECK(strcmp(coda_escape(q, raw, sizeof raw - 1), "a\\x1b[1m\\x0d\\x0a\\xff\\x7f") == 0, "%s", q);
    memset(long40, 'x', sizeof long40);
    coda_escape(q, long40, sizeof long40);
    CHECK(strlen(q) == CODA_ESC_SHOW + 3 && strcmp(q + CODA_ESC_SHOW, "...") == 0, "%s", q);
    memset(long40, 0x1b, sizeof long40); /* the longest result fits the buffer */
    CHECK(strlen(coda_escape(q, long40, sizeof long40)) == 4 * CODA_ESC_SHOW + 3, "%zu", strlen(q));
}

static void text_doubles(void)
{
    static const struct {
        const char *s;
        int rc;
        double v;
    } c[] = {{"1.5", 0, 1.5}, {"-0", 0, -0.0}, {"inf", 0, INFINITY}, {"0x1p3", 0, 8},
             {"2.2250738585072014e-308", 0, DBL_MIN}, {"4.9e-324", 0, 4.9406564584124654e-324},
             {"3e-324", 0, 4.9406564584124654e-324}, {"1e-310", 0, 1e-310}, {"0e-999", 0, 0},
             {"1e400", 2, 0}, {"-1e400", 2, 0}, {"1e-400", 1, 0}, {"-2e-324", 1, 0},
             {"abc", -1, 0}, {"", -1, 0}};
    for (size_t k = 0; k < sizeof c / sizeof c[0]; k++) {
        char *end;
        double v;
        const char *why = NULL;
        int rc = coda_text_double(c[k].s, &end, &v, &why);
        /* rc 2 in the table: out of range by overflow */
        CHECK(rc == (c[k].rc == 2 ? 1 : c[k].rc), "'%s': %d", c[k].s, rc);
        if (rc == 0)
            CHECK(memcmp(&v, &c[k].v, sizeof v) == 0 && *end == '\0', "'%s' read as %g", c[k].s, v);
        if (rc == 1)
            CHECK(why && strstr(why, c[k].rc == 2 ? "overflows" : "underflows"), "'%s': %s",
                  c[k].s, why);
    }
    char d = 'x';
    CHECK(coda_delim_parse("tab", &d) == 0 && d == '\t', "tab");
    CHECK(coda_delim_parse("\\t", &d) == 0 && d == '\t', "\\t");
    CHECK(coda_delim_parse("space", &d) == 0 && d == ' ', "space");
    CHECK(coda_delim_parse(";", &d) == 0 && d == ';', ";");
    CHECK(coda_delim_parse("auto", &d) == 0 && d == 0, "auto");
    CHECK(coda_delim_parse("|", &d) == -1, "|");
}

static void write_text(const char *path, const char *text, size_t n)
{
    FILE *f = fopen(path, "wb");
    fwrite(text, 1, n, f);
    fclose(f);
}

/* Read path as one frame; rc of coda_reader_next, e->msg on failure. */
static int read_one(const char *path, char delim, coda_frame *f, coda_err *e)
{
    coda_reader r;
    if (coda_reader_open(&r, path, e) < 0)
        return -1;
    r.in.delim = delim;
    int rc = coda_reader_next(&r, f, e);
    coda_reader_close(&r);
    return rc;
}

typedef struct {
    char names[8][16];
    size_t n;
    int bad;
} names_seen;

static void name_field(void *s, size_t len, void *data)
{
    names_seen *ns = data;
    if (ns->n < 8 && len < 16)
        memcpy(ns->names[ns->n], s, len + 1);
    else
        ns->bad = 1;
    ns->n++;
}

/* Random header names made of separators, quotes, blanks, '#', a UTF-8 letter: every one reads
 * back the same through CSV and TSV output. */
static void header_names(void)
{
    static const char *const alphabet[] = {"b", "q", "\"", ",", "\t", " ", ";", "#", "'", "\\",
                                           "\xc3\xa9"};
    coda_rng rng;
    coda_rng_init(&rng, 2024, 0);
    char path[64], out[64];
    snprintf(path, sizeof path, "/tmp/coda-unit-%d-h.csv", (int)getpid());
    snprintf(out, sizeof out, "/tmp/coda-unit-%d-h.out", (int)getpid());
    int all_ok = 1;
    for (int trial = 0; trial < 200 && all_ok; trial++) {
        char names[8][16], text[512];
        size_t n = 1 + coda_rng_u64(&rng) % 5, o = 0;
        for (size_t j = 0; j < n; j++) {
            size_t len = coda_rng_u64(&rng) % 5, w = 0;
            for (size_t k = 0; k < len; k++) {
                const char *c = alphabet[coda_rng_u64(&rng) % (sizeof alphabet / sizeof *alphabet)];
                memcpy(names[j] + w, c, strlen(c));
                w += strlen(c);
            }
            names[j][w] = '\0';
            /* the input quotes every name */
            text[o++] = j ? ',' : '"';
            if (j)
                text[o++] = '"';
            for (const char *c = names[j]; *c; c++) {
                if (*c == '"')
                    text[o++] = '"';
                text[o++] = *c;
            }
            text[o++] = '"';
        }
        text[o++] = '\n';
        for (size_t j = 0; j < n; j++)
            o += (size_t)snprintf(text + o, sizeof text - o, "%s%zu", j ? "," : "", j);
        text[o++] = '\n';
        write_text(path, text, o);
        coda_err e;
        coda_frame f, g;
        if (read_one(path, 0, &f, &e) != 1) {
            CHECK(0, "trial %d: %s", trial, e.msg);
            break;
        }
        const char *cols = coda_meta_get(&f.meta, "columns");
        names_seen ns = {0};
        struct csv_parser p;
        csv_init(&p, CSV_STRICT | CSV_STRICT_FINI | CSV_APPEND_NULL);
        if (cols) {
            csv_parse(&p, cols, strlen(cols), name_field, NULL, &ns);
            csv_fini(&p, name_field, NULL, &ns);
        }
        csv_free(&p);
        int same = cols && !ns.bad && ns.n == n && f.mat.cols == n;
        for (size_t j = 0; same && j < n; j++)
            same = strcmp(ns.names[j], names[j]) == 0;
        CHECK(same, "trial %d: names of %s read as columns=%s", trial, text, cols ? cols : "(none)");
        all_ok = same;
        for (int fmt = CODA_FMT_CSV; same && fmt <= CODA_FMT_TSV; fmt++) {
            coda_writer w;
            coda_writer_open(&w, out, (coda_format)fmt, &e);
            coda_writer_put(&w, &f, &e);
            coda_writer_close(&w, &e);
            int rc = read_one(out, 0, &g, &e);
            const char *back = rc == 1 ? coda_meta_get(&g.meta, "columns") : NULL;
            CHECK(back && strcmp(back, cols) == 0 && same_bits(&f.mat, &g.mat),
                  "trial %d, %s: columns=%s came back as %s", trial, coda_format_name(fmt), cols,
                  back ? back : e.msg);
            all_ok = all_ok && back && strcmp(back, cols) == 0;
            if (rc == 1)
                coda_frame_free(&g);
        }
        coda_frame_free(&f);
    }
    remove(path);
    remove(out);
}

/* Writers refuse what their format cannot hold; the binary writer drops only oversized names. */
static void writer_limits(void)
{
    coda_err e;
    coda_frame f;
    char path[64];
    snprintf(path, sizeof path, "/tmp/coda-unit-%d-w", (int)getpid());
    FILE *o = fopen(path, "wb");
    coda_frame_init(&f, CODA_MATRIX);
    f.mat.rows = (size_t)1 << 62; /* no data: 0 columns */
    CHECK(coda_csv_write(o, &f, ',', &e) == -1 && strstr(e.msg, "has no entries"), "%s", e.msg);
    f.mat.rows = 0;
    f.mat.cols = 3;
    CHECK(coda_csv_write(o, &f, '\t', &e) == -1, "0 x 3 written as TSV");
    fflush(o);
    CHECK(ftell(o) == 0, "%ld bytes written for empty matrices", ftell(o));
    fclose(o);

    /* 1 x 3 with 1.5 MiB of names: written without them, and readable */
    size_t big = CODA_META_MAX + CODA_META_MAX / 2;
    char *names = malloc(big + 1);
    memset(names, 'n', big);
    names[1] = names[3] = ',';
    names[big] = '\0';
    coda_mat_alloc(&f.mat, 1, 3, &e);
    coda_meta_set(&f.meta, "columns", names, &e);
    coda_meta_set(&f.meta, "note", "kept", &e);
    free(names);
    o = fopen(path, "wb");
    CHECK(coda_bin_write(o, &f, &e) == 1, "wide names not reported as left out");
    fclose(o);
    coda_frame g;
    CHECK(read_one(path, 0, &g, &e) == 1, "%s", e.msg);
    CHECK(!coda_meta_get(&g.meta, "columns") && coda_meta_get(&g.meta, "note"), "metadata");
    coda_frame_free(&g);
    /* other metadata over the limit is still an error */
    coda_meta_set(&f.meta, "columns", "a,b,c", &e);
    char *v = malloc(CODA_META_MAX + 1);
    memset(v, 'v', CODA_META_MAX);
    v[CODA_META_MAX] = '\0';
    coda_meta_set(&f.meta, "note", v, &e);
    free(v);
    o = fopen(path, "wb");
    CHECK(coda_bin_write(o, &f, &e) == -1 && strstr(e.msg, "exceeds"), "oversized note accepted");
    fclose(o);
    coda_frame_free(&f);
    remove(path);
}

/* NUL bytes, text lines and Matrix Market arrays that outgrow the first buffer. */
static void text_lines(void)
{
    coda_err e;
    coda_frame f;
    char path[64];
    snprintf(path, sizeof path, "/tmp/coda-unit-%d-t", (int)getpid());
    write_text(path, "1,2\n3,4\0\n", 9);
    CHECK(read_one(path, 0, &f, &e) == -1 && strstr(e.msg, ":2:4: NUL byte"), "%s", e.msg);
    /* forced ';' */
    write_text(path, "1;2\n3;4\n", 8);
    CHECK(read_one(path, ';', &f, &e) == 1 && f.mat.rows == 2 && f.mat.cols == 2 &&
              CODA_AT(&f.mat, 1, 0) == 3, "%s", e.msg);
    coda_frame_free(&f);

    /* symmetric and skew 100 x 100 arrays: 5050 and 4950 values, more than the first chunk */
    enum { N = 100 };
    for (int skew = 0; skew <= 1; skew++) {
        FILE *o = fopen(path, "wb");
        fprintf(o, "%%%%MatrixMarket matrix array real %s\n%d %d\n",
                skew ? "skew-symmetric" : "symmetric", N, N);
        for (int j = 0; j < N; j++)
            for (int i = j + skew; i < N; i++)
                fprintf(o, "%d\n", 1000 * i + j + 1);
        fclose(o);
        int rc = read_one(path, 0, &f, &e);
        CHECK(rc == 1, "%s", e.msg);
        int ok = rc == 1 && f.mat.rows == N && f.mat.cols == N;
        for (int j = 0; ok && j < N; j++)
            for (int i = 0; ok && i < N; i++) {
                int lo = i > j ? i : j, hi = i > j ? j : i;
                double want = skew && i == j ? 0 : 1000.0 * lo + hi + 1;
                if (skew && i < j)
                    want = -want;
                ok = CODA_AT(&f.mat, i, j) == want;
            }
        CHECK(ok, "%s array placed wrongly", skew ? "skew-symmetric" : "symmetric");
        if (rc == 1)
            coda_frame_free(&f);
    }
    remove(path);
}

/* .npy from memory: a header dict, then the data. */
typedef struct {
    unsigned char b[4096];
    size_t n, at;
} memsrc;

static size_t mem_read(void *ctx, void *dst, size_t n)
{
    memsrc *m = ctx;
    size_t take = m->n - m->at < n ? m->n - m->at : n;
    memcpy(dst, m->b + m->at, take);
    m->at += take;
    return take;
}

static int mem_put(void *ctx, const void *p, size_t n, coda_err *e)
{
    memsrc *m = ctx;
    if (m->n + n > sizeof m->b)
        return coda_fail(e, "test buffer full");
    memcpy(m->b + m->n, p, n);
    m->n += n;
    return 0;
}

static int npy_mem(const char *dict, const void *data, size_t nd, coda_frame *f, coda_err *e)
{
    static memsrc m;
    size_t dl = strlen(dict);
    memcpy(m.b, "\x93NUMPY\x01\x00", 8);
    m.b[8] = (unsigned char)dl;
    m.b[9] = 0;
    memcpy(m.b + 10, dict, dl);
    memcpy(m.b + 10 + dl, data, nd);
    m.n = 10 + dl + nd;
    m.at = 0;
    coda_src src = {mem_read, &m, m.n};
    return coda_npy_read_src(src, "mem", f, e);
}

/* An error at the byte where `where` starts in the dict (the header starts at byte 10). */
static void npy_refused(const char *dict, const char *where, const char *msg)
{
    double d[6] = {0, 1, 2, 3, 4, 5};
    coda_frame f;
    coda_err e;
    char want[64];
    snprintf(want, sizeof want, "mem: byte %zu: ", 10 + (size_t)(strstr(dict, where) - dict));
    CHECK(npy_mem(dict, d, sizeof d, &f, &e) < 0, "accepted %s", dict);
    CHECK(strstr(e.msg, want) && strstr(e.msg, msg), "%s: got '%s', want '%s...%s'", dict, e.msg,
          want, msg);
}

static void npy_header_dict(void)
{
    double d[6] = {0, 1, 2, 3, 4, 5};
    coda_frame f;
    coda_err e;
    /* F13, F13b: decoys inside a value are not keys */
    npy_refused("{'descr': '<f8', 'fortran_order': False, 'note': \"'shape': (3, 2)\", "
                "'shape': (2, 3), }", "'note'", "unknown key 'note'");
    npy_refused("{'descr': '<f8', 'shape': (2, 3), 'shape': (3, 2), 'fortran_order': False}",
                "'shape': (3", "duplicate key 'shape'");
    npy_refused("{'descr': '<f8', 'fortran_order': False, 'shape': (6)}", ")}", "(n,)");
    npy_refused("{'descr': '<f8', 'fortran_order': 1, 'shape': (6,)}", "1,", "True or False");
    npy_refused("{'descr': '<f8', 'shape': (6,)}", "}", "lacks 'fortran_order'");
    npy_refused("{'descr': '<f8', 'fortran_order': False, 'shape': (6,)} #", "#", "after");
    npy_refused("{'descr': '<c8', 'fortran_order': False, 'shape': (6,)}", "'<c8'", "'<c8'");
    /* Fortran order: element (i, j) is d[i + 2 j]; C order: d[3 i + j] */
    CHECK(npy_mem("{'descr': '<f8', 'fortran_order': True, 'shape': (2, 3), }", d, sizeof d, &f,
                  &e) == 1, "%s", e.msg);
    CHECK(CODA_AT(&f.mat, 1, 2) == 5 && CODA_AT(&f.mat, 0, 1) == 2 && !f.meta.n, "Fortran order");
    coda_frame_free(&f);
    CHECK(npy_mem("{\"descr\":\"<f8\",\"fortran_order\":False,\"shape\":(2,3)}", d, sizeof d,
                  &f, &e) == 1, "%s", e.msg);
    CHECK(CODA_AT(&f.mat, 1, 0) == 3 && CODA_AT(&f.mat, 0, 2) == 2, "C order");
    coda_frame_free(&f);
    /* a vector is marked, and the writer gives (n,) back, header padded to 64 bytes */
    CHECK(npy_mem("{'descr': '<f8', 'fortran_order': False, 'shape': (6,), }", d, sizeof d, &f,
                  &e) == 1, "%s", e.msg);
    const char *sh = coda_meta_get(&f.meta, "shape");
    CHECK(f.mat.rows == 6 && f.mat.cols == 1 && sh && !strcmp(sh, "1d"), "1-D");
    static memsrc out;
    out.n = 0;
    CHECK(coda_npy_put(&f, CODA_F64, mem_put, &out, &e) == 0, "%s", e.msg);
    out.b[out.n] = 0;
    CHECK((out.n - sizeof d) % 64 == 0 && strstr((char *)out.b + 10, "'shape': (6,)") &&
          out.n == coda_npy_size(&f, CODA_F64), "header of %zu bytes", out.n);
    /* float32 output refuses a value beyond its range, naming where */
    f.mat.data[3] = 1e39;
    out.n = 0;
    CHECK(coda_npy_put(&f, CODA_F32, mem_put, &out, &e) < 0 && strstr(e.msg, "row 3, column 0"),
          "f4 overflow: %s", e.msg);
    f.mat.data[3] = 3.4028235e38; /* FLT_MAX rounded to 8 digits: still rounds to FLT_MAX */
    out.n = 0;
    CHECK(coda_npy_put(&f, CODA_F32, mem_put, &out, &e) == 0, "%s", e.msg);
    coda_frame_free(&f);
}

/* The MPI engine's wire format: frames to bytes and back, bit for bit, a view written as the
 * matrix it shows; a cut message is an error naming the frame, never a partial frame list. */
static void wire(void)
{
    coda_err e;
    coda_mat big;
    coda_mat_alloc(&big, 7, 5, &e);
    fill_awkward(&big, 11);
    coda_frame f[2];
    coda_frame_init(&f[0], CODA_TASK);
    f[0].mat = coda_mat_view(&big, 2, 3, 1, 4); /* not contiguous: ld 7 */
    f[0].tag[CODA_TAG_WORKER] = 3;
    coda_meta_set(&f[0].meta, "op", "grad", &e);
    coda_frame_init(&f[1], CODA_RESULT);
    f[1].mat = big;
    char *buf = NULL;
    size_t len = 0;
    CHECK(coda_frames_to_bytes(f, 2, &buf, &len, &e) == 0, "%s", e.msg);
    coda_frame_list got = {0};
    CHECK(coda_frames_from_bytes(buf, len, "msg", &got, &e) == 0, "%s", e.msg);
    CHECK(got.n == 2, "%zu frames", got.n);
    if (got.n == 2) {
        CHECK(got.f[0].kind == CODA_TASK && got.f[0].tag[CODA_TAG_WORKER] == 3, "tags");
        CHECK(strcmp(coda_meta_get(&got.f[0].meta, "op"), "grad") == 0, "meta");
        int same = got.f[0].mat.rows == 3 && got.f[0].mat.cols == 4;
        for (size_t j = 0; same && j < 4; j++)
            for (size_t i = 0; i < 3; i++)
                same &= memcmp(&CODA_AT(&got.f[0].mat, i, j), &CODA_AT(&big, 2 + i, 1 + j),
                               sizeof(double)) == 0;
        CHECK(same, "the view's entries");
        CHECK(got.f[1].mat.rows == 7 && memcmp(got.f[1].mat.data, big.data, 35 * sizeof(double)) == 0,
              "the whole matrix");
    }
    coda_frame_list_free(&got);
    /* every cut is an error that names the message */
    int cuts_fail = 1;
    for (size_t cut = 1; cut < len; cut += 13) {
        coda_frame_list part = {0};
        char *copy = malloc(cut);
        memcpy(copy, buf, cut);
        int rc = coda_frames_from_bytes(copy, cut, "msg", &part, &e);
        /* a cut exactly between the frames is a valid message of one frame */
        cuts_fail &= rc < 0 ? strstr(e.msg, "msg: frame") != NULL : part.n == 1;
        coda_frame_list_free(&part);
        free(copy);
    }
    CHECK(cuts_fail, "a cut message");
    free(buf);
    coda_meta_free(&f[0].meta);
    coda_meta_free(&f[1].meta);
    coda_mat_free(&big);
}

/* A message's bytes are exactly what coda_bin_write puts in a file or pipe, for frames whose
 * head fits the writer's fixed buffer, one whose metadata is longer (heap), and one whose CSV
 * column names take it over the limit (left out, both ways, and said so). */
static void wire_is_the_stream(void)
{
    coda_err e;
    coda_frame f[3];
    for (int k = 0; k < 3; k++) {
        coda_frame_init(&f[k], k == 1 ? CODA_TASK : CODA_RESULT);
        coda_mat_alloc(&f[k].mat, 3 + k, 2, &e);
        fill_awkward(&f[k].mat, 5 + k);
        f[k].tag[CODA_TAG_WORKER] = k;
        coda_meta_set(&f[k].meta, "op", "grad", &e);
    }
    char *longval = malloc(5001), *wide = malloc(CODA_META_MAX + 2);
    memset(longval, 'x', 5000), longval[5000] = '\0';
    memset(wide, 'c', CODA_META_MAX + 1), wide[CODA_META_MAX + 1] = '\0';
    coda_meta_set(&f[1].meta, "note", longval, &e);
    coda_meta_set(&f[2].meta, "columns", wide, &e);
    char *file = NULL;
    size_t flen = 0;
    FILE *m = open_memstream(&file, &flen);
    int dropped = 0;
    for (int k = 0; k < 3; k++)
        dropped += coda_bin_write(m, &f[k], &e);
    fclose(m);
    CHECK(dropped == 1, "one frame's names left out (%d)", dropped);
    char *buf = NULL;
    size_t len = 0, want = 0;
    CHECK(coda_frames_to_bytes(f, 3, &buf, &len, &e) == 0, "%s", e.msg);
    CHECK(coda_frames_bytes_len(f, 3, &want, &e) == 0 && want == len, "length %zu, %zu", want,
          len);
    CHECK(len == flen && memcmp(buf, file, len) == 0, "message %zu bytes, stream %zu", len, flen);
    /* the first head against the format written out by hand (coda-format(5)): magic, version,
     * byte order, kind, dtype, order, meta length, shape, tags, payload bytes, then key=value */
    unsigned char head[CODA_HEADER_BYTES + 8] = {'C', 'O', 'D', 'A', CODA_VERSION,
                                                coda_host_little() ? 'L' : 'B', CODA_RESULT,
                                                CODA_F64, 'C'};
    uint64_t fields[4 + CODA_NTAGS];
    fields[1] = 3, fields[2] = 2;
    for (int t = 0; t < CODA_NTAGS; t++)
        fields[3 + t] = (uint64_t)f[0].tag[t];
    fields[3 + CODA_NTAGS] = 48;
    uint32_t ml = 8;
    memcpy(head + 12, &ml, 4); /* (host order: the mark says which) */
    memcpy(head + 16, &fields[1], 16);
    for (int t = 0; t < CODA_NTAGS; t++)
        memcpy(head + 32 + 8 * t, &fields[3 + t], 8);
    memcpy(head + 64, &fields[3 + CODA_NTAGS], 8);
    memcpy(head + CODA_HEADER_BYTES, "op=grad\n", 8);
    CHECK(len >= sizeof head && memcmp(buf, head, sizeof head) == 0, "the first head's bytes");
    free(buf);
    free(file);
    free(longval);
    free(wide);
    for (int k = 0; k < 3; k++)
        coda_frame_free(&f[k]);
}

int main(void)
{
    wire();
    wire_is_the_stream();
    escapes();
    text_doubles();
    header_names();
    writer_limits();
    text_lines();
    first_nonfinite();
    matfile();
    round_trip(CODA_FMT_BIN, "coda");
    round_trip(CODA_FMT_CSV, "csv");
    round_trip(CODA_FMT_TSV, "tsv");
    round_trip(CODA_FMT_NPY, "npy");
    round_trip(CODA_FMT_MTX, "mtx");
    frames_with_meta();
    truncations();
    npy_header_dict();
    round_trip(CODA_FMT_NPZ, "npz");
    return check_summary();
}
