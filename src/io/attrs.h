/* io_attrs: GDAL/OGR work beyond io.h for validate and audit: attribute-only reads, checking a
   filter, the layer's date fields, and a layer writer with list-valued fields. */
#ifndef CCOV_IO_ATTRS_H
#define CCOV_IO_ATTRS_H

#include "clearcov/ctx.h"
#include "clearcov/layers.h"

#include <stdbool.h>
#include <stddef.h>

/* CCOV_ERR_USAGE with GDAL's reason when `where` is not a filter the layer accepts. Some drivers
   (GeoPackage) only complain when the first feature is read, so one feature is read. CCOV_ERR_IO
   when the source cannot be opened. `layer` may be NULL for a single-layer source. */
ccov_status ccov_io_attrs_check_where(ccov_ctx *ctx, const char *src, const char *layer,
                                      const char *where);

/* Receives one feature: its id and one value per requested field (NULL for null or when the
   field does not exist). Return false to stop reading. */
typedef bool (*ccov_attrs_fn)(void *user, long long fid, char *const *values);

/* Read the attributes (never the geometry) of the features matching `where` (NULL: all).
   fields[i] is a NULL-terminated list of candidate names for value i; the first one the layer
   has (case-insensitive) is read, and found[i] (may be NULL) tells whether there was one.
   Returns CCOV_ERR_IO on open or read errors, CCOV_ERR_USAGE on a bad filter (message in ctx),
   CCOV_OK also when fn stopped the read. */
ccov_status ccov_io_attrs_read(ccov_ctx *ctx, const char *src, const char *layer, const char *where,
                               const char *const *const *fields, size_t n, bool *found,
                               ccov_attrs_fn fn, void *user);

/* Comma-separated names of the layer's Date and DateTime fields ("" when none). NULL on error
   (message in ctx). Caller frees with free(). */
char *ccov_io_attrs_date_fields(ccov_ctx *ctx, const char *src, const char *layer);

/* A field of a written layer. A list field takes its items from a comma-separated value; it is
   a JSON array in GeoJSON and JSON text (string, subtype JSON) in a GeoPackage. */
typedef struct {
    const char *name;
    ccov_value_type type;
    bool list;
} ccov_attrs_field;

/* One feature to write: geometry as ISO WKB in EPSG:4326 lon/lat (NULL: no geometry) and one
   value per field as text (NULL for null). */
typedef struct {
    long long fid; /* -1: let the driver number it */
    const unsigned char *wkb;
    size_t wkb_size;
    const char *const *values;
} ccov_attrs_feature;

/* Produces the next feature into *f; returns false at the end. */
typedef bool (*ccov_attrs_next_fn)(void *user, ccov_attrs_feature *f);

/* Write one layer (WGS84 lon/lat) to `path` with `driver` ("GeoJSON": RFC 7946, bbox,
   `precision` decimals; "GPKG": spatial index, fixed timestamps for reproducible bytes). The file
   is written under a temporary name in the same folder and renamed when complete; nothing is left
   behind on failure. An existing path is refused (CCOV_ERR_IO) unless overwrite. */
ccov_status ccov_io_attrs_write_layer(ccov_ctx *ctx, const char *path, const char *driver,
                                      const char *layer, const ccov_attrs_field *fields,
                                      size_t nfields, int precision, bool overwrite,
                                      ccov_attrs_next_fn next, void *user);
/* The same; a GeoPackage also gets `qml` (when not NULL) as the layer's default QGIS style in
   layer_styles, written in the same file before it is moved into place. */
ccov_status ccov_io_attrs_write_styled(ccov_ctx *ctx, const char *path, const char *driver,
                                       const char *layer, const ccov_attrs_field *fields,
                                       size_t nfields, int precision, bool overwrite,
                                       ccov_attrs_next_fn next, void *user, const char *qml);
/* The same; a GeoJSON collection with no geometry gets bbox [W, S, E, N] (NULL: none), which GDAL
   does not write for it (issue 15). */
ccov_status ccov_io_attrs_write_boxed(ccov_ctx *ctx, const char *path, const char *driver,
                                      const char *layer, const ccov_attrs_field *fields,
                                      size_t nfields, int precision, bool overwrite,
                                      ccov_attrs_next_fn next, void *user, const char *qml,
                                      const double *bbox);

#endif
