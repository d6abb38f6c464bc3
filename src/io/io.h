/* io: reading and writing vector data through GDAL/OGR. */
#ifndef CCOV_IO_H
#define CCOV_IO_H

#include "clearcov/ctx.h"
#include "clearcov/layers.h"

#include <stdbool.h>
#include <stddef.h>

typedef struct ccov_layer ccov_layer;

/* One feature as read: its id, its geometry as 2D linear ISO WKB (NULL when the feature cannot be
   used, `problem` then says why) and the values of the selected fields (NULL for null). */
typedef struct {
    long long fid;
    unsigned char *wkb;
    size_t wkb_size;
    char problem[160];
    char **values;
    size_t nvalues;
} ccov_record;

/* A named pipe, socket or character device given as an input is refused at once (CCOV_ERR_IO,
   message in ctx): opening one can block for ever, and a source is read more than once (its
   features are counted, then read). CCOV_OK for anything else, including a path that does not
   exist (the caller's own check says so). */
ccov_status ccov_io_check_input(ccov_ctx *ctx, const char *path);

/* What to read from a source: a layer (a table or a view in a database), or the result set of
   one SELECT query run by the source itself (PostGIS: by the server), and which geometry column.
   The option names are for messages (e.g. "--cleared-layer", "--cleared-sql"). */
typedef struct {
    const char *src;
    const char *layer;       /* NULL: the only layer */
    const char *sql;         /* NULL: read a layer; not with `layer` (CCOV_ERR_USAGE) */
    const char *geom_column; /* NULL: the only geometry column (several: CCOV_ERR_IO) */
    const char *layer_option;
    const char *sql_option;
    const char *geom_option;
} ccov_io_query;

/* Open what q names, read-only: one layer of any OGR source (its only layer when q->layer is
   NULL; q->layer_option names the option that chooses one, for the message listing layers), or
   the result set of q->sql. NULL on error (status CCOV_ERR_IO). Close with ccov_io_close(). A
   database is read in a read-only session; the shown name
   (ccov_io_source, every message) has its password masked. A connection refused (wrong
   password, server down), a missing table and an SQL error are CCOV_ERR_IO, with the reason the
   server gave in one line. */
ccov_layer *ccov_io_open_query(ccov_ctx *ctx, const ccov_io_query *q);
void ccov_io_close(ccov_layer *lyr);

/* The source's name as shown: its password masked (ccov_text_mask_password). */
const char *ccov_io_source(const ccov_layer *lyr);
/* The layer's name; for a query, the query itself (ccov_io_attrs_* run it again). */
const char *ccov_io_layer_name(const ccov_layer *lyr);

/* The layer's CRS as "EPSG:n" or WKT2, for ccov_crs_create(); NULL when the layer has none.
   Caller frees with free(). */
char *ccov_io_crs_definition(const ccov_layer *lyr);

/* Why the CRS the source declares could not be read, or NULL. Owned by the layer. */
const char *ccov_io_crs_problem(const ccov_layer *lyr);

/* Why the layer cannot hold polygons ("has no geometry column", "holds points, not polygons",
   ...), or NULL when it declares polygons or any geometry (each feature is checked when read).
   With `scan`, a layer that declares any geometry is read through: "holds no polygons" when it
   has features and none has one. */
const char *ccov_io_not_polygons(const ccov_layer *lyr, bool scan);

/* Extent in layer coordinates (xmin, ymin, xmax, ymax). False when empty or unknown. */
bool ccov_io_extent(ccov_layer *lyr, double bbox[4]);

/* Number of features (after the attribute filter). May scan the layer. */
long long ccov_io_count(ccov_layer *lyr);
/* The same when the driver knows it without scanning, else -1. */
long long ccov_io_count_fast(ccov_layer *lyr);

/* Apply an OGR SQL attribute filter. CCOV_ERR_USAGE with GDAL's reason when it does not parse. */
ccov_status ccov_io_set_where(ccov_ctx *ctx, ccov_layer *lyr, const char *where);

/* The first field whose name equals one of `candidates` (case-insensitive), NULL-terminated list;
   NULL when none. The returned name is owned by the layer. */
const char *ccov_io_find_field(const ccov_layer *lyr, const char *const *candidates);

/* Comma-separated list of the layer's field names, into buf. */
void ccov_io_field_list(const ccov_layer *lyr, char *buf, size_t n);

/* The layer's fields: count, name (owned by the layer) and type (dates and others read as text). */
size_t ccov_io_field_count(const ccov_layer *lyr);
const char *ccov_io_field_name(const ccov_layer *lyr, size_t i);
ccov_value_type ccov_io_field_type(const ccov_layer *lyr, size_t i);

/* Choose which fields ccov_io_next() returns, in order (NULL entries give NULL values).
   CCOV_ERR_USAGE when a field does not exist. */
ccov_status ccov_io_select_fields(ccov_ctx *ctx, ccov_layer *lyr, const char *const *names,
                                  size_t n);

/* Read the next feature into rec (cleared first). Returns 1 when a feature was read, 0 at the end,
   -1 on a read error (message in ctx). */
int ccov_io_next(ccov_ctx *ctx, ccov_layer *lyr, ccov_record *rec);
void ccov_record_clear(ccov_record *rec);

/* Writing: a new dataset, written under a temporary name beside `path`, closed with
   ccov_io_writer_close() and moved into place by ccov_io_writer_publish() (so that several files
   can be completed before any is published). */
typedef struct ccov_writer ccov_writer;
typedef struct {
    const char *name;
    ccov_value_type type;
} ccov_field_def;

/* Create the dataset (in a transaction where the driver has them). `driver` may be NULL (chosen
   from the extension). Refuses an existing path unless overwrite. NULL on error.
   A database connection string (PG:..., ccov_io_is_database) opens that database for update
   instead, in one transaction: ccov_io_writer_publish commits it, ccov_io_writer_abort (or the
   end of the process) rolls it back; messages name it with its password masked. Tables are
   created by ccov_io_writer_layer (layer creation options SCHEMA, GEOMETRY_NAME, FID; an
   existing table is refused unless the caller dropped it with ccov_io_writer_sql). */
ccov_writer *ccov_io_writer_create(ccov_ctx *ctx, const char *path, const char *driver,
                                   bool overwrite);
/* Start a new layer, which receives the following features. `crs` as for ccov_crs_create(), NULL
   for a table without geometry; with `multipolygon` the layer is declared MultiPolygon and
   polygons are promoted. `options`: GDAL layer creation options (NULL-terminated, may be NULL). */
ccov_status ccov_io_writer_layer(ccov_ctx *ctx, ccov_writer *w, const char *layer, const char *crs,
                                 bool multipolygon, const ccov_field_def *fields, size_t nfields,
                                 const char *const *options);
/* Add a feature: fid (-1: let the driver choose), geometry as WKB (NULL: none) and one value per
   field as text (NULL for null; "true"/"false" for booleans). */
ccov_status ccov_io_writer_add(ccov_ctx *ctx, ccov_writer *w, long long fid,
                               const unsigned char *wkb, size_t wkb_size,
                               const char *const *values);
/* Finish writing (commit, close); the files stay in the private temporary folder, under their
   final names, until ccov_io_writer_publish. */
ccov_status ccov_io_writer_close(ccov_ctx *ctx, ccov_writer *w);
/* Close if needed and move every file into place. The writer is freed whatever the outcome. */
ccov_status ccov_io_writer_publish(ccov_ctx *ctx, ccov_writer *w);
/* Close and delete the temporary files. ccov_io_writer_abort(NULL) does nothing. */
void ccov_io_writer_abort(ccov_writer *w);

/* The writer's target as shown in messages (a database's password masked). Owned by w. */
const char *ccov_io_writer_name(const ccov_writer *w);

/* A database connection string (PG:..., postgresql://...), not a file or folder. */
bool ccov_io_is_database(const char *target);

/* Run one SQL statement in a database writer's transaction (ccov_io_writer_create with a
   connection string). With `out` (size n), the first column of the first row as text ("" for
   no row or null). CCOV_ERR_IO with the server's reason in one line; the transaction is then
   aborted and can only be rolled back. */
ccov_status ccov_io_writer_sql(ccov_ctx *ctx, ccov_writer *w, const char *sql, char *out, size_t n);

/* The files an output at `path` consists of once written (driver NULL: from the extension): a
   shapefile's .shp/.shx/.dbf/.prj/.cpg, a GML file's .gml/.xsd, else path alone. Free with
   ccov_io_files_free(). */
char **ccov_io_output_files(const char *path, const char *driver);
/* The local files a source is read from: the source itself, a CSV's .csvt and .prj, and for a
   source that can have side files (not GeoJSON, FlatGeobuf or KML) every file GDAL lists for it
   (a shapefile's side files); driver prefixes (GPKG:file:layer) and /vsizip/, /vsigzip/,
   /vsitar/ paths resolved to the file on disk; none for a database connection. Names may not
   exist. Free with ccov_io_files_free(). */
char **ccov_io_source_files(const char *src);
/* Free a list from ccov_io_output_files() or ccov_io_source_files(); NULL does nothing. */
void ccov_io_files_free(char **files);

/* The reason of a failed write: the system's (No space left on device, File too large) when a
   GDAL failure happened with such an errno since the writer started (SQLite then reports
   unrelated text), else GDAL's last message, else fallback. */
const char *ccov_io_write_reason(const ccov_ctx *ctx, const char *fallback);

/* QGIS style (QML document) for a result layer; caller frees with free(). NULL on error. */
char *ccov_io_style_qml(const char *layer);
/* The same with the regions' classes drawn from their percent cleared (n values; NULL or 0: fixed
   classes). The regions layer is the choropleth, the others as ccov_io_style_qml. */
char *ccov_io_style_qml_classes(const char *layer, const double *percent, size_t n);
/* The renderer and labeling elements alone (no <qgis> document), for a project's maplayer. */
char *ccov_io_style_elements(const char *layer, const double *percent, size_t n);
/* A QML document: one fill colour per value of `expression` (a QGIS expression), n categories
   with their legend labels; caller frees with free(). NULL on error. */
char *ccov_io_style_qml_categories(const char *expression, const char *const *values,
                                   const char *const *labels, size_t n);

/* ---- the bbox of an empty GeoJSON collection (issue 15, bbox.c) ---- */
/* The collection bbox [W, S, E, N] of a GeoJSON file written by GDAL; false when it has none. */
bool ccov_io_geojson_bbox_get(const char *file, double ll[4]);
/* Give a GeoJSON file written by GDAL (WRITE_BBOX=YES) that has no collection bbox (no feature
   with a geometry) the bbox ll, with `precision` decimals, in the room GDAL reserved for it; a
   file with a bbox is left alone. `shown` names the file in messages. CCOV_ERR_IO on a write
   error. */
ccov_status ccov_io_geojson_bbox_fill(ccov_ctx *ctx, const char *file, const char *shown,
                                      const double ll[4], int precision);
/* The same for a closed GeoJSON writer's file (ccov_io_writer_close), before it is published. */
bool ccov_io_writer_bbox_get(const ccov_writer *w, double ll[4]);
ccov_status ccov_io_writer_bbox_fill(ccov_ctx *ctx, ccov_writer *w, const double ll[4],
                                     int precision);

#endif
