/* cli: argument parsing, help, messages and exit codes. Calls the public API only. */
#include "clearcov/cli.h"
#include "clearcov/atomic.h"
#include "clearcov/audit.h"
#include "clearcov/claims.h"
#include "clearcov/coverage.h"
#include "clearcov/ctx.h"
#include "clearcov/map.h"
#include "clearcov/names.h"
#include "clearcov/output.h"
#include "clearcov/report.h"
#include "clearcov/synth.h"
#include "cli/chart_data.h"

#include <errno.h>
#include <getopt.h>
#include <limits.h>
#include <signal.h>
#include <stdarg.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <sys/stat.h>
#include <time.h>
#include <unistd.h>

enum {
    OPT_REGIONS = 256,
    OPT_REGIONS_LAYER,
    OPT_REGION_FIELD,
    OPT_ONLY,
    OPT_CLEARED,
    OPT_CLEARED_LAYER,
    OPT_WHERE,
    OPT_AREA,
    OPT_CRS,
    OPT_ASSUME_CRS,
    OPT_ALLOW_BALLPARK,
    OPT_FORMAT,
    OPT_OVERWRITE,
    OPT_COUNT,
    OPT_SEED,
    OPT_DRIVER,
    OPT_LAYER,
    OPT_OUT,
    OPT_OUT_FORMAT,
    OPT_PRECISION,
    OPT_THREADS,
    OPT_TITLE,
    OPT_WIDTH,
    OPT_CLAIMS,
    OPT_REGION_ATTR,
    OPT_ID_FIELD,
    OPT_DATE_FIELD,
    OPT_MAX_EDGE,
    OPT_AREA_TOLERANCE,
    OPT_NEAR_DUPLICATE,
    OPT_SLIVER_THINNESS,
    OPT_SLIVER_WIDTH,
    OPT_MIN_YEAR,
    OPT_MAX_YEAR,
    OPT_REGIONS_SQL,
    OPT_REGIONS_GEOM_COLUMN,
    OPT_CLEARED_SQL,
    OPT_CLEARED_GEOM_COLUMN,
    /* breakdowns */
    OPT_STATUS_FIELD,
    OPT_STATUS_MAP,
    OPT_GROUP_BY,
    OPT_YEAR_FROM,
    OPT_YEARS,
    /* --districts */
    OPT_DISTRICTS,
    OPT_DISTRICTS_LAYER,
    OPT_DISTRICT_FIELD,
    /* synth --release */
    OPT_RELEASE,
    OPT_STATUS_VARIANTS,
    /* official areas (issue 13) */
    OPT_OFFICIAL_AREAS,
    OPT_OFFICIAL_AREA_FIELD,
    /* chart (issue 13) */
    OPT_BY,
    /* PostGIS output */
    OPT_OUT_SCHEMA,
    /* regions that share a name, picked by "name (parent)" (issue 15) */
    OPT_PARENT_FIELD,
    /* map --png (issue 15) */
    OPT_PNG
};

static const struct option OPTIONS[] = {
    {"regions", required_argument, NULL, OPT_REGIONS},
    {"regions-layer", required_argument, NULL, OPT_REGIONS_LAYER},
    {"region-field", required_argument, NULL, OPT_REGION_FIELD},
    {"only", required_argument, NULL, OPT_ONLY},
    {"cleared", required_argument, NULL, OPT_CLEARED},
    {"cleared-layer", required_argument, NULL, OPT_CLEARED_LAYER},
    {"regions-sql", required_argument, NULL, OPT_REGIONS_SQL},
    {"regions-geom-column", required_argument, NULL, OPT_REGIONS_GEOM_COLUMN},
    {"cleared-sql", required_argument, NULL, OPT_CLEARED_SQL},
    {"cleared-geom-column", required_argument, NULL, OPT_CLEARED_GEOM_COLUMN},
    {"status-field", required_argument, NULL, OPT_STATUS_FIELD},
    {"status-map", required_argument, NULL, OPT_STATUS_MAP},
    {"group-by", required_argument, NULL, OPT_GROUP_BY},
    {"year-from", required_argument, NULL, OPT_YEAR_FROM},
    {"years", required_argument, NULL, OPT_YEARS},
    {"out-schema", required_argument, NULL, OPT_OUT_SCHEMA},
    {"where", required_argument, NULL, OPT_WHERE},
    {"area", required_argument, NULL, OPT_AREA},
    {"crs", required_argument, NULL, OPT_CRS},
    {"assume-crs", required_argument, NULL, OPT_ASSUME_CRS},
    {"allow-ballpark", no_argument, NULL, OPT_ALLOW_BALLPARK},
    {"format", required_argument, NULL, OPT_FORMAT},
    {"output", required_argument, NULL, 'o'},
    {"overwrite", no_argument, NULL, OPT_OVERWRITE},
    {"out", required_argument, NULL, OPT_OUT},
    {"out-format", required_argument, NULL, OPT_OUT_FORMAT},
    {"precision", required_argument, NULL, OPT_PRECISION},
    {"threads", required_argument, NULL, OPT_THREADS},
    {"title", required_argument, NULL, OPT_TITLE},
    {"width", required_argument, NULL, OPT_WIDTH},
    {"png", no_argument, NULL, OPT_PNG},
    {"claims", required_argument, NULL, OPT_CLAIMS},
    {"region-attr", required_argument, NULL, OPT_REGION_ATTR},
    {"id-field", required_argument, NULL, OPT_ID_FIELD},
    {"date-field", required_argument, NULL, OPT_DATE_FIELD},
    {"max-edge", required_argument, NULL, OPT_MAX_EDGE},
    {"area-tolerance", required_argument, NULL, OPT_AREA_TOLERANCE},
    {"near-duplicate", required_argument, NULL, OPT_NEAR_DUPLICATE},
    {"sliver-thinness", required_argument, NULL, OPT_SLIVER_THINNESS},
    {"sliver-width", required_argument, NULL, OPT_SLIVER_WIDTH},
    {"min-year", required_argument, NULL, OPT_MIN_YEAR},
    {"max-year", required_argument, NULL, OPT_MAX_YEAR},
    {"districts", required_argument, NULL, OPT_DISTRICTS},
    {"districts-layer", required_argument, NULL, OPT_DISTRICTS_LAYER},
    {"district-field", required_argument, NULL, OPT_DISTRICT_FIELD},
    {"count", required_argument, NULL, OPT_COUNT},
    {"seed", required_argument, NULL, OPT_SEED},
    {"driver", required_argument, NULL, OPT_DRIVER},
    {"layer", required_argument, NULL, OPT_LAYER},
    /* synth --release */
    {"release", no_argument, NULL, OPT_RELEASE},
    {"status-variants", no_argument, NULL, OPT_STATUS_VARIANTS},
    /* official areas (issue 13) */
    {"official-areas", required_argument, NULL, OPT_OFFICIAL_AREAS},
    {"official-area-field", required_argument, NULL, OPT_OFFICIAL_AREA_FIELD},
    /* regions that share a name (issue 15) */
    {"parent-field", required_argument, NULL, OPT_PARENT_FIELD},
    /* chart (issue 13) */
    {"by", required_argument, NULL, OPT_BY},
    {"quiet", no_argument, NULL, 'q'},
    {"verbose", no_argument, NULL, 'v'},
    {"help", no_argument, NULL, 'h'},
    {"version", no_argument, NULL, 'V'},
    {NULL, 0, NULL, 0}};

static const char HELP[] =
    "Usage: clearcov COMMAND [OPTIONS]\n"
    "How many hectares have really been cleared, where: cleared-area polygons dissolved so that\n"
    "no hectare counts twice, clipped to each region, measured on the WGS84 ellipsoid.\n"
    "\n"
    "Commands:\n"
    "  report   hectares cleared per region (default: the bundled provinces and sample)\n"
    "  synth    write seeded synthetic cleared-area polygons\n"
    "  map      draw the result as an SVG map (takes the input options of report)\n"
    "  chart    net hectares per year as an SVG bar chart, by region, with the\n"
    "           cumulative line (takes the input options of report)\n"
    "  validate check published claims (hectares cleared) against the records\n"
    "  audit    data-quality checks of the cleared-area records (nothing is modified)\n"
    "\n"
    "report options:\n"
    "  --regions SRC          region polygons, any GDAL source (default: bundled provinces)\n"
    "  --regions-layer L      layer of a multi-layer region source\n"
    "  --region-field F       field holding region names (default: found automatically)\n"
    "  --only NAMES           comma-separated region names or ISO 3166-2 codes\n"
    "                         (or fid:N, the region of feature id N, or \"NAME (PARENT)\"\n"
    "                         for regions that share a name, e.g. \"Phonthong (Champasak)\")\n"
    "  --parent-field F       field holding each region's parent, e.g. a district's province\n"
    "                         (default: parent, ADM1_EN, ADM1_NAME, NAME_1, admin1Name,\n"
    "                         adm1_name or province, when present)\n"
    "  --cleared SRC          cleared-area polygons, any GDAL source (default: bundled sample)\n"
    "  --cleared-layer L      layer of a multi-layer cleared source (a table or view)\n"
    "  --regions-sql Q, --cleared-sql Q  instead of a layer: one SELECT run by the source\n"
    "                         (a PostGIS server runs it), e.g. --cleared \"PG:dbname=mine\"\n"
    "  --regions-geom-column C, --cleared-geom-column C  the geometry column to read, for a\n"
    "                         table or query with several\n"
    "  --where EXPR           OGR SQL filter on cleared features, e.g. \"year >= 2018\"\n"
    "  --status-field F       field saying how land was released: land released is then\n"
    "                         split into cleared, reduced and cancelled (a hectare goes to\n"
    "                         the first that covers it); without it every record is cleared\n"
    "  --status-map MAP       which values mean what, e.g. \"cleared=Cleared,Completed;\n"
    "                         reduced=TS reduced;cancelled=NTS cancelled;ignore=Planned\"\n"
    "                         (case and spaces ignored; default: the category names);\n"
    "                         records of other values are left out and listed\n"
    "  --group-by F[,F]       one row per region and group, e.g. operator,year; the groups'\n"
    "                         overlap with each other is given; with year, cumulative too;\n"
    "                         the coverage layer of --out has a feature per region and\n"
    "                         group, and map colours cleared land by group\n"
    "  --year-from F          date field the year is read from (default: the field year)\n"
    "  --years Y[-Y]          only records of those years\n"
    "  --area geodesic|planar geodesic on WGS84 (default) or planar in --crs\n"
    "  --crs CRS              working frame, needed for planar area (default: the WGS 84\n"
    "                         gnomonic projection centred on the regions, or EPSG:4326\n"
    "                         when they span more than 30 degrees)\n"
    "  --assume-crs CRS       CRS of sources that declare none\n"
    "  --allow-ballpark       accept a datum change PROJ can only approximate\n"
    "  --format table|csv|json\n"
    "  -o, --output FILE      write there instead of standard output\n"
    "  --overwrite            replace existing output files\n"
    "  --out DIR              also write the result layers (coverage, tasks, overlaps,\n"
    "                         outside, regions) into DIR, for QGIS\n"
    "  --out-format geojson|gpkg  one RFC 7946 GeoJSON file per layer (default), or\n"
    "                         DIR/clearcov.gpkg with all layers and QGIS styles\n"
    "  --out \"PG:...\"         or write them as tables of a PostGIS database, in one\n"
    "                         transaction, with QGIS styles in its layer_styles table\n"
    "  --out-schema S         the schema of those tables (default: the current schema)\n"
    "  --precision N          GeoJSON decimals, 5 to 15 (default 7, about 1 cm)\n"
    "  --threads N            worker threads (default: one per processor); the figures do\n"
    "                         not depend on it\n"
    "  --districts SRC        also district rows under each province: each district goes to\n"
    "                         the province holding most of its area, clipped to it; the rest\n"
    "                         of the province is a row of its own\n"
    "  --districts-layer L    layer of a multi-layer district source\n"
    "  --district-field F     field holding district names (default: found automatically)\n"
    "  --official-areas FILE  CSV of official region areas (region name or ISO code, area\n"
    "                         with unit: \"Xieng Khouang,16358 km2\"): percent_cleared is\n"
    "                         of them, region_ha stays the boundary's measured area\n"
    "  --official-area-field F[:UNIT]  the same from a field of the regions source\n"
    "\n"
    "synth options:\n"
    "  --count N --seed S -o FILE [--driver GDAL_DRIVER] [--layer NAME] [--crs CRS]\n"
    "  [--regions SRC] [--overwrite]   (default CRS EPSG:32648)\n"
    "  --release              land release: status about 60 % cleared, 25 % reduced,\n"
    "                         15 % cancelled, survey polygons holding or overlapping\n"
    "                         cleared ones, and start_date, end_date fields\n"
    "  --status-variants      with --release: statuses spelled several ways (Completed,\n"
    "                         TS reduced, NTS cancelled...), for --status-map\n"
    "\n"
    "map options:\n"
    "  -o, --output FILE.svg  the map (required); --overwrite replaces an existing file\n"
    "                         (--out FILE.svg, the old spelling, still works)\n"
    "  --title TEXT           title (default: Cleared land by province)\n"
    "  --width PX             page width in pixels, 400 to 10000 (default 1000)\n"
    "  --png                  also FILE.png beside FILE.svg (same name, .png), the SVG\n"
    "                         rendered with librsvg at its size; --overwrite replaces it\n"
    "\n"
    "chart options:\n"
    "  --by year              one bar per year (the field \"year\"), stacked by region\n"
    "  --min-year Y --max-year Y  the years drawn (required)\n"
    "  -o, --output FILE.svg  the chart (required); --title TEXT, --width PX as for map\n"
    "\n"
    "validate options (and report's input options, --format, -o, --overwrite):\n"
    "  --claims FILE          claims, CSV or JSON (e.g. data/claims.csv; required)\n"
    "                         optional columns: category (cleared, or released with\n"
    "                         --status-field), years (2019 or 2016-2019), group (a value of\n"
    "                         --group-by F)\n"
    "  --out DIR              also write DIR/verdicts.csv and DIR/verdicts.json\n"
    "\n"
    "audit options (and report's input options, --format, -o, --overwrite):\n"
    "  --region-attr F        the records' own region field, checked against their place\n"
    "  --id-field F           record id (default: task_id, id, task, hazard_id, local_id)\n"
    "  --date-field F[,F]     years or dates (default: year and every date field)\n"
    "  --max-edge M           long_edge above M metres (default 5000)\n"
    "  --area-tolerance PCT   area_mismatch beyond PCT % (default 10)\n"
    "  --near-duplicate PCT   near_duplicate above PCT % of the smaller (default 90)\n"
    "  --sliver-thinness R    sliver: 4*pi*area/perimeter^2 below R (default 0.05)\n"
    "  --sliver-width M       sliver: or minimum width below M metres (default 1)\n"
    "  --min-year Y --max-year Y  date_range (default 1964 to this year)\n"
    "  --out DIR              also write the flagged features: DIR/flagged.geojson, or\n"
    "                         DIR/audit.gpkg with --out-format gpkg, or the table flagged\n"
    "                         with --out \"PG:...\" [--out-schema S]\n"
    "\n"
    "Common: -q, --quiet (no warnings)  -v, --verbose (details; twice: library messages)\n"
    "        -h, --help  -V, --version\n"
    "\n"
    "Exit codes: 0 ok, 1 a claim not supported or a bad claims row (validate) or a record\n"
    "            flagged (audit), 2 usage, 3 input or output, 4 CRS or projection, 5 geometry.\n";

/* Progress on a terminal: one line rewritten in place, shown once a run has lasted a second. */
typedef struct {
    double start, last;
    bool shown;
    int percent;
    const char *stage;
} progress_state;

typedef struct {
    const char *command;
    progress_state *progress; /* NULL when no progress is shown */
    ccov_options cov;
    ccov_synth_options synth;
    ccov_format format;
    ccov_output_options out;
    ccov_map_options map;
    ccov_audit_options audit;
    const char *claims;
    const char *chart_by; /* chart --by (issue 13) */
    int chart_years;      /* chart: 1 --min-year given, 2 --max-year, 3 both */
    const char *output;
    bool overwrite;
    int verbosity; /* -1 quiet, 0 normal, 1 -v, 2 -vv */
} cli_args;

/* One line on stderr: "clearcov: " and the text, its control characters escaped (the text
   quotes file names and values from the data or the command line: ccov_text_escape). */
__attribute__((format(printf, 1, 0))) static void say_v(const char *fmt, va_list ap) {
    char line[4096];
    char escaped[4 * sizeof line];
    vsnprintf(line, sizeof line, fmt, ap);
    ccov_text_escape(line, escaped, sizeof escaped);
    fprintf(stderr, "clearcov: %s\n", escaped);
}

__attribute__((format(printf, 1, 2))) static void say(const char *fmt, ...) {
    va_list ap;
    va_start(ap, fmt);
    say_v(fmt, ap);
    va_end(ap);
}

__attribute__((format(printf, 1, 2))) static int usage_error(const char *fmt, ...) {
    va_list ap;
    va_start(ap, fmt);
    say_v(fmt, ap);
    fputs("try 'clearcov --help'\n", stderr);
    va_end(ap);
    return CCOV_ERR_USAGE;
}

static double seconds(void) {
    struct timespec ts;
    clock_gettime(CLOCK_MONOTONIC, &ts);
    return (double)ts.tv_sec + 1e-9 * (double)ts.tv_nsec;
}

static void print_progress(void *user, const char *stage, double done) {
    progress_state *p = user;
    double t = seconds();
    int percent = (int)(100 * (done < 0 ? 0 : done > 1 ? 1 : done));
    bool changed = stage != p->stage || percent != p->percent;
    /* Shown once a run has lasted a second; redrawn at most ten times a second. */
    if (t - p->start < 1.0 || !changed || (stage == p->stage && t - p->last < 0.1))
        return;
    p->shown = true;
    p->last = t;
    p->stage = stage;
    p->percent = percent;
    fprintf(stderr, "\r\033[Kclearcov: %s: %3d%%", stage, percent);
    fflush(stderr);
}

static void progress_end(const progress_state *p) {
    if (p->shown)
        fputs("\r\033[K", stderr);
}

static void print_message(void *user, ccov_msg_level level, const char *line) {
    const cli_args *args = user;
    int needed = level == CCOV_MSG_WARNING ? 0 : level == CCOV_MSG_INFO ? 1 : 2;
    if (args->verbosity < needed)
        return;
    if (args->progress && args->progress->shown)
        fputs("\r\033[K",
              stderr); /* the progress line gives way, and comes back at the next tick */
    say("%s", line);
}

static bool parse_count(const char *text, long long *out) {
    char *end = NULL;
    errno = 0;
    long long v = strtoll(text, &end, 10);
    if (errno || end == text || *end || v < 1)
        return false;
    *out = v;
    return true;
}

static bool parse_seed(const char *text, uint64_t *out) {
    char *end = NULL;
    errno = 0;
    unsigned long long v = strtoull(text, &end, 0);
    if (errno || end == text || *end || text[0] == '-')
        return false;
    *out = (uint64_t)v;
    return true;
}

static int set_format(cli_args *a, const char *v) {
    if (strcmp(v, "table") == 0)
        a->format = CCOV_FORMAT_TABLE;
    else if (strcmp(v, "csv") == 0)
        a->format = CCOV_FORMAT_CSV;
    else if (strcmp(v, "json") == 0)
        a->format = CCOV_FORMAT_JSON;
    else
        return usage_error("--format: '%s' is not one of table, csv, json", v);
    return 0;
}

static int set_out_format(cli_args *a, const char *v) {
    if (strcmp(v, "geojson") == 0)
        a->out.format = CCOV_OUT_GEOJSON;
    else if (strcmp(v, "gpkg") == 0)
        a->out.format = CCOV_OUT_GPKG;
    else
        return usage_error("--out-format: '%s' is not one of geojson, gpkg", v);
    return 0;
}

/* A whole number within [lo, hi]. */
static bool parse_int(const char *text, long lo, long hi, int *out) {
    char *end = NULL;
    errno = 0;
    long v = strtol(text, &end, 10);
    if (errno || end == text || *end || v < lo || v > hi)
        return false;
    *out = (int)v;
    return true;
}

static int set_area(cli_args *a, const char *v) {
    if (strcmp(v, "geodesic") == 0)
        a->cov.area = CCOV_AREA_GEODESIC;
    else if (strcmp(v, "planar") == 0)
        a->cov.area = CCOV_AREA_PLANAR;
    else
        return usage_error("--area: '%s' is not one of geodesic, planar", v);
    return 0;
}

/* Options whose value is kept as it is given, in one field; -1 for any other option. */
static int set_text_option(cli_args *a, int opt, const char *v) {
    const struct {
        int opt;
        const char **field;
    } kept[] = {
        /* inputs */
        {OPT_REGIONS_LAYER, &a->cov.regions_layer},
        {OPT_REGION_FIELD, &a->cov.region_field},
        {OPT_ONLY, &a->cov.only},
        {OPT_CLEARED, &a->cov.cleared_src},
        {OPT_CLEARED_LAYER, &a->cov.cleared_layer},
        {OPT_WHERE, &a->cov.where},
        {OPT_ASSUME_CRS, &a->cov.assume_crs},
        {OPT_OFFICIAL_AREAS, &a->cov.official_areas},
        {OPT_OFFICIAL_AREA_FIELD, &a->cov.official_area_field},
        {OPT_PARENT_FIELD, &a->cov.parent_field},
        /* what to read from a source (PostGIS): a query instead of a layer, a geometry column */
        {OPT_REGIONS_SQL, &a->cov.regions_sql},
        {OPT_REGIONS_GEOM_COLUMN, &a->cov.regions_geom_column},
        {OPT_CLEARED_SQL, &a->cov.cleared_sql},
        {OPT_CLEARED_GEOM_COLUMN, &a->cov.cleared_geom_column},
        {OPT_DISTRICTS, &a->cov.districts_src},
        {OPT_DISTRICTS_LAYER, &a->cov.districts_layer},
        {OPT_DISTRICT_FIELD, &a->cov.district_field},
        /* the breakdown (land-release categories, groups, years) */
        {OPT_STATUS_FIELD, &a->cov.status_field},
        {OPT_STATUS_MAP, &a->cov.status_map},
        {OPT_GROUP_BY, &a->cov.group_by},
        {OPT_YEAR_FROM, &a->cov.year_from},
        {OPT_YEARS, &a->cov.years},
        /* map, validate and audit */
        {OPT_TITLE, &a->map.title},
        {OPT_CLAIMS, &a->claims},
        {OPT_REGION_ATTR, &a->audit.region_attr},
        {OPT_ID_FIELD, &a->audit.id_field},
        {OPT_DATE_FIELD, &a->audit.date_fields},
        /* outputs */
        {OPT_OUT_SCHEMA, &a->out.schema},
        {OPT_DRIVER, &a->synth.driver},
        {OPT_LAYER, &a->synth.layer},
    };
    for (size_t i = 0; i < sizeof kept / sizeof *kept; i++)
        if (kept[i].opt == opt) {
            *kept[i].field = v;
            return 0;
        }
    return -1;
}

/* --regions and --crs (which synth reads too), --by, and every option kept as it is given; -1
   for any other option. */
static int set_input_option(cli_args *a, int opt, const char *v) {
    switch (opt) {
    case OPT_REGIONS:
        a->cov.regions_src = a->synth.regions_src = v;
        return 0;
    case OPT_CRS:
        a->cov.crs = a->synth.crs = v;
        return 0;
    case OPT_BY:
        if (strcmp(v, "year") != 0)
            return usage_error("--by: '%s' is not supported (only: year)", v);
        a->chart_by = v;
        return 0;
    default:
        return set_text_option(a, opt, v);
    }
}

/* map's own options; -1 when opt is not one of them. */
static int set_map_option(cli_args *a, int opt, const char *v) {
    if (opt == OPT_PNG) {
        if (a->command && strcmp(a->command, "map") != 0)
            return usage_error("--png: %s", "only map writes a PNG");
        a->map.png = true;
        return 0;
    }
    if (opt != OPT_WIDTH)
        return -1;
    char *end = NULL;
    errno = 0;
    long width = strtol(v, &end, 10);
    if (errno || end == v || *end || width < 400 || width > 10000)
        return usage_error("--width: '%s' is not a whole number from 400 to 10000", v);
    a->map.width_px = (int)width;
    return 0;
}

/* A number within [0, 1e12]. */
static bool parse_real(const char *text, double *out) {
    char *end = NULL;
    errno = 0;
    double v = strtod(text, &end);
    if (errno || end == text || *end || !(v >= 0) || v > 1e12)
        return false;
    *out = v;
    return true;
}

/* validate's and audit's own options; -1 when opt is not one of them. */
static int set_check_option(cli_args *a, int opt, const char *v) {
    ccov_audit_options *o = &a->audit;
    bool ok = true;
    if (opt == OPT_MAX_EDGE)
        ok = parse_real(v, &o->max_edge_m);
    else if (opt == OPT_AREA_TOLERANCE)
        ok = parse_real(v, &o->area_tolerance_pct);
    else if (opt == OPT_NEAR_DUPLICATE)
        ok = parse_real(v, &o->near_duplicate_pct);
    else if (opt == OPT_SLIVER_THINNESS)
        ok = parse_real(v, &o->sliver_thinness);
    else if (opt == OPT_SLIVER_WIDTH)
        ok = parse_real(v, &o->sliver_width_m);
    else if (opt == OPT_MIN_YEAR || opt == OPT_MAX_YEAR) {
        ok = parse_int(v, 0, 9999, opt == OPT_MIN_YEAR ? &o->min_year : &o->max_year);
        a->chart_years |= opt == OPT_MIN_YEAR ? 1 : 2; /* chart needs both */
    } else
        return -1;
    return ok ? 0 : usage_error("'%s' is not a valid value for this option", v);
}

/* The switches that take no value; -1 for any other option. */
static int set_flag_option(cli_args *a, int opt) {
    switch (opt) {
    case OPT_ALLOW_BALLPARK:
        a->cov.allow_ballpark = a->synth.allow_ballpark = true;
        return 0;
    case OPT_OVERWRITE:
        a->overwrite = a->synth.overwrite = true;
        return 0;
    case OPT_RELEASE:
        a->synth.release = true;
        return 0;
    case OPT_STATUS_VARIANTS:
        a->synth.status_variants = true;
        return 0;
    case 'q':
        a->verbosity = -1;
        return 0;
    case 'v':
        a->verbosity = a->verbosity < 0 ? 1 : a->verbosity + 1;
        return 0;
    default:
        return -1;
    }
}

/* The options that take a whole number; -1 for any other option. */
static int set_number_option(cli_args *a, int opt, const char *v) {
    switch (opt) {
    case OPT_THREADS:
        return parse_int(v, 1, 64, &a->cov.threads)
                   ? 0
                   : usage_error("--threads: '%s' is not a whole number from 1 to 64", v);
    case OPT_PRECISION:
        return parse_int(v, CCOV_OUTPUT_MIN_PRECISION, 15, &a->out.precision)
                   ? 0
                   : usage_error("--precision: '%s' is not a whole number from %d to 15 (with "
                                 "fewer decimals the grid is 11 m or coarser and cleared "
                                 "polygons collapse to lines or points)",
                                 v, CCOV_OUTPUT_MIN_PRECISION);
    case OPT_COUNT:
        return parse_count(v, &a->synth.count)
                   ? 0
                   : usage_error("--count: '%s' is not a positive whole number", v);
    case OPT_SEED:
        return parse_seed(v, &a->synth.seed)
                   ? 0
                   : usage_error("--seed: '%s' is not a whole number >= 0", v);
    default:
        return -1;
    }
}

/* The formats, the outputs, the switches and the numbers; "unknown option" for anything else. */
static int set_other_option(cli_args *a, int opt, const char *v) {
    switch (opt) {
    case OPT_AREA:
        return set_area(a, v);
    case OPT_FORMAT:
        return set_format(a, v);
    case 'o':
        a->output = a->synth.out = v;
        return 0;
    case OPT_OUT:
        a->out.dir = a->map.out = v;
        a->cov.layers = true;
        return 0;
    case OPT_OUT_FORMAT:
        return set_out_format(a, v);
    default:
        break;
    }
    int rc = set_flag_option(a, opt);
    if (rc < 0)
        rc = set_number_option(a, opt, v);
    return rc < 0 ? usage_error("unknown option") : rc;
}

/* A misused option: its value missing, or the nearest options to a mistyped one (at most a third
   of its length, 1 to 2, edits away, e.g. --region for --regions, which getopt finds ambiguous). */
static int option_error(const char *arg) {
    char name[64];
    snprintf(name, sizeof name, "%s", arg + strspn(arg, "-"));
    name[strcspn(name, "=")] = '\0';
    const char *near[3] = {NULL, NULL, NULL};
    size_t len = strlen(name), best = len / 3 < 1 ? 2 : len / 3 > 2 ? 3 : len / 3 + 1, k = 0;
    for (const struct option *o = OPTIONS; o->name && arg[0] == '-' && arg[1] == '-'; o++) {
        size_t d = ccov_names_distance(name, o->name);
        if (d == 0 && o->has_arg == required_argument)
            return usage_error("%s needs a value", arg);
        if (d < best) {
            best = d;
            k = 0;
        }
        if (d == best && k < 3)
            near[k++] = o->name;
    }
    if (k == 0)
        return usage_error("unknown option or missing value: '%s'", arg);
    return usage_error("unknown option '%s'; did you mean --%s%s%s%s%s?", arg, near[0],
                       k > 1 ? (k > 2 ? ", --" : " or --") : "", k > 1 ? near[1] : "",
                       k > 2 ? " or --" : "", k > 2 ? near[2] : "");
}

/* -o/--output is a file and --out a folder in every command: map's and chart's SVG comes with
   -o; the old spelling --out FILE.svg still works, with a warning. */
static int check_database_out(const cli_args *a);

static int map_output(cli_args *a) {
    if (!a->command || (strcmp(a->command, "map") != 0 && strcmp(a->command, "chart") != 0))
        return -1;
    if (a->out.dir && ccov_output_is_database(a->out.dir))
        return check_database_out(a); /* a connection string is never an SVG file's name */
    if (a->output && a->out.dir)
        return usage_error("%s: the SVG is named twice (-o %s, --out %s): use -o only", a->command,
                           a->output, a->out.dir);
    if (a->out.dir && a->verbosity >= 0)
        say("%s --out FILE.svg is deprecated: use -o FILE.svg (or --output FILE.svg)", a->command);
    if (a->output)
        a->map.out = a->output;
    a->output = NULL;
    a->out.dir = NULL;
    return -1;
}

/* Parse argv; returns -1 to go on, else an exit code (help, version, misuse). */
static int parse_args(int argc, char **argv, cli_args *a) {
    int opt;
    opterr = 0;
    optind = 1;
    while ((opt = getopt_long(argc, argv, "+o:qvhV", OPTIONS, NULL)) != -1) {
        char buf[160];
        if (opt == 'h') {
            fputs(HELP, stdout);
            return fflush(stdout) == 0 ? 0 : CCOV_ERR_IO;
        }
        if (opt == 'V') {
            printf("clearcov %s (%s)\n", CCOV_VERSION, ccov_ctx_library_versions(buf, sizeof buf));
            return fflush(stdout) == 0 ? 0 : CCOV_ERR_IO;
        }
        if (opt == '?' || opt == ':')
            return option_error(argv[optind - 1]);
        int rc = set_input_option(a, opt, optarg);
        if (rc < 0)
            rc = set_map_option(a, opt, optarg);
        if (rc < 0)
            rc = set_check_option(a, opt, optarg);
        if (rc < 0)
            rc = set_other_option(a, opt, optarg);
        if (rc)
            return rc;
    }
    return -1;
}

/* --out "PG:..." (report, audit) writes tables; elsewhere a connection string is no folder or
   file name (a folder named after it would put the password on disk). --out-schema goes with
   it. */
static int check_database_out(const cli_args *a) {
    bool db = a->out.dir && ccov_output_is_database(a->out.dir);
    bool tables = strcmp(a->command, "report") == 0 || strcmp(a->command, "audit") == 0;
    if (db && !tables)
        return usage_error("%s --out: a database connection string; only report and audit "
                           "write to a database",
                           a->command);
    if (a->out.schema && !db)
        return usage_error("--out-schema: only with --out \"PG:...\" (a database)");
    if (db && a->out.format == CCOV_OUT_GPKG)
        return usage_error("--out-format: not with --out \"PG:...\" (a database)");
    return 0;
}

/* ---- output: written beside the target under a temporary name, then renamed ---- */

typedef ccov_atomic_file out_file;

static int out_open(ccov_ctx *ctx, const char *path, bool overwrite, out_file *of) {
    ccov_status st = ccov_atomic_open(ctx, path, overwrite, of);
    if (st != CCOV_OK)
        say("%s", ccov_ctx_error(ctx));
    return (int)st;
}

/* Move into place when ok, else drop; a failure to complete is reported here. */
static int out_close(ccov_ctx *ctx, out_file *of, bool ok) {
    ccov_status st = ccov_atomic_close(ctx, of, ok);
    if (ok && st != CCOV_OK)
        say("%s", ccov_ctx_error(ctx));
    return ok ? (int)st : CCOV_ERR_IO;
}

/* The --help hint follows a misused option ("--crs ..."), not a value the data refused
   ("FILE: --only ...": the message says what the data holds). */
static int fail(ccov_ctx *ctx, ccov_status st) {
    say("%s", ccov_ctx_error(ctx));
    if (st == CCOV_ERR_USAGE && ccov_ctx_error(ctx)[0] == '-')
        fputs("try 'clearcov --help'\n", stderr);
    return (int)st;
}

/* Renders a result (report, validation or audit) in a format to a stream. */
typedef ccov_status (*render_fn)(ccov_ctx *ctx, const void *data, ccov_format format, FILE *out);

static ccov_status render_report(ccov_ctx *ctx, const void *data, ccov_format format, FILE *out) {
    return ccov_report_write(ctx, data, format, out);
}

static ccov_status render_claims(ccov_ctx *ctx, const void *data, ccov_format format, FILE *out) {
    return ccov_claims_write(ctx, data, format, out);
}

static ccov_status render_audit(ccov_ctx *ctx, const void *data, ccov_format format, FILE *out) {
    return ccov_audit_write(ctx, data, format, out);
}

/* To standard output, or to -o FILE through a temporary file. */
static int write_output(ccov_ctx *ctx, const cli_args *a, render_fn render, const void *data) {
    if (!a->output) {
        ccov_status st = render(ctx, data, a->format, stdout);
        if (st == CCOV_OK && fflush(stdout) != 0)
            st = ccov_ctx_fail(ctx, CCOV_ERR_IO, "write error: %s", strerror(errno));
        if (st != CCOV_OK)
            say("standard output: %s", ccov_ctx_error(ctx));
        return (int)st;
    }
    out_file of;
    int rc = out_open(ctx, a->output, a->overwrite, &of);
    if (rc)
        return rc;
    ccov_status st = render(ctx, data, a->format, of.fp);
    if (st != CCOV_OK) {
        say("%s: %s", a->output, ccov_ctx_error(ctx));
        out_close(ctx, &of, false);
        return (int)st;
    }
    return out_close(ctx, &of, true);
}

static int cmd_report(ccov_ctx *ctx, const cli_args *a) {
    ccov_result *res = NULL;
    ccov_options cov = a->cov;
    ccov_output_options out = a->out;
    out.overwrite = a->overwrite;
    if (a->out.dir && a->out.format == CCOV_OUT_GEOJSON && !ccov_output_is_database(a->out.dir))
        cov.layer_decimals = a->out.precision;
    ccov_status st = a->out.dir ? ccov_output_check(ctx, &out) : CCOV_OK;
    if (st == CCOV_OK && a->out.dir) /* PostGIS: --overwrite never drops an input table */
        st = ccov_output_database_guard(ctx, &out, cov.regions_src, cov.regions_layer,
                                        "--regions-layer");
    if (st == CCOV_OK && a->out.dir)
        st = ccov_output_database_guard(ctx, &out, cov.cleared_src, cov.cleared_layer,
                                        "--cleared-layer");
    if (st == CCOV_OK)
        st = ccov_coverage_run(ctx, &cov, &res);
    if (st != CCOV_OK)
        return fail(ctx, st);
    int rc = write_output(ctx, a, render_report, res);
    if (rc == 0 && a->out.dir) {
        st = ccov_output_write(ctx, res, &out);
        rc = st == CCOV_OK ? 0 : fail(ctx, st);
    }
    ccov_result_free(res);
    return rc;
}

static int cmd_synth(ccov_ctx *ctx, const cli_args *a) {
    if (!a->synth.out)
        return usage_error("synth: %s", "-o FILE is required");
    if (a->synth.count < 1)
        return usage_error("synth: %s", "--count N is required");
    if (a->synth.status_variants && !a->synth.release)
        return usage_error("synth: %s", "--status-variants needs --release");
    ccov_status st = ccov_synth_run(ctx, &a->synth);
    return st == CCOV_OK ? 0 : fail(ctx, st);
}

static int cmd_map(ccov_ctx *ctx, const cli_args *a) {
    if (!a->map.out)
        return usage_error("map: %s", "-o FILE.svg is required");
    ccov_map_options map = a->map;
    map.overwrite = a->overwrite;
    ccov_options cov = a->cov;
    cov.layers = true;
    cov.layer_decimals = 0;
    cov.layer_mask = CCOV_MAP_LAYERS; /* issue 15: the overlaps layer is not drawn, only counted */
    if (cov.group_by) /* issue 13: cleared land drawn per group, from the coverage layer */
        cov.layer_mask |= 1u << 0;
    ccov_result *res = NULL;
    ccov_status st = ccov_map_check(ctx, &map);
    if (st == CCOV_OK)
        st = ccov_coverage_run(ctx, &cov, &res);
    if (st == CCOV_OK)
        st = ccov_map_write(ctx, res, &map);
    ccov_result_free(res);
    return st == CCOV_OK ? 0 : fail(ctx, st);
}

/* ---- chart (issue 13) ---- */

/* The SVG of the series into the --out file, atomically. */
static int chart_write(ccov_ctx *ctx, const cli_args *a, const ccov_chart_series *s) {
    out_file of;
    int rc = out_open(ctx, a->map.out, a->overwrite, &of);
    if (rc)
        return rc;
    ccov_status st = ccov_chart_write_svg(ctx, s, of.fp);
    if (st != CCOV_OK) {
        say("%s: %s", a->map.out, ccov_ctx_error(ctx));
        out_close(ctx, &of, false);
        return (int)st;
    }
    return out_close(ctx, &of, true);
}

static int cmd_chart(ccov_ctx *ctx, const cli_args *a) {
    if (!a->chart_by)
        return usage_error("chart: %s", "--by year is required");
    if (!a->map.out)
        return usage_error("chart: %s", "-o FILE.svg is required");
    if (a->chart_years != 3)
        return usage_error("chart: %s", "--min-year Y and --max-year Y are required");
    ccov_status st = ccov_atomic_may_write(ctx, a->map.out, a->overwrite);
    if (st != CCOV_OK)
        return fail(ctx, st);
    ccov_chart_data d;
    st = ccov_chart_data_by_year(ctx, &a->cov, "year", a->audit.min_year, a->audit.max_year, &d);
    int rc = st == CCOV_OK ? 0 : fail(ctx, st);
    if (rc == 0) {
        ccov_chart_series s = ccov_chart_data_series(&d, a->map.title);
        s.width_px = a->map.width_px;
        rc = chart_write(ctx, a, &s);
    }
    ccov_chart_data_free(&d);
    return rc;
}

/* ---- validate ---- */

static void verdict_paths(const cli_args *a, char *csv, char *json) {
    snprintf(csv, PATH_MAX, "%s/verdicts.csv", a->out.dir);
    snprintf(json, PATH_MAX, "%s/verdicts.json", a->out.dir);
}

/* Before any work: the folder can be used and no file would be replaced without --overwrite. */
static int check_out_files(ccov_ctx *ctx, const cli_args *a, const char *p1, const char *p2) {
    struct stat st;
    if (stat(a->out.dir, &st) == 0 && !S_ISDIR(st.st_mode)) {
        say("%s: exists and is not a folder", a->out.dir);
        return CCOV_ERR_IO;
    }
    ccov_status status = ccov_atomic_may_write(ctx, p1, a->overwrite);
    if (status == CCOV_OK && p2)
        status = ccov_atomic_may_write(ctx, p2, a->overwrite);
    return status == CCOV_OK ? 0 : fail(ctx, status);
}

/* The verdicts in one format, flushed to the disk. False (errno set) when a write failed. */
static bool written(ccov_ctx *ctx, const ccov_validation *v, ccov_format format, FILE *fp) {
    errno = 0;
    if (ccov_claims_write(ctx, v, format, fp) != CCOV_OK) {
        errno = errno ? errno : EIO;
        return false;
    }
    return fflush(fp) == 0 && fsync(fileno(fp)) == 0;
}

/* DIR/verdicts.csv and DIR/verdicts.json, both complete under temporary names before either is
   renamed into place. */
static int write_verdict_files(ccov_ctx *ctx, const cli_args *a, const ccov_validation *v) {
    char csv[PATH_MAX], json[PATH_MAX];
    verdict_paths(a, csv, json);
    if (mkdir(a->out.dir, 0777) != 0 && errno != EEXIST) {
        say("%s: cannot create folder: %s", a->out.dir, strerror(errno));
        return CCOV_ERR_IO;
    }
    out_file fc, fj;
    int rc = out_open(ctx, csv, a->overwrite, &fc);
    if (rc)
        return rc;
    rc = out_open(ctx, json, a->overwrite, &fj);
    if (rc) {
        out_close(ctx, &fc, false);
        return rc;
    }
    /* Both complete on disk before either is renamed. */
    const char *failed = NULL;
    if (!written(ctx, v, CCOV_FORMAT_CSV, fc.fp))
        failed = csv;
    else if (!written(ctx, v, CCOV_FORMAT_JSON, fj.fp))
        failed = json;
    if (failed)
        say("%s: write error: %s", failed, strerror(errno));
    rc = out_close(ctx, &fc, !failed);
    int rc2 = out_close(ctx, &fj, !failed && rc == 0);
    return failed ? CCOV_ERR_IO : rc ? rc : rc2;
}

static void print_problems(const ccov_validation *v) {
    for (size_t i = 0; i < v->nproblems; i++)
        say("%s: %s %ld: %s", v->claims_path, v->json ? "claim" : "line", v->problems[i].line,
            v->problems[i].reason);
}

static int cmd_validate(ccov_ctx *ctx, const cli_args *a) {
    char csv[PATH_MAX], json[PATH_MAX];
    if (!a->claims)
        return usage_error("validate: %s", "--claims FILE is required");
    if (a->out.dir) {
        verdict_paths(a, csv, json);
        int rc = check_out_files(ctx, a, csv, json);
        if (rc)
            return rc;
    }
    ccov_options cov = a->cov;
    cov.layers = false;
    ccov_claim_set *set = NULL;
    ccov_validation *v = NULL;
    ccov_status st = ccov_claims_read(ctx, a->claims, &set);
    if (st == CCOV_OK)
        st = ccov_claims_check(ctx, set, &cov, &v);
    ccov_claim_set_free(set);
    if (st != CCOV_OK)
        return fail(ctx, st);
    print_problems(v);
    int rc = write_output(ctx, a, render_claims, v);
    if (rc == 0 && a->out.dir)
        rc = write_verdict_files(ctx, a, v);
    if (rc == 0 && !ccov_validation_ok(v))
        rc = CCOV_ERR_CLAIM;
    ccov_validation_free(v);
    return rc;
}

/* ---- audit ---- */

static int cmd_audit(ccov_ctx *ctx, const cli_args *a) {
    ccov_audit_options o = a->audit;
    o.inputs = a->cov;
    o.keep_geometry = a->out.dir != NULL;
    ccov_output_options out = a->out;
    out.overwrite = a->overwrite;
    char path[PATH_MAX], style[PATH_MAX];
    int rc = !a->out.dir ? 0
             : ccov_output_is_database(a->out.dir)
                 ? (ccov_audit_check_layer(ctx, &out) == CCOV_OK ? 0 : fail(ctx, CCOV_ERR_IO))
                 : check_out_files(ctx, a, ccov_audit_layer_path(&out, path, sizeof path),
                                   ccov_audit_style_path(&out, style, sizeof style));
    ccov_audit_result *res = NULL;
    ccov_status st = rc ? CCOV_OK : ccov_audit_run(ctx, &o, &res);
    if (st != CCOV_OK)
        return fail(ctx, st);
    if (rc == 0)
        rc = write_output(ctx, a, render_audit, res);
    if (rc == 0 && a->out.dir) {
        st = ccov_audit_write_layer(ctx, res, &out);
        rc = st == CCOV_OK ? 0 : fail(ctx, st);
    }
    if (rc == 0 && !ccov_audit_clean(res))
        rc = CCOV_ERR_CLAIM;
    ccov_audit_result_free(res);
    return rc;
}

/* ---- inputs are never touched ---- */

/* The files --out DIR receives for this command. */
static size_t out_dir_targets(const cli_args *a, char (*paths)[PATH_MAX], ccov_output_target *t) {
    size_t n = 0;
    bool gpkg = a->out.format == CCOV_OUT_GPKG;
    if (strcmp(a->command, "report") == 0 && gpkg)
        snprintf(paths[n++], PATH_MAX, "%s/clearcov.gpkg", a->out.dir);
    for (size_t i = 0; strcmp(a->command, "report") == 0 && !gpkg && i < CCOV_NLAYERS; i++)
        snprintf(paths[n++], PATH_MAX, "%s/%s.geojson", a->out.dir, ccov_layer_names[i]);
    if (strcmp(a->command, "validate") == 0) {
        snprintf(paths[n++], PATH_MAX, "%s/verdicts.csv", a->out.dir);
        snprintf(paths[n++], PATH_MAX, "%s/verdicts.json", a->out.dir);
    }
    if (strcmp(a->command, "audit") == 0)
        ccov_audit_layer_path(&a->out, paths[n++], PATH_MAX);
    for (size_t i = 0; i < n; i++)
        t[i] = (ccov_output_target){paths[i], "--out", true, NULL};
    return n;
}

/* --out DIR, before any work: DIR is a folder or can be made one (its parent is a folder). */
static int out_dir_usable(const cli_args *a) {
    struct stat st;
    if (stat(a->out.dir, &st) == 0) {
        if (S_ISDIR(st.st_mode))
            return 0;
        say("--out %s: exists and is not a folder", a->out.dir);
        return CCOV_ERR_IO;
    }
    char parent[PATH_MAX];
    snprintf(parent, sizeof parent, "%s", a->out.dir);
    size_t n = strlen(parent);
    while (n > 1 && parent[n - 1] == '/')
        parent[--n] = '\0';
    char *slash = strrchr(parent, '/');
    if (!slash)
        return 0; /* a folder in the working folder */
    slash[slash == parent] = '\0';
    if (stat(parent, &st) == 0 && S_ISDIR(st.st_mode))
        return 0;
    say("--out %s: cannot create the folder: %s %s", a->out.dir, parent,
        stat(parent, &st) == 0 ? "is not a folder" : "does not exist");
    return CCOV_ERR_IO;
}

/* Refuse, before anything is read or written, an output that is one of the inputs' files, two
   outputs naming one file, and a path too long to use. */
static int refuse_input_as_output(ccov_ctx *ctx, const cli_args *a) {
    char regions[PATH_MAX], cleared[PATH_MAX], paths[CCOV_NLAYERS + 2][PATH_MAX];
    const char *inputs[] = {
        ccov_coverage_default_regions(a->cov.regions_src, regions, sizeof regions),
        ccov_coverage_default_cleared(a->cov.cleared_src, cleared, sizeof cleared), a->claims};
    ccov_output_target t[CCOV_NLAYERS + 4];
    size_t n = 0;
    bool synth = strcmp(a->command, "synth") == 0;
    if (synth && a->synth.out)
        t[n++] = (ccov_output_target){a->synth.out, "-o", true, a->synth.driver};
    if (!synth && a->output)
        t[n++] = (ccov_output_target){a->output, "-o", false, NULL};
    /* map and chart write one SVG file, named by -o */
    bool one_file = strcmp(a->command, "map") == 0 || strcmp(a->command, "chart") == 0;
    if (one_file && a->map.out)
        t[n++] = (ccov_output_target){a->map.out, "-o", false, NULL};
    char png[PATH_MAX];
    if (one_file && a->map.out && a->map.png && ccov_map_png_path(a->map.out, png, sizeof png))
        t[n++] = (ccov_output_target){png, "--png", false, NULL};
    if (a->out.dir && !one_file && !synth && !ccov_output_is_database(a->out.dir)) {
        if (ccov_atomic_check_path(ctx, a->out.dir) != CCOV_OK)
            return fail(ctx, CCOV_ERR_IO);
        if (out_dir_usable(a))
            return CCOV_ERR_IO;
        n += out_dir_targets(a, paths, t + n);
    }
    ccov_status st = ccov_output_guard(ctx, inputs, sizeof inputs / sizeof *inputs, t, n);
    return st == CCOV_OK ? 0 : fail(ctx, st);
}

/* An interrupted run leaves no partial output: remove the temporary files, then die of the same
   signal so that the caller sees how the run ended. */
static void on_signal(int sig) {
    ccov_atomic_cleanup();
    signal(sig, SIG_DFL);
    raise(sig);
}

static void catch_signals(void) {
    struct sigaction sa;
    memset(&sa, 0, sizeof sa);
    sa.sa_handler = on_signal;
    sigemptyset(&sa.sa_mask);
    sigaction(SIGINT, &sa, NULL);
    sigaction(SIGTERM, &sa, NULL);
    sigaction(SIGHUP, &sa, NULL);
}

typedef int (*command_fn)(ccov_ctx *ctx, const cli_args *a);

static const struct {
    const char *name;
    command_fn run;
} COMMANDS[] = {{"report", cmd_report}, {"synth", cmd_synth},       {"map", cmd_map},
                {"chart", cmd_chart},   {"validate", cmd_validate}, {"audit", cmd_audit}};

static command_fn find_command(const char *name) {
    for (size_t i = 0; name && i < sizeof COMMANDS / sizeof COMMANDS[0]; i++)
        if (strcmp(name, COMMANDS[i].name) == 0)
            return COMMANDS[i].run;
    return NULL;
}

#define COMMAND_NAMES "report, synth, map, chart, validate, audit"

/* Read the command and its options into a; -1 when a command is to run, else the exit code
   (help, version, or a usage error already said). */
static int read_command_line(int argc, char **argv, cli_args *a) {
    a->synth.seed = 1;
    a->out.precision = 7;
    ccov_audit_defaults(&a->audit);
    if (argc > 1 && argv[1][0] != '-') {
        a->command = argv[1];
        argc--;
        argv++;
    }
    int rc = parse_args(argc, argv, a);
    if (rc < 0)
        rc = map_output(a);
    if (rc >= 0)
        return rc;
    if (optind < argc)
        return usage_error("unexpected argument '%s'", argv[optind]);
    if (!a->command)
        return usage_error("%s", "no command given (" COMMAND_NAMES ")");
    if (!find_command(a->command))
        return usage_error("unknown command '%s' (" COMMAND_NAMES ")", a->command);
    return -1;
}

/* Run the command of a in a new context, with messages and progress on stderr. */
static int run_command(cli_args *a) {
    catch_signals();
    ccov_ctx *ctx = ccov_ctx_create();
    if (!ctx) {
        fputs("clearcov: out of memory\n", stderr);
        return CCOV_ERR_IO;
    }
    ccov_ctx_set_messages(ctx, print_message, a);
    int rc = check_database_out(a);
    if (rc == 0)
        rc = refuse_input_as_output(ctx, a);
    if (rc) {
        ccov_ctx_free(ctx);
        return rc;
    }
    progress_state progress = {.start = seconds(), .percent = -1};
    if (a->verbosity >= 0 && isatty(STDERR_FILENO)) {
        a->progress = &progress;
        ccov_ctx_set_progress(ctx, print_progress, &progress);
    }
    rc = find_command(a->command)(ctx, a);
    progress_end(&progress);
    ccov_ctx_free(ctx);
    return rc;
}

int ccov_cli_main(int argc, char **argv) {
    cli_args a = {0};
    int rc = read_command_line(argc, argv, &a);
    if (rc >= 0)
        return rc;
    rc = run_command(&a);
    if (fclose(stdout) != 0 && rc == 0) {
        say("standard output: %s", strerror(errno));
        rc = CCOV_ERR_IO;
    }
    return rc;
}
