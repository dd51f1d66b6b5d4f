/* The messages between the MPI engine's master (rank 0) and its workers (ranks 1..N); only
 * lib/engine/mpi*.c include this (it needs mpi.h). One message each way per round, as a bare
 * exchange would have:
 *
 * master -> worker:  CTRL: a coda_mpi_ctl (INSTALL, ROUND or STOP) followed in the same message
 *                    by its payload (frames, or STOP's message); a payload over one chunk
 *                    follows instead in CTRL_DATA chunks (inline = 0). INSTALL carries one task
 *                    set (a job's shards: set 0, 1, ... in order), ROUND names the set it runs.
 * worker -> master:  tag RESULT_TAG(round): a coda_mpi_result_head (its set and round)
 *                    followed by the RESULT frames (or an error message) when they fit in the
 *                    `cap` bytes the master said its receive holds; else the head alone, then
 *                    the bytes in RESULT_DATA messages of any size (the frames' pieces where
 *                    they lie). BYE (no bytes), once, after STOP.
 * The master keeps one receive posted per worker (any tag: a result of this round or an
 * earlier one, of this set or another, or BYE) and takes the data messages right after their
 * head, so a worker's blocking send always completes. Every message to a worker is sent without
 * waiting (the shards too), so that the master never blocks on a worker that is itself blocked
 * sending it a result. */
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
    int64_t inline_; /* the payload is in this message, after the header */
    int64_t cap;     /* ROUND: payload bytes an answer may carry in its one message */
    double load;     /* INSTALL: the job's plan's share of the data one worker processes */
    int64_t set;     /* INSTALL, ROUND: the task set */
} coda_mpi_ctl;

typedef struct {
    int64_t round, nbytes, status; /* status 1: the payload is an error message */
    int64_t inline_;
    int64_t set, pad;
} coda_mpi_result_head;

/* A message's payload, in chunks of at most 1 GiB (an MPI count is an int). */
#define CODA_MPI_CHUNK ((size_t)1 << 30)
static inline int coda_mpi_nchunks(size_t n) { return (int)((n + CODA_MPI_CHUNK - 1) / CODA_MPI_CHUNK); }
int coda_mpi_send_bytes(const char *buf, size_t n, int dest, int tag);
/* Receive n bytes (malloc'ed into *buf, NUL-terminated) from src, in messages of any sizes that
 * add up to n; -1 with e on failure. */
int coda_mpi_recv_bytes(char **buf, size_t n, int src, int tag, coda_err *e);
/* The same into buf, which holds n + 1 bytes. */
int coda_mpi_recv_into(char *buf, size_t n, int src, int tag, coda_err *e);

#endif
