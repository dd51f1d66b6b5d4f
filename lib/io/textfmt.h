/* Single-matrix formats: CSV/TSV (libcsv), NumPy .npy, Matrix Market. Each reader fills a
 * MATRIX frame or fails with "<input>:<line>:<column>: ..." (text) / "<input>: byte N: ..." (npy). */
#ifndef CODA_TEXTFMT_H
#define CODA_TEXTFMT_H

#include <stdio.h>

#include "frame.h"
#include "in.h"

int coda_csv_read(coda_in *in, coda_frame *f, coda_err *e);
/* delim ',' or '\t'; writes a header row when the frame has columns=... metadata. */
int coda_csv_write(FILE *out, const coda_frame *f, char delim, coda_err *e);

int coda_npy_read(coda_in *in, coda_frame *f, coda_err *e);
int coda_npy_write(FILE *out, const coda_frame *f, coda_err *e);

int coda_mtx_read(coda_in *in, coda_frame *f, coda_err *e);
int coda_mtx_write(FILE *out, const coda_frame *f, coda_err *e);

/* Append one double with %.17g (bit-exact on read-back) to buf; returns chars written. */
int coda_fmt_double(char *buf, size_t cap, double v);

#endif
