/* io: everything that talks to GDAL/OGR. */
#include "io.h"
#include "clearcov/atomic.h"
#include "internal.h"
#include "io_arrow.h"
#include "io_shx.h"

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
    char crs_problem[256]; /* GDAL could not read the CRS the source declares */
};

/* The text of GDAL's last error, or `fallback` when GDAL said nothing. */
static const char *gdal_reason(const char *fallback) {
    const char *msg = CPLGetLastErrorMsg();
    return (msg && *msg) ? msg : fallback;
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

/* Why GDAL could not open src, in the user's terms. */
static void open_failed(ccov_ctx *ctx, const char *src) {
    struct stat st;
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

ccov_layer *ccov_io_open(ccov_ctx *ctx, const char *src, const char *layer,
                         const char *layer_option) {
    if (looks_like_file(src) && check_file(ctx, src) != CCOV_OK)
        return NULL;
    ccov_layer *lyr = calloc(1, sizeof *lyr);
    if (!lyr || !(lyr->source = strdup(src))) {
        free(lyr);
        ccov_ctx_fail(ctx, CCOV_ERR_IO, "%s: out of memory", src);
        return NULL;
    }
    CPLErrorReset();
    ctx->gdal_failure[0] = '\0';
    if (looks_like_file(src) && ccov_shx_check(ctx, src, &lyr->shx_fix) != CCOV_OK)
        goto fail;
    lyr->ds = GDALOpenEx(lyr->shx_fix ? ccov_shx_path(lyr->shx_fix) : src,
                         GDAL_OF_VECTOR | GDAL_OF_READONLY, NULL, NULL, NULL);
    if (!lyr->ds) {
        open_failed(ctx, src);
        goto fail;
    }
    lyr->ctx = ctx;
    /* The dataset opened, but a CRS it declares did not parse (GDAL then falls back quietly). */
    if (strstr(ctx->gdal_failure, "PROJ"))
        snprintf(lyr->crs_problem, sizeof lyr->crs_problem, "%s", ctx->gdal_failure);
    shapefile_parts(ctx, src);
    lyr->lyr = pick_layer(ctx, lyr->ds, src, layer, layer_option);
    if (!lyr->lyr)
        goto fail;
    return lyr;
fail:
    ccov_io_close(lyr);
    return NULL;
}

void ccov_io_close(ccov_layer *lyr) {
    if (!lyr)
        return;
    ccov_arrow_close(lyr->arrow);
    if (lyr->ds)
        GDALClose(lyr->ds);
    ccov_shx_free(lyr->shx_fix);
    free(lyr->selected);
    free(lyr->source);
    free(lyr);
}

const char *ccov_io_source(const ccov_layer *lyr) { return lyr->source; }

const char *ccov_io_layer_name(const ccov_layer *lyr) { return OGR_L_GetName(lyr->lyr); }

const char *ccov_io_crs_problem(const ccov_layer *lyr) {
    return lyr->crs_problem[0] ? lyr->crs_problem : NULL;
}

char *ccov_io_crs_definition(const ccov_layer *lyr) {
    OGRSpatialReferenceH srs = OGR_L_GetSpatialRef(lyr->lyr);
    if (!srs)
        return NULL;
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
    if (OGR_L_GetExtent(lyr->lyr, &env, TRUE) != OGRERR_NONE)
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

/* A ';' outside quotes: the filter would be more than one expression. */
static bool several_statements(const char *where) {
    char quote = 0;
    for (; *where; where++) {
        if (quote && *where == quote)
            quote = 0;
        else if (!quote && (*where == '\'' || *where == '"'))
            quote = *where;
        else if (!quote && *where == ';')
            return true;
    }
    return false;
}

ccov_status ccov_io_set_where(ccov_ctx *ctx, ccov_layer *lyr, const char *where) {
    if (several_statements(where))
        return ccov_ctx_fail(ctx, CCOV_ERR_USAGE,
                             "%s: --where '%s': one expression only (a ';' ends it)", lyr->source,
                             where);
    CPLErrorReset();
    OGRErr err = OGR_L_SetAttributeFilter(lyr->lyr, where);
    /* Some drivers (GeoPackage, PostGIS) only parse the filter when reading: try one feature. */
    if (err == OGRERR_NONE) {
        OGRFeatureH f = OGR_L_GetNextFeature(lyr->lyr);
        OGR_F_Destroy(f);
        if (CPLGetLastErrorType() >= CE_Failure)
            err = OGRERR_FAILURE;
        OGR_L_ResetReading(lyr->lyr);
    }
    if (err != OGRERR_NONE)
        return ccov_ctx_fail(ctx, CCOV_ERR_USAGE, "%s: --where '%s': %s", lyr->source, where,
                             gdal_reason("invalid expression"));
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
    OGRFeatureDefnH defn = OGR_L_GetLayerDefn(lyr->lyr);
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

/* Geometries only, from a layer that streams them fast: through Arrow. */
static int next_from_arrow(ccov_ctx *ctx, ccov_layer *lyr, ccov_record *rec) {
    const unsigned char *wkb = NULL;
    size_t size = 0;
    const char *error = NULL;
    int got = ccov_arrow_next(lyr->arrow, &rec->fid, &wkb, &size, &error);
    if (got < 0)
        ccov_ctx_fail(ctx, CCOV_ERR_IO, "%s: read error: %s", lyr->source, error);
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
    if (!lyr->arrow_tried && lyr->selected && lyr->nselected == 0 && !lyr->filtered) {
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
            ccov_ctx_fail(ctx, CCOV_ERR_IO, "%s: read error: %s", lyr->source,
                          gdal_reason("unknown"));
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
    bool ok = record_geometry(OGR_F_GetGeometryRef(f), rec) && record_values(lyr, f, rec);
    OGR_F_Destroy(f);
    if (!ok) {
        ccov_ctx_fail(ctx, CCOV_ERR_IO, "%s: feature %lld: out of memory", lyr->source, rec->fid);
        return -1;
    }
    return 1;
}

/* ---- writing ---- */

struct ccov_writer {
    GDALDatasetH ds;
    OGRLayerH lyr;
    char *path;
    char *tmp;
    char **tmp_files; /* every file of the dataset under its temporary name (CSL list) */
    size_t nfields;
    bool multipolygon; /* promote polygons to multipolygons (layer declared so) */
    bool in_transaction;
    bool verify;       /* read the file back after closing: the driver hides write errors */
    long long written; /* features written, all layers */
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

static OGRFieldType ogr_type(ccov_value_type t) {
    return t == CCOV_VALUE_INT || t == CCOV_VALUE_BOOL ? OFTInteger64
           : t == CCOV_VALUE_REAL                      ? OFTReal
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
        if (err != OGRERR_NONE)
            return ccov_ctx_fail(ctx, CCOV_ERR_IO, "%s: %s", w->path,
                                 gdal_reason("cannot create field"));
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
    if (!w->lyr)
        return ccov_ctx_fail(ctx, CCOV_ERR_IO, "%s: %s", w->path,
                             gdal_reason("cannot create layer"));
    w->multipolygon = multipolygon;
    return writer_fields(ctx, w, fields, nfields);
}

/* The folder a new file goes to must exist and be writable; an existing target must be a file. */
static bool target_ok(ccov_ctx *ctx, const char *path, bool overwrite) {
    struct stat st;
    char dir[4096];
    const char *slash = strrchr(path, '/');
    snprintf(dir, sizeof dir, "%.*s", slash ? (int)(slash - path) + (slash == path) : 1,
             slash ? path : ".");
    bool exists = stat(path, &st) == 0;
    if (exists && !overwrite)
        ccov_ctx_fail(ctx, CCOV_ERR_IO, "%s: exists; pass --overwrite to replace it", path);
    else if (exists && !S_ISREG(st.st_mode))
        ccov_ctx_fail(ctx, CCOV_ERR_IO, "%s: not a regular file; give a file name", path);
    else if (stat(dir, &st) != 0 || !S_ISDIR(st.st_mode))
        ccov_ctx_fail(ctx, CCOV_ERR_IO, "%s: no folder %s: No such file or directory", path, dir);
    else if (access(dir, W_OK) != 0)
        ccov_ctx_fail(ctx, CCOV_ERR_IO, "%s: cannot write in %s: %s", path, dir, strerror(errno));
    else
        return true;
    return false;
}

ccov_writer *ccov_io_writer_create(ccov_ctx *ctx, const char *path, const char *driver,
                                   bool overwrite) {
    if (!target_ok(ctx, path, overwrite))
        return NULL;
    const char *name = driver ? driver : driver_for(path);
    GDALDriverH drv = name ? GDALGetDriverByName(name) : NULL;
    if (!drv) {
        ccov_ctx_fail(ctx, CCOV_ERR_USAGE, "%s: no GDAL driver %s%s", path,
                      name ? name : "for this extension", name ? "" : "; name one with --driver");
        return NULL;
    }
    ccov_writer *w = calloc(1, sizeof *w);
    if (!w || !(w->path = strdup(path)) || !(w->tmp = ccov_atomic_temp_name(path))) {
        ccov_io_writer_abort(w);
        ccov_ctx_fail(ctx, CCOV_ERR_IO, "%s: out of memory", path);
        return NULL;
    }
    CPLErrorReset();
    w->ds = GDALCreate(drv, w->tmp, 0, 0, 0, GDT_Unknown, NULL);
    if (!w->ds) {
        ccov_ctx_fail(ctx, CCOV_ERR_IO, "%s: cannot create: %s", path,
                      gdal_reason("GDAL refused to create it"));
        ccov_io_writer_abort(w);
        return NULL;
    }
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
    if (st == CCOV_OK && OGR_L_CreateFeature(w->lyr, f) != OGRERR_NONE)
        st = ccov_ctx_fail(ctx, CCOV_ERR_IO, "%s: write error: %s", w->path,
                           gdal_reason("feature refused"));
    if (st == CCOV_OK)
        w->written++;
    OGR_F_Destroy(f);
    return st;
}

/* Close the dataset, remembering its files; false when GDAL reports a failure. */
static bool writer_close(ccov_writer *w) {
    if (!w->ds)
        return true;
    CPLErrorReset();
    bool ok = !w->in_transaction || GDALDatasetCommitTransaction(w->ds) == OGRERR_NONE;
    w->tmp_files = GDALGetFileList(w->ds);
    GDALClose(w->ds);
    w->ds = NULL;
    return ok && CPLGetLastErrorType() < CE_Failure;
}

static void writer_free(ccov_writer *w) {
    ccov_atomic_forget(w->tmp);
    CSLDestroy(w->tmp_files);
    free(w->tmp);
    free(w->path);
    free(w);
}

void ccov_io_writer_abort(ccov_writer *w) {
    if (!w)
        return;
    writer_close(w);
    for (char **f = w->tmp_files; f && *f; f++)
        unlink(*f);
    if (w->tmp)
        unlink(w->tmp);
    writer_free(w);
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
    if (!writer_close(w))
        return ccov_ctx_fail(ctx, CCOV_ERR_IO, "%s: write error: %s", w->path,
                             gdal_reason("unknown"));
    if (w->verify && features_on_disk(w->tmp) != w->written)
        return ccov_ctx_fail(ctx, CCOV_ERR_IO,
                             "%s: write error: the file written is incomplete (disk full or "
                             "file size limit?)",
                             w->path);
    w->verify = false; /* read back once: publishing closes again */
    return CCOV_OK;
}

/* The final name of one temporary file: the temporary stem replaced by the target's. */
static void final_name(const ccov_writer *w, const char *tmp_file, char *out, size_t n) {
    const char *tdot = strrchr(w->tmp, '.'), *pdot = strrchr(w->path, '.');
    size_t tstem = tdot ? (size_t)(tdot - w->tmp) : strlen(w->tmp);
    size_t pstem = pdot ? (size_t)(pdot - w->path) : strlen(w->path);
    snprintf(out, n, "%.*s%s", (int)pstem, w->path, tmp_file + tstem);
}

ccov_status ccov_io_writer_publish(ccov_ctx *ctx, ccov_writer *w) {
    ccov_status st = ccov_io_writer_close(ctx, w);
    for (char **f = w->tmp_files; f && *f && st == CCOV_OK; f++) {
        char target[4096];
        final_name(w, *f, target, sizeof target);
        if (rename(*f, target) != 0)
            st = ccov_ctx_fail(ctx, CCOV_ERR_IO, "%s: cannot move into place: %s", target,
                               strerror(errno));
    }
    if (st != CCOV_OK)
        ccov_io_writer_abort(w);
    else
        writer_free(w);
    return st;
}
