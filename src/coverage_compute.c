/* coverage: the parallel stages — preparing cleared features, dissolving, clipping, measuring.
   Every result is stored per feature or per group and summed afterwards in feature order, so the
   figures are the same, bit for bit, whatever the number of threads. */
#include "coverage_run.h"
#include "parallel.h"

#include <math.h>
#include <stdint.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <strings.h>
#include <time.h>

static double now(void) {
    struct timespec ts;
    clock_gettime(CLOCK_MONOTONIC, &ts);
    return (double)ts.tv_sec + 1e-9 * (double)ts.tv_nsec;
}

/* ---- workers ---- */

static ccov_status worker_init(run *r, worker *w, int index) {
    w->ctx = index == 0 ? r->ctx : ccov_ctx_create();
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

static void worker_free(run *r, worker *w, int index) {
    if (!w->ctx)
        return;
    for (size_t i = 0; w->preps && i < r->nregions; i++)
        ccov_geom_prepared_free(w->ctx, w->preps[i]);
    free(w->preps);
    ccov_geom_prepared_free(w->ctx, w->prep_all);
    ccov_xform_free(w->m.to_wgs84);
    ccov_xform_free(w->xf);
    if (index > 0)
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
        st = worker_init(r, &r->workers[i], i);
    return st;
}

void ccov_run_workers_free(run *r) {
    for (int i = 0; r->workers && i < r->nworkers; i++)
        worker_free(r, &r->workers[i], i);
    free(r->workers);
    r->workers = NULL;
}

/* A failure on another thread: its message moves to the run's context. */
static ccov_status from_worker(run *r, ccov_status st, int failed) {
    if (st != CCOV_OK && failed > 0)
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
        return CCOV_OK;
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
                                      sizeof p->reason);
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

static ccov_status load_all(run *r, const source *s) {
    pending *items = calloc(BATCH, sizeof *items);
    if (!items)
        return ccov_ctx_fail(r->ctx, CCOV_ERR_IO, "out of memory");
    load_job job = {r, s, items};
    ccov_status st = CCOV_OK;
    for (size_t n = BATCH; st == CCOV_OK && n == BATCH;) {
        int failed = 0;
        st = load_read(r, s, items, &n);
        if (st == CCOV_OK)
            st =
                from_worker(r, ccov_parallel_for(r->nworkers, n, load_item, &job, &failed), failed);
        if (st == CCOV_OK)
            st = load_merge(r, s, items, n);
    }
    for (size_t i = 0; i < BATCH; i++) {
        ccov_geom_free(r->ctx, items[i].geom);
        ccov_record_clear(&items[i].rec);
    }
    free(items);
    return st;
}

static ccov_status clone_source_xform(run *r, const source *s) {
    for (int i = 0; i < r->nworkers; i++)
        if (!(r->workers[i].xf = ccov_xform_clone(r->workers[i].ctx, s->xf)))
            return ccov_ctx_fail(r->ctx, CCOV_ERR_CRS, "cannot copy the coordinate operation");
    return CCOV_OK;
}

ccov_status ccov_run_cleared_load(run *r) {
    char path[4096];
    const char *src = r->opts->cleared_src;
    if (!src)
        src = ccov_coverage_data_path("cleared_sample.gpkg", path, sizeof path);
    source s = {0};
    ccov_status st = ccov_run_source_open(r, &s, src, r->opts->cleared_layer, "--cleared-layer",
                                          r->opts->where, CCOV_CLEARED_STEP_M);
    if (st == CCOV_OK)
        st = cleared_fields(r, &s);
    if (st == CCOV_OK)
        st = clone_source_xform(r, &s);
    double t0 = now();
    if (st == CCOV_OK)
        st = load_all(r, &s);
    ccov_ctx_msg(r->ctx, CCOV_MSG_DEBUG, "read and prepare: %zu features kept, %.3f s", r->ncleared,
                 now() - t0);
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

/* ---- dissolve, clip, measure ---- */

/* Where one feature or group has area: per region hectares (most have one region). */
typedef struct {
    uint32_t region;
    double ha;
} hit;

typedef struct {
    uint32_t n;
    hit first;
    hit *more;      /* n - 1 further hits */
    double outside; /* groups only */
} hits;

typedef struct {
    run *r;
    size_t ngroups;
    size_t *group_of;
    size_t *start; /* members of group g: members[start[g] .. start[g + 1]) */
    size_t *members;
    ccov_geom **groups; /* union of each group of 2+ members; NULL for a single polygon */
    hits *group_hits;
    hits *feature_hits; /* features of groups of 2+ members only */
} compute_job;

static const ccov_geom *group_geom(const compute_job *j, size_t g) {
    return j->groups[g] ? j->groups[g] : j->r->cleared[j->members[j->start[g]]];
}

static bool add_hit(hits *h, size_t index, double ha) {
    if (h->n == 0) {
        h->first = (hit){(uint32_t)index, ha};
    } else {
        hit *grown = realloc(h->more, h->n * sizeof *grown);
        if (!grown)
            return false;
        h->more = grown;
        h->more[h->n - 1] = (hit){(uint32_t)index, ha};
    }
    h->n++;
    return true;
}

static bool boxes_meet(const double a[4], const double b[4]) {
    return a[0] <= b[2] && b[0] <= a[2] && a[1] <= b[3] && b[1] <= a[3];
}

/* Hectares of g in each region (regions whose box misses g's are skipped); with `outside`, also
   the hectares of g outside every region. */
/* Hectares of g in one region: g's own area when it lies inside (measured once, kept in *gha),
   the clipped part's when it crosses. *where tells which. */
static ccov_status region_ha(run *r, worker *w, size_t i, const ccov_geom *g, double *gha,
                             ccov_place *where, double *ha) {
    *ha = 0;
    *where = ccov_geom_locate(w->ctx, w->preps[i], g);
    if (*where == CCOV_PLACE_INSIDE) {
        if (isnan(*gha))
            *gha = ccov_measure_ha(w->ctx, &w->m, g);
        *ha = *gha;
    } else if (*where == CCOV_PLACE_CROSSING) {
        ccov_geom *part = ccov_geom_clip(w->ctx, w->preps[i], g, where);
        *ha = part ? ccov_measure_ha(w->ctx, &w->m, part) : 0;
        ccov_geom_free(w->ctx, part);
    }
    if (*where == CCOV_PLACE_ERROR)
        return ccov_ctx_fail(w->ctx, CCOV_ERR_GEOM, "clipping to region %s failed",
                             r->regions[i].name);
    return CCOV_OK;
}

/* Hectares of g in each region (regions whose box misses g's are skipped); with `outside`, also
   the hectares of g outside every region. gha: g's own area, NaN when not known yet. */
static ccov_status place(run *r, worker *w, const ccov_geom *g, double gha, hits *h, bool outside) {
    double box[4];
    bool inside_one = false, touches = false;
    if (!ccov_geom_bounds(w->ctx, g, box))
        return CCOV_OK;
    for (size_t i = 0; i < r->nregions; i++) {
        if (!boxes_meet(box, r->region_box[i]))
            continue;
        ccov_place where;
        double ha;
        ccov_status st = region_ha(r, w, i, g, &gha, &where, &ha);
        if (st != CCOV_OK)
            return st;
        if (ha > 0 && !add_hit(h, i, ha))
            return ccov_ctx_fail(w->ctx, CCOV_ERR_IO, "out of memory");
        inside_one |= where == CCOV_PLACE_INSIDE;
        touches |= where != CCOV_PLACE_OUTSIDE;
    }
    if (!outside || inside_one)
        return CCOV_OK;
    if (!touches) {
        h->outside = isnan(gha) ? ccov_measure_ha(w->ctx, &w->m, g) : gha;
        return CCOV_OK;
    }
    ccov_geom *part = ccov_geom_outside(w->ctx, w->prep_all, g);
    h->outside = part ? ccov_measure_ha(w->ctx, &w->m, part) : 0;
    ccov_geom_free(w->ctx, part);
    return CCOV_OK;
}

static ccov_status union_item(void *shared, int w, size_t g) {
    compute_job *j = shared;
    size_t k = j->start[g + 1] - j->start[g];
    if (k < 2)
        return CCOV_OK;
    ccov_ctx *ctx = j->r->workers[w].ctx;
    ccov_geom **parts = malloc(k * sizeof *parts);
    if (!parts)
        return ccov_ctx_fail(ctx, CCOV_ERR_IO, "out of memory");
    for (size_t m = 0; m < k; m++)
        parts[m] = j->r->cleared[j->members[j->start[g] + m]];
    j->groups[g] = ccov_geom_union(ctx, parts, k);
    free(parts);
    return j->groups[g] ? CCOV_OK : ccov_ctx_fail(ctx, CCOV_ERR_GEOM, "dissolve: union failed");
}

static ccov_status group_item(void *shared, int w, size_t g) {
    compute_job *j = shared;
    double gha = j->groups[g] ? NAN : j->r->cleared_ha[j->members[j->start[g]]];
    return place(j->r, &j->r->workers[w], group_geom(j, g), gha, &j->group_hits[g], true);
}

static ccov_status feature_item(void *shared, int w, size_t f) {
    compute_job *j = shared;
    size_t g = j->group_of[f];
    if (j->start[g + 1] - j->start[g] < 2)
        return CCOV_OK; /* the group's own figures are the feature's */
    return place(j->r, &j->r->workers[w], j->r->cleared[f], j->r->cleared_ha[f],
                 &j->feature_hits[f], false);
}

/* Members of each group, in feature order (counting sort by group). */
static ccov_status group_members(run *r, compute_job *j) {
    size_t n = r->ncleared;
    j->start = calloc(j->ngroups + 2, sizeof *j->start);
    j->members = malloc((n ? n : 1) * sizeof *j->members);
    size_t *cursor = malloc((j->ngroups + 1) * sizeof *cursor);
    if (!j->start || !j->members || !cursor) {
        free(cursor);
        return ccov_ctx_fail(r->ctx, CCOV_ERR_IO, "out of memory");
    }
    for (size_t f = 0; f < n; f++)
        j->start[j->group_of[f] + 1]++;
    for (size_t g = 0; g < j->ngroups; g++)
        j->start[g + 1] += j->start[g];
    memcpy(cursor, j->start, (j->ngroups + 1) * sizeof *cursor);
    for (size_t f = 0; f < n; f++)
        j->members[cursor[j->group_of[f]]++] = f;
    free(cursor);
    return CCOV_OK;
}

static void add_hits(const hits *h, double *ha, long long *count) {
    for (uint32_t k = 0; k < h->n; k++) {
        const hit *x = k == 0 ? &h->first : &h->more[k - 1];
        ha[x->region] += x->ha;
        if (count)
            count[x->region]++;
    }
}

/* Per-region sums, in group and feature order. */
static ccov_status sum_up(run *r, compute_job *j, double *net, double *gross, long long *tasks) {
    ccov_result *res = r->res;
    res->task_fids = malloc((r->ncleared ? r->ncleared : 1) * sizeof *res->task_fids);
    if (!res->task_fids)
        return ccov_ctx_fail(r->ctx, CCOV_ERR_IO, "out of memory");
    for (size_t g = 0; g < j->ngroups; g++) {
        add_hits(&j->group_hits[g], net, NULL);
        res->outside_ha += j->group_hits[g].outside;
    }
    for (size_t f = 0; f < r->ncleared; f++) {
        size_t g = j->group_of[f];
        const hits *h = j->start[g + 1] - j->start[g] < 2 ? &j->group_hits[g] : &j->feature_hits[f];
        add_hits(h, gross, tasks);
        if (h->n > 0)
            res->task_fids[res->tasks++] = r->info[f].fid;
    }
    return CCOV_OK;
}

static ccov_status fill_result(run *r, compute_job *j) {
    ccov_result *res = r->res;
    size_t nr = r->nregions;
    double *net = calloc(nr, sizeof *net), *gross = calloc(nr, sizeof *gross);
    long long *tasks = calloc(nr, sizeof *tasks);
    res->regions = calloc(nr, sizeof *res->regions);
    ccov_status st = net && gross && tasks && res->regions
                         ? sum_up(r, j, net, gross, tasks)
                         : ccov_ctx_fail(r->ctx, CCOV_ERR_IO, "out of memory");
    for (size_t i = 0; st == CCOV_OK && i < nr; i++) {
        const region *reg = &r->regions[i];
        ccov_region_result *out = &res->regions[res->nregions++];
        *out = (ccov_region_result){
            strdup(reg->name), strdup(reg->iso), reg->fid,
            reg->ha,           net[i],           gross[i],
            gross[i] - net[i], tasks[i],         reg->ha > 0 ? 100.0 * net[i] / reg->ha : 0};
        res->net_ha += net[i];
        res->gross_ha += gross[i];
        if (!out->name || !out->iso)
            st = ccov_ctx_fail(r->ctx, CCOV_ERR_IO, "out of memory");
    }
    res->overlap_ha = res->gross_ha - res->net_ha;
    free(net);
    free(gross);
    free(tasks);
    return st;
}

static ccov_status run_stage(run *r, const char *name, size_t n, ccov_item_fn fn, compute_job *j) {
    int failed = 0;
    double t0 = now();
    ccov_status st = from_worker(r, ccov_parallel_for(r->nworkers, n, fn, j, &failed), failed);
    ccov_ctx_msg(r->ctx, CCOV_MSG_DEBUG, "%s: %zu items, %.3f s on %d threads", name, n, now() - t0,
                 r->nworkers);
    return st;
}

/* The layers take every group as a geometry, single polygons included. */
static ccov_status build_layers(run *r, compute_job *j) {
    ccov_geom **view = malloc((j->ngroups ? j->ngroups : 1) * sizeof *view);
    if (!view)
        return ccov_ctx_fail(r->ctx, CCOV_ERR_IO, "out of memory");
    for (size_t g = 0; g < j->ngroups; g++)
        view[g] = (ccov_geom *)group_geom(j, g);
    ccov_status st = ccov_run_build_layers(r, view, j->ngroups, j->group_of);
    free(view);
    return st;
}

static void hits_free(hits *h, size_t n) {
    for (size_t i = 0; h && i < n; i++)
        free(h[i].more);
    free(h);
}

static void job_free(run *r, compute_job *j) {
    for (size_t g = 0; j->groups && g < j->ngroups; g++)
        ccov_geom_free(r->ctx, j->groups[g]);
    free(j->groups);
    hits_free(j->group_hits, j->ngroups);
    hits_free(j->feature_hits, r->ncleared);
    free(j->members);
    free(j->start);
    free(j->group_of);
}

ccov_status ccov_run_compute(run *r) {
    size_t n = r->ncleared;
    compute_job j = {.r = r};
    j.group_of = malloc((n ? n : 1) * sizeof *j.group_of);
    double t0 = now();
    ccov_status st = j.group_of ? ccov_geom_groups(r->ctx, r->cleared, n, j.group_of, &j.ngroups)
                                : ccov_ctx_fail(r->ctx, CCOV_ERR_IO, "out of memory");
    ccov_ctx_msg(r->ctx, CCOV_MSG_DEBUG, "find interacting polygons: %zu groups, %.3f s", j.ngroups,
                 now() - t0);
    if (st == CCOV_OK)
        st = group_members(r, &j);
    j.groups = calloc(j.ngroups ? j.ngroups : 1, sizeof *j.groups);
    j.group_hits = calloc(j.ngroups ? j.ngroups : 1, sizeof *j.group_hits);
    j.feature_hits = calloc(n ? n : 1, sizeof *j.feature_hits);
    if (st == CCOV_OK && (!j.groups || !j.group_hits || !j.feature_hits))
        st = ccov_ctx_fail(r->ctx, CCOV_ERR_IO, "out of memory");
    if (st == CCOV_OK)
        st = run_stage(r, "dissolve (union of groups)", j.ngroups, union_item, &j);
    if (st == CCOV_OK)
        st = run_stage(r, "net area per region", j.ngroups, group_item, &j);
    if (st == CCOV_OK)
        st = run_stage(r, "gross area per region", n, feature_item, &j);
    if (st == CCOV_OK)
        st = fill_result(r, &j);
    if (st == CCOV_OK && r->opts->layers)
        st = build_layers(r, &j);
    job_free(r, &j);
    return st;
}
