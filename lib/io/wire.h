/* Frames as bytes in memory, in the frame stream's own binary format (coda-format(5)): what an
 * engine sends between processes (the MPI engine's wire format), so that a message is exactly
 * what a pipe between coda-encode and coda-worker-sim would carry. */
#ifndef CODA_WIRE_H
#define CODA_WIRE_H

#include <stddef.h>

#include "frame.h"

/* The n frames as one byte buffer of exactly their size (*buf malloc'ed, the caller frees it). */
int coda_frames_to_bytes(const coda_frame *f, size_t n, char **buf, size_t *len, coda_err *e);
/* The same after `room` bytes left free at the start of *buf (for a message header): the
 * frames are at *buf + room, *len bytes of them. */
int coda_frames_to_bytes_after(const coda_frame *f, size_t n, size_t room, char **buf,
                               size_t *len, coda_err *e);
/* The same in two steps, for a caller that holds the buffer (the MPI master reuses its
 * operand buffers): the frames' size in bytes, then the bytes written to out (*len of room). */
int coda_frames_bytes_len(const coda_frame *f, size_t n, size_t *len, coda_err *e);
int coda_frames_write_bytes(const coda_frame *f, size_t n, char *out, coda_err *e);

/* The same bytes as pieces, without copying the payloads: piece 2k is frame k's header and
 * metadata (in *heads, malloc'ed), piece 2k+1 its matrix's entries in place (owned, contiguous
 * matrices only: else -1). For a gathering send (MPI's hindexed datatypes). */
typedef struct {
    char *heads;        /* every frame's header and metadata, one after the other */
    const char **at;    /* 2n piece addresses */
    size_t *len;        /* 2n piece lengths */
    size_t n, total;    /* pieces, and their bytes together */
} coda_wire_pieces;
int coda_frames_to_pieces(const coda_frame *f, size_t n, coda_wire_pieces *p, coda_err *e);
void coda_wire_pieces_free(coda_wire_pieces *p);

/* Every frame of buf[0..len) appended to out; `name` names the bytes in error messages (which
 * give the frame and byte offset, as for a file). buf is read in place (and may be rearranged);
 * the frames own copies of their entries. */
int coda_frames_from_bytes(char *buf, size_t len, const char *name, coda_frame_list *out,
                           coda_err *e);
/* The same without copying: a native float64 payload at an 8-byte aligned offset becomes a view
 * into buf (valid while buf is, and not to be freed through the frame); any other is copied. */
int coda_frames_view_bytes(char *buf, size_t len, const char *name, coda_frame_list *out,
                           coda_err *e);

#endif
