/* The MPI engine, the workers' side (ranks 1..N): hold the shards, answer each round with the
 * worker stage (lib/work), and leave when the master says stop. The protocol is
 * lib/engine/mpi_proto.h. */
#include <math.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <time.h>

#include "../core/threads.h"
#include "../io/wire.h"
#include "../work/work.h"
#include "mpi.h"
#include "mpi_proto.h"

/* A control message and its payload (bytes points into base, which is what to free). */
typedef struct {
    coda_mpi_ctl h;
    char *base, *bytes;
    size_t cap; /* base's size */
} ctl_msg;

/* One spare message buffer: a round's operand arrives in the last round's pages (warm, no
 * page faults), as a bare exchange reusing its buffer would. */
typedef struct {
    char *buf;
    size_t cap;
} spare_buf;

static void ctl_free(ctl_msg *m, spare_buf *sp)
{
    if (m->base && sp && m->cap > sp->cap) {
        free(sp->buf);
        sp->buf = m->base;
        sp->cap = m->cap;
    } else {
        free(m->base);
    }
    memset(m, 0, sizeof *m);
}

/* The next message from the master, whatever its size (a matched probe, then the receive). */
static int recv_ctl(ctl_msg *m, spare_buf *sp, coda_err *e)
{
    memset(m, 0, sizeof *m);
    MPI_Message msg;
    MPI_Status st;
    int count = 0;
    if (MPI_Mprobe(0, TAG_CTRL, MPI_COMM_WORLD, &msg, &st) != MPI_SUCCESS ||
        MPI_Get_count(&st, MPI_BYTE, &count) != MPI_SUCCESS || count < (int)sizeof m->h)
        return coda_failc(e, CODA_E_IO, "receiving from the master failed");
    if (sp && sp->buf && sp->cap >= (size_t)count + 1) {
        m->base = sp->buf, m->cap = sp->cap;
        sp->buf = NULL, sp->cap = 0;
    } else {
        m->base = malloc((size_t)count + 1), m->cap = (size_t)count + 1;
        if (!m->base)
            return coda_fail_oom(e);
    }
    if (MPI_Mrecv(m->base, count, MPI_BYTE, &msg, MPI_STATUS_IGNORE) != MPI_SUCCESS)
        return coda_failc(e, CODA_E_IO, "receiving from the master failed");
    memcpy(&m->h, m->base, sizeof m->h);
    if (m->h.nbytes < 0 || (m->h.inline_ && (size_t)count != sizeof m->h + (size_t)m->h.nbytes))
        return coda_failc(e, CODA_E_IO, "a message from the master has %d bytes for %lld",
                          count, (long long)m->h.nbytes);
    if (m->h.inline_) {
        m->bytes = m->base + sizeof m->h;
        m->bytes[m->h.nbytes] = '\0';
        return 0;
    }
    free(m->base);
    m->base = NULL;
    if (coda_mpi_recv_bytes(&m->base, (size_t)m->h.nbytes, 0, TAG_CTRL_DATA, e) < 0)
        return -1;
    m->cap = (size_t)m->h.nbytes + 1;
    m->bytes = m->base;
    return 0;
}

static int ctl_waiting(void)
{
    int flag = 0;
    MPI_Iprobe(0, TAG_CTRL, MPI_COMM_WORLD, &flag, MPI_STATUS_IGNORE);
    return flag;
}

/* One job's shards on this worker. */
typedef struct {
    coda_frame_list tasks;
    char *shards; /* the install message: the tasks are views into it */
    char *broken; /* the shards could not be taken: every round is answered with this */
    double load;  /* the job's plan's, for the delay models that scale by it */
} task_set;

typedef struct {
    const coda_mpi_config *cfg;
    int w, N;
    task_set *sets;
    int nsets;
    char *corrupt;
    ctl_msg next;   /* the newest round waiting (op 0: none) */
    int stop;       /* STOP arrived: its status, +1 */
    char *stop_msg;
    spare_buf spare;
} worker;

/* INSTALL: the next task set, taken over from the message (the tasks are views into it). */
static int install(worker *k, ctl_msg *m, coda_err *e)
{
    if (m->h.set != k->nsets)
        return coda_failc(e, CODA_E_IO, "the master sent task set %lld, expected %d",
                          (long long)m->h.set, k->nsets);
    task_set *more = realloc(k->sets, (size_t)(k->nsets + 1) * sizeof *more);
    if (!more)
        return coda_fail_oom(e);
    k->sets = more;
    task_set *t = &k->sets[k->nsets++];
    memset(t, 0, sizeof *t);
    t->load = m->h.load;
    t->shards = m->base;
    char *at = m->bytes;
    size_t len = (size_t)m->h.nbytes;
    memset(m, 0, sizeof *m);
    coda_err we;
    if (coda_frames_view_bytes(at, len, "the shards", &t->tasks, &we) < 0 &&
        !(t->broken = strdup(we.msg)))
        return coda_fail_oom(e);
    return 0;
}

/* Take what the master sent meanwhile: a task set is installed at once, a newer round
 * replaces the one waiting (a worker that fell behind answers the newest, whatever its set:
 * the master runs one round at a time); STOP ends everything. */
static int take_pending(worker *k, coda_err *e)
{
    while (!k->stop && ctl_waiting()) {
        ctl_msg m;
        if (recv_ctl(&m, &k->spare, e) < 0) {
            ctl_free(&m, NULL);
            return -1;
        }
        if (m.h.op == MSG_STOP) {
            k->stop = (int)m.h.status + 1;
            k->stop_msg = strdup(m.bytes);
            ctl_free(&m, &k->spare);
        } else if (m.h.op == MSG_INSTALL) {
            int rc = install(k, &m, e);
            ctl_free(&m, NULL);
            if (rc < 0)
                return -1;
        } else {
            ctl_free(&k->next, &k->spare);
            k->next = m;
        }
    }
    return 0;
}

/* Sleep s seconds, answering the master's messages meanwhile (a stop cuts it short). */
static int delay(worker *k, double s, coda_err *e)
{
    double until = MPI_Wtime() + s;
    while (!k->stop) {
        double left = until - MPI_Wtime();
        if (left <= 0)
            break;
        double step = left < 1e-3 ? left : 1e-3;
        struct timespec ts = {0, (long)(step * 1e9)};
        nanosleep(&ts, NULL);
        if (take_pending(k, e) < 0)
            return -1;
    }
    return 0;
}

static int is_failed(const coda_mpi_config *cfg, int w)
{
    for (size_t i = 0; i < cfg->nfail; i++)
        if (cfg->fail[i] == w)
            return 1;
    return 0;
}

/* An answer as one message (its head, then pieces gathered from where they lie: no copy into
 * a send buffer) when it fits in the master's posted receive (cap), else the head and then
 * each piece as its own messages. */
static int send_answer(int64_t set, int64_t round, int status, const char *const *at,
                       const size_t *len, size_t n, size_t cap, coda_err *e)
{
    size_t total = 0;
    for (size_t i = 0; i < n; i++)
        total += len[i];
    coda_mpi_result_head h = {.round = round, .nbytes = (int64_t)total, .status = status,
                              .inline_ = total <= cap, .set = set};
    int tag = RESULT_TAG((uint64_t)round), rc = 0;
    if (!h.inline_) { /* the head, then each piece where it lies (contiguous: single copy) */
        if (MPI_Send(&h, (int)sizeof h, MPI_BYTE, 0, tag, MPI_COMM_WORLD) != MPI_SUCCESS)
            rc = -1;
        for (size_t i = 0; i < n && rc == 0; i++)
            if (len[i] && coda_mpi_send_bytes(at[i], len[i], 0, TAG_RESULT_DATA) < 0)
                rc = -1;
    } else if (total <= (1u << 14)) { /* small: one copy is cheaper than a datatype */
        char *flat = malloc(sizeof h + total);
        if (!flat)
            return coda_fail_oom(e);
        memcpy(flat, &h, sizeof h);
        for (size_t i = 0, o = sizeof h; i < n; o += len[i], i++)
            if (len[i])
                memcpy(flat + o, at[i], len[i]);
        rc = MPI_Send(flat, (int)(sizeof h + total), MPI_BYTE, 0, tag, MPI_COMM_WORLD) ==
                     MPI_SUCCESS ? 0 : -1;
        free(flat);
    } else {
        int *bl = malloc((n + 1) * sizeof *bl);
        MPI_Aint *disp = malloc((n + 1) * sizeof *disp);
        MPI_Datatype t;
        if (!bl || !disp) {
            free(bl);
            free(disp);
            return coda_fail_oom(e);
        }
        bl[0] = (int)sizeof h;
        MPI_Get_address(&h, &disp[0]);
        for (size_t i = 0; i < n; i++) {
            bl[i + 1] = (int)len[i];
            MPI_Get_address(len[i] ? (void *)at[i] : (void *)&h, &disp[i + 1]);
        }
        if (MPI_Type_create_hindexed((int)n + 1, bl, disp, MPI_BYTE, &t) != MPI_SUCCESS ||
            MPI_Type_commit(&t) != MPI_SUCCESS)
            rc = -1;
        else {
            rc = MPI_Send(MPI_BOTTOM, 1, t, 0, tag, MPI_COMM_WORLD) == MPI_SUCCESS ? 0 : -1;
            MPI_Type_free(&t);
        }
        free(bl);
        free(disp);
    }
    return rc < 0 ? coda_failc(e, CODA_E_IO, "sending round %lld to the master failed",
                               (long long)round)
                  : 0;
}

static int send_text(int64_t set, int64_t round, const char *msg, size_t cap, coda_err *e)
{
    size_t n = strlen(msg);
    return send_answer(set, round, 1, &msg, &n, 1, cap, e);
}

/* One round: the drawn delay, the ops, the (possibly corrupted) results to the master. A
 * failure of the worker's own computation goes to the master as its answer. */
static int answer(worker *k, ctl_msg *m, coda_err *e)
{
    const coda_mpi_config *cfg = k->cfg;
    unsigned long long round = (unsigned long long)m->h.round;
    if (is_failed(cfg, k->w))
        return 0;
    size_t cap = (size_t)m->h.cap;
    int64_t set = m->h.set;
    const task_set *t = &k->sets[set]; /* (checked by the caller) */
    if (t->broken)
        return send_text(set, m->h.round, t->broken, cap, e);
    if (cfg->delay_on || coda_straggle_may_fail(&cfg->delay)) {
        coda_straggle_model dm = cfg->delay;
        dm.round = round;
        dm.wait_for = -1;
        dm.deadline = -1;
        coda_straggle_outcome o;
        if (coda_straggle_draw(&dm, k->N, t->load, &o, e) < 0)
            return -1;
        double lat = o.latency[k->w];
        coda_straggle_free(&o);
        if (!isfinite(lat)) /* the model fails this worker this round */
            return 0;
        if (cfg->delay_on && delay(k, lat * cfg->delay_scale, e) < 0)
            return -1;
    }
    if (k->stop)
        return 0;
    t = &k->sets[set]; /* a set installed during the delay may have moved the array */
    coda_frame_list op = {0}, res = {0};
    coda_err we;
    /* the operand is read where it arrived (a view into the message) */
    int rc = coda_frames_view_bytes(m->bytes, (size_t)m->h.nbytes, "the round's operand", &op,
                                    &we);
    if (rc == 0 && op.n > 1)
        rc = coda_fail(&we, "the round's operand is %zu frames, not one", op.n);
    coda_adversary adv = cfg->adversary;
    adv.round = round;
    if (rc == 0)
        rc = coda_adversary_draw(&adv, k->N, k->corrupt, &we);
    coda_corruption bad = {&adv, k->corrupt};
    if (rc == 0)
        rc = coda_worker_run_as(t->tasks.f, t->tasks.n, k->w, op.n ? &op.f[0].mat : NULL, NAN,
                                &bad, coda_frame_list_sink, &res, &we);
    coda_wire_pieces pc = {0};
    char *bytes = NULL;
    size_t len = 0;
    int sent;
    if (rc < 0)
        sent = send_text(set, (int64_t)round, we.msg, cap, e); /* its own failure: its answer */
    else if (coda_frames_to_pieces(res.f, res.n, &pc, &we) == 0)
        sent = send_answer(set, (int64_t)round, 0, pc.at, pc.len, pc.n, cap, e);
    else if (coda_frames_to_bytes(res.f, res.n, &bytes, &len, &we) == 0) /* views: a copy */
        sent = send_answer(set, (int64_t)round, 0, (const char *const *)&bytes, &len, 1, cap,
                           e);
    else
        sent = send_text(set, (int64_t)round, we.msg, cap, e);
    coda_wire_pieces_free(&pc);
    free(bytes);
    coda_frame_list_free(&op);
    coda_frame_list_free(&res);
    return sent < 0 ? -1 : 0;
}

int coda_mpi_serve(const coda_mpi_config *cfg, coda_err *e)
{
    int rank = 0, size = 0;
    MPI_Comm_rank(MPI_COMM_WORLD, &rank);
    MPI_Comm_size(MPI_COMM_WORLD, &size);
    worker k = {.cfg = cfg, .w = rank - 1, .N = size - 1};
    coda_blas_serial(); /* one process per core: the worker's BLAS runs in its own process */
    int rc = 0;
    if (!(k.corrupt = calloc((size_t)k.N, 1)))
        rc = coda_fail_oom(e);
    while (rc == 0 && !k.stop) {
        ctl_msg m;
        if (k.next.h.op) { /* a round that came in while busy */
            m = k.next;
            memset(&k.next, 0, sizeof k.next);
        } else if (recv_ctl(&m, &k.spare, e) < 0) {
            ctl_free(&m, NULL);
            rc = -1;
            break;
        }
        if (m.h.op == MSG_STOP) {
            k.stop = (int)m.h.status + 1;
            k.stop_msg = strdup(m.bytes);
            ctl_free(&m, NULL);
            break;
        }
        if (m.h.op == MSG_INSTALL) {
            rc = install(&k, &m, e);
        } else if (m.h.op == MSG_ROUND && m.h.set >= 0 && m.h.set < k.nsets) {
            rc = take_pending(&k, e);
            if (rc == 0 && k.next.h.op) { /* fell behind: the newest round instead */
                ctl_free(&m, &k.spare);
                m = k.next;
                memset(&k.next, 0, sizeof k.next);
            }
            if (rc == 0 && !k.stop && (m.h.set < 0 || m.h.set >= k.nsets))
                rc = coda_failc(e, CODA_E_IO, "the master ran task set %lld, not installed",
                                (long long)m.h.set);
            if (rc == 0 && !k.stop)
                rc = answer(&k, &m, e);
        } else {
            rc = coda_failc(e, CODA_E_IO, "unexpected message %lld from the master",
                            (long long)m.h.op);
        }
        ctl_free(&m, &k.spare);
    }
    /* the master waits for this, whatever happened here */
    MPI_Send(NULL, 0, MPI_BYTE, 0, TAG_BYE, MPI_COMM_WORLD);
    int status = rc < 0 ? 1 : k.stop ? k.stop - 1 : 0;
    if (rc == 0 && status != 0)
        coda_failc(e, status == 2 ? CODA_E_USAGE : CODA_E_DATA, "%s",
                   k.stop_msg && *k.stop_msg ? k.stop_msg : "stopped by the master");
    free(k.stop_msg);
    ctl_free(&k.next, NULL);
    free(k.spare.buf);
    free(k.corrupt);
    for (int i = 0; i < k.nsets; i++) {
        coda_frame_list_free(&k.sets[i].tasks);
        free(k.sets[i].shards);
        free(k.sets[i].broken);
    }
    free(k.sets);
    return rc < 0 ? -1 : status;
}
