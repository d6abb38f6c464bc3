/* coverage: the pipeline from sources to per-region hectares. */
#include "clearcov/coverage.h"
#include "clearcov/names.h"
#include "coverage/internal.h"
#include "coverage/run.h"
#include "crs/crs.h"
#include "geom/geom.h"
#include "io/io.h"

#include <math.h>
#include <stdint.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <strings.h>

#define WGS84_LONLAT "EPSG:4326"

const char *ccov_coverage_data_path(const char *name, char *buf, size_t n) {
    const char *dir = getenv("CLEARCOV_DATA");
    snprintf(buf, n, "%s/%s", dir && *dir ? dir : CCOV_DATA_DIR, name);
    return buf;
}

static char *dup_or_empty(const char *s) { return strdup(s ? s : ""); }

/* ---- measuring ---- */

static double geodesic_ring(void *user, double *x, double *y, size_t n) {
    const measure *m = user;
    if (m->to_wgs84 && ccov_xform_points(m->to_wgs84, x, 1, y, 1, n) != 0)
        return NAN;
    return ccov_crs_geodesic_ring_area(x, y, n);
}

double ccov_measure_ha(ccov_ctx *ctx, const measure *m, const ccov_geom *g) {
    if (m->method == CCOV_AREA_PLANAR)
        return ccov_geom_area(ctx, g, NULL, NULL) * m->unit2 / 1e4;
    return ccov_geom_area(ctx, g, geodesic_ring, (void *)m) / 1e4;
}

double ccov_run_measure_ha(run *r, const ccov_geom *g) { return ccov_measure_ha(r->ctx, &r->m, g); }

/* The way from the working frame to WGS84 lon/lat (geodesic area, output layers). */
static ccov_status frame_finish(run *r) {
    const ccov_options *o = r->opts;
    if (o->area == CCOV_AREA_PLANAR)
        r->m.unit2 = ccov_crs_unit_factor(r->frame) * ccov_crs_unit_factor(r->frame);
    r->res->frame = strdup(ccov_crs_label(r->frame));
    if (!r->res->frame)
        return ccov_ctx_fail(r->ctx, CCOV_ERR_IO, "out of memory");
    if (strcmp(ccov_crs_label(r->frame), WGS84_LONLAT) == 0)
        return CCOV_OK;
    ccov_crs *wgs84 = ccov_crs_create(r->ctx, WGS84_LONLAT, "WGS84");
    if (!wgs84)
        return CCOV_ERR_CRS;
    r->to_lonlat = ccov_xform_create(r->ctx, r->frame, wgs84, NULL, o->allow_ballpark, "--crs");
    ccov_crs_free(wgs84);
    r->m.to_wgs84 = r->to_lonlat;
    return r->to_lonlat ? CCOV_OK : CCOV_ERR_CRS;
}

/* The frame named by --crs; without one, the frame is chosen when the regions are opened. */
static ccov_status measure_setup(run *r) {
    const ccov_options *o = r->opts;
    r->m.method = o->area;
    if (o->area == CCOV_AREA_PLANAR && !o->crs)
        return ccov_ctx_fail(r->ctx, CCOV_ERR_USAGE,
                             "--area planar needs a projected --crs (e.g. EPSG:32648)");
    if (!o->crs)
        return CCOV_OK;
    r->frame = ccov_crs_create(r->ctx, o->crs, "--crs");
    if (!r->frame)
        return CCOV_ERR_CRS;
    if (o->area == CCOV_AREA_PLANAR && ccov_crs_is_geographic(r->frame))
        return ccov_ctx_fail(r->ctx, CCOV_ERR_USAGE,
                             "--area planar needs a projected --crs (e.g. EPSG:32648)");
    return frame_finish(r);
}

/* Where the regions lie, from their coordinates as read: longitudes (degrees, the shortest
   interval holding them all, which may go past 180) and latitudes. */
typedef struct {
    double span[2];
    double lat[2];
} survey;

/* Where a gnomonic frame shows every region: around them when they span 30 degrees or less each
   way, or at a pole that a region reaches when all lie within 30 degrees of it. False: lon/lat. */
static bool frame_centre(const survey *sv, double *lon, double *lat) {
    bool north = sv->lat[1] >= 90 - 1e-9, south = sv->lat[0] <= -90 + 1e-9;
    if (north != south && (north ? sv->lat[0] >= 60 : sv->lat[1] <= -60)) {
        *lon = 0;
        *lat = north ? 90 : -90;
        return true;
    }
    if (north || south || sv->span[1] - sv->span[0] > 30 || sv->lat[1] - sv->lat[0] > 30)
        return false;
    *lon = (sv->span[0] + sv->span[1]) / 2;
    if (*lon >= 180)
        *lon -= 360;
    *lat = (sv->lat[0] + sv->lat[1]) / 2;
    return true;
}

/* The default frame: the ellipsoidal gnomonic projection centred on the regions, in which a
   straight line is (to a few hundredths of a millimetre over a kilometre) a geodesic. GEOS puts
   the vertices it creates where polygons cross on straight frame lines, so in this frame they land
   on the geodesic edges that the area is measured along: the union, the overlaps and the clipped
   parts all measure consistently. Regions wider than 30 degrees fall back to lon/lat, whose
   longitudes are then kept in the half-turn either side of the regions' middle. */
static ccov_status frame_around(run *r, const survey *sv) {
    char def[1024];
    double lon = 0, lat = 0;
    if (!sv || !frame_centre(sv, &lon, &lat)) {
        snprintf(def, sizeof def, "%s", WGS84_LONLAT);
    } else {
        snprintf(def, sizeof def,
                 "PROJCRS[\"Gnomonic centred on %.4f %.4f (WGS 84)\",BASEGEOGCRS[\"WGS 84\","
                 "DATUM[\"World Geodetic System 1984\",ELLIPSOID[\"WGS 84\",6378137,"
                 "298.257223563]],ID[\"EPSG\",4326]],CONVERSION[\"Gnomonic\",METHOD["
                 "\"Gnomonic\"],PARAMETER[\"Latitude of natural origin\",%.4f,ANGLEUNIT["
                 "\"degree\",0.0174532925199433]],PARAMETER[\"Longitude of natural origin\","
                 "%.4f,ANGLEUNIT[\"degree\",0.0174532925199433]],PARAMETER[\"False easting\",0,"
                 "LENGTHUNIT[\"metre\",1]],PARAMETER[\"False northing\",0,LENGTHUNIT["
                 "\"metre\",1]]],CS[Cartesian,2],AXIS[\"easting\",east],AXIS[\"northing\","
                 "north],LENGTHUNIT[\"metre\",1]]",
                 lon, lat, lat, lon);
    }
    r->frame = ccov_crs_create_local(r->ctx, def, "working frame");
    return r->frame ? frame_finish(r) : CCOV_ERR_CRS;
}

/* ---- sources ---- */

static ccov_status source_crs(run *r, source *s, const char *path, double step_m) {
    if (ccov_io_crs_problem(s->layer) && !r->opts->assume_crs)
        return ccov_ctx_fail(r->ctx, CCOV_ERR_CRS,
                             "%s: the CRS it declares cannot be read (%s); name one with "
                             "--assume-crs",
                             path, ccov_io_crs_problem(s->layer));
    char *def = ccov_io_crs_problem(s->layer) ? NULL : ccov_io_crs_definition(s->layer);
    if (!def && !r->opts->assume_crs)
        return ccov_ctx_fail(
            r->ctx, CCOV_ERR_CRS,
            "%s: no CRS declared (no .prj, or one GDAL cannot read); name one with "
            "--assume-crs (e.g. EPSG:32648)",
            path);
    s->crs = ccov_crs_create(r->ctx, def ? def : r->opts->assume_crs, path);
    free(def);
    if (!s->crs) {
        char why[1024];
        snprintf(why, sizeof why, "%s", ccov_ctx_error(r->ctx));
        return ccov_ctx_fail(r->ctx, CCOV_ERR_CRS, "%s; name the right one with --assume-crs", why);
    }
    s->step = ccov_crs_densify_step(s->crs, step_m);
    return CCOV_OK;
}

/* A longitude interval (west, east) made continuous (an interval across 180 degrees has
   west > east) and moved by whole turns so that its middle lies within 180 degrees of ref. */
static void lon_interval_near(double *west, double *east, double ref) {
    if (*west > *east)
        *east += 360;
    double turns = round(((*west + *east) / 2 - ref) / 360);
    *west -= 360 * turns;
    *east -= 360 * turns;
}

/* Wholly outside the area of use, by more than its own size: not data in this CRS. Both boxes
   (west, south, east, north) may cross 180 degrees. */
static bool far_outside(const double use_box[4], const double data_box[4]) {
    double use[4] = {use_box[0], use_box[1], use_box[2], use_box[3]};
    double lonlat[4] = {data_box[0], data_box[1], data_box[2], data_box[3]};
    lon_interval_near(&use[0], &use[2], 0);
    lon_interval_near(&lonlat[0], &lonlat[2], (use[0] + use[2]) / 2);
    double w = use[2] - use[0] + 1, h = use[3] - use[1] + 1;
    return lonlat[2] < use[0] - w || lonlat[0] > use[2] + w || lonlat[3] < use[1] - h ||
           lonlat[1] > use[3] + h;
}

/* Numbers that cannot be in the declared CRS: projected metres in a lon/lat file, latitude and
   longitude swapped, or data far outside the CRS's area of use (lon/lat labelled UTM). A few
   stray coordinates pass here and are excluded feature by feature. */
static ccov_status extent_plausible(run *r, const source *s, const char *path, const double b[4]) {
    const char *label = ccov_crs_label(s->crs);
    double use[4], lonlat[4];
    if (ccov_crs_is_geographic(s->crs) && (fabs(b[1]) > 90 || fabs(b[3]) > 90) &&
        fabs(b[0]) <= 90 && fabs(b[2]) <= 90)
        return ccov_ctx_fail(r->ctx, CCOV_ERR_CRS,
                             "%s: latitude out of range for %s (%.6g to %.6g) while longitudes "
                             "look like latitudes: latitude and longitude swapped?",
                             path, label, b[1], b[3]);
    if (ccov_crs_is_geographic(s->crs) && fabs(b[0]) > 360 && fabs(b[2]) > 360)
        return ccov_ctx_fail(r->ctx, CCOV_ERR_CRS,
                             "%s: coordinates out of range for %s (x %.10g to %.10g): projected "
                             "numbers in a longitude/latitude file? name the right CRS with "
                             "--assume-crs",
                             path, label, b[0], b[2]);
    if (!ccov_crs_is_geographic(s->crs) && fabs(b[0]) <= 180 && fabs(b[2]) <= 180 &&
        fabs(b[1]) <= 90 && fabs(b[3]) <= 90)
        return ccov_ctx_fail(r->ctx, CCOV_ERR_CRS,
                             "%s: every coordinate lies within 180 units of the origin of %s: "
                             "longitudes and latitudes labelled as a projected CRS? name the right "
                             "one with --assume-crs",
                             path, label);
    if (ccov_crs_is_geographic(s->crs) || !ccov_crs_area_of_use(r->ctx, s->crs, use) ||
        !ccov_crs_bbox_to_lonlat(r->ctx, s->crs, b, lonlat) || !far_outside(use, lonlat))
        return CCOV_OK;
    return ccov_ctx_fail(r->ctx, CCOV_ERR_CRS,
                         "%s: the data lie outside the area of use of %s (%.4g..%.4g E, "
                         "%.4g..%.4g N): wrong CRS? name the right one with --assume-crs",
                         path, label, use[0], use[2], use[1], use[3]);
}

/* Open the source, read its CRS and check its declared extent. */
static ccov_status source_open_crs(run *r, source *s, const ccov_io_query *q, const char *where,
                                   double step_m) {
    s->layer = ccov_io_open_query(r->ctx, q);
    if (!s->layer)
        return CCOV_ERR_IO;
    const char *path = ccov_io_source(s->layer); /* password masked */
    ccov_status st = where ? ccov_io_set_where(r->ctx, s->layer, where) : CCOV_OK;
    if (st == CCOV_OK)
        st = source_crs(r, s, path, step_m);
    double bbox[4];
    if (st == CCOV_OK && ccov_io_extent(s->layer, bbox))
        st = extent_plausible(r, s, path, bbox);
    return st;
}

static ccov_status source_xform(run *r, source *s, const char *path);

ccov_status ccov_run_extent_check(run *r, const source *s, const char *path, const double box[4]) {
    return extent_plausible(r, s, path, box);
}

void ccov_run_box_add(double a[4], const double b[4]) {
    if (isnan(b[0]))
        return;
    for (int i = 0; i < 4; i++)
        a[i] = isnan(a[i]) ? b[i] : i < 2 ? fmin(a[i], b[i]) : fmax(a[i], b[i]);
}

ccov_status ccov_run_source_open(run *r, source *s, const ccov_io_query *q, const char *where,
                                 double step_m) {
    ccov_status st = source_open_crs(r, s, q, where, step_m);
    return st == CCOV_OK ? source_xform(r, s, ccov_io_source(s->layer)) : st;
}

/* The way from the source into the working frame (the frame chosen first when there is none). */
static ccov_status source_xform(run *r, source *s, const char *path) {
    double bbox[4], lonlat[4];
    bool have_area = ccov_io_extent(s->layer, bbox) &&
                     ccov_crs_bbox_to_lonlat(r->ctx, s->crs, bbox, lonlat) && lonlat[0] >= -180 &&
                     lonlat[2] <= 180 && lonlat[1] >= -90 && lonlat[3] <= 90;
    ccov_status st = r->frame ? CCOV_OK : frame_around(r, NULL);
    if (st != CCOV_OK)
        return st;
    s->src_turn = ccov_crs_turn(s->crs);
    s->src_centre = r->lon_centre / 360 * s->src_turn;
    s->frame_turn = ccov_crs_turn(r->frame);
    s->frame_centre = r->lon_centre / 360 * s->frame_turn;
    s->frame_label = ccov_crs_label(r->frame);
    s->xf = ccov_xform_create(r->ctx, s->crs, r->frame, have_area ? lonlat : NULL,
                              r->opts->allow_ballpark, path);
    return s->xf ? CCOV_OK : CCOV_ERR_CRS;
}

void ccov_run_source_close(source *s) {
    ccov_xform_free(s->xf);
    ccov_crs_free(s->crs);
    ccov_io_close(s->layer);
}

ccov_status ccov_run_source_describe(run *r, const source *s, ccov_input *in) {
    in->path = strdup(ccov_io_source(s->layer));
    in->layer = strdup(ccov_io_layer_name(s->layer));
    in->crs = strdup(ccov_crs_label(s->crs));
    in->operation = strdup(ccov_xform_name(s->xf));
    if (!in->path || !in->layer || !in->crs || !in->operation)
        return ccov_ctx_fail(r->ctx, CCOV_ERR_IO, "out of memory");
    return CCOV_OK;
}

/* PROJ marks a point it cannot transform with HUGE_VAL (infinity); a NaN stays NaN. */
static bool to_frame(void *user, double *x, double *y, size_t n) {
    if (ccov_xform_points(user, x, 1, y, 1, n) != 0)
        return false;
    for (size_t i = 0; i < n; i++)
        if (!isfinite(x[i]) || !isfinite(y[i]))
            return false;
    return true;
}

/* *g replaced by its copy with continuous longitudes (ccov_geom_wrap_lon); false with reason. */
static bool rewrap(ccov_ctx *ctx, ccov_geom **g, double centre, double turn, bool allow_pole,
                   char *reason, size_t n) {
    char problem[256];
    ccov_geom *wrapped =
        ccov_geom_wrap_lon(ctx, *g, centre, turn, allow_pole, problem, sizeof problem);
    if (!wrapped) {
        snprintf(reason, n, "%s", problem);
        return false;
    }
    ccov_geom_free(ctx, *g);
    *g = wrapped;
    return true;
}

/* Longitudes of a geographic source beyond one and a half turns (540 degrees) from 0: no file
   writes them (-180..180 and 0..360 files, with polygons crossing past 180 or 360, stay within
   540), and folding them back by whole turns would measure a made-up shape. */
static bool lon_beyond(const source *s, const double b[4]) {
    double limit = 1.5 * s->src_turn;
    return s->src_turn > 0 && (fabs(b[0]) > limit || fabs(b[2]) > limit);
}

/* g (taken) in one window of longitudes of a lon/lat frame, so that the parts of regions and
   cleared areas cut at its edge meet there (ccov_geom_fold_window); NULL with reason. */
static ccov_geom *into_window(ccov_ctx *ctx, const source *s, ccov_geom *g, char *reason,
                              size_t n) {
    if (ccov_geom_in_window(ctx, g, s->frame_centre, s->frame_turn))
        return g; /* the common case: nothing to cut, nothing to copy */
    ccov_geom *folded = ccov_geom_fold_window(ctx, g, s->frame_centre, s->frame_turn);
    if (!folded)
        snprintf(reason, n, "cannot cut the polygon at the edge of the longitude window");
    ccov_geom_free(ctx, g);
    return folded;
}

/* Into the working frame: densified in the source CRS first, so that straight edges stay where
   they were; a polygon the reprojection made invalid (rare, tiny) is repaired again. */
static ccov_geom *reproject(ccov_ctx *ctx, const source *s, ccov_xform *xf, const ccov_geom *valid,
                            char *reason, char *repair, size_t n) {
    bool short_edges = ccov_geom_edges_within(ctx, valid, s->step);
    double b[4];
    /* Beyond 60 degrees a degree of longitude is less than half its length at the equator. */
    bool polar = !short_edges && s->src_turn > 0 && ccov_geom_bounds(ctx, valid, b) &&
                 fmax(fabs(b[1]), fabs(b[3])) > s->src_turn / 6;
    ccov_geom *dense = short_edges ? NULL
                       : polar     ? ccov_geom_densify_lonlat(ctx, valid, s->step, s->src_turn)
                                   : ccov_geom_densify(ctx, valid, s->step);
    const ccov_geom *edges = short_edges ? valid : dense;
    ccov_geom *moved = edges ? ccov_geom_transform_rings(ctx, edges, to_frame, xf) : NULL;
    ccov_geom *fixed = NULL;
    if (!moved) {
        snprintf(reason, n, "coordinates cannot be transformed from %s to %s (%s)",
                 ccov_crs_label(s->crs), s->frame_label,
                 strncmp(s->frame_label, "Gnomonic", 8) == 0
                     ? "more than 90 degrees from its centre? --crs EPSG:4326 measures it"
                     : "out of range?");
        goto done;
    }
    if (s->frame_turn > 0 && !rewrap(ctx, &moved, s->frame_centre, s->frame_turn, false, reason, n))
        goto done;
    char again[256];
    fixed = ccov_geom_repair(ctx, moved, again, sizeof again);
    if (!fixed)
        snprintf(reason, n, "after reprojection: %s", again);
    else if (again[0] && !repair[0])
        snprintf(repair, n, "after reprojection: %s", again);
    if (fixed && s->frame_turn > 0)
        fixed = into_window(ctx, s, fixed, reason, n);
done:
    ccov_geom_free(ctx, moved);
    ccov_geom_free(ctx, dense);
    return fixed;
}

/* The record's geometry in the working frame, valid and polygonal; NULL with `reason` when it
   cannot be used. `repair` receives what was repaired ("" when nothing); invalidity is found and
   located in the source's own coordinates, before densifying (GEOS densify would silently
   rebuild an invalid polygon). */
ccov_geom *ccov_run_frame_geometry(ccov_ctx *ctx, const source *s, ccov_xform *xf,
                                   const ccov_record *rec, char *reason, char *repair, size_t n,
                                   double box[4]) {
    repair[0] = '\0';
    for (int i = 0; box && i < 4; i++)
        box[i] = NAN;
    if (!rec->wkb) {
        snprintf(reason, n, "%s", rec->problem);
        return NULL;
    }
    ccov_geom *g = ccov_geom_from_wkb(ctx, rec->wkb, rec->wkb_size, reason, n);
    if (!g)
        return NULL;
    ccov_geom *valid = NULL, *result = NULL;
    if (!ccov_geom_is_finite(ctx, g)) {
        snprintf(reason, n, "non-finite coordinates (NaN or infinity)");
        goto done;
    }
    double b[4];
    if (ccov_geom_bounds(ctx, g, b) && lon_beyond(s, b)) {
        snprintf(reason, n,
                 "longitude out of range (%.10g to %.10g; more than 540 degrees from 0 cannot "
                 "be a longitude)",
                 b[0] / s->src_turn * 360, b[2] / s->src_turn * 360);
        goto done;
    }
    if (box && !ccov_geom_bounds(ctx, g, box))
        box[0] = NAN;
    if (s->src_turn > 0 && !rewrap(ctx, &g, s->src_centre, s->src_turn, true, reason, n))
        goto done;
    valid = ccov_geom_repair(ctx, g, repair, n);
    if (!valid) {
        snprintf(reason, n, "%s", repair);
        repair[0] = '\0';
        goto done;
    }
    result = reproject(ctx, s, xf, valid, reason, repair, n);
done:
    ccov_geom_free(ctx, valid);
    ccov_geom_free(ctx, g);
    return result;
}

/* Room for element n of an array that holds n elements of `size` bytes, its capacity the
   smallest power of two not below n: it doubles when full, so that adding n elements copies
   O(n) bytes, not O(n^2) (realloc may move the block every time). NULL when out of memory (the
   array is then left as it was). */
static void *grown_for(void *array, size_t n, size_t size) {
    if (n != 0 && (n & (n - 1)) != 0)
        return array;
    size_t cap = n ? 2 * n : 1;
    return cap > SIZE_MAX / size ? NULL : realloc(array, cap * size);
}

ccov_status ccov_run_add_note(run *r, ccov_note **list, size_t *count, const char *src,
                              long long fid, const char *reason) {
    ccov_note *grown = grown_for(*list, *count, sizeof **list);
    if (!grown)
        return ccov_ctx_fail(r->ctx, CCOV_ERR_IO, "out of memory");
    *list = grown;
    ccov_note *note = &grown[(*count)++];
    note->source = strdup(src);
    note->fid = fid;
    note->reason = strdup(reason);
    if (!note->source || !note->reason)
        return ccov_ctx_fail(r->ctx, CCOV_ERR_IO, "out of memory");
    ccov_ctx_msg(r->ctx, CCOV_MSG_INFO, "%s: feature %lld: %s", src, fid, reason);
    return CCOV_OK;
}

/* ---- regions ---- */

static const char *const NAME_FIELDS[] = {
    "name",      "NAME_1",     "shapeName", "ADM1_EN",  "ADM2_EN", "NAME_2",  "ADM1_NAME",
    "ADM2_NAME", "admin1Name", "province",  "district", "name_en", "NAME_EN", NULL};
static const char *const ISO_FIELDS[] = {"iso", "shapeISO", "iso_3166_2", "ISO_1", "HASC_1", NULL};

static ccov_status region_fields(run *r, source *s, const char *path) {
    if (ccov_io_count(s->layer) == 0)
        return ccov_ctx_fail(r->ctx, CCOV_ERR_IO, "%s: no regions (the layer has no features)",
                             path);
    const char *name = r->opts->region_field;
    if (!name)
        name = ccov_io_find_field(s->layer, NAME_FIELDS);
    if (!name) {
        char list[512];
        ccov_io_field_list(s->layer, list, sizeof list);
        return ccov_ctx_fail(r->ctx, CCOV_ERR_IO,
                             "%s: no region name field found; name one with --region-field "
                             "(fields: %s)",
                             path, list);
    }
    const char *fields[2] = {name, ccov_io_find_field(s->layer, ISO_FIELDS)};
    s->name_field = name;
    return ccov_io_select_fields(r->ctx, s->layer, fields, 2);
}

/* The --only list split at commas, each name trimmed. */
typedef struct {
    char **names;
    size_t *hits;      /* regions each name matched */
    char (*isos)[128]; /* their ISO codes, for the message when a name is ambiguous */
    size_t n;
} query_list;

static void queries_free(query_list *q) {
    for (size_t i = 0; i < q->n; i++)
        free(q->names[i]);
    free(q->names);
    free(q->hits);
    free(q->isos);
}

static bool queries_parse(const char *only, query_list *q) {
    size_t cap = 1;
    for (const char *p = only; *p; p++)
        cap += *p == ',';
    q->names = calloc(cap, sizeof *q->names);
    q->hits = calloc(cap, sizeof *q->hits);
    q->isos = calloc(cap, sizeof *q->isos);
    if (!q->names || !q->hits || !q->isos)
        return false;
    while (*only) {
        size_t len = strcspn(only, ",");
        size_t lead = strspn(only, " \t");
        size_t end = len;
        while (end > lead && (only[end - 1] == ' ' || only[end - 1] == '\t'))
            end--;
        if (end > lead) {
            q->names[q->n] = strndup(only + lead, end - lead);
            if (!q->names[q->n++])
                return false;
        }
        only += len + (only[len] == ',');
    }
    return true;
}

/* Does the query list pick this region? Marks each query that matched. */
static bool region_chosen(query_list *q, const char *name, const char *iso) {
    if (!q->names)
        return true;
    bool chosen = false;
    for (size_t i = 0; i < q->n; i++)
        if (ccov_names_match(q->names[i], name, iso)) {
            size_t used = strlen(q->isos[i]);
            snprintf(q->isos[i] + used, sizeof q->isos[i] - used, "%s%s", used ? ", " : "",
                     iso && *iso ? iso : "no ISO code");
            q->hits[i]++;
            chosen = true;
        }
    return chosen;
}

static void append_name(char *list, size_t n, const char *name) {
    size_t used = strlen(list);
    if (used + 4 < n)
        snprintf(list + used, n - used, "%s%s", used ? ", " : "", name);
}

static ccov_status region_add(run *r, source *s, const ccov_record *rec) {
    char reason[512], repair[512];
    const char *path = ccov_io_source(s->layer);
    ccov_geom *g =
        ccov_run_frame_geometry(r->ctx, s, s->xf, rec, reason, repair, sizeof reason, NULL);
    if (!g)
        return ccov_ctx_fail(r->ctx, CCOV_ERR_GEOM, "%s: feature %lld (%s): %s", path, rec->fid,
                             rec->values[0], reason);
    region *grown = grown_for(r->regions, r->nregions, sizeof *grown);
    if (!grown) {
        ccov_geom_free(r->ctx, g);
        return ccov_ctx_fail(r->ctx, CCOV_ERR_IO, "out of memory");
    }
    r->regions = grown;
    region *reg = &grown[r->nregions++];
    *reg = (region){g, dup_or_empty(rec->values[0]), dup_or_empty(rec->values[1]), rec->fid, 0};
    reg->ha = ccov_run_measure_ha(r, g);
    if (!reg->name || !reg->iso)
        return ccov_ctx_fail(r->ctx, CCOV_ERR_IO, "out of memory");
    return repair[0]
               ? ccov_run_add_note(r, &r->res->repaired, &r->res->nrepaired, path, rec->fid, repair)
               : CCOV_OK;
}

/* The chosen region records, kept until the working frame is chosen from their coordinates. */
typedef struct {
    ccov_record *recs;
    size_t n;
} record_list;

static void records_free(record_list *l) {
    for (size_t i = 0; i < l->n; i++)
        ccov_record_clear(&l->recs[i]);
    free(l->recs);
}

static ccov_status records_keep(run *r, record_list *l, ccov_record *rec) {
    ccov_record *grown = realloc(l->recs, (l->n + 1) * sizeof *grown);
    if (!grown)
        return ccov_ctx_fail(r->ctx, CCOV_ERR_IO, "out of memory");
    l->recs = grown;
    grown[l->n++] = *rec;
    memset(rec, 0, sizeof *rec);
    return CCOV_OK;
}

typedef struct {
    double (*iv)[2]; /* longitude interval of each shell, degrees */
    size_t n, cap;
    double lat[2];
    double deg; /* degrees per source unit */
} shells;

static bool shell_add(void *user, const double *x, const double *y, size_t n, bool exterior) {
    shells *sh = user;
    if (!exterior || n == 0)
        return true;
    if (sh->n == sh->cap) {
        size_t cap = sh->cap ? 2 * sh->cap : 16;
        double(*grown)[2] = realloc(sh->iv, cap * sizeof *grown);
        if (!grown)
            return false;
        sh->iv = grown;
        sh->cap = cap;
    }
    double lo = HUGE_VAL, hi = -HUGE_VAL;
    for (size_t i = 0; i < n; i++) {
        lo = fmin(lo, x[i]);
        hi = fmax(hi, x[i]);
        sh->lat[0] = fmin(sh->lat[0], y[i] * sh->deg);
        sh->lat[1] = fmax(sh->lat[1], y[i] * sh->deg);
    }
    sh->iv[sh->n][0] = lo * sh->deg;
    sh->iv[sh->n++][1] = hi * sh->deg;
    return true;
}

/* One region's longitudes and latitudes: each shell's in a geographic source (made continuous
   first), the bounds taken to lon/lat in a projected one (an interval across 180 has west > east).
 */
static bool region_lonlat(run *r, const source *s, const ccov_geom *g, shells *sh) {
    if (s->src_turn > 0) {
        char problem[256];
        ccov_geom *w = ccov_geom_wrap_lon(r->ctx, g, 0, s->src_turn, true, problem, sizeof problem);
        bool ok = !w || ccov_geom_rings(r->ctx, w, shell_add, sh);
        ccov_geom_free(r->ctx, w);
        return ok;
    }
    double b[4], ll[4];
    if (!ccov_geom_bounds(r->ctx, g, b) || !ccov_crs_bbox_to_lonlat(r->ctx, s->crs, b, ll))
        return true;
    double x[2] = {ll[0], ll[2] < ll[0] ? ll[2] + 360 : ll[2]}, y[2] = {ll[1], ll[3]};
    double deg = sh->deg;
    sh->deg = 1;
    bool ok = shell_add(sh, x, y, 2, true);
    sh->deg = deg;
    return ok;
}

/* Where the regions lie (sv) and the bounds of their coordinates as read (box). */
static ccov_status regions_survey(run *r, const source *s, const record_list *l, survey *sv,
                                  double box[4]) {
    shells sh = {NULL, 0, 0, {HUGE_VAL, -HUGE_VAL}, 1};
    if (s->src_turn > 0)
        sh.deg = 360 / s->src_turn;
    bool ok = true;
    for (size_t i = 0; ok && i < l->n; i++) {
        char problem[256];
        ccov_geom *g = l->recs[i].wkb
                           ? ccov_geom_from_wkb(r->ctx, l->recs[i].wkb, l->recs[i].wkb_size,
                                                problem, sizeof problem)
                           : NULL;
        double b[4];
        if (g && ccov_geom_is_finite(r->ctx, g) && ccov_geom_bounds(r->ctx, g, b) &&
            !lon_beyond(s, b)) {
            ccov_run_box_add(box, b);
            ok = region_lonlat(r, s, g, &sh);
        }
        ccov_geom_free(r->ctx, g);
    }
    ok = ok && (sh.n == 0 || ccov_crs_lon_span((const double(*)[2])sh.iv, sh.n, sv->span));
    sv->lat[0] = sh.lat[0];
    sv->lat[1] = sh.lat[1];
    free(sh.iv);
    if (!ok)
        return ccov_ctx_fail(r->ctx, CCOV_ERR_IO, "out of memory");
    return sh.n ? CCOV_OK : CCOV_ERR_GEOM;
}

/* The working frame (unless --crs named one) and the middle of the lon/lat window, from the
   regions' coordinates as read; then the way into the frame. */
static ccov_status regions_frame(run *r, source *s, const char *path, const record_list *l) {
    survey sv = {{-180, 180}, {-90, 90}};
    double box[4] = {NAN, NAN, NAN, NAN};
    s->src_turn = ccov_crs_turn(s->crs);
    ccov_status st = regions_survey(r, s, l, &sv, box);
    if (st == CCOV_ERR_IO)
        return st;
    bool found = st == CCOV_OK;
    st = isnan(box[0]) ? CCOV_OK : extent_plausible(r, s, path, box);
    if (st != CCOV_OK)
        return st;
    r->lon_centre = found ? (sv.span[0] + sv.span[1]) / 2 : 0;
    if (r->lon_centre >= 180)
        r->lon_centre -= 360;
    st = r->frame ? CCOV_OK : frame_around(r, found ? &sv : NULL);
    return st == CCOV_OK ? source_xform(r, s, path) : st;
}

static ccov_status regions_read(run *r, source *s, query_list *q, char *names, size_t nsz,
                                record_list *chosen) {
    ccov_record rec = {0};
    ccov_status st = CCOV_OK;
    int got = ccov_io_next(r->ctx, s->layer, &rec);
    for (; st == CCOV_OK && got == 1; got = ccov_io_next(r->ctx, s->layer, &rec)) {
        const char *name = rec.values[0] ? rec.values[0] : "";
        r->res->regions_input.features++;
        if (!*name)
            ccov_ctx_msg(r->ctx, CCOV_MSG_WARNING, "%s: feature %lld: no name (field %s is empty)",
                         ccov_io_source(s->layer), rec.fid, s->name_field);
        append_name(names, nsz, name);
        if (region_chosen(q, name, rec.values[1]))
            st = records_keep(r, chosen, &rec);
    }
    if (st == CCOV_OK && got < 0)
        st = CCOV_ERR_IO;
    ccov_record_clear(&rec);
    return st;
}

/* Every --only name must pick exactly one region. */
static ccov_status queries_check(run *r, const char *src, const query_list *q, const char *names) {
    if (r->opts->only && q->n == 0)
        return ccov_ctx_fail(r->ctx, CCOV_ERR_USAGE, "--only: no region name given (regions: %s)",
                             names);
    for (size_t i = 0; i < q->n; i++) {
        if (q->hits[i] == 0)
            return ccov_ctx_fail(r->ctx, CCOV_ERR_USAGE,
                                 "%s: --only: no region matches '%s' (regions: %s)", src,
                                 q->names[i], names);
        if (q->hits[i] > 1)
            return ccov_ctx_fail(r->ctx, CCOV_ERR_USAGE,
                                 "%s: --only: '%s' is ambiguous: %zu regions have that name (%s); "
                                 "name one by its ISO code",
                                 src, q->names[i], q->hits[i], q->isos[i]);
    }
    return CCOV_OK;
}

/* What to read of the regions' source: a layer or a query, and a geometry column. */
static ccov_io_query regions_query(const ccov_options *o, const char *src) {
    return (ccov_io_query){.src = src,
                           .layer = o->regions_layer,
                           .sql = o->regions_sql,
                           .geom_column = o->regions_geom_column,
                           .layer_option = "--regions-layer",
                           .sql_option = "--regions-sql",
                           .geom_option = "--regions-geom-column"};
}

static ccov_status regions_load(run *r) {
    char path[4096];
    const char *src = r->opts->regions_src;
    if (!src)
        src = ccov_coverage_data_path("provinces.shp", path, sizeof path);
    ccov_io_query query = regions_query(r->opts, src);
    source s = {0};
    query_list q = {0};
    record_list chosen = {0};
    char names[2048] = "";
    ccov_status st = CCOV_OK;
    if (r->opts->only && !queries_parse(r->opts->only, &q))
        st = ccov_ctx_fail(r->ctx, CCOV_ERR_IO, "out of memory");
    if (st == CCOV_OK)
        st = source_open_crs(r, &s, &query, NULL, CCOV_REGION_STEP_M);
    if (st == CCOV_OK)
        st = region_fields(r, &s, src);
    if (st == CCOV_OK)
        st = regions_read(r, &s, &q, names, sizeof names, &chosen);
    if (st == CCOV_OK)
        st = queries_check(r, src, &q, names);
    if (st == CCOV_OK)
        st = regions_frame(r, &s, src, &chosen);
    for (size_t i = 0; st == CCOV_OK && i < chosen.n; i++)
        st = region_add(r, &s, &chosen.recs[i]);
    records_free(&chosen);
    if (st == CCOV_OK && r->nregions == 0)
        st = ccov_ctx_fail(r->ctx, CCOV_ERR_IO, "%s: no regions", src);
    if (st == CCOV_OK)
        st = ccov_run_source_describe(r, &s, &r->res->regions_input);
    r->res->regions_input.used = (long long)r->nregions;
    queries_free(&q);
    ccov_run_source_close(&s);
    return st;
}

/* Regions in name order, ties in the order they were read. */
static int by_name(const void *x, const void *y) {
    const region *a = *(const region *const *)x, *b = *(const region *const *)y;
    int c = strcmp(a->name, b->name);
    return c ? c : (a > b) - (a < b);
}

/* Regions that share a name: found by sorting, so the check stays fast with many regions. */
static ccov_status same_names_check(run *r) {
    const region **sorted = malloc((r->nregions ? r->nregions : 1) * sizeof *sorted);
    if (!sorted)
        return ccov_ctx_fail(r->ctx, CCOV_ERR_IO, "out of memory");
    for (size_t i = 0; i < r->nregions; i++)
        sorted[i] = &r->regions[i];
    qsort(sorted, r->nregions, sizeof *sorted, by_name);
    for (size_t i = 1; i < r->nregions; i++)
        if (strcmp(sorted[i - 1]->name, sorted[i]->name) == 0)
            ccov_ctx_msg(r->ctx, CCOV_MSG_WARNING,
                         "%s: region '%s' appears twice (features %lld and %lld, same name); "
                         "each is reported on its own row",
                         r->res->regions_input.path, sorted[i]->name, sorted[i - 1]->fid,
                         sorted[i]->fid);
    free(sorted);
    return CCOV_OK;
}

/* Region i against the later regions js whose extents meet its own: warn of any overlap. */
static ccov_status overlaps_of(size_t i, const size_t *js, size_t nj, void *user) {
    run *r = user;
    const region *a = &r->regions[i];
    ccov_prepared *p = ccov_geom_prepare(r->ctx, a->geom);
    if (!p)
        return ccov_ctx_fail(r->ctx, CCOV_ERR_GEOM, "region '%s': cannot prepare", a->name);
    for (size_t k = 0; k < nj; k++) {
        const region *b = &r->regions[js[k]];
        ccov_place where;
        ccov_geom *both = ccov_geom_clip(r->ctx, p, b->geom, &where);
        double ha = both ? ccov_run_measure_ha(r, both) : 0;
        ccov_geom_free(r->ctx, both);
        if (ha > 1e-4)
            ccov_ctx_msg(r->ctx, CCOV_MSG_WARNING,
                         "%s: regions '%s' and '%s' overlap by %.4f ha: cleared land there "
                         "counts in both, and in the totals twice",
                         r->res->regions_input.path, a->name, b->name, ha);
    }
    ccov_geom_prepared_free(r->ctx, p);
    return CCOV_OK;
}

/* Regions that share a name or overlap make totals ambiguous: say so (a region's own figures stay
   right; totals add the regions up, so an overlap is counted in each region it lies in). Only
   pairs whose extents meet are measured (a GEOS STRtree finds them). */
static ccov_status regions_check(run *r) {
    ccov_status st = same_names_check(r);
    ccov_geom **geoms =
        st == CCOV_OK ? malloc((r->nregions ? r->nregions : 1) * sizeof *geoms) : NULL;
    if (st == CCOV_OK && !geoms)
        st = ccov_ctx_fail(r->ctx, CCOV_ERR_IO, "out of memory");
    for (size_t i = 0; geoms && i < r->nregions; i++)
        geoms[i] = r->regions[i].geom;
    if (st == CCOV_OK)
        st = ccov_geom_box_pairs(r->ctx, geoms, r->nregions, overlaps_of, r);
    free(geoms);
    return st;
}

/* ---- run ---- */

static void run_release(run *r) {
    ccov_run_workers_free(r);
    ccov_geom_free(r->ctx, r->all_regions);
    free(r->region_box);
    for (size_t i = 0; i < r->nregions; i++) {
        ccov_geom_free(r->ctx, r->regions[i].geom);
        free(r->regions[i].name);
        free(r->regions[i].iso);
    }
    free(r->regions);
    for (size_t i = 0; i < r->ncleared; i++)
        ccov_geom_free(r->ctx, r->cleared[i]);
    free(r->cleared);
    free(r->cleared_ha);
    for (size_t i = 0; i < r->ncleared; i++) {
        for (size_t f = 0; r->info[i].values && f < r->nfields; f++)
            free(r->info[i].values[f]);
        free(r->info[i].values);
    }
    free(r->info);
    for (size_t f = 0; f < r->nfields; f++)
        free(r->fields[f].name);
    free(r->fields);
    ccov_xform_free(r->to_lonlat);
    ccov_crs_free(r->frame);
}

ccov_status ccov_coverage_run(ccov_ctx *ctx, const ccov_options *opts, ccov_result **out) {
    run r = {.ctx = ctx, .opts = opts};
    *out = NULL;
    r.res = calloc(1, sizeof *r.res);
    if (!r.res)
        return ccov_ctx_fail(ctx, CCOV_ERR_IO, "out of memory");
    r.res->area = opts->area;
    ccov_status st = measure_setup(&r);
    if (st == CCOV_OK)
        st = regions_load(&r);
    if (st == CCOV_OK)
        st = regions_check(&r);
    if (st == CCOV_OK)
        st = ccov_run_workers_create(&r);
    if (st == CCOV_OK)
        st = ccov_run_cleared_load(&r);
    if (st == CCOV_OK)
        st = ccov_run_compute(&r);
    run_release(&r);
    if (st != CCOV_OK) {
        ccov_result_free(r.res);
        return st;
    }
    *out = r.res;
    return CCOV_OK;
}

static void input_free(ccov_input *in) {
    free(in->path);
    free(in->layer);
    free(in->crs);
    free(in->operation);
}

static void notes_free(ccov_note *notes, size_t n) {
    for (size_t i = 0; i < n; i++) {
        free(notes[i].source);
        free(notes[i].reason);
    }
    free(notes);
}

void ccov_result_free(ccov_result *res) {
    if (!res)
        return;
    for (size_t i = 0; i < res->nregions; i++) {
        free(res->regions[i].name);
        free(res->regions[i].iso);
    }
    free(res->regions);
    input_free(&res->regions_input);
    input_free(&res->cleared_input);
    notes_free(res->repaired, res->nrepaired);
    notes_free(res->excluded, res->nexcluded);
    for (size_t i = 0; i < res->nlayers; i++)
        ccov_layer_table_clear(&res->layers[i]);
    free(res->layers);
    free(res->task_fids);
    free(res->frame);
    free(res);
}

ccov_status ccov_coverage_regions(ccov_ctx *ctx, const ccov_options *opts, ccov_geom ***geoms,
                                  char ***names, size_t *n) {
    run r = {.ctx = ctx, .opts = opts};
    *geoms = NULL;
    *names = NULL;
    *n = 0;
    r.res = calloc(1, sizeof *r.res);
    if (!r.res)
        return ccov_ctx_fail(ctx, CCOV_ERR_IO, "out of memory");
    ccov_status st = measure_setup(&r);
    if (st == CCOV_OK)
        st = regions_load(&r);
    size_t k = r.nregions ? r.nregions : 1;
    ccov_geom **out = st == CCOV_OK ? malloc(k * sizeof *out) : NULL;
    char **out_names = out ? malloc(k * sizeof *out_names) : NULL;
    if (st == CCOV_OK && !out_names) {
        free(out);
        out = NULL;
        st = ccov_ctx_fail(ctx, CCOV_ERR_IO, "out of memory");
    }
    for (size_t i = 0; out && i < r.nregions; i++) {
        out[i] = r.regions[i].geom;
        out_names[i] = r.regions[i].name;
        r.regions[i].geom = NULL;
        r.regions[i].name = NULL;
    }
    if (out) {
        *geoms = out;
        *names = out_names;
        *n = r.nregions;
    }
    run_release(&r);
    ccov_result_free(r.res);
    return st;
}
