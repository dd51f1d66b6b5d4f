/* uncoded: K = N blocks, worker i holds block i; every worker must respond. */
#include "scheme.h"

static int build(coda_plan *p, const coda_scheme_args *a, coda_err *e)
{
    (void)a;
    p->K = p->N;
    p->threshold = p->N;
    p->load = 1.0 / p->N;
    if (coda_mat_alloc(&p->G, (size_t)p->N, (size_t)p->K, e) < 0)
        return -1;
    for (int i = 0; i < p->N; i++)
        CODA_AT(&p->G, i, i) = 1.0;
    return 0;
}

const coda_scheme coda_scheme_uncoded = {
    .name = "uncoded",
    .summary = "no redundancy: N blocks on N workers, all must respond",
    .caps = CODA_CAP_SUMS | CODA_CAP_CONCATS,
    .build = build,
    .encode = coda_encode_g,
    .decode = coda_decode_replicas,
};
