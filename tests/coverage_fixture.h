/* Fixture of the coverage unit tests: regions and cleared polygons given as WKT are written as
   GeoPackages into a temporary folder, the public pipeline (ccov_coverage_run) runs on them, and
   the result comes back. Only the public API is used, so the tests hold whatever the internals of
   src/coverage/ become.

   CHECK_NEAR and CHECK_REL count into check.h's `failures`: include check.h first. */
#ifndef CCOV_TESTS_COVERAGE_FIXTURE_H
#define CCOV_TESTS_COVERAGE_FIXTURE_H

#include "clearcov/coverage.h"

#include <math.h>
#include <stdbool.h>
#include <stddef.h>
#include <stdio.h>

/* One feature: its WKT in the sources' CRS, and a text attribute, NULL for none (regions: the
   `name` field every region needs; cleared: `task_id`). */
typedef struct {
    const char *name;
    const char *wkt;
} cfx_feature;

/* The two sources of a case, both in one CRS. */
typedef struct {
    const char *crs; /* e.g. "EPSG:32648"; EPSG:4326 coordinates are longitude, latitude */
    const cfx_feature *regions;
    size_t nregions;
    const cfx_feature *cleared;
    size_t ncleared;
} cfx_sources;

/* A temporary folder holding regions.gpkg and cleared.gpkg. */
typedef struct {
    char dir[512];
    char regions[600];
    char cleared[600];
} cfx_dir;

/* Make a folder under $TMPDIR (or /tmp) and write the sources into it. False, with a message on
   stderr, when that fails (the folder is then removed). */
bool cfx_write(cfx_dir *d, const cfx_sources *s);

/* Remove the folder and everything in it. */
void cfx_remove(cfx_dir *d);

/* Run the pipeline on the sources in d with the options o (its sources are replaced by d's). The
   result, to free with ccov_result_free(), or NULL with the message on stderr. */
ccov_result *cfx_run_in(const cfx_dir *d, ccov_options o);

/* cfx_write, cfx_run_in and cfx_remove in one. */
ccov_result *cfx_run(const cfx_sources *s, ccov_options o);

/* Options for planar area in a projected frame (e.g. "EPSG:32648"), one thread. */
ccov_options cfx_planar(const char *frame);

/* Options for geodesic area in the default frame, one thread. */
ccov_options cfx_geodesic(void);

/* The status of the last run, and the message it left in its context ("" when none). A failed
   run is also reported on stderr. */
ccov_status cfx_status(void);
const char *cfx_error(void);

/* Every diagnostic line of the last run, each ended by a newline ("" before any run). */
const char *cfx_log(void);

/* The figures of the region called `name`, or NULL (and a message on stderr). */
const ccov_region_result *cfx_region(const ccov_result *res, const char *name);

/* WKT of the axis-aligned rectangle x0..x1 by y0..y1, written as numbers in the source. */
#define CFX_RECT(x0, y0, x1, y1)                                                                   \
    "POLYGON((" #x0 " " #y0 "," #x1 " " #y0 "," #x1 " " #y1 "," #x0 " " #y1 "," #x0 " " #y0 "))"

/* got within tol (absolute) of want. */
#define CHECK_NEAR(got, want, tol)                                                                 \
    do {                                                                                           \
        double got_ = (got), want_ = (want);                                                       \
        if (!(fabs(got_ - want_) <= (tol))) {                                                      \
            fprintf(stderr, "%s:%d: FAIL: %s = %.17g, want %.17g (tolerance %g)\n", __FILE__,      \
                    __LINE__, #got, got_, want_, (double)(tol));                                   \
            failures++;                                                                            \
        }                                                                                          \
    } while (0)

/* got within rel * |want| of want. */
#define CHECK_REL(got, want, rel) CHECK_NEAR(got, want, (rel)*fabs((double)(want)))

#endif
