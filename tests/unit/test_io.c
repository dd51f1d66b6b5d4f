/* Bit-exact round trips through every format, metadata and tags, rejection of bad input, and the
 * scan for non-finite values. */
#include <float.h>
#include <math.h>
#include <unistd.h>
#include <stdlib.h>
#include <string.h>

#include "../../lib/core/rng.h"
#include "../../lib/io/binfmt.h"
#include "../../lib/io/stream.h"
#include "check.h"

/* Awkward doubles: signed zeros, subnormals, extremes, and random bit patterns. */
static void fill_awkward(coda_mat *m, uint64_t seed)
{
    coda_rng r;
    coda_rng_init(&r, seed, 0);
    static const double special[] = {0.0, -0.0, 1.0, -1.0, 0.1, 1.0 / 3.0, 5e-324, -2.2250738585072014e-308,
                                     1.7976931348623157e308, 123456789012345678.0, 1e-300, M_PI};
    size_t n = m->rows * m->cols;
    for (size_t k = 0; k < n; k++) {
        if (k < sizeof special / sizeof special[0])
            m->data[k] = special[k];
        else {
            uint64_t bits;
            double v;
            do { /* finite random bit patterns */
                bits = coda_rng_u64(&r);
                memcpy(&v, &bits, 8);
            } while (!isfinite(v));
            m->data[k] = v;
        }
    }
}

static int same_bits(const coda_mat *a, const coda_mat *b)
{
    return a->rows == b->rows && a->cols == b->cols &&
           memcmp(a->data, b->data, a->rows * a->cols * sizeof(double)) == 0;
}

static void round_trip(coda_format fmt, const char *name)
{
    coda_err e;
    coda_frame f, g;
    coda_frame_init(&f, CODA_MATRIX);
    coda_mat_alloc(&f.mat, 7, 5, &e);
    fill_awkward(&f.mat, 42);
    char path[64];
    snprintf(path, sizeof path, "/tmp/coda-unit-%d.%s", (int)getpid(), name);
    coda_writer w;
    CHECK(coda_writer_open(&w, path, fmt, &e) == 0, "%s", e.msg);
    CHECK(coda_writer_put(&w, &f, &e) == 0, "%s", e.msg);
    CHECK(coda_writer_close(&w, &e) == 0, "%s", e.msg);
    coda_reader r;
    CHECK(coda_reader_open(&r, path, &e) == 0, "%s", e.msg);
    int rc = coda_reader_next(&r, &g, &e);
    CHECK(rc == 1, "%s: %s", name, e.msg);
    CHECK(r.fmt == fmt || (fmt == CODA_FMT_TSV && r.fmt == CODA_FMT_CSV), "%s detected as %s", name,
          coda_format_name(r.fmt));
    if (rc == 1) {
        CHECK(same_bits(&f.mat, &g.mat), "%s round trip is not bit-exact", name);
        coda_frame_free(&g);
    }
    CHECK(coda_reader_next(&r, &g, &e) == 0, "%s: a second frame", name);
    coda_reader_close(&r);
    coda_frame_free(&f);
    remove(path);
}

static void frames_with_meta(void)
{
    coda_err e;
    char path[64];
    snprintf(path, sizeof path, "/tmp/coda-unit-%d.frames", (int)getpid());
    coda_writer w;
    coda_writer_open(&w, path, CODA_FMT_BIN, &e);
    for (int k = 0; k < 3; k++) {
        coda_frame f;
        coda_frame_init(&f, k == 0 ? CODA_PLAN : CODA_TASK);
        f.tag[CODA_TAG_WORKER] = k;
        f.tag[CODA_TAG_BLOCK] = 10 + k;
        coda_meta_set(&f.meta, "scheme", "frc", &e);
        coda_meta_set_double(&f.meta, "x", 0.1 * k, &e);
        coda_mat_alloc(&f.mat, (size_t)k, 2, &e); /* includes an empty 0 x 2 frame */
        for (size_t i = 0; i < (size_t)k * 2; i++)
            f.mat.data[i] = (double)i;
        CHECK(coda_writer_put(&w, &f, &e) == 0, "%s", e.msg);
        coda_frame_free(&f);
    }
    coda_writer_close(&w, &e);
    coda_reader r;
    coda_reader_open(&r, path, &e);
    for (int k = 0; k < 3; k++) {
        coda_frame f;
        CHECK(coda_reader_next(&r, &f, &e) == 1, "frame %d: %s", k, e.msg);
        CHECK(f.kind == (k == 0 ? CODA_PLAN : CODA_TASK), "kind %d", f.kind);
        CHECK(f.tag[CODA_TAG_WORKER] == k && f.tag[CODA_TAG_BLOCK] == 10 + k &&
                  f.tag[CODA_TAG_ITER] == CODA_NOTAG, "tags");
        double x;
        CHECK(coda_meta_get_double(&f.meta, "x", &x, &e) == 0 && x == 0.1 * k, "meta x");
        CHECK(f.mat.rows == (size_t)k && f.mat.cols == 2, "shape %zu x %zu", f.mat.rows, f.mat.cols);
        coda_frame_free(&f);
    }
    coda_frame f;
    CHECK(coda_reader_next(&r, &f, &e) == 0, "end of stream");
    coda_reader_close(&r);
    remove(path);
}

/* Every byte-prefix of a valid frame is rejected with a message, never accepted or crashed on. */
static void truncations(void)
{
    coda_err e;
    char path[64], cut[64];
    snprintf(path, sizeof path, "/tmp/coda-unit-%d.one", (int)getpid());
    snprintf(cut, sizeof cut, "/tmp/coda-unit-%d.cut", (int)getpid());
    coda_writer w;
    coda_frame f;
    coda_frame_init(&f, CODA_MATRIX);
    coda_meta_set(&f.meta, "k", "v", &e);
    coda_mat_alloc(&f.mat, 3, 2, &e);
    coda_writer_open(&w, path, CODA_FMT_BIN, &e);
    coda_writer_put(&w, &f, &e);
    coda_writer_close(&w, &e);
    coda_frame_free(&f);
    FILE *in = fopen(path, "rb");
    unsigned char buf[256];
    size_t n = fread(buf, 1, sizeof buf, in);
    fclose(in);
    int all_rejected = 1;
    for (size_t len = 1; len < n; len++) {
        FILE *o = fopen(cut, "wb");
        fwrite(buf, 1, len, o);
        fclose(o);
        coda_reader r;
        coda_reader_open(&r, cut, &e);
        e.msg[0] = '\0';
        int rc = coda_reader_next(&r, &f, &e);
        if (rc == 1)
            coda_frame_free(&f);
        if (rc != -1 || !strstr(e.msg, "truncated"))
            all_rejected = 0;
        coda_reader_close(&r);
    }
    CHECK(all_rejected, "a truncated frame was not rejected as truncated");
    remove(path);
    remove(cut);
}

/* coda_mat_first_nonfinite scans in parallel blocks: it must still return the first bad index,
 * wherever it lies relative to the blocks, for +Inf, -Inf and NaN, and none for finite data. */
static void first_nonfinite(void)
{
    coda_mat m;
    coda_err e;
    CHECK(coda_mat_alloc(&m, 1500, 1000, &e) == 0, "%s", e.msg);
    size_t n = m.rows * m.cols;
    for (size_t i = 0; i < n; i++)
        m.data[i] = i % 7 ? 1e308 : -DBL_MAX; /* finite, with exponent bits almost all set */
    CHECK(coda_mat_first_nonfinite(&m) == (size_t)-1, "finite data reported bad");
    const size_t at[] = {0, 4095, 4096, 4097, n / 2, n - 1};
    const double bad[] = {INFINITY, -INFINITY, NAN};
    for (size_t k = 0; k < sizeof at / sizeof *at; k++)
        for (size_t b = 0; b < 3; b++) {
            m.data[at[k]] = bad[b];
            if (at[k] + 5000 < n)
                m.data[at[k] + 5000] = NAN; /* a later one, in another block */
            size_t got = coda_mat_first_nonfinite(&m);
            CHECK(got == at[k], "bad value %g at %zu found at %zu", bad[b], at[k], got);
            m.data[at[k]] = 1.0;
            if (at[k] + 5000 < n)
                m.data[at[k] + 5000] = 1.0;
        }
    coda_mat_free(&m);
}

int main(void)
{
    first_nonfinite();
    round_trip(CODA_FMT_BIN, "coda");
    round_trip(CODA_FMT_CSV, "csv");
    round_trip(CODA_FMT_TSV, "tsv");
    round_trip(CODA_FMT_NPY, "npy");
    round_trip(CODA_FMT_MTX, "mtx");
    frames_with_meta();
    truncations();
    return check_summary();
}
