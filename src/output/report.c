/* report: a coverage result as an aligned table, CSV or JSON (json-c), with the helpers of
   output/render.h. */
#include "clearcov/report.h"
#include "output/breakdown.h"
#include "output/render.h"

#include <json-c/json.h>

#include <math.h>
#include <stdbool.h>
#include <stdio.h>
#include <string.h>

static void pad_text(FILE *out, const char *s, int width) {
    ccov_render_text(out, s);
    for (int w = ccov_render_text_width(s); w < width; w++)
        fputc(' ', out);
}

static const char *area_words(const ccov_result *res) {
    return res->area == CCOV_AREA_GEODESIC ? "geodesic, on the WGS84 ellipsoid" : "planar";
}

enum { NCOLS = 6 };
static const char *const HEADS[NCOLS] = {"region (ha)",  "net (ha)",    "gross (ha)",
                                         "overlap (ha)", "cleared (%)", "tasks"};
static const char *const HEADS_RELEASED[NCOLS] = {"region (ha)",  "released (ha)", "gross (ha)",
                                                  "overlap (ha)", "released (%)",  "tasks"};

/* Official areas (issue 13): the table, CSV and JSON show them, beside the measured region_ha,
   only when some region has one (without, the outputs are as before). */
static bool has_official(const ccov_result *res) {
    for (size_t i = 0; i < res->nregions; i++)
        if (isfinite(res->regions[i].official_ha))
            return true;
    return false;
}

/* The official column's cell: the area, or "-" for a region without one. */
static void official_cell(const ccov_region_result *r, char *cell, size_t n) {
    if (isfinite(r->official_ha))
        ccov_report_number(r->official_ha, 2, cell, n);
    else
        snprintf(cell, n, "-");
}

/* With land-release categories the main table shows land released; the category table shows
   what of it was cleared. */
static void row_cells(const ccov_region_result *r, bool released, char cells[NCOLS][48]) {
    ccov_report_number(r->region_ha, 2, cells[0], 48);
    ccov_report_number(r->net_ha, 2, cells[1], 48);
    ccov_report_number(r->gross_ha, 2, cells[2], 48);
    ccov_report_number(r->overlap_ha, 2, cells[3], 48);
    snprintf(cells[4], 48, "%.4f", released ? r->percent_released : r->percent_cleared);
    ccov_report_number((double)r->tasks, 0, cells[5], 48);
}

static ccov_region_result totals_row(const ccov_result *res) {
    ccov_region_result t = {.name = "Total", .iso = "", .net_ha = res->net_ha};
    for (size_t i = 0; i < res->nregions; i++)
        t.region_ha += res->regions[i].region_ha;
    t.gross_ha = res->gross_ha;
    t.overlap_ha = res->overlap_ha;
    t.tasks = res->tasks;
    t.percent_cleared = t.region_ha > 0 ? 100.0 * t.net_ha / t.region_ha : 0;
    t.percent_released = t.percent_cleared;
    if (res->categorised && t.region_ha > 0)
        t.percent_cleared = 100.0 * res->categories[CCOV_CATEGORY_CLEARED].net_ha / t.region_ha;
    /* The total's official area when every region has one; its percentage is then of it. */
    t.official_ha = res->nregions && has_official(res) ? 0 : NAN;
    for (size_t i = 0; i < res->nregions && isfinite(t.official_ha); i++)
        t.official_ha += res->regions[i].official_ha;
    if (isfinite(t.official_ha) && t.official_ha > 0) {
        double cleared =
            res->categorised ? res->categories[CCOV_CATEGORY_CLEARED].net_ha : t.net_ha;
        t.percent_cleared = 100.0 * cleared / t.official_ha;
        t.percent_released = 100.0 * t.net_ha / t.official_ha;
    }
    return t;
}

static void table_row(FILE *out, const ccov_region_result *r, bool released, const int *width) {
    char cells[NCOLS][48];
    row_cells(r, released, cells);
    pad_text(out, r->name, width[0]);
    fputs("  ", out);
    pad_text(out, r->iso, width[1]);
    for (int c = 0; c < NCOLS; c++)
        fprintf(out, "  %*s", width[c + 2], cells[c]);
    if (width[NCOLS + 2] > 0) {
        char cell[48];
        official_cell(r, cell, sizeof cell);
        fprintf(out, "  %*s", width[NCOLS + 2], cell);
    }
    fputc('\n', out);
}

/* --districts: district rows sit under their province's, their names indented. */
#define DISTRICT_INDENT "  "

/* Widen the columns to hold row r (its name indented by `indent` characters). */
static void widen(const ccov_region_result *r, bool released, int indent, int *width) {
    char cells[NCOLS][48];
    row_cells(r, released, cells);
    int wname = ccov_render_text_width(r->name) + indent;
    int wiso = ccov_render_text_width(r->iso);
    width[0] = wname > width[0] ? wname : width[0];
    width[1] = wiso > width[1] ? wiso : width[1];
    for (int c = 0; c < NCOLS; c++)
        if ((int)strlen(cells[c]) > width[c + 2])
            width[c + 2] = (int)strlen(cells[c]);
}

static void districts_widths(const ccov_result *res, int *width) {
    for (size_t i = 0; i < res->ndistricts; i++)
        widen(&res->districts[i].fig, res->categorised, (int)strlen(DISTRICT_INDENT), width);
}

static void table_districts(FILE *out, const ccov_result *res, size_t province, const int *width) {
    int w[NCOLS + 3];
    memcpy(w, width, sizeof w);
    w[0] -= (int)strlen(DISTRICT_INDENT);
    for (size_t i = 0; i < res->ndistricts; i++) {
        if (res->districts[i].province != province)
            continue;
        fputs(DISTRICT_INDENT, out);
        table_row(out, &res->districts[i].fig, res->categorised, w);
    }
}

/* Each district's part outside its province: counted under another province's rows (or outside
   every region), listed so that a district's own total can be rebuilt. */
static void table_outside_parts(FILE *out, const ccov_result *res) {
    bool any = false;
    for (size_t i = 0; i < res->ndistricts; i++) {
        const ccov_district_result *d = &res->districts[i];
        char ha[48], net[48];
        if (d->outside_province_ha <= 0)
            continue;
        if (!any)
            fputs("\nDistrict parts outside their province (counted where they lie):\n", out);
        any = true;
        fputs("  ", out);
        ccov_render_text(out, d->fig.name);
        fputs(" (", out);
        ccov_render_text(out, res->regions[d->province].name);
        fprintf(out, "): %s ha, net cleared %s ha\n",
                ccov_report_number(d->outside_province_ha, 2, ha, sizeof ha),
                ccov_report_number(d->outside_province_net_ha, 2, net, sizeof net));
    }
}

/* The official column's width, 0 when there is no such column. */
static int official_width(const ccov_result *res, const ccov_region_result *total) {
    if (!has_official(res))
        return 0;
    int w = (int)strlen("official (ha)");
    for (size_t i = 0; i <= res->nregions; i++) {
        char cell[48];
        official_cell(i < res->nregions ? &res->regions[i] : total, cell, sizeof cell);
        w = (int)strlen(cell) > w ? (int)strlen(cell) : w;
    }
    return w;
}

static void table_widths(const ccov_result *res, const ccov_region_result *total, int *width) {
    width[0] = (int)strlen("region");
    width[1] = (int)strlen("ISO");
    for (int c = 0; c < NCOLS; c++)
        width[c + 2] = (int)strlen((res->categorised ? HEADS_RELEASED : HEADS)[c]);
    for (size_t i = 0; i <= res->nregions; i++)
        widen(i < res->nregions ? &res->regions[i] : total, res->categorised, 0, width);
    districts_widths(res, width);
}

static void table_input(FILE *out, const char *what, const ccov_input *in) {
    char n1[32], n2[32];
    fprintf(out, "%s ", what);
    ccov_render_source(out, in->path, in->layer, in->crs);
    fputs("; ", out);
    ccov_render_text(out, in->operation);
    fprintf(out, "): %s of %s features used%s%s\n",
            ccov_report_number((double)in->used, 0, n1, sizeof n1),
            ccov_report_number((double)in->features, 0, n2, sizeof n2), in->credit ? "; " : "",
            in->credit ? in->credit : "");
}

static void write_table(const void *result, FILE *out) {
    const ccov_result *res = result;
    const char *const *heads = res->categorised ? HEADS_RELEASED : HEADS;
    ccov_region_result total = totals_row(res);
    int width[NCOLS + 3];
    table_widths(res, &total, width);
    width[NCOLS + 2] = official_width(res, &total);
    fprintf(out, "Hectares %s per region, counted once (area %s, working frame ",
            res->categorised ? "released" : "cleared", area_words(res));
    ccov_render_text(out, res->frame);
    fputs(")\n", out);
    if (width[NCOLS + 2] > 0)
        fputs("cleared (%) is of the official area; region (ha) is the boundary's measured "
              "area\n",
              out);
    fputc('\n', out);
    pad_text(out, "region", width[0]);
    fputs("  ", out);
    pad_text(out, "ISO", width[1]);
    for (int c = 0; c < NCOLS; c++)
        fprintf(out, "  %*s", width[c + 2], heads[c]);
    if (width[NCOLS + 2] > 0)
        fprintf(out, "  %*s", width[NCOLS + 2], "official (ha)");
    fputc('\n', out);
    for (size_t i = 0; i < res->nregions; i++) {
        table_row(out, &res->regions[i], res->categorised, width);
        table_districts(out, res, i, width);
    }
    table_row(out, &total, res->categorised, width);
    table_outside_parts(out, res);
    char ha[48];
    fprintf(out, "\nCleared area outside the regions above: %s ha\n",
            ccov_report_number(res->outside_ha, 2, ha, sizeof ha));
    table_input(out, "Regions:", &res->regions_input);
    table_input(out, "Cleared:", &res->cleared_input);
    if (ccov_coverage_is_sample(res->cleared_input.path))
        fputs("Cleared areas: the bundled synthetic sample, not real clearance records\n", out);
    fprintf(out, "Repaired: %zu feature(s); excluded: %zu feature(s)%s\n", res->nrepaired,
            res->nexcluded,
            res->nrepaired + res->nexcluded ? " (-v or --format json lists them)" : "");
    ccov_breakdown_table(res, out);
}

static void csv_row(FILE *out, const ccov_region_result *r, bool official) {
    ccov_render_csv_text(out, r->name);
    fputc(',', out);
    ccov_render_csv_text(out, r->iso);
    fprintf(out, ",%.6f,%.6f,%.6f,%.6f,%.6f,%lld", r->region_ha, r->net_ha, r->gross_ha,
            r->overlap_ha, r->percent_cleared, r->tasks);
    if (official && isfinite(r->official_ha))
        fprintf(out, ",%.6f", r->official_ha);
    else if (official)
        fputc(',', out);
    fputc('\n', out);
}

/* --districts: a level and a province column first, then the figures, then the district's own
   area and its part outside the province. */
static void csv_district_row(FILE *out, const char *level, const char *province,
                             const ccov_region_result *r, const ccov_district_result *d) {
    fprintf(out, "%s,", level);
    ccov_render_csv_text(out, province);
    fputc(',', out);
    ccov_render_csv_text(out, r->name);
    fputc(',', out);
    ccov_render_csv_text(out, r->iso);
    fprintf(out, ",%.6f,%.6f,%.6f,%.6f,%.6f,%lld", r->region_ha, r->net_ha, r->gross_ha,
            r->overlap_ha, r->percent_cleared, r->tasks);
    if (d)
        fprintf(out, ",%.6f,%.6f,%.6f,%.6f\n", d->district_ha, d->outside_province_ha,
                d->outside_province_net_ha, d->outside_province_gross_ha);
    else
        fputs(",,,,\n", out);
}

static void write_csv_districts(const ccov_result *res, FILE *out) {
    if (ccov_breakdown_csv_districts(res, out))
        return;
    fputs("level,province,region,iso,region_ha,net_ha,gross_ha,overlap_ha,percent_cleared,tasks,"
          "district_ha,outside_province_ha,outside_province_net_ha,outside_province_gross_ha\n",
          out);
    for (size_t p = 0; p < res->nregions; p++) {
        const char *name = res->regions[p].name;
        csv_district_row(out, "province", name, &res->regions[p], NULL);
        for (size_t i = 0; i < res->ndistricts; i++)
            if (res->districts[i].province == p)
                csv_district_row(out, "district", name, &res->districts[i].fig, &res->districts[i]);
    }
    ccov_region_result total = totals_row(res);
    total.name = "(total)";
    csv_district_row(out, "total", "", &total, NULL);
    fprintf(out, "outside,,(outside),,,%.6f,,,,,,,,\n", res->outside_ha);
}

static void write_csv(const void *result, FILE *out) {
    const ccov_result *res = result;
    if (res->ndistricts) {
        write_csv_districts(res, out);
        return;
    }
    if (ccov_breakdown_csv(res, out))
        return;
    bool official = has_official(res);
    fputs("region,iso,region_ha,net_ha,gross_ha,overlap_ha,percent_cleared,tasks", out);
    fputs(official ? ",official_ha\n" : "\n", out);
    for (size_t i = 0; i < res->nregions; i++)
        csv_row(out, &res->regions[i], official);
    ccov_region_result total = totals_row(res);
    total.name = "(total)";
    csv_row(out, &total, official);
    /* The area outside every region has no region size, gross or tasks of its own. */
    fprintf(out, "(outside),,,%.6f,,,,%s\n", res->outside_ha, official ? "," : "");
}

static void json_put(json_object *obj, const char *key, json_object *value) {
    json_object_object_add(obj, key, value);
}

static json_object *json_region(const ccov_result *res, const ccov_region_result *r) {
    json_object *o = json_object_new_object();
    json_put(o, "name", json_object_new_string(r->name));
    json_put(o, "iso", json_object_new_string(r->iso));
    json_put(o, "fid", json_object_new_int64(r->fid));
    json_put(o, "region_ha", ccov_render_json_number(r->region_ha));
    json_put(o, "net_ha", ccov_render_json_number(r->net_ha));
    json_put(o, "gross_ha", ccov_render_json_number(r->gross_ha));
    json_put(o, "overlap_ha", ccov_render_json_number(r->overlap_ha));
    json_put(o, "tasks", json_object_new_int64(r->tasks));
    json_put(o, "percent_cleared", ccov_render_json_number(r->percent_cleared));
    ccov_breakdown_json_region(res, r, o);
    if (isfinite(r->official_ha))
        json_put(o, "official_ha", ccov_render_json_number(r->official_ha));
    return o;
}

/* --districts: a province's district rows, nested in its region object. */
static json_object *json_districts(const ccov_result *res, size_t province) {
    json_object *a = json_object_new_array();
    for (size_t i = 0; i < res->ndistricts; i++) {
        const ccov_district_result *d = &res->districts[i];
        if (d->province != province)
            continue;
        json_object *o = json_region(res, &d->fig);
        json_put(o, "rest_of_province", json_object_new_boolean(d->rest));
        json_put(o, "district_ha", ccov_render_json_number(d->district_ha));
        json_put(o, "outside_province_ha", ccov_render_json_number(d->outside_province_ha));
        json_put(o, "outside_province_net_ha", ccov_render_json_number(d->outside_province_net_ha));
        json_put(o, "outside_province_gross_ha",
                 ccov_render_json_number(d->outside_province_gross_ha));
        json_object_array_add(a, o);
    }
    return a;
}

static json_object *json_notes(const ccov_note *notes, size_t n) {
    json_object *a = json_object_new_array();
    for (size_t i = 0; i < n; i++) {
        json_object *o = json_object_new_object();
        json_put(o, "source", json_object_new_string(notes[i].source));
        json_put(o, "fid", json_object_new_int64(notes[i].fid));
        json_put(o, "reason", json_object_new_string(notes[i].reason));
        json_object_array_add(a, o);
    }
    return a;
}

static json_object *json_result(const void *result) {
    const ccov_result *res = result;
    json_object *root = ccov_render_json_header(
        &(ccov_render_run){res->area, res->frame, NULL, &res->regions_input, &res->cleared_input});
    json_object *regions = json_object_new_array();
    for (size_t i = 0; i < res->nregions; i++) {
        json_object *o = json_region(res, &res->regions[i]);
        if (res->ndistricts)
            json_put(o, "districts", json_districts(res, i));
        json_object_array_add(regions, o);
    }
    json_put(root, "regions", regions);
    json_object *totals = json_object_new_object();
    json_put(totals, "net_ha", ccov_render_json_number(res->net_ha));
    json_put(totals, "gross_ha", ccov_render_json_number(res->gross_ha));
    json_put(totals, "overlap_ha", ccov_render_json_number(res->overlap_ha));
    json_put(totals, "outside_ha", ccov_render_json_number(res->outside_ha));
    json_put(totals, "tasks", json_object_new_int64(res->tasks));
    json_put(root, "totals", totals);
    json_put(root, "repaired", json_notes(res->repaired, res->nrepaired));
    json_put(root, "excluded", json_notes(res->excluded, res->nexcluded));
    ccov_breakdown_json_root(res, root);
    return root;
}

ccov_status ccov_report_write(ccov_ctx *ctx, const ccov_result *res, ccov_format format,
                              FILE *out) {
    static const ccov_render_writers writers = {json_result, write_csv, write_table};
    return ccov_render_write(ctx, &writers, res, format, out);
}
