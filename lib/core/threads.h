/* The one owner of the BLAS thread policy. OpenBLAS's thread count is process-wide; a kernel
 * that runs its own fixed-block OpenMP loop (so that its bytes never depend on the thread
 * count), or a loop of tiny solves where threads cost more than they save, asks for serial BLAS
 * here and gives it back when done, instead of toggling the count on its own. */
#ifndef CODA_THREADS_H
#define CODA_THREADS_H

/* Serial BLAS from now on; returns the token to hand back to coda_blas_restore. */
int coda_blas_serial(void);
void coda_blas_restore(int token);

#endif
