/* Internal: contexts for worker threads. */
#ifndef CCOV_CTX_WORKER_H
#define CCOV_CTX_WORKER_H

#include "clearcov/ctx.h"

/* A context for a worker thread that does no GDAL work: like ccov_ctx_create() but without a GDAL
   error handler (which belongs to the thread that calls GDAL). Free with ccov_ctx_free(). */
ccov_ctx *ccov_ctx_create_worker(void);

#endif
