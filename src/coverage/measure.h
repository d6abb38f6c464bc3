/* Internal to the coverage module: measuring areas in the working frame, and the notes kept on
   repaired and excluded features. Calls nothing else of the module. */
#ifndef CCOV_COVERAGE_MEASURE_H
#define CCOV_COVERAGE_MEASURE_H

#include "clearcov/coverage.h"
#include "crs/crs.h"
#include "geom/geom.h"

/* How areas are measured in the working frame. to_wgs84 belongs to one context: each worker
   holds its own copy (ccov_xform_clone). */
typedef struct {
    ccov_area_method method;
    ccov_xform *to_wgs84; /* frame -> WGS84 lon/lat, NULL when the frame already is */
    double unit2;         /* square metres per squared frame unit (planar) */
} ccov_measure;

/* Hectares of g (working frame) by the area method of m; ctx must own m->to_wgs84. */
double ccov_measure_ha(ccov_ctx *ctx, const ccov_measure *m, const ccov_geom *g);

/* Append a note (source, fid, reason: copied) to *list of *count, and tell it to ctx as info. */
ccov_status ccov_measure_note(ccov_ctx *ctx, ccov_note **list, size_t *count, const char *src,
                              long long fid, const char *reason);

/* Free n notes and the array. */
void ccov_measure_notes_free(ccov_note *notes, size_t n);

#endif
