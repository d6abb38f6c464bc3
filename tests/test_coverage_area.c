/* Coverage core, measuring: planar hectares against hand algebra, geodesic hectares against
 * GeographicLib's Planimeter (geographiclib-tools 2.1.2).
 *
 * Planar: sources and frame in EPSG:32648 (metres), --area planar; the region "Odd" is the
 * rectangle 450000.5..451234.25 E by 2050000.75..2050999.5 N, 1233.75 m x 998.75 m =
 * 1232207.8125 m2 = 123.22078125 ha; each shape's area is worked out in its comment. Tolerance
 * 1e-9 ha: the figures are sums of a few exact products of quarter metres.
 *
 * Geodesic: sources in EPSG:4326 (longitude, latitude), default frame. The cleared polygons' edges
 * are shorter than 0.005 degrees, so the pipeline does not densify them (CCOV_CLEARED_STEP_M =
 * 500 m) and measures the geodesic polygon through their vertices: exactly what Planimeter
 * measures. The regions' edges are densified (every 100 m) along the meridians and parallels of
 * the source, so a region is the lon/lat rectangle, whose edges are rhumb lines: Planimeter -R.
 * Each chord between densified points on a parallel leaves a sliver of about (2/3) L s, with
 * L = 110 m and sagitta s = L^2 tan(lat) / (8 R) = 5e-5 m, i.e. 3.5e-3 m2, and the slivers of
 * the north and south edges nearly cancel (they differ by tan(11.7) - tan(11.4), 3%): about
 * 0.02 m2 on 7e8 m2, far below the tolerance. Tolerance 1e-9 relative (Planimeter prints the
 * area to 1e-5 m2, 1e-10 relative for these polygons or better; 4e-10 for the 1.2 ha one). */
#include "check.h"
#include "coverage_fixture.h"

#define TOL 1e-9
#define REL 1e-9
#define UTM "EPSG:32648"
#define COUNT(a) (sizeof(a) / sizeof(a)[0])

/* ---- planar ---- */

#define ODD_HA 123.22078125
static const cfx_feature ODD[] = {{"Odd", CFX_RECT(450000.5, 2050000.75, 451234.25, 2050999.5)}};

/* Each shape with the hectares inside Odd and outside it. */
static const struct {
    cfx_feature f;
    double in, out;
} SHAPES[] = {
    /* right triangle, legs 300 m and 200 m: 300 x 200 / 2 = 30000 m2 */
    {{"triangle", "POLYGON((450100 2050100,450400 2050100,450100 2050300,450100 2050100))"}, 3, 0},
    /* 400 m x 300 m with a 100 m x 50 m hole: 120000 - 5000 = 115000 m2 */
    {{"holed", "POLYGON((450500 2050100,450900 2050100,450900 2050400,450500 2050400,"
               "450500 2050100),(450600 2050200,450600 2050250,450700 2050250,450700 2050200,"
               "450600 2050200))"},
     11.5,
     0},
    /* two parts: 100 m square + 50 m square = 10000 + 2500 m2 */
    {{"multi", "MULTIPOLYGON(((450100 2050500,450200 2050500,450200 2050600,450100 2050600,"
               "450100 2050500)),((450300 2050500,450350 2050500,450350 2050550,450300 2050550,"
               "450300 2050500)))"},
     1.25,
     0},
    /* L: 200 m square less a 100 m square corner = 40000 - 10000 m2 */
    {{"L", "POLYGON((450500 2050500,450700 2050500,450700 2050600,450600 2050600,450600 2050700,"
           "450500 2050700,450500 2050500))"},
     3,
     0},
    /* 123.25 m x 45.5 m = 5607.875 m2 */
    {{"fraction", CFX_RECT(450800.25, 2050500.5, 450923.5, 2050546)}, 0.5607875, 0},
    /* across Odd's east edge x = 451234.25: 34.25 m x 100 m in, 65.75 m x 100 m out */
    {{"edge", CFX_RECT(451200, 2050800, 451300, 2050900)}, 0.3425, 0.6575},
};

static void check_planar(const cfx_feature *c, size_t n, double in, double out) {
    cfx_sources s = {UTM, ODD, 1, c, n};
    ccov_result *res = cfx_run(&s, cfx_planar(UTM));
    const ccov_region_result *r = cfx_region(res, "Odd");
    CHECK(res && r);
    if (r) {
        CHECK_NEAR(r->region_ha, ODD_HA, TOL);
        CHECK_NEAR(r->net_ha, in, TOL);
        CHECK_NEAR(r->gross_ha, in, TOL);
        CHECK_NEAR(r->percent_cleared, 100 * in / ODD_HA, TOL);
        CHECK(r->tasks == (long long)n);
    }
    if (res)
        CHECK_NEAR(res->outside_ha, out, TOL);
    ccov_result_free(res);
}

static void test_planar(void) {
    cfx_feature all[COUNT(SHAPES)];
    double in = 0, out = 0;
    for (size_t i = 0; i < COUNT(SHAPES); i++) {
        int before = failures;
        check_planar(&SHAPES[i].f, 1, SHAPES[i].in, SHAPES[i].out);
        if (failures > before)
            fprintf(stderr, "  in shape: %s\n", SHAPES[i].f.name);
        all[i] = SHAPES[i].f;
        in += SHAPES[i].in;
        out += SHAPES[i].out;
    }
    /* together: 3 + 11.5 + 1.25 + 3 + 0.5607875 + 0.3425 = 19.6532875 ha in, 0.6575 out */
    CHECK_NEAR(in, 19.6532875, TOL);
    check_planar(all, COUNT(all), in, out);
}

/* ---- geodesic ---- */

/* Planimeter's figures, m2, for the vertices in its input (latitude longitude, one a line):
     printf '11.4 104.8\n11.4 105.0\n11.7 105.0\n11.7 104.8\n' | Planimeter -R -p 12
       4 110003.1140214753 723976791.89819
     printf '11.55 104.90\n11.55 104.904\n11.554 104.904\n11.554 104.90\n' | Planimeter -p 12
       4 1757.5839479757 193059.35152
     printf '11.56 104.91\n11.561 104.914\n11.5645 104.9135\n11.5638 104.9102\n' | Planimeter -p 12
       4 1630.1945376992 162284.67634
     printf '11.551 104.901\n11.551 104.902\n11.552 104.902\n11.552 104.901\n' | Planimeter -p 12
       4 439.3963661310 12066.23044
     printf -- '-34.0 18.4\n-34.0 18.5\n-33.9 18.5\n-33.9 18.4\n' | Planimeter -R -p 12
       4 40672.0655382173 102534563.25105
     printf -- '-33.95 18.45\n-33.95 18.454\n-33.946 18.454\n-33.946 18.45\n' | Planimeter -p 12
       4 1626.8999116262 164059.10622
   Two squares on the same meridians, the second 0.002 degrees further north, and their overlap
   (whose every edge is an edge of one of them):
     printf '11.57 104.92\n11.57 104.924\n11.574 104.924\n11.574 104.92\n' | Planimeter -p 12
       4 1757.5232529742 193045.91973
     printf '11.572 104.92\n11.572 104.924\n11.576 104.924\n11.576 104.92\n' | Planimeter -p 12
       4 1757.5171777693 193044.57529
     printf '11.572 104.92\n11.572 104.924\n11.574 104.924\n11.574 104.92\n' | Planimeter -p 12
       4 1315.0443015528 96522.62378 */
#define PENH_HA 72397.679189819
#define SQUARE_HA 19.305935152
#define QUAD_HA 16.228467634
#define INNER_HA 1.206623044
#define CAPE_HA 10253.456325105
#define CAPE_SQUARE_HA 16.405910622
#define LOW_HA 19.304591973
#define HIGH_HA 19.304457529
#define BOTH_HA 9.652262378

static const cfx_feature PENH[] = {{"Penh", CFX_RECT(104.8, 11.4, 105.0, 11.7)}};
static const cfx_feature SQUARE = {"square", CFX_RECT(104.90, 11.55, 104.904, 11.554)};
static const cfx_feature QUAD = {
    "quad", "POLYGON((104.91 11.56,104.914 11.561,104.9135 11.5645,104.9102 11.5638,"
            "104.91 11.56))"};
static const cfx_feature INNER = {"inner", CFX_RECT(104.901, 11.551, 104.902, 11.552)};

static void check_geodesic(const cfx_feature *regions, const cfx_feature *c, size_t n,
                           double region_ha, double net, double gross) {
    cfx_sources s = {"EPSG:4326", regions, 1, c, n};
    ccov_result *res = cfx_run(&s, cfx_geodesic());
    const ccov_region_result *r = cfx_region(res, regions[0].name);
    CHECK(res && r);
    if (r) {
        CHECK_REL(r->region_ha, region_ha, REL);
        CHECK_REL(r->net_ha, net, REL);
        CHECK_REL(r->gross_ha, gross, REL);
        CHECK_REL(r->overlap_ha, gross - net, 1e-8); /* a difference: 1e-9 of gross and net */
        CHECK(r->tasks == (long long)n);
    }
    if (res)
        CHECK_NEAR(res->outside_ha, 0, 0);
    ccov_result_free(res);
}

static void test_geodesic(void) {
    check_geodesic(PENH, &SQUARE, 1, PENH_HA, SQUARE_HA, SQUARE_HA);
    check_geodesic(PENH, &QUAD, 1, PENH_HA, QUAD_HA, QUAD_HA);
    /* the square with a square nested in it, and the quadrilateral twice */
    const cfx_feature c[] = {SQUARE, QUAD, INNER, QUAD};
    check_geodesic(PENH, c, COUNT(c), PENH_HA, SQUARE_HA + QUAD_HA,
                   SQUARE_HA + 2 * QUAD_HA + INNER_HA);
    /* overlapping squares: net by inclusion-exclusion, low + high - both */
    static const cfx_feature pair[] = {{"low", CFX_RECT(104.92, 11.57, 104.924, 11.574)},
                                       {"high", CFX_RECT(104.92, 11.572, 104.924, 11.576)}};
    check_geodesic(PENH, pair, COUNT(pair), PENH_HA, LOW_HA + HIGH_HA - BOTH_HA, LOW_HA + HIGH_HA);
    /* southern hemisphere */
    static const cfx_feature cape[] = {{"Cape", CFX_RECT(18.4, -34.0, 18.5, -33.9)}};
    static const cfx_feature cape_square = {"square", CFX_RECT(18.45, -33.95, 18.454, -33.946)};
    check_geodesic(cape, &cape_square, 1, CAPE_HA, CAPE_SQUARE_HA, CAPE_SQUARE_HA);
}

int main(void) {
    test_planar();
    test_geodesic();
    return check_summary("test_coverage_area");
}
