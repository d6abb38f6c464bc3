/* Internal: the context structure shared by the library's modules. Not installed. */
#ifndef CCOV_INTERNAL_H
#define CCOV_INTERNAL_H

#include "clearcov/ctx.h"
#include "core/ctx_worker.h"

#include <geos_c.h>
#include <proj.h>

#include <stdbool.h>
#include <stddef.h>

struct ccov_ctx {
    GEOSContextHandle_t geos;
    PJ_CONTEXT *proj;
    bool gdal_handler; /* pushed on this thread's GDAL error handler stack */
    ccov_msg_fn msg_fn;
    void *msg_user;
    ccov_progress_fn progress_fn;
    void *progress_user;
    char error[1024];
    ccov_status status;     /* of the last error recorded */
    char geos_error[512];   /* last GEOS error, rephrased by the caller that saw it fail */
    char gdal_failure[256]; /* last GDAL failure seen by the handler, even if GDAL went on */
    /* ENOSPC, EDQUOT or EFBIG current at a GDAL failure: the real cause of a write error that
       SQLite reports as unrelated text (cleared by the io writer when it starts) */
    int gdal_errno;
    /* While warn_once is set (ccov_ctx_warn_once), the warnings already said, not said again. */
    bool warn_once;
    char **said;
    size_t nsaid;
};

/* From on, say each distinct warning once (runs that read the same sources repeat theirs);
   off forgets them. */
void ccov_ctx_warn_once(ccov_ctx *ctx, bool on);

/* Grow an array that gains one item at a time: it doubles when count is a power of two (0, 1, 2,
   4...), so that 10^5 items do not cost 10^5 copies and the capacity follows from the count.
   Returns items (possibly moved) with room for item `count`, or NULL when out of memory (items
   left as they were). */
void *ccov_grow(void *items, size_t count, size_t size);

#endif
