/* geom: the faces of an overlay, labelled with the polygons covering them, and those faces merged
   by coverage count (faces.h). */
#include "geom/faces.h"
#include "core/internal.h"

#include <stdint.h>
#include <stdlib.h>

/* The input polygons, indexed by extent and prepared as they are first tested. */
typedef struct {
    ccov_ctx *ctx;
    ccov_geom *const *in;
    size_t n;
    GEOSSTRtree *tree;
    const GEOSPreparedGeometry **prep;
    size_t *hits; /* candidates of the point being labelled */
    size_t nhits;
} labeller;

static void on_hit(void *item, void *user) {
    labeller *l = user;
    l->hits[l->nhits++] = (size_t)((uintptr_t)item - 1);
}

static int by_index(const void *a, const void *b) {
    size_t x = *(const size_t *)a, y = *(const size_t *)b;
    return (x > y) - (x < y);
}

static bool labeller_init(labeller *l) {
    GEOSContextHandle_t h = l->ctx->geos;
    l->tree = GEOSSTRtree_create_r(h, 10);
    l->prep = calloc(l->n ? l->n : 1, sizeof *l->prep);
    l->hits = malloc((l->n ? l->n : 1) * sizeof *l->hits);
    if (!l->tree || !l->prep || !l->hits)
        return false;
    for (size_t i = 0; i < l->n; i++)
        GEOSSTRtree_insert_r(h, l->tree, l->in[i], (void *)(uintptr_t)(i + 1));
    return true;
}

static void labeller_free(labeller *l) {
    GEOSContextHandle_t h = l->ctx->geos;
    if (l->tree)
        GEOSSTRtree_destroy_r(h, l->tree);
    for (size_t i = 0; l->prep && i < l->n; i++)
        if (l->prep[i])
            GEOSPreparedGeom_destroy_r(h, l->prep[i]);
    free(l->prep);
    free(l->hits);
}

/* Whether point pt lies inside the face, off its boundary (1; 0: not; 2: error). The face is
   prepared for the test: GEOS then locates the point on an index of its edges instead of
   building the full intersection matrix of the two geometries. */
static char inside(GEOSContextHandle_t h, const GEOSPreparedGeometry *face,
                   const GEOSGeometry *pt) {
    return face && pt ? GEOSPreparedContains_r(h, face, pt) : 2;
}

/* A point inside the face, off its boundary: GEOS's point on the surface, or when that lands on
   the boundary (a thin face), its centroid when that is inside. NULL when GEOS fails, so that
   the face is not labelled from a point that may lie on its boundary. */
static GEOSGeometry *inner_point(GEOSContextHandle_t h, const GEOSGeometry *face) {
    GEOSGeometry *pt = GEOSPointOnSurface_r(h, face);
    const GEOSPreparedGeometry *prep = pt ? GEOSPrepare_r(h, face) : NULL;
    char in = inside(h, prep, pt);
    GEOSGeometry *centre = in == 0 ? GEOSGetCentroid_r(h, face) : NULL;
    char central = centre ? inside(h, prep, centre) : 0;
    if (prep)
        GEOSPreparedGeom_destroy_r(h, prep);
    if (in == 2 || central == 2) {
        if (pt)
            GEOSGeom_destroy_r(h, pt);
        if (centre)
            GEOSGeom_destroy_r(h, centre);
        return NULL;
    }
    if (central != 1) {
        if (centre)
            GEOSGeom_destroy_r(h, centre);
        return pt;
    }
    GEOSGeom_destroy_r(h, pt);
    return centre;
}

/* Label face f (a polygon of the arrangement): false on error; f->nmembers 0 when uncovered. */
static bool label(labeller *l, const GEOSGeometry *geom, ccov_face *f) {
    GEOSContextHandle_t h = l->ctx->geos;
    GEOSGeometry *pt = inner_point(h, geom);
    bool ok = pt && GEOSGeomGetX_r(h, pt, &f->x) && GEOSGeomGetY_r(h, pt, &f->y);
    l->nhits = 0;
    if (ok)
        GEOSSTRtree_query_r(h, l->tree, pt, on_hit, l);
    qsort(l->hits, l->nhits, sizeof *l->hits, by_index);
    f->members = ok && l->nhits ? malloc(l->nhits * sizeof *f->members) : NULL;
    ok &= l->nhits == 0 || f->members;
    for (size_t k = 0; ok && k < l->nhits; k++) {
        size_t i = l->hits[k];
        if (!l->prep[i])
            l->prep[i] = GEOSPrepare_r(h, l->in[i]);
        char in = l->prep[i] ? GEOSPreparedIntersects_r(h, l->prep[i], pt) : 2;
        ok = in != 2;
        if (in == 1)
            f->members[f->nmembers++] = i;
    }
    GEOSGeom_destroy_r(h, pt);
    return ok;
}

/* The polygons of the arrangement of the inputs' boundaries and the lines. */
static GEOSGeometry *arrangement(ccov_ctx *ctx, ccov_geom *const *in, size_t n,
                                 ccov_geom *const *lines, size_t nlines) {
    GEOSContextHandle_t h = ctx->geos;
    GEOSGeometry **edges = malloc((n + nlines) * sizeof *edges);
    if (!edges)
        return NULL;
    size_t made = 0;
    bool ok = true;
    for (; ok && made < n + nlines; made++) {
        edges[made] = made < n ? GEOSBoundary_r(h, in[made]) : GEOSGeom_clone_r(h, lines[made - n]);
        ok = edges[made] != NULL;
    }
    GEOSGeometry *coll =
        ok ? GEOSGeom_createCollection_r(h, GEOS_GEOMETRYCOLLECTION, edges, (unsigned)made) : NULL;
    /* GEOS owns the edges only when the collection was made */
    for (size_t i = 0; !coll && i < made; i++)
        GEOSGeom_destroy_r(h, edges[i]);
    free(edges);
    GEOSGeometry *noded = coll ? GEOSUnaryUnion_r(h, coll) : NULL;
    GEOSGeom_destroy_r(h, coll);
    const GEOSGeometry *all[1] = {noded};
    GEOSGeometry *faces = noded ? GEOSPolygonize_r(h, all, 1) : NULL;
    GEOSGeom_destroy_r(h, noded);
    return faces;
}

/* Keep the covered faces of the arrangement (copies) in out. */
static ccov_status keep_covered(labeller *l, const GEOSGeometry *faces, ccov_face *out,
                                size_t *nout) {
    GEOSContextHandle_t h = l->ctx->geos;
    int total = GEOSGetNumGeometries_r(h, faces);
    for (int i = 0; i < total; i++) {
        const GEOSGeometry *g = GEOSGetGeometryN_r(h, faces, i);
        ccov_face f = {0};
        if (!g || !label(l, g, &f)) {
            free(f.members);
            return ccov_ctx_fail(l->ctx, CCOV_ERR_GEOM, "overlay: %s", l->ctx->geos_error);
        }
        if (f.nmembers == 0) {
            free(f.members);
            continue;
        }
        f.geom = GEOSGeom_clone_r(h, g);
        out[(*nout)++] = f;
        if (!f.geom)
            return ccov_ctx_fail(l->ctx, CCOV_ERR_GEOM, "overlay: %s", l->ctx->geos_error);
    }
    return CCOV_OK;
}

ccov_status ccov_geom_faces(ccov_ctx *ctx, ccov_geom *const *in, size_t n, ccov_geom *const *lines,
                            size_t nlines, ccov_face **out, size_t *nout) {
    *out = NULL;
    *nout = 0;
    if (n == 0)
        return CCOV_OK;
    GEOSGeometry *faces = arrangement(ctx, in, n, lines, nlines);
    if (!faces)
        return ccov_ctx_fail(ctx, CCOV_ERR_GEOM, "overlay: %s", ctx->geos_error);
    int total = GEOSGetNumGeometries_r(ctx->geos, faces);
    if (total < 0) {
        GEOSGeom_destroy_r(ctx->geos, faces);
        return ccov_ctx_fail(ctx, CCOV_ERR_GEOM, "overlay: %s", ctx->geos_error);
    }
    labeller l = {.ctx = ctx, .in = in, .n = n};
    ccov_face *kept = calloc(total > 0 ? (size_t)total : 1, sizeof *kept);
    ccov_status st = kept && labeller_init(&l)
                         ? keep_covered(&l, faces, kept, nout)
                         : ccov_ctx_fail(ctx, CCOV_ERR_IO, "overlay: out of memory");
    labeller_free(&l);
    GEOSGeom_destroy_r(ctx->geos, faces);
    if (st != CCOV_OK) {
        ccov_geom_faces_free(ctx, kept, *nout);
        *nout = 0;
        return st;
    }
    *out = kept;
    return CCOV_OK;
}

/* Release what face f holds (not f itself). */
static void face_clear(ccov_ctx *ctx, ccov_face *f) {
    GEOSGeom_destroy_r(ctx->geos, f->geom);
    free(f->members);
}

void ccov_geom_faces_free(ccov_ctx *ctx, ccov_face *faces, size_t n) {
    for (size_t i = 0; faces && i < n; i++)
        face_clear(ctx, &faces[i]);
    free(faces);
}

/* ---- overlay by coverage count: the faces merged by their members ---- */

static int cover_cmp(const void *a, const void *b) {
    const ccov_face *x = a, *y = b;
    if (x->nmembers != y->nmembers)
        return x->nmembers < y->nmembers ? -1 : 1;
    for (size_t i = 0; i < x->nmembers; i++)
        if (x->members[i] != y->members[i])
            return x->members[i] < y->members[i] ? -1 : 1;
    return 0;
}

static GEOSGeometry *faces_union(ccov_ctx *ctx, const ccov_face *fc, size_t n) {
    if (n == 1)
        return GEOSGeom_clone_r(ctx->geos, fc[0].geom);
    GEOSGeometry **faces = malloc(n * sizeof *faces);
    if (!faces)
        return NULL;
    for (size_t k = 0; k < n; k++)
        faces[k] = fc[k].geom;
    GEOSGeometry *u = ccov_geom_union(ctx, faces, n);
    free(faces);
    return u;
}

/* Merge runs of faces with the same members into pieces (their member lists are taken over; a
   piece's point is its first face's, which lies inside the piece too). */
static ccov_status merge_faces(ccov_ctx *ctx, ccov_face *fc, size_t nf, ccov_face *out,
                               size_t *nout) {
    for (size_t i = 0; i < nf;) {
        size_t j = i + 1;
        while (j < nf && cover_cmp(&fc[i], &fc[j]) == 0)
            j++;
        ccov_face *p = &out[(*nout)++];
        p->geom = faces_union(ctx, &fc[i], j - i);
        p->members = fc[i].members;
        p->nmembers = fc[i].nmembers;
        p->x = fc[i].x;
        p->y = fc[i].y;
        fc[i].members = NULL;
        if (!p->geom)
            return ccov_ctx_fail(ctx, CCOV_ERR_GEOM, "overlay: union failed: %s", ctx->geos_error);
        i = j;
    }
    return CCOV_OK;
}

/* Keep the faces covered by at least min_count inputs, at the front, in their order. */
static size_t keep_at_least(ccov_ctx *ctx, ccov_face *fc, size_t nf, size_t min_count) {
    size_t kept = 0;
    for (size_t i = 0; i < nf; i++) {
        if (fc[i].nmembers >= min_count) {
            fc[kept++] = fc[i];
            continue;
        }
        face_clear(ctx, &fc[i]);
    }
    return kept;
}

ccov_status ccov_geom_overlay(ccov_ctx *ctx, ccov_geom *const *in, size_t n, size_t min_count,
                              ccov_face **out, size_t *nout) {
    *out = NULL;
    *nout = 0;
    ccov_face *fc = NULL;
    size_t nf = 0;
    ccov_status st = n ? ccov_geom_faces(ctx, in, n, NULL, 0, &fc, &nf) : CCOV_OK;
    if (st != CCOV_OK)
        return st;
    nf = keep_at_least(ctx, fc, nf, min_count);
    if (nf == 0) {
        ccov_geom_faces_free(ctx, fc, 0);
        return CCOV_OK;
    }
    qsort(fc, nf, sizeof *fc, cover_cmp);
    ccov_face *pieces = calloc(nf, sizeof *pieces);
    st = pieces ? merge_faces(ctx, fc, nf, pieces, nout)
                : ccov_ctx_fail(ctx, CCOV_ERR_IO, "overlay: out of memory");
    ccov_geom_faces_free(ctx, fc, nf);
    if (st != CCOV_OK) {
        ccov_geom_faces_free(ctx, pieces, *nout);
        *nout = 0;
        return st;
    }
    *out = pieces;
    return CCOV_OK;
}

ccov_geom *ccov_geom_border(ccov_ctx *ctx, const ccov_geom *g) {
    return GEOSBoundary_r(ctx->geos, g);
}

ccov_geom *ccov_geom_lines_in_rect(ccov_ctx *ctx, const ccov_geom *g, const double rect[4],
                                   bool *failed) {
    GEOSGeometry *part = GEOSClipByRect_r(ctx->geos, g, rect[0], rect[1], rect[2], rect[3]);
    *failed = !part;
    if (part && GEOSisEmpty_r(ctx->geos, part) == 1) {
        GEOSGeom_destroy_r(ctx->geos, part);
        return NULL;
    }
    return part;
}
