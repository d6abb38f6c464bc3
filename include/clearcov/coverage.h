/* clearcov: the coverage pipeline — hectares cleared per region, counted once. */
#ifndef CLEARCOV_COVERAGE_H
#define CLEARCOV_COVERAGE_H

#include "clearcov/ctx.h"
#include "clearcov/layers.h"

#include <stdbool.h>
#include <stddef.h>

#ifdef __cplusplus
extern "C" {
#endif

typedef enum { CCOV_AREA_GEODESIC = 0, CCOV_AREA_PLANAR = 1 } ccov_area_method;

/* Options of a coverage run. Strings are borrowed for the duration of the call; NULL = default. */
typedef struct {
    const char *regions_src;   /* any OGR source; NULL: the bundled provinces */
    const char *regions_layer; /* needed when the source has several layers */
    const char *region_field;  /* NULL: found among the usual names (name, NAME_1, shapeName...) */
    const char *only;          /* comma-separated region names or ISO codes; NULL: all regions */
    const char *cleared_src;   /* any OGR source; NULL: the bundled synthetic sample */
    const char *cleared_layer;
    const char *where;      /* OGR SQL attribute filter on cleared features; a database source
                               (PostGIS) evaluates it itself, in its own SQL dialect */
    ccov_area_method area;  /* geodesic (WGS84 ellipsoid) or planar in `crs` */
    const char *crs;        /* working frame; NULL: the WGS84 gnomonic projection centred on the
                               regions (EPSG:4326 when they span more than 30 degrees).
                               Required for planar area. */
    const char *assume_crs; /* CRS for sources that declare none */
    bool allow_ballpark;    /* accept ballpark datum operations */
    bool layers;            /* also build the result layers (ccov_result.layers) */
    int threads;            /* worker threads; 0: one per processor. Results do not depend on it */
    int layer_decimals;     /* > 0: layer coordinates snapped (validly) to that many decimals of
                               a degree, as they will be written; 0: full precision */
    /* Instead of a layer: one SELECT query run by the source (PostGIS: by the server). */
    const char *regions_sql;
    const char *cleared_sql;
    /* The geometry column to read, for a table or query with several; NULL: the only one. */
    const char *regions_geom_column;
    const char *cleared_geom_column;
} ccov_options;

/* One region's figures. Hectares; percent in 0..100. */
typedef struct {
    char *name;
    char *iso; /* "" when unknown */
    long long fid;
    double region_ha;
    double net_ha;     /* area of the union of cleared polygons inside the region */
    double gross_ha;   /* sum of each clipped cleared polygon's area */
    double overlap_ha; /* gross - net */
    long long tasks;   /* cleared features with area inside the region */
    double percent_cleared;
} ccov_region_result;

/* A feature that was repaired or excluded, and why. */
typedef struct {
    char *source;
    long long fid;
    char *reason;
} ccov_note;

/* What was read from one source. */
typedef struct {
    char *path;
    char *layer;
    char *crs;          /* label of the source CRS, e.g. "EPSG:32648" */
    char *operation;    /* PROJ operation into the working frame */
    long long features; /* features read (after --where) */
    long long used;     /* features that entered the computation */
} ccov_input;

typedef struct {
    ccov_area_method area;
    char *frame; /* working frame label */
    ccov_input regions_input;
    ccov_input cleared_input;
    ccov_region_result *regions;
    size_t nregions;
    double net_ha, gross_ha, overlap_ha, outside_ha;
    long long tasks;      /* distinct cleared features with area inside any chosen region */
    long long *task_fids; /* their feature ids, ascending source order (`tasks` of them) */
    ccov_note *repaired;
    size_t nrepaired;
    ccov_note *excluded;
    size_t nexcluded;
    /* With ccov_options.layers: coverage, tasks, overlaps, outside, regions (in that order). */
    ccov_layer_table *layers;
    size_t nlayers;
} ccov_result;

/* The layer called `name` in the result, or NULL. */
const ccov_layer_table *ccov_result_layer(const ccov_result *res, const char *name);

/* Path of the bundled data file `name` (provinces.shp, cleared_sample.gpkg) in $CLEARCOV_DATA when
   set, else in PREFIX/share/clearcov of an installed binary PREFIX/bin/clearcov (found from its
   real path), else, for a binary of the build tree, in the source tree's data directory. Writes
   into buf (size n) and returns buf. */
const char *ccov_coverage_data_path(const char *name, char *buf, size_t n);

/* The regions (cleared) source a command reads: src when it is not NULL, else the bundled
   provinces.shp (cleared_sample.gpkg) by ccov_coverage_data_path into buf (size n). Every command
   resolves its defaults here. */
const char *ccov_coverage_default_regions(const char *src, char *buf, size_t n);
const char *ccov_coverage_default_cleared(const char *src, char *buf, size_t n);

/* Synthetic sample flag (issue 15): true when path is the bundled synthetic cleared sample
   (cleared_sample.gpkg, the same file by device and inode), resp. the bundled Natural Earth
   provinces; false for anything else or a path that cannot be read as a file. */
bool ccov_coverage_is_sample(const char *path);
bool ccov_coverage_is_bundled_regions(const char *path);

/* Run the pipeline. On success *out holds a result to free with ccov_result_free(). On failure
   returns the status and leaves the message in ctx. */
ccov_status ccov_coverage_run(ccov_ctx *ctx, const ccov_options *opts, ccov_result **out);

void ccov_result_free(ccov_result *res);

#ifdef __cplusplus
}
#endif

#endif
