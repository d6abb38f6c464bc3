/* geom_audit: the geometry side of `clearcov audit` (GEOS, and ISO WKB read byte by byte). */
#ifndef CCOV_GEOM_AUDIT_H
#define CCOV_GEOM_AUDIT_H

#include "clearcov/ctx.h"
#include "geom/geom.h"

#include <stdbool.h>
#include <stddef.h>

/* Call fn for every polygon ring of an ISO WKB geometry (either byte order; Z and M dropped):
   Polygon, MultiPolygon, and the polygons of a GeometryCollection (other members skipped). The
   coordinates are exactly as stored, closing point included, so rings GEOS refuses to build
   (fewer than 4 points) are seen too. False when the WKB is malformed, memory runs out or fn
   stops. Pure: no context, no GEOS. */
bool ccov_geom_wkb_rings(const unsigned char *wkb, size_t size, ccov_ring_fn fn, void *user);

/* True when GEOS finds g valid; otherwise the reason and where, e.g. "self-intersection at
   (450123.5 2050111)", into reason (size n), in g's coordinates. */
bool ccov_geom_audit_valid(ccov_ctx *ctx, const ccov_geom *g, char *reason, size_t n);

/* g normalised (rings start at their lowest vertex, fixed orientation, parts sorted) as WKB, so
   that the same polygon written from another start vertex or direction gives the same bytes.
   Caller frees *wkb with free(). False on error. */
bool ccov_geom_audit_normal_wkb(ccov_ctx *ctx, const ccov_geom *g, unsigned char **wkb,
                                size_t *size);

/* Shape of the thinnest polygon part of g (planar, g's units): the lowest thinness 4*pi*A/P^2
   (1 for a disc, about 0.785 for a square, towards 0 for a sliver) and the smallest minimum width
   (the width of the narrowest strip that holds the part, GEOSMinimumWidth). False when g has no
   polygon with area or GEOS fails. */
bool ccov_geom_audit_shape(ccov_ctx *ctx, const ccov_geom *g, double *thinness, double *width);

/* Regions indexed (STRtree) and prepared, for the share of a feature in each. */
typedef struct ccov_region_index ccov_region_index;

/* The regions are borrowed and must outlive the index. NULL on error. */
ccov_region_index *ccov_geom_region_index(ccov_ctx *ctx, ccov_geom *const *regions, size_t n);
void ccov_geom_region_index_free(ccov_ctx *ctx, ccov_region_index *idx);

/* shares[i] (n entries, as many as regions) = fraction of g's planar area inside region i,
   0..1. g must be valid and in the regions' frame. False on a GEOS error. */
bool ccov_geom_region_shares(ccov_ctx *ctx, const ccov_region_index *idx, const ccov_geom *g,
                             double *shares);

/* Receives a pair i < j and the share of the smaller one's area they have in common (0..1). */
typedef void (*ccov_pair_fn)(void *user, size_t i, size_t j, double share);

/* Every pair of polygons (NULL entries skipped; valid, planar units) whose common area is more
   than min_share of the smaller one's area. Candidates come from a GEOS STRtree and a bounding-box
   bound; pairs are reported in ascending (i, j) order. */
ccov_status ccov_geom_audit_overlaps(ccov_ctx *ctx, ccov_geom *const *g, size_t n, double min_share,
                                     ccov_pair_fn fn, void *user);

#endif
