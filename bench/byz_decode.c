/* The byz benchmark's timer (bench/byz.sh): for an n x d Gaussian A, N workers and t corrupt
 * (the N(0, 100^2) attack on t workers), times in one process, best of REPS:
 *   encode   coda_encode of every worker's shard (nnz(S) d multiply-adds)
 *   worker   one worker's product S_i A v (p x d times d)
 *   decode   coda_decode of the N responses (locate, least squares, verify)
 * and prints "N t q p n d encode_s worker_s decode_s rel_err".
 *   byz_decode N T n d REPS */
#include <math.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <time.h>

#include "../lib/codes/scheme.h"
#include "../lib/core/rng.h"
#include "../lib/straggle/adversary.h"
#include "../lib/work/work.h"

static double now(void)
{
    struct timespec t;
    clock_gettime(CLOCK_MONOTONIC, &t);
    return t.tv_sec + 1e-9 * t.tv_nsec;
}

int main(int argc, char **argv)
{
    if (argc != 6) {
        fprintf(stderr, "usage: byz_decode N T n d REPS\n");
        return 2;
    }
    int N = atoi(argv[1]), t = atoi(argv[2]), reps = atoi(argv[5]);
    size_t n = (size_t)atol(argv[3]), d = (size_t)atol(argv[4]);
    coda_err e;
    coda_mat A, v, ref;
    coda_rng r;
    coda_rng_init(&r, 1, 0);
    if (coda_mat_alloc(&A, n, d, &e) < 0 || coda_mat_alloc(&v, d, 1, &e) < 0 ||
        coda_mat_alloc(&ref, n, 1, &e) < 0)
        return 1;
    for (size_t k = 0; k < n * d; k++)
        A.data[k] = coda_rng_normal(&r);
    for (size_t k = 0; k < d; k++)
        v.data[k] = coda_rng_normal(&r);
    for (size_t i = 0; i < n; i++)
        for (size_t k = 0; k < d; k++)
            ref.data[i] += CODA_AT(&A, i, k) * v.data[k];
    coda_meta opts = {0};
    coda_meta_setf(&opts, &e, "adversaries", "%d", t);
    coda_scheme_args a = {.N = N, .op = "matvec", .seed = 1, .opts = &opts, .data = &A};
    coda_plan p;
    if (coda_plan_build(&p, "byz", &a, n, &e) < 0) {
        fprintf(stderr, "byz_decode: %s\n", e.msg);
        return 1;
    }
    double enc = INFINITY, work = INFINITY, dec = INFINITY, err = 0;
    coda_adversary adv = {.t = t, .kind = CODA_ATK_GAUSS, .sigma = 100, .seed = 1};
    char *corrupt = calloc((size_t)N, 1);
    for (int rep = 0; rep < reps; rep++) {
        coda_frame_list tasks = {0}, res = {0};
        double t0 = now();
        if (coda_encode(&p, &A, NULL, coda_frame_list_sink, &tasks, &e) < 0)
            return 1;
        enc = fmin(enc, now() - t0);
        adv.round = (unsigned long long)rep;
        coda_adversary_draw(&adv, N, corrupt, &e);
        coda_corruption bad = {&adv, corrupt};
        for (size_t k = 0; k < tasks.n; k++) {
            int w = (int)tasks.f[k].tag[CODA_TAG_WORKER];
            t0 = now();
            if (coda_worker_run_as(&tasks.f[k], 1, w, &v, NAN, &bad, coda_frame_list_sink, &res,
                                   &e) < 0)
                return 1;
            if (k == 0)
                work = fmin(work, now() - t0);
        }
        coda_mat out;
        coda_decode_info info;
        t0 = now();
        if (coda_decode(&p, res.f, res.n, &out, &info, &e) < 0) {
            fprintf(stderr, "byz_decode: %s\n", e.msg);
            return 1;
        }
        dec = fmin(dec, now() - t0);
        double num = 0, den = 0;
        for (size_t i = 0; i < n; i++) {
            num += (out.data[i] - ref.data[i]) * (out.data[i] - ref.data[i]);
            den += ref.data[i] * ref.data[i];
        }
        err = fmax(err, sqrt(num / den));
        coda_mat_free(&out);
        coda_frame_list_free(&tasks);
        coda_frame_list_free(&res);
    }
    printf("%d %d %d %zu %zu %zu %.3e %.3e %.3e %.1e\n", N, t, p.K, coda_plan_max_block(&p), n, d,
           enc, work, dec, err);
    free(corrupt);
    coda_plan_free(&p);
    coda_meta_free(&opts);
    coda_mat_free(&A), coda_mat_free(&v), coda_mat_free(&ref);
    return 0;
}
