#include "wire.h"

#include <stdint.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>

#include "binfmt.h"
#include "in.h"

/* Frame k's header and metadata, as coda_bin_write_head writes them: every head in one
 * buffer (*heads), frame k's *hlen[k] bytes of it. Encoded in memory (no stdio): a round's
 * messages carry a head per frame. */
static int heads_of(const coda_frame *f, size_t n, char **heads, size_t **hlen, coda_err *e)
{
    *heads = NULL;
    *hlen = malloc((n ? n : 1) * sizeof **hlen);
    if (!*hlen)
        return coda_fail_oom(e);
    size_t total = 0;
    for (size_t k = 0; k < n; k++) {
        if (coda_bin_head_bytes(&f[k], NULL, &(*hlen)[k], e) < 0) {
            free(*hlen);
            *hlen = NULL;
            return -1;
        }
        total += (*hlen)[k];
    }
    if (!(*heads = malloc(total ? total : 1))) {
        free(*hlen);
        *hlen = NULL;
        return coda_fail_oom(e);
    }
    for (size_t k = 0, at = 0; k < n; at += (*hlen)[k], k++)
        coda_bin_head_bytes(&f[k], (unsigned char *)*heads + at, &(*hlen)[k], e);
    return 0;
}

int coda_frames_to_bytes(const coda_frame *f, size_t n, char **buf, size_t *len, coda_err *e)
{
    return coda_frames_to_bytes_after(f, n, 0, buf, len, e);
}

int coda_frames_bytes_len(const coda_frame *f, size_t n, size_t *len, coda_err *e)
{
    *len = 0;
    for (size_t k = 0; k < n; k++) {
        size_t h;
        if (coda_bin_head_bytes(&f[k], NULL, &h, e) < 0)
            return -1;
        *len += h + f[k].mat.rows * f[k].mat.cols * sizeof(double);
    }
    return 0;
}

int coda_frames_write_bytes(const coda_frame *f, size_t n, char *out, coda_err *e)
{
    size_t at = 0;
    for (size_t k = 0; k < n; k++) {
        size_t h;
        if (coda_bin_head_bytes(&f[k], (unsigned char *)out + at, &h, e) < 0)
            return -1;
        at += h;
        const coda_mat *m = &f[k].mat;
        if (coda_mat_is_contiguous(m)) {
            if (m->rows && m->cols)
                memcpy(out + at, m->data, m->rows * m->cols * sizeof(double));
            at += m->rows * m->cols * sizeof(double);
        } else { /* a view: column by column */
            for (size_t j = 0; j < m->cols; j++, at += m->rows * sizeof(double))
                memcpy(out + at, &CODA_AT(m, 0, j), m->rows * sizeof(double));
        }
    }
    return 0;
}

int coda_frames_to_bytes_after(const coda_frame *f, size_t n, size_t room, char **buf,
                               size_t *len, coda_err *e)
{
    *buf = NULL;
    *len = 0;
    size_t total;
    if (coda_frames_bytes_len(f, n, &total, e) < 0)
        return -1;
    char *out = malloc(room + total + 1);
    if (!out)
        return coda_fail_oom(e);
    if (coda_frames_write_bytes(f, n, out + room, e) < 0) {
        free(out);
        return -1;
    }
    *buf = out;
    *len = total;
    return 0;
}

int coda_frames_to_pieces(const coda_frame *f, size_t n, coda_wire_pieces *p, coda_err *e)
{
    memset(p, 0, sizeof *p);
    for (size_t k = 0; k < n; k++)
        if (f[k].mat.data && (f[k].mat.view || !coda_mat_is_contiguous(&f[k].mat)))
            return coda_fail(e, "frame %zu: only owned matrices go out in pieces", k);
    size_t *hlen;
    if (heads_of(f, n, &p->heads, &hlen, e) < 0)
        return -1;
    p->at = malloc(2 * (n ? n : 1) * sizeof *p->at);
    p->len = malloc(2 * (n ? n : 1) * sizeof *p->len);
    if (!p->at || !p->len) {
        free(hlen);
        coda_wire_pieces_free(p);
        return coda_fail_oom(e);
    }
    size_t hat = 0;
    for (size_t k = 0; k < n; k++) {
        p->at[2 * k] = p->heads + hat;
        p->len[2 * k] = hlen[k];
        hat += hlen[k];
        p->at[2 * k + 1] = (const char *)f[k].mat.data;
        p->len[2 * k + 1] = f[k].mat.rows * f[k].mat.cols * sizeof(double);
        p->total += p->len[2 * k] + p->len[2 * k + 1];
    }
    p->n = 2 * n;
    free(hlen);
    return 0;
}

void coda_wire_pieces_free(coda_wire_pieces *p)
{
    free(p->heads);
    free(p->at);
    free(p->len);
    memset(p, 0, sizeof *p);
}

static int parse(char *buf, size_t len, const char *name, int views, coda_frame_list *out,
                 coda_err *e)
{
    if (len == 0)
        return 0;
    coda_in in;
    if (coda_in_open_memory(&in, buf, len, name, e) < 0)
        return -1;
    int rc = 0;
    for (long idx = 0;; idx++) {
        coda_frame f;
        coda_bin_head h;
        int got = coda_bin_read_head(&in, idx, &f, &h, e);
        if (got <= 0) {
            rc = got;
            coda_frame_free(&f);
            break;
        }
        /* in memory the payload is where it is: point at it (the head read moved nothing) */
        size_t at = in.pos, n = f.mat.rows * f.mat.cols;
        if (views && coda_bin_native(&h) && (uintptr_t)(buf + at) % sizeof(double) == 0 &&
            h.bytes == n * sizeof(double) && len - at >= h.bytes) {
            f.mat.data = n ? (double *)(void *)(buf + at) : NULL;
            f.mat.view = 1;
            in.pos += h.bytes;
            in.off += h.bytes;
        } else if (coda_bin_read_payload(&in, idx, &f, &h, e) < 0) {
            rc = -1;
            break;
        }
        if (coda_frame_list_push(out, &f, e) < 0) {
            coda_frame_free(&f);
            rc = -1;
            break;
        }
    }
    coda_in_close(&in);
    return rc;
}

int coda_frames_from_bytes(char *buf, size_t len, const char *name, coda_frame_list *out,
                           coda_err *e)
{
    return parse(buf, len, name, 0, out, e);
}

int coda_frames_view_bytes(char *buf, size_t len, const char *name, coda_frame_list *out,
                           coda_err *e)
{
    return parse(buf, len, name, 1, out, e);
}
