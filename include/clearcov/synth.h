/* clearcov: seeded synthetic cleared-area polygons for demos, tests and benchmarks. */
#ifndef CLEARCOV_SYNTH_H
#define CLEARCOV_SYNTH_H

#include "clearcov/ctx.h"

#include <stdbool.h>
#include <stdint.h>

#ifdef __cplusplus
extern "C" {
#endif

typedef struct {
    long long count;         /* features to write, >= 1 */
    uint64_t seed;           /* same seed and options: same features on every machine */
    const char *out;         /* output path; format from the extension unless `driver` */
    const char *driver;      /* GDAL driver short name, NULL: from the extension */
    const char *layer;       /* layer name, NULL: "cleared" */
    const char *crs;         /* output CRS, NULL: EPSG:32648 (UTM zone 48N) */
    const char *regions_src; /* regions the polygons are placed in, NULL: bundled provinces */
    bool overwrite;          /* replace an existing output */
    bool allow_ballpark;     /* accept a ballpark datum change into `crs` */
    /* Land release (synth --release): status about 60 % cleared, 25 % reduced, 15 % cancelled,
       survey polygons (reduced, cancelled) that contain or overlap cleared ones, and
       start_date/end_date Date fields after the usual ones. Off: the classic output, unchanged. */
    bool release;
    bool status_variants; /* with release: statuses spelled several ways ("Completed",
                             "TS reduced", "NTS cancelled"...), for --status-map */
} ccov_synth_options;

/* Generate and write the features (atomically: temporary file renamed on success). */
ccov_status ccov_synth_run(ccov_ctx *ctx, const ccov_synth_options *opts);

#ifdef __cplusplus
}
#endif

#endif
