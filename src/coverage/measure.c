/* coverage: area methods and notes. */
#include "coverage/measure.h"
#include "core/internal.h"

#include <math.h>
#include <stdint.h>
#include <stdlib.h>
#include <string.h>

static double geodesic_ring(void *user, double *x, double *y, size_t n) {
    const ccov_measure *m = user;
    if (m->to_wgs84 && ccov_xform_points(m->to_wgs84, x, 1, y, 1, n) != 0)
        return NAN;
    return ccov_crs_geodesic_ring_area(x, y, n);
}

double ccov_measure_ha(ccov_ctx *ctx, const ccov_measure *m, const ccov_geom *g) {
    if (m->method == CCOV_AREA_PLANAR)
        return ccov_geom_area(ctx, g, NULL, NULL) * m->unit2 / 1e4;
    return ccov_geom_area(ctx, g, geodesic_ring, (void *)m) / 1e4;
}

ccov_status ccov_measure_note(ccov_ctx *ctx, ccov_note **list, size_t *count, const char *src,
                              long long fid, const char *reason) {
    ccov_note *grown = ccov_grow(*list, *count, sizeof **list);
    if (!grown)
        return ccov_ctx_fail(ctx, CCOV_ERR_IO, "out of memory");
    *list = grown;
    ccov_note *note = &grown[(*count)++];
    note->source = strdup(src);
    note->fid = fid;
    note->reason = strdup(reason);
    if (!note->source || !note->reason)
        return ccov_ctx_fail(ctx, CCOV_ERR_IO, "out of memory");
    ccov_ctx_msg(ctx, CCOV_MSG_INFO, "%s: feature %lld: %s", src, fid, reason);
    return CCOV_OK;
}

void ccov_measure_notes_free(ccov_note *notes, size_t n) {
    for (size_t i = 0; i < n; i++) {
        free(notes[i].source);
        free(notes[i].reason);
    }
    free(notes);
}
