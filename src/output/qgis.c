/* output: a QGIS 3 project (clearcov.qgs, plain XML) that opens the result layers, styled, in the
   UTM zone of the data's centre, with a print layout like the SVG map: map, legend, scale bar,
   title, a hectare table and the sources. GeoJSON layers also get a .qml style of the same name,
   which QGIS loads with the layer. */
#include "output/qgis.h"

#include "clearcov/atomic.h"
#include "clearcov/names.h"
#include "crs/crs.h"
#include "geom/geom.h"
#include "io/io.h"
#include "output/render.h"

#include <math.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>

#define PROJECT_NAME "clearcov.qgs"

/* Layer tree from top (drawn last) to bottom. */
static const char *const ORDER[] = {"overlaps", "outside", "tasks", "coverage", "regions"};
enum { NORDER = sizeof ORDER / sizeof ORDER[0], MAX_TABLE_ROWS = 15 };

/* The page: A4 landscape; the map's box on it (mm). */
static const double PAGE_W = 297, PAGE_H = 210;
static const double MAP_X = 10, MAP_Y = 24, MAP_W = 190, MAP_H = 150;

typedef struct {
    int epsg;      /* 326zz / 327zz */
    double map[4]; /* map extent in the project CRS, at the map box's aspect */
    double lonlat[4];
} frame;

/* ---- the files ---- */

static void side_path(const ccov_output_options *o, const char *name, const char *ext, char *path,
                      size_t n) {
    snprintf(path, n, "%s/%s%s", o->dir, name, ext);
}

static bool has_sidecars(const ccov_output_options *o) { return o->format == CCOV_OUT_GEOJSON; }

ccov_status ccov_qgis_check(ccov_ctx *ctx, const ccov_output_options *o) {
    char path[4096];
    side_path(o, PROJECT_NAME, "", path, sizeof path);
    ccov_status st = ccov_atomic_may_write(ctx, path, o->overwrite);
    for (size_t i = 0; st == CCOV_OK && has_sidecars(o) && i < CCOV_NLAYERS; i++) {
        side_path(o, ccov_layer_names[i], ".qml", path, sizeof path);
        st = ccov_atomic_may_write(ctx, path, o->overwrite);
    }
    return st;
}

/* The regions' percent cleared, for the choropleth's classes (caller frees). */
static double *percents(const ccov_result *res) {
    double *p = malloc((res->nregions ? res->nregions : 1) * sizeof *p);
    for (size_t i = 0; p && i < res->nregions; i++)
        p[i] = res->regions[i].percent_cleared;
    return p;
}

char *ccov_qgis_style(const char *layer, const ccov_result *res) {
    double *p = percents(res);
    char *qml = p ? ccov_io_style_qml_classes(layer, p, res->nregions) : NULL;
    free(p);
    return qml;
}

static ccov_status write_text(ccov_ctx *ctx, const char *path, const char *text, bool overwrite) {
    ccov_atomic_file f;
    ccov_status st = ccov_atomic_open(ctx, path, overwrite, &f);
    if (st != CCOV_OK)
        return st;
    bool ok = fputs(text, f.fp) >= 0;
    return ccov_atomic_close(ctx, &f, ok);
}

static ccov_status write_qml(ccov_ctx *ctx, const ccov_result *res, const ccov_output_options *o) {
    double *p = percents(res);
    ccov_status st = p ? CCOV_OK : ccov_ctx_fail(ctx, CCOV_ERR_IO, "out of memory");
    for (size_t i = 0; st == CCOV_OK && i < res->nlayers; i++) {
        char path[4096], *qml = ccov_io_style_qml_classes(res->layers[i].name, p, res->nregions);
        side_path(o, res->layers[i].name, ".qml", path, sizeof path);
        st = qml ? write_text(ctx, path, qml, o->overwrite)
                 : ccov_ctx_fail(ctx, CCOV_ERR_IO, "out of memory");
        free(qml);
    }
    free(p);
    return st;
}

/* A source as the project may show it: a file's name only, a connection string without its
   password. */
static void source_name(const char *path, char *out, size_t n) {
    if (!path) {
        snprintf(out, n, "?");
        return;
    }
    if (strncmp(path, "PG:", 3) == 0) {
        ccov_text_mask_password(path, out, n);
        return;
    }
    const char *slash = strrchr(path, '/');
    snprintf(out, n, "%s", slash ? slash + 1 : path);
}

/* ---- the frame: UTM zone and extent ---- */

static void grow(double b[4], const double g[4]) {
    b[0] = fmin(b[0], g[0]), b[1] = fmin(b[1], g[1]);
    b[2] = fmax(b[2], g[2]), b[3] = fmax(b[3], g[3]);
}

/* Lon/lat bounds of the regions and of cleared land outside them; false when there is none. */
static bool data_bounds(ccov_ctx *ctx, const ccov_result *res, double b[4]) {
    static const char *const layers[] = {"regions", "outside"};
    b[0] = b[1] = INFINITY, b[2] = b[3] = -INFINITY;
    for (size_t l = 0; l < 2; l++) {
        const ccov_layer_table *t = ccov_result_layer(res, layers[l]);
        for (size_t r = 0; t && r < t->nrows; r++) {
            char problem[128];
            double g[4];
            ccov_geom *geom = ccov_geom_from_wkb(ctx, t->rows[r].wkb, t->rows[r].wkb_size, problem,
                                                 sizeof problem);
            if (geom && ccov_geom_bounds(ctx, geom, g))
                grow(b, g);
            ccov_geom_free(ctx, geom);
        }
    }
    return b[0] <= b[2] && b[1] <= b[3];
}

static int utm_epsg(const double lonlat[4]) {
    double lon = (lonlat[0] + lonlat[2]) / 2, lat = (lonlat[1] + lonlat[3]) / 2;
    int zone = (int)floor((lon + 180) / 6) + 1;
    zone = zone < 1 ? 1 : zone > 60 ? 60 : zone;
    return (lat >= 0 ? 32600 : 32700) + zone;
}

/* The box's edges (20 points each) into the frame, for the extent there. */
static bool project_box(ccov_xform *xf, const double ll[4], double out[4]) {
    enum { N = 20 };
    double x[4 * N], y[4 * N];
    for (int i = 0; i < N; i++) {
        double t = (double)i / N;
        x[i] = ll[0] + t * (ll[2] - ll[0]), y[i] = ll[1];
        x[N + i] = ll[2], y[N + i] = ll[1] + t * (ll[3] - ll[1]);
        x[2 * N + i] = ll[2] - t * (ll[2] - ll[0]), y[2 * N + i] = ll[3];
        x[3 * N + i] = ll[0], y[3 * N + i] = ll[3] - t * (ll[3] - ll[1]);
    }
    if (ccov_xform_points(xf, x, 1, y, 1, 4 * N) != 0)
        return false;
    out[0] = out[1] = INFINITY, out[2] = out[3] = -INFINITY;
    for (int i = 0; i < 4 * N; i++)
        grow(out, (double[4]){x[i], y[i], x[i], y[i]});
    return true;
}

/* A 4 % margin, then widened to the map box's aspect so that the layout shows all of it. */
static void fit_box(double b[4]) {
    double w = b[2] - b[0], h = b[3] - b[1], cx = (b[0] + b[2]) / 2, cy = (b[1] + b[3]) / 2;
    w = fmax(w, 1000) * 1.08, h = fmax(h, 1000) * 1.08;
    if (w / h < MAP_W / MAP_H)
        w = h * MAP_W / MAP_H;
    else
        h = w * MAP_H / MAP_W;
    b[0] = cx - w / 2, b[2] = cx + w / 2, b[1] = cy - h / 2, b[3] = cy + h / 2;
}

static ccov_status make_frame(ccov_ctx *ctx, const ccov_result *res, frame *fr) {
    if (!data_bounds(ctx, res, fr->lonlat))
        fr->lonlat[0] = fr->lonlat[1] = fr->lonlat[2] = fr->lonlat[3] = 0;
    fr->epsg = utm_epsg(fr->lonlat);
    char def[32];
    snprintf(def, sizeof def, "EPSG:%d", fr->epsg);
    ccov_crs *wgs = ccov_crs_create(ctx, "EPSG:4326", "QGIS project");
    ccov_crs *utm = wgs ? ccov_crs_create(ctx, def, "QGIS project") : NULL;
    ccov_xform *xf = utm ? ccov_xform_create(ctx, wgs, utm, NULL, true, "QGIS project") : NULL;
    ccov_status st = xf && project_box(xf, fr->lonlat, fr->map)
                         ? CCOV_OK
                         : ccov_ctx_fail(ctx, CCOV_ERR_CRS, "QGIS project: no extent in %s", def);
    if (st == CCOV_OK)
        fit_box(fr->map);
    ccov_xform_free(xf);
    ccov_crs_free(utm);
    ccov_crs_free(wgs);
    return st;
}

/* ---- project: layers ---- */

static void datasource(FILE *f, const ccov_output_options *o, const char *layer) {
    if (o->format == CCOV_OUT_GPKG)
        fprintf(f, "./clearcov.gpkg|layername=%s", layer);
    else
        fprintf(f, "./%s.geojson", layer);
}

/* A CRS as QGIS reads it: the authority code alone is not enough, the PROJ string makes it. */
/* A layer's id: its name and a fixed suffix in the shape QGIS gives ids (it replaces ids of
   another shape with new random ones). */
#define LAYER_ID "%s_c1ea0000_0000_4000_8000_000000000001"

static void srs(FILE *f, int epsg) {
    fputs("<spatialrefsys><proj4>", f);
    if (epsg == 4326)
        fputs("+proj=longlat +datum=WGS84 +no_defs", f);
    else
        fprintf(f, "+proj=utm +zone=%d%s +datum=WGS84 +units=m +no_defs", epsg % 100,
                epsg / 100 == 327 ? " +south" : "");
    fprintf(f, "</proj4><srid>%d</srid><authid>EPSG:%d</authid></spatialrefsys>", epsg, epsg);
}

static void tree(FILE *f, const ccov_output_options *o) {
    fputs("<layer-tree-group><customproperties/>\n", f);
    for (size_t i = 0; i < NORDER; i++) {
        /* Tasks repeat the coverage piece by piece: there for a click, off at first. */
        const char *checked = strcmp(ORDER[i], "tasks") == 0 ? "Qt::Unchecked" : "Qt::Checked";
        fprintf(f,
                "<layer-tree-layer id=\"" LAYER_ID
                "\" name=\"%s\" providerKey=\"ogr\" checked=\"%s\" "
                "expanded=\"1\" source=\"",
                ORDER[i], ORDER[i], checked);
        datasource(f, o, ORDER[i]);
        fputs("\"><customproperties/></layer-tree-layer>\n", f);
    }
    fputs("</layer-tree-group>\n", f);
}

static ccov_status maplayer(ccov_ctx *ctx, FILE *f, const ccov_output_options *o, const char *name,
                            const double *p, size_t n) {
    char *style = ccov_io_style_elements(name, p, n);
    if (!style)
        return ccov_ctx_fail(ctx, CCOV_ERR_IO, "out of memory");
    fprintf(f,
            "<maplayer type=\"vector\" geometry=\"Polygon\" wkbType=\"MultiPolygon\">"
            "<id>" LAYER_ID "</id><datasource>",
            name);
    datasource(f, o, name);
    fprintf(f, "</datasource><layername>%s</layername><srs>", name);
    srs(f, 4326);
    fprintf(f, "</srs><provider encoding=\"UTF-8\">ogr</provider>%s</maplayer>\n", style);
    free(style);
    return CCOV_OK;
}

static ccov_status project_layers(ccov_ctx *ctx, FILE *f, const ccov_result *res,
                                  const ccov_output_options *o) {
    double *p = percents(res);
    ccov_status st = p ? CCOV_OK : ccov_ctx_fail(ctx, CCOV_ERR_IO, "out of memory");
    fputs("<projectlayers>\n", f);
    for (size_t i = 0; st == CCOV_OK && i < NORDER; i++)
        st = maplayer(ctx, f, o, ORDER[i], p, res->nregions);
    fputs("</projectlayers>\n", f);
    free(p);
    return st;
}

static void canvas(FILE *f, const frame *fr) {
    fprintf(f,
            "<mapcanvas name=\"theMapCanvas\" annotationsVisible=\"1\"><units>meters</units>"
            "<extent><xmin>%.3f</xmin><ymin>%.3f</ymin><xmax>%.3f</xmax><ymax>%.3f</ymax>"
            "</extent><rotation>0</rotation><destinationsrs>",
            fr->map[0], fr->map[1], fr->map[2], fr->map[3]);
    srs(f, fr->epsg);
    fputs("</destinationsrs></mapcanvas>\n", f);
}

/* Relative paths; areas and distances measured on the WGS84 ellipsoid, in hectares and km. */
static void properties(FILE *f) {
    fputs("<properties><Paths><Absolute type=\"bool\">false</Absolute></Paths>"
          "<Measure><Ellipsoid type=\"QString\">EPSG:7030</Ellipsoid></Measure>"
          "<Measurement><AreaUnits type=\"QString\">ha</AreaUnits>"
          "<DistanceUnits type=\"QString\">km</DistanceUnits></Measurement>"
          "<SpatialRefSys><ProjectionsEnabled type=\"int\">1</ProjectionsEnabled></SpatialRefSys>"
          "</properties>\n",
          f);
}

/* ---- project: the print layout ---- */

typedef struct {
    int type;
    const char *id;
    double x, y, w, h;
    bool frame;
} item_box;

enum { T_PAGE = 65638, T_MAP = 65639, T_LABEL = 65641, T_LEGEND = 65642, T_SCALEBAR = 65646 };

static void uuid(FILE *f, const char *id) {
    /* Stable ids: one per item name, in the shape QGIS writes. */
    unsigned h = 2166136261u;
    for (const char *c = id; *c; c++)
        h = (h ^ (unsigned char)*c) * 16777619u;
    fprintf(f, "{%08x-c1ea-4c0f-8000-%012x}", h, (unsigned)strlen(id));
}

/* Opens <LayoutItem ...; the caller adds its own attributes, then item_close. */
static void item_open(FILE *f, const item_box *b) {
    fprintf(f, "<LayoutItem type=\"%d\" id=\"%s\" uuid=\"", b->type, b->id);
    uuid(f, b->id);
    fprintf(f,
            "\" position=\"%g,%g,mm\" positionOnPage=\"%g,%g,mm\" size=\"%g,%g,mm\" "
            "referencePoint=\"0\" zValue=\"1\" visibility=\"1\" positionLock=\"false\" "
            "itemRotation=\"0\" opacity=\"1\" blendMode=\"0\" excludeFromExports=\"0\" "
            "frame=\"%s\" background=\"%s\" outlineWidthM=\"0.3,mm\"",
            b->x, b->y, b->x, b->y, b->w, b->h, b->frame ? "true" : "false",
            b->frame ? "true" : "false");
}

static void item_close(FILE *f) {
    fputs("<FrameColor red=\"51\" green=\"51\" blue=\"51\" alpha=\"255\"/>"
          "<BackgroundColor red=\"255\" green=\"255\" blue=\"255\" alpha=\"255\"/>"
          "</LayoutItem>\n",
          f);
}

static void page(FILE *f) {
    item_box b = {T_PAGE, "page", 0, 0, PAGE_W, PAGE_H, false};
    fputs("<PageCollection><symbol type=\"fill\" name=\"\" alpha=\"1\" clip_to_extent=\"1\" "
          "force_rhr=\"0\"><layer class=\"SimpleFill\" enabled=\"1\" pass=\"0\" locked=\"0\">"
          "<Option type=\"Map\"><Option type=\"QString\" name=\"color\" value=\"255,255,255,255\"/>"
          "<Option type=\"QString\" name=\"style\" value=\"solid\"/>"
          "<Option type=\"QString\" name=\"outline_style\" value=\"no\"/></Option></layer>"
          "</symbol>",
          f);
    item_open(f, &b);
    fputs(">", f);
    item_close(f);
    fputs("</PageCollection>\n", f);
}

static void map_item(FILE *f, const frame *fr) {
    item_box b = {T_MAP, "map", MAP_X, MAP_Y, MAP_W, MAP_H, true};
    item_open(f, &b);
    fprintf(f,
            " keepLayerSet=\"false\" drawCanvasItems=\"true\" mapRotation=\"0\">"
            "<Extent xmin=\"%.3f\" ymin=\"%.3f\" xmax=\"%.3f\" ymax=\"%.3f\"/><crs>",
            fr->map[0], fr->map[1], fr->map[2], fr->map[3]);
    srs(f, fr->epsg);
    fputs("</crs><LayerSet/>", f);
    item_close(f);
}

/* A text label: font "Family,points,-1,5,weight,0,0,0,0,0" as Qt writes it. */
static void label(FILE *f, const item_box *b, const char *family, int points, int weight,
                  const char *text) {
    item_open(f, b);
    fputs(" htmlState=\"0\" marginX=\"1\" marginY=\"1\" halign=\"1\" valign=\"32\" labelText=\"",
          f);
    ccov_render_xml_attr(f, text);
    fprintf(f,
            "\"><LabelFont description=\"%s,%d,-1,5,%d,0,0,0,0,0\" style=\"\"/>"
            "<FontColor red=\"30\" green=\"30\" blue=\"30\" alpha=\"255\"/>",
            family, points, weight);
    item_close(f);
}

static void legend(FILE *f) {
    item_box b = {T_LEGEND, "legend", 206, MAP_Y, 81, 70, false};
    item_open(f, &b);
    fputs(" title=\"Legend\" map_uuid=\"", f);
    uuid(f, "map");
    fputs("\" columnCount=\"1\" resizeToContents=\"1\" legendFilterByMap=\"0\" "
          "symbolWidth=\"7\" symbolHeight=\"4\" wrapChar=\"\">",
          f);
    item_close(f);
}

static void scalebar(FILE *f) {
    item_box b = {T_SCALEBAR, "scalebar", MAP_X, MAP_Y + MAP_H + 3, 90, 12, false};
    item_open(f, &b);
    fputs(" mapUuid=\"", f);
    uuid(f, "map");
    fputs("\" style=\"Single Box\" unitType=\"km\" unitLabel=\"km\" "
          "numMapUnitsPerScaleBarUnit=\"1\" numSegments=\"4\" numSegmentsLeft=\"0\" "
          "numUnitsPerSegment=\"10\" segmentSizeMode=\"1\" minBarWidth=\"50\" maxBarWidth=\"80\" "
          "height=\"3\" labelBarSpace=\"2\" boxContentSpace=\"1\" alignment=\"0\">",
          f);
    item_close(f);
}

/* "12,345.67": hectares with thousands separators, two decimals. */
static void hectares(double ha, char *out, size_t n) {
    char digits[64];
    snprintf(digits, sizeof digits, "%.2f", ha);
    size_t len = strcspn(digits, "."), k = 0;
    for (size_t i = 0; i < len && k + 2 < n; i++) {
        out[k++] = digits[i];
        if (digits[i] != '-' && (len - i - 1) % 3 == 0 && i + 1 < len)
            out[k++] = ',';
    }
    snprintf(out + k, n - k, "%s", digits + len);
}

static int by_net_ha(const void *a, const void *b) {
    const ccov_region_result *x = *(ccov_region_result *const *)a;
    const ccov_region_result *y = *(ccov_region_result *const *)b;
    return (x->net_ha < y->net_ha) - (x->net_ha > y->net_ha);
}

/* The hectare table: regions by net hectares, the largest first (MAX_TABLE_ROWS, then a count
   of the rest), and the total. */
static void table_text(FILE *t, const ccov_result *res) {
    const ccov_region_result **rows = malloc((res->nregions ? res->nregions : 1) * sizeof *rows);
    char ha[64];
    fprintf(t, "%-22s %14s %9s\n", "Region", "Net ha", "% cleared");
    for (size_t i = 0; rows && i < res->nregions; i++)
        rows[i] = &res->regions[i];
    if (rows)
        qsort(rows, res->nregions, sizeof *rows, by_net_ha);
    for (size_t i = 0; rows && i < res->nregions && i < MAX_TABLE_ROWS; i++) {
        hectares(rows[i]->net_ha, ha, sizeof ha);
        fprintf(t, "%-22.22s %14s %9.3f\n", rows[i]->name, ha, rows[i]->percent_cleared);
    }
    if (res->nregions > MAX_TABLE_ROWS)
        fprintf(t, "... and %zu more regions\n", res->nregions - MAX_TABLE_ROWS);
    hectares(res->net_ha, ha, sizeof ha);
    fprintf(t, "%-22s %14s", "All regions", ha);
    free(rows);
}

static void sources_text(FILE *t, const ccov_result *res, int epsg) {
    char regions[1024], cleared[1024];
    source_name(res->regions_input.path, regions, sizeof regions);
    source_name(res->cleared_input.path, cleared, sizeof cleared);
    /* issue 15: the boundary data's credit, and the sample said to be one, as on the SVG map */
    const char *credit = res->regions_input.credit;
    bool sample = ccov_coverage_is_sample(res->cleared_input.path);
    fprintf(t,
            "Sources: regions %s%s%s; cleared land %s%s. Hectares are geodesic areas on WGS84 "
            "(clearcov); the net area counts overlapping tasks once.\nMap: WGS 84 / UTM zone "
            "%d%s (EPSG:%d); layers in WGS84 lon/lat beside this project.",
            regions, credit ? ": " : "", credit ? credit : "", cleared,
            sample ? ": the bundled SYNTHETIC SAMPLE, not real clearance records" : "", epsg % 100,
            epsg / 100 == 326 ? "N" : "S", epsg);
}

typedef void (*text_fn)(FILE *t, const ccov_result *res, int epsg);

static void table_fn(FILE *t, const ccov_result *res, int epsg) {
    (void)epsg;
    table_text(t, res);
}

static void title_fn(FILE *t, const ccov_result *res, int epsg) {
    char ha[64];
    (void)epsg;
    hectares(res->net_ha, ha, sizeof ha);
    fprintf(t, "Cleared land by region: %s ha net in %zu region%s%s", ha, res->nregions,
            res->nregions == 1 ? "" : "s",
            ccov_coverage_is_sample(res->cleared_input.path) ? " (synthetic sample)" : "");
}

/* A label whose text is made by fn. */
static ccov_status text_item(ccov_ctx *ctx, FILE *f, const item_box *b, const char *family,
                             int points, int weight, text_fn fn, const ccov_result *res, int epsg) {
    char *text = NULL;
    size_t len = 0;
    FILE *t = open_memstream(&text, &len);
    if (!t)
        return ccov_ctx_fail(ctx, CCOV_ERR_IO, "out of memory");
    fn(t, res, epsg);
    if (fclose(t) != 0) {
        free(text);
        return ccov_ctx_fail(ctx, CCOV_ERR_IO, "out of memory");
    }
    label(f, b, family, points, weight, text);
    free(text);
    return CCOV_OK;
}

static ccov_status layout(ccov_ctx *ctx, FILE *f, const ccov_result *res, const frame *fr) {
    static const item_box title = {T_LABEL, "title", MAP_X, 8, PAGE_W - 2 * MAP_X, 12, false};
    static const item_box table = {T_LABEL, "hectares", 206, 100, 81, 74, false};
    static const item_box notes = {T_LABEL, "sources", 104, MAP_Y + MAP_H + 3, 183, 20, false};
    fputs("<Layouts><Layout name=\"clearcov\" units=\"mm\" printResolution=\"300\">\n", f);
    page(f);
    map_item(f, fr);
    legend(f);
    scalebar(f);
    ccov_status st = text_item(ctx, f, &title, "Sans Serif", 16, 75, title_fn, res, fr->epsg);
    if (st == CCOV_OK)
        st = text_item(ctx, f, &table, "Monospace", 7, 50, table_fn, res, fr->epsg);
    if (st == CCOV_OK)
        st = text_item(ctx, f, &notes, "Sans Serif", 7, 50, sources_text, res, fr->epsg);
    fputs("</Layout></Layouts>\n", f);
    return st;
}

static ccov_status project(ccov_ctx *ctx, FILE *f, const ccov_result *res,
                           const ccov_output_options *o, const frame *fr) {
    fputs("<!DOCTYPE qgis PUBLIC 'http://mrcc.com/qgis.dtd' 'SYSTEM'>\n"
          "<qgis projectname=\"clearcov\" version=\"3.22.0\">\n"
          "<homePath path=\"\"/><title>clearcov: cleared land by region</title>\n<projectCrs>",
          f);
    srs(f, fr->epsg);
    fputs("</projectCrs>\n", f);
    tree(f, o);
    ccov_status st = project_layers(ctx, f, res, o);
    canvas(f, fr);
    properties(f);
    if (st == CCOV_OK)
        st = layout(ctx, f, res, fr);
    fputs("</qgis>\n", f);
    return st;
}

static ccov_status write_project(ccov_ctx *ctx, const ccov_result *res,
                                 const ccov_output_options *o) {
    frame fr = {0};
    char path[4096];
    ccov_status st = make_frame(ctx, res, &fr);
    ccov_atomic_file af;
    side_path(o, PROJECT_NAME, "", path, sizeof path);
    if (st == CCOV_OK)
        st = ccov_atomic_open(ctx, path, o->overwrite, &af);
    if (st != CCOV_OK)
        return st;
    st = project(ctx, af.fp, res, o, &fr);
    ccov_status closed = ccov_atomic_close(ctx, &af, st == CCOV_OK);
    return st == CCOV_OK ? closed : st;
}

ccov_status ccov_qgis_write(ccov_ctx *ctx, const ccov_result *res, const ccov_output_options *o) {
    ccov_status st = has_sidecars(o) ? write_qml(ctx, res, o) : CCOV_OK;
    return st == CCOV_OK ? write_project(ctx, res, o) : st;
}
