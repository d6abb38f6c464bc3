/* geom: everything that talks to GEOS (reentrant API only). */
#include "geom/geom.h"
#include "core/internal.h"

#include <assert.h>
#include <math.h>
#include <stdint.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>

/* A region ready for repeated tests, and for a large one its tiles: pieces of at most
   TILE_VERTICES vertices cut along a binary grid, so that a polygon crossing the border is
   intersected with the few small pieces near it instead of the whole region. */
struct ccov_prepared {
    const ccov_ctx *owner; /* the context that prepared it: the only one that may use it */
    const GEOSGeometry *region;
    const GEOSPreparedGeometry *prep;
    GEOSGeometry **tiles;
    size_t ntiles, cap;
    GEOSSTRtree *index;
};

enum { TILE_VERTICES = 256, TILE_DEPTH = 20 };

/* A GEOS prepared geometry builds its indexes lazily, as it is used: two threads using one at the
   same time race. So a prepared region belongs to the context (one per thread) that prepared it,
   and is used and freed with that context only (coverage/workers.h states the whole contract).
   Checked in builds without NDEBUG (the ASAN, UBSAN and ASANUBSAN build types). */
#define OWNED_BY(ctx, p)                                                                           \
    assert((p)->owner == (ctx) && "prepared geometry used with a context other than its owner's")

static GEOSGeometry *keep_area(ccov_ctx *ctx, GEOSGeometry *g);

ccov_geom *ccov_geom_from_wkb(ccov_ctx *ctx, const unsigned char *wkb, size_t size, char *problem,
                              size_t n) {
    GEOSWKBReader *reader = GEOSWKBReader_create_r(ctx->geos);
    ctx->geos_error[0] = '\0';
    GEOSGeometry *g = reader ? GEOSWKBReader_read_r(ctx->geos, reader, wkb, size) : NULL;
    /* GEOS's own words name its C++ exception: keep the reason only. */
    if (!g && strstr(ctx->geos_error, "closed"))
        snprintf(problem, n, "unreadable geometry: a ring does not end where it starts");
    else if (!g && strstr(ctx->geos_error, "at least"))
        snprintf(problem, n, "unreadable geometry: a ring has too few points");
    else if (!g)
        snprintf(problem, n, "unreadable geometry");
    GEOSWKBReader_destroy_r(ctx->geos, reader);
    return g;
}

bool ccov_geom_to_wkb(ccov_ctx *ctx, const ccov_geom *g, unsigned char **wkb, size_t *size) {
    GEOSWKBWriter *writer = GEOSWKBWriter_create_r(ctx->geos);
    if (!writer)
        return false;
    GEOSWKBWriter_setOutputDimension_r(ctx->geos, writer, 2);
    GEOSWKBWriter_setByteOrder_r(ctx->geos, writer, GEOS_WKB_NDR);
    unsigned char *buf = GEOSWKBWriter_write_r(ctx->geos, writer, g, size);
    GEOSWKBWriter_destroy_r(ctx->geos, writer);
    if (!buf)
        return false;
    /* Hand over memory the caller can free() (GEOS memory goes back through GEOSFree_r). */
    *wkb = malloc(*size);
    if (*wkb)
        memcpy(*wkb, buf, *size);
    GEOSFree_r(ctx->geos, buf);
    return *wkb != NULL;
}

ccov_geom *ccov_geom_from_wkt(ccov_ctx *ctx, const char *wkt) {
    GEOSWKTReader *reader = GEOSWKTReader_create_r(ctx->geos);
    GEOSGeometry *g = reader ? GEOSWKTReader_read_r(ctx->geos, reader, wkt) : NULL;
    GEOSWKTReader_destroy_r(ctx->geos, reader);
    return g;
}

void ccov_geom_free(ccov_ctx *ctx, ccov_geom *g) {
    if (g)
        GEOSGeom_destroy_r(ctx->geos, g);
}

ccov_geom *ccov_geom_clone(ccov_ctx *ctx, const ccov_geom *g) {
    return GEOSGeom_clone_r(ctx->geos, g);
}

static bool is_polygonal(ccov_ctx *ctx, const GEOSGeometry *g);

static int finite_check(double *x, double *y, void *user) {
    bool *all = user;
    if (!isfinite(*x) || !isfinite(*y))
        *all = false;
    return 1;
}

static bool ring_finite(void *user, const double *x, const double *y, size_t n, bool exterior) {
    (void)user;
    (void)exterior;
    for (size_t i = 0; i < n; i++)
        if (!isfinite(x[i]) || !isfinite(y[i]))
            return false;
    return true;
}

bool ccov_geom_is_finite(ccov_ctx *ctx, const ccov_geom *g) {
    if (is_polygonal(ctx, g))
        return ccov_geom_rings(ctx, g, ring_finite, NULL);
    bool all = true;
    GEOSGeometry *copy = GEOSGeom_transformXY_r(ctx->geos, g, finite_check, &all);
    GEOSGeom_destroy_r(ctx->geos, copy);
    return all && copy != NULL;
}

static bool ring_short(void *user, const double *x, const double *y, size_t n, bool exterior) {
    (void)exterior;
    double step = *(const double *)user;
    for (size_t i = 1; i < n; i++)
        if (hypot(x[i] - x[i - 1], y[i] - y[i - 1]) > step)
            return false;
    return true;
}

bool ccov_geom_edges_within(ccov_ctx *ctx, const ccov_geom *g, double step) {
    return is_polygonal(ctx, g) && ccov_geom_rings(ctx, g, ring_short, &step);
}

long ccov_geom_vertices(ccov_ctx *ctx, const ccov_geom *g) {
    return GEOSGetNumCoordinates_r(ctx->geos, g);
}

ccov_geom *ccov_geom_densify(ccov_ctx *ctx, const ccov_geom *g, double step) {
    return GEOSDensify_r(ctx->geos, g, step);
}

typedef struct {
    ccov_point_fn fn;
    void *user;
} point_call;

static int point_trampoline(double *x, double *y, void *user) {
    const point_call *call = user;
    return call->fn(call->user, x, y) ? 1 : 0;
}

ccov_geom *ccov_geom_transform(ccov_ctx *ctx, const ccov_geom *g, ccov_point_fn fn, void *user) {
    point_call call = {fn, user};
    return GEOSGeom_transformXY_r(ctx->geos, g, point_trampoline, &call);
}

static bool is_polygonal(ccov_ctx *ctx, const GEOSGeometry *g) {
    int type = GEOSGeomTypeId_r(ctx->geos, g);
    return type == GEOS_POLYGON || type == GEOS_MULTIPOLYGON;
}

/* Collect the polygons of a (nested) collection into *parts. */
static void collect_polygons(ccov_ctx *ctx, const GEOSGeometry *g, GEOSGeometry **parts,
                             unsigned *count) {
    int type = GEOSGeomTypeId_r(ctx->geos, g);
    if (type == GEOS_POLYGON) {
        if (!GEOSisEmpty_r(ctx->geos, g))
            parts[(*count)++] = GEOSGeom_clone_r(ctx->geos, g);
        return;
    }
    if (type != GEOS_MULTIPOLYGON && type != GEOS_GEOMETRYCOLLECTION)
        return;
    for (int i = 0; i < GEOSGetNumGeometries_r(ctx->geos, g); i++)
        collect_polygons(ctx, GEOSGetGeometryN_r(ctx->geos, g, i), parts, count);
}

/* The polygonal part of g as one valid geometry (parts of a collection may overlap: union them). */
static GEOSGeometry *polygonal_part(ccov_ctx *ctx, const GEOSGeometry *g) {
    if (is_polygonal(ctx, g))
        return GEOSGeom_clone_r(ctx->geos, g);
    int n = GEOSGetNumCoordinates_r(ctx->geos, g);
    GEOSGeometry **parts = calloc(n > 0 ? (size_t)n : 1, sizeof *parts);
    if (!parts)
        return NULL;
    unsigned count = 0;
    collect_polygons(ctx, g, parts, &count);
    GEOSGeometry *result = GEOSGeom_createEmptyPolygon_r(ctx->geos);
    if (count > 0) {
        GEOSGeom_destroy_r(ctx->geos, result);
        GEOSGeometry *coll =
            GEOSGeom_createCollection_r(ctx->geos, GEOS_MULTIPOLYGON, parts, count);
        result = coll ? GEOSUnaryUnion_r(ctx->geos, coll) : NULL;
        GEOSGeom_destroy_r(ctx->geos, coll);
    }
    free(parts);
    return result;
}

static void describe_invalidity(ccov_ctx *ctx, const GEOSGeometry *g, char *repair, size_t n) {
    char *reason = NULL;
    GEOSGeometry *where = NULL;
    GEOSisValidDetail_r(ctx->geos, g, 0, &reason, &where);
    double x = NAN, y = NAN;
    if (where) {
        GEOSGeomGetX_r(ctx->geos, where, &x);
        GEOSGeomGetY_r(ctx->geos, where, &y);
    }
    if (where && isfinite(x))
        snprintf(repair, n, "%s at (%.6f %.6f), repaired", reason ? reason : "invalid", x, y);
    else
        snprintf(repair, n, "%s, repaired", reason ? reason : "invalid");
    /* GEOS capitalises its reasons; messages here are lower-case. */
    repair[0] = (char)(repair[0] >= 'A' && repair[0] <= 'Z' ? repair[0] - 'A' + 'a' : repair[0]);
    GEOSFree_r(ctx->geos, reason);
    GEOSGeom_destroy_r(ctx->geos, where);
}

static GEOSGeometry *make_valid(ccov_ctx *ctx, const GEOSGeometry *g) {
    GEOSMakeValidParams *params = GEOSMakeValidParams_create_r(ctx->geos);
    if (!params)
        return NULL;
    GEOSMakeValidParams_setMethod_r(ctx->geos, params, GEOS_MAKE_VALID_STRUCTURE);
    GEOSMakeValidParams_setKeepCollapsed_r(ctx->geos, params, 0);
    GEOSGeometry *fixed = GEOSMakeValidWithParams_r(ctx->geos, g, params);
    GEOSMakeValidParams_destroy_r(ctx->geos, params);
    return fixed;
}

/* Valid, polygonal and not empty: nothing to repair. *valid receives GEOSisValid's answer. */
static bool already_good(ccov_ctx *ctx, const GEOSGeometry *g, char *valid) {
    *valid = GEOSisValid_r(ctx->geos, g);
    return *valid == 1 && is_polygonal(ctx, g) && !GEOSisEmpty_r(ctx->geos, g);
}

/* The repair of g, known not to be good already (valid: GEOSisValid's answer for it). */
static ccov_geom *repair_bad(ccov_ctx *ctx, const ccov_geom *g, char valid, char *repair,
                             size_t n) {
    GEOSGeometry *work = NULL;
    if (valid == 1) {
        work = GEOSGeom_clone_r(ctx->geos, g);
    } else {
        describe_invalidity(ctx, g, repair, n);
        work = make_valid(ctx, g);
    }
    if (!work) {
        snprintf(repair, n, "cannot be repaired: %s", ctx->geos_error);
        return NULL;
    }
    if (!is_polygonal(ctx, work) && !repair[0])
        snprintf(repair, n, "geometry collection: polygon parts kept, others dropped");
    GEOSGeometry *poly = polygonal_part(ctx, work);
    GEOSGeom_destroy_r(ctx->geos, work);
    if (!poly || GEOSisEmpty_r(ctx->geos, poly)) {
        GEOSGeom_destroy_r(ctx->geos, poly);
        snprintf(repair, n, "no area left after repair (zero-area or degenerate polygon)");
        return NULL;
    }
    return poly;
}

ccov_geom *ccov_geom_repair(ccov_ctx *ctx, const ccov_geom *g, char *repair, size_t n) {
    repair[0] = '\0';
    char valid = 0;
    if (already_good(ctx, g, &valid))
        return GEOSGeom_clone_r(ctx->geos, g);
    return repair_bad(ctx, g, valid, repair, n);
}

ccov_geom *ccov_geom_repair_take(ccov_ctx *ctx, ccov_geom *g, char *repair, size_t n) {
    repair[0] = '\0';
    char valid = 0;
    if (already_good(ctx, g, &valid))
        return g;
    ccov_geom *fixed = repair_bad(ctx, g, valid, repair, n);
    GEOSGeom_destroy_r(ctx->geos, g);
    return fixed;
}

static double ring_area(ccov_ctx *ctx, const GEOSGeometry *ring, ccov_ring_area_fn fn, void *user) {
    const GEOSCoordSequence *seq = GEOSGeom_getCoordSeq_r(ctx->geos, ring);
    unsigned int size = 0;
    if (!seq || !GEOSCoordSeq_getSize_r(ctx->geos, seq, &size) || size < 4)
        return 0;
    double *xy = malloc(2 * (size_t)size * sizeof *xy);
    if (!xy)
        return NAN;
    double area = NAN;
    if (GEOSCoordSeq_copyToArrays_r(ctx->geos, seq, xy, xy + size, NULL, NULL))
        area = fn(user, xy, xy + size, size);
    free(xy);
    return area;
}

static double polygon_area(ccov_ctx *ctx, const GEOSGeometry *poly, ccov_ring_area_fn fn,
                           void *user) {
    double area = ring_area(ctx, GEOSGetExteriorRing_r(ctx->geos, poly), fn, user);
    int holes = GEOSGetNumInteriorRings_r(ctx->geos, poly);
    for (int i = 0; i < holes; i++)
        area -= ring_area(ctx, GEOSGetInteriorRingN_r(ctx->geos, poly, i), fn, user);
    return area;
}

double ccov_geom_area(ccov_ctx *ctx, const ccov_geom *g, ccov_ring_area_fn fn, void *user) {
    if (!fn)
        return ccov_geom_planar_area(ctx, g);
    int type = GEOSGeomTypeId_r(ctx->geos, g);
    if (type == GEOS_POLYGON)
        return GEOSisEmpty_r(ctx->geos, g) ? 0 : polygon_area(ctx, g, fn, user);
    if (type != GEOS_MULTIPOLYGON && type != GEOS_GEOMETRYCOLLECTION)
        return 0;
    double area = 0;
    for (int i = 0; i < GEOSGetNumGeometries_r(ctx->geos, g); i++)
        area += ccov_geom_area(ctx, GEOSGetGeometryN_r(ctx->geos, g, i), fn, user);
    return area;
}

/* Union-find over polygon indices, with path halving. */
static size_t uf_find(size_t *parent, size_t i) {
    while (parent[i] != i) {
        parent[i] = parent[parent[i]];
        i = parent[i];
    }
    return i;
}

static void uf_join(size_t *parent, size_t a, size_t b) {
    a = uf_find(parent, a);
    b = uf_find(parent, b);
    /* The smaller index becomes the root, so groups are numbered the same on every run. */
    if (a < b)
        parent[b] = a;
    else if (b < a)
        parent[a] = b;
}

typedef struct {
    ccov_ctx *ctx;
    ccov_geom *const *in;
    size_t *parent;
    size_t current;
    const GEOSPreparedGeometry *prep;
    double (*box)[4]; /* each input's extent, with `covered` only */
    bool *covered;
} pair_query;

static bool box_within(const double in[4], const double out[4]) {
    return out[0] <= in[0] && out[1] <= in[1] && in[2] <= out[2] && in[3] <= out[3];
}

static bool box_same(const double a[4], const double b[4]) {
    return a[0] == b[0] && a[1] == b[1] && a[2] == b[2] && a[3] == b[3];
}

/* Does the current polygon make j redundant for the union? When it covers j and is larger, or is
   the same set with a smaller index. That order has no cycles, so whatever is dropped is covered
   by a polygon that is kept. Extents filter first: a polygon can only cover one within its extent,
   and only one with the same extent can cover it back. */
static bool covers_other(pair_query *q, size_t j) {
    const double *mine = q->box[q->current], *other = q->box[j];
    if (q->covered[j] || !box_within(other, mine) ||
        GEOSPreparedCovers_r(q->ctx->geos, q->prep, q->in[j]) != 1)
        return false;
    if (!box_same(mine, other) || j > q->current)
        return true;
    return GEOSCovers_r(q->ctx->geos, q->in[j], q->in[q->current]) == 0;
}

static void pair_visit(void *item, void *user) {
    pair_query *q = user;
    size_t j = (size_t)(uintptr_t)item - 1;
    if (j == q->current)
        return;
    bool covers = q->covered && covers_other(q, j);
    if (covers)
        q->covered[j] = true;
    if (j < q->current || uf_find(q->parent, j) == uf_find(q->parent, q->current))
        return;
    if (covers || GEOSPreparedIntersects_r(q->ctx->geos, q->prep, q->in[j]) == 1)
        uf_join(q->parent, q->current, j);
}

/* Link every pair of input polygons that intersect; with `covered`, also mark the polygons that
   another one covers. */
static bool link_interacting(ccov_ctx *ctx, ccov_geom *const *in, size_t n, size_t *parent,
                             bool *covered) {
    GEOSSTRtree *tree = GEOSSTRtree_create_r(ctx->geos, 10);
    pair_query q = {ctx, in, parent, 0, NULL, NULL, covered};
    if (covered)
        q.box = malloc((n ? n : 1) * sizeof *q.box);
    bool ok = tree && (!covered || q.box);
    if (ok && covered)
        memset(covered, 0, n * sizeof *covered);
    for (size_t i = 0; ok && i < n; i++) {
        GEOSSTRtree_insert_r(ctx->geos, tree, in[i], (void *)(uintptr_t)(i + 1));
        ok = !q.box || ccov_geom_bounds(ctx, in[i], q.box[i]);
    }
    for (size_t i = 0; i < n && ok; i++) {
        q.current = i;
        q.prep = GEOSPrepare_r(ctx->geos, in[i]);
        ok = q.prep != NULL;
        if (ok)
            GEOSSTRtree_query_r(ctx->geos, tree, in[i], pair_visit, &q);
        GEOSPreparedGeom_destroy_r(ctx->geos, q.prep);
    }
    free(q.box);
    if (tree)
        GEOSSTRtree_destroy_r(ctx->geos, tree);
    return ok;
}

ccov_status ccov_geom_groups(ccov_ctx *ctx, ccov_geom *const *in, size_t n, size_t *group_of,
                             size_t *ngroups, bool *covered) {
    size_t *parent = malloc((n ? n : 1) * sizeof *parent);
    *ngroups = 0;
    if (!parent)
        return ccov_ctx_fail(ctx, CCOV_ERR_IO, "dissolve: out of memory");
    for (size_t i = 0; i < n; i++)
        parent[i] = i;
    if (!link_interacting(ctx, in, n, parent, covered)) {
        free(parent);
        return ccov_ctx_fail(ctx, CCOV_ERR_GEOM, "dissolve: %s", ctx->geos_error);
    }
    /* A group's root is its smallest index, so it is met before the other members. */
    for (size_t i = 0; i < n; i++) {
        size_t root = uf_find(parent, i);
        group_of[i] = root == i ? (*ngroups)++ : group_of[root];
    }
    free(parent);
    return CCOV_OK;
}

ccov_geom *ccov_geom_union(ccov_ctx *ctx, ccov_geom *const *in, size_t n) {
    GEOSGeometry **parts = malloc((n ? n : 1) * sizeof *parts);
    if (!parts)
        return NULL;
    for (size_t i = 0; i < n; i++)
        parts[i] = GEOSGeom_clone_r(ctx->geos, in[i]);
    GEOSGeometry *coll =
        GEOSGeom_createCollection_r(ctx->geos, GEOS_GEOMETRYCOLLECTION, parts, (unsigned)n);
    free(parts);
    GEOSGeometry *u = coll ? GEOSUnaryUnion_r(ctx->geos, coll) : NULL;
    GEOSGeom_destroy_r(ctx->geos, coll);
    return u;
}

/* Union each group of linked polygons (parent[i] is the smallest index of i's group). */
static ccov_status union_groups(ccov_ctx *ctx, ccov_geom *const *in, size_t n, const size_t *parent,
                                ccov_geom **out, size_t *nout, size_t *group_of) {
    size_t *order = malloc((n ? n : 1) * sizeof *order);
    ccov_geom **members = malloc((n ? n : 1) * sizeof *members);
    size_t *start = calloc(n + 1, sizeof *start);
    ccov_status status = CCOV_OK;
    if (!order || !members || !start) {
        status = ccov_ctx_fail(ctx, CCOV_ERR_IO, "dissolve: out of memory");
        goto done;
    }
    /* Counting sort by root: groups come out in order of their first member. */
    for (size_t i = 0; i < n; i++)
        start[parent[i] + 1]++;
    for (size_t i = 0; i < n; i++)
        start[i + 1] += start[i];
    for (size_t i = 0; i < n; i++)
        order[start[parent[i]]++] = i;
    *nout = 0;
    for (size_t pos = 0; pos < n;) {
        size_t root = parent[order[pos]], count = 0;
        while (pos < n && parent[order[pos]] == root) {
            if (group_of)
                group_of[order[pos]] = *nout;
            members[count++] = in[order[pos++]];
        }
        out[*nout] = count == 1 ? GEOSGeom_clone_r(ctx->geos, members[0])
                                : ccov_geom_union(ctx, members, count);
        if (!out[(*nout)++]) {
            status =
                ccov_ctx_fail(ctx, CCOV_ERR_GEOM, "dissolve: union failed: %s", ctx->geos_error);
            goto done;
        }
    }
done:
    free(order);
    free(members);
    free(start);
    return status;
}

ccov_status ccov_geom_dissolve(ccov_ctx *ctx, ccov_geom *const *in, size_t n, ccov_geom ***out,
                               size_t *nout, size_t *group_of) {
    size_t *parent = malloc((n ? n : 1) * sizeof *parent);
    ccov_geom **groups = calloc(n ? n : 1, sizeof *groups);
    ccov_status status = CCOV_OK;
    *nout = 0;
    if (!parent || !groups) {
        status = ccov_ctx_fail(ctx, CCOV_ERR_IO, "dissolve: out of memory");
        goto fail;
    }
    for (size_t i = 0; i < n; i++)
        parent[i] = i;
    if (!link_interacting(ctx, in, n, parent, NULL)) {
        status = ccov_ctx_fail(ctx, CCOV_ERR_GEOM, "dissolve: %s", ctx->geos_error);
        goto fail;
    }
    for (size_t i = 0; i < n; i++)
        parent[i] = uf_find(parent, i);
    status = union_groups(ctx, in, n, parent, groups, nout, group_of);
    if (status != CCOV_OK)
        goto fail;
    free(parent);
    *out = groups;
    return CCOV_OK;
fail:
    for (size_t i = 0; groups && i < *nout; i++)
        GEOSGeom_destroy_r(ctx->geos, groups[i]);
    free(groups);
    free(parent);
    *nout = 0;
    return status;
}

static bool add_tile(ccov_prepared *p, GEOSGeometry *tile) {
    if (p->ntiles == p->cap) {
        size_t cap = p->cap ? 2 * p->cap : 16;
        GEOSGeometry **grown = realloc(p->tiles, cap * sizeof *grown);
        if (!grown)
            return false;
        p->tiles = grown;
        p->cap = cap;
    }
    p->tiles[p->ntiles++] = tile;
    return true;
}

/* Cut g (taken over) in two halves across its longer side until the pieces are small. */
static bool subdivide(ccov_ctx *ctx, ccov_prepared *p, GEOSGeometry *g, int depth) {
    double b[4];
    if (GEOSisEmpty_r(ctx->geos, g)) {
        GEOSGeom_destroy_r(ctx->geos, g);
        return true;
    }
    if (GEOSGetNumCoordinates_r(ctx->geos, g) <= TILE_VERTICES || depth >= TILE_DEPTH ||
        !ccov_geom_bounds(ctx, g, b))
        return add_tile(p, g) || (GEOSGeom_destroy_r(ctx->geos, g), false);
    bool wide = b[2] - b[0] >= b[3] - b[1];
    double mid = wide ? (b[0] + b[2]) / 2 : (b[1] + b[3]) / 2;
    GEOSGeometry *lo = wide ? GEOSClipByRect_r(ctx->geos, g, b[0], b[1], mid, b[3])
                            : GEOSClipByRect_r(ctx->geos, g, b[0], b[1], b[2], mid);
    GEOSGeometry *hi = wide ? GEOSClipByRect_r(ctx->geos, g, mid, b[1], b[2], b[3])
                            : GEOSClipByRect_r(ctx->geos, g, b[0], mid, b[2], b[3]);
    lo = keep_area(ctx, lo);
    hi = keep_area(ctx, hi);
    /* GEOS cannot always cut a valid polygon by a rectangle (a ring that would collapse to three
       points): the piece then stays one tile, uncut. */
    if (!lo || !hi) {
        GEOSGeom_destroy_r(ctx->geos, lo);
        GEOSGeom_destroy_r(ctx->geos, hi);
        return add_tile(p, g) || (GEOSGeom_destroy_r(ctx->geos, g), false);
    }
    GEOSGeom_destroy_r(ctx->geos, g);
    /* subdivide takes over the half it is given, whether it succeeds or not. */
    if (!subdivide(ctx, p, lo, depth + 1)) {
        GEOSGeom_destroy_r(ctx->geos, hi);
        return false;
    }
    return subdivide(ctx, p, hi, depth + 1);
}

/* Tiles only pay for a large region; a small one is intersected whole. */
static bool make_tiles(ccov_ctx *ctx, ccov_prepared *p) {
    if (GEOSGetNumCoordinates_r(ctx->geos, p->region) <= 2 * TILE_VERTICES)
        return true;
    GEOSGeometry *copy = GEOSGeom_clone_r(ctx->geos, p->region);
    p->index = GEOSSTRtree_create_r(ctx->geos, 10);
    if (!copy || !p->index || !subdivide(ctx, p, copy, 0))
        return false;
    for (size_t i = 0; i < p->ntiles; i++)
        GEOSSTRtree_insert_r(ctx->geos, p->index, p->tiles[i], (void *)(uintptr_t)(i + 1));
    return true;
}

ccov_prepared *ccov_geom_prepare(ccov_ctx *ctx, const ccov_geom *region) {
    ccov_prepared *p = calloc(1, sizeof *p);
    if (!p)
        return NULL;
    p->owner = ctx;
    p->region = region;
    p->prep = GEOSPrepare_r(ctx->geos, region);
    if (!p->prep || !make_tiles(ctx, p)) {
        ccov_geom_prepared_free(ctx, p);
        return NULL;
    }
    return p;
}

void ccov_geom_prepared_free(ccov_ctx *ctx, ccov_prepared *p) {
    if (!p)
        return;
    OWNED_BY(ctx, p);
    if (p->index)
        GEOSSTRtree_destroy_r(ctx->geos, p->index);
    for (size_t i = 0; i < p->ntiles; i++)
        GEOSGeom_destroy_r(ctx->geos, p->tiles[i]);
    free(p->tiles);
    if (p->prep)
        GEOSPreparedGeom_destroy_r(ctx->geos, p->prep);
    free(p);
}

/* An overlay result reduced to its polygons (lines and points where boundaries touch dropped). */
static GEOSGeometry *keep_area(ccov_ctx *ctx, GEOSGeometry *g) {
    if (!g || is_polygonal(ctx, g))
        return g;
    GEOSGeometry *poly = polygonal_part(ctx, g);
    GEOSGeom_destroy_r(ctx->geos, g);
    return poly;
}

typedef struct {
    size_t *ids;
    size_t n, cap;
    bool failed;
} id_list;

static void collect_id(void *item, void *user) {
    id_list *l = user;
    if (l->n == l->cap) {
        size_t cap = l->cap ? 2 * l->cap : 16;
        size_t *grown = realloc(l->ids, cap * sizeof *grown);
        if (!grown) {
            l->failed = true;
            return;
        }
        l->ids = grown;
        l->cap = cap;
    }
    l->ids[l->n++] = (size_t)(uintptr_t)item - 1;
}

static int cmp_size(const void *a, const void *b) {
    size_t x = *(const size_t *)a, y = *(const size_t *)b;
    return x < y ? -1 : x > y;
}

/* The pieces of g in each tile near it, merged. */
static GEOSGeometry *intersect_tiles(ccov_ctx *ctx, const ccov_prepared *p, const GEOSGeometry *g,
                                     const id_list *ids) {
    GEOSGeometry **parts = malloc((ids->n ? ids->n : 1) * sizeof *parts);
    size_t count = 0;
    bool ok = parts != NULL;
    for (size_t k = 0; ok && k < ids->n; k++) {
        GEOSGeometry *part =
            keep_area(ctx, GEOSIntersection_r(ctx->geos, g, p->tiles[ids->ids[k]]));
        ok = part != NULL;
        if (part && GEOSisEmpty_r(ctx->geos, part))
            GEOSGeom_destroy_r(ctx->geos, part);
        else if (part)
            parts[count++] = part;
    }
    GEOSGeometry *result = !ok          ? NULL
                           : count == 0 ? GEOSGeom_createEmptyPolygon_r(ctx->geos)
                           : count == 1 ? parts[0]
                                        : ccov_geom_union(ctx, parts, count);
    for (size_t k = 0; parts && k < count && (count > 1 || !ok); k++)
        GEOSGeom_destroy_r(ctx->geos, parts[k]);
    free(parts);
    return keep_area(ctx, result);
}

/* g intersected with the region, through its tiles when it has some. */
/* The tiles whose extent meets g's, in index order (a fixed order keeps results the same on every
   run); false when out of memory. ids->ids is freed by the caller. */
static bool near_tiles(ccov_ctx *ctx, const ccov_prepared *p, const GEOSGeometry *g, id_list *ids) {
    GEOSSTRtree_query_r(ctx->geos, p->index, g, collect_id, ids);
    if (ids->failed)
        return false;
    qsort(ids->ids, ids->n, sizeof *ids->ids, cmp_size);
    return true;
}

static GEOSGeometry *intersect_region(ccov_ctx *ctx, const ccov_prepared *p,
                                      const GEOSGeometry *g) {
    if (!p->index)
        return keep_area(ctx, GEOSIntersection_r(ctx->geos, g, p->region));
    id_list ids = {0};
    GEOSGeometry *result = near_tiles(ctx, p, g, &ids) ? intersect_tiles(ctx, p, g, &ids) : NULL;
    free(ids.ids);
    return result;
}

ccov_place ccov_geom_locate(ccov_ctx *ctx, const ccov_prepared *p, const ccov_geom *g) {
    OWNED_BY(ctx, p);
    char touches = GEOSPreparedIntersects_r(ctx->geos, p->prep, g);
    if (touches != 1)
        return touches == 0 ? CCOV_PLACE_OUTSIDE : CCOV_PLACE_ERROR;
    char inside = GEOSPreparedContainsProperly_r(ctx->geos, p->prep, g);
    return inside == 1 ? CCOV_PLACE_INSIDE : inside == 0 ? CCOV_PLACE_CROSSING : CCOV_PLACE_ERROR;
}

ccov_geom *ccov_geom_clip(ccov_ctx *ctx, const ccov_prepared *p, const ccov_geom *g,
                          ccov_place *place) {
    OWNED_BY(ctx, p);
    char touches = GEOSPreparedIntersects_r(ctx->geos, p->prep, g);
    if (touches != 1) {
        *place = touches == 0 ? CCOV_PLACE_OUTSIDE : CCOV_PLACE_ERROR;
        return NULL;
    }
    if (GEOSPreparedContainsProperly_r(ctx->geos, p->prep, g) == 1) {
        *place = CCOV_PLACE_INSIDE;
        return GEOSGeom_clone_r(ctx->geos, g);
    }
    return ccov_geom_clip_crossing(ctx, p, g, place);
}

ccov_geom *ccov_geom_clip_crossing(ccov_ctx *ctx, const ccov_prepared *p, const ccov_geom *g,
                                   ccov_place *place) {
    OWNED_BY(ctx, p);
    GEOSGeometry *part = intersect_region(ctx, p, g);
    *place = part ? CCOV_PLACE_CROSSING : CCOV_PLACE_ERROR;
    if (part && GEOSisEmpty_r(ctx->geos, part)) {
        GEOSGeom_destroy_r(ctx->geos, part);
        *place = CCOV_PLACE_OUTSIDE; /* touches the border only */
        return NULL;
    }
    return part;
}

/* g minus the region: minus the tiles near g when the region has tiles (their union is the
   region there, and subtracting it leaves no slivers along the border). */
static GEOSGeometry *subtract_region(ccov_ctx *ctx, const ccov_prepared *p, const GEOSGeometry *g) {
    if (!p->index)
        return keep_area(ctx, GEOSDifference_r(ctx->geos, g, p->region));
    id_list ids = {0};
    bool found = near_tiles(ctx, p, g, &ids);
    GEOSGeometry **near = found ? malloc((ids.n ? ids.n : 1) * sizeof *near) : NULL;
    GEOSGeometry *result = NULL;
    if (near) {
        for (size_t k = 0; k < ids.n; k++)
            near[k] = p->tiles[ids.ids[k]];
        GEOSGeometry *local = ccov_geom_union(ctx, near, ids.n);
        result = local ? keep_area(ctx, GEOSDifference_r(ctx->geos, g, local)) : NULL;
        GEOSGeom_destroy_r(ctx->geos, local);
    }
    free(near);
    free(ids.ids);
    return result;
}

ccov_geom *ccov_geom_intersection(ccov_ctx *ctx, const ccov_geom *a, const ccov_geom *b) {
    return keep_area(ctx, GEOSIntersection_r(ctx->geos, a, b));
}

ccov_geom *ccov_geom_difference(ccov_ctx *ctx, const ccov_geom *a, const ccov_geom *b) {
    return keep_area(ctx, GEOSDifference_r(ctx->geos, a, b));
}

ccov_geom *ccov_geom_outside(ccov_ctx *ctx, const ccov_prepared *p, const ccov_geom *g) {
    OWNED_BY(ctx, p);
    if (GEOSPreparedIntersects_r(ctx->geos, p->prep, g) == 0)
        return GEOSGeom_clone_r(ctx->geos, g);
    if (GEOSPreparedContainsProperly_r(ctx->geos, p->prep, g) == 1)
        return NULL;
    GEOSGeometry *part = subtract_region(ctx, p, g);
    if (part && GEOSisEmpty_r(ctx->geos, part)) {
        GEOSGeom_destroy_r(ctx->geos, part);
        return NULL;
    }
    return part;
}

bool ccov_geom_bounds(ccov_ctx *ctx, const ccov_geom *g, double b[4]) {
    if (GEOSisEmpty_r(ctx->geos, g))
        return false;
    return GEOSGeom_getXMin_r(ctx->geos, g, &b[0]) && GEOSGeom_getYMin_r(ctx->geos, g, &b[1]) &&
           GEOSGeom_getXMax_r(ctx->geos, g, &b[2]) && GEOSGeom_getYMax_r(ctx->geos, g, &b[3]);
}

/* The extent of g kept, when it has one. */
static void settle_extent(GEOSContextHandle_t h, const GEOSGeometry *g) {
    double v;
    if (g && GEOSisEmpty_r(h, g) == 0)
        GEOSGeom_getXMin_r(h, g, &v);
}

/* Polygon part's rings, each ring's extent (a ring computes its own when first asked for it). */
static void settle_rings(GEOSContextHandle_t h, const GEOSGeometry *part) {
    if (!part || GEOSGeomTypeId_r(h, part) != GEOS_POLYGON)
        return;
    settle_extent(h, GEOSGetExteriorRing_r(h, part));
    int holes = GEOSGetNumInteriorRings_r(h, part);
    for (int k = 0; k < holes; k++)
        settle_extent(h, GEOSGetInteriorRingN_r(h, part, k));
}

void ccov_geom_settle(ccov_ctx *ctx, const ccov_geom *g) {
    GEOSContextHandle_t h = ctx->geos;
    int parts = GEOSGetNumGeometries_r(h, g);
    for (int p = 0; p < parts; p++) {
        const GEOSGeometry *part = GEOSGetGeometryN_r(h, g, p);
        settle_rings(h, part);
        settle_extent(h, part);
    }
    settle_extent(h, g);
    /* every ring's coordinate sequence works its dimension out when first asked */
    GEOSGeom_getCoordinateDimension_r(h, g);
}

bool ccov_geom_boundary_point(ccov_ctx *ctx, const ccov_geom *g, double t, double *x, double *y) {
    GEOSGeometry *line = GEOSBoundary_r(ctx->geos, g);
    GEOSGeometry *pt = line ? GEOSInterpolateNormalized_r(ctx->geos, line, t) : NULL;
    bool ok = pt && GEOSGeomGetX_r(ctx->geos, pt, x) && GEOSGeomGetY_r(ctx->geos, pt, y);
    GEOSGeom_destroy_r(ctx->geos, pt);
    GEOSGeom_destroy_r(ctx->geos, line);
    return ok;
}

ccov_status ccov_geom_contains_point(ccov_ctx *ctx, const ccov_prepared *p, double x, double y,
                                     bool *inside) {
    OWNED_BY(ctx, p);
    *inside = false;
    GEOSGeometry *pt = GEOSGeom_createPointFromXY_r(ctx->geos, x, y);
    char answer = pt ? GEOSPreparedContains_r(ctx->geos, p->prep, pt) : 2;
    GEOSGeom_destroy_r(ctx->geos, pt);
    if (answer != 0 && answer != 1)
        return ccov_ctx_fail(ctx, CCOV_ERR_GEOM, "point-in-polygon test at (%.9g %.9g) failed: %s",
                             x, y, ctx->geos_error);
    *inside = answer == 1;
    return CCOV_OK;
}

double ccov_geom_planar_area(ccov_ctx *ctx, const ccov_geom *g) {
    double area = 0;
    return GEOSArea_r(ctx->geos, g, &area) ? area : NAN;
}

bool ccov_geom_is_valid(ccov_ctx *ctx, const ccov_geom *g) {
    return GEOSisValid_r(ctx->geos, g) == 1;
}

ccov_geom *ccov_geom_simplify(ccov_ctx *ctx, const ccov_geom *g, double tolerance) {
    return GEOSTopologyPreserveSimplify_r(ctx->geos, g, tolerance);
}

static bool ring_call(ccov_ctx *ctx, const GEOSGeometry *ring, bool exterior, ccov_ring_fn fn,
                      void *user) {
    const GEOSCoordSequence *seq = GEOSGeom_getCoordSeq_r(ctx->geos, ring);
    unsigned int size = 0;
    if (!seq || !GEOSCoordSeq_getSize_r(ctx->geos, seq, &size))
        return false;
    if (size == 0)
        return true;
    double *xy = malloc(2 * (size_t)size * sizeof *xy);
    bool ok = xy && GEOSCoordSeq_copyToArrays_r(ctx->geos, seq, xy, xy + size, NULL, NULL) &&
              fn(user, xy, xy + size, size, exterior);
    free(xy);
    return ok;
}

bool ccov_geom_rings(ccov_ctx *ctx, const ccov_geom *g, ccov_ring_fn fn, void *user) {
    int type = GEOSGeomTypeId_r(ctx->geos, g);
    if (type == GEOS_POLYGON) {
        if (GEOSisEmpty_r(ctx->geos, g))
            return true;
        if (!ring_call(ctx, GEOSGetExteriorRing_r(ctx->geos, g), true, fn, user))
            return false;
        for (int i = 0; i < GEOSGetNumInteriorRings_r(ctx->geos, g); i++)
            if (!ring_call(ctx, GEOSGetInteriorRingN_r(ctx->geos, g, i), false, fn, user))
                return false;
        return true;
    }
    if (type != GEOS_MULTIPOLYGON && type != GEOS_GEOMETRYCOLLECTION)
        return true;
    for (int i = 0; i < GEOSGetNumGeometries_r(ctx->geos, g); i++)
        if (!ccov_geom_rings(ctx, GEOSGetGeometryN_r(ctx->geos, g, i), fn, user))
            return false;
    return true;
}

ccov_geom *ccov_geom_collect(ccov_ctx *ctx, ccov_geom **parts, size_t n) {
    size_t total = 0;
    for (size_t i = 0; i < n; i++)
        total += (size_t)GEOSGetNumGeometries_r(ctx->geos, parts[i]);
    GEOSGeometry **polys = malloc((total ? total : 1) * sizeof *polys);
    unsigned count = 0;
    for (size_t i = 0; polys && i < n; i++)
        collect_polygons(ctx, parts[i], polys, &count);
    for (size_t i = 0; i < n; i++)
        GEOSGeom_destroy_r(ctx->geos, parts[i]);
    if (!polys)
        return NULL;
    GEOSGeometry *multi = GEOSGeom_createCollection_r(ctx->geos, GEOS_MULTIPOLYGON, polys, count);
    free(polys);
    return multi;
}

ccov_geom *ccov_geom_snap(ccov_ctx *ctx, const ccov_geom *g, double grid) {
    return keep_area(ctx, GEOSGeom_setPrecision_r(ctx->geos, g, grid, 0));
}

/* ---- bulk transform of polygonal geometries ---- */

static GEOSGeometry *ring_transformed(ccov_ctx *ctx, const GEOSGeometry *ring, ccov_coords_fn fn,
                                      void *user) {
    const GEOSCoordSequence *seq = GEOSGeom_getCoordSeq_r(ctx->geos, ring);
    unsigned int size = 0;
    if (!seq || !GEOSCoordSeq_getSize_r(ctx->geos, seq, &size))
        return NULL;
    double *xy = malloc(2 * (size_t)(size ? size : 1) * sizeof *xy);
    GEOSCoordSequence *out = NULL;
    if (xy && GEOSCoordSeq_copyToArrays_r(ctx->geos, seq, xy, xy + size, NULL, NULL) &&
        fn(user, xy, xy + size, size))
        out = GEOSCoordSeq_copyFromArrays_r(ctx->geos, xy, xy + size, NULL, NULL, size);
    free(xy);
    return out ? GEOSGeom_createLinearRing_r(ctx->geos, out) : NULL;
}

/* A polygon with each ring replaced by fn's (the shell is ring 0, then the holes). */
static GEOSGeometry *polygon_mapped(ccov_ctx *ctx, const GEOSGeometry *poly, ccov_ring_map_fn fn,
                                    void *arg) {
    if (GEOSisEmpty_r(ctx->geos, poly))
        return GEOSGeom_clone_r(ctx->geos, poly);
    int nholes = GEOSGetNumInteriorRings_r(ctx->geos, poly);
    GEOSGeometry *shell = fn(ctx, GEOSGetExteriorRing_r(ctx->geos, poly), 0, arg);
    GEOSGeometry **holes = calloc(nholes > 0 ? (size_t)nholes : 1, sizeof *holes);
    bool ok = shell && holes;
    for (int i = 0; ok && i < nholes; i++) {
        holes[i] = fn(ctx, GEOSGetInteriorRingN_r(ctx->geos, poly, i), i + 1, arg);
        ok = holes[i] != NULL;
    }
    GEOSGeometry *out =
        ok ? GEOSGeom_createPolygon_r(ctx->geos, shell, holes, (unsigned)nholes) : NULL;
    if (!out) {
        GEOSGeom_destroy_r(ctx->geos, shell);
        for (int i = 0; holes && i < nholes; i++)
            GEOSGeom_destroy_r(ctx->geos, holes[i]);
    }
    free(holes);
    return out;
}

ccov_geom *ccov_geom_map_rings(ccov_ctx *ctx, const ccov_geom *g, ccov_ring_map_fn fn, void *arg,
                               bool keep_others) {
    int type = GEOSGeomTypeId_r(ctx->geos, g);
    if (type == GEOS_POLYGON)
        return polygon_mapped(ctx, g, fn, arg);
    if (type != GEOS_MULTIPOLYGON && type != GEOS_GEOMETRYCOLLECTION)
        return keep_others ? GEOSGeom_clone_r(ctx->geos, g) : NULL;
    int n = GEOSGetNumGeometries_r(ctx->geos, g);
    GEOSGeometry **parts = calloc(n > 0 ? (size_t)n : 1, sizeof *parts);
    bool ok = parts != NULL;
    for (int i = 0; ok && i < n; i++) {
        parts[i] =
            ccov_geom_map_rings(ctx, GEOSGetGeometryN_r(ctx->geos, g, i), fn, arg, keep_others);
        ok = parts[i] != NULL;
    }
    GEOSGeometry *out =
        ok ? GEOSGeom_createCollection_r(ctx->geos, type, parts, (unsigned)n) : NULL;
    for (int i = 0; !out && parts && i < n; i++)
        GEOSGeom_destroy_r(ctx->geos, parts[i]);
    free(parts);
    return out;
}

typedef struct {
    ccov_coords_fn fn;
    void *user;
} transform_job;

static GEOSGeometry *ring_job_transformed(ccov_ctx *ctx, const GEOSGeometry *ring, int index,
                                          void *arg) {
    (void)index;
    const transform_job *job = arg;
    return ring_transformed(ctx, ring, job->fn, job->user);
}

ccov_geom *ccov_geom_transform_rings(ccov_ctx *ctx, const ccov_geom *g, ccov_coords_fn fn,
                                     void *user) {
    transform_job job = {fn, user};
    return ccov_geom_map_rings(ctx, g, ring_job_transformed, &job, false);
}

ccov_geom *ccov_geom_clip_rect(ccov_ctx *ctx, const ccov_geom *g, const double rect[4]) {
    return keep_area(ctx, GEOSClipByRect_r(ctx->geos, g, rect[0], rect[1], rect[2], rect[3]));
}

bool ccov_geom_is_empty(ccov_ctx *ctx, const ccov_geom *g) {
    return GEOSisEmpty_r(ctx->geos, g) == 1;
}

/* i's candidates after it: the geometries j > i the tree finds, in increasing order. */
static bool later_candidates(ccov_ctx *ctx, GEOSSTRtree *tree, const GEOSGeometry *g, size_t i,
                             id_list *ids) {
    ids->n = 0;
    GEOSSTRtree_query_r(ctx->geos, tree, g, collect_id, ids);
    if (ids->failed)
        return false;
    size_t kept = 0;
    for (size_t k = 0; k < ids->n; k++)
        if (ids->ids[k] > i)
            ids->ids[kept++] = ids->ids[k];
    ids->n = kept;
    qsort(ids->ids, ids->n, sizeof *ids->ids, cmp_size);
    return true;
}

ccov_status ccov_geom_box_pairs(ccov_ctx *ctx, ccov_geom *const *in, size_t n, ccov_box_pairs_fn fn,
                                void *user) {
    GEOSSTRtree *tree = GEOSSTRtree_create_r(ctx->geos, 10);
    id_list ids = {NULL, 0, 0, false};
    ccov_status st = tree ? CCOV_OK : ccov_ctx_fail(ctx, CCOV_ERR_GEOM, "cannot build an index");
    for (size_t i = 0; st == CCOV_OK && i < n; i++)
        GEOSSTRtree_insert_r(ctx->geos, tree, in[i], (void *)(uintptr_t)(i + 1));
    for (size_t i = 0; st == CCOV_OK && i < n; i++) {
        if (!later_candidates(ctx, tree, in[i], i, &ids))
            st = ccov_ctx_fail(ctx, CCOV_ERR_IO, "out of memory");
        else if (ids.n > 0)
            st = fn(i, ids.ids, ids.n, user);
    }
    free(ids.ids);
    if (tree)
        GEOSSTRtree_destroy_r(ctx->geos, tree);
    return st;
}
