#include "binfmt.h"
#include "rawio.h"

#include <errno.h>
#include <stdlib.h>
#include <string.h>

static uint64_t get_u(const unsigned char *p, int nbytes, int little)
{
    uint64_t v = 0;
    for (int i = 0; i < nbytes; i++)
        v |= (uint64_t)p[little ? i : nbytes - 1 - i] << (8 * i);
    return v;
}

static void put_u(unsigned char *p, uint64_t v, int nbytes, int little)
{
    for (int i = 0; i < nbytes; i++)
        p[little ? i : nbytes - 1 - i] = (unsigned char)(v >> (8 * i));
}

static int parse_meta(coda_meta *m, char *text, size_t len, coda_err *e)
{
    size_t start = 0;
    for (size_t i = 0; i <= len; i++) {
        if (i < len && text[i] != '\n')
            continue;
        if (i > start) {
            text[i] = '\0';
            char *line = text + start, *eq = strchr(line, '=');
            if (!eq) {
                char q[CODA_ESC_BUF];
                return coda_fail(e, "metadata line '%s' has no '='",
                                 coda_escape(q, line, i - start));
            }
            *eq = '\0';
            if (coda_meta_set(m, line, eq + 1, e) < 0)
                return -1;
        }
        start = i + 1;
    }
    return 0;
}

#define BAD(...) (coda_fail(e, __VA_ARGS__), coda_fail_prefix(e, "%s: frame %ld at byte %llu: ", \
                                                               in->name, idx, (unsigned long long)h->at))

int coda_bin_read_head(coda_in *in, long idx, coda_frame *f, coda_bin_head *h, coda_err *e)
{
    unsigned char b[CODA_HEADER_BYTES];
    memset(h, 0, sizeof *h);
    h->at = in->off;
    coda_frame_init(f, CODA_MATRIX);
    size_t got = coda_in_read(in, b, sizeof b);
    if (got == 0 && !in->ioerr)
        return 0;
    if (in->ioerr)
        return BAD("read error");
    if (got >= 4 && memcmp(b, CODA_MAGIC, 4) != 0)
        return BAD("bad magic (not a coda frame)");
    if (got < sizeof b)
        return BAD("truncated header (%zu of %d bytes)", got, CODA_HEADER_BYTES);
    if (b[4] != CODA_VERSION)
        return BAD("unsupported format version %u (this reads version %d)", b[4], CODA_VERSION);
    if (b[5] != 'L' && b[5] != 'B')
        return BAD("bad byte-order mark 0x%02x", b[5]);
    h->little = b[5] == 'L';
    if (b[6] < CODA_MATRIX || b[6] > CODA_RESULT)
        return BAD("unknown frame kind %u", b[6]);
    if (b[7] != CODA_F64 && b[7] != CODA_F32)
        return BAD("unsupported dtype code %u (1=float64, 2=float32)", b[7]);
    if (b[8] != 'C' && b[8] != 'R')
        return BAD("bad storage order 0x%02x", b[8]);
    if (b[9] || b[10] || b[11])
        return BAD("reserved header bytes are not zero");
    f->kind = b[6];
    f->dtype = h->dtype = b[7];
    h->rowmajor = b[8] == 'R';
    size_t width = h->dtype == CODA_F64 ? 8 : 4;
    uint64_t meta_len = get_u(b + 12, 4, h->little), rows = get_u(b + 16, 8, h->little),
             cols = get_u(b + 24, 8, h->little), payload = get_u(b + 64, 8, h->little);
    for (int t = 0; t < CODA_NTAGS; t++)
        f->tag[t] = (int64_t)get_u(b + 32 + 8 * t, 8, h->little);
    if (meta_len > CODA_META_MAX)
        return BAD("metadata of %llu bytes exceeds the %u-byte limit",
                   (unsigned long long)meta_len, CODA_META_MAX);
    if (rows > SIZE_MAX || cols > SIZE_MAX)
        return BAD("dimensions overflow");
    if (coda_size_check(rows, cols, width, &h->bytes, e) < 0 ||
        coda_size_check(rows, cols, sizeof(double), NULL, e) < 0)
        return coda_fail_prefix(e, "%s: frame %ld at byte %llu: ", in->name, idx,
                                (unsigned long long)h->at);
    if (payload != h->bytes)
        return BAD("payload length %llu does not match %llu x %llu %s",
                   (unsigned long long)payload, (unsigned long long)rows,
                   (unsigned long long)cols, h->dtype == CODA_F64 ? "float64" : "float32");
    f->mat.rows = rows;
    f->mat.cols = cols;
    char *text = malloc(meta_len + 1);
    if (!text)
        return BAD("out of memory");
    if (coda_in_read(in, text, meta_len) != meta_len) {
        free(text);
        return BAD("truncated metadata");
    }
    if (memchr(text, '\0', meta_len)) {
        free(text);
        return BAD("metadata contains a NUL byte");
    }
    int rc = parse_meta(&f->meta, text, meta_len, e);
    free(text);
    if (rc < 0) {
        coda_frame_free(f);
        return coda_fail_prefix(e, "%s: frame %ld at byte %llu: ", in->name, idx,
                                (unsigned long long)h->at);
    }
    return 1;
}

int coda_bin_native(const coda_bin_head *h)
{
    return h->dtype == CODA_F64 && !h->rowmajor && h->little == coda_host_little();
}

int coda_bin_read_payload(coda_in *in, long idx, coda_frame *f, const coda_bin_head *h,
                          coda_err *e)
{
    /* float64 in our order lands in place; anything else is converted chunk by chunk */
    coda_layout l = {h->dtype == CODA_F64 ? CODA_EL_F8 : CODA_EL_F4,
                     h->little != coda_host_little(), h->rowmajor};
    uint64_t at;
    if (coda_raw_read(coda_in_src(in), &l, f->mat.rows, f->mat.cols, &f->mat, "payload", &at,
                      e) < 0) {
        coda_frame_free(f);
        return coda_fail_prefix(e, "%s: frame %ld at byte %llu: ", in->name, idx,
                                (unsigned long long)h->at);
    }
    return 1;
}

int coda_bin_pass_payload(coda_in *in, long idx, const coda_bin_head *h, coda_put_fn put,
                          void *ctx, FILE *out, coda_err *e)
{
    uint64_t payload_at = in->off;
    int64_t moved = coda_raw_pass(in, h->bytes, put, ctx, out, e);
    if (moved < 0)
        return -1;
    if ((uint64_t)moved < h->bytes)
        return BAD("truncated payload: %zu of %zu bytes after byte %llu", (size_t)moved,
                   h->bytes, (unsigned long long)payload_at);
    return 0;
}
#undef BAD

int coda_bin_head_bytes(const coda_frame *f, unsigned char *buf, size_t *len, coda_err *e)
{
    int little = coda_host_little();
    size_t meta_len = 0, names = (size_t)-1; /* names: the index of columns= when dropped */
    for (size_t i = 0; i < f->meta.n; i++)
        meta_len += strlen(f->meta.key[i]) + strlen(f->meta.val[i]) + 2;
    /* a CSV header is only names: a wide one (200000 columns) is dropped rather than the
     * matrix refused; nothing else in metadata grows with the data */
    for (size_t i = 0; i < f->meta.n && meta_len > CODA_META_MAX; i++)
        if (strcmp(f->meta.key[i], "columns") == 0) {
            names = i;
            meta_len -= strlen("columns") + strlen(f->meta.val[i]) + 2;
        }
    if (meta_len > CODA_META_MAX)
        return coda_fail(e, "metadata of %zu bytes exceeds the %u-byte limit", meta_len,
                         CODA_META_MAX);
    *len = CODA_HEADER_BYTES + meta_len;
    if (buf) {
        unsigned char *h = buf;
        memset(h, 0, CODA_HEADER_BYTES);
        memcpy(h, CODA_MAGIC, 4);
        h[4] = CODA_VERSION;
        h[5] = little ? 'L' : 'B';
        h[6] = (unsigned char)f->kind;
        h[7] = CODA_F64;
        h[8] = 'C';
        put_u(h + 12, meta_len, 4, little);
        put_u(h + 16, f->mat.rows, 8, little);
        put_u(h + 24, f->mat.cols, 8, little);
        for (int t = 0; t < CODA_NTAGS; t++)
            put_u(h + 32 + 8 * t, (uint64_t)f->tag[t], 8, little);
        put_u(h + 64, (uint64_t)(f->mat.rows * f->mat.cols) * 8, 8, little);
        unsigned char *at = h + CODA_HEADER_BYTES;
        for (size_t i = 0; i < f->meta.n; i++) {
            if (i == names)
                continue;
            size_t k = strlen(f->meta.key[i]), v = strlen(f->meta.val[i]);
            memcpy(at, f->meta.key[i], k);
            at[k] = '=';
            memcpy(at + k + 1, f->meta.val[i], v);
            at[k + 1 + v] = '\n';
            at += k + v + 2;
        }
    }
    return names == (size_t)-1 ? 0 : 1;
}

int coda_bin_write_head(FILE *out, const coda_frame *f, coda_err *e)
{
    /* most heads fit the fixed buffer; a long metadata block (up to CODA_META_MAX) is
     * encoded on the heap */
    unsigned char small[1024], *buf = small;
    size_t len;
    int rc = coda_bin_head_bytes(f, NULL, &len, e);
    if (rc < 0)
        return -1;
    if (len > sizeof small && !(buf = malloc(len)))
        return coda_fail_oom(e);
    coda_bin_head_bytes(f, buf, &len, e);
    if (fwrite(buf, 1, len, out) != len)
        rc = coda_fail(e, "write error: %s", strerror(errno));
    if (buf != small)
        free(buf);
    return rc;
}

int coda_bin_write(FILE *out, const coda_frame *f, coda_err *e)
{
    size_t n = f->mat.rows * f->mat.cols;
    int rc = coda_bin_write_head(out, f, e);
    if (rc < 0)
        return -1;
    if (n && coda_mat_is_contiguous(&f->mat)) {
        if (fwrite(f->mat.data, sizeof(double), n, out) != n)
            return coda_fail(e, "write error: %s", strerror(errno));
    } else if (n) { /* a view: column by column */
        for (size_t j = 0; j < f->mat.cols; j++)
            if (fwrite(&CODA_AT(&f->mat, 0, j), sizeof(double), f->mat.rows, out) !=
                f->mat.rows)
                return coda_fail(e, "write error: %s", strerror(errno));
    }
    return rc;
}
