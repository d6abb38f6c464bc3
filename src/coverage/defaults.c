/* coverage: the one place for the defaults of the inputs: the bundled data, used when a command
   is given no --regions or no --cleared. */
#include "clearcov/coverage.h"

#include <stdio.h>
#include <stdlib.h>

const char *ccov_coverage_data_path(const char *name, char *buf, size_t n) {
    const char *dir = getenv("CLEARCOV_DATA");
    snprintf(buf, n, "%s/%s", dir && *dir ? dir : CCOV_DATA_DIR, name);
    return buf;
}

const char *ccov_coverage_default_regions(const char *src, char *buf, size_t n) {
    return src ? src : ccov_coverage_data_path("provinces.shp", buf, n);
}

const char *ccov_coverage_default_cleared(const char *src, char *buf, size_t n) {
    return src ? src : ccov_coverage_data_path("cleared_sample.gpkg", buf, n);
}
