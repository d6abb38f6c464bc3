/* Internal to clearcov: the one regions loader. It picks the working frame (--crs, else one
   chosen from where the regions lie), reads the region source through the source module, keeps
   the regions --only chooses, valid and in the working frame, and can warn of regions that share
   a name or overlap. Used by the coverage pipeline, audit and synth. Calls the source and measure
   modules of coverage, and io, crs, geom. */
#ifndef CCOV_COVERAGE_REGIONS_H
#define CCOV_COVERAGE_REGIONS_H

#include "clearcov/coverage.h"
#include "coverage/measure.h"
#include "crs/crs.h"
#include "geom/geom.h"
#include "io/io.h"

typedef struct {
    ccov_geom *geom; /* valid, in the working frame */
    char *name;
    char *iso; /* "" when unknown */
    long long fid;
    double ha;
    double official_ha; /* --official-area-field's value (ha), NAN without it */
} ccov_region;

/* The chosen regions and the frame they are in. Everything here belongs to the context that
   loaded them (worker threads only read the geometries, and clone the transformations). */
typedef struct {
    ccov_region *items; /* in source order */
    size_t n;
    ccov_crs *frame;       /* the working frame */
    ccov_xform *to_lonlat; /* frame -> WGS84 lon/lat, NULL when the frame is WGS84 lon/lat */
    ccov_measure m;        /* the area method; m.to_wgs84 is to_lonlat */
    double lon_centre;     /* degrees: the middle of the regions' longitudes (lon/lat windows) */
    ccov_input input;      /* the region source: path, layer, CRS, operation, features, used */
    ccov_note *repaired;   /* regions repaired on reading (each also told to ctx as info) */
    size_t nrepaired;
} ccov_regions;

/* Load the regions opts chooses (regions_src, regions_layer, regions_sql, regions_geom_column,
   region_field, only, assume_crs, allow_ballpark, area, crs; the cleared-source fields are not
   used) into *rg, which is zeroed
   first. On failure returns the status (message in ctx); *rg is then to be freed all the same. */
ccov_status ccov_regions_load(ccov_ctx *ctx, const ccov_options *opts, ccov_regions *rg);

/* Warn (through ctx) of regions that share a name or overlap: totals add them up. */
ccov_status ccov_regions_check(ccov_ctx *ctx, const ccov_regions *rg);

/* The fields looked for, in turn, when no name field is given, and the ISO code fields (NULL
   ended lists; --districts finds its fields the same way). */
/* The field naming the features of a region (or district) source: `given` when not NULL, else
   the first of the usual names; NULL with CCOV_ERR_IO and a message naming the fields and the
   option (`what`: "region", "district") when there is none. */
const char *ccov_regions_name_field(ccov_ctx *ctx, ccov_layer *layer, const char *path,
                                    const char *given, const char *what, const char *option);
const char *const *ccov_regions_iso_fields(void);

/* The credit of a boundary source (defaults.c, issue 15), recognised by its fields: every field
   of geoBoundaries (shapeName, shapeISO, shapeID, shapeGroup, shapeType), or Natural Earth's
   featurecla with adm1_code, adm0_a3, ne_id or scalerank; else the bundled provinces (Natural
   Earth), else a file name that says geoBoundaries. Static text; NULL when none applies. */
const char *ccov_coverage_boundary_credit(const char *path, const ccov_layer *layer);

/* Free everything *rg holds (with ctx, which loaded it) and zero it. */
void ccov_regions_free(ccov_ctx *ctx, ccov_regions *rg);

#endif
