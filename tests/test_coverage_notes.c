/* Coverage core, bad features and failed runs: a self-intersecting polygon is repaired (and says
 * where), a polygon without area and a line are excluded, and each is noted with its feature id;
 * a run that cannot count anything fails with the right status and a one-line message.
 *
 * Planar area in EPSG:32648 against the region Alpha, 450000..452000 E by 2050000..2052000 N.
 * Tolerance 1e-9 ha. */
#include "check.h"
#include "coverage_fixture.h"

#include <string.h>
#include <unistd.h>

#define TOL 1e-9
#define UTM "EPSG:32648"
#define COUNT(a) (sizeof(a) / sizeof(a)[0])

static const cfx_feature ALPHA[] = {{"Alpha", CFX_RECT(450000, 2050000, 452000, 2052000)}};

/* A bow-tie, its edges crossing at (450200 2050200): repaired into two triangles with a 200 m base
   on x = 450100 and x = 450300 and 100 m high, 2 x 200 x 100 / 2 = 20000 m2 = 2 ha. */
static const cfx_feature BOWTIE = {
    "bowtie", "POLYGON((450100 2050100,450300 2050300,450300 2050100,450100 2050300,"
              "450100 2050100))"};
/* Three points on one line: no area. */
static const cfx_feature FLAT = {
    "flat", "POLYGON((450500 2050500,450600 2050500,450700 2050500,450500 2050500))"};
static const cfx_feature LINE = {"line", "LINESTRING(450800 2050800,450900 2050900)"};
/* 100 m square: 1 ha */
static const cfx_feature SQUARE = {"square", CFX_RECT(450500, 2051000, 450600, 2051100)};

static bool has(const char *text, const char *part) {
    bool found = text && strstr(text, part);
    if (!found)
        fprintf(stderr, "  '%s' does not contain '%s'\n", text ? text : "(null)", part);
    return found;
}

/* Features 1..4: bow-tie, flat, line, square. Net = gross = 2 + 1 ha; tasks 1 and 4. */
static void test_notes(void) {
    const cfx_feature c[] = {BOWTIE, FLAT, LINE, SQUARE};
    cfx_sources s = {UTM, ALPHA, 1, c, COUNT(c)};
    ccov_result *res = cfx_run(&s, cfx_planar(UTM));
    CHECK(res != NULL);
    if (!res)
        return;
    CHECK_NEAR(res->net_ha, 3, TOL);
    CHECK_NEAR(res->gross_ha, 3, TOL);
    CHECK(res->tasks == 2 && res->task_fids[0] == 1 && res->task_fids[1] == 4);
    CHECK(res->cleared_input.features == 4 && res->cleared_input.used == 2);
    CHECK(res->nrepaired == 1 && res->repaired[0].fid == 1);
    CHECK(res->nrepaired == 1 &&
          has(res->repaired[0].reason, "self-intersection at (450200.000000 2050200.000000)"));
    CHECK(res->nexcluded == 2 && res->excluded[0].fid == 2 && res->excluded[1].fid == 3);
    CHECK(res->nexcluded == 2 && has(res->excluded[0].reason, "no area"));
    CHECK(res->nexcluded == 2 && res->excluded[1].reason[0] != '\0');
    CHECK(res->nexcluded == 2 && has(res->excluded[0].source, "cleared.gpkg"));
    ccov_result_free(res);
}

/* Nothing usable: an error naming the first feature and its reason. */
static void test_nothing_usable(void) {
    const cfx_feature c[] = {FLAT};
    cfx_sources s = {UTM, ALPHA, 1, c, COUNT(c)};
    ccov_result *res = cfx_run(&s, cfx_planar(UTM));
    CHECK(res == NULL && cfx_status() == CCOV_ERR_GEOM);
    CHECK(has(cfx_error(), "none of the 1 features has a usable polygon (feature 1: no area"));
    CHECK(strchr(cfx_error(), '\n') == NULL);
    ccov_result_free(res);
}

/* No features at all: every figure 0 and a warning, not an error. */
static void test_empty(void) {
    cfx_sources s = {UTM, ALPHA, 1, NULL, 0};
    ccov_result *res = cfx_run(&s, cfx_planar(UTM));
    CHECK(res != NULL && cfx_status() == CCOV_OK);
    CHECK(res && res->net_ha == 0 && res->gross_ha == 0 && res->tasks == 0 && res->nregions == 1);
    CHECK(has(cfx_log(), "no features: every figure is 0"));
    ccov_result_free(res);
}

/* Planar area needs a projected frame: usage errors. */
static void test_planar_frame(void) {
    const cfx_feature c[] = {SQUARE};
    cfx_sources s = {UTM, ALPHA, 1, c, COUNT(c)};
    const char *frames[] = {NULL, "EPSG:4326"};
    for (size_t i = 0; i < COUNT(frames); i++) {
        ccov_result *res = cfx_run(&s, cfx_planar(frames[i]));
        CHECK(res == NULL && cfx_status() == CCOV_ERR_USAGE);
        CHECK(has(cfx_error(), "--area planar needs a projected --crs"));
        ccov_result_free(res);
    }
}

/* A cleared source that is not there: an input error naming it. */
static void test_missing_source(void) {
    const cfx_feature c[] = {SQUARE};
    cfx_sources s = {UTM, ALPHA, 1, c, COUNT(c)};
    cfx_dir d;
    CHECK(cfx_write(&d, &s));
    if (!d.dir[0])
        return;
    CHECK(unlink(d.cleared) == 0);
    ccov_result *res = cfx_run_in(&d, cfx_planar(UTM));
    CHECK(res == NULL && cfx_status() == CCOV_ERR_IO);
    CHECK(has(cfx_error(), d.cleared));
    ccov_result_free(res);
    cfx_remove(&d);
}

int main(void) {
    test_notes();
    test_nothing_usable();
    test_empty();
    test_planar_frame();
    test_missing_source();
    return check_summary("test_coverage_notes");
}
