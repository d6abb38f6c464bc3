/* io: everything that talks to GDAL/OGR. */
#include "io/io.h"
#include "clearcov/atomic.h"
#include "clearcov/names.h"
#include "core/internal.h"
#include "io/arrow.h"
#include "io/session.h"
#include "io/shx.h"
#include "io/where.h"

#include <cpl_conv.h>
#include <cpl_error.h>
#include <cpl_string.h>
#include <gdal.h>
#include <ogr_api.h>
#include <ogr_srs_api.h>

#include <errno.h>
#include <stdbool.h>
#include <stdint.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <sys/stat.h>
#include <unistd.h>

struct ccov_layer {
    GDALDatasetH ds;
    OGRLayerH lyr;
    char *source;
    int *selected; /* field indices, -1 for none */
    size_t nselected;
    bool filtered; /* an attribute filter is set: it may need any field */
    bool arrow_tried;
    ccov_arrow_reader *arrow; /* geometries only, through the Arrow stream */
    bool latin1;              /* some text was not UTF-8 and was read as Latin-1 (said once) */
    ccov_ctx *ctx;
    ccov_shx_fix *shx_fix; /* a shapefile read through a rebuilt index (io_shx.c) */
    char *sql;             /* lyr is the result set of this query (released with the dataset) */
    int geom_field;        /* the geometry column read */
    bool geography;        /* it is a PostGIS geography column: lon/lat on WGS84 by definition */
    char crs_problem[256]; /* GDAL could not read the CRS the source declares */
};

/* The text of GDAL's last error, or `fallback` when GDAL said nothing. */
static const char *gdal_reason(const char *fallback) {
    const char *msg = CPLGetLastErrorMsg();
    return (msg && *msg) ? msg : fallback;
}

const char *ccov_io_write_reason(const ccov_ctx *ctx, const char *fallback) {
    return ctx->gdal_errno ? strerror(ctx->gdal_errno) : gdal_reason(fallback);
}

static bool looks_like_file(const char *src) {
    return strncmp(src, "PG:", 3) != 0 && strncmp(src, "/vsi", 4) != 0 && strchr(src, ':') == NULL;
}

ccov_status ccov_io_check_input(ccov_ctx *ctx, const char *path) {
    struct stat st;
    if (stat(path, &st) != 0)
        return CCOV_OK;
    const char *kind = S_ISFIFO(st.st_mode)   ? "a named pipe (FIFO)"
                       : S_ISSOCK(st.st_mode) ? "a socket"
                       : S_ISCHR(st.st_mode)  ? "a character device"
                                              : NULL;
    if (!kind)
        return CCOV_OK;
    return ccov_ctx_fail(ctx, CCOV_ERR_IO,
                         "%s: %s, not a file: inputs are read from files (a pipe could block "
                         "the run, and a source is read more than once); save the data to a "
                         "file first",
                         path, kind);
}

static ccov_status check_file(ccov_ctx *ctx, const char *src) {
    struct stat st;
    if (stat(src, &st) != 0)
        return ccov_ctx_fail(ctx, CCOV_ERR_IO, "%s: %s", src, strerror(errno));
    if (ccov_io_check_input(ctx, src) != CCOV_OK)
        return CCOV_ERR_IO;
    if (access(src, R_OK) != 0)
        return ccov_ctx_fail(ctx, CCOV_ERR_IO, "%s: not readable: %s", src, strerror(errno));
    if (S_ISREG(st.st_mode) && st.st_size == 0)
        return ccov_ctx_fail(ctx, CCOV_ERR_IO, "%s: empty file (0 bytes)", src);
    return CCOV_OK;
}

static void layer_names(GDALDatasetH ds, char *buf, size_t n) {
    size_t used = 0;
    buf[0] = '\0';
    for (int i = 0; i < GDALDatasetGetLayerCount(ds) && used < n; i++) {
        const char *name = OGR_L_GetName(GDALDatasetGetLayer(ds, i));
        int w = snprintf(buf + used, n - used, "%s%s", i ? ", " : "", name);
        used += w > 0 ? (size_t)w : 0;
    }
}

static OGRLayerH pick_layer(ccov_ctx *ctx, GDALDatasetH ds, const char *src, const char *layer,
                            const char *layer_option) {
    char names[512];
    int count = GDALDatasetGetLayerCount(ds);
    if (count == 0) {
        ccov_ctx_fail(ctx, CCOV_ERR_IO, "%s: no vector layer in this source", src);
        return NULL;
    }
    if (layer) {
        OGRLayerH lyr = GDALDatasetGetLayerByName(ds, layer);
        if (!lyr) {
            layer_names(ds, names, sizeof names);
            ccov_ctx_fail(ctx, CCOV_ERR_IO, "%s: no layer '%s' (layers: %s)", src, layer, names);
        }
        return lyr;
    }
    if (count > 1) {
        layer_names(ds, names, sizeof names);
        ccov_ctx_fail(ctx, CCOV_ERR_IO, "%s: %d layers (%s); choose one with %s", src, count, names,
                      layer_option);
        return NULL;
    }
    return GDALDatasetGetLayer(ds, 0);
}

/* GDAL's JSON reader stops at this nesting depth (CPLJSonStreamingParser's limit). */
#define CCOV_JSON_MAX_DEPTH 1024

/* True when the JSON text of src nests arrays and objects deeper than GDAL's reader accepts
   (read up to that point only). */
static bool json_too_deep(const char *src) {
    FILE *fp = fopen(src, "rb");
    if (!fp)
        return false;
    int depth = 0;
    bool in_string = false, escaped = false;
    for (int c = getc(fp); c != EOF && depth <= CCOV_JSON_MAX_DEPTH; c = getc(fp)) {
        if (in_string) {
            in_string = escaped || c != '"';
            escaped = !escaped && c == '\\';
        } else if (c == '"') {
            in_string = true;
        } else if (c == '[' || c == '{') {
            depth++;
        } else if ((c == ']' || c == '}') && depth > 0) {
            depth--;
        }
    }
    fclose(fp);
    return depth > CCOV_JSON_MAX_DEPTH;
}

/* True when an SQLite-based source (GeoPackage) has a non-empty rollback journal beside it: a
   write that did not finish, which SQLite only rolls back for a read-write open. */
static bool hot_journal(const char *src, char *journal, size_t n) {
    struct stat st;
    int w = snprintf(journal, n, "%s-journal", src);
    return w > 0 && (size_t)w < n && stat(journal, &st) == 0 && S_ISREG(st.st_mode) &&
           st.st_size > 0;
}

/* Why GDAL could not open src, in the user's terms: first the causes GDAL does not name. */
static bool open_failed_known(ccov_ctx *ctx, const char *src, const char *driver) {
    char journal[4096];
    bool sqlite = driver && (EQUAL(driver, "GPKG") || EQUAL(driver, "SQLite"));
    if (sqlite && hot_journal(src, journal, sizeof journal))
        ccov_ctx_fail(ctx, CCOV_ERR_IO,
                      "%s: cannot be opened read-only: %s beside it is a hot journal (a write "
                      "that did not finish), which SQLite rolls back only when the file is "
                      "opened for writing; inputs are never modified: open it once with "
                      "sqlite3 (e.g. PRAGMA quick_check) or restore a copy, then run again",
                      src, journal);
    else if (driver && EQUAL(driver, "GeoJSON") && json_too_deep(src))
        ccov_ctx_fail(ctx, CCOV_ERR_IO,
                      "%s: JSON nested more than %d levels deep (arrays and objects inside one "
                      "another), beyond the limit of GDAL's JSON reader: not GeoJSON it can read",
                      src, CCOV_JSON_MAX_DEPTH);
    else
        return false;
    return true;
}

/* GDAL's last message in one line: the PostgreSQL driver passes the server's lines on, whose
   first says why (the next ones quote the query and point at it); libpq's reason follows
   "PQconnectdb failed.". */
static const char *one_line(const char *msg, char *buf, size_t n) {
    if (strncmp(msg, "PQconnectdb failed.", 19) == 0 && msg[19])
        msg += 19;
    msg += strspn(msg, " \t\r\n");
    size_t k = 0;
    for (const char *p = msg; *p && *p != '\n' && k + 1 < n; p++) {
        bool blank = *p == '\n' || *p == '\r' || *p == ' ' || *p == '\t';
        if (!blank || (k > 0 && buf[k - 1] != ' '))
            buf[k++] = blank ? ' ' : *p;
    }
    while (k > 0 && buf[k - 1] == ' ')
        k--;
    buf[k] = '\0';
    return buf;
}

static void one_line_reason(char *buf, size_t n, const char *fallback) {
    one_line(gdal_reason(fallback), buf, n);
}

/* A database connection (GDAL's PostgreSQL driver), not a file. */
static bool is_database(const char *src) {
    return STARTS_WITH_CI(src, "PG:") || STARTS_WITH_CI(src, "postgresql://") ||
           STARTS_WITH_CI(src, "postgres://");
}

/* Why GDAL could not open src (shown as `shown`, its password masked), in the user's terms. */
static void open_failed(ccov_ctx *ctx, const char *src, const char *shown) {
    struct stat st;
    char why[512];
    if (is_database(src)) {
        one_line_reason(why, sizeof why, "cannot connect");
        ccov_ctx_fail(ctx, CCOV_ERR_IO, "%s: cannot open the database: %s", shown, why);
        return;
    }
    size_t n = strlen(src);
    char shx[4096];
    snprintf(shx, sizeof shx, "%.*s.shx", n > 4 ? (int)(n - 4) : 0, src);
    GDALDriverH drv = GDALIdentifyDriverEx(src, GDAL_OF_VECTOR, NULL, NULL);
    if (stat(src, &st) == 0 && S_ISDIR(st.st_mode))
        ccov_ctx_fail(ctx, CCOV_ERR_IO, "%s: a folder with no vector data GDAL can read", src);
    else if (n > 4 && EQUAL(src + n - 4, ".shp") && access(shx, F_OK) != 0)
        ccov_ctx_fail(ctx, CCOV_ERR_IO,
                      "%s: the .shx index beside it is missing (restore it from "
                      "the original, or rebuild it with GDAL's SHAPE_RESTORE_SHX)",
                      src);
    else if (drv && open_failed_known(ctx, src, GDALGetDriverShortName(drv)))
        return;
    else if (drv)
        ccov_ctx_fail(ctx, CCOV_ERR_IO, "%s: no vector layer in it (GDAL's %s driver)", src,
                      GDALGetDriverShortName(drv));
    else
        ccov_ctx_fail(ctx, CCOV_ERR_IO, "%s: %s", src,
                      gdal_reason("not a vector data source GDAL can read"));
}

/* A shapefile without its .dbf opens, with no attributes: say so. */
static void shapefile_parts(ccov_ctx *ctx, const char *src) {
    size_t n = strlen(src);
    if (n < 4 || !EQUAL(src + n - 4, ".shp"))
        return;
    char dbf[4096];
    snprintf(dbf, sizeof dbf, "%.*s.dbf", (int)(n - 4), src);
    if (access(dbf, F_OK) != 0) {
        snprintf(dbf + n - 4, sizeof dbf - (n - 4), ".DBF");
        if (access(dbf, F_OK) != 0)
            ccov_ctx_msg(ctx, CCOV_MSG_WARNING,
                         "%s: no .dbf beside it: its features have no attributes", src);
    }
}

/* A copy of s with the password of every connection string in it masked; NULL on no memory. */
static char *masked_copy(const char *s) {
    size_t n = ccov_text_mask_password(s, NULL, 0) + 1;
    char *copy = malloc(n);
    if (copy)
        ccov_text_mask_password(s, copy, n);
    return copy;
}

/* A new layer record for src, its shown name masked (no password leaves the process). */
static ccov_layer *layer_new(ccov_ctx *ctx, const char *src) {
    ccov_layer *lyr = calloc(1, sizeof *lyr);
    if (lyr)
        lyr->source = masked_copy(src);
    if (!lyr || !lyr->source) {
        free(lyr);
        ccov_ctx_fail(ctx, CCOV_ERR_IO, "out of memory");
        return NULL;
    }
    lyr->ctx = ctx;
    return lyr;
}

void ccov_io_read_only_session(GDALDatasetH ds) {
    OGRLayerH res = GDALDatasetExecuteSQL(
        ds, "SET SESSION CHARACTERISTICS AS TRANSACTION READ ONLY", NULL, NULL);
    if (res)
        GDALDatasetReleaseResultSet(ds, res);
}

static void read_only_session(ccov_layer *lyr, const char *src) {
    if (is_database(src))
        ccov_io_read_only_session(lyr->ds);
}

/* The result set of q->sql: one SELECT (or WITH ... SELECT) run by the source itself. */
static OGRLayerH query_layer(ccov_ctx *ctx, ccov_layer *lyr, const ccov_io_query *q) {
    char why[512];
    const char *opt = q->sql_option ? q->sql_option : "SQL";
    const char *p = q->sql + strspn(q->sql, " \t\r\n(");
    if (q->layer)
        ccov_ctx_fail(ctx, CCOV_ERR_USAGE, "%s and %s both given: choose one", q->layer_option,
                      opt);
    else if (!STARTS_WITH_CI(p, "SELECT") && !STARTS_WITH_CI(p, "WITH"))
        ccov_ctx_fail(ctx, CCOV_ERR_USAGE, "%s: one SELECT query (or WITH ... SELECT)", opt);
    else if (!ccov_io_where_check(q->sql, false, why, sizeof why))
        ccov_ctx_fail(ctx, CCOV_ERR_USAGE, "%s: %s", opt, why);
    else {
        CPLErrorReset();
        OGRLayerH res = GDALDatasetExecuteSQL(lyr->ds, q->sql, NULL, NULL);
        lyr->sql = res ? strdup(q->sql) : NULL;
        if (lyr->sql)
            return res;
        if (res)
            GDALDatasetReleaseResultSet(lyr->ds, res);
        one_line_reason(why, sizeof why, "the query returned no result set");
        ccov_ctx_fail(ctx, CCOV_ERR_IO, "%s: %s: %s", lyr->source, opt, why);
    }
    return NULL;
}

/* Comma-separated names of the layer's geometry columns, into buf. */
static void geom_field_list(OGRFeatureDefnH defn, char *buf, size_t n) {
    size_t used = 0;
    buf[0] = '\0';
    for (int i = 0; i < OGR_FD_GetGeomFieldCount(defn) && used < n; i++) {
        const char *name = OGR_GFld_GetNameRef(OGR_FD_GetGeomFieldDefn(defn, i));
        int w = snprintf(buf + used, n - used, "%s%s", i ? ", " : "", *name ? name : "(unnamed)");
        used += w > 0 ? (size_t)w : 0;
    }
}

/* The geometry column to read: the one named, else the only one. */
static bool pick_geom_field(ccov_ctx *ctx, ccov_layer *lyr, const ccov_io_query *q) {
    OGRFeatureDefnH defn = OGR_L_GetLayerDefn(lyr->lyr);
    int n = OGR_FD_GetGeomFieldCount(defn);
    const char *opt = q->geom_option ? q->geom_option : "a geometry column";
    char names[512];
    lyr->geom_field = q->geom_column ? OGR_FD_GetGeomFieldIndex(defn, q->geom_column) : 0;
    if (lyr->geom_field >= 0 && (q->geom_column || n <= 1))
        return true;
    geom_field_list(defn, names, sizeof names);
    if (q->geom_column)
        ccov_ctx_fail(ctx, CCOV_ERR_IO, "%s: no geometry column '%s' in %s (geometry columns: %s)",
                      lyr->source, q->geom_column, OGR_L_GetName(lyr->lyr), n ? names : "none");
    else
        ccov_ctx_fail(ctx, CCOV_ERR_IO, "%s: %s has %d geometry columns (%s); choose one with %s",
                      lyr->source, OGR_L_GetName(lyr->lyr), n, names, opt);
    return false;
}

/* Whether the chosen column of a database table is of type geography (PostGIS: always WGS84
   lon/lat, SRID 4326 whether declared or not, while GDAL sees no CRS in an undeclared one). */
static bool geography_column(ccov_layer *lyr) {
    const char *table = OGR_L_GetName(lyr->lyr);
    const char *dot = strchr(table, '.');
    const char *column =
        OGR_GFld_GetNameRef(OGR_FD_GetGeomFieldDefn(OGR_L_GetLayerDefn(lyr->lyr), lyr->geom_field));
    char sql[1024];
    if (!column || strchr(table, '\'') || strchr(column, '\''))
        return false;
    int w =
        snprintf(sql, sizeof sql,
                 "SELECT 1 FROM geography_columns WHERE f_table_schema = %s%.*s%s AND "
                 "f_table_name = '%s' AND f_geography_column = '%s'",
                 dot ? "'" : "", dot ? (int)(dot - table) : 14, dot ? table : "current_schema()",
                 dot ? "'" : "", dot ? dot + 1 : table, column);
    OGRLayerH res =
        w > 0 && (size_t)w < sizeof sql ? GDALDatasetExecuteSQL(lyr->ds, sql, NULL, NULL) : NULL;
    bool found = res && OGR_L_GetFeatureCount(res, TRUE) > 0;
    if (res)
        GDALDatasetReleaseResultSet(lyr->ds, res);
    CPLErrorReset();
    return found;
}

ccov_layer *ccov_io_open_query(ccov_ctx *ctx, const ccov_io_query *q) {
    const char *src = q->src;
    if (looks_like_file(src) && check_file(ctx, src) != CCOV_OK)
        return NULL;
    ccov_layer *lyr = layer_new(ctx, src);
    if (!lyr)
        return NULL;
    CPLErrorReset();
    ctx->gdal_failure[0] = '\0';
    if (looks_like_file(src) && ccov_shx_check(ctx, src, &lyr->shx_fix) != CCOV_OK)
        goto fail;
    lyr->ds = GDALOpenEx(lyr->shx_fix ? ccov_shx_path(lyr->shx_fix) : src,
                         GDAL_OF_VECTOR | GDAL_OF_READONLY, NULL, NULL, NULL);
    if (!lyr->ds) {
        open_failed(ctx, src, lyr->source);
        goto fail;
    }
    /* The dataset opened, but a CRS it declares did not parse (GDAL then falls back quietly). */
    if (strstr(ctx->gdal_failure, "PROJ"))
        snprintf(lyr->crs_problem, sizeof lyr->crs_problem, "%s", ctx->gdal_failure);
    shapefile_parts(ctx, src);
    read_only_session(lyr, src);
    lyr->lyr = q->sql ? query_layer(ctx, lyr, q)
                      : pick_layer(ctx, lyr->ds, lyr->source, q->layer, q->layer_option);
    if (!lyr->lyr || !pick_geom_field(ctx, lyr, q))
        goto fail;
    lyr->geography = is_database(src) && !q->sql && geography_column(lyr);
    return lyr;
fail:
    ccov_io_close(lyr);
    return NULL;
}

void ccov_io_close(ccov_layer *lyr) {
    if (!lyr)
        return;
    ccov_arrow_close(lyr->arrow);
    if (lyr->sql)
        GDALDatasetReleaseResultSet(lyr->ds, lyr->lyr);
    free(lyr->sql);
    if (lyr->ds)
        GDALClose(lyr->ds);
    ccov_shx_free(lyr->shx_fix);
    free(lyr->selected);
    free(lyr->source);
    free(lyr);
}

const char *ccov_io_source(const ccov_layer *lyr) { return lyr->source; }

const char *ccov_io_layer_name(const ccov_layer *lyr) {
    return lyr->sql ? lyr->sql : OGR_L_GetName(lyr->lyr);
}

const char *ccov_io_crs_problem(const ccov_layer *lyr) {
    return lyr->crs_problem[0] ? lyr->crs_problem : NULL;
}

/* Whether any feature has a polygon or multipolygon, or there is no feature: reads the layer
   (on an error path only). */
static bool any_polygon(const ccov_layer *lyr) {
    bool found = false, empty = true;
    OGR_L_ResetReading(lyr->lyr);
    /* The next feature is fetched only while none is found: one fetched after the last
       check would never be destroyed. */
    while (!found) {
        OGRFeatureH f = OGR_L_GetNextFeature(lyr->lyr);
        if (!f)
            break;
        OGRGeometryH g = OGR_F_GetGeomFieldRef(f, lyr->geom_field > 0 ? lyr->geom_field : 0);
        OGRwkbGeometryType t = g ? wkbFlatten(OGR_G_GetGeometryType(g)) : wkbNone;
        found = t == wkbPolygon || t == wkbMultiPolygon || t == wkbCurvePolygon ||
                t == wkbMultiSurface || t == wkbGeometryCollection;
        empty = false;
        OGR_F_Destroy(f);
    }
    OGR_L_ResetReading(lyr->lyr);
    return found || empty; /* an empty layer is reported as such later */
}

const char *ccov_io_not_polygons(const ccov_layer *lyr, bool scan) {
    OGRFeatureDefnH defn = OGR_L_GetLayerDefn(lyr->lyr);
    if (OGR_FD_GetGeomFieldCount(defn) == 0)
        return "has no geometry column";
    OGRwkbGeometryType t = wkbFlatten(
        OGR_GFld_GetType(OGR_FD_GetGeomFieldDefn(defn, lyr->geom_field > 0 ? lyr->geom_field : 0)));
    if (t == wkbPoint || t == wkbMultiPoint)
        return "holds points, not polygons";
    if (t == wkbLineString || t == wkbMultiLineString)
        return "holds lines, not polygons";
    return scan && !any_polygon(lyr) ? "holds no polygons" : NULL;
}

char *ccov_io_crs_definition(const ccov_layer *lyr) {
    /* The layer's own calls for the first column: the same answers as before for every file. */
    OGRSpatialReferenceH srs = lyr->geom_field == 0
                                   ? OGR_L_GetSpatialRef(lyr->lyr)
                                   : OGR_GFld_GetSpatialRef(OGR_FD_GetGeomFieldDefn(
                                         OGR_L_GetLayerDefn(lyr->lyr), lyr->geom_field));
    if (!srs)
        return lyr->geography ? strdup("EPSG:4326") : NULL;
    const char *auth = OSRGetAuthorityName(srs, NULL);
    const char *code = OSRGetAuthorityCode(srs, NULL);
    if (auth && code && strcmp(auth, "EPSG") == 0) {
        size_t n = strlen(code) + 6;
        char *def = malloc(n);
        if (def)
            snprintf(def, n, "EPSG:%s", code);
        return def;
    }
    char *wkt = NULL;
    const char *options[] = {"FORMAT=WKT2_2019", NULL};
    if (OSRExportToWktEx(srs, &wkt, options) != OGRERR_NONE) {
        CPLFree(wkt);
        return NULL;
    }
    char *def = strdup(wkt);
    CPLFree(wkt);
    return def;
}

bool ccov_io_extent(ccov_layer *lyr, double bbox[4]) {
    OGREnvelope env;
    OGRErr err = lyr->geom_field == 0 ? OGR_L_GetExtent(lyr->lyr, &env, TRUE)
                                      : OGR_L_GetExtentEx(lyr->lyr, lyr->geom_field, &env, TRUE);
    if (err != OGRERR_NONE)
        return false;
    bbox[0] = env.MinX;
    bbox[1] = env.MinY;
    bbox[2] = env.MaxX;
    bbox[3] = env.MaxY;
    return true;
}

long long ccov_io_count(ccov_layer *lyr) { return (long long)OGR_L_GetFeatureCount(lyr->lyr, 1); }

long long ccov_io_count_fast(ccov_layer *lyr) {
    return (long long)OGR_L_GetFeatureCount(lyr->lyr, 0);
}

/* A database evaluates a query's filter itself (GDAL would filter its rows on the client): the
   query runs again as a sub-query with the filter. */
static OGRErr query_where(ccov_layer *lyr, const char *where) {
    static const char fmt[] = "SELECT * FROM (%s) AS ccov_query WHERE (%s)";
    size_t n = strlen(fmt) + strlen(lyr->sql) + strlen(where);
    char *sql = malloc(n);
    if (!sql)
        return OGRERR_NOT_ENOUGH_MEMORY;
    snprintf(sql, n, fmt, lyr->sql, where);
    OGRLayerH res = GDALDatasetExecuteSQL(lyr->ds, sql, NULL, NULL);
    free(sql);
    if (!res)
        return OGRERR_FAILURE;
    GDALDatasetReleaseResultSet(lyr->ds, lyr->lyr);
    lyr->lyr = res;
    return OGRERR_NONE;
}

/* A name the filter may use: a field, the feature id, the geometry column, OGR's special fields. */
static bool where_known(const char *name, void *user) {
    OGRFeatureDefnH defn = OGR_L_GetLayerDefn(user);
    if (EQUAL(name, "fid") || STARTS_WITH_CI(name, "ogr_") || OGR_FD_GetFieldIndex(defn, name) >= 0)
        return true;
    for (int i = 0; i < OGR_FD_GetGeomFieldCount(defn); i++)
        if (EQUAL(name, OGR_GFld_GetNameRef(OGR_FD_GetGeomFieldDefn(defn, i))))
            return true;
    return false;
}

static void field_names(OGRLayerH lyr, char *buf, size_t n) {
    OGRFeatureDefnH defn = OGR_L_GetLayerDefn(lyr);
    size_t used = 0;
    buf[0] = '\0';
    for (int i = 0; i < OGR_FD_GetFieldCount(defn) && used < n; i++) {
        const char *name = OGR_Fld_GetNameRef(OGR_FD_GetFieldDefn(defn, i));
        int w = snprintf(buf + used, n - used, "%s%s", i ? ", " : "", name);
        used += w > 0 ? (size_t)w : 0;
    }
    if (!buf[0])
        snprintf(buf, n, "none");
}

/* GDAL's own reason does not name the field on every driver (GeoPackage shows the SQL it built). */
ccov_status ccov_io_where_refused(ccov_ctx *ctx, const char *src, OGRLayerH lyr,
                                  const char *where) {
    char name[64], fields[1024], why[512];
    field_names(lyr, fields, sizeof fields);
    if (ccov_io_where_unknown(where, where_known, lyr, name, sizeof name))
        return ccov_ctx_fail(ctx, CCOV_ERR_USAGE,
                             "%s: --where '%s': no field '%s' in the layer (fields: %s)", src,
                             where, name, fields);
    one_line_reason(why, sizeof why, "invalid expression");
    /* OGR SQL's parser: "SQL Expression Parsing Error: syntax error, ... Occurred around :" and
       the text again; GeoPackage: "failed to prepare SQL: " and the whole statement. */
    char *around = strstr(why, ". Occurred around");
    if (around)
        *around = '\0';
    const char *reason = why;
    if (STARTS_WITH_CI(why, "SQL Expression Parsing Error: "))
        reason += strlen("SQL Expression Parsing Error: ");
    if (STARTS_WITH_CI(why, "failed to prepare SQL"))
        reason = "not a valid SQLite expression";
    return ccov_ctx_fail(ctx, CCOV_ERR_USAGE, "%s: --where '%s': %s (fields: %s)", src, where,
                         reason, fields);
}

ccov_status ccov_io_set_where(ccov_ctx *ctx, ccov_layer *lyr, const char *where) {
    /* One expression, so that a claim's where can be joined to it without changing it. */
    char why[256];
    if (!ccov_io_where_check(where, false, why, sizeof why))
        return ccov_ctx_fail(ctx, CCOV_ERR_USAGE, "%s: --where '%s': %s", lyr->source, where, why);
    CPLErrorReset();
    OGRErr err = lyr->sql && is_database(lyr->source) ? query_where(lyr, where)
                                                      : OGR_L_SetAttributeFilter(lyr->lyr, where);
    /* A server checks the filter when counting, with its own reason first (the cursor of a
       read fails after it and says only that). */
    if (err == OGRERR_NONE && is_database(lyr->source) &&
        (OGR_L_GetFeatureCount(lyr->lyr, TRUE) < 0 || CPLGetLastErrorType() >= CE_Failure))
        err = OGRERR_FAILURE;
    /* Some drivers (GeoPackage, PostGIS) only parse the filter when reading: try one feature. */
    if (err == OGRERR_NONE) {
        OGRFeatureH f = OGR_L_GetNextFeature(lyr->lyr);
        OGR_F_Destroy(f);
        if (CPLGetLastErrorType() >= CE_Failure)
            err = OGRERR_FAILURE;
        OGR_L_ResetReading(lyr->lyr);
    }
    if (err != OGRERR_NONE && is_database(lyr->source))
        one_line_reason(why, sizeof why, "invalid expression");
    if (err != OGRERR_NONE && !is_database(lyr->source))
        return ccov_io_where_refused(ctx, lyr->source, lyr->lyr, where);
    if (err != OGRERR_NONE)
        return ccov_ctx_fail(ctx, CCOV_ERR_USAGE, "%s: --where '%s': %s", lyr->source, where, why);
    lyr->filtered = true;
    return CCOV_OK;
}

const char *ccov_io_find_field(const ccov_layer *lyr, const char *const *candidates) {
    OGRFeatureDefnH defn = OGR_L_GetLayerDefn(lyr->lyr);
    for (size_t c = 0; candidates[c]; c++)
        for (int i = 0; i < OGR_FD_GetFieldCount(defn); i++) {
            const char *name = OGR_Fld_GetNameRef(OGR_FD_GetFieldDefn(defn, i));
            if (EQUAL(name, candidates[c]))
                return name;
        }
    return NULL;
}

void ccov_io_field_list(const ccov_layer *lyr, char *buf, size_t n) {
    field_names(lyr->lyr, buf, n);
}

size_t ccov_io_field_count(const ccov_layer *lyr) {
    return (size_t)OGR_FD_GetFieldCount(OGR_L_GetLayerDefn(lyr->lyr));
}

const char *ccov_io_field_name(const ccov_layer *lyr, size_t i) {
    return OGR_Fld_GetNameRef(OGR_FD_GetFieldDefn(OGR_L_GetLayerDefn(lyr->lyr), (int)i));
}

ccov_value_type ccov_io_field_type(const ccov_layer *lyr, size_t i) {
    OGRFieldType t = OGR_Fld_GetType(OGR_FD_GetFieldDefn(OGR_L_GetLayerDefn(lyr->lyr), (int)i));
    return t == OFTInteger || t == OFTInteger64 ? CCOV_VALUE_INT
           : t == OFTReal                       ? CCOV_VALUE_REAL
                                                : CCOV_VALUE_STRING;
}

/* Fields that are not selected are not read at all (the driver may then skip their columns). */
static ccov_status ignore_others(ccov_ctx *ctx, ccov_layer *lyr) {
    OGRFeatureDefnH defn = OGR_L_GetLayerDefn(lyr->lyr);
    int nfields = OGR_FD_GetFieldCount(defn);
    const char **names = calloc((size_t)nfields + 2, sizeof *names);
    if (!names)
        return ccov_ctx_fail(ctx, CCOV_ERR_IO, "%s: out of memory", lyr->source);
    size_t k = 0;
    for (int f = 0; f < nfields; f++) {
        bool wanted = false;
        for (size_t i = 0; i < lyr->nselected && !wanted; i++)
            wanted = lyr->selected[i] == f;
        if (!wanted)
            names[k++] = OGR_Fld_GetNameRef(OGR_FD_GetFieldDefn(defn, f));
    }
    names[k++] = "OGR_STYLE";
    /* A driver that cannot ignore fields reads them all, which is only slower. */
    OGR_L_SetIgnoredFields(lyr->lyr, names);
    free(names);
    return CCOV_OK;
}

ccov_status ccov_io_select_fields(ccov_ctx *ctx, ccov_layer *lyr, const char *const *names,
                                  size_t n) {
    int *idx = calloc(n ? n : 1, sizeof *idx);
    if (!idx)
        return ccov_ctx_fail(ctx, CCOV_ERR_IO, "%s: out of memory", lyr->source);
    OGRFeatureDefnH defn = OGR_L_GetLayerDefn(lyr->lyr);
    for (size_t i = 0; i < n; i++) {
        idx[i] = names[i] ? OGR_FD_GetFieldIndex(defn, names[i]) : -1;
        if (names[i] && idx[i] < 0) {
            char list[512];
            ccov_io_field_list(lyr, list, sizeof list);
            free(idx);
            return ccov_ctx_fail(ctx, CCOV_ERR_USAGE, "%s: no field '%s' (fields: %s)", lyr->source,
                                 names[i], list);
        }
    }
    free(lyr->selected);
    lyr->selected = idx;
    lyr->nselected = n;
    return lyr->filtered ? CCOV_OK : ignore_others(ctx, lyr);
}

void ccov_record_clear(ccov_record *rec) {
    free(rec->wkb);
    for (size_t i = 0; i < rec->nvalues; i++)
        free(rec->values[i]);
    free(rec->values);
    memset(rec, 0, sizeof *rec);
}

/* Reduce the feature's geometry to what the geometry stage takes: 2D, linear, non-empty, with
   polygons in it. Sets rec->problem otherwise. Returns a new geometry or NULL. */
static OGRGeometryH usable_geometry(OGRGeometryH g, ccov_record *rec) {
    if (!g) {
        snprintf(rec->problem, sizeof rec->problem, "no geometry (null)");
        return NULL;
    }
    if (OGR_G_IsEmpty(g)) {
        snprintf(rec->problem, sizeof rec->problem, "empty geometry");
        return NULL;
    }
    OGRwkbGeometryType type = OGR_GT_Flatten(OGR_G_GetGeometryType(g));
    OGRGeometryH lin =
        OGR_GT_IsNonLinear(type) ? OGR_G_GetLinearGeometry(g, 0, NULL) : OGR_G_Clone(g);
    if (!lin) {
        snprintf(rec->problem, sizeof rec->problem, "curved geometry cannot be linearised");
        return NULL;
    }
    type = OGR_GT_Flatten(OGR_G_GetGeometryType(lin));
    if (type != wkbPolygon && type != wkbMultiPolygon && type != wkbGeometryCollection) {
        snprintf(rec->problem, sizeof rec->problem, "not polygonal (%s)",
                 OGRGeometryTypeToName(type));
        OGR_G_DestroyGeometry(lin);
        return NULL;
    }
    OGR_G_Set3D(lin, FALSE);
    OGR_G_SetMeasured(lin, FALSE);
    return lin;
}

/* The usable part of g (not taken over) as ISO WKB in rec; false when out of memory. */
static bool record_geometry(OGRGeometryH source, ccov_record *rec) {
    OGRGeometryH g = usable_geometry(source, rec);
    if (!g)
        return true;
    rec->wkb_size = (size_t)OGR_G_WkbSize(g);
    rec->wkb = malloc(rec->wkb_size ? rec->wkb_size : 1);
    bool ok = rec->wkb && OGR_G_ExportToIsoWkb(g, wkbNDR, rec->wkb) == OGRERR_NONE;
    OGR_G_DestroyGeometry(g);
    return ok;
}

static uint32_t wkb_uint32(const unsigned char *p, bool little) {
    return little
               ? (uint32_t)p[0] | (uint32_t)p[1] << 8 | (uint32_t)p[2] << 16 | (uint32_t)p[3] << 24
               : (uint32_t)p[3] | (uint32_t)p[2] << 8 | (uint32_t)p[1] << 16 | (uint32_t)p[0] << 24;
}

/* A 2D polygon or multipolygon whose first ring has points (what OGR_G_IsEmpty would pass): a
   polygon's first ring count sits at byte 9; a multipolygon's first part starts at byte 9. */
static bool wkb_nonempty_polygon(const unsigned char *wkb, size_t size) {
    if (size < 13 || wkb[0] > 1)
        return false;
    bool little = wkb[0] == 1;
    uint32_t type = wkb_uint32(wkb + 1, little);
    if (type == wkbMultiPolygon)
        return wkb_uint32(wkb + 5, little) > 0 && wkb_nonempty_polygon(wkb + 9, size - 9) &&
               wkb_uint32(wkb + 10, wkb[9] == 1) == wkbPolygon;
    return type == wkbPolygon && wkb_uint32(wkb + 5, little) > 0 && wkb_uint32(wkb + 9, little) > 0;
}

/* A WKB geometry from the Arrow stream: a non-empty 2D polygon or multipolygon is taken as it
   is; anything else goes through OGR as a feature's geometry would. */
static bool record_wkb(const unsigned char *wkb, size_t size, ccov_record *rec) {
    if (!wkb)
        return record_geometry(NULL, rec);
    if (wkb_nonempty_polygon(wkb, size)) {
        rec->wkb = malloc(size);
        rec->wkb_size = size;
        if (rec->wkb)
            memcpy(rec->wkb, wkb, size);
        return rec->wkb != NULL;
    }
    OGRGeometryH g = NULL;
    if (OGR_G_CreateFromWkbEx(wkb, NULL, &g, size) != OGRERR_NONE) {
        snprintf(rec->problem, sizeof rec->problem, "geometry cannot be read (corrupt WKB)");
        return true;
    }
    bool ok = record_geometry(g, rec);
    OGR_G_DestroyGeometry(g);
    return ok;
}

/* A failed read, in one line (a database passes the server's lines on). */
static void read_failed(ccov_ctx *ctx, const ccov_layer *lyr, const char *msg) {
    char why[512];
    ccov_ctx_fail(ctx, CCOV_ERR_IO, "%s: read error: %s", lyr->source,
                  is_database(lyr->source) ? one_line(msg, why, sizeof why) : msg);
}

/* Geometries only, from a layer that streams them fast: through Arrow. */
static int next_from_arrow(ccov_ctx *ctx, ccov_layer *lyr, ccov_record *rec) {
    const unsigned char *wkb = NULL;
    size_t size = 0;
    const char *error = NULL;
    int got = ccov_arrow_next(lyr->arrow, &rec->fid, &wkb, &size, &error);
    if (got < 0)
        read_failed(ctx, lyr, error);
    if (got == 1 && !record_wkb(wkb, size, rec)) {
        ccov_ctx_fail(ctx, CCOV_ERR_IO, "%s: feature %lld: out of memory", lyr->source, rec->fid);
        return -1;
    }
    return got;
}

/* Text as UTF-8: what is not (an old .dbf without .cpg, a Latin-1 CSV) is read as Latin-1, the
   usual encoding of such files here, and said once. */
static char *utf8_text(ccov_layer *lyr, const char *text, size_t field) {
    if (CPLIsUTF8(text, -1))
        return strdup(text);
    if (!lyr->latin1)
        ccov_ctx_msg(lyr->ctx, CCOV_MSG_WARNING,
                     "%s: text in field %s is not UTF-8; read as Latin-1 (a .cpg file or the "
                     "source's encoding setting says which)",
                     lyr->source,
                     OGR_Fld_GetNameRef(
                         OGR_FD_GetFieldDefn(OGR_L_GetLayerDefn(lyr->lyr), lyr->selected[field])));
    lyr->latin1 = true;
    char *recoded = CPLRecode(text, CPL_ENC_ISO8859_1, CPL_ENC_UTF8);
    char *copy = recoded ? strdup(recoded) : NULL;
    CPLFree(recoded);
    return copy;
}

static bool record_values(ccov_layer *lyr, OGRFeatureH f, ccov_record *rec) {
    if (!lyr->nselected)
        return true;
    rec->values = calloc(lyr->nselected, sizeof *rec->values);
    if (!rec->values)
        return false;
    rec->nvalues = lyr->nselected;
    for (size_t i = 0; i < lyr->nselected; i++) {
        int idx = lyr->selected[i];
        if (idx < 0 || !OGR_F_IsFieldSetAndNotNull(f, idx))
            continue;
        rec->values[i] = utf8_text(lyr, OGR_F_GetFieldAsString(f, idx), i);
        if (!rec->values[i])
            return false;
    }
    return true;
}

int ccov_io_next(ccov_ctx *ctx, ccov_layer *lyr, ccov_record *rec) {
    ccov_record_clear(rec);
    CPLErrorReset();
    /* No field to read and no filter: the Arrow stream, where the driver has a fast one. */
    if (!lyr->arrow_tried && lyr->selected && lyr->nselected == 0 && !lyr->filtered &&
        lyr->geom_field == 0) {
        lyr->arrow = ccov_arrow_open(lyr->lyr);
        if (lyr->arrow)
            ccov_ctx_msg(ctx, CCOV_MSG_DEBUG, "%s: geometries read through GDAL's Arrow stream",
                         lyr->source);
    }
    lyr->arrow_tried = true;
    if (lyr->arrow)
        return next_from_arrow(ctx, lyr, rec);
    OGRFeatureH f = OGR_L_GetNextFeature(lyr->lyr);
    if (!f) {
        if (CPLGetLastErrorType() >= CE_Failure) {
            read_failed(ctx, lyr, gdal_reason("unknown"));
            return -1;
        }
        return 0;
    }
    rec->fid = (long long)OGR_F_GetFID(f);
    if (CPLGetLastErrorType() >= CE_Failure) {
        ccov_ctx_fail(ctx, CCOV_ERR_IO,
                      "%s: feature %lld: cannot read it (%s): file truncated or "
                      "corrupt?",
                      lyr->source, rec->fid, gdal_reason("unknown"));
        OGR_F_Destroy(f);
        return -1;
    }
    OGRGeometryH g =
        lyr->geom_field == 0 ? OGR_F_GetGeometryRef(f) : OGR_F_GetGeomFieldRef(f, lyr->geom_field);
    bool ok = record_geometry(g, rec) && record_values(lyr, f, rec);
    OGR_F_Destroy(f);
    if (!ok) {
        ccov_ctx_fail(ctx, CCOV_ERR_IO, "%s: feature %lld: out of memory", lyr->source, rec->fid);
        return -1;
    }
    return 1;
}

/* ---- the files behind a source ---- */

/* The archive file on disk behind a /vsizip/, /vsigzip/, /vsitar/, ... path (CPLFree), NULL for
   memory or network paths. */
static char *vsi_archive(const char *path) {
    static const char *const archives[] = {"/vsizip/", "/vsigzip/", "/vsitar/",
                                           "/vsi7z/",  "/vsirar/",  "/vsisubfile/"};
    for (size_t i = 0; i < sizeof archives / sizeof *archives; i++) {
        size_t n = strlen(archives[i]);
        if (strncmp(path, archives[i], n) != 0)
            continue;
        const char *rest = path + n;
        if (i == 5) /* /vsisubfile/offset_size,file */
            rest = strchr(rest, ',') ? strchr(rest, ',') + 1 : rest;
        return vsi_archive(rest);
    }
    if (strncmp(path, "/vsi", 4) == 0)
        return NULL;
    char *file = CPLStrdup(path[0] == '{' ? path + 1 : path);
    if (path[0] == '{' && strchr(file, '}'))
        *strchr(file, '}') = '\0';
    /* The longest leading part that is a file: the archive, the rest is inside it. */
    struct stat st;
    while (stat(file, &st) != 0 || S_ISDIR(st.st_mode)) {
        char *slash = strrchr(file, '/');
        if (!slash || slash == file) {
            CPLFree(file);
            return NULL;
        }
        *slash = '\0';
    }
    return file;
}

/* path exists, or is a /vsizip/-style path whose archive exists. */
static bool local_exists(const char *path) {
    struct stat st;
    if (strncmp(path, "/vsi", 4) != 0)
        return stat(path, &st) == 0;
    char *archive = vsi_archive(path);
    bool found = archive != NULL;
    CPLFree(archive);
    return found;
}

/* The file in a driver-prefixed source (GPKG:file.gpkg:layer, for which GDAL 3.6 lists no file):
   the prefix names a driver, then the longest part up to a ':' that exists. CPLFree. */
static char *prefixed_file(const char *src) {
    const char *colon = strchr(src, ':');
    char *driver = colon ? CPLStrdup(CPLSPrintf("%.*s", (int)(colon - src), src)) : NULL;
    bool known = driver && GDALGetDriverByName(driver) != NULL;
    CPLFree(driver);
    if (!known)
        return NULL;
    char *file = CPLStrdup(colon + 1);
    while (!local_exists(file) && strrchr(file, ':'))
        *strrchr(file, ':') = '\0';
    if (local_exists(file))
        return file;
    CPLFree(file);
    return NULL;
}

static char **add_local(char **files, const char *path) {
    if (!path || !path[0])
        return files;
    char *inner = strchr(path, ':') && strncmp(path, "/vsi", 4) != 0 ? prefixed_file(path) : NULL;
    if (inner) {
        files = add_local(files, inner);
        CPLFree(inner);
        return files;
    }
    char *archive = strncmp(path, "/vsi", 4) == 0 ? vsi_archive(path) : NULL;
    if (archive || strncmp(path, "/vsi", 4) != 0)
        files = CSLAddString(files, archive ? archive : path);
    CPLFree(archive);
    return files;
}

/* Sources that are one file by nature (no side file: a CSV has its .csvt and .prj, so it is
   asked), or no file at all: not opened again. */
static bool needs_listing(const char *src) {
    static const char *const single[] = {".geojson", ".json", ".geojsonl", ".fgb", ".kml"};
    const char *dot = strrchr(src, '.');
    for (size_t i = 0; dot && i < sizeof single / sizeof *single; i++)
        if (EQUAL(dot, single[i]))
            return false;
    struct stat st;
    bool local = looks_like_file(src);
    if (local && stat(src, &st) != 0)
        return false; /* missing: the open says so later */
    if (local && !S_ISREG(st.st_mode) && !S_ISDIR(st.st_mode))
        return false; /* a pipe or device is read once, by the run itself */
    return strncmp(src, "/vsi", 4) != 0 && strncmp(src, "PG:", 3) != 0 && !strstr(src, "://");
}

/* A CSV's side files (column types, CRS), whether GDAL lists them or not. */
static char **csv_sides(char **files, const char *src) {
    const char *dot = strrchr(src, '.');
    if (!dot || strchr(dot, '/') || !EQUAL(dot, ".csv") || strncmp(src, "/vsi", 4) == 0)
        return files;
    int stem = (int)(dot - src);
    files = CSLAddString(files, CPLSPrintf("%.*s.csvt", stem, src));
    return CSLAddString(files, CPLSPrintf("%.*s.prj", stem, src));
}

char **ccov_io_source_files(const char *src) {
    char **files = csv_sides(add_local(NULL, src), src);
    if (!needs_listing(src))
        return files;
    CPLErrorReset();
    GDALDatasetH ds = GDALOpenEx(src, GDAL_OF_VECTOR | GDAL_OF_READONLY, NULL, NULL, NULL);
    char **list = ds ? GDALGetFileList(ds) : NULL;
    for (char **f = list; f && *f; f++)
        files = add_local(files, *f);
    CSLDestroy(list);
    if (ds)
        GDALClose(ds);
    CPLErrorReset();
    return files;
}

/* ---- writing ---- */

struct ccov_writer {
    GDALDatasetH ds;
    OGRLayerH lyr;
    char *path;
    const char *driver; /* GDAL's short name */
    char dir[PATH_MAX]; /* the private folder GDAL writes in, every file under its final name */
    char tmp[PATH_MAX]; /* dir/<name of path> */
    size_t nfields;
    bool overwrite;
    bool multipolygon; /* promote polygons to multipolygons (layer declared so) */
    bool in_transaction;
    bool verify;       /* read the file back after closing: the driver hides write errors */
    long long written; /* features written, all layers */
    bool database;     /* a database (PostGIS): path is the masked connection string, no files */
};

static const char *driver_for(const char *path) {
    static const char *const map[][2] = {{".gpkg", "GPKG"},      {".geojson", "GeoJSON"},
                                         {".json", "GeoJSON"},   {".shp", "ESRI Shapefile"},
                                         {".fgb", "FlatGeobuf"}, {".sqlite", "SQLite"},
                                         {".csv", "CSV"},        {".kml", "KML"},
                                         {".gml", "GML"}};
    const char *dot = strrchr(path, '.');
    for (size_t i = 0; dot && i < sizeof map / sizeof map[0]; i++)
        if (EQUAL(dot, map[i][0]))
            return map[i][1];
    return NULL;
}

/* The reason of a failed write; a database server's message in one line (it spans several). */
static const char *writer_reason(const ccov_ctx *ctx, const ccov_writer *w, const char *fallback,
                                 char *buf, size_t n) {
    const char *why = ccov_io_write_reason(ctx, fallback);
    return w->database ? one_line(why, buf, n) : why;
}

static OGRFieldType ogr_type(ccov_value_type t) {
    return t == CCOV_VALUE_INT || t == CCOV_VALUE_BOOL ? OFTInteger64
           : t == CCOV_VALUE_REAL                      ? OFTReal
           : t == CCOV_VALUE_DATE                      ? OFTDate
                                                       : OFTString;
}

static ccov_status writer_fields(ccov_ctx *ctx, ccov_writer *w, const ccov_field_def *fields,
                                 size_t nfields) {
    for (size_t i = 0; i < nfields; i++) {
        OGRFieldDefnH fd = OGR_Fld_Create(fields[i].name, ogr_type(fields[i].type));
        if (fields[i].type == CCOV_VALUE_BOOL) {
            OGR_Fld_SetType(fd, OFTInteger);
            OGR_Fld_SetSubType(fd, OFSTBoolean);
        }
        OGRErr err = OGR_L_CreateField(w->lyr, fd, TRUE);
        OGR_Fld_Destroy(fd);
        char why[512];
        if (err != OGRERR_NONE)
            return ccov_ctx_fail(ctx, CCOV_ERR_IO, "%s: %s", w->path,
                                 writer_reason(ctx, w, "cannot create field", why, sizeof why));
    }
    w->nfields = nfields;
    return CCOV_OK;
}

ccov_status ccov_io_writer_layer(ccov_ctx *ctx, ccov_writer *w, const char *layer, const char *crs,
                                 bool multipolygon, const ccov_field_def *fields, size_t nfields,
                                 const char *const *options) {
    OGRSpatialReferenceH srs = crs ? OSRNewSpatialReference(NULL) : NULL;
    if (srs)
        OSRSetAxisMappingStrategy(srs, OAMS_TRADITIONAL_GIS_ORDER);
    if (srs && OSRSetFromUserInput(srs, crs) != OGRERR_NONE) {
        OSRDestroySpatialReference(srs);
        return ccov_ctx_fail(ctx, CCOV_ERR_CRS, "%s: CRS '%s' not understood", w->path, crs);
    }
    OGRwkbGeometryType type = !crs ? wkbNone : multipolygon ? wkbMultiPolygon : wkbUnknown;
    CPLErrorReset();
    w->lyr = GDALDatasetCreateLayer(w->ds, layer, srs, type, (char **)options);
    if (srs)
        OSRDestroySpatialReference(srs);
    char why[512];
    if (!w->lyr)
        return ccov_ctx_fail(ctx, CCOV_ERR_IO, "%s: %s", w->path,
                             writer_reason(ctx, w, "cannot create layer", why, sizeof why));
    w->multipolygon = multipolygon;
    return writer_fields(ctx, w, fields, nfields);
}

char **ccov_io_output_files(const char *path, const char *driver) {
    const char *name = driver ? driver : driver_for(path);
    const char *dot = strrchr(path, '.');
    int stem = dot && !strchr(dot, '/') ? (int)(dot - path) : (int)strlen(path);
    /* A stray index (.qix, .sbn) or encoding (.cpg) would misdescribe the new data. */
    static const char *const shapefile[] = {".shp", ".shx", ".dbf", ".prj", ".cpg",
                                            ".qix", ".sbn", ".sbx", NULL};
    static const char *const gml[] = {".gml", ".xsd", NULL};
    const char *const *parts = !name                           ? NULL
                               : EQUAL(name, "ESRI Shapefile") ? shapefile
                               : EQUAL(name, "GML")            ? gml
                                                               : NULL;
    /* The side files carry the stem of the main file: only for the usual extension. */
    if (parts && !(dot && EQUAL(dot, parts[0])))
        parts = NULL;
    char **files = NULL;
    for (size_t i = 0; parts && parts[i]; i++)
        files = CSLAddString(files, CPLSPrintf("%.*s%s", stem, path, parts[i]));
    return parts ? files : CSLAddString(files, path);
}

void ccov_io_files_free(char **files) { CSLDestroy(files); }

/* The folder of path ("." when none), into dir. */
static void folder_of(const char *path, char *dir, size_t n) {
    const char *slash = strrchr(path, '/');
    snprintf(dir, n, "%.*s", slash ? (int)(slash - path) + (slash == path) : 1, slash ? path : ".");
}

/* No file of the output may exist without --overwrite (a symlink counts, even dangling); one
   that exists must be a file or a symlink, which --overwrite replaces itself. */
static bool files_free(ccov_ctx *ctx, char **files, bool overwrite) {
    struct stat st;
    for (char **f = files; f && *f; f++) {
        if (ccov_atomic_may_write(ctx, *f, overwrite) != CCOV_OK)
            return false;
        if (lstat(*f, &st) == 0 && !S_ISREG(st.st_mode) && !S_ISLNK(st.st_mode)) {
            ccov_ctx_fail(ctx, CCOV_ERR_IO, "%s: not a regular file; give a file name", *f);
            return false;
        }
    }
    return true;
}

/* The folder a new file goes to must exist and be writable; no file of the output may exist
   unless overwrite. */
static bool target_ok(ccov_ctx *ctx, const char *path, const char *driver, bool overwrite) {
    struct stat st;
    char dir[PATH_MAX];
    if (ccov_atomic_check_path(ctx, path) != CCOV_OK)
        return false;
    folder_of(path, dir, sizeof dir);
    char **files = ccov_io_output_files(path, driver);
    bool ok = files_free(ctx, files, overwrite);
    CSLDestroy(files);
    if (!ok)
        return false;
    if (stat(dir, &st) != 0 || !S_ISDIR(st.st_mode))
        ccov_ctx_fail(ctx, CCOV_ERR_IO, "%s: no folder %s: No such file or directory", path, dir);
    else if (access(dir, W_OK) != 0)
        ccov_ctx_fail(ctx, CCOV_ERR_IO, "%s: cannot write in %s: %s", path, dir, strerror(errno));
    else
        return true;
    return false;
}

/* The private folder and the name GDAL creates in it. */
static ccov_writer *writer_new(ccov_ctx *ctx, const char *path, bool overwrite) {
    ccov_writer *w = calloc(1, sizeof *w);
    if (w)
        w->path = strdup(path);
    int err = w && w->path ? 0 : ENOMEM;
    if (!err)
        err = ccov_atomic_temp_dir(path, w->dir, sizeof w->dir);
    if (!err)
        err = ccov_atomic_temp_file(w->dir, path, w->tmp, sizeof w->tmp);
    if (!err) {
        w->overwrite = overwrite;
        return w;
    }
    ccov_io_writer_abort(w);
    ccov_ctx_fail(ctx, CCOV_ERR_IO, "%s: cannot write: %s", path, strerror(err));
    return NULL;
}

/* A database: opened for update, everything after in one transaction (committed by
   ccov_io_writer_publish, rolled back by ccov_io_writer_abort or when the process dies). */
static ccov_writer *database_writer(ccov_ctx *ctx, const char *conn, bool overwrite) {
    ccov_writer *w = calloc(1, sizeof *w);
    if (w)
        w->path = masked_copy(conn);
    if (!w || !w->path) {
        free(w);
        ccov_ctx_fail(ctx, CCOV_ERR_IO, "out of memory");
        return NULL;
    }
    w->database = true;
    w->overwrite = overwrite;
    w->driver = "PostgreSQL";
    CPLErrorReset();
    ctx->gdal_errno = 0;
    w->ds = GDALOpenEx(conn, GDAL_OF_VECTOR | GDAL_OF_UPDATE, NULL, NULL, NULL);
    if (!w->ds)
        open_failed(ctx, conn, w->path);
    else if (GDALDatasetStartTransaction(w->ds, FALSE) != OGRERR_NONE)
        ccov_ctx_fail(ctx, CCOV_ERR_IO, "%s: cannot start a transaction", w->path);
    else {
        w->in_transaction = true;
        return w;
    }
    ccov_io_writer_abort(w);
    return NULL;
}

ccov_status ccov_io_writer_sql(ccov_ctx *ctx, ccov_writer *w, const char *sql, char *out,
                               size_t n) {
    char why[512];
    if (out && n)
        out[0] = '\0';
    CPLErrorReset();
    OGRLayerH res = GDALDatasetExecuteSQL(w->ds, sql, NULL, NULL);
    if (CPLGetLastErrorType() >= CE_Failure) {
        if (res)
            GDALDatasetReleaseResultSet(w->ds, res);
        return ccov_ctx_fail(ctx, CCOV_ERR_IO, "%s: %s", w->path,
                             one_line(gdal_reason("the statement failed"), why, sizeof why));
    }
    OGRFeatureH f = res ? OGR_L_GetNextFeature(res) : NULL;
    if (f && out && n && OGR_F_GetFieldCount(f) > 0 && OGR_F_IsFieldSetAndNotNull(f, 0))
        snprintf(out, n, "%s", OGR_F_GetFieldAsString(f, 0));
    if (f)
        OGR_F_Destroy(f);
    if (res)
        GDALDatasetReleaseResultSet(w->ds, res);
    return CCOV_OK;
}

bool ccov_io_is_database(const char *target) { return is_database(target); }

const char *ccov_io_writer_name(const ccov_writer *w) { return w->path; }

/* A driver that makes a folder for a name without its extension (shapefile, CSV) is refused:
   clearcov publishes files, and a folder dataset is not what the user named. */
static bool created_file(ccov_ctx *ctx, ccov_writer *w) {
    struct stat st;
    if (lstat(w->tmp, &st) != 0 || !S_ISDIR(st.st_mode))
        return true;
    GDALDriverH drv = GDALGetDriverByName(w->driver);
    const char *ext = drv ? GDALGetMetadataItem(drv, GDAL_DMD_EXTENSION, NULL) : NULL;
    ccov_ctx_fail(ctx, CCOV_ERR_USAGE,
                  "%s: GDAL's %s driver would write a folder for this name, not a file; give a "
                  "name ending in .%s",
                  w->path, w->driver, ext && *ext ? ext : "<extension>");
    ccov_io_writer_abort(w);
    return false;
}

ccov_writer *ccov_io_writer_create(ccov_ctx *ctx, const char *path, const char *driver,
                                   bool overwrite) {
    if (is_database(path))
        return database_writer(ctx, path, overwrite);
    if (!target_ok(ctx, path, driver, overwrite))
        return NULL;
    const char *name = driver ? driver : driver_for(path);
    GDALDriverH drv = name ? GDALGetDriverByName(name) : NULL;
    if (!drv) {
        ccov_ctx_fail(ctx, CCOV_ERR_USAGE, "%s: no GDAL driver %s%s", path,
                      name ? name : "for this extension", name ? "" : "; name one with --driver");
        return NULL;
    }
    ccov_writer *w = writer_new(ctx, path, overwrite);
    if (!w)
        return NULL;
    CPLErrorReset();
    ctx->gdal_errno = 0;
    w->ds = GDALCreate(drv, w->tmp, 0, 0, 0, GDT_Unknown, NULL);
    if (!w->ds) {
        ccov_ctx_fail(ctx, CCOV_ERR_IO, "%s: cannot create: %s", path,
                      ccov_io_write_reason(ctx, "GDAL refused to create it"));
        ccov_io_writer_abort(w);
        return NULL;
    }
    w->driver = GDALGetDriverShortName(drv);
    if (!created_file(ctx, w))
        return NULL;
    w->in_transaction = GDALDatasetStartTransaction(w->ds, FALSE) == OGRERR_NONE;
    /* GDAL's text writers (GeoJSON, CSV, ...) do not report a failed write: check by reading. */
    w->verify = !EQUAL(GDALGetDriverShortName(drv), "GPKG");
    return w;
}

static ccov_status feature_geometry(ccov_ctx *ctx, ccov_writer *w, OGRFeatureH f,
                                    const unsigned char *wkb, size_t wkb_size) {
    OGRGeometryH g = NULL;
    if (!wkb)
        return CCOV_OK;
    if (OGR_G_CreateFromWkbEx(wkb, NULL, &g, wkb_size) != OGRERR_NONE)
        return ccov_ctx_fail(ctx, CCOV_ERR_GEOM, "%s: geometry not writable", w->path);
    if (w->multipolygon)
        g = OGR_G_ForceToMultiPolygon(g);
    OGR_F_SetGeometryDirectly(f, g);
    return CCOV_OK;
}

ccov_status ccov_io_writer_add(ccov_ctx *ctx, ccov_writer *w, long long fid,
                               const unsigned char *wkb, size_t wkb_size,
                               const char *const *values) {
    OGRFeatureH f = OGR_F_Create(OGR_L_GetLayerDefn(w->lyr));
    if (fid >= 0)
        OGR_F_SetFID(f, (GIntBig)fid);
    ccov_status st = feature_geometry(ctx, w, f, wkb, wkb_size);
    for (size_t i = 0; st == CCOV_OK && i < w->nfields; i++)
        if (values[i])
            OGR_F_SetFieldString(f, (int)i,
                                 strcmp(values[i], "true") == 0    ? "1"
                                 : strcmp(values[i], "false") == 0 ? "0"
                                                                   : values[i]);
    CPLErrorReset();
    char why[512];
    if (st == CCOV_OK && OGR_L_CreateFeature(w->lyr, f) != OGRERR_NONE)
        st = ccov_ctx_fail(ctx, CCOV_ERR_IO, "%s: write error: %s", w->path,
                           writer_reason(ctx, w, "feature refused", why, sizeof why));
    if (st == CCOV_OK)
        w->written++;
    OGR_F_Destroy(f);
    return st;
}

/* Close the dataset, committing its transaction (else rolling it back); false when GDAL
   reports a failure. */
static bool writer_close(ccov_writer *w, bool commit) {
    if (!w->ds)
        return true;
    CPLErrorReset();
    bool ok = !w->in_transaction || (commit ? GDALDatasetCommitTransaction(w->ds)
                                            : GDALDatasetRollbackTransaction(w->ds)) == OGRERR_NONE;
    GDALClose(w->ds);
    w->ds = NULL;
    return ok && CPLGetLastErrorType() < CE_Failure;
}

void ccov_io_writer_abort(ccov_writer *w) {
    if (!w)
        return;
    /* A file's temporary folder goes anyway; a database's transaction is rolled back. */
    writer_close(w, !w->database);
    ccov_atomic_remove_dir(w->dir);
    free(w->path);
    free(w);
}

/* The features that a reader finds in the closed file, all layers; -1 when it does not open. */
static long long features_on_disk(const char *path) {
    CPLErrorReset();
    GDALDatasetH ds = GDALOpenEx(path, GDAL_OF_VECTOR | GDAL_OF_READONLY, NULL, NULL, NULL);
    if (!ds)
        return -1;
    long long n = 0;
    for (int i = 0; i < GDALDatasetGetLayerCount(ds); i++)
        n += (long long)OGR_L_GetFeatureCount(GDALDatasetGetLayer(ds, i), TRUE);
    GDALClose(ds);
    return CPLGetLastErrorType() >= CE_Failure ? -1 : n;
}

ccov_status ccov_io_writer_close(ccov_ctx *ctx, ccov_writer *w) {
    char why[512];
    if (!writer_close(w, true))
        return ccov_ctx_fail(ctx, CCOV_ERR_IO, "%s: write error: %s", w->path,
                             writer_reason(ctx, w, "unknown", why, sizeof why));
    if (w->verify && features_on_disk(w->tmp) != w->written)
        return ccov_ctx_fail(ctx, CCOV_ERR_IO,
                             "%s: write error: the file written is incomplete (disk full or "
                             "file size limit?)",
                             w->path);
    w->verify = false; /* read back once: publishing closes again */
    return CCOV_OK;
}

/* An SQLite journal of the main file (GPKG, SQLite drivers only): <name>-journal, -wal, -shm. */
static bool transient(const ccov_writer *w, const char *entry) {
    static const char *const suffixes[] = {"-journal", "-wal", "-shm"};
    if (!EQUAL(w->driver, "GPKG") && !EQUAL(w->driver, "SQLite"))
        return false;
    const char *slash = strrchr(w->path, '/');
    const char *base = slash ? slash + 1 : w->path;
    size_t n = strlen(base);
    for (size_t k = 0; k < sizeof suffixes / sizeof *suffixes; k++)
        if (strncmp(entry, base, n) == 0 && strcmp(entry + n, suffixes[k]) == 0)
            return true;
    return false;
}

/* The names of the files GDAL left in the private folder (SQLite journals aside), as a CSL list:
   the files of the dataset, each already under its final name. */
static char **written_files(const ccov_writer *w) {
    char **names = NULL;
    char **entries = VSIReadDir(w->dir);
    for (char **e = entries; e && *e; e++) {
        bool skip = strcmp(*e, ".") == 0 || strcmp(*e, "..") == 0 || transient(w, *e);
        if (!skip)
            names = CSLAddString(names, *e);
    }
    CSLDestroy(entries);
    return names;
}

/* The file `name` in the folder of path, into out. Returns 0 or ENAMETOOLONG. */
static int sibling(const char *path, const char *name, char *out, size_t n) {
    const char *slash = strrchr(path, '/');
    int w = snprintf(out, n, "%.*s%s", slash ? (int)(slash - path + 1) : 0, path, name);
    return w < 0 || (size_t)w >= n ? ENAMETOOLONG : 0;
}

/* Publish every file, or none: without --overwrite, the files linked so far are removed again
   when one cannot be (an output that appeared meanwhile is then left alone). */
static ccov_status publish_files(ccov_ctx *ctx, ccov_writer *w, char **names) {
    char tmp[PATH_MAX], target[PATH_MAX];
    int i = 0, err = 0;
    for (; names && names[i] && !err; i++) {
        err = ccov_atomic_temp_file(w->dir, names[i], tmp, sizeof tmp);
        if (!err)
            err = sibling(w->path, names[i], target, sizeof target);
        if (!err)
            err = ccov_atomic_publish(tmp, target, w->overwrite);
    }
    if (!err)
        return CCOV_OK;
    for (int k = 0; k < i - 1 && !w->overwrite; k++)
        if (sibling(w->path, names[k], tmp, sizeof tmp) == 0)
            unlink(tmp);
    if (err == EEXIST)
        return ccov_atomic_appeared(ctx, target);
    return ccov_ctx_fail(ctx, CCOV_ERR_IO, "%s: cannot move into place: %s", target, strerror(err));
}

/* With --overwrite the output is replaced as a whole: its files this run did not write (an old
   shapefile's .cpg or .qix) go. */
static void remove_stale(const ccov_writer *w, char **names) {
    char **files = ccov_io_output_files(w->path, w->driver);
    for (char **f = files; f && *f; f++) {
        const char *slash = strrchr(*f, '/');
        if (CSLFindString(names, slash ? slash + 1 : *f) < 0)
            unlink(*f);
    }
    CSLDestroy(files);
}

ccov_status ccov_io_writer_publish(ccov_ctx *ctx, ccov_writer *w) {
    if (w->database) { /* the commit publishes */
        ccov_status committed = ccov_io_writer_close(ctx, w);
        ccov_io_writer_abort(w);
        return committed;
    }
    ccov_status st = ccov_io_writer_close(ctx, w);
    char **names = st == CCOV_OK ? written_files(w) : NULL;
    if (st == CCOV_OK && !names)
        st = ccov_ctx_fail(ctx, CCOV_ERR_IO, "%s: GDAL wrote no file", w->path);
    ccov_atomic_hold(); /* a signal now would leave a partial or mixed dataset */
    if (st == CCOV_OK)
        st = publish_files(ctx, w, names);
    if (st == CCOV_OK && w->overwrite)
        remove_stale(w, names);
    ccov_atomic_release();
    CSLDestroy(names);
    ccov_io_writer_abort(w);
    return st;
}

/* ---- the bbox of an empty GeoJSON collection (issue 15, bbox.c) ---- */

bool ccov_io_writer_bbox_get(const ccov_writer *w, double ll[4]) {
    return !w->ds && ccov_io_geojson_bbox_get(w->tmp, ll);
}

ccov_status ccov_io_writer_bbox_fill(ccov_ctx *ctx, ccov_writer *w, const double ll[4],
                                     int precision) {
    if (w->ds || w->database)
        return ccov_ctx_fail(ctx, CCOV_ERR_IO, "%s: bbox of an open or database writer", w->path);
    return ccov_io_geojson_bbox_fill(ctx, w->tmp, w->path, ll, precision);
}
