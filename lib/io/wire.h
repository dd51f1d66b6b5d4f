/* Frames as bytes in memory, in the frame stream's own binary format (coda-format(5)): what an
 * engine sends between processes (the MPI engine's wire format), so that a message is exactly
 * what a pipe between coda-encode and coda-worker-sim would carry. */
#ifndef CODA_WIRE_H
#define CODA_WIRE_H

#include <stddef.h>

#include "frame.h"

/* The n frames as one byte buffer (*buf malloc'ed, the caller frees it). */
int coda_frames_to_bytes(const coda_frame *f, size_t n, char **buf, size_t *len, coda_err *e);
/* Every frame of buf[0..len) appended to out; `name` names the bytes in error messages (which
 * give the frame and byte offset, as for a file). buf is read in place (and may be rearranged). */
int coda_frames_from_bytes(char *buf, size_t len, const char *name, coda_frame_list *out,
                           coda_err *e);

#endif
