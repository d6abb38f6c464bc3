/* clearcov: outputs written under a temporary name and moved into place only when complete, and
   never over an existing one without --overwrite. */
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
#ifndef NAME_MAX
#define NAME_MAX 255
#endif

/* A text output being written. An existing device or pipe (/dev/stdout, a FIFO) is written in
   place; anything else goes to a file of the same name in a private temporary folder beside the
   target (see ccov_atomic_temp_dir). */
typedef struct {
    FILE *fp;
    char path[PATH_MAX];
    char dir[PATH_MAX]; /* the private folder, "" when written in place */
    char tmp[PATH_MAX];
    bool direct;
    bool overwrite;
} ccov_atomic_file;

/* Refuse (CCOV_ERR_IO, one-line message) an output path of PATH_MAX bytes or more, or with a
   component longer than NAME_MAX: such a path would be cut short or refused by the system. */
ccov_status ccov_atomic_check_path(ccov_ctx *ctx, const char *path);

/* The no-clobber rule of every output, checked before anything is written: CCOV_OK when overwrite
   is set or nothing is at `path`; CCOV_ERR_IO with "PATH: exists; pass --overwrite to replace it"
   when something is, a symlink included even when it points nowhere (lstat). */
ccov_status ccov_atomic_may_write(ccov_ctx *ctx, const char *path, bool overwrite);

/* The same refusal when publishing found `path` taken (ccov_atomic_publish returned EEXIST):
   CCOV_ERR_IO with "PATH: exists (appeared during the run); pass --overwrite to replace it". */
ccov_status ccov_atomic_appeared(ccov_ctx *ctx, const char *path);

/* Open `path` for writing. Refuses an existing file (a symlink, even dangling, included) unless
   overwrite (CCOV_ERR_IO, message naming --overwrite), and a folder. On success f->fp is ready. */
ccov_status ccov_atomic_open(ccov_ctx *ctx, const char *path, bool overwrite, ccov_atomic_file *f);

/* Finish: with keep, flush, sync and publish (see ccov_atomic_publish); without keep, or on any
   failure, the temporary file is removed. Returns CCOV_ERR_IO with the reason when the output
   could not be completed. */
ccov_status ccov_atomic_close(ccov_ctx *ctx, ccov_atomic_file *f, bool keep);

/* Make a private folder (mode 0700, unpredictable name DIR/.clearcov-XXXXXX made by mkdtemp) in
   the folder of `path`, registered for ccov_atomic_cleanup(); its path goes to dir (n bytes).
   Every temporary file of one output is made in it under its final name, so that nobody else
   can plant a file or symlink there. Returns 0 or an errno value. */
int ccov_atomic_temp_dir(const char *path, char *dir, size_t n);

/* dir/<last component of path> into out (n bytes). Returns 0 or ENAMETOOLONG. */
int ccov_atomic_temp_file(const char *dir, const char *path, char *out, size_t n);

/* Give the complete file tmp its final name. Without overwrite, link(): an existing name (a
   dangling symlink too, or a file that appeared during the run) is never replaced (EEXIST); a
   file system without hard links gets renameat2(RENAME_NOREPLACE). With overwrite, rename(): a
   symlink at the final name is replaced itself, never written through. tmp stays (unlinked with
   its folder). Returns 0 or an errno value. */
int ccov_atomic_publish(const char *tmp, const char *final_path, bool overwrite);

/* Remove the private folder with whatever is still in it, and stop tracking it. */
void ccov_atomic_remove_dir(const char *dir);

/* Register a temporary folder of the caller's (made with mkdtemp) for ccov_atomic_cleanup(), and
   stop tracking it again (ccov_atomic_remove_dir does both the removal and the forgetting). */
void ccov_atomic_track(const char *dir);
void ccov_atomic_forget(const char *dir);

/* Block SIGINT, SIGTERM and SIGHUP while an output is being published, so that a signal cannot
   leave half of a multi-file dataset; the last ccov_atomic_release restores the mask, and a signal
   that arrived meanwhile is delivered then (and cleans the temporary folders). Calls nest; one
   thread only. */
void ccov_atomic_hold(void);
void ccov_atomic_release(void);

/* Empty and remove every private folder still registered (with one level of subfolder).
   Async-signal-safe: for a SIGINT or SIGTERM handler. */
void ccov_atomic_cleanup(void);

#ifdef __cplusplus
}
#endif

#endif
