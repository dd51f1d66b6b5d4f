/* Single-matrix formats: CSV/TSV (libcsv), NumPy .npy, Matrix Market. Each reader fills a
 * MATRIX frame or fails with "<input>:<line>:<column>: ..." (text) / "<input>: byte N: ..." (npy). */
#ifndef CODA_TEXTFMT_H
#define CODA_TEXTFMT_H

#include <stdio.h>

#include "frame.h"
#include "in.h"

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
int coda_npy_write(FILE *out, const coda_frame *f, coda_err *e);

int coda_mtx_read(coda_in *in, coda_frame *f, coda_err *e);
int coda_mtx_write(FILE *out, const coda_frame *f, coda_err *e);

/* Append one double with %.17g (bit-exact on read-back) to buf; returns chars written. */
int coda_fmt_double(char *buf, size_t cap, double v);

#endif
