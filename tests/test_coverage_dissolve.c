/* Coverage core, dissolving: nested, duplicate, chained and touching cleared polygons are counted
 * once in net_ha and each in full in gross_ha.
 *
 * Planar area in EPSG:32648 (UTM 48N, metres), so every expected figure is rectangle algebra
 * worked out in the comments: 100 m x 100 m = 1 ha. The one region, Alpha, is the square
 * 450000..452000 E by 2050000..2052000 N (2 km x 2 km = 400 ha) and holds every polygon, so
 * nothing is clipped or outside. Tolerance 1e-9 ha (figures below 100 ha made of whole metres). */
#include "check.h"
#include "coverage_fixture.h"

#include <stdlib.h>

#define TOL 1e-9
#define UTM "EPSG:32648"
#define COUNT(a) (sizeof(a) / sizeof(a)[0])

static const cfx_feature ALPHA[] = {{"Alpha", CFX_RECT(450000, 2050000, 452000, 2052000)}};

typedef struct {
    double net, gross;
    long long tasks;
} want;

/* Run the cleared polygons against Alpha and check Alpha's figures and the totals. */
static void check_case(const char *what, const cfx_feature *cleared, size_t n, want w) {
    int before = failures;
    cfx_sources s = {UTM, ALPHA, 1, cleared, n};
    ccov_result *res = cfx_run(&s, cfx_planar(UTM));
    const ccov_region_result *a = cfx_region(res, "Alpha");
    CHECK(res && a);
    if (a) {
        CHECK_NEAR(a->region_ha, 400, TOL);
        CHECK_NEAR(a->net_ha, w.net, TOL);
        CHECK_NEAR(a->gross_ha, w.gross, TOL);
        CHECK_NEAR(a->overlap_ha, w.gross - w.net, TOL);
        CHECK(a->tasks == w.tasks);
        CHECK_NEAR(a->percent_cleared, w.net / 4, TOL);
    }
    if (res) {
        CHECK_NEAR(res->net_ha, w.net, TOL);
        CHECK_NEAR(res->gross_ha, w.gross, TOL);
        CHECK_NEAR(res->overlap_ha, w.gross - w.net, TOL);
        CHECK_NEAR(res->outside_ha, 0, TOL);
        CHECK(res->tasks == w.tasks);
        CHECK(res->nexcluded == 0);
    }
    if (failures > before)
        fprintf(stderr, "  in case: %s\n", what);
    ccov_result_free(res);
}

/* Nested three deep: 300 m square (9 ha) > 100 m square (1 ha) > 30 m square (0.09 ha).
   Net is the outer square; gross 9 + 1 + 0.09. */
static void test_nested(void) {
    static const cfx_feature c[] = {
        {"outer", CFX_RECT(450200, 2050200, 450500, 2050500)},
        {"inner", CFX_RECT(450250, 2050250, 450350, 2050350)},
        {"innermost", CFX_RECT(450270, 2050270, 450300, 2050300)},
    };
    check_case("nested", c, COUNT(c), (want){9, 10.09, 3});
}

/* A 300 m square with a 100 m hole (9 - 1 = 8 ha) and a plug that fills the hole exactly
   (1 ha): they touch along the hole's ring only, so net = 9 = gross, no overlap. */
static void test_hole_filled(void) {
    static const cfx_feature c[] = {
        {"donut", "POLYGON((450600 2050600,450900 2050600,450900 2050900,450600 2050900,"
                  "450600 2050600),(450700 2050700,450700 2050800,450800 2050800,450800 2050700,"
                  "450700 2050700))"},
        {"plug", CFX_RECT(450700, 2050700, 450800, 2050800)},
    };
    check_case("hole filled by a plug", c, COUNT(c), (want){9, 9, 2});
}

/* Three copies of one 300 m square (9 ha), the third written clockwise from another corner:
   net 9, gross 27, overlap 18. */
static void test_duplicates(void) {
    static const cfx_feature c[] = {
        {"a", CFX_RECT(450200, 2050200, 450500, 2050500)},
        {"b", CFX_RECT(450200, 2050200, 450500, 2050500)},
        {"c", "POLYGON((450500 2050500,450500 2050200,450200 2050200,450200 2050500,"
              "450500 2050500))"},
    };
    check_case("exact duplicates", c, COUNT(c), (want){9, 27, 3});
}

/* Two squares that share an edge (1 ha each): touching is not overlapping. */
static void test_touching(void) {
    static const cfx_feature c[] = {
        {"west", CFX_RECT(450000, 2051000, 450100, 2051100)},
        {"east", CFX_RECT(450100, 2051000, 450200, 2051100)},
    };
    check_case("touching", c, COUNT(c), (want){2, 2, 2});
}

/* A staircase chain: rectangle i (i = 0..n-1) is x 450100 + 100 i .. 450400 + 100 i,
   y 2050100 + 50 i .. 2050300 + 50 i, 300 m x 200 m = 6 ha. By inclusion-exclusion:
     pairs i, i+1: 200 m x 150 m = 3 ha (n - 1 of them); pairs i, i+2: 100 m x 100 m = 1 ha
     (n - 2); pairs further apart are disjoint; triples i, i+1, i+2: 100 m x 100 m = 1 ha
     (n - 2); every other triple and every larger set is empty. So
     net = 6n - 3(n - 1) - (n - 2) + (n - 2) = 3n + 3 ha, gross = 6n ha. */
static void chain_case(int n) {
    char(*text)[160] = calloc((size_t)n, sizeof *text);
    cfx_feature *c = calloc((size_t)n, sizeof *c);
    CHECK(text && c);
    for (int i = 0; text && c && i < n; i++) {
        snprintf(text[i], sizeof text[i], "POLYGON((%d %d,%d %d,%d %d,%d %d,%d %d))",
                 450100 + 100 * i, 2050100 + 50 * i, 450400 + 100 * i, 2050100 + 50 * i,
                 450400 + 100 * i, 2050300 + 50 * i, 450100 + 100 * i, 2050300 + 50 * i,
                 450100 + 100 * i, 2050100 + 50 * i);
        c[i] = (cfx_feature){NULL, text[i]};
    }
    char what[64];
    snprintf(what, sizeof what, "chain of %d", n);
    if (text && c)
        check_case(what, c, (size_t)n, (want){3.0 * n + 3, 6.0 * n, n});
    free(c);
    free(text);
}

/* Two separate groups: the nested trio (9 ha net, 10.09 gross) and the duplicates moved 1 km
   north (9 ha net, 27 gross): the figures add up. */
static void test_two_groups(void) {
    static const cfx_feature c[] = {
        {"outer", CFX_RECT(450200, 2050200, 450500, 2050500)},
        {"dup1", CFX_RECT(450200, 2051200, 450500, 2051500)},
        {"inner", CFX_RECT(450250, 2050250, 450350, 2050350)},
        {"dup2", CFX_RECT(450200, 2051200, 450500, 2051500)},
        {"innermost", CFX_RECT(450270, 2050270, 450300, 2050300)},
        {"dup3", CFX_RECT(450200, 2051200, 450500, 2051500)},
    };
    check_case("two groups", c, COUNT(c), (want){18, 37.09, 6});
}

int main(void) {
    test_nested();
    test_hole_filled();
    test_duplicates();
    test_touching();
    chain_case(5);
    chain_case(15);
    test_two_groups();
    return check_summary("test_coverage_dissolve");
}
