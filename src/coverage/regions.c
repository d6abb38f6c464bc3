/* coverage: the regions loader (regions.h). */
#include "coverage/regions.h"
#include "clearcov/names.h"
#include "core/internal.h"
#include "core/units.h"
#include "coverage/official.h"
#include "coverage/source.h"

#include <errno.h>
#include <math.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <strings.h>

#define WGS84_LONLAT "EPSG:4326"

/* One load: where the options come from and where the regions go. */
typedef struct {
    ccov_ctx *ctx;
    const ccov_options *opts;
    ccov_regions *rg;
    const char *name_field; /* the field holding names */
    /* --official-area-field FIELD[:UNIT] (issue 13) */
    char official_field[256];
    const char *official_unit; /* NULL: the values carry their unit */
    /* issue 15: the field naming each region's parent (values[3]), NULL when none */
    const char *parent_field;
} loader;

static char *dup_or_empty(const char *s) { return strdup(s ? s : ""); }

/* The way from the working frame to WGS84 lon/lat (geodesic area, output layers). */
static ccov_status frame_finish(loader *r) {
    const ccov_options *o = r->opts;
    if (o->area == CCOV_AREA_PLANAR)
        r->rg->m.unit2 = ccov_crs_unit_factor(r->rg->frame) * ccov_crs_unit_factor(r->rg->frame);
    if (strcmp(ccov_crs_label(r->rg->frame), WGS84_LONLAT) == 0)
        return CCOV_OK;
    ccov_crs *wgs84 = ccov_crs_create(r->ctx, WGS84_LONLAT, "WGS84");
    if (!wgs84)
        return CCOV_ERR_CRS;
    r->rg->to_lonlat =
        ccov_xform_create(r->ctx, r->rg->frame, wgs84, NULL, o->allow_ballpark, "--crs");
    ccov_crs_free(wgs84);
    r->rg->m.to_wgs84 = r->rg->to_lonlat;
    return r->rg->to_lonlat ? CCOV_OK : CCOV_ERR_CRS;
}

/* The frame named by --crs; without one, the frame is chosen when the regions are opened. */
static ccov_status measure_setup(loader *r) {
    const ccov_options *o = r->opts;
    r->rg->m.method = o->area;
    if (o->area == CCOV_AREA_PLANAR && !o->crs)
        return ccov_ctx_fail(r->ctx, CCOV_ERR_USAGE,
                             "--area planar needs a projected --crs (e.g. EPSG:32648)");
    if (!o->crs)
        return CCOV_OK;
    r->rg->frame = ccov_crs_create(r->ctx, o->crs, "--crs");
    if (!r->rg->frame)
        return CCOV_ERR_CRS;
    if (o->area == CCOV_AREA_PLANAR && ccov_crs_is_geographic(r->rg->frame))
        return ccov_ctx_fail(r->ctx, CCOV_ERR_USAGE,
                             "--area planar needs a projected --crs (e.g. EPSG:32648)");
    return frame_finish(r);
}

/* Where the regions lie, from their coordinates as read: longitudes (degrees, the shortest
   interval holding them all, which may go past 180) and latitudes. */
typedef struct {
    double span[2];
    double lat[2];
} survey;

/* Where a gnomonic frame shows every region: around them when they span 30 degrees or less each
   way, or at a pole that a region reaches when all lie within 30 degrees of it. False: lon/lat. */
static bool frame_centre(const survey *sv, double *lon, double *lat) {
    bool north = sv->lat[1] >= 90 - 1e-9, south = sv->lat[0] <= -90 + 1e-9;
    if (north != south && (north ? sv->lat[0] >= 60 : sv->lat[1] <= -60)) {
        *lon = 0;
        *lat = north ? 90 : -90;
        return true;
    }
    if (north || south || sv->span[1] - sv->span[0] > 30 || sv->lat[1] - sv->lat[0] > 30)
        return false;
    *lon = (sv->span[0] + sv->span[1]) / 2;
    if (*lon >= 180)
        *lon -= 360;
    *lat = (sv->lat[0] + sv->lat[1]) / 2;
    return true;
}

/* The default frame: the ellipsoidal gnomonic projection centred on the regions, in which a
   straight line is (to a few hundredths of a millimetre over a kilometre) a geodesic. GEOS puts
   the vertices it creates where polygons cross on straight frame lines, so in this frame they land
   on the geodesic edges that the area is measured along: the union, the overlaps and the clipped
   parts all measure consistently. Regions wider than 30 degrees fall back to lon/lat, whose
   longitudes are then kept in the half-turn either side of the regions' middle. */
static ccov_status frame_around(loader *r, const survey *sv) {
    char def[1024];
    double lon = 0, lat = 0;
    if (!sv || !frame_centre(sv, &lon, &lat)) {
        snprintf(def, sizeof def, "%s", WGS84_LONLAT);
    } else {
        snprintf(def, sizeof def,
                 "PROJCRS[\"Gnomonic centred on %.4f %.4f (WGS 84)\",BASEGEOGCRS[\"WGS 84\","
                 "DATUM[\"World Geodetic System 1984\",ELLIPSOID[\"WGS 84\",6378137,"
                 "298.257223563]],ID[\"EPSG\",4326]],CONVERSION[\"Gnomonic\",METHOD["
                 "\"Gnomonic\"],PARAMETER[\"Latitude of natural origin\",%.4f,ANGLEUNIT["
                 "\"degree\",0.0174532925199433]],PARAMETER[\"Longitude of natural origin\","
                 "%.4f,ANGLEUNIT[\"degree\",0.0174532925199433]],PARAMETER[\"False easting\",0,"
                 "LENGTHUNIT[\"metre\",1]],PARAMETER[\"False northing\",0,LENGTHUNIT["
                 "\"metre\",1]]],CS[Cartesian,2],AXIS[\"easting\",east],AXIS[\"northing\","
                 "north],LENGTHUNIT[\"metre\",1]]",
                 lon, lat, lat, lon);
    }
    r->rg->frame = ccov_crs_create_local(r->ctx, def, "working frame");
    return r->rg->frame ? frame_finish(r) : CCOV_ERR_CRS;
}

/* ---- regions ---- */

static const char *const NAME_FIELDS[] = {
    "name",      "NAME_1",     "shapeName", "ADM1_EN",  "ADM2_EN", "NAME_2",  "ADM1_NAME",
    "ADM2_NAME", "admin1Name", "province",  "district", "name_en", "NAME_EN", NULL};
static const char *const ISO_FIELDS[] = {"iso", "shapeISO", "iso_3166_2", "ISO_1", "HASC_1", NULL};

const char *ccov_regions_name_field(ccov_ctx *ctx, ccov_layer *layer, const char *path,
                                    const char *given, const char *what, const char *option) {
    const char *name = given ? given : ccov_io_find_field(layer, NAME_FIELDS);
    if (name)
        return name;
    char list[512];
    ccov_io_field_list(layer, list, sizeof list);
    ccov_ctx_fail(ctx, CCOV_ERR_IO, "%s: no %s name field found; name one with %s (fields: %s)",
                  path, what, option, list);
    return NULL;
}
const char *const *ccov_regions_iso_fields(void) { return ISO_FIELDS; }
/* --official-area-field FIELD[:UNIT]: the field, which must exist (*field NULL without it). */
static ccov_status official_field(loader *r, ccov_source *s, const char *path, const char **field) {
    const char *spec = r->opts->official_area_field;
    if (!spec)
        return CCOV_OK;
    snprintf(r->official_field, sizeof r->official_field, "%s", spec);
    char *colon = strrchr(r->official_field, ':');
    double factor = 0;
    if (colon && ccov_units_ha_factor(colon + 1, &factor)) {
        *colon = '\0';
        r->official_unit = spec + (colon - r->official_field) + 1;
    }
    const char *candidates[2] = {r->official_field, NULL};
    *field = ccov_io_find_field(s->layer, candidates);
    if (*field)
        return CCOV_OK;
    char list[512];
    ccov_io_field_list(s->layer, list, sizeof list);
    return ccov_ctx_fail(r->ctx, CCOV_ERR_USAGE,
                         "%s: --official-area-field: no field '%s' (fields: %s)", path,
                         r->official_field, list);
}

/* The official area of a region record, NAN without --official-area-field. */
static ccov_status official_value(loader *r, const char *path, const ccov_record *rec, double *ha) {
    *ha = NAN;
    if (!r->opts->official_area_field)
        return CCOV_OK;
    const char *v = rec->nvalues > 2 && rec->values[2] ? rec->values[2] : "";
    char text[128];
    snprintf(text, sizeof text, "%s %s", v, r->official_unit ? r->official_unit : "");
    if (*v && ccov_official_parse_area(r->official_unit ? text : v, ha))
        return CCOV_OK;
    return ccov_ctx_fail(r->ctx, CCOV_ERR_IO,
                         "%s: feature %lld (%s): field %s: '%s' is not a positive area with a "
                         "unit%s",
                         path, rec->fid, rec->values[0] ? rec->values[0] : "", r->official_field, v,
                         r->official_unit ? "" : " (name the unit as FIELD:UNIT, e.g. area:km2)");
}

/* The parent field (issue 15): --parent-field, which must exist, else the first usual one that is
   not the name field; NULL when none. */
static ccov_status parent_field(loader *r, ccov_source *s, const char *path) {
    static const char *const usual[] = {"parent",     "ADM1_EN",   "ADM1_NAME", "NAME_1",
                                        "admin1Name", "adm1_name", "province"};
    const char *given = r->opts->parent_field;
    for (size_t i = 0; !given && !r->parent_field && i < sizeof usual / sizeof usual[0]; i++) {
        const char *one[2] = {usual[i], NULL};
        const char *found = ccov_io_find_field(s->layer, one);
        if (found && strcasecmp(found, r->name_field) != 0)
            r->parent_field = found;
    }
    const char *one[2] = {given, NULL};
    if (given)
        r->parent_field = ccov_io_find_field(s->layer, one);
    if (!given || r->parent_field)
        return CCOV_OK;
    char list[512];
    ccov_io_field_list(s->layer, list, sizeof list);
    return ccov_ctx_fail(r->ctx, CCOV_ERR_USAGE, "%s: --parent-field: no field '%s' (fields: %s)",
                         path, given, list);
}

static ccov_status region_fields(loader *r, ccov_source *s, const char *path) {
    if (ccov_io_count(s->layer) == 0)
        return ccov_ctx_fail(r->ctx, CCOV_ERR_IO, "%s: no regions (the layer has no features)",
                             path);
    const char *name = ccov_regions_name_field(r->ctx, s->layer, path, r->opts->region_field,
                                               "region", "--region-field");
    if (!name)
        return CCOV_ERR_IO;
    const char *fields[4] = {name, ccov_io_find_field(s->layer, ISO_FIELDS), NULL, NULL};
    r->name_field = name;
    ccov_status st = official_field(r, s, path, &fields[2]);
    if (st == CCOV_OK)
        st = parent_field(r, s, path);
    if (st != CCOV_OK)
        return st;
    fields[3] = r->parent_field;
    return ccov_io_select_fields(r->ctx, s->layer, fields, fields[3] ? 4 : fields[2] ? 3 : 2);
}

/* The --only list split at commas, each name trimmed. */
typedef struct {
    char **names;
    size_t *hits;      /* regions each name matched */
    char (*isos)[512]; /* the regions matched, as they can be picked ("name (parent)" or fid:N,
                          with ISO codes), for the message when a name is ambiguous */
    char (*pick)[360]; /* how to pick the first of them: --only "name (parent)", or fid:N */
    size_t n;
} query_list;

static void queries_free(query_list *q) {
    for (size_t i = 0; i < q->n; i++)
        free(q->names[i]);
    free(q->names);
    free(q->hits);
    free(q->isos);
    free(q->pick);
}

static bool queries_parse(const char *only, query_list *q) {
    size_t cap = 1;
    for (const char *p = only; *p; p++)
        cap += *p == ',';
    q->names = calloc(cap, sizeof *q->names);
    q->hits = calloc(cap, sizeof *q->hits);
    q->isos = calloc(cap, sizeof *q->isos);
    q->pick = calloc(cap, sizeof *q->pick);
    if (!q->names || !q->hits || !q->isos || !q->pick)
        return false;
    while (*only) {
        size_t len = strcspn(only, ",");
        size_t lead = strspn(only, " \t");
        size_t end = len;
        while (end > lead && (only[end - 1] == ' ' || only[end - 1] == '\t'))
            end--;
        if (end > lead) {
            q->names[q->n] = strndup(only + lead, end - lead);
            if (!q->names[q->n++])
                return false;
        }
        only += len + (only[len] == ',');
    }
    return true;
}

/* "fid:N" picks the region of feature id N (regions that share a name and have no code). */
static bool query_fid(const char *query, long long *fid) {
    if (strncasecmp(query, "fid:", 4) != 0)
        return false;
    char *end = NULL;
    errno = 0;
    *fid = strtoll(query + 4, &end, 10);
    return !errno && end != query + 4 && !*end;
}

/* "NAME (PARENT)" (issue 15): the two parts, trimmed; false when the query has not that form. */
static bool query_parent(const char *query, char *name, size_t nn, char *parent, size_t pn) {
    const char *open = strrchr(query, '(');
    size_t len = strlen(query);
    if (!open || open == query || len < 3 || query[len - 1] != ')')
        return false;
    size_t end = (size_t)(open - query);
    while (end > 0 && query[end - 1] == ' ')
        end--;
    snprintf(name, nn, "%.*s", (int)end, query);
    snprintf(parent, pn, "%.*s", (int)(query + len - 1 - open - 1), open + 1);
    return end > 0 && *parent;
}

/* A region (its name, ISO code, feature id and parent name, NULL when none) as --only sees it. */
typedef struct {
    const char *name, *iso, *parent;
    long long fid;
} region_key;

static bool query_match(const char *query, const region_key *k) {
    long long want = 0;
    char name[256], parent[256];
    if (query_fid(query, &want))
        return want == k->fid;
    if (ccov_names_match(query, k->name, k->iso))
        return true;
    return k->parent && *k->parent &&
           query_parent(query, name, sizeof name, parent, sizeof parent) &&
           ccov_names_match(name, k->name, k->iso) && ccov_names_match(parent, k->parent, NULL);
}

/* One more region a query matched, as it can be picked: "name (parent)" (with a parent) or
   fid:N, and its ISO code; the first also as the example of the message. */
static void query_hit(query_list *q, size_t i, const region_key *k) {
    size_t used = strlen(q->isos[i]);
    bool parent = k->parent && *k->parent, iso = k->iso && *k->iso;
    char as[300];
    snprintf(as, sizeof as, "\"%s (%s)\"", k->name, parent ? k->parent : "");
    snprintf(q->isos[i] + used, sizeof q->isos[i] - used, "%s%s%sfid:%lld%s%s%s", used ? ", " : "",
             parent ? as : "", parent ? " = " : "", k->fid, iso ? " (" : "", iso ? k->iso : "",
             iso ? ")" : "");
    if (q->hits[i]++ == 0 && parent)
        snprintf(q->pick[i], sizeof q->pick[i], "--only %s or --only fid:%lld", as, k->fid);
    else if (q->hits[i] == 1)
        snprintf(q->pick[i], sizeof q->pick[i], "--only fid:%lld", k->fid);
}

/* Does the query list pick this region? Marks each query that matched. */
static bool region_chosen(query_list *q, const region_key *k) {
    if (!q->names)
        return true;
    bool chosen = false;
    for (size_t i = 0; i < q->n; i++)
        if (query_match(q->names[i], k)) {
            query_hit(q, i, k);
            chosen = true;
        }
    return chosen;
}

/* Every region name read, for the message when a query matches none. */
typedef struct {
    char **v;
    char **up; /* each one's parent (issue 15), NULL when none */
    size_t n;
} name_list;

static void names_free(name_list *l) {
    for (size_t i = 0; i < l->n; i++) {
        free(l->v[i]);
        free(l->up[i]);
    }
    free(l->v);
    free(l->up);
}

static bool names_add(name_list *l, const char *name, const char *parent) {
    char **grown = ccov_grow(l->v, l->n, sizeof *grown);
    if (!grown)
        return false;
    l->v = grown;
    char **ups = ccov_grow(l->up, l->n, sizeof *ups);
    if (!ups)
        return false;
    l->up = ups;
    grown[l->n] = strdup(name);
    ups[l->n] = parent ? strdup(parent) : NULL;
    return grown[l->n++] != NULL && (!parent || ups[l->n - 1]);
}

static ccov_status region_add(loader *r, ccov_source *s, const ccov_record *rec) {
    char reason[512], repair[512];
    const char *path = ccov_io_source(s->layer);
    ccov_geom *g =
        ccov_source_frame_geometry(r->ctx, s, s->xf, rec, reason, repair, sizeof reason, NULL);
    if (!g)
        return ccov_ctx_fail(r->ctx, CCOV_ERR_GEOM, "%s: feature %lld (%s): %s", path, rec->fid,
                             rec->values[0], reason);
    ccov_region *grown = ccov_grow(r->rg->items, r->rg->n, sizeof *grown);
    if (!grown) {
        ccov_geom_free(r->ctx, g);
        return ccov_ctx_fail(r->ctx, CCOV_ERR_IO, "out of memory");
    }
    r->rg->items = grown;
    ccov_region *reg = &grown[r->rg->n++];
    *reg = (ccov_region){
        g, dup_or_empty(rec->values[0]), dup_or_empty(rec->values[1]), rec->fid, 0, NAN};
    reg->ha = ccov_measure_ha(r->ctx, &r->rg->m, g);
    if (!reg->name || !reg->iso)
        return ccov_ctx_fail(r->ctx, CCOV_ERR_IO, "out of memory");
    ccov_status st = official_value(r, path, rec, &reg->official_ha);
    if (st != CCOV_OK)
        return st;
    return repair[0] ? ccov_measure_note(r->ctx, &r->rg->repaired, &r->rg->nrepaired, path,
                                         rec->fid, repair)
                     : CCOV_OK;
}

/* The chosen region records, kept until the working frame is chosen from their coordinates. */
typedef struct {
    ccov_record *recs;
    size_t n;
} record_list;

static void records_free(record_list *l) {
    for (size_t i = 0; i < l->n; i++)
        ccov_record_clear(&l->recs[i]);
    free(l->recs);
}

static ccov_status records_keep(loader *r, record_list *l, ccov_record *rec) {
    ccov_record *grown = realloc(l->recs, (l->n + 1) * sizeof *grown);
    if (!grown)
        return ccov_ctx_fail(r->ctx, CCOV_ERR_IO, "out of memory");
    l->recs = grown;
    grown[l->n++] = *rec;
    memset(rec, 0, sizeof *rec);
    return CCOV_OK;
}

typedef struct {
    double (*iv)[2]; /* longitude interval of each shell, degrees */
    size_t n, cap;
    double lat[2];
    double deg; /* degrees per source unit */
} shells;

static bool shell_add(void *user, const double *x, const double *y, size_t n, bool exterior) {
    shells *sh = user;
    if (!exterior || n == 0)
        return true;
    if (sh->n == sh->cap) {
        size_t cap = sh->cap ? 2 * sh->cap : 16;
        double(*grown)[2] = realloc(sh->iv, cap * sizeof *grown);
        if (!grown)
            return false;
        sh->iv = grown;
        sh->cap = cap;
    }
    double lo = HUGE_VAL, hi = -HUGE_VAL;
    for (size_t i = 0; i < n; i++) {
        lo = fmin(lo, x[i]);
        hi = fmax(hi, x[i]);
        sh->lat[0] = fmin(sh->lat[0], y[i] * sh->deg);
        sh->lat[1] = fmax(sh->lat[1], y[i] * sh->deg);
    }
    sh->iv[sh->n][0] = lo * sh->deg;
    sh->iv[sh->n++][1] = hi * sh->deg;
    return true;
}

/* One region's longitudes and latitudes: each shell's in a geographic source (made continuous
   first), the bounds taken to lon/lat in a projected one (an interval across 180 has west > east).
 */
static bool region_lonlat(loader *r, const ccov_source *s, const ccov_geom *g, shells *sh) {
    if (s->src_turn > 0) {
        char problem[256];
        ccov_geom *w = ccov_geom_wrap_lon(r->ctx, g, 0, s->src_turn, true, problem, sizeof problem);
        bool ok = !w || ccov_geom_rings(r->ctx, w, shell_add, sh);
        ccov_geom_free(r->ctx, w);
        return ok;
    }
    double b[4], ll[4];
    if (!ccov_geom_bounds(r->ctx, g, b) || !ccov_crs_bbox_to_lonlat(r->ctx, s->crs, b, ll))
        return true;
    double x[2] = {ll[0], ll[2] < ll[0] ? ll[2] + 360 : ll[2]}, y[2] = {ll[1], ll[3]};
    double deg = sh->deg;
    sh->deg = 1;
    bool ok = shell_add(sh, x, y, 2, true);
    sh->deg = deg;
    return ok;
}

/* Where the regions lie (sv) and the bounds of their coordinates as read (box). */
static ccov_status regions_survey(loader *r, const ccov_source *s, const record_list *l, survey *sv,
                                  double box[4]) {
    shells sh = {NULL, 0, 0, {HUGE_VAL, -HUGE_VAL}, 1};
    if (s->src_turn > 0)
        sh.deg = 360 / s->src_turn;
    bool ok = true;
    for (size_t i = 0; ok && i < l->n; i++) {
        char problem[256];
        ccov_geom *g = l->recs[i].wkb
                           ? ccov_geom_from_wkb(r->ctx, l->recs[i].wkb, l->recs[i].wkb_size,
                                                problem, sizeof problem)
                           : NULL;
        double b[4];
        if (g && ccov_geom_is_finite(r->ctx, g) && ccov_geom_bounds(r->ctx, g, b) &&
            !ccov_source_lon_beyond(s, b)) {
            ccov_source_box_add(box, b);
            ok = region_lonlat(r, s, g, &sh);
        }
        ccov_geom_free(r->ctx, g);
    }
    ok = ok && (sh.n == 0 || ccov_crs_lon_span((const double(*)[2])sh.iv, sh.n, sv->span));
    sv->lat[0] = sh.lat[0];
    sv->lat[1] = sh.lat[1];
    free(sh.iv);
    if (!ok)
        return ccov_ctx_fail(r->ctx, CCOV_ERR_IO, "out of memory");
    return sh.n ? CCOV_OK : CCOV_ERR_GEOM;
}

/* The working frame (unless --crs named one) and the middle of the lon/lat window, from the
   regions' coordinates as read; then the way into the frame. */
static ccov_status regions_frame(loader *r, ccov_source *s, const char *path,
                                 const record_list *l) {
    survey sv = {{-180, 180}, {-90, 90}};
    double box[4] = {NAN, NAN, NAN, NAN};
    ccov_status st = regions_survey(r, s, l, &sv, box);
    if (st == CCOV_ERR_IO)
        return st;
    bool found = st == CCOV_OK;
    st = isnan(box[0]) ? CCOV_OK : ccov_source_extent_check(r->ctx, s, path, box);
    if (st != CCOV_OK)
        return st;
    r->rg->lon_centre = found ? (sv.span[0] + sv.span[1]) / 2 : 0;
    if (r->rg->lon_centre >= 180)
        r->rg->lon_centre -= 360;
    st = r->rg->frame ? CCOV_OK : frame_around(r, found ? &sv : NULL);
    return st == CCOV_OK ? ccov_source_into_frame(r->ctx, s, path, r->rg->frame, r->rg->lon_centre,
                                                  r->opts->allow_ballpark)
                         : st;
}

static ccov_status regions_read(loader *r, ccov_source *s, query_list *q, name_list *names,
                                record_list *chosen) {
    ccov_record rec = {0};
    ccov_status st = CCOV_OK;
    int got = ccov_io_next(r->ctx, s->layer, &rec);
    for (; st == CCOV_OK && got == 1; got = ccov_io_next(r->ctx, s->layer, &rec)) {
        const char *name = rec.values[0] ? rec.values[0] : "";
        r->rg->input.features++;
        if (!*name)
            ccov_ctx_msg(r->ctx, CCOV_MSG_WARNING, "%s: feature %lld: no name (field %s is empty)",
                         ccov_io_source(s->layer), rec.fid, r->name_field);
        region_key k = {name, rec.values[1],
                        r->parent_field && rec.nvalues > 3 ? rec.values[3] : NULL, rec.fid};
        if (!names_add(names, name, k.parent))
            st = ccov_ctx_fail(r->ctx, CCOV_ERR_IO, "out of memory");
        else if (region_chosen(q, &k))
            st = records_keep(r, chosen, &rec);
    }
    if (st == CCOV_OK && got < 0)
        st = CCOV_ERR_IO;
    ccov_record_clear(&rec);
    return st;
}

/* The names in file order, as many as fit in n bytes, then how many more (the message holds
   1 KB). */
static void names_text(const name_list *l, char *out, size_t n) {
    size_t used = 0, i = 0;
    out[0] = '\0';
    for (; i < l->n && used + strlen(l->v[i]) + 40 < n; i++)
        used += (size_t)snprintf(out + used, n - used, "%s%s", i ? ", " : "", l->v[i]);
    if (i < l->n)
        snprintf(out + used, n - used, "%s... and %zu more", i ? ", " : "", l->n - i);
}

#define CCOV_SUGGEST_MAX 3

/* "did you mean 'A' or 'B'? (and N other regions)": the nearest distinct names, fewest edits
   first; empty when none is near. */
static void names_suggest(const name_list *l, const char *query, char *out, size_t n) {
    size_t best[CCOV_SUGGEST_MAX], dist[CCOV_SUGGEST_MAX], k = 0;
    for (size_t i = 0; i < l->n; i++) {
        size_t d = 0, j = k;
        bool seen = false;
        for (size_t m = 0; m < k; m++)
            seen = seen || strcmp(l->v[best[m]], l->v[i]) == 0;
        if (seen || !ccov_names_near(query, l->v[i], &d))
            continue;
        for (; j > 0 && dist[j - 1] > d; j--)
            if (j < CCOV_SUGGEST_MAX) {
                best[j] = best[j - 1];
                dist[j] = dist[j - 1];
            }
        if (j < CCOV_SUGGEST_MAX) {
            best[j] = i;
            dist[j] = d;
            k += k < CCOV_SUGGEST_MAX;
        }
    }
    size_t used = 0;
    out[0] = '\0';
    for (size_t m = 0; m < k; m++)
        used += (size_t)snprintf(out + used, n - used, "%s'%s'",
                                 m == 0       ? "did you mean "
                                 : m + 1 == k ? " or "
                                              : ", ",
                                 l->v[best[m]]);
    if (k)
        snprintf(out + used, n - used, "? (and %zu other region%s)", l->n - k,
                 l->n - k == 1 ? "" : "s");
}

/* A query "NAME (PARENT)" that matches nothing (issue 15): the regions called NAME, as they can be
   picked; false when the query has not that form or no region is called NAME. */
static bool parent_choices(const name_list *l, const char *query, char *out, size_t n) {
    char name[256], parent[256];
    if (!query_parent(query, name, sizeof name, parent, sizeof parent))
        return false;
    size_t used = 0, k = 0;
    out[0] = '\0';
    for (size_t i = 0; i < l->n && used + 40 < n; i++)
        if (ccov_names_match(name, l->v[i], NULL))
            used += (size_t)snprintf(out + used, n - used, "%s\"%s (%s)\"", k++ ? ", " : "",
                                     l->v[i], l->up[i] && *l->up[i] ? l->up[i] : "no parent");
    return k > 0;
}

static ccov_status no_match(loader *r, const char *src, const char *query, const name_list *l) {
    char text[640];
    if (!r->parent_field && parent_choices(l, query, text, sizeof text))
        return ccov_ctx_fail(r->ctx, CCOV_ERR_USAGE,
                             "%s: --only: no region matches '%s': the regions have no parent "
                             "field; name it with --parent-field, or pick by feature id (--only "
                             "with the name alone lists them)",
                             src, query);
    if (parent_choices(l, query, text, sizeof text))
        return ccov_ctx_fail(r->ctx, CCOV_ERR_USAGE,
                             "%s: --only: no region matches '%s' (parents from field %s): %s", src,
                             query, r->parent_field, text);
    names_suggest(l, query, text, sizeof text);
    if (text[0])
        return ccov_ctx_fail(r->ctx, CCOV_ERR_USAGE, "%s: --only: no region matches '%s'; %s", src,
                             query, text);
    names_text(l, text, sizeof text);
    return ccov_ctx_fail(r->ctx, CCOV_ERR_USAGE, "%s: --only: no region matches '%s' (regions: %s)",
                         src, query, text);
}

/* Every --only name must pick exactly one region. */
static ccov_status queries_check(loader *r, const char *src, const query_list *q,
                                 const name_list *names) {
    char text[640];
    names_text(names, text, sizeof text);
    if (r->opts->only && q->n == 0)
        return ccov_ctx_fail(r->ctx, CCOV_ERR_USAGE, "--only: no region name given (regions: %s)",
                             text);
    for (size_t i = 0; i < q->n; i++) {
        if (q->hits[i] == 0)
            return no_match(r, src, q->names[i], names);
        /* (the list starts with a quoted "name (parent)" when the first region has a parent) */
        if (q->hits[i] > 1 && r->parent_field && q->isos[i][0] == '"')
            return ccov_ctx_fail(r->ctx, CCOV_ERR_USAGE,
                                 "%s: --only: '%s' is ambiguous: %zu regions have that name (%s); "
                                 "pick one by name and parent (field %s) or by feature id, e.g. "
                                 "%s",
                                 src, q->names[i], q->hits[i], q->isos[i], r->parent_field,
                                 q->pick[i]);
        if (q->hits[i] > 1)
            return ccov_ctx_fail(r->ctx, CCOV_ERR_USAGE,
                                 "%s: --only: '%s' is ambiguous: %zu regions have that name (%s); "
                                 "pick one by its feature id, e.g. %s (or as \"NAME (PARENT)\" "
                                 "with --parent-field naming the field of the parent region)",
                                 src, q->names[i], q->hits[i], q->isos[i], q->pick[i]);
    }
    return CCOV_OK;
}

/* Where and how the regions are read, from the options. */
static ccov_source_spec regions_spec(const ccov_options *o) {
    return (ccov_source_spec){.layer = o->regions_layer,
                              .layer_option = "--regions-layer",
                              .sql = o->regions_sql,
                              .sql_option = "--regions-sql",
                              .geom_column = o->regions_geom_column,
                              .geom_option = "--regions-geom-column",
                              .assume_crs = o->assume_crs,
                              .step_m = CCOV_REGION_STEP_M};
}

/* Read the chosen regions of the open source s into the working frame. */
static ccov_status regions_take(loader *r, ccov_source *s, const char *src, query_list *q) {
    record_list chosen = {0};
    name_list names = {0};
    ccov_status st = region_fields(r, s, src);
    if (st == CCOV_OK)
        st = regions_read(r, s, q, &names, &chosen);
    if (st == CCOV_OK)
        st = queries_check(r, src, q, &names);
    if (st == CCOV_OK)
        st = regions_frame(r, s, src, &chosen);
    for (size_t i = 0; st == CCOV_OK && i < chosen.n; i++)
        st = region_add(r, s, &chosen.recs[i]);
    records_free(&chosen);
    names_free(&names);
    return st;
}

static ccov_status regions_load(loader *r) {
    char path[4096];
    const char *src = ccov_coverage_default_regions(r->opts->regions_src, path, sizeof path);
    ccov_source_spec spec = regions_spec(r->opts);
    ccov_source s = {0};
    query_list q = {0};
    ccov_status st = CCOV_OK;
    if (r->opts->only && !queries_parse(r->opts->only, &q))
        st = ccov_ctx_fail(r->ctx, CCOV_ERR_IO, "out of memory");
    if (st == CCOV_OK)
        st = ccov_source_open_checked(r->ctx, &s, src, &spec);
    if (st == CCOV_OK)
        st = regions_take(r, &s, src, &q);
    if (st == CCOV_OK && r->rg->n == 0)
        st = ccov_ctx_fail(r->ctx, CCOV_ERR_IO, "%s: no regions", src);
    if (st == CCOV_OK)
        st = ccov_source_describe(r->ctx, &s, &r->rg->input);
    if (st == CCOV_OK)
        r->rg->input.credit = ccov_coverage_boundary_credit(src, s.layer);
    r->rg->input.used = (long long)r->rg->n;
    queries_free(&q);
    ccov_source_close(&s);
    return st;
}

/* Regions in name order, ties in the order they were read. */
static int by_name(const void *x, const void *y) {
    const ccov_region *a = *(const ccov_region *const *)x, *b = *(const ccov_region *const *)y;
    int c = strcmp(a->name, b->name);
    return c ? c : (a > b) - (a < b);
}

/* Regions that share a name: found by sorting, so the check stays fast with many regions. */
static ccov_status same_names_check(loader *r) {
    const ccov_region **sorted = malloc((r->rg->n ? r->rg->n : 1) * sizeof *sorted);
    if (!sorted)
        return ccov_ctx_fail(r->ctx, CCOV_ERR_IO, "out of memory");
    for (size_t i = 0; i < r->rg->n; i++)
        sorted[i] = &r->rg->items[i];
    qsort(sorted, r->rg->n, sizeof *sorted, by_name);
    for (size_t i = 1; i < r->rg->n; i++)
        if (strcmp(sorted[i - 1]->name, sorted[i]->name) == 0)
            ccov_ctx_msg(r->ctx, CCOV_MSG_WARNING,
                         "%s: region '%s' appears twice (features %lld and %lld, same name); "
                         "each is reported on its own row",
                         r->rg->input.path, sorted[i]->name, sorted[i - 1]->fid, sorted[i]->fid);
    free(sorted);
    return CCOV_OK;
}

/* Region i against the later regions js whose extents meet its own: warn of any overlap. */
static ccov_status overlaps_of(size_t i, const size_t *js, size_t nj, void *user) {
    loader *r = user;
    const ccov_region *a = &r->rg->items[i];
    ccov_prepared *p = ccov_geom_prepare(r->ctx, a->geom);
    if (!p)
        return ccov_ctx_fail(r->ctx, CCOV_ERR_GEOM, "region '%s': cannot prepare", a->name);
    for (size_t k = 0; k < nj; k++) {
        const ccov_region *b = &r->rg->items[js[k]];
        ccov_place where;
        ccov_geom *both = ccov_geom_clip(r->ctx, p, b->geom, &where);
        double ha = both ? ccov_measure_ha(r->ctx, &r->rg->m, both) : 0;
        ccov_geom_free(r->ctx, both);
        if (ha > 1e-4)
            ccov_ctx_msg(r->ctx, CCOV_MSG_WARNING,
                         "%s: regions '%s' and '%s' overlap by %.4f ha: cleared land there "
                         "counts in both, and in the totals twice",
                         r->rg->input.path, a->name, b->name, ha);
    }
    ccov_geom_prepared_free(r->ctx, p);
    return CCOV_OK;
}

/* Regions that share a name or overlap make totals ambiguous: say so (a region's own figures stay
   right; totals add the regions up, so an overlap is counted in each region it lies in). Only
   pairs whose extents meet are measured (a GEOS STRtree finds them). */
static ccov_status regions_check(loader *r) {
    ccov_status st = same_names_check(r);
    ccov_geom **geoms = st == CCOV_OK ? malloc((r->rg->n ? r->rg->n : 1) * sizeof *geoms) : NULL;
    if (st == CCOV_OK && !geoms)
        st = ccov_ctx_fail(r->ctx, CCOV_ERR_IO, "out of memory");
    for (size_t i = 0; geoms && i < r->rg->n; i++)
        geoms[i] = r->rg->items[i].geom;
    if (st == CCOV_OK)
        st = ccov_geom_box_pairs(r->ctx, geoms, r->rg->n, overlaps_of, r);
    free(geoms);
    return st;
}

ccov_status ccov_regions_load(ccov_ctx *ctx, const ccov_options *opts, ccov_regions *rg) {
    memset(rg, 0, sizeof *rg);
    loader r = {.ctx = ctx, .opts = opts, .rg = rg};
    ccov_status st = measure_setup(&r);
    return st == CCOV_OK ? regions_load(&r) : st;
}

ccov_status ccov_regions_check(ccov_ctx *ctx, const ccov_regions *rg) {
    loader r = {.ctx = ctx, .rg = (ccov_regions *)rg};
    return regions_check(&r);
}

static void input_free(ccov_input *in) {
    free(in->path);
    free(in->layer);
    free(in->crs);
    free(in->operation);
}

void ccov_regions_free(ccov_ctx *ctx, ccov_regions *rg) {
    for (size_t i = 0; i < rg->n; i++) {
        ccov_geom_free(ctx, rg->items[i].geom);
        free(rg->items[i].name);
        free(rg->items[i].iso);
    }
    free(rg->items);
    ccov_xform_free(rg->to_lonlat);
    ccov_crs_free(rg->frame);
    input_free(&rg->input);
    ccov_measure_notes_free(rg->repaired, rg->nrepaired);
    memset(rg, 0, sizeof *rg);
}
