/* clearcov: the coverage pipeline — hectares cleared per region, counted once. */
#ifndef CLEARCOV_COVERAGE_H
#define CLEARCOV_COVERAGE_H

#include "clearcov/ctx.h"
#include "clearcov/layers.h"

#include <stdbool.h>
#include <stddef.h>

#ifdef __cplusplus
extern "C" {
#endif

typedef enum { CCOV_AREA_GEODESIC = 0, CCOV_AREA_PLANAR = 1 } ccov_area_method;

/* ccov_options.layer_mask: the tasks layer holds whole tasks (map, issue 15). */
#define CCOV_LAYER_WHOLE_TASKS (1u << 8)

/* Options of a coverage run. Strings are borrowed for the duration of the call; NULL = default. */
typedef struct {
    const char *regions_src;   /* any OGR source; NULL: the bundled provinces */
    const char *regions_layer; /* needed when the source has several layers */
    const char *region_field;  /* NULL: found among the usual names (name, NAME_1, shapeName...) */
    const char *only;          /* comma-separated region names or ISO codes; NULL: all regions */
    const char *cleared_src;   /* any OGR source; NULL: the bundled synthetic sample */
    const char *cleared_layer;
    const char *where;      /* OGR SQL attribute filter on cleared features; a database source
                               (PostGIS) evaluates it itself, in its own SQL dialect */
    ccov_area_method area;  /* geodesic (WGS84 ellipsoid) or planar in `crs` */
    const char *crs;        /* working frame; NULL: the WGS84 gnomonic projection centred on the
                               regions (EPSG:4326 when they span more than 30 degrees).
                               Required for planar area. */
    const char *assume_crs; /* CRS for sources that declare none */
    bool allow_ballpark;    /* accept ballpark datum operations */
    bool layers;            /* also build the result layers (ccov_result.layers) */
    int threads;            /* worker threads; 0: one per processor. Results do not depend on it */
    int layer_decimals;     /* > 0: layer coordinates snapped (validly) to that many decimals of
                               a degree, as they will be written; 0: full precision */
    /* Instead of a layer: one SELECT query run by the source (PostGIS: by the server). */
    const char *regions_sql;
    const char *cleared_sql;
    /* The geometry column to read, for a table or query with several; NULL: the only one. */
    const char *regions_geom_column;
    const char *cleared_geom_column;
    /* Breakdowns (land-release categories, groups, years). NULL: none. */
    const char *status_field; /* how land was released; NULL: every record counts as cleared */
    const char *status_map;   /* "cleared=A,B;reduced=C;cancelled=D;ignore=E" (case and
                                 surrounding spaces ignored); NULL: the values are the names */
    const char *group_by;     /* comma-separated fields; "year" is the derived year with
                                 year_from */
    const char *year_from;    /* date or datetime field the year is read from (ISO dates,
                                 YYYY/MM/DD, GDAL Date); NULL: an integer field "year" */
    const char *years;        /* "Y" or "Y1-Y2": only records of those years */
    const char *category_only; /* only records of this category ("cleared"...), NULL: all */
    const char *group_only;    /* only records of this group (values joined by " | "), NULL */
    /* --districts: district polygons reported under the province holding most of each one's
       area (NULL: none); their layer and name field (NULL: found as region names are). */
    const char *districts_src;
    const char *districts_layer;
    const char *district_field;
    /* Official areas (issue 13): percent_cleared against a statistics office's area. */
    const char *official_areas;      /* CSV file: region name or ISO code, area with unit
                                        ("16,358 km2"); every row must name a region of the run */
    const char *official_area_field; /* a field of the regions source holding the area with its
                                        unit, or "FIELD:UNIT" for plain numbers in UNIT */
    /* issue 15: the field of the regions naming each one's parent (a district's province), for
       --only "name (parent)"; NULL: the first of parent, ADM1_EN, ADM1_NAME, NAME_1,
       admin1Name, adm1_name, province that is not the name field, if any */
    const char *parent_field;
    /* Map (issue 15): with `layers`, build only the layers whose bit (1u << i, i the index in
       ccov_layer_names) is set; the others stay empty (named, no columns, no rows). 0: all.
       With CCOV_LAYER_WHOLE_TASKS too, the tasks layer holds each task whole, unclipped, with
       its source_fid only. */
    unsigned layer_mask;
} ccov_options;

/* Land-release categories, in the order a hectare shared by several is given to one. */
typedef enum {
    CCOV_CATEGORY_CLEARED,
    CCOV_CATEGORY_REDUCED,
    CCOV_CATEGORY_CANCELLED,
    CCOV_NCATEGORIES
} ccov_category;

/* The name of a category ("cleared", "reduced", "cancelled"). */
const char *ccov_category_name(ccov_category c);

/* Figures of one part of the records in one region (or in all). overlap = gross - net. */
typedef struct {
    double net_ha;
    double gross_ha;
    double overlap_ha;
    long long tasks;
} ccov_figures;

/* One region's figures. Hectares; percent in 0..100. */
typedef struct {
    char *name;
    char *iso; /* "" when unknown */
    long long fid;
    double region_ha;
    double net_ha;     /* area of the union of cleared polygons inside the region */
    double gross_ha;   /* sum of each clipped cleared polygon's area */
    double overlap_ha; /* gross - net */
    long long tasks;   /* cleared features with area inside the region */
    double percent_cleared; /* of official_ha when there is one, else of region_ha */
    /* Breakdowns. With ccov_options.status_field, net_ha is the land released (the union of
       every category) and percent_cleared the cleared category's share of the region;
       percent_released is net_ha's. The categories partition net_ha: a hectare is cleared when
       a cleared record covers it, else reduced, else cancelled. */
    ccov_figures categories[CCOV_NCATEGORIES];
    double percent_released;
    double group_overlap_ha; /* with group_by: sum of the groups' net - net_ha */
    /* Official areas (issue 13) */
    double official_ha; /* the official area (ha), NAN when none was given; region_ha stays the
                           boundary's measured area */
} ccov_region_result;

/* --districts: one row under a province: a district clipped to its province, or the part of the
   province that no district covers (rest). A province's rows add up to its own figures (net,
   gross, overlap, region area); tasks do not when a task straddles two districts. */
typedef struct {
    ccov_region_result fig;     /* name and iso: the district's; fid: its feature id (-1: rest) */
    size_t province;            /* index of its province in ccov_result.regions */
    bool rest;                  /* the part of the province in no district */
    double district_ha;         /* the whole district's area (0 for the rest) */
    double outside_province_ha; /* area of the district outside its province */
    double outside_province_net_ha;   /* net cleared there (counted in other rows or outside) */
    double outside_province_gross_ha; /* gross cleared there */
} ccov_district_result;

/* A feature that was repaired or excluded, and why. */
typedef struct {
    char *source;
    long long fid;
    char *reason;
} ccov_note;

/* What was read from one source. */
typedef struct {
    char *path;
    char *layer;
    char *crs;          /* label of the source CRS, e.g. "EPSG:32648" */
    char *operation;    /* PROJ operation into the working frame */
    long long features; /* features read (after --where) */
    long long used;     /* features that entered the computation */
    /* issue 15: the boundary data's credit, e.g. "boundaries from Natural Earth (public domain)",
       recognised by the source's fields (static text, not freed); NULL when not recognised */
    const char *credit;
} ccov_input;

/* A status value as read and what became of its records. */
typedef struct {
    char *value;  /* "" for an empty or null value */
    int category; /* ccov_category, or -1: left out (ignored, or mapped to nothing) */
    bool ignored; /* mapped to ignore on purpose */
    long long count;
    long long *fids; /* the left-out records' feature ids (count of them), else NULL */
} ccov_status_value;

/* One group of records (ccov_options.group_by): its figures per region (the result's order)
   and over all regions. */
typedef struct {
    char **values; /* one per group field; "" for empty or null */
    ccov_figures *regions;
    ccov_figures total;
    ccov_figures (*categories)[CCOV_NCATEGORIES]; /* per region, with status_field, else NULL */
    ccov_figures total_categories[CCOV_NCATEGORIES];
    /* With a year among the group fields: net area of the union of the records of every year up
       to this group's, the other group values the same (NaN when its year is unknown). */
    double *cumulative_ha; /* per region, else NULL */
    double cumulative_total;
    /* --group-by with --districts: the group's figures in each row of ccov_result.districts (in
       its order; regions above are then the provinces, their district pieces' sums, but tasks
       count each record once per province), NULL without --districts. */
    ccov_figures *districts;
    ccov_figures (*district_categories)[CCOV_NCATEGORIES]; /* with status_field, else NULL */
    double *district_cumulative_ha;                        /* with a year group field, else NULL */
} ccov_group;

typedef struct {
    ccov_area_method area;
    char *frame; /* working frame label */
    ccov_input regions_input;
    ccov_input cleared_input;
    ccov_region_result *regions;
    size_t nregions;
    double net_ha, gross_ha, overlap_ha, outside_ha;
    long long tasks;      /* distinct cleared features with area inside any chosen region */
    long long *task_fids; /* their feature ids, ascending source order (`tasks` of them) */
    ccov_note *repaired;
    size_t nrepaired;
    ccov_note *excluded;
    size_t nexcluded;
    /* With ccov_options.layers: coverage, tasks, overlaps, outside, regions (in that order). */
    ccov_layer_table *layers;
    size_t nlayers;
    /* Breakdowns. */
    bool categorised;                          /* status_field was given */
    ccov_figures categories[CCOV_NCATEGORIES]; /* totals over the regions */
    ccov_status_value *status_values;          /* values left out, and the values counted */
    size_t nstatus_values;
    char **group_fields; /* the group_by fields, as given */
    size_t ngroup_fields;
    ccov_group *groups; /* sorted by their values */
    size_t ngroups;
    int year_key;            /* index of the year among group_fields, -1 when none */
    long long year_unknown;  /* records whose year could not be read */
    long long year_filtered; /* records left out by ccov_options.years */
    double group_overlap_ha; /* sum over the regions */
    /* --districts: the rows under each province, grouped by province in its order (the province
       rows in `regions` are then the sums of theirs). NULL, 0 without. */
    ccov_district_result *districts;
    size_t ndistricts;
} ccov_result;

/* The layer called `name` in the result, or NULL. */
const ccov_layer_table *ccov_result_layer(const ccov_result *res, const char *name);

/* Path of the bundled data file `name` (provinces.shp, cleared_sample.gpkg) in $CLEARCOV_DATA when
   set, else in PREFIX/share/clearcov of an installed binary PREFIX/bin/clearcov (found from its
   real path), else, for a binary of the build tree, in the source tree's data directory. Writes
   into buf (size n) and returns buf. */
const char *ccov_coverage_data_path(const char *name, char *buf, size_t n);

/* The regions (cleared) source a command reads: src when it is not NULL, else the bundled
   provinces.shp (cleared_sample.gpkg) by ccov_coverage_data_path into buf (size n). Every command
   resolves its defaults here. */
const char *ccov_coverage_default_regions(const char *src, char *buf, size_t n);
const char *ccov_coverage_default_cleared(const char *src, char *buf, size_t n);

/* Synthetic sample flag (issue 15): true when path is the bundled synthetic cleared sample
   (cleared_sample.gpkg, the same file by device and inode), resp. the bundled Natural Earth
   provinces; false for anything else or a path that cannot be read as a file. */
bool ccov_coverage_is_sample(const char *path);
bool ccov_coverage_is_bundled_regions(const char *path);

/* Run the pipeline. On success *out holds a result to free with ccov_result_free(). On failure
   returns the status and leaves the message in ctx. */
ccov_status ccov_coverage_run(ccov_ctx *ctx, const ccov_options *opts, ccov_result **out);

void ccov_result_free(ccov_result *res);

#ifdef __cplusplus
}
#endif

#endif
