/* The binary frame stream (coda-format(5)) through coda_reader, which also detects the other
 * formats: every frame read whole (coda_reader_next), then again as coda-cat copies a stream
 * (headers first, native payloads passed through unread, the rest converted) into a bin
 * stream. Both ways must stop at the same frame, and the copy must read back as the frames
 * read whole. */
#include "fuzz.h"

/* coda-cat's loop (cmd/cat.c) with every frame kept; returns what the last step returned. */
static int cat(const char *path, coda_writer *w, size_t *frames, coda_err *e)
{
    coda_reader r;
    int rc;
    if (coda_reader_open(&r, path, e) < 0)
        fuzz_fail("%s", e->msg);
    for (*frames = 0;; ++*frames) {
        coda_frame f;
        if ((rc = coda_reader_next_head(&r, &f, e)) != 1)
            break;
        rc = coda_writer_copy(w, &r, &f, e);
        coda_frame_free(&f);
        if (rc < 0)
            break;
    }
    coda_reader_close(&r);
    return rc;
}

int LLVMFuzzerTestOneInput(const uint8_t *data, size_t size)
{
    const char *path = fuzz_file(FUZZ_IN, data, size);
    coda_err e;
    coda_frame_list whole = {0}, back = {0};
    int rc = fuzz_read_all(path, &whole, &e);

    coda_writer w = fuzz_writer(FUZZ_OUT, CODA_FMT_BIN);
    size_t copied;
    int crc = cat(path, &w, &copied, &e);
    if (fclose(w.f) != 0)
        fuzz_fail("%s: write error", fuzz_path(FUZZ_OUT));
    if (crc != rc || copied != whole.n)
        fuzz_fail("reading whole: %zu frames, %s; copying as coda-cat: %zu frames, %s", whole.n,
                  rc < 0 ? "error" : "end", copied, crc < 0 ? "error" : "end");
    if (rc == 0) {
        if (fuzz_read_all(fuzz_path(FUZZ_OUT), &back, &e) < 0)
            fuzz_fail("cannot read the copy back: %s", e.msg);
        if (back.n != whole.n)
            fuzz_fail("%zu frames copied, %zu read back", whole.n, back.n);
        for (size_t k = 0; k < whole.n; k++)
            fuzz_same_frame(&whole.f[k], &back.f[k], 1, "stream copy");
    }
    coda_frame_list_free(&back);
    coda_frame_list_free(&whole);
    return 0;
}
