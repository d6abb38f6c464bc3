/* map_png: the SVG map rendered to PNG in-process with librsvg and cairo (map --png, issue 15).
   Internal to the map (map.c). */
#ifndef CCOV_MAP_PNG_H
#define CCOV_MAP_PNG_H

#include "clearcov/ctx.h"

#include <stdbool.h>
#include <stdio.h>

/* Whether this build can write PNG (it was built with librsvg2-dev). */
bool ccov_map_png_available(void);

/* Render the SVG file at svg_path at its own size in pixels (one SVG user unit, one pixel, as
   rsvg-convert does) and write it as PNG to out. png_name names the PNG in messages. Returns
   CCOV_OK, or CCOV_ERR_IO with a one-line message in ctx (the SVG cannot be read or rendered,
   the PNG cannot be written, or the build has no librsvg). */
ccov_status ccov_map_png_render(ccov_ctx *ctx, const char *svg_path, FILE *out,
                                const char *png_name);

#endif
