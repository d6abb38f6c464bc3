/* coverage: worker threads, and reading and preparing the cleared features in parallel. */
#include "coverage/run.h"
#include "core/ctx_worker.h"
#include "core/parallel.h"

#include <math.h>
#include <pthread.h>
#include <stdint.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <strings.h>
#include <time.h>

double ccov_run_now(void) {
    struct timespec ts;
    clock_gettime(CLOCK_MONOTONIC, &ts);
    return (double)ts.tv_sec + 1e-9 * (double)ts.tv_nsec;
}

/* ---- workers ---- */

static ccov_status worker_init(run *r, worker *w) {
    w->ctx = ccov_ctx_create_worker();
    if (!w->ctx)
        return ccov_ctx_fail(r->ctx, CCOV_ERR_IO, "out of memory");
    w->m = r->m;
    w->m.to_wgs84 = r->m.to_wgs84 ? ccov_xform_clone(w->ctx, r->m.to_wgs84) : NULL;
    w->preps = calloc(r->nregions, sizeof *w->preps);
    w->prep_all = ccov_geom_prepare(w->ctx, r->all_regions);
    bool ok = w->preps && w->prep_all && (!r->m.to_wgs84 || w->m.to_wgs84);
    for (size_t i = 0; ok && i < r->nregions; i++)
        ok = (w->preps[i] = ccov_geom_prepare(w->ctx, r->regions[i].geom)) != NULL;
    return ok ? CCOV_OK : ccov_ctx_fail(r->ctx, CCOV_ERR_GEOM, "cannot prepare the regions");
}

static void worker_free(run *r, worker *w) {
    if (!w->ctx)
        return;
    for (size_t i = 0; w->preps && i < r->nregions; i++)
        ccov_geom_prepared_free(w->ctx, w->preps[i]);
    free(w->preps);
    ccov_geom_prepared_free(w->ctx, w->prep_all);
    ccov_xform_free(w->m.to_wgs84);
    ccov_xform_free(w->xf);
    ccov_ctx_free(w->ctx);
}

ccov_status ccov_run_workers_create(run *r) {
    ccov_geom **geoms = malloc(r->nregions * sizeof *geoms);
    r->region_box = malloc(r->nregions * sizeof *r->region_box);
    if (!geoms || !r->region_box) {
        free(geoms);
        return ccov_ctx_fail(r->ctx, CCOV_ERR_IO, "out of memory");
    }
    for (size_t i = 0; i < r->nregions; i++) {
        geoms[i] = r->regions[i].geom;
        ccov_geom_bounds(r->ctx, geoms[i], r->region_box[i]);
    }
    r->all_regions = ccov_geom_union(r->ctx, geoms, r->nregions);
    free(geoms);
    if (!r->all_regions)
        return ccov_ctx_fail(r->ctx, CCOV_ERR_GEOM, "union of the regions failed");
    r->nworkers = r->opts->threads > 0 ? r->opts->threads : ccov_parallel_cores();
    r->workers = calloc((size_t)r->nworkers, sizeof *r->workers);
    if (!r->workers)
        return ccov_ctx_fail(r->ctx, CCOV_ERR_IO, "out of memory");
    ccov_status st = CCOV_OK;
    for (int i = 0; st == CCOV_OK && i < r->nworkers; i++)
        st = worker_init(r, &r->workers[i]);
    return st;
}

void ccov_run_workers_free(run *r) {
    for (int i = 0; r->workers && i < r->nworkers; i++)
        worker_free(r, &r->workers[i]);
    free(r->workers);
    r->workers = NULL;
}

/* A failure on another thread: its message moves to the run's context. */
ccov_status ccov_run_from_worker(run *r, ccov_status st, int failed) {
    if (st != CCOV_OK && failed >= 0 && failed < r->nworkers)
        ccov_ctx_fail(r->ctx, st, "%s", ccov_ctx_error(r->workers[failed].ctx));
    return st;
}
/* ---- cleared features ---- */

/* Keep a usable feature; its attribute values (with layers) are taken over from rec. */
static ccov_status cleared_keep(run *r, ccov_geom *g, double ha, ccov_record *rec, bool repaired) {
    if (r->ncleared % 1024 == 0) {
        size_t cap = r->ncleared + 1024;
        ccov_geom **geoms = realloc(r->cleared, cap * sizeof *geoms);
        if (geoms)
            r->cleared = geoms;
        cleared_info *info = geoms ? realloc(r->info, cap * sizeof *info) : NULL;
        if (info)
            r->info = info;
        double *has = info ? realloc(r->cleared_ha, cap * sizeof *has) : NULL;
        if (has)
            r->cleared_ha = has;
        if (!geoms || !info || !has) {
            ccov_geom_free(r->ctx, g);
            return ccov_ctx_fail(r->ctx, CCOV_ERR_IO, "out of memory");
        }
    }
    r->cleared[r->ncleared] = g;
    r->cleared_ha[r->ncleared] = ha;
    r->info[r->ncleared++] = (cleared_info){rec->fid, repaired, rec->values};
    rec->values = NULL;
    rec->nvalues = 0;
    return CCOV_OK;
}

/* With layers, every source field is read and carried to the tasks layer. */
static ccov_status cleared_fields(run *r, source *s) {
    r->task_id_field = -1;
    if (!r->opts->layers)
        return ccov_io_select_fields(r->ctx, s->layer, NULL, 0);
    size_t n = ccov_io_field_count(s->layer);
    const char **names = calloc(n ? n : 1, sizeof *names);
    r->fields = calloc(n ? n : 1, sizeof *r->fields);
    if (!names || !r->fields) {
        free(names);
        return ccov_ctx_fail(r->ctx, CCOV_ERR_IO, "out of memory");
    }
    for (size_t i = 0; i < n; i++) {
        names[i] = ccov_io_field_name(s->layer, i);
        r->fields[i] = (ccov_column){strdup(names[i]), ccov_io_field_type(s->layer, i)};
        r->nfields++;
        if (r->task_id_field < 0 && strcasecmp(names[i], "task_id") == 0)
            r->task_id_field = (int)i;
    }
    ccov_status st = ccov_io_select_fields(r->ctx, s->layer, names, n);
    free(names);
    return st;
}

/* Records are read in batches on the calling thread (GDAL) and prepared on all threads. */
enum { BATCH = 4096 };

typedef struct {
    ccov_record rec;
    ccov_geom *geom;
    double ha;
    char reason[512];
    char repair[512];
    double box[4]; /* bounds of the coordinates as read */
} pending;

typedef struct {
    run *r;
    const source *s;
    pending *items;
} load_job;

static ccov_status load_item(void *shared, int w, size_t i) {
    const load_job *job = shared;
    worker *wk = &job->r->workers[w];
    pending *p = &job->items[i];
    p->geom = ccov_run_frame_geometry(wk->ctx, job->s, wk->xf, &p->rec, p->reason, p->repair,
                                      sizeof p->reason, p->box);
    p->ha = p->geom ? ccov_measure_ha(wk->ctx, &wk->m, p->geom) : 0;
    return CCOV_OK;
}

/* Take the prepared batch in feature order: kept, repaired or excluded. */
static ccov_status load_merge(run *r, const source *s, pending *items, size_t n) {
    const char *path = ccov_io_source(s->layer);
    ccov_result *res = r->res;
    ccov_status st = CCOV_OK;
    for (size_t i = 0; i < n; i++) {
        pending *p = &items[i];
        res->cleared_input.features++;
        ccov_run_box_add(r->read_box, p->box);
        if (st == CCOV_OK && !p->geom)
            st = ccov_run_add_note(r, &res->excluded, &res->nexcluded, path, p->rec.fid, p->reason);
        else if (st == CCOV_OK && p->repair[0])
            st = ccov_run_add_note(r, &res->repaired, &res->nrepaired, path, p->rec.fid, p->repair);
        if (p->geom && st == CCOV_OK)
            st = cleared_keep(r, p->geom, p->ha, &p->rec, p->repair[0] != '\0');
        else
            ccov_geom_free(r->ctx, p->geom);
        p->geom = NULL;
    }
    return st;
}

/* Read up to BATCH records; *n receives how many. */
static ccov_status load_read(run *r, const source *s, pending *items, size_t *n) {
    *n = 0;
    while (*n < BATCH) {
        int got = ccov_io_next(r->ctx, s->layer, &items[*n].rec);
        if (got < 0)
            return CCOV_ERR_IO;
        if (got == 0)
            break;
        (*n)++;
    }
    return CCOV_OK;
}

/* Preparing one batch, on a thread of its own while the calling thread reads the next. */
typedef struct {
    load_job *job;
    size_t n;
    int failed;
    ccov_status st;
} prepare_task;

static void *prepare_batch(void *p) {
    prepare_task *t = p;
    t->st = ccov_parallel_for(t->job->r->nworkers, t->n, load_item, t->job, &t->failed, NULL, NULL);
    return NULL;
}

/* One batch: prepared on the workers while the next is read (with one worker, one after the
   other), then merged in feature order. *next receives how many records the next batch holds. */
static ccov_status load_batch(run *r, const source *s, pending *items, size_t n, pending *following,
                              size_t *next) {
    load_job job = {r, s, items};
    prepare_task t = {&job, n, 0, CCOV_OK};
    pthread_t tid;
    bool threaded = r->nworkers > 1 && pthread_create(&tid, NULL, prepare_batch, &t) == 0;
    if (!threaded)
        prepare_batch(&t);
    *next = 0;
    ccov_status read = n == BATCH ? load_read(r, s, following, next) : CCOV_OK;
    if (threaded)
        pthread_join(tid, NULL);
    ccov_status st = ccov_run_from_worker(r, t.st, t.failed);
    if (st == CCOV_OK)
        st = load_merge(r, s, items, n);
    return st == CCOV_OK ? read : st;
}

static ccov_status load_all(run *r, const source *s) {
    pending *items[2] = {calloc(BATCH, sizeof **items), calloc(BATCH, sizeof **items)};
    ccov_status st =
        items[0] && items[1] ? CCOV_OK : ccov_ctx_fail(r->ctx, CCOV_ERR_IO, "out of memory");
    long long total = ccov_io_count_fast(s->layer);
    size_t n[2] = {0, 0};
    if (st == CCOV_OK)
        st = load_read(r, s, items[0], &n[0]);
    for (int cur = 0; st == CCOV_OK && n[cur] > 0; cur = 1 - cur) {
        if (total > 0)
            ccov_ctx_progress(r->ctx, "reading cleared features",
                              (double)r->res->cleared_input.features / (double)total);
        st = load_batch(r, s, items[cur], n[cur], items[1 - cur], &n[1 - cur]);
    }
    for (int b = 0; b < 2; b++)
        for (size_t i = 0; items[b] && i < BATCH; i++) {
            ccov_geom_free(r->ctx, items[b][i].geom);
            ccov_record_clear(&items[b][i].rec);
        }
    free(items[0]);
    free(items[1]);
    return st;
}

static ccov_status clone_source_xform(run *r, const source *s) {
    for (int i = 0; i < r->nworkers; i++) {
        r->workers[i].xf = ccov_xform_clone(r->workers[i].ctx, s->xf);
        if (!r->workers[i].xf)
            return ccov_ctx_fail(r->ctx, CCOV_ERR_CRS, "cannot copy the coordinate operation");
    }
    return CCOV_OK;
}

/* No feature at all is worth a word; features of which none can be used are an error. */
static ccov_status nothing_usable(run *r, const char *src) {
    const ccov_result *res = r->res;
    if (res->cleared_input.features == 0)
        ccov_ctx_msg(r->ctx, CCOV_MSG_WARNING, "%s: no features%s%s%s: every figure is 0", src,
                     r->opts->where ? " match --where '" : "", r->opts->where ? r->opts->where : "",
                     r->opts->where ? "'" : "");
    if (res->cleared_input.features > 0 && r->ncleared == 0)
        return ccov_ctx_fail(r->ctx, CCOV_ERR_GEOM,
                             "%s: none of the %lld features has a usable polygon (feature %lld: "
                             "%s); nothing to count",
                             src, res->cleared_input.features, res->excluded[0].fid,
                             res->excluded[0].reason);
    return CCOV_OK;
}

ccov_status ccov_run_cleared_load(run *r) {
    char path[4096];
    const char *src = r->opts->cleared_src;
    if (!src)
        src = ccov_coverage_data_path("cleared_sample.gpkg", path, sizeof path);
    source s = {0};
    ccov_io_query q = {.src = src,
                       .layer = r->opts->cleared_layer,
                       .sql = r->opts->cleared_sql,
                       .geom_column = r->opts->cleared_geom_column,
                       .layer_option = "--cleared-layer",
                       .sql_option = "--cleared-sql",
                       .geom_option = "--cleared-geom-column"};
    ccov_status st = ccov_run_source_open(r, &s, &q, r->opts->where, CCOV_CLEARED_STEP_M);
    if (st == CCOV_OK)
        st = cleared_fields(r, &s);
    if (st == CCOV_OK)
        st = clone_source_xform(r, &s);
    for (int i = 0; i < 4; i++)
        r->read_box[i] = NAN;
    double t0 = ccov_run_now();
    if (st == CCOV_OK)
        st = load_all(r, &s);
    ccov_ctx_msg(r->ctx, CCOV_MSG_DEBUG, "read and prepare: %zu features kept, %.3f s", r->ncleared,
                 ccov_run_now() - t0);
    /* The numbers read, not the extent the file declares (which may be stale), decide. */
    if (st == CCOV_OK && !isnan(r->read_box[0]))
        st = ccov_run_extent_check(r, &s, src, r->read_box);
    if (st == CCOV_OK)
        st = nothing_usable(r, src);
    if (st == CCOV_OK)
        st = ccov_run_source_describe(r, &s, &r->res->cleared_input);
    r->res->cleared_input.used = (long long)r->ncleared;
    for (int i = 0; i < r->nworkers; i++) {
        ccov_xform_free(r->workers[i].xf);
        r->workers[i].xf = NULL;
    }
    ccov_run_source_close(&s);
    return st;
}
