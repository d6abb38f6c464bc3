/* output: tables into a PostGIS database in one transaction, and their QGIS default styles in the
   database's layer_styles table, the way QGIS itself stores them (QgsPostgresProviderMetadata::
   saveStyle: public.layer_styles, f_table_catalog the database, f_table_schema and f_table_name
   the table, f_geometry_column its geometry column, styleQML the QML document, useAsDefault). */
#include "output/pg.h"
#include "io/io.h"

#include <stdio.h>
#include <stdlib.h>
#include <string.h>

struct ccov_pg_out {
    ccov_writer *w;
    char schema[256]; /* the schema the tables go to, as the server names it */
    bool styles_ready;
};

enum { SQL_MAX = 2048 };

/* s as an SQL string literal E'...' (quotes and backslashes escaped); caller frees. */
static char *literal(const char *s) {
    size_t n = 4;
    for (const char *p = s; *p; p++)
        n += (*p == '\'' || *p == '\\') ? 2 : 1;
    char *out = malloc(n);
    if (!out)
        return NULL;
    size_t k = 0;
    out[k++] = 'E';
    out[k++] = '\'';
    for (const char *p = s; *p; p++) {
        if (*p == '\'' || *p == '\\')
            out[k++] = *p;
        out[k++] = *p;
    }
    out[k++] = '\'';
    out[k] = '\0';
    return out;
}

/* s as a quoted SQL identifier "..." into out (size n); false when it does not fit. */
static bool ident(const char *s, char *out, size_t n) {
    size_t k = 0;
    if (n < 3)
        return false;
    out[k++] = '"';
    for (const char *p = s; *p; p++) {
        if (k + 4 > n)
            return false;
        if (*p == '"')
            out[k++] = '"';
        out[k++] = *p;
    }
    out[k++] = '"';
    out[k] = '\0';
    return true;
}

/* The qualified name "schema"."table" into out. */
static bool qualified(const ccov_pg_out *o, const char *table, char *out, size_t n) {
    char s[600], t[600];
    if (!ident(o->schema, s, sizeof s) || !ident(table, t, sizeof t))
        return false;
    int w = snprintf(out, n, "%s.%s", s, t);
    return w > 0 && (size_t)w < n;
}

static ccov_status too_long(ccov_ctx *ctx, const ccov_pg_out *o) {
    return ccov_ctx_fail(ctx, CCOV_ERR_USAGE, "%s: schema or table name too long",
                         ccov_io_writer_name(o->w));
}

/* The schema named (NULL: the current one) must exist; its name as the server spells it. */
static ccov_status resolve_schema(ccov_ctx *ctx, ccov_pg_out *o, const char *schema) {
    char *lit = schema ? literal(schema) : NULL;
    char sql[SQL_MAX];
    if (schema && !lit)
        return ccov_ctx_fail(ctx, CCOV_ERR_IO, "out of memory");
    snprintf(sql, sizeof sql, "SELECT nspname FROM pg_namespace WHERE nspname = %s",
             lit ? lit : "current_schema()");
    free(lit);
    ccov_status st = ccov_io_writer_sql(ctx, o->w, sql, o->schema, sizeof o->schema);
    if (st == CCOV_OK && !o->schema[0])
        st = schema ? ccov_ctx_fail(ctx, CCOV_ERR_IO,
                                    "%s: no schema '%s' in the database (create it, or choose "
                                    "another with --out-schema)",
                                    ccov_io_writer_name(o->w), schema)
                    : ccov_ctx_fail(ctx, CCOV_ERR_IO,
                                    "%s: the connection has no current schema; name one with "
                                    "--out-schema",
                                    ccov_io_writer_name(o->w));
    return st;
}

/* An existing table is refused without overwrite; with it (and drop), dropped. */
static ccov_status clear_table(ccov_ctx *ctx, ccov_pg_out *o, const char *table, bool overwrite,
                               bool drop) {
    char name[1300], sql[SQL_MAX], found[8];
    if (!qualified(o, table, name, sizeof name))
        return too_long(ctx, o);
    char *lit = literal(name);
    if (!lit)
        return ccov_ctx_fail(ctx, CCOV_ERR_IO, "out of memory");
    snprintf(sql, sizeof sql, "SELECT 1 WHERE to_regclass(%s) IS NOT NULL", lit);
    free(lit);
    ccov_status st = ccov_io_writer_sql(ctx, o->w, sql, found, sizeof found);
    if (st != CCOV_OK || !found[0])
        return st;
    if (!overwrite)
        return ccov_ctx_fail(ctx, CCOV_ERR_IO,
                             "%s: table %s.%s exists; pass --overwrite to "
                             "replace it",
                             ccov_io_writer_name(o->w), o->schema, table);
    snprintf(sql, sizeof sql, "DROP TABLE %s", name);
    return drop ? ccov_io_writer_sql(ctx, o->w, sql, NULL, 0) : CCOV_OK;
}

static ccov_pg_out *open_out(ccov_ctx *ctx, const char *conn, const char *schema, bool overwrite,
                             const char *const *tables, size_t n, bool drop) {
    ccov_pg_out *o = calloc(1, sizeof *o);
    if (!o) {
        ccov_ctx_fail(ctx, CCOV_ERR_IO, "out of memory");
        return NULL;
    }
    o->w = ccov_io_writer_create(ctx, conn, "PostgreSQL", overwrite);
    ccov_status st = o->w ? resolve_schema(ctx, o, schema) : CCOV_ERR_IO;
    /* Every drop before the first table is created (GDAL lists the tables then). */
    for (size_t i = 0; st == CCOV_OK && i < n; i++)
        st = clear_table(ctx, o, tables[i], overwrite, drop);
    if (st == CCOV_OK)
        return o;
    ccov_pg_abort(o);
    return NULL;
}

ccov_pg_out *ccov_pg_open(ccov_ctx *ctx, const char *conn, const char *schema, bool overwrite,
                          const char *const *tables, size_t n) {
    return open_out(ctx, conn, schema, overwrite, tables, n, true);
}

ccov_status ccov_pg_check(ccov_ctx *ctx, const char *conn, const char *schema, bool overwrite,
                          const char *const *tables, size_t n) {
    ccov_pg_out *o = open_out(ctx, conn, schema, overwrite, tables, n, false);
    ccov_pg_abort(o);
    return o ? CCOV_OK : CCOV_ERR_IO;
}

ccov_status ccov_pg_table(ccov_ctx *ctx, ccov_pg_out *o, const char *name,
                          const ccov_column *columns, size_t ncolumns, bool multipolygon) {
    char schema[300];
    snprintf(schema, sizeof schema, "SCHEMA=%s", o->schema);
    const char *const options[] = {"GEOMETRY_NAME=geom", "FID=fid", "SPATIAL_INDEX=GIST", schema,
                                   NULL};
    ccov_field_def *fields = calloc(ncolumns ? ncolumns : 1, sizeof *fields);
    if (!fields)
        return ccov_ctx_fail(ctx, CCOV_ERR_IO, "out of memory");
    for (size_t c = 0; c < ncolumns; c++)
        fields[c] = (ccov_field_def){columns[c].name, columns[c].type};
    ccov_status st =
        ccov_io_writer_layer(ctx, o->w, name, "EPSG:4326", multipolygon, fields, ncolumns, options);
    free(fields);
    return st;
}

ccov_status ccov_pg_row(ccov_ctx *ctx, ccov_pg_out *o, long long fid, const unsigned char *wkb,
                        size_t wkb_size, const char *const *values) {
    return ccov_io_writer_add(ctx, o->w, fid, wkb, wkb_size, values);
}

ccov_status ccov_pg_text_array(ccov_ctx *ctx, ccov_pg_out *o, const char *table,
                               const char *column) {
    char name[1300], col[600], sql[SQL_MAX];
    if (!qualified(o, table, name, sizeof name) || !ident(column, col, sizeof col))
        return too_long(ctx, o);
    int w = snprintf(sql, sizeof sql,
                     "ALTER TABLE %s ALTER COLUMN %s TYPE text[] USING string_to_array(%s, ',')",
                     name, col, col);
    if (w < 0 || (size_t)w >= sizeof sql)
        return too_long(ctx, o);
    return ccov_io_writer_sql(ctx, o->w, sql, NULL, 0);
}

/* public.layer_styles as QGIS creates it (QgsPostgresUtils::createStylesTable). */
static ccov_status styles_table(ccov_ctx *ctx, ccov_pg_out *o) {
    static const char sql[] =
        "CREATE TABLE IF NOT EXISTS public.layer_styles(id SERIAL PRIMARY KEY, "
        "f_table_catalog varchar, f_table_schema varchar, f_table_name varchar, "
        "f_geometry_column varchar, styleName text, styleQML xml, styleSLD xml, "
        "useAsDefault boolean, description text, owner varchar(63) DEFAULT CURRENT_USER, "
        "ui xml, update_time timestamp DEFAULT CURRENT_TIMESTAMP, type varchar, "
        "r_raster_column varchar)";
    ccov_status st = o->styles_ready ? CCOV_OK : ccov_io_writer_sql(ctx, o->w, sql, NULL, 0);
    o->styles_ready = st == CCOV_OK;
    return st;
}

/* The statements of one table's style; `where` selects the table's rows, `lit_*` are literals. */
static ccov_status style_rows(ccov_ctx *ctx, ccov_pg_out *o, const char *where,
                              const char *lit_name, const char *lit_schema, const char *lit_table,
                              const char *lit_qml) {
    size_t n = strlen(lit_qml) + 3 * SQL_MAX;
    char *sql = malloc(n);
    if (!sql)
        return ccov_ctx_fail(ctx, CCOV_ERR_IO, "out of memory");
    snprintf(sql, n, "DELETE FROM public.layer_styles WHERE %s AND stylename = %s", where,
             lit_name);
    ccov_status st = ccov_io_writer_sql(ctx, o->w, sql, NULL, 0);
    snprintf(sql, n, "UPDATE public.layer_styles SET useasdefault = false WHERE %s", where);
    if (st == CCOV_OK)
        st = ccov_io_writer_sql(ctx, o->w, sql, NULL, 0);
    snprintf(sql, n,
             "INSERT INTO public.layer_styles(f_table_catalog, f_table_schema, f_table_name, "
             "f_geometry_column, stylename, styleqml, stylesld, useasdefault, description, owner, "
             "ui, update_time) VALUES (current_database(), %s, %s, 'geom', %s, %s, NULL, true, "
             "'default style written by clearcov', CURRENT_USER, NULL, CURRENT_TIMESTAMP)",
             lit_schema, lit_table, lit_name, lit_qml);
    if (st == CCOV_OK)
        st = ccov_io_writer_sql(ctx, o->w, sql, NULL, 0);
    free(sql);
    return st;
}

ccov_status ccov_pg_style(ccov_ctx *ctx, ccov_pg_out *o, const char *table, const char *qml) {
    char name[600], where[SQL_MAX];
    snprintf(name, sizeof name, "clearcov %s", table);
    char *lit_name = literal(name), *lit_schema = literal(o->schema), *lit_table = literal(table);
    char *lit_qml = literal(qml);
    ccov_status st = lit_name && lit_schema && lit_table && lit_qml
                         ? styles_table(ctx, o)
                         : ccov_ctx_fail(ctx, CCOV_ERR_IO, "out of memory");
    int w = snprintf(where, sizeof where,
                     "f_table_catalog = current_database() AND f_table_schema = %s AND "
                     "f_table_name = %s AND f_geometry_column = 'geom'",
                     lit_schema ? lit_schema : "", lit_table ? lit_table : "");
    if (st == CCOV_OK && (w < 0 || (size_t)w >= sizeof where))
        st = too_long(ctx, o);
    if (st == CCOV_OK)
        st = style_rows(ctx, o, where, lit_name, lit_schema, lit_table, lit_qml);
    free(lit_name);
    free(lit_schema);
    free(lit_table);
    free(lit_qml);
    return st;
}

ccov_status ccov_pg_commit(ccov_ctx *ctx, ccov_pg_out *o) {
    ccov_status st = ccov_io_writer_publish(ctx, o->w);
    free(o);
    return st;
}

void ccov_pg_abort(ccov_pg_out *o) {
    if (!o)
        return;
    ccov_io_writer_abort(o->w);
    free(o);
}

/* One layer of the result and its style. */
static ccov_status result_table(ccov_ctx *ctx, ccov_pg_out *o, const ccov_layer_table *t) {
    ccov_status st = ccov_pg_table(ctx, o, t->name, t->columns, t->ncolumns, true);
    for (size_t r = 0; st == CCOV_OK && r < t->nrows; r++)
        st = ccov_pg_row(ctx, o, t->rows[r].id, t->rows[r].wkb, t->rows[r].wkb_size,
                         (const char *const *)t->rows[r].values);
    char *qml = st == CCOV_OK ? ccov_io_style_qml(t->name) : NULL;
    if (st == CCOV_OK)
        st = qml ? ccov_pg_style(ctx, o, t->name, qml)
                 : ccov_ctx_fail(ctx, CCOV_ERR_IO, "out of memory");
    free(qml);
    return st;
}

ccov_status ccov_pg_write_result(ccov_ctx *ctx, const ccov_result *res,
                                 const ccov_output_options *opts) {
    const char *names[CCOV_NLAYERS + 8] = {0};
    size_t n =
        res->nlayers < sizeof names / sizeof *names ? res->nlayers : sizeof names / sizeof *names;
    for (size_t i = 0; i < n; i++)
        names[i] = res->layers[i].name;
    ccov_pg_out *o = ccov_pg_open(ctx, opts->dir, opts->schema, opts->overwrite, names, n);
    ccov_status st = o ? CCOV_OK : CCOV_ERR_IO;
    for (size_t i = 0; st == CCOV_OK && i < n; i++)
        st = result_table(ctx, o, &res->layers[i]);
    if (st != CCOV_OK) {
        ccov_pg_abort(o);
        return st;
    }
    return ccov_pg_commit(ctx, o);
}
