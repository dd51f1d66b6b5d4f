/* Reading and writing matrices in any supported format, one frame at a time. */
#ifndef CODA_STREAM_H
#define CODA_STREAM_H

#include <stdio.h>

#include "frame.h"
#include "binfmt.h"
#include "in.h"
#include "outfile.h"
#include "rawio.h"
#include "textfmt.h"

typedef enum {
    CODA_FMT_AUTO = 0,
    CODA_FMT_BIN,
    CODA_FMT_CSV,
    CODA_FMT_TSV,
    CODA_FMT_NPY,
    CODA_FMT_MTX,
    CODA_FMT_NPZ
} coda_format;

const char *coda_format_name(coda_format f);
coda_format coda_format_parse(const char *name); /* AUTO when unknown */
/* The extension of a file name without its dot ("gz" for x.csv.gz), NULL when it has none (a
 * leading dot, as in ".hidden", does not start one). */
const char *coda_path_extension(const char *path);
/* The format a file name's extension says; a usage error for an extension coda does not write. */
int coda_format_of_path(const char *path, coda_format *fmt, coda_err *e);
/* The output format: the -f value; else the file's extension (.coda/.bin, .csv, .tsv, .npy,
 * .mtx; a name without one is bin; any other is a usage error, never silent binary); else
 * (stdout) bin into a pipe or file and csv to a terminal. */
int coda_format_choose(const char *opt, const char *outpath, int out_is_tty, coda_format *fmt,
                       coda_err *e);

typedef struct {
    coda_in in;
    coda_format fmt; /* detected from the content */
    long frames;     /* frames returned so far */
    int done;
    int pending;     /* a frame's payload is still unread (binary; .npy of float64/32) */
    coda_bin_head head; /* its shape in bytes and layout (for a .npy, as a binary frame's) */
    coda_layout npy;    /* a .npy's data: its layout, and where it starts */
    uint64_t npy_at;
    char *member; /* .npz member asked for as FILE.npz:NAME, else NULL */
} coda_reader;

/* path "-" is stdin. Format is detected on the first read. "FILE.npz:NAME" (when no file has
 * that whole name) is member NAME of FILE.npz; the same holds for a writer's path. */
int coda_reader_open(coda_reader *r, const char *path, coda_err *e);
/* 1 with a frame, 0 at end, -1 on error. */
int coda_reader_next(coda_reader *r, coda_frame *f, coda_err *e);
void coda_reader_close(coda_reader *r);
/* Like coda_reader_next, but a binary frame, or a .npy of float64 or float32, comes without
 * its payload (f->mat has the shape, no data; r->pending is set): finish it with
 * coda_reader_payload, or copy or skip it with coda_reader_pass (or coda_writer_copy).
 * Frames of the other formats come whole. Memory stays bounded by a chunk however large the
 * frame. */
int coda_reader_next_head(coda_reader *r, coda_frame *f, coda_err *e);
int coda_reader_payload(coda_reader *r, coda_frame *f, coda_err *e);
int coda_reader_pass(coda_reader *r, FILE *out, coda_err *e);
/* The pending payload's bytes as stored, to put in big pieces (NULL: skipped); out: the file
 * put writes them to unchanged, which they may reach directly (see coda_raw_pass), or NULL. */
int coda_reader_pass_to(coda_reader *r, coda_put_fn put, void *ctx, FILE *out, coda_err *e);
/* The pending payload is float64, column-major, in host byte order: passed, it is what a
 * binary frame, a .npy or an .npz member of f64 holds. */
int coda_reader_native(const coda_reader *r);
/* Read the single matrix a file holds (the first MATRIX frame of a stream). */
int coda_read_matrix(const char *path, coda_mat *m, coda_meta *meta, coda_err *e);

typedef struct {
    coda_outfile out; /* a temporary file renamed into place by coda_writer_close */
    FILE *f;          /* out.f */
    const char *name; /* for messages */
    coda_format fmt;
    long frames;
    char warning[128]; /* what was left out of the output, for the program to report */
    int dtype;    /* npy/npz output: CODA_F64 (set by coda_writer_open) or CODA_F32 */
    char *member; /* npz output: the member's name (NULL: arr_0.npy) */
    int seekable; /* the output is a file it can seek back in (an .npz's CRC goes in last) */
    coda_npz_out npz; /* npz output by parts: the member being written */
} coda_writer;

/* path NULL or "-" is stdout. A file is written under a temporary name and appears (or
 * replaces the old one) only when coda_writer_close succeeds. */
int coda_writer_open(coda_writer *w, const char *path, coda_format fmt, coda_err *e);
int coda_writer_put(coda_writer *w, const coda_frame *f, coda_err *e);
/* A frame by parts, its payload never held whole: f's header and metadata (f->mat shaped,
 * no data), then the payload's bytes -- float64, column-major, host order -- in pieces of any
 * size through coda_writer_body (a coda_put_fn, ctx the writer), then coda_writer_end.
 * Binary output; .npy output of float64; .npz output of float64 into a file that can seek
 * (the CRC goes into the member's header at the end). The bytes are those coda_writer_put
 * writes. */
int coda_writer_takes_parts(const coda_writer *w);
int coda_writer_put_head(coda_writer *w, const coda_frame *f, coda_err *e);
int coda_writer_body(void *w, const void *p, size_t n, coda_err *e);
int coda_writer_end(coda_writer *w, coda_err *e);
/* Write f, read by coda_reader_next_head from r: its payload, when pending and the writer
 * takes parts, passed through in pieces if nothing needs converting, converted a chunk at a
 * time if it is column-major (another byte order, float32), else read whole and put. */
int coda_writer_copy(coda_writer *w, coda_reader *r, coda_frame *f, coda_err *e);
/* Finish the output: flush, close and rename into place. -1 (class io) on a write error, in
 * which case the old file is kept. */
int coda_writer_close(coda_writer *w, coda_err *e);
/* Give the output up after a failure: the old file, if any, is untouched, no partial file. */
void coda_writer_abort(coda_writer *w);

/* A coda_sink (see codes/coding.h) that writes each frame to the coda_writer in ctx. */
int coda_writer_sink(void *ctx, coda_frame *f, coda_err *e);

#endif
