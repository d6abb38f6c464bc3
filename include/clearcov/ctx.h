/* clearcov: the context every library call works in, status codes and messages. */
#ifndef CLEARCOV_CTX_H
#define CLEARCOV_CTX_H

#include <stdarg.h>

#ifdef __cplusplus
extern "C" {
#endif

/* Status of a library call. The values are also the process exit codes of the CLI. */
typedef enum {
    CCOV_OK = 0,
    CCOV_ERR_CLAIM = 1, /* a claim failed validation */
    CCOV_ERR_USAGE = 2, /* bad options or arguments */
    CCOV_ERR_IO = 3,    /* input or output: missing file, bad layer, unwritable output, no memory */
    CCOV_ERR_CRS = 4,   /* CRS or coordinate operation */
    CCOV_ERR_GEOM = 5   /* geometry */
} ccov_status;

/* Severity of a diagnostic passed to the message callback. */
typedef enum { CCOV_MSG_DEBUG = 0, CCOV_MSG_INFO = 1, CCOV_MSG_WARNING = 2 } ccov_msg_level;

/* Receives warnings and details (one line, no trailing newline) while a call runs. */
typedef void (*ccov_msg_fn)(void *user, ccov_msg_level level, const char *line);

/* Receives progress of a long stage: its name and the share done, 0..1 (called from the thread
   that made the library call). */
typedef void (*ccov_progress_fn)(void *user, const char *stage, double done);

typedef struct ccov_ctx ccov_ctx;

/* Create a context: one GEOS handle and one PROJ context, owned by the caller's thread.
   Returns NULL when out of memory. Free with ccov_ctx_free(). */
ccov_ctx *ccov_ctx_create(void);

/* Release the context and everything it owns. ccov_ctx_free(NULL) does nothing. */
void ccov_ctx_free(ccov_ctx *ctx);

/* Install the callback that receives diagnostics (NULL: discard them). */
void ccov_ctx_set_messages(ccov_ctx *ctx, ccov_msg_fn fn, void *user);

/* Install the callback that receives progress (NULL: none). */
void ccov_ctx_set_progress(ccov_ctx *ctx, ccov_progress_fn fn, void *user);

/* Report progress of the current stage to the callback, if any. */
void ccov_ctx_progress(ccov_ctx *ctx, const char *stage, double done);

/* The message of the last failed call: one line, never NULL (empty when none). Owned by ctx. */
const char *ccov_ctx_error(const ccov_ctx *ctx);

/* The status of the last recorded error (CCOV_OK when none). */
ccov_status ccov_ctx_status(const ccov_ctx *ctx);

/* Record an error (printf-style, one line) and return its status, for `return ccov_ctx_fail(...)`.
 */
ccov_status ccov_ctx_fail(ccov_ctx *ctx, ccov_status status, const char *fmt, ...)
    __attribute__((format(printf, 3, 4)));

/* Pass a diagnostic to the message callback (printf-style). */
void ccov_ctx_msg(ccov_ctx *ctx, ccov_msg_level level, const char *fmt, ...)
    __attribute__((format(printf, 3, 4)));

/* Run-time versions of GDAL, PROJ and GEOS, one line, e.g. "GDAL 3.6.2, PROJ 9.1.1, GEOS 3.11.1".
   Writes into buf (size n) and returns buf. */
const char *ccov_ctx_library_versions(char *buf, unsigned n);

#ifdef __cplusplus
}
#endif

#endif
