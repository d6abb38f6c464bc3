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
    /* --png (issue 15): also a PNG of the map beside the SVG, named as ccov_map_png_path() says,
       rendered in-process with librsvg at the SVG's size; written and refused as the SVG is. */
    bool png;
} ccov_map_options;

/* The PNG's path for the SVG path svg: a final ".svg" (any case) becomes ".png", else ".png" is
   added. false when it does not fit in n bytes. */
bool ccov_map_png_path(const char *svg, char *buf, size_t n);

/* The layers ccov_map_write() reads: set ccov_options.layer_mask to this (or 0, all layers). */
#define CCOV_MAP_LAYERS ((1u << 1) | (1u << 4) | CCOV_LAYER_WHOLE_TASKS) /* tasks, regions */

/* Draw the result as a self-contained SVG (no external fonts, images or scripts) at opts->out.

   `res` must come from ccov_coverage_run() with ccov_options.layers = true (layer_mask 0 or
   CCOV_MAP_LAYERS): the map draws the "regions" layer and counts the "tasks" and "outside" layers
   on its pixel grid (inside or outside by the regions), projected from WGS84 lon/lat into the UTM zone of the data's centre (a
   Lambert azimuthal equal-area projection centred on the data when it spans more than 12
   degrees of longitude or reaches beyond 80 degrees of latitude). Each pixel of cleared land
   shows one class (cleared once, overlap by the number of tasks, outside every region), given
   by error diffusion of the classes' shares of the pixel, so that each class fills as many
   pixels as its share of the ground. Region outlines are simplified for display only (half a
   pixel); the figures printed are the result's.
   The same result and options give the same bytes. The page is width_px wide and as tall as the
   data's shape needs.

   The file is written under a temporary name in the same folder and renamed when complete, so a
   failed call leaves no file behind. An existing path is refused unless opts->overwrite; an
   existing path that is not a regular file (e.g. /dev/stdout) is then written in place.

   With opts->png the PNG is rendered from the complete temporary SVG and both files are put in
   place only when both are complete: a failure leaves neither.

   Returns CCOV_OK; CCOV_ERR_USAGE when the result has no layers or an option is out of range;
   CCOV_ERR_IO when the file exists or cannot be written (no file is left); CCOV_ERR_CRS when the
   data cannot be projected; CCOV_ERR_GEOM when a layer geometry does not parse or nothing can be
   drawn. The message is left in ctx. Nothing is allocated for the caller. */
ccov_status ccov_map_write(ccov_ctx *ctx, const ccov_result *res, const ccov_map_options *opts);

/* Before any work: CCOV_ERR_USAGE when an option is out of range, or opts->png in a build
   without librsvg; CCOV_ERR_IO when opts->out (or with png, the PNG's path) exists and
   opts->overwrite is false, is a directory, or its folder does not exist, or when png is asked
   for an opts->out that is not a regular file (e.g. /dev/stdout). A later
   ccov_map_write() checks again (the file system may change meanwhile). */
ccov_status ccov_map_check(ccov_ctx *ctx, const ccov_map_options *opts);

#ifdef __cplusplus
}
#endif

#endif
