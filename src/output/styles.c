/* io: QGIS default styles (QML) for the result layers, stored in a GeoPackage's layer_styles.
   Colours follow the land-release convention: cleared land in greens, places counted twice in
   warning oranges and reds, land outside the regions in grey, regions as outlines. */
#include "io/io.h"

#include <stdio.h>
#include <stdlib.h>
#include <string.h>

typedef struct {
    double lower, upper;
    const char *label;
    const char *fill; /* "r,g,b,a" */
} style_class;

static void qml_fill_symbol(FILE *f, int name, const char *fill, const char *outline,
                            double width) {
    fprintf(
        f,
        "<symbol type=\"fill\" name=\"%d\" alpha=\"1\" clip_to_extent=\"1\" force_rhr=\"0\">"
        "<layer class=\"SimpleFill\" enabled=\"1\" pass=\"0\" locked=\"0\"><Option type=\"Map\">"
        "<Option type=\"QString\" name=\"color\" value=\"%s\"/>"
        "<Option type=\"QString\" name=\"outline_color\" value=\"%s\"/>"
        "<Option type=\"QString\" name=\"outline_style\" value=\"solid\"/>"
        "<Option type=\"QString\" name=\"outline_width\" value=\"%g\"/>"
        "<Option type=\"QString\" name=\"outline_width_unit\" value=\"MM\"/>"
        "<Option type=\"QString\" name=\"style\" value=\"%s\"/>"
        "</Option></layer></symbol>",
        name, fill ? fill : "0,0,0,0", outline, width, fill ? "solid" : "no");
}

static void qml_single(FILE *f, const char *fill, const char *outline, double width) {
    fputs("<renderer-v2 type=\"singleSymbol\" symbollevels=\"0\" enableorderby=\"0\" "
          "forceraster=\"0\"><symbols>",
          f);
    qml_fill_symbol(f, 0, fill, outline, width);
    fputs("</symbols></renderer-v2>", f);
}

static void qml_graduated(FILE *f, const char *attr, const style_class *c, int n,
                          const char *outline) {
    fprintf(f,
            "<renderer-v2 type=\"graduatedSymbol\" attr=\"%s\" graduatedMethod=\"GraduatedColor\" "
            "symbollevels=\"0\" enableorderby=\"0\" forceraster=\"0\"><ranges>",
            attr);
    for (int i = 0; i < n; i++)
        fprintf(f, "<range lower=\"%g\" upper=\"%g\" symbol=\"%d\" label=\"%s\" render=\"true\"/>",
                c[i].lower, c[i].upper, i, c[i].label);
    fputs("</ranges><symbols>", f);
    for (int i = 0; i < n; i++)
        qml_fill_symbol(f, i, c[i].fill, outline, 0.1);
    fputs("</symbols></renderer-v2>", f);
}

static void qml_labels(FILE *f, const char *field) {
    fprintf(f,
            "<labeling type=\"simple\"><settings calloutType=\"simple\">"
            "<text-style fieldName=\"%s\" isExpression=\"0\" fontFamily=\"Sans Serif\" "
            "fontSize=\"10\" fontSizeUnit=\"Point\" fontWeight=\"75\" textColor=\"40,40,40,255\">"
            "<text-buffer bufferDraw=\"1\" bufferSize=\"1\" bufferSizeUnits=\"MM\" "
            "bufferColor=\"255,255,255,255\" bufferOpacity=\"0.8\"/></text-style>"
            "<placement placement=\"1\" centroidInside=\"1\"/>"
            "<rendering drawLabels=\"1\" obstacle=\"1\"/></settings></labeling>",
            field);
}

static const style_class COVERAGE[] = {{0, 0.1, "0 - 0.1 %", "237,248,233,255"},
                                       {0.1, 0.5, "0.1 - 0.5 %", "186,228,179,255"},
                                       {0.5, 1, "0.5 - 1 %", "116,196,118,255"},
                                       {1, 5, "1 - 5 %", "49,163,84,255"},
                                       {5, 100, "5 - 100 %", "0,109,44,255"}};
static const style_class OVERLAPS[] = {{1.5, 2.5, "counted twice", "253,174,97,220"},
                                       {2.5, 3.5, "counted 3 times", "244,109,67,230"},
                                       {3.5, 1e9, "counted 4 times or more", "215,48,39,240"}};

/* The layer's renderer (and labels) in QML. */
static void qml_body(FILE *f, const char *layer) {
    if (strcmp(layer, "coverage") == 0)
        qml_graduated(f, "percent_cleared", COVERAGE, 5, "0,90,50,255");
    else if (strcmp(layer, "overlaps") == 0)
        qml_graduated(f, "times", OVERLAPS, 3, "165,0,38,255");
    else if (strcmp(layer, "tasks") == 0)
        qml_single(f, "65,171,93,90", "0,109,44,255", 0.2);
    else if (strcmp(layer, "outside") == 0)
        qml_single(f, "150,150,150,200", "90,90,90,255", 0.2);
    else
        qml_single(f, NULL, "51,51,51,255", 0.6);
    if (strcmp(layer, "regions") == 0)
        qml_labels(f, "region");
}

char *ccov_io_style_qml(const char *layer) {
    char *buf = NULL;
    size_t len = 0;
    FILE *f = open_memstream(&buf, &len);
    if (!f)
        return NULL;
    fputs("<qgis version=\"3.22.0\" styleCategories=\"Symbology|Labeling\">", f);
    qml_body(f, layer);
    fputs("</qgis>\n", f);
    if (fclose(f) != 0) {
        free(buf);
        return NULL;
    }
    return buf;
}
