/* Dense arrays of numbers as raw bytes, shared by the binary, .npy and .npz formats: reading
 * any element type, byte order and storage order into a column-major matrix, and writing a
 * matrix as float64 or float32, both in bounded chunks (peak memory: the matrix plus a few MB). */
#ifndef CODA_RAWIO_H
#define CODA_RAWIO_H

#include <stdint.h>
#include <stdio.h>

#include "../core/mat.h"
#include "in.h"

/* A byte source: read up to n bytes into dst; short only at the end or on an error. `left`
 * is how many bytes it still holds when that is known (a regular file, a zip member), else
 * UINT64_MAX: readers refuse a shape the input cannot hold before allocating for it. */
typedef struct {
    size_t (*read)(void *ctx, void *dst, size_t n);
    void *ctx;
    uint64_t left;
} coda_src;

/* A coda_in as a source; `left` from the file's size when it is a regular file. */
coda_src coda_in_src(coda_in *in);

typedef enum {
    CODA_EL_F8, CODA_EL_F4, CODA_EL_F2, CODA_EL_B1,
    CODA_EL_I1, CODA_EL_U1, CODA_EL_I2, CODA_EL_U2,
    CODA_EL_I4, CODA_EL_U4, CODA_EL_I8, CODA_EL_U8
} coda_eltype;

size_t coda_el_width(coda_eltype t);
const char *coda_el_name(coda_eltype t); /* "float64", "int16", "bool", ... */

typedef struct {
    coda_eltype type;
    int swap;     /* stored in the other byte order than the host's */
    int rowmajor; /* C order: element (i, j) at i * cols + j */
} coda_layout;

int coda_host_little(void);

/* Allocate m as rows x cols and fill it from src (rows * cols elements laid out as l says).
 * On failure m is freed and -1 returned with *at the byte (from the start of the data) where
 * the problem is: "truncated WHAT: N of M bytes" when src ends early, or an integer that
 * float64 cannot hold exactly. The caller prefixes the input's name and its own offset. */
int coda_raw_read(coda_src src, const coda_layout *l, size_t rows, size_t cols, coda_mat *m,
                  const char *what, uint64_t *at, coda_err *e);

/* A byte sink for writers: 0, or -1 with e set. */
typedef int (*coda_put_fn)(void *ctx, const void *p, size_t n, coda_err *e);

/* n elements laid out as l says, in storage order (column-major, or a single row or column,
 * where the orders agree), read from src a chunk at a time, each converted to float64 in host
 * byte order and given to put: a converted payload on its way to an output, never held whole
 * (memory: one chunk). Returns 0; -1 on an input error, with *at and the message as
 * coda_raw_read gives them (a truncation found before anything is put when src knows its
 * size); -2 when put failed (e is put's). */
int coda_raw_convert(coda_src src, const coda_layout *l, size_t n, coda_put_fn put, void *ctx,
                     const char *what, uint64_t *at, coda_err *e);

int coda_put_file(void *file, const void *p, size_t n, coda_err *e); /* ctx is a FILE * */

/* Move n bytes from in to put (NULL: skip them) through a bounded buffer, in big pieces:
 * the way a payload that needs no conversion goes from an input to an output without being
 * held. out: put writes the bytes to out as they are (nothing added, nothing taken from
 * them), so from a regular file they may go there inside the kernel (out is flushed
 * first); NULL: only through put. Returns the bytes moved (fewer: the input ended), or -1
 * when put failed. */
int64_t coda_raw_pass(coda_in *in, uint64_t n, coda_put_fn put, void *ctx, FILE *out,
                      coda_err *e);

/* Put m's entries in column-major order, host byte order, as float64 (f4 = 0) or float32
 * (f4 = 1: a finite value beyond float32's range is an error naming its (row, column)). */
int coda_raw_write(const coda_mat *m, int f4, coda_put_fn put, void *ctx, coda_err *e);

#endif
