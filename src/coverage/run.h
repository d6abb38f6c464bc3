/* Internal to the coverage module: the state of one run, shared by coverage.c and
   coverage_layers.c. */
#ifndef CCOV_COVERAGE_RUN_H
#define CCOV_COVERAGE_RUN_H

#include "clearcov/coverage.h"
#include "crs/crs.h"
#include "geom/geom.h"
#include "io/io.h"

#include <stdbool.h>

/* How areas are measured in the working frame. */
typedef struct {
    ccov_area_method method;
    ccov_xform *to_wgs84; /* frame -> WGS84 lon/lat, NULL when the frame already is */
    double unit2;         /* square metres per squared frame unit (planar) */
} measure;

/* One opened source and its way into the working frame. */
typedef struct {
    ccov_layer *layer;
    ccov_crs *crs;
    ccov_xform *xf;
    double step;
    const char *frame_label;
    const char *name_field; /* regions: the field holding names */
    /* Longitudes made continuous (ccov_geom_wrap_lon) in the source's own coordinates and in the
       working frame, when each is geographic (turn 0: not geographic). */
    double src_centre, src_turn;
    double frame_centre, frame_turn;
} source;

typedef struct {
    ccov_geom *geom;
    char *name;
    char *iso;
    long long fid;
    double ha;
} region;

/* A cleared feature kept for the computation. */
typedef struct {
    long long fid;
    bool repaired;
    char **values; /* all source fields, with ccov_options.layers only */
} cleared_info;

/* What one thread works with: its own GEOS and PROJ contexts, its own prepared regions and
   coordinate operations (neither is safe to share between threads). */
typedef struct {
    ccov_ctx *ctx; /* worker 0 uses the run's context */
    measure m;
    ccov_xform *xf; /* the cleared source into the working frame */
    ccov_prepared **preps;
    ccov_prepared *prep_all;
} worker;

typedef struct {
    ccov_ctx *ctx;
    const ccov_options *opts;
    ccov_result *res;
    ccov_crs *frame;
    ccov_xform *to_lonlat; /* frame -> WGS84 lon/lat for output layers, NULL when the same */
    measure m;
    region *regions;
    size_t nregions;
    ccov_geom **cleared;
    double *cleared_ha; /* each kept feature's own area */
    cleared_info *info;
    size_t ncleared;
    /* the cleared source's fields (with layers) */
    ccov_column *fields;
    size_t nfields;
    int task_id_field; /* -1 when none */
    worker *workers;
    int nworkers;
    ccov_geom *all_regions; /* union of the chosen regions */
    double (*region_box)[4];
    double lon_centre; /* degrees: the middle of the regions' longitudes, for lon/lat windows */
    double read_box[4]; /* bounds of the cleared coordinates as read (NaN: none yet) */
} run;

/* Hectares of g (working frame) by the area method of m. */
double ccov_measure_ha(ccov_ctx *ctx, const measure *m, const ccov_geom *g);
/* The same with the run's own context. */
double ccov_run_measure_ha(run *r, const ccov_geom *g);

/* Edges longer than this are split before reprojecting, so that an edge stays straight in its own
   source CRS. Region boundaries have edges kilometres long that define the clip line: a fine
   step keeps the figures the same (to about 1e-9) in any working frame. Cleared polygons have
   short edges; a coarser step leaves the same polygons stored in two CRSs, whose vertices
   agree but whose edges are straight in different planes, agreeing to 1e-6. */
#define CCOV_REGION_STEP_M 100.0
#define CCOV_CLEARED_STEP_M 500.0

/* Sources (coverage.c). */
ccov_status ccov_run_source_open(run *r, source *s, const ccov_io_query *q, const char *where,
                                 double step_m);
void ccov_run_source_close(source *s);
ccov_status ccov_run_source_describe(run *r, const source *s, ccov_input *in);
/* box (may be NULL) receives the bounds of the feature's coordinates as read, NaN when it has
   none. */
ccov_geom *ccov_run_frame_geometry(ccov_ctx *ctx, const source *s, ccov_xform *xf,
                                   const ccov_record *rec, char *reason, char *repair, size_t n,
                                   double box[4]);
/* Refuse numbers that cannot be in the source's CRS (box: bounds of the coordinates read). */
ccov_status ccov_run_extent_check(run *r, const source *s, const char *path, const double box[4]);
/* Grow box a (xmin, ymin, xmax, ymax; NaN when empty) to hold box b. */
void ccov_run_box_add(double a[4], const double b[4]);
ccov_status ccov_run_add_note(run *r, ccov_note **list, size_t *count, const char *src,
                              long long fid, const char *reason);

/* Workers and the parallel stages (coverage_load.c, coverage_compute.c). */
double ccov_run_now(void);
/* A failure on another thread: its message moves to the run's context. */
ccov_status ccov_run_from_worker(run *r, ccov_status st, int failed);
ccov_status ccov_run_workers_create(run *r);
void ccov_run_workers_free(run *r);
ccov_status ccov_run_cleared_load(run *r);
ccov_status ccov_run_compute(run *r);

/* Build res->layers from the dissolved groups; group_of[i] is the group of cleared feature i. */
ccov_status ccov_run_build_layers(run *r, ccov_geom *const *groups, size_t ngroups,
                                  const size_t *group_of);

#endif
