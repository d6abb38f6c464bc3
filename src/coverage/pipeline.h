/* Internal to the coverage module: the state of one ccov_coverage_run, in the pieces each stage
   fills: the regions (regions.c), the workers (workers.c), the cleared features (load.c), then
   the figures and the layers (compute.c, layers.c), written into the result. Calls go one way,
   down: run.c calls regions.c, workers.c, load.c and compute.c (and layers.c, to release the
   result's layers) and districts.c (--districts); compute.c calls layers.c; districts.c calls
   regions.c (its name fields), workers.c and compute.c (a second pass) and source.c;
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
    /* --group-by: each feature's group, its index in res->groups (breakdown.c numbers them once
       for the later stages); NULL until then */
    size_t *group_of;
    bool separator_noted; /* a group value's U+001F was said to be shown as U+FFFD */
} ccov_cleared;

struct ccov_compute;
/* --districts (districts.c): regions.items are then the pieces, each province cut by its
   districts, and these say what each piece is. */
typedef struct {
    ccov_region *provinces; /* the chosen provinces as loaded, in source order */
    size_t nprovinces;
    size_t *province_of;     /* per piece: its province */
    char **district;         /* per piece: the district's name, NULL for the rest */
    char **district_iso;     /* per piece: the district's ISO code ("" when none) */
    long long *district_fid; /* per piece: the district's feature id (-1 for the rest) */
    double *district_ha;     /* per piece: the whole district's area */
    ccov_geom **outside;     /* per piece: the district outside its province (NULL: none) */
    double *outside_ha;
    size_t n; /* pieces (0 without --districts) */
} ccov_districts;

typedef struct {
    ccov_ctx *ctx; /* the calling thread's */
    const ccov_options *opts;
    ccov_result *res;
    ccov_regions regions;
    ccov_workers workers;
    ccov_cleared cleared;
    struct ccov_compute *compute; /* compute.c's state, kept for the breakdowns */
    ccov_districts districts; /* --districts: what each of regions.items (a piece) belongs to */
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
/* Hit k of feature f: a region it has area in, and that area (its gross hectares there); false
   past the last. */
bool ccov_compute_hit(const ccov_pipeline *r, size_t f, uint32_t k, size_t *region, double *ha);

/* The overlay of the records, for the breakdowns (compute.c, on the state kept by
   ccov_compute_figures): in each cell, the records cut into faces that no record or region border
   crosses; fn gets each face once per region it lies in, with its hectares and the features
   covering it (ascending), on the cell's thread. Where the features covering a part of the cell
   are all of one kind (the same category and group), that part may come as one face per region
   with one of them standing for all. fn returns false when out of memory. */
typedef bool (*ccov_face_fn)(void *user, size_t cell, size_t region, double ha,
                             const size_t *features, size_t n);
size_t ccov_compute_cells(const ccov_pipeline *r);
ccov_status ccov_compute_faces(ccov_pipeline *r, ccov_face_fn fn, void *user);
/* The union of the features f with mask[f], as disjoint dissolved polygons in the working frame
   (*out: *nout geometries, each freed by the caller with ccov_geom_free, and the array with
   free). For the --group-by layers (compute.c). */
ccov_status ccov_compute_subset_dissolve(ccov_pipeline *r, const unsigned char *mask,
                                         ccov_geom ***out, size_t *nout);

/* The coverage layer with --group-by: one row per region and group, the group's dissolved
   cleared land in that region, replacing the plain coverage layer's rows. compute.c dissolves
   each group's records (needs r->compute and the breakdowns of r->res) and hands them to
   layers.c: dis[g] holds ndis[g] disjoint polygons of group g (borrowed). */
ccov_status ccov_compute_group_layers(ccov_pipeline *r);
ccov_status ccov_layers_group_coverage(ccov_pipeline *r, ccov_geom **const *dis,
                                       const size_t *ndis);

/* The breakdowns of res: land-release categories, groups, cumulative years, status values left
   out (breakdown.c). Needs r->compute. */
ccov_status ccov_breakdown_run(ccov_pipeline *r);

/* Build res->layers from the dissolved groups: group g is groups[g], the union of the cleared
   features members[start[g] .. start[g + 1]) (ascending) (layers.c). */
ccov_status ccov_layers_build(ccov_pipeline *r, ccov_geom *const *groups, size_t ngroups,
                              const size_t *start, const size_t *members);

/* --districts (districts.c): cut the loaded provinces (r->regions) into pieces, one per district
   assigned to a province (the one holding most of its area) clipped to it, plus the rest of the
   province; the pieces become r->regions.items. Nothing happens without opts->districts_src. */
ccov_status ccov_districts_build(ccov_pipeline *r);

/* --districts, once the figures of the pieces are in r->res->regions: the district rows
   (res->districts), the province rows as their sums, each province's distinct tasks and the
   figures of each district's part outside its province (one more pass over the cleared
   features). */
ccov_status ccov_districts_finish(ccov_pipeline *r);

void ccov_districts_free(ccov_ctx *ctx, ccov_districts *d);

#endif
