/* Buffered input that can peek (format detection) and knows its byte offset (error positions). */
#ifndef CODA_IN_H
#define CODA_IN_H

#include <stdint.h>
#include <stdio.h>
#include <sys/types.h>

#include "../core/err.h"

typedef struct {
    FILE *f;
    char *name;   /* as given; "stdin" for "-" */
    int own;      /* close f at the end */
    unsigned char *buf;
    size_t cap, pos, len; /* unread bytes are buf[pos..len) */
    uint64_t off;         /* absolute offset of buf[pos] */
    int eof, ioerr;
    int borrowed; /* buf is the caller's (coda_in_open_memory) */
    char delim; /* text input: the field separator ',', ';', '\t' or ' ' (runs of blanks);
                 * 0 (the default) to detect it from the content */
} coda_in;

int coda_in_open(coda_in *in, const char *path, coda_err *e);
/* An input over bytes in memory (frames received in a message): buf is read in place and may be
 * rearranged, but is not freed. */
int coda_in_open_memory(coda_in *in, void *buf, size_t len, const char *name, coda_err *e);
void coda_in_close(coda_in *in);
/* Make at least `need` bytes available if the input has them; returns how many are. */
size_t coda_in_peek(coda_in *in, size_t need, const unsigned char **p);
/* Read up to n bytes; returns the number read (short only at end of input or on error). */
size_t coda_in_read(coda_in *in, void *dst, size_t n);
/* Whatever is available now, up to n bytes (at least 1 unless at the end): for pass-through. */
size_t coda_in_read_some(coda_in *in, void *dst, size_t n);
/* One line without its newline (and a CR before it) into *line (grown as needed); -1 at end of
 * input, -2 when the line does not fit in memory (or under coda_mem_limit()). */
ssize_t coda_in_getline(coda_in *in, char **line, size_t *cap);
/* The next line of a text format, with the checks every text reader needs: a NUL byte (named by
 * line and column), a read error and a line too long for memory are errors. *lineno counts
 * the lines read. 1 with a line of *len bytes, 0 at end of input, -1 on error. */
int coda_in_textline(coda_in *in, char **line, size_t *cap, size_t *len, long *lineno,
                     coda_err *e);

#endif
