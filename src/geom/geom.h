/* geom: GEOS geometry work: parsing, repair, dissolve, clip, area. */
#ifndef CCOV_GEOM_H
#define CCOV_GEOM_H

#include "clearcov/ctx.h"

#include <stdbool.h>
#include <stddef.h>

/* Same type as GEOS's GEOSGeometry, without exposing GEOS's header to other modules. */
typedef struct GEOSGeom_t ccov_geom;
typedef struct ccov_prepared ccov_prepared;

/* Transforms one point in place; returns false when it cannot. */
typedef bool (*ccov_point_fn)(void *user, double *x, double *y);
/* Area in m2 of one ring given by coordinate arrays (which it may overwrite). */
typedef double (*ccov_ring_area_fn)(void *user, double *x, double *y, size_t n);

/* Parse ISO WKB. NULL with a reason in `problem` (size n) when it does not parse. */
ccov_geom *ccov_geom_from_wkb(ccov_ctx *ctx, const unsigned char *wkb, size_t size, char *problem,
                              size_t n);
/* Serialize as ISO WKB (2D); caller frees *wkb with free(). False on error. */
bool ccov_geom_to_wkb(ccov_ctx *ctx, const ccov_geom *g, unsigned char **wkb, size_t *size);
ccov_geom *ccov_geom_from_wkt(ccov_ctx *ctx, const char *wkt);
void ccov_geom_free(ccov_ctx *ctx, ccov_geom *g);
ccov_geom *ccov_geom_clone(ccov_ctx *ctx, const ccov_geom *g);

/* True when every coordinate is finite. */
bool ccov_geom_is_finite(ccov_ctx *ctx, const ccov_geom *g);
/* Number of vertices. */
long ccov_geom_vertices(ccov_ctx *ctx, const ccov_geom *g);

/* Split every segment longer than step (same units) so that it stays straight in its own CRS once
   reprojected. Returns a new geometry or NULL on error. */
ccov_geom *ccov_geom_densify(ccov_ctx *ctx, const ccov_geom *g, double step);
/* True when g is polygonal and none of its edges is longer than step: densifying would leave it as
   it is. */
bool ccov_geom_edges_within(ccov_ctx *ctx, const ccov_geom *g, double step);

/* Transforms n coordinates in place; returns false when any failed. */
typedef bool (*ccov_coords_fn)(void *user, double *x, double *y, size_t n);

/* Maps ring `index` of a polygon (0: the shell, then its holes) to a new ring; NULL on failure. */
typedef ccov_geom *(*ccov_ring_map_fn)(ccov_ctx *ctx, const ccov_geom *ring, int index, void *arg);
/* g with every ring of every polygon replaced by fn's, through multipolygons and collections; a
   part of another kind is copied when keep_others, else the result is NULL. NULL on any failure;
   the caller frees the result with ccov_geom_free. */
ccov_geom *ccov_geom_map_rings(ccov_ctx *ctx, const ccov_geom *g, ccov_ring_map_fn fn, void *arg,
                               bool keep_others);
/* Apply fn to the coordinates of each ring of a polygonal geometry, a ring at a time (so that a
   coordinate operation runs in bulk). New geometry, or NULL on failure. */
ccov_geom *ccov_geom_transform_rings(ccov_ctx *ctx, const ccov_geom *g, ccov_coords_fn fn,
                                     void *user);

/* Apply fn to every vertex. New geometry, or NULL when fn failed on a vertex or GEOS failed. */
ccov_geom *ccov_geom_transform(ccov_ctx *ctx, const ccov_geom *g, ccov_point_fn fn, void *user);

/* Longitudes (x, in a geographic CRS whose whole turn is `turn` units: 360 for degrees) made to
   mean in the plane what they mean on the globe, ring by ring: a step of more than half a turn
   between two vertices goes the short way, across 180 degrees (a step of exactly a whole turn, a
   full parallel, is kept); a ring that goes once around a pole is closed through the pole on the
   side of its mean latitude (unless allow_pole is false: then refused); each polygon is moved by
   whole turns so that its shell's middle lies in [centre - turn/2, centre + turn/2), its holes next
   to it. Anything not polygonal is copied. New geometry, or NULL with `problem` (size n) when a
   ring goes around a pole more than once (or at all, without allow_pole). */
ccov_geom *ccov_geom_wrap_lon(ccov_ctx *ctx, const ccov_geom *g, double centre, double turn,
                              bool allow_pole, char *problem, size_t n);

/* True when g's longitudes lie within [centre - turn/2, centre + turn/2]: fold_window has
   nothing to cut. False too when its bounds cannot be read. */
bool ccov_geom_in_window(ccov_ctx *ctx, const ccov_geom *g, double centre, double turn);
/* A valid polygonal g (after ccov_geom_wrap_lon) in one window of longitudes, [centre - turn/2,
   centre + turn/2]: the parts beyond either edge are cut there (GEOS intersection), moved by
   a whole turn into the window and collected with the rest, so that pieces cut at the edge meet the
   pieces of other polygons there. A copy when g already lies in the window; NULL on failure. */
ccov_geom *ccov_geom_fold_window(ccov_ctx *ctx, const ccov_geom *g, double centre, double turn);

/* ccov_geom_densify for a valid (Multi)Polygon in a geographic CRS (a whole turn of longitude is
   `turn` units): each edge split into pieces no longer than step (plain distance in lon/lat
   units, as ccov_geom_densify measures it), except an edge along a pole, which is left whole, so
   that polygons near and around the poles do not grow by hundreds of thousands of vertices. NULL on
   error. */
ccov_geom *ccov_geom_densify_lonlat(ccov_ctx *ctx, const ccov_geom *g, double step, double turn);

/* Make g a valid (Multi)Polygon: invalid input is repaired with GEOS make-valid (structure method,
   collapsed parts dropped), non-polygonal parts of a collection are dropped. `*repair` (size n)
   receives what was wrong ("" when nothing). NULL when nothing polygonal is left, with `problem`
   (in *repair) saying why. */
ccov_geom *ccov_geom_repair(ccov_ctx *ctx, const ccov_geom *g, char *repair, size_t n);

/* ccov_geom_repair, taking g over: a valid polygonal g is returned itself (no copy), else g is
   freed and its repaired copy (or NULL, as above) returned. */
ccov_geom *ccov_geom_repair_take(ccov_ctx *ctx, ccov_geom *g, char *repair, size_t n);

/* Area: sum over polygons of exterior minus holes, each ring measured by fn (planar area in CRS
   units squared when fn is NULL). */
double ccov_geom_area(ccov_ctx *ctx, const ccov_geom *g, ccov_ring_area_fn fn, void *user);

/* Dissolve: union only polygons that interact. Returns an array (*out, *nout) of pairwise
   disjoint geometries whose union equals the union of the input, in order of their first member;
   group_of (n entries, may be NULL) receives each input's group. Caller frees each with
   ccov_geom_free() and the array with free(). Inputs are not modified. */
ccov_status ccov_geom_dissolve(ccov_ctx *ctx, ccov_geom *const *in, size_t n, ccov_geom ***out,
                               size_t *nout, size_t *group_of);

/* Group the polygons that interact (intersect, directly or through others): group_of[i] (n
   entries) receives i's group, numbered 0.. in order of each group's first member; *ngroups the
   count. Candidate pairs come from a GEOS STRtree, so the work grows with the pairs that touch.
   covered (n entries, may be NULL) receives which polygons the union can do without: each one
   marked is covered by another that is not marked (of identical polygons, the first is kept). */
ccov_status ccov_geom_groups(ccov_ctx *ctx, ccov_geom *const *in, size_t n, size_t *group_of,
                             size_t *ngroups, bool *covered);

/* Called with each geometry i and the geometries j > i (js, nj > 0, increasing) whose bounding
   boxes meet its own; a status other than CCOV_OK stops the walk and is returned. */
typedef ccov_status (*ccov_box_pairs_fn)(size_t i, const size_t *js, size_t nj, void *user);

/* Every pair of the n geometries whose bounding boxes meet, each once, through a GEOS STRtree (the
   work grows with the pairs found, not with n squared): fn is called for each i in increasing
   order. CCOV_OK, fn's first failure, CCOV_ERR_GEOM when GEOS fails or CCOV_ERR_IO when out of
   memory (message in ctx). Empty geometries take part in no pair. */
ccov_status ccov_geom_box_pairs(ccov_ctx *ctx, ccov_geom *const *in, size_t n, ccov_box_pairs_fn fn,
                                void *user);

/* Union of n geometries (new geometry, NULL on error). */
ccov_geom *ccov_geom_union(ccov_ctx *ctx, ccov_geom *const *in, size_t n);

/* Where g lies relative to a prepared region. */
typedef enum {
    CCOV_PLACE_ERROR = -1,
    CCOV_PLACE_OUTSIDE = 0,
    CCOV_PLACE_INSIDE = 1,
    CCOV_PLACE_CROSSING = 2
} ccov_place;

/* Prepare a region for repeated tests. The region must outlive the prepared object. The prepared
   object belongs to ctx: every function below that takes it must be given the same ctx, and it is
   freed with that ctx (asserted in builds without NDEBUG). */
ccov_prepared *ccov_geom_prepare(ccov_ctx *ctx, const ccov_geom *region);
void ccov_geom_prepared_free(ccov_ctx *ctx, ccov_prepared *p);

/* Where g lies relative to the region, by prepared predicates only: inside (properly), outside
   (no contact) or crossing (which includes touching the border from outside). */
ccov_place ccov_geom_locate(ccov_ctx *ctx, const ccov_prepared *p, const ccov_geom *g);

/* The part of g inside the region (new geometry; NULL when outside or on error: *place tells). */
ccov_geom *ccov_geom_clip(ccov_ctx *ctx, const ccov_prepared *p, const ccov_geom *g,
                          ccov_place *place);
/* The same for a g that ccov_geom_locate() found crossing: the predicates are not tested again. */
ccov_geom *ccov_geom_clip_crossing(ccov_ctx *ctx, const ccov_prepared *p, const ccov_geom *g,
                                   ccov_place *place);
/* The part of g outside the region (new geometry; NULL when none). */
ccov_geom *ccov_geom_outside(ccov_ctx *ctx, const ccov_prepared *p, const ccov_geom *g);

/* The polygonal part of a and b's intersection, of a minus b: one GEOS overlay of the whole
   geometries, without tiles (for a few large polygons, such as regions cut by districts). New
   geometry, possibly empty; NULL on error. */
ccov_geom *ccov_geom_intersection(ccov_ctx *ctx, const ccov_geom *a, const ccov_geom *b);
ccov_geom *ccov_geom_difference(ccov_ctx *ctx, const ccov_geom *a, const ccov_geom *b);

/* Bounding box (xmin, ymin, xmax, ymax). False for an empty geometry. */
bool ccov_geom_bounds(ccov_ctx *ctx, const ccov_geom *g, double b[4]);

/* Work out what GEOS (3.11) computes and keeps in a geometry when it is first read: the extent
   of g, of each of its parts and of each of their rings, and the dimension of each ring's
   coordinates. Once settled, g is only read by GEOS, so several threads may read it at once;
   settle on one thread, before the others read it. */
void ccov_geom_settle(ccov_ctx *ctx, const ccov_geom *g);

/* The point at fraction t (0..1) of the length of g's boundary. False on error. */
bool ccov_geom_boundary_point(ccov_ctx *ctx, const ccov_geom *g, double t, double *x, double *y);

/* *inside: whether the point lies inside the prepared region (not on its boundary). CCOV_OK, or
   CCOV_ERR_GEOM when GEOS cannot answer (message in ctx, *inside false): a failure is never
   read as outside. */
ccov_status ccov_geom_contains_point(ccov_ctx *ctx, const ccov_prepared *p, double x, double y,
                                     bool *inside);

/* Simplified copy for display only (topology-preserving, tolerance in g's units). */
ccov_geom *ccov_geom_simplify(ccov_ctx *ctx, const ccov_geom *g, double tolerance);

/* Receives each ring of each polygon: coordinates, count (first point repeated at the end),
   and whether it is an exterior ring. Return false to stop. */
typedef bool (*ccov_ring_fn)(void *user, const double *x, const double *y, size_t n, bool exterior);

/* Call fn for every polygon ring of g (polygons, multipolygons, collections). False when fn
   stopped or memory ran out. */
bool ccov_geom_rings(ccov_ctx *ctx, const ccov_geom *g, ccov_ring_fn fn, void *user);

/* A MultiPolygon of the polygons in parts (taken over and freed); parts must not overlap.
   An empty MultiPolygon when n is 0. NULL on error. */
ccov_geom *ccov_geom_collect(ccov_ctx *ctx, ccov_geom **parts, size_t n);

/* g with every coordinate on a grid of the given size, kept valid (parts that collapse are
   dropped). NULL on error. */
ccov_geom *ccov_geom_snap(ccov_ctx *ctx, const ccov_geom *g, double grid);

/* The polygonal part of g inside the rectangle (xmin, ymin, xmax, ymax); possibly empty. NULL on
   error. */
ccov_geom *ccov_geom_clip_rect(ccov_ctx *ctx, const ccov_geom *g, const double rect[4]);

/* True when the geometry has no coordinates. */
bool ccov_geom_is_empty(ccov_ctx *ctx, const ccov_geom *g);

/* True when GEOS finds g valid. */
bool ccov_geom_is_valid(ccov_ctx *ctx, const ccov_geom *g);

/* Planar area (units of g squared); NaN on error. */
double ccov_geom_planar_area(ccov_ctx *ctx, const ccov_geom *g);
#endif
