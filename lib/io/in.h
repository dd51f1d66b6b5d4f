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
} coda_in;

int coda_in_open(coda_in *in, const char *path, coda_err *e);
void coda_in_close(coda_in *in);
/* Make at least `need` bytes available if the input has them; returns how many are. */
size_t coda_in_peek(coda_in *in, size_t need, const unsigned char **p);
/* Read up to n bytes; returns the number read (short only at end of input or on error). */
size_t coda_in_read(coda_in *in, void *dst, size_t n);
/* Whatever is available now, up to n bytes (at least 1 unless at the end): for pass-through. */
size_t coda_in_read_some(coda_in *in, void *dst, size_t n);
/* One line without its newline into *line (grown as needed); -1 at end of input. */
ssize_t coda_in_getline(coda_in *in, char **line, size_t *cap);

#endif
