/* clearcov audit: record-level data-quality checks of cleared-area polygons.
 *
 * The checks of the kind mine-action information managers run on their databases (GICHD's
 * geocheck views for IMSMA), and more. Nothing is modified: the result lists the features each
 * check flags, with the reason. */
#ifndef CLEARCOV_AUDIT_H
#define CLEARCOV_AUDIT_H

#include "clearcov/coverage.h"
#include "clearcov/ctx.h"
#include "clearcov/output.h"
#include "clearcov/report.h"

#include <stdbool.h>
#include <stddef.h>
#include <stdio.h>

#ifdef __cplusplus
extern "C" {
#endif

/* The checks, in the order the summary lists them. The ids (ccov_audit_check_id) are stable. */
typedef enum {
    CCOV_CHECK_INVALID = 0,        /* "invalid" */
    CCOV_CHECK_TOO_FEW_VERTICES,   /* "too_few_vertices" */
    CCOV_CHECK_DUPLICATE_GEOMETRY, /* "duplicate_geometry" */
    CCOV_CHECK_DUPLICATE_ID,       /* "duplicate_id" */
    CCOV_CHECK_REPEATED_VERTEX,    /* "repeated_vertex" */
    CCOV_CHECK_LONG_EDGE,          /* "long_edge" */
    CCOV_CHECK_AREA_MISMATCH,      /* "area_mismatch" */
    CCOV_CHECK_REGION_ATTR,        /* "region_attr_mismatch" */
    CCOV_CHECK_OUTSIDE,            /* "outside" */
    CCOV_CHECK_CROSSING,           /* "crossing" */
    CCOV_CHECK_NEAR_DUPLICATE,     /* "near_duplicate" */
    CCOV_CHECK_SLIVER,             /* "sliver" */
    CCOV_CHECK_DATE_RANGE,         /* "date_range" */
    CCOV_NCHECKS
} ccov_check;

/* The check's stable id, e.g. "duplicate_id"; its one-line description. Static strings. */
const char *ccov_audit_check_id(ccov_check check);
const char *ccov_audit_check_description(ccov_check check);

/* Options of an audit. Strings are borrowed for the duration of the call; NULL = default. */
typedef struct {
    /* The inputs, as report takes them: cleared_src (NULL: the bundled synthetic sample),
       cleared_layer, cleared_sql, cleared_geom_column, where (audit only these features),
       assume_crs, allow_ballpark, regions_src (NULL: the bundled provinces), regions_layer,
       regions_sql, regions_geom_column, region_field, only. Its other fields (area, crs, layers,
       threads, layer_decimals) are not used. */
    ccov_options inputs;
    const char *region_attr;   /* the records' own region field; NULL: region_attr_mismatch off */
    const char *id_field;      /* NULL: the first of task_id, id, task, hazard_id, local_id */
    const char *date_fields;   /* comma-separated; NULL: `year` and every Date/DateTime field */
    double max_edge_m;         /* long_edge: longer than this, metres (default 5000) */
    double area_tolerance_pct; /* area_mismatch: reported vs geometric area (default 10) */
    double near_duplicate_pct; /* near_duplicate: common area above this % of the smaller (90) */
    double sliver_thinness;    /* sliver: 4*pi*A/P^2 below this (default 0.05) */
    double sliver_width_m;     /* sliver: or minimum width below this, metres (default 1) */
    int min_year, max_year;    /* date_range: allowed years (default 1964 .. this year) */
    bool keep_geometry; /* keep the flagged features' geometry (for ccov_audit_write_layer) */
} ccov_audit_options;

/* Fill o with the defaults above (this year taken from the system clock, UTC). */
void ccov_audit_defaults(ccov_audit_options *o);

/* One flagged feature. */
typedef struct {
    long long fid;
    char *id;           /* its id field's value, NULL when none */
    unsigned checks;    /* bit (1u << ccov_check) for every check that flags it */
    char *details;      /* "check: detail; check: detail", in check order */
    unsigned char *wkb; /* with keep_geometry: as read, in WGS84 lon/lat; NULL when unusable */
    size_t wkb_size;
} ccov_audit_flag;

typedef struct {
    char *path, *layer, *crs; /* the audited source */
    long long features;       /* features read (after where) */
    char *regions_path;
    size_t nregions;
    char *id_field;              /* the fields used, "" when none */
    char *area_field;            /* reported_area */
    char *unit_field;            /* reported_unit */
    char *region_attr;           /* --region-attr */
    char *date_fields;           /* comma-separated */
    ccov_audit_options options;  /* as used (strings not kept: NULL) */
    bool ran[CCOV_NCHECKS];      /* false when a check could not run (its field is missing) */
    char *why_not[CCOV_NCHECKS]; /* why it did not run, NULL when it ran */
    long long flagged[CCOV_NCHECKS];
    ccov_audit_flag *flags; /* ascending fid */
    size_t nflags;
    /* issue 15: the audited source's extent, WGS84 lon/lat [W, S, E, N] (the bbox of a GeoJSON
       output that has no geometry); has_extent false when the source reports none */
    bool has_extent;
    double extent[4];
} ccov_audit_result;

/* Run every check on the cleared source. Fails (message in ctx) on input, CRS or option errors:
   CCOV_ERR_USAGE for a bad option, missing --region-attr/--id-field/--date-field or bad where,
   CCOV_ERR_IO for unreadable sources, CCOV_ERR_CRS. On success *out is freed with
   ccov_audit_result_free(). */
ccov_status ccov_audit_run(ccov_ctx *ctx, const ccov_audit_options *opts, ccov_audit_result **out);

/* ccov_audit_result_free(NULL) does nothing. */
void ccov_audit_result_free(ccov_audit_result *res);

/* True when no check flagged anything (the CLI's exit code 0). */
bool ccov_audit_clean(const ccov_audit_result *res);

/* The summary by check as a table or CSV (check, flagged, description), or everything as JSON
   (README: "audit JSON"), to `out` (which stays open). CCOV_ERR_IO when the stream fails. */
ccov_status ccov_audit_write(ccov_ctx *ctx, const ccov_audit_result *res, ccov_format format,
                             FILE *out);

/* The file ccov_audit_write_layer() writes: DIR/flagged.geojson or DIR/audit.gpkg (size n). */
const char *ccov_audit_layer_path(const ccov_output_options *o, char *buf, size_t n);
/* The QGIS style written beside a GeoJSON layer (DIR/flagged.qml), NULL for a GeoPackage (its
   style is inside, in layer_styles). */
const char *ccov_audit_style_path(const ccov_output_options *o, char *buf, size_t n);

/* Write the flagged features (run with keep_geometry) as layer "flagged" in WGS84 lon/lat:
   source_fid, id, checks (list of check ids), details. Written under a temporary name and renamed
   when complete; an existing file is refused unless o->overwrite. The folder is created.
   With o->dir a database connection string (PG:...): the table "flagged" of o->schema (checks
   a text[] array), in one transaction, replacing an existing table only with o->overwrite. */
ccov_status ccov_audit_write_layer(ccov_ctx *ctx, const ccov_audit_result *res,
                                   const ccov_output_options *o);

/* Before any work, for o->dir a database connection string: the database can be reached, the
   schema exists, and the table "flagged" does not exist unless o->overwrite (CCOV_ERR_IO). */
ccov_status ccov_audit_check_layer(ccov_ctx *ctx, const ccov_output_options *o);

#ifdef __cplusplus
}
#endif

#endif
