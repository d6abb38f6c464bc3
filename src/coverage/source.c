/* coverage: sources. Opening one, finding and checking its CRS, the plausibility of its
   coordinates, its way into the working frame, its description, and reading a record into the
   frame. Every command opens its sources here. */
#include "coverage/source.h"

#include <math.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <strings.h>

/* The source's CRS: the one it declares, else assume_crs; the densifying step in its units. */
static ccov_status source_crs(ccov_ctx *ctx, ccov_source *s, const char *path,
                              const char *assume_crs, double step_m) {
    if (ccov_io_crs_problem(s->layer) && !assume_crs)
        return ccov_ctx_fail(ctx, CCOV_ERR_CRS,
                             "%s: the CRS it declares cannot be read (%s); name one with "
                             "--assume-crs",
                             path, ccov_io_crs_problem(s->layer));
    char *def = ccov_io_crs_problem(s->layer) ? NULL : ccov_io_crs_definition(s->layer);
    if (!def && !assume_crs)
        return ccov_ctx_fail(
            ctx, CCOV_ERR_CRS,
            "%s: no CRS declared (no .prj, or one GDAL cannot read); name one with "
            "--assume-crs (e.g. EPSG:32648)",
            path);
    s->crs = ccov_crs_create(ctx, def ? def : assume_crs, path);
    free(def);
    if (!s->crs) {
        char why[1024];
        snprintf(why, sizeof why, "%s", ccov_ctx_error(ctx));
        return ccov_ctx_fail(ctx, CCOV_ERR_CRS, "%s; name the right one with --assume-crs", why);
    }
    s->step = ccov_crs_densify_step(s->crs, step_m);
    s->src_turn = ccov_crs_turn(s->crs);
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
ccov_status ccov_source_extent_check(ccov_ctx *ctx, const ccov_source *s, const char *path,
                                     const double b[4]) {
    const char *label = ccov_crs_label(s->crs);
    double use[4], lonlat[4];
    if (ccov_crs_is_geographic(s->crs) && (fabs(b[1]) > 90 || fabs(b[3]) > 90) &&
        fabs(b[0]) <= 90 && fabs(b[2]) <= 90)
        return ccov_ctx_fail(ctx, CCOV_ERR_CRS,
                             "%s: latitude out of range for %s (%.6g to %.6g) while longitudes "
                             "look like latitudes: latitude and longitude swapped?",
                             path, label, b[1], b[3]);
    if (ccov_crs_is_geographic(s->crs) && fabs(b[0]) > 360 && fabs(b[2]) > 360)
        return ccov_ctx_fail(ctx, CCOV_ERR_CRS,
                             "%s: coordinates out of range for %s (x %.10g to %.10g): projected "
                             "numbers in a longitude/latitude file? name the right CRS with "
                             "--assume-crs",
                             path, label, b[0], b[2]);
    if (!ccov_crs_is_geographic(s->crs) && fabs(b[0]) <= 180 && fabs(b[2]) <= 180 &&
        fabs(b[1]) <= 90 && fabs(b[3]) <= 90)
        return ccov_ctx_fail(ctx, CCOV_ERR_CRS,
                             "%s: every coordinate lies within 180 units of the origin of %s: "
                             "longitudes and latitudes labelled as a projected CRS? name the right "
                             "one with --assume-crs",
                             path, label);
    if (ccov_crs_is_geographic(s->crs) || !ccov_crs_area_of_use(ctx, s->crs, use) ||
        !ccov_crs_bbox_to_lonlat(ctx, s->crs, b, lonlat) || !far_outside(use, lonlat))
        return CCOV_OK;
    return ccov_ctx_fail(ctx, CCOV_ERR_CRS,
                         "%s: the data lie outside the area of use of %s (%.4g..%.4g E, "
                         "%.4g..%.4g N): wrong CRS? name the right one with --assume-crs",
                         path, label, use[0], use[2], use[1], use[3]);
}

ccov_status ccov_source_open(ccov_ctx *ctx, ccov_source *s, const ccov_io_query *q) {
    memset(s, 0, sizeof *s);
    s->layer = ccov_io_open_query(ctx, q);
    return s->layer ? CCOV_OK : CCOV_ERR_IO;
}

ccov_status ccov_source_filter(ccov_ctx *ctx, ccov_source *s, const char *where) {
    return ccov_io_set_where(ctx, s->layer, where);
}

ccov_status ccov_source_find_crs(ccov_ctx *ctx, ccov_source *s, const char *path,
                                 const char *assume_crs, double step_m) {
    ccov_status st = source_crs(ctx, s, path, assume_crs, step_m);
    double bbox[4];
    if (st == CCOV_OK && ccov_io_extent(s->layer, bbox))
        st = ccov_source_extent_check(ctx, s, path, bbox);
    return st;
}

ccov_status ccov_source_open_checked(ccov_ctx *ctx, ccov_source *s, const char *path,
                                     const ccov_source_spec *spec) {
    ccov_io_query q = {.src = path,
                       .layer = spec->layer,
                       .sql = spec->sql,
                       .geom_column = spec->geom_column,
                       .layer_option = spec->layer_option,
                       .sql_option = spec->sql_option,
                       .geom_option = spec->geom_option};
    ccov_status st = ccov_source_open(ctx, s, &q);
    if (st == CCOV_OK && spec->where)
        st = ccov_source_filter(ctx, s, spec->where);
    /* No polygons at all is the real problem, before any missing CRS. */
    char *def = st == CCOV_OK && !spec->assume_crs ? ccov_io_crs_definition(s->layer) : NULL;
    bool no_crs = !spec->assume_crs && !def;
    free(def);
    const char *holds = st == CCOV_OK ? ccov_io_not_polygons(s->layer, no_crs) : NULL;
    size_t n = strlen(path);
    bool csv = n > 4 && strcasecmp(path + n - 4, ".csv") == 0;
    if (holds)
        st =
            ccov_ctx_fail(ctx, CCOV_ERR_GEOM, "%s: the layer %s: nothing to measure%s", path, holds,
                          csv ? " (a CSV gives polygons as WKT in a column named WKT)" : "");
    if (st == CCOV_OK)
        st = ccov_source_find_crs(ctx, s, path, spec->assume_crs, spec->step_m);
    return st;
}

void ccov_source_box_add(double a[4], const double b[4]) {
    if (isnan(b[0]))
        return;
    for (int i = 0; i < 4; i++)
        a[i] = isnan(a[i]) ? b[i] : i < 2 ? fmin(a[i], b[i]) : fmax(a[i], b[i]);
}

ccov_status ccov_source_into_frame(ccov_ctx *ctx, ccov_source *s, const char *path,
                                   const ccov_crs *frame, double lon_centre, bool allow_ballpark) {
    double bbox[4], lonlat[4];
    bool have_area = ccov_io_extent(s->layer, bbox) &&
                     ccov_crs_bbox_to_lonlat(ctx, s->crs, bbox, lonlat) && lonlat[0] >= -180 &&
                     lonlat[2] <= 180 && lonlat[1] >= -90 && lonlat[3] <= 90;
    s->src_turn = ccov_crs_turn(s->crs);
    s->src_centre = lon_centre / 360 * s->src_turn;
    s->frame_turn = ccov_crs_turn(frame);
    s->frame_centre = lon_centre / 360 * s->frame_turn;
    s->frame_label = ccov_crs_label(frame);
    s->xf = ccov_xform_create(ctx, s->crs, frame, have_area ? lonlat : NULL, allow_ballpark, path);
    return s->xf ? CCOV_OK : CCOV_ERR_CRS;
}

void ccov_source_close(ccov_source *s) {
    ccov_xform_free(s->xf);
    ccov_crs_free(s->crs);
    ccov_io_close(s->layer);
}

ccov_status ccov_source_describe(ccov_ctx *ctx, const ccov_source *s, ccov_input *in) {
    in->path = strdup(ccov_io_source(s->layer));
    in->layer = strdup(ccov_io_layer_name(s->layer));
    in->crs = strdup(ccov_crs_label(s->crs));
    in->operation = strdup(ccov_xform_name(s->xf));
    if (!in->path || !in->layer || !in->crs || !in->operation)
        return ccov_ctx_fail(ctx, CCOV_ERR_IO, "out of memory");
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
bool ccov_source_lon_beyond(const ccov_source *s, const double b[4]) {
    double limit = 1.5 * s->src_turn;
    return s->src_turn > 0 && (fabs(b[0]) > limit || fabs(b[2]) > limit);
}

/* g (taken) in one window of longitudes of a lon/lat frame, so that the parts of regions and
   cleared areas cut at its edge meet there (ccov_geom_fold_window); NULL with reason. */
static ccov_geom *into_window(ccov_ctx *ctx, const ccov_source *s, ccov_geom *g, char *reason,
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
static ccov_geom *reproject(ccov_ctx *ctx, const ccov_source *s, ccov_xform *xf,
                            const ccov_geom *valid, char *reason, char *repair, size_t n) {
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
    fixed = ccov_geom_repair_take(ctx, moved, again, sizeof again);
    moved = NULL;
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
ccov_geom *ccov_source_frame_geometry(ccov_ctx *ctx, const ccov_source *s, ccov_xform *xf,
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
    if (ccov_geom_bounds(ctx, g, b) && ccov_source_lon_beyond(s, b)) {
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
    valid = ccov_geom_repair_take(ctx, g, repair, n);
    g = NULL;
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
