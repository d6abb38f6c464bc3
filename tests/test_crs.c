/* Tests for the crs module: geodesic ring area, CRS objects and coordinate operations.
 *
 * Expected values are computed independently of clearcov: areas with GeographicLib's Planimeter
 * (Debian geographiclib-tools 2.1.2), coordinates with PROJ's cs2cs (proj-bin 9.1.1). Each
 * expected value has the exact command and its output above it. Planimeter reads "lat lon" unless
 * given -w (then "lon lat", as here); -p 10 is its highest precision: metres with 10 decimals,
 * square metres with 5. */
#include "crs/crs.h"

#include "clearcov/ctx.h"

#include <math.h>
#include <stdio.h>
#include <string.h>

static int checks;
static int failures;

static void check(bool ok, const char *what) {
    checks++;
    if (!ok) {
        failures++;
        fprintf(stderr, "test_crs: FAIL: %s\n", what);
    }
}

/* |got - want| <= tol * |want|, with both numbers printed when it is not. */
static void check_rel(double got, double want, double tol, const char *what) {
    double rel = fabs(got - want) / fabs(want);
    checks++;
    if (!(rel <= tol)) {
        failures++;
        fprintf(stderr, "test_crs: FAIL: %s: got %.12f, want %.12f (relative error %.3g > %.3g)\n",
                what, got, want, rel, tol);
    }
}

static void check_abs(double got, double want, double tol, const char *what) {
    checks++;
    if (!(fabs(got - want) <= tol)) {
        failures++;
        fprintf(stderr, "test_crs: FAIL: %s: got %.12f, want %.12f (error %.3g > %.3g)\n", what,
                got, want, fabs(got - want), tol);
    }
}

static bool contains(const char *haystack, const char *needle) {
    return haystack != NULL && strstr(haystack, needle) != NULL;
}

#define AREA_TOL 1e-9
#define COUNT(a) (sizeof(a) / sizeof((a)[0]))

/* ---- geodesic area against Planimeter ---- */

/* An about 1 km square near 18.5N 103.5E (sides from GeodSolve: 1000 m east and north of the
   first corner). Counter-clockwise, not closed.
   $ Planimeter -w -p 10 --line-separator ';' --input-string '103.500000000 18.500000000;
       103.509469473 18.499999763;103.509469970 18.509043682;103.500000000 18.509034549'
   4 4001.0377565551 1000518.61351 */
static const double SQUARE_LON[] = {103.500000000, 103.509469473, 103.509469970, 103.500000000};
static const double SQUARE_LAT[] = {18.500000000, 18.499999763, 18.509043682, 18.509034549};
static const double SQUARE_M2 = 1000518.61351;

/* An irregular heptagon of about 100 ha, non-convex.
   $ Planimeter -w -p 10 --line-separator ';' --input-string '103.62088 18.61058;
       103.62856 18.60930;103.63241 18.61332;103.62950 18.61810;103.62617 18.61733;
       103.62327 18.61938;103.61960 18.61571'
   7 3924.6281261034 1000116.91775 */
static const double IRREGULAR_LON[] = {103.62088, 103.62856, 103.63241, 103.62950,
                                       103.62617, 103.62327, 103.61960};
static const double IRREGULAR_LAT[] = {18.61058, 18.60930, 18.61332, 18.61810,
                                       18.61733, 18.61938, 18.61571};
static const double IRREGULAR_M2 = 1000116.91775;

/* A province-sized hexagon (about 28,859 km2) with edges of 80 to 140 km.
   $ Planimeter -w -p 10 --line-separator ';' --input-string '103.0 18.4;104.2 18.1;105.0 18.6;
       104.6 19.4;103.6 19.9;102.9 19.2'
   6 644828.7069834110 28859144759.82288 */
static const double PROVINCE_LON[] = {103.0, 104.2, 105.0, 104.6, 103.6, 102.9};
static const double PROVINCE_LAT[] = {18.4, 18.1, 18.6, 19.4, 19.9, 19.2};
static const double PROVINCE_M2 = 28859144759.82288;

/* A tiny rectangle of about 0.05 ha (25 m x 20 m). Planimeter's 5 decimals of m2 are too few for
   1e-9 of 501 m2, so it is measured on an ellipsoid 1000 times larger with the same flattening:
   the area of a polygon given by latitudes and longitudes scales exactly with a^2, so the result
   is divided by 1e6.
   $ Planimeter -w -p 10 -e 6378137000 1/298.257223563 --line-separator ';' --input-string
       '103.5000000 18.5000000;103.5002370 18.5000000;103.5002370 18.5001810;103.5000000 18.5001810'
   4 90123.9499054434 501411426.13281
   (the same command without -e prints 4 90.1239499054 501.41143) */
static const double TINY_LON[] = {103.5000000, 103.5002370, 103.5002370, 103.5000000};
static const double TINY_LAT[] = {18.5000000, 18.5000000, 18.5001810, 18.5001810};
static const double TINY_M2 = 501411426.13281 / 1e6;

static void test_area_planimeter(void) {
    check_rel(ccov_crs_geodesic_ring_area(SQUARE_LON, SQUARE_LAT, COUNT(SQUARE_LON)), SQUARE_M2,
              AREA_TOL, "1 km square vs Planimeter");
    check_rel(ccov_crs_geodesic_ring_area(IRREGULAR_LON, IRREGULAR_LAT, COUNT(IRREGULAR_LON)),
              IRREGULAR_M2, AREA_TOL, "100 ha irregular polygon vs Planimeter");
    check_rel(ccov_crs_geodesic_ring_area(PROVINCE_LON, PROVINCE_LAT, COUNT(PROVINCE_LON)),
              PROVINCE_M2, AREA_TOL, "province-sized polygon vs Planimeter");
    check_rel(ccov_crs_geodesic_ring_area(TINY_LON, TINY_LAT, COUNT(TINY_LON)), TINY_M2, AREA_TOL,
              "0.05 ha rectangle vs Planimeter");
}

/* The same ring closed (first point repeated, as in WKT) and reversed (clockwise, as GEOS may
   return it): the area is the same, positive. */
static void test_area_ring_forms(void) {
    double lon[COUNT(SQUARE_LON) + 1], lat[COUNT(SQUARE_LON) + 1];
    size_t n = COUNT(SQUARE_LON);
    for (size_t i = 0; i < n; i++) {
        lon[i] = SQUARE_LON[i];
        lat[i] = SQUARE_LAT[i];
    }
    lon[n] = lon[0];
    lat[n] = lat[0];
    check_rel(ccov_crs_geodesic_ring_area(lon, lat, n + 1), SQUARE_M2, AREA_TOL,
              "closed ring (first point repeated)");
    double rlon[COUNT(SQUARE_LON) + 1], rlat[COUNT(SQUARE_LON) + 1];
    for (size_t i = 0; i <= n; i++) {
        rlon[i] = lon[n - i];
        rlat[i] = lat[n - i];
    }
    check_rel(ccov_crs_geodesic_ring_area(rlon, rlat, n + 1), SQUARE_M2, AREA_TOL,
              "clockwise closed ring");
    /* Fewer than three distinct points enclose nothing (hand algebra). */
    check_abs(ccov_crs_geodesic_ring_area(lon, lat, 2), 0.0, 0.0, "two points: zero area");
    check_abs(ccov_crs_geodesic_ring_area(lon, lat, 0), 0.0, 0.0, "no points: zero area");
}

/* ---- CRS objects ---- */

static void test_crs_objects(ccov_ctx *ctx) {
    ccov_crs *utm = ccov_crs_create(ctx, "EPSG:32648", "test");
    check(utm != NULL, "EPSG:32648 parses");
    if (utm) {
        check(strcmp(ccov_crs_label(utm), "EPSG:32648") == 0, "EPSG:32648 label");
        check(!ccov_crs_is_geographic(utm), "EPSG:32648 is projected");
        check_abs(ccov_crs_unit_factor(utm), 1.0, 0.0, "EPSG:32648 unit is the metre");
        check_abs(ccov_crs_densify_step(utm, 100.0), 100.0, 1e-9, "densify step 100 m");
    }
    ccov_crs *wgs = ccov_crs_create(ctx, "EPSG:4326", "test");
    check(wgs != NULL, "EPSG:4326 parses");
    if (wgs) {
        check(ccov_crs_is_geographic(wgs), "EPSG:4326 is geographic");
        /* One degree in radians; 0.001 degree step. */
        check_rel(ccov_crs_unit_factor(wgs), 3.14159265358979323846 / 180.0, 1e-12,
                  "EPSG:4326 unit is the degree");
        check_rel(ccov_crs_densify_step(wgs, 100.0), 0.001, 1e-12, "densify step 0.001 degree");
        check_rel(ccov_crs_densify_step(wgs, 500.0), 0.005, 1e-12, "densify step 0.005 degree");
    }
    ccov_crs *bad = ccov_crs_create(ctx, "EPSG:999999", "--crs");
    check(bad == NULL, "unknown EPSG code refused");
    check(contains(ccov_ctx_error(ctx), "--crs"), "CRS error names where the CRS came from");
    ccov_crs_free(bad);
    ccov_crs_free(utm);
    ccov_crs_free(wgs);
    ccov_crs_free(NULL);
}

/* ---- coordinate operations against cs2cs ---- */

/* Around the test point; the Lao 1997 to WGS 84 operation (EPSG:1065) is valid over Laos. */
static const double NEAR_POINT[4] = {103.4, 18.4, 103.6, 18.6};

/* A point on the Lao 1997 datum (EPSG:4678) into WGS 84. cs2cs takes EPSG axis order, latitude
   first; the library returns longitude first.
   $ echo "18.5 103.5" | cs2cs EPSG:4678 EPSG:4326 -f %.9f
   18.500071453	103.499879526 0.000000000 */
static void test_lao1997_to_wgs84(ccov_ctx *ctx, const double *area, const char *what) {
    ccov_crs *lao = ccov_crs_create(ctx, "EPSG:4678", "test");
    ccov_crs *wgs = ccov_crs_create(ctx, "EPSG:4326", "test");
    ccov_xform *xf = lao && wgs ? ccov_xform_create(ctx, lao, wgs, area, false, "test") : NULL;
    check(xf != NULL, what);
    if (xf) {
        double x = 103.5, y = 18.5;
        check(ccov_xform_points(xf, &x, 1, &y, 1, 1) == 0, "Lao 1997 point transforms");
        check_abs(x, 103.499879526, 1e-7, "Lao 1997 -> WGS 84 longitude vs cs2cs");
        check_abs(y, 18.500071453, 1e-7, "Lao 1997 -> WGS 84 latitude vs cs2cs");
        check(!ccov_xform_is_ballpark(xf), "Lao 1997 -> WGS 84 is not ballpark");
        /* projinfo -s EPSG:4678 -t EPSG:4326: "EPSG:1065, Lao 1997 to WGS 84 (1), 5.0 m, Laos." */
        check(contains(ccov_xform_name(xf), "Lao 1997 to WGS 84"), "operation name");
        check_abs(ccov_xform_accuracy(xf), 5.0, 1e-9, "operation accuracy 5 m");
    }
    ccov_xform_free(xf);
    ccov_crs_free(lao);
    ccov_crs_free(wgs);
}

/* The same point into UTM 48N on WGS 84: datum shift and projection, easting first.
   $ echo "18.5 103.5" | cs2cs EPSG:4678 EPSG:32648 -f %.6f
   341632.409952	2046170.886007 0.000000 */
static void test_lao1997_to_utm(ccov_ctx *ctx) {
    ccov_crs *lao = ccov_crs_create(ctx, "EPSG:4678", "test");
    ccov_crs *utm = ccov_crs_create(ctx, "EPSG:32648", "test");
    ccov_xform *xf =
        lao && utm ? ccov_xform_create(ctx, lao, utm, NEAR_POINT, false, "test") : NULL;
    check(xf != NULL, "Lao 1997 -> UTM 48N operation");
    if (xf) {
        /* Two points at once, interleaved (stride 2), to exercise the strides. */
        double xy[4] = {103.5, 18.5, 103.5, 18.5};
        check(ccov_xform_points(xf, xy, 2, xy + 1, 2, 2) == 0, "two points transform");
        check_abs(xy[0], 341632.409952, 1e-3, "Lao 1997 -> UTM 48N easting vs cs2cs");
        check_abs(xy[1], 2046170.886007, 1e-3, "Lao 1997 -> UTM 48N northing vs cs2cs");
        check_abs(xy[2], xy[0], 0.0, "second point, same easting");
        check_abs(xy[3], xy[1], 0.0, "second point, same northing");
    }
    ccov_xform_free(xf);
    ccov_crs_free(lao);
    ccov_crs_free(utm);
}

/* Indian 1960 has transformations to WGS 84 only for parts of Vietnam; over Laos PROJ has only a
   ballpark one:
   $ projinfo -s EPSG:4131 -t EPSG:4326 --bbox 100,14,108,22 --spatial-test contains
   Candidate operations found: 1 ... Ballpark geographic offset from Indian 1960 to WGS 84,
   unknown accuracy, World, has ballpark transformation */
static void test_indian1960_ballpark(ccov_ctx *ctx) {
    static const double LAOS[4] = {100, 14, 108, 22};
    ccov_crs *ind = ccov_crs_create(ctx, "EPSG:4131", "test");
    ccov_crs *wgs = ccov_crs_create(ctx, "EPSG:4326", "test");
    check(ind && wgs, "EPSG:4131 and EPSG:4326 parse");
    if (!ind || !wgs)
        goto done;
    ccov_xform *xf = ccov_xform_create(ctx, ind, wgs, LAOS, false, "indian.gpkg");
    check(xf == NULL, "Indian 1960 over Laos refused without allow_ballpark");
    check(contains(ccov_ctx_error(ctx), "ballpark"), "refusal says ballpark");
    check(contains(ccov_ctx_error(ctx), "--allow-ballpark"), "refusal names --allow-ballpark");
    check(contains(ccov_ctx_error(ctx), "indian.gpkg"), "refusal names the source");
    ccov_xform_free(xf);
    xf = ccov_xform_create(ctx, ind, wgs, LAOS, true, "indian.gpkg");
    check(xf != NULL, "Indian 1960 over Laos accepted with allow_ballpark");
    if (xf) {
        check(ccov_xform_is_ballpark(xf), "accepted operation is flagged ballpark");
        /* A ballpark geographic offset keeps the numbers (proj=noop). */
        double x = 103.5, y = 18.5;
        check(ccov_xform_points(xf, &x, 1, &y, 1, 1) == 0, "ballpark point transforms");
        check_abs(x, 103.5, 1e-12, "ballpark keeps longitude");
        check_abs(y, 18.5, 1e-12, "ballpark keeps latitude");
    }
    ccov_xform_free(xf);
done:
    ccov_crs_free(ind);
    ccov_crs_free(wgs);
}

/* A CRS that carries its own datum shift (PROJ BoundCRS, as GDAL writes from a PROJ string with
   +towgs84): units read through its source CRS, and its datum shift used. The parameters are
   EPSG:1065 "Lao 1997 to WGS 84 (1)" (geocentric translation 44.585, -131.212, -39.544 m), as
   `projinfo -s EPSG:4678 -t EPSG:4326 -o PROJ` shows them.
   $ echo "341500 2046500" | cs2cs "+proj=utm +zone=48 +ellps=krass
       +towgs84=44.585,-131.212,-39.544,0,0,0,0 +units=m +no_defs +type=crs" +to EPSG:4326 -f %.7f
   18.5027768	103.4985074 0.0000000
   (without the shift, as EPSG:32648, the point lies at 18.5030351 103.4985997: 30 m away) */
static void test_bound_crs(ccov_ctx *ctx) {
    const char *utm = "+proj=utm +zone=48 +ellps=krass +towgs84=44.585,-131.212,-39.544,0,0,0,0 "
                      "+units=m +no_defs +type=crs";
    const char *lonlat = "+proj=longlat +ellps=krass +towgs84=44.585,-131.212,-39.544,0,0,0,0 "
                         "+no_defs +type=crs";
    ccov_crs *bound = ccov_crs_create(ctx, utm, "test");
    ccov_crs *bound_ll = ccov_crs_create(ctx, lonlat, "test");
    ccov_crs *wgs = ccov_crs_create(ctx, "EPSG:4326", "test");
    check(bound && bound_ll && wgs, "BoundCRS (+towgs84) accepted");
    if (!bound || !bound_ll || !wgs)
        goto done;
    check(!ccov_crs_is_geographic(bound), "UTM with +towgs84 is projected");
    check_abs(ccov_crs_unit_factor(bound), 1.0, 0, "UTM with +towgs84 in metres");
    check(ccov_crs_is_geographic(bound_ll), "longlat with +towgs84 is geographic");
    check_abs(ccov_crs_unit_factor(bound_ll), 0.0174532925199433, 1e-15, "longlat in degrees");
    ccov_xform *xf = ccov_xform_create(ctx, bound, wgs, NULL, false, "test");
    check(xf != NULL && !ccov_xform_is_ballpark(xf), "BoundCRS -> WGS 84 uses its datum shift");
    double x = 341500, y = 2046500;
    if (xf && ccov_xform_points(xf, &x, 1, &y, 1, 1) == 0) {
        check_abs(x, 103.4985074, 1e-7, "BoundCRS -> WGS 84 longitude vs cs2cs");
        check_abs(y, 18.5027768, 1e-7, "BoundCRS -> WGS 84 latitude vs cs2cs");
    }
    ccov_xform_free(xf);
done:
    ccov_crs_free(bound);
    ccov_crs_free(bound_ll);
    ccov_crs_free(wgs);
}

/* The shortest longitude interval holding given intervals (hand worked: the span is the circle
   less its widest gap). */
static void span_check(const double (*iv)[2], size_t n, double from, double to, const char *what) {
    double span[2] = {0, 0};
    check(ccov_crs_lon_span(iv, n, span), what);
    check_abs(span[0], from, 1e-12, what);
    check_abs(span[1], to, 1e-12, what);
}

static void test_lon_span(void) {
    const double cut[2][2] = {{179.5, 180}, {-180, -179.5}};
    span_check(cut, 2, 179.5, 180.5, "parts either side of 180 make 179.5..180.5");
    const double apart[2][2] = {{100, 110}, {-60, -50}};
    span_check(apart, 2, -60, 110, "gap of 190 degrees left out, 150 kept");
    const double past[1][2] = {{350, 355}};
    span_check(past, 1, -10, -5, "350..355 is -10..-5");
    const double whole[2][2] = {{-180, 0}, {-10, 180}};
    span_check(whole, 2, -180, 180, "intervals all around");
}

int main(void) {
    test_area_planimeter();
    test_area_ring_forms();
    test_lon_span();
    ccov_ctx *ctx = ccov_ctx_create();
    check(ctx != NULL, "context");
    if (ctx) {
        test_crs_objects(ctx);
        test_lao1997_to_wgs84(ctx, NEAR_POINT, "Lao 1997 -> WGS 84 over the test point");
        test_lao1997_to_wgs84(ctx, NULL, "Lao 1997 -> WGS 84 with no area of interest");
        test_lao1997_to_utm(ctx);
        test_indian1960_ballpark(ctx);
        test_bound_crs(ctx);
    }
    ccov_ctx_free(ctx);
    ccov_xform_free(NULL);
    printf("test_crs: %d checks, %d failures\n", checks, failures);
    return failures ? 1 : 0;
}
