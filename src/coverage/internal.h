/* Internal: pieces of the coverage pipeline other modules reuse. Not installed. */
#ifndef CCOV_COVERAGE_INTERNAL_H
#define CCOV_COVERAGE_INTERNAL_H

#include "clearcov/coverage.h"
#include "geom/geom.h"

/* The regions chosen by opts (regions_src, regions_layer, region_field, only, crs as working
   frame), valid and in the working frame, with their names. Caller frees each geometry with
   ccov_geom_free(), each name and both arrays with free(). */
ccov_status ccov_coverage_regions(ccov_ctx *ctx, const ccov_options *opts, ccov_geom ***geoms,
                                  char ***names, size_t *n);

#endif
