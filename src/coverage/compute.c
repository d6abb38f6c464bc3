/* coverage: dissolving, clipping and measuring. The plane is cut into a grid of cells holding a few
   hundred cleared polygons each; polygons that straddle a cell edge are cut there (GEOS clip by
   rectangle). In each cell, on its own thread, the pieces that interact are unioned and the
   unions clipped to the regions: no union ever spans more than a cell, however much the polygons
   chain into each other. Gross figures are per feature. Every result is stored per cell or per
   feature and summed afterwards in that order, so the figures are the same, bit for bit,
   whatever the number of threads. */
#include "core/parallel.h"
#include "coverage/pipeline.h"
#include "geom/faces.h"

#include <math.h>
#include <stdint.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>

/* Cleared polygons per cell, on average: small enough that unions stay cheap, large enough that
   few polygons straddle a cell edge. */
enum { CELL_FEATURES = 512 };

/* Where one feature or group has area: per region hectares (most have one region). */
typedef struct {
    uint32_t region;
    double ha;
} hit;

typedef struct {
    uint32_t n;
    hit first;
    hit *more;      /* n - 1 further hits */
    double outside; /* dissolved pieces only */
} hits;

typedef struct {
    double x0, y0, cw, ch; /* origin and cell size, working-frame units */
    double box[4];         /* extent of all cleared polygons */
    size_t nx, ny;
    size_t *start; /* features of cell c: items[start[c] .. start[c + 1]) */
    size_t *items;
} grid;

/* The cell stage's grouping of one cell's pieces and each group's figures, kept for the overlay
   (ccov_compute_faces): it need not group the pieces again, nor overlay a group whose pieces are
   all of one kind. */
typedef struct {
    size_t npieces, ngroups;
    size_t *group_of; /* npieces */
    hits *groups;     /* ngroups; empty for a whole polygon alone (its feature_hits hold it) */
} cell_memo;

typedef struct ccov_compute {
    ccov_pipeline *r;
    double (*box)[4]; /* each feature's extent */
    grid grid;
    double *cell_net; /* ncells x nregions */
    double *cell_out; /* ncells */
    hits *feature_hits;
    bool *done; /* feature_hits filled by the cell stage (a polygon alone in its cell) */
    /* A subset run (ccov_compute_subset): only the features in mask, and only the net figures
       (the features' own figures were made by the first run). */
    const unsigned char *mask;
    cell_memo *memo; /* per cell, when the state is kept for the breakdowns */
} compute_job;

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

/* Hectares of g in one region: g's own area when it lies inside (measured once, kept in *gha),
   the clipped part's when it crosses. *where tells which. */
static ccov_status region_ha(ccov_pipeline *r, ccov_worker *w, size_t i, const ccov_geom *g,
                             double *gha, ccov_place *where, double *ha) {
    *ha = 0;
    *where = ccov_geom_locate(w->ctx, w->preps[i], g);
    if (*where == CCOV_PLACE_INSIDE) {
        if (isnan(*gha))
            *gha = ccov_measure_ha(w->ctx, &w->m, g);
        *ha = *gha;
    } else if (*where == CCOV_PLACE_CROSSING) {
        ccov_geom *part = ccov_geom_clip_crossing(w->ctx, w->preps[i], g, where);
        *ha = part ? ccov_measure_ha(w->ctx, &w->m, part) : 0;
        ccov_geom_free(w->ctx, part);
    }
    if (*where == CCOV_PLACE_ERROR)
        return ccov_ctx_fail(w->ctx, CCOV_ERR_GEOM, "clipping to region %s failed",
                             r->regions.items[i].name);
    return CCOV_OK;
}

/* Hectares of g in each region (regions whose box misses g's are skipped); with `outside`, also
   the hectares of g outside every region. gha: g's own area, NaN when not known yet. *crossing
   (when not NULL) tells whether g crosses or touches a region's border: when it does not, every
   part of g lies in the same regions as g, whole. */
static ccov_status place(ccov_pipeline *r, ccov_worker *w, const ccov_geom *g, double gha, hits *h,
                         bool outside, bool *crossing) {
    double box[4];
    bool inside_one = false, touches = false, border = false;
    if (crossing)
        *crossing = false;
    if (!ccov_geom_bounds(w->ctx, g, box))
        return CCOV_OK;
    for (size_t i = 0; i < r->regions.n; i++) {
        if (!boxes_meet(box, r->workers.region_box[i]))
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
        border |= where == CCOV_PLACE_CROSSING;
    }
    if (crossing)
        *crossing = border;
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

/* ---- the grid of cells ---- */

/* A feature's extent, and the feature settled: the cells its extent spans read it at once. */
static ccov_status box_item(void *shared, int w, size_t f) {
    compute_job *j = shared;
    if (!ccov_geom_bounds(j->r->workers.w[w].ctx, j->r->cleared.geoms[f], j->box[f]))
        return ccov_ctx_fail(j->r->workers.w[w].ctx, CCOV_ERR_GEOM, "empty cleared geometry");
    ccov_geom_settle(j->r->workers.w[w].ctx, j->r->cleared.geoms[f]);
    return CCOV_OK;
}

static size_t cell_index(double v, double origin, double size, size_t n) {
    double k = floor((v - origin) / size);
    return k <= 0 ? 0 : k >= (double)(n - 1) ? n - 1 : (size_t)k;
}

/* The cells a box overlaps: columns ix[0]..ix[1], rows iy[0]..iy[1]. */
static void cell_span(const grid *g, const double b[4], size_t ix[2], size_t iy[2]) {
    ix[0] = cell_index(b[0], g->x0, g->cw, g->nx);
    ix[1] = cell_index(b[2], g->x0, g->cw, g->nx);
    iy[0] = cell_index(b[1], g->y0, g->ch, g->ny);
    iy[1] = cell_index(b[3], g->y0, g->ch, g->ny);
}

/* Cell size from the extent and the count: about CELL_FEATURES polygons a cell, square-ish. */
static void grid_shape(grid *g, size_t n) {
    double w = g->box[2] - g->box[0], h = g->box[3] - g->box[1];
    double cells = n / CELL_FEATURES > 1 ? (double)(n / CELL_FEATURES) : 1;
    w = w > 0 ? w : 1;
    h = h > 0 ? h : 1;
    double nx = fmax(1, round(sqrt(cells * w / h)));
    g->nx = (size_t)nx;
    g->ny = (size_t)fmax(1, ceil(cells / nx));
    g->x0 = g->box[0];
    g->y0 = g->box[1];
    g->cw = w / (double)g->nx;
    g->ch = h / (double)g->ny;
}

/* Each feature listed under every cell its box overlaps (counting sort by cell). */
static ccov_status grid_fill(ccov_pipeline *r, compute_job *j) {
    grid *g = &j->grid;
    size_t ncells = g->nx * g->ny, total = 0, ix[2], iy[2];
    g->start = calloc(ncells + 2, sizeof *g->start);
    if (!g->start)
        return ccov_ctx_fail(r->ctx, CCOV_ERR_IO, "out of memory");
    for (size_t f = 0; f < r->cleared.n; f++) {
        cell_span(g, j->box[f], ix, iy);
        for (size_t y = iy[0]; y <= iy[1]; y++)
            for (size_t x = ix[0]; x <= ix[1]; x++, total++)
                g->start[y * g->nx + x + 2]++;
    }
    g->items = malloc((total ? total : 1) * sizeof *g->items);
    if (!g->items)
        return ccov_ctx_fail(r->ctx, CCOV_ERR_IO, "out of memory");
    for (size_t c = 2; c < ncells + 2; c++)
        g->start[c] += g->start[c - 1];
    for (size_t f = 0; f < r->cleared.n; f++) {
        cell_span(g, j->box[f], ix, iy);
        for (size_t y = iy[0]; y <= iy[1]; y++)
            for (size_t x = ix[0]; x <= ix[1]; x++)
                g->items[g->start[y * g->nx + x + 1]++] = f;
    }
    return CCOV_OK;
}

static ccov_status grid_build(ccov_pipeline *r, compute_job *j) {
    grid *g = &j->grid;
    g->box[0] = g->box[1] = INFINITY;
    g->box[2] = g->box[3] = -INFINITY;
    for (size_t f = 0; f < r->cleared.n; f++) {
        g->box[0] = fmin(g->box[0], j->box[f][0]);
        g->box[1] = fmin(g->box[1], j->box[f][1]);
        g->box[2] = fmax(g->box[2], j->box[f][2]);
        g->box[3] = fmax(g->box[3], j->box[f][3]);
    }
    if (r->cleared.n == 0)
        g->box[0] = g->box[1] = g->box[2] = g->box[3] = 0;
    grid_shape(g, r->cleared.n);
    return grid_fill(r, j);
}

/* Cell c as a rectangle; the outer cells reach past the extent so that rounding never cuts a
   polygon at the edge of the grid. */
static void cell_rect(const grid *g, size_t c, double rect[4]) {
    size_t ix = c % g->nx, iy = c / g->nx;
    rect[0] = ix == 0 ? g->box[0] - 1 : g->x0 + (double)ix * g->cw;
    rect[1] = iy == 0 ? g->box[1] - 1 : g->y0 + (double)iy * g->ch;
    rect[2] = ix + 1 == g->nx ? g->box[2] + 1 : g->x0 + (double)(ix + 1) * g->cw;
    rect[3] = iy + 1 == g->ny ? g->box[3] + 1 : g->y0 + (double)(iy + 1) * g->ch;
}

/* ---- cell stage: dissolve and clip ---- */

/* The cell's pieces: whole polygons when their box lies in the cell, else cut to it. */
typedef struct {
    ccov_geom **geom;
    size_t *feature;
    bool *whole;
    bool *covered; /* covered by another piece: left out of the union */
    size_t n;
} cell_pieces;

static void pieces_free(ccov_ctx *ctx, cell_pieces *p) {
    for (size_t k = 0; p->geom && k < p->n; k++)
        if (!p->whole[k])
            ccov_geom_free(ctx, p->geom[k]);
    free(p->geom);
    free(p->feature);
    free(p->whole);
    free(p->covered);
}

static ccov_status cell_cut(compute_job *j, ccov_worker *w, size_t c, cell_pieces *p) {
    const grid *g = &j->grid;
    size_t k = g->start[c + 1] - g->start[c], ix[2], iy[2];
    double rect[4];
    cell_rect(g, c, rect);
    p->geom = malloc(k * sizeof *p->geom);
    p->feature = malloc(k * sizeof *p->feature);
    p->whole = malloc(k * sizeof *p->whole);
    p->covered = malloc((k ? k : 1) * sizeof *p->covered);
    if (!p->geom || !p->feature || !p->whole || !p->covered)
        return ccov_ctx_fail(w->ctx, CCOV_ERR_IO, "out of memory");
    for (size_t i = g->start[c]; i < g->start[c + 1]; i++) {
        size_t f = g->items[i];
        if (j->mask && !j->mask[f])
            continue;
        cell_span(g, j->box[f], ix, iy);
        bool whole = ix[0] == ix[1] && iy[0] == iy[1];
        ccov_geom *piece = whole ? j->r->cleared.geoms[f]
                                 : ccov_geom_clip_rect(w->ctx, j->r->cleared.geoms[f], rect);
        if (!piece)
            return ccov_ctx_fail(w->ctx, CCOV_ERR_GEOM, "cutting a polygon at a cell edge failed");
        if (!whole && ccov_geom_is_empty(w->ctx, piece)) {
            ccov_geom_free(w->ctx, piece);
            continue;
        }
        p->geom[p->n] = piece;
        p->feature[p->n] = f;
        p->whole[p->n++] = whole;
    }
    return CCOV_OK;
}

/* Add a dissolved piece's figures to the cell's. */
static void cell_add(compute_job *j, size_t c, const hits *h) {
    double *net = &j->cell_net[c * j->r->regions.n];
    for (uint32_t k = 0; k < h->n; k++) {
        const hit *x = k == 0 ? &h->first : &h->more[k - 1];
        net[x->region] += x->ha;
    }
    j->cell_out[c] += h->outside;
}

/* A whole member of a group that lies inside regions without touching their borders lies in the
   same regions, whole: its gross figures are its own area in each. */
static ccov_status members_hits(compute_job *j, ccov_worker *w, size_t f, const hits *group) {
    double ha = j->r->cleared.ha[f];
    for (uint32_t k = 0; ha > 0 && k < group->n; k++) {
        const hit *x = k == 0 ? &group->first : &group->more[k - 1];
        if (!add_hit(&j->feature_hits[f], x->region, ha))
            return ccov_ctx_fail(w->ctx, CCOV_ERR_IO, "out of memory");
    }
    j->done[f] = true;
    return CCOV_OK;
}

/* The union of a group's pieces that no other piece covers (*made: a new geometry); *gha receives
   its area when it is known already (a single whole polygon), else NaN. */
static ccov_geom *group_union(compute_job *j, ccov_worker *w, const cell_pieces *p, const size_t *m,
                              size_t k, bool *made, double *gha) {
    *made = false;
    *gha = NAN;
    if (k == 1 && p->whole[m[0]])
        *gha = j->r->cleared.ha[p->feature[m[0]]];
    if (k == 1)
        return p->geom[m[0]];
    ccov_geom **parts = malloc(k * sizeof *parts);
    size_t kept = 0, last = m[0];
    for (size_t i = 0; parts && i < k; i++)
        if (!p->covered[m[i]]) {
            parts[kept++] = p->geom[m[i]];
            last = m[i];
        }
    *made = kept > 1;
    *gha = kept == 1 && p->whole[last] ? j->r->cleared.ha[p->feature[last]] : NAN;
    ccov_geom *u = !parts ? NULL : kept > 1 ? ccov_geom_union(w->ctx, parts, kept) : p->geom[last];
    free(parts);
    return u;
}

/* One group of interacting pieces: members m[0..k) of p. A whole polygon alone is its own union,
   and its figures are also its gross ones. keep (when not NULL) receives the group's figures. */
static ccov_status cell_group(compute_job *j, ccov_worker *w, size_t c, const cell_pieces *p,
                              const size_t *m, size_t k, hits *keep) {
    bool alone = k == 1 && p->whole[m[0]], made = false;
    size_t f = p->feature[m[0]];
    double gha = NAN;
    ccov_geom *u = group_union(j, w, p, m, k, &made, &gha);
    if (!u)
        return ccov_ctx_fail(w->ctx, CCOV_ERR_GEOM, "dissolve: union failed");
    hits h = {0};
    bool crossing = true;
    ccov_status st = place(j->r, w, u, gha, &h, true, &crossing);
    if (st == CCOV_OK)
        cell_add(j, c, &h);
    if (j->mask)
        crossing = true; /* a subset run leaves the features' own figures alone */
    if (st == CCOV_OK && alone && !j->mask) {
        h.outside = 0;
        j->feature_hits[f] = h;
        j->done[f] = true;
        return CCOV_OK;
    }
    for (size_t i = 0; st == CCOV_OK && !crossing && i < k; i++)
        if (p->whole[m[i]])
            st = members_hits(j, w, p->feature[m[i]], &h);
    if (keep)
        *keep = h;
    else
        free(h.more);
    if (made)
        ccov_geom_free(w->ctx, u);
    return st;
}

/* Members of each local group, in piece order (counting sort by group). */
static size_t *group_order(const size_t *group_of, size_t n, size_t ngroups, size_t *start) {
    size_t *order = malloc((n ? n : 1) * sizeof *order);
    if (!order)
        return NULL;
    memset(start, 0, (ngroups + 2) * sizeof *start);
    for (size_t i = 0; i < n; i++)
        start[group_of[i] + 2]++;
    for (size_t g = 2; g < ngroups + 2; g++)
        start[g] += start[g - 1];
    for (size_t i = 0; i < n; i++)
        order[start[group_of[i] + 1]++] = i;
    return order;
}

/* A cell's pieces in groups of interacting ones: group g is order[start[g] .. start[g + 1]). */
typedef struct {
    size_t n, *order, *start, *group_of;
} cell_grouping;

static void grouping_free(cell_grouping *gr) {
    free(gr->order);
    free(gr->start);
    free(gr->group_of);
}

static ccov_status grouping_make(ccov_worker *w, const cell_pieces *p, cell_grouping *gr) {
    gr->group_of = malloc((p->n ? p->n : 1) * sizeof *gr->group_of);
    gr->start = malloc((p->n + 2) * sizeof *gr->start);
    ccov_status st = gr->group_of && gr->start
                         ? ccov_geom_groups(w->ctx, p->geom, p->n, gr->group_of, &gr->n, p->covered)
                         : ccov_ctx_fail(w->ctx, CCOV_ERR_IO, "out of memory");
    if (st == CCOV_OK && !(gr->order = group_order(gr->group_of, p->n, gr->n, gr->start)))
        st = ccov_ctx_fail(w->ctx, CCOV_ERR_IO, "out of memory");
    return st;
}

/* Keep the cell's grouping (taken from gr) and room for its groups' figures in the memo. */
static hits *memo_keep(compute_job *j, ccov_worker *w, size_t c, const cell_pieces *p,
                       cell_grouping *gr) {
    cell_memo *memo = &j->memo[c];
    memo->groups = calloc(gr->n ? gr->n : 1, sizeof *memo->groups);
    if (!memo->groups) {
        ccov_ctx_fail(w->ctx, CCOV_ERR_IO, "out of memory");
        return NULL;
    }
    memo->npieces = p->n;
    memo->ngroups = gr->n;
    memo->group_of = gr->group_of;
    gr->group_of = NULL;
    return memo->groups;
}

static ccov_status cell_dissolve(compute_job *j, ccov_worker *w, size_t c, const cell_pieces *p) {
    cell_grouping gr = {0};
    hits *kept = NULL;
    ccov_status st = grouping_make(w, p, &gr);
    if (st == CCOV_OK && j->memo && !j->mask && !(kept = memo_keep(j, w, c, p, &gr)))
        st = CCOV_ERR_IO;
    for (size_t g = 0; st == CCOV_OK && g < gr.n; g++)
        st = cell_group(j, w, c, p, gr.order + gr.start[g], gr.start[g + 1] - gr.start[g],
                        kept ? &kept[g] : NULL);
    grouping_free(&gr);
    return st;
}

static ccov_status cell_item(void *shared, int wi, size_t c) {
    compute_job *j = shared;
    ccov_worker *w = &j->r->workers.w[wi];
    if (j->grid.start[c + 1] == j->grid.start[c])
        return CCOV_OK;
    cell_pieces p = {0};
    ccov_status st = cell_cut(j, w, c, &p);
    if (st == CCOV_OK && p.n > 0)
        st = cell_dissolve(j, w, c, &p);
    pieces_free(w->ctx, &p);
    return st;
}

static ccov_status feature_item(void *shared, int w, size_t f) {
    compute_job *j = shared;
    if (j->done[f])
        return CCOV_OK;
    return place(j->r, &j->r->workers.w[w], j->r->cleared.geoms[f], j->r->cleared.ha[f],
                 &j->feature_hits[f], false, NULL);
}

/* ---- sums, in cell and feature order ---- */

static ccov_status sum_up(ccov_pipeline *r, compute_job *j, double *net, double *gross,
                          long long *tasks) {
    ccov_result *res = r->res;
    size_t ncells = j->grid.nx * j->grid.ny, nr = r->regions.n;
    res->task_fids = malloc((r->cleared.n ? r->cleared.n : 1) * sizeof *res->task_fids);
    if (!res->task_fids)
        return ccov_ctx_fail(r->ctx, CCOV_ERR_IO, "out of memory");
    for (size_t c = 0; c < ncells; c++) {
        for (size_t i = 0; i < nr; i++)
            net[i] += j->cell_net[c * nr + i];
        res->outside_ha += j->cell_out[c];
    }
    for (size_t f = 0; f < r->cleared.n; f++) {
        const hits *h = &j->feature_hits[f];
        for (uint32_t k = 0; k < h->n; k++) {
            const hit *x = k == 0 ? &h->first : &h->more[k - 1];
            gross[x->region] += x->ha;
            tasks[x->region]++;
        }
        if (h->n > 0)
            res->task_fids[res->tasks++] = r->cleared.info[f].fid;
    }
    return CCOV_OK;
}

static ccov_status fill_result(ccov_pipeline *r, compute_job *j) {
    ccov_result *res = r->res;
    size_t nr = r->regions.n;
    double *net = calloc(nr, sizeof *net), *gross = calloc(nr, sizeof *gross);
    long long *tasks = calloc(nr, sizeof *tasks);
    res->regions = calloc(nr, sizeof *res->regions);
    ccov_status st = net && gross && tasks && res->regions
                         ? sum_up(r, j, net, gross, tasks)
                         : ccov_ctx_fail(r->ctx, CCOV_ERR_IO, "out of memory");
    for (size_t i = 0; st == CCOV_OK && i < nr; i++) {
        const ccov_region *reg = &r->regions.items[i];
        ccov_region_result *out = &res->regions[res->nregions++];
        *out = (ccov_region_result){.name = strdup(reg->name),
                                    .iso = strdup(reg->iso),
                                    .fid = reg->fid,
                                    .region_ha = reg->ha,
                                    .net_ha = net[i],
                                    .gross_ha = gross[i],
                                    .overlap_ha = gross[i] - net[i],
                                    .tasks = tasks[i],
                                    .percent_cleared = reg->ha > 0 ? 100.0 * net[i] / reg->ha : 0,
                                    .official_ha = reg->official_ha};
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

static ccov_status run_stage(ccov_pipeline *r, const char *name, size_t n, ccov_item_fn fn,
                             void *job) {
    return ccov_workers_run(r->ctx, &r->workers, name, n, fn, job);
}

/* ---- layers: they show whole dissolved groups, so these are built across cells ---- */

typedef struct {
    ccov_pipeline *r;
    size_t ngroups;
    size_t *group_of;
    size_t *start; /* members of group g: members[start[g] .. start[g + 1]) */
    size_t *members;
    bool *covered;      /* covered by another cleared polygon: left out of the union */
    ccov_geom **groups; /* union of each group; a single polygon is borrowed */
    bool *made;         /* groups[g] is a union made here */
} layer_job;

static ccov_status union_item(void *shared, int w, size_t g) {
    layer_job *j = shared;
    size_t k = j->start[g + 1] - j->start[g], kept = 0;
    ccov_ctx *ctx = j->r->workers.w[w].ctx;
    if (k == 1) {
        j->groups[g] = j->r->cleared.geoms[j->members[j->start[g]]];
        return CCOV_OK;
    }
    ccov_geom **parts = malloc(k * sizeof *parts);
    if (!parts)
        return ccov_ctx_fail(ctx, CCOV_ERR_IO, "out of memory");
    for (size_t m = 0; m < k; m++) {
        size_t f = j->members[j->start[g] + m];
        if (!j->covered[f])
            parts[kept++] = j->r->cleared.geoms[f];
    }
    j->made[g] = kept > 1;
    j->groups[g] = kept > 1 ? ccov_geom_union(ctx, parts, kept) : kept ? parts[0] : NULL;
    free(parts);
    return j->groups[g] ? CCOV_OK : ccov_ctx_fail(ctx, CCOV_ERR_GEOM, "dissolve: union failed");
}

/* The steps of a dissolve for the layers, of all the records or of a part of them. Group the
   polygons geoms[0..n) into interacting ones (j->group_of, ngroups, start, members; covered[i]:
   polygon i is covered by another, so left out of the union). */
static ccov_status layer_groups(ccov_pipeline *r, ccov_geom *const *geoms, size_t n, layer_job *j,
                                bool *covered) {
    j->group_of = malloc((n ? n : 1) * sizeof *j->group_of);
    j->start = malloc((n + 2) * sizeof *j->start);
    ccov_status st = j->group_of && j->start
                         ? ccov_geom_groups(r->ctx, geoms, n, j->group_of, &j->ngroups, covered)
                         : ccov_ctx_fail(r->ctx, CCOV_ERR_IO, "out of memory");
    if (st == CCOV_OK && !(j->members = group_order(j->group_of, n, j->ngroups, j->start)))
        st = ccov_ctx_fail(r->ctx, CCOV_ERR_IO, "out of memory");
    return st;
}

/* Each group's union (j->groups; j->made: made here, not borrowed), on the workers. */
static ccov_status layer_unions(ccov_pipeline *r, layer_job *j, const char *stage) {
    j->groups = calloc(j->ngroups ? j->ngroups : 1, sizeof *j->groups);
    j->made = calloc(j->ngroups ? j->ngroups : 1, sizeof *j->made);
    if (!j->groups || !j->made)
        return ccov_ctx_fail(r->ctx, CCOV_ERR_IO, "out of memory");
    return run_stage(r, stage, j->ngroups, union_item, j);
}

static void layer_job_free(ccov_pipeline *r, layer_job *j) {
    for (size_t g = 0; j->groups && j->made && g < j->ngroups; g++)
        if (j->made[g])
            ccov_geom_free(r->ctx, j->groups[g]);
    free(j->groups);
    free(j->made);
    free(j->members);
    free(j->start);
    free(j->covered);
    free(j->group_of);
}

static ccov_status build_layers(ccov_pipeline *r) {
    size_t n = r->cleared.n;
    layer_job j = {.r = r};
    j.covered = malloc((n ? n : 1) * sizeof *j.covered);
    ccov_status st = j.covered ? layer_groups(r, r->cleared.geoms, n, &j, j.covered)
                               : ccov_ctx_fail(r->ctx, CCOV_ERR_IO, "out of memory");
    if (st == CCOV_OK)
        st = layer_unions(r, &j, "dissolve for the layers");
    if (st == CCOV_OK)
        st = ccov_layers_build(r, j.groups, j.ngroups, j.start, j.members);
    layer_job_free(r, &j);
    return st;
}

/* ---- the stages ---- */

static void job_free(ccov_pipeline *r, compute_job *j) {
    if (!j)
        return;
    for (size_t f = 0; j->feature_hits && f < r->cleared.n; f++)
        free(j->feature_hits[f].more);
    free(j->feature_hits);
    for (size_t c = 0; j->memo && c < j->grid.nx * j->grid.ny; c++) {
        for (size_t g = 0; j->memo[c].groups && g < j->memo[c].ngroups; g++)
            free(j->memo[c].groups[g].more);
        free(j->memo[c].groups);
        free(j->memo[c].group_of);
    }
    free(j->memo);
    free(j->done);
    free(j->cell_net);
    free(j->cell_out);
    free(j->grid.start);
    free(j->grid.items);
    free(j->box);
}

static ccov_status job_alloc(ccov_pipeline *r, compute_job *j) {
    size_t n = r->cleared.n ? r->cleared.n : 1, ncells = j->grid.nx * j->grid.ny;
    j->cell_net = calloc(ncells * (r->regions.n ? r->regions.n : 1), sizeof *j->cell_net);
    j->cell_out = calloc(ncells, sizeof *j->cell_out);
    j->feature_hits = calloc(n, sizeof *j->feature_hits);
    j->done = calloc(n, sizeof *j->done);
    if (!j->cell_net || !j->cell_out || !j->feature_hits || !j->done)
        return ccov_ctx_fail(r->ctx, CCOV_ERR_IO, "out of memory");
    return CCOV_OK;
}

ccov_status ccov_compute_figures(ccov_pipeline *r, bool keep) {
    compute_job *j = calloc(1, sizeof *j);
    if (!j)
        return ccov_ctx_fail(r->ctx, CCOV_ERR_IO, "out of memory");
    j->r = r;
    j->box = malloc((r->cleared.n ? r->cleared.n : 1) * sizeof *j->box);
    ccov_status st = j->box ? run_stage(r, "extents", r->cleared.n, box_item, j)
                            : ccov_ctx_fail(r->ctx, CCOV_ERR_IO, "out of memory");
    if (st == CCOV_OK)
        st = grid_build(r, j);
    if (st == CCOV_OK)
        st = job_alloc(r, j);
    if (st == CCOV_OK && keep && !(j->memo = calloc(j->grid.nx * j->grid.ny, sizeof *j->memo)))
        st = ccov_ctx_fail(r->ctx, CCOV_ERR_IO, "out of memory");
    if (st == CCOV_OK)
        st = run_stage(r, "dissolve and clip, cell by cell", j->grid.nx * j->grid.ny, cell_item, j);
    if (st == CCOV_OK)
        st = run_stage(r, "gross area per feature", r->cleared.n, feature_item, j);
    if (st == CCOV_OK)
        st = fill_result(r, j);
    if (st == CCOV_OK && r->opts->layers)
        st = build_layers(r);
    r->compute = j;
    if (st != CCOV_OK || !keep)
        ccov_compute_free(r);
    return st;
}

void ccov_compute_free(ccov_pipeline *r) {
    job_free(r, r->compute);
    free(r->compute);
    r->compute = NULL;
}

/* ---- the overlay of each cell, for the breakdowns ---- */

typedef struct {
    compute_job *j;
    ccov_geom **borders; /* each region's boundary (NULL: none) */
    ccov_face_fn fn;
    void *user;
} faces_job;

/* The regions' borders inside cell c's rectangle: they cut the cell's faces. */
static ccov_status cell_borders(faces_job *fj, ccov_worker *w, size_t c, ccov_geom **lines,
                                size_t *n) {
    const ccov_pipeline *r = fj->j->r;
    double rect[4];
    cell_rect(&fj->j->grid, c, rect);
    *n = 0;
    for (size_t i = 0; i < r->regions.n; i++) {
        bool failed = false;
        if (!fj->borders[i] || !boxes_meet(rect, r->workers.region_box[i]))
            continue;
        ccov_geom *part = ccov_geom_lines_in_rect(w->ctx, fj->borders[i], rect, &failed);
        if (failed)
            return ccov_ctx_fail(w->ctx, CCOV_ERR_GEOM, "cutting the border of region %s failed",
                                 r->regions.items[i].name);
        if (part)
            lines[(*n)++] = part;
    }
    return CCOV_OK;
}

static bool box_has(const double b[4], double x, double y) {
    return b[0] <= x && x <= b[2] && b[1] <= y && y <= b[3];
}

/* Hand face f of cell c to the caller once for each region it lies in, with its hectares and
   the features covering it (f's members are indices into m: pieces of p). */
static ccov_status face_regions(faces_job *fj, ccov_worker *w, size_t c, const cell_pieces *p,
                                const size_t *m, const ccov_face *f, size_t *features) {
    const ccov_pipeline *r = fj->j->r;
    double ha = NAN;
    for (size_t k = 0; k < f->nmembers; k++)
        features[k] = p->feature[m[f->members[k]]];
    for (size_t i = 0; i < r->regions.n; i++) {
        bool inside = false;
        if (!box_has(r->workers.region_box[i], f->x, f->y))
            continue;
        if (ccov_geom_contains_point(w->ctx, w->preps[i], f->x, f->y, &inside) != CCOV_OK)
            return ccov_ctx_fail(w->ctx, CCOV_ERR_GEOM, "region %s: placing a breakdown face: %s",
                                 r->regions.items[i].name, ccov_ctx_error(w->ctx));
        if (!inside)
            continue;
        if (isnan(ha))
            ha = ccov_measure_ha(w->ctx, &w->m, f->geom);
        if (!fj->fn(fj->user, c, i, ha, features, f->nmembers))
            return ccov_ctx_fail(w->ctx, CCOV_ERR_IO, "out of memory");
    }
    return CCOV_OK;
}

/* Figures from the first run handed on as one face per region, with feature f standing for the
   records covering it: a whole polygon alone in its group (its own figures), or a group whose
   pieces are all of one kind (its union's). */
static ccov_status known_faces(faces_job *fj, ccov_worker *w, size_t c, const hits *h, size_t f) {
    for (uint32_t k = 0; k < h->n; k++) {
        const hit *x = k == 0 ? &h->first : &h->more[k - 1];
        if (!fj->fn(fj->user, c, x->region, x->ha, &f, 1))
            return ccov_ctx_fail(w->ctx, CCOV_ERR_IO, "out of memory");
    }
    return CCOV_OK;
}

/* The extent of pieces m[0..k) of p, widened by a hundredth so no border along its edge is lost. */
static void group_box(ccov_ctx *ctx, const cell_pieces *p, const size_t *m, size_t k,
                      double box[4]) {
    box[0] = box[1] = INFINITY;
    box[2] = box[3] = -INFINITY;
    for (size_t i = 0; i < k; i++) {
        double b[4];
        if (!ccov_geom_bounds(ctx, p->geom[m[i]], b))
            continue;
        box[0] = fmin(box[0], b[0]);
        box[1] = fmin(box[1], b[1]);
        box[2] = fmax(box[2], b[2]);
        box[3] = fmax(box[3], b[3]);
    }
    double margin = 0.01 * fmax(box[2] - box[0], box[3] - box[1]) + 1e-6;
    box[0] -= margin;
    box[1] -= margin;
    box[2] += margin;
    box[3] += margin;
}

/* The cell's borders cut to the group's extent, into cut (*ncut). */
static ccov_status group_borders(ccov_ctx *ctx, const double box[4], ccov_geom *const *lines,
                                 size_t nlines, ccov_geom **cut, size_t *ncut) {
    *ncut = 0;
    for (size_t i = 0; i < nlines; i++) {
        bool failed = false;
        ccov_geom *part = ccov_geom_lines_in_rect(ctx, lines[i], box, &failed);
        if (failed)
            return ccov_ctx_fail(ctx, CCOV_ERR_GEOM, "cutting a region border failed");
        if (part)
            cut[(*ncut)++] = part;
    }
    return CCOV_OK;
}

/* Records of one kind (the same category and group) count alike in every breakdown. */
static bool same_kind(const ccov_cleared_info *a, const ccov_cleared_info *b) {
    if (a->category != b->category)
        return false;
    return a->group && b->group ? strcmp(a->group, b->group) == 0 : a->group == b->group;
}

/* Whether pieces m[0..k) of p are all of one kind. */
static bool one_kind(const compute_job *j, const cell_pieces *p, const size_t *m, size_t k) {
    const ccov_cleared_info *info = j->r->cleared.info;
    for (size_t i = 1; i < k; i++)
        if (!same_kind(&info[p->feature[m[i]]], &info[p->feature[m[0]]]))
            return false;
    return true;
}

/* The kinds of pieces m[0..k) of p: kind_of[i] for each, rep[k] the first piece of each kind;
   returns the number of kinds. */
static size_t group_kinds(const compute_job *j, const cell_pieces *p, const size_t *m, size_t k,
                          size_t *kind_of, size_t *rep) {
    const ccov_cleared_info *info = j->r->cleared.info;
    size_t nkinds = 0;
    for (size_t i = 0; i < k; i++) {
        size_t q = 0;
        while (q < nkinds && !same_kind(&info[p->feature[m[i]]], &info[p->feature[rep[q]]]))
            q++;
        if (q == nkinds)
            rep[nkinds++] = m[i];
        kind_of[i] = q;
    }
    return nkinds;
}

/* The union of the pieces of each kind into kinds[0..nkinds) (made[q]: a new geometry). */
static ccov_status kind_unions(ccov_ctx *ctx, const cell_pieces *p, const size_t *m, size_t k,
                               const size_t *kind_of, size_t nkinds, ccov_geom **kinds,
                               bool *made) {
    ccov_geom **parts = malloc(k * sizeof *parts);
    if (!parts)
        return ccov_ctx_fail(ctx, CCOV_ERR_IO, "out of memory");
    for (size_t q = 0; q < nkinds; q++) {
        size_t n = 0;
        for (size_t i = 0; i < k; i++)
            if (kind_of[i] == q)
                parts[n++] = p->geom[m[i]];
        made[q] = n > 1;
        kinds[q] = n > 1 ? ccov_geom_union(ctx, parts, n) : parts[0];
        if (!kinds[q]) {
            free(parts);
            return ccov_ctx_fail(ctx, CCOV_ERR_GEOM, "dissolve: union failed");
        }
    }
    free(parts);
    return CCOV_OK;
}

/* The faces of the kinds' unions kinds[0..nkinds) (rep: a piece of each), cut by the borders. */
static ccov_status kinds_faces(faces_job *fj, ccov_worker *w, size_t c, const cell_pieces *p,
                               const size_t *rep, ccov_geom *const *kinds, size_t nkinds,
                               ccov_geom *const *cut, size_t ncut, size_t *features) {
    size_t nfaces = 0;
    ccov_face *faces = NULL;
    ccov_status st = ccov_geom_faces(w->ctx, kinds, nkinds, cut, ncut, &faces, &nfaces);
    for (size_t i = 0; st == CCOV_OK && i < nfaces; i++)
        st = face_regions(fj, w, c, p, rep, &faces[i], features);
    ccov_geom_faces_free(w->ctx, faces, nfaces);
    return st;
}

/* The faces of one group of interacting pieces, members m[0..k) of p: the pieces of one kind are
   unioned first, then the kinds are overlaid. known: the group's figures from the first run
   (NULL: not kept), which are its faces' when its pieces are all of one kind. */
static ccov_status group_faces(faces_job *fj, ccov_worker *w, size_t c, const cell_pieces *p,
                               const size_t *m, size_t k, const hits *known,
                               ccov_geom *const *lines, size_t nlines, size_t *features) {
    if (k == 1 && p->whole[m[0]])
        return known_faces(fj, w, c, &fj->j->feature_hits[p->feature[m[0]]], p->feature[m[0]]);
    if (known && one_kind(fj->j, p, m, k))
        return known_faces(fj, w, c, known, p->feature[m[0]]);
    size_t ncut = 0, nkinds = 0;
    double box[4];
    ccov_geom **kinds = malloc(k * sizeof *kinds), **cut = malloc((nlines + 1) * sizeof *cut);
    size_t *kind_of = malloc(k * sizeof *kind_of), *rep = malloc(k * sizeof *rep);
    bool *made = calloc(k, sizeof *made);
    group_box(w->ctx, p, m, k, box);
    ccov_status st = kinds && cut && kind_of && rep && made
                         ? group_borders(w->ctx, box, lines, nlines, cut, &ncut)
                         : ccov_ctx_fail(w->ctx, CCOV_ERR_IO, "out of memory");
    if (st == CCOV_OK) {
        nkinds = group_kinds(fj->j, p, m, k, kind_of, rep);
        st = kind_unions(w->ctx, p, m, k, kind_of, nkinds, kinds, made);
    }
    if (st == CCOV_OK)
        st = kinds_faces(fj, w, c, p, rep, kinds, nkinds, cut, ncut, features);
    for (size_t q = 0; made && q < nkinds; q++)
        if (made[q])
            ccov_geom_free(w->ctx, kinds[q]);
    for (size_t i = 0; i < ncut; i++)
        ccov_geom_free(w->ctx, cut[i]);
    free(cut);
    free(kinds);
    free(kind_of);
    free(rep);
    free(made);
    return st;
}

/* The cell stage's grouping of the cell's pieces, from the memo (the cut is the same). */
static ccov_status memo_grouping(ccov_worker *w, const cell_memo *memo, cell_grouping *gr) {
    gr->n = memo->ngroups;
    gr->start = malloc((memo->npieces + 2) * sizeof *gr->start);
    if (gr->start)
        gr->order = group_order(memo->group_of, memo->npieces, memo->ngroups, gr->start);
    return gr->order ? CCOV_OK : ccov_ctx_fail(w->ctx, CCOV_ERR_IO, "out of memory");
}

/* The cell's groups of interacting pieces, each cut into faces. */
static ccov_status cell_groups(faces_job *fj, ccov_worker *w, size_t c, const cell_pieces *p,
                               ccov_geom *const *lines, size_t nlines, size_t *features) {
    const cell_memo *memo = fj->j->memo ? &fj->j->memo[c] : NULL;
    bool kept = memo && memo->group_of && memo->npieces == p->n;
    cell_grouping gr = {0};
    ccov_status st = kept ? memo_grouping(w, memo, &gr) : grouping_make(w, p, &gr);
    for (size_t g = 0; st == CCOV_OK && g < gr.n; g++)
        st = group_faces(fj, w, c, p, gr.order + gr.start[g], gr.start[g + 1] - gr.start[g],
                         kept ? &memo->groups[g] : NULL, lines, nlines, features);
    grouping_free(&gr);
    return st;
}

static ccov_status cell_faces(faces_job *fj, ccov_worker *w, size_t c, const cell_pieces *p) {
    size_t nlines = 0;
    ccov_geom **lines = malloc((fj->j->r->regions.n + 1) * sizeof *lines);
    size_t *features = malloc((p->n ? p->n : 1) * sizeof *features);
    ccov_status st = lines && features ? cell_borders(fj, w, c, lines, &nlines)
                                       : ccov_ctx_fail(w->ctx, CCOV_ERR_IO, "out of memory");
    if (st == CCOV_OK)
        st = cell_groups(fj, w, c, p, lines, nlines, features);
    for (size_t k = 0; k < nlines; k++)
        ccov_geom_free(w->ctx, lines[k]);
    free(lines);
    free(features);
    return st;
}

static ccov_status faces_item(void *shared, int wi, size_t c) {
    faces_job *fj = shared;
    ccov_worker *w = &fj->j->r->workers.w[wi];
    if (fj->j->grid.start[c + 1] == fj->j->grid.start[c])
        return CCOV_OK;
    cell_pieces p = {0};
    ccov_status st = cell_cut(fj->j, w, c, &p);
    if (st == CCOV_OK && p.n > 0)
        st = cell_faces(fj, w, c, &p);
    pieces_free(w->ctx, &p);
    return st;
}

size_t ccov_compute_cells(const ccov_pipeline *r) {
    return r->compute->grid.nx * r->compute->grid.ny;
}

ccov_status ccov_compute_faces(ccov_pipeline *r, ccov_face_fn fn, void *user) {
    faces_job fj = {.j = r->compute, .fn = fn, .user = user};
    ccov_status st = CCOV_OK;
    fj.borders = calloc(r->regions.n ? r->regions.n : 1, sizeof *fj.borders);
    if (!fj.borders)
        return ccov_ctx_fail(r->ctx, CCOV_ERR_IO, "out of memory");
    for (size_t i = 0; st == CCOV_OK && i < r->regions.n; i++) {
        if (!(fj.borders[i] = ccov_geom_border(r->ctx, r->regions.items[i].geom)))
            st = ccov_ctx_fail(r->ctx, CCOV_ERR_GEOM, "the border of region %s failed",
                               r->regions.items[i].name);
        else
            ccov_geom_settle(r->ctx, fj.borders[i]); /* every cell near it reads it */
    }
    if (st == CCOV_OK)
        st = run_stage(r, "overlay of the records, cell by cell", ccov_compute_cells(r), faces_item,
                       &fj);
    for (size_t i = 0; i < r->regions.n; i++)
        ccov_geom_free(r->ctx, fj.borders[i]);
    free(fj.borders);
    return st;
}

ccov_status ccov_compute_subset(ccov_pipeline *r, const unsigned char *mask, double *net) {
    compute_job *j = r->compute;
    size_t ncells = j->grid.nx * j->grid.ny, nr = r->regions.n;
    memset(j->cell_net, 0, ncells * (nr ? nr : 1) * sizeof *j->cell_net);
    memset(j->cell_out, 0, ncells * sizeof *j->cell_out);
    j->mask = mask;
    ccov_status st = run_stage(r, "dissolve and clip a part of the records", ncells, cell_item, j);
    j->mask = NULL;
    for (size_t i = 0; i < nr; i++)
        net[i] = 0;
    for (size_t c = 0; st == CCOV_OK && c < ncells; c++)
        for (size_t i = 0; i < nr; i++)
            net[i] += j->cell_net[c * nr + i];
    return st;
}

bool ccov_compute_hit(const ccov_pipeline *r, size_t f, uint32_t k, size_t *region, double *ha) {
    const hits *h = &r->compute->feature_hits[f];
    if (k >= h->n)
        return false;
    const hit *x = k == 0 ? &h->first : &h->more[k - 1];
    *region = x->region;
    *ha = x->ha;
    return true;
}

/* ==== --group-by layers (issue 13): the dissolved geometry of a part of the records ==== */

/* The layer job over the features in mask: members and covered are indexed by feature, as
   union_item reads them. */
static ccov_status subset_groups(ccov_pipeline *r, const unsigned char *mask, layer_job *j) {
    size_t n = r->cleared.n, k = 0;
    size_t *idx = malloc((n ? n : 1) * sizeof *idx);
    ccov_geom **sub = calloc(n ? n : 1, sizeof *sub);
    bool *covered = malloc((n ? n : 1) * sizeof *covered);
    j->covered = calloc(n ? n : 1, sizeof *j->covered);
    ccov_status st = idx && sub && covered && j->covered
                         ? CCOV_OK
                         : ccov_ctx_fail(r->ctx, CCOV_ERR_IO, "out of memory");
    for (size_t f = 0; st == CCOV_OK && f < n; f++)
        if (mask[f]) {
            idx[k] = f;
            sub[k++] = r->cleared.geoms[f];
        }
    if (st == CCOV_OK)
        st = layer_groups(r, sub, k, j, covered);
    for (size_t m = 0; st == CCOV_OK && m < k; m++) {
        j->members[m] = idx[j->members[m]];
        j->covered[idx[m]] = covered[m];
    }
    free(idx);
    free(sub);
    free(covered);
    return st;
}

ccov_status ccov_compute_subset_dissolve(ccov_pipeline *r, const unsigned char *mask,
                                         ccov_geom ***out, size_t *nout) {
    layer_job j = {.r = r};
    *out = NULL;
    *nout = 0;
    ccov_status st = subset_groups(r, mask, &j);
    if (st == CCOV_OK && !(*out = calloc(j.ngroups ? j.ngroups : 1, sizeof **out)))
        st = ccov_ctx_fail(r->ctx, CCOV_ERR_IO, "out of memory");
    if (st == CCOV_OK)
        st = layer_unions(r, &j, "dissolve a part of the records for the layers");
    /* Each dissolved group handed over: a union made here moves, a borrowed polygon is copied. */
    for (size_t g = 0; st == CCOV_OK && g < j.ngroups; g++) {
        (*out)[g] = j.made[g] ? j.groups[g] : ccov_geom_clone(r->ctx, j.groups[g]);
        j.made[g] = false;
        *nout += (*out)[g] != NULL;
        if (!(*out)[g])
            st = ccov_ctx_fail(r->ctx, CCOV_ERR_GEOM, "dissolve: copy failed");
    }
    layer_job_free(r, &j);
    return st;
}

/* Each group's cleared land, dissolved: dis[g] (ndis[g] disjoint polygons). */
static ccov_status group_dissolve(ccov_pipeline *r, ccov_geom ***dis, size_t *ndis) {
    const ccov_result *res = r->res;
    unsigned char *mask = malloc(r->cleared.n ? r->cleared.n : 1);
    ccov_status st = mask ? CCOV_OK : ccov_ctx_fail(r->ctx, CCOV_ERR_IO, "out of memory");
    for (size_t g = 0; st == CCOV_OK && g < res->ngroups; g++) {
        for (size_t f = 0; f < r->cleared.n; f++)
            mask[f] = r->cleared.group_of[f] == g;
        st = ccov_compute_subset_dissolve(r, mask, &dis[g], &ndis[g]);
    }
    free(mask);
    return st;
}

/* The coverage layer by region and group (layers.c), from each group's dissolved land. */
ccov_status ccov_compute_group_layers(ccov_pipeline *r) {
    ccov_result *res = r->res;
    size_t ng = res->ngroups ? res->ngroups : 1;
    if (!res->layers || res->ngroup_fields == 0)
        return CCOV_OK;
    ccov_geom ***dis = calloc(ng, sizeof *dis);
    size_t *ndis = calloc(ng, sizeof *ndis);
    ccov_status st = dis && ndis ? group_dissolve(r, dis, ndis)
                                 : ccov_ctx_fail(r->ctx, CCOV_ERR_IO, "out of memory");
    if (st == CCOV_OK)
        st = ccov_layers_group_coverage(r, dis, ndis);
    for (size_t g = 0; dis && ndis && g < res->ngroups; g++) {
        for (size_t k = 0; k < ndis[g]; k++)
            ccov_geom_free(r->ctx, dis[g][k]);
        free(dis[g]);
    }
    free(dis);
    free(ndis);
    return st;
}
