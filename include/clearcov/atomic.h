/* clearcov: outputs written under a temporary name and moved into place only when complete. */
#ifndef CLEARCOV_ATOMIC_H
#define CLEARCOV_ATOMIC_H

#include "clearcov/ctx.h"

#include <limits.h>
#include <stdbool.h>
#include <stdio.h>

#ifdef __cplusplus
extern "C" {
#endif

#ifndef PATH_MAX
#define PATH_MAX 4096
#endif

/* A text output being written. An existing device or pipe (/dev/stdout, a FIFO) is written in
   place; anything else goes to a temporary file beside the target. */
typedef struct {
    FILE *fp;
    char path[PATH_MAX];
    char tmp[PATH_MAX];
    bool direct;
    bool overwrite;
} ccov_atomic_file;

/* Open `path` for writing. Refuses an existing file unless overwrite (CCOV_ERR_IO, message
   naming --overwrite), and a folder. On success f->fp is ready. */
ccov_status ccov_atomic_open(ccov_ctx *ctx, const char *path, bool overwrite, ccov_atomic_file *f);

/* Finish: with keep, flush, sync and move into place (without overwrite, a file that appeared
   meanwhile is not replaced); without keep, or on any failure, the temporary file is removed.
   Returns CCOV_ERR_IO with the reason when the output could not be completed. */
ccov_status ccov_atomic_close(ccov_ctx *ctx, ccov_atomic_file *f, bool keep);

/* A temporary name beside `path` (dir/.clearcov-PID-N-base.ext, same extension so that GDAL picks
   the same driver), registered for ccov_atomic_cleanup(). Caller frees with free() after
   ccov_atomic_forget(). NULL when out of memory. */
char *ccov_atomic_temp_name(const char *path);

/* The temporary file is gone or in place: stop tracking it. */
void ccov_atomic_forget(const char *tmp);

/* Remove every temporary file still registered, with the side files GDAL writes beside them
   (shapefile parts, SQLite journals). Async-signal-safe: for a SIGINT or SIGTERM handler. */
void ccov_atomic_cleanup(void);

#ifdef __cplusplus
}
#endif

#endif
