/* coverage: --districts (pipeline.h). Each district goes to the chosen province that holds most
   of its area; each province is cut into pieces, one per district of its own (the district
   clipped to the province, minus the districts read before it when districts overlap) and the
   rest of the province. The pieces are the pipeline's regions, so every figure exists per piece
   and a province's figures are the sums of its pieces'. The part of a district outside its
   province overlaps other provinces' pieces: it is measured in a second, separate pass. */
#include "core/internal.h"
#include "coverage/pipeline.h"
#include "coverage/source.h"

#include <math.h>
#include <stdint.h>
#include <stdlib.h>
#include <string.h>

#define NO_PROVINCE SIZE_MAX
#define REST_NAME "(not in any district)"

typedef struct {
    ccov_geom *geom;
    char *name, *iso;
    long long fid;
    double ha;
    size_t province; /* NO_PROVINCE: none of the chosen provinces */
} district;

typedef struct {
    district *items;
    size_t n;
    const char *path;
} district_list;

static void list_free(ccov_ctx *ctx, district_list *l) {
    for (size_t i = 0; i < l->n; i++) {
        ccov_geom_free(ctx, l->items[i].geom);
        free(l->items[i].name);
        free(l->items[i].iso);
    }
    free(l->items);
}

/* ---- reading the districts into the working frame ---- */

static ccov_status districts_open(ccov_pipeline *r, ccov_source *s, const char *path) {
    const ccov_options *o = r->opts;
    ccov_source_spec spec = {.layer = o->districts_layer,
                             .layer_option = "--districts-layer",
                             .assume_crs = o->assume_crs,
                             .step_m = CCOV_REGION_STEP_M};
    ccov_status st = ccov_source_open_checked(r->ctx, s, path, &spec);
    if (st != CCOV_OK)
        return st;
    const char *name = ccov_regions_name_field(r->ctx, s->layer, path, o->district_field,
                                               "district", "--district-field");
    if (!name)
        return CCOV_ERR_IO;
    const char *fields[2] = {name, ccov_io_find_field(s->layer, ccov_regions_iso_fields())};
    st = ccov_io_select_fields(r->ctx, s->layer, fields, 2);
    if (st == CCOV_OK)
        st = ccov_source_into_frame(r->ctx, s, path, r->regions.frame, r->regions.lon_centre,
                                    o->allow_ballpark);
    return st;
}

static ccov_status district_add(ccov_pipeline *r, ccov_source *s, const ccov_record *rec,
                                district_list *l) {
    char reason[512], repair[512];
    const char *name = rec->values[0] ? rec->values[0] : "";
    ccov_geom *g =
        ccov_source_frame_geometry(r->ctx, s, s->xf, rec, reason, repair, sizeof reason, NULL);
    if (!g)
        return ccov_ctx_fail(r->ctx, CCOV_ERR_GEOM, "%s: feature %lld (%s): %s", l->path, rec->fid,
                             name, reason);
    district *grown = ccov_grow(l->items, l->n, sizeof *grown);
    if (!grown) {
        ccov_geom_free(r->ctx, g);
        return ccov_ctx_fail(r->ctx, CCOV_ERR_IO, "out of memory");
    }
    l->items = grown;
    district *d = &grown[l->n++];
    *d = (district){g, strdup(name), strdup(rec->values[1] ? rec->values[1] : ""), rec->fid,
                    0, NO_PROVINCE};
    d->ha = ccov_measure_ha(r->ctx, &r->regions.m, g);
    if (!d->name || !d->iso)
        return ccov_ctx_fail(r->ctx, CCOV_ERR_IO, "out of memory");
    return repair[0] ? ccov_measure_note(r->ctx, &r->res->repaired, &r->res->nrepaired, l->path,
                                         rec->fid, repair)
                     : CCOV_OK;
}

static ccov_status districts_read(ccov_pipeline *r, district_list *l) {
    ccov_source s = {0};
    ccov_record rec = {0};
    ccov_status st = districts_open(r, &s, l->path);
    int got = st == CCOV_OK ? ccov_io_next(r->ctx, s.layer, &rec) : 0;
    for (; st == CCOV_OK && got == 1; got = ccov_io_next(r->ctx, s.layer, &rec))
        st = district_add(r, &s, &rec, l);
    if (st == CCOV_OK && got < 0)
        st = CCOV_ERR_IO;
    if (st == CCOV_OK && l->n == 0)
        st = ccov_ctx_fail(r->ctx, CCOV_ERR_IO, "%s: no districts (the layer has no features)",
                           l->path);
    ccov_record_clear(&rec);
    ccov_source_close(&s);
    return st;
}

/* ---- each district to a province ---- */

/* The chosen province holding the largest part of d, when that part is also larger than the
   part of d outside every chosen province (a district mostly in a province not chosen belongs
   to none of them). Ties go to the province read first. */
static ccov_status district_assign(ccov_pipeline *r, district *d, const char *path) {
    double in = 0, best = 0;
    size_t arg = NO_PROVINCE;
    for (size_t p = 0; p < r->regions.n; p++) {
        ccov_geom *part = ccov_geom_intersection(r->ctx, r->regions.items[p].geom, d->geom);
        if (!part)
            return ccov_ctx_fail(r->ctx, CCOV_ERR_GEOM, "district '%s': clipping to '%s' failed",
                                 d->name, r->regions.items[p].name);
        double ha =
            ccov_geom_is_empty(r->ctx, part) ? 0 : ccov_measure_ha(r->ctx, &r->regions.m, part);
        ccov_geom_free(r->ctx, part);
        in += ha;
        if (ha > best) {
            best = ha;
            arg = p;
        }
    }
    d->province = best > 0 && best > d->ha - in ? arg : NO_PROVINCE;
    if (d->province == NO_PROVINCE)
        ccov_ctx_msg(r->ctx, CCOV_MSG_DEBUG,
                     "%s: district '%s' (feature %lld) lies mostly outside the chosen regions: "
                     "not reported",
                     path, d->name, d->fid);
    return CCOV_OK;
}

static ccov_status districts_assign(ccov_pipeline *r, district_list *l) {
    size_t kept = 0;
    ccov_status st = CCOV_OK;
    for (size_t i = 0; st == CCOV_OK && i < l->n; i++) {
        st = district_assign(r, &l->items[i], l->path);
        kept += l->items[i].province != NO_PROVINCE;
    }
    if (st == CCOV_OK)
        ccov_ctx_msg(r->ctx, CCOV_MSG_INFO,
                     "%s: %zu of %zu districts lie mostly in the chosen regions and are reported "
                     "under them",
                     l->path, kept, l->n);
    return st;
}

/* ---- the pieces ---- */

/* g (taken over) as a valid (Multi)Polygon: an overlay of two valid polygons can leave a
   collapsed ring or a line along a shared border, which the next overlay would refuse. */
static ccov_geom *valid(ccov_ctx *ctx, ccov_geom *g) {
    if (!g || ccov_geom_is_valid(ctx, g))
        return g;
    char why[256];
    ccov_geom *v = ccov_geom_repair(ctx, g, why, sizeof why);
    ccov_geom_free(ctx, g);
    return v;
}

/* g minus cut (new geometry; NULL when nothing is left or on error). */
static ccov_geom *minus(ccov_ctx *ctx, const ccov_geom *g, const ccov_geom *cut) {
    return valid(ctx, ccov_geom_difference(ctx, g, cut));
}

static bool has_area(ccov_ctx *ctx, const ccov_geom *g) { return g && !ccov_geom_is_empty(ctx, g); }

/* Piece geometry g (taken over) of province p, of district d (NULL: the rest of the province),
   with the district's part outside the province (taken over, may be NULL). */
static ccov_status piece_add(ccov_pipeline *r, ccov_region *items, size_t p, ccov_geom *g,
                             const district *d, ccov_geom *out) {
    ccov_districts *ds = &r->districts;
    const ccov_region *prov = &ds->provinces[p];
    size_t k = ds->n++;
    items[k] = (ccov_region){g, strdup(prov->name), strdup(prov->iso), prov->fid, 0, NAN};
    items[k].ha = ccov_measure_ha(r->ctx, &r->regions.m, g);
    ds->province_of[k] = p;
    ds->district[k] = d ? strdup(d->name) : NULL;
    ds->district_iso[k] = strdup(d ? d->iso : "");
    ds->district_fid[k] = d ? d->fid : -1;
    ds->district_ha[k] = d ? d->ha : 0;
    ds->outside[k] = out;
    ds->outside_ha[k] = has_area(r->ctx, out) ? ccov_measure_ha(r->ctx, &r->regions.m, out) : 0;
    if (!items[k].name || !items[k].iso || (d && !ds->district[k]) || !ds->district_iso[k])
        return ccov_ctx_fail(r->ctx, CCOV_ERR_IO, "out of memory");
    return CCOV_OK;
}

/* District d's piece of its province: the part inside, less what the province's earlier
   districts took (*covered, their union, grows). */
static ccov_status district_cut(ccov_pipeline *r, ccov_region *items, const ccov_geom *prov,
                                const district *d, ccov_geom **covered) {
    ccov_ctx *ctx = r->ctx;
    ccov_geom *in = valid(ctx, ccov_geom_intersection(ctx, d->geom, prov)), *piece = in;
    if (in && *covered) {
        piece = minus(ctx, in, *covered);
        ccov_geom_free(ctx, in);
    }
    ccov_geom *out = minus(ctx, d->geom, prov);
    if (!has_area(ctx, piece)) {
        ccov_ctx_msg(ctx, CCOV_MSG_WARNING,
                     "--districts: district '%s' (feature %lld) lies wholly in districts read "
                     "before it: no row of its own",
                     d->name, d->fid);
        ccov_geom_free(ctx, piece);
        ccov_geom_free(ctx, out);
        return CCOV_OK;
    }
    ccov_geom *both[2] = {*covered, piece};
    ccov_geom *grown =
        *covered ? valid(ctx, ccov_geom_union(ctx, both, 2)) : ccov_geom_clone(ctx, piece);
    ccov_geom_free(ctx, *covered);
    *covered = grown;
    ccov_status st = piece_add(r, items, d->province, piece, d, out);
    return st == CCOV_OK && !grown ? ccov_ctx_fail(ctx, CCOV_ERR_GEOM, "district union failed")
                                   : st;
}

/* Province p cut into its districts' pieces and the rest. */
static ccov_status province_cut(ccov_pipeline *r, ccov_region *items, size_t p,
                                const district_list *l) {
    ccov_ctx *ctx = r->ctx;
    const ccov_region *prov = &r->districts.provinces[p];
    ccov_geom *covered = NULL;
    ccov_status st = CCOV_OK;
    for (size_t i = 0; st == CCOV_OK && i < l->n; i++)
        if (l->items[i].province == p)
            st = district_cut(r, items, prov->geom, &l->items[i], &covered);
    ccov_geom *rest = NULL;
    if (st == CCOV_OK)
        rest = covered ? minus(ctx, prov->geom, covered) : ccov_geom_clone(ctx, prov->geom);
    if (st == CCOV_OK && has_area(ctx, rest)) {
        st = piece_add(r, items, p, rest, NULL, NULL);
        rest = NULL;
    }
    ccov_geom_free(ctx, rest);
    ccov_geom_free(ctx, covered);
    return st;
}

static ccov_status pieces_alloc(ccov_pipeline *r, size_t cap, ccov_region **items) {
    ccov_districts *ds = &r->districts;
    *items = calloc(cap, sizeof **items);
    ds->province_of = calloc(cap, sizeof *ds->province_of);
    ds->district = calloc(cap, sizeof *ds->district);
    ds->district_iso = calloc(cap, sizeof *ds->district_iso);
    ds->district_fid = calloc(cap, sizeof *ds->district_fid);
    ds->district_ha = calloc(cap, sizeof *ds->district_ha);
    ds->outside = calloc(cap, sizeof *ds->outside);
    ds->outside_ha = calloc(cap, sizeof *ds->outside_ha);
    if (!*items || !ds->province_of || !ds->district || !ds->district_iso || !ds->district_fid ||
        !ds->district_ha || !ds->outside || !ds->outside_ha)
        return ccov_ctx_fail(r->ctx, CCOV_ERR_IO, "out of memory");
    return CCOV_OK;
}

static ccov_status pieces_build(ccov_pipeline *r, const district_list *l) {
    ccov_region *items = NULL;
    ccov_status st = pieces_alloc(r, l->n + r->regions.n, &items);
    if (st != CCOV_OK) {
        free(items);
        return st;
    }
    /* The provinces move aside; the pieces take their place as the pipeline's regions. */
    r->districts.provinces = r->regions.items;
    r->districts.nprovinces = r->regions.n;
    r->regions.items = items;
    r->regions.n = 0;
    for (size_t p = 0; st == CCOV_OK && p < r->districts.nprovinces; p++)
        st = province_cut(r, items, p, l);
    r->regions.n = r->districts.n;
    return st;
}

ccov_status ccov_districts_build(ccov_pipeline *r) {
    if (!r->opts->districts_src)
        return CCOV_OK;
    district_list l = {.path = r->opts->districts_src};
    ccov_status st = districts_read(r, &l);
    if (st == CCOV_OK)
        st = districts_assign(r, &l);
    if (st == CCOV_OK)
        st = pieces_build(r, &l);
    list_free(r->ctx, &l);
    return st;
}

/* ---- the figures ---- */

/* The second pass: the provinces whole (their distinct tasks) and each district's part outside
   its province (index of piece i's part in *xres: nprovinces + slot[i], SIZE_MAX: none). */
/* ---- province task counts: each record once per province (--group-by, --status-field) ---- */

/* Tasks per province counted from the province-level hits of the second pass, as a run without
   --districts counts them: a record straddling two districts of a province is one task there. */
typedef struct {
    long long *cat;       /* nprovinces x CCOV_NCATEGORIES */
    long long *group;     /* ngroups x nprovinces */
    long long *group_cat; /* ngroups x nprovinces x CCOV_NCATEGORIES */
} province_tasks;

static void tasks_free(province_tasks *t) {
    free(t->cat);
    free(t->group);
    free(t->group_cat);
}

/* Count the tasks of each province from the second pass x (its first regions are the
   provinces). */
static ccov_status tasks_count(ccov_pipeline *r, const ccov_pipeline *x, province_tasks *t) {
    size_t np = r->districts.nprovinces, ng = r->res->ngroups, n = r->cleared.n;
    t->cat = calloc(np * CCOV_NCATEGORIES + 1, sizeof *t->cat);
    t->group = calloc(ng * np + 1, sizeof *t->group);
    t->group_cat = calloc(ng * np * CCOV_NCATEGORIES + 1, sizeof *t->group_cat);
    if (!t->cat || !t->group || !t->group_cat)
        return ccov_ctx_fail(r->ctx, CCOV_ERR_IO, "out of memory");
    /* each record's group as breakdown.c numbered it (SIZE_MAX: no --group-by) */
    const size_t *group_of = r->cleared.group_of;
    for (size_t f = 0; f < n; f++) {
        size_t p, g = group_of ? group_of[f] : SIZE_MAX;
        int c = r->cleared.info[f].category;
        double ha;
        for (uint32_t k = 0; ccov_compute_hit(x, f, k, &p, &ha); k++) {
            if (p >= np)
                continue; /* a district's part outside its province */
            t->cat[p * CCOV_NCATEGORIES + (size_t)c]++;
            if (g == SIZE_MAX)
                continue;
            t->group[g * np + p]++;
            t->group_cat[(g * np + p) * CCOV_NCATEGORIES + (size_t)c]++;
        }
    }
    return CCOV_OK;
}

static ccov_status extra_pass(ccov_pipeline *r, size_t *slot, ccov_result **xres,
                              province_tasks *tasks) {
    const ccov_districts *ds = &r->districts;
    ccov_options o = *r->opts;
    o.layers = false;
    ccov_pipeline x = {.ctx = r->ctx, .opts = &o, .regions = r->regions, .cleared = r->cleared};
    x.regions.items = calloc(ds->nprovinces + ds->n, sizeof *x.regions.items);
    x.res = calloc(1, sizeof *x.res);
    ccov_status st =
        x.regions.items && x.res ? CCOV_OK : ccov_ctx_fail(r->ctx, CCOV_ERR_IO, "out of memory");
    size_t k = 0;
    for (size_t p = 0; st == CCOV_OK && p < ds->nprovinces; p++)
        x.regions.items[k++] = ds->provinces[p];
    for (size_t i = 0; st == CCOV_OK && i < ds->n; i++) {
        slot[i] = has_area(r->ctx, ds->outside[i]) ? k - ds->nprovinces : SIZE_MAX;
        if (slot[i] != SIZE_MAX)
            x.regions.items[k++] = (ccov_region){ds->outside[i],      ds->district[i],   "",
                                                 ds->district_fid[i], ds->outside_ha[i], NAN};
    }
    x.regions.n = k;
    if (st == CCOV_OK)
        st = ccov_workers_create(r->ctx, &x.regions, o.threads, &x.workers);
    if (st == CCOV_OK)
        st = ccov_compute_figures(&x, true);
    if (st == CCOV_OK)
        st = tasks_count(r, &x, tasks);
    ccov_compute_free(&x);
    ccov_workers_free(r->ctx, &x.workers);
    free(x.regions.items);
    *xres = x.res;
    return st;
}

/* The second pass's result holds only what compute.c fills: the regions' figures and the task
   ids (run.c calls this file, so its ccov_result_free is not called from here). */
static void extra_free(ccov_result *x) {
    if (!x)
        return;
    for (size_t i = 0; i < x->nregions; i++) {
        free(x->regions[i].name);
        free(x->regions[i].iso);
    }
    free(x->regions);
    free(x->task_fids);
    ccov_measure_notes_free(x->repaired, x->nrepaired);
    ccov_measure_notes_free(x->excluded, x->nexcluded);
    free(x);
}

/* Piece i's row: its figures (fig, taken over) under the district's name. */
static ccov_status district_row(ccov_pipeline *r, size_t i, ccov_region_result *fig,
                                const ccov_result *xres, const size_t *slot) {
    const ccov_districts *ds = &r->districts;
    ccov_district_result *d = &r->res->districts[r->res->ndistricts++];
    free(fig->name);
    free(fig->iso);
    *d = (ccov_district_result){
        *fig, ds->province_of[i], !ds->district[i], ds->district_ha[i], ds->outside_ha[i], 0, 0};
    *fig = (ccov_region_result){0};
    d->fig.name = strdup(ds->district[i] ? ds->district[i] : REST_NAME);
    d->fig.iso = strdup(ds->district_iso[i]);
    d->fig.fid = ds->district_fid[i];
    if (slot[i] != SIZE_MAX) {
        const ccov_region_result *o = &xres->regions[ds->nprovinces + slot[i]];
        d->outside_province_net_ha = o->net_ha;
        d->outside_province_gross_ha = o->gross_ha;
    }
    if (!d->fig.name || !d->fig.iso)
        return ccov_ctx_fail(r->ctx, CCOV_ERR_IO, "out of memory");
    return CCOV_OK;
}

/* The province rows: sums of their pieces' figures, with their own distinct tasks. */
static ccov_status province_rows(ccov_pipeline *r, ccov_region_result *rows,
                                 const ccov_result *xres, const province_tasks *tasks) {
    const ccov_districts *ds = &r->districts;
    for (size_t p = 0; p < ds->nprovinces; p++) {
        const ccov_region *prov = &ds->provinces[p];
        rows[p] = (ccov_region_result){
            .name = strdup(prov->name), .iso = strdup(prov->iso), .fid = prov->fid};
        rows[p].tasks = xres->regions[p].tasks;
        if (!rows[p].name || !rows[p].iso)
            return ccov_ctx_fail(r->ctx, CCOV_ERR_IO, "out of memory");
    }
    for (size_t i = 0; i < r->res->ndistricts; i++) {
        const ccov_region_result *f = &r->res->districts[i].fig;
        ccov_region_result *row = &rows[r->res->districts[i].province];
        row->region_ha += f->region_ha;
        row->net_ha += f->net_ha;
        row->gross_ha += f->gross_ha;
        row->overlap_ha += f->overlap_ha;
        row->group_overlap_ha += f->group_overlap_ha;
        for (int c = 0; c < CCOV_NCATEGORIES; c++) {
            row->categories[c].net_ha += f->categories[c].net_ha;
            row->categories[c].gross_ha += f->categories[c].gross_ha;
            row->categories[c].overlap_ha += f->categories[c].overlap_ha;
        }
    }
    for (size_t p = 0; p < ds->nprovinces; p++) {
        /* A category's tasks: each record once in its province (not the districts' sum). */
        for (int c = 0; r->res->categorised && c < CCOV_NCATEGORIES; c++)
            rows[p].categories[c].tasks = tasks->cat[p * CCOV_NCATEGORIES + (size_t)c];
        double area = rows[p].region_ha;
        rows[p].percent_cleared = area > 0 ? 100.0 * rows[p].net_ha / area : 0;
        rows[p].percent_released = rows[p].percent_cleared;
        if (r->res->categorised && area > 0)
            rows[p].percent_cleared = 100.0 * rows[p].categories[0].net_ha / area;
    }
    return CCOV_OK;
}

/* ---- group rows: per district piece as computed, per province as their sums ---- */

static void figures_add(ccov_figures *sum, const ccov_figures *f) {
    sum->net_ha += f->net_ha;
    sum->gross_ha += f->gross_ha;
    sum->overlap_ha += f->overlap_ha;
}

/* Group g's province figures from its pieces' (which become its district figures); tasks and
   category tasks per province from `tasks` and `cat_tasks` (nprovinces [x categories]). */
static ccov_status group_provinces(ccov_pipeline *r, ccov_group *g, const long long *tasks,
                                   const long long *cat_tasks) {
    const ccov_districts *ds = &r->districts;
    size_t np = ds->nprovinces ? ds->nprovinces : 1;
    ccov_figures *fig = calloc(np, sizeof *fig);
    ccov_figures(*cats)[CCOV_NCATEGORIES] = g->categories ? calloc(np, sizeof *cats) : NULL;
    double *cum = g->cumulative_ha ? calloc(np, sizeof *cum) : NULL;
    g->districts = g->regions, g->district_categories = g->categories;
    g->district_cumulative_ha = g->cumulative_ha;
    g->regions = fig, g->categories = cats, g->cumulative_ha = cum;
    if (!fig || (g->district_categories && !cats) || (g->district_cumulative_ha && !cum))
        return ccov_ctx_fail(r->ctx, CCOV_ERR_IO, "out of memory");
    for (size_t i = 0; i < ds->n; i++) {
        size_t p = ds->province_of[i];
        figures_add(&fig[p], &g->districts[i]);
        for (int c = 0; cats && c < CCOV_NCATEGORIES; c++)
            figures_add(&cats[p][c], &g->district_categories[i][c]);
        if (cum)
            cum[p] += g->district_cumulative_ha[i]; /* NaN stays NaN: year unknown */
    }
    for (size_t p = 0; p < ds->nprovinces; p++) {
        fig[p].tasks = tasks[p];
        for (int c = 0; cats && c < CCOV_NCATEGORIES; c++)
            cats[p][c].tasks = cat_tasks[p * CCOV_NCATEGORIES + (size_t)c];
    }
    return CCOV_OK;
}

ccov_status ccov_districts_finish(ccov_pipeline *r) {
    ccov_districts *ds = &r->districts;
    ccov_result *res = r->res, *xres = NULL;
    if (!r->opts->districts_src)
        return CCOV_OK;
    size_t *slot = calloc(ds->n ? ds->n : 1, sizeof *slot);
    ccov_region_result *rows = calloc(ds->nprovinces ? ds->nprovinces : 1, sizeof *rows);
    res->districts = calloc(ds->n ? ds->n : 1, sizeof *res->districts);
    province_tasks tasks = {0};
    ccov_status st = slot && rows && res->districts
                         ? extra_pass(r, slot, &xres, &tasks)
                         : ccov_ctx_fail(r->ctx, CCOV_ERR_IO, "out of memory");
    for (size_t i = 0; st == CCOV_OK && i < res->nregions; i++)
        st = district_row(r, i, &res->regions[i], xres, slot);
    if (st == CCOV_OK)
        st = province_rows(r, rows, xres, &tasks);
    for (size_t g = 0; st == CCOV_OK && g < res->ngroups; g++)
        st = group_provinces(r, &res->groups[g], tasks.group + g * ds->nprovinces,
                             tasks.group_cat + g * ds->nprovinces * CCOV_NCATEGORIES);
    tasks_free(&tasks);
    /* The province rows replace the pieces' (whose figures moved to the district rows). */
    for (size_t i = 0; i < res->nregions; i++) {
        free(res->regions[i].name);
        free(res->regions[i].iso);
    }
    free(res->regions);
    res->regions = rows;
    res->nregions = rows ? ds->nprovinces : 0;
    extra_free(xres);
    free(slot);
    return st;
}

void ccov_districts_free(ccov_ctx *ctx, ccov_districts *d) {
    for (size_t i = 0; i < d->nprovinces; i++) {
        ccov_geom_free(ctx, d->provinces[i].geom);
        free(d->provinces[i].name);
        free(d->provinces[i].iso);
    }
    for (size_t i = 0; i < d->n; i++) {
        free(d->district[i]);
        free(d->district_iso[i]);
        ccov_geom_free(ctx, d->outside[i]);
    }
    free(d->provinces);
    free(d->province_of);
    free(d->district);
    free(d->district_iso);
    free(d->district_fid);
    free(d->district_ha);
    free(d->outside);
    free(d->outside_ha);
    memset(d, 0, sizeof *d);
}
