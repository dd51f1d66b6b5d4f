#include "frame.h"

#include <stdlib.h>
#include <string.h>

static const char *const kind_names[] = {NULL, "matrix", "plan", "task", "result"};
static const char *const tag_names[] = {"worker", "block", "iter", "aux"};

void coda_frame_init(coda_frame *f, int kind)
{
    memset(f, 0, sizeof *f);
    f->kind = kind;
    f->dtype = 1;
    for (int i = 0; i < CODA_NTAGS; i++)
        f->tag[i] = CODA_NOTAG;
}

void coda_frame_free(coda_frame *f)
{
    coda_meta_free(&f->meta);
    coda_mat_free(&f->mat);
}

const char *coda_kind_name(int kind)
{
    return kind >= CODA_MATRIX && kind <= CODA_RESULT ? kind_names[kind] : "unknown";
}

int coda_kind_parse(const char *s)
{
    for (int k = CODA_MATRIX; k <= CODA_RESULT; k++)
        if (strcmp(s, kind_names[k]) == 0)
            return k;
    return 0;
}

const char *coda_tag_name(int tag) { return tag >= 0 && tag < CODA_NTAGS ? tag_names[tag] : "?"; }

int coda_tag_parse(const char *s)
{
    for (int t = 0; t < CODA_NTAGS; t++)
        if (strcmp(s, tag_names[t]) == 0)
            return t;
    return -1;
}

int coda_frame_list_push(coda_frame_list *l, coda_frame *f, coda_err *e)
{
    if (l->n == l->cap) {
        size_t cap = l->cap ? 2 * l->cap : 16;
        coda_frame *t = realloc(l->f, cap * sizeof *t);
        if (!t)
            return coda_fail_oom(e);
        l->f = t;
        l->cap = cap;
    }
    l->f[l->n++] = *f;
    memset(f, 0, sizeof *f);
    return 0;
}

int coda_frame_list_sink(void *ctx, coda_frame *f, coda_err *e)
{
    return coda_frame_list_push(ctx, f, e);
}

void coda_frame_list_free(coda_frame_list *l)
{
    for (size_t k = 0; k < l->n; k++)
        coda_frame_free(&l->f[k]);
    free(l->f);
    memset(l, 0, sizeof *l);
}
