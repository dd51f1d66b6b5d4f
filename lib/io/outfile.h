/* An output file that is never left half-written: data goes to a temporary file in the same
 * directory, renamed over the destination only when the program commits. On any failure the
 * old file is untouched and no partial file is left. "-" (or NULL) is the given stream
 * (stdout for data, stderr for reports), which is written directly, and so is a destination
 * that exists and is not a regular file (/dev/null, a FIFO). A symbolic link is followed: its
 * target is replaced and the link kept. */
#ifndef CODA_OUTFILE_H
#define CODA_OUTFILE_H

#include <stdio.h>

#include "../core/err.h"

typedef struct {
    FILE *f;
    char *path; /* the destination; NULL for a standard stream */
    char *tmp;  /* the temporary file being written (NULL: written in place) */
} coda_outfile;

/* Open path for writing ("-" or NULL: std, which is not closed). */
int coda_outfile_open(coda_outfile *o, const char *path, FILE *std, coda_err *e);
/* Flush and close; rename the temporary file over the destination. -1 (class io) when any
 * write failed, in which case nothing is renamed and the temporary file is removed. */
int coda_outfile_commit(coda_outfile *o, coda_err *e);
/* Discard what was written (the destination keeps its old content). Safe to call twice, or
 * after a commit. */
void coda_outfile_abort(coda_outfile *o);
/* Remove every temporary file still being written: for a program's signal handler (only
 * async-signal-safe calls). */
void coda_outfile_remove_temps(void);
/* 1 when o is a regular file a writer may seek back in to fill in a field (not a pipe, a
 * device or a file opened for appending). */
int coda_outfile_seekable(const coda_outfile *o);
/* The name for messages: the destination, or "stdout"/"stderr". */
const char *coda_outfile_name(const coda_outfile *o);

#endif
