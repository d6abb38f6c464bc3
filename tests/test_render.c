/* Tests for the shared rendering of output/render: the opening every JSON document of clearcov
   has (report, validate, audit), key by key and in order. The expected text is written here from
   the documented layout, not taken from clearcov's output. */
#include "check.h"
#include "output/render.h"

#include <string.h>

static void expect_json(json_object *o, const char *want) {
    const char *got = json_object_to_json_string_ext(o, JSON_C_TO_STRING_PLAIN);
    CHECK(strcmp(got, want) == 0);
    if (strcmp(got, want) != 0)
        fprintf(stderr, "got  %s\nwant %s\n", got, want);
    json_object_put(o);
}

static const ccov_input REGIONS = {"r.shp", "r", "EPSG:4326", "none", 3, 2, NULL};
static const ccov_input CLEARED = {"c.gpkg", "c", "EPSG:32648", "UTM", 10, 9, NULL};

#define V "\"clearcov_version\":\"" CCOV_TEST_VERSION "\""
#define INPUTS                                                                                     \
    "\"inputs\":{\"regions\":{\"path\":\"r.shp\",\"layer\":\"r\",\"crs\":\"EPSG:4326\","           \
    "\"operation\":\"none\",\"features\":3,\"used\":2},\"cleared\":{\"path\":\"c.gpkg\","          \
    "\"layer\":\"c\",\"crs\":\"EPSG:32648\",\"operation\":\"UTM\",\"features\":10,\"used\":9}}"

int main(void) {
    /* audit: the version only */
    expect_json(ccov_render_json_header(NULL), "{" V "}");
    /* report */
    ccov_render_run run = {CCOV_AREA_GEODESIC, "EPSG:32648", NULL, &REGIONS, &CLEARED};
    expect_json(ccov_render_json_header(&run), "{" V ",\"area_method\":\"geodesic\","
                                               "\"working_frame\":\"EPSG:32648\"," INPUTS "}");
    /* validate: the claims file between the frame and the inputs */
    run = (ccov_render_run){CCOV_AREA_PLANAR, "EPSG:32648", "k.csv", &REGIONS, &CLEARED};
    expect_json(ccov_render_json_header(&run),
                "{" V ",\"area_method\":\"planar\",\"working_frame\":\"EPSG:32648\","
                "\"claims_file\":\"k.csv\"," INPUTS "}");
    return check_summary("test_render");
}
