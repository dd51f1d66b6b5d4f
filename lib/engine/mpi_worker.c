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

/* A control message and its payload. */
typedef struct {
    coda_mpi_ctl h;
    char *bytes;
} ctl_msg;

static int recv_ctl(ctl_msg *m, coda_err *e)
{
    memset(m, 0, sizeof *m);
    if (MPI_Recv(&m->h, (int)sizeof m->h, MPI_BYTE, 0, TAG_CTRL, MPI_COMM_WORLD,
                 MPI_STATUS_IGNORE) != MPI_SUCCESS)
        return coda_failc(e, CODA_E_IO, "receiving from the master failed");
    if (m->h.nbytes < 0)
        return coda_failc(e, CODA_E_IO, "a message from the master has %lld bytes",
                          (long long)m->h.nbytes);
    return coda_mpi_recv_bytes(&m->bytes, (size_t)m->h.nbytes, 0, TAG_CTRL_DATA, e);
}

static int ctl_waiting(void)
{
    int flag = 0;
    MPI_Iprobe(0, TAG_CTRL, MPI_COMM_WORLD, &flag, MPI_STATUS_IGNORE);
    return flag;
}

typedef struct {
    const coda_mpi_config *cfg;
    int w, N;
    double load;
    coda_frame_list tasks;
    char *corrupt;
    ctl_msg next;   /* the newest round waiting (op 0: none) */
    int stop;       /* STOP arrived: its status, +1 */
    char *stop_msg;
    char *broken; /* the shards could not be taken: every round is answered with this */
} worker;

/* Take what the master sent meanwhile: a newer round replaces the one waiting (a worker that
 * fell behind answers the newest); STOP ends everything. */
static int take_pending(worker *k, coda_err *e)
{
    while (!k->stop && ctl_waiting()) {
        ctl_msg m;
        if (recv_ctl(&m, e) < 0)
            return -1;
        if (m.h.op == MSG_STOP) {
            k->stop = (int)m.h.status + 1;
            k->stop_msg = m.bytes;
        } else {
            free(k->next.bytes);
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

static int send_result(int64_t round, int status, const char *bytes, size_t len)
{
    coda_mpi_result_head h = {.round = round, .nbytes = (int64_t)len, .status = status};
    if (MPI_Send(&h, (int)sizeof h, MPI_BYTE, 0, RESULT_TAG((uint64_t)round), MPI_COMM_WORLD) !=
        MPI_SUCCESS)
        return -1;
    return coda_mpi_send_bytes(bytes, len, 0, TAG_RESULT_DATA);
}

/* One round: the drawn delay, the ops, the (possibly corrupted) results to the master. A
 * failure of the worker's own computation goes to the master as its answer. */
static int answer(worker *k, ctl_msg *m, coda_err *e)
{
    const coda_mpi_config *cfg = k->cfg;
    unsigned long long round = (unsigned long long)m->h.round;
    if (is_failed(cfg, k->w))
        return 0;
    if (k->broken)
        return send_result(m->h.round, 1, k->broken, strlen(k->broken)) < 0
                   ? coda_failc(e, CODA_E_IO, "sending to the master failed")
                   : 0;
    coda_straggle_model dm = cfg->delay;
    dm.round = round;
    dm.wait_for = -1;
    dm.deadline = -1;
    coda_straggle_outcome o;
    if (coda_straggle_draw(&dm, k->N, k->load, &o, e) < 0)
        return -1;
    double lat = o.latency[k->w];
    coda_straggle_free(&o);
    if (!isfinite(lat)) /* the model fails this worker this round */
        return 0;
    if (cfg->delay_on && delay(k, lat * cfg->delay_scale, e) < 0)
        return -1;
    if (k->stop)
        return 0;
    coda_frame_list op = {0}, res = {0};
    coda_err we;
    int rc = coda_frames_from_bytes(m->bytes, (size_t)m->h.nbytes, "the round's operand", &op,
                                    &we);
    if (rc == 0 && op.n > 1)
        rc = coda_fail(&we, "the round's operand is %zu frames, not one", op.n);
    coda_adversary adv = cfg->adversary;
    adv.round = round;
    if (rc == 0)
        rc = coda_adversary_draw(&adv, k->N, k->corrupt, &we);
    coda_corruption bad = {&adv, k->corrupt};
    if (rc == 0)
        rc = coda_worker_run_as(k->tasks.f, k->tasks.n, k->w, op.n ? &op.f[0].mat : NULL, NAN,
                                &bad, coda_frame_list_sink, &res, &we);
    char *bytes = NULL;
    size_t len = 0;
    if (rc == 0)
        rc = coda_frames_to_bytes(res.f, res.n, &bytes, &len, &we);
    coda_frame_list_free(&op);
    coda_frame_list_free(&res);
    int sent = rc == 0 ? send_result((int64_t)round, 0, bytes, len)
                       : send_result((int64_t)round, 1, we.msg, strlen(we.msg));
    free(bytes);
    if (sent < 0)
        return coda_failc(e, CODA_E_IO, "sending round %llu to the master failed", round);
    return 0;
}

int coda_mpi_serve(const coda_mpi_config *cfg, coda_err *e)
{
    int rank = 0, size = 0;
    MPI_Comm_rank(MPI_COMM_WORLD, &rank);
    MPI_Comm_size(MPI_COMM_WORLD, &size);
    worker k = {.cfg = cfg, .w = rank - 1, .N = size - 1};
    coda_blas_serial(); /* one process per core: the worker's BLAS runs in its own process */
    int rc = 0, installed = 0;
    if (!(k.corrupt = calloc((size_t)k.N, 1)))
        rc = coda_fail_oom(e);
    while (rc == 0 && !k.stop) {
        ctl_msg m;
        if (k.next.h.op) { /* a round that came in while busy */
            m = k.next;
            memset(&k.next, 0, sizeof k.next);
        } else if (recv_ctl(&m, e) < 0) {
            rc = -1;
            break;
        }
        if (m.h.op == MSG_STOP) {
            k.stop = (int)m.h.status + 1;
            k.stop_msg = m.bytes;
            break;
        }
        if (m.h.op == MSG_INSTALL) {
            k.load = m.h.load;
            coda_frame_list_free(&k.tasks);
            coda_err we;
            if (coda_frames_from_bytes(m.bytes, (size_t)m.h.nbytes, "the shards", &k.tasks, &we) < 0 &&
                !(k.broken = strdup(we.msg)))
                rc = coda_fail_oom(e);
            installed = 1;
        } else if (m.h.op == MSG_ROUND && installed) {
            rc = take_pending(&k, e);
            if (rc == 0 && k.next.h.op) { /* fell behind: the newest round instead */
                free(m.bytes);
                m = k.next;
                memset(&k.next, 0, sizeof k.next);
            }
            if (rc == 0 && !k.stop)
                rc = answer(&k, &m, e);
        } else {
            rc = coda_failc(e, CODA_E_IO, "unexpected message %lld from the master",
                            (long long)m.h.op);
        }
        free(m.bytes);
    }
    /* the master waits for this, whatever happened here */
    MPI_Send(NULL, 0, MPI_BYTE, 0, TAG_BYE, MPI_COMM_WORLD);
    int status = rc < 0 ? 1 : k.stop ? k.stop - 1 : 0;
    if (rc == 0 && status != 0)
        coda_failc(e, status == 2 ? CODA_E_USAGE : CODA_E_DATA, "%s",
                   k.stop_msg && *k.stop_msg ? k.stop_msg : "stopped by the master");
    free(k.stop_msg);
    free(k.broken);
    free(k.next.bytes);
    free(k.corrupt);
    coda_frame_list_free(&k.tasks);
    return rc < 0 ? -1 : status;
}
