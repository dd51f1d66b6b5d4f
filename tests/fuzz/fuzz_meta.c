/* Metadata (lib/core/meta.h): the input is the metadata text of one frame (key=value lines),
 * read as a frame reads it. Every value then goes through each typed getter; what a getter
 * accepts must come back unchanged through the matching setter (doubles bit-exact). The copy
 * and a bin round-trip keep every key and value in order. */
#include <math.h>
#include <stdlib.h>
#include <string.h>

#include "../../lib/io/binfmt.h"
#include "fuzz.h"

static void put_u32(unsigned char *p, uint32_t v)
{
    for (int i = 0; i < 4; i++)
        p[i] = (unsigned char)(v >> (8 * i));
}

/* A little-endian 0 x 0 MATRIX frame header for meta_len bytes of metadata, tags unset. */
static void header(unsigned char h[CODA_HEADER_BYTES], uint32_t meta_len)
{
    memset(h, 0, CODA_HEADER_BYTES);
    memcpy(h, CODA_MAGIC "\1L\1\1C", 9);
    put_u32(h + 12, meta_len);
    memset(h + 32, 0xff, 32); /* CODA_NOTAG */
}

static int same_double(double a, double b)
{
    return memcmp(&a, &b, sizeof a) == 0 || (isnan(a) && isnan(b));
}

/* The typed getters on key's value, and each accepted value back through its setter into c. */
static void typed(const coda_meta *m, coda_meta *c, const char *key)
{
    coda_err e;
    long long x, y, *ls;
    double d, d2, *ds, *ds2;
    size_t n, n2;
    if (coda_meta_get_long(m, key, &x, &e) == 0 &&
        (coda_meta_set_long(c, key, x, &e) < 0 || coda_meta_get_long(c, key, &y, &e) < 0 || x != y))
        fuzz_fail("%s=%s: integer %lld does not come back", key, coda_meta_get(m, key), x);
    if (coda_meta_get_double(m, key, &d, &e) == 0 &&
        (coda_meta_set_double(c, key, d, &e) < 0 || coda_meta_get_double(c, key, &d2, &e) < 0 ||
         !same_double(d, d2)))
        fuzz_fail("%s=%s: number %.17g does not come back", key, coda_meta_get(m, key), d);
    if (coda_meta_get_longs(m, key, &ls, &n, &e) == 0)
        free(ls);
    if (coda_meta_get_doubles(m, key, &ds, &n, &e) == 0) {
        if (coda_meta_set_doubles(c, key, ds, n, &e) < 0 ||
            coda_meta_get_doubles(c, key, &ds2, &n2, &e) < 0)
            fuzz_fail("%s=%s: a list of %zu numbers does not come back: %s", key,
                      coda_meta_get(m, key), n, e.msg);
        for (size_t i = 0; i < n; i++)
            if (n2 != n || !same_double(ds[i], ds2[i]))
                fuzz_fail("%s=%s: list item %zu does not come back", key, coda_meta_get(m, key),
                          i + 1);
        free(ds);
        free(ds2);
    }
}

int LLVMFuzzerTestOneInput(const uint8_t *data, size_t size)
{
    if (size > CODA_META_MAX)
        return 0;
    unsigned char h[CODA_HEADER_BYTES];
    header(h, (uint32_t)size);
    FILE *out = fuzz_rewrite(FUZZ_IN);
    int bad = fwrite(h, 1, sizeof h, out) != sizeof h ||
              (size && fwrite(data, 1, size, out) != size);
    if (fclose(out) != 0 || bad)
        fuzz_fail("%s: write error", fuzz_path(FUZZ_IN));

    coda_frame_list l = {0};
    coda_err e;
    if (fuzz_read_all(fuzz_path(FUZZ_IN), &l, &e) == 0) {
        if (l.n != 1)
            fuzz_fail("one frame written, %zu read", l.n);
        const coda_frame *f = &l.f[0];
        coda_frame c = *f; /* the same frame with a copy of the metadata */
        if (coda_meta_copy(&c.meta, &f->meta, &e) < 0)
            fuzz_fail("cannot copy metadata that was read: %s", e.msg);
        fuzz_same_frame(f, &c, 1, "metadata copy");
        for (size_t i = 0; i < f->meta.n; i++) {
            if (coda_meta_get(&f->meta, f->meta.key[i]) != f->meta.val[i])
                fuzz_fail("key '%s' held twice", f->meta.key[i]);
            typed(&f->meta, &c.meta, f->meta.key[i]);
        }
        coda_meta_free(&c.meta);
        fuzz_roundtrip(f, CODA_FMT_BIN);
    }
    coda_frame_list_free(&l);
    return 0;
}
