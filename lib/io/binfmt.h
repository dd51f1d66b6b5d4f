/* The binary frame stream, coda-format(5). Header: 72 bytes, then metadata, then payload. */
#ifndef CODA_BINFMT_H
#define CODA_BINFMT_H

#include <stdio.h>

#include "frame.h"
#include "in.h"

#define CODA_MAGIC "CODA"
#define CODA_VERSION 1
#define CODA_HEADER_BYTES 72
#define CODA_META_MAX (1u << 20)

enum coda_dtype { CODA_F64 = 1, CODA_F32 = 2 };

/* Read the next frame. Returns 1 with a frame, 0 at a clean end of stream, -1 on error with a
 * message naming the input, the frame index and the byte offset. */
int coda_bin_read(coda_in *in, long frame_index, coda_frame *f, coda_err *e);
int coda_bin_write(FILE *out, const coda_frame *f, coda_err *e);

#endif
