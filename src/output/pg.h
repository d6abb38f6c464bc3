/* output: writing tables into a PostGIS database (--out PG:...), all in one transaction, with QGIS
   default styles in the database's layer_styles table. Internal to output and the commands. */
#ifndef CCOV_OUTPUT_PG_H
#define CCOV_OUTPUT_PG_H

#include "clearcov/ctx.h"
#include "clearcov/layers.h"
#include "clearcov/output.h"

#include <stdbool.h>
#include <stddef.h>

typedef struct ccov_pg_out ccov_pg_out;

/* Connect to `conn` and start the transaction. The schema (NULL: the connection's current schema)
   must exist; each of tables[0..n) must not exist unless `overwrite`, and with `overwrite` an
   existing one is dropped inside the transaction (RESTRICT: a view built on it makes this fail
   rather than vanish). NULL on error
   (CCOV_ERR_IO, message in ctx naming the connection with its password masked). */
ccov_pg_out *ccov_pg_open(ccov_ctx *ctx, const char *conn, const char *schema, bool overwrite,
                          const char *const *tables, size_t n);

/* The same checks as ccov_pg_open, nothing changed: CCOV_OK or CCOV_ERR_IO. */
ccov_status ccov_pg_check(ccov_ctx *ctx, const char *conn, const char *schema, bool overwrite,
                          const char *const *tables, size_t n);

/* Create table `name` in the schema: fid (primary key), the fields, and geom (EPSG:4326, GiST
   index; MultiPolygon with `multipolygon`, polygons promoted, else any geometry). Following rows
   go to it. */
ccov_status ccov_pg_table(ccov_ctx *ctx, ccov_pg_out *o, const char *name,
                          const ccov_column *columns, size_t ncolumns, bool multipolygon);

/* One row: fid, geometry as WKB in EPSG:4326 (NULL: none), one value per field as text (NULL
   for null; "true"/"false" for booleans). */
ccov_status ccov_pg_row(ccov_ctx *ctx, ccov_pg_out *o, long long fid, const unsigned char *wkb,
                        size_t wkb_size, const char *const *values);

/* Turn text column `column` of table `table` (comma-separated items) into a text[] array. */
ccov_status ccov_pg_text_array(ccov_ctx *ctx, ccov_pg_out *o, const char *table,
                               const char *column);

/* The QML document `qml` as the default QGIS style of table `table`, stored as QGIS stores it:
   a row of public.layer_styles (created with QGIS's columns when missing), earlier styles of
   the table no longer default, an earlier clearcov style of the table replaced. */
ccov_status ccov_pg_style(ccov_ctx *ctx, ccov_pg_out *o, const char *table, const char *qml);

/* The result's layers and their styles (ccov_output_write with a connection string). */
ccov_status ccov_pg_write_result(ccov_ctx *ctx, const ccov_result *res,
                                 const ccov_output_options *opts);

/* Commit; o is freed whatever the outcome. */
ccov_status ccov_pg_commit(ccov_ctx *ctx, ccov_pg_out *o);
/* Roll back and free; NULL does nothing. */
void ccov_pg_abort(ccov_pg_out *o);

#endif
