/* Coverage core, clipping: cleared polygons across the border of two regions are split between
 * them (the parts add up to the whole), the part outside every region goes to outside_ha, and a
 * feature counts as a task in each region where it has area.
 *
 * Planar area in EPSG:32648 (metres; 100 m x 100 m = 1 ha); the regions share the border
 * x = 452000:
 *   Alpha  450000..452000 E by 2050000..2052000 N   2 km x 2 km = 400 ha
 *   Beta   452000..454000 E by 2050000..2052000 N   400 ha
 *   Gamma  460000..461000 E by 2050000..2051000 N   100 ha, far from every polygon
 * Every expected figure is rectangle algebra in the comments; tolerance 1e-9 ha. */
#include "check.h"
#include "coverage_fixture.h"

#include <string.h>

#define TOL 1e-9
#define UTM "EPSG:32648"
#define COUNT(a) (sizeof(a) / sizeof(a)[0])

static const cfx_feature REGIONS[] = {
    {"Alpha", CFX_RECT(450000, 2050000, 452000, 2052000)},
    {"Beta", CFX_RECT(452000, 2050000, 454000, 2052000)},
    {"Gamma", CFX_RECT(460000, 2050000, 461000, 2051000)},
};

typedef struct {
    double net, gross;
    long long tasks;
} want;

static void check_region(const ccov_result *res, const char *name, double region_ha, want w) {
    const ccov_region_result *r = cfx_region(res, name);
    CHECK(r != NULL);
    if (!r)
        return;
    CHECK_NEAR(r->region_ha, region_ha, TOL);
    CHECK_NEAR(r->net_ha, w.net, TOL);
    CHECK_NEAR(r->gross_ha, w.gross, TOL);
    CHECK_NEAR(r->overlap_ha, w.gross - w.net, TOL);
    CHECK(r->tasks == w.tasks);
    CHECK_NEAR(r->percent_cleared, 100 * w.net / region_ha, TOL);
}

static void check_totals(const ccov_result *res, want w, double outside) {
    CHECK(res != NULL);
    if (!res)
        return;
    CHECK(res->nregions == COUNT(REGIONS));
    CHECK_NEAR(res->net_ha, w.net, TOL);
    CHECK_NEAR(res->gross_ha, w.gross, TOL);
    CHECK_NEAR(res->overlap_ha, w.gross - w.net, TOL);
    CHECK_NEAR(res->outside_ha, outside, TOL);
    CHECK(res->tasks == w.tasks);
}

static ccov_result *run(const cfx_feature *cleared, size_t n) {
    cfx_sources s = {UTM, REGIONS, COUNT(REGIONS), cleared, n};
    return cfx_run(&s, cfx_planar(UTM));
}

/* One polygon x 451800..452300 by 2051000..2051200 (500 m x 200 m = 10 ha) across the border:
   200 m x 200 m = 4 ha in Alpha, 300 m x 200 m = 6 ha in Beta; a task in both, once in all. */
static void test_border(void) {
    static const cfx_feature c[] = {{"C", CFX_RECT(451800, 2051000, 452300, 2051200)}};
    ccov_result *res = run(c, COUNT(c));
    check_region(res, "Alpha", 400, (want){4, 4, 1});
    check_region(res, "Beta", 400, (want){6, 6, 1});
    check_region(res, "Gamma", 100, (want){0, 0, 0});
    check_totals(res, (want){10, 10, 1}, 0);
    ccov_result_free(res);
}

/* Across Beta's south edge: x 452500..452700 by 2049900..2050100 (4 ha), 2 ha in, 2 ha out. A
   polygon outside every region, x 455000..455200 by 2050500..2050700 (4 ha): all outside, no
   task. */
static void test_outside(void) {
    static const cfx_feature c[] = {
        {"S", CFX_RECT(452500, 2049900, 452700, 2050100)},
        {"F", CFX_RECT(455000, 2050500, 455200, 2050700)},
    };
    ccov_result *res = run(c, COUNT(c));
    check_region(res, "Alpha", 400, (want){0, 0, 0});
    check_region(res, "Beta", 400, (want){2, 2, 1});
    check_totals(res, (want){2, 2, 1}, 6);
    CHECK(res && res->tasks == 1 && res->task_fids[0] == 1);
    ccov_result_free(res);
}

/* Everything at once (feature ids 1..7 in this order):
     1 C   the 10 ha polygon of test_border: Alpha 4, Beta 6
     2 S   across Beta's south edge: Beta 2, outside 2
     3 F   outside every region: outside 4
     4 A   x 451900..452100 by 2051500..2051700 (4 ha): Alpha 100 x 200 = 2, Beta 2
     5 B   x 451950..452150 by 2051600..2051800 (4 ha): Alpha 50 x 200 = 1, Beta 150 x 200 = 3
           A n B = x 451950..452100 by 2051600..2051700: in Alpha 50 x 100 = 0.5 ha, in Beta
           100 x 100 = 1 ha
     6 D1  x 449900..450100 by 2051000..2051100 (2 ha) across Alpha's west edge: Alpha 1, out 1
     7 D2  exactly D1: Alpha gross 1 more; its outside half is the same ground, counted once
   Alpha: net 4 + (2 + 1 - 0.5) + 1 = 7.5; gross 4 + 2 + 1 + 1 + 1 = 9; tasks C A B D1 D2 = 5.
   Beta: net 6 + 2 + (2 + 3 - 1) = 12; gross 6 + 2 + 2 + 3 = 13; tasks C S A B = 4.
   Outside (dissolved): 2 + 4 + 1 = 7. Tasks in all: 6 distinct features, every one but F. */
static void test_together(void) {
    static const cfx_feature c[] = {
        {"C", CFX_RECT(451800, 2051000, 452300, 2051200)},
        {"S", CFX_RECT(452500, 2049900, 452700, 2050100)},
        {"F", CFX_RECT(455000, 2050500, 455200, 2050700)},
        {"A", CFX_RECT(451900, 2051500, 452100, 2051700)},
        {"B", CFX_RECT(451950, 2051600, 452150, 2051800)},
        {"D1", CFX_RECT(449900, 2051000, 450100, 2051100)},
        {"D2", CFX_RECT(449900, 2051000, 450100, 2051100)},
    };
    static const long long fids[] = {1, 2, 4, 5, 6, 7};
    ccov_result *res = run(c, COUNT(c));
    check_region(res, "Alpha", 400, (want){7.5, 9, 5});
    check_region(res, "Beta", 400, (want){12, 13, 4});
    check_region(res, "Gamma", 100, (want){0, 0, 0});
    check_totals(res, (want){19.5, 22, 6}, 7);
    CHECK(res && res->tasks == COUNT(fids) && memcmp(res->task_fids, fids, sizeof fids) == 0);
    ccov_result_free(res);
}

int main(void) {
    test_border();
    test_outside();
    test_together();
    return check_summary("test_coverage_clip");
}
