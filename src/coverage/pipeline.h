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
#include "coverage/keys.h"
#include "coverage/measure.h"
#include "coverage/regions.h"
#include "coverage/workers.h"

#include <stdbool.h>
#include <stdint.h>

/* A cleared feature kept for the computation. */
typedef struct {
    long long fid;
    bool repaired;
    char **values; /* all source fields, with ccov_options.layers only */
    int category;  /* ccov_category (CCOV_CATEGORY_CLEARED without a status field) */
    int year;      /* CCOV_YEAR_UNKNOWN when not read */
    char *group;   /* ccov_keys_group, NULL without group_by */
} ccov_cleared_info;

/* A record left out for its status (ignored or mapped to nothing). */
typedef struct {
    char *value;
    long long fid;
    bool ignored;
} ccov_left_out;

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
    ccov_keys keys;     /* the breakdown options, parsed */
    ccov_left_out *left;
    size_t nleft;
} ccov_cleared;

struct ccov_compute;

typedef struct {
    ccov_ctx *ctx; /* the calling thread's */
    const ccov_options *opts;
    ccov_result *res;
    ccov_regions regions;
    ccov_workers workers;
    ccov_cleared cleared;
    struct ccov_compute *compute; /* compute.c's state, kept for the breakdowns */
} ccov_pipeline;

/* Read, repair and reproject the cleared features on the workers (load.c). */
ccov_status ccov_cleared_load(ccov_pipeline *r);
void ccov_cleared_free(ccov_ctx *ctx, ccov_cleared *c);

/* Dissolve, clip and measure; fill res->regions and the totals, and res->layers with
   opts->layers (compute.c). With keep, its state stays in r->compute for ccov_compute_subset
   and ccov_compute_hit until ccov_compute_free. */
ccov_status ccov_compute_figures(ccov_pipeline *r, bool keep);
void ccov_compute_free(ccov_pipeline *r);
/* The net hectares, per region, of the union of the features f with mask[f] (same cells, same
   order of sums as the first run). net has one slot per region. */
ccov_status ccov_compute_subset(ccov_pipeline *r, const unsigned char *mask, double *net);
/* Cumulative nets: feature f joins at step step[f] (-1: never); net[s * nregions + i] receives
   the net hectares in region i of the union of every feature of steps 0..s. One union per cell
   grows from step to step. */
ccov_status ccov_compute_cumulative(ccov_pipeline *r, const int *step, int nsteps, double *net);
/* Hit k of feature f: a region it has area in, and that area (its gross hectares there); false
   past the last. */
bool ccov_compute_hit(const ccov_pipeline *r, size_t f, uint32_t k, size_t *region, double *ha);

/* The breakdowns of res: land-release categories, groups, cumulative years, status values left
   out (breakdown.c). Needs r->compute. */
ccov_status ccov_breakdown_run(ccov_pipeline *r);

/* Build res->layers from the dissolved groups; group_of[i] is the group of cleared feature i
   (layers.c). */
ccov_status ccov_layers_build(ccov_pipeline *r, ccov_geom *const *groups, size_t ngroups,
                              const size_t *group_of);

#endif
