/* Internal to clearcov: the one way every command opens a source. A source is opened, filtered,
   its CRS found (declared, else --assume-crs) and checked against the numbers it holds (a
   declared CRS that cannot be read, projected numbers in a lon/lat file, swapped latitude and
   longitude, data far outside the CRS's area of use are refused), and given its way into a
   target frame. Calls only io, crs and geom; nothing else of the coverage module. */
#ifndef CCOV_COVERAGE_SOURCE_H
#define CCOV_COVERAGE_SOURCE_H

#include "clearcov/coverage.h"
#include "crs/crs.h"
#include "geom/geom.h"
#include "io/io.h"

#include <stdbool.h>

/* Edges longer than this are split before reprojecting, so that an edge stays straight in its own
   source CRS. Region boundaries have edges kilometres long that define the clip line: a fine
   step keeps the figures the same (to about 1e-9) in any working frame. Cleared polygons have
   short edges; a coarser step leaves the same polygons stored in two CRSs, whose vertices
   agree but whose edges are straight in different planes, agreeing to 1e-6. */
#define CCOV_REGION_STEP_M 100.0
#define CCOV_CLEARED_STEP_M 500.0

/* One opened source and its way into a frame. Everything in it was made with (and belongs to)
   the context that opened it, except that xf may be cloned for other contexts. */
typedef struct {
    ccov_layer *layer;
    ccov_crs *crs;
    ccov_xform *xf; /* source -> frame (ccov_source_into_frame), NULL before */
    double step;    /* densifying step in source units */
    const char *frame_label;
    /* Longitudes made continuous (ccov_geom_wrap_lon) in the source's own coordinates and in the
       frame, when each is geographic (turn 0: not geographic). */
    double src_centre, src_turn;
    double frame_centre, frame_turn;
} ccov_source;

/* How to open a source (ccov_source_open_checked). Strings borrowed. */
typedef struct {
    const char *layer;        /* NULL: the only layer */
    const char *layer_option; /* the option naming the layer, for messages ("--cleared-layer") */
    const char *sql;          /* instead of a layer: one SELECT run by the source, NULL: none */
    const char *sql_option;   /* the option giving it ("--cleared-sql") */
    const char *geom_column;  /* the geometry column to read, NULL: the only one */
    const char *geom_option;  /* the option naming it ("--cleared-geom-column") */
    const char *where;        /* OGR SQL attribute filter, NULL: none */
    const char *assume_crs;   /* CRS when the source declares none, NULL: none */
    double step_m;            /* CCOV_REGION_STEP_M or CCOV_CLEARED_STEP_M */
} ccov_source_spec;

/* ccov_source_open, ccov_source_filter (when spec->where) and ccov_source_find_crs in turn. */
ccov_status ccov_source_open_checked(ccov_ctx *ctx, ccov_source *s, const char *path,
                                     const ccov_source_spec *spec);
/* The steps one by one, for a command that checks something in between. s is zeroed first. */
ccov_status ccov_source_open(ccov_ctx *ctx, ccov_source *s, const ccov_io_query *q);
ccov_status ccov_source_filter(ccov_ctx *ctx, ccov_source *s, const char *where);
/* Its CRS (declared, else assume_crs; CCOV_ERR_CRS with a message naming --assume-crs), and its
   declared extent checked (ccov_source_extent_check). */
ccov_status ccov_source_find_crs(ccov_ctx *ctx, ccov_source *s, const char *path,
                                 const char *assume_crs, double step_m);
/* Refuse numbers that cannot be in the source's CRS (box: xmin, ymin, xmax, ymax as read):
   CCOV_ERR_CRS. A few stray coordinates pass here and are excluded feature by feature. */
ccov_status ccov_source_extent_check(ccov_ctx *ctx, const ccov_source *s, const char *path,
                                     const double box[4]);
/* s->xf: the way from the source into frame (lon_centre: degrees, the middle of the lon/lat
   window when frame is geographic). CCOV_ERR_CRS when there is none (or only a ballpark one
   without allow_ballpark). */
ccov_status ccov_source_into_frame(ccov_ctx *ctx, ccov_source *s, const char *path,
                                   const ccov_crs *frame, double lon_centre, bool allow_ballpark);
/* Path, layer, CRS and operation into `in` (strings to free with free()). */
ccov_status ccov_source_describe(ccov_ctx *ctx, const ccov_source *s, ccov_input *in);
/* ccov_source_close on a zeroed source does nothing. */
void ccov_source_close(ccov_source *s);

/* The record's geometry in the frame through xf (s->xf or a clone owned by ctx), valid and
   polygonal; NULL with `reason` when it cannot be used. `repair` receives what was repaired (""
   when nothing); reason and repair have n bytes. box (may be NULL) receives the bounds of the
   feature's coordinates as read, NaN when it has none. */
ccov_geom *ccov_source_frame_geometry(ccov_ctx *ctx, const ccov_source *s, ccov_xform *xf,
                                      const ccov_record *rec, char *reason, char *repair, size_t n,
                                      double box[4]);
/* Longitudes beyond one and a half turns from 0 in a geographic source (b: bounds as read). */
bool ccov_source_lon_beyond(const ccov_source *s, const double b[4]);
/* Grow box a (xmin, ymin, xmax, ymax; NaN when empty) to hold box b. */
void ccov_source_box_add(double a[4], const double b[4]);

#endif
