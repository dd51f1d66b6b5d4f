/* NumPy .npz: a zip archive of .npy members (np.savez stores them, np.savez_compressed
 * deflates them; both write zip64 sizes). Reading walks the local file headers from the
 * start, so it needs no seeking; the member's .npy is read through a source that inflates
 * (zlib) straight into the matrix and checks the CRC and sizes. Memory is bounded by the
 * member's declared size: a header claiming more than that is refused before allocating. */
#include <errno.h>
#include <stdlib.h>
#include <string.h>
#include <zlib.h>

#include "binfmt.h"
#include "textfmt.h"

enum {
    SIG_LOCAL = 0x04034b50, SIG_CENTRAL = 0x02014b50, SIG_END = 0x06054b50,
    SIG_END64 = 0x06064b50, SIG_LOC64 = 0x07064b50
};
#define U32_MAX_FIELD 0xffffffffu
#define ZBUF ((size_t)1 << 16)

static uint64_t le(const unsigned char *p, int n)
{
    uint64_t v = 0;
    for (int i = n - 1; i >= 0; i--)
        v = v << 8 | p[i];
    return v;
}

static unsigned char *put_le(unsigned char *p, uint64_t v, int n)
{
    for (int i = 0; i < n; i++)
        *p++ = (unsigned char)(v >> (8 * i));
    return p;
}

/* One member being read: a coda_src over its data. */
typedef struct {
    coda_in *in;
    int deflated, zend, zbad;
    uint64_t cleft;   /* compressed bytes not yet taken from the archive */
    uint64_t out;     /* uncompressed bytes produced */
    uLong crc;
    z_stream z;
    unsigned char *zbuf;
} member;

/* crc extended by n bytes at p (zlib's crc32 takes a uInt length) */
static uLong crc_more(uLong crc, const void *p, size_t n)
{
    for (size_t k = 0; k < n;) {
        uInt c = n - k > (1u << 30) ? 1u << 30 : (uInt)(n - k);
        crc = crc32(crc, (const unsigned char *)p + k, c);
        k += c;
    }
    return crc;
}

static size_t member_read(void *ctx, void *dst, size_t n)
{
    member *m = ctx;
    size_t got = 0;
    if (!m->deflated) {
        got = coda_in_read(m->in, dst, n < m->cleft ? n : (size_t)m->cleft);
        m->cleft -= got;
    } else {
        m->z.next_out = dst;
        while (got < n && !m->zend && !m->zbad) {
            if (m->z.avail_in == 0 && m->cleft) {
                size_t want = m->cleft < ZBUF ? (size_t)m->cleft : ZBUF;
                size_t have = coda_in_read(m->in, m->zbuf, want);
                m->cleft = have == want ? m->cleft - have : 0;
                m->z.next_in = m->zbuf;
                m->z.avail_in = (uInt)have;
            }
            size_t want = n - got > (1u << 30) ? 1u << 30 : n - got;
            m->z.avail_out = (uInt)want;
            int rc = inflate(&m->z, Z_NO_FLUSH);
            got += want - m->z.avail_out;
            if (rc == Z_STREAM_END)
                m->zend = 1;
            else if (rc != Z_OK && !(rc == Z_BUF_ERROR && m->z.avail_in == 0 && m->cleft))
                m->zbad = 1; /* corrupt, or the compressed data ran out */
        }
    }
    m->crc = crc_more(m->crc, dst, got);
    m->out += got;
    return got;
}

/* A member name fit for a message: printable ASCII, at most 64 characters. */
static void show_name(char *dst, size_t cap, const unsigned char *name, size_t n)
{
    size_t k = 0;
    for (; k < n && k + 1 < cap && k < 64; k++)
        dst[k] = name[k] >= 0x20 && name[k] < 0x7f ? (char)name[k] : '?';
    dst[k] = '\0';
}

static int name_is(const unsigned char *name, size_t n, const char *want)
{
    size_t w = strlen(want);
    return (n == w && !memcmp(name, want, w)) ||
           (n == w + 4 && !memcmp(name, want, w) && !memcmp(name + w, ".npy", 4));
}

/* Discard n bytes of the archive. */
static int skip(coda_in *in, uint64_t n, unsigned char *buf)
{
    while (n) {
        size_t want = n < ZBUF ? (size_t)n : ZBUF;
        if (coda_in_read(in, buf, want) != want)
            return -1;
        n -= want;
    }
    return 0;
}

/* Sizes that do not fit the 32-bit fields are in the zip64 extra field (id 1), in this
 * order, each present only when its field holds 0xffffffff. */
static int zip64_sizes(const unsigned char *x, size_t xlen, uint64_t *usize, uint64_t *csize)
{
    for (size_t p = 0; p + 4 <= xlen;) {
        size_t id = le(x + p, 2), len = le(x + p + 2, 2);
        if (p + 4 + len > xlen)
            return -1;
        if (id == 1) {
            const unsigned char *v = x + p + 4;
            size_t need = 8 * ((*usize == U32_MAX_FIELD) + (*csize == U32_MAX_FIELD));
            if (len < need)
                return -1;
            if (*usize == U32_MAX_FIELD)
                *usize = le(v, 8), v += 8;
            if (*csize == U32_MAX_FIELD)
                *csize = le(v, 8);
            return 0;
        }
        p += 4 + len;
    }
    return *usize == U32_MAX_FIELD || *csize == U32_MAX_FIELD ? -1 : 0;
}

int coda_npz_read(coda_in *in, const char *want, coda_frame *f, coda_err *e)
{
    unsigned char h[30], *buf = malloc(ZBUF), *name = malloc(65536 * 2);
    char label[1200], seen[256] = "";
    int nseen = 0, rc = -1;
    coda_frame_init(f, CODA_MATRIX);
    if (!buf || !name) {
        free(buf);
        free(name);
        return coda_fail_oom(e);
    }
#define BAD(at, ...) (coda_fail(e, __VA_ARGS__), coda_fail_prefix(e, "%s: byte %llu: ", in->name, \
                                                                   (unsigned long long)(at)))
    for (;;) {
        uint64_t at = in->off;
        size_t got = coda_in_read(in, h, 4);
        uint64_t sig = got == 4 ? le(h, 4) : 0;
        if (sig == SIG_CENTRAL || sig == SIG_END) { /* past the last member */
            if (!nseen)
                BAD(at, ".npz archive has no members");
            else
                BAD(at, ".npz archive has no member '%s' (it has %s%s)", want, seen,
                    nseen > 8 ? ", ..." : "");
            break;
        }
        if (sig != SIG_LOCAL) {
            BAD(at, nseen ? "bad zip local file header" : "not a zip archive (.npz)");
            break;
        }
        if (coda_in_read(in, h + 4, 26) != 26) {
            BAD(at, "truncated zip local file header");
            break;
        }
        unsigned flags = (unsigned)le(h + 6, 2), method = (unsigned)le(h + 8, 2);
        uint64_t crc = le(h + 14, 4), csize = le(h + 18, 4), usize = le(h + 22, 4);
        size_t nlen = le(h + 26, 2), xlen = le(h + 28, 2);
        unsigned char *extra = name + 65536;
        if (coda_in_read(in, name, nlen) != nlen || coda_in_read(in, extra, xlen) != xlen) {
            BAD(at, "truncated zip local file header");
            break;
        }
        char shown[80];
        show_name(shown, sizeof shown, name, nlen);
        if (zip64_sizes(extra, xlen, &usize, &csize) < 0) {
            BAD(at, "member '%s': bad zip64 sizes", shown);
            break;
        }
        if (flags & 1) {
            BAD(at, "member '%s' is encrypted", shown);
            break;
        }
        if (flags & 8) { /* CRC and sizes after the data: cannot be skipped or checked first */
            BAD(at, "member '%s' has its sizes after its data (written to a pipe?); "
                    "rewrite it with np.savez to a file", shown);
            break;
        }
        if (want && !name_is(name, nlen, want)) {
            if (nseen < 8 && strlen(seen) + strlen(shown) + 3 < sizeof seen)
                snprintf(seen + strlen(seen), sizeof seen - strlen(seen), "%s'%s'",
                         nseen ? ", " : "", shown);
            nseen++;
            if (skip(in, csize, buf) < 0) {
                BAD(in->off, "truncated zip member '%s'", shown);
                break;
            }
            continue;
        }
        nseen++;
        if (method != 0 && method != 8) {
            BAD(at, "member '%s': compression method %u (reads stored and deflated members)",
                shown, method);
            break;
        }
        member m = {.in = in, .deflated = method == 8, .cleft = csize, .crc = crc32(0, NULL, 0),
                    .zbuf = buf};
        if (m.deflated && inflateInit2(&m.z, -MAX_WBITS) != Z_OK) {
            coda_fail_oom(e);
            break;
        }
        snprintf(label, sizeof label, "%s: %s", in->name, shown);
        /* the .npy inside may not claim more than the member's declared size */
        coda_src src = {member_read, &m, usize};
        rc = coda_npy_read_src(src, label, f, e) < 0 ? -1 : 1;
        if (m.deflated)
            inflateEnd(&m.z);
        if (rc < 0 && m.zbad) /* the real cause of a short read */
            coda_fail(e, "%s: corrupt or truncated deflate data", label);
        else if (rc > 0 && m.out != usize)
            rc = coda_fail(e, "%s: %llu bytes of data, but the zip header says %llu", label,
                           (unsigned long long)m.out, (unsigned long long)usize);
        else if (rc > 0 && m.deflated && !m.zend)
            rc = coda_fail(e, "%s: the deflate stream does not end", label);
        else if (rc > 0 && m.crc != crc)
            rc = coda_fail(e, "%s: CRC-32 mismatch (0x%08lx, the zip header says 0x%08llx)",
                           label, (unsigned long)m.crc, (unsigned long long)crc);
        if (rc < 0)
            coda_frame_free(f);
        break;
    }
#undef BAD
    free(buf);
    free(name);
    return rc;
}

int coda_npz_begin(FILE *out, coda_npz_out *z, const char *want, uint64_t size, int patch,
                   unsigned long crc, coda_err *e)
{
    const char *base = want ? want : "arr_0";
    size_t bl = strlen(base);
    int ext = bl >= 4 && !strcmp(base + bl - 4, ".npy");
    memset(z, 0, sizeof *z);
    if (bl == 0 || bl + 5 > sizeof z->name)
        return coda_failc(e, CODA_E_USAGE, ".npz member name must have 1 to 250 characters");
    snprintf(z->name, sizeof z->name, "%s%s", base, ext ? "" : ".npy");
    z->nlen = strlen(z->name);
    z->size = size;
    z->patch = patch;
    z->crc = patch ? crc32(0, NULL, 0) : crc;
    if (patch) { /* where the CRC field is, to write it there once the data is out */
        off_t at = fflush(out) == 0 ? ftello(out) : -1;
        if (at < 0)
            return coda_failc(e, CODA_E_IO, "cannot seek in the output: %s", strerror(errno));
        z->at = (uint64_t)at;
    }
    unsigned char h[64], *p = h;
    /* always zip64, as np.savez writes: one layout whatever the size */
    p = put_le(p, SIG_LOCAL, 4);
    p = put_le(p, 45, 2);   /* version needed: zip64 */
    p = put_le(p, 0, 2);    /* flags */
    p = put_le(p, 0, 2);    /* stored */
    p = put_le(p, 0, 2);    /* time 00:00 */
    p = put_le(p, 0x21, 2); /* date 1980-01-01: the output depends on the data only */
    p = put_le(p, patch ? 0 : crc, 4);
    p = put_le(p, U32_MAX_FIELD, 4);
    p = put_le(p, U32_MAX_FIELD, 4);
    p = put_le(p, z->nlen, 2);
    p = put_le(p, 20, 2);
    if (coda_put_file(out, h, (size_t)(p - h), e) < 0 ||
        coda_put_file(out, z->name, z->nlen, e) < 0)
        return -1;
    p = put_le(h, 1, 2);
    p = put_le(p, 16, 2);
    p = put_le(p, size, 8);
    p = put_le(p, size, 8);
    return coda_put_file(out, h, (size_t)(p - h), e);
}

int coda_npz_data(FILE *out, coda_npz_out *z, const void *p, size_t n, coda_err *e)
{
    if (z->patch)
        z->crc = crc_more(z->crc, p, n);
    z->written += n;
    return coda_put_file(out, p, n, e);
}

static int npz_put(void *ctx, const void *p, size_t n, coda_err *e)
{
    void **a = ctx; /* the file, the member */
    return coda_npz_data(a[0], a[1], p, n, e);
}

int coda_npz_end(FILE *out, coda_npz_out *z, coda_err *e)
{
    uint64_t size = z->size;
    if (z->written != size) /* the caller's bug, but never a corrupt archive */
        return coda_fail(e, ".npz member: %llu bytes written, %llu declared",
                         (unsigned long long)z->written, (unsigned long long)size);
    unsigned char h[160], *p;
    if (z->patch) {
        put_le(h, z->crc, 4);
        if (fflush(out) != 0 || fseeko(out, (off_t)(z->at + 14), SEEK_SET) != 0 ||
            coda_put_file(out, h, 4, e) < 0 || fflush(out) != 0 ||
            fseeko(out, 0, SEEK_END) != 0)
            return coda_failc(e, CODA_E_IO, "write error: %s", strerror(errno));
    }
    uint64_t cd_at = 30 + z->nlen + 20 + size, cd_len = 46 + z->nlen + 28;
    p = put_le(h, SIG_CENTRAL, 4);
    p = put_le(p, 3 << 8 | 45, 2); /* made by: Unix, zip64 */
    p = put_le(p, 45, 2);
    p = put_le(p, 0, 2);
    p = put_le(p, 0, 2);
    p = put_le(p, 0, 2);
    p = put_le(p, 0x21, 2);
    p = put_le(p, z->crc, 4);
    p = put_le(p, U32_MAX_FIELD, 4);
    p = put_le(p, U32_MAX_FIELD, 4);
    p = put_le(p, z->nlen, 2);
    p = put_le(p, 28, 2); /* extra */
    p = put_le(p, 0, 2);  /* comment */
    p = put_le(p, 0, 2);  /* disk */
    p = put_le(p, 0, 2);  /* internal attributes */
    p = put_le(p, (uint64_t)0100644 << 16, 4); /* a regular file, rw-r--r-- */
    p = put_le(p, U32_MAX_FIELD, 4);           /* local header offset: in the extra */
    if (coda_put_file(out, h, (size_t)(p - h), e) < 0 ||
        coda_put_file(out, z->name, z->nlen, e) < 0)
        return -1;
    p = put_le(h, 1, 2);
    p = put_le(p, 24, 2);
    p = put_le(p, size, 8);
    p = put_le(p, size, 8);
    p = put_le(p, 0, 8);
    /* zip64 end of central directory, its locator, and the classic end record */
    p = put_le(p, SIG_END64, 4);
    p = put_le(p, 44, 8);
    p = put_le(p, 3 << 8 | 45, 2);
    p = put_le(p, 45, 2);
    p = put_le(p, 0, 4);
    p = put_le(p, 0, 4);
    p = put_le(p, 1, 8);
    p = put_le(p, 1, 8);
    p = put_le(p, cd_len, 8);
    p = put_le(p, cd_at, 8);
    p = put_le(p, SIG_LOC64, 4);
    p = put_le(p, 0, 4);
    p = put_le(p, cd_at + cd_len, 8);
    p = put_le(p, 1, 4);
    p = put_le(p, SIG_END, 4);
    p = put_le(p, 0, 2);
    p = put_le(p, 0, 2);
    p = put_le(p, 1, 2);
    p = put_le(p, 1, 2);
    p = put_le(p, cd_len, 4);
    p = put_le(p, U32_MAX_FIELD, 4);
    p = put_le(p, 0, 2);
    return coda_put_file(out, h, (size_t)(p - h), e);
}

static int crc_put(void *ctx, const void *p, size_t n, coda_err *e)
{
    (void)e;
    unsigned long *crc = ctx;
    *crc = crc_more(*crc, p, n);
    return 0;
}

int coda_npz_write(FILE *out, const coda_frame *f, const char *want, int dtype, int seekable,
                   coda_err *e)
{
    /* into a file that seeks, the CRC is taken as the data goes out and written into the
     * local header afterwards; into a pipe, first in a pass over memory, so that the local
     * header is complete (no data descriptor, which readers of a stream cannot skip) */
    unsigned long crc = crc32(0, NULL, 0);
    if (!seekable && coda_npy_put(f, dtype, crc_put, &crc, e) < 0)
        return -1;
    coda_npz_out z;
    void *ctx[2] = {out, &z};
    if (coda_npz_begin(out, &z, want, coda_npy_size(f, dtype), seekable, crc, e) < 0 ||
        coda_npy_put(f, dtype, npz_put, ctx, e) < 0)
        return -1;
    return coda_npz_end(out, &z, e);
}
