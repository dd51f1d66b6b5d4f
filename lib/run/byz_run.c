#include "byz_run.h"

#include <math.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>

#include "../codes/scheme.h"
#include "../ops/ops.h"

static int takes(const coda_scheme *sc, const char *name)
{
    for (const coda_scheme_option *o = sc ? sc->options : NULL; o && o->name; o++)
        if (strcmp(o->name, name) == 0)
            return 1;
    return 0;
}

/* A job with op on data, coded by the setup's scheme. */
static int job(coda_job *j, const coda_byz_setup *s, const char *op, const coda_mat *data,
               const char *what, int timed, coda_err *e)
{
    coda_meta opts = {0};
    int rc = s->opts ? coda_meta_copy(&opts, s->opts, e) : 0;
    if (rc == 0 && takes(coda_scheme_find(s->scheme), "adversaries"))
        rc = coda_meta_setf(&opts, e, "adversaries", "%d", s->t);
    coda_scheme_args a = {.N = s->N, .s = s->s, .op = op, .seed = s->seed, .opts = &opts,
                          .data = data};
    coda_plan plan;
    const coda_op *o = coda_op_find(op);
    size_t length = o && o->by_cols ? data->cols : data->rows;
    if (rc == 0 && (rc = coda_plan_build(&plan, s->scheme, &a, length, e)) < 0) {
        coda_fail_prefix(e, "--scheme %s (%s of %zu %s): ", s->scheme, what, length,
                         o && o->by_cols ? "columns" : "rows");
        if (e && e->cls == CODA_E_DATA) /* built from the options alone */
            e->cls = CODA_E_USAGE;
    }
    if (rc == 0 && timed && (rc = coda_meta_set(&plan.extra, "arg.time", "1", e)) < 0)
        coda_plan_free(&plan);
    if (rc == 0)
        rc = coda_job_start_on(j, &plan, data, s->engine, s->policy, s->until_decodable, e);
    coda_meta_free(&opts);
    return rc;
}

int coda_byz_run_init(coda_byz_run *r, const coda_byz_setup *s, const coda_mat *X,
                      const coda_mat *y, const coda_pgd_opts *po, const coda_sgd_opts *so,
                      const coda_cd_opts *co, const coda_mat *x0, coda_err *e)
{
    memset(r, 0, sizeof *r);
    r->sgd = so != NULL;
    r->cd = co != NULL;
    if (r->cd) {
        if (s->adversary->kind == CODA_ATK_WRONG_INPUT &&
            (s->adversary->t > 0 || s->adversary->nnamed > 0))
            return coda_failc(e, CODA_E_USAGE, "cd: the wrong-input attack would perturb the "
                              "coordinate indices of its operands; use another --attack");
        if (!takes(coda_scheme_find(s->scheme), "positions"))
            return coda_failc(e, CODA_E_USAGE, "cd: --scheme %s can not decode chosen positions "
                              "of its shards (use byz)", s->scheme);
        int rc = job(&r->jobs[0], s, "sparse-matvec", X, "X", 1, e);
        if (rc == 0)
            rc = job(&r->jobs[1], s, "vecmat", X, "X by columns", 1, e);
        r->master_s = rc == 0 ? calloc((size_t)co->iters, sizeof *r->master_s) : NULL;
        r->each_s = rc == 0 ? calloc((size_t)co->iters * (size_t)s->N, sizeof *r->each_s) : NULL;
        if (rc == 0 && (!r->master_s || !r->each_s))
            rc = coda_fail_oom(e);
        if (rc == 0 &&
            (rc = coda_cd_init(&r->cdi, &r->jobs[0], &r->jobs[1], X, y, co, x0, e)) == 0)
            r->have |= 1;
        coda_cd_opts pc = *co;
        pc.q = r->jobs[1].plan.K;
        if (rc == 0 && s->plain && (rc = coda_cd_init(&r->pcd, NULL, NULL, X, y, &pc, x0, e)) == 0)
            r->have |= 2;
        if (rc < 0)
            coda_byz_run_free(r);
        return rc;
    }
    if (coda_mat_alloc_raw(&r->Xt, X->cols, X->rows, e) < 0)
        return -1;
    for (size_t i = 0; i < X->rows; i++) /* a copy the jobs on X^T encode */
        for (size_t k = 0; k < X->cols; k++)
            CODA_AT(&r->Xt, k, i) = CODA_AT(X, i, k);
    int rc;
    if (r->sgd) {
        rc = job(&r->jobs[0], s, "columns", &r->Xt, "X^T", 0, e);
        if (rc == 0 && (rc = coda_sgd_init(&r->sgdi, &r->jobs[0], X, y, so, x0, e)) == 0)
            r->have |= 1;
        if (rc == 0 && s->plain && (rc = coda_sgd_init(&r->psgd, NULL, X, y, so, x0, e)) == 0)
            r->have |= 2;
    } else {
        rc = job(&r->jobs[0], s, "matvec", X, "X", 0, e);
        if (rc == 0)
            rc = job(&r->jobs[1], s, "matvec", &r->Xt, "X^T", 0, e);
        if (rc == 0 &&
            (rc = coda_pgd_init(&r->pgd, &r->jobs[0], &r->jobs[1], X, y, po, x0, e)) == 0)
            r->have |= 1;
        if (rc == 0 && s->plain && (rc = coda_pgd_init(&r->ppgd, NULL, NULL, X, y, po, x0, e)) == 0)
            r->have |= 2;
    }
    if (rc < 0)
        coda_byz_run_free(r);
    return rc;
}

static double relative_gap(const coda_mat *a, const coda_mat *b)
{
    double d = 0, n = 0;
    for (size_t i = 0; i < a->rows; i++) {
        d += (a->data[i] - b->data[i]) * (a->data[i] - b->data[i]);
        n += b->data[i] * b->data[i];
    }
    return n > 0 ? sqrt(d / n) : sqrt(d);
}

int coda_byz_run_iterate(coda_byz_run *r, coda_err *e)
{
    if (r->cd) {
        int more = coda_cd_iterate(&r->cdi, e);
        if (more >= 0) {
            r->master_s[r->cdi.iter - 1] = r->cdi.master_s;
            memcpy(r->each_s + (size_t)(r->cdi.iter - 1) * (size_t)r->cdi.nworkers,
                   r->cdi.wtime, sizeof *r->each_s * (size_t)r->cdi.nworkers);
        }
        if (more >= 0 && (r->have & 2)) {
            if (coda_cd_iterate(&r->pcd, e) < 0)
                return -1;
            r->gap = fmax(r->gap, relative_gap(&r->cdi.w, &r->pcd.w));
        }
        if (more == 0)
            r->cdi.loss = coda_cd_loss(&r->cdi, &r->cdi.w);
        return more;
    }
    int more = r->sgd ? coda_sgd_iterate(&r->sgdi, e) : coda_pgd_iterate(&r->pgd, e);
    if (more >= 0 && (r->have & 2)) {
        if ((r->sgd ? coda_sgd_iterate(&r->psgd, e) : coda_pgd_iterate(&r->ppgd, e)) < 0)
            return -1;
        r->gap = fmax(r->gap, r->sgd ? relative_gap(&r->sgdi.w, &r->psgd.w)
                                     : relative_gap(&r->pgd.w, &r->ppgd.w));
    }
    if (more == 0 && r->sgd)
        r->sgdi.loss = coda_sgd_loss(&r->sgdi, &r->sgdi.w); /* once, at the end */
    return more;
}

const coda_mat *coda_byz_run_w(const coda_byz_run *r)
{
    return r->cd ? &r->cdi.w : r->sgd ? &r->sgdi.w : &r->pgd.w;
}

static int by_value(const void *a, const void *b)
{
    double x = *(const double *)a, y = *(const double *)b;
    return (x > y) - (x < y);
}

static double median(const double *v, long n)
{
    if (n < 1)
        return NAN;
    double *s = malloc(sizeof *s * (size_t)n);
    if (!s)
        return NAN;
    memcpy(s, v, sizeof *s * (size_t)n);
    qsort(s, (size_t)n, sizeof *s, by_value);
    double m = n % 2 ? s[n / 2] : 0.5 * (s[n / 2 - 1] + s[n / 2]);
    free(s);
    return m;
}

void coda_byz_run_times(const coda_byz_run *r, double *worker_s, double *master_s)
{
    *worker_s = NAN;
    int N = r->cd ? r->cdi.nworkers : 0;
    long it = r->cd ? r->cdi.iter : 0;
    double *col = N && it ? malloc(sizeof *col * (size_t)it) : NULL;
    for (int w = 0; w < N && col; w++) {
        for (long k = 0; k < it; k++)
            col[k] = r->each_s[(size_t)k * (size_t)N + (size_t)w];
        double m = median(col, it);
        *worker_s = w == 0 || m > *worker_s ? m : *worker_s;
    }
    free(col);
    *master_s = r->cd ? median(r->master_s, r->cdi.iter) : NAN;
}

void coda_byz_run_figures(const coda_byz_run *r, long *iters, double *loss, double *gnorm,
                          long *excluded)
{
    *iters = r->cd ? r->cdi.iter : r->sgd ? r->sgdi.iter : r->pgd.iter;
    *loss = r->cd ? r->cdi.loss : r->sgd ? r->sgdi.loss : r->pgd.loss;
    *gnorm = r->cd ? r->cdi.gnorm : r->sgd ? r->sgdi.gnorm : r->pgd.gnorm;
    *excluded = r->cd ? r->cdi.excluded : r->sgd ? r->sgdi.excluded : r->pgd.excluded;
}

void coda_byz_run_free(coda_byz_run *r)
{
    if (r->have & 1)
        r->cd ? coda_cd_free(&r->cdi) : r->sgd ? coda_sgd_free(&r->sgdi) : coda_pgd_free(&r->pgd);
    if (r->have & 2)
        r->cd ? coda_cd_free(&r->pcd) : r->sgd ? coda_sgd_free(&r->psgd) : coda_pgd_free(&r->ppgd);
    free(r->master_s);
    free(r->each_s);
    coda_job_free(&r->jobs[0]);
    coda_job_free(&r->jobs[1]);
    coda_mat_free(&r->Xt);
    memset(r, 0, sizeof *r);
}
