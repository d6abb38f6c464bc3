/* coverage: the worker threads' state (workers.h). */
#include "coverage/workers.h"
#include "core/ctx_worker.h"
#include "core/parallel.h"

#include <stdlib.h>
#include <time.h>

double ccov_workers_now(void) {
    struct timespec ts;
    clock_gettime(CLOCK_MONOTONIC, &ts);
    return (double)ts.tv_sec + 1e-9 * (double)ts.tv_nsec;
}

static ccov_status worker_init(ccov_ctx *ctx, const ccov_regions *rg, ccov_worker *w) {
    w->ctx = ccov_ctx_create_worker();
    if (!w->ctx)
        return ccov_ctx_fail(ctx, CCOV_ERR_IO, "out of memory");
    w->m = rg->m;
    w->m.to_wgs84 = rg->m.to_wgs84 ? ccov_xform_clone(w->ctx, rg->m.to_wgs84) : NULL;
    w->preps = calloc(rg->n ? rg->n : 1, sizeof *w->preps);
    bool ok = w->preps && (!rg->m.to_wgs84 || w->m.to_wgs84);
    return ok ? CCOV_OK : ccov_ctx_fail(ctx, CCOV_ERR_IO, "out of memory");
}

/* Preparing (and tiling) the regions for each worker, the workers at the same time: item i is
   worker i, prepared with its own context only (whichever thread runs it). */
typedef struct {
    const ccov_regions *rg;
    ccov_workers *ws;
    ccov_status *st;
} prepare_job;

static ccov_status worker_prepare(void *shared, int thread, size_t i) {
    (void)thread;
    const prepare_job *job = shared;
    ccov_worker *w = &job->ws->w[i];
    w->prep_all = ccov_geom_prepare(w->ctx, job->ws->all_regions);
    bool ok = w->prep_all != NULL;
    for (size_t r = 0; ok && r < job->rg->n; r++) {
        w->preps[r] = ccov_geom_prepare(w->ctx, job->rg->items[r].geom);
        ok = w->preps[r] != NULL;
    }
    job->st[i] = ok ? CCOV_OK : CCOV_ERR_GEOM;
    return CCOV_OK; /* a failure is told by st[i]: every worker gets its turn */
}

static ccov_status workers_prepare(ccov_ctx *ctx, const ccov_regions *rg, ccov_workers *ws) {
    ccov_status *st = calloc((size_t)ws->n, sizeof *st);
    if (!st)
        return ccov_ctx_fail(ctx, CCOV_ERR_IO, "out of memory");
    prepare_job job = {rg, ws, st};
    double t0 = ccov_workers_now();
    ccov_status result =
        ccov_parallel_for(ws->n, (size_t)ws->n, worker_prepare, &job, NULL, NULL, NULL);
    for (int i = 0; result == CCOV_OK && i < ws->n; i++)
        if (st[i] != CCOV_OK)
            result = ccov_ctx_fail(ctx, st[i], "cannot prepare the regions");
    free(st);
    ccov_ctx_msg(ctx, CCOV_MSG_DEBUG, "prepare regions: %zu regions, %.3f s on %d threads", rg->n,
                 ccov_workers_now() - t0, ws->n);
    return result;
}

static void worker_free(ccov_worker *w, size_t nregions) {
    if (!w->ctx)
        return;
    for (size_t i = 0; w->preps && i < nregions; i++)
        ccov_geom_prepared_free(w->ctx, w->preps[i]);
    free(w->preps);
    ccov_geom_prepared_free(w->ctx, w->prep_all);
    ccov_xform_free(w->m.to_wgs84);
    ccov_xform_free(w->xf);
    ccov_ctx_free(w->ctx);
}

/* The union of the regions and their bounds. */
static ccov_status regions_union(ccov_ctx *ctx, const ccov_regions *rg, ccov_workers *ws) {
    ccov_geom **geoms = malloc(rg->n * sizeof *geoms);
    ws->region_box = malloc(rg->n * sizeof *ws->region_box);
    if (!geoms || !ws->region_box) {
        free(geoms);
        return ccov_ctx_fail(ctx, CCOV_ERR_IO, "out of memory");
    }
    for (size_t i = 0; i < rg->n; i++) {
        geoms[i] = rg->items[i].geom;
        ccov_geom_bounds(ctx, geoms[i], ws->region_box[i]);
        ccov_geom_settle(ctx, geoms[i]);
    }
    ws->all_regions = ccov_geom_union(ctx, geoms, rg->n);
    free(geoms);
    if (!ws->all_regions)
        return ccov_ctx_fail(ctx, CCOV_ERR_GEOM, "union of the regions failed");
    /* every worker reads the regions and their union at the same time */
    ccov_geom_settle(ctx, ws->all_regions);
    return CCOV_OK;
}

ccov_status ccov_workers_create(ccov_ctx *ctx, const ccov_regions *rg, int threads,
                                ccov_workers *ws) {
    ws->nregions = rg->n;
    ccov_status st = regions_union(ctx, rg, ws);
    if (st != CCOV_OK)
        return st;
    ws->n = threads > 0 ? threads : ccov_parallel_cores();
    ws->w = calloc((size_t)ws->n, sizeof *ws->w);
    if (!ws->w)
        return ccov_ctx_fail(ctx, CCOV_ERR_IO, "out of memory");
    for (int i = 0; st == CCOV_OK && i < ws->n; i++)
        st = worker_init(ctx, rg, &ws->w[i]);
    if (st == CCOV_OK)
        st = workers_prepare(ctx, rg, ws);
    return st;
}

void ccov_workers_free(ccov_ctx *ctx, ccov_workers *ws) {
    for (int i = 0; ws->w && i < ws->n; i++)
        worker_free(&ws->w[i], ws->nregions);
    free(ws->w);
    ccov_geom_free(ctx, ws->all_regions);
    free(ws->region_box);
    *ws = (ccov_workers){0};
}

ccov_status ccov_workers_fail(ccov_ctx *ctx, const ccov_workers *ws, ccov_status st, int failed) {
    if (st != CCOV_OK && failed >= 0 && failed < ws->n)
        ccov_ctx_fail(ctx, st, "%s", ccov_ctx_error(ws->w[failed].ctx));
    return st;
}

typedef struct {
    ccov_ctx *ctx;
    const char *stage;
} stage_tick;

static void tick(void *user, size_t done, size_t n) {
    const stage_tick *t = user;
    ccov_ctx_progress(t->ctx, t->stage, n ? (double)done / (double)n : 1);
}

ccov_status ccov_workers_run(ccov_ctx *ctx, const ccov_workers *ws, const char *stage, size_t n,
                             ccov_item_fn fn, void *job) {
    int failed = 0;
    double t0 = ccov_workers_now();
    stage_tick t = {ctx, stage};
    ccov_status st = ccov_parallel_for(ws->n, n, fn, job, &failed, tick, &t);
    st = ccov_workers_fail(ctx, ws, st, failed);
    ccov_ctx_msg(ctx, CCOV_MSG_DEBUG, "%s: %zu items, %.3f s on %d threads", stage, n,
                 ccov_workers_now() - t0, ws->n);
    return st;
}
