/* Tests for the shared rendering of output/render: the opening every JSON document of clearcov
   has (report, validate, audit), key by key and in order, and the XML escaping of text and
   attribute values. The expected text is written here from the documented layout and XML 1.0's
   rules, not taken from clearcov's output. */
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

/* What an XML escaper writes for s. */
static void expect_xml(void (*escape)(FILE *, const char *), const char *s, const char *want) {
    char got[256] = {0};
    FILE *f = tmpfile();
    CHECK(f != NULL);
    if (!f)
        return;
    escape(f, s);
    rewind(f);
    size_t n = fread(got, 1, sizeof got - 1, f);
    fclose(f);
    got[n] = '\0';
    CHECK(strcmp(got, want) == 0);
    if (strcmp(got, want) != 0)
        fprintf(stderr, "got  %s\nwant %s\n", got, want);
}

#define FFFD "\xEF\xBF\xBD"

static void xml_cases(void) {
    /* markup: the five predefined entities' characters, as references */
    expect_xml(ccov_render_xml_text, "a&b<c>d\"e'f", "a&amp;b&lt;c&gt;d&quot;e&#39;f");
    expect_xml(ccov_render_xml_attr, "a&b<c>d\"e'f", "a&amp;b&lt;c&gt;d&quot;e&#39;f");
    /* line ends and tabs: kept in text, references in an attribute value (XML 1.0, 3.3.3) */
    expect_xml(ccov_render_xml_text, "1\n2\t3\r4", "1\n2\t3\r4");
    expect_xml(ccov_render_xml_attr, "1\n2\t3\r4", "1&#10;2&#9;3&#13;4");
    /* UTF-8: a valid two- and three-byte character kept; a truncated sequence, a lone
       continuation byte, an overlong form and a control character XML forbids replaced */
    expect_xml(ccov_render_xml_attr, "Kh\xC3\xA0 \xE0\xBA\xA5", "Kh\xC3\xA0 \xE0\xBA\xA5");
    expect_xml(ccov_render_xml_text, "x\xC3(y", "x" FFFD "(y");
    expect_xml(ccov_render_xml_text, "\x80z", FFFD "z");
    expect_xml(ccov_render_xml_text, "\xC0\xAF", FFFD FFFD);
    expect_xml(ccov_render_xml_attr, "a\x01" "b", "a" FFFD "b");
    expect_xml(ccov_render_xml_attr, NULL, "");
}

int main(void) {
    xml_cases();
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
