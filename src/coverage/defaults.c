/* coverage: the one place for the defaults of the inputs: the bundled data, used when a command
   is given no --regions or no --cleared. */
#include "clearcov/coverage.h"
#include "core/paths.h"

#include <stdio.h>
#include <stdlib.h>

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
