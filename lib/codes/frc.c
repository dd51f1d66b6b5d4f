/* frc: the fractional repetition code of papers/inverse.txt §IV (Algorithms 3 and 4).
 * Workers with consecutive indices form groups of s+1 that all compute the same block, so
 * K = floor(N/(s+1)) blocks; by the pigeonhole principle any N-s responders include a whole
 * residue class, i.e. one worker of every group. When (s+1) does not divide N the first
 * N mod (s+1) groups get one more worker (the paper assumes divisibility; extra replicas keep
 * the guarantee). Uneven blocks when K does not divide the work: see coda_plan_split. */
#include "scheme.h"

static int build(coda_plan *p, const coda_scheme_args *a, coda_err *e)
{
    (void)a;
    int g = p->s + 1;
    p->K = p->N / g;
    if (p->K < 1)
        return coda_fail(e, "frc needs N >= s+1 workers (N=%d, s=%d)", p->N, p->s);
    p->threshold = p->N - p->s;
    p->load = 1.0 / p->K;
    p->combine = 1; /* a worker holds exactly one block */
    if (coda_mat_alloc(&p->G, (size_t)p->N, (size_t)p->K, e) < 0)
        return -1;
    int extra = p->N % g, w = 0;
    for (int j = 0; j < p->K; j++)
        for (int r = 0; r < g + (j < extra); r++)
            CODA_AT(&p->G, w++, j) = 1.0;
    return 0;
}

const coda_scheme coda_scheme_frc = {
    .name = "frc",
    .summary = "fractional repetition ([inverse] §IV): groups of s+1 workers share a block",
    .caps = CODA_CAP_SUMS | CODA_CAP_CONCATS,
    .build = build,
    .encode = coda_encode_g,
    .decode = coda_decode_replicas,
};
