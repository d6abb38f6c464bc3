/* --districts: province -> district rows through the public pipeline.

   1. A hand-made case, planar in UTM 48N so that every figure is hand algebra (1 ha = 10,000 m²;
      coordinates are metres from (500000, 2000000)):
        P1 = [0,2000]x[0,2000], P2 = [2000,4000]x[0,2000] (400 ha each);
        D1 = [0,2000]x[0,1000] (in P1), D2 = [0,2200]x[1000,2000] (220 ha: 200 in P1, 20 in P2,
        so it is P1's, with 20 ha outside it), D3 = [2200,4000]x[0,2000] (P2's, 360 ha),
        D4 = [5000,6000]x[0,1000] (outside both: not reported).
        P1 is covered by D1 and D2: no rest row. P2's rest (no district of its own) is
        [2000,2200]x[0,2000] = 40 ha, which holds D2's outside part.
      Cleared: C1 = [1900,2100]x[900,1100] (4 ha, across both borders), C3 = [1950,2050]x
      [950,1050] (1 ha inside C1), C2 = [3000,3100]x[500,600] (1 ha in D3), C4 = [5000,5100]x
      [0,100] (1 ha outside both provinces).
   2. The shared geoBoundaries ADM1 and ADM2 files (../shared/data, beside the repository), with
      synthetic cleared polygons: each province's district rows add up to its figures (1e-9
      relative), and its figures equal those of the run without --districts (1e-9 relative).
      Skipped, and counted as skipped, when the files are absent. */
#include "check.h"
#include "clearcov/synth.h"
#include "coverage_fixture.h"

#include <stdlib.h>
#include <string.h>
#include <unistd.h>

#define R(x0, y0, x1, y1)                                                                          \
    CFX_RECT(5##x0, 20##y0, 5##x1, 20##y1) /* metres from (500000, 2000000), 4 digits each */

static const cfx_feature PROVINCES[] = {{"P1", R(00000, 00000, 02000, 02000)},
                                        {"P2", R(02000, 00000, 04000, 02000)}};
static const cfx_feature DISTRICTS[] = {{"D1", R(00000, 00000, 02000, 01000)},
                                        {"D2", R(00000, 01000, 02200, 02000)},
                                        {"D3", R(02200, 00000, 04000, 02000)},
                                        {"D4", R(05000, 00000, 06000, 01000)}};
static const cfx_feature CLEARED[] = {{"C1", R(01900, 00900, 02100, 01100)},
                                      {"C2", R(03000, 00500, 03100, 00600)},
                                      {"C3", R(01950, 00950, 02050, 01050)},
                                      {"C4", R(05000, 00000, 05100, 00100)}};

static const ccov_district_result *district(const ccov_result *res, const char *name) {
    for (size_t i = 0; i < res->ndistricts; i++)
        if (strcmp(res->districts[i].fig.name, name) == 0)
            return &res->districts[i];
    fprintf(stderr, "no district row '%s'\n", name);
    failures++;
    return NULL;
}

/* Row: region ha, net, gross, tasks, district ha, outside ha, outside net, outside gross. */
static void check_row(const ccov_result *res, const char *name, size_t province,
                      const double want[8]) {
    const ccov_district_result *d = district(res, name);
    if (!d)
        return;
    CHECK(d->province == province);
    CHECK_NEAR(d->fig.region_ha, want[0], 1e-9);
    CHECK_NEAR(d->fig.net_ha, want[1], 1e-9);
    CHECK_NEAR(d->fig.gross_ha, want[2], 1e-9);
    CHECK_NEAR(d->fig.overlap_ha, want[2] - want[1], 1e-9);
    CHECK(d->fig.tasks == (long long)want[3]);
    CHECK_NEAR(d->district_ha, want[4], 1e-9);
    CHECK_NEAR(d->outside_province_ha, want[5], 1e-9);
    CHECK_NEAR(d->outside_province_net_ha, want[6], 1e-9);
    CHECK_NEAR(d->outside_province_gross_ha, want[7], 1e-9);
}

static void hand_case(void) {
    cfx_dir dd = {0}, rd = {0};
    cfx_sources ds = {"EPSG:32648", DISTRICTS, 4, CLEARED, 4};
    cfx_sources rs = {"EPSG:32648", PROVINCES, 2, CLEARED, 4};
    if (!cfx_write(&dd, &ds) || !cfx_write(&rd, &rs)) {
        failures++;
        cfx_remove(&dd);
        return;
    }
    ccov_options o = cfx_planar("EPSG:32648");
    o.districts_src = dd.regions;
    ccov_result *res = cfx_run_in(&rd, o);
    CHECK(res != NULL);
    if (res) {
        CHECK(res->nregions == 2 && res->ndistricts == 4);
        const ccov_region_result *p1 = cfx_region(res, "P1"), *p2 = cfx_region(res, "P2");
        CHECK(p1 && p2);
        /* P1: C1's and C3's western halves; P2: their eastern halves and C2. */
        if (p1 && p2) {
            CHECK_NEAR(p1->region_ha, 400, 1e-9);
            CHECK_NEAR(p1->net_ha, 2, 1e-9);
            CHECK_NEAR(p1->gross_ha, 2.5, 1e-9);
            CHECK(p1->tasks == 2);
            CHECK_NEAR(p2->region_ha, 400, 1e-9);
            CHECK_NEAR(p2->net_ha, 3, 1e-9);
            CHECK_NEAR(p2->gross_ha, 3.5, 1e-9);
            CHECK(p2->tasks == 3);
        }
        check_row(res, "D1", 0, (const double[8]){200, 1, 1.25, 2, 200, 0, 0, 0});
        check_row(res, "D2", 0, (const double[8]){200, 1, 1.25, 2, 220, 20, 1, 1.25});
        check_row(res, "D3", 1, (const double[8]){360, 1, 1, 1, 360, 0, 0, 0});
        check_row(res, "(not in any district)", 1, (const double[8]){40, 2, 2.5, 2, 0, 0, 0, 0});
        const ccov_district_result *rest = district(res, "(not in any district)");
        CHECK(rest && rest->rest && rest->fig.fid == -1);
        CHECK_NEAR(res->net_ha, 5, 1e-9);
        CHECK_NEAR(res->gross_ha, 6, 1e-9);
        CHECK_NEAR(res->outside_ha, 1, 1e-9);
        CHECK(res->tasks == 3);
    }
    ccov_result_free(res);
    cfx_remove(&dd);
    cfx_remove(&rd);
}

/* ---- --group-by with --districts (issue 13) ----

   The hand case's shapes, the records' one attribute a date: C1, C2, C4 of 2019 (status
   "cleared"), C3 of 2020 ("reduced"); grouped by year, categories from the same field. C1 and C3
   straddle D1 and D2, both P1's: one task each in P1, though one in each district as well.
   P1: 2019: C1's west half, 2 ha (1 in D1, 1 in D2), 1 task; 2020: C3's west half, 0.5 ha
   (0.25 + 0.25), 1 task; cumulative 2020: the union, 2 ha. Groups' nets 2.5 - P1's net 2 = 0.5
   counted in both. P2: 2019: C1's east half (2 ha, the rest) and C2 (1 ha, D3): 3 ha, 2 tasks;
   2020: C3's east half, 0.5 ha in the rest; cumulative 3 ha. */
static const cfx_feature DATED[] = {{"2019-03-01", R(01900, 00900, 02100, 01100)},
                                    {"2019-05-01", R(03000, 00500, 03100, 00600)},
                                    {"2020-02-01", R(01950, 00950, 02050, 01050)},
                                    {"2019-07-01", R(05000, 00000, 05100, 00100)}};

static const ccov_group *group_of_year(const ccov_result *res, const char *year) {
    for (size_t g = 0; g < res->ngroups; g++)
        if (strcmp(res->groups[g].values[0], year) == 0)
            return &res->groups[g];
    fprintf(stderr, "no group '%s'\n", year);
    failures++;
    return NULL;
}

static void figures_add(ccov_figures *sum, const ccov_figures *f) {
    sum->net_ha += f->net_ha;
    sum->gross_ha += f->gross_ha;
    sum->overlap_ha += f->overlap_ha;
}

static void check_figures(const ccov_figures *got, const ccov_figures *want, double tol) {
    CHECK_NEAR(got->net_ha, want->net_ha, tol);
    CHECK_NEAR(got->gross_ha, want->gross_ha, tol);
    CHECK_NEAR(got->overlap_ha, want->overlap_ha, tol);
}

/* Group g's district rows of province p add up to its province row (net, gross, overlap,
   cumulative, each category); the district rows' tasks are at least the province's. Tolerance:
   1e-9 relative to the province's gross hectares, the scale of the cut at the district borders
   (as for the province rows above: a group's own few hectares carry the rounding of that cut). */
static void check_group_sums(const ccov_result *res, const ccov_group *g, size_t p) {
    ccov_figures sum = {0}, cats[CCOV_NCATEGORIES] = {{0}};
    double cumulative = 0, tol = 1e-9 * fmax(1, res->regions[p].gross_ha);
    long long tasks = 0;
    for (size_t d = 0; d < res->ndistricts; d++) {
        if (res->districts[d].province != p)
            continue;
        figures_add(&sum, &g->districts[d]);
        tasks += g->districts[d].tasks;
        for (int c = 0; g->district_categories && c < CCOV_NCATEGORIES; c++)
            figures_add(&cats[c], &g->district_categories[d][c]);
        if (g->district_cumulative_ha)
            cumulative += g->district_cumulative_ha[d];
    }
    check_figures(&sum, &g->regions[p], tol);
    CHECK(tasks >= g->regions[p].tasks);
    for (int c = 0; g->categories && c < CCOV_NCATEGORIES; c++)
        check_figures(&cats[c], &g->categories[p][c], tol);
    if (g->cumulative_ha)
        CHECK_NEAR(cumulative, g->cumulative_ha[p], tol);
}

/* The province group rows equal the groups of the run without --districts. */
static void check_same_groups(const ccov_result *res, const ccov_result *plain) {
    CHECK(res->ngroups == plain->ngroups && res->nregions == plain->nregions);
    for (size_t g = 0; g < res->ngroups && g < plain->ngroups; g++) {
        const ccov_group *x = &res->groups[g], *y = &plain->groups[g];
        for (size_t k = 0; k < res->ngroup_fields; k++)
            CHECK(strcmp(x->values[k], y->values[k]) == 0);
        for (size_t p = 0; p < res->nregions && p < plain->nregions; p++) {
            double tol = 1e-9 * fmax(1, plain->regions[p].gross_ha);
            check_figures(&x->regions[p], &y->regions[p], tol);
            CHECK(x->regions[p].tasks == y->regions[p].tasks);
            for (int c = 0; x->categories && y->categories && c < CCOV_NCATEGORIES; c++) {
                check_figures(&x->categories[p][c], &y->categories[p][c], tol);
                CHECK(x->categories[p][c].tasks == y->categories[p][c].tasks);
            }
            if (x->cumulative_ha && y->cumulative_ha)
                CHECK_NEAR(x->cumulative_ha[p], y->cumulative_ha[p], tol);
            CHECK_NEAR(res->regions[p].group_overlap_ha, plain->regions[p].group_overlap_ha, tol);
        }
        check_group_sums(res, x, 0);
        check_group_sums(res, x, 1);
    }
}

static void check_hand_groups(const ccov_result *res) {
    const ccov_group *y19 = group_of_year(res, "2019"), *y20 = group_of_year(res, "2020");
    const ccov_region_result *p1 = cfx_region(res, "P1");
    if (!y19 || !y20 || !p1 || !y19->districts || !y19->categories || !y19->cumulative_ha) {
        failures++;
        return;
    }
    CHECK_NEAR(y19->regions[0].net_ha, 2, 1e-9);
    CHECK(y19->regions[0].tasks == 1); /* C1, in D1 and in D2 */
    CHECK_NEAR(y20->regions[0].net_ha, 0.5, 1e-9);
    CHECK(y20->regions[0].tasks == 1);
    CHECK_NEAR(y20->cumulative_ha[0], 2, 1e-9);
    CHECK_NEAR(y19->regions[1].net_ha, 3, 1e-9);
    CHECK(y19->regions[1].tasks == 2);
    CHECK_NEAR(y20->cumulative_ha[1], 3, 1e-9);
    CHECK_NEAR(p1->group_overlap_ha, 0.5, 1e-9);
    const ccov_district_result *d1 = district(res, "D1");
    size_t i1 = d1 ? (size_t)(d1 - res->districts) : 0;
    CHECK_NEAR(y19->districts[i1].net_ha, 1, 1e-9);
    CHECK(y19->districts[i1].tasks == 1);
    CHECK_NEAR(y20->districts[i1].net_ha, 0.25, 1e-9);
    CHECK_NEAR(y20->district_cumulative_ha[i1], 1, 1e-9);
    /* Categories: 2019 is cleared, 2020 reduced; P1 has one task of each, not two. */
    CHECK(p1->categories[CCOV_CATEGORY_CLEARED].tasks == 1);
    CHECK(p1->categories[CCOV_CATEGORY_REDUCED].tasks == 1);
    CHECK(d1 && d1->fig.categories[CCOV_CATEGORY_REDUCED].tasks == 1);
    CHECK(y20->categories[0][CCOV_CATEGORY_REDUCED].tasks == 1);
    CHECK_NEAR(y20->categories[0][CCOV_CATEGORY_REDUCED].gross_ha, 0.5, 1e-9);
    CHECK_NEAR(y20->categories[0][CCOV_CATEGORY_REDUCED].net_ha, 0.5, 1e-9);
    CHECK(y20->district_categories[i1][CCOV_CATEGORY_REDUCED].tasks == 1);
    CHECK(p1->tasks == 2);
}

static void hand_groups_case(void) {
    cfx_dir dd = {0}, rd = {0};
    cfx_sources ds = {"EPSG:32648", DISTRICTS, 4, DATED, 4};
    cfx_sources rs = {"EPSG:32648", PROVINCES, 2, DATED, 4};
    if (!cfx_write(&dd, &ds) || !cfx_write(&rd, &rs)) {
        failures++;
        cfx_remove(&dd);
        return;
    }
    ccov_options o = cfx_planar("EPSG:32648");
    o.group_by = "year";
    o.year_from = "task_id";
    o.status_field = "task_id";
    o.status_map = "cleared=2019-03-01,2019-05-01,2019-07-01;reduced=2020-02-01";
    ccov_result *plain = cfx_run_in(&rd, o);
    o.districts_src = dd.regions;
    ccov_result *res = cfx_run_in(&rd, o);
    CHECK(plain && res);
    if (plain && res) {
        CHECK(res->ndistricts == 4 && res->ngroups == 2);
        check_hand_groups(res);
        check_same_groups(res, plain);
    }
    ccov_result_free(plain);
    ccov_result_free(res);
    cfx_remove(&dd);
    cfx_remove(&rd);
}

/* ---- the shared geoBoundaries files ---- */

#define FIELDS_ADD(f)                                                                              \
    do {                                                                                           \
        sum.region_ha += (f).region_ha;                                                            \
        sum.net_ha += (f).net_ha;                                                                  \
        sum.gross_ha += (f).gross_ha;                                                              \
        sum.overlap_ha += (f).overlap_ha;                                                          \
    } while (0)

static void check_province(const ccov_result *res, const ccov_result *plain, size_t p) {
    ccov_region_result sum = {0};
    long long tasks = 0;
    size_t rows = 0;
    for (size_t i = 0; i < res->ndistricts; i++)
        if (res->districts[i].province == p) {
            FIELDS_ADD(res->districts[i].fig);
            tasks += res->districts[i].fig.tasks;
            rows++;
        }
    const ccov_region_result *got = &res->regions[p], *want = &plain->regions[p];
    printf("%s: %zu rows, region %.6f ha, net %.6f ha\n", got->name, rows, got->region_ha,
           got->net_ha);
    CHECK(rows > 1);
    CHECK(strcmp(got->name, want->name) == 0);
    CHECK_REL(sum.region_ha, got->region_ha, 1e-9);
    CHECK_REL(sum.net_ha, got->net_ha, 1e-9);
    CHECK_REL(sum.gross_ha, got->gross_ha, 1e-9);
    CHECK_REL(sum.overlap_ha, got->overlap_ha, 1e-9);
    CHECK(tasks >= got->tasks);
    CHECK_REL(got->region_ha, want->region_ha, 1e-9);
    CHECK_REL(got->net_ha, want->net_ha, 1e-9);
    CHECK_REL(got->gross_ha, want->gross_ha, 1e-9);
    CHECK_REL(got->overlap_ha, want->overlap_ha, 1e-9);
    CHECK(got->tasks == want->tasks);
    CHECK(got->net_ha > 10); /* the synthetic set does reach both provinces */
}

static ccov_result *run(const ccov_options *o) {
    ccov_ctx *ctx = ccov_ctx_create();
    ccov_result *res = NULL;
    ccov_status st = ctx ? ccov_coverage_run(ctx, o, &res) : CCOV_ERR_IO;
    if (st != CCOV_OK)
        fprintf(stderr, "run failed: %s\n", ctx ? ccov_ctx_error(ctx) : "no context");
    ccov_ctx_free(ctx);
    return res;
}

static bool synth(const char *adm1, const char *out) {
    ccov_ctx *ctx = ccov_ctx_create();
    ccov_synth_options so = {.count = 3000, .seed = 7, .out = out, .regions_src = adm1};
    ccov_status st = ctx ? ccov_synth_run(ctx, &so) : CCOV_ERR_IO;
    if (st != CCOV_OK)
        fprintf(stderr, "synth failed: %s\n", ctx ? ccov_ctx_error(ctx) : "no context");
    ccov_ctx_free(ctx);
    return st == CCOV_OK;
}

/* 1 when run, 0 when skipped. */
static int shared_case(void) {
    const char *adm1 = CCOV_SOURCE_DIR "/../shared/data/lao_adm1_geoboundaries.geojson";
    const char *adm2 = CCOV_SOURCE_DIR "/../shared/data/lao_adm2_geoboundaries.geojson";
    if (access(adm1, R_OK) != 0 || access(adm2, R_OK) != 0) {
        printf("SKIP shared case: %s or %s is absent (the shared reference data sit beside the "
               "repository)\n",
               adm1, adm2);
        return 0;
    }
    cfx_dir d = {0};
    cfx_sources none = {"EPSG:32648", PROVINCES, 1, CLEARED, 1};
    if (!cfx_write(&d, &none)) {
        failures++;
        return 1;
    }
    char cleared[700];
    snprintf(cleared, sizeof cleared, "%s/synth.gpkg", d.dir);
    ccov_options o = cfx_geodesic();
    o.regions_src = adm1;
    o.only = "Bolikhamxay,Xieng Khouang";
    o.cleared_src = cleared;
    ccov_result *plain = NULL, *res = NULL;
    if (synth(adm1, cleared)) {
        plain = run(&o);
        o.districts_src = adm2;
        res = run(&o);
    }
    CHECK(plain && res && res->nregions == 2 && plain->nregions == 2);
    for (size_t p = 0; plain && res && p < res->nregions && p < plain->nregions; p++)
        check_province(res, plain, p);
    if (plain && res) {
        CHECK_REL(res->net_ha, plain->net_ha, 1e-9);
        CHECK_REL(res->outside_ha, plain->outside_ha, 1e-9);
        CHECK(res->tasks == plain->tasks);
    }
    ccov_result_free(plain);
    ccov_result_free(res);
    /* --group-by with --districts: each province's group rows are its district pieces' sums and
       equal those of the run without --districts. */
    o.districts_src = NULL;
    o.group_by = "operator,year";
    o.status_field = "status";
    plain = run(&o);
    o.districts_src = adm2;
    res = run(&o);
    CHECK(plain && res && res->ngroups > 10);
    if (plain && res)
        check_same_groups(res, plain);
    ccov_result_free(plain);
    ccov_result_free(res);
    cfx_remove(&d);
    return 1;
}

int main(void) {
    hand_case();
    hand_groups_case();
    int skipped = 1 - shared_case();
    if (skipped)
        printf("test_coverage_districts: %d of 2 cases skipped\n", skipped);
    return check_summary("test_coverage_districts");
}
