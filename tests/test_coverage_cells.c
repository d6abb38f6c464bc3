/* Coverage core, the compute grid: groups of overlapping polygons that a cell edge cuts are still
 * counted once.
 *
 * src/coverage/compute.c cuts the plane into cells of about CELL_FEATURES = 512 cleared polygons:
 * with n polygons it makes n / 512 cells (integer division; 1 when that is 0 or 1), nx =
 * round(sqrt(cells * w / h)) columns and ceil(cells / nx) rows of equal size over the extent
 * (w by h) of all cleared polygons. A polygon whose box spans several cells is cut at the edges;
 * each cell dissolves its own pieces.
 *
 * So 2048..2559 polygons over a square extent make 4 cells, 2 x 2, with edges through the middle
 * of the extent. Here the fillers are 10 m squares (0.01 ha, disjoint) centred on a 40 m lattice
 * 450000..452000 E by 2050000..2052000 N, so the extent is 449995..452005 both ways and the cell
 * edges are x = 451000 and y = 2051000 (fillers on those lines are cut too). Two zones of the
 * lattice are left empty for the groups:
 *   G1  a staircase of 5 rectangles 300 m x 200 m (6 ha): rectangle i (0..4) is
 *       x 450700 + 100 i .. 451000 + 100 i by y 2050800 + 50 i .. 2051000 + 50 i; it crosses both
 *       edges. Inclusion-exclusion (as in test_coverage_dissolve): 5 x 6 - (4 x 3 + 3 x 1) + 3 x 1
 *       = 18 ha net, 30 ha gross.
 *   G2  across x = 451000: a 200 m square x 450900..451100 by 2051500..2051700 (4 ha), a 100 m
 *       square nested in it across the same edge (1 ha), and a duplicate of the 200 m square: net
 * 4, gross 9. Planar area in EPSG:32648; the region (4 km x 4 km = 1600 ha) holds everything.
 * Tolerance 1e-9 ha. */
#include "check.h"
#include "coverage_fixture.h"

#include <stdio.h>
#include <stdlib.h>
#include <string.h>

#define TOL 1e-9
#define UTM "EPSG:32648"
#define COUNT(a) (sizeof(a) / sizeof(a)[0])
#define LATTICE 51 /* centres 450000 + 40 i, i = 0..50 */

static const cfx_feature REGION[] = {{"Alpha", CFX_RECT(449000, 2049000, 453000, 2053000)}};

static const cfx_feature GROUPS[] = {
    {"G1-0", CFX_RECT(450700, 2050800, 451000, 2051000)},
    {"G1-1", CFX_RECT(450800, 2050850, 451100, 2051050)},
    {"G1-2", CFX_RECT(450900, 2050900, 451200, 2051100)},
    {"G1-3", CFX_RECT(451000, 2050950, 451300, 2051150)},
    {"G1-4", CFX_RECT(451100, 2051000, 451400, 2051200)},
    {"G2-outer", CFX_RECT(450900, 2051500, 451100, 2051700)},
    {"G2-inner", CFX_RECT(450950, 2051550, 451050, 2051650)},
    {"G2-copy", CFX_RECT(450900, 2051500, 451100, 2051700)},
};
#define GROUPS_NET 22.0   /* 18 + 4 */
#define GROUPS_GROSS 39.0 /* 30 + 9 */

/* The lattice points left empty, with room for the groups (fillers reach 5 m either side). */
static bool in_zone(int x, int y) {
    bool g1 = x >= 450600 && x <= 451500 && y >= 2050700 && y <= 2051300;
    bool g2 = x >= 450850 && x <= 451150 && y >= 2051450 && y <= 2051750;
    return g1 || g2;
}

typedef struct {
    char (*text)[128];
    cfx_feature *f;
    size_t n, fillers;
} case_data;

/* The fillers, then the groups (their WKT borrowed). */
static bool case_build(case_data *c, bool fillers) {
    size_t max = LATTICE * LATTICE + COUNT(GROUPS);
    c->text = calloc(max, sizeof *c->text);
    c->f = calloc(max, sizeof *c->f);
    c->n = c->fillers = 0;
    if (!c->text || !c->f)
        return false;
    for (int i = 0; fillers && i < LATTICE * LATTICE; i++) {
        int x = 450000 + 40 * (i % LATTICE), y = 2050000 + 40 * (i / LATTICE);
        if (in_zone(x, y))
            continue;
        snprintf(c->text[c->n], sizeof c->text[0], "POLYGON((%d %d,%d %d,%d %d,%d %d,%d %d))",
                 x - 5, y - 5, x + 5, y - 5, x + 5, y + 5, x - 5, y + 5, x - 5, y - 5);
        c->f[c->n] = (cfx_feature){NULL, c->text[c->n]};
        c->n++;
    }
    c->fillers = c->n;
    for (size_t g = 0; g < COUNT(GROUPS); g++)
        c->f[c->n++] = GROUPS[g];
    return true;
}

static void case_free(case_data *c) {
    free(c->text);
    free(c->f);
}

/* The groups with or without the fillers; `cells` is the grid the run must have made. */
static void check_groups(bool fillers, size_t cells, int threads) {
    case_data c;
    CHECK(case_build(&c, fillers));
    cfx_sources s = {UTM, REGION, 1, c.f, c.n};
    ccov_options o = cfx_planar(UTM);
    o.threads = threads;
    ccov_result *res = cfx_run(&s, o);
    const ccov_region_result *a = cfx_region(res, "Alpha");
    double filled = 0.01 * (double)c.fillers;
    CHECK(res && a);
    if (a) {
        CHECK_NEAR(a->net_ha, filled + GROUPS_NET, TOL);
        CHECK_NEAR(a->gross_ha, filled + GROUPS_GROSS, TOL);
        CHECK_NEAR(a->overlap_ha, GROUPS_GROSS - GROUPS_NET, TOL);
        CHECK(a->tasks == (long long)c.n);
    }
    if (res)
        CHECK_NEAR(res->outside_ha, 0, TOL);
    /* The test is only worth its name if the grid is the one worked out above. */
    char line[96];
    snprintf(line, sizeof line, "dissolve and clip, cell by cell: %zu items", cells);
    CHECK(strstr(cfx_log(), line) != NULL);
    if (fillers)
        CHECK(c.n >= 2048 && c.n < 2560);
    ccov_result_free(res);
    case_free(&c);
}

/* The breakdowns' overlay across the same grid: G1-3 and G1-4 started in 2020, everything else
   in 2019, all cleared (with --status-field and cumulative years the overlay is the cheaper
   way, so the run takes it). G2 is one year, cut by an edge; G1 mixes the two years in every
   cell it crosses. By the inclusion-exclusion above: G1-0..2 overlap 3 + 3 + 1 ha with 1 ha in
   all three, so their union is 18 - 7 + 1 = 12 ha; G1-3 and G1-4 overlap 3 ha: 9 ha; so 2019
   is the fillers + 12 + 4 ha net (gross fillers + 18 + 9), 2020 is 9 ha (gross 12), cumulative
   2020 is everything (fillers + 22), and 12 + 9 - 18 = 3 ha lie in both years. */
static const char *const YEAR_SQL =
    "SELECT fid, geom, 'cleared' AS status, CASE WHEN task_id IN ('G1-3', 'G1-4')"
    " THEN '2020-05-01' ELSE '2019-05-01' END AS started FROM cleared";

static const ccov_group *year_group(const ccov_result *res, const char *year) {
    for (size_t g = 0; res && g < res->ngroups; g++)
        if (strcmp(res->groups[g].values[0], year) == 0)
            return &res->groups[g];
    fprintf(stderr, "no group %s\n", year);
    return NULL;
}

static void check_years(int threads) {
    case_data c;
    CHECK(case_build(&c, true));
    cfx_sources s = {UTM, REGION, 1, c.f, c.n};
    ccov_options o = cfx_planar(UTM);
    o.threads = threads;
    o.cleared_sql = YEAR_SQL;
    o.status_field = "status";
    o.year_from = "started";
    o.group_by = "year";
    ccov_result *res = cfx_run(&s, o);
    double filled = 0.01 * (double)c.fillers;
    const ccov_group *y19 = year_group(res, "2019"), *y20 = year_group(res, "2020");
    CHECK(res && res->ngroups == 2 && y19 && y20);
    if (y19 && y20) {
        CHECK_NEAR(y19->regions[0].net_ha, filled + 16, TOL);
        CHECK_NEAR(y19->regions[0].gross_ha, filled + 27, TOL);
        CHECK_NEAR(y19->categories[0][CCOV_CATEGORY_CLEARED].net_ha, filled + 16, TOL);
        CHECK_NEAR(y19->cumulative_ha[0], filled + 16, TOL);
        CHECK_NEAR(y20->regions[0].net_ha, 9, TOL);
        CHECK_NEAR(y20->regions[0].gross_ha, 12, TOL);
        CHECK_NEAR(y20->categories[0][CCOV_CATEGORY_CLEARED].net_ha, 9, TOL);
        CHECK_NEAR(y20->cumulative_ha[0], filled + GROUPS_NET, TOL);
        CHECK_NEAR(res->regions[0].net_ha, filled + GROUPS_NET, TOL);
        CHECK_NEAR(res->regions[0].group_overlap_ha, 3, TOL);
    }
    /* only worth its name if the figures came from the overlay, over the 2 x 2 grid */
    CHECK(strstr(cfx_log(), "overlay of the records, cell by cell: 4 items") != NULL);
    ccov_result_free(res);
    case_free(&c);
}

int main(void) {
    check_groups(false, 1, 1); /* the groups alone: one cell */
    check_groups(true, 4, 1);  /* cut by the edges of a 2 x 2 grid */
    check_groups(true, 4, 2);
    check_years(1);
    check_years(2);
    return check_summary("test_coverage_cells");
}
