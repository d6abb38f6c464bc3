/* audit: record-level checks of cleared-area polygons. Reads the source once, checks each
   record on its own (geometry, attributes, place among the regions), then the checks between
   records (duplicates by geometry and by id, near-duplicates through a GEOS STRtree). */
#include "clearcov/audit.h"
#include "clearcov/coverage.h"
#include "clearcov/names.h"
#include "core/units.h"
#include "coverage/regions.h"
#include "coverage/source.h"
#include "crs/crs.h"
#include "geom/audit.h"
#include "geom/geom.h"
#include "io/attrs.h"
#include "io/io.h"

#include <ctype.h>
#include <errno.h>
#include <math.h>
#include <stdarg.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <strings.h>
#include <time.h>

#define SHARE_EPS 1e-6 /* shares of a feature's area below this count as nothing */
#define DETAIL_MAX 600 /* longest detail text kept per check and feature */

static const char *const CHECK_IDS[CCOV_NCHECKS] = {
    "invalid",         "too_few_vertices", "duplicate_geometry", "duplicate_id",
    "repeated_vertex", "long_edge",        "area_mismatch",      "region_attr_mismatch",
    "outside",         "crossing",         "near_duplicate",     "sliver",
    "date_range"};

static const char *const CHECK_TEXT[CCOV_NCHECKS] = {
    "not a valid polygon (GEOS validity: reason and location), or no usable polygon geometry",
    "a ring with fewer than 3 distinct vertices",
    "the same geometry as another record (same vertices, any start or direction)",
    "the same id as another record, ignoring case and surrounding spaces",
    "the same vertex twice in a row",
    "an edge longer than --max-edge",
    "reported_area (unit-normalised) differs from the geodesic area beyond --area-tolerance",
    "the record's region attribute does not name the region holding most of its area",
    "no part inside any region",
    "area on both sides of a region border",
    "shares more than --near-duplicate of the smaller one's area with another record",
    "thinness 4*pi*A/P^2 below --sliver-thinness or minimum width below --sliver-width",
    "a year or date outside --min-year..--max-year, or unreadable"};

const char *ccov_audit_check_id(ccov_check check) {
    return (unsigned)check < CCOV_NCHECKS ? CHECK_IDS[check] : "unknown";
}

const char *ccov_audit_check_description(ccov_check check) {
    return (unsigned)check < CCOV_NCHECKS ? CHECK_TEXT[check] : "";
}

void ccov_audit_defaults(ccov_audit_options *o) {
    time_t now = time(NULL);
    struct tm tm;
    memset(o, 0, sizeof *o);
    o->max_edge_m = 5000;
    o->area_tolerance_pct = 10;
    o->near_duplicate_pct = 90;
    o->sliver_thinness = 0.05;
    o->sliver_width_m = 1;
    o->min_year = 1964;
    o->max_year = gmtime_r(&now, &tm) ? tm.tm_year + 1900 : 9999;
}

/* ---- state ---- */

typedef struct {
    long long fid;
    char *id;
    unsigned checks;
    char *detail[CCOV_NCHECKS];
    int near_count;     /* near-duplicate partners (only the first few are named) */
    unsigned char *wkb; /* as read, lon/lat (keep_geometry) */
    size_t wkb_size;
    unsigned char *norm; /* normalised source WKB, for exact duplicates */
    size_t norm_size;
    ccov_geom *metric; /* repaired, in the local equal-area frame (metres) */
} feature;

/* Positions of the fields in each record's values. */
enum { V_ID, V_AREA, V_UNIT, V_REGION, V_DATES };

typedef struct {
    ccov_ctx *ctx;
    const ccov_audit_options *o;
    ccov_audit_result *res;
    ccov_source src; /* the audited source; src.xf leads to WGS84 lon/lat */
    ccov_crs *lonlat, *local;
    ccov_xform *to_local;
    double read_box[4]; /* bounds of the coordinates read (NaN: none), checked as report does */
    ccov_geom **regions;
    char **rnames, **risos;
    size_t nregions;
    ccov_region_index *rindex;
    double *shares;
    char **date_names;
    size_t ndates;
    feature *feats;
    size_t nfeats, cap;
} audit;

static ccov_status oom(ccov_ctx *ctx) { return ccov_ctx_fail(ctx, CCOV_ERR_IO, "out of memory"); }

/* Add a detail to a check of feature f ("a, b" when it already has one). */
__attribute__((format(printf, 3, 4))) static void flag(feature *f, ccov_check check,
                                                       const char *fmt, ...) {
    char text[DETAIL_MAX];
    va_list ap;
    va_start(ap, fmt);
    vsnprintf(text, sizeof text, fmt, ap);
    va_end(ap);
    f->checks |= 1u << check;
    char *old = f->detail[check];
    size_t len = old ? strlen(old) : 0;
    if (len + 2 >= DETAIL_MAX)
        return;
    char *grown = realloc(old, len + strlen(text) + 3);
    if (!grown)
        return;
    snprintf(grown + len, strlen(text) + 3, "%s%s", old ? ", " : "", text);
    f->detail[check] = grown;
}

/* ---- regions: read by the coverage regions loader (as report reads them) ---- */

static bool to_lonlat(void *user, double *x, double *y) {
    return ccov_xform_points(user, x, 1, y, 1, 1) == 0;
}

static ccov_status regions_alloc(audit *a, size_t n) {
    size_t k = n ? n : 1;
    a->regions = calloc(k, sizeof *a->regions);
    a->rnames = calloc(k, sizeof *a->rnames);
    a->risos = calloc(k, sizeof *a->risos);
    a->shares = calloc(k, sizeof *a->shares);
    return a->regions && a->rnames && a->risos && a->shares ? CCOV_OK : oom(a->ctx);
}

/* The regions in WGS84 lon/lat, with their names: taken over from rg. */
static ccov_status regions_take(audit *a, ccov_regions *rg) {
    ccov_status st = regions_alloc(a, rg->n);
    for (size_t i = 0; st == CCOV_OK && i < rg->n; i++) {
        ccov_region *r = &rg->items[i];
        a->regions[i] = rg->to_lonlat
                            ? ccov_geom_transform(a->ctx, r->geom, to_lonlat, rg->to_lonlat)
                            : r->geom;
        if (!rg->to_lonlat)
            r->geom = NULL;
        a->rnames[i] = r->name;
        a->risos[i] = r->iso;
        r->name = r->iso = NULL;
        a->nregions++;
        if (!a->regions[i])
            st = ccov_ctx_fail(a->ctx, CCOV_ERR_CRS, "%s: region '%s': cannot be moved to WGS84",
                               rg->input.path, a->rnames[i]);
    }
    a->rindex = st == CCOV_OK ? ccov_geom_region_index(a->ctx, a->regions, a->nregions) : NULL;
    if (st == CCOV_OK && !a->rindex)
        st = ccov_ctx_fail(a->ctx, CCOV_ERR_GEOM, "cannot index the regions");
    return st;
}

/* The regions as report reads them (name field, --only, repair, densify), with its warnings of
   regions that share a name or overlap. */
static ccov_status regions_load(audit *a) {
    const ccov_options *in = &a->o->inputs;
    ccov_options ro = {.regions_src = in->regions_src,
                       .regions_layer = in->regions_layer,
                       .regions_sql = in->regions_sql,
                       .regions_geom_column = in->regions_geom_column,
                       .region_field = in->region_field,
                       .only = in->only,
                       .parent_field = in->parent_field,
                       .assume_crs = in->assume_crs,
                       .allow_ballpark = in->allow_ballpark};
    ccov_regions rg;
    ccov_status st = ccov_regions_load(a->ctx, &ro, &rg);
    if (st == CCOV_OK)
        st = ccov_regions_check(a->ctx, &rg);
    if (st == CCOV_OK)
        st = regions_take(a, &rg);
    if (st == CCOV_OK)
        a->res->regions_path = strdup(rg.input.path);
    if (st == CCOV_OK && !a->res->regions_path)
        st = oom(a->ctx);
    a->res->nregions = a->nregions;
    ccov_regions_free(a->ctx, &rg);
    return st;
}

/* ---- the audited source and its frames ---- */

/* The way to WGS84 lon/lat (as report's into its frame), and the local frame. */
static ccov_status source_frames(audit *a, const char *src) {
    a->lonlat = ccov_crs_create(a->ctx, "EPSG:4326", "WGS84");
    if (!a->lonlat)
        return CCOV_ERR_CRS;
    ccov_status st =
        ccov_source_into_frame(a->ctx, &a->src, src, a->lonlat, 0, a->o->inputs.allow_ballpark);
    if (st != CCOV_OK)
        return st;
    double bbox[4], ll[4] = {0, 0, 0, 0};
    if (ccov_io_extent(a->src.layer, bbox) &&
        ccov_crs_bbox_to_lonlat(a->ctx, a->src.crs, bbox, ll)) {
        a->res->has_extent = true;
        memcpy(a->res->extent, ll, sizeof ll);
    }
    /* Lengths, widths and overlap shares in metres: Lambert azimuthal equal-area centred on the
       data (scale error under 0.2 % within 500 km of the centre). */
    char local[160];
    snprintf(local, sizeof local,
             "+proj=laea +lat_0=%.6f +lon_0=%.6f +datum=WGS84 +units=m +type=crs",
             (ll[1] + ll[3]) / 2, (ll[0] + ll[2]) / 2);
    a->local = ccov_crs_create_local(a->ctx, local, "audit frame");
    a->to_local =
        a->local ? ccov_xform_create(a->ctx, a->lonlat, a->local, NULL, true, "audit") : NULL;
    return a->to_local ? CCOV_OK : CCOV_ERR_CRS;
}

/* The cleared source as given (res->path, shown, has its password masked). */
static const char *cleared_path(const audit *a, char *buf, size_t n) {
    return ccov_coverage_default_cleared(a->o->inputs.cleared_src, buf, n);
}

/* The audited source, opened and checked by the source module as report opens it; the --where
   filter is checked first, so that a bad one is a usage error. */
static ccov_status source_open(audit *a) {
    char buf[4096];
    const ccov_options *in = &a->o->inputs;
    const char *src = cleared_path(a, buf, sizeof buf);
    ccov_io_query q = {.src = src,
                       .layer = in->cleared_layer,
                       .sql = in->cleared_sql,
                       .geom_column = in->cleared_geom_column,
                       .layer_option = "--cleared-layer",
                       .sql_option = "--cleared-sql",
                       .geom_option = "--cleared-geom-column"};
    ccov_status st = ccov_source_open(a->ctx, &a->src, &q);
    if (st != CCOV_OK)
        return st;
    if (in->where && *in->where) {
        st = ccov_io_attrs_check_where(a->ctx, src, ccov_io_layer_name(a->src.layer), in->where);
        if (st == CCOV_OK)
            st = ccov_source_filter(a->ctx, &a->src, in->where);
    }
    if (st == CCOV_OK)
        st = ccov_source_find_crs(a->ctx, &a->src, src, in->assume_crs, CCOV_CLEARED_STEP_M);
    if (st == CCOV_OK)
        st = source_frames(a, src);
    ccov_audit_result *r = a->res;
    r->path = strdup(ccov_io_source(a->src.layer)); /* password masked */
    r->layer = strdup(ccov_io_layer_name(a->src.layer));
    r->crs = strdup(a->src.crs ? ccov_crs_label(a->src.crs) : "");
    if (st == CCOV_OK && (!r->path || !r->layer || !r->crs))
        st = oom(a->ctx);
    return st;
}

/* ---- fields ---- */

static const char *const ID_FIELDS[] = {"task_id", "id", "task", "hazard_id", "local_id", NULL};
static const char *const AREA_FIELDS[] = {"reported_area", "reported_a", NULL};
static const char *const UNIT_FIELDS[] = {"reported_unit", "reported_u", NULL};
static const char *const YEAR_FIELDS[] = {"year", NULL};

/* A field named by an option must exist; a default one may be missing (NULL). */
static ccov_status field_named(audit *a, const char *given, const char *option,
                               const char *const *defaults, const char **out) {
    const char *one[2] = {given, NULL};
    *out = given || defaults ? ccov_io_find_field(a->src.layer, given ? one : defaults) : NULL;
    if (given && !*out) {
        char list[512];
        ccov_io_field_list(a->src.layer, list, sizeof list);
        return ccov_ctx_fail(a->ctx, CCOV_ERR_USAGE, "%s: %s: no field '%s' (fields: %s)",
                             a->res->path, option, given, list);
    }
    return CCOV_OK;
}

static bool add_date(void *user, const char *name) {
    audit *a = user;
    for (size_t i = 0; i < a->ndates; i++)
        if (strcasecmp(a->date_names[i], name) == 0)
            return true;
    char **grown = realloc(a->date_names, (a->ndates + 1) * sizeof *grown);
    if (!grown)
        return false;
    a->date_names = grown;
    grown[a->ndates] = strdup(name);
    return grown[a->ndates++] != NULL;
}

/* Calls fn for each trimmed non-empty item of a comma-separated list; false when fn fails. */
static bool each_item(const char *list, bool (*fn)(void *, const char *), void *user) {
    while (list && *list) {
        size_t len = strcspn(list, ","), lead = 0, end = len;
        while (lead < len && isspace((unsigned char)list[lead]))
            lead++;
        while (end > lead && isspace((unsigned char)list[end - 1]))
            end--;
        char *item = strndup(list + lead, end - lead);
        bool ok = item && (!*item || fn(user, item));
        free(item);
        if (!ok)
            return false;
        list += len + (list[len] == ',');
    }
    return true;
}

/* The date fields: those named by --date-field (each must exist), else `year` and every Date or
   DateTime field. */
static ccov_status date_fields(audit *a) {
    if (a->o->date_fields) {
        if (!each_item(a->o->date_fields, add_date, a))
            return oom(a->ctx);
        for (size_t i = 0; i < a->ndates; i++) {
            const char *name = NULL;
            ccov_status st = field_named(a, a->date_names[i], "--date-field", NULL, &name);
            if (st != CCOV_OK)
                return st;
        }
        return CCOV_OK;
    }
    const char *year = ccov_io_find_field(a->src.layer, YEAR_FIELDS);
    char buf[4096];
    char *typed = ccov_io_attrs_date_fields(a->ctx, cleared_path(a, buf, sizeof buf),
                                            ccov_io_layer_name(a->src.layer));
    bool ok = typed && (!year || add_date(a, year)) && each_item(typed, add_date, a);
    free(typed);
    return ok ? CCOV_OK : oom(a->ctx);
}

static char *join_names(char *const *names, size_t n) {
    size_t len = 1;
    for (size_t i = 0; i < n; i++)
        len += strlen(names[i]) + 1;
    char *out = calloc(1, len);
    for (size_t i = 0, used = 0; out && i < n; i++)
        used += (size_t)snprintf(out + used, len - used, "%s%s", i ? "," : "", names[i]);
    return out;
}

static void not_run(audit *a, ccov_check c, const char *why) {
    a->res->ran[c] = false;
    a->res->why_not[c] = strdup(why);
}

static ccov_status fields_setup(audit *a) {
    const char *names[V_DATES] = {NULL};
    ccov_status st = field_named(a, a->o->id_field, "--id-field", ID_FIELDS, &names[V_ID]);
    if (st == CCOV_OK)
        st = field_named(a, a->o->region_attr, "--region-attr", NULL, &names[V_REGION]);
    if (st == CCOV_OK)
        st = date_fields(a);
    if (st != CCOV_OK)
        return st;
    names[V_AREA] = ccov_io_find_field(a->src.layer, AREA_FIELDS);
    names[V_UNIT] = ccov_io_find_field(a->src.layer, UNIT_FIELDS);
    const char **all = calloc(V_DATES + a->ndates, sizeof *all);
    if (!all)
        return oom(a->ctx);
    memcpy(all, names, sizeof names);
    for (size_t i = 0; i < a->ndates; i++)
        all[V_DATES + i] = a->date_names[i];
    st = ccov_io_select_fields(a->ctx, a->src.layer, all, V_DATES + a->ndates);
    free(all);
    ccov_audit_result *r = a->res;
    r->id_field = strdup(names[V_ID] ? names[V_ID] : "");
    r->area_field = strdup(names[V_AREA] ? names[V_AREA] : "");
    r->unit_field = strdup(names[V_UNIT] ? names[V_UNIT] : "");
    r->region_attr = strdup(names[V_REGION] ? names[V_REGION] : "");
    r->date_fields = join_names(a->date_names, a->ndates);
    for (int c = 0; c < CCOV_NCHECKS; c++)
        r->ran[c] = true;
    if (!names[V_ID])
        not_run(a, CCOV_CHECK_DUPLICATE_ID, "no id field (task_id, id...; or --id-field)");
    if (!names[V_AREA] || !names[V_UNIT])
        not_run(a, CCOV_CHECK_AREA_MISMATCH, "no reported_area and reported_unit fields");
    if (!names[V_REGION])
        not_run(a, CCOV_CHECK_REGION_ATTR, "no --region-attr given");
    if (a->ndates == 0)
        not_run(a, CCOV_CHECK_DATE_RANGE, "no year or date field (or --date-field)");
    return st == CCOV_OK && (!r->id_field || !r->area_field || !r->unit_field || !r->region_attr ||
                             !r->date_fields)
               ? oom(a->ctx)
               : st;
}

/* ---- checks on one record's attributes ---- */

/* The year a value starts with: "2019", "2019-05-01", "2019/05/01 10:00". */
static bool value_year(const char *v, long *year) {
    while (isspace((unsigned char)*v))
        v++;
    char *end = NULL;
    errno = 0;
    *year = strtol(v, &end, 10);
    return !errno && end - v >= 1 && end - v <= 4 && isdigit((unsigned char)*v) &&
           (*end == '\0' || *end == '-' || *end == '/' || *end == ' ' || *end == 'T' ||
            (*end == '.' && strspn(end + 1, "0") == strlen(end + 1)));
}

static void check_dates(audit *a, feature *f, char *const *values) {
    for (size_t i = 0; i < a->ndates; i++) {
        const char *v = values[V_DATES + i];
        long year = 0;
        if (!v || !*v)
            continue;
        if (!value_year(v, &year))
            flag(f, CCOV_CHECK_DATE_RANGE, "%s '%s' is not a year or date", a->date_names[i], v);
        else if (year < a->o->min_year || year > a->o->max_year)
            flag(f, CCOV_CHECK_DATE_RANGE, "%s %s outside %d..%d", a->date_names[i], v,
                 a->o->min_year, a->o->max_year);
    }
}

/* reported_area against the polygon's geodesic area (ha). */
static void check_area(audit *a, feature *f, char *const *values, double area_ha) {
    if (!a->res->ran[CCOV_CHECK_AREA_MISMATCH] || !values[V_AREA])
        return;
    double factor = 0, reported = 0;
    char *end = NULL;
    errno = 0;
    reported = strtod(values[V_AREA], &end);
    bool number =
        !errno && end != values[V_AREA] && *end == '\0' && isfinite(reported) && reported >= 0;
    if (!number || !values[V_UNIT] || !ccov_units_ha_factor(values[V_UNIT], &factor)) {
        flag(f, CCOV_CHECK_AREA_MISMATCH, "reported area '%s' in unit '%s' cannot be read",
             values[V_AREA], values[V_UNIT] ? values[V_UNIT] : "");
        return;
    }
    reported *= factor;
    if (area_ha > 0 && fabs(reported - area_ha) > area_ha * a->o->area_tolerance_pct / 100)
        flag(f, CCOV_CHECK_AREA_MISMATCH, "reported %.6g ha, polygon %.6g ha (%+.1f %%)", reported,
             area_ha, (reported - area_ha) / area_ha * 100);
}

/* ---- checks on one record's rings, straight from its WKB (source coordinates) ---- */

static int xy_cmp(const void *p, const void *q) {
    const double *a = p, *b = q;
    return a[0] < b[0] ? -1 : a[0] > b[0] ? 1 : a[1] < b[1] ? -1 : a[1] > b[1];
}

/* Distinct vertices of a ring (the closing point is the first one again). -1: no memory. */
static long distinct_vertices(const double *x, const double *y, size_t n) {
    size_t m = n > 1 && x[0] == x[n - 1] && y[0] == y[n - 1] ? n - 1 : n;
    double *xy = malloc(2 * (m ? m : 1) * sizeof *xy);
    if (!xy)
        return -1;
    for (size_t i = 0; i < m; i++) {
        xy[2 * i] = x[i];
        xy[2 * i + 1] = y[i];
    }
    qsort(xy, m, 2 * sizeof *xy, xy_cmp);
    long count = m > 0;
    for (size_t i = 1; i < m; i++)
        count += xy_cmp(xy + 2 * i, xy + 2 * (i - 1)) != 0;
    free(xy);
    return count;
}

typedef struct {
    audit *a;
    feature *f;
    size_t ring;
} ring_scan;

/* The longest edge, measured in the local metric frame. */
static void ring_edges(audit *a, feature *f, const double *x, const double *y, size_t n) {
    double *mx = malloc(2 * n * sizeof *mx), *my = mx ? mx + n : NULL;
    if (!mx)
        return;
    memcpy(mx, x, n * sizeof *mx);
    memcpy(my, y, n * sizeof *my);
    double longest = 0;
    size_t at = 0;
    if (ccov_xform_points(a->src.xf, mx, 1, my, 1, n) == 0 &&
        ccov_xform_points(a->to_local, mx, 1, my, 1, n) == 0)
        for (size_t i = 0; i + 1 < n; i++) {
            double len = hypot(mx[i + 1] - mx[i], my[i + 1] - my[i]);
            if (len > longest) {
                longest = len;
                at = i;
            }
        }
    if (longest > a->o->max_edge_m)
        flag(f, CCOV_CHECK_LONG_EDGE, "%.0f m from (%.10g %.10g) to (%.10g %.10g)", longest, x[at],
             y[at], x[at + 1], y[at + 1]);
    free(mx);
}

static bool ring_visit(void *user, const double *x, const double *y, size_t n, bool exterior) {
    ring_scan *s = user;
    long distinct = distinct_vertices(x, y, n);
    s->ring++;
    if (distinct >= 0 && distinct < 3)
        flag(s->f, CCOV_CHECK_TOO_FEW_VERTICES, "%s ring %zu has %ld distinct vertices",
             exterior ? "exterior" : "interior", s->ring, distinct);
    for (size_t i = 0; i + 1 < n; i++)
        if (x[i] == x[i + 1] && y[i] == y[i + 1])
            flag(s->f, CCOV_CHECK_REPEATED_VERTEX, "(%.10g %.10g)", x[i], y[i]);
    ring_edges(s->a, s->f, x, y, n);
    return true;
}

/* ---- checks on one record's geometry ---- */

static bool xf_point(void *user, double *x, double *y) {
    return ccov_xform_points(user, x, 1, y, 1, 1) == 0;
}

static double geodesic_ring(void *user, double *x, double *y, size_t n) {
    (void)user;
    return ccov_crs_geodesic_ring_area(x, y, n);
}

static void share_text(const audit *a, double inside, char *buf, size_t n) {
    size_t used = 0;
    buf[0] = '\0';
    for (size_t i = 0; i < a->nregions && used < n; i++)
        if (a->shares[i] > SHARE_EPS) {
            int w = snprintf(buf + used, n - used, "%s%.1f %% in %s", used ? ", " : "",
                             100 * a->shares[i], a->rnames[i]);
            used += w > 0 ? (size_t)w : 0;
        }
    if (inside < 1 - SHARE_EPS && used < n)
        snprintf(buf + used, n - used, "%s%.1f %% outside every region", used ? ", " : "",
                 100 * (1 - inside));
}

/* The record's own region attribute against where its area lies: it must name a region holding
   the largest share (ties within 0.1 point accepted), or, for a record outside every region,
   no loaded region at all. */
static void check_region_attr(audit *a, feature *f, const char *value, double inside, size_t best) {
    const char *field = a->o->region_attr;
    if (!a->res->ran[CCOV_CHECK_REGION_ATTR])
        return;
    if (!value || !*value) {
        flag(f, CCOV_CHECK_REGION_ATTR, "%s is empty", field);
        return;
    }
    size_t named = a->nregions;
    for (size_t i = 0; named == a->nregions && i < a->nregions; i++)
        if (ccov_names_match(value, a->rnames[i], a->risos[i]))
            named = i;
    if (inside < SHARE_EPS) {
        if (named < a->nregions)
            flag(f, CCOV_CHECK_REGION_ATTR, "%s '%s', but it lies outside every region", field,
                 value);
        return;
    }
    if (named < a->nregions && a->shares[named] >= a->shares[best] - 1e-3)
        return;
    if (named < a->nregions)
        flag(f, CCOV_CHECK_REGION_ATTR, "%s '%s' (%.1f %% of its area), but %.1f %% lies in %s",
             field, value, 100 * a->shares[named], 100 * a->shares[best], a->rnames[best]);
    else
        flag(f, CCOV_CHECK_REGION_ATTR, "%s '%s' names no region, but %.1f %% lies in %s", field,
             value, 100 * a->shares[best], a->rnames[best]);
}

static ccov_status check_regions(audit *a, feature *f, const ccov_geom *ll, char *const *values) {
    if (!ccov_geom_region_shares(a->ctx, a->rindex, ll, a->shares))
        return ccov_ctx_fail(a->ctx, CCOV_ERR_GEOM, "%s: feature %lld: region test failed",
                             a->res->path, f->fid);
    double inside = 0;
    size_t count = 0, best = 0;
    for (size_t i = 0; i < a->nregions; i++) {
        inside += a->shares[i];
        count += a->shares[i] > SHARE_EPS;
        best = a->shares[i] > a->shares[best] ? i : best;
    }
    char text[512];
    share_text(a, inside, text, sizeof text);
    if (inside < SHARE_EPS)
        flag(f, CCOV_CHECK_OUTSIDE, "no part in any of the %zu region(s)", a->nregions);
    else if (count > 1 || inside < 1 - SHARE_EPS)
        flag(f, CCOV_CHECK_CROSSING, "%s", text);
    check_region_attr(a, f, values[V_REGION], inside, best);
    return CCOV_OK;
}

static void check_sliver(audit *a, feature *f) {
    double thinness = 0, width = 0;
    if (!f->metric || !ccov_geom_audit_shape(a->ctx, f->metric, &thinness, &width))
        return;
    if (thinness < a->o->sliver_thinness || width < a->o->sliver_width_m)
        flag(f, CCOV_CHECK_SLIVER, "thinness %.4f, minimum width %.2f m", thinness, width);
}

/* The repaired polygon in WGS84 (densified first, as coverage does) and in the metric frame:
   area, regions, sliver. */
static ccov_status check_placed(audit *a, feature *f, const ccov_geom *fixed, char *const *values) {
    char again[256];
    ccov_geom *dense = ccov_geom_densify(a->ctx, fixed, a->src.step);
    ccov_geom *moved = dense ? ccov_geom_transform(a->ctx, dense, xf_point, a->src.xf) : NULL;
    ccov_geom *ll = moved && ccov_geom_is_finite(a->ctx, moved)
                        ? ccov_geom_repair(a->ctx, moved, again, sizeof again)
                        : NULL;
    ccov_geom_free(a->ctx, moved);
    ccov_geom_free(a->ctx, dense);
    if (!ll) {
        flag(f, CCOV_CHECK_INVALID, "cannot be transformed to WGS 84");
        return CCOV_OK;
    }
    check_area(a, f, values, ccov_geom_area(a->ctx, ll, geodesic_ring, NULL) / 1e4);
    ccov_status st = check_regions(a, f, ll, values);
    f->metric = ccov_geom_transform(a->ctx, ll, xf_point, a->to_local);
    ccov_geom_free(a->ctx, ll);
    check_sliver(a, f);
    return st;
}

/* The geometry as read, in WGS84 lon/lat, for the output layer. */
static void keep_geometry(audit *a, feature *f, const ccov_geom *g) {
    ccov_geom *ll = ccov_geom_transform(a->ctx, g, xf_point, a->src.xf);
    if (ll && !ccov_geom_to_wkb(a->ctx, ll, &f->wkb, &f->wkb_size))
        f->wkb = NULL;
    ccov_geom_free(a->ctx, ll);
}

static ccov_status check_geometry(audit *a, feature *f, const ccov_record *rec) {
    ring_scan scan = {a, f, 0};
    char why[512];
    if (!ccov_geom_wkb_rings(rec->wkb, rec->wkb_size, ring_visit, &scan))
        flag(f, CCOV_CHECK_INVALID, "malformed WKB");
    ccov_geom *g = ccov_geom_from_wkb(a->ctx, rec->wkb, rec->wkb_size, why, sizeof why);
    if (!g || !ccov_geom_is_finite(a->ctx, g)) {
        flag(f, CCOV_CHECK_INVALID, "%s", g ? "non-finite coordinates" : why);
        ccov_geom_free(a->ctx, g);
        return CCOV_OK;
    }
    double b[4];
    if (ccov_geom_bounds(a->ctx, g, b) && !ccov_source_lon_beyond(&a->src, b))
        ccov_source_box_add(a->read_box, b);
    if (a->o->keep_geometry)
        keep_geometry(a, f, g);
    if (!ccov_geom_audit_normal_wkb(a->ctx, g, &f->norm, &f->norm_size))
        f->norm = NULL;
    if (!ccov_geom_audit_valid(a->ctx, g, why, sizeof why))
        flag(f, CCOV_CHECK_INVALID, "%s", why);
    ccov_geom *fixed = ccov_geom_repair(a->ctx, g, why, sizeof why);
    ccov_geom_free(a->ctx, g);
    if (!fixed) {
        flag(f, CCOV_CHECK_INVALID, "%s", why);
        return CCOV_OK;
    }
    ccov_status st = check_placed(a, f, fixed, rec->values);
    ccov_geom_free(a->ctx, fixed);
    return st;
}

/* ---- reading ---- */

static feature *feature_add(audit *a, long long fid, const char *id) {
    if (a->nfeats == a->cap) {
        size_t cap = a->cap ? 2 * a->cap : 1024;
        feature *grown = realloc(a->feats, cap * sizeof *grown);
        if (!grown)
            return NULL;
        a->feats = grown;
        a->cap = cap;
    }
    feature *f = &a->feats[a->nfeats];
    memset(f, 0, sizeof *f);
    f->fid = fid;
    if (id && !(f->id = strdup(id)))
        return NULL;
    a->nfeats++;
    return f;
}

static ccov_status check_record(audit *a, const ccov_record *rec) {
    feature *f = feature_add(a, rec->fid, rec->values[V_ID]);
    if (!f)
        return oom(a->ctx);
    a->res->features++;
    if (a->res->ran[CCOV_CHECK_DATE_RANGE])
        check_dates(a, f, rec->values);
    if (!rec->wkb) {
        flag(f, CCOV_CHECK_INVALID, "%s", rec->problem);
        return CCOV_OK;
    }
    return check_geometry(a, f, rec);
}

static ccov_status read_features(audit *a) {
    ccov_record rec = {0};
    ccov_status st = CCOV_OK;
    int got = 0;
    while (st == CCOV_OK && (got = ccov_io_next(a->ctx, a->src.layer, &rec)) == 1)
        st = check_record(a, &rec);
    if (st == CCOV_OK && got < 0)
        st = CCOV_ERR_IO;
    ccov_record_clear(&rec);
    return st;
}

/* ---- checks between records ---- */

typedef struct {
    const unsigned char *bytes; /* normalised WKB, or the folded id */
    size_t size;
    size_t idx; /* feature */
} group_key;

static int key_cmp(const void *p, const void *q) {
    const group_key *a = p, *b = q;
    size_t n = a->size < b->size ? a->size : b->size;
    int c = memcmp(a->bytes, b->bytes, n);
    if (c == 0 && a->size != b->size)
        c = a->size < b->size ? -1 : 1;
    return c ? c : a->idx < b->idx ? -1 : a->idx > b->idx;
}

/* Flag every member of a group of equal keys, naming the others (the first five). */
static void flag_group(audit *a, const group_key *keys, size_t n, ccov_check check) {
    for (size_t k = 0; k < n; k++) {
        char text[DETAIL_MAX] = "";
        size_t used = 0, named = 0;
        for (size_t m = 0; m < n && named < 5; m++) {
            if (m == k)
                continue;
            const feature *o = &a->feats[keys[m].idx];
            int w = check == CCOV_CHECK_DUPLICATE_ID
                        ? snprintf(text + used, sizeof text - used, "%sfid %lld ('%s')",
                                   named ? ", " : "", o->fid, o->id)
                        : snprintf(text + used, sizeof text - used, "%sfid %lld", named ? ", " : "",
                                   o->fid);
            used += w > 0 && (size_t)w < sizeof text - used ? (size_t)w : 0;
            named++;
        }
        feature *f = &a->feats[keys[k].idx];
        flag(f, check, "same as %s%s", text, n - 1 > named ? ", ..." : "");
    }
}

static void flag_runs(audit *a, group_key *keys, size_t n, ccov_check check) {
    qsort(keys, n, sizeof *keys, key_cmp);
    for (size_t i = 0; i < n;) {
        size_t j = i + 1;
        while (j < n && keys[j].size == keys[i].size &&
               memcmp(keys[j].bytes, keys[i].bytes, keys[i].size) == 0)
            j++;
        if (j - i > 1)
            flag_group(a, keys + i, j - i, check);
        i = j;
    }
}

static ccov_status duplicate_geometries(audit *a) {
    group_key *keys = malloc((a->nfeats ? a->nfeats : 1) * sizeof *keys);
    if (!keys)
        return oom(a->ctx);
    size_t n = 0;
    for (size_t i = 0; i < a->nfeats; i++)
        if (a->feats[i].norm)
            keys[n++] = (group_key){a->feats[i].norm, a->feats[i].norm_size, i};
    flag_runs(a, keys, n, CCOV_CHECK_DUPLICATE_GEOMETRY);
    free(keys);
    return CCOV_OK;
}

/* The id compared: surrounding spaces dropped, ASCII letters lower-cased. */
static char *fold_id(const char *id) {
    while (isspace((unsigned char)*id))
        id++;
    size_t n = strlen(id);
    while (n > 0 && isspace((unsigned char)id[n - 1]))
        n--;
    char *key = strndup(id, n);
    for (size_t i = 0; key && i < n; i++)
        key[i] = (char)tolower((unsigned char)key[i]);
    return key;
}

static ccov_status duplicate_ids(audit *a) {
    if (!a->res->ran[CCOV_CHECK_DUPLICATE_ID])
        return CCOV_OK;
    group_key *keys = malloc((a->nfeats ? a->nfeats : 1) * sizeof *keys);
    size_t n = 0;
    bool ok = keys != NULL;
    for (size_t i = 0; ok && i < a->nfeats; i++) {
        char *key = a->feats[i].id ? fold_id(a->feats[i].id) : NULL;
        ok = !a->feats[i].id || key;
        if (key && *key)
            keys[n++] = (group_key){(unsigned char *)key, strlen(key), i};
        else
            free(key);
    }
    if (ok)
        flag_runs(a, keys, n, CCOV_CHECK_DUPLICATE_ID);
    for (size_t i = 0; i < n; i++)
        free((void *)keys[i].bytes);
    free(keys);
    return ok ? CCOV_OK : oom(a->ctx);
}

static bool same_geometry(const feature *x, const feature *y) {
    return x->norm && y->norm && x->norm_size == y->norm_size &&
           memcmp(x->norm, y->norm, x->norm_size) == 0;
}

enum { NEAR_NAMED = 3 }; /* partners named in a near-duplicate's details */

static void near_pair(void *user, size_t i, size_t j, double share) {
    audit *a = user;
    feature *fi = &a->feats[i], *fj = &a->feats[j];
    if (same_geometry(fi, fj))
        return; /* an exact duplicate, reported as such */
    if (fi->near_count++ < NEAR_NAMED)
        flag(fi, CCOV_CHECK_NEAR_DUPLICATE, "fid %lld (%.1f %%)", fj->fid, 100 * share);
    if (fj->near_count++ < NEAR_NAMED)
        flag(fj, CCOV_CHECK_NEAR_DUPLICATE, "fid %lld (%.1f %%)", fi->fid, 100 * share);
}

static ccov_status near_duplicates(audit *a) {
    ccov_geom **g = malloc((a->nfeats ? a->nfeats : 1) * sizeof *g);
    if (!g)
        return oom(a->ctx);
    for (size_t i = 0; i < a->nfeats; i++)
        g[i] = a->feats[i].metric;
    ccov_status st = ccov_geom_audit_overlaps(a->ctx, g, a->nfeats, a->o->near_duplicate_pct / 100,
                                              near_pair, a);
    free(g);
    for (size_t i = 0; i < a->nfeats; i++)
        if (a->feats[i].near_count > NEAR_NAMED)
            flag(&a->feats[i], CCOV_CHECK_NEAR_DUPLICATE, "and %d more",
                 a->feats[i].near_count - NEAR_NAMED);
    return st;
}

/* ---- the result ---- */

static char *compose_details(const feature *f) {
    size_t len = 1;
    for (int c = 0; c < CCOV_NCHECKS; c++)
        if (f->checks & (1u << c))
            len += strlen(CHECK_IDS[c]) + (f->detail[c] ? strlen(f->detail[c]) : 0) + 4;
    char *out = calloc(1, len);
    for (int c = 0, used = 0; out && c < CCOV_NCHECKS; c++)
        if (f->checks & (1u << c))
            used += snprintf(out + used, len - (size_t)used, "%s%s: %s", used ? "; " : "",
                             CHECK_IDS[c], f->detail[c] ? f->detail[c] : "");
    return out;
}

static int flag_cmp(const void *p, const void *q) {
    const ccov_audit_flag *a = p, *b = q;
    return a->fid < b->fid ? -1 : a->fid > b->fid;
}

static ccov_status collect(audit *a) {
    ccov_audit_result *r = a->res;
    r->flags = calloc(a->nfeats ? a->nfeats : 1, sizeof *r->flags);
    if (!r->flags)
        return oom(a->ctx);
    for (size_t i = 0; i < a->nfeats; i++) {
        feature *f = &a->feats[i];
        if (!f->checks)
            continue;
        for (int c = 0; c < CCOV_NCHECKS; c++)
            r->flagged[c] += (f->checks >> c) & 1u;
        ccov_audit_flag *out = &r->flags[r->nflags++];
        *out = (ccov_audit_flag){f->fid, f->id, f->checks, compose_details(f), f->wkb, f->wkb_size};
        f->id = NULL;
        f->wkb = NULL;
        if (!out->details)
            return oom(a->ctx);
    }
    qsort(r->flags, r->nflags, sizeof *r->flags, flag_cmp);
    for (size_t i = 0; i < r->nflags; i++)
        ccov_ctx_msg(a->ctx, CCOV_MSG_INFO, "%s: feature %lld: %s", r->path, r->flags[i].fid,
                     r->flags[i].details);
    return CCOV_OK;
}

static void release(audit *a) {
    for (size_t i = 0; i < a->nfeats; i++) {
        feature *f = &a->feats[i];
        free(f->id);
        for (int c = 0; c < CCOV_NCHECKS; c++)
            free(f->detail[c]);
        free(f->wkb);
        free(f->norm);
        ccov_geom_free(a->ctx, f->metric);
    }
    free(a->feats);
    ccov_geom_region_index_free(a->ctx, a->rindex);
    for (size_t i = 0; i < a->nregions; i++) {
        ccov_geom_free(a->ctx, a->regions[i]);
        free(a->rnames[i]);
        free(a->risos[i]);
    }
    free(a->regions);
    free(a->rnames);
    free(a->risos);
    free(a->shares);
    for (size_t i = 0; i < a->ndates; i++)
        free(a->date_names[i]);
    free(a->date_names);
    ccov_xform_free(a->to_local);
    ccov_crs_free(a->local);
    ccov_crs_free(a->lonlat);
    ccov_source_close(&a->src);
}

/* The numbers read, not the extent the file declares (which may be stale), decide (as report). */
static ccov_status read_box_check(audit *a) {
    if (isnan(a->read_box[0]))
        return CCOV_OK;
    return ccov_source_extent_check(a->ctx, &a->src, a->res->path, a->read_box);
}

static ccov_status options_check(ccov_ctx *ctx, const ccov_audit_options *o) {
    if (!(o->max_edge_m > 0))
        return ccov_ctx_fail(ctx, CCOV_ERR_USAGE, "--max-edge: must be above 0 metres");
    if (!(o->area_tolerance_pct >= 0))
        return ccov_ctx_fail(ctx, CCOV_ERR_USAGE, "--area-tolerance: must be 0 or more");
    if (!(o->near_duplicate_pct > 0 && o->near_duplicate_pct <= 100))
        return ccov_ctx_fail(ctx, CCOV_ERR_USAGE,
                             "--near-duplicate: must be above 0 and up to 100");
    if (!(o->sliver_thinness >= 0 && o->sliver_thinness <= 1) || !(o->sliver_width_m >= 0))
        return ccov_ctx_fail(ctx, CCOV_ERR_USAGE,
                             "--sliver-thinness must be within 0..1 and --sliver-width 0 or more");
    if (o->min_year > o->max_year)
        return ccov_ctx_fail(ctx, CCOV_ERR_USAGE, "--min-year %d is after --max-year %d",
                             o->min_year, o->max_year);
    return CCOV_OK;
}

ccov_status ccov_audit_run(ccov_ctx *ctx, const ccov_audit_options *opts, ccov_audit_result **out) {
    *out = NULL;
    ccov_status st = options_check(ctx, opts);
    if (st != CCOV_OK)
        return st;
    audit a = {.ctx = ctx, .o = opts, .res = calloc(1, sizeof *a.res)};
    for (int i = 0; i < 4; i++)
        a.read_box[i] = NAN;
    if (!a.res)
        return oom(ctx);
    a.res->options = *opts;
    ccov_audit_options *kept = &a.res->options;
    kept->inputs = (ccov_options){.allow_ballpark = opts->inputs.allow_ballpark};
    kept->region_attr = kept->id_field = kept->date_fields = NULL;
    st = source_open(&a);
    if (st == CCOV_OK)
        st = regions_load(&a);
    if (st == CCOV_OK)
        st = fields_setup(&a);
    if (st == CCOV_OK)
        st = read_features(&a);
    if (st == CCOV_OK)
        st = read_box_check(&a);
    if (st == CCOV_OK)
        st = duplicate_geometries(&a);
    if (st == CCOV_OK)
        st = duplicate_ids(&a);
    if (st == CCOV_OK)
        st = near_duplicates(&a);
    if (st == CCOV_OK)
        st = collect(&a);
    release(&a);
    if (st != CCOV_OK) {
        ccov_audit_result_free(a.res);
        return st;
    }
    *out = a.res;
    return CCOV_OK;
}

void ccov_audit_result_free(ccov_audit_result *res) {
    if (!res)
        return;
    free(res->path);
    free(res->layer);
    free(res->crs);
    free(res->regions_path);
    free(res->id_field);
    free(res->area_field);
    free(res->unit_field);
    free(res->region_attr);
    free(res->date_fields);
    for (int c = 0; c < CCOV_NCHECKS; c++)
        free(res->why_not[c]);
    for (size_t i = 0; i < res->nflags; i++) {
        free(res->flags[i].id);
        free(res->flags[i].details);
        free(res->flags[i].wkb);
    }
    free(res->flags);
    free(res);
}

bool ccov_audit_clean(const ccov_audit_result *res) { return res->nflags == 0; }
