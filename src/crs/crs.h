/* crs: PROJ CRS objects, coordinate operations into the working frame, geodesic area. */
#ifndef CCOV_CRS_H
#define CCOV_CRS_H

#include "clearcov/ctx.h"

#include <stdbool.h>
#include <stddef.h>

typedef struct ccov_crs ccov_crs;
typedef struct ccov_xform ccov_xform;

/* Parse a CRS given as "EPSG:n", WKT, PROJJSON or a PROJ string. `what` names where it came from
   for the message (a file or an option). NULL on error, message in ctx. Free with ccov_crs_free().
 */
ccov_crs *ccov_crs_create(ccov_ctx *ctx, const char *definition, const char *what);
/* The same for a CRS made up here (a working frame): it is labelled by its name, without searching
   the EPSG registry for a match (a search that takes tens of milliseconds and cannot succeed). */
ccov_crs *ccov_crs_create_local(ccov_ctx *ctx, const char *definition, const char *what);
void ccov_crs_free(ccov_crs *crs);

/* A short label: "EPSG:32648" when PROJ identifies the CRS with an authority code, else its name.
   Owned by crs. */
const char *ccov_crs_label(const ccov_crs *crs);
bool ccov_crs_is_geographic(const ccov_crs *crs);
/* Size of the CRS's unit: metres (projected) or radians (geographic) per unit. */
double ccov_crs_unit_factor(const ccov_crs *crs);

/* Longest segment, in the CRS's own units, that may be taken as straight in any other frame:
   `metres` in a projected CRS, metres / 100 000 degrees in a geographic one (100 m -> 0.001 degree,
   about 110 m). Used to densify before reprojecting. */
double ccov_crs_densify_step(const ccov_crs *crs, double metres);

/* The bounding box (xmin, ymin, xmax, ymax in crs units) as lon/lat degrees on the CRS's own datum,
   for choosing an operation valid there. Returns false when it cannot be computed. */
bool ccov_crs_bbox_to_lonlat(ccov_ctx *ctx, const ccov_crs *crs, const double bbox[4],
                             double lonlat[4]);

/* The CRS's area of use (west, south, east, north, degrees); false when PROJ has none. */
bool ccov_crs_area_of_use(ccov_ctx *ctx, const ccov_crs *crs, double lonlat[4]);

/* The best operation PROJ knows from src to dst over the area lonlat (west, south, east, north;
   NULL: anywhere), with x = easting/longitude on both sides. When the only operation is a
   ballpark one (no datum shift known), fails with CCOV_ERR_CRS unless allow_ballpark. `what` names
   the source for messages. NULL on error. Free with ccov_xform_free(). */
ccov_xform *ccov_xform_create(ccov_ctx *ctx, const ccov_crs *src, const ccov_crs *dst,
                              const double lonlat[4], bool allow_ballpark, const char *what);
void ccov_xform_free(ccov_xform *xf);
/* A copy of the operation bound to ctx, for use on another thread. NULL on error. */
ccov_xform *ccov_xform_clone(ccov_ctx *ctx, const ccov_xform *xf);

/* Name of the chosen operation and its accuracy in metres (-1 when unknown). */
const char *ccov_xform_name(const ccov_xform *xf);
double ccov_xform_accuracy(const ccov_xform *xf);
bool ccov_xform_is_ballpark(const ccov_xform *xf);

/* Transform n points in place (strides in doubles). Returns the number of points that failed
   (coordinates set to HUGE_VAL by PROJ) or -1 when the whole call failed. */
long ccov_xform_points(ccov_xform *xf, double *x, size_t sx, double *y, size_t sy, size_t n);

/* A whole turn of longitude in the units of a geographic CRS (360 for degrees); 0 when the CRS
   is projected. */
double ccov_crs_turn(const ccov_crs *crs);

/* The shortest longitude interval, in degrees, that holds every interval iv[i] = {west, east}
   (west <= east, at most 360 apart; they may go past 180). span receives {from, to} with
   from in [-180, 180) and to - from <= 360 ({-180, 180} when the intervals go all around).
   False when n is 0 or memory runs out. */
bool ccov_crs_lon_span(const double (*iv)[2], size_t n, double span[2]);

/* Geodesic area in m2 of a ring of lon/lat degrees on the WGS84 ellipsoid (absolute value), using
   PROJ's geod_* API. The ring may or may not repeat its first point. */
double ccov_crs_geodesic_ring_area(const double *lon, const double *lat, size_t n);

#endif
