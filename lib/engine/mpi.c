/* The MPI engine, the master's side (rank 0), and what both sides share: start-up and the
 * chunked byte messages. The protocol is lib/engine/mpi_proto.h. */
#include <math.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <time.h>

#include "../io/wire.h"
#include "mpi.h"
#include "mpi_proto.h"

int coda_mpi_init(int *argc, char ***argv, int *rank, int *size, coda_err *e)
{
    /* a singleton MPI_Init would start a job of one; say how to start one instead */
    static const char *const launched[] = {"OMPI_COMM_WORLD_SIZE", "PMIX_RANK", "PMI_RANK",
                                           "PMI_SIZE"};
    int under = 0;
    for (size_t i = 0; i < sizeof launched / sizeof *launched; i++)
        under |= getenv(launched[i]) != NULL;
    if (!under)
        return coda_failc(e, CODA_E_USAGE, "not started by mpirun: run it as mpirun -n N+1 ... "
                                           "(rank 0 the master, ranks 1..N the N workers)");
    if (MPI_Init(argc, argv) != MPI_SUCCESS)
        return coda_failc(e, CODA_E_IO, "MPI_Init failed");
    MPI_Comm_rank(MPI_COMM_WORLD, rank);
    MPI_Comm_size(MPI_COMM_WORLD, size);
    return 0;
}

void coda_mpi_finalize(void)
{
    int up = 0, down = 0;
    MPI_Initialized(&up);
    MPI_Finalized(&down);
    if (up && !down)
        MPI_Finalize();
}

int coda_mpi_all(int ok)
{
    int all = 0;
    MPI_Allreduce(&ok, &all, 1, MPI_INT, MPI_MIN, MPI_COMM_WORLD);
    return all;
}

int coda_mpi_send_bytes(const char *buf, size_t n, int dest, int tag)
{
    for (size_t at = 0; at < n; at += CODA_MPI_CHUNK) {
        size_t k = n - at < CODA_MPI_CHUNK ? n - at : CODA_MPI_CHUNK;
        if (MPI_Send(buf + at, (int)k, MPI_BYTE, dest, tag, MPI_COMM_WORLD) != MPI_SUCCESS)
            return -1;
    }
    return 0;
}

int coda_mpi_recv_bytes(char **buf, size_t n, int src, int tag, coda_err *e)
{
    *buf = malloc(n + 1);
    if (!*buf)
        return coda_fail_oom(e);
    if (coda_mpi_recv_into(*buf, n, src, tag, e) < 0) {
        free(*buf);
        *buf = NULL;
        return -1;
    }
    return 0;
}

int coda_mpi_recv_into(char *buf, size_t n, int src, int tag, coda_err *e)
{
    /* the bytes come in messages of any size the sender chose (chunks, or the pieces of a
     * gathered answer), in order */
    for (size_t at = 0; at < n;) {
        MPI_Status st;
        int count = 0;
        if (MPI_Probe(src, tag, MPI_COMM_WORLD, &st) != MPI_SUCCESS ||
            MPI_Get_count(&st, MPI_BYTE, &count) != MPI_SUCCESS || count < 0 ||
            (size_t)count > n - at ||
            MPI_Recv(buf + at, count, MPI_BYTE, src, tag, MPI_COMM_WORLD, MPI_STATUS_IGNORE) !=
                MPI_SUCCESS)
            return coda_failc(e, CODA_E_IO, "receiving %zu bytes from rank %d failed", n, src);
        at += (size_t)count;
    }
    buf[n] = '\0';
    return 0;
}

/* One outgoing message (a round's operand or STOP's message, the same bytes to every worker;
 * or one worker's shards), alive until every send of it has completed. */
typedef struct {
    char *bytes; /* a coda_mpi_ctl, then the payload when inline */
    char *chunked; /* the payload, when it goes in chunks (points into bytes) */
    size_t len;
    size_t pooled; /* a round's operand: bytes is a pool buffer of this size, given back */
    int refs;    /* sends not yet completed */
} outgoing;

typedef struct {
    char *buf;
    size_t size;
} coda_mpi_pooled;

/* Answers up to this size come in the one message the master's posted receive holds; bigger
 * ones as a head and then their pieces, each contiguous (the transport's single-copy path). */
enum { CAP_FIRST = 1 << 16 };

typedef struct {
    coda_mpi_config cfg;
    int N;
    MPI_Request *rreq;             /* the receive posted for each worker (a result or BYE) */
    char **rbuf;                   /* ... its buffer: a result head and cap bytes */
    size_t *rcap;                  /* ... and that buffer's size (at least the head and cap) */
    size_t cap;                    /* the payload bytes each posted receive holds */
    MPI_Request *sreq;             /* sends in flight */
    int *sout;                     /* ... and the outgoing buffer each belongs to */
    size_t nsend, capsend;
    outgoing **out;
    size_t nout;
    double *latency;
    char *responded, *straggled, *corrupt, *failed;
    char *gone; /* said BYE before being told to stop (its own failure) */
    int ngone;
    int *idx;
    MPI_Status *st;
    char **bufs;                   /* received payloads: results are views into them */
    size_t *bufsize, nbufs, capbufs;
    int *bufset;                   /* ... the task set of each (kept until its next round) */
    double *setload;               /* each installed task set's load */
    int nsets;
    int install_failed;            /* some workers may hold a set the others lack: unusable */
    coda_mpi_pooled *pool;         /* message buffers to use again (see pool_take) */
    size_t npool;
    long stale;
    int stop_status;
    char *stop_msg;
    coda_straggle_outcome drawn;
} mpi_state;

/* Buffers the master reuses: the receive posted for each worker, a large result's bytes, a
 * round's copy of the operand. A reused buffer's pages are warm (no page faults, no zeroing by
 * the kernel: for an 800 KB message those cost more than the transfer), as a bare exchange
 * reusing its buffers would have them. At most POOL_MAX buffers are kept, each no bigger than
 * a message of the job. */
#define POOL_MAX(s) (2 * (size_t)(s)->N + 2)

/* A buffer of at least need bytes (*size: its size): the smallest in the pool that fits. */
static char *pool_take(mpi_state *s, size_t need, size_t *size)
{
    size_t best = s->npool;
    for (size_t i = 0; i < s->npool; i++)
        if (s->pool[i].size >= need && (best == s->npool || s->pool[i].size < s->pool[best].size))
            best = i;
    if (best == s->npool) {
        *size = need;
        return malloc(need);
    }
    char *b = s->pool[best].buf;
    *size = s->pool[best].size;
    s->pool[best] = s->pool[--s->npool];
    return b;
}

/* Keep b for later (when full, the smallest of the pool and b is freed). */
static void pool_give(mpi_state *s, char *b, size_t size)
{
    if (!b)
        return;
    if (!s->pool) {
        free(b);
        return;
    }
    if (s->npool < POOL_MAX(s)) {
        s->pool[s->npool++] = (coda_mpi_pooled){b, size};
        return;
    }
    size_t small = 0;
    for (size_t i = 1; i < s->npool; i++)
        if (s->pool[i].size < s->pool[small].size)
            small = i;
    if (s->npool && s->pool[small].size < size) {
        free(s->pool[small].buf);
        s->pool[small] = (coda_mpi_pooled){b, size};
    } else {
        free(b);
    }
}

static void pool_free(mpi_state *s)
{
    for (size_t i = 0; i < s->npool; i++)
        free(s->pool[i].buf);
    s->npool = 0;
}

static void out_free(mpi_state *s, outgoing *o)
{
    if (o) {
        if (o->pooled)
            pool_give(s, o->bytes, o->pooled);
        else
            free(o->bytes);
        free(o);
    }
}

/* Retire the sends that have completed (never waits). */
static void sends_progress(mpi_state *s)
{
    size_t keep = 0;
    for (size_t i = 0; i < s->nsend; i++) {
        int done = 0;
        MPI_Test(&s->sreq[i], &done, MPI_STATUS_IGNORE);
        if (done) {
            s->out[s->sout[i]]->refs--;
        } else {
            s->sreq[keep] = s->sreq[i];
            s->sout[keep++] = s->sout[i];
        }
    }
    s->nsend = keep;
    for (size_t i = 0; i < s->nout; i++)
        if (s->out[i] && s->out[i]->refs == 0) {
            out_free(s, s->out[i]);
            s->out[i] = NULL;
        }
}

/* Room for `more` sends in flight, made before they are posted: a posted send is always
 * counted, so its buffer is never reused or freed while MPI reads it. */
static int sends_reserve(mpi_state *s, size_t more, coda_err *e)
{
    if (s->nsend + more <= s->capsend)
        return 0;
    size_t cap = s->capsend ? 2 * s->capsend : 64;
    while (cap < s->nsend + more)
        cap *= 2;
    MPI_Request *q = realloc(s->sreq, cap * sizeof *q);
    if (q)
        s->sreq = q;
    int *w = realloc(s->sout, cap * sizeof *w);
    if (w)
        s->sout = w;
    if (!q || !w)
        return coda_fail_oom(e);
    s->capsend = cap;
    return 0;
}

static void add_send(mpi_state *s, MPI_Request r, int o)
{
    s->sreq[s->nsend] = r;
    s->sout[s->nsend++] = o;
    s->out[o]->refs++;
}

/* Send op with its payload to worker `to` (-1: every worker) without waiting: a busy worker
 * takes it when it can. buf (taken over, NULL for none) holds room for the header, then the
 * len payload bytes: the header goes in front of them, and one message carries both. */
enum { ROOM = sizeof(coda_mpi_ctl) };
static int post_ctl(mpi_state *s, int to, int64_t op, int64_t set, int64_t round,
                    int64_t status, double load, char *buf, size_t pooled, size_t len,
                    coda_err *e)
{
    sends_progress(s);
    int inl = len <= CODA_MPI_CHUNK - ROOM;
    outgoing *o = calloc(1, sizeof *o);
    if (!buf)
        buf = malloc(ROOM), pooled = 0;
    if (!o || !buf) {
        free(o);
        if (pooled)
            pool_give(s, buf, pooled);
        else
            free(buf);
        return coda_fail_oom(e);
    }
    o->pooled = pooled;
    coda_mpi_ctl h = {.op = op, .round = round, .nbytes = (int64_t)len, .status = status,
                      .inline_ = inl, .cap = (int64_t)s->cap, .load = load, .set = set};
    memcpy(buf, &h, sizeof h);
    char *msg = buf;
    if (!inl)
        o->chunked = buf + ROOM; /* (inside bytes: freed with it) */
    o->bytes = msg;
    o->len = len;
    size_t slot = 0;
    while (slot < s->nout && s->out[slot])
        slot++;
    if (slot == s->nout) {
        outgoing **more = realloc(s->out, (s->nout + 1) * sizeof *more);
        if (!more) {
            out_free(s, o);
            return coda_fail_oom(e);
        }
        s->out = more;
        s->out[s->nout++] = NULL;
    }
    s->out[slot] = o;
    int mlen = (int)(ROOM + (inl ? len : 0));
    size_t per = 1 + (inl ? 0 : (size_t)coda_mpi_nchunks(len));
    if (sends_reserve(s, (to < 0 ? (size_t)s->N : 1) * per, e) < 0)
        return -1; /* (o, sent to nobody, is freed once sends_progress finds refs 0) */
    for (int w = to < 0 ? 0 : to; w < (to < 0 ? s->N : to + 1); w++) {
        MPI_Request r;
        MPI_Isend(msg, mlen, MPI_BYTE, w + 1, TAG_CTRL, MPI_COMM_WORLD, &r);
        add_send(s, r, (int)slot);
        for (size_t at = 0; !inl && at < len; at += CODA_MPI_CHUNK) {
            size_t k = len - at < CODA_MPI_CHUNK ? len - at : CODA_MPI_CHUNK;
            MPI_Isend(o->chunked + at, (int)k, MPI_BYTE, w + 1, TAG_CTRL_DATA, MPI_COMM_WORLD,
                      &r);
            add_send(s, r, (int)slot);
        }
    }
    return 0;
}

/* The payloads of set's last round (set < 0: every set's) go back to the pool. */
static void round_bufs_free(mpi_state *s, int set)
{
    size_t keep = 0;
    for (size_t i = 0; i < s->nbufs; i++)
        if (set >= 0 && s->bufset[i] != set) {
            s->bufs[keep] = s->bufs[i];
            s->bufsize[keep] = s->bufsize[i];
            s->bufset[keep++] = s->bufset[i];
        } else {
            pool_give(s, s->bufs[i], s->bufsize[i]);
        }
    s->nbufs = keep;
}

static int keep_buf(mpi_state *s, char *b, size_t size, int set, coda_err *e)
{
    if (s->nbufs == s->capbufs) {
        size_t cap = s->capbufs ? 2 * s->capbufs : 16;
        char **more = realloc(s->bufs, cap * sizeof *more);
        if (more)
            s->bufs = more;
        size_t *sz = realloc(s->bufsize, cap * sizeof *sz);
        if (sz)
            s->bufsize = sz;
        int *st = realloc(s->bufset, cap * sizeof *st);
        if (st)
            s->bufset = st;
        if (!more || !sz || !st) {
            free(b);
            return coda_fail_oom(e);
        }
        s->capbufs = cap;
    }
    s->bufs[s->nbufs] = b;
    s->bufsize[s->nbufs] = size;
    s->bufset[s->nbufs++] = set;
    return 0;
}

static int post_recv(mpi_state *s, int w, coda_err *e)
{
    s->rbuf[w] = pool_take(s, sizeof(coda_mpi_result_head) + s->cap, &s->rcap[w]);
    if (!s->rbuf[w])
        return coda_fail_oom(e);
    MPI_Irecv(s->rbuf[w], (int)(sizeof(coda_mpi_result_head) + s->cap), MPI_BYTE, w + 1,
              MPI_ANY_TAG, MPI_COMM_WORLD, &s->rreq[w]);
    return 0;
}

/* Worker w's posted receive completed with st: 1 for BYE, 0 for a result, its head in *h and
 * its bytes at *data inside *owned (the caller's to keep or free); the receive is posted
 * again (not after BYE). */
static int arrival(mpi_state *s, int w, const MPI_Status *st, coda_mpi_result_head *h,
                   char **owned, size_t *owned_size, char **data, coda_err *e)
{
    char *b = s->rbuf[w];
    s->rbuf[w] = NULL;
    *owned = *data = NULL;
    *owned_size = s->rcap[w];
    if (st->MPI_TAG == TAG_BYE) {
        pool_give(s, b, s->rcap[w]);
        return 1;
    }
    int count = 0;
    MPI_Get_count(st, MPI_BYTE, &count);
    if (count >= (int)sizeof *h)
        memcpy(h, b, sizeof *h);
    /* the head says what follows: in this message (exactly), or in data messages */
    if (count < (int)sizeof *h || h->nbytes < 0 ||
        (size_t)count != sizeof *h + (h->inline_ ? (size_t)h->nbytes : 0)) {
        pool_give(s, b, s->rcap[w]);
        return coda_failc(e, CODA_E_IO, "worker %d sent %d bytes for a result of %lld", w,
                          count, count >= (int)sizeof *h ? (long long)h->nbytes : -1LL);
    }
    if (h->inline_) {
        *owned = b;
        *data = b + sizeof *h;
    } else { /* into a pooled buffer: warm pages */
        pool_give(s, b, s->rcap[w]);
        *owned = pool_take(s, (size_t)h->nbytes + 1, owned_size);
        if (!*owned)
            return coda_fail_oom(e);
        if (coda_mpi_recv_into(*owned, (size_t)h->nbytes, w + 1, TAG_RESULT_DATA, e) < 0) {
            pool_give(s, *owned, *owned_size);
            *owned = NULL;
            return -1;
        }
        *data = *owned;
    }
    return post_recv(s, w, e);
}

/* Whether the workers have been told to stop (and said goodbye): a process-wide fact, as MPI's
 * own state is, so that a program's last-resort stop never waits for workers already gone. */
static int workers_stopped;

static void mpi_close(coda_engine *g)
{
    mpi_state *s = g->state;
    if (!s)
        return;
    coda_err e;
    if (!s->rreq || workers_stopped)
        goto release;
    size_t len = s->stop_msg ? strlen(s->stop_msg) : 0;
    char *msg = malloc(ROOM + len + 1);
    if (!msg)
        len = 0; /* (post_ctl makes room for the header alone) */
    else if (len)
        memcpy(msg + ROOM, s->stop_msg, len);
    if (post_ctl(s, -1, MSG_STOP, -1, -1, s->stop_status, 0, msg, 0, len, &e) == 0) {
        /* every worker answers STOP with BYE, after what it was doing: drain until then (a
         * late result is received and dropped, so its sender never blocks) */
        for (int w = 0; w < s->N; w++) {
            if (s->gone[w])
                continue;
            if (s->rreq[w] == MPI_REQUEST_NULL && post_recv(s, w, &e) < 0) /* no shards sent */
                break;
            for (;;) {
                MPI_Status st;
                coda_mpi_result_head h;
                char *owned, *data;
                size_t osize;
                MPI_Wait(&s->rreq[w], &st);
                int bye = arrival(s, w, &st, &h, &owned, &osize, &data, &e);
                pool_give(s, owned, osize);
                if (bye != 0)
                    break;
                s->stale++;
            }
        }
        /* each worker has taken every message sent to it before STOP */
        if (s->nsend && !s->ngone)
            MPI_Waitall((int)s->nsend, s->sreq, MPI_STATUSES_IGNORE);
        s->nsend = 0;
        workers_stopped = 1;
    }
release:
    round_bufs_free(s, -1);
    for (size_t i = 0; i < s->nout; i++) /* (an operand's buffer goes to the pool: first) */
        out_free(s, s->out[i]);
    free(s->out);
    pool_free(s);
    free(s->bufs);
    free(s->bufsize);
    free(s->bufset);
    free(s->setload);
    free(s->pool);
    free(s->sreq);
    free(s->sout);
    for (int w = 0; s->rbuf && w < s->N; w++)
        free(s->rbuf[w]);
    free(s->rreq);
    free(s->rbuf);
    free(s->rcap);
    free(s->latency);
    free(s->responded);
    free(s->straggled);
    free(s->corrupt);
    free(s->failed);
    free(s->gone);
    free(s->idx);
    free(s->st);
    free(s->stop_msg);
    coda_straggle_free(&s->drawn);
    free(s);
    g->state = NULL;
}

static int mpi_open(coda_engine *g, int N, const void *config, coda_err *e)
{
    int up = 0, size = 0, rank = 0;
    MPI_Initialized(&up);
    if (!up)
        return coda_failc(e, CODA_E_USAGE, "the mpi engine runs under mpirun (MPI is not "
                                           "initialised)");
    MPI_Comm_size(MPI_COMM_WORLD, &size);
    MPI_Comm_rank(MPI_COMM_WORLD, &rank);
    if (rank != 0)
        return coda_failc(e, CODA_E_USAGE, "the mpi engine's master is rank 0, not %d", rank);
    if (size != N + 1)
        return coda_failc(e, CODA_E_USAGE, "the plan has %d workers, so it needs mpirun -n %d "
                                           "(the master and %d workers); this job has %d "
                                           "processes", N, N + 1, N, size);
    const coda_mpi_config *cfg = config;
    for (size_t i = 0; i < cfg->nfail; i++)
        if (cfg->fail[i] < 0 || cfg->fail[i] >= N)
            return coda_failc(e, CODA_E_USAGE, "--fail-workers: worker %ld outside 0..%d",
                              cfg->fail[i], N - 1);
    mpi_state *s = calloc(1, sizeof *s);
    if (!s)
        return coda_fail_oom(e);
    g->state = s;
    s->cfg = *cfg;
    s->N = N;
    s->rreq = malloc((size_t)N * sizeof *s->rreq);
    s->rbuf = calloc((size_t)N, sizeof *s->rbuf);
    s->rcap = calloc((size_t)N, sizeof *s->rcap);
    s->pool = calloc(POOL_MAX(s), sizeof *s->pool);
    s->cap = CAP_FIRST;
    s->latency = calloc((size_t)N, sizeof *s->latency);
    s->responded = calloc((size_t)N, 1);
    s->straggled = calloc((size_t)N, 1);
    s->corrupt = calloc((size_t)N, 1);
    s->failed = calloc((size_t)N, 1);
    s->gone = calloc((size_t)N, 1);
    s->idx = calloc((size_t)N, sizeof *s->idx);
    s->st = calloc((size_t)N, sizeof *s->st);
    if (!s->rreq || !s->rbuf || !s->rcap || !s->pool || !s->latency || !s->responded || !s->straggled || !s->corrupt ||
        !s->failed || !s->gone || !s->idx || !s->st) {
        mpi_close(g); /* (nothing was sent: the caller stops the workers) */
        return coda_fail_oom(e);
    }
    for (int w = 0; w < N; w++)
        s->rreq[w] = MPI_REQUEST_NULL;
    for (size_t i = 0; i < cfg->nfail; i++)
        s->failed[cfg->fail[i]] = 1;
    return 0;
}

static int mpi_install(coda_engine *g, coda_frame *tasks, size_t n, double load, int *set,
                       coda_err *e)
{
    mpi_state *s = g->state;
    int N = s->N, rc = 0;
    if (s->install_failed)
        rc = coda_fail(e, "the MPI engine is unusable after a failed install");
    for (size_t k = 0; k < n && rc == 0; k++) {
        int64_t w = tasks[k].tag[CODA_TAG_WORKER];
        if (tasks[k].kind != CODA_TASK || w < 0 || w >= N) {
            rc = coda_fail(e, "task %zu: worker tag %lld outside 0..%d", k, (long long)w, N - 1);
            break;
        }
    }
    double *more = rc == 0 ? realloc(s->setload, (size_t)(s->nsets + 1) * sizeof *more) : NULL;
    if (rc == 0 && !more)
        rc = coda_fail_oom(e);
    if (rc == 0)
        s->setload = more;
    int k = s->nsets;
    /* each worker's tasks in stream order, as one message; sent without waiting, as every
     * message to a worker is (a worker may be busy sending an earlier set's result), so the
     * serialised shards are held until the workers have taken them (at once, when idle) */
    coda_frame *mine = rc == 0 ? malloc((n ? n : 1) * sizeof *mine) : NULL;
    if (!mine && rc == 0)
        rc = coda_fail_oom(e);
    for (int w = 0; w < N && rc == 0; w++) {
        size_t m = 0;
        for (size_t i = 0; i < n; i++)
            if (tasks[i].tag[CODA_TAG_WORKER] == w)
                mine[m++] = tasks[i]; /* shallow: serialised, not kept */
        char *bytes = NULL;
        size_t len = 0;
        if (coda_frames_to_bytes_after(mine, m, ROOM, &bytes, &len, e) < 0 ||
            post_ctl(s, w, MSG_INSTALL, k, -1, 0, load, bytes, 0, len, e) < 0)
            rc = -1;
        else if (s->rreq[w] == MPI_REQUEST_NULL) /* the first set: the worker's one receive */
            rc = post_recv(s, w, e);
        s->install_failed |= rc < 0;
        /* serialised: w's frames go now, so that rank 0 holds one copy of the tasks, not two */
        for (size_t i = 0; i < n; i++)
            if (tasks[i].tag[CODA_TAG_WORKER] == w)
                coda_frame_free(&tasks[i]);
    }
    free(mine);
    for (size_t i = 0; i < n; i++) /* (after an error: those not yet sent) */
        coda_frame_free(&tasks[i]);
    if (rc == 0) {
        s->setload[k] = load;
        *set = s->nsets++;
    }
    return rc;
}

/* What the delay model says of this round: the workers it fails never answer (the master
 * needs to know so that, with no policy, it waits for the others only). */
static int expected_this_round(mpi_state *s, int set, unsigned long long round, coda_err *e)
{
    int expect = 0;
    /* no draw needed to know who answers (the workers skip it on the same condition) */
    if (!s->cfg.delay_on && !coda_straggle_may_fail(&s->cfg.delay)) {
        for (int w = 0; w < s->N; w++)
            expect += !s->failed[w];
        return expect;
    }
    coda_straggle_free(&s->drawn);
    coda_straggle_model m = s->cfg.delay;
    m.round = round;
    m.wait_for = -1;
    m.deadline = -1;
    if (coda_straggle_draw(&m, s->N, s->setload[set], &s->drawn, e) < 0)
        return -1;
    for (int w = 0; w < s->N; w++)
        expect += !s->failed[w] && isfinite(s->drawn.latency[w]);
    return expect;
}

static int mpi_round(coda_engine *g, int set, unsigned long long round, const coda_mat *operand,
                     const coda_policy *p, coda_frame_list *out, coda_round_info *info,
                     coda_err *e)
{
    mpi_state *s = g->state;
    int N = s->N;
    if (set < 0 || set >= s->nsets)
        return coda_fail(e, "the engine has no task set %d (%d installed)", set, s->nsets);
    if (s->install_failed)
        return coda_fail(e, "the MPI engine is unusable after a failed install");
    int expect = expected_this_round(s, set, round, e);
    if (expect < 0)
        return -1;
    coda_adversary adv = s->cfg.adversary;
    adv.round = round;
    if (coda_adversary_draw(&adv, N, s->corrupt, e) < 0)
        return -1;
    round_bufs_free(s, set); /* this set's last results are gone (see coda_engine_mpi) */
    /* the operand, as a MATRIX frame (none: the workers use their own) */
    /* a copy in a pooled buffer: the operand may change before a straggler has taken it */
    char *bytes = NULL;
    size_t len = 0, size = 0;
    if (operand && operand->data) {
        coda_frame f;
        coda_frame_init(&f, CODA_MATRIX);
        f.mat = *operand; /* borrowed */
        if (coda_frames_bytes_len(&f, 1, &len, e) < 0)
            return -1;
        if (!(bytes = pool_take(s, ROOM + len + 1, &size)))
            return coda_fail_oom(e);
        if (coda_frames_write_bytes(&f, 1, bytes + ROOM, e) < 0) {
            pool_give(s, bytes, size);
            return -1;
        }
    }
    double t0 = MPI_Wtime();
    if (post_ctl(s, -1, MSG_ROUND, set, (int64_t)round, 0, s->setload[set], bytes, size, len,
                 e) < 0)
        return -1;
    memset(s->responded, 0, (size_t)N);
    memset(s->straggled, 1, (size_t)N);
    for (int w = 0; w < N; w++)
        s->latency[w] = INFINITY;
    int got = 0, rc = 0, done = expect == 0;
    double time = 0;
    while (!done && rc == 0) {
        int nd = 0;
        if (p->deadline >= 0) {
            /* poll, so that the deadline is kept */
            MPI_Testsome(N, s->rreq, &nd, s->idx, s->st);
            if (nd == 0 || nd == MPI_UNDEFINED) {
                double now = MPI_Wtime() - t0;
                if (now >= p->deadline) {
                    time = p->deadline;
                    break;
                }
                struct timespec ts = {0, 100000}; /* 0.1 ms */
                nanosleep(&ts, NULL);
                continue;
            }
        } else {
            MPI_Waitsome(N, s->rreq, &nd, s->idx, s->st);
            if (nd == MPI_UNDEFINED) {
                rc = coda_failc(e, CODA_E_IO, "no receive is posted (a worker left the job)");
                break;
            }
        }
        double landed = MPI_Wtime() - t0; /* when this batch's messages had all arrived */
        for (int k = 0; k < nd && rc == 0; k++) {
            int w = s->idx[k];
            int tag = s->st[k].MPI_TAG;
            coda_mpi_result_head h;
            char *payload, *data;
            size_t psize;
            int bye = arrival(s, w, &s->st[k], &h, &payload, &psize, &data, e);
            /* a result has arrived when its last byte has: a large one's data follow its
             * head, and are received just now */
            double now = bye == 0 && !h.inline_ ? MPI_Wtime() - t0 : landed;
            if (bye < 0)
                pool_give(s, payload, psize); /* (received, then the next receive failed) */
            if (bye != 0) {
                if (bye > 0) {
                    s->gone[w] = 1;
                    s->ngone++;
                    rc = coda_failc(e, CODA_E_IO, "worker %d left the job during round %llu", w,
                                    round);
                } else {
                    rc = -1;
                }
                break;
            }
            /* a result of an earlier round, or of another job's, is stale */
            int same_set = h.set == set;
            int current = same_set && h.round == (int64_t)round && tag == RESULT_TAG(round);
            if (h.status != 0) {
                if (current || !s->cfg.keep_stale)
                    rc = coda_fail(e, "worker %d, round %lld: %.*s", w, (long long)h.round,
                                   (int)(h.nbytes < 900 ? h.nbytes : 900), data);
            } else if (!current && (!s->cfg.keep_stale || !same_set)) {
                s->stale++; /* the round it answers is over */
            } else if (s->responded[w] && current) {
                rc = coda_fail(e, "worker %d answered round %llu twice", w, round);
            } else if (!(p->deadline >= 0 && now > p->deadline) &&
                       !(p->wait_for > 0 && got >= p->wait_for)) {
                char name[48];
                snprintf(name, sizeof name, "worker %d's results", w);
                size_t before = out->n;
                /* views into the message, kept until the next round */
                rc = coda_frames_view_bytes(data, (size_t)h.nbytes, name, out, e);
                if (keep_buf(s, payload, psize, set, e) < 0)
                    rc = -1;
                payload = NULL;
                for (size_t i = before; i < out->n && rc == 0; i++) {
                    if (out->f[i].kind != CODA_RESULT ||
                        out->f[i].tag[CODA_TAG_WORKER] != w)
                        rc = coda_fail(e, "%s: frame %zu is not a RESULT of worker %d", name,
                                       i - before, w);
                    out->f[i].tag[CODA_TAG_ITER] = h.round;
                }
                if (current) {
                    s->responded[w] = 1;
                    s->straggled[w] = 0;
                    s->latency[w] = now;
                    got++;
                    time = now;
                }
            }
            pool_give(s, payload, psize);
        }
        if (rc < 0)
            break;
        if ((p->wait_for > 0 && got >= p->wait_for) || got >= expect ||
            (p->decodable && got > 0 && p->decodable(p->ctx, out->f, out->n)))
            done = 1;
    }
    sends_progress(s);
    *info = (coda_round_info){.N = N,
                              .responders = got,
                              .time = time,
                              .uncoded = NAN,
                              .latency = s->latency,
                              .responded = s->responded,
                              .straggled = s->straggled,
                              .corrupt = s->corrupt};
    return rc;
}

void coda_mpi_engine_fail(coda_engine *g, int status, const char *msg)
{
    mpi_state *s = g->state;
    if (!s || g->type != &coda_engine_mpi)
        return;
    s->stop_status = status;
    free(s->stop_msg);
    s->stop_msg = msg ? strdup(msg) : NULL;
}

long coda_mpi_engine_stale(const coda_engine *g)
{
    const mpi_state *s = g->state;
    return s && g->type == &coda_engine_mpi ? s->stale : 0;
}

void coda_mpi_stop_workers(int status, const char *msg)
{
    if (workers_stopped)
        return;
    workers_stopped = 1;
    int size = 0;
    MPI_Comm_size(MPI_COMM_WORLD, &size);
    size_t len = msg ? strlen(msg) : 0;
    for (int r = 1; r < size; r++) {
        coda_mpi_ctl h = {.op = MSG_STOP, .round = -1, .nbytes = (int64_t)len, .status = status};
        MPI_Send(&h, (int)sizeof h, MPI_BYTE, r, TAG_CTRL, MPI_COMM_WORLD);
        if (len)
            coda_mpi_send_bytes(msg, len, r, TAG_CTRL_DATA);
    }
    for (int r = 1; r < size; r++) /* nothing but BYE can come: no worker has its shards */
        MPI_Recv(NULL, 0, MPI_BYTE, r, TAG_BYE, MPI_COMM_WORLD, MPI_STATUS_IGNORE);
}

const coda_engine_type coda_engine_mpi = {"mpi", mpi_open, mpi_install, mpi_round, mpi_close};
