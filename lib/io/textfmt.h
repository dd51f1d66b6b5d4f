/* Single-matrix formats: CSV/TSV (libcsv), NumPy .npy and .npz, Matrix Market. Each reader fills
 * a MATRIX frame or fails with "<input>:<line>:<column>: ..." (text) / "<input>: byte N: ..."
 * (npy; "<input>: <member>: byte N: ..." for a member of an .npz). */
#ifndef CODA_TEXTFMT_H
#define CODA_TEXTFMT_H

#include <stdio.h>

#include "frame.h"
#include "in.h"
#include "rawio.h"

/* CSV, TSV, ';'- or blank-separated text: in->delim, or detected (see coda-format(5)). */
int coda_csv_read(coda_in *in, coda_frame *f, coda_err *e);
/* delim ',' or '\t'; writes a header row when the frame's columns= metadata (a CSV row) names
 * each column. An empty matrix is an error: CSV has no way to hold it. */
int coda_csv_write(FILE *out, const coda_frame *f, char delim, coda_err *e);
/* A --delimiter value: ',' or "comma", ';' or "semicolon", a tab, "\t" or "tab", ' ', "space"
 * or "whitespace" (runs of blanks), "auto" (0: detect). -1 when unknown. */
int coda_delim_parse(const char *s, char *delim);
/* A float64 from text, as every text reader parses one: strtod (decimal, hex, inf, nan), *end
 * after it. 0 ok; -1 no number; 1 out of range, *why says how (overflow, or a nonzero that
 * underflows to 0; a subnormal result is kept). */
int coda_text_double(const char *s, char **end, double *v, const char **why);

int coda_npy_read(coda_in *in, coda_frame *f, coda_err *e);
/* The same from any source; name prefixes messages. A 1-D array's frame has shape=1d in its
 * metadata (a 0-D one shape=0d), which the writer honours on an n x 1 (1 x 1) matrix. */
int coda_npy_read_src(coda_src src, const char *name, coda_frame *f, coda_err *e);
/* The same in steps, for data passed on without being held: the header (f shaped, with its
 * metadata and dtype, no data; *l the data's layout, *data_at its offset; src->left
 * reduced by the header), then either the data into f->mat (freeing f on failure) or the
 * caller's own pass over its rows * cols elements followed by coda_npy_read_end, which
 * refuses bytes after them (end_at: the offset they would be at). */
int coda_npy_read_head(coda_src *src, const char *name, coda_frame *f, coda_layout *l,
                       uint64_t *data_at, coda_err *e);
int coda_npy_read_data(coda_src src, const char *name, coda_frame *f, const coda_layout *l,
                       uint64_t data_at, coda_err *e);
int coda_npy_read_end(coda_src src, const char *name, uint64_t end_at, coda_err *e);
/* dtype CODA_F64 or CODA_F32 (binfmt.h). */
int coda_npy_write(FILE *out, const coda_frame *f, int dtype, coda_err *e);
int coda_npy_put(const coda_frame *f, int dtype, coda_put_fn put, void *ctx, coda_err *e);
uint64_t coda_npy_size(const coda_frame *f, int dtype); /* the bytes coda_npy_put writes */
/* The header alone (magic to padding) for f's shape (f->mat need not hold data): what
 * precedes rows * cols elements in column-major order. Returns its length. */
#define CODA_NPY_HEADER_CAP 256
size_t coda_npy_header(const coda_frame *f, int dtype, char buf[CODA_NPY_HEADER_CAP]);

/* .npz (a zip of .npy members, stored or deflated): the member named `member` (NULL: the
 * first); "a" also finds "a.npy", as numpy's np.load(f)["a"] does. Members are found by
 * their local headers, so a pipe works too. */
int coda_npz_read(coda_in *in, const char *member, coda_frame *f, coda_err *e);
/* One stored member (NULL: arr_0.npy, numpy's name for an unnamed array). seekable: out is a
 * file that can seek back, and the CRC is taken as the data goes out; else (a pipe) it is
 * taken first, in a pass over memory. The bytes are the same either way. */
int coda_npz_write(FILE *out, const coda_frame *f, const char *member, int dtype, int seekable,
                   coda_err *e);
/* The same member by parts, for data that is never all in memory: the local header of a
 * member of `size` bytes (coda_npy_size), then its bytes through coda_npz_data, then
 * coda_npz_end (the central directory). patch = 1: the CRC is not known yet; it is taken from
 * the data and written into the local header at the end (out must seek; it does not move
 * the output's end). patch = 0: crc is the data's CRC-32. */
typedef struct {
    char name[256];
    size_t nlen;
    uint64_t size, written, at; /* at: the local header's offset in out */
    unsigned long crc;
    int patch;
} coda_npz_out;
int coda_npz_begin(FILE *out, coda_npz_out *z, const char *member, uint64_t size, int patch,
                   unsigned long crc, coda_err *e);
int coda_npz_data(FILE *out, coda_npz_out *z, const void *p, size_t n, coda_err *e);
int coda_npz_end(FILE *out, coda_npz_out *z, coda_err *e);

int coda_mtx_read(coda_in *in, coda_frame *f, coda_err *e);
int coda_mtx_write(FILE *out, const coda_frame *f, coda_err *e);

/* Append one double with %.17g (bit-exact on read-back) to buf; returns chars written. */
int coda_fmt_double(char *buf, size_t cap, double v);

#endif
