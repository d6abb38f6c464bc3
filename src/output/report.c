/* report: a coverage result as an aligned table, CSV or JSON (json-c), with the helpers of
   output/render.h. */
#include "clearcov/report.h"
#include "output/render.h"

#include <json-c/json.h>

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

static void row_cells(const ccov_region_result *r, char cells[NCOLS][48]) {
    ccov_report_number(r->region_ha, 2, cells[0], 48);
    ccov_report_number(r->net_ha, 2, cells[1], 48);
    ccov_report_number(r->gross_ha, 2, cells[2], 48);
    ccov_report_number(r->overlap_ha, 2, cells[3], 48);
    snprintf(cells[4], 48, "%.4f", r->percent_cleared);
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
    return t;
}

static void table_row(FILE *out, const ccov_region_result *r, const int *width) {
    char cells[NCOLS][48];
    row_cells(r, cells);
    pad_text(out, r->name, width[0]);
    fputs("  ", out);
    pad_text(out, r->iso, width[1]);
    for (int c = 0; c < NCOLS; c++)
        fprintf(out, "  %*s", width[c + 2], cells[c]);
    fputc('\n', out);
}

static void table_widths(const ccov_result *res, const ccov_region_result *total, int *width) {
    width[0] = (int)strlen("region");
    width[1] = (int)strlen("ISO");
    for (int c = 0; c < NCOLS; c++)
        width[c + 2] = (int)strlen(HEADS[c]);
    for (size_t i = 0; i <= res->nregions; i++) {
        const ccov_region_result *r = i < res->nregions ? &res->regions[i] : total;
        char cells[NCOLS][48];
        row_cells(r, cells);
        int wname = ccov_render_text_width(r->name);
        int wiso = ccov_render_text_width(r->iso);
        width[0] = wname > width[0] ? wname : width[0];
        width[1] = wiso > width[1] ? wiso : width[1];
        for (int c = 0; c < NCOLS; c++)
            if ((int)strlen(cells[c]) > width[c + 2])
                width[c + 2] = (int)strlen(cells[c]);
    }
}

static void table_input(FILE *out, const char *what, const ccov_input *in) {
    char n1[32], n2[32];
    fprintf(out, "%s ", what);
    ccov_render_source(out, in->path, in->layer, in->crs);
    fputs("; ", out);
    ccov_render_text(out, in->operation);
    fprintf(out, "): %s of %s features used\n",
            ccov_report_number((double)in->used, 0, n1, sizeof n1),
            ccov_report_number((double)in->features, 0, n2, sizeof n2));
}

static void write_table(const ccov_result *res, FILE *out) {
    ccov_region_result total = totals_row(res);
    int width[NCOLS + 2];
    table_widths(res, &total, width);
    fprintf(out, "Hectares cleared per region, counted once (area %s, working frame ",
            area_words(res));
    ccov_render_text(out, res->frame);
    fputs(")\n\n", out);
    pad_text(out, "region", width[0]);
    fputs("  ", out);
    pad_text(out, "ISO", width[1]);
    for (int c = 0; c < NCOLS; c++)
        fprintf(out, "  %*s", width[c + 2], HEADS[c]);
    fputc('\n', out);
    for (size_t i = 0; i < res->nregions; i++)
        table_row(out, &res->regions[i], width);
    table_row(out, &total, width);
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
}

static void csv_row(FILE *out, const ccov_region_result *r) {
    ccov_render_csv_text(out, r->name);
    fputc(',', out);
    ccov_render_csv_text(out, r->iso);
    fprintf(out, ",%.6f,%.6f,%.6f,%.6f,%.6f,%lld\n", r->region_ha, r->net_ha, r->gross_ha,
            r->overlap_ha, r->percent_cleared, r->tasks);
}

static void write_csv(const ccov_result *res, FILE *out) {
    fputs("region,iso,region_ha,net_ha,gross_ha,overlap_ha,percent_cleared,tasks\n", out);
    for (size_t i = 0; i < res->nregions; i++)
        csv_row(out, &res->regions[i]);
    ccov_region_result total = totals_row(res);
    total.name = "(total)";
    csv_row(out, &total);
    /* The area outside every region has no region size, gross or tasks of its own. */
    fprintf(out, "(outside),,,%.6f,,,,\n", res->outside_ha);
}

static void json_put(json_object *obj, const char *key, json_object *value) {
    json_object_object_add(obj, key, value);
}

static json_object *json_region(const ccov_region_result *r) {
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
    return o;
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

static json_object *json_result(const ccov_result *res) {
    json_object *root = ccov_render_json_header(
        &(ccov_render_run){res->area, res->frame, NULL, &res->regions_input, &res->cleared_input});
    json_object *regions = json_object_new_array();
    for (size_t i = 0; i < res->nregions; i++)
        json_object_array_add(regions, json_region(&res->regions[i]));
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
    return root;
}

ccov_status ccov_report_write(ccov_ctx *ctx, const ccov_result *res, ccov_format format,
                              FILE *out) {
    ccov_status st = CCOV_OK;
    if (format == CCOV_FORMAT_JSON)
        st = ccov_render_json(ctx, json_result(res), out);
    else if (format == CCOV_FORMAT_CSV)
        write_csv(res, out);
    else
        write_table(res, out);
    return ccov_render_finish(ctx, st, out);
}
