/* Fixture of the coverage unit tests (see coverage_fixture.h). The sources are GeoPackages
   written with GDAL's C API; the folder is made with mkdtemp and emptied and removed after. */
#define _GNU_SOURCE /* mkdtemp */
#include "coverage_fixture.h"

#include <dirent.h>
#include <gdal.h>
#include <ogr_api.h>
#include <ogr_srs_api.h>
#include <stdlib.h>
#include <string.h>
#include <unistd.h>

/* ---- writing the sources ---- */

static bool feature_add(OGRLayerH layer, const cfx_feature *f, OGRSpatialReferenceH srs) {
    char *text = (char *)f->wkt;
    OGRGeometryH g = NULL;
    if (OGR_G_CreateFromWkt(&text, srs, &g) != OGRERR_NONE) {
        fprintf(stderr, "coverage_fixture: bad test WKT: %s\n", f->wkt);
        return false;
    }
    OGRFeatureH feat = OGR_F_Create(OGR_L_GetLayerDefn(layer));
    if (f->name)
        OGR_F_SetFieldString(feat, 0, f->name);
    OGR_F_SetGeometryDirectly(feat, g);
    bool ok = OGR_L_CreateFeature(layer, feat) == OGRERR_NONE;
    OGR_F_Destroy(feat);
    return ok;
}

static bool layer_fill(GDALDatasetH ds, const char *name, const char *field, const cfx_feature *f,
                       size_t n, OGRSpatialReferenceH srs) {
    OGRLayerH layer = GDALDatasetCreateLayer(ds, name, srs, wkbUnknown, NULL);
    if (!layer)
        return false;
    OGRFieldDefnH def = OGR_Fld_Create(field, OFTString);
    bool ok = OGR_L_CreateField(layer, def, TRUE) == OGRERR_NONE;
    OGR_Fld_Destroy(def);
    ok = ok && GDALDatasetStartTransaction(ds, FALSE) == OGRERR_NONE;
    for (size_t i = 0; ok && i < n; i++)
        ok = feature_add(layer, &f[i], srs);
    return ok && GDALDatasetCommitTransaction(ds) == OGRERR_NONE;
}

/* One GeoPackage with one layer, `name`; `field` is the text attribute ("name" or "task_id"). */
static bool source_write(const char *path, const char *crs, const char *name, const char *field,
                         const cfx_feature *f, size_t n) {
    GDALAllRegister();
    GDALDriverH drv = GDALGetDriverByName("GPKG");
    GDALDatasetH ds = drv ? GDALCreate(drv, path, 0, 0, 0, GDT_Unknown, NULL) : NULL;
    OGRSpatialReferenceH srs = OSRNewSpatialReference(NULL);
    bool ok = ds && srs && OSRSetFromUserInput(srs, crs) == OGRERR_NONE;
    if (ok)
        OSRSetAxisMappingStrategy(srs, OAMS_TRADITIONAL_GIS_ORDER);
    ok = ok && layer_fill(ds, name, field, f, n, srs);
    CPLErrorReset();
    if (ds)
        GDALClose(ds);
    ok = ok && CPLGetLastErrorType() < CE_Failure;
    OSRDestroySpatialReference(srs);
    if (!ok)
        fprintf(stderr, "coverage_fixture: cannot write %s (%s)\n", path, CPLGetLastErrorMsg());
    return ok;
}

bool cfx_write(cfx_dir *d, const cfx_sources *s) {
    const char *tmp = getenv("TMPDIR");
    snprintf(d->dir, sizeof d->dir, "%s/clearcov-unit-XXXXXX", tmp && tmp[0] ? tmp : "/tmp");
    if (!mkdtemp(d->dir)) {
        perror("coverage_fixture: mkdtemp");
        d->dir[0] = '\0';
        return false;
    }
    snprintf(d->regions, sizeof d->regions, "%s/regions.gpkg", d->dir);
    snprintf(d->cleared, sizeof d->cleared, "%s/cleared.gpkg", d->dir);
    bool ok = source_write(d->regions, s->crs, "regions", "name", s->regions, s->nregions) &&
              source_write(d->cleared, s->crs, "cleared", "task_id", s->cleared, s->ncleared);
    if (!ok)
        cfx_remove(d);
    return ok;
}

void cfx_remove(cfx_dir *d) {
    if (!d->dir[0])
        return;
    DIR *dir = opendir(d->dir);
    const struct dirent *e = dir ? readdir(dir) : NULL;
    for (; e; e = readdir(dir)) {
        char path[1024];
        if (strcmp(e->d_name, ".") == 0 || strcmp(e->d_name, "..") == 0)
            continue;
        snprintf(path, sizeof path, "%s/%s", d->dir, e->d_name);
        unlink(path);
    }
    if (dir)
        closedir(dir);
    if (rmdir(d->dir) != 0)
        perror("coverage_fixture: rmdir");
    d->dir[0] = '\0';
}

/* ---- running ---- */

static char *log_text;
static size_t log_len;

static void log_line(void *user, ccov_msg_level level, const char *line) {
    (void)user;
    (void)level;
    size_t n = strlen(line);
    char *grown = realloc(log_text, log_len + n + 2);
    if (!grown)
        return;
    log_text = grown;
    memcpy(log_text + log_len, line, n);
    log_len += n;
    log_text[log_len++] = '\n';
    log_text[log_len] = '\0';
}

static void log_free(void) { free(log_text); }

const char *cfx_log(void) { return log_text ? log_text : ""; }

static ccov_status last_status;
static char last_error[1024];

ccov_status cfx_status(void) { return last_status; }

const char *cfx_error(void) { return last_error; }

ccov_result *cfx_run_in(const cfx_dir *d, ccov_options o) {
    static bool registered;
    if (!registered)
        registered = atexit(log_free) == 0;
    log_len = 0;
    if (log_text)
        log_text[0] = '\0';
    o.regions_src = d->regions;
    o.cleared_src = d->cleared;
    ccov_result *res = NULL;
    ccov_ctx *ctx = ccov_ctx_create();
    last_status = CCOV_ERR_IO;
    snprintf(last_error, sizeof last_error, "no context");
    if (!ctx)
        return NULL;
    ccov_ctx_set_messages(ctx, log_line, NULL);
    last_status = ccov_coverage_run(ctx, &o, &res);
    snprintf(last_error, sizeof last_error, "%s", ccov_ctx_error(ctx));
    if (last_status != CCOV_OK) {
        fprintf(stderr, "coverage_fixture: the run failed (status %d): %s\n", last_status,
                last_error);
        res = NULL;
    }
    ccov_ctx_free(ctx);
    return res;
}

ccov_result *cfx_run(const cfx_sources *s, ccov_options o) {
    cfx_dir d;
    if (!cfx_write(&d, s))
        return NULL;
    ccov_result *res = cfx_run_in(&d, o);
    cfx_remove(&d);
    return res;
}

ccov_options cfx_planar(const char *frame) {
    return (ccov_options){.area = CCOV_AREA_PLANAR, .crs = frame, .threads = 1};
}

ccov_options cfx_geodesic(void) { return (ccov_options){.area = CCOV_AREA_GEODESIC, .threads = 1}; }

const ccov_region_result *cfx_region(const ccov_result *res, const char *name) {
    for (size_t i = 0; res && i < res->nregions; i++)
        if (strcmp(res->regions[i].name, name) == 0)
            return &res->regions[i];
    fprintf(stderr, "coverage_fixture: no region called %s in the result\n", name);
    return NULL;
}
