/* Coverage core, breakdowns: land-release categories (--status-field, --status-map), groups
 * (--group-by), years (--year-from, --years) and cumulative years.
 *
 * Planar area in EPSG:32648 (UTM 48N, metres): 100 m x 100 m = 1 ha, so every expected figure is
 * rectangle algebra worked out in the comments. The region Alpha is the 2 km square
 * 450000..452000 E by 2050000..2052000 N (400 ha). The fixture writes one text field, task_id;
 * each record's status, operator and date are packed into it at fixed places and unpacked by a
 * query (--cleared-sql, run by SQLite in the GeoPackage):
 *   characters 1-9 status, 11 operator, 13-22 date.
 * Tolerance 1e-9 ha. A second part checks the identities on the bundled sample (geodesic). */
#include "check.h"
#include "coverage_fixture.h"

#include <stdlib.h>
#include <string.h>

#define TOL 1e-9
#define UTM "EPSG:32648"
#define COUNT(a) (sizeof(a) / sizeof(a)[0])

static const cfx_feature ALPHA[] = {{"Alpha", CFX_RECT(450000, 2050000, 452000, 2052000)}};

/* A  cleared, X, 2019: 450000..450100 (1 ha)
   B  reduced, Y, 2020: 450050..450150 (1 ha; half of it on A)
   C  cancelled, X, 2021: 450000..450200 (2 ha; holds A and B)
   D  "Planned", Y, 2019: 450500..450600 (1 ha; no category)
   E  cleared, Y, no date: 451000..451100 (1 ha; year unknown)
   All are 100 m tall (2050000..2050100). */
static const cfx_feature RECORDS[] = {
    {"cleared   X 2019-03-05", CFX_RECT(450000, 2050000, 450100, 2050100)},
    {"reduced   Y 2020-01-01", CFX_RECT(450050, 2050000, 450150, 2050100)},
    {"cancelled X 2021/06/30", CFX_RECT(450000, 2050000, 450200, 2050100)},
    {" Planned  Y 2019-07-07", CFX_RECT(450500, 2050000, 450600, 2050100)},
    {"CLEARED   Y not a date", CFX_RECT(451000, 2050000, 451100, 2050100)},
};

static const char *const SQL =
    "SELECT fid, geom, trim(substr(task_id, 1, 9)) AS status, substr(task_id, 11, 1) AS operator,"
    " substr(task_id, 13, 10) AS started FROM cleared";

static ccov_options options(const char *group_by, const char *years, const char *map) {
    ccov_options o = cfx_planar(UTM);
    o.cleared_sql = SQL;
    o.status_field = "status";
    o.status_map = map;
    o.group_by = group_by;
    o.year_from = "started";
    o.years = years;
    return o;
}

static ccov_result *run(ccov_options o) {
    cfx_sources s = {UTM, ALPHA, 1, RECORDS, COUNT(RECORDS)};
    return cfx_run(&s, o);
}

static void check_figures(const char *what, const ccov_figures *f, double net, double gross,
                          long long tasks) {
    int before = failures;
    CHECK_NEAR(f->net_ha, net, TOL);
    CHECK_NEAR(f->gross_ha, gross, TOL);
    CHECK_NEAR(f->overlap_ha, gross - net, TOL);
    CHECK(f->tasks == tasks);
    if (failures > before)
        fprintf(stderr, "  in: %s\n", what);
}

/* Released = A u B u C u E = 2 + 1 = 3 ha. Cleared = A u E = 2 ha; reduced = the part of B off
   A (0.5 ha); cancelled = the rest of C (0.5 ha). Gross: cleared 2, reduced 1, cancelled 2. */
static void test_categories(void) {
    ccov_result *res = run(options(NULL, NULL, NULL));
    const ccov_region_result *a = cfx_region(res, "Alpha");
    CHECK(res && a && res->categorised);
    if (!a)
        return;
    CHECK_NEAR(a->net_ha, 3, TOL);
    CHECK_NEAR(a->gross_ha, 5, TOL);
    check_figures("cleared", &a->categories[CCOV_CATEGORY_CLEARED], 2, 2, 2);
    check_figures("reduced", &a->categories[CCOV_CATEGORY_REDUCED], 0.5, 1, 1);
    check_figures("cancelled", &a->categories[CCOV_CATEGORY_CANCELLED], 0.5, 2, 1);
    CHECK_NEAR(a->percent_cleared, 2.0 / 4, TOL);
    CHECK_NEAR(a->percent_released, 3.0 / 4, TOL);
    /* " Planned " maps to nothing: left out, listed once with its count and id. */
    CHECK(res->nstatus_values == 1);
    if (res->nstatus_values == 1) {
        CHECK(strcmp(res->status_values[0].value, " Planned") == 0 ||
              strcmp(res->status_values[0].value, "Planned") == 0);
        CHECK(res->status_values[0].count == 1 && !res->status_values[0].ignored);
        CHECK(res->status_values[0].fids[0] == 4);
    }
    CHECK(res->tasks == 4);
    ccov_result_free(res);
}

/* A map: "planned" ignored on purpose; "completed" stands for cleared but no record has it. */
static void test_status_map(void) {
    ccov_result *res = run(options(NULL, NULL,
                                   " cleared = Completed, CLEARED ;reduced=reduced;"
                                   "cancelled=cancelled;ignore=planned"));
    const ccov_region_result *a = cfx_region(res, "Alpha");
    CHECK(a && res->nstatus_values == 1 && res->status_values[0].ignored);
    if (a)
        check_figures("cleared, mapped", &a->categories[CCOV_CATEGORY_CLEARED], 2, 2, 2);
    ccov_result_free(res);
}

static const ccov_group *group(const ccov_result *res, const char *op, const char *year) {
    for (size_t g = 0; res && g < res->ngroups; g++) {
        char *const *v = res->groups[g].values;
        if (strcmp(v[0], op) == 0 && strcmp(v[1], year) == 0)
            return &res->groups[g];
    }
    fprintf(stderr, "no group %s %s\n", op, year);
    return NULL;
}

/* By operator and year: X 2019 = A (1 ha), X 2021 = C (2), Y 2020 = B (1), Y with no year =
   E (1). The groups' nets add up to 5 ha, the region's net is 3: 2 ha counted in two groups.
   Cumulative X 2021 = A u C = 2 ha. */
static void test_groups(void) {
    ccov_result *res = run(options("operator,year", NULL, NULL));
    const ccov_group *x19 = group(res, "X", "2019"), *x21 = group(res, "X", "2021");
    const ccov_group *y20 = group(res, "Y", "2020"), *y0 = group(res, "Y", "");
    CHECK(res && res->ngroups == 4 && res->year_key == 1 && res->year_unknown == 1);
    if (!x19 || !x21 || !y20 || !y0)
        return;
    check_figures("X 2019", &x19->regions[0], 1, 1, 1);
    check_figures("X 2021", &x21->regions[0], 2, 2, 1);
    check_figures("Y 2020", &y20->regions[0], 1, 1, 1);
    check_figures("Y unknown", &y0->regions[0], 1, 1, 1);
    CHECK_NEAR(res->regions[0].group_overlap_ha, 2, TOL);
    CHECK_NEAR(x19->cumulative_ha[0], 1, TOL);
    CHECK_NEAR(x21->cumulative_ha[0], 2, TOL);
    CHECK_NEAR(y20->cumulative_ha[0], 1, TOL);
    CHECK(isnan(y0->cumulative_ha[0]));
    /* X 2021 holds only C, cancelled: all of its 2 ha. */
    check_figures("X 2021 cancelled", &x21->categories[0][CCOV_CATEGORY_CANCELLED], 2, 2, 1);
    check_figures("X 2021 cleared", &x21->categories[0][CCOV_CATEGORY_CLEARED], 0, 0, 0);
    ccov_result_free(res);
}

/* By year alone: cumulative 2019 = A (1), 2020 = A u B (1.5), 2021 = A u B u C (2). */
static void test_cumulative(void) {
    ccov_result *res = run(options("year", NULL, NULL));
    static const char *const years[] = {"2019", "2020", "2021"};
    static const double want[] = {1, 1.5, 2};
    CHECK(res && res->ngroups == 4);
    for (size_t g = 1; res && g < res->ngroups; g++) {
        CHECK(strcmp(res->groups[g].values[0], years[g - 1]) == 0);
        CHECK_NEAR(res->groups[g].cumulative_ha[0], want[g - 1], TOL);
        CHECK_NEAR(res->groups[g].cumulative_total, want[g - 1], TOL);
    }
    ccov_result_free(res);
}

/* --years 2019-2020: C (2021) and E (no year) are left out: released = A u B = 1.5 ha. */
static void test_years(void) {
    ccov_result *res = run(options(NULL, "2019-2020", NULL));
    const ccov_region_result *a = cfx_region(res, "Alpha");
    CHECK(a && res->year_filtered == 2);
    if (a) {
        CHECK_NEAR(a->net_ha, 1.5, TOL);
        check_figures("cleared 2019-2020", &a->categories[CCOV_CATEGORY_CLEARED], 1, 1, 1);
        check_figures("reduced 2019-2020", &a->categories[CCOV_CATEGORY_REDUCED], 0.5, 1, 1);
    }
    ccov_result_free(res);
}

/* Bad options are usage errors, with the option named. */
static void test_bad_options(void) {
    static const char *const maps[] = {"swept=Cleared", "cleared", "=x"};
    for (size_t i = 0; i < COUNT(maps); i++) {
        ccov_result *res = run(options(NULL, NULL, maps[i]));
        CHECK(!res && cfx_status() == CCOV_ERR_USAGE && strstr(cfx_error(), "--status-map"));
        ccov_result_free(res);
    }
    ccov_result *res = run(options(NULL, "2020-2019", NULL));
    CHECK(!res && cfx_status() == CCOV_ERR_USAGE && strstr(cfx_error(), "--years"));
    ccov_options o = options("operator,nosuch", NULL, NULL);
    res = run(o);
    CHECK(!res && cfx_status() == CCOV_ERR_USAGE && strstr(cfx_error(), "nosuch"));
}

/* ---- the bundled sample: 2,000 records in two provinces, geodesic ---- */

static ccov_result *sample(ccov_options o) {
    ccov_ctx *ctx = ccov_ctx_create();
    ccov_result *res = NULL;
    o.threads = 2;
    if (ctx && ccov_coverage_run(ctx, &o, &res) != CCOV_OK)
        fprintf(stderr, "bundled sample: %s\n", ccov_ctx_error(ctx));
    ccov_ctx_free(ctx);
    return res;
}

/* Categories partition each region's net; their gross and tasks add up to the region's. */
static void check_partition(const ccov_region_result *r) {
    double net = 0, gross = 0;
    long long tasks = 0;
    for (int c = 0; c < CCOV_NCATEGORIES; c++) {
        net += r->categories[c].net_ha;
        gross += r->categories[c].gross_ha;
        tasks += r->categories[c].tasks;
        CHECK(r->categories[c].net_ha >= 0);
    }
    CHECK_REL(net, r->net_ha, TOL);
    CHECK_REL(gross, r->gross_ha, TOL);
    CHECK(tasks == r->tasks);
}

/* Groups: gross and tasks add up to the region's; nets add up to its net plus the overlap between
   groups, which is never negative; cumulative never decreases from one year to the next. */
static void check_groups(const ccov_result *res, size_t i) {
    double net = 0, gross = 0, last = 0;
    long long tasks = 0;
    const char *op = "";
    for (size_t g = 0; g < res->ngroups; g++) {
        const ccov_group *x = &res->groups[g];
        net += x->regions[i].net_ha;
        gross += x->regions[i].gross_ha;
        tasks += x->regions[i].tasks;
        if (strcmp(op, x->values[0]) != 0)
            last = 0;
        op = x->values[0];
        CHECK(isnan(x->cumulative_ha[i]) || x->cumulative_ha[i] >= last - TOL);
        last = isnan(x->cumulative_ha[i]) ? last : x->cumulative_ha[i];
    }
    CHECK_REL(gross, res->regions[i].gross_ha, TOL);
    CHECK(tasks == res->regions[i].tasks);
    CHECK(res->regions[i].group_overlap_ha >= -TOL);
    CHECK_REL(net, res->regions[i].net_ha + res->regions[i].group_overlap_ha, TOL);
}

/* A category's net equals the net of a plain run on its records alone (--where). */
static void check_against_where(const ccov_result *res) {
    ccov_options o = {.where = "status = 'cleared'"};
    ccov_result *cleared = sample(o);
    o.where = "status IN ('cleared', 'reduced')";
    ccov_result *upto = sample(o);
    for (size_t i = 0; cleared && upto && i < res->nregions; i++) {
        const ccov_figures *c = res->regions[i].categories;
        CHECK_REL(c[CCOV_CATEGORY_CLEARED].net_ha, cleared->regions[i].net_ha, TOL);
        CHECK_REL(c[CCOV_CATEGORY_CLEARED].net_ha + c[CCOV_CATEGORY_REDUCED].net_ha,
                  upto->regions[i].net_ha, TOL);
    }
    CHECK(cleared && upto);
    ccov_result_free(cleared);
    ccov_result_free(upto);
}

/* An operator's cumulative figure in its last year is its net over every year (--group-by
   operator alone), when every record has a year. */
static void check_last_year(const ccov_result *res) {
    ccov_result *ops = sample((ccov_options){.status_field = "status", .group_by = "operator"});
    for (size_t g = 0; ops && g < res->ngroups; g++) {
        const ccov_group *x = &res->groups[g];
        if (g + 1 < res->ngroups && strcmp(res->groups[g + 1].values[0], x->values[0]) == 0)
            continue;
        for (size_t k = 0; k < ops->ngroups; k++)
            if (strcmp(ops->groups[k].values[0], x->values[0]) == 0)
                CHECK_REL(x->cumulative_total, ops->groups[k].total.net_ha, TOL);
    }
    CHECK(ops && res->year_unknown == 0);
    ccov_result_free(ops);
}

static void test_sample(void) {
    ccov_result *res =
        sample((ccov_options){.status_field = "status", .group_by = "operator,year"});
    CHECK(res && res->nregions == 2 && res->ngroups > 20);
    for (size_t i = 0; res && i < res->nregions; i++) {
        check_partition(&res->regions[i]);
        check_groups(res, i);
    }
    if (res) {
        check_against_where(res);
        check_last_year(res);
    }
    ccov_result_free(res);
}

int main(void) {
    test_categories();
    test_status_map();
    test_groups();
    test_cumulative();
    test_years();
    test_bad_options();
    test_sample();
    return check_summary("test_coverage_breakdown");
}
