/* io: QGIS default styles (QML) for the result layers, stored in a GeoPackage's layer_styles, in
   .qml files beside GeoJSON layers and in the QGIS project. Colours follow the land-release
   convention: cleared land in green, places counted twice in warning oranges and reds, land
   outside the regions in grey; the regions are the choropleth of percent cleared, in blues. */
#include "io/io.h"
#include "output/render.h"

#include <math.h>
#include <stdbool.h>
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
        fprintf(
            f,
            "<range lower=\"%.17g\" upper=\"%.17g\" symbol=\"%d\" label=\"%s\" render=\"true\"/>",
            c[i].lower, c[i].upper, i, c[i].label);
    fputs("</ranges><symbols>", f);
    for (int i = 0; i < n; i++)
        qml_fill_symbol(f, i, c[i].fill, outline, 0.1);
    fputs("</symbols></renderer-v2>", f);
}

/* Region labels: name and net hectares, shown only at small scales (1:250,000 and wider), so that
   zoomed in they do not sit on the cleared land they describe. */
static void qml_labels(FILE *f) {
    fputs("<labeling type=\"simple\"><settings calloutType=\"simple\">"
          "<text-style fieldName=\"&quot;region&quot; || '\\n' || "
          "format_number(&quot;net_ha&quot;, 0) || ' ha'\" isExpression=\"1\" "
          "fontFamily=\"Sans Serif\" fontSize=\"9\" fontSizeUnit=\"Point\" fontWeight=\"75\" "
          "textColor=\"40,40,40,255\" multilineHeight=\"1\">"
          "<text-buffer bufferDraw=\"1\" bufferSize=\"1\" bufferSizeUnits=\"MM\" "
          "bufferColor=\"255,255,255,255\" bufferOpacity=\"0.8\"/></text-style>"
          "<text-format multilineAlign=\"1\" wrapChar=\"\"/>"
          "<placement placement=\"1\" centroidInside=\"1\"/>"
          "<rendering drawLabels=\"1\" obstacle=\"1\" scaleVisibility=\"1\" scaleMin=\"250000\" "
          "scaleMax=\"0\"/></settings></labeling>",
          f);
}

static const style_class OVERLAPS[] = {{1.5, 2.5, "counted twice", "253,174,97,220"},
                                       {2.5, 3.5, "counted 3 times", "244,109,67,230"},
                                       {3.5, 1e9, "counted 4 times or more", "215,48,39,240"}};

/* ---- the regions choropleth by percent_cleared ---- */

enum { MAX_CLASSES = 5 };
/* The light half of a sequential blue ramp: it stays apart from the greens of cleared land drawn
   over it, and light enough for that land to show. */
static const char *const RAMP[MAX_CLASSES] = {
    "241,238,246,255", "208,209,230,255", "166,189,219,255", "116,169,207,255", "54,144,192,255"};
/* Without figures: fixed classes of percent cleared. */
static const double FIXED_BREAKS[MAX_CLASSES - 1] = {0.1, 0.5, 1, 5};

typedef struct {
    style_class c[MAX_CLASSES];
    char labels[MAX_CLASSES][64];
    int n;
} classes;

static int by_value(const void *a, const void *b) {
    double x = *(const double *)a, y = *(const double *)b;
    return (x > y) - (x < y);
}

/* The shortest number (up to 17 significant digits) strictly between lo and hi, as text. */
static double between(double lo, double hi, char *text, size_t n) {
    double mid = lo + (hi - lo) / 2;
    for (int digits = 1; digits <= 17; digits++) {
        snprintf(text, n, "%.*g", digits, mid);
        double b = strtod(text, NULL);
        if (b > lo && b < hi)
            return b;
    }
    snprintf(text, n, "%.17g", mid);
    return mid;
}

/* Classes from breaks b[0..n-2]: "up to b0", "b0 - b1", ..., "over b(n-2)" percent. */
static void label_classes(classes *k, const double *b, char (*text)[32]) {
    for (int i = 0; i < k->n; i++) {
        k->c[i].lower = i ? b[i - 1] : 0;
        k->c[i].upper = i + 1 < k->n ? b[i] : 1e9;
        if (k->n == 1)
            snprintf(k->labels[i], sizeof k->labels[i], "all regions");
        else if (i == 0)
            snprintf(k->labels[i], sizeof k->labels[i], "up to %s %%", text[0]);
        else if (i + 1 == k->n)
            snprintf(k->labels[i], sizeof k->labels[i], "over %s %%", text[i - 1]);
        else
            snprintf(k->labels[i], sizeof k->labels[i], "%s - %s %%", text[i - 1], text[i]);
        k->c[i].label = k->labels[i];
        k->c[i].fill = RAMP[k->n == 1 ? 2 : i * (MAX_CLASSES - 1) / (k->n - 1)];
    }
}

/* Up to five classes with an equal share of the distinct values each, every break the shortest
   number between the last value of one class and the first of the next: regions with different
   percentages fall in different classes while there are no more than five of them. */
static void data_classes(classes *k, const double *values, size_t n) {
    double *u = malloc((n ? n : 1) * sizeof *u), b[MAX_CLASSES - 1];
    char text[MAX_CLASSES - 1][32];
    size_t d = 0;
    for (size_t i = 0; u && i < n; i++)
        if (isfinite(values[i]))
            u[d++] = values[i];
    if (u)
        qsort(u, d, sizeof *u, by_value);
    size_t distinct = 0;
    for (size_t i = 0; i < d; i++)
        if (distinct == 0 || u[i] != u[distinct - 1])
            u[distinct++] = u[i];
    k->n = distinct < MAX_CLASSES ? (int)(distinct ? distinct : 1) : MAX_CLASSES;
    for (int i = 1; i < k->n; i++) {
        size_t first = (size_t)i * distinct / (size_t)k->n;
        b[i - 1] = between(u[first - 1], u[first], text[i - 1], sizeof text[i - 1]);
    }
    label_classes(k, b, text);
    free(u);
}

static void fixed_classes(classes *k) {
    char text[MAX_CLASSES - 1][32];
    k->n = MAX_CLASSES;
    for (int i = 0; i < MAX_CLASSES - 1; i++)
        snprintf(text[i], sizeof text[i], "%g", FIXED_BREAKS[i]);
    label_classes(k, FIXED_BREAKS, text);
}

/* The layer's renderer (and labels) in QML; percent: the regions' percent cleared (n of them),
   NULL for fixed classes. */
static void qml_body(FILE *f, const char *layer, const double *percent, size_t n) {
    if (strcmp(layer, "regions") == 0) {
        classes k = {0};
        if (percent && n)
            data_classes(&k, percent, n);
        else
            fixed_classes(&k);
        qml_graduated(f, "percent_cleared", k.c, k.n, "51,51,51,255");
        qml_labels(f);
    } else if (strcmp(layer, "coverage") == 0)
        qml_single(f, "49,163,84,255", "0,109,44,255", 0.1);
    else if (strcmp(layer, "overlaps") == 0)
        qml_graduated(f, "times", OVERLAPS, 3, "165,0,38,255");
    else if (strcmp(layer, "tasks") == 0)
        qml_single(f, "65,171,93,90", "0,109,44,255", 0.2);
    else if (strcmp(layer, "outside") == 0)
        qml_single(f, "150,150,150,200", "90,90,90,255", 0.2);
    else
        qml_single(f, NULL, "51,51,51,255", 0.6);
}

static char *style_text(const char *layer, const double *percent, size_t n, bool document) {
    char *buf = NULL;
    size_t len = 0;
    FILE *f = open_memstream(&buf, &len);
    if (!f)
        return NULL;
    if (document)
        fputs("<qgis version=\"3.22.0\" styleCategories=\"Symbology|Labeling\">", f);
    qml_body(f, layer, percent, n);
    if (document)
        fputs("</qgis>\n", f);
    if (fclose(f) != 0) {
        free(buf);
        return NULL;
    }
    return buf;
}

char *ccov_io_style_qml(const char *layer) { return style_text(layer, NULL, 0, true); }

char *ccov_io_style_qml_classes(const char *layer, const double *percent, size_t n) {
    return style_text(layer, percent, n, true);
}

char *ccov_io_style_elements(const char *layer, const double *percent, size_t n) {
    return style_text(layer, percent, n, false);
}

/* ---- categories: the audit's flagged features by check ---- */

/* A qualitative palette (ColorBrewer Set1 and Dark2), cycled past its end. */
static const char *const QUALITATIVE[] = {
    "228,26,28,200",  "55,126,184,200",  "77,175,74,200",  "152,78,163,200", "255,127,0,200",
    "166,86,40,200",  "247,129,191,200", "27,158,119,200", "217,95,2,200",   "117,112,179,200",
    "231,41,138,200", "102,166,30,200",  "230,171,2,200",  "153,153,153,200"};
enum { NQUALITATIVE = sizeof QUALITATIVE / sizeof QUALITATIVE[0] };

static void qml_categories(FILE *f, const char *expression, const char *const *values,
                           const char *const *labels, size_t n) {
    fputs("<renderer-v2 type=\"categorizedSymbol\" attr=\"", f);
    ccov_render_xml_attr(f, expression);
    fputs("\" symbollevels=\"0\" enableorderby=\"0\" forceraster=\"0\"><categories>", f);
    for (size_t i = 0; i < n; i++) {
        fputs("<category value=\"", f);
        ccov_render_xml_attr(f, values[i]);
        fprintf(f, "\" symbol=\"%zu\" render=\"true\" label=\"", i);
        ccov_render_xml_attr(f, labels[i]);
        fputs("\"/>", f);
    }
    fputs("</categories><symbols>", f);
    for (size_t i = 0; i < n; i++)
        qml_fill_symbol(f, (int)i, QUALITATIVE[i % NQUALITATIVE], "60,60,60,255", 0.3);
    fputs("</symbols></renderer-v2>", f);
}

char *ccov_io_style_qml_categories(const char *expression, const char *const *values,
                                   const char *const *labels, size_t n) {
    char *buf = NULL;
    size_t len = 0;
    FILE *f = open_memstream(&buf, &len);
    if (!f)
        return NULL;
    fputs("<qgis version=\"3.22.0\" styleCategories=\"Symbology\">", f);
    qml_categories(f, expression, values, labels, n);
    fputs("</qgis>\n", f);
    if (fclose(f) != 0) {
        free(buf);
        return NULL;
    }
    return buf;
}
