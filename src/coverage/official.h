/* Internal to clearcov: official region areas (issue 13), from --official-areas FILE (CSV:
   region name or ISO code, area with unit) or --official-area-field F (regions.c reads it). */
#ifndef CCOV_COVERAGE_OFFICIAL_H
#define CCOV_COVERAGE_OFFICIAL_H

#include "clearcov/coverage.h"
#include "coverage/regions.h"

#include <stdbool.h>

/* A positive area with its unit, in hectares: digits with optional thousands separators (a comma
   or space before each group of three), then a unit core/units reads (ha, km2, km², m2, sq mi,
   mi2, acres...). False for anything else. */
bool ccov_official_parse_area(const char *text, double *ha);

/* Set each result region's official_ha (from the field the loader read into rg, then from
   opts->official_areas, which must name regions of the run: a row that matches none is an error
   naming the file and line, unless --only chose the regions, when it is passed over with an info
   message; a region named twice is an error) and take percent_cleared against it; a region with
   none keeps its boundary's area (a warning when a file was given). res->regions are in rg's
   order. */
ccov_status ccov_official_apply(ccov_ctx *ctx, const ccov_options *opts, const ccov_regions *rg,
                                ccov_result *res);

#endif
