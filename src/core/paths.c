/* paths: where the installed files are, found from the running binary. */
#include "core/paths.h"

#include <stdio.h>
#include <string.h>
#include <sys/stat.h>
#include <unistd.h>

/* Drop the last component of path ("/usr/bin" -> "/usr"); -1 when there is none to drop. */
static int strip_last(char *path) {
    char *slash = strrchr(path, '/');
    if (!slash || slash == path)
        return -1;
    *slash = '\0';
    return 0;
}

/* Directory of the running binary into buf (size n): 0, or -1 when its path cannot be read. The
   kernel's link names the real file, symbolic links resolved. */
static int exe_dir(char *buf, size_t n) {
    ssize_t len = readlink("/proc/self/exe", buf, n - 1);
    if (len <= 0 || (size_t)len >= n - 1)
        return -1;
    buf[len] = '\0';
    return strip_last(buf);
}

/* Whether path is dir or lies under it. */
static int is_under(const char *path, const char *dir) {
    size_t len = strlen(dir);
    return strncmp(path, dir, len) == 0 && (path[len] == '/' || path[len] == '\0');
}

static int is_dir(const char *path) {
    struct stat st;
    return stat(path, &st) == 0 && S_ISDIR(st.st_mode);
}

const char *ccov_paths_data_dir(char *buf, size_t n) {
    char dir[4096];
    if (exe_dir(dir, sizeof dir) != 0) {
        snprintf(buf, n, "%s", CCOV_DATA_DIR);
        return buf;
    }
    int in_build_tree = is_under(dir, CCOV_BUILD_DIR);
    /* PREFIX/bin -> PREFIX; a binary in / has no prefix to strip and keeps "". */
    if (strip_last(dir) != 0)
        dir[0] = '\0';
    snprintf(buf, n, "%s/share/clearcov", dir);
    if (in_build_tree && !is_dir(buf))
        snprintf(buf, n, "%s", CCOV_DATA_DIR);
    return buf;
}
