/* geom_audit: validity with location, normal forms, shape measures, region shares and
   overlapping pairs for `clearcov audit` (GEOS reentrant API), and a byte-level WKB ring walk. */
#include "geom/audit.h"
#include "core/internal.h"

#include <math.h>
#include <stdint.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>

#define PI 3.14159265358979323846

/* ---- ISO WKB, byte by byte ---- */

typedef struct {
    const unsigned char *p, *end;
} cursor;

static bool read_u32(cursor *c, bool big, uint32_t *v) {
    if (c->end - c->p < 4)
        return false;
    const unsigned char *b = c->p;
    *v = big ? (uint32_t)b[0] << 24 | (uint32_t)b[1] << 16 | (uint32_t)b[2] << 8 | b[3]
             : (uint32_t)b[3] << 24 | (uint32_t)b[2] << 16 | (uint32_t)b[1] << 8 | b[0];
    c->p += 4;
    return true;
}

static double read_f64(cursor *c, bool big) {
    uint64_t bits = 0;
    for (int i = 0; i < 8; i++)
        bits |= (uint64_t)c->p[big ? i : 7 - i] << (8 * (7 - i));
    c->p += 8;
    double v;
    memcpy(&v, &bits, sizeof v);
    return v;
}

/* n points of `dims` ordinates: x and y kept (into x, y when given), the rest skipped. */
static bool read_points(cursor *c, bool big, uint32_t n, unsigned dims, double *x, double *y) {
    if ((size_t)(c->end - c->p) / (8u * dims) < n)
        return false;
    for (uint32_t i = 0; i < n; i++) {
        double px = read_f64(c, big), py = read_f64(c, big);
        c->p += 8u * (dims - 2);
        if (x) {
            x[i] = px;
            y[i] = py;
        }
    }
    return true;
}

static bool polygon_rings(cursor *c, bool big, unsigned dims, ccov_ring_fn fn, void *user) {
    uint32_t nrings = 0;
    if (!read_u32(c, big, &nrings))
        return false;
    for (uint32_t r = 0; r < nrings; r++) {
        uint32_t n = 0;
        if (!read_u32(c, big, &n) || (size_t)(c->end - c->p) / (8u * dims) < n)
            return false;
        double *xy = malloc(2 * (n ? (size_t)n : 1) * sizeof *xy);
        bool ok = xy && read_points(c, big, n, dims, xy, xy + n) &&
                  (n == 0 || fn(user, xy, xy + n, n, r == 0));
        free(xy);
        if (!ok)
            return false;
    }
    return true;
}

static bool walk(cursor *c, ccov_ring_fn fn, void *user, int depth) {
    uint32_t code = 0, n = 0;
    if (depth > 16 || c->p >= c->end || *c->p > 1)
        return false;
    bool big = *c->p++ == 0;
    if (!read_u32(c, big, &code) || code % 1000 < 1 || code % 1000 > 7 || code / 1000 > 3)
        return false;
    unsigned dims = 2 + (code / 1000 == 1 || code / 1000 == 2) + 2 * (code / 1000 == 3);
    switch (code % 1000) {
    case 1:
        return read_points(c, big, 1, dims, NULL, NULL);
    case 2:
        return read_u32(c, big, &n) && read_points(c, big, n, dims, NULL, NULL);
    case 3:
        return polygon_rings(c, big, dims, fn, user);
    default: /* multi-geometries and collections: each member has its own header */
        if (!read_u32(c, big, &n))
            return false;
        for (uint32_t i = 0; i < n; i++)
            if (!walk(c, fn, user, depth + 1))
                return false;
        return true;
    }
}

bool ccov_geom_wkb_rings(const unsigned char *wkb, size_t size, ccov_ring_fn fn, void *user) {
    cursor c = {wkb, wkb + size};
    return wkb && walk(&c, fn, user, 0);
}

/* ---- single geometries ---- */

bool ccov_geom_audit_valid(ccov_ctx *ctx, const ccov_geom *g, char *reason, size_t n) {
    char *why = NULL;
    GEOSGeometry *where = NULL;
    char valid = GEOSisValidDetail_r(ctx->geos, g, 0, &why, &where);
    if (valid == 1) {
        GEOSFree_r(ctx->geos, why);
        GEOSGeom_destroy_r(ctx->geos, where);
        return true;
    }
    double x = NAN, y = NAN;
    if (where) {
        GEOSGeomGetX_r(ctx->geos, where, &x);
        GEOSGeomGetY_r(ctx->geos, where, &y);
    }
    const char *text = why ? why : valid == 2 ? ctx->geos_error : "invalid";
    if (isfinite(x) && isfinite(y))
        snprintf(reason, n, "%s at (%.10g %.10g)", text, x, y);
    else
        snprintf(reason, n, "%s", text);
    /* GEOS capitalises its reasons; messages here are lower-case. */
    if (reason[0] >= 'A' && reason[0] <= 'Z')
        reason[0] = (char)(reason[0] - 'A' + 'a');
    GEOSFree_r(ctx->geos, why);
    GEOSGeom_destroy_r(ctx->geos, where);
    return false;
}

bool ccov_geom_audit_normal_wkb(ccov_ctx *ctx, const ccov_geom *g, unsigned char **wkb,
                                size_t *size) {
    GEOSGeometry *copy = GEOSGeom_clone_r(ctx->geos, g);
    bool ok =
        copy && GEOSNormalize_r(ctx->geos, copy) == 0 && ccov_geom_to_wkb(ctx, copy, wkb, size);
    GEOSGeom_destroy_r(ctx->geos, copy);
    return ok;
}

typedef struct {
    double thinness, width;
    bool any, failed;
} shape_acc;

static void part_shape(ccov_ctx *ctx, const GEOSGeometry *g, shape_acc *acc) {
    int type = GEOSGeomTypeId_r(ctx->geos, g);
    if (type == GEOS_MULTIPOLYGON || type == GEOS_GEOMETRYCOLLECTION) {
        for (int i = 0; i < GEOSGetNumGeometries_r(ctx->geos, g); i++)
            part_shape(ctx, GEOSGetGeometryN_r(ctx->geos, g, i), acc);
        return;
    }
    double area = 0, perimeter = 0, width = 0;
    if (type != GEOS_POLYGON || GEOSisEmpty_r(ctx->geos, g))
        return;
    GEOSGeometry *line = GEOSMinimumWidth_r(ctx->geos, g);
    if (!GEOSArea_r(ctx->geos, g, &area) || !GEOSLength_r(ctx->geos, g, &perimeter) || !line ||
        !GEOSLength_r(ctx->geos, line, &width))
        acc->failed = true;
    GEOSGeom_destroy_r(ctx->geos, line);
    if (acc->failed || area <= 0 || perimeter <= 0)
        return;
    double thinness = 4 * PI * area / (perimeter * perimeter);
    acc->thinness = acc->any && acc->thinness < thinness ? acc->thinness : thinness;
    acc->width = acc->any && acc->width < width ? acc->width : width;
    acc->any = true;
}

bool ccov_geom_audit_shape(ccov_ctx *ctx, const ccov_geom *g, double *thinness, double *width) {
    shape_acc acc = {0};
    part_shape(ctx, g, &acc);
    if (acc.failed || !acc.any)
        return false;
    *thinness = acc.thinness;
    *width = acc.width;
    return true;
}

/* ---- regions ---- */

struct ccov_region_index {
    GEOSSTRtree *tree;
    const GEOSPreparedGeometry **prep;
    ccov_geom *const *regions;
    size_t n;
};

ccov_region_index *ccov_geom_region_index(ccov_ctx *ctx, ccov_geom *const *regions, size_t n) {
    ccov_region_index *idx = calloc(1, sizeof *idx);
    if (!idx)
        return NULL;
    idx->regions = regions;
    idx->n = n;
    idx->tree = GEOSSTRtree_create_r(ctx->geos, 10);
    idx->prep = calloc(n ? n : 1, sizeof *idx->prep);
    bool ok = idx->tree && idx->prep;
    for (size_t i = 0; ok && i < n; i++) {
        idx->prep[i] = GEOSPrepare_r(ctx->geos, regions[i]);
        ok = idx->prep[i] != NULL;
        if (ok)
            GEOSSTRtree_insert_r(ctx->geos, idx->tree, regions[i], (void *)(uintptr_t)(i + 1));
    }
    if (!ok) {
        ccov_geom_region_index_free(ctx, idx);
        return NULL;
    }
    return idx;
}

void ccov_geom_region_index_free(ccov_ctx *ctx, ccov_region_index *idx) {
    if (!idx)
        return;
    for (size_t i = 0; idx->prep && i < idx->n; i++)
        GEOSPreparedGeom_destroy_r(ctx->geos, idx->prep[i]);
    free(idx->prep);
    if (idx->tree)
        GEOSSTRtree_destroy_r(ctx->geos, idx->tree);
    free(idx);
}

typedef struct {
    size_t *items;
    size_t n, cap;
    bool failed;
} index_list;

static void collect_item(void *item, void *user) {
    index_list *l = user;
    if (l->n == l->cap) {
        size_t cap = l->cap ? 2 * l->cap : 16;
        size_t *grown = realloc(l->items, cap * sizeof *grown);
        if (!grown) {
            l->failed = true;
            return;
        }
        l->items = grown;
        l->cap = cap;
    }
    l->items[l->n++] = (size_t)(uintptr_t)item - 1;
}

static int size_cmp(const void *a, const void *b) {
    size_t x = *(const size_t *)a, y = *(const size_t *)b;
    return x < y ? -1 : x > y;
}

/* The share of g (area `area`) inside region i. Negative on a GEOS error. */
static double region_share(ccov_ctx *ctx, const ccov_region_index *idx, size_t i,
                           const ccov_geom *g, double area) {
    char in = GEOSPreparedIntersects_r(ctx->geos, idx->prep[i], g);
    if (in != 1)
        return in == 0 ? 0 : -1;
    if (GEOSPreparedContainsProperly_r(ctx->geos, idx->prep[i], g) == 1)
        return 1;
    GEOSGeometry *part = GEOSIntersection_r(ctx->geos, g, idx->regions[i]);
    double a = 0;
    bool ok = part && GEOSArea_r(ctx->geos, part, &a);
    GEOSGeom_destroy_r(ctx->geos, part);
    if (!ok)
        return -1;
    return a >= area ? 1 : a / area;
}

bool ccov_geom_region_shares(ccov_ctx *ctx, const ccov_region_index *idx, const ccov_geom *g,
                             double *shares) {
    double area = 0;
    for (size_t i = 0; i < idx->n; i++)
        shares[i] = 0;
    if (!GEOSArea_r(ctx->geos, g, &area))
        return false;
    if (area <= 0)
        return true;
    index_list l = {0};
    GEOSSTRtree_query_r(ctx->geos, idx->tree, g, collect_item, &l);
    bool ok = !l.failed;
    for (size_t k = 0; ok && k < l.n; k++) {
        shares[l.items[k]] = region_share(ctx, idx, l.items[k], g, area);
        ok = shares[l.items[k]] >= 0;
    }
    free(l.items);
    return ok;
}

/* ---- overlapping pairs ---- */

typedef struct {
    ccov_ctx *ctx;
    ccov_geom *const *g;
    double *area;
    double (*env)[4];
    double min_share;
    ccov_pair_fn fn;
    void *user;
} pair_run;

/* Common area of the two bounding boxes: an upper bound of the common area of i and j. */
static double box_overlap(const double *a, const double *b) {
    double w = fmin(a[2], b[2]) - fmax(a[0], b[0]);
    double h = fmin(a[3], b[3]) - fmax(a[1], b[1]);
    return w > 0 && h > 0 ? w * h : 0;
}

static bool pair_test(pair_run *r, const GEOSPreparedGeometry *prep, size_t i, size_t j) {
    double smaller = fmin(r->area[i], r->area[j]);
    if (smaller <= 0 || box_overlap(r->env[i], r->env[j]) <= r->min_share * smaller)
        return true;
    char touch = GEOSPreparedIntersects_r(r->ctx->geos, prep, r->g[j]);
    if (touch != 1)
        return touch == 0;
    GEOSGeometry *common = GEOSIntersection_r(r->ctx->geos, r->g[i], r->g[j]);
    double a = 0;
    bool ok = common && GEOSArea_r(r->ctx->geos, common, &a);
    GEOSGeom_destroy_r(r->ctx->geos, common);
    if (ok && a > r->min_share * smaller)
        r->fn(r->user, i, j, a >= smaller ? 1 : a / smaller);
    return ok;
}

/* The partners j > i of polygon i, in ascending order. */
static bool pairs_of(pair_run *r, GEOSSTRtree *tree, size_t i) {
    index_list l = {0};
    GEOSSTRtree_query_r(r->ctx->geos, tree, r->g[i], collect_item, &l);
    const GEOSPreparedGeometry *prep = l.failed ? NULL : GEOSPrepare_r(r->ctx->geos, r->g[i]);
    bool ok = prep != NULL;
    if (l.n > 1)
        qsort(l.items, l.n, sizeof *l.items, size_cmp);
    for (size_t k = 0; ok && k < l.n; k++)
        if (l.items[k] > i)
            ok = pair_test(r, prep, i, l.items[k]);
    GEOSPreparedGeom_destroy_r(r->ctx->geos, prep);
    free(l.items);
    return ok;
}

static bool measure_all(pair_run *r, size_t n, GEOSSTRtree *tree) {
    for (size_t i = 0; i < n; i++) {
        if (!r->g[i])
            continue;
        double *e = r->env[i];
        if (!GEOSArea_r(r->ctx->geos, r->g[i], &r->area[i]) ||
            !GEOSGeom_getExtent_r(r->ctx->geos, r->g[i], &e[0], &e[1], &e[2], &e[3]))
            return false;
        GEOSSTRtree_insert_r(r->ctx->geos, tree, r->g[i], (void *)(uintptr_t)(i + 1));
    }
    return true;
}

ccov_status ccov_geom_audit_overlaps(ccov_ctx *ctx, ccov_geom *const *g, size_t n, double min_share,
                                     ccov_pair_fn fn, void *user) {
    pair_run r = {
        ctx, g,   calloc(n ? n : 1, sizeof *r.area), calloc(n ? n : 1, sizeof *r.env), min_share,
        fn,  user};
    GEOSSTRtree *tree = GEOSSTRtree_create_r(ctx->geos, 10);
    ccov_status st = CCOV_OK;
    if (!r.area || !r.env || !tree)
        st = ccov_ctx_fail(ctx, CCOV_ERR_IO, "near-duplicates: out of memory");
    else if (!measure_all(&r, n, tree))
        st = ccov_ctx_fail(ctx, CCOV_ERR_GEOM, "near-duplicates: %s", ctx->geos_error);
    for (size_t i = 0; st == CCOV_OK && i < n; i++)
        if (g[i] && !pairs_of(&r, tree, i))
            st = ccov_ctx_fail(ctx, CCOV_ERR_GEOM, "near-duplicates: %s", ctx->geos_error);
    if (tree)
        GEOSSTRtree_destroy_r(ctx->geos, tree);
    free(r.area);
    free(r.env);
    return st;
}
