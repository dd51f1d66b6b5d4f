#include "stream.h"

#include <errno.h>
#include <stdlib.h>
#include <string.h>
#include <strings.h>
#include <unistd.h>

#include "binfmt.h"
#include "textfmt.h"

static const char *const fmt_names[] = {"auto", "bin", "csv", "tsv", "npy", "mtx", "npz"};

const char *coda_format_name(coda_format f) { return fmt_names[f]; }

coda_format coda_format_parse(const char *name)
{
    for (int i = CODA_FMT_BIN; i <= CODA_FMT_NPZ; i++)
        if (strcasecmp(name, fmt_names[i]) == 0)
            return (coda_format)i;
    if (!strcasecmp(name, "coda"))
        return CODA_FMT_BIN;
    return CODA_FMT_AUTO;
}

/* The output file name extensions coda knows: the one list the format rule reads (a format
 * lib/io learns to write is one more line here). */
static const struct {
    const char *ext;
    coda_format fmt;
} known_ext[] = {{"coda", CODA_FMT_BIN}, {"bin", CODA_FMT_BIN}, {"csv", CODA_FMT_CSV},
                 {"tsv", CODA_FMT_TSV},  {"npy", CODA_FMT_NPY}, {"mtx", CODA_FMT_MTX},
                 {"npz", CODA_FMT_NPZ}};

const char *coda_path_extension(const char *path)
{
    const char *base = strrchr(path, '/');
    base = base ? base + 1 : path;
    const char *dot = strrchr(base, '.');
    return dot && dot != base ? dot + 1 : NULL; /* a leading dot names a hidden file */
}

int coda_format_of_path(const char *path, coda_format *fmt, coda_err *e)
{
    const char *ext = coda_path_extension(path);
    if (!ext) {
        *fmt = CODA_FMT_BIN;
        return 0;
    }
    for (size_t i = 0; i < sizeof known_ext / sizeof known_ext[0]; i++)
        if (strcasecmp(ext, known_ext[i].ext) == 0) {
            *fmt = known_ext[i].fmt;
            return 0;
        }
    if (strncasecmp(ext, "npz:", 4) == 0) { /* FILE.npz:NAME, a named member */
        *fmt = CODA_FMT_NPZ;
        return 0;
    }
    char list[64] = "";
    for (size_t i = 0, n = 0; i < sizeof known_ext / sizeof known_ext[0]; i++)
        n += (size_t)snprintf(list + n, sizeof list - n, "%s.%s", i ? ", " : "", known_ext[i].ext);
    return coda_failc(e, CODA_E_USAGE, "%s: unknown output extension '.%s' (coda writes %s): "
                      "give -f FORMAT, or rename", path, ext, list);
}

int coda_format_choose(const char *opt, const char *outpath, int out_is_tty, coda_format *fmt,
                       coda_err *e)
{
    if (opt) {
        *fmt = coda_format_parse(opt);
        if (*fmt == CODA_FMT_AUTO)
            return coda_failc(e, CODA_E_USAGE, "unknown format '%s' (bin, csv, tsv, npy, npz, mtx)", opt);
        return 0;
    }
    if (outpath && strcmp(outpath, "-") != 0)
        return coda_format_of_path(outpath, fmt, e);
    *fmt = out_is_tty ? CODA_FMT_CSV : CODA_FMT_BIN;
    return 0;
}

/* "x.npz:NAME" names member NAME of x.npz when no file has the whole name: returns the
 * length of the file part, else 0. */
static size_t npz_split(const char *path)
{
    const char *colon = strrchr(path, ':');
    if (!colon || !colon[1] || colon - path < 5 || strncasecmp(colon - 4, ".npz", 4) != 0 ||
        access(path, F_OK) == 0)
        return 0;
    return (size_t)(colon - path);
}

/* Open path, or its file part when it names an .npz member (kept in *member). */
static int open_split(const char *path, char **member, char **file, coda_err *e)
{
    size_t n = npz_split(path);
    *member = n ? strdup(path + n + 1) : NULL;
    *file = n ? strndup(path, n) : NULL;
    if (n && (!*member || !*file)) {
        free(*member);
        free(*file);
        *member = *file = NULL;
        return coda_fail_oom(e);
    }
    return 0;
}

int coda_reader_open(coda_reader *r, const char *path, coda_err *e)
{
    char *file;
    memset(r, 0, sizeof *r);
    if (open_split(path, &r->member, &file, e) < 0)
        return -1;
    int rc = coda_in_open(&r->in, file ? file : path, e);
    free(file);
    if (rc < 0) {
        free(r->member);
        r->member = NULL;
    }
    return rc;
}

void coda_reader_close(coda_reader *r)
{
    coda_in_close(&r->in);
    free(r->member);
    r->member = NULL;
}

static coda_format detect(coda_in *in, coda_err *e)
{
    const unsigned char *p;
    size_t n = coda_in_peek(in, 64, &p);
    if (in->ioerr)
        return coda_fail(e, "%s: read error", in->name), CODA_FMT_AUTO;
    if (n >= 3 && memcmp(p, "\xef\xbb\xbf", 3) == 0) { /* a UTF-8 byte-order mark: text follows */
        unsigned char bom[3];
        coda_in_read(in, bom, 3);
        n = coda_in_peek(in, 64, &p);
    }
    if (n == 0)
        return coda_fail(e, "%s: empty input", in->name), CODA_FMT_AUTO;
    if (memcmp(p, CODA_MAGIC, n < 4 ? n : 4) == 0) /* a 1-3 byte prefix: a truncated frame */
        return CODA_FMT_BIN;
    if (n >= 6 && memcmp(p, "\x93NUMPY", 6) == 0)
        return CODA_FMT_NPY;
    if (n >= 4 && (memcmp(p, "PK\3\4", 4) == 0 || memcmp(p, "PK\5\6", 4) == 0))
        return CODA_FMT_NPZ; /* a zip: a member, or an empty archive */
    if (n >= 14 && strncasecmp((const char *)p, "%%MatrixMarket", 14) == 0)
        return CODA_FMT_MTX;
    /* binary bytes in the first line: not text. After it, the text reader names the position */
    for (size_t i = 0; i < n && p[i] != '\n'; i++)
        if (p[i] < 0x09 || (p[i] > 0x0d && p[i] < 0x20) || p[i] == 0x7f) {
            char shown[9];
            size_t k = n < 4 ? n : 4;
            for (size_t j = 0; j < k; j++)
                shown[j] = p[j] >= 0x20 && p[j] < 0x7f ? (char)p[j] : '.';
            shown[k] = '\0';
            return coda_fail(e, "%s: frame 0 at byte 0: bad magic '%s': not a coda stream, "
                                ".npy, .npz, Matrix Market or CSV/TSV",
                             in->name, shown),
                   CODA_FMT_AUTO;
        }
    return CODA_FMT_CSV; /* csv.c finds the delimiter */
}

int coda_reader_next(coda_reader *r, coda_frame *f, coda_err *e)
{
    int rc = coda_reader_next_head(r, f, e);
    return rc == 1 && r->pending ? coda_reader_payload(r, f, e) : rc;
}

int coda_reader_payload(coda_reader *r, coda_frame *f, coda_err *e)
{
    r->pending = 0;
    int rc = r->fmt == CODA_FMT_NPY
                 ? coda_npy_read_data(coda_in_src(&r->in), r->in.name, f, &r->npy, r->npy_at, e)
                 : coda_bin_read_payload(&r->in, r->frames - 1, f, &r->head, e);
    if (rc < 0)
        r->done = 1;
    return rc;
}

int coda_reader_native(const coda_reader *r) { return r->pending && coda_bin_native(&r->head); }

/* The pending payload is float64 or float32 in column-major order (or one row or column),
 * whatever its byte order: read in chunks, each converted, it can go out in pieces. */
static int reader_convertible(const coda_reader *r)
{
    return r->pending && !r->head.rowmajor;
}

/* A convertible pending payload, converted chunk by chunk, to put; errors named as
 * coda_reader_payload names them. */
static int reader_pass_converted(coda_reader *r, const coda_frame *f, coda_put_fn put,
                                 void *ctx, coda_err *e)
{
    r->pending = 0;
    int npy = r->fmt == CODA_FMT_NPY;
    coda_layout l = {r->head.dtype == CODA_F64 ? CODA_EL_F8 : CODA_EL_F4,
                     r->head.little != coda_host_little(), 0};
    size_t n = f->mat.rows * f->mat.cols;
    uint64_t at;
    int rc = coda_raw_convert(coda_in_src(&r->in), &l, n, put, ctx, npy ? ".npy data" : "payload",
                              &at, e);
    if (rc == -1 && npy)
        coda_fail_prefix(e, "%s: byte %llu: ", r->in.name, (unsigned long long)(r->npy_at + at));
    else if (rc == -1)
        coda_fail_prefix(e, "%s: frame %ld at byte %llu: ", r->in.name, r->frames - 1,
                         (unsigned long long)r->head.at);
    else if (rc == 0 && npy)
        rc = coda_npy_read_end(coda_in_src(&r->in), r->in.name, r->npy_at + r->head.bytes, e);
    if (rc < 0)
        r->done = 1;
    return rc < 0 ? -1 : 0;
}

/* A .npy's data as stored, then the check that nothing follows it. */
static int npy_pass(coda_reader *r, coda_put_fn put, void *ctx, FILE *out, coda_err *e)
{
    int64_t moved = coda_raw_pass(&r->in, r->head.bytes, put, ctx, out, e);
    if (moved < 0)
        return -1;
    if ((uint64_t)moved < r->head.bytes) /* as coda_raw_read says it */
        return coda_fail(e, "%s: byte %llu: truncated .npy data: %llu of %zu bytes", r->in.name,
                         (unsigned long long)(r->npy_at + (uint64_t)moved),
                         (unsigned long long)moved, r->head.bytes);
    return coda_npy_read_end(coda_in_src(&r->in), r->in.name, r->npy_at + r->head.bytes, e);
}

int coda_reader_pass_to(coda_reader *r, coda_put_fn put, void *ctx, FILE *out, coda_err *e)
{
    if (!r->pending)
        return 0;
    r->pending = 0;
    int rc = r->fmt == CODA_FMT_NPY
                 ? npy_pass(r, put, ctx, out, e)
                 : coda_bin_pass_payload(&r->in, r->frames - 1, &r->head, put, ctx, out, e);
    if (rc < 0)
        r->done = 1;
    return rc < 0 ? -1 : 0;
}

/* Into a pipe, each piece goes on at once: the next stage need not wait for the frame. */
static int put_flushed(void *file, const void *p, size_t n, coda_err *e)
{
    if (fwrite(p, 1, n, file) != n || fflush(file) != 0)
        return coda_failc(e, CODA_E_IO, "write error: %s", strerror(errno));
    return 0;
}

int coda_reader_pass(coda_reader *r, FILE *out, coda_err *e)
{
    return coda_reader_pass_to(r, out ? put_flushed : NULL, out, NULL, e);
}

/* A .npy of float64 or float32 is left pending like a binary frame: its data is described
 * as a binary payload would be, for coda_bin_native and the pass. Other dtypes are read
 * whole (they are converted anyway). */
static int npy_head(coda_reader *r, coda_frame *f, coda_err *e)
{
    coda_src src = coda_in_src(&r->in);
    int rc = coda_npy_read_head(&src, r->in.name, f, &r->npy, &r->npy_at, e);
    if (rc != 1)
        return rc;
    if (r->npy.type != CODA_EL_F8 && r->npy.type != CODA_EL_F4)
        return coda_npy_read_data(src, r->in.name, f, &r->npy, r->npy_at, e);
    size_t rows = f->mat.rows, cols = f->mat.cols;
    memset(&r->head, 0, sizeof r->head);
    r->head.dtype = f->dtype;
    r->head.rowmajor = r->npy.rowmajor && rows > 1 && cols > 1; /* else both orders agree */
    r->head.little = r->npy.swap ? !coda_host_little() : coda_host_little();
    r->head.bytes = rows * cols * coda_el_width(r->npy.type);
    r->pending = 1;
    return 1;
}

int coda_reader_next_head(coda_reader *r, coda_frame *f, coda_err *e)
{
    if (r->pending && coda_reader_pass(r, NULL, e) < 0)
        return -1;
    if (r->done)
        return 0;
    if (r->fmt == CODA_FMT_AUTO) {
        r->fmt = detect(&r->in, e);
        if (r->fmt == CODA_FMT_AUTO)
            return -1;
    }
    int rc;
    switch (r->fmt) {
    case CODA_FMT_BIN:
        rc = coda_bin_read_head(&r->in, r->frames, f, &r->head, e);
        r->pending = rc == 1;
        break;
    case CODA_FMT_NPY:
        rc = npy_head(r, f, e);
        r->done = 1;
        break;
    case CODA_FMT_NPZ:
        rc = coda_npz_read(&r->in, r->member, f, e);
        r->done = 1;
        break;
    case CODA_FMT_MTX:
        rc = coda_mtx_read(&r->in, f, e);
        r->done = 1;
        break;
    default:
        rc = coda_csv_read(&r->in, f, e);
        r->done = 1;
        break;
    }
    if (rc == 1)
        r->frames++;
    if (rc <= 0)
        r->done = 1;
    return rc;
}

int coda_read_matrix(const char *path, coda_mat *m, coda_meta *meta, coda_err *e)
{
    coda_reader r;
    coda_frame f;
    if (coda_reader_open(&r, path, e) < 0)
        return -1;
    int rc;
    while ((rc = coda_reader_next(&r, &f, e)) == 1) {
        if (f.kind == CODA_MATRIX)
            break;
        coda_frame_free(&f);
    }
    if (rc == 0)
        coda_fail(e, "%s: no matrix frame in the stream", r.in.name);
    coda_reader_close(&r);
    if (rc != 1)
        return -1;
    *m = f.mat;
    f.mat.data = NULL;
    if (meta)
        *meta = f.meta;
    else
        coda_meta_free(&f.meta);
    return 0;
}

int coda_writer_open(coda_writer *w, const char *path, coda_format fmt, coda_err *e)
{
    char *file = NULL;
    memset(w, 0, sizeof *w);
    w->fmt = fmt;
    w->dtype = CODA_F64;
    if ((fmt == CODA_FMT_NPZ && path && open_split(path, &w->member, &file, e) < 0))
        return -1;
    int rc = coda_outfile_open(&w->out, file ? file : path, stdout, e);
    free(file);
    if (rc < 0) {
        free(w->member);
        w->member = NULL;
        return -1;
    }
    w->f = w->out.f;
    w->name = coda_outfile_name(&w->out);
    w->seekable = coda_outfile_seekable(&w->out);
    return 0;
}

static void note_dropped_header(coda_writer *w)
{
    snprintf(w->warning, sizeof w->warning, "%s: frame %ld: the column names (columns=) do not "
             "fit in a frame's %u bytes of metadata: left out", w->name, w->frames, CODA_META_MAX);
}

/* Every format but the binary stream holds one matrix. */
static int one_matrix(const coda_writer *w, coda_err *e)
{
    if (w->fmt != CODA_FMT_BIN && w->frames > 0)
        return coda_fail(e, "%s: %s output holds one matrix, but the stream has more frames "
                            "(select one with coda-cat --frame, or write -f bin)",
                         w->name, coda_format_name(w->fmt));
    return 0;
}

int coda_writer_put(coda_writer *w, const coda_frame *f, coda_err *e)
{
    if (one_matrix(w, e) < 0)
        return -1;
    int rc;
    switch (w->fmt) {
    case CODA_FMT_CSV:
        rc = coda_csv_write(w->f, f, ',', e);
        break;
    case CODA_FMT_TSV:
        rc = coda_csv_write(w->f, f, '\t', e);
        break;
    case CODA_FMT_NPY:
        rc = coda_npy_write(w->f, f, w->dtype, e);
        break;
    case CODA_FMT_NPZ:
        rc = coda_npz_write(w->f, f, w->member, w->dtype, w->seekable, e);
        break;
    case CODA_FMT_MTX:
        rc = coda_mtx_write(w->f, f, e);
        break;
    default:
        rc = coda_bin_write(w->f, f, e);
        break;
    }
    if (rc < 0)
        return coda_fail_prefix(e, "%s: ", w->name);
    if (rc > 0)
        note_dropped_header(w);
    w->frames++;
    return 0;
}

int coda_writer_takes_parts(const coda_writer *w)
{
    return w->fmt == CODA_FMT_BIN ||
           (w->dtype == CODA_F64 &&
            (w->fmt == CODA_FMT_NPY || (w->fmt == CODA_FMT_NPZ && w->seekable)));
}

int coda_writer_put_head(coda_writer *w, const coda_frame *f, coda_err *e)
{
    if (!coda_writer_takes_parts(w))
        return coda_fail(e, "%s: %s output does not take a frame by parts", w->name,
                         coda_format_name(w->fmt));
    if (one_matrix(w, e) < 0)
        return -1;
    int rc;
    if (w->fmt == CODA_FMT_BIN)
        rc = coda_bin_write_head(w->f, f, e);
    else { /* the .npy header, which an .npz member's data starts with */
        char h[CODA_NPY_HEADER_CAP];
        size_t hl = coda_npy_header(f, CODA_F64, h);
        if (w->fmt == CODA_FMT_NPY)
            rc = coda_put_file(w->f, h, hl, e);
        else
            rc = coda_npz_begin(w->f, &w->npz, w->member, coda_npy_size(f, CODA_F64), 1, 0, e) < 0
                     ? -1 : coda_npz_data(w->f, &w->npz, h, hl, e);
    }
    if (rc < 0)
        return coda_fail_prefix(e, "%s: ", w->name);
    if (rc > 0)
        note_dropped_header(w);
    w->frames++;
    return 0;
}

int coda_writer_body(void *ctx, const void *p, size_t n, coda_err *e)
{
    coda_writer *w = ctx;
    int rc = w->fmt == CODA_FMT_NPZ ? coda_npz_data(w->f, &w->npz, p, n, e)
                                    : coda_put_file(w->f, p, n, e);
    return rc < 0 ? coda_fail_prefix(e, "%s: ", w->name) : 0;
}

int coda_writer_end(coda_writer *w, coda_err *e)
{
    int rc = 0;
    if (w->fmt == CODA_FMT_NPZ)
        rc = coda_npz_end(w->f, &w->npz, e);
    else if (!w->seekable && fflush(w->f) != 0) /* a pipe: the frame goes on whole now */
        rc = coda_failc(e, CODA_E_IO, "write error: %s", strerror(errno));
    return rc < 0 ? coda_fail_prefix(e, "%s: ", w->name) : 0;
}

int coda_writer_copy(coda_writer *w, coda_reader *r, coda_frame *f, coda_err *e)
{
    if (coda_reader_native(r) && coda_writer_takes_parts(w)) {
        if (coda_writer_put_head(w, f, e) < 0)
            return -1;
        /* into a file, the bytes as they are (not an .npz's, whose CRC needs them) may go
         * from a file inside the kernel, as cat copies */
        FILE *direct = w->seekable && w->fmt != CODA_FMT_NPZ ? w->f : NULL;
        if (coda_reader_pass_to(r, coda_writer_body, w, direct, e) < 0)
            return -1;
        return coda_writer_end(w, e);
    }
    /* another byte order or float32, column-major: converted a chunk at a time on its way
     * out, the frame never held (a C-order one must be whole before it can be transposed) */
    /* (an input too short for it is read as before: the error comes before any output) */
    if (reader_convertible(r) && coda_writer_takes_parts(w) &&
        coda_in_src(&r->in).left >= r->head.bytes) {
        if (coda_writer_put_head(w, f, e) < 0 ||
            reader_pass_converted(r, f, coda_writer_body, w, e) < 0)
            return -1;
        return coda_writer_end(w, e);
    }
    if (r->pending && coda_reader_payload(r, f, e) < 0)
        return -1;
    return coda_writer_put(w, f, e);
}

int coda_writer_close(coda_writer *w, coda_err *e)
{
    int rc = coda_outfile_commit(&w->out, e);
    free(w->member);
    memset(w, 0, sizeof *w);
    return rc;
}

void coda_writer_abort(coda_writer *w)
{
    coda_outfile_abort(&w->out);
    free(w->member);
    memset(w, 0, sizeof *w);
}

int coda_writer_sink(void *ctx, coda_frame *f, coda_err *e) { return coda_writer_put(ctx, f, e); }
