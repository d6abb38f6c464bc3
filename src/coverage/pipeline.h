/* Internal to the coverage module: the state of one ccov_coverage_run, in the pieces each stage
   fills: the regions (regions.c), the workers (workers.c), the cleared features (load.c), then
   the figures and the layers (compute.c, layers.c), written into the result. Calls go one way,
   down: run.c calls regions.c, workers.c, load.c and compute.c (and layers.c, to release the
   result's layers); compute.c calls layers.c;
   load.c and regions.c call source.c; any of them may call measure.c and workers.c's clock and
   failure hand-over; source.c, measure.c and workers.c call nothing else of the module. The
   threading contract is stated in workers.h. */
#ifndef CCOV_COVERAGE_PIPELINE_H
#define CCOV_COVERAGE_PIPELINE_H

#include "clearcov/coverage.h"
#include "coverage/measure.h"
#include "coverage/regions.h"
#include "coverage/workers.h"

#include <stdbool.h>

/* A cleared feature kept for the computation. */
typedef struct {
    long long fid;
    bool repaired;
    char **values; /* all source fields, with ccov_options.layers only */
} ccov_cleared_info;

/* The usable cleared features, in source order, in the working frame (the pipeline's context
   owns them once loaded). */
typedef struct {
    ccov_geom **geoms;
    double *ha; /* each feature's own area */
    ccov_cleared_info *info;
    size_t n;
    ccov_column *fields; /* the source's fields (with layers) */
    size_t nfields;
    int task_id_field;  /* -1 when none */
    double read_box[4]; /* bounds of the coordinates as read (NaN: none yet) */
} ccov_cleared;

typedef struct {
    ccov_ctx *ctx; /* the calling thread's */
    const ccov_options *opts;
    ccov_result *res;
    ccov_regions regions;
    ccov_workers workers;
    ccov_cleared cleared;
} ccov_pipeline;

/* Read, repair and reproject the cleared features on the workers (load.c). */
ccov_status ccov_cleared_load(ccov_pipeline *r);
void ccov_cleared_free(ccov_ctx *ctx, ccov_cleared *c);

/* Dissolve, clip and measure; fill res->regions and the totals, and res->layers with
   opts->layers (compute.c). */
ccov_status ccov_compute_figures(ccov_pipeline *r);

/* Build res->layers from the dissolved groups; group_of[i] is the group of cleared feature i
   (layers.c). */
ccov_status ccov_layers_build(ccov_pipeline *r, ccov_geom *const *groups, size_t ngroups,
                              const size_t *group_of);

#endif
