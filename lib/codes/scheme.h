/* The scheme type: every code behind one interface. A scheme is a const struct in the style of
 * GSL's algorithm types: a name, a summary, what it can do, its own option table, and the
 * functions that build its plan, encode the data into TASK frames, decode the RESULT frames
 * that came back, and check its own fields of a PLAN frame read from a stream. It owns its
 * encode and its decode; the generic encoders and decoders (coding.h) are a library schemes
 * pick from. Programs know no scheme: they look it up by name, take its options from its table
 * (lib/cli/scheme_opts) and call these functions.
 *
 * Adding a scheme: one file in lib/codes (its option table, build, and the library encoder and
 * decoder it uses, or its own), one line in registry.c. */
#ifndef CODA_SCHEME_H
#define CODA_SCHEME_H

#include "../io/frame.h"
#include "../io/matfile.h"
#include "../io/stream.h"
#include "coding.h"
#include "plan.h"

/* What a scheme can do. */
enum {
    CODA_CAP_SUMS = 1,         /* results that sum (gradients) */
    CODA_CAP_CONCATS = 2,      /* results that concatenate (products, least-squares columns) */
    CODA_CAP_BOTH_FACTORS = 4, /* codes both factors of A B: the operand is encoded too */
    CODA_CAP_APPROX = 8,       /* decodes approximately, with an error report */
    CODA_CAP_BYZANTINE = 16,   /* locates and excludes corrupt workers */
    CODA_CAP_ANY = 32,         /* decodes from any responders (none: zero), approximately: it
                                  is built for straggling probabilities and takes no -s */
    CODA_CAP_UNBIASED = 64     /* CODA_CAP_ANY, and under the plan's straggle_probs the
                                  expected decode is the exact result */
};

/* One option of a scheme's own: --name (or -c when short_opt is set and name is one letter). */
typedef struct {
    const char *name;
    int short_opt;    /* 0: long only */
    const char *arg;  /* the value's name in --help; NULL: a flag */
    const char *help;
    int at_decode;    /* taken by coda-decode, not coda-encode */
} coda_scheme_option;

typedef struct {
    int N, s, K;        /* K <= 0: the scheme's default */
    const char *op;
    unsigned long long seed;
    const coda_meta *opts;      /* the scheme's options as given, name=value ("1" for a flag) */
    const coda_mat *data;       /* what will be encoded (both-factor codes: A), when known */
    const coda_mat *operand;    /* both-factor codes: B */
    const coda_mat *assignment; /* assigned: the N x K matrix G */
    const coda_mat *code;       /* linear: the searched code */
} coda_scheme_args;

typedef struct coda_scheme {
    const char *name;
    const char *summary;
    unsigned caps;
    const coda_scheme_option *options; /* ends with a NULL name; NULL: none */
    /* Fill the plan: p->G, K, threshold, load, combine, data_coded, its extra fields. For
     * G-coded schemes p->N, s, op, seed are set before and the split done after; a both-factor
     * scheme builds the whole plan from a->data and a->operand. */
    int (*build)(coda_plan *p, const coda_scheme_args *a, coda_err *e);
    /* TASK frames for every worker (operand: B for both-factor codes, else unused). */
    int (*encode)(const coda_plan *p, const coda_mat *data, const coda_mat *operand,
                  coda_sink sink, void *ctx, coda_err *e);
    /* The shards an in-process engine keeps, where they differ from the stream's tasks in how
     * a weight is carried (leverage: the block in place and its weight as the coefficient of
     * the result, not a scaled copy), never in the decoded result beyond rounding. NULL:
     * encode. */
    int (*encode_resident)(const coda_plan *p, const coda_mat *data, coda_sink sink, void *ctx,
                           coda_err *e);
    /* The result from whatever arrived (any order: decoders sort by worker). opts: the
     * scheme's decode-time options (may be NULL). */
    int (*decode)(const coda_plan *p, const coda_frame *res, size_t n, const coda_meta *opts,
                  coda_mat *out, coda_decode_info *info, coda_err *e);
    /* Check the scheme's own fields of a plan read from a PLAN frame (NULL: the generic
     * shape check). */
    int (*load)(const coda_plan *p, coda_err *e);
    /* Derive the private state (p->state) from the plan's fields, once: after build and after
     * load (coda_plan_prepare). NULL: the scheme keeps none. */
    int (*prepare)(coda_plan *p, coda_err *e);
    /* Release what prepare made. */
    void (*free)(void *state);
    /* The built code's own figures (a radius, a predicted error, row sums, bounds), name=value
     * in the order to print them: coda-assign and coda-encode print them ("_" read as a space)
     * and copy them into their output's metadata without knowing what they mean. A warning
     * the user should see goes under the key "warning". NULL: none. */
    int (*report)(const coda_plan *p, coda_meta *fig, coda_err *e);
    /* The shape every worker's result has (a product code's pieces); NULL: the generic rule
     * from the plan's split, its op and its result shape (coda_results_collect). */
    void (*result_shape)(const coda_plan *p, size_t *rows, size_t *cols);
    /* Streaming (coda-encode --append, append.c): next's TASK frames, from the tasks of the
     * plan p and new data `more`, byte for byte those the encode of the whole data gives.
     * across 0: more's lines continue the split (new rows of a row split); 1: every line
     * gains more's entries (more has p->length lines). The driver has checked more's shape
     * against the plan and set next's split and result shape; the hook sets its own fields.
     * NULL: the shards cannot be extended. */
    int (*append)(const coda_plan *p, coda_plan *next, const coda_frame *tasks, size_t n,
                  const coda_mat *more, int across, coda_sink sink, void *ctx, coda_err *e);
} coda_scheme;

const coda_scheme *coda_scheme_find(const char *name);
/* NULL-terminated list, for --help and errors. */
const coda_scheme *const *coda_scheme_list(void);
/* "uncoded, rep, frc, ..." (the schemes users pick; not assigned). */
const char *coda_scheme_names(void);
/* The scheme a program uses when none is named (uncoded), and the one a user-given matrix G
 * is (assigned). */
const coda_scheme *coda_scheme_default(void);
const coda_scheme *coda_scheme_for_assignment(void);
/* The first registered scheme with all these capabilities (the Byzantine methods' default
 * code: CODA_CAP_BYZANTINE), or NULL. */
const coda_scheme *coda_scheme_first_with(unsigned caps);
/* The scheme of a plan (NULL when unknown). */
const coda_scheme *coda_plan_scheme(const coda_plan *p);
/* Whether the scheme's table has an option of this name. */
int coda_scheme_takes(const coda_scheme *sc, const char *name);
/* The value of a scheme option, or NULL. */
const char *coda_scheme_opt(const coda_scheme_args *a, const char *name);

/* Build a plan for `data_len` rows/columns of data with the named scheme (0: no split yet). */
int coda_plan_build(coda_plan *p, const char *scheme, const coda_scheme_args *a, size_t data_len,
                    coda_err *e);
/* Build a plan from a user-given N x K matrix (coda-assign output, possibly edited): the
 * assigned scheme. Its threshold is G's true one (the smallest r such that every r-subset
 * decodes; threshold_bound when subsets past a budget were not checked); a G that not even all
 * N workers decode is refused. */
int coda_plan_from_assignment(coda_plan *p, const coda_mat *G, const coda_scheme_args *a,
                              size_t data_len, coda_err *e);
/* The scheme's private state for a plan built or read (coda_plan_build and
 * coda_plan_from_frame call it; a no-op when there is none or it is made). */
int coda_plan_prepare(coda_plan *p, coda_err *e);
/* The plan's scheme's report (empty when it has none). */
int coda_plan_report(const coda_plan *p, coda_meta *fig, coda_err *e);
/* The scheme's encode: every worker's TASK frames, to a sink that writes (or copies) each as
 * it comes: a task may be a view of data (a block in place), valid while data is. */
int coda_encode(const coda_plan *p, const coda_mat *data, const coda_mat *operand,
                coda_sink sink, void *ctx, coda_err *e);
/* Whether the scheme's tasks are G-weighted sums of the data's blocks (its encode is
 * coda_encode_g) and its plan is built from the data's shape alone: then its data can stay
 * in a file, read a piece at a time (coda_encode_file). */
int coda_scheme_encodes_from_file(const coda_scheme *sc);
/* coda_encode's tasks, byte for byte, for the matrix in m's file (a scheme for which
 * coda_scheme_encodes_from_file holds), never holding it: memory is a block and a batch of
 * combined tasks (half the data's size at most, one task at least). The blocks that go out
 * as they are feed the first batch as they pass; each later batch is one more pass over the
 * file. A block that is a task goes to out by parts; a combined task whole, valid only
 * until out->frame returns (it writes it). check: a NaN or
 * infinite entry is an error ("NAME: the data entry (i,j) is NaN"), found as the data is
 * read, so after tasks went out (for an output that is discarded on failure; else scan the
 * file first, coda_matfile_first_nonfinite). The file changed while it was read is an error. */
int coda_encode_file(const coda_plan *p, coda_matfile *m, int check,
                     const coda_parts_sink *out, coda_err *e);
/* The scheme's shards for an in-process engine (its encode_resident, else its encode). */
int coda_encode_resident(const coda_plan *p, const coda_mat *data, coda_sink sink, void *ctx,
                         coda_err *e);

/* coda-encode --append: the stream `in` (a PLAN frame, the operand, the TASK frames) with its
 * data extended by more: rows (columns 0) or columns of the data, written to out as the
 * stream encoding the whole data would be. The scheme's append hook does the shards; a
 * scheme without one is refused (class usage). *next (may be NULL) receives the new plan. */
int coda_append_stream(coda_reader *in, const char *in_name, const coda_mat *more, int columns,
                       const char *program, coda_writer *out, coda_plan *next, coda_err *e);

/* The library the schemes pick from (registry.c, decode.c, encode.c, product.c). */
/* A G-coded plan's common fields from the arguments (scheme name, op, N, s, seed). */
int coda_plan_common(coda_plan *p, const char *scheme, const coda_scheme_args *a, coda_err *e);
/* The G-coded encode (blocks in place where a task is one block, as coda_encode says). */
int coda_encode_g(const coda_plan *p, const coda_mat *data, const coda_mat *operand,
                  coda_sink sink, void *ctx, coda_err *e);
/* replicas (first copy of each block) for concatenations, exact sums for sums */
int coda_decode_replicas(const coda_plan *p, const coda_frame *res, size_t n,
                         const coda_meta *opts, coda_mat *out, coda_decode_info *info,
                         coda_err *e);
/* least squares over coded blocks, condition reported (mds, coded assignments) */
int coda_decode_coded(const coda_plan *p, const coda_frame *res, size_t n,
                      const coda_meta *opts, coda_mat *out, coda_decode_info *info,
                      coda_err *e);
/* the sum from combinations: solve a^T G_R = 1 (cyclic, combining assignments) */
int coda_decode_sum(const coda_plan *p, const coda_frame *res, size_t n, const coda_meta *opts,
                    coda_mat *out, coda_decode_info *info, coda_err *e);
/* whichever of the three G's structure calls for (assigned) */
int coda_decode_g(const coda_plan *p, const coda_frame *res, size_t n, const coda_meta *opts,
                  coda_mat *out, coda_decode_info *info, coda_err *e);

/* The schemes. */
extern const coda_scheme coda_scheme_uncoded, coda_scheme_rep, coda_scheme_frc,
    coda_scheme_cyclic, coda_scheme_mds, coda_scheme_assigned, coda_scheme_matdot,
    coda_scheme_matdot_approx, coda_scheme_poly, coda_scheme_linear, coda_scheme_leverage,
    coda_scheme_byz,
    coda_scheme_hetero, coda_scheme_is_sgd, coda_scheme_bgc, coda_scheme_ehd, coda_scheme_od,
    coda_scheme_sgc_het;

#endif
