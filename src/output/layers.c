/* io: the result layers as GeoJSON files (RFC 7946) or one GeoPackage, written atomically. */
#define _XOPEN_SOURCE 700 /* realpath */
#include "clearcov/atomic.h"
#include "clearcov/names.h"
#include "clearcov/output.h"
#include "io/io.h"
#include "output/pg.h"
#include "output/qgis.h"

#include <cpl_conv.h>
#include <cpl_string.h>

#include <errno.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <sys/stat.h>
#include <unistd.h>

enum { MAX_FILES = 8 };

/* GDAL stamps GeoPackages with the time of writing; a fixed stamp keeps the bytes reproducible. */
#define FIXED_DATE "2000-01-01T00:00:00.000Z"

static ccov_status ensure_dir(ccov_ctx *ctx, const char *dir) {
    struct stat st;
    if (stat(dir, &st) == 0)
        return S_ISDIR(st.st_mode)
                   ? CCOV_OK
                   : ccov_ctx_fail(ctx, CCOV_ERR_IO, "%s: exists and is not a folder", dir);
    if (mkdir(dir, 0777) != 0)
        return ccov_ctx_fail(ctx, CCOV_ERR_IO, "%s: cannot create folder: %s", dir,
                             strerror(errno));
    return CCOV_OK;
}

static void target_path(const ccov_output_options *o, const char *layer, char *path, size_t n) {
    if (o->format == CCOV_OUT_GPKG)
        snprintf(path, n, "%s/clearcov.gpkg", o->dir);
    else
        snprintf(path, n, "%s/%s.geojson", o->dir, layer);
}

bool ccov_output_is_database(const char *target) { return ccov_io_is_database(target); }

ccov_status ccov_output_database_guard(ccov_ctx *ctx, const ccov_output_options *opts,
                                       const char *src, const char *layer, const char *option) {
    if (!src || !layer || !opts->dir || !ccov_io_is_database(src) ||
        !ccov_io_is_database(opts->dir))
        return CCOV_OK;
    const char *dot = strchr(layer, '.');
    const char *table = dot ? dot + 1 : layer;
    const char *out_schema = opts->schema ? opts->schema : "public";
    if (dot && ((size_t)(dot - layer) != strlen(out_schema) ||
                strncmp(layer, out_schema, (size_t)(dot - layer)) != 0))
        return CCOV_OK;
    char shown[1024];
    ccov_text_mask_password(opts->dir, shown, sizeof shown);
    for (size_t i = 0; i < CCOV_NLAYERS; i++)
        if (strcmp(table, ccov_layer_names[i]) == 0)
            return ccov_ctx_fail(ctx, CCOV_ERR_IO,
                                 "%s: table %s.%s is the input %s; inputs are never "
                                 "overwritten: write the tables to another --out-schema",
                                 shown, out_schema, table, option);
    return CCOV_OK;
}

ccov_status ccov_output_check(ccov_ctx *ctx, const ccov_output_options *o) {
    if (ccov_io_is_database(o->dir))
        return ccov_pg_check(ctx, o->dir, o->schema, o->overwrite, ccov_layer_names, CCOV_NLAYERS);
    struct stat st;
    if (stat(o->dir, &st) == 0 && !S_ISDIR(st.st_mode))
        return ccov_ctx_fail(ctx, CCOV_ERR_IO, "%s: exists and is not a folder", o->dir);
    ccov_status status = CCOV_OK;
    for (size_t i = 0; status == CCOV_OK && i < CCOV_NLAYERS; i++) {
        char path[4096];
        target_path(o, ccov_layer_names[i], path, sizeof path);
        status = ccov_atomic_may_write(ctx, path, o->overwrite);
    }
    return status == CCOV_OK ? ccov_qgis_check(ctx, o) : status;
}

static ccov_status table_fields(ccov_ctx *ctx, const ccov_layer_table *t, ccov_field_def **out) {
    *out = calloc(t->ncolumns ? t->ncolumns : 1, sizeof **out);
    if (!*out)
        return ccov_ctx_fail(ctx, CCOV_ERR_IO, "out of memory");
    for (size_t c = 0; c < t->ncolumns; c++)
        (*out)[c] = (ccov_field_def){t->columns[c].name, t->columns[c].type};
    return CCOV_OK;
}

/* One layer of the result into the writer's current dataset. */
static ccov_status write_table(ccov_ctx *ctx, ccov_writer *w, const ccov_layer_table *t,
                               const char *const *options) {
    ccov_field_def *fields = NULL;
    ccov_status st = table_fields(ctx, t, &fields);
    if (st == CCOV_OK)
        st = ccov_io_writer_layer(ctx, w, t->name, "EPSG:4326", true, fields, t->ncolumns, options);
    for (size_t r = 0; st == CCOV_OK && r < t->nrows; r++) {
        const ccov_row *row = &t->rows[r];
        st = ccov_io_writer_add(ctx, w, row->id, row->wkb, row->wkb_size,
                                (const char *const *)row->values);
    }
    free(fields);
    return st;
}

static const ccov_field_def STYLE_FIELDS[] = {{"f_table_catalog", CCOV_VALUE_STRING},
                                              {"f_table_schema", CCOV_VALUE_STRING},
                                              {"f_table_name", CCOV_VALUE_STRING},
                                              {"f_geometry_column", CCOV_VALUE_STRING},
                                              {"styleName", CCOV_VALUE_STRING},
                                              {"styleQML", CCOV_VALUE_STRING},
                                              {"styleSLD", CCOV_VALUE_STRING},
                                              {"useAsDefault", CCOV_VALUE_BOOL},
                                              {"description", CCOV_VALUE_STRING},
                                              {"owner", CCOV_VALUE_STRING},
                                              {"ui", CCOV_VALUE_STRING},
                                              {"update_time", CCOV_VALUE_STRING}};
enum { NSTYLE_FIELDS = sizeof STYLE_FIELDS / sizeof STYLE_FIELDS[0] };

/* QGIS reads a layer's default style from this table when it opens the layer. */
static ccov_status write_styles(ccov_ctx *ctx, ccov_writer *w, const ccov_result *res) {
    ccov_status st = ccov_io_writer_layer(ctx, w, "layer_styles", NULL, false, STYLE_FIELDS,
                                          NSTYLE_FIELDS, NULL);
    for (size_t i = 0; st == CCOV_OK && i < res->nlayers; i++) {
        const char *name = res->layers[i].name;
        char *qml = ccov_qgis_style(name, res);
        char style_name[64];
        snprintf(style_name, sizeof style_name, "clearcov %s", name);
        const char *values[NSTYLE_FIELDS] = {
            "",         "",         name,
            "geom",     style_name, qml,
            "",         "true",     "default style written by clearcov",
            "clearcov", NULL,       FIXED_DATE};
        st = qml ? ccov_io_writer_add(ctx, w, (long long)i + 1, NULL, 0, values)
                 : ccov_ctx_fail(ctx, CCOV_ERR_IO, "out of memory");
        free(qml);
    }
    return st;
}

static ccov_status write_gpkg(ccov_ctx *ctx, const ccov_result *res, const ccov_output_options *o) {
    char path[4096];
    target_path(o, "clearcov", path, sizeof path);
    static const char *const options[] = {"SPATIAL_INDEX=YES", NULL};
    CPLSetThreadLocalConfigOption("OGR_CURRENT_DATE", FIXED_DATE);
    ccov_writer *w = ccov_io_writer_create(ctx, path, "GPKG", o->overwrite);
    ccov_status st = w ? CCOV_OK : CCOV_ERR_IO;
    for (size_t i = 0; st == CCOV_OK && i < res->nlayers; i++)
        st = write_table(ctx, w, &res->layers[i], options);
    if (st == CCOV_OK)
        st = write_styles(ctx, w, res);
    if (st == CCOV_OK) {
        st = ccov_io_writer_publish(ctx, w);
        w = NULL;
    }
    ccov_io_writer_abort(w);
    CPLSetThreadLocalConfigOption("OGR_CURRENT_DATE", NULL);
    return st;
}

static ccov_status geojson_one(ccov_ctx *ctx, const ccov_layer_table *t,
                               const ccov_output_options *o, ccov_writer **w) {
    char path[4096], precision[48];
    target_path(o, t->name, path, sizeof path);
    snprintf(precision, sizeof precision, "COORDINATE_PRECISION=%d", o->precision);
    const char *const options[] = {"RFC7946=YES", "WRITE_BBOX=YES", precision, NULL};
    /* Coordinates are already on the output grid: no further "tidying" of printed numbers. */
    CPLSetThreadLocalConfigOption("OGR_WKT_ROUND", "FALSE");
    *w = ccov_io_writer_create(ctx, path, "GeoJSON", o->overwrite);
    ccov_status st = *w ? write_table(ctx, *w, t, options) : CCOV_ERR_IO;
    CPLSetThreadLocalConfigOption("OGR_WKT_ROUND", NULL);
    return st == CCOV_OK ? ccov_io_writer_close(ctx, *w) : st;
}

/* A publish failed (the count includes the failed one): without --overwrite, the files this run
   published before it are removed again, as for the files of one dataset (with --overwrite the
   old files are gone already; the new ones stay). */
static void unpublish(const ccov_result *res, const ccov_output_options *o, size_t published) {
    char path[4096];
    for (size_t i = 0; !o->overwrite && i + 1 < published; i++) {
        target_path(o, res->layers[i].name, path, sizeof path);
        unlink(path);
    }
}

/* A layer with no geometry (nothing matched) gets the regions' bbox, the extent the run covered
   (GDAL writes none for it): a collection always has the bbox RFC 7946 allows and the README
   promises. */
static ccov_status empty_bboxes(ccov_ctx *ctx, const ccov_result *res, const ccov_output_options *o,
                                ccov_writer **w, size_t n) {
    double ll[4];
    bool found = false;
    for (size_t i = 0; !found && i < n; i++)
        found = strcmp(res->layers[i].name, "regions") == 0 && ccov_io_writer_bbox_get(w[i], ll);
    ccov_status st = CCOV_OK;
    for (size_t i = 0; found && st == CCOV_OK && i < n; i++)
        st = ccov_io_writer_bbox_fill(ctx, w[i], ll, o->precision);
    return st;
}

/* All files are completed under temporary names before the first is renamed into place. */
static ccov_status write_geojson(ccov_ctx *ctx, const ccov_result *res,
                                 const ccov_output_options *o) {
    ccov_writer *w[MAX_FILES] = {0};
    size_t n = res->nlayers < MAX_FILES ? res->nlayers : MAX_FILES;
    ccov_status st = ccov_output_check(ctx, o);
    for (size_t i = 0; st == CCOV_OK && i < n; i++)
        st = geojson_one(ctx, &res->layers[i], o, &w[i]);
    if (st == CCOV_OK)
        st = empty_bboxes(ctx, res, o, w, n);
    ccov_atomic_hold(); /* the set is published whole or not at all */
    size_t published = 0;
    for (; st == CCOV_OK && published < n; published++) {
        st = ccov_io_writer_publish(ctx, w[published]);
        w[published] = NULL;
    }
    if (st != CCOV_OK)
        unpublish(res, o, published);
    ccov_atomic_release();
    for (size_t i = 0; i < n; i++)
        ccov_io_writer_abort(w[i]);
    return st;
}

ccov_status ccov_output_write(ccov_ctx *ctx, const ccov_result *res,
                              const ccov_output_options *opts) {
    if (!res->layers)
        return ccov_ctx_fail(ctx, CCOV_ERR_USAGE, "no result layers to write");
    if (opts->precision < CCOV_OUTPUT_MIN_PRECISION || opts->precision > 15)
        return ccov_ctx_fail(ctx, CCOV_ERR_USAGE, "--precision: %d is not within %d..15",
                             opts->precision, CCOV_OUTPUT_MIN_PRECISION);
    if (ccov_io_is_database(opts->dir))
        return ccov_pg_write_result(ctx, res, opts);
    ccov_status st = ensure_dir(ctx, opts->dir);
    if (st != CCOV_OK)
        return st;
    st = opts->format == CCOV_OUT_GPKG ? write_gpkg(ctx, res, opts) : write_geojson(ctx, res, opts);
    return st == CCOV_OK ? ccov_qgis_write(ctx, res, opts) : st;
}

/* ---- outputs against inputs, before any work ---- */

typedef struct {
    char path[PATH_MAX];
    char canonical[PATH_MAX + NAME_MAX + 2]; /* folder resolved (realpath) + last name */
    const char *option;
    size_t target; /* index of the target it belongs to */
} out_name;

static void canonical(const char *path, char *out, size_t n) {
    char dir[PATH_MAX], real[PATH_MAX];
    const char *slash = strrchr(path, '/');
    snprintf(dir, sizeof dir, "%.*s", slash ? (int)(slash - path) + (slash == path) : 1,
             slash ? path : ".");
    if (realpath(dir, real))
        snprintf(out, n, "%s/%s", real, slash ? slash + 1 : path);
    else
        snprintf(out, n, "%s", path);
}

/* Every file the targets will write (side files included), in names[] (at most max). */
static size_t output_names(const ccov_output_target *targets, size_t ntargets, out_name *names,
                           size_t max) {
    size_t n = 0;
    for (size_t t = 0; t < ntargets; t++) {
        char **files = targets[t].dataset ? ccov_io_output_files(targets[t].path, targets[t].driver)
                                          : CSLAddString(NULL, targets[t].path);
        for (char **f = files; f && *f && n < max; f++, n++) {
            snprintf(names[n].path, sizeof names[n].path, "%s", *f);
            canonical(*f, names[n].canonical, sizeof names[n].canonical);
            names[n].option = targets[t].option;
            names[n].target = t;
        }
        ccov_io_files_free(files);
    }
    return n;
}

static bool same_inode(const char *a, const char *b) {
    struct stat sa, sb;
    return stat(a, &sa) == 0 && stat(b, &sb) == 0 && sa.st_dev == sb.st_dev &&
           sa.st_ino == sb.st_ino;
}

/* No output is a file the input `src` is read from. */
static ccov_status not_input(ccov_ctx *ctx, const char *src, const out_name *names, size_t n) {
    char **files = ccov_io_source_files(src);
    ccov_status st = CCOV_OK;
    for (size_t i = 0; i < n && st == CCOV_OK; i++)
        for (char **f = files; f && *f && st == CCOV_OK; f++)
            if (same_inode(names[i].path, *f))
                st = ccov_ctx_fail(ctx, CCOV_ERR_IO, "%s: is %s %s; inputs are never overwritten",
                                   names[i].path,
                                   strcmp(*f, src) == 0 ? "the input" : "a file of the input", src);
    ccov_io_files_free(files);
    return st;
}

/* No two outputs name one file. */
static ccov_status distinct(ccov_ctx *ctx, const out_name *names, size_t n) {
    for (size_t i = 0; i < n; i++)
        for (size_t k = i + 1; k < n; k++)
            if (names[i].target != names[k].target &&
                (strcmp(names[i].canonical, names[k].canonical) == 0 ||
                 same_inode(names[i].path, names[k].path)))
                return ccov_ctx_fail(ctx, CCOV_ERR_IO,
                                     "%s: both %s and %s would write it; give one another name",
                                     names[k].path, names[i].option, names[k].option);
    return CCOV_OK;
}

ccov_status ccov_output_guard(ccov_ctx *ctx, const char *const *inputs, size_t ninputs,
                              const ccov_output_target *targets, size_t ntargets) {
    enum { MAX_NAMES = 32 };
    ccov_status st = CCOV_OK;
    for (size_t t = 0; t < ntargets && st == CCOV_OK; t++)
        st = ccov_atomic_check_path(ctx, targets[t].path);
    out_name *names = st == CCOV_OK ? calloc(MAX_NAMES, sizeof *names) : NULL;
    if (st == CCOV_OK && !names)
        return ccov_ctx_fail(ctx, CCOV_ERR_IO, "out of memory");
    size_t n = names ? output_names(targets, ntargets, names, MAX_NAMES) : 0;
    for (size_t i = 0; i < ninputs && st == CCOV_OK; i++)
        st = inputs[i] ? not_input(ctx, inputs[i], names, n) : CCOV_OK;
    if (st == CCOV_OK)
        st = distinct(ctx, names, n);
    free(names);
    return st;
}
