/* coverage: reading the cleared features, repaired and moved into the working frame on the
   workers. */
#include "core/internal.h"
#include "core/parallel.h"
#include "coverage/pipeline.h"
#include "coverage/source.h"

#include <math.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <strings.h>

/* ---- cleared features ---- */

/* Keep a usable feature; its attribute values (with layers) are taken over from rec. */
static ccov_status cleared_keep(ccov_pipeline *r, ccov_geom *g, double ha, ccov_record *rec,
                                bool repaired, const ccov_cleared_info *keys) {
    if (r->cleared.n % 1024 == 0) {
        size_t cap = r->cleared.n + 1024;
        ccov_geom **geoms = realloc(r->cleared.geoms, cap * sizeof *geoms);
        if (geoms)
            r->cleared.geoms = geoms;
        ccov_cleared_info *info = geoms ? realloc(r->cleared.info, cap * sizeof *info) : NULL;
        if (info)
            r->cleared.info = info;
        double *has = info ? realloc(r->cleared.ha, cap * sizeof *has) : NULL;
        if (has)
            r->cleared.ha = has;
        if (!geoms || !info || !has) {
            ccov_geom_free(r->ctx, g);
            return ccov_ctx_fail(r->ctx, CCOV_ERR_IO, "out of memory");
        }
    }
    r->cleared.geoms[r->cleared.n] = g;
    r->cleared.ha[r->cleared.n] = ha;
    ccov_cleared_info *info = &r->cleared.info[r->cleared.n++];
    *info = (ccov_cleared_info){rec->fid, repaired, NULL, keys->category, keys->year, keys->group};
    if (r->opts->layers) {
        info->values = rec->values;
        rec->values = NULL;
        rec->nvalues = 0;
    }
    return CCOV_OK;
}

/* A record left out for its status, kept for the result's list (breakdown.c). */
static ccov_status left_out(ccov_pipeline *r, const ccov_record *rec, bool ignored) {
    ccov_cleared *c = &r->cleared;
    ccov_left_out *grown = ccov_grow(c->left, c->nleft, sizeof *grown);
    char *value = strdup(ccov_keys_status(&c->keys, rec->values));
    if (!grown || !value) {
        free(value);
        return ccov_ctx_fail(r->ctx, CCOV_ERR_IO, "out of memory");
    }
    c->left = grown;
    c->left[c->nleft++] = (ccov_left_out){value, rec->fid, ignored};
    return CCOV_OK;
}

/* Say once that a group value's unit separator is shown as U+FFFD (ccov_keys_group). */
static void separator_note(ccov_pipeline *r, const char *path, long long fid) {
    if (r->cleared.separator_noted)
        return;
    r->cleared.separator_noted = true;
    ccov_ctx_msg(r->ctx, CCOV_MSG_WARNING,
                 "%s: feature %lld: a --group-by value holds the control character U+001F; it is "
                 "shown as U+FFFD (and so in every such value)",
                 path, fid);
}

/* What a usable record's fields say: its category, year and group (keys->category < 0: left
   out for its status; keys->year outside --years: left out and counted). */
static ccov_status record_keys(ccov_pipeline *r, const char *path, const ccov_record *rec,
                               ccov_cleared_info *keys, bool *counted) {
    const ccov_keys *k = &r->cleared.keys;
    *keys = (ccov_cleared_info){.category = CCOV_CATEGORY_CLEARED, .year = CCOV_YEAR_UNKNOWN};
    *counted = true;
    if (k->year_field)
        keys->year = ccov_keys_record_year(k, rec->values);
    r->res->year_unknown += k->year_field && keys->year == CCOV_YEAR_UNKNOWN;
    if (!ccov_keys_year_kept(k, keys->year)) {
        r->res->year_filtered++;
        *counted = false;
        return CCOV_OK;
    }
    if (k->status_at >= 0)
        keys->category = ccov_keys_category(k, ccov_keys_status(k, rec->values));
    if (keys->category < 0) {
        *counted = false;
        return left_out(r, rec, keys->category == CCOV_KEY_IGNORED);
    }
    bool replaced = false;
    keys->group = ccov_keys_group(k, rec->values, keys->year, &replaced);
    if (k->ngroups > 0 && !keys->group)
        return ccov_ctx_fail(r->ctx, CCOV_ERR_IO, "out of memory");
    if (replaced)
        separator_note(r, path, rec->fid);
    *counted = ccov_keys_wanted(k, keys->category, keys->group);
    return CCOV_OK;
}

/* The fields the breakdown keys need, found among those read (all the source's, with layers:
   a missing one is named with the list). */
static ccov_status keys_fields(ccov_pipeline *r, const char *src, const char *const *names,
                               size_t n) {
    const char *missing = ccov_keys_locate(&r->cleared.keys, names, n);
    if (!missing)
        return CCOV_OK;
    char list[512] = "";
    size_t len = 0;
    for (size_t i = 0; i < n && len < sizeof list; i++)
        len += (size_t)snprintf(list + len, sizeof list - len, "%s%s", i ? ", " : "", names[i]);
    return ccov_ctx_fail(r->ctx, CCOV_ERR_USAGE, "%s: no field '%s' (fields: %s)", src, missing,
                         n ? list : "none");
}

/* Without layers, only the fields the breakdown keys need are read. */
static ccov_status key_fields_only(ccov_pipeline *r, ccov_source *s, const char *src) {
    const ccov_keys *k = &r->cleared.keys;
    ccov_status st = ccov_io_select_fields(r->ctx, s->layer, k->fields, k->nfields);
    return st == CCOV_OK ? keys_fields(r, src, k->fields, k->nfields) : st;
}

/* With layers, every source field is read and carried to the tasks layer. */
static ccov_status cleared_fields(ccov_pipeline *r, ccov_source *s, const char *src) {
    r->cleared.task_id_field = -1;
    if (!r->opts->layers)
        return key_fields_only(r, s, src);
    size_t n = ccov_io_field_count(s->layer);
    const char **names = calloc(n ? n : 1, sizeof *names);
    r->cleared.fields = calloc(n ? n : 1, sizeof *r->cleared.fields);
    if (!names || !r->cleared.fields) {
        free(names);
        return ccov_ctx_fail(r->ctx, CCOV_ERR_IO, "out of memory");
    }
    for (size_t i = 0; i < n; i++) {
        names[i] = ccov_io_field_name(s->layer, i);
        r->cleared.fields[i] = (ccov_column){strdup(names[i]), ccov_io_field_type(s->layer, i)};
        r->cleared.nfields++;
        if (r->cleared.task_id_field < 0 && strcasecmp(names[i], "task_id") == 0)
            r->cleared.task_id_field = (int)i;
    }
    ccov_status st = ccov_io_select_fields(r->ctx, s->layer, names, n);
    if (st == CCOV_OK)
        st = keys_fields(r, src, names, n);
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
    ccov_pipeline *r;
    const ccov_source *s;
    pending *items;
} load_job;

static ccov_status load_item(void *shared, int w, size_t i) {
    const load_job *job = shared;
    ccov_worker *wk = &job->r->workers.w[w];
    pending *p = &job->items[i];
    p->geom = ccov_source_frame_geometry(wk->ctx, job->s, wk->xf, &p->rec, p->reason, p->repair,
                                         sizeof p->reason, p->box);
    p->ha = p->geom ? ccov_measure_ha(wk->ctx, &wk->m, p->geom) : 0;
    return CCOV_OK;
}

/* Keep a usable record when its keys say it is counted; else let it go. */
static ccov_status cleared_take(ccov_pipeline *r, const char *path, pending *p) {
    ccov_cleared_info keys;
    bool counted = true;
    ccov_status st = record_keys(r, path, &p->rec, &keys, &counted);
    if (st == CCOV_OK && counted)
        return cleared_keep(r, p->geom, p->ha, &p->rec, p->repair[0] != '\0', &keys);
    free(keys.group);
    ccov_geom_free(r->ctx, p->geom);
    return st;
}

/* Take the prepared batch in feature order: kept, repaired or excluded. */
static ccov_status load_merge(ccov_pipeline *r, const ccov_source *s, pending *items, size_t n) {
    const char *path = ccov_io_source(s->layer);
    ccov_result *res = r->res;
    ccov_status st = CCOV_OK;
    for (size_t i = 0; i < n; i++) {
        pending *p = &items[i];
        res->cleared_input.features++;
        ccov_source_box_add(r->cleared.read_box, p->box);
        if (st == CCOV_OK && !p->geom)
            st = ccov_measure_note(r->ctx, &res->excluded, &res->nexcluded, path, p->rec.fid,
                                   p->reason);
        else if (st == CCOV_OK && p->repair[0])
            st = ccov_measure_note(r->ctx, &res->repaired, &res->nrepaired, path, p->rec.fid,
                                   p->repair);
        if (p->geom && st == CCOV_OK)
            st = cleared_take(r, path, p);
        else
            ccov_geom_free(r->ctx, p->geom);
        p->geom = NULL;
    }
    return st;
}

/* Read up to BATCH records; *n receives how many. *used: how many items of the batch were ever
   handed to the reader (the last one possibly without a record), so that only those are freed. */
static ccov_status load_read(ccov_pipeline *r, const ccov_source *s, pending *items, size_t *n,
                             size_t *used) {
    *n = 0;
    int got = 1;
    while (*n < BATCH && got > 0) {
        got = ccov_io_next(r->ctx, s->layer, &items[*n].rec);
        *n += got > 0;
    }
    size_t tried = *n < BATCH ? *n + 1 : BATCH;
    *used = tried > *used ? tried : *used;
    return got < 0 ? CCOV_ERR_IO : CCOV_OK;
}

/* The batches in flight: the one being prepared on the workers (cur), the one prepared before it,
   merged meanwhile (done), and the next, read meanwhile. */
typedef struct {
    pending *items[3];
    size_t n[3];
    size_t used[3]; /* items of each batch ever read into (load_read) */
    int cur, done;  /* done < 0: none */
} batches;

/* Prepare batch b->cur on the workers while the calling thread merges b->done, in feature order,
   and reads the next batch, then helps with what is left of b->cur (with one worker, one after
   the other). */
static ccov_status load_step(ccov_pipeline *r, const ccov_source *s, batches *b) {
    load_job job = {r, s, b->items[b->cur]};
    ccov_loop *loop = ccov_parallel_start(r->workers.n, b->n[b->cur], load_item, &job);
    if (!loop)
        return ccov_ctx_fail(r->ctx, CCOV_ERR_IO, "out of memory");
    ccov_status st = b->done >= 0 ? load_merge(r, s, b->items[b->done], b->n[b->done]) : CCOV_OK;
    int next = (b->cur + 1) % 3; /* the batch neither prepared nor merged */
    b->n[next] = 0;
    if (st == CCOV_OK && b->n[b->cur] == BATCH)
        st = load_read(r, s, b->items[next], &b->n[next], &b->used[next]);
    int failed = -1;
    ccov_status prepared = ccov_parallel_finish(loop, &failed);
    prepared = ccov_workers_fail(r->ctx, &r->workers, prepared, failed);
    b->done = b->cur;
    b->cur = next;
    return st == CCOV_OK ? prepared : st;
}

static void batches_free(ccov_pipeline *r, batches *b) {
    for (int k = 0; k < 3; k++) {
        for (size_t i = 0; b->items[k] && i < b->used[k]; i++) {
            ccov_geom_free(r->ctx, b->items[k][i].geom);
            ccov_record_clear(&b->items[k][i].rec);
        }
        free(b->items[k]);
    }
}

static ccov_status load_all(ccov_pipeline *r, const ccov_source *s) {
    batches b = {.cur = 0, .done = -1};
    for (int k = 0; k < 3; k++)
        b.items[k] = calloc(BATCH, sizeof **b.items);
    ccov_status st = b.items[0] && b.items[1] && b.items[2]
                         ? CCOV_OK
                         : ccov_ctx_fail(r->ctx, CCOV_ERR_IO, "out of memory");
    long long total = ccov_io_count_fast(s->layer);
    if (st == CCOV_OK)
        st = load_read(r, s, b.items[0], &b.n[0], &b.used[0]);
    while (st == CCOV_OK && b.n[b.cur] > 0) {
        if (total > 0)
            ccov_ctx_progress(r->ctx, "reading cleared features",
                              (double)r->res->cleared_input.features / (double)total);
        st = load_step(r, s, &b);
    }
    if (st == CCOV_OK && b.done >= 0)
        st = load_merge(r, s, b.items[b.done], b.n[b.done]);
    batches_free(r, &b);
    return st;
}

static ccov_status clone_source_xform(ccov_pipeline *r, const ccov_source *s) {
    for (int i = 0; i < r->workers.n; i++) {
        r->workers.w[i].xf = ccov_xform_clone(r->workers.w[i].ctx, s->xf);
        if (!r->workers.w[i].xf)
            return ccov_ctx_fail(r->ctx, CCOV_ERR_CRS, "cannot copy the coordinate operation");
    }
    return CCOV_OK;
}

/* No feature at all is worth a word; features of which none can be used are an error. */
static ccov_status nothing_usable(ccov_pipeline *r, const char *src) {
    const ccov_result *res = r->res;
    if (res->cleared_input.features == 0)
        ccov_ctx_msg(r->ctx, CCOV_MSG_WARNING, "%s: no features%s%s%s: every figure is 0", src,
                     r->opts->where ? " match --where '" : "", r->opts->where ? r->opts->where : "",
                     r->opts->where ? "'" : "");
    if (res->cleared_input.features > 0 && r->cleared.n == 0)
        return ccov_ctx_fail(r->ctx, CCOV_ERR_GEOM,
                             "%s: none of the %lld features has a usable polygon (feature %lld: "
                             "%s); nothing to count",
                             src, res->cleared_input.features, res->excluded[0].fid,
                             res->excluded[0].reason);
    return CCOV_OK;
}

/* Where and how the cleared polygons are read, from the options. */
static ccov_source_spec cleared_spec(const ccov_options *o) {
    return (ccov_source_spec){.layer = o->cleared_layer,
                              .layer_option = "--cleared-layer",
                              .sql = o->cleared_sql,
                              .sql_option = "--cleared-sql",
                              .geom_column = o->cleared_geom_column,
                              .geom_option = "--cleared-geom-column",
                              .where = o->where,
                              .assume_crs = o->assume_crs,
                              .step_m = CCOV_CLEARED_STEP_M};
}

/* Open the cleared source, with its way into the working frame and its fields, and give each
   worker its own copy of that way. */
static ccov_status cleared_open(ccov_pipeline *r, ccov_source *s, const char *src) {
    ccov_source_spec spec = cleared_spec(r->opts);
    ccov_status st = ccov_keys_parse(r->ctx, r->opts, &r->cleared.keys);
    if (st == CCOV_OK)
        st = ccov_source_open_checked(r->ctx, s, src, &spec);
    if (st == CCOV_OK)
        st = ccov_source_into_frame(r->ctx, s, src, r->regions.frame, r->regions.lon_centre,
                                    r->opts->allow_ballpark);
    if (st == CCOV_OK)
        st = cleared_fields(r, s, src);
    if (st == CCOV_OK)
        st = clone_source_xform(r, s);
    return st;
}

/* After reading: the extent read, something left to count, the source described. */
static ccov_status cleared_checks(ccov_pipeline *r, const ccov_source *s, const char *src) {
    ccov_status st = CCOV_OK;
    /* The numbers read, not the extent the file declares (which may be stale), decide. */
    if (!isnan(r->cleared.read_box[0]))
        st = ccov_source_extent_check(r->ctx, s, src, r->cleared.read_box);
    if (st == CCOV_OK)
        st = nothing_usable(r, src);
    if (st == CCOV_OK)
        st = ccov_source_describe(r->ctx, s, &r->res->cleared_input);
    return st;
}

ccov_status ccov_cleared_load(ccov_pipeline *r) {
    char path[4096];
    const char *src = ccov_coverage_default_cleared(r->opts->cleared_src, path, sizeof path);
    ccov_source s = {0};
    for (int i = 0; i < 4; i++)
        r->cleared.read_box[i] = NAN;
    ccov_status st = cleared_open(r, &s, src);
    double t0 = ccov_workers_now();
    if (st == CCOV_OK)
        st = load_all(r, &s);
    ccov_ctx_msg(r->ctx, CCOV_MSG_DEBUG, "read and prepare: %zu features kept, %.3f s",
                 r->cleared.n, ccov_workers_now() - t0);
    if (st == CCOV_OK)
        st = cleared_checks(r, &s, src);
    r->res->cleared_input.used = (long long)r->cleared.n;
    for (int i = 0; i < r->workers.n; i++) {
        ccov_xform_free(r->workers.w[i].xf);
        r->workers.w[i].xf = NULL;
    }
    ccov_source_close(&s);
    return st;
}

void ccov_cleared_free(ccov_ctx *ctx, ccov_cleared *c) {
    for (size_t i = 0; i < c->n; i++)
        ccov_geom_free(ctx, c->geoms[i]);
    free(c->geoms);
    free(c->ha);
    for (size_t i = 0; i < c->n; i++) {
        for (size_t f = 0; c->info[i].values && f < c->nfields; f++)
            free(c->info[i].values[f]);
        free(c->info[i].values);
        free(c->info[i].group);
    }
    for (size_t i = 0; i < c->nleft; i++)
        free(c->left[i].value);
    free(c->left);
    free(c->group_of);
    ccov_keys_free(&c->keys);
    free(c->info);
    for (size_t f = 0; f < c->nfields; f++)
        free(c->fields[f].name);
    free(c->fields);
}
