/* crs: everything that talks to PROJ. */
#include "crs/crs.h"
#include "core/internal.h"

#include <geodesic.h>

#include <math.h>
#include <pthread.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>

struct ccov_crs {
    PJ_CONTEXT *pj_ctx;
    PJ *pj;
    char label[256];
    bool geographic;
    double unit_factor; /* metres (projected) or radians (geographic) per unit */
};

struct ccov_xform {
    PJ_CONTEXT *pj_ctx;
    PJ *op;
    char name[256];
    double accuracy;
    bool ballpark;
};

static void crs_make_label(ccov_crs *crs, bool identify) {
    const char *auth = proj_get_id_auth_name(crs->pj, 0);
    const char *code = proj_get_id_code(crs->pj, 0);
    if (auth && code) {
        snprintf(crs->label, sizeof crs->label, "%s:%s", auth, code);
        return;
    }
    /* Ask PROJ whether a known CRS matches with full confidence (e.g. a .prj without codes). */
    int *confidence = NULL;
    PJ_OBJ_LIST *matches =
        identify ? proj_identify(crs->pj_ctx, crs->pj, "EPSG", NULL, &confidence) : NULL;
    if (matches && proj_list_get_count(matches) > 0 && confidence[0] == 100) {
        PJ *best = proj_list_get(crs->pj_ctx, matches, 0);
        snprintf(crs->label, sizeof crs->label, "EPSG:%s", proj_get_id_code(best, 0));
        proj_destroy(best);
    } else {
        const char *name = proj_get_name(crs->pj);
        snprintf(crs->label, sizeof crs->label, "%s", name ? name : "unnamed CRS");
    }
    proj_int_list_destroy(confidence);
    proj_list_destroy(matches);
}

/* The CRS the coordinates are in: a BoundCRS (a CRS with its own datum shift, such as a PROJ
   string with +towgs84) carries them in its source CRS; operations still start from the BoundCRS
   so that its datum shift is used. NULL on error; free with proj_destroy(). */
static PJ *crs_coordinate_crs(PJ_CONTEXT *pj_ctx, PJ *pj) {
    if (proj_get_type(pj) == PJ_TYPE_BOUND_CRS)
        return proj_get_source_crs(pj_ctx, pj);
    return proj_clone(pj_ctx, pj);
}

static bool crs_read_unit(ccov_crs *crs, PJ *coordinate_crs) {
    PJ *cs = proj_crs_get_coordinate_system(crs->pj_ctx, coordinate_crs);
    if (!cs)
        return false;
    double factor = 0;
    int ok = proj_cs_get_axis_info(crs->pj_ctx, cs, 0, NULL, NULL, NULL, &factor, NULL, NULL, NULL);
    proj_destroy(cs);
    crs->unit_factor = factor;
    return ok && factor > 0;
}

static ccov_crs *crs_create(ccov_ctx *ctx, const char *definition, const char *what,
                            bool identify) {
    ccov_crs *crs = calloc(1, sizeof *crs);
    if (!crs) {
        ccov_ctx_fail(ctx, CCOV_ERR_IO, "%s: out of memory", what);
        return NULL;
    }
    PJ *coords = NULL;
    crs->pj_ctx = ctx->proj;
    crs->pj = proj_create(ctx->proj, definition);
    if (!crs->pj || !proj_is_crs(crs->pj)) {
        ccov_ctx_fail(ctx, CCOV_ERR_CRS, "%s: not a coordinate reference system PROJ understands",
                      what);
        goto fail;
    }
    /* A compound (e.g. with heights) or bound CRS is measured on its horizontal part. */
    if (proj_get_type(crs->pj) == PJ_TYPE_COMPOUND_CRS) {
        PJ *horizontal = proj_crs_get_sub_crs(ctx->proj, crs->pj, 0);
        proj_destroy(crs->pj);
        crs->pj = horizontal;
    }
    coords = crs->pj ? crs_coordinate_crs(ctx->proj, crs->pj) : NULL;
    PJ_TYPE type = coords ? proj_get_type(coords) : PJ_TYPE_UNKNOWN;
    crs->geographic = type == PJ_TYPE_GEOGRAPHIC_2D_CRS || type == PJ_TYPE_GEOGRAPHIC_3D_CRS;
    if (!crs->geographic && type != PJ_TYPE_PROJECTED_CRS) {
        ccov_ctx_fail(ctx, CCOV_ERR_CRS, "%s: CRS '%s' is neither geographic nor projected", what,
                      crs->pj ? proj_get_name(crs->pj) : definition);
        goto fail;
    }
    if (!crs_read_unit(crs, coords)) {
        ccov_ctx_fail(ctx, CCOV_ERR_CRS, "%s: CRS has no usable axis unit", what);
        goto fail;
    }
    crs_make_label(crs, identify);
    proj_destroy(coords);
    return crs;
fail:
    proj_destroy(coords);
    ccov_crs_free(crs);
    return NULL;
}

ccov_crs *ccov_crs_create(ccov_ctx *ctx, const char *definition, const char *what) {
    return crs_create(ctx, definition, what, true);
}

ccov_crs *ccov_crs_create_local(ccov_ctx *ctx, const char *definition, const char *what) {
    return crs_create(ctx, definition, what, false);
}

void ccov_crs_free(ccov_crs *crs) {
    if (!crs)
        return;
    proj_destroy(crs->pj);
    free(crs);
}

const char *ccov_crs_label(const ccov_crs *crs) { return crs->label; }

bool ccov_crs_is_geographic(const ccov_crs *crs) { return crs->geographic; }

double ccov_crs_unit_factor(const ccov_crs *crs) { return crs->unit_factor; }

double ccov_crs_turn(const ccov_crs *crs) {
    return crs->geographic ? 2 * 3.14159265358979323846 / crs->unit_factor : 0;
}

static int by_west(const void *a, const void *b) {
    const double *p = a, *q = b;
    return (p[0] > q[0]) - (p[0] < q[0]);
}

/* Sorted by west, west in [-180, 180); false when one goes all around. */
static bool span_normalise(double (*iv)[2], size_t n) {
    for (size_t i = 0; i < n; i++) {
        double len = iv[i][1] - iv[i][0];
        if (len >= 360)
            return false;
        iv[i][0] -= 360 * floor((iv[i][0] + 180) / 360);
        iv[i][1] = iv[i][0] + len;
    }
    qsort(iv, n, sizeof *iv, by_west);
    return true;
}

bool ccov_crs_lon_span(const double (*in)[2], size_t n, double span[2]) {
    double(*iv)[2] = n ? malloc(n * sizeof *iv) : NULL;
    if (!iv)
        return false;
    memcpy(iv, in, n * sizeof *iv);
    span[0] = -180;
    span[1] = 180;
    if (span_normalise(iv, n)) {
        /* The widest gap between the intervals (going round past 180) is what the span is not. */
        double reach = iv[0][1], gap = -1;
        for (size_t i = 1; i < n; i++) {
            if (iv[i][0] - reach > gap) {
                gap = iv[i][0] - reach;
                span[0] = iv[i][0];
                span[1] = reach + 360;
            }
            reach = fmax(reach, iv[i][1]);
        }
        if (iv[0][0] + 360 - reach > gap) {
            gap = iv[0][0] + 360 - reach;
            span[0] = iv[0][0];
            span[1] = reach;
        }
        if (gap <= 0) {
            span[0] = -180;
            span[1] = 180;
        }
    }
    free(iv);
    return true;
}

double ccov_crs_densify_step(const ccov_crs *crs, double metres) {
    if (crs->geographic)
        return metres / 1e5 * (3.14159265358979323846 / 180.0) / crs->unit_factor;
    return metres / crs->unit_factor;
}

bool ccov_crs_bbox_to_lonlat(ccov_ctx *ctx, const ccov_crs *crs, const double bbox[4],
                             double lonlat[4]) {
    PJ *geodetic = proj_crs_get_geodetic_crs(ctx->proj, crs->pj);
    if (!geodetic)
        return false;
    PJ *op = proj_create_crs_to_crs_from_pj(ctx->proj, crs->pj, geodetic, NULL, NULL);
    PJ *norm = op ? proj_normalize_for_visualization(ctx->proj, op) : NULL;
    bool ok = norm && proj_trans_bounds(ctx->proj, norm, PJ_FWD, bbox[0], bbox[1], bbox[2], bbox[3],
                                        &lonlat[0], &lonlat[1], &lonlat[2], &lonlat[3], 21);
    proj_destroy(norm);
    proj_destroy(op);
    proj_destroy(geodetic);
    return ok && isfinite(lonlat[0]) && isfinite(lonlat[1]) && isfinite(lonlat[2]) &&
           isfinite(lonlat[3]);
}

bool ccov_crs_area_of_use(ccov_ctx *ctx, const ccov_crs *crs, double lonlat[4]) {
    return proj_get_area_of_use(ctx->proj, crs->pj, &lonlat[0], &lonlat[1], &lonlat[2], &lonlat[3],
                                NULL) &&
           lonlat[0] > -1000;
}

/* The candidate operations, best first, restricted to those valid over the area of interest and
   whose grids are installed. */
static PJ_OBJ_LIST *xform_candidates(ccov_ctx *ctx, const ccov_crs *src, const ccov_crs *dst,
                                     const double lonlat[4]) {
    PJ_OPERATION_FACTORY_CONTEXT *factory = proj_create_operation_factory_context(ctx->proj, NULL);
    if (!factory)
        return NULL;
    if (lonlat) {
        proj_operation_factory_context_set_area_of_interest(ctx->proj, factory, lonlat[0],
                                                            lonlat[1], lonlat[2], lonlat[3]);
        proj_operation_factory_context_set_spatial_criterion(
            ctx->proj, factory, PROJ_SPATIAL_CRITERION_STRICT_CONTAINMENT);
    }
    proj_operation_factory_context_set_grid_availability_use(
        ctx->proj, factory, PROJ_GRID_AVAILABILITY_DISCARD_OPERATION_IF_MISSING_GRID);
    PJ_OBJ_LIST *ops = proj_create_operations(ctx->proj, src->pj, dst->pj, factory);
    proj_operation_factory_context_destroy(factory);
    return ops;
}

static PJ *xform_pick(ccov_ctx *ctx, PJ_OBJ_LIST *ops) {
    int n = ops ? proj_list_get_count(ops) : 0;
    for (int i = 0; i < n; i++) {
        PJ *op = proj_list_get(ctx->proj, ops, i);
        if (op && proj_coordoperation_is_instantiable(ctx->proj, op))
            return op;
        proj_destroy(op);
    }
    return NULL;
}

ccov_xform *ccov_xform_create(ccov_ctx *ctx, const ccov_crs *src, const ccov_crs *dst,
                              const double lonlat[4], bool allow_ballpark, const char *what) {
    ccov_xform *xf = calloc(1, sizeof *xf);
    PJ_OBJ_LIST *ops = xform_candidates(ctx, src, dst, lonlat);
    PJ *op = xform_pick(ctx, ops);
    proj_list_destroy(ops);
    if (!xf || !op) {
        ccov_ctx_fail(ctx, CCOV_ERR_CRS, "%s: PROJ finds no operation from %s to %s", what,
                      src->label, dst->label);
        goto fail;
    }
    xf->pj_ctx = ctx->proj;
    xf->ballpark = proj_coordoperation_has_ballpark_transformation(ctx->proj, op);
    xf->accuracy = proj_coordoperation_get_accuracy(ctx->proj, op);
    snprintf(xf->name, sizeof xf->name, "%s", proj_get_name(op) ? proj_get_name(op) : "?");
    if (xf->ballpark && !allow_ballpark) {
        ccov_ctx_fail(ctx, CCOV_ERR_CRS,
                      "%s: the only operation PROJ knows from %s to %s here is a ballpark one "
                      "(datum shift unknown, errors of 100 m or more); pass --allow-ballpark to "
                      "accept it",
                      what, src->label, dst->label);
        goto fail;
    }
    xf->op = proj_normalize_for_visualization(ctx->proj, op);
    if (!xf->op) {
        ccov_ctx_fail(ctx, CCOV_ERR_CRS, "%s: cannot fix the axis order of '%s'", what, xf->name);
        goto fail;
    }
    proj_destroy(op);
    return xf;
fail:
    proj_destroy(op);
    ccov_xform_free(xf);
    return NULL;
}

void ccov_xform_free(ccov_xform *xf) {
    if (!xf)
        return;
    proj_destroy(xf->op);
    free(xf);
}

ccov_xform *ccov_xform_clone(ccov_ctx *ctx, const ccov_xform *xf) {
    ccov_xform *copy = malloc(sizeof *copy);
    if (!copy)
        return NULL;
    *copy = *xf;
    copy->pj_ctx = ctx->proj;
    copy->op = proj_clone(ctx->proj, xf->op);
    if (!copy->op) {
        free(copy);
        return NULL;
    }
    return copy;
}

const char *ccov_xform_name(const ccov_xform *xf) { return xf->name; }

double ccov_xform_accuracy(const ccov_xform *xf) { return xf->accuracy; }

bool ccov_xform_is_ballpark(const ccov_xform *xf) { return xf->ballpark; }

long ccov_xform_points(ccov_xform *xf, double *x, size_t sx, double *y, size_t sy, size_t n) {
    proj_errno_reset(xf->op);
    size_t done = proj_trans_generic(xf->op, PJ_FWD, x, sx * sizeof(double), n, y,
                                     sy * sizeof(double), n, NULL, 0, 0, NULL, 0, 0);
    if (done != n)
        return -1;
    long failed = 0;
    for (size_t i = 0; i < n; i++)
        if (!isfinite(x[i * sx]) || !isfinite(y[i * sy]) || x[i * sx] == HUGE_VAL)
            failed++;
    return failed;
}

/* The WGS84 ellipsoid's series coefficients, worked out once (geod_init is as costly as a few
   edges, and rings have ten or so). */
static struct geod_geodesic wgs84;
static pthread_once_t wgs84_once = PTHREAD_ONCE_INIT;

static void wgs84_init(void) {
    /* WGS84 semi-major axis and flattening (EPSG:7030). */
    geod_init(&wgs84, 6378137.0, 1 / 298.257223563);
}

double ccov_crs_geodesic_ring_area(const double *lon, const double *lat, size_t n) {
    struct geod_polygon p;
    pthread_once(&wgs84_once, wgs84_init);
    geod_polygon_init(&p, 0);
    if (n > 1 && lon[0] == lon[n - 1] && lat[0] == lat[n - 1])
        n--;
    for (size_t i = 0; i < n; i++)
        geod_polygon_addpoint(&wgs84, &p, lat[i], lon[i]);
    double area = 0;
    geod_polygon_compute(&wgs84, &p, 0, 1, &area, NULL);
    return fabs(area);
}
