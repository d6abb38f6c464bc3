/* coverage: the one place for the defaults of the inputs: the bundled data, used when a command
   is given no --regions or no --cleared. */
#include "clearcov/coverage.h"
#include "core/paths.h"
#include "coverage/regions.h"

#include <stdbool.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <strings.h>
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

/* ---- the credit of the boundary data (issue 15) ---- */

static bool has_field(const ccov_layer *layer, const char *name) {
    const char *candidates[2] = {name, NULL};
    return ccov_io_find_field(layer, candidates) != NULL;
}

/* geoBoundaries: its five fields, every one. */
static bool is_geoboundaries(const ccov_layer *layer) {
    static const char *const fields[] = {"shapeName", "shapeISO", "shapeID", "shapeGroup",
                                         "shapeType"};
    for (size_t i = 0; i < sizeof fields / sizeof fields[0]; i++)
        if (!has_field(layer, fields[i]))
            return false;
    return true;
}

/* Natural Earth: featurecla (on every theme) with one of its admin-0/admin-1 or common fields. */
static bool is_natural_earth(const ccov_layer *layer) {
    return has_field(layer, "featurecla") &&
           (has_field(layer, "adm1_code") || has_field(layer, "adm0_a3") ||
            has_field(layer, "ne_id") || has_field(layer, "scalerank"));
}

/* The file name (not the folders) says geoBoundaries. */
static bool named_geoboundaries(const char *path) {
    const char *name = path ? strrchr(path, '/') : NULL;
    name = name ? name + 1 : path;
    for (const char *p = name; p && *p; p++)
        if (strncasecmp(p, "geoboundaries", 13) == 0)
            return true;
    return false;
}

const char *ccov_coverage_boundary_credit(const char *path, const ccov_layer *layer) {
    static const char NATURAL_EARTH[] = "boundaries from Natural Earth (public domain)";
    static const char GEOBOUNDARIES[] = "boundaries from geoBoundaries (geoboundaries.org)";
    if (layer && is_geoboundaries(layer))
        return GEOBOUNDARIES;
    if ((layer && is_natural_earth(layer)) || ccov_coverage_is_bundled_regions(path))
        return NATURAL_EARTH;
    return named_geoboundaries(path) ? GEOBOUNDARIES : NULL;
}
