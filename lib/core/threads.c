#include "threads.h"

#include <cblas.h>

int coda_blas_serial(void)
{
    int threads = openblas_get_num_threads();
    if (threads != 1)
        openblas_set_num_threads(1);
    return threads;
}

void coda_blas_restore(int token)
{
    if (token > 1)
        openblas_set_num_threads(token);
}
