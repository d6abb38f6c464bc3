/* audit: the summary by check (table, CSV), everything as JSON, and the flagged features as a
   layer for QGIS. */
#include "clearcov/atomic.h"
#include "clearcov/audit.h"
#include "io/attrs.h"
#include "io/io.h"

#include "output/pg.h"
#include "output/render.h"

#include <json-c/json.h>

#include <errno.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <sys/stat.h>

/* "invalid,sliver": the ids of the checks in `checks`, into buf. */
static const char *check_list(unsigned checks, char *buf, size_t n) {
    size_t used = 0;
    buf[0] = '\0';
    for (int c = 0; c < CCOV_NCHECKS && used < n; c++)
        if (checks & (1u << c)) {
            int w = snprintf(buf + used, n - used, "%s%s", used ? "," : "",
                             ccov_audit_check_id((ccov_check)c));
            used += w > 0 ? (size_t)w : 0;
        }
    return buf;
}

/* ---- table and CSV: the summary by check ---- */

static const char *flagged_text(const ccov_audit_result *r, int c, char *buf, size_t n) {
    if (!r->ran[c])
        return "-";
    return ccov_report_number((double)r->flagged[c], 0, buf, n);
}

/* What was read, its names and values escaped for the terminal (ccov_render_text). */
static void write_header(const ccov_audit_result *r, FILE *out) {
    char n1[32];
    const char *const fields[][2] = {{"id", r->id_field},
                                     {"; reported area", r->area_field},
                                     {" (", r->unit_field},
                                     {"); region attribute", r->region_attr},
                                     {"; dates", r->date_fields}};
    fputs("Audit of ", out);
    ccov_render_source(out, r->path, r->layer, r->crs);
    fprintf(out, "): %s feature(s); regions: ",
            ccov_report_number((double)r->features, 0, n1, sizeof n1));
    ccov_render_text(out, r->regions_path);
    fprintf(out, " (%zu)\nFields read: ", r->nregions);
    for (size_t i = 0; i < sizeof fields / sizeof *fields; i++) {
        fputs(fields[i][0], out);
        fputs(fields[i][0][0] == ' ' ? "" : " ", out);
        ccov_render_text(out, *fields[i][1] ? fields[i][1] : "-");
    }
    fputs("\n\n", out);
}

static void write_table(const void *res, FILE *out) {
    const ccov_audit_result *r = res;
    char n1[32], n2[32];
    write_header(r, out);
    fprintf(out, "%-20s  %8s  %s\n", "check", "flagged", "description");
    for (int c = 0; c < CCOV_NCHECKS; c++) {
        fprintf(out, "%-20s  %8s  %s", ccov_audit_check_id((ccov_check)c),
                flagged_text(r, c, n1, sizeof n1), ccov_audit_check_description((ccov_check)c));
        if (!r->ran[c]) {
            fputs(" [not run: ", out);
            ccov_render_text(out, r->why_not[c] ? r->why_not[c] : "");
            fputc(']', out);
        }
        fputc('\n', out);
    }
    fprintf(out, "\nFeatures flagged by at least one check: %s of %s%s\n",
            ccov_report_number((double)r->nflags, 0, n1, sizeof n1),
            ccov_report_number((double)r->features, 0, n2, sizeof n2),
            r->nflags ? " (-v lists them; --format json or --out DIR gives each with details)"
                      : "");
}

static void write_csv(const void *res, FILE *out) {
    const ccov_audit_result *r = res;
    fputs("check,flagged,ran,description\n", out);
    for (int c = 0; c < CCOV_NCHECKS; c++) {
        const char *text = ccov_audit_check_description((ccov_check)c);
        fprintf(out, "%s,%lld,%s,\"", ccov_audit_check_id((ccov_check)c), r->flagged[c],
                r->ran[c] ? "true" : "false");
        for (const char *p = text; *p; p++) {
            if (*p == '"')
                fputc('"', out);
            fputc(*p, out);
        }
        fputs("\"\n", out);
    }
}

/* ---- JSON ---- */

static void put(json_object *o, const char *key, json_object *value) {
    json_object_object_add(o, key, value);
}

static json_object *json_thresholds(const ccov_audit_options *o) {
    json_object *t = json_object_new_object();
    put(t, "max_edge_m", json_object_new_double(o->max_edge_m));
    put(t, "area_tolerance_pct", json_object_new_double(o->area_tolerance_pct));
    put(t, "near_duplicate_pct", json_object_new_double(o->near_duplicate_pct));
    put(t, "sliver_thinness", json_object_new_double(o->sliver_thinness));
    put(t, "sliver_width_m", json_object_new_double(o->sliver_width_m));
    put(t, "min_year", json_object_new_int(o->min_year));
    put(t, "max_year", json_object_new_int(o->max_year));
    return t;
}

static json_object *json_checks(const ccov_audit_result *r) {
    json_object *a = json_object_new_array();
    for (int c = 0; c < CCOV_NCHECKS; c++) {
        json_object *o = json_object_new_object();
        put(o, "id", json_object_new_string(ccov_audit_check_id((ccov_check)c)));
        put(o, "description", json_object_new_string(ccov_audit_check_description((ccov_check)c)));
        put(o, "ran", json_object_new_boolean(r->ran[c]));
        put(o, "flagged", json_object_new_int64(r->flagged[c]));
        put(o, "why_not", r->why_not[c] ? json_object_new_string(r->why_not[c]) : NULL);
        json_object_array_add(a, o);
    }
    return a;
}

static json_object *json_flags(const ccov_audit_result *r) {
    json_object *a = json_object_new_array();
    for (size_t i = 0; i < r->nflags; i++) {
        const ccov_audit_flag *f = &r->flags[i];
        json_object *o = json_object_new_object(), *checks = json_object_new_array();
        put(o, "fid", json_object_new_int64(f->fid));
        put(o, "id", f->id ? json_object_new_string(f->id) : NULL);
        for (int c = 0; c < CCOV_NCHECKS; c++)
            if (f->checks & (1u << c))
                json_object_array_add(checks,
                                      json_object_new_string(ccov_audit_check_id((ccov_check)c)));
        put(o, "checks", checks);
        put(o, "details", json_object_new_string(f->details));
        json_object_array_add(a, o);
    }
    return a;
}

static json_object *json_result(const void *res) {
    const ccov_audit_result *r = res;
    json_object *root = ccov_render_json_header(NULL), *src = json_object_new_object();
    json_object *fields = json_object_new_object();
    put(src, "path", json_object_new_string(r->path));
    put(src, "layer", json_object_new_string(r->layer));
    put(src, "crs", json_object_new_string(r->crs));
    put(src, "features", json_object_new_int64(r->features));
    put(root, "source", src);
    json_object *regions = json_object_new_object();
    put(regions, "path", json_object_new_string(r->regions_path));
    put(regions, "count", json_object_new_int64((int64_t)r->nregions));
    put(root, "regions", regions);
    put(fields, "id", json_object_new_string(r->id_field));
    put(fields, "reported_area", json_object_new_string(r->area_field));
    put(fields, "reported_unit", json_object_new_string(r->unit_field));
    put(fields, "region_attr", json_object_new_string(r->region_attr));
    put(fields, "dates", json_object_new_string(r->date_fields));
    put(root, "fields", fields);
    put(root, "thresholds", json_thresholds(&r->options));
    put(root, "checks", json_checks(r));
    put(root, "flagged_features", json_object_new_int64((int64_t)r->nflags));
    put(root, "flagged", json_flags(r));
    return root;
}

ccov_status ccov_audit_write(ccov_ctx *ctx, const ccov_audit_result *res, ccov_format format,
                             FILE *out) {
    static const ccov_render_writers writers = {json_result, write_csv, write_table};
    return ccov_render_write(ctx, &writers, res, format, out);
}

/* ---- the layer of flagged features ---- */

const char *ccov_audit_layer_path(const ccov_output_options *o, char *buf, size_t n) {
    snprintf(buf, n, "%s/%s", o->dir,
             o->format == CCOV_OUT_GPKG ? "audit.gpkg" : "flagged.geojson");
    return buf;
}

static const ccov_attrs_field FIELDS[] = {{"source_fid", CCOV_VALUE_INT, false},
                                          {"id", CCOV_VALUE_STRING, false},
                                          {"checks", CCOV_VALUE_STRING, true},
                                          {"details", CCOV_VALUE_STRING, false}};
enum { NFIELDS = sizeof FIELDS / sizeof FIELDS[0] };

typedef struct {
    const ccov_audit_result *r;
    size_t next;
    char fid[32], checks[512];
    const char *values[NFIELDS];
} flag_reader;

static bool next_flag(void *user, ccov_attrs_feature *out) {
    flag_reader *fr = user;
    if (fr->next >= fr->r->nflags)
        return false;
    const ccov_audit_flag *f = &fr->r->flags[fr->next++];
    snprintf(fr->fid, sizeof fr->fid, "%lld", f->fid);
    fr->values[0] = fr->fid;
    fr->values[1] = f->id;
    fr->values[2] = check_list(f->checks, fr->checks, sizeof fr->checks);
    fr->values[3] = f->details;
    *out = (ccov_attrs_feature){(long long)fr->next, f->wkb, f->wkb_size, fr->values};
    return true;
}

/* The flagged features' QGIS style: one colour per check, each feature coloured by its first
   check in the summary's order (the checks field lists them in that order). free() it. */
static char *flagged_style(void) {
    const char *values[CCOV_NCHECKS], *labels[CCOV_NCHECKS];
    char text[CCOV_NCHECKS][256];
    for (int c = 0; c < CCOV_NCHECKS; c++) {
        values[c] = ccov_audit_check_id((ccov_check)c);
        snprintf(text[c], sizeof text[c], "%s: %s", values[c],
                 ccov_audit_check_description((ccov_check)c));
        labels[c] = text[c];
    }
    return ccov_io_style_qml_categories("array_first(\"checks\")", values, labels, CCOV_NCHECKS);
}

/* For GeoJSON, the style goes beside the layer as flagged.qml, which QGIS loads with it. */
const char *ccov_audit_style_path(const ccov_output_options *o, char *buf, size_t n) {
    if (o->format == CCOV_OUT_GPKG)
        return NULL;
    snprintf(buf, n, "%s/flagged.qml", o->dir);
    return buf;
}

static ccov_status write_sidecar(ccov_ctx *ctx, const ccov_output_options *o, const char *qml) {
    char path[4096];
    ccov_atomic_file f;
    if (!ccov_audit_style_path(o, path, sizeof path))
        return CCOV_OK;
    ccov_status st = ccov_atomic_open(ctx, path, o->overwrite, &f);
    return st == CCOV_OK ? ccov_atomic_close(ctx, &f, fputs(qml, f.fp) >= 0) : st;
}

/* ---- the flagged features as a table of a PostGIS database ---- */

static const char *const DB_TABLE[] = {"flagged"};

ccov_status ccov_audit_check_layer(ccov_ctx *ctx, const ccov_output_options *o) {
    return ccov_pg_check(ctx, o->dir, o->schema, o->overwrite, DB_TABLE, 1);
}

static ccov_status write_database(ccov_ctx *ctx, const ccov_audit_result *res,
                                  const ccov_output_options *o) {
    ccov_column columns[NFIELDS];
    for (size_t i = 0; i < NFIELDS; i++)
        columns[i] = (ccov_column){(char *)FIELDS[i].name, FIELDS[i].type};
    ccov_pg_out *db = ccov_pg_open(ctx, o->dir, o->schema, o->overwrite, DB_TABLE, 1);
    ccov_status st =
        db ? ccov_pg_table(ctx, db, DB_TABLE[0], columns, NFIELDS, false) : CCOV_ERR_IO;
    flag_reader fr = {.r = res};
    ccov_attrs_feature f;
    while (st == CCOV_OK && next_flag(&fr, &f))
        st = ccov_pg_row(ctx, db, f.fid, f.wkb, f.wkb_size, f.values);
    if (st == CCOV_OK) /* a list: an array, as in GeoJSON */
        st = ccov_pg_text_array(ctx, db, DB_TABLE[0], "checks");
    if (st != CCOV_OK) {
        ccov_pg_abort(db);
        return st;
    }
    return ccov_pg_commit(ctx, db);
}

ccov_status ccov_audit_write_layer(ccov_ctx *ctx, const ccov_audit_result *res,
                                   const ccov_output_options *o) {
    if (ccov_output_is_database(o->dir))
        return write_database(ctx, res, o);
    struct stat st;
    if (stat(o->dir, &st) == 0 && !S_ISDIR(st.st_mode))
        return ccov_ctx_fail(ctx, CCOV_ERR_IO, "%s: exists and is not a folder", o->dir);
    if (stat(o->dir, &st) != 0 && mkdir(o->dir, 0777) != 0)
        return ccov_ctx_fail(ctx, CCOV_ERR_IO, "%s: cannot create folder: %s", o->dir,
                             strerror(errno));
    char path[4096];
    ccov_audit_layer_path(o, path, sizeof path);
    flag_reader fr = {.r = res};
    char *qml = flagged_style();
    if (!qml)
        return ccov_ctx_fail(ctx, CCOV_ERR_IO, "out of memory");
    ccov_status s = ccov_io_attrs_write_boxed(
        ctx, path, o->format == CCOV_OUT_GPKG ? "GPKG" : "GeoJSON", "flagged", FIELDS, NFIELDS,
        o->precision, o->overwrite, next_flag, &fr, qml, res->has_extent ? res->extent : NULL);
    if (s == CCOV_OK)
        s = write_sidecar(ctx, o, qml);
    free(qml);
    return s;
}
