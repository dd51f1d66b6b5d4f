/* The scheme interface. A scheme builds a plan (its encoding/allocation matrix G, block count,
 * recovery threshold and computation load); encoding and decoding are generic over G unless a
 * scheme supplies its own. Adding a scheme: one file here and one line in registry.c. */
#ifndef CODA_SCHEME_H
#define CODA_SCHEME_H

#include "../io/frame.h"
#include "plan.h"

typedef struct {
    int N, s, K;        /* K <= 0: the scheme's default */
    const char *op;
    unsigned long long seed;
    const char *generator; /* mds: gaussian (default) or chebyshev */
} coda_scheme_args;

typedef struct coda_scheme {
    const char *name;
    const char *summary;
    int sums, concats; /* which kinds of result it can code */
    /* Fill p->G, K, threshold, load, combine, data_coded (p->N, s, op, seed are set). */
    int (*build)(coda_plan *p, const coda_scheme_args *a, coda_err *e);
} coda_scheme;

const coda_scheme *coda_scheme_find(const char *name);
/* NULL-terminated list, for --help and errors. */
const coda_scheme *const *coda_scheme_list(void);

/* Build a plan for `data_len` rows/columns of data with the named scheme (0: no split yet). */
int coda_plan_build(coda_plan *p, const char *scheme, const coda_scheme_args *a, size_t data_len,
                    coda_err *e);
/* Build a plan from a user-given N x K matrix (coda-assign output, possibly edited). Its
 * threshold is G's true one (the smallest r such that every r-subset decodes; threshold_bound
 * when subsets past a budget were not checked); a G that not even all N workers decode is
 * refused. */
int coda_plan_from_assignment(coda_plan *p, const coda_mat *G, const coda_scheme_args *a,
                              size_t data_len, coda_err *e);

/* The schemes. */
extern const coda_scheme coda_scheme_uncoded, coda_scheme_rep, coda_scheme_frc,
    coda_scheme_cyclic, coda_scheme_mds;

#endif
