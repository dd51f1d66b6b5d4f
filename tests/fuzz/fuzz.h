/* What the libFuzzer harnesses share (tests/fuzz/README.md). Each harness is one file,
 * fuzz_NAME.c, defining LLVMFuzzerTestOneInput; fuzz.c holds LLVMFuzzerInitialize and the
 * helpers below.
 *
 * The library reads files by descriptor (lib/io/in.c reads with read(2)), so an input is handed
 * to it as a file: slot FUZZ_IN (or FUZZ_OUT) is a memfd, rewritten for each input and opened
 * by the library through its /proc/self/fd path like any other file. A harness reports a
 * finding that the sanitizers cannot see (the library cannot read its own output, two read
 * paths disagree) with fuzz_fail, which aborts: libFuzzer saves the input as a crash. */
#ifndef CODA_FUZZ_H
#define CODA_FUZZ_H

#include <stddef.h>
#include <stdint.h>
#include <stdio.h>

#include "../../lib/io/frame.h"
#include "../../lib/io/stream.h"

/* libFuzzer's entry points. */
int LLVMFuzzerInitialize(int *argc, char ***argv);
int LLVMFuzzerTestOneInput(const uint8_t *data, size_t size);

enum { FUZZ_IN, FUZZ_OUT, FUZZ_SLOTS };

/* Replace slot's content by size bytes of data; returns the path to open it by. */
const char *fuzz_file(int slot, const void *data, size_t size);
/* The slot emptied and opened for writing (the caller fcloses it). */
FILE *fuzz_rewrite(int slot);
const char *fuzz_path(int slot);

/* Print "fuzz: <message>" and abort. */
_Noreturn void fuzz_fail(const char *fmt, ...) __attribute__((format(printf, 1, 2)));

/* A coda_writer in format fmt on slot's file, emptied (close it with fclose(w.f)). */
coda_writer fuzz_writer(int slot, coda_format fmt);

/* Every frame of the stream at path, as coda_reader_next returns them: 0 at a clean end, -1
 * (message in e) at the first error; l holds the frames read before it. */
int fuzz_read_all(const char *path, coda_frame_list *l, coda_err *e);

/* Abort unless a and b hold the same matrix (NaN equal to NaN, -0 to 0) and, when whole, the
 * same kind, tags and metadata (in order). what names the check in the message. */
void fuzz_same_frame(const coda_frame *a, const coda_frame *b, int whole, const char *what);

/* Write f in format fmt to FUZZ_OUT, read it back (bin through coda_reader, the others with
 * their own reader) and abort unless it comes back as one frame with the same matrix (and,
 * for bin, the same kind, tags and metadata). Frames too large to
 * write quickly, and empty matrices in CSV/TSV (which cannot hold them), are skipped. */
void fuzz_roundtrip(const coda_frame *f, coda_format fmt);

/* The whole harness of a single-matrix reader (csv, npy, mtx): read the input with it, and
 * round-trip what it reads through each of the n formats fmts. */
int fuzz_reader(const uint8_t *data, size_t size,
                int (*read)(coda_in *in, coda_frame *f, coda_err *e), const coda_format *fmts,
                size_t n);

#endif
