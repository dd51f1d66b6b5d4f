/* Dense matrix: column-major (LAPACK layout), column j at data + j * ld. An owned matrix is
 * contiguous (ld = rows, stored as 0); a view (coda_mat_view) is a block of another matrix,
 * with that matrix's leading dimension, and owns nothing: freeing it leaves the data alone.
 * Code that reads a matrix as one run of rows * cols doubles takes owned ones only
 * (coda_mat_is_contiguous says which); BLAS/LAPACK calls pass CODA_LD. */
#ifndef CODA_MAT_H
#define CODA_MAT_H

#include <stddef.h>

#include "err.h"

typedef struct {
    size_t rows, cols;
    double *data; /* column j at data + j * CODA_LD; NULL when empty */
    size_t ld;    /* leading dimension; 0: rows (contiguous) */
    int view;     /* 1: the data belongs to another matrix */
} coda_mat;

#define CODA_LD(m) ((m)->ld ? (m)->ld : (m)->rows)
#define CODA_AT(m, i, j) ((m)->data[(size_t)(j) * CODA_LD(m) + (size_t)(i)])

/* The block m[r0:r0+nr, c0:c0+nc] without a copy (valid while m is). */
coda_mat coda_mat_view(const coda_mat *m, size_t r0, size_t nr, size_t c0, size_t nc);
/* Whether m's entries are one run of rows * cols doubles. */
int coda_mat_is_contiguous(const coda_mat *m);

/* Bytes a single allocation may use: $CODA_MAX_MEMORY (or its older name CODA_MAX_BYTES) if
 * set, else physical memory. */
size_t coda_mem_limit(void);
/* The limit the user set ($CODA_MAX_MEMORY), or 0. */
size_t coda_mem_limit_given(void);

/* Check rows*cols*elem fits in size_t and under coda_mem_limit(); fills *bytes. */
int coda_size_check(size_t rows, size_t cols, size_t elem, size_t *bytes, coda_err *e);

/* Allocate a zeroed rows x cols matrix. */
int coda_mat_alloc(coda_mat *m, size_t rows, size_t cols, coda_err *e);
/* Uninitialised, for readers that overwrite every entry (no pointless zero-fill). */
int coda_mat_alloc_raw(coda_mat *m, size_t rows, size_t cols, coda_err *e);
/* Replace the columns of Q (rows >= cols, full column rank) by an orthonormal basis of their
 * span: the Q of LAPACK's QR (dgeqrf + dorgqr). */
int coda_mat_orthonormalize(coda_mat *Q, coda_err *e);
/* The n x n identity. */
int coda_mat_identity(coda_mat *m, size_t n, coda_err *e);
int coda_mat_copy(coda_mat *dst, const coda_mat *src, coda_err *e);
/* A = [A B] in place (realloc, which moves pages rather than bytes for large blocks). */
int coda_mat_append_cols(coda_mat *A, const coda_mat *B, coda_err *e);
/* dst = src[r0:r0+nr, c0:c0+nc] (a fresh matrix). */
int coda_mat_sub(coda_mat *dst, const coda_mat *src, size_t r0, size_t nr, size_t c0, size_t nc,
                 coda_err *e);
void coda_mat_free(coda_mat *m);
/* Frobenius norm and max-abs difference, for checks and reports. */
double coda_mat_fro(const coda_mat *m);
/* Index of the first non-finite entry, or (size_t)-1 when all are finite. */
size_t coda_mat_first_nonfinite(const coda_mat *m);

#endif
