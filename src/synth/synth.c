/* synth: seeded synthetic cleared-area polygons. Shapes are drawn in metres in the local UTM
   zone around centres placed in and around the regions, then written in the requested CRS. */
#include "clearcov/synth.h"
#include "coverage/regions.h"
#include "crs/crs.h"
#include "geom/geom.h"
#include "io/io.h"

#include <math.h>
#include <stdarg.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>

#define PI 3.14159265358979323846
#define RECENT 256 /* how many earlier features duplicates and overlaps may refer to */

/* xoshiro256** seeded through splitmix64: the same stream on every machine. */
typedef struct {
    uint64_t s[4];
} prng;

static uint64_t splitmix64(uint64_t *x) {
    uint64_t z = (*x += 0x9E3779B97F4A7C15u);
    z = (z ^ (z >> 30)) * 0xBF58476D1CE4E5B9u;
    z = (z ^ (z >> 27)) * 0x94D049BB133111EBu;
    return z ^ (z >> 31);
}

static void prng_seed(prng *p, uint64_t seed) {
    for (int i = 0; i < 4; i++)
        p->s[i] = splitmix64(&seed);
}

static uint64_t rotl(uint64_t x, int k) { return (x << k) | (x >> (64 - k)); }

static uint64_t prng_next(prng *p) {
    uint64_t *s = p->s;
    uint64_t result = rotl(s[1] * 5, 7) * 9;
    uint64_t t = s[1] << 17;
    s[2] ^= s[0];
    s[3] ^= s[1];
    s[1] ^= s[2];
    s[0] ^= s[3];
    s[2] ^= t;
    s[3] = rotl(s[3], 45);
    return result;
}

/* Uniform in [0, 1). */
static double uniform(prng *p) { return (double)(prng_next(p) >> 11) * 0x1.0p-53; }

static double between(prng *p, double lo, double hi) { return lo + (hi - lo) * uniform(p); }

static int pick(prng *p, int n) { return (int)(uniform(p) * n); }

/* Approximately standard normal (Irwin-Hall: sum of 12 uniforms), no libm dependence. */
static double normal(prng *p) {
    double sum = 0;
    for (int i = 0; i < 12; i++)
        sum += uniform(p);
    return sum - 6.0;
}

/* Cleared-area size in m2: log-normal with median 1.6 ha (most between 0.5 and 5 ha),
   kept within 0.05 to 200 ha. */
static double draw_area_m2(prng *p) {
    double ha = 1.6 * exp(normal(p));
    if (uniform(p) < 0.02)
        ha = between(p, 20, 200); /* large area clearance / battle-area tasks */
    ha = ha < 0.05 ? 0.05 : ha > 200 ? 200 : ha;
    return ha * 1e4;
}

/* ---- WKT text, grown as needed ---- */

typedef struct {
    char *buf;
    size_t len, cap;
    bool failed;
} text;

__attribute__((format(printf, 2, 3))) static void put(text *t, const char *fmt, ...) {
    for (;;) {
        va_list ap;
        va_start(ap, fmt);
        size_t room = t->cap - t->len;
        int n = t->buf ? vsnprintf(t->buf + t->len, room, fmt, ap) : -1;
        va_end(ap);
        if (t->buf && n >= 0 && (size_t)n < room) {
            t->len += (size_t)n;
            return;
        }
        size_t cap = t->cap ? t->cap * 2 : 1024;
        char *grown = realloc(t->buf, cap);
        if (!grown) {
            t->failed = true;
            return;
        }
        t->buf = grown;
        t->cap = cap;
    }
}

/* A ring of n points (x, y interleaved), closed, as "(x y, ...)". */
static void put_ring(text *t, const double *xy, int n) {
    put(t, "(");
    for (int i = 0; i <= n; i++)
        put(t, "%s%.3f %.3f", i ? "," : "", xy[2 * (i % n)], xy[2 * (i % n) + 1]);
    put(t, ")");
}

/* ---- shapes, in metres around (cx, cy) ---- */

enum { MAXV = 32 };

static int rect_ring(prng *p, double cx, double cy, double area, double *xy) {
    double aspect = between(p, 1, 4), theta = between(p, 0, PI);
    double w = sqrt(area * aspect), h = area / w;
    const double corner[4][2] = {{-0.5, -0.5}, {0.5, -0.5}, {0.5, 0.5}, {-0.5, 0.5}};
    for (int i = 0; i < 4; i++) {
        double u = corner[i][0] * w, v = corner[i][1] * h;
        xy[2 * i] = cx + u * cos(theta) - v * sin(theta);
        xy[2 * i + 1] = cy + u * sin(theta) + v * cos(theta);
    }
    return 4;
}

/* A star-shaped ring of n vertices: at increasing angles, radii between lo and hi times the
   mean radius of a circle of that area. */
static int star_ring(prng *p, double cx, double cy, double area, int n, double lo, double hi,
                     double *xy) {
    double r = sqrt(area / PI), start = between(p, 0, 2 * PI);
    for (int i = 0; i < n; i++) {
        double a = start + 2 * PI * (i + between(p, -0.3, 0.3)) / n;
        double ri = r * between(p, lo, hi);
        xy[2 * i] = cx + ri * cos(a);
        xy[2 * i + 1] = cy + ri * sin(a);
    }
    return n;
}

/* A star-shaped polygon: 6 to 16 vertices, radii jittered by a quarter around the mean. */
static int irregular_ring(prng *p, double cx, double cy, double area, double *xy) {
    int n = 6 + pick(p, 11);
    return star_ring(p, cx, cy, area, n, 0.75, 1.25, xy);
}

typedef enum {
    SHAPE_RECT,
    SHAPE_IRREGULAR,
    SHAPE_BOWTIE,
    SHAPE_HOLE_OUTSIDE,
    SHAPE_REPEATED,
    SHAPE_MULTI,
    SHAPE_HOLE,
    SHAPE_SLIVER,    /* a strip 1 to 3 m wide: a mapping artefact */
    SHAPE_COLLAPSED, /* a ring with two distinct vertices */
    SHAPE_LONG       /* a road or canal clearance, several kilometres long */
} shape_kind;

static shape_kind draw_shape(prng *p) {
    double u = uniform(p);
    return u < 0.03    ? SHAPE_BOWTIE
           : u < 0.05  ? SHAPE_HOLE_OUTSIDE
           : u < 0.07  ? SHAPE_REPEATED
           : u < 0.10  ? SHAPE_MULTI
           : u < 0.13  ? SHAPE_HOLE
           : u < 0.135 ? SHAPE_SLIVER
           : u < 0.138 ? SHAPE_COLLAPSED
           : u < 0.140 ? SHAPE_LONG
           : u < 0.50  ? SHAPE_RECT
                       : SHAPE_IRREGULAR;
}

/* A rotated strip of the given width and length. */
static void put_strip(prng *p, text *t, double cx, double cy, double width, double length) {
    double theta = between(p, 0, PI), a[8];
    const double corner[4][2] = {{-0.5, -0.5}, {0.5, -0.5}, {0.5, 0.5}, {-0.5, 0.5}};
    for (int i = 0; i < 4; i++) {
        double u = corner[i][0] * length, v = corner[i][1] * width;
        a[2 * i] = cx + u * cos(theta) - v * sin(theta);
        a[2 * i + 1] = cy + u * sin(theta) + v * cos(theta);
    }
    put(t, "POLYGON(");
    put_ring(t, a, 4);
    put(t, ")");
}

/* Strips and collapsed rings: the record errors an audit looks for. */
static void put_defect(prng *p, text *t, shape_kind kind, double cx, double cy) {
    if (kind == SHAPE_SLIVER) {
        put_strip(p, t, cx, cy, between(p, 1, 3), between(p, 300, 1000));
    } else if (kind == SHAPE_LONG) {
        put_strip(p, t, cx, cy, between(p, 100, 250), between(p, 5500, 8000));
    } else {
        double a[6] = {cx, cy, cx + between(p, 20, 80), cy + between(p, 20, 80), cx, cy};
        put(t, "POLYGON((%.3f %.3f,%.3f %.3f,%.3f %.3f,%.3f %.3f))", a[0], a[1], a[2], a[3], a[4],
            a[5], a[0], a[1]);
    }
}

/* Shapes whose rings are made invalid on purpose or that carry extra rings or parts. */
static void put_special(prng *p, text *t, shape_kind kind, double cx, double cy, double area) {
    if (kind == SHAPE_SLIVER || kind == SHAPE_COLLAPSED || kind == SHAPE_LONG) {
        put_defect(p, t, kind, cx, cy);
        return;
    }
    double a[2 * MAXV], b[2 * MAXV];
    int n = rect_ring(p, cx, cy, area, a);
    double r = sqrt(area);
    if (kind == SHAPE_BOWTIE) {
        double sx = a[2], sy = a[3]; /* swap two corners: the ring crosses itself */
        a[2] = a[4], a[3] = a[5], a[4] = sx, a[5] = sy;
        put(t, "POLYGON(");
        put_ring(t, a, n);
    } else if (kind == SHAPE_HOLE_OUTSIDE || kind == SHAPE_MULTI) {
        double dx = r * between(p, 1.5, 3), dy = r * between(p, -1, 1);
        int m = rect_ring(p, cx + dx, cy + dy, area * between(p, 0.05, 0.4), b);
        put(t, kind == SHAPE_MULTI ? "MULTIPOLYGON((" : "POLYGON(");
        put_ring(t, a, n);
        put(t, kind == SHAPE_MULTI ? "),(" : ",");
        put_ring(t, b, m);
        if (kind == SHAPE_MULTI)
            put(t, ")");
    } else {
        n = irregular_ring(p, cx, cy, area, a);
        put(t, "POLYGON(");
        if (kind == SHAPE_REPEATED) { /* the same vertex twice in a row */
            int k = pick(p, n);
            memmove(a + 2 * k + 2, a + 2 * k, (size_t)(2 * (n - k)) * sizeof *a);
            n++;
        }
        put_ring(t, a, n);
        if (kind == SHAPE_HOLE) {
            put(t, ",");
            int m = rect_ring(p, cx, cy, area * between(p, 0.02, 0.15), b);
            put_ring(t, b, m);
        }
    }
    put(t, ")");
}

static void put_shape(prng *p, text *t, shape_kind kind, double cx, double cy, double area) {
    double a[2 * MAXV];
    if (kind == SHAPE_RECT || kind == SHAPE_IRREGULAR) {
        int n =
            kind == SHAPE_RECT ? rect_ring(p, cx, cy, area, a) : irregular_ring(p, cx, cy, area, a);
        put(t, "POLYGON(");
        put_ring(t, a, n);
        put(t, ")");
        return;
    }
    put_special(p, t, kind, cx, cy, area);
}

/* ---- placement ---- */

typedef struct {
    double x, y, r, area; /* centre in the generation frame (m), mean radius, area (m2) */
    char *wkt;
    char task_id[24];
    int region;  /* where it was placed, -1 outside every region */
    bool survey; /* --release: a reduced or cancelled record */
} recent_feature;

/* How the land of a --release record was released. */
typedef enum { REL_CLEARED, REL_REDUCED, REL_CANCELLED } release_status;

typedef struct {
    ccov_ctx *ctx;
    prng rng;
    ccov_geom **regions;
    char **names;
    ccov_prepared **preps;
    size_t nregions;
    ccov_geom *all;
    ccov_prepared *prep_all;
    double bbox[4]; /* lon/lat of all regions */
    ccov_crs *lonlat, *gen, *out;
    ccov_xform *to_gen, *to_out; /* lon/lat -> local UTM -> output CRS (NULL: same) */
    recent_feature recent[RECENT];
    size_t nrecent;
    ccov_writer *w;
    bool release, status_variants; /* ccov_synth_options' */
} synth;

typedef enum { PLACE_INSIDE, PLACE_BORDER, PLACE_OUTSIDE } placement;

static ccov_status cannot_place(synth *s) {
    return ccov_ctx_fail(s->ctx, CCOV_ERR_GEOM, "synth: cannot place a polygon");
}

/* A point drawn in the regions' box (widened when want_inside is false) that lies inside the
   regions or outside all of them, as wanted; *found false when none of the draws did. */
static ccov_status random_inside(synth *s, double *x, double *y, bool want_inside, bool *found) {
    double margin = want_inside ? 0 : 0.15;
    *found = false;
    for (int tries = 0; tries < 100000 && !*found; tries++) {
        *x = between(&s->rng, s->bbox[0] - margin, s->bbox[2] + margin);
        *y = between(&s->rng, s->bbox[1] - margin, s->bbox[3] + margin);
        bool inside = false;
        if (ccov_geom_contains_point(s->ctx, s->prep_all, *x, *y, &inside) != CCOV_OK)
            return ccov_ctx_fail(s->ctx, CCOV_ERR_GEOM, "synth: placing a polygon: %s",
                                 ccov_ctx_error(s->ctx));
        *found = inside == want_inside;
    }
    return CCOV_OK;
}

/* The region the point lies inside (*region, -1: none). */
static ccov_status region_at(synth *s, double x, double y, int *region) {
    *region = -1;
    for (size_t i = 0; i < s->nregions && *region < 0; i++) {
        bool inside = false;
        if (ccov_geom_contains_point(s->ctx, s->preps[i], x, y, &inside) != CCOV_OK)
            return ccov_ctx_fail(s->ctx, CCOV_ERR_GEOM, "synth: region %s: %s", s->names[i],
                                 ccov_ctx_error(s->ctx));
        if (inside)
            *region = (int)i;
    }
    return CCOV_OK;
}

/* A centre in lon/lat: inside the regions, on one of their borders (province or national), or
   outside all of them; *region tells which region it belongs to (-1: none). */
static ccov_status draw_centre(synth *s, placement where, double *x, double *y, int *region) {
    if (where == PLACE_BORDER) {
        *region = pick(&s->rng, (int)s->nregions);
        bool ok = ccov_geom_boundary_point(s->ctx, s->regions[*region], uniform(&s->rng), x, y);
        return ok ? CCOV_OK : cannot_place(s);
    }
    bool found = false;
    *region = -1;
    ccov_status st = random_inside(s, x, y, where == PLACE_INSIDE, &found);
    if (st == CCOV_OK && !found)
        st = cannot_place(s);
    if (st == CCOV_OK && where == PLACE_INSIDE)
        st = region_at(s, *x, *y, region);
    return st;
}

static placement draw_placement(prng *p) {
    double u = uniform(p);
    return u < 0.82 ? PLACE_INSIDE : u < 0.94 ? PLACE_BORDER : PLACE_OUTSIDE;
}

/* ---- attributes ---- */

static const char *const OPERATORS[] = {"UXO Lao", "HALO Trust", "MAG", "NPA",
                                        "RU-MoD",  "JMAS",       "HI"};
static const char *const METHODS[] = {"full clearance", "technical survey", "non-technical survey",
                                      "battle area clearance", "subsurface clearance"};

enum { NFIELDS = 8, NRELEASE_FIELDS = 10 };
static const ccov_field_def FIELDS[NRELEASE_FIELDS] = {{"task_id", CCOV_VALUE_STRING},
                                                       {"operator", CCOV_VALUE_STRING},
                                                       {"year", CCOV_VALUE_INT},
                                                       {"status", CCOV_VALUE_STRING},
                                                       {"reported_area", CCOV_VALUE_REAL},
                                                       {"reported_unit", CCOV_VALUE_STRING},
                                                       {"method", CCOV_VALUE_STRING},
                                                       {"province", CCOV_VALUE_STRING},
                                                       /* --release only */
                                                       {"start_date", CCOV_VALUE_DATE},
                                                       {"end_date", CCOV_VALUE_DATE}};

typedef struct {
    char task_id[24], year[16], area[48], province[96], start[48], end[48];
    release_status status; /* --release */
    const char *values[NRELEASE_FIELDS];
} attributes;

/* The record's own figure: the true area with a few per cent of noise, sometimes far off (a
   typo, a wrong unit), in m2 or ha. */
static void draw_attributes(prng *p, double area_m2, attributes *a) {
    double u = uniform(p);
    const char *status = u < 0.82 ? "cleared" : u < 0.94 ? "reduced" : "cancelled";
    double reported = area_m2 * (1 + 0.03 * normal(p));
    if (uniform(p) < 0.03)
        reported *= uniform(p) < 0.5 ? 10 : 0.1;
    bool in_ha = uniform(p) < 0.3;
    snprintf(a->area, sizeof a->area, in_ha ? "%.4f" : "%.1f", in_ha ? reported / 1e4 : reported);
    int year = 2008 + pick(p, 17);
    if (uniform(p) < 0.003) /* a typing slip: a century off */
        year += uniform(p) < 0.5 ? -100 : 100;
    snprintf(a->year, sizeof a->year, "%d", year);
    a->values[0] = a->task_id;
    a->values[1] = OPERATORS[pick(p, (int)(sizeof OPERATORS / sizeof *OPERATORS))];
    a->values[2] = a->year;
    a->values[3] = status;
    a->values[4] = a->area;
    a->values[5] = in_ha ? "ha" : "m2";
    a->values[6] = METHODS[pick(p, (int)(sizeof METHODS / sizeof *METHODS))];
    a->values[7] = NULL;
}

/* The record's own province: where it was placed, upper-cased now and then (a different
   spelling of the same name), and in 2 % of the records another region's (a data-entry slip). */
static void draw_province(synth *s, int region, attributes *a) {
    double u = uniform(&s->rng);
    if (region < 0)
        return;
    if (u < 0.02 && s->nregions > 1)
        region = (region + 1 + pick(&s->rng, (int)s->nregions - 1)) % (int)s->nregions;
    snprintf(a->province, sizeof a->province, "%s", s->names[region]);
    for (char *c = a->province; u >= 0.02 && u < 0.05 && *c; c++)
        *c = (char)(*c >= 'a' && *c <= 'z' ? *c - 'a' + 'A' : *c);
    a->values[7] = a->province;
}

/* ---- land release (--release) ---- */

static release_status draw_release_status(prng *p) {
    double u = uniform(p);
    return u < 0.60 ? REL_CLEARED : u < 0.85 ? REL_REDUCED : REL_CANCELLED;
}

/* Days since 1970-01-01 of a proleptic Gregorian date, and back (H. Hinnant's algorithms). */
static long days_from_civil(long y, int m, int d) {
    y -= m <= 2;
    long era = (y >= 0 ? y : y - 399) / 400;
    long yoe = y - era * 400;
    long doy = (153 * (m + (m > 2 ? -3 : 9)) + 2) / 5 + d - 1;
    return era * 146097 + yoe * 365 + yoe / 4 - yoe / 100 + doy - 719468;
}

static void put_date(long z, char *buf, size_t n) {
    z += 719468;
    long era = (z >= 0 ? z : z - 146096) / 146097;
    long doe = z - era * 146097;
    long yoe = (doe - doe / 1460 + doe / 36524 - doe / 146096) / 365;
    long doy = doe - (365 * yoe + yoe / 4 - yoe / 100);
    long mp = (5 * doy + 2) / 153;
    long d = doy - (153 * mp + 2) / 5 + 1, m = mp < 10 ? mp + 3 : mp - 9;
    snprintf(buf, n, "%04ld-%02d-%02d", yoe + era * 400 + (m <= 2), (int)m, (int)d);
}

/* The status as written: the plain word, or with status_variants one of its usual spellings. */
static const char *status_text(synth *s, release_status st) {
    static const char *const SPELLINGS[3][4] = {
        {"cleared", "Cleared", "Completed", " CLEARED "},
        {"reduced", "TS reduced", "Reduced", "reduced"},
        {"cancelled", "NTS cancelled", "Cancelled", "cancelled"}};
    return SPELLINGS[st][s->status_variants ? pick(&s->rng, 4) : 0];
}

/* Status, method and dates of a --release record: the work ends in the record's year, after
   days (non-technical survey), weeks (technical survey) or months (clearance). */
static void draw_release(synth *s, attributes *a) {
    static const char *const CLEARANCE[] = {"full clearance", "battle area clearance",
                                            "subsurface clearance"};
    long year = strtol(a->year, NULL, 10);
    long end = days_from_civil(year, 1, 1) + pick(&s->rng, 365);
    int days = a->status == REL_CLEARED   ? 20 + pick(&s->rng, 220)
               : a->status == REL_REDUCED ? 5 + pick(&s->rng, 90)
                                          : 1 + pick(&s->rng, 14);
    put_date(end - days, a->start, sizeof a->start);
    put_date(end, a->end, sizeof a->end);
    a->values[3] = status_text(s, a->status);
    a->values[6] = a->status == REL_CLEARED   ? CLEARANCE[pick(&s->rng, 3)]
                   : a->status == REL_REDUCED ? "technical survey"
                                              : "non-technical survey";
    a->values[8] = a->start;
    a->values[9] = a->end;
}

/* The first cleared record among the recent ones from ref on, NULL if none is. */
static const recent_feature *cleared_near(const synth *s, const recent_feature *ref) {
    size_t k = (size_t)(ref - s->recent);
    for (size_t j = 0; j < s->nrecent; j++)
        if (!s->recent[(k + j) % s->nrecent].survey)
            return &s->recent[(k + j) % s->nrecent];
    return NULL;
}

/* A survey polygon drawn around a recent cleared record: it holds it (60 %: 7 to 12 times its
   area, so 2.6 to 3.5 times its radius, centred within a tenth of its own radius: its outline, at
   0.82 of its mean radius or more, clears a rectangle or irregular record, whose farthest point is
   1.83 of the record's mean radius) or overlaps one side of it (1.5 to 4 times its area). */
static void draw_survey(synth *s, const recent_feature *ref, double *cx, double *cy, double *area) {
    bool holds = uniform(&s->rng) < 0.6;
    double grow = holds ? between(&s->rng, 7, 12) : between(&s->rng, 1.5, 4);
    double r = ref->r * sqrt(grow), angle = between(&s->rng, 0, 2 * PI);
    double d = holds ? r * between(&s->rng, 0, 0.1) : (r + ref->r) * between(&s->rng, 0.5, 0.7);
    *cx = ref->x + d * cos(angle);
    *cy = ref->y + d * sin(angle);
    *area = ref->area * grow;
    *area = *area > 5e6 ? 5e6 : *area; /* at most 500 ha */
}

/* The survey polygon: 12 to 16 vertices at radii 0.9 to 1.1 of the mean, so that every point
   of its outline lies at least 0.82 of the mean radius from the centre. */
static void put_survey(prng *p, text *t, double cx, double cy, double area) {
    double xy[2 * MAXV];
    int n = 12 + pick(p, 5);
    star_ring(p, cx, cy, area, n, 0.9, 1.1, xy);
    put(t, "POLYGON(");
    put_ring(t, xy, n);
    put(t, ")");
}

/* ---- features ---- */

static bool to_out(void *user, double *x, double *y) {
    return ccov_xform_points(user, x, 1, y, 1, 1) == 0;
}

/* `area` is the intended area (m2): what the record reports when its drawn polygon is invalid. */
static ccov_status write_feature(synth *s, const char *wkt, double area, int region,
                                 attributes *a) {
    ccov_geom *g = ccov_geom_from_wkt(s->ctx, wkt);
    if (!g)
        return ccov_ctx_fail(s->ctx, CCOV_ERR_GEOM, "synth: bad shape %.60s", wkt);
    if (ccov_geom_is_valid(s->ctx, g))
        area = ccov_geom_planar_area(s->ctx, g);
    draw_attributes(&s->rng, area, a);
    draw_province(s, region, a);
    if (s->release)
        draw_release(s, a);
    ccov_geom *moved = s->to_out ? ccov_geom_transform(s->ctx, g, to_out, s->to_out) : g;
    unsigned char *wkb = NULL;
    size_t size = 0;
    ccov_status st = CCOV_OK;
    if (!moved || !ccov_geom_to_wkb(s->ctx, moved, &wkb, &size))
        st = ccov_ctx_fail(s->ctx, CCOV_ERR_CRS, "synth: cannot transform to the output CRS");
    else
        st = ccov_io_writer_add(s->ctx, s->w, -1, wkb, size, a->values);
    free(wkb);
    if (moved != g)
        ccov_geom_free(s->ctx, moved);
    ccov_geom_free(s->ctx, g);
    return st;
}

/* Centre and size of a new feature: overlapping or nested in a recent one, or placed afresh. */
static ccov_status draw_new(synth *s, const recent_feature *ref, double u, double *cx, double *cy,
                            double *area, int *region) {
    if (ref && u < 0.21)
        *region = ref->region;
    if (ref && u < 0.15) { /* partial overlap */
        double angle = between(&s->rng, 0, 2 * PI), d = ref->r * between(&s->rng, 0.5, 1.0);
        *cx = ref->x + d * cos(angle);
        *cy = ref->y + d * sin(angle);
        *area = draw_area_m2(&s->rng);
        return CCOV_OK;
    }
    if (ref && u < 0.21) { /* nested */
        *cx = ref->x + ref->r * between(&s->rng, -0.1, 0.1);
        *cy = ref->y + ref->r * between(&s->rng, -0.1, 0.1);
        *area = ref->area * between(&s->rng, 0.05, 0.2);
        return CCOV_OK;
    }
    ccov_status st = draw_centre(s, draw_placement(&s->rng), cx, cy, region);
    if (st != CCOV_OK)
        return st;
    *area = draw_area_m2(&s->rng);
    return ccov_xform_points(s->to_gen, cx, 1, cy, 1, 1) == 0 ? CCOV_OK : cannot_place(s);
}

static void remember(synth *s, long long i, text *t, double cx, double cy, double area,
                     const char *task_id, int region) {
    recent_feature *slot = &s->recent[i % RECENT];
    free(slot->wkt);
    *slot = (recent_feature){cx, cy, sqrt(area / PI), area, t->buf, "", region, false};
    snprintf(slot->task_id, sizeof slot->task_id, "%s", task_id);
    t->buf = NULL;
    if (s->nrecent < RECENT)
        s->nrecent++;
}

/* The task id: its own, or (rarely) a recent one written differently, as a re-keyed record. */
static void draw_task_id(prng *p, long long i, const recent_feature *ref, attributes *a) {
    snprintf(a->task_id, sizeof a->task_id, "T%07lld", i + 1);
    if (!ref || uniform(p) >= 0.005)
        return;
    if (uniform(p) < 0.5) {
        snprintf(a->task_id, sizeof a->task_id, "%s", ref->task_id);
        a->task_id[0] = 't';
    } else {
        snprintf(a->task_id, sizeof a->task_id, "%.20s ", ref->task_id);
    }
}

static ccov_status synth_one(synth *s, long long i) {
    text t = {0};
    attributes a;
    a.status = s->release ? draw_release_status(&s->rng) : REL_CLEARED;
    double u = uniform(&s->rng), cx = 0, cy = 0, area = 0;
    int region = -1;
    const recent_feature *ref = s->nrecent ? &s->recent[pick(&s->rng, (int)s->nrecent)] : NULL;
    draw_task_id(&s->rng, i, ref, &a);
    if (ref && a.status != REL_CLEARED && cleared_near(s, ref)) {
        draw_survey(s, cleared_near(s, ref), &cx, &cy, &area);
        region = ref->region;
        put_survey(&s->rng, &t, cx, cy, area);
    } else if (ref && u < 0.03) { /* exact duplicate, half of them under the same task id */
        put(&t, "%s", ref->wkt);
        cx = ref->x, cy = ref->y, area = ref->area, region = ref->region;
        if (uniform(&s->rng) < 0.5)
            snprintf(a.task_id, sizeof a.task_id, "%s", ref->task_id);
    } else {
        ccov_status st = draw_new(s, ref, u, &cx, &cy, &area, &region);
        if (st != CCOV_OK)
            return st;
        put_shape(&s->rng, &t, draw_shape(&s->rng), cx, cy, area);
    }
    if (t.failed) {
        free(t.buf);
        return ccov_ctx_fail(s->ctx, CCOV_ERR_IO, "synth: out of memory");
    }
    ccov_status st = write_feature(s, t.buf, area, region, &a);
    remember(s, i, &t, cx, cy, area, a.task_id, region);
    s->recent[i % RECENT].survey = a.status != REL_CLEARED;
    return st;
}

/* ---- run ---- */

/* The UTM zone around the regions' centre: shapes are drawn there in true metres. */
static void utm_zone_for(const double bbox[4], char *def, size_t n) {
    double lon = (bbox[0] + bbox[2]) / 2, lat = (bbox[1] + bbox[3]) / 2;
    int zone = (int)floor((lon + 180) / 6) + 1;
    zone = zone < 1 ? 1 : zone > 60 ? 60 : zone;
    snprintf(def, n, "EPSG:%d", (lat >= 0 ? 32600 : 32700) + zone);
}

/* The regions (all of them, in lon/lat) through the coverage regions loader: their geometries and
   names taken over into s. */
static ccov_status regions_read(synth *s, const ccov_synth_options *o) {
    ccov_options ro = {.regions_src = o->regions_src, .crs = "EPSG:4326"};
    ccov_regions rg;
    ccov_status st = ccov_regions_load(s->ctx, &ro, &rg);
    size_t k = rg.n ? rg.n : 1;
    s->regions = st == CCOV_OK ? malloc(k * sizeof *s->regions) : NULL;
    s->names = s->regions ? malloc(k * sizeof *s->names) : NULL;
    if (st == CCOV_OK && !s->names)
        st = ccov_ctx_fail(s->ctx, CCOV_ERR_IO, "out of memory");
    for (size_t i = 0; st == CCOV_OK && i < rg.n; i++) {
        s->regions[i] = rg.items[i].geom;
        s->names[i] = rg.items[i].name;
        rg.items[i].geom = NULL;
        rg.items[i].name = NULL;
        s->nregions++;
    }
    ccov_regions_free(s->ctx, &rg);
    return st;
}

static ccov_status synth_regions(synth *s, const ccov_synth_options *o) {
    ccov_status st = regions_read(s, o);
    if (st != CCOV_OK)
        return st;
    s->all = ccov_geom_union(s->ctx, s->regions, s->nregions);
    s->prep_all = s->all ? ccov_geom_prepare(s->ctx, s->all) : NULL;
    s->preps = calloc(s->nregions ? s->nregions : 1, sizeof *s->preps);
    bool ok = s->preps && s->prep_all && ccov_geom_bounds(s->ctx, s->all, s->bbox);
    for (size_t i = 0; ok && i < s->nregions; i++)
        ok = (s->preps[i] = ccov_geom_prepare(s->ctx, s->regions[i])) != NULL;
    return ok ? CCOV_OK
              : ccov_ctx_fail(s->ctx, CCOV_ERR_GEOM, "synth: regions have no area to place in");
}

static ccov_status synth_frames(synth *s, const ccov_synth_options *o) {
    char gen[32];
    utm_zone_for(s->bbox, gen, sizeof gen);
    const char *out = o->crs ? o->crs : "EPSG:32648";
    s->lonlat = ccov_crs_create(s->ctx, "EPSG:4326", "WGS84");
    s->gen = ccov_crs_create(s->ctx, gen, "synth");
    s->out = ccov_crs_create(s->ctx, out, "--crs");
    if (!s->lonlat || !s->gen || !s->out)
        return CCOV_ERR_CRS;
    s->to_gen = ccov_xform_create(s->ctx, s->lonlat, s->gen, s->bbox, false, "synth");
    if (!s->to_gen)
        return CCOV_ERR_CRS;
    if (strcmp(ccov_crs_label(s->gen), ccov_crs_label(s->out)) == 0)
        return CCOV_OK;
    s->to_out = ccov_xform_create(s->ctx, s->gen, s->out, s->bbox, o->allow_ballpark, "--crs");
    return s->to_out ? CCOV_OK : CCOV_ERR_CRS;
}

static void synth_release(synth *s) {
    ccov_io_writer_abort(s->w);
    for (size_t i = 0; i < RECENT; i++)
        free(s->recent[i].wkt);
    ccov_xform_free(s->to_out);
    ccov_xform_free(s->to_gen);
    ccov_crs_free(s->out);
    ccov_crs_free(s->gen);
    ccov_crs_free(s->lonlat);
    ccov_geom_prepared_free(s->ctx, s->prep_all);
    ccov_geom_free(s->ctx, s->all);
    for (size_t i = 0; i < s->nregions; i++) {
        if (s->preps)
            ccov_geom_prepared_free(s->ctx, s->preps[i]);
        ccov_geom_free(s->ctx, s->regions[i]);
        free(s->names[i]);
    }
    free(s->preps);
    free(s->regions);
    free(s->names);
}

ccov_status ccov_synth_run(ccov_ctx *ctx, const ccov_synth_options *opts) {
    if (opts->count < 1 || !opts->out)
        return ccov_ctx_fail(ctx, CCOV_ERR_USAGE, "synth: needs a count >= 1 and an output");
    synth s = {.ctx = ctx, .release = opts->release, .status_variants = opts->status_variants};
    prng_seed(&s.rng, opts->seed);
    ccov_status st = synth_regions(&s, opts);
    if (st == CCOV_OK)
        st = synth_frames(&s, opts);
    if (st == CCOV_OK) {
        s.w = ccov_io_writer_create(ctx, opts->out, opts->driver, opts->overwrite);
        st = s.w ? ccov_io_writer_layer(ctx, s.w, opts->layer ? opts->layer : "cleared",
                                        opts->crs ? opts->crs : "EPSG:32648", false, FIELDS,
                                        opts->release ? NRELEASE_FIELDS : NFIELDS, NULL)
                 : ccov_ctx_status(ctx);
    }
    for (long long i = 0; st == CCOV_OK && i < opts->count; i++)
        st = synth_one(&s, i);
    if (st == CCOV_OK) {
        st = ccov_io_writer_publish(ctx, s.w);
        s.w = NULL;
    }
    synth_release(&s);
    return st;
}
