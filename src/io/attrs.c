/* io_attrs: attribute-only reads, filter checks, date fields and a list-aware layer writer. */
#include "io/attrs.h"
#include "clearcov/atomic.h"
#include "core/internal.h"
#include "io/io.h"
#include "io/session.h"

#include <cpl_conv.h>
#include <cpl_error.h>
#include <cpl_string.h>
#include <cpl_vsi.h>
#include <gdal.h>
#include <ogr_api.h>
#include <ogr_srs_api.h>

#include <ctype.h>
#include <errno.h>
#include <stdarg.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <strings.h>
#include <sys/stat.h>
#include <unistd.h>

#define FIXED_DATE "2000-01-01T00:00:00.000Z"

static const char *gdal_reason(const char *fallback) {
    const char *msg = CPLGetLastErrorMsg();
    return (msg && *msg) ? msg : fallback;
}

/* A layer name that is a query (ccov_io_layer_name of a --cleared-sql source). */
static bool is_query(const char *layer) {
    const char *p = layer ? layer + strspn(layer, " \t\r\n(") : "";
    return (STARTS_WITH_CI(p, "SELECT") || STARTS_WITH_CI(p, "WITH")) && strchr(p, ' ');
}

/* The result set of a query, in a session that cannot write (as ccov_io_open_query runs it). */
static OGRLayerH query_result(GDALDatasetH ds, const char *sql) {
    ccov_io_read_only_session(ds);
    return GDALDatasetExecuteSQL(ds, sql, NULL, NULL);
}

static void close_layer(GDALDatasetH ds, OGRLayerH lyr, const char *layer) {
    if (lyr && is_query(layer))
        GDALDatasetReleaseResultSet(ds, lyr);
    GDALClose(ds);
}

/* Open `src` read-only and pick `layer` (or its only layer, or run it when it is a query). NULL
   with a message on failure; close with close_layer(). */
static GDALDatasetH open_layer(ccov_ctx *ctx, const char *src, const char *layer, OGRLayerH *out) {
    CPLErrorReset();
    GDALDatasetH ds = GDALOpenEx(src, GDAL_OF_VECTOR | GDAL_OF_READONLY, NULL, NULL, NULL);
    if (!ds) {
        ccov_ctx_fail(ctx, CCOV_ERR_IO, "%s: %s", src,
                      gdal_reason("not a vector data source GDAL can read"));
        return NULL;
    }
    *out = is_query(layer)                     ? query_result(ds, layer)
           : layer                             ? GDALDatasetGetLayerByName(ds, layer)
           : GDALDatasetGetLayerCount(ds) == 1 ? GDALDatasetGetLayer(ds, 0)
                                               : NULL;
    if (!*out) {
        ccov_ctx_fail(ctx, CCOV_ERR_IO, "%s: %s", src,
                      layer ? "no such layer" : "not a single-layer source; name the layer");
        GDALClose(ds);
        return NULL;
    }
    return ds;
}

static ccov_status set_filter(ccov_ctx *ctx, OGRLayerH lyr, const char *src, const char *where) {
    CPLErrorReset();
    if (where && *where && OGR_L_SetAttributeFilter(lyr, where) != OGRERR_NONE)
        return ccov_io_where_refused(ctx, src, lyr, where);
    return CCOV_OK;
}

ccov_status ccov_io_attrs_check_where(ccov_ctx *ctx, const char *src, const char *layer,
                                      const char *where) {
    OGRLayerH lyr = NULL;
    GDALDatasetH ds = open_layer(ctx, src, layer, &lyr);
    if (!ds)
        return CCOV_ERR_IO;
    ccov_status st = set_filter(ctx, lyr, src, where);
    if (st == CCOV_OK) {
        CPLErrorReset();
        OGRFeatureH f = OGR_L_GetNextFeature(lyr);
        if (!f && CPLGetLastErrorType() >= CE_Failure)
            st = ccov_io_where_refused(ctx, src, lyr, where);
        OGR_F_Destroy(f);
    }
    close_layer(ds, lyr, layer);
    return st;
}

/* The index of the first candidate field the layer has, or -1. */
static int find_field(OGRLayerH lyr, const char *const *candidates) {
    OGRFeatureDefnH defn = OGR_L_GetLayerDefn(lyr);
    for (size_t c = 0; candidates && candidates[c]; c++)
        for (int i = 0; i < OGR_FD_GetFieldCount(defn); i++)
            if (EQUAL(OGR_Fld_GetNameRef(OGR_FD_GetFieldDefn(defn, i)), candidates[c]))
                return i;
    return -1;
}

/* Read the values of one feature into values[] (previous ones freed). False when out of memory. */
static bool feature_values(OGRFeatureH f, const int *idx, size_t n, char **values) {
    for (size_t i = 0; i < n; i++) {
        free(values[i]);
        values[i] = NULL;
        if (idx[i] < 0 || !OGR_F_IsFieldSetAndNotNull(f, idx[i]))
            continue;
        values[i] = strdup(OGR_F_GetFieldAsString(f, idx[i]));
        if (!values[i])
            return false;
    }
    return true;
}

/* Walk the filtered layer, geometry ignored, calling fn for each feature. */
static ccov_status read_all(ccov_ctx *ctx, OGRLayerH lyr, const char *src, const int *idx, size_t n,
                            char **values, ccov_attrs_fn fn, void *user) {
    const char *ignored[] = {"OGR_GEOMETRY", NULL};
    OGR_L_SetIgnoredFields(lyr, ignored);
    OGR_L_ResetReading(lyr);
    for (;;) {
        CPLErrorReset();
        OGRFeatureH f = OGR_L_GetNextFeature(lyr);
        if (!f)
            return CPLGetLastErrorType() >= CE_Failure
                       ? ccov_ctx_fail(ctx, CCOV_ERR_IO, "%s: read error: %s", src,
                                       gdal_reason("unknown"))
                       : CCOV_OK;
        long long fid = (long long)OGR_F_GetFID(f);
        bool ok = feature_values(f, idx, n, values);
        OGR_F_Destroy(f);
        if (!ok)
            return ccov_ctx_fail(ctx, CCOV_ERR_IO, "%s: out of memory", src);
        if (!fn(user, fid, values))
            return CCOV_OK;
    }
}

ccov_status ccov_io_attrs_read(ccov_ctx *ctx, const char *src, const char *layer, const char *where,
                               const char *const *const *fields, size_t n, bool *found,
                               ccov_attrs_fn fn, void *user) {
    OGRLayerH lyr = NULL;
    GDALDatasetH ds = open_layer(ctx, src, layer, &lyr);
    if (!ds)
        return CCOV_ERR_IO;
    int *idx = calloc(n ? n : 1, sizeof *idx);
    char **values = calloc(n ? n : 1, sizeof *values);
    ccov_status st = idx && values ? set_filter(ctx, lyr, src, where)
                                   : ccov_ctx_fail(ctx, CCOV_ERR_IO, "%s: out of memory", src);
    for (size_t i = 0; st == CCOV_OK && i < n; i++) {
        idx[i] = find_field(lyr, fields[i]);
        if (found)
            found[i] = idx[i] >= 0;
    }
    if (st == CCOV_OK)
        st = read_all(ctx, lyr, src, idx, n, values, fn, user);
    for (size_t i = 0; values && i < n; i++)
        free(values[i]);
    free(values);
    free(idx);
    close_layer(ds, lyr, layer);
    return st;
}

/* Append `name` to the comma-separated list *buf (grown as needed). */
static bool list_append(char **buf, size_t *len, const char *name) {
    size_t add = strlen(name) + 2;
    char *grown = realloc(*buf, *len + add + 1);
    if (!grown)
        return false;
    *buf = grown;
    *len += (size_t)snprintf(grown + *len, add + 1, "%s%s", *len ? "," : "", name);
    return true;
}

char *ccov_io_attrs_date_fields(ccov_ctx *ctx, const char *src, const char *layer) {
    OGRLayerH lyr = NULL;
    GDALDatasetH ds = open_layer(ctx, src, layer, &lyr);
    if (!ds)
        return NULL;
    OGRFeatureDefnH defn = OGR_L_GetLayerDefn(lyr);
    char *list = calloc(1, 1);
    size_t len = 0;
    for (int i = 0; list && i < OGR_FD_GetFieldCount(defn); i++) {
        OGRFieldDefnH fd = OGR_FD_GetFieldDefn(defn, i);
        OGRFieldType t = OGR_Fld_GetType(fd);
        if ((t == OFTDate || t == OFTDateTime) &&
            !list_append(&list, &len, OGR_Fld_GetNameRef(fd))) {
            free(list); /* list_append leaves the old block in place when it fails */
            list = NULL;
        }
    }
    close_layer(ds, lyr, layer);
    if (!list)
        ccov_ctx_fail(ctx, CCOV_ERR_IO, "%s: out of memory", src);
    return list;
}

/* ---- writing ---- */

typedef struct {
    GDALDatasetH ds;
    OGRLayerH lyr;
    const char *path;
    char dir[PATH_MAX]; /* private temporary folder beside path */
    char tmp[PATH_MAX]; /* dir/<name of path> */
    bool overwrite;
    char mem[96]; /* GeoJSON is written in memory first: its driver does not report failed writes */
    bool json_lists; /* list fields as JSON text (GeoPackage) instead of string lists */
    bool in_transaction;
    const ccov_attrs_field *fields;
    size_t nfields;
    /* issue 15: the bbox of a GeoJSON collection with no geometry (NULL: none) */
    const double *bbox;
    int precision;
} layer_writer;

static OGRFieldDefnH field_defn(const ccov_attrs_field *f, bool json_lists) {
    OGRFieldType t = f->list                      ? (json_lists ? OFTString : OFTStringList)
                     : f->type == CCOV_VALUE_REAL ? OFTReal
                     : f->type == CCOV_VALUE_INT  ? OFTInteger64
                     : f->type == CCOV_VALUE_BOOL ? OFTInteger
                                                  : OFTString;
    OGRFieldDefnH fd = OGR_Fld_Create(f->name, t);
    if (f->list && json_lists)
        OGR_Fld_SetSubType(fd, OFSTJSON);
    else if (f->type == CCOV_VALUE_BOOL)
        OGR_Fld_SetSubType(fd, OFSTBoolean);
    return fd;
}

static ccov_status writer_layer(ccov_ctx *ctx, layer_writer *w, const char *layer, char **options) {
    OGRSpatialReferenceH srs = OSRNewSpatialReference(NULL);
    OSRSetAxisMappingStrategy(srs, OAMS_TRADITIONAL_GIS_ORDER);
    OSRImportFromEPSG(srs, 4326);
    CPLErrorReset();
    w->lyr = GDALDatasetCreateLayer(w->ds, layer, srs, wkbUnknown, options);
    OSRDestroySpatialReference(srs);
    if (!w->lyr)
        return ccov_ctx_fail(ctx, CCOV_ERR_IO, "%s: %s", w->path,
                             ccov_io_write_reason(ctx, "cannot create layer"));
    for (size_t i = 0; i < w->nfields; i++) {
        OGRFieldDefnH fd = field_defn(&w->fields[i], w->json_lists);
        OGRErr err = OGR_L_CreateField(w->lyr, fd, TRUE);
        OGR_Fld_Destroy(fd);
        if (err != OGRERR_NONE)
            return ccov_ctx_fail(ctx, CCOV_ERR_IO, "%s: %s", w->path,
                                 ccov_io_write_reason(ctx, "cannot create field"));
    }
    return CCOV_OK;
}

/* "a,b" as the JSON array text ["a","b"] (items are plain identifiers). CPLFree the result. */
static char *json_list(const char *value) {
    char **items = CSLTokenizeString2(value, ",", 0);
    size_t n = strlen(value) * 3 + 8, used = 1;
    char *text = CPLMalloc(n);
    snprintf(text, n, "[");
    for (int i = 0; items && items[i]; i++)
        used += (size_t)snprintf(text + used, n - used, "%s\"%s\"", i ? "," : "", items[i]);
    snprintf(text + used, n - used, "]");
    CSLDestroy(items);
    return text;
}

static void set_value(const layer_writer *w, OGRFeatureH f, int i, const char *value) {
    const ccov_attrs_field *fd = &w->fields[i];
    if (!fd->list) {
        OGR_F_SetFieldString(f, i,
                             fd->type != CCOV_VALUE_BOOL  ? value
                             : strcmp(value, "true") == 0 ? "1"
                                                          : "0");
    } else if (w->json_lists) {
        char *text = json_list(value);
        OGR_F_SetFieldString(f, i, text);
        CPLFree(text);
    } else {
        char **items = CSLTokenizeString2(value, ",", 0);
        OGR_F_SetFieldStringList(f, i, items);
        CSLDestroy(items);
    }
}

static ccov_status write_feature(ccov_ctx *ctx, layer_writer *w, const ccov_attrs_feature *in) {
    OGRFeatureH f = OGR_F_Create(OGR_L_GetLayerDefn(w->lyr));
    if (in->fid >= 0)
        OGR_F_SetFID(f, (GIntBig)in->fid);
    OGRGeometryH g = NULL;
    if (in->wkb && OGR_G_CreateFromWkbEx(in->wkb, NULL, &g, in->wkb_size) == OGRERR_NONE)
        OGR_F_SetGeometryDirectly(f, g);
    for (size_t i = 0; i < w->nfields; i++)
        if (in->values[i])
            set_value(w, f, (int)i, in->values[i]);
    CPLErrorReset();
    ccov_status st = CCOV_OK;
    if (OGR_L_CreateFeature(w->lyr, f) != OGRERR_NONE)
        st = ccov_ctx_fail(ctx, CCOV_ERR_IO, "%s: write error: %s", w->path,
                           ccov_io_write_reason(ctx, "feature refused"));
    OGR_F_Destroy(f);
    return st;
}

static ccov_status writer_open(ccov_ctx *ctx, layer_writer *w, const char *driver, bool overwrite) {
    if (ccov_atomic_check_path(ctx, w->path) != CCOV_OK ||
        ccov_atomic_may_write(ctx, w->path, overwrite) != CCOV_OK)
        return CCOV_ERR_IO;
    GDALDriverH drv = GDALGetDriverByName(driver);
    if (!drv)
        return ccov_ctx_fail(ctx, CCOV_ERR_IO, "%s: GDAL has no %s driver", w->path, driver);
    w->overwrite = overwrite;
    int err = ccov_atomic_temp_dir(w->path, w->dir, sizeof w->dir);
    if (!err)
        err = ccov_atomic_temp_file(w->dir, w->path, w->tmp, sizeof w->tmp);
    if (err)
        return ccov_ctx_fail(ctx, CCOV_ERR_IO, "%s: cannot write: %s", w->path, strerror(err));
    if (strcmp(driver, "GeoJSON") == 0)
        snprintf(w->mem, sizeof w->mem, "/vsimem/clearcov-%ld-%p.geojson", (long)getpid(),
                 (void *)w);
    CPLErrorReset();
    ctx->gdal_errno = 0;
    w->ds = GDALCreate(drv, w->mem[0] ? w->mem : w->tmp, 0, 0, 0, GDT_Unknown, NULL);
    if (!w->ds)
        return ccov_ctx_fail(ctx, CCOV_ERR_IO, "%s: cannot create: %s", w->path,
                             ccov_io_write_reason(ctx, "GDAL refused to create it"));
    return CCOV_OK;
}

/* The in-memory file into the temporary file, every write checked (a full disk, a file-size
   limit). The memory file is released. */
static ccov_status copy_out(ccov_ctx *ctx, layer_writer *w, ccov_status st) {
    vsi_l_offset len = 0;
    GByte *buf = VSIGetMemFileBuffer(w->mem, &len, TRUE);
    if (st != CCOV_OK || !buf) {
        CPLFree(buf);
        return st != CCOV_OK ? st : ccov_ctx_fail(ctx, CCOV_ERR_IO, "%s: nothing written", w->path);
    }
    errno = 0; /* so that a failure reports its own cause, not an older one */
    FILE *fp = fopen(w->tmp, "wb");
    bool ok = fp && fwrite(buf, 1, (size_t)len, fp) == (size_t)len;
    ok = fp && fflush(fp) == 0 && fsync(fileno(fp)) == 0 && ok;
    int err = errno;
    ok = fp && fclose(fp) == 0 && ok;
    CPLFree(buf);
    return ok ? CCOV_OK
              : ccov_ctx_fail(ctx, CCOV_ERR_IO, "%s: write error: %s", w->path,
                              strerror(err ? err : errno));
}

/* Commit and close; rename into place when all went well, else remove the temporary file. */
static ccov_status writer_finish(ccov_ctx *ctx, layer_writer *w, ccov_status st) {
    if (w->ds) {
        CPLErrorReset();
        bool committed = !w->in_transaction || GDALDatasetCommitTransaction(w->ds) == OGRERR_NONE;
        GDALClose(w->ds);
        if (st == CCOV_OK && (!committed || CPLGetLastErrorType() >= CE_Failure))
            st = ccov_ctx_fail(ctx, CCOV_ERR_IO, "%s: write error: %s", w->path,
                               ccov_io_write_reason(ctx, "unknown"));
    }
    if (w->mem[0])
        st = copy_out(ctx, w, st);
    if (st == CCOV_OK && w->mem[0] && w->bbox)
        st = ccov_io_geojson_bbox_fill(ctx, w->tmp, w->path, w->bbox, w->precision);
    int err = st == CCOV_OK ? ccov_atomic_publish(w->tmp, w->path, w->overwrite) : 0;
    if (err == EEXIST)
        st = ccov_atomic_appeared(ctx, w->path);
    else if (err)
        st = ccov_ctx_fail(ctx, CCOV_ERR_IO, "%s: cannot move into place: %s", w->path,
                           strerror(err));
    ccov_atomic_remove_dir(w->dir);
    return st;
}

static const char *const STYLE_FIELDS[] = {"f_table_catalog",   "f_table_schema", "f_table_name",
                                           "f_geometry_column", "styleName",      "styleQML",
                                           "useAsDefault",      "description",    "update_time"};
enum { NSTYLE_FIELDS = sizeof STYLE_FIELDS / sizeof STYLE_FIELDS[0] };

/* QGIS's layer_styles table with the layer's default style, in the GeoPackage being written. */
static ccov_status write_style(ccov_ctx *ctx, layer_writer *w, const char *layer, const char *qml) {
    CPLErrorReset();
    OGRLayerH t = GDALDatasetCreateLayer(w->ds, "layer_styles", NULL, wkbNone, NULL);
    for (size_t i = 0; t && i < NSTYLE_FIELDS; i++) {
        OGRFieldDefnH fd = OGR_Fld_Create(STYLE_FIELDS[i], i == 6 ? OFTInteger : OFTString);
        if (i == 6)
            OGR_Fld_SetSubType(fd, OFSTBoolean);
        t = OGR_L_CreateField(t, fd, TRUE) == OGRERR_NONE ? t : NULL;
        OGR_Fld_Destroy(fd);
    }
    const char *values[NSTYLE_FIELDS] = {
        "", "", layer, "geom", layer, qml, NULL, "default style written by clearcov", FIXED_DATE};
    OGRFeatureH f = t ? OGR_F_Create(OGR_L_GetLayerDefn(t)) : NULL;
    for (size_t i = 0; f && i < NSTYLE_FIELDS; i++)
        if (values[i])
            OGR_F_SetFieldString(f, (int)i, values[i]);
    if (f)
        OGR_F_SetFieldInteger(f, 6, 1);
    bool ok = f && OGR_L_CreateFeature(t, f) == OGRERR_NONE;
    OGR_F_Destroy(f);
    return ok ? CCOV_OK
              : ccov_ctx_fail(ctx, CCOV_ERR_IO, "%s: write error: %s", w->path,
                              ccov_io_write_reason(ctx, "cannot write layer_styles"));
}

ccov_status ccov_io_attrs_write_layer(ccov_ctx *ctx, const char *path, const char *driver,
                                      const char *layer, const ccov_attrs_field *fields,
                                      size_t nfields, int precision, bool overwrite,
                                      ccov_attrs_next_fn next, void *user) {
    return ccov_io_attrs_write_styled(ctx, path, driver, layer, fields, nfields, precision,
                                      overwrite, next, user, NULL);
}

ccov_status ccov_io_attrs_write_styled(ccov_ctx *ctx, const char *path, const char *driver,
                                       const char *layer, const ccov_attrs_field *fields,
                                       size_t nfields, int precision, bool overwrite,
                                       ccov_attrs_next_fn next, void *user, const char *qml) {
    return ccov_io_attrs_write_boxed(ctx, path, driver, layer, fields, nfields, precision,
                                     overwrite, next, user, qml, NULL);
}

ccov_status ccov_io_attrs_write_boxed(ccov_ctx *ctx, const char *path, const char *driver,
                                      const char *layer, const ccov_attrs_field *fields,
                                      size_t nfields, int precision, bool overwrite,
                                      ccov_attrs_next_fn next, void *user, const char *qml,
                                      const double *bbox) {
    bool gpkg = strcmp(driver, "GPKG") == 0;
    layer_writer w = {.path = path,
                      .json_lists = gpkg,
                      .fields = fields,
                      .nfields = nfields,
                      .bbox = bbox,
                      .precision = precision};
    char prec[48];
    snprintf(prec, sizeof prec, "COORDINATE_PRECISION=%d", precision);
    char *geojson_opts[] = {"RFC7946=YES", "WRITE_BBOX=YES", prec, NULL};
    char *gpkg_opts[] = {"SPATIAL_INDEX=YES", NULL};
    if (gpkg)
        CPLSetThreadLocalConfigOption("OGR_CURRENT_DATE", FIXED_DATE);
    ccov_status st = writer_open(ctx, &w, driver, overwrite);
    if (st == CCOV_OK) {
        w.in_transaction = GDALDatasetStartTransaction(w.ds, FALSE) == OGRERR_NONE;
        st = writer_layer(ctx, &w, layer, gpkg ? gpkg_opts : geojson_opts);
    }
    ccov_attrs_feature f;
    while (st == CCOV_OK && next(user, &f))
        st = write_feature(ctx, &w, &f);
    if (st == CCOV_OK && gpkg && qml)
        st = write_style(ctx, &w, layer, qml);
    st = writer_finish(ctx, &w, st);
    if (gpkg)
        CPLSetThreadLocalConfigOption("OGR_CURRENT_DATE", NULL);
    return st;
}
