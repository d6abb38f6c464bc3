/* coverage: the result layers — coverage, tasks, overlaps, outside, regions — in WGS84 lon/lat. */
#include "coverage/pipeline.h"
#include "geom/faces.h"

#include <math.h>
#include <stdarg.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <strings.h>

int ccov_layer_column(const ccov_layer_table *t, const char *name) {
    for (size_t i = 0; i < t->ncolumns; i++)
        if (strcmp(t->columns[i].name, name) == 0)
            return (int)i;
    return -1;
}

/* Free t's rows (each with t->ncolumns values), leaving it with none. */
static void rows_free(ccov_layer_table *t) {
    for (size_t r = 0; r < t->nrows; r++) {
        for (size_t c = 0; t->rows[r].values && c < t->ncolumns; c++)
            free(t->rows[r].values[c]);
        free(t->rows[r].values);
        free(t->rows[r].wkb);
    }
    free(t->rows);
    t->rows = NULL;
    t->nrows = 0;
}

void ccov_layer_table_clear(ccov_layer_table *t) {
    rows_free(t);
    for (size_t c = 0; c < t->ncolumns; c++)
        free(t->columns[c].name);
    free(t->columns);
    free(t->name);
    memset(t, 0, sizeof *t);
}

const ccov_layer_table *ccov_result_layer(const ccov_result *res, const char *name) {
    for (size_t i = 0; i < res->nlayers; i++)
        if (strcmp(res->layers[i].name, name) == 0)
            return &res->layers[i];
    return NULL;
}

/* ---- building tables ---- */

enum { LAYER_COVERAGE, LAYER_TASKS, LAYER_OVERLAPS, LAYER_OUTSIDE, LAYER_REGIONS, NLAYERS };
const char *const ccov_layer_names[CCOV_NLAYERS] = {"coverage", "tasks", "overlaps", "outside",
                                                    "regions"};

static ccov_status add_column(ccov_pipeline *r, ccov_layer_table *t, const char *name,
                              ccov_value_type type) {
    ccov_column *grown = realloc(t->columns, (t->ncolumns + 1) * sizeof *grown);
    if (!grown)
        return ccov_ctx_fail(r->ctx, CCOV_ERR_IO, "out of memory");
    t->columns = grown;
    grown[t->ncolumns] = (ccov_column){strdup(name), type};
    return grown[t->ncolumns++].name ? CCOV_OK
                                     : ccov_ctx_fail(r->ctx, CCOV_ERR_IO, "out of memory");
}

/* Columns given as "name:type" pairs (type s, i, r or b), NULL-terminated. */
static ccov_status add_columns(ccov_pipeline *r, ccov_layer_table *t, const char *const *specs) {
    ccov_status st = CCOV_OK;
    for (size_t i = 0; specs[i] && st == CCOV_OK; i++) {
        char name[64];
        size_t len = strcspn(specs[i], ":");
        snprintf(name, sizeof name, "%.*s", (int)len, specs[i]);
        char kind = specs[i][len + 1];
        st = add_column(r, t, name,
                        kind == 'i'   ? CCOV_VALUE_INT
                        : kind == 'r' ? CCOV_VALUE_REAL
                        : kind == 'b' ? CCOV_VALUE_BOOL
                                      : CCOV_VALUE_STRING);
    }
    return st;
}

/* A value as text: %s for strings, numbers formatted by the caller. */
__attribute__((format(printf, 1, 2))) static char *value(const char *fmt, ...) {
    char buf[4096];
    va_list ap;
    va_start(ap, fmt);
    vsnprintf(buf, sizeof buf, fmt, ap);
    va_end(ap);
    return strdup(buf);
}

static char *real(double v) { return value("%.17g", v); }

static bool to_lonlat(void *user, double *x, double *y) {
    return ccov_xform_points(user, x, 1, y, 1, 1) == 0;
}

/* What a layer's rows are made with: a worker's context, transformations and prepared regions
   (workers.h). Rows are made on the workers, item by item (rows_stage). */
typedef struct {
    ccov_pipeline *r;
    ccov_worker *w;
} maker;

static void free_values(const ccov_layer_table *t, char **values) {
    for (size_t c = 0; values && c < t->ncolumns; c++)
        free(values[c]);
    free(values);
}

/* g snapped to the output grid; a thin piece that the move to lon/lat left invalid (which GEOS
   cannot snap) is repaired first. NULL on error. */
static ccov_geom *snap_valid(const maker *mk, const ccov_geom *g) {
    ccov_ctx *ctx = mk->w->ctx;
    double grid = pow(10, -mk->r->opts->layer_decimals);
    ccov_geom *snapped = ccov_geom_snap(ctx, g, grid);
    if (snapped || ccov_geom_is_valid(ctx, g))
        return snapped;
    char why[256];
    ccov_geom *fixed = ccov_geom_repair(ctx, g, why, sizeof why);
    snapped = fixed ? ccov_geom_snap(ctx, fixed, grid) : NULL;
    ccov_geom_free(ctx, fixed);
    return snapped;
}

/* The geometry (working frame) as WKB in WGS84 lon/lat, snapped to the output grid when one is
   set: rounding alone (as a writer does) can leave an invalid polygon behind. */
static bool lonlat_wkb(const maker *mk, const ccov_geom *g, ccov_row *row, bool *empty) {
    ccov_ctx *ctx = mk->w->ctx;
    ccov_xform *xf = mk->w->m.to_wgs84; /* the frame to lon/lat, as r->regions.to_lonlat */
    ccov_geom *moved = xf ? ccov_geom_transform(ctx, g, to_lonlat, xf) : (ccov_geom *)g;
    ccov_geom *snapped = moved;
    if (moved && mk->r->opts->layer_decimals > 0 && !ccov_geom_is_empty(ctx, moved))
        snapped = snap_valid(mk, moved);
    *empty = snapped && ccov_geom_vertices(ctx, snapped) == 0;
    bool ok = snapped && ccov_geom_to_wkb(ctx, snapped, &row->wkb, &row->wkb_size);
    if (snapped != moved)
        ccov_geom_free(ctx, snapped);
    if (moved != g)
        ccov_geom_free(ctx, moved);
    return ok;
}

/* Append a row: geometry (working frame; not taken over) and values (taken over, one per
   column). A sliver thinner than the output grid vanishes when snapped; such a row is left out
   unless the layer has one row per region (coverage, regions). */
static ccov_status add_row_ex(const maker *mk, ccov_layer_table *t, const ccov_geom *g,
                              char **values, bool keep_empty) {
    ccov_ctx *ctx = mk->w->ctx;
    ccov_row row = {(long long)t->nrows + 1, NULL, 0, values};
    ccov_row *grown = values ? realloc(t->rows, (t->nrows + 1) * sizeof *grown) : NULL;
    if (grown)
        t->rows = grown;
    ccov_status st = grown ? CCOV_OK : ccov_ctx_fail(ctx, CCOV_ERR_IO, "out of memory");
    bool empty = false;
    if (st == CCOV_OK && !lonlat_wkb(mk, g, &row, &empty))
        st = ccov_ctx_fail(ctx, CCOV_ERR_CRS, "%s: geometry cannot be written in WGS84", t->name);
    if (st != CCOV_OK || (empty && !keep_empty)) {
        free_values(t, values);
        free(row.wkb);
        return st;
    }
    t->rows[t->nrows++] = row;
    return CCOV_OK;
}

static ccov_status add_row(const maker *mk, ccov_layer_table *t, const ccov_geom *g,
                           char **values) {
    return add_row_ex(mk, t, g, values, false);
}

/* ---- rows made on the workers ---- */

/* Make item `item`'s rows into t (a part: the layer's name and column count, rows of its own). */
typedef ccov_status (*rows_fn)(const maker *mk, ccov_layer_table *t, size_t item, const void *arg);

typedef struct {
    ccov_pipeline *r;
    ccov_layer_table *parts; /* per item */
    rows_fn fn;
    const void *arg;
} rows_job;

static ccov_status rows_item(void *shared, int wi, size_t item) {
    const rows_job *job = shared;
    maker mk = {job->r, &job->r->workers.w[wi]};
    return job->fn(&mk, &job->parts[item], item, job->arg);
}

/* Move the rows of parts[0..n) to the end of t, in that order, numbered on from t's. */
static ccov_status rows_append(ccov_pipeline *r, ccov_layer_table *t, ccov_layer_table *parts,
                               size_t n) {
    size_t total = t->nrows;
    for (size_t k = 0; k < n; k++)
        total += parts[k].nrows;
    if (total == t->nrows)
        return CCOV_OK;
    ccov_row *grown = realloc(t->rows, total * sizeof *grown);
    if (!grown)
        return ccov_ctx_fail(r->ctx, CCOV_ERR_IO, "out of memory");
    t->rows = grown;
    for (size_t k = 0; k < n; k++) {
        for (size_t i = 0; i < parts[k].nrows; i++) {
            parts[k].rows[i].id = (long long)t->nrows + 1;
            t->rows[t->nrows++] = parts[k].rows[i];
        }
        free(parts[k].rows);
        parts[k].rows = NULL;
        parts[k].nrows = 0;
    }
    return CCOV_OK;
}

/* The rows of items [0, n) made by fn on the workers, appended to t in item order: the layer is
   the same whatever the number of threads. */
static ccov_status rows_stage(ccov_pipeline *r, ccov_layer_table *t, const char *stage, size_t n,
                              rows_fn fn, const void *arg) {
    ccov_layer_table *parts = calloc(n ? n : 1, sizeof *parts);
    if (!parts)
        return ccov_ctx_fail(r->ctx, CCOV_ERR_IO, "out of memory");
    for (size_t k = 0; k < n; k++)
        parts[k] = (ccov_layer_table){.name = t->name, .ncolumns = t->ncolumns};
    rows_job job = {r, parts, fn, arg};
    ccov_status st = ccov_workers_run(r->ctx, &r->workers, stage, n, rows_item, &job);
    if (st == CCOV_OK)
        st = rows_append(r, t, parts, n);
    for (size_t k = 0; k < n; k++)
        rows_free(&parts[k]); /* what is left after a failure */
    free(parts);
    return st;
}

/* Settle geoms[0..n) on the calling thread, before several workers read each (workers.h). */
static void settle_shared(ccov_pipeline *r, ccov_geom *const *geoms, size_t n) {
    for (size_t k = 0; k < n; k++)
        ccov_geom_settle(r->ctx, geoms[k]);
}

/* Features by blocks for the per-task layers: block k is [k * TASK_BLOCK, (k + 1) * TASK_BLOCK). */
enum { TASK_BLOCK = 256 };

static size_t task_blocks(const ccov_pipeline *r) {
    return (r->cleared.n + TASK_BLOCK - 1) / TASK_BLOCK;
}

static size_t block_end(const ccov_pipeline *r, size_t block) {
    size_t end = (block + 1) * TASK_BLOCK;
    return end < r->cleared.n ? end : r->cleared.n;
}

/* A values array for table t (all NULL). */
static char **new_values(const ccov_layer_table *t) {
    return calloc(t->ncolumns ? t->ncolumns : 1, sizeof(char *));
}

static const char *region_name(const ccov_pipeline *r, size_t i) {
    return r->regions.items[i].name;
}

/* --districts: each piece also names its province and district (NULL: the rest of the
   province) and the district's feature id (-1 for the rest). */
static void district_values(const ccov_pipeline *r, size_t i, char **v) {
    const ccov_districts *d = &r->districts;
    v[8] = strdup(d->provinces[d->province_of[i]].name);
    v[9] = d->district[i] ? strdup(d->district[i]) : NULL;
    v[10] = value("%lld", d->district_fid[i]);
}

static ccov_status region_row(const maker *mk, ccov_layer_table *t, size_t i, const void *arg) {
    (void)arg;
    const ccov_pipeline *r = mk->r;
    const ccov_region_result *f = &r->res->regions[i];
    char **v = new_values(t);
    if (v) {
        v[0] = strdup(r->regions.items[i].name);
        v[1] = strdup(r->regions.items[i].iso);
        v[2] = real(r->regions.items[i].ha);
        v[3] = real(f->net_ha), v[4] = real(f->gross_ha), v[5] = real(f->overlap_ha);
        v[6] = real(f->percent_cleared), v[7] = value("%lld", f->tasks);
    }
    if (v && r->districts.n)
        district_values(r, i, v);
    return add_row_ex(mk, t, r->regions.items[i].geom, v, true);
}

static ccov_status build_regions(ccov_pipeline *r, ccov_layer_table *t) {
    /* The region's figures too, for a choropleth and labels without a join. */
    static const char *const cols[] = {"region:s",          "iso:s",      "region_ha:r",
                                       "net_ha:r",          "gross_ha:r", "overlap_ha:r",
                                       "percent_cleared:r", "tasks:i",    NULL};
    static const char *const district_cols[] = {"province:s", "district:s", "district_fid:i", NULL};
    ccov_status st = add_columns(r, t, cols);
    if (st == CCOV_OK && r->districts.n)
        st = add_columns(r, t, district_cols);
    return st == CCOV_OK ? rows_stage(r, t, "regions layer", r->regions.n, region_row, NULL) : st;
}

/* The dissolved cleared area inside region i: the clipped groups, collected. */
static ccov_geom *region_coverage(const maker *mk, size_t i, ccov_geom *const *groups,
                                  size_t ngroups) {
    ccov_geom **parts = malloc((ngroups ? ngroups : 1) * sizeof *parts);
    size_t n = 0;
    for (size_t g = 0; parts && g < ngroups; g++) {
        ccov_place place;
        ccov_geom *part = ccov_geom_clip(mk->w->ctx, mk->w->preps[i], groups[g], &place);
        if (part)
            parts[n++] = part;
    }
    ccov_geom *multi = parts ? ccov_geom_collect(mk->w->ctx, parts, n) : NULL;
    free(parts);
    return multi;
}

/* The dissolved groups of every record, for the coverage layer's rows. */
typedef struct {
    ccov_geom *const *groups;
    size_t ngroups;
} dissolved;

static ccov_status coverage_row(const maker *mk, ccov_layer_table *t, size_t i, const void *arg) {
    const dissolved *d = arg;
    const ccov_region_result *f = &mk->r->res->regions[i];
    ccov_geom *multi = region_coverage(mk, i, d->groups, d->ngroups);
    if (!multi)
        return ccov_ctx_fail(mk->w->ctx, CCOV_ERR_GEOM, "coverage layer: %s", f->name);
    char **v = new_values(t);
    if (v) {
        v[0] = strdup(f->name), v[1] = strdup(f->iso), v[2] = real(f->net_ha);
        v[3] = real(f->gross_ha), v[4] = real(f->overlap_ha), v[5] = real(f->region_ha);
        v[6] = real(f->percent_cleared), v[7] = value("%lld", f->tasks);
    }
    ccov_status st = add_row_ex(mk, t, multi, v, true);
    ccov_geom_free(mk->w->ctx, multi);
    return st;
}

static ccov_status build_coverage(ccov_pipeline *r, ccov_layer_table *t, ccov_geom *const *groups,
                                  size_t ngroups) {
    static const char *const cols[] = {"region:s",          "iso:s",        "net_ha:r",
                                       "gross_ha:r",        "overlap_ha:r", "region_ha:r",
                                       "percent_cleared:r", "tasks:i",      NULL};
    ccov_status st = add_columns(r, t, cols);
    dissolved d = {groups, ngroups};
    settle_shared(r, groups, ngroups); /* every region's row reads every group */
    return st == CCOV_OK ? rows_stage(r, t, "coverage layer", r->regions.n, coverage_row, &d) : st;
}

static const char *const TASK_COLS[] = {"source_fid:i", "region:s",   "area_ha:r",
                                        "placement:s",  "repaired:b", NULL};

/* The source's own fields come first; one that bears the name of a column added here is kept as
   src_<name>, so that nothing of the source is lost. */
static ccov_status task_columns(ccov_pipeline *r, ccov_layer_table *t) {
    ccov_status st = CCOV_OK;
    for (size_t f = 0; f < r->cleared.nfields && st == CCOV_OK; f++) {
        char name[128];
        bool clash = false;
        for (size_t k = 0; TASK_COLS[k]; k++)
            clash |= strncasecmp(r->cleared.fields[f].name, TASK_COLS[k],
                                 strcspn(TASK_COLS[k], ":")) == 0 &&
                     strlen(r->cleared.fields[f].name) == strcspn(TASK_COLS[k], ":");
        snprintf(name, sizeof name, "%s%s", clash ? "src_" : "", r->cleared.fields[f].name);
        st = add_column(r, t, name, r->cleared.fields[f].type);
    }
    return st == CCOV_OK ? add_columns(r, t, TASK_COLS) : st;
}

static ccov_status task_row(const maker *mk, ccov_layer_table *t, size_t j, size_t i,
                            const ccov_geom *part, ccov_place place, double ha) {
    const ccov_pipeline *r = mk->r;
    char **v = new_values(t);
    const ccov_cleared_info *info = &r->cleared.info[j];
    for (size_t f = 0; v && f < r->cleared.nfields; f++)
        v[f] = info->values && info->values[f] ? strdup(info->values[f]) : NULL;
    if (v) {
        size_t k = r->cleared.nfields;
        v[k] = value("%lld", info->fid), v[k + 1] = strdup(region_name(r, i));
        v[k + 2] = real(ha), v[k + 3] = strdup(place == CCOV_PLACE_INSIDE ? "inside" : "crossing");
        v[k + 4] = strdup(info->repaired ? "true" : "false");
    }
    return add_row(mk, t, part, v);
}

/* The area of task j's piece in a region: the task's own, measured when it was loaded, when the
   region holds all of it (the same geometry, the same measure: half the time of a large map). */
static double piece_ha(const maker *mk, size_t j, const ccov_geom *part, ccov_place place) {
    if (place == CCOV_PLACE_INSIDE && mk->r->cleared.ha)
        return mk->r->cleared.ha[j];
    return ccov_measure_ha(mk->w->ctx, &mk->w->m, part);
}

/* Each task of the block, clipped to each region. */
static ccov_status task_rows(const maker *mk, ccov_layer_table *t, size_t block, const void *arg) {
    (void)arg;
    const ccov_pipeline *r = mk->r;
    ccov_ctx *ctx = mk->w->ctx;
    ccov_status st = CCOV_OK;
    for (size_t j = block * TASK_BLOCK; st == CCOV_OK && j < block_end(r, block); j++)
        for (size_t i = 0; st == CCOV_OK && i < r->regions.n; i++) {
            ccov_place place;
            ccov_geom *part = ccov_geom_clip(ctx, mk->w->preps[i], r->cleared.geoms[j], &place);
            if (place == CCOV_PLACE_ERROR)
                st = ccov_ctx_fail(ctx, CCOV_ERR_GEOM, "tasks layer: clipping failed");
            double ha = part ? piece_ha(mk, j, part, place) : 0;
            if (st == CCOV_OK && ha > 0)
                st = task_row(mk, t, j, i, part, place, ha);
            ccov_geom_free(ctx, part);
        }
    return st;
}

static ccov_status build_tasks(ccov_pipeline *r, ccov_layer_table *t) {
    ccov_status st = task_columns(r, t);
    return st == CCOV_OK ? rows_stage(r, t, "tasks layer", task_blocks(r), task_rows, NULL) : st;
}

/* CCOV_LAYER_WHOLE_TASKS: each task whole, with its source feature id only (for the map, which
   counts the tasks on its pixel grid and tells inside from outside by the regions). */
static ccov_status whole_task_rows(const maker *mk, ccov_layer_table *t, size_t block,
                                   const void *arg) {
    (void)arg;
    const ccov_pipeline *r = mk->r;
    ccov_status st = CCOV_OK;
    for (size_t j = block * TASK_BLOCK; st == CCOV_OK && j < block_end(r, block); j++) {
        char **v = new_values(t);
        if (v)
            v[0] = value("%lld", r->cleared.info[j].fid);
        st = add_row(mk, t, r->cleared.geoms[j], v);
    }
    return st;
}

static ccov_status build_whole_tasks(ccov_pipeline *r, ccov_layer_table *t) {
    static const char *const cols[] = {"source_fid:i", NULL};
    ccov_status st = add_columns(r, t, cols);
    return st == CCOV_OK ? rows_stage(r, t, "tasks layer", task_blocks(r), whole_task_rows, NULL)
                         : st;
}

/* The task id of cleared feature j: its task_id field, else "fid <n>". */
static void task_label(const ccov_pipeline *r, size_t j, char *buf, size_t n) {
    const ccov_cleared_info *info = &r->cleared.info[j];
    const char *id = r->cleared.task_id_field >= 0 && info->values
                         ? info->values[r->cleared.task_id_field]
                         : NULL;
    if (id)
        snprintf(buf, n, "%s", id);
    else
        snprintf(buf, n, "fid %lld", info->fid);
}

/* The source feature id of cleared feature j, as text. */
static void fid_label(const ccov_pipeline *r, size_t j, char *buf, size_t n) {
    snprintf(buf, n, "%lld", r->cleared.info[j].fid);
}

typedef void (*label_fn)(const ccov_pipeline *r, size_t j, char *buf, size_t n);

/* "id1,id2,..." for the members of an overlap piece (indices into `idx`), each named by `label`:
   the task ids (which may repeat), or the source feature ids (which do not). */
static char *join_members(const ccov_pipeline *r, const size_t *idx, const ccov_face *p,
                          label_fn name) {
    size_t cap = 64, len = 0;
    char *out = malloc(cap);
    for (size_t m = 0; out && m < p->nmembers; m++) {
        char label[256];
        name(r, idx[p->members[m]], label, sizeof label);
        size_t need = len + strlen(label) + 2;
        char *grown = need > cap ? realloc(out, cap = need * 2) : out;
        if (!grown) {
            free(out);
            return NULL;
        }
        out = grown;
        len += (size_t)snprintf(out + len, cap - len, "%s%s", m ? "," : "", label);
    }
    if (out && len == 0)
        out[0] = '\0';
    return out;
}

static ccov_status overlap_rows(const maker *mk, ccov_layer_table *t, const size_t *idx,
                                const ccov_face *p) {
    const ccov_pipeline *r = mk->r;
    ccov_ctx *ctx = mk->w->ctx;
    ccov_status st = CCOV_OK;
    for (size_t i = 0; st == CCOV_OK && i < r->regions.n; i++) {
        ccov_place place;
        ccov_geom *part = ccov_geom_clip(ctx, mk->w->preps[i], p->geom, &place);
        double ha = part ? ccov_measure_ha(ctx, &mk->w->m, part) : 0;
        if (ha > 0) {
            char **v = new_values(t);
            if (v) {
                v[0] = strdup(region_name(r, i)), v[1] = value("%zu", p->nmembers);
                v[2] = join_members(r, idx, p, task_label), v[3] = real(ha);
                v[4] = join_members(r, idx, p, fid_label);
            }
            st = add_row(mk, t, part, v);
        }
        ccov_geom_free(ctx, part);
    }
    return st;
}

/* The dissolved groups of two or more members: group g's members (cleared indices, in feature
   order) are idx[start[g] .. start[g + 1]); multi lists those groups. */
typedef struct {
    const size_t *start, *idx;
    size_t *multi;
    size_t nmulti;
} overlap_plan;

/* Overlaps of the item-th group of two or more members. */
static ccov_status group_overlaps(const maker *mk, ccov_layer_table *t, size_t item,
                                  const void *arg) {
    const overlap_plan *plan = arg;
    size_t g = plan->multi[item], k = plan->start[g + 1] - plan->start[g];
    const size_t *idx = plan->idx + plan->start[g];
    ccov_ctx *ctx = mk->w->ctx;
    ccov_geom **members = malloc(k * sizeof *members);
    if (!members)
        return ccov_ctx_fail(ctx, CCOV_ERR_IO, "out of memory");
    for (size_t m = 0; m < k; m++)
        members[m] = mk->r->cleared.geoms[idx[m]];
    ccov_face *pieces = NULL;
    size_t npieces = 0;
    ccov_status st = ccov_geom_overlay(ctx, members, k, 2, &pieces, &npieces);
    for (size_t p = 0; st == CCOV_OK && p < npieces; p++)
        st = overlap_rows(mk, t, idx, &pieces[p]);
    ccov_geom_faces_free(ctx, pieces, npieces);
    free(members);
    return st;
}

static ccov_status build_overlaps(ccov_pipeline *r, ccov_layer_table *t, size_t ngroups,
                                  const size_t *start, const size_t *members) {
    static const char *const cols[] = {"region:s",  "times:i", "task_ids:s",
                                       "area_ha:r", "fids:s",  NULL};
    ccov_status st = add_columns(r, t, cols);
    overlap_plan plan = {start, members, malloc((ngroups ? ngroups : 1) * sizeof(size_t)), 0};
    if (st == CCOV_OK && !plan.multi)
        st = ccov_ctx_fail(r->ctx, CCOV_ERR_IO, "out of memory");
    for (size_t g = 0; st == CCOV_OK && g < ngroups; g++)
        if (start[g + 1] - start[g] >= 2)
            plan.multi[plan.nmulti++] = g;
    if (st == CCOV_OK)
        st = rows_stage(r, t, "overlaps layer", plan.nmulti, group_overlaps, &plan);
    free(plan.multi);
    return st;
}

/* The part of each task of the block outside every region. */
static ccov_status outside_rows(const maker *mk, ccov_layer_table *t, size_t block,
                                const void *arg) {
    (void)arg;
    const ccov_pipeline *r = mk->r;
    ccov_ctx *ctx = mk->w->ctx;
    ccov_status st = CCOV_OK;
    for (size_t j = block * TASK_BLOCK; st == CCOV_OK && j < block_end(r, block); j++) {
        ccov_geom *part = ccov_geom_outside(ctx, mk->w->prep_all, r->cleared.geoms[j]);
        double ha = part ? ccov_measure_ha(ctx, &mk->w->m, part) : 0;
        if (ha > 0) {
            char **v = new_values(t), label[256];
            task_label(r, j, label, sizeof label);
            if (v) {
                v[0] = value("%lld", r->cleared.info[j].fid), v[2] = real(ha);
                v[1] = r->cleared.task_id_field >= 0 ? strdup(label) : NULL;
            }
            st = add_row(mk, t, part, v);
        }
        ccov_geom_free(ctx, part);
    }
    return st;
}

static ccov_status build_outside(ccov_pipeline *r, ccov_layer_table *t) {
    static const char *const cols[] = {"source_fid:i", "task_id:s", "area_ha:r", NULL};
    ccov_status st = add_columns(r, t, cols);
    return st == CCOV_OK ? rows_stage(r, t, "outside layer", task_blocks(r), outside_rows, NULL)
                         : st;
}

static ccov_status name_layers(ccov_pipeline *r) {
    ccov_result *res = r->res;
    res->layers = calloc(NLAYERS, sizeof *res->layers);
    if (!res->layers)
        return ccov_ctx_fail(r->ctx, CCOV_ERR_IO, "out of memory");
    res->nlayers = NLAYERS;
    for (size_t l = 0; l < NLAYERS; l++) {
        res->layers[l].name = strdup(ccov_layer_names[l]);
        if (!res->layers[l].name)
            return ccov_ctx_fail(r->ctx, CCOV_ERR_IO, "out of memory");
    }
    return CCOV_OK;
}

/* ccov_options.layer_mask: a map needs only some layers, and the overlaps cost the most. */
static bool wanted(const ccov_pipeline *r, int layer) {
    return r->opts->layer_mask == 0 || (r->opts->layer_mask & (1u << layer)) != 0;
}

ccov_status ccov_layers_build(ccov_pipeline *r, ccov_geom *const *groups, size_t ngroups,
                              const size_t *start, const size_t *members) {
    ccov_status st = name_layers(r);
    ccov_layer_table *layers = r->res->layers;
    if (st == CCOV_OK && wanted(r, LAYER_COVERAGE))
        st = build_coverage(r, &layers[LAYER_COVERAGE], groups, ngroups);
    if (st == CCOV_OK && wanted(r, LAYER_TASKS))
        st = r->opts->layer_mask & CCOV_LAYER_WHOLE_TASKS
                 ? build_whole_tasks(r, &layers[LAYER_TASKS])
                 : build_tasks(r, &layers[LAYER_TASKS]);
    if (st == CCOV_OK && wanted(r, LAYER_OVERLAPS))
        st = build_overlaps(r, &layers[LAYER_OVERLAPS], ngroups, start, members);
    if (st == CCOV_OK && wanted(r, LAYER_OUTSIDE))
        st = build_outside(r, &layers[LAYER_OUTSIDE]);
    if (st == CCOV_OK && wanted(r, LAYER_REGIONS))
        st = build_regions(r, &layers[LAYER_REGIONS]);
    return st;
}

/* ==== --group-by (issue 13): the coverage layer by region and group ==== */

/* Columns: region, iso (and district), the group fields, the group's figures (and categories,
   cumulative). A group field named like a figure column is written as group_<field>. */
static ccov_status group_columns(ccov_pipeline *r, ccov_layer_table *t) {
    static const char *const head[] = {"region:s", "iso:s", NULL};
    static const char *const figs[] = {"net_ha:r", "gross_ha:r", "overlap_ha:r", "tasks:i", NULL};
    const ccov_result *res = r->res;
    ccov_status st = add_columns(r, t, head);
    if (st == CCOV_OK && r->districts.n)
        st = add_column(r, t, "district", CCOV_VALUE_STRING);
    for (size_t k = 0; st == CCOV_OK && k < res->ngroup_fields; k++) {
        static const char *const taken =
            ",region,iso,district,net_ha,gross_ha,overlap_ha,tasks,cumulative_net_ha,"
            "cleared_net_ha,cleared_gross_ha,cleared_tasks,reduced_net_ha,reduced_gross_ha,"
            "reduced_tasks,cancelled_net_ha,cancelled_gross_ha,cancelled_tasks,";
        char name[128], probe[130];
        snprintf(probe, sizeof probe, ",%s,", res->group_fields[k]);
        snprintf(name, sizeof name, "%s%s", strstr(taken, probe) ? "group_" : "",
                 res->group_fields[k]);
        st = add_column(r, t, name, CCOV_VALUE_STRING);
    }
    if (st == CCOV_OK)
        st = add_columns(r, t, figs);
    for (int c = 0; st == CCOV_OK && res->categorised && c < CCOV_NCATEGORIES; c++) {
        char name[64];
        const char *cat = ccov_category_name((ccov_category)c);
        snprintf(name, sizeof name, "%s_net_ha", cat);
        st = add_column(r, t, name, CCOV_VALUE_REAL);
        snprintf(name, sizeof name, "%s_gross_ha", cat);
        st = st == CCOV_OK ? add_column(r, t, name, CCOV_VALUE_REAL) : st;
        snprintf(name, sizeof name, "%s_tasks", cat);
        st = st == CCOV_OK ? add_column(r, t, name, CCOV_VALUE_INT) : st;
    }
    if (st == CCOV_OK && res->year_key >= 0)
        st = add_column(r, t, "cumulative_net_ha", CCOV_VALUE_REAL);
    return st;
}

/* The values of group g's row in region i, in group_columns' order. */
static char **group_values(ccov_pipeline *r, const ccov_layer_table *t, size_t i, size_t g) {
    const ccov_result *res = r->res;
    const ccov_group *x = &res->groups[g];
    const ccov_figures *f = &x->regions[i];
    char **v = new_values(t);
    size_t c = 0;
    if (!v)
        return NULL;
    v[c++] = strdup(r->regions.items[i].name);
    v[c++] = strdup(r->regions.items[i].iso);
    if (r->districts.n) {
        v[c] = r->districts.district[i] ? strdup(r->districts.district[i]) : NULL;
        c++;
    }
    for (size_t k = 0; k < res->ngroup_fields; k++)
        v[c++] = strdup(x->values[k]);
    v[c++] = real(f->net_ha), v[c++] = real(f->gross_ha), v[c++] = real(f->overlap_ha);
    v[c++] = value("%lld", f->tasks);
    for (int k = 0; res->categorised && k < CCOV_NCATEGORIES; k++) {
        v[c++] = real(x->categories[i][k].net_ha);
        v[c++] = real(x->categories[i][k].gross_ha);
        v[c++] = value("%lld", x->categories[i][k].tasks);
    }
    if (res->year_key >= 0)
        v[c] = x->cumulative_ha && !isnan(x->cumulative_ha[i]) ? real(x->cumulative_ha[i]) : NULL;
    return v;
}

/* Each group's dissolved land: dis[g] (ndis[g] polygons). */
typedef struct {
    ccov_geom **const *dis;
    const size_t *ndis;
} group_dissolved;

/* The row of region i and group g, item i * ngroups + g (none when the group has no task there). */
static ccov_status group_row(const maker *mk, ccov_layer_table *t, size_t item, const void *arg) {
    const group_dissolved *d = arg;
    ccov_pipeline *r = mk->r;
    size_t i = item / r->res->ngroups, g = item % r->res->ngroups;
    if (r->res->groups[g].regions[i].tasks == 0)
        return CCOV_OK;
    ccov_geom *multi = region_coverage(mk, i, d->dis[g], d->ndis[g]);
    if (!multi)
        return ccov_ctx_fail(mk->w->ctx, CCOV_ERR_GEOM, "coverage layer: %s",
                             r->regions.items[i].name);
    ccov_status st = add_row_ex(mk, t, multi, group_values(r, t, i, g), true);
    ccov_geom_free(mk->w->ctx, multi);
    return st;
}

static ccov_status group_rows(ccov_pipeline *r, ccov_layer_table *t, ccov_geom **const *dis,
                              const size_t *ndis) {
    group_dissolved d = {dis, ndis};
    for (size_t g = 0; g < r->res->ngroups; g++)
        settle_shared(r, dis[g], ndis[g]); /* every region's row reads the group's land */
    return rows_stage(r, t, "coverage layer by group", r->regions.n * r->res->ngroups, group_row,
                      &d);
}

ccov_status ccov_layers_group_coverage(ccov_pipeline *r, ccov_geom **const *dis,
                                       const size_t *ndis) {
    ccov_result *res = r->res;
    ccov_layer_table *t = res->layers ? &res->layers[LAYER_COVERAGE] : NULL;
    if (!t || res->ngroup_fields == 0)
        return CCOV_OK;
    ccov_layer_table_clear(t);
    t->name = strdup(ccov_layer_names[LAYER_COVERAGE]);
    ccov_status st =
        t->name ? group_columns(r, t) : ccov_ctx_fail(r->ctx, CCOV_ERR_IO, "out of memory");
    return st == CCOV_OK ? group_rows(r, t, dis, ndis) : st;
}
