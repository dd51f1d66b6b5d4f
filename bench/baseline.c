/* Benchmark helpers: generate data, and the plain baselines the benchmarks compare against.
 *   baseline gen ROWS COLS SEED FMT   random N(0,1) matrix to stdout (bin or csv)
 *   baseline strtod FILE              parse every number of a CSV with a bare strtod loop
 *   baseline memcpy BYTES REPS        copy BYTES bytes REPS times; prints seconds
 *   baseline getri FILE               read a square matrix, invert it with a plain
 *                                     LAPACKE_dgetrf + LAPACKE_dgetri; prints their seconds
 *   baseline gels FILE_A FILE_B       least squares with a plain LAPACKE_dgels; prints its
 *                                     seconds and writes x to stdout (bin)
 *   baseline relerr FILE_X FILE_Y     prints ||x - y||_2 / ||y||_2
 *   baseline fiterr FILE_A FILE_X FILE_Y  prints ||A (x - y)||_2 / ||A y||_2
 *   baseline gemm FILE_A FILE_B M OUT  C = A B with one plain cblas_dgemm (to OUT, bin), and one
 *                                     MatDot worker's product (Nr x Ni/M times Ni/M x Nc);
 *                                     prints both seconds
 *   baseline abrel FILE_X FILE_C FILE_A FILE_B  prints ||X - C||_F / (||A||_F ||B||_F)
 *   baseline gd FILE_X FILE_Y N S ITERS STEP  the BLAS calls of coded GD with the frc code and
 *                                     no coding: each of N - S responders computes its block's
 *                                     X_b^T (X_b beta - y_b), one per block is summed, beta
 *                                     steps; prints seconds per iteration */
#include <math.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <time.h>

#include <cblas.h>
#include <lapacke.h>

#include "../lib/core/rng.h"
#include "../lib/io/stream.h"

static double now(void)
{
    struct timespec t;
    clock_gettime(CLOCK_MONOTONIC, &t);
    return t.tv_sec + 1e-9 * t.tv_nsec;
}

int main(int argc, char **argv)
{
    coda_err e;
    if (argc == 6 && strcmp(argv[1], "gen") == 0) {
        coda_frame f;
        coda_frame_init(&f, CODA_MATRIX);
        if (coda_mat_alloc(&f.mat, strtoull(argv[2], 0, 10), strtoull(argv[3], 0, 10), &e) < 0)
            return fprintf(stderr, "%s\n", e.msg), 1;
        coda_rng r;
        coda_rng_init(&r, strtoull(argv[4], 0, 10), 0);
        for (size_t k = 0; k < f.mat.rows * f.mat.cols; k++)
            f.mat.data[k] = coda_rng_normal(&r);
        coda_writer w;
        coda_writer_open(&w, "-", coda_format_parse(argv[5]), &e);
        if (coda_writer_put(&w, &f, &e) < 0 || coda_writer_close(&w, &e) < 0)
            return fprintf(stderr, "%s\n", e.msg), 1;
        coda_frame_free(&f);
        return 0;
    }
    if (argc == 3 && strcmp(argv[1], "strtod") == 0) {
        /* the same text, the least work that still converts every field */
        FILE *in = fopen(argv[2], "rb");
        if (!in)
            return 1;
        fseek(in, 0, SEEK_END);
        long n = ftell(in);
        rewind(in);
        char *buf = malloc((size_t)n + 1);
        if (fread(buf, 1, (size_t)n, in) != (size_t)n)
            return 1;
        buf[n] = '\0';
        fclose(in);
        double sum = 0;
        size_t count = 0;
        for (char *p = buf, *end; *p;) {
            double v = strtod(p, &end);
            if (end == p) {
                p++;
                continue;
            }
            sum += v;
            count++;
            p = end;
        }
        printf("%zu %g\n", count, sum);
        free(buf);
        return 0;
    }
    if (argc == 3 && strcmp(argv[1], "getri") == 0) {
        coda_mat A;
        if (coda_read_matrix(argv[2], &A, NULL, &e) < 0 || A.rows != A.cols)
            return fprintf(stderr, "%s\n", e.msg), 1;
        lapack_int n = (lapack_int)A.rows, *ipiv = malloc((size_t)n * sizeof *ipiv);
        double t0 = now();
        if (LAPACKE_dgetrf(LAPACK_COL_MAJOR, n, n, A.data, n, ipiv) != 0 ||
            LAPACKE_dgetri(LAPACK_COL_MAJOR, n, A.data, n, ipiv) != 0)
            return fprintf(stderr, "singular\n"), 1;
        printf("%.6f\n", now() - t0);
        free(ipiv);
        coda_mat_free(&A);
        return 0;
    }
    if (argc == 4 && strcmp(argv[1], "gels") == 0) {
        coda_mat A, b;
        if (coda_read_matrix(argv[2], &A, NULL, &e) < 0 || coda_read_matrix(argv[3], &b, NULL, &e) < 0)
            return fprintf(stderr, "%s\n", e.msg), 1;
        double t0 = now();
        if (LAPACKE_dgels(LAPACK_COL_MAJOR, 'N', (lapack_int)A.rows, (lapack_int)A.cols,
                          (lapack_int)b.cols, A.data, (lapack_int)A.rows, b.data,
                          (lapack_int)b.rows) != 0)
            return fprintf(stderr, "dgels failed\n"), 1;
        fprintf(stderr, "%.6f\n", now() - t0);
        coda_frame f;
        coda_frame_init(&f, CODA_MATRIX);
        coda_mat_sub(&f.mat, &b, 0, A.cols, 0, b.cols, &e);
        coda_writer w;
        coda_writer_open(&w, "-", CODA_FMT_BIN, &e);
        if (coda_writer_put(&w, &f, &e) < 0 || coda_writer_close(&w, &e) < 0)
            return fprintf(stderr, "%s\n", e.msg), 1;
        coda_frame_free(&f);
        coda_mat_free(&A);
        coda_mat_free(&b);
        return 0;
    }
    if (argc == 4 && strcmp(argv[1], "memcpy") == 0) {
        size_t n = strtoull(argv[2], 0, 10);
        int reps = atoi(argv[3]);
        char *a = malloc(n), *b = malloc(n);
        memset(a, 1, n);
        memset(b, 2, n);
        double t0 = now();
        for (int k = 0; k < reps; k++) {
            memcpy(b, a, n);
            a[k % n] = b[(k * 7) % n]; /* keep the copies observable */
        }
        printf("%.6f\n", (now() - t0) / reps);
        free(a);
        free(b);
        return 0;
    }
    if (argc == 4 && strcmp(argv[1], "relerr") == 0) {
        coda_mat x, y;
        if (coda_read_matrix(argv[2], &x, NULL, &e) < 0 || coda_read_matrix(argv[3], &y, NULL, &e) < 0)
            return fprintf(stderr, "%s\n", e.msg), 1;
        if (x.rows * x.cols != y.rows * y.cols)
            return fprintf(stderr, "relerr: sizes differ\n"), 1;
        double num = 0, den = 0;
        for (size_t k = 0; k < x.rows * x.cols; k++) {
            num += (x.data[k] - y.data[k]) * (x.data[k] - y.data[k]);
            den += y.data[k] * y.data[k];
        }
        printf("%.3e\n", sqrt(num / den));
        coda_mat_free(&x);
        coda_mat_free(&y);
        return 0;
    }
    if (argc == 5 && strcmp(argv[1], "fiterr") == 0) {
        coda_mat A, x, y;
        if (coda_read_matrix(argv[2], &A, NULL, &e) < 0 || coda_read_matrix(argv[3], &x, NULL, &e) < 0 ||
            coda_read_matrix(argv[4], &y, NULL, &e) < 0)
            return fprintf(stderr, "%s\n", e.msg), 1;
        if (x.rows != A.cols || y.rows != A.cols || x.cols != 1 || y.cols != 1)
            return fprintf(stderr, "fiterr: shapes differ\n"), 1;
        double *Ay = malloc(A.rows * sizeof *Ay), *Ad = malloc(A.rows * sizeof *Ad);
        cblas_dgemv(CblasColMajor, CblasNoTrans, (int)A.rows, (int)A.cols, 1.0, A.data,
                    (int)A.rows, y.data, 1, 0.0, Ay, 1);
        cblas_daxpy((int)A.cols, -1.0, y.data, 1, x.data, 1); /* x - y */
        cblas_dgemv(CblasColMajor, CblasNoTrans, (int)A.rows, (int)A.cols, 1.0, A.data,
                    (int)A.rows, x.data, 1, 0.0, Ad, 1);
        printf("%.3e\n", cblas_dnrm2((int)A.rows, Ad, 1) / cblas_dnrm2((int)A.rows, Ay, 1));
        free(Ay), free(Ad);
        coda_mat_free(&A), coda_mat_free(&x), coda_mat_free(&y);
        return 0;
    }
    if (argc == 6 && strcmp(argv[1], "gemm") == 0) {
        coda_mat A, B, C;
        int m = atoi(argv[4]);
        if (coda_read_matrix(argv[2], &A, NULL, &e) < 0 || coda_read_matrix(argv[3], &B, NULL, &e) < 0 ||
            coda_mat_alloc(&C, A.rows, B.cols, &e) < 0)
            return fprintf(stderr, "%s\n", e.msg), 1;
        int b = (int)((A.cols + (size_t)m - 1) / (size_t)m);
        double t0 = now();
        cblas_dgemm(CblasColMajor, CblasNoTrans, CblasNoTrans, (int)A.rows, (int)B.cols, b, 1.0,
                    A.data, (int)A.rows, B.data, (int)B.rows, 0.0, C.data, (int)C.rows);
        double t1 = now();
        cblas_dgemm(CblasColMajor, CblasNoTrans, CblasNoTrans, (int)A.rows, (int)B.cols,
                    (int)A.cols, 1.0, A.data, (int)A.rows, B.data, (int)B.rows, 0.0, C.data,
                    (int)C.rows);
        double t2 = now();
        printf("%.6f %.6f\n", t2 - t1, t1 - t0);
        coda_frame f;
        coda_frame_init(&f, CODA_MATRIX);
        f.mat = C;
        coda_writer w;
        if (coda_writer_open(&w, argv[5], CODA_FMT_BIN, &e) < 0 || coda_writer_put(&w, &f, &e) < 0 ||
            coda_writer_close(&w, &e) < 0)
            return fprintf(stderr, "%s\n", e.msg), 1;
        coda_mat_free(&A), coda_mat_free(&B), coda_mat_free(&C);
        return 0;
    }
    if (argc == 8 && strcmp(argv[1], "gd") == 0) {
        coda_mat X, y;
        if (coda_read_matrix(argv[2], &X, NULL, &e) < 0 || coda_read_matrix(argv[3], &y, NULL, &e) < 0) {
            fprintf(stderr, "baseline: %s\n", e.msg);
            return 1;
        }
        int N = atoi(argv[4]), S = atoi(argv[5]), g = S + 1, K = N / g;
        long iters = atol(argv[6]);
        double step = atof(argv[7]);
        size_t n = X.rows, d = X.cols;
        double *beta = calloc(d, sizeof *beta), *grad = malloc(d * sizeof *grad),
               *part = malloc(d * sizeof *part), *r = malloc(n * sizeof *r);
        double t0 = now();
        for (long it = 0; it < iters; it++) {
            memset(grad, 0, d * sizeof *grad);
            /* the responders: worker w in group w / g (the first N mod g groups one larger is
             * ignored: every group has g workers here), all but the last S answer */
            for (int w = 0; w < N - S; w++) {
                int j = w / g < K ? w / g : K - 1;
                size_t r0 = n * (size_t)j / (size_t)K, r1 = n * (size_t)(j + 1) / (size_t)K;
                int len = (int)(r1 - r0);
                memcpy(r + r0, y.data + r0, (size_t)len * sizeof *r);
                cblas_dgemv(CblasColMajor, CblasNoTrans, len, (int)d, 1.0, X.data + r0, (int)n,
                            beta, 1, -1.0, r + r0, 1);
                cblas_dgemv(CblasColMajor, CblasTrans, len, (int)d, 1.0, X.data + r0, (int)n,
                            r + r0, 1, 0.0, part, 1);
                if (w % g == 0) /* one copy per block */
                    cblas_daxpy((int)d, 1.0, part, 1, grad, 1);
            }
            cblas_daxpy((int)d, -step * 2.0 / (double)n, grad, 1, beta, 1);
        }
        printf("%.9f\n", (now() - t0) / (double)iters);
        return 0;
    }
    if (argc == 6 && strcmp(argv[1], "abrel") == 0) {
        coda_mat X, C, A, B;
        if (coda_read_matrix(argv[2], &X, NULL, &e) < 0 || coda_read_matrix(argv[3], &C, NULL, &e) < 0 ||
            coda_read_matrix(argv[4], &A, NULL, &e) < 0 || coda_read_matrix(argv[5], &B, NULL, &e) < 0)
            return fprintf(stderr, "%s\n", e.msg), 1;
        if (X.rows != C.rows || X.cols != C.cols)
            return fprintf(stderr, "abrel: sizes differ\n"), 1;
        double num = 0;
        for (size_t k = 0; k < X.rows * X.cols; k++)
            num += (X.data[k] - C.data[k]) * (X.data[k] - C.data[k]);
        printf("%.3e\n", sqrt(num) / (coda_mat_fro(&A) * coda_mat_fro(&B)));
        coda_mat_free(&X), coda_mat_free(&C), coda_mat_free(&A), coda_mat_free(&B);
        return 0;
    }
    fprintf(stderr, "usage: baseline gen ROWS COLS SEED FMT | strtod FILE | memcpy BYTES REPS | getri FILE | "
                    "gels A B | relerr X Y | gemm A B M OUT | abrel X C A B\n");
    return 2;
}
