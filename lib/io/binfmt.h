/* The binary frame stream, coda-format(5). Header: 72 bytes, then metadata, then payload. */
#ifndef CODA_BINFMT_H
#define CODA_BINFMT_H

#include <stdio.h>

#include "frame.h"
#include "in.h"
#include "rawio.h"

#define CODA_MAGIC "CODA"
#define CODA_VERSION 1
#define CODA_HEADER_BYTES 72
#define CODA_META_MAX (1u << 20)

enum coda_dtype { CODA_F64 = 1, CODA_F32 = 2 };

/* 0, or 1 when the frame's columns= (CSV header names) would take the metadata over
 * CODA_META_MAX and was left out; -1 on error. coda_bin_write_head the same. */
int coda_bin_write(FILE *out, const coda_frame *f, coda_err *e);

/* Frame by parts, for tools that pass payloads through without holding them (coda-cat). */
typedef struct {
    int dtype, rowmajor, little;
    size_t bytes;   /* payload bytes */
    uint64_t at;    /* byte offset of the frame */
} coda_bin_head;
/* Reading a frame is two steps (coda_reader_next does both): header and metadata, with f->mat
 * shaped but empty (1, 0 at a clean end of stream, -1 on error with a message naming the input,
 * frame index and byte offset), then the payload, read or passed through. */
int coda_bin_read_head(coda_in *in, long idx, coda_frame *f, coda_bin_head *h, coda_err *e);
int coda_bin_read_payload(coda_in *in, long idx, coda_frame *f, const coda_bin_head *h,
                          coda_err *e);
/* Give the payload to put in big pieces (put NULL: skip it; out as coda_raw_pass takes it).
 * Only for native frames. */
int coda_bin_pass_payload(coda_in *in, long idx, const coda_bin_head *h, coda_put_fn put,
                          void *ctx, FILE *out, coda_err *e);
/* float64, column-major, host byte order: the payload can be copied as it is. */
int coda_bin_native(const coda_bin_head *h);
/* Header and metadata of f, with shape f->mat.rows x f->mat.cols. */
int coda_bin_write_head(FILE *out, const coda_frame *f, coda_err *e);
/* The same bytes in memory: *len of them (at most CODA_HEADER_BYTES + CODA_META_MAX), written
 * to buf when it is not NULL (then it holds *len bytes, as a first call with NULL said). */
int coda_bin_head_bytes(const coda_frame *f, unsigned char *buf, size_t *len, coda_err *e);

#endif
