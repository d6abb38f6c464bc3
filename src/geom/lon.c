/* geom: longitudes made continuous across 180 degrees and polygons around a pole closed through
   it, so that lon/lat polygons mean in the plane what they mean on the globe. */
#include "geom/geom.h"
#include "core/internal.h"

#include <math.h>
#include <stdio.h>
#include <stdlib.h>

/* One ring's coordinates, grown as the pole closure needs. */
typedef struct {
    double *x, *y;
    size_t n;
} ring_xy;

typedef struct {
    double centre, turn;
    char *problem;
    size_t size;
    bool shifted;    /* a polygon was moved by whole turns */
    bool allow_pole; /* close a ring around a pole (else refuse it) */
    double middle;   /* the middle longitude of the polygon's shell, once wrapped */
    double lo, hi;   /* the longitudes of the polygon's shell, once wrapped */
    bool hole_out;   /* a hole reaches beyond its shell's longitudes */
} wrap_job;

static bool at_pole(double y, double turn) { return fabs(y) >= turn / 4; }

/* Each step of more than half a turn is taken the short way, across 180 degrees (a step of
   exactly half a turn is kept as written); a step of
   exactly a whole turn along an edge (a full parallel, or the pole edge, as -180..180 files write
   a band) is kept. A vertex after one at a pole (whose longitude means nothing) follows the last
   vertex off the pole. Returns the whole turns the ring makes around a pole. */
static long ring_unwrap(ring_xy *r, double turn) {
    double prev = NAN, prev_raw = NAN, off = NAN, off_raw = NAN, first = NAN;
    bool prev_pole = false;
    for (size_t i = 0; i < r->n; i++) {
        bool pole = at_pole(r->y[i], turn), after_pole = !pole && prev_pole && !isnan(off);
        double raw = r->x[i];
        double from = after_pole ? off : prev, from_raw = after_pole ? off_raw : prev_raw;
        double d = raw - from_raw;
        /* Exactly half a turn stays as written (0..180 is not -180..0). */
        bool whole = fabs(fabs(d) - turn) <= 1e-12 * turn;
        if (after_pole || (fabs(d) > turn / 2 && !whole))
            d -= turn * round(d / turn);
        r->x[i] = isnan(from) ? raw : from + d;
        prev = r->x[i];
        prev_raw = raw;
        prev_pole = pole;
        if (!pole) {
            off = r->x[i];
            off_raw = raw;
        }
        if (!pole && isnan(first))
            first = r->x[i];
    }
    return isnan(first) ? 0 : lround((off - first) / turn);
}

/* The ring's vertices off the pole, in r (closed: the last one a whole turn from the first). */
static size_t ring_off_pole(const ring_xy *r, double turn, double *x, double *y, double *mean) {
    size_t k = 0;
    *mean = 0;
    for (size_t i = 0; i < r->n; i++)
        if (!at_pole(r->y[i], turn)) {
            x[k] = r->x[i];
            y[k++] = r->y[i];
            *mean += r->y[i];
        }
    return k;
}

/* Where the open ring x, y (k vertices, going a whole turn from x[0]) first reaches longitude
   cut, moved by whole turns into its range: index i of the edge (i, i + 1) and latitude there. */
static size_t ring_find_cut(const double *x, const double *y, size_t k, double turn, double *cut,
                            double *lat) {
    double dir = x[k - 1] > x[0] ? 1 : -1, ahead = dir * (*cut - x[0]);
    ahead -= turn * floor(ahead / turn);
    *cut = x[0] + dir * ahead;
    *lat = y[0];
    if (ahead == 0)
        return 0; /* the ring starts on the cut */
    for (size_t i = 0; i + 1 < k; i++)
        if (dir * (x[i] - *cut) <= 0 && dir * (x[i + 1] - *cut) > 0) {
            double t = (*cut - x[i]) / (x[i + 1] - x[i]);
            *lat = y[i] + t * (y[i + 1] - y[i]);
            return i;
        }
    *cut = x[0];
    return 0;
}

/* A ring that goes once around a pole, as a band in lon/lat: cut at the west edge of the window
   (centre - half a turn), along its vertices off the pole for a whole turn, then back along the
   pole on the side of its mean latitude (the smaller of the two polygons). */
static bool ring_close_at_pole(ring_xy *r, double turn, double centre) {
    double *x = malloc((r->n + 4) * sizeof *x), *y = malloc((r->n + 4) * sizeof *y);
    double *bx = malloc((r->n + 4) * sizeof *bx), *by = malloc((r->n + 4) * sizeof *by);
    bool ok = x && y && bx && by;
    double mean = 0, cut = centre - turn / 2, lat = 0;
    size_t k = ok ? ring_off_pole(r, turn, x, y, &mean) : 0, m = 0;
    if (ok && k >= 2) {
        double whole = x[k - 1] - x[0];
        size_t i = ring_find_cut(x, y, k, turn, &cut, &lat);
        bx[m] = cut;
        by[m++] = lat;
        for (size_t j = i + 1; j < k; j++, m++) {
            bx[m] = x[j];
            by[m] = y[j];
        }
        for (size_t j = 1; j <= i; j++, m++) {
            bx[m] = x[j] + whole;
            by[m] = y[j];
        }
        double pole = mean >= 0 ? turn / 4 : -turn / 4;
        double ex[4] = {cut + whole, cut + whole, cut, cut}, ey[4] = {lat, pole, pole, lat};
        for (int e = 0; e < 4; e++, m++) {
            bx[m] = ex[e];
            by[m] = ey[e];
        }
        free(r->x);
        free(r->y);
        *r = (ring_xy){bx, by, m};
        bx = by = NULL;
    }
    free(x);
    free(y);
    free(bx);
    free(by);
    return ok && k >= 2;
}

static bool ring_read(ccov_ctx *ctx, const GEOSGeometry *ring, ring_xy *r) {
    const GEOSCoordSequence *seq = GEOSGeom_getCoordSeq_r(ctx->geos, ring);
    unsigned int size = 0;
    if (!seq || !GEOSCoordSeq_getSize_r(ctx->geos, seq, &size))
        return false;
    r->n = size;
    r->x = malloc((size ? size : 1) * sizeof *r->x);
    r->y = malloc((size ? size : 1) * sizeof *r->y);
    return r->x && r->y && GEOSCoordSeq_copyToArrays_r(ctx->geos, seq, r->x, r->y, NULL, NULL);
}

/* A closed ring that has vertices at a pole starts at the first vertex after them, so that the
   ring off the pole runs in one piece (the pole closure then replaces the pole vertices). */
static void ring_start_after_pole(ring_xy *r, double turn) {
    size_t open = r->n - 1, j = 0;
    for (size_t i = 0; i < open && j == 0; i++)
        if (at_pole(r->y[i], turn) && !at_pole(r->y[(i + 1) % open], turn))
            j = (i + 1) % open;
    if (j == 0)
        return;
    double *x = malloc(r->n * sizeof *x), *y = malloc(r->n * sizeof *y);
    if (!x || !y) {
        free(x);
        free(y);
        return; /* left as it is: the pole closure still measures right, with a spike */
    }
    for (size_t i = 0; i < open; i++) {
        x[i] = r->x[(i + j) % open];
        y[i] = r->y[(i + j) % open];
    }
    x[open] = x[0];
    y[open] = y[0];
    free(r->x);
    free(r->y);
    r->x = x;
    r->y = y;
}

/* The ring unwrapped (and closed at a pole when it goes around one); false with a problem when
   it goes around a pole more than once. */
static bool ring_prepare(ccov_ctx *ctx, const GEOSGeometry *ring, const wrap_job *job, ring_xy *r) {
    if (!ring_read(ctx, ring, r))
        return false;
    if (r->n < 2)
        return true;
    ring_start_after_pole(r, job->turn);
    long turns = ring_unwrap(r, job->turn);
    if (turns == 0) {
        r->x[r->n - 1] = r->x[0]; /* the closing vertex exactly where the ring started */
        return true;
    }
    if (labs(turns) == 1 && job->allow_pole)
        return ring_close_at_pole(r, job->turn, job->centre);
    if (labs(turns) == 1) {
        double mean = 0;
        for (size_t i = 0; i < r->n; i++)
            mean += r->y[i];
        snprintf(job->problem, job->size,
                 "goes around the %s Pole, which a longitude/latitude working frame cannot "
                 "measure exactly (without --crs, a frame centred on the pole is chosen when "
                 "the regions reach it)",
                 mean >= 0 ? "North" : "South");
        return false;
    }
    snprintf(job->problem, job->size, "a ring goes %ld times around a pole", labs(turns));
    return false;
}

static double ring_middle(const ring_xy *r, double *lo, double *hi) {
    *lo = HUGE_VAL;
    *hi = -HUGE_VAL;
    for (size_t i = 0; i < r->n; i++) {
        *lo = fmin(*lo, r->x[i]);
        *hi = fmax(*hi, r->x[i]);
    }
    return r->n ? (*lo + *hi) / 2 : 0;
}

/* The ring moved by whole turns so that its middle comes nearest to `middle`, as a GEOS ring. */
static GEOSGeometry *ring_build(ccov_ctx *ctx, ring_xy *r, double shift) {
    for (size_t i = 0; i < r->n; i++)
        r->x[i] += shift;
    GEOSCoordSequence *seq =
        GEOSCoordSeq_copyFromArrays_r(ctx->geos, r->x, r->y, NULL, NULL, (unsigned)r->n);
    return seq ? GEOSGeom_createLinearRing_r(ctx->geos, seq) : NULL;
}

static GEOSGeometry *ring_wrapped(ccov_ctx *ctx, const GEOSGeometry *ring, int index, void *arg) {
    wrap_job *job = arg;
    double *middle = &job->middle;
    if (index == 0)
        *middle = NAN; /* a new polygon: its shell sets the middle its holes follow */
    ring_xy r = {0};
    GEOSGeometry *out = NULL;
    if (ring_prepare(ctx, ring, job, &r)) {
        double lo, hi, mid = ring_middle(&r, &lo, &hi);
        /* The shell's middle goes into [centre - half a turn, centre + half); a hole follows it. */
        double target = isnan(*middle) ? job->centre : *middle;
        double shift = -job->turn * (isnan(*middle) ? floor((mid - target) / job->turn + 0.5)
                                                    : round((mid - target) / job->turn));
        if (isnan(*middle)) {
            *middle = mid + shift;
            job->lo = lo + shift;
            job->hi = hi + shift;
        } else if (job->hi - job->lo >= job->turn * (1 - 1e-12) &&
                   (lo + shift < job->lo || hi + shift > job->hi))
            job->hole_out = true; /* only across the edge of a shell a whole turn wide */
        job->shifted |= shift != 0;
        out = ring_build(ctx, &r, shift);
    }
    free(r.x);
    free(r.y);
    return out;
}

static GEOSGeometry *ring_shifted(ccov_ctx *ctx, const GEOSGeometry *ring, int index, void *arg);

/* The polygon's shell minus each hole and its copies a turn either side: a hole across the
   edge of a shell that spans a whole turn (a cap closed at a pole) cut there, not half lost. */
static GEOSGeometry *polygon_holes_cut(ccov_ctx *ctx, const GEOSGeometry *poly, double turn) {
    GEOSGeometry *shell = GEOSGeom_clone_r(ctx->geos, GEOSGetExteriorRing_r(ctx->geos, poly));
    GEOSGeometry *acc = shell ? GEOSGeom_createPolygon_r(ctx->geos, shell, NULL, 0) : NULL;
    int holes = GEOSGetNumInteriorRings_r(ctx->geos, poly);
    for (int i = 0; acc && i < holes; i++)
        for (int k = -1; acc && k <= 1; k++) {
            double shift = k * turn;
            GEOSGeometry *ring =
                GEOSGeom_clone_r(ctx->geos, GEOSGetInteriorRingN_r(ctx->geos, poly, i));
            GEOSGeometry *hole = ring ? GEOSGeom_createPolygon_r(ctx->geos, ring, NULL, 0) : NULL;
            GEOSGeometry *moved =
                hole ? ccov_geom_map_rings(ctx, hole, ring_shifted, &shift, true) : NULL;
            GEOSGeometry *rest = moved ? GEOSDifference_r(ctx->geos, acc, moved) : NULL;
            GEOSGeom_destroy_r(ctx->geos, hole);
            GEOSGeom_destroy_r(ctx->geos, moved);
            GEOSGeom_destroy_r(ctx->geos, acc);
            acc = rest;
        }
    return acc;
}

/* g (taken) with polygon_holes_cut applied to each polygon; NULL on failure. */
static GEOSGeometry *holes_cut(ccov_ctx *ctx, GEOSGeometry *g, double turn) {
    int type = GEOSGeomTypeId_r(ctx->geos, g), n = GEOSGetNumGeometries_r(ctx->geos, g);
    if (type != GEOS_POLYGON && type != GEOS_MULTIPOLYGON)
        return g; /* a collection: left as it was (repair takes its polygons apart) */
    ccov_geom **parts = calloc(n > 0 ? (size_t)n : 1, sizeof *parts);
    size_t k = 0;
    bool ok = parts != NULL;
    for (int i = 0; ok && i < n; i++) {
        parts[k] = polygon_holes_cut(ctx, GEOSGetGeometryN_r(ctx->geos, g, i), turn);
        ok = parts[k++] != NULL;
    }
    GEOSGeometry *out = ok ? ccov_geom_collect(ctx, parts, k) : NULL;
    for (size_t i = 0; !ok && i < k; i++)
        GEOSGeom_destroy_r(ctx->geos, parts[i]);
    free(parts);
    GEOSGeom_destroy_r(ctx->geos, g);
    return out;
}

ccov_geom *ccov_geom_wrap_lon(ccov_ctx *ctx, const ccov_geom *g, double centre, double turn,
                              bool allow_pole, char *problem, size_t n) {
    wrap_job job = {centre, turn, problem, n, false, allow_pole, NAN, 0, 0, false};
    problem[0] = '\0';
    GEOSGeometry *out = ccov_geom_map_rings(ctx, g, ring_wrapped, &job, true);
    if (out && job.hole_out)
        out = holes_cut(ctx, out, turn);
    /* Parts cut at 180 degrees now meet along it: joined, they are one valid polygon again. */
    if (out && job.shifted && GEOSGeomTypeId_r(ctx->geos, out) == GEOS_MULTIPOLYGON &&
        GEOSisValid_r(ctx->geos, out) == 0) {
        GEOSGeometry *joined = GEOSUnaryUnion_r(ctx->geos, out);
        if (joined) {
            GEOSGeom_destroy_r(ctx->geos, out);
            out = joined;
        }
    }
    if (!out && !problem[0])
        snprintf(problem, n, "out of memory or invalid rings while making longitudes continuous");
    return out;
}

/* ---- one window of longitudes ---- */

static GEOSGeometry *ring_shifted(ccov_ctx *ctx, const GEOSGeometry *ring, int index, void *arg) {
    (void)index;
    ring_xy r = {0};
    GEOSGeometry *out = NULL;
    if (ring_read(ctx, ring, &r))
        out = ring_build(ctx, &r, *(const double *)arg);
    free(r.x);
    free(r.y);
    return out;
}

/* The part of g in window k (the window moved by k turns), moved back into the window (lines
   and points where g touches the edge are left for ccov_geom_collect to drop); NULL on failure. */
static ccov_geom *window_piece(ccov_ctx *ctx, const ccov_geom *g, const double b[4], double west,
                               double turn, int k) {
    /* An overlay, not GEOS clip by rectangle, which drops the vertices along straight edges. */
    GEOSGeometry *rect =
        GEOSGeom_createRectangle_r(ctx->geos, west + k * turn, b[1], west + (k + 1) * turn, b[3]);
    ccov_geom *piece = rect ? GEOSIntersection_r(ctx->geos, g, rect) : NULL;
    GEOSGeom_destroy_r(ctx->geos, rect);
    if (!piece || k == 0)
        return piece;
    double shift = -k * turn;
    ccov_geom *moved = ccov_geom_map_rings(ctx, piece, ring_shifted, &shift, true);
    ccov_geom_free(ctx, piece);
    return moved;
}

bool ccov_geom_in_window(ccov_ctx *ctx, const ccov_geom *g, double centre, double turn) {
    double b[4];
    return ccov_geom_bounds(ctx, g, b) && b[0] >= centre - turn / 2 && b[2] <= centre + turn / 2;
}

ccov_geom *ccov_geom_fold_window(ccov_ctx *ctx, const ccov_geom *g, double centre, double turn) {
    double b[4], west = centre - turn / 2;
    if (!ccov_geom_bounds(ctx, g, b))
        return NULL;
    if (b[0] >= west && b[2] <= west + turn)
        return ccov_geom_clone(ctx, g);
    ccov_geom *parts[3] = {NULL, NULL, NULL};
    size_t n = 0;
    bool ok = true;
    for (int k = -1; ok && k <= 1; k++) {
        if (west + (k + 1) * turn <= b[0] || west + k * turn >= b[2])
            continue;
        ccov_geom *piece = window_piece(ctx, g, b, west, turn, k);
        ok = piece != NULL;
        if (piece && ccov_geom_is_empty(ctx, piece))
            ccov_geom_free(ctx, piece);
        else if (piece)
            parts[n++] = piece;
    }
    /* Collected, not unioned: a union would drop the vertices that densifying put along straight
       lon/lat edges (measured as geodesics between vertices). Pieces overlap only when g spans
       more than a turn: then they are unioned. */
    ccov_geom *out = ok ? ccov_geom_collect(ctx, parts, n) : NULL;
    for (size_t i = 0; !ok && i < n; i++)
        ccov_geom_free(ctx, parts[i]);
    if (out && GEOSisValid_r(ctx->geos, out) == 0) {
        GEOSGeometry *joined = GEOSUnaryUnion_r(ctx->geos, out);
        GEOSGeom_destroy_r(ctx->geos, out);
        out = joined;
    }
    return out;
}

/* ---- densifying lon/lat polygons near the poles ---- */

/* Each edge split into pieces no longer than step (in lon/lat units, as ccov_geom_densify does:
   shorter pieces in longitude keep parallels and geodesics together near a pole), except an edge
   along a pole, which has no length and is left whole. */
static bool ring_densify(ring_xy *r, double step, double turn) {
    size_t total = 1;
    for (int pass = 0; pass < 2; pass++) {
        double *x = pass ? malloc(total * sizeof *x) : NULL,
               *y = pass ? malloc(total * sizeof *y) : NULL;
        if (pass && (!x || !y)) {
            free(x);
            free(y);
            return false;
        }
        size_t k = 0;
        for (size_t i = 0; i + 1 < r->n; i++) {
            double dx = r->x[i + 1] - r->x[i], dy = r->y[i + 1] - r->y[i];
            double low = fmin(fabs(r->y[i]), fabs(r->y[i + 1]));
            double len = at_pole(low, turn) ? 0 : hypot(dx, dy);
            size_t pieces = len > step ? (size_t)ceil(len / step) : 1;
            for (size_t p = 0; p < pieces; p++, k++)
                if (pass) {
                    x[k] = r->x[i] + dx * (double)p / (double)pieces;
                    y[k] = r->y[i] + dy * (double)p / (double)pieces;
                }
        }
        if (!pass) {
            total = k + 1;
            continue;
        }
        x[k] = r->x[r->n - 1];
        y[k] = r->y[r->n - 1];
        free(r->x);
        free(r->y);
        *r = (ring_xy){x, y, k + 1};
    }
    return true;
}

typedef struct {
    double step, turn;
} densify_job;

static GEOSGeometry *ring_densified(ccov_ctx *ctx, const GEOSGeometry *ring, int index, void *arg) {
    (void)index;
    const densify_job *job = arg;
    ring_xy r = {0};
    GEOSGeometry *out = NULL;
    if (ring_read(ctx, ring, &r) && r.n >= 2 && ring_densify(&r, job->step, job->turn))
        out = ring_build(ctx, &r, 0);
    free(r.x);
    free(r.y);
    return out;
}

ccov_geom *ccov_geom_densify_lonlat(ccov_ctx *ctx, const ccov_geom *g, double step, double turn) {
    densify_job job = {step, turn};
    return ccov_geom_map_rings(ctx, g, ring_densified, &job, false);
}
