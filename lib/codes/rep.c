/* rep: K = N blocks, each on s+1 workers (worker i holds blocks i, i+1, ..., i+s mod N); every
 * held block comes back separately, so any N-s responders cover every block. */
#include "scheme.h"

static int build(coda_plan *p, const coda_scheme_args *a, coda_err *e)
{
    (void)a;
    p->K = p->N;
    p->threshold = p->N - p->s;
    p->load = (double)(p->s + 1) / p->N;
    if (coda_mat_alloc(&p->G, (size_t)p->N, (size_t)p->K, e) < 0)
        return -1;
    for (int i = 0; i < p->N; i++)
        for (int d = 0; d <= p->s; d++)
            CODA_AT(&p->G, i, (i + d) % p->N) = 1.0;
    return 0;
}

const coda_scheme coda_scheme_rep = {
    .name = "rep",
    .summary = "replication: each of N blocks on s+1 workers, returned block by block",
    .caps = CODA_CAP_SUMS | CODA_CAP_CONCATS,
    .build = build,
    .encode = coda_encode_g,
    .decode = coda_decode_replicas,
};
