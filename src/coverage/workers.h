/* Internal to the coverage module: the worker threads' state, the clock, and handing a worker's
   failure over to the pipeline's context. Calls nothing else of the module.

   The threading contract. A ccov_ctx (its GEOS handle and PROJ context) is used by one thread at
   a time, and everything made with it belongs to it:
   - the pipeline's context (the calling thread) owns the regions (their geometries, the working
     frame and its transformation to lon/lat), the source objects (GDAL layers, their
     transformations), the union of the regions, and it reads the cleared source (GDAL);
   - each worker has a context of its own (ccov_ctx_create_worker, never the pipeline's, worker 0
     included: the calling thread merges the last batch and reads the next with the pipeline's
     context while the other workers prepare the one between, then prepares as worker 0 with
     worker 0's), and owns the prepared regions (ccov_prepared: GEOS prepared geometries cache
     indexes as they are used, so they are never shared) and its clones of the transformations
     (a PROJ operation belongs to the context that made it);
   - plain geometries (regions, cleared polygons) are only read while workers run, by any of
     them; a geometry a worker makes is handed over to the pipeline with its result and freed by
     the pipeline's context after the stage has ended. GEOS keeps a geometry's extents and its
     coordinates' dimension when they are first read, so a geometry that several workers read in
     one stage is settled first (ccov_geom_settle): the regions and their union when the workers
     are made, each cleared polygon by the extents stage, the regions' borders before the
     breakdowns' overlay, the dissolved groups before the layers. One that a single item reads
     needs nothing.
   ccov_geom_* checks (in builds without NDEBUG: the ASAN, UBSAN and ASANUBSAN build types) that a
   prepared geometry is used and freed with the context that prepared it. */
#ifndef CCOV_COVERAGE_WORKERS_H
#define CCOV_COVERAGE_WORKERS_H

#include "core/parallel.h"
#include "coverage/measure.h"
#include "coverage/regions.h"

typedef struct {
    ccov_ctx *ctx;  /* the worker's own */
    ccov_measure m; /* the area method; m.to_wgs84 is a clone owned by ctx */
    ccov_xform *xf; /* the cleared source into the working frame, owned by ctx (while loading) */
    ccov_prepared **preps;   /* each region, prepared by ctx */
    ccov_prepared *prep_all; /* their union, prepared by ctx */
} ccov_worker;

typedef struct {
    ccov_worker *w;
    int n;
    size_t nregions;
    ccov_geom *all_regions;  /* union of the regions (the pipeline's context) */
    double (*region_box)[4]; /* each region's bounds */
} ccov_workers;

/* threads workers (0: one per processor) for the regions rg, each with its own context and
   prepared regions; first the union and bounds of the regions. *ws is freed with
   ccov_workers_free() whatever the result. */
ccov_status ccov_workers_create(ccov_ctx *ctx, const ccov_regions *rg, int threads,
                                ccov_workers *ws);
void ccov_workers_free(ccov_ctx *ctx, ccov_workers *ws);

/* A failure on worker `failed` (st not CCOV_OK): its message moves to ctx. Returns st. */
ccov_status ccov_workers_fail(ccov_ctx *ctx, const ccov_workers *ws, ccov_status st, int failed);

/* One stage of the pipeline: fn over the items [0, n) on the workers (ccov_parallel_for), its
   progress told to ctx under the stage's name and its time at debug level. A worker's failure
   moves to ctx (ccov_workers_fail). ctx is the pipeline's: it must not be one of the workers'. */
ccov_status ccov_workers_run(ccov_ctx *ctx, const ccov_workers *ws, const char *stage, size_t n,
                             ccov_item_fn fn, void *job);

/* Seconds on the monotonic clock. */
double ccov_workers_now(void);

#endif
