/* Internal to the coverage module: the state of one run, shared by coverage.c and
   coverage_layers.c. */
#ifndef CCOV_COVERAGE_RUN_H
#define CCOV_COVERAGE_RUN_H

#include "clearcov/coverage.h"
#include "crs.h"
#include "geom.h"
#include "io.h"

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
    cleared_info *info;
    size_t ncleared;
    /* the cleared source's fields (with layers) */
    ccov_column *fields;
    size_t nfields;
    int task_id_field; /* -1 when none */
} run;

/* Hectares of g (working frame) by the run's area method. */
double ccov_run_measure_ha(run *r, const ccov_geom *g);

/* Build res->layers from the dissolved groups; group_of[i] is the group of cleared feature i. */
ccov_status ccov_run_build_layers(run *r, ccov_geom *const *groups, size_t ngroups,
                                  const size_t *group_of);

#endif
