/* A frame: the unit of a coda stream (see coda-format(5)). A plain matrix is a stream of one
 * MATRIX frame; pipelines pass PLAN, TASK and RESULT frames. */
#ifndef CODA_FRAME_H
#define CODA_FRAME_H

#include <stdint.h>

#include "../core/mat.h"
#include "../core/meta.h"

enum coda_kind { CODA_MATRIX = 1, CODA_PLAN = 2, CODA_TASK = 3, CODA_RESULT = 4 };
enum coda_tag { CODA_TAG_WORKER, CODA_TAG_BLOCK, CODA_TAG_ITER, CODA_TAG_AUX, CODA_NTAGS };
#define CODA_NOTAG INT64_C(-1)

typedef struct {
    int kind;
    int64_t tag[CODA_NTAGS]; /* CODA_NOTAG when unset */
    coda_meta meta;
    coda_mat mat;
    int dtype; /* as stored in the input: 1 float64, 2 float32; output is always float64 */
} coda_frame;

void coda_frame_init(coda_frame *f, int kind);
void coda_frame_free(coda_frame *f);
const char *coda_kind_name(int kind);
int coda_kind_parse(const char *s); /* 0 when unknown */
const char *coda_tag_name(int tag);
int coda_tag_parse(const char *s); /* -1 when unknown */

/* A growing list of frames that owns them. */
typedef struct {
    coda_frame *f;
    size_t n, cap;
} coda_frame_list;

/* Append f, taking its contents over (f is left empty, so freeing it is a no-op). */
int coda_frame_list_push(coda_frame_list *l, coda_frame *f, coda_err *e);
/* The same as a coda_sink (lib/codes/coding.h): ctx is the list. */
int coda_frame_list_sink(void *ctx, coda_frame *f, coda_err *e);
void coda_frame_list_free(coda_frame_list *l);

#endif
