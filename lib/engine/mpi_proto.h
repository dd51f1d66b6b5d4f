/* The messages between the MPI engine's master (rank 0) and its workers (ranks 1..N); only
 * lib/engine/mpi*.c include this (it needs mpi.h).
 *
 * master -> worker, in order:  CTRL header (INSTALL, ROUND or STOP), then its payload in
 *                              CTRL_DATA chunks (frames, or STOP's message)
 * worker -> master:            a result header with tag RESULT_TAG(round), then the payload in
 *                              RESULT_DATA chunks (RESULT frames, or an error message);
 *                              BYE, once, after STOP
 * The master keeps one receive posted per worker (any tag: a result header of this round or an
 * earlier one, or BYE) and receives a payload right after its header, so a worker's blocking
 * send always completes. */
#ifndef CODA_MPI_PROTO_H
#define CODA_MPI_PROTO_H

#include <mpi.h>
#include <stddef.h>
#include <stdint.h>

#include "../core/err.h"

enum { MSG_INSTALL = 1, MSG_ROUND = 2, MSG_STOP = 3 };
enum { TAG_CTRL = 1, TAG_CTRL_DATA = 2, TAG_RESULT_DATA = 3, TAG_BYE = 4, TAG_RESULT_BASE = 16 };
/* results carry their round in the tag (modulo: MPI guarantees tags up to 32767) and, whole,
 * in the header */
#define RESULT_TAG(round) (TAG_RESULT_BASE + (int)((round) % 16000u))
#define IS_RESULT_TAG(tag) ((tag) >= TAG_RESULT_BASE)

typedef struct {
    int64_t op, round, nbytes, status;
    double load; /* INSTALL: the plan's share of the data one worker processes */
} coda_mpi_ctl;

typedef struct {
    int64_t round, nbytes, status; /* status 1: the payload is an error message */
} coda_mpi_result_head;

/* A message's payload, in chunks of at most 1 GiB (an MPI count is an int). */
#define CODA_MPI_CHUNK ((size_t)1 << 30)
static inline int coda_mpi_nchunks(size_t n) { return (int)((n + CODA_MPI_CHUNK - 1) / CODA_MPI_CHUNK); }
int coda_mpi_send_bytes(const char *buf, size_t n, int dest, int tag);
/* Receive n bytes (malloc'ed into *buf, NUL-terminated) from src; -1 with e on failure. */
int coda_mpi_recv_bytes(char **buf, size_t n, int src, int tag, coda_err *e);

#endif
