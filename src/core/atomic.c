/* atomic: every output is written in a private temporary folder made beside the target (mkdtemp:
   an unpredictable name, mode 0700, so that nobody can plant a file or symlink where GDAL writes)
   under its final name, then published with link() (never replacing anything) or, with
   --overwrite, rename() (replacing a symlink itself, never writing through it). The folders are
   kept in a fixed table that a signal handler can walk without allocating. Every writer asks
   ccov_atomic_may_write before it starts, so that no output is replaced without --overwrite. */
#define _GNU_SOURCE /* renameat2, SYS_getdents64 */
#include "clearcov/atomic.h"

#include <errno.h>
#include <fcntl.h>
#include <signal.h>
#include <stdint.h>
#include <stdlib.h>
#include <string.h>
#include <sys/stat.h>
#include <sys/syscall.h>
#include <unistd.h>

enum { SLOTS = 64 };

static struct {
    char path[PATH_MAX];
    volatile sig_atomic_t used;
} temps[SLOTS];

void ccov_atomic_track(const char *dir) {
    size_t n = strlen(dir);
    for (int i = 0; i < SLOTS && n < PATH_MAX; i++)
        if (!temps[i].used) {
            memcpy(temps[i].path, dir, n + 1);
            temps[i].used = 1;
            return;
        }
}

void ccov_atomic_forget(const char *dir) {
    for (int i = 0; dir && i < SLOTS; i++)
        if (temps[i].used && strcmp(temps[i].path, dir) == 0)
            temps[i].used = 0;
}

static bool unlink_entries(int fd, int depth);

/* Remove the entry name of the folder fd; a subfolder (GDAL's shapefile driver writes one for a
   name without .shp) is emptied first, to depth levels. */
static void unlink_entry(int fd, const char *name, int depth) {
    if (unlinkat(fd, name, 0) == 0 || (errno != EISDIR && errno != EPERM) || depth <= 0)
        return;
    int sub = openat(fd, name, O_RDONLY | O_DIRECTORY | O_NOFOLLOW | O_CLOEXEC);
    for (int pass = 0; sub >= 0 && pass < 8 && !unlink_entries(sub, depth - 1); pass++)
        continue;
    if (sub >= 0)
        close(sub);
    unlinkat(fd, name, AT_REMOVEDIR);
}

/* Unlink every entry of the open folder fd; true when a pass found nothing left (signal-safe:
   getdents64 into a stack buffer, no allocation). */
static bool unlink_entries(int fd, int depth) {
    char buf[4096];
    bool empty = true;
    lseek(fd, 0, SEEK_SET);
    for (;;) {
        long got = syscall(SYS_getdents64, fd, buf, sizeof buf);
        if (got <= 0)
            return empty;
        for (long off = 0; off < got;) {
            /* struct linux_dirent64: inode (8), offset (8), record length (2), type (1), name */
            unsigned short reclen;
            memcpy(&reclen, buf + off + 16, sizeof reclen);
            const char *name = buf + off + 19;
            if (strcmp(name, ".") != 0 && strcmp(name, "..") != 0) {
                empty = false;
                unlink_entry(fd, name, depth);
            }
            off += reclen;
        }
    }
}

/* Empty the private folder (and one level of subfolder) and remove it. errno is kept: this runs
   in a signal handler too. */
static void remove_dir(const char *dir) {
    int saved = errno;
    int fd = open(dir, O_RDONLY | O_DIRECTORY | O_NOFOLLOW | O_CLOEXEC);
    for (int pass = 0; fd >= 0 && pass < 8 && !unlink_entries(fd, 1); pass++)
        continue;
    if (fd >= 0)
        close(fd);
    rmdir(dir);
    errno = saved;
}

void ccov_atomic_remove_dir(const char *dir) {
    if (!dir || !dir[0])
        return;
    remove_dir(dir);
    ccov_atomic_forget(dir);
}

/* The mask before the outermost ccov_atomic_hold, and the nesting depth. */
static sigset_t held_mask;
static int held_depth;

void ccov_atomic_hold(void) {
    sigset_t block, old;
    sigemptyset(&block);
    sigaddset(&block, SIGINT);
    sigaddset(&block, SIGTERM);
    sigaddset(&block, SIGHUP);
    sigprocmask(SIG_BLOCK, &block, &old);
    if (held_depth++ == 0)
        held_mask = old;
}

void ccov_atomic_release(void) {
    if (held_depth > 0 && --held_depth == 0)
        sigprocmask(SIG_SETMASK, &held_mask, NULL);
}

void ccov_atomic_cleanup(void) {
    for (int i = 0; i < SLOTS; i++)
        if (temps[i].used)
            remove_dir(temps[i].path);
}

/* The longest component of path. */
static size_t longest_component(const char *path) {
    size_t longest = 0;
    while (*path) {
        size_t n = strcspn(path, "/");
        longest = n > longest ? n : longest;
        path += n + (path[n] == '/');
    }
    return longest;
}

ccov_status ccov_atomic_check_path(ccov_ctx *ctx, const char *path) {
    size_t n = strlen(path);
    const char *why = n >= PATH_MAX                        ? "path too long"
                      : longest_component(path) > NAME_MAX ? "a name in this path is too long"
                                                           : NULL;
    if (!why)
        return CCOV_OK;
    /* Quote the two ends only: the message stays one readable line. */
    if (n > 96)
        return ccov_ctx_fail(ctx, CCOV_ERR_IO,
                             "%.40s...%s: %s (%zu bytes; at most %d, %d per name)", path,
                             path + n - 40, why, n, PATH_MAX - 1, NAME_MAX);
    return ccov_ctx_fail(ctx, CCOV_ERR_IO, "%s: %s (at most %d bytes per name)", path, why,
                         NAME_MAX);
}

/* The one message for an output in the way; `when` says when it was found. */
static ccov_status exists_fail(ccov_ctx *ctx, const char *path, const char *when) {
    return ccov_ctx_fail(ctx, CCOV_ERR_IO, "%s: exists%s; pass --overwrite to replace it", path,
                         when);
}

ccov_status ccov_atomic_may_write(ccov_ctx *ctx, const char *path, bool overwrite) {
    struct stat info;
    if (overwrite || lstat(path, &info) != 0)
        return CCOV_OK;
    return exists_fail(ctx, path, "");
}

ccov_status ccov_atomic_appeared(ccov_ctx *ctx, const char *path) {
    return exists_fail(ctx, path, " (appeared during the run)");
}

int ccov_atomic_temp_dir(const char *path, char *dir, size_t n) {
    const char *slash = strrchr(path, '/');
    int dirlen = slash ? (int)(slash - path + 1) : 0;
    int w = snprintf(dir, n, "%.*s.clearcov-XXXXXX", dirlen, path);
    if (w < 0 || (size_t)w >= n) {
        dir[0] = '\0';
        return ENAMETOOLONG;
    }
    if (!mkdtemp(dir)) {
        int err = errno;
        dir[0] = '\0';
        return err;
    }
    ccov_atomic_track(dir);
    return 0;
}

int ccov_atomic_temp_file(const char *dir, const char *path, char *out, size_t n) {
    const char *slash = strrchr(path, '/');
    int w = snprintf(out, n, "%s/%s", dir, slash ? slash + 1 : path);
    return w < 0 || (size_t)w >= n ? ENAMETOOLONG : 0;
}

int ccov_atomic_publish(const char *tmp, const char *final_path, bool overwrite) {
    if (overwrite)
        return rename(tmp, final_path) == 0 ? 0 : errno;
    if (link(tmp, final_path) == 0)
        return 0;
    int err = errno;
    /* No hard links here (FAT, some network shares): a rename that refuses to replace. */
    if (err != EPERM && err != ENOTSUP && err != EMLINK && err != ENOSYS)
        return err;
    return renameat2(AT_FDCWD, tmp, AT_FDCWD, final_path, RENAME_NOREPLACE) == 0 ? 0 : errno;
}

static ccov_status open_failed(ccov_ctx *ctx, ccov_atomic_file *f, int err) {
    ccov_atomic_remove_dir(f->dir);
    f->dir[0] = '\0';
    return ccov_ctx_fail(ctx, CCOV_ERR_IO, "%s: cannot write: %s", f->path, strerror(err));
}

/* The temporary file in a new private folder. */
static ccov_status open_temp(ccov_ctx *ctx, ccov_atomic_file *f) {
    int err = ccov_atomic_temp_dir(f->path, f->dir, sizeof f->dir);
    if (!err)
        err = ccov_atomic_temp_file(f->dir, f->path, f->tmp, sizeof f->tmp);
    if (err)
        return open_failed(ctx, f, err);
    int fd = open(f->tmp, O_WRONLY | O_CREAT | O_EXCL | O_NOFOLLOW | O_CLOEXEC, 0644);
    f->fp = fd >= 0 ? fdopen(fd, "w") : NULL;
    if (f->fp)
        return CCOV_OK;
    err = errno;
    if (fd >= 0)
        close(fd);
    return open_failed(ctx, f, err);
}

ccov_status ccov_atomic_open(ccov_ctx *ctx, const char *path, bool overwrite, ccov_atomic_file *f) {
    struct stat info;
    memset(f, 0, sizeof *f);
    ccov_status st = ccov_atomic_check_path(ctx, path);
    if (st == CCOV_OK)
        st = ccov_atomic_may_write(ctx, path, overwrite);
    if (st != CCOV_OK)
        return st;
    snprintf(f->path, sizeof f->path, "%s", path);
    f->overwrite = overwrite;
    bool exists = stat(path, &info) == 0;
    if (exists && S_ISDIR(info.st_mode))
        return ccov_ctx_fail(ctx, CCOV_ERR_IO, "%s: is a folder", path);
    f->direct = exists && !S_ISREG(info.st_mode);
    if (!f->direct)
        return open_temp(ctx, f);
    f->fp = fopen(path, "w");
    return f->fp ? CCOV_OK
                 : ccov_ctx_fail(ctx, CCOV_ERR_IO, "%s: cannot write: %s", path, strerror(errno));
}

/* The reason of a write that failed earlier: errno has been reused since, so write what is left
   in the buffer once more (EIO when that goes through). */
static int earlier_error(FILE *fp) {
    clearerr(fp);
    errno = 0;
    return fflush(fp) != 0 && errno ? errno : EIO;
}

ccov_status ccov_atomic_close(ccov_ctx *ctx, ccov_atomic_file *f, bool keep) {
    bool failed = keep && ferror(f->fp);
    bool good = keep && !failed && fflush(f->fp) == 0 && (f->direct || fsync(fileno(f->fp)) == 0);
    int err = good ? 0 : failed ? earlier_error(f->fp) : errno;
    if (fclose(f->fp) != 0 && good) {
        good = false;
        err = errno;
    }
    f->fp = NULL;
    ccov_atomic_hold();
    if (good && !f->direct) {
        err = ccov_atomic_publish(f->tmp, f->path, f->overwrite);
        good = err == 0;
    }
    ccov_atomic_remove_dir(f->dir);
    ccov_atomic_release();
    if (good || !keep)
        return good ? CCOV_OK : CCOV_ERR_IO;
    if (err == EEXIST)
        return ccov_atomic_appeared(ctx, f->path);
    return ccov_ctx_fail(ctx, CCOV_ERR_IO, "%s: cannot write: %s", f->path,
                         strerror(err ? err : EIO));
}
