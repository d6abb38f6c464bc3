/* clearcov: writing the result layers as GeoJSON files or one GeoPackage, for QGIS. */
#ifndef CLEARCOV_OUTPUT_H
#define CLEARCOV_OUTPUT_H

#include "clearcov/coverage.h"
#include "clearcov/ctx.h"

#include <stdbool.h>

#ifdef __cplusplus
extern "C" {
#endif

typedef enum { CCOV_OUT_GEOJSON = 0, CCOV_OUT_GPKG = 1 } ccov_out_format;

/* The fewest GeoJSON decimals accepted: 5 is a grid of about 1 m, finer than a cleared area is
   surveyed; with 4 (about 11 m) or fewer, small cleared polygons collapse to lines or points. */
#define CCOV_OUTPUT_MIN_PRECISION 5

typedef struct {
    const char *dir;        /* folder, created when missing */
    ccov_out_format format; /* one <layer>.geojson each, or clearcov.gpkg with all layers */
    int precision;          /* GeoJSON decimals, CCOV_OUTPUT_MIN_PRECISION..15 (7: about 1 cm) */
    bool overwrite;         /* replace existing files */
    /* PostGIS output: `dir` may be a connection string ("PG:dbname=..."); the tables go to this
       schema (NULL: the connection's current schema). */
    const char *schema;
} ccov_output_options;

/* Write the result's layers (run with ccov_options.layers). GeoJSON follows RFC 7946
   (WGS84 lon/lat, right-hand winding, bbox, no crs member, feature ids); the GeoPackage has a
   spatial index per layer and QGIS default styles in layer_styles. Every file is written under a
   temporary name and renamed only when all are complete; nothing is written when any target
   exists without `overwrite`. Same result, same bytes.
   When opts->dir is a database connection string (PG:..., postgresql://...), the layers are
   tables of that name in opts->schema, written in one transaction with their QGIS default styles
   in public.layer_styles: a failed or interrupted run leaves the database as it was; an
   existing table is an error (CCOV_ERR_IO) unless `overwrite`, which replaces it in the same
   transaction. */
ccov_status ccov_output_write(ccov_ctx *ctx, const ccov_result *res,
                              const ccov_output_options *opts);

/* Before any work: CCOV_ERR_IO when a file ccov_output_write() would write exists and
   opts->overwrite is false, or when the folder cannot be used (a database: it cannot be
   reached, the schema is missing, or a table exists without `overwrite`). */
ccov_status ccov_output_check(ccov_ctx *ctx, const ccov_output_options *opts);

/* Whether `target` (an --out value) is a database connection string, not a folder. */
bool ccov_output_is_database(const char *target);

/* Before any work, for opts->dir a database: CCOV_ERR_IO when the input `layer` read from `src`
   (a connection string; `layer` a table, "table" or "schema.table") has the name of a table
   ccov_output_write() would write in opts->schema (NULL: taken as public), so that --overwrite
   cannot drop an input. `option` names the input in the message ("--regions-layer"). Connection
   strings are not compared: the same name in another database is refused too. CCOV_OK when
   src or layer is NULL, or src or opts->dir is not a database. */
ccov_status ccov_output_database_guard(ccov_ctx *ctx, const ccov_output_options *opts,
                                       const char *src, const char *layer, const char *option);

/* One output a command will write. */
typedef struct {
    const char *path;
    const char *option; /* how the user named it, for messages ("-o", "--out") */
    bool dataset;       /* written through GDAL: may have side files (a shapefile's .dbf) */
    const char *driver; /* GDAL driver of a dataset, NULL: from the extension */
} ccov_output_target;

/* Before anything is read or written: CCOV_ERR_IO (message in ctx) when an output path is too
   long (ccov_atomic_check_path), when an output file (side files included) is one of the files
   an input is read from (compared by device and inode with every file GDAL lists for the source,
   through driver prefixes and /vsizip/-style paths), or when two outputs name the same file.
   `inputs` may hold NULL entries. */
ccov_status ccov_output_guard(ccov_ctx *ctx, const char *const *inputs, size_t ninputs,
                              const ccov_output_target *targets, size_t ntargets);

#ifdef __cplusplus
}
#endif

#endif
