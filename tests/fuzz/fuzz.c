#define _GNU_SOURCE /* memfd_create */
#include "fuzz.h"

#include <cblas.h>
#include <errno.h>
#include <math.h>
#include <stdarg.h>
#include <stdlib.h>
#include <string.h>
#include <sys/mman.h>

#include "../../lib/io/textfmt.h"

/* Round-trips write at most this many entries: a few declared bytes can describe a matrix
 * whose text would take minutes to write. */
#define ROUNDTRIP_MAX ((size_t)1 << 20)

static char slot_path[FUZZ_SLOTS][32];

int LLVMFuzzerInitialize(int *argc, char ***argv)
{
    (void)argc;
    (void)argv;
    /* 256 MiB a matrix: a huge declared size is refused, not allocated (unless the caller set
     * a limit) */
    setenv("CODA_MAX_MEMORY", "268435456", 0);
    setenv("OPENBLAS_NUM_THREADS", "1", 1);
    setenv("OMP_NUM_THREADS", "1", 1);
    openblas_set_num_threads(1); /* OpenBLAS read its environment before we ran */
    for (int s = 0; s < FUZZ_SLOTS; s++) {
        int fd = memfd_create("coda-fuzz", 0); /* kept open: the file lives while we do */
        if (fd < 0)
            fuzz_fail("memfd_create: %s", strerror(errno));
        snprintf(slot_path[s], sizeof slot_path[s], "/proc/self/fd/%d", fd);
    }
    return 0;
}

void fuzz_fail(const char *fmt, ...)
{
    va_list ap;
    va_start(ap, fmt);
    fputs("fuzz: ", stderr);
    vfprintf(stderr, fmt, ap);
    fputc('\n', stderr);
    va_end(ap);
    abort();
}

const char *fuzz_path(int slot) { return slot_path[slot]; }

FILE *fuzz_rewrite(int slot)
{
    FILE *f = fopen(slot_path[slot], "wb");
    if (!f)
        fuzz_fail("%s: %s", slot_path[slot], strerror(errno));
    return f;
}

const char *fuzz_file(int slot, const void *data, size_t size)
{
    FILE *f = fuzz_rewrite(slot);
    int bad = size && fwrite(data, 1, size, f) != size;
    if (fclose(f) != 0 || bad)
        fuzz_fail("%s: write error", slot_path[slot]);
    return slot_path[slot];
}

coda_writer fuzz_writer(int slot, coda_format fmt)
{
    return (coda_writer){.f = fuzz_rewrite(slot), .name = slot_path[slot], .fmt = fmt};
}

int fuzz_read_all(const char *path, coda_frame_list *l, coda_err *e)
{
    coda_reader r;
    coda_frame f;
    int rc;
    if (coda_reader_open(&r, path, e) < 0)
        fuzz_fail("%s", e->msg);
    while ((rc = coda_reader_next(&r, &f, e)) == 1)
        if (coda_frame_list_push(l, &f, e) < 0) {
            coda_frame_free(&f);
            rc = -1;
            break;
        }
    coda_reader_close(&r);
    return rc;
}

void fuzz_same_frame(const coda_frame *a, const coda_frame *b, int whole, const char *what)
{
    const coda_mat *x = &a->mat, *y = &b->mat;
    if (x->rows != y->rows || x->cols != y->cols)
        fuzz_fail("%s: %zu x %zu became %zu x %zu", what, x->rows, x->cols, y->rows, y->cols);
    for (size_t k = 0; k < x->rows * x->cols; k++)
        if (x->data[k] != y->data[k] && !(isnan(x->data[k]) && isnan(y->data[k])))
            fuzz_fail("%s: entry %zu (column-major) %.17g became %.17g", what, k, x->data[k],
                      y->data[k]);
    if (!whole)
        return;
    if (a->kind != b->kind)
        fuzz_fail("%s: frame kind %d became %d", what, a->kind, b->kind);
    for (int t = 0; t < CODA_NTAGS; t++)
        if (a->tag[t] != b->tag[t])
            fuzz_fail("%s: tag %s %lld became %lld", what, coda_tag_name(t),
                      (long long)a->tag[t], (long long)b->tag[t]);
    if (a->meta.n != b->meta.n)
        fuzz_fail("%s: %zu metadata keys became %zu", what, a->meta.n, b->meta.n);
    for (size_t i = 0; i < a->meta.n; i++)
        if (strcmp(a->meta.key[i], b->meta.key[i]) || strcmp(a->meta.val[i], b->meta.val[i]))
            fuzz_fail("%s: metadata '%s=%s' became '%s=%s'", what, a->meta.key[i],
                      a->meta.val[i], b->meta.key[i], b->meta.val[i]);
}

/* Read FUZZ_OUT back as format fmt: a bin stream through coda_reader, the others with their
 * own reader (the harnesses call it directly; coda_reader's format detection refuses some
 * inputs that the reader takes, such as control characters in a CSV header). */
static int read_back(coda_format fmt, coda_frame_list *l, coda_err *e)
{
    if (fmt == CODA_FMT_BIN)
        return fuzz_read_all(fuzz_path(FUZZ_OUT), l, e);
    coda_in in;
    coda_frame f;
    if (coda_in_open(&in, fuzz_path(FUZZ_OUT), e) < 0)
        fuzz_fail("%s", e->msg);
    int rc = fmt == CODA_FMT_NPY ? coda_npy_read(&in, &f, e)
             : fmt == CODA_FMT_MTX ? coda_mtx_read(&in, &f, e)
                                   : coda_csv_read(&in, &f, e);
    coda_in_close(&in);
    if (rc == 1 && coda_frame_list_push(l, &f, e) < 0)
        fuzz_fail("%s", e->msg);
    return rc < 0 ? -1 : 0;
}

void fuzz_roundtrip(const coda_frame *f, coda_format fmt)
{
    const coda_mat *m = &f->mat;
    int csv = fmt == CODA_FMT_CSV || fmt == CODA_FMT_TSV;
    if ((m->cols && m->rows > ROUNDTRIP_MAX / m->cols) || (csv && (m->rows == 0 || m->cols == 0)))
        return;
    const char *name = coda_format_name(fmt);
    coda_err e;
    coda_writer w = fuzz_writer(FUZZ_OUT, fmt);
    int rc = coda_writer_put(&w, f, &e);
    if (fclose(w.f) != 0 || rc < 0)
        fuzz_fail("%s writer refused a %zu x %zu frame that was read: %s", name, m->rows,
                  m->cols, rc < 0 ? e.msg : "write error");
    coda_frame_list back = {0};
    if (read_back(fmt, &back, &e) < 0)
        fuzz_fail("%s round-trip: cannot read what the %s writer wrote: %s", name, name, e.msg);
    if (back.n != 1)
        fuzz_fail("%s round-trip: one frame written, %zu read back", name, back.n);
    char what[64];
    snprintf(what, sizeof what, "%s round-trip", name);
    fuzz_same_frame(f, &back.f[0], fmt == CODA_FMT_BIN, what);
    coda_frame_list_free(&back);
}

int fuzz_reader(const uint8_t *data, size_t size,
                int (*read)(coda_in *in, coda_frame *f, coda_err *e), const coda_format *fmts,
                size_t n)
{
    coda_in in;
    coda_frame f;
    coda_err e;
    if (coda_in_open(&in, fuzz_file(FUZZ_IN, data, size), &e) < 0)
        fuzz_fail("%s", e.msg);
    if (read(&in, &f, &e) == 1) { /* on failure the reader has freed f */
        for (size_t k = 0; k < n; k++)
            fuzz_roundtrip(&f, fmts[k]);
        coda_frame_free(&f);
    }
    coda_in_close(&in);
    return 0;
}
