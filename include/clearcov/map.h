/* clearcov: a coverage result drawn as a map (self-contained SVG). */
#ifndef CLEARCOV_MAP_H
#define CLEARCOV_MAP_H

#include "clearcov/coverage.h"
#include "clearcov/ctx.h"

#include <stdbool.h>

#ifdef __cplusplus
extern "C" {
#endif

/* Options of ccov_map_write(). Strings are borrowed for the duration of the call. */
typedef struct {
    const char *out;   /* SVG path */
    bool overwrite;    /* replace an existing file */
    const char *title; /* NULL: "Cleared land by province" */
    int width_px;      /* 0: 1000; otherwise 400..10000 */
} ccov_map_options;

/* Draw the result as a self-contained SVG (no external fonts, images or scripts) at opts->out.

   `res` must come from ccov_coverage_run() with ccov_options.layers = true: the map draws the
   "regions", "coverage", "overlaps" and "outside" layers, projected from WGS84 lon/lat into the
   UTM zone of the data's centre (a Lambert azimuthal equal-area projection centred on the data
   when it spans more than 12 degrees of longitude or reaches beyond 80 degrees of latitude).
   Geometry is simplified for display only (half a pixel); the figures printed are the result's.
   The same result and options give the same bytes. The page is width_px wide and as tall as the
   data's shape needs.

   The file is written under a temporary name in the same folder and renamed when complete, so a
   failed call leaves no file behind. An existing path is refused unless opts->overwrite; an
   existing path that is not a regular file (e.g. /dev/stdout) is then written in place.

   Returns CCOV_OK; CCOV_ERR_USAGE when the result has no layers or an option is out of range;
   CCOV_ERR_IO when the file exists or cannot be written (no file is left); CCOV_ERR_CRS when the
   data cannot be projected; CCOV_ERR_GEOM when a layer geometry does not parse or nothing can be
   drawn. The message is left in ctx. Nothing is allocated for the caller. */
ccov_status ccov_map_write(ccov_ctx *ctx, const ccov_result *res, const ccov_map_options *opts);

/* Before any work: CCOV_ERR_USAGE when an option is out of range; CCOV_ERR_IO when opts->out
   exists and opts->overwrite is false, is a directory, or its folder does not exist. A later
   ccov_map_write() checks again (the file system may change meanwhile). */
ccov_status ccov_map_check(ccov_ctx *ctx, const ccov_map_options *opts);

#ifdef __cplusplus
}
#endif

#endif
