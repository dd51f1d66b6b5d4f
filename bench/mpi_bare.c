/* The transport's own limit for bench/mpi.sh: rank 0 sends OUT bytes to each of ranks 1..N and
 * receives IN bytes back from each, ROUNDS times, with nothing else around it (Isend/Irecv,
 * Waitall). Prints the median round time in seconds.
 *
 * With a fourth argument D, each worker also does what a hand-written MPI gradient descent's
 * worker would between the two: the same BLAS calls coda's grad op makes for one data row of
 * D features (r = x.beta - y with dgemv, then x^T r with dgemv into a result of D doubles), the
 * model being the message's first D doubles. The engine's round against this one is what the
 * engine adds to the same arithmetic. */
#include <cblas.h>
#include <mpi.h>
#include <stdio.h>
#include <stdlib.h>

static int cmp(const void *a, const void *b)
{
    double x = *(const double *)a, y = *(const double *)b;
    return (x > y) - (x < y);
}

int main(int argc, char **argv)
{
    MPI_Init(&argc, &argv);
    int rank, size;
    MPI_Comm_rank(MPI_COMM_WORLD, &rank);
    MPI_Comm_size(MPI_COMM_WORLD, &size);
    if (argc != 4 && argc != 5) {
        if (rank == 0)
            fprintf(stderr, "usage: mpi_bare OUT_BYTES IN_BYTES ROUNDS [D]\n");
        MPI_Finalize();
        return 2;
    }
    int out = atoi(argv[1]), in = atoi(argv[2]), rounds = atoi(argv[3]), n = size - 1;
    int d = argc == 5 ? atoi(argv[4]) : 0;
    if (d < 0 || 8 * (size_t)d > (size_t)out || 8 * (size_t)d > (size_t)in) {
        if (rank == 0)
            fprintf(stderr, "mpi_bare: D = %d doubles do not fit the messages\n", d);
        MPI_Finalize();
        return 2;
    }
    char *sbuf = calloc((size_t)out + 1, 1), *rbuf = calloc((size_t)in * (size_t)n + 1, 1);
    double *t = calloc((size_t)rounds, sizeof *t);
    MPI_Request *req = malloc(2 * (size_t)n * sizeof *req);
    /* a worker's row and label (the values do not matter to the time) */
    double *x = malloc(((size_t)d + 1) * sizeof *x);
    for (int i = 0; i <= d; i++)
        x[i] = 1.0 / (i + 1);
    for (int r = 0; r < rounds; r++) {
        if (rank == 0) {
            double t0 = MPI_Wtime();
            for (int w = 1; w <= n; w++) {
                MPI_Isend(sbuf, out, MPI_BYTE, w, 1, MPI_COMM_WORLD, &req[w - 1]);
                MPI_Irecv(rbuf + (size_t)(w - 1) * in, in, MPI_BYTE, w, 2, MPI_COMM_WORLD,
                          &req[n + w - 1]);
            }
            MPI_Waitall(2 * n, req, MPI_STATUSES_IGNORE);
            t[r] = MPI_Wtime() - t0;
        } else {
            MPI_Recv(sbuf, out, MPI_BYTE, 0, 1, MPI_COMM_WORLD, MPI_STATUS_IGNORE);
            if (d) {
                double res = x[d]; /* r = x.beta - y, then the gradient x^T r */
                cblas_dgemv(CblasColMajor, CblasNoTrans, 1, d, 1.0, x, 1, (const double *)sbuf, 1,
                            -1.0, &res, 1);
                cblas_dgemv(CblasColMajor, CblasTrans, 1, d, 1.0, x, 1, &res, 1, 0.0,
                            (double *)rbuf, 1);
            }
            MPI_Send(rbuf, in, MPI_BYTE, 0, 2, MPI_COMM_WORLD);
        }
    }
    if (rank == 0) {
        qsort(t, (size_t)rounds, sizeof *t, cmp);
        printf("%.9g\n", t[rounds / 2]);
    }
    free(sbuf), free(rbuf), free(t), free(req), free(x);
    MPI_Finalize();
    return 0;
}
