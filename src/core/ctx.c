/* Context: owns the GEOS handle and the PROJ context, keeps the last error message. */
#include "clearcov/names.h"
#include "core/internal.h"

#include <cpl_error.h>
#include <gdal.h>

#include <errno.h>
#include <stdint.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>

/* GEOS errors are kept, not printed: the call that failed turns them into its own message. */
static void geos_error_handler(const char *message, void *user) {
    ccov_ctx *ctx = user;
    snprintf(ctx->geos_error, sizeof ctx->geos_error, "%s", message);
}

static void geos_notice_handler(const char *message, void *user) {
    ccov_ctx_msg(user, CCOV_MSG_DEBUG, "GEOS: %s", message);
}

/* GDAL messages reach the context: failures are rephrased by the io call that saw them (from
   CPLGetLastErrorMsg), warnings become debug lines instead of raw text on stderr. */
static void gdal_handler(CPLErr level, CPLErrorNum num, const char *message) {
    (void)num;
    int err = errno;
    ccov_ctx *ctx = CPLGetErrorHandlerUserData();
    if (level == CE_Warning)
        ccov_ctx_msg(ctx, CCOV_MSG_DEBUG, "GDAL: %s", message);
    else if (level >= CE_Failure && ctx)
        snprintf(ctx->gdal_failure, sizeof ctx->gdal_failure, "%s", message);
    if (level >= CE_Failure && ctx && (err == ENOSPC || err == EDQUOT || err == EFBIG))
        ctx->gdal_errno = err;
}

/* PROJ logs through the context; keep its chatter at debug level. */
static void proj_log(void *user, int level, const char *message) {
    (void)level;
    ccov_ctx_msg(user, CCOV_MSG_DEBUG, "PROJ: %s", message);
}

/* A context; `gdal` pushes its GDAL error handler on the calling thread's stack, which only the
   context of the thread that calls GDAL may do (the others would take its messages). */
static ccov_ctx *ctx_new(bool gdal) {
    ccov_ctx *ctx = calloc(1, sizeof *ctx);
    if (!ctx)
        return NULL;
    ctx->geos = GEOS_init_r();
    ctx->proj = proj_context_create();
    if (!ctx->geos || !ctx->proj) {
        ccov_ctx_free(ctx);
        return NULL;
    }
    GEOSContext_setErrorMessageHandler_r(ctx->geos, geos_error_handler, ctx);
    GEOSContext_setNoticeMessageHandler_r(ctx->geos, geos_notice_handler, ctx);
    proj_log_func(ctx->proj, ctx, proj_log);
    proj_log_level(ctx->proj, PJ_LOG_ERROR);
    /* Coordinates are never fetched from the network: results must not depend on connectivity. */
    proj_context_set_enable_network(ctx->proj, 0);
    if (gdal) {
        /* SpatiaLite's file functions (BlobToFile, ImportSHP...) stay off whatever the
           environment says: a filter from a claims file is data, never a way to write files. */
        setenv("SPATIALITE_SECURITY", "strict", 1);
        GDALAllRegister();
        CPLPushErrorHandlerEx(gdal_handler, ctx);
        ctx->gdal_handler = true;
    }
    return ctx;
}

ccov_ctx *ccov_ctx_create(void) { return ctx_new(true); }

ccov_ctx *ccov_ctx_create_worker(void) { return ctx_new(false); }

void ccov_ctx_free(ccov_ctx *ctx) {
    if (!ctx)
        return;
    if (ctx->gdal_handler)
        CPLPopErrorHandler();
    if (ctx->proj)
        proj_context_destroy(ctx->proj);
    if (ctx->geos)
        GEOS_finish_r(ctx->geos);
    ccov_ctx_warn_once(ctx, false);
    free(ctx);
}

void ccov_ctx_set_messages(ccov_ctx *ctx, ccov_msg_fn fn, void *user) {
    ctx->msg_fn = fn;
    ctx->msg_user = user;
}

void ccov_ctx_set_progress(ccov_ctx *ctx, ccov_progress_fn fn, void *user) {
    ctx->progress_fn = fn;
    ctx->progress_user = user;
}

void ccov_ctx_progress(ccov_ctx *ctx, const char *stage, double done) {
    if (ctx && ctx->progress_fn)
        ctx->progress_fn(ctx->progress_user, stage, done);
}

const char *ccov_ctx_error(const ccov_ctx *ctx) { return ctx->error; }

ccov_status ccov_ctx_status(const ccov_ctx *ctx) { return ctx->status; }

/* A message as it may be shown: any password of a connection string in it masked (whoever
   formatted it), then escaped for a terminal. */
static void masked_escape(const char *line, char *out, size_t n) {
    char masked[2048];
    ccov_text_mask_password(line, masked, sizeof masked);
    ccov_text_escape(masked, out, n);
}

/* Messages are one line of text for a terminal: the data they quote (file names, field values,
   library text) has its control characters escaped, so a region name cannot forge a line or send
   a command to the terminal (ccov_text_escape). */
ccov_status ccov_ctx_fail(ccov_ctx *ctx, ccov_status status, const char *fmt, ...) {
    char line[sizeof ctx->error];
    va_list ap;
    va_start(ap, fmt);
    vsnprintf(line, sizeof line, fmt, ap);
    va_end(ap);
    masked_escape(line, ctx->error, sizeof ctx->error);
    ctx->status = status;
    return status;
}

/* How many distinct warnings warn_once remembers; past that, they are all said. */
enum { SAID_MAX = 1024 };

void ccov_ctx_warn_once(ccov_ctx *ctx, bool on) {
    for (size_t i = 0; i < ctx->nsaid; i++)
        free(ctx->said[i]);
    free(ctx->said);
    ctx->said = NULL;
    ctx->nsaid = 0;
    ctx->warn_once = on;
}

/* True when this warning was said already (and so is not said again); remembers it otherwise. */
static bool said_before(ccov_ctx *ctx, const char *line) {
    for (size_t i = 0; i < ctx->nsaid; i++)
        if (strcmp(ctx->said[i], line) == 0)
            return true;
    if (ctx->nsaid >= SAID_MAX)
        return false;
    char **grown = ccov_grow(ctx->said, ctx->nsaid, sizeof *grown);
    char *copy = grown ? strdup(line) : NULL;
    if (grown)
        ctx->said = grown;
    if (copy)
        ctx->said[ctx->nsaid++] = copy;
    return false;
}

void ccov_ctx_msg(ccov_ctx *ctx, ccov_msg_level level, const char *fmt, ...) {
    if (!ctx || !ctx->msg_fn)
        return;
    char line[1024];
    char escaped[1024];
    va_list ap;
    va_start(ap, fmt);
    vsnprintf(line, sizeof line, fmt, ap);
    va_end(ap);
    masked_escape(line, escaped, sizeof escaped);
    if (level == CCOV_MSG_WARNING && ctx->warn_once && said_before(ctx, escaped))
        return;
    ctx->msg_fn(ctx->msg_user, level, escaped);
}

void *ccov_grow(void *items, size_t count, size_t size) {
    if (count & (count - 1))
        return items;
    size_t cap = count ? 2 * count : 1;
    return cap > SIZE_MAX / size ? NULL : realloc(items, cap * size);
}

const char *ccov_ctx_library_versions(char *buf, unsigned n) {
    PJ_INFO info = proj_info();
    snprintf(buf, n, "GDAL %s, PROJ %s, GEOS %s", GDALVersionInfo("RELEASE_NAME"), info.version,
             GEOSversion());
    return buf;
}
