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

static ccov_status worker_init(ccov_ctx *ctx, const ccov_regions *rg, const ccov_workers *ws,
                               ccov_worker *w) {
    w->ctx = ccov_ctx_create_worker();
    if (!w->ctx)
        return ccov_ctx_fail(ctx, CCOV_ERR_IO, "out of memory");
    w->m = rg->m;
    w->m.to_wgs84 = rg->m.to_wgs84 ? ccov_xform_clone(w->ctx, rg->m.to_wgs84) : NULL;
    w->preps = calloc(rg->n, sizeof *w->preps);
    w->prep_all = ccov_geom_prepare(w->ctx, ws->all_regions);
    bool ok = w->preps && w->prep_all && (!rg->m.to_wgs84 || w->m.to_wgs84);
    for (size_t i = 0; ok && i < rg->n; i++)
        ok = (w->preps[i] = ccov_geom_prepare(w->ctx, rg->items[i].geom)) != NULL;
    return ok ? CCOV_OK : ccov_ctx_fail(ctx, CCOV_ERR_GEOM, "cannot prepare the regions");
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
    }
    ws->all_regions = ccov_geom_union(ctx, geoms, rg->n);
    free(geoms);
    if (!ws->all_regions)
        return ccov_ctx_fail(ctx, CCOV_ERR_GEOM, "union of the regions failed");
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
        st = worker_init(ctx, rg, ws, &ws->w[i]);
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
