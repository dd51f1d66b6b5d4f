/* A matrix left in its file, read a piece at a time: for a program that needs only parts of
 * its input at once (coda-encode: a block, or one column's piece of every block), so that a
 * large input is never held, nor first touched in fresh memory, whole. Only a regular file
 * whose matrix is stored as coda holds it in memory -- float64, column-major, host byte
 * order: a binary stream's first MATRIX frame, or a Fortran-order (or single row or column)
 * .npy of float64 -- can be read this way; any other input is read whole (coda_read_matrix). */
#ifndef CODA_MATFILE_H
#define CODA_MATFILE_H

#include <stddef.h>
#include <stdint.h>
#include <sys/stat.h>

#include "../core/err.h"

typedef struct {
    int fd;
    char *name;         /* for messages */
    uint64_t at;        /* byte offset of entry (0, 0) */
    size_t rows, cols;
    struct stat st;     /* as opened: a file rewritten under the reader is refused */
} coda_matfile;

/* 1: m is open on path's matrix; 0: path is not such a file (or is not a valid one: reading
 * it whole gives the error), m closed; -1 on an allocation failure. */
int coda_matfile_open(coda_matfile *m, const char *path, coda_err *e);
/* Entries first .. first + n - 1 in column-major order into dst. */
int coda_matfile_read(coda_matfile *m, uint64_t first, size_t n, double *dst, coda_err *e);
/* The column-major index of the first entry that is NaN or infinite, with its value in *val,
 * or (uint64_t)-1: one pass over the file through a bounded buffer. */
int coda_matfile_first_nonfinite(coda_matfile *m, uint64_t *bad, double *val, coda_err *e);
/* 0 when the file is as it was opened (size, modification and change times), else -1 with
 * "NAME: changed while it was read": what was read may mix two versions of it. */
int coda_matfile_unchanged(coda_matfile *m, coda_err *e);
void coda_matfile_close(coda_matfile *m);

#endif
