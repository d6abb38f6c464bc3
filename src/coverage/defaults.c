/* coverage: the one place for the defaults of the inputs: the bundled data, used when a command
   is given no --regions or no --cleared. */
#include "clearcov/coverage.h"
#include "core/paths.h"

#include <stdbool.h>
#include <stdio.h>
#include <stdlib.h>
#include <sys/stat.h>

const char *ccov_coverage_data_path(const char *name, char *buf, size_t n) {
    const char *env = getenv("CLEARCOV_DATA");
    char dir[4096];
    snprintf(buf, n, "%s/%s", env && *env ? env : ccov_paths_data_dir(dir, sizeof dir), name);
    return buf;
}

const char *ccov_coverage_default_regions(const char *src, char *buf, size_t n) {
    return src ? src : ccov_coverage_data_path("provinces.shp", buf, n);
}

const char *ccov_coverage_default_cleared(const char *src, char *buf, size_t n) {
    return src ? src : ccov_coverage_data_path("cleared_sample.gpkg", buf, n);
}

/* True when path and the bundled file `name` are the same file (same device and inode). */
static bool same_as_bundled(const char *path, const char *name) {
    char buf[4096];
    struct stat a, b;
    if (!path || stat(path, &a) != 0)
        return false;
    if (stat(ccov_coverage_data_path(name, buf, sizeof buf), &b) != 0)
        return false;
    return a.st_dev == b.st_dev && a.st_ino == b.st_ino;
}

bool ccov_coverage_is_sample(const char *path) {
    return same_as_bundled(path, "cleared_sample.gpkg");
}

bool ccov_coverage_is_bundled_regions(const char *path) {
    return same_as_bundled(path, "provinces.shp");
}
