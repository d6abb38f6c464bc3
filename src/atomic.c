/* atomic: every output is written under a temporary name in the target's folder and renamed when
   complete, so that a failed or interrupted run leaves no partial file. The temporary names are
   kept in a fixed table that a signal handler can walk without allocating. */
#include "clearcov/atomic.h"

#include <errno.h>
#include <fcntl.h>
#include <signal.h>
#include <stdatomic.h>
#include <stdlib.h>
#include <string.h>
#include <sys/stat.h>
#include <unistd.h>

enum { SLOTS = 64 };

static struct {
    char path[PATH_MAX];
    volatile sig_atomic_t used;
} temps[SLOTS];

static atomic_uint serial;

static void track(const char *tmp) {
    size_t n = strlen(tmp);
    for (int i = 0; i < SLOTS && n < PATH_MAX; i++)
        if (!temps[i].used) {
            memcpy(temps[i].path, tmp, n + 1);
            temps[i].used = 1;
            return;
        }
}

void ccov_atomic_forget(const char *tmp) {
    for (int i = 0; tmp && i < SLOTS; i++)
        if (temps[i].used && strcmp(temps[i].path, tmp) == 0)
            temps[i].used = 0;
}

/* unlink(base + suffix), with the extension of base replaced when `replace` (signal-safe). */
static void unlink_variant(const char *base, const char *suffix, bool replace) {
    char name[PATH_MAX + 16];
    size_t n = strlen(base), s = strlen(suffix);
    const char *dot = strrchr(base, '.');
    if (replace && dot && !strchr(dot, '/'))
        n = (size_t)(dot - base);
    if (n + s + 1 > sizeof name)
        return;
    memcpy(name, base, n);
    memcpy(name + n, suffix, s + 1);
    unlink(name);
}

void ccov_atomic_cleanup(void) {
    static const char *const sidecars[] = {".shx", ".dbf", ".prj", ".cpg", ".qix", ".sbn", ".sbx"};
    static const char *const journals[] = {"-journal", "-wal", "-shm"};
    for (int i = 0; i < SLOTS; i++) {
        if (!temps[i].used)
            continue;
        unlink(temps[i].path);
        for (size_t k = 0; k < sizeof sidecars / sizeof *sidecars; k++)
            unlink_variant(temps[i].path, sidecars[k], true);
        for (size_t k = 0; k < sizeof journals / sizeof *journals; k++)
            unlink_variant(temps[i].path, journals[k], false);
    }
}

char *ccov_atomic_temp_name(const char *path) {
    const char *slash = strrchr(path, '/');
    int dirlen = slash ? (int)(slash - path + 1) : 0;
    size_t n = strlen(path) + 64;
    char *tmp = malloc(n);
    if (!tmp)
        return NULL;
    snprintf(tmp, n, "%.*s.clearcov-%ld-%u-%s", dirlen, path, (long)getpid(),
             atomic_fetch_add(&serial, 1), path + dirlen);
    track(tmp);
    return tmp;
}

ccov_status ccov_atomic_open(ccov_ctx *ctx, const char *path, bool overwrite, ccov_atomic_file *f) {
    struct stat info;
    memset(f, 0, sizeof *f);
    snprintf(f->path, sizeof f->path, "%s", path);
    f->overwrite = overwrite;
    bool exists = stat(path, &info) == 0;
    if (exists && !overwrite)
        return ccov_ctx_fail(ctx, CCOV_ERR_IO, "%s: exists; pass --overwrite to replace it", path);
    if (exists && S_ISDIR(info.st_mode))
        return ccov_ctx_fail(ctx, CCOV_ERR_IO, "%s: is a folder", path);
    f->direct = exists && !S_ISREG(info.st_mode);
    char *tmp = f->direct ? NULL : ccov_atomic_temp_name(path);
    if (tmp)
        snprintf(f->tmp, sizeof f->tmp, "%s", tmp);
    free(tmp);
    if (!f->direct && !f->tmp[0])
        return ccov_ctx_fail(ctx, CCOV_ERR_IO, "%s: out of memory", path);
    int fd = f->direct ? -1 : open(f->tmp, O_WRONLY | O_CREAT | O_EXCL, 0644);
    f->fp = f->direct ? fopen(path, "w") : fd >= 0 ? fdopen(fd, "w") : NULL;
    if (f->fp)
        return CCOV_OK;
    ccov_status st = ccov_ctx_fail(ctx, CCOV_ERR_IO, "%s: cannot write: %s", path, strerror(errno));
    if (fd >= 0)
        close(fd);
    if (!f->direct) {
        unlink(f->tmp);
        ccov_atomic_forget(f->tmp);
    }
    return st;
}

/* Move the complete temporary file into place. Without overwrite, link() refuses a file created
   meanwhile (rename() would replace it); file systems without hard links fall back to rename(). */
static int publish(const ccov_atomic_file *f) {
    if (f->overwrite)
        return rename(f->tmp, f->path);
    if (link(f->tmp, f->path) == 0) {
        unlink(f->tmp);
        return 0;
    }
    if (errno == EEXIST)
        return -1;
    return rename(f->tmp, f->path);
}

ccov_status ccov_atomic_close(ccov_ctx *ctx, ccov_atomic_file *f, bool keep) {
    bool good =
        keep && !ferror(f->fp) && fflush(f->fp) == 0 && (f->direct || fsync(fileno(f->fp)) == 0);
    int err = good ? 0 : errno;
    if (fclose(f->fp) != 0 && good) {
        good = false;
        err = errno;
    }
    f->fp = NULL;
    if (good && !f->direct && publish(f) != 0) {
        good = false;
        err = errno;
    }
    if (!f->direct) {
        if (!good)
            unlink(f->tmp);
        ccov_atomic_forget(f->tmp);
    }
    if (good || !keep)
        return good ? CCOV_OK : CCOV_ERR_IO;
    if (err == EEXIST)
        return ccov_ctx_fail(ctx, CCOV_ERR_IO, "%s: exists; pass --overwrite to replace it",
                             f->path);
    return ccov_ctx_fail(ctx, CCOV_ERR_IO, "%s: cannot write: %s", f->path,
                         strerror(err ? err : EIO));
}
