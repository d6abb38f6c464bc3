/* map: a coverage result drawn as a self-contained SVG, written atomically. */
#include "clearcov/map.h"
#include "clearcov/atomic.h"
#include "clearcov/report.h"
#include "crs/crs.h"
#include "geom/geom.h"
#include "output/map_png.h"
#include "output/map_raster.h"
#include "output/render.h"

#include <errno.h>
#include <limits.h>
#include <math.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <strings.h>
#include <sys/stat.h>
#include <unistd.h>

#define DEFAULT_TITLE "Cleared land by province"
#define WGS84_LONLAT "EPSG:4326"

/* Colours. Cleared land in the green of the IMAS land-release symbology, places counted more than
   once in a warning orange that darkens with the count, cleared land outside every region grey. */
#define INK "#222222"
#define MUTED "#555555"
#define REGION_FILL "#f3efe2"
#define REGION_LINE "#6b6b6b"
#define CLEARED "#2f9e44"
#define OUTSIDE "#868e96"
enum { NTIMES = 4 }; /* overlap classes: 2, 3, 4, 5 or more times */
/* Samples per pixel side when counting cleared land on the pixel grid (map_raster.h). */
enum { RASTER_SAMPLES = 6 };

/* The tasks (whole, or their pieces inside and outside the regions) are counted on the pixel
   grid: where they overlap, how many times, and whether inside a region follows from it. */
/* L_COVERAGE is read only with --group-by (issue 13): each group's cleared land, drawn in its
 * colour. */
enum { L_REGIONS, L_TASKS, L_OUTSIDE, L_COVERAGE, NLAYERS };
static const char *const LAYER_NAMES[NLAYERS] = {"regions", "tasks", "outside", "coverage"};

enum { MAX_LEGEND_REGIONS = 12 };

/* One feature to draw. */
typedef struct {
    ccov_geom *geom;  /* lon/lat when read, then projected, then simplified for display */
    int times;        /* overlaps: how many features cover it */
    const char *name; /* regions: borrowed from the result */
    double lx, ly;    /* regions: label position, page px */
    bool labelled;
} shape;

typedef struct {
    shape *items;
    size_t n;
} shape_list;

typedef struct {
    double x, y, w, h;
} box;

typedef struct {
    ccov_ctx *ctx;
    const ccov_result *res;
    const char *title;
    double width, height; /* page, px */
    double u;             /* layout unit: width / 1000 */
    shape_list layers[NLAYERS];
    ccov_xform *xf; /* WGS84 lon/lat -> map projection */
    char proj_name[160];
    double lon0, lat0; /* centre of the data */
    double ext[4];     /* projected extent, metres */
    double scale;      /* px per metre */
    double ox, oy;     /* page position of the extent's top-left corner */
    box frame, legend;
    double bar_len;         /* scale bar length, metres */
    box bar_box, arrow_box; /* kept clear of labels */
    double footer_y;
    FILE *fp;
    bool broken;       /* a geometry could not be walked (out of memory): the file is incomplete */
    bool sample;       /* the cleared areas are the bundled synthetic sample */
    size_t unlabelled; /* regions whose label did not fit */
    /* --group-by (issue 13): the coverage layer has one feature per region and group; each
       feature's colour slot (NULL: one colour for all cleared land), the groups by net
       hectares, and how many slots have a colour of their own */
    size_t *cover_slot;
    size_t *group_rank; /* group indices, the most net hectares first */
    size_t nslots;      /* distinct colours; the last stands for the rest when more_groups */
    size_t more_groups; /* groups drawn in the last colour, counted in the "more" line */
    /* cleared land counted on the pixel grid, one class per pixel (issue 15) */
    ccov_map_raster raster;
    bool present[CCOV_NCELL];
} map;

/* ---- text ---- */

/* Number of characters of s as it will be written (invalid bytes become one U+FFFD each). */
static size_t text_chars(const char *s) {
    size_t n = 0;
    for (const unsigned char *p = (const unsigned char *)s; *p; n++) {
        size_t len = ccov_render_utf8_char(p);
        p += len ? len : 1;
    }
    return n;
}

/* The end of s, prefixed with "…", in at most max characters (s itself when it fits). */
static const char *text_tail(const char *s, size_t max, char *buf, size_t n) {
    size_t chars = text_chars(s);
    if (chars <= max || max < 2)
        return s;
    const unsigned char *p = (const unsigned char *)s;
    for (size_t skip = chars - (max - 1); skip > 0; skip--) {
        size_t len = ccov_render_utf8_char(p);
        p += len ? len : 1;
    }
    snprintf(buf, n, "\xE2\x80\xA6%s", (const char *)p);
    return buf;
}

/* The start of s in at most max characters, ending with "…" when cut. */
static const char *text_head(const char *s, size_t max, char *buf, size_t n) {
    if (text_chars(s) <= max || max < 2)
        return s;
    const unsigned char *p = (const unsigned char *)s;
    for (size_t kept = 0; kept + 1 < max; kept++) {
        size_t len = ccov_render_utf8_char(p);
        p += len ? len : 1;
    }
    snprintf(buf, n, "%.*s\xE2\x80\xA6", (int)((const char *)p - s), s);
    return buf;
}

/* Rough width in px of text at font size `size`: DejaVu Sans, the usual sans-serif, averages
   about 0.6 em per character. Used for layout only. */
static double text_width(const char *s, double size) { return (double)text_chars(s) * 0.6 * size; }

/* v rounded to tenths, without a trailing ".0", and without the leading "0" of "0.x" when
   compact (path data). Locale-independent and never "-0". */
static const char *fmt_tenths(long v, bool compact, char *buf, size_t n) {
    const char *sign = v < 0 ? "-" : "";
    unsigned long a = v < 0 ? 0UL - (unsigned long)v : (unsigned long)v;
    if (a % 10 == 0)
        snprintf(buf, n, "%s%lu", sign, a / 10);
    else if (compact && a < 10)
        snprintf(buf, n, "%s.%lu", sign, a % 10);
    else
        snprintf(buf, n, "%s%lu.%lu", sign, a / 10, a % 10);
    return buf;
}

/* A page coordinate or size, one decimal. */
static const char *px(double v, char *buf) { return fmt_tenths(lround(v * 10), false, buf, 24); }

static const char *hectares(double ha, char *buf, size_t n) {
    return ccov_report_number(ha, 2, buf, n);
}

/* Styling as SVG presentation attributes only, which every renderer reads: no <style> and no
   class attribute (ImageMagick's own renderer ignores CSS and fails on a class it has no
   definition for). Sizes are in layout units (m->u); a fill of NULL writes none, a stroke width
   of 0 no stroke. */
typedef struct {
    const char *cls, *fill, *stroke;
    double fill_opacity, stroke_width, font_size;
    bool bold, halo; /* halo: white outline under the glyphs, for labels over the map */
    const char *anchor;
    bool round; /* round stroke joins (outlines of geometry) */
} paint;

static const paint PAINTS[] = {
    {"title", INK, NULL, 1, 0, 22, true, false, NULL, false},
    {"sub", MUTED, NULL, 1, 0, 13, false, false, NULL, false},
    {"lab", INK, NULL, 1, 0, 14, true, true, "middle", false},
    {"labv", INK, NULL, 1, 0, 12, false, true, "middle", false},
    {"leg", INK, NULL, 1, 0, 12.5, false, false, NULL, false},
    {"legh", INK, NULL, 1, 0, 13.5, true, false, NULL, false},
    {"num", INK, NULL, 1, 0, 12.5, false, false, "end", false},
    {"foot", MUTED, NULL, 1, 0, 11, false, false, NULL, false},
    {"small", MUTED, NULL, 1, 0, 11, false, false, NULL, false},
    {"sb", INK, NULL, 1, 0, 11, false, false, "middle", false},
    {"box", "#ffffff", "#bbbbbb", 0.85, 0.8, 0, false, false, NULL, false},
    {"panel", "#ffffff", "#cccccc", 1, 1, 0, false, false, NULL, false},
    {"frame", "#ffffff", "#cccccc", 1, 1, 0, false, false, NULL, false},
    {"rg", REGION_FILL, NULL, 1, 0, 0, false, false, NULL, false},
    {"ro", "none", REGION_LINE, 1, 1.2, 0, false, false, NULL, true},
    {"rs", REGION_FILL, REGION_LINE, 1, 1, 0, false, false, NULL, false},
    /* No outline on cleared land or overlaps: each pixel shows one class (map_raster.h), so
       that no class looks larger than its share of the ground. */
    {"cv", CLEARED, NULL, 1, 0, 0, false, false, NULL, false},
    {"out", OUTSIDE, NULL, 1, 0, 0, false, false, NULL, false},
    {"ov0", "#fd8d3c", NULL, 1, 0, 0, false, false, NULL, false},
    {"ov1", "#e6550d", NULL, 1, 0, 0, false, false, NULL, false},
    {"ov2", "#a63603", NULL, 1, 0, 0, false, false, NULL, false},
    {"ov3", "#7f2704", NULL, 1, 0, 0, false, false, NULL, false},
};

static const paint *find_paint(const char *cls) {
    for (size_t i = 0; i < sizeof PAINTS / sizeof PAINTS[0]; i++)
        if (strcmp(PAINTS[i].cls, cls) == 0)
            return &PAINTS[i];
    return NULL;
}

/* The presentation attributes of the paint named cls, each with a leading space; halo: those of
   the white outline drawn under a label (paint-order is not read by every renderer, so the halo
   is a copy of the text drawn first). */
static void put_paint_as(map *m, const char *cls, bool halo) {
    const paint *p = find_paint(cls);
    char b[24];
    if (!p)
        return;
    if (p->fill)
        fprintf(m->fp, " fill=\"%s\"", halo ? "#ffffff" : p->fill);
    if (p->fill_opacity < 1)
        fprintf(m->fp, " fill-opacity=\"%g\"", p->fill_opacity);
    if (p->font_size > 0)
        fprintf(m->fp, " font-size=\"%s\"", px(p->font_size * m->u, b));
    if (p->bold)
        fputs(" font-weight=\"bold\"", m->fp);
    if (p->anchor)
        fprintf(m->fp, " text-anchor=\"%s\"", p->anchor);
    if (halo)
        fprintf(m->fp, " stroke=\"#ffffff\" stroke-width=\"%s\" stroke-linejoin=\"round\"",
                px(3.5 * m->u, b));
    if (p->stroke && p->stroke_width > 0)
        fprintf(m->fp, " stroke=\"%s\" stroke-width=\"%s\"%s", p->stroke,
                px(p->stroke_width * m->u, b), p->round ? " stroke-linejoin=\"round\"" : "");
}

static void put_paint(map *m, const char *cls) { put_paint_as(m, cls, false); }

static void put_text_as(map *m, double x, double y, const char *cls, const char *s, bool halo) {
    char bx[24], by[24];
    fprintf(m->fp, "<text x=\"%s\" y=\"%s\"", px(x, bx), px(y, by));
    put_paint_as(m, cls, halo);
    fputc('>', m->fp);
    ccov_render_xml_text(m->fp, s);
    fputs("</text>\n", m->fp);
}

/* <text x y>s</text> painted as cls, s escaped; a label gets its halo first. */
static void put_text(map *m, double x, double y, const char *cls, const char *s) {
    const paint *p = find_paint(cls);
    if (p && p->halo)
        put_text_as(m, x, y, cls, s, true);
    put_text_as(m, x, y, cls, s, false);
}

/* <rect> of box b painted as cls. */
static void put_rect(map *m, const box *b, const char *cls) {
    char s[4][24];
    fprintf(m->fp, "<rect x=\"%s\" y=\"%s\" width=\"%s\" height=\"%s\"", px(b->x, s[0]),
            px(b->y, s[1]), px(b->w, s[2]), px(b->h, s[3]));
    put_paint(m, cls);
    fputs("/>\n", m->fp);
}

/* ---- reading the result's layers ---- */

static ccov_status load_row(map *m, const ccov_layer_table *t, size_t i, shape *sh) {
    const ccov_row *row = &t->rows[i];
    char problem[256];
    sh->geom = ccov_geom_from_wkb(m->ctx, row->wkb, row->wkb_size, problem, sizeof problem);
    if (!sh->geom)
        return ccov_ctx_fail(m->ctx, CCOV_ERR_GEOM, "map: layer %s, feature %lld: %s", t->name,
                             row->id, problem);
    int name_col = ccov_layer_column(t, "region");
    int times_col = ccov_layer_column(t, "times");
    if (name_col >= 0 && row->values[name_col])
        sh->name = row->values[name_col];
    if (times_col >= 0 && row->values[times_col])
        sh->times = (int)strtol(row->values[times_col], NULL, 10);
    return CCOV_OK;
}

static ccov_status load_layer(map *m, int which) {
    const ccov_layer_table *t = ccov_result_layer(m->res, LAYER_NAMES[which]);
    if (!t)
        return ccov_ctx_fail(m->ctx, CCOV_ERR_USAGE,
                             "map: the result has no '%s' layer; run the coverage with layers "
                             "(ccov_options.layers)",
                             LAYER_NAMES[which]);
    shape_list *l = &m->layers[which];
    l->items = calloc(t->nrows ? t->nrows : 1, sizeof *l->items);
    if (!l->items)
        return ccov_ctx_fail(m->ctx, CCOV_ERR_IO, "map: out of memory");
    ccov_status st = CCOV_OK;
    for (size_t i = 0; i < t->nrows && st == CCOV_OK; i++) {
        st = load_row(m, t, i, &l->items[i]);
        l->n += st == CCOV_OK;
    }
    return st;
}

/* The extent of every shape (xmin, ymin, xmax, ymax); xmin > xmax when all are empty. */
static void layers_extent(map *m, double b[4]) {
    b[0] = b[1] = HUGE_VAL;
    b[2] = b[3] = -HUGE_VAL;
    for (int k = 0; k < NLAYERS; k++)
        for (size_t i = 0; i < m->layers[k].n; i++) {
            double g[4];
            if (!ccov_geom_bounds(m->ctx, m->layers[k].items[i].geom, g))
                continue;
            b[0] = fmin(b[0], g[0]);
            b[1] = fmin(b[1], g[1]);
            b[2] = fmax(b[2], g[2]);
            b[3] = fmax(b[3], g[3]);
        }
}

/* The figures of the region drawn as shape i: the result's region i when the names agree (the
   layer keeps the result's order), else the first region of that name. */
static const ccov_region_result *region_of(const map *m, const shape *sh, size_t i) {
    const ccov_region_result *r = m->res->regions;
    size_t n = m->res->nregions;
    if (i < n && (!sh->name || strcmp(r[i].name, sh->name) == 0))
        return &r[i];
    for (size_t k = 0; sh->name && k < n; k++)
        if (strcmp(r[k].name, sh->name) == 0)
            return &r[k];
    return NULL;
}

static const char *region_name(const map *m, const shape *sh, size_t i) {
    const ccov_region_result *r = region_of(m, sh, i);
    return sh->name ? sh->name : r ? r->name : "";
}

/* ---- projection ---- */

/* The UTM zone of the data's centre: conformal, so the scale bar and north arrow hold anywhere on
   the map, and the frame users of the bundled data already know. Data spanning more than 12 degrees
   of longitude (two zones) or reaching the polar caps gets a Lambert azimuthal equal-area
   projection centred on the data instead. */
static void choose_projection(map *m, const double ll[4], char *def, size_t n) {
    m->lon0 = (ll[0] + ll[2]) / 2;
    m->lat0 = (ll[1] + ll[3]) / 2;
    if (ll[2] - ll[0] <= 12 && ll[1] >= -80 && ll[3] <= 84) {
        int zone = (int)floor((m->lon0 + 180) / 6) + 1;
        zone = zone < 1 ? 1 : zone > 60 ? 60 : zone;
        int code = (m->lat0 >= 0 ? 32600 : 32700) + zone;
        snprintf(def, n, "EPSG:%d", code);
        snprintf(m->proj_name, sizeof m->proj_name, "WGS 84 / UTM zone %d%c (EPSG:%d)", zone,
                 m->lat0 >= 0 ? 'N' : 'S', code);
        return;
    }
    snprintf(def, n, "+proj=laea +lat_0=%.4f +lon_0=%.4f +datum=WGS84 +units=m +type=crs", m->lat0,
             m->lon0);
    snprintf(m->proj_name, sizeof m->proj_name,
             "Lambert azimuthal equal-area centred on %.2f, %.2f (WGS 84)", m->lon0, m->lat0);
}

static ccov_status make_xform(map *m, const double ll[4]) {
    char def[160];
    choose_projection(m, ll, def, sizeof def);
    ccov_crs *src = ccov_crs_create(m->ctx, WGS84_LONLAT, "map");
    ccov_crs *dst = src ? ccov_crs_create(m->ctx, def, "map projection") : NULL;
    /* Same datum on both sides: a plain conversion, valid anywhere, so no area of interest. */
    m->xf = dst ? ccov_xform_create(m->ctx, src, dst, NULL, false, "map projection") : NULL;
    ccov_crs_free(dst);
    ccov_crs_free(src);
    return m->xf ? CCOV_OK : CCOV_ERR_CRS;
}

static bool project_point(void *user, double *x, double *y) {
    return ccov_xform_points(user, x, 1, y, 1, 1) == 0;
}

static ccov_status project_layers(map *m) {
    for (int k = 0; k < NLAYERS; k++)
        for (size_t i = 0; i < m->layers[k].n; i++) {
            shape *sh = &m->layers[k].items[i];
            ccov_geom *g = ccov_geom_transform(m->ctx, sh->geom, project_point, m->xf);
            if (!g)
                return ccov_ctx_fail(m->ctx, CCOV_ERR_CRS,
                                     "map: layer %s, feature %zu: cannot project into %s",
                                     LAYER_NAMES[k], i + 1, m->proj_name);
            ccov_geom_free(m->ctx, sh->geom);
            sh->geom = g;
        }
    return CCOV_OK;
}

static ccov_status map_project(map *m) {
    double ll[4];
    layers_extent(m, ll);
    if (!(ll[0] <= ll[2]))
        return ccov_ctx_fail(m->ctx, CCOV_ERR_GEOM, "map: nothing to draw (every layer is empty)");
    ccov_status st = make_xform(m, ll);
    if (st == CCOV_OK)
        st = project_layers(m);
    if (st == CCOV_OK)
        layers_extent(m, m->ext);
    return st;
}

/* ---- layout ---- */

/* The overlap classes drawn (pixels of the grid, once it is counted). */
static size_t overlap_classes(const map *m, bool present[NTIMES]) {
    size_t count = 0;
    for (int c = 0; c < NTIMES; c++) {
        present[c] = m->present[CCOV_CELL_TIMES2 + c];
        count += present[c];
    }
    return count;
}

/* Rows of the legend, each 20 units high: keep in step with draw_legend(). */
static double legend_height(const map *m) {
    bool present[NTIMES];
    size_t classes = overlap_classes(m, present);
    size_t regions = m->res->nregions;
    size_t region_rows = regions > MAX_LEGEND_REGIONS ? MAX_LEGEND_REGIONS + 1 : regions;
    double rows = 1.5 + 3 + (classes ? (double)classes : 1) + 1.5 + 6 + 1.5 + (double)region_rows;
    if (m->cover_slot)
        rows += (double)m->nslots - 1; /* one key per group colour instead of one */
    return rows * 20 * m->u + (10 + 3 * 16 + 16) * m->u;
}

/* 1, 2 or 5 times a power of ten, at most `target`. */
static double nice_length(double target) {
    double p = pow(10, floor(log10(target)));
    return target >= 5 * p ? 5 * p : target >= 2 * p ? 2 * p : p;
}

static void layout(map *m) {
    double u = m->u, margin = 20 * u, pad = 16 * u;
    m->legend = (box){m->width - margin - 300 * u, 70 * u, 300 * u, legend_height(m)};
    m->frame = (box){margin, 70 * u, m->legend.x - 2 * margin, 0};
    double ew = fmax(m->ext[2] - m->ext[0], 1000), eh = fmax(m->ext[3] - m->ext[1], 1000);
    m->scale = (m->frame.w - 2 * pad) / ew;
    m->frame.h = eh * m->scale + 2 * pad;
    if (m->frame.h > 1.5 * m->frame.w) {
        m->frame.h = 1.5 * m->frame.w;
        m->scale = (m->frame.h - 2 * pad) / eh;
    }
    m->frame.h = fmax(m->frame.h, m->legend.h);
    /* whole pixels, so that the cells of the grid are pixels of the page */
    m->ox = floor(m->frame.x + (m->frame.w - (m->ext[2] - m->ext[0]) * m->scale) / 2);
    m->oy = floor(m->frame.y + (m->frame.h - (m->ext[3] - m->ext[1]) * m->scale) / 2);
    m->bar_len = nice_length(m->frame.w * 0.28 / m->scale);
    m->bar_box = (box){m->frame.x + 6 * u, m->frame.y + m->frame.h - 40 * u,
                       m->bar_len * m->scale + 48 * u, 34 * u};
    m->arrow_box = (box){m->frame.x + m->frame.w - 60 * u, m->frame.y + 12 * u, 52 * u, 52 * u};
    m->footer_y = m->frame.y + m->frame.h + 24 * u;
    m->height = ceil(m->footer_y + 3 * 16 * u + margin);
}

static double page_x(const map *m, double x) { return m->ox + (x - m->ext[0]) * m->scale; }
static double page_y(const map *m, double y) { return m->oy + (m->ext[3] - y) * m->scale; }

/* Display copies of the regions: half a pixel of tolerance keeps every visible bend and drops
   the rest. (Cleared land is counted on the pixel grid, unsimplified.) */
static ccov_status simplify_layers(map *m) {
    double tolerance = 0.5 / m->scale;
    const int k = L_REGIONS;
    for (size_t i = 0; i < m->layers[k].n; i++) {
        shape *sh = &m->layers[k].items[i];
        ccov_geom *g = ccov_geom_simplify(m->ctx, sh->geom, tolerance);
        if (!g)
            return ccov_ctx_fail(m->ctx, CCOV_ERR_GEOM,
                                 "map: layer %s, feature %zu: cannot simplify for display",
                                 LAYER_NAMES[k], i + 1);
        ccov_geom_free(m->ctx, sh->geom);
        sh->geom = g;
    }
    return CCOV_OK;
}

/* ---- labels: the middle of a wide horizontal run inside the region ---- */

typedef struct {
    double y;
    double *xs;
    size_t n, cap;
} scanline;

static bool scan_ring(void *user, const double *x, const double *y, size_t n, bool exterior) {
    scanline *s = user;
    (void)exterior;
    if (n < 2)
        return true;
    if (!ccov_map_grow((void **)&s->xs, &s->cap, s->n + n - 1, sizeof *s->xs))
        return false;
    s->n += ccov_map_ring_crossings(x, y, n, s->y, s->xs + s->n);
    return true;
}

/* Widest inside run along the scanline: its width (-1 when none), its middle in *mid. */
static double widest_run(map *m, const ccov_geom *g, scanline *s, double *mid) {
    s->n = 0;
    if (!ccov_geom_rings(m->ctx, g, scan_ring, s))
        return -1;
    ccov_map_sort_crossings(s->xs, s->n);
    double best = -1;
    for (size_t i = 0; i + 1 < s->n; i += 2)
        if (s->xs[i + 1] - s->xs[i] > best) {
            best = s->xs[i + 1] - s->xs[i];
            *mid = (s->xs[i] + s->xs[i + 1]) / 2;
        }
    return best;
}

enum { NSPOTS = 9 };

/* A candidate label position (page px) and how good it is. */
typedef struct {
    double x, y, score;
    size_t rank;
} spot;

static int cmp_spot(const void *a, const void *b) {
    const spot *p = a, *q = b;
    if (p->score != q->score)
        return p->score < q->score ? 1 : -1;
    return (p->rank > q->rank) - (p->rank < q->rank);
}

/* Candidate spots on scanlines across the region's extent, best first: a wide run, so that the
   label sits where the region has room for it, near the middle of the extent. */
static size_t label_spots(map *m, const ccov_geom *g, spot out[NSPOTS]) {
    static const double AT[NSPOTS] = {0.5, 0.42, 0.58, 0.34, 0.66, 0.26, 0.74, 0.18, 0.82};
    double b[4];
    scanline s = {0};
    size_t n = 0;
    if (!ccov_geom_bounds(m->ctx, g, b))
        return 0;
    for (size_t i = 0; i < NSPOTS; i++) {
        double mid = 0;
        s.y = b[1] + AT[i] * (b[3] - b[1]);
        double run = widest_run(m, g, &s, &mid);
        if (run > 0)
            out[n++] = (spot){page_x(m, mid), page_y(m, s.y), run * (1 - fabs(AT[i] - 0.5)), i};
    }
    free(s.xs);
    qsort(out, n, sizeof *out, cmp_spot);
    return n;
}

/* The two lines of a region's label: its name and its net hectares. */
static const char *label_value(const map *m, const shape *sh, size_t i, char *buf, size_t n) {
    const ccov_region_result *r = region_of(m, sh, i);
    char ha[64];
    snprintf(buf, n, "%s ha cleared", r ? hectares(r->net_ha, ha, sizeof ha) : "?");
    return buf;
}

/* The label's box when centred at (x, y), moved sideways to stay inside the map frame. */
static box label_box(const map *m, const shape *sh, size_t i, double x, double y) {
    char value[96];
    double u = m->u;
    double half = fmax(text_width(region_name(m, sh, i), 14 * u),
                       text_width(label_value(m, sh, i, value, sizeof value), 12 * u)) /
                  2;
    double lo = m->frame.x + half + 4 * u, hi = m->frame.x + m->frame.w - half - 4 * u;
    x = lo > hi ? m->frame.x + m->frame.w / 2 : fmin(fmax(x, lo), hi);
    return (box){x - half, y - 17 * u, 2 * half, 34 * u};
}

static bool boxes_meet(const box *a, const box *b) {
    return a->x < b->x + b->w && b->x < a->x + a->w && a->y < b->y + b->h && b->y < a->y + a->h;
}

/* Put the label of region i on the first spot that covers no other label, the scale bar or the
   north arrow; leave it out when there is none (its tooltip and the legend keep the figures). */
static void place_label(map *m, size_t i, box *placed, size_t *nplaced) {
    shape *sh = &m->layers[L_REGIONS].items[i];
    spot spots[NSPOTS];
    size_t n = label_spots(m, sh->geom, spots);
    for (size_t k = 0; k < n && !sh->labelled; k++) {
        box b = label_box(m, sh, i, spots[k].x, spots[k].y);
        bool clear = true;
        for (size_t j = 0; j < *nplaced && clear; j++)
            clear = !boxes_meet(&b, &placed[j]);
        if (!clear)
            continue;
        sh->labelled = true;
        sh->lx = b.x + b.w / 2;
        sh->ly = spots[k].y;
        placed[(*nplaced)++] = b;
    }
}

/* An item ranked by a figure: largest first, equal ones in index order (qsort with cmp_ranked). */
typedef struct {
    double figure;
    size_t index;
} ranked;

static int cmp_ranked(const void *a, const void *b) {
    const ranked *p = a, *q = b;
    if (p->figure != q->figure)
        return p->figure < q->figure ? 1 : -1;
    return (p->index > q->index) - (p->index < q->index);
}

/* Largest regions first: they have the most room and matter most. */
static ccov_status place_labels(map *m) {
    const shape_list *l = &m->layers[L_REGIONS];
    ranked *order = calloc(l->n + 1, sizeof *order);
    box *placed = calloc(l->n + 2, sizeof *placed);
    size_t nplaced = 0;
    bool ok = order && placed;
    if (ok) {
        placed[nplaced++] = m->bar_box;
        placed[nplaced++] = m->arrow_box;
        for (size_t i = 0; i < l->n; i++) {
            double area = ccov_geom_planar_area(m->ctx, l->items[i].geom);
            order[i] = (ranked){isnan(area) ? 0 : area, i};
        }
        qsort(order, l->n, sizeof *order, cmp_ranked);
        for (size_t k = 0; k < l->n; k++)
            place_label(m, order[k].index, placed, &nplaced);
    }
    free(placed);
    free(order);
    return ok ? CCOV_OK : ccov_ctx_fail(m->ctx, CCOV_ERR_IO, "map: out of memory");
}

/* Regions whose label found no free spot: the footer counts them (one more line). */
static void count_unlabelled(map *m) {
    for (size_t i = 0; i < m->layers[L_REGIONS].n; i++)
        m->unlabelled += !m->layers[L_REGIONS].items[i].labelled;
    if (m->unlabelled)
        m->height = ceil(m->height + 16 * m->u);
}

/* Cleared land counted on the page's pixel grid over the data's extent, then one class per
   pixel. */
static ccov_status count_cleared(map *m) {
    ccov_map_raster *r = &m->raster;
    size_t w = (size_t)ceil((m->ext[2] - m->ext[0]) * m->scale);
    size_t h = (size_t)ceil((m->ext[3] - m->ext[1]) * m->scale);
    bool ok = ccov_map_raster_init(r, m->ext[0], m->ext[3], m->scale, w, h, RASTER_SAMPLES);
    for (int k = 0; k < L_COVERAGE; k++)
        for (size_t i = 0; ok && i < m->layers[k].n; i++)
            ok = ccov_map_raster_add(m->ctx, r, m->layers[k].items[i].geom, k == L_REGIONS);
    if (ok)
        ccov_map_raster_classify(r, m->present);
    return ok ? CCOV_OK : ccov_ctx_fail(m->ctx, CCOV_ERR_IO, "map: out of memory");
}

static ccov_status map_prepare(map *m) {
    layout(m);
    ccov_status st = count_cleared(m);
    if (st == CCOV_OK)
        layout(m); /* the legend lists the overlap classes drawn: its height may change */
    if (st == CCOV_OK)
        st = simplify_layers(m);
    if (st == CCOV_OK)
        st = place_labels(m);
    if (st == CCOV_OK)
        count_unlabelled(m);
    return st;
}

/* ---- drawing geometry ---- */

/* One ring as path data in tenths of a pixel: absolute start, then relative steps between the
   rounded points (no drift), repeated points dropped. A ring smaller than the rounding becomes
   a single point, which the round-capped outline still shows as a dot. */
static bool put_ring(void *user, const double *x, const double *y, size_t n, bool exterior) {
    const map *m = user;
    char bx[24], by[24];
    long lx = 0, ly = 0;
    bool stepped = false;
    (void)exterior;
    /* the closing point repeats the first: "z" draws that step */
    for (size_t i = 0; i < (n > 1 ? n - 1 : n); i++) {
        long tx = lround(page_x(m, x[i]) * 10), ty = lround(page_y(m, y[i]) * 10);
        if (i > 0 && tx == lx && ty == ly)
            continue;
        /* a minus sign separates numbers by itself */
        const char *sep = !stepped ? "l" : tx < lx ? "" : " ";
        if (i == 0)
            fprintf(m->fp, "M%s %s", fmt_tenths(tx, false, bx, 24), fmt_tenths(ty, false, by, 24));
        else
            fprintf(m->fp, "%s%s%s%s", sep, fmt_tenths(tx - lx, true, bx, 24), ty < ly ? "" : " ",
                    fmt_tenths(ty - ly, true, by, 24));
        stepped = stepped || i > 0;
        lx = tx;
        ly = ty;
    }
    fputs("z", m->fp);
    return true;
}

static void put_path(map *m, const shape *sh, const char *cls, const char *title) {
    fputs("<path", m->fp);
    if (cls)
        put_paint(m, cls);
    fputs(" d=\"", m->fp);
    if (!ccov_geom_rings(m->ctx, sh->geom, put_ring, m))
        m->broken = true;
    if (!title) {
        fputs("\"/>\n", m->fp);
        return;
    }
    fputs("\"><title>", m->fp);
    ccov_render_xml_text(m->fp, title);
    fputs("</title></path>\n", m->fp);
}

/* <g id="id"> painted as cls, for the paths inside it. */
static void put_group(map *m, const char *id, const char *cls) {
    fprintf(m->fp, "<g id=\"%s\"", id);
    put_paint(m, cls);
    fputs(">\n", m->fp);
}

static void draw_regions(map *m) {
    const shape_list *l = &m->layers[L_REGIONS];
    put_group(m, "regions", "rg");
    for (size_t i = 0; i < l->n; i++) {
        const ccov_region_result *r = region_of(m, &l->items[i], i);
        char title[512], ha[64];
        snprintf(title, sizeof title, "%s: %s ha cleared (net)", region_name(m, &l->items[i], i),
                 r ? hectares(r->net_ha, ha, sizeof ha) : "?");
        put_path(m, &l->items[i], NULL, title);
    }
    fputs("</g>\n", m->fp);
}

/* ==== --group-by (issue 13): cleared land coloured by group ==== */

/* Colours of the groups with the most net hectares (none of them the overlaps' oranges or the
   grey of cleared land outside every region); the last one also stands for the rest. */
enum { MAX_GROUP_COLOURS = 8 };
static const char *const GROUP_COLOURS[MAX_GROUP_COLOURS] = {
    "#1f77b4", "#2ca02c", "#9467bd", "#17becf", "#e377c2", "#bcbd22", "#8c564b", "#c2b280"};

/* The group of coverage row i: its group-field values (the columns after region, iso and
   district) matched against the result's groups; SIZE_MAX when none matches. */
static size_t row_group(const map *m, const ccov_layer_table *t, size_t i) {
    const ccov_result *res = m->res;
    int first = ccov_layer_column(t, "iso") + 1 + (ccov_layer_column(t, "district") >= 0);
    if (first < 1 || (size_t)first + res->ngroup_fields > t->ncolumns)
        return SIZE_MAX;
    char *const *v = t->rows[i].values + first;
    for (size_t g = 0; g < res->ngroups; g++) {
        size_t k = 0;
        while (k < res->ngroup_fields && v[k] && strcmp(v[k], res->groups[g].values[k]) == 0)
            k++;
        if (k == res->ngroup_fields)
            return g;
    }
    return SIZE_MAX;
}

/* The groups by net hectares and each coverage feature's colour slot; nothing without groups. */
static ccov_status group_colours(map *m) {
    const ccov_result *res = m->res;
    const ccov_layer_table *t = ccov_result_layer(res, "coverage");
    size_t n = m->layers[L_COVERAGE].n, ng = res->ngroups;
    if (res->ngroup_fields == 0 || ng == 0 || !t || t->nrows != n)
        return CCOV_OK;
    m->group_rank = malloc(ng * sizeof *m->group_rank);
    m->cover_slot = malloc((n ? n : 1) * sizeof *m->cover_slot);
    size_t *slot_of = malloc(ng * sizeof *slot_of);
    ranked *order = malloc(ng * sizeof *order); /* by net hectares */
    if (!m->group_rank || !m->cover_slot || !slot_of || !order) {
        free(slot_of);
        free(order);
        return ccov_ctx_fail(m->ctx, CCOV_ERR_IO, "map: out of memory");
    }
    for (size_t g = 0; g < ng; g++)
        order[g] = (ranked){res->groups[g].total.net_ha, g};
    qsort(order, ng, sizeof *order, cmp_ranked);
    for (size_t k = 0; k < ng; k++)
        m->group_rank[k] = order[k].index;
    free(order);
    m->nslots = ng > MAX_GROUP_COLOURS ? MAX_GROUP_COLOURS : ng;
    m->more_groups = ng > MAX_GROUP_COLOURS ? ng - (MAX_GROUP_COLOURS - 1) : 0;
    for (size_t k = 0; k < ng; k++)
        slot_of[m->group_rank[k]] = k < m->nslots ? k : m->nslots - 1;
    for (size_t i = 0; i < n; i++) {
        size_t g = row_group(m, t, i);
        m->cover_slot[i] = g == SIZE_MAX ? m->nslots - 1 : slot_of[g];
    }
    free(slot_of);
    return CCOV_OK;
}

/* A group's name as the legend and the tooltips show it: its values joined by " | ". */
static void group_label(const map *m, size_t g, char *buf, size_t n) {
    size_t at = 0;
    buf[0] = '\0';
    for (size_t k = 0; k < m->res->ngroup_fields && at < n; k++) {
        const char *v = m->res->groups[g].values[k];
        int w = snprintf(buf + at, n - at, "%s%s", k ? " | " : "", v[0] ? v : "(none)");
        at += w > 0 ? (size_t)w : 0;
    }
}

/* The label of colour slot s: its group's, or "N other groups" for the shared last colour. */
static void slot_label(const map *m, size_t s, char *buf, size_t n) {
    if (m->more_groups && s == m->nslots - 1)
        snprintf(buf, n, "\xE2\x80\xA6 and %zu more", m->more_groups);
    else
        group_label(m, m->group_rank[s], buf, n);
}

/* Cleared land, one <g> per colour slot (the group with the most net hectares first), each
   feature titled with its region and group. */
static void draw_group_coverage(map *m) {
    const shape_list *l = &m->layers[L_COVERAGE];
    const ccov_layer_table *t = ccov_result_layer(m->res, "coverage");
    fputs("<g id=\"coverage\">\n", m->fp);
    for (size_t s = 0; s < m->nslots; s++) {
        /* filled, no outline: an outline would make cleared land look larger than the overlaps */
        fprintf(m->fp, "<g id=\"coverage-group-%zu\" fill=\"%s\" stroke=\"none\">\n", s + 1,
                GROUP_COLOURS[s]);
        for (size_t i = 0; i < l->n; i++) {
            char title[600], label[400];
            size_t g = row_group(m, t, i);
            if (m->cover_slot[i] != s)
                continue;
            if (g == SIZE_MAX)
                snprintf(label, sizeof label, "?");
            else
                group_label(m, g, label, sizeof label);
            snprintf(title, sizeof title, "%s: %s", l->items[i].name ? l->items[i].name : "?",
                     label);
            put_path(m, &l->items[i], NULL, title);
        }
        fputs("</g>\n", m->fp);
    }
    fputs("</g>\n", m->fp);
}

/* One legend key per colour slot: the group's name and its net hectares over every region (the
   shared last colour: how many groups it stands for). */
static void legend_group_keys(map *m, double *y) {
    double u = m->u, x = m->legend.x + 14 * u, right = m->legend.x + m->legend.w - 14 * u;
    size_t max = (size_t)((m->legend.w - 28 * u - 32 * u - 84 * u) / (0.6 * 12.5 * u));
    char r[4][24];
    for (size_t s = 0; s < m->nslots; s++) {
        char label[400], cut[400], ha[64];
        *y += 20 * u;
        fprintf(m->fp, "<rect x=\"%s\" y=\"%s\" width=\"%s\" height=\"%s\" fill=\"%s\"/>\n",
                px(x, r[0]), px(*y - 11 * u, r[1]), px(22 * u, r[2]), px(13 * u, r[3]),
                GROUP_COLOURS[s]);
        slot_label(m, s, label, sizeof label);
        put_text(m, x + 32 * u, *y, "leg", text_head(label, max, cut, sizeof cut));
        if (!(m->more_groups && s == m->nslots - 1))
            put_text(m, right, *y, "num",
                     hectares(m->res->groups[m->group_rank[s]].total.net_ha, ha, sizeof ha));
    }
}

/* The pixels of one class as one path of horizontal runs, one pixel high. */
static void put_cells(map *m, int cls, const char *paint_name) {
    const ccov_map_raster *r = &m->raster;
    if (!m->present[cls])
        return;
    fputs("<path", m->fp);
    put_paint(m, paint_name);
    fputs(" d=\"", m->fp);
    for (size_t y = 0; y < r->h; y++)
        for (size_t x = 0; x < r->w;) {
            size_t run = 0;
            while (x + run < r->w && r->cells[y * r->w + x + run] == cls)
                run++;
            if (run)
                fprintf(m->fp, "M%ld %ldh%zuv1h-%zuz", (long)m->ox + (long)x, (long)m->oy + (long)y,
                        run, run);
            x += run ? run : 1;
        }
    fputs("\"/>\n", m->fp);
}

/* Cleared land, overlaps from the least to the most covered and the parts outside, as pixels
   (map_raster.h), crisp so that no renderer blends neighbouring classes. With --group-by, cleared
   land is drawn as each group's polygons in its colour instead, the overlaps as pixels on top. */
static void draw_cells(map *m) {
    if (m->cover_slot) {
        draw_group_coverage(m);
        fputs("<g id=\"overlaps\" shape-rendering=\"crispEdges\">\n", m->fp);
    } else {
        fputs("<g id=\"coverage\" shape-rendering=\"crispEdges\">\n", m->fp);
        put_cells(m, CCOV_CELL_ONCE, "cv");
        fputs("</g>\n<g id=\"overlaps\" shape-rendering=\"crispEdges\">\n", m->fp);
    }
    for (int c = 0; c < NTIMES; c++) {
        char cls[16];
        snprintf(cls, sizeof cls, "ov%d", c);
        put_cells(m, CCOV_CELL_TIMES2 + c, cls);
    }
    fputs("</g>\n<g id=\"outside\" shape-rendering=\"crispEdges\">\n", m->fp);
    put_cells(m, CCOV_CELL_OUT, "out");
    fputs("</g>\n", m->fp);
}

/* The regions, the cleared land on them, then the region outlines on top. */
static void draw_layers(map *m) {
    draw_regions(m);
    draw_cells(m);
    put_group(m, "region-outlines", "ro");
    for (size_t i = 0; i < m->layers[L_REGIONS].n; i++)
        put_path(m, &m->layers[L_REGIONS].items[i], NULL, NULL);
    fputs("</g>\n", m->fp);
}

/* ---- labels ---- */

static void draw_labels(map *m) {
    const shape_list *l = &m->layers[L_REGIONS];
    fputs("<g id=\"labels\">\n", m->fp);
    for (size_t i = 0; i < l->n; i++) {
        const shape *sh = &l->items[i];
        char value[96];
        if (!sh->labelled)
            continue;
        put_text(m, sh->lx, sh->ly - 2 * m->u, "lab", region_name(m, sh, i));
        put_text(m, sh->lx, sh->ly + 13 * m->u, "labv", label_value(m, sh, i, value, sizeof value));
    }
    fputs("</g>\n", m->fp);
}

/* ---- scale bar and north arrow ---- */

/* A mark of the scale bar, in km when the whole bar is 1 km or more, else in m. */
static void scale_label(double metres, double whole, bool unit, char *buf, size_t n) {
    bool km = whole >= 1000;
    snprintf(buf, n, "%g%s", km ? metres / 1000 : metres, !unit ? "" : km ? " km" : " m");
}

/* Lengths are measured in the projected frame. UTM's scale factor keeps them within 0.1 % of the
   ground distance inside a zone (0.5 % at worst over the 12 degrees it is used for). */
static void draw_scale_bar(map *m) {
    double u = m->u, len = m->bar_len;
    double w = len * m->scale, x = m->bar_box.x + 8 * u, y = m->bar_box.y + 22 * u;
    char b[5][24], label[32];
    fprintf(m->fp, "<g id=\"scale-bar\" data-length-m=\"%.0f\">\n", len);
    put_rect(m, &m->bar_box, "box");
    for (int i = 0; i < 4; i++)
        fprintf(m->fp,
                "<rect x=\"%s\" y=\"%s\" width=\"%s\" height=\"%s\" fill=\"%s\" stroke=\"" INK
                "\" stroke-width=\"%s\"/>\n",
                px(x + i * w / 4, b[0]), px(y, b[1]), px(w / 4, b[2]), px(6 * u, b[3]),
                i % 2 ? "#ffffff" : INK, px(0.8 * u, b[4]));
    put_text(m, x, y - 6 * u, "sb", "0");
    scale_label(len / 2, len, false, label, sizeof label);
    put_text(m, x + w / 2, y - 6 * u, "sb", label);
    scale_label(len, len, true, label, sizeof label);
    put_text(m, x + w, y - 6 * u, "sb", label);
    fputs("</g>\n", m->fp);
}

/* Direction of true north at the map's centre, degrees clockwise from the top of the page. */
static double north_angle(map *m) {
    double x[2] = {m->lon0, m->lon0}, y[2] = {m->lat0, m->lat0 + (m->lat0 < 89 ? 0.01 : -0.01)};
    if (ccov_xform_points(m->xf, x, 1, y, 1, 2) != 0)
        return 0;
    double a = atan2(x[1] - x[0], y[1] - y[0]) * 180 / 3.14159265358979323846;
    return m->lat0 < 89 ? a : a + 180;
}

static void draw_north_arrow(map *m) {
    char b[5][24];
    double u = m->u, a = north_angle(m);
    snprintf(b[2], sizeof b[2], "%.4g", u);
    fprintf(
        m->fp,
        "<g id=\"north-arrow\" transform=\"translate(%s %s) scale(%s)\">\n"
        "<title>True north at the map centre</title>\n"
        "<circle r=\"26\" fill=\"#ffffff\" fill-opacity=\"0.85\" stroke=\"#bbbbbb\" "
        "stroke-width=\"%s\"/>\n<g transform=\"rotate(%s)\">\n"
        "<path d=\"M0 -11L7 13L0 8z\" fill=\"" INK "\"/>\n"
        "<path d=\"M0 -11L-7 13L0 8z\" fill=\"#ffffff\" stroke=\"" INK "\" stroke-width=\"1\"/>\n"
        "<text y=\"-13\" font-size=\"12\" font-weight=\"bold\" text-anchor=\"middle\" fill=\"" INK
        "\">N</text>\n"
        "</g>\n</g>\n",
        px(m->arrow_box.x + m->arrow_box.w / 2, b[0]),
        px(m->arrow_box.y + m->arrow_box.h / 2, b[1]), b[2], px(0.8, b[4]), px(a, b[3]));
}

/* ---- legend ---- */

static void legend_heading(map *m, double *y, const char *text) {
    *y += 30 * m->u;
    put_text(m, m->legend.x + 14 * m->u, *y, "legh", text);
}

static void legend_key(map *m, double *y, const char *cls, const char *label) {
    double u = m->u, x = m->legend.x + 14 * u;
    *y += 20 * u;
    box key = {x, *y - 11 * u, 22 * u, 13 * u};
    put_rect(m, &key, cls);
    put_text(m, x + 32 * u, *y, "leg", label);
}

static void legend_keys(map *m, double *y) {
    static const char *const TIMES_LABEL[NTIMES] = {
        "Overlap: covered by 2 tasks", "Overlap: covered by 3 tasks", "Overlap: covered by 4 tasks",
        "Overlap: covered by 5+ tasks"};
    bool present[NTIMES];
    legend_key(m, y, "rs", "Region boundary");
    if (m->cover_slot)
        legend_group_keys(m, y);
    else
        legend_key(m, y, "cv", "Cleared land, counted once");
    if (overlap_classes(m, present) == 0)
        legend_key(m, y, "ov0", "Overlap (none here)");
    for (int c = 0; c < NTIMES; c++) {
        char cls[16];
        snprintf(cls, sizeof cls, "ov%d", c);
        if (present[c])
            legend_key(m, y, cls, TIMES_LABEL[c]);
    }
    legend_key(m, y, "out", "Cleared outside every region");
}

static void legend_row(map *m, double *y, const char *label, const char *value) {
    *y += 20 * m->u;
    put_text(m, m->legend.x + 14 * m->u, *y, "leg", label);
    if (*value)
        put_text(m, m->legend.x + m->legend.w - 14 * m->u, *y, "num", value);
}

static void area_words(const map *m, char *buf, size_t n) {
    if (m->res->area == CCOV_AREA_GEODESIC)
        snprintf(buf, n, "geodesic, WGS84 ellipsoid");
    else
        snprintf(buf, n, "planar, in %s", m->res->frame ? m->res->frame : "?");
}

static void legend_figures(map *m, double *y) {
    const ccov_result *res = m->res;
    char b[64], area[160], line[200], cut[200];
    size_t max = (size_t)((m->legend.w - 28 * m->u) / (0.6 * 12.5 * m->u));
    legend_row(m, y, "Net, counted once", hectares(res->net_ha, b, sizeof b));
    legend_row(m, y, "Gross, sum of tasks", hectares(res->gross_ha, b, sizeof b));
    legend_row(m, y, "Overlap (gross \xE2\x88\x92 net)", hectares(res->overlap_ha, b, sizeof b));
    legend_row(m, y, "Outside every region", hectares(res->outside_ha, b, sizeof b));
    legend_row(m, y, "Tasks", ccov_report_number((double)res->tasks, 0, b, sizeof b));
    area_words(m, area, sizeof area);
    snprintf(line, sizeof line, "Area: %s", area);
    legend_row(m, y, text_head(line, max, cut, sizeof cut), "");
}

/* Regions by net hectares, largest first; equal ones in the result's order. */
static int cmp_by_net(const void *a, const void *b) {
    const ccov_region_result *p = *(const ccov_region_result *const *)a;
    const ccov_region_result *q = *(const ccov_region_result *const *)b;
    if (p->net_ha != q->net_ha)
        return p->net_ha < q->net_ha ? 1 : -1;
    return (p > q) - (p < q);
}

/* The regions with the most net hectares first (the heading says only "By region": the columns
   beside it leave no room), as many as the legend holds, then how many are left out. */
static void legend_regions(map *m, double *y) {
    double u = m->u, right = m->legend.x + m->legend.w - 14 * u;
    size_t n = m->res->nregions, shown = n > MAX_LEGEND_REGIONS ? MAX_LEGEND_REGIONS : n;
    size_t max = (size_t)((m->legend.w - 28 * u - 124 * u) / (0.6 * 12.5 * u));
    const ccov_region_result **order = calloc(n ? n : 1, sizeof *order);
    if (!order) {
        m->broken = true;
        return;
    }
    for (size_t i = 0; i < n; i++)
        order[i] = &m->res->regions[i];
    qsort(order, n, sizeof *order, cmp_by_net);
    legend_heading(m, y, "By region");
    put_text(m, right - 62 * u, *y, "num", "net ha");
    put_text(m, right, *y, "num", "cleared");
    for (size_t i = 0; i < shown; i++) {
        const ccov_region_result *r = order[i];
        char name[256], ha[64], pct[32];
        snprintf(pct, sizeof pct, "%.2f %%", r->percent_cleared);
        legend_row(m, y, text_head(r->name, max, name, sizeof name), pct);
        put_text(m, right - 62 * u, *y, "num", hectares(r->net_ha, ha, sizeof ha));
    }
    if (shown < n) {
        char more[64];
        snprintf(more, sizeof more, "\xE2\x80\xA6 and %zu more", n - shown);
        legend_row(m, y, more, "");
    }
    free(order);
}

static void draw_legend(map *m) {
    static const char *const NOTES[] = {"Each colour fills as many pixels as its share of the",
                                        "ground (error diffusion): tasks smaller than a pixel",
                                        "merge or fall away. The figures are exact."};
    /* with --group-by the groups are drawn as polygons, not on the pixel grid */
    static const char *const GROUP_NOTES[] = {"Groups are drawn as their polygons; overlaps and",
                                              "land outside every region fill as many pixels",
                                              "as their share. The figures are exact."};
    const char *const *notes = m->cover_slot ? GROUP_NOTES : NOTES;
    double u = m->u, y = m->legend.y;
    fputs("<g id=\"legend\">\n", m->fp);
    put_rect(m, &m->legend, "panel");
    legend_heading(m, &y, "Legend");
    legend_keys(m, &y);
    legend_heading(m, &y, "Hectares");
    legend_figures(m, &y);
    legend_regions(m, &y);
    y += 10 * u;
    _Static_assert(sizeof NOTES == sizeof GROUP_NOTES, "both notes take the same lines");
    for (size_t i = 0; i < sizeof NOTES / sizeof NOTES[0]; i++) {
        y += 16 * u;
        put_text(m, m->legend.x + 14 * u, y, "small", notes[i]);
    }
    fputs("</g>\n", m->fp);
}

/* ---- title and footer ---- */

static void draw_title(map *m) {
    const ccov_result *res = m->res;
    char net[64], gross[64], tasks[64], sub[400];
    snprintf(sub, sizeof sub,
             "%s ha cleared in %zu region%s, each hectare counted once (gross %s ha from %s "
             "tasks)",
             hectares(res->net_ha, net, sizeof net), res->nregions, res->nregions == 1 ? "" : "s",
             hectares(res->gross_ha, gross, sizeof gross),
             ccov_report_number((double)res->tasks, 0, tasks, sizeof tasks));
    char title[1024];
    size_t max = (size_t)((m->width - 40 * m->u) / (0.65 * 22 * m->u));
    if (m->sample) {
        char shown[1100];
        snprintf(shown, sizeof shown, "%s (synthetic sample)", m->title);
        put_text(m, 20 * m->u, 36 * m->u, "title", text_head(shown, max, title, sizeof title));
    } else
        put_text(m, 20 * m->u, 36 * m->u, "title", text_head(m->title, max, title, sizeof title));
    put_text(m, 20 * m->u, 58 * m->u, "sub", sub);
}

/* The path as the footer shows it: relative to the working folder when inside it, else its file
   name alone, so that no folder of the machine that drew the map is printed. Connection strings
   and other non-absolute sources are shown as given. */
static const char *shown_path(const char *path) {
    char cwd[PATH_MAX];
    if (!path || path[0] != '/')
        return path ? path : "?";
    size_t n = getcwd(cwd, sizeof cwd) ? strlen(cwd) : 0;
    if (n > 1 && strncmp(path, cwd, n) == 0 && path[n] == '/' && path[n + 1])
        return path + n + 1;
    const char *slash = strrchr(path, '/');
    return slash[1] ? slash + 1 : path;
}

/* "What: path, layer L (CRS); note", the path shortened from the left to fit the page. */
static void footer_source(map *m, double y, const char *what, const ccov_input *in,
                          const char *note) {
    char rest[600], tail[1200], line[2048];
    snprintf(rest, sizeof rest, ", layer %s (%s)%s%s", in->layer ? in->layer : "?",
             in->crs ? in->crs : "no CRS", note ? "; " : "", note ? note : "");
    size_t max = (size_t)((m->width - 40 * m->u) / (0.6 * 11 * m->u));
    size_t fixed = text_chars(what) + text_chars(rest);
    const char *path =
        text_tail(shown_path(in->path), max > fixed + 12 ? max - fixed : 12, tail, sizeof tail);
    snprintf(line, sizeof line, "%s%s%s", what, path, rest);
    put_text(m, 20 * m->u, y, "foot", line);
}

static void draw_footer(map *m) {
    char area[160], line[600];
    double y = m->footer_y, step = 16 * m->u;
    area_words(m, area, sizeof area);
    fputs("<g id=\"footer\">\n", m->fp);
    footer_source(m, y, "Regions: ", &m->res->regions_input, m->res->regions_input.credit);
    footer_source(m, y + step, "Cleared areas: ", &m->res->cleared_input,
                  m->sample ? "SYNTHETIC SAMPLE, not real clearance records" : NULL);
    snprintf(line, sizeof line,
             "Map: %s, north arrow to true north. Areas: %s. Drawn by clearcov %s.", m->proj_name,
             area, CCOV_VERSION);
    put_text(m, 20 * m->u, y + 2 * step, "foot", line);
    if (m->unlabelled) {
        snprintf(line, sizeof line,
                 "Labels: %zu of %zu regions unlabelled (no room); the legend and the regions' "
                 "tooltips give their figures.",
                 m->unlabelled, m->layers[L_REGIONS].n);
        put_text(m, 20 * m->u, y + 3 * step, "foot", line);
    }
    fputs("</g>\n", m->fp);
}

/* ---- the document ---- */

static void draw(map *m) {
    char b[6][24];
    fprintf(m->fp,
            "<?xml version=\"1.0\" encoding=\"UTF-8\"?>\n<svg xmlns=\"http://www.w3.org/2000/svg\" "
            "width=\"%s\" height=\"%s\" viewBox=\"0 0 %s %s\" font-family=\"sans-serif\" "
            "fill-rule=\"evenodd\" stroke=\"none\">\n<title>",
            px(m->width, b[0]), px(m->height, b[1]), b[0], b[1]);
    ccov_render_xml_text(m->fp, m->title);
    fputs("</title>\n", m->fp);
    fprintf(m->fp, "<rect width=\"%s\" height=\"%s\" fill=\"#ffffff\"/>\n", b[0], b[1]);
    put_rect(m, &m->frame, "frame");
    draw_layers(m);
    draw_labels(m);
    draw_scale_bar(m);
    draw_north_arrow(m);
    draw_legend(m);
    draw_title(m);
    draw_footer(m);
    fputs("</svg>\n", m->fp);
}

/* ---- the file: a temporary name beside the target, renamed when complete ---- */

/* Drop an incomplete file. */
static ccov_status out_abort(ccov_ctx *ctx, const ccov_map_options *o, ccov_atomic_file *f) {
    ccov_atomic_close(ctx, f, false);
    return ccov_ctx_fail(ctx, CCOV_ERR_IO, "%s: out of memory while drawing", o->out);
}

/* ---- entry point ---- */

static ccov_status check_options(ccov_ctx *ctx, const ccov_map_options *o) {
    if (!o || !o->out || !*o->out)
        return ccov_ctx_fail(ctx, CCOV_ERR_USAGE, "map: no output path given");
    if (o->width_px != 0 && (o->width_px < 400 || o->width_px > 10000))
        return ccov_ctx_fail(ctx, CCOV_ERR_USAGE, "map: width %d px is out of range (400 to 10000)",
                             o->width_px);
    return CCOV_OK;
}

/* One output file: no clobber, not a folder, its folder exists. */
static ccov_status check_target(ccov_ctx *ctx, const char *path, bool overwrite) {
    struct stat info;
    bool exists = stat(path, &info) == 0;
    if (ccov_atomic_may_write(ctx, path, overwrite) != CCOV_OK)
        return CCOV_ERR_IO;
    if (exists && S_ISDIR(info.st_mode))
        return ccov_ctx_fail(ctx, CCOV_ERR_IO, "%s: is a directory", path);
    if (exists)
        return CCOV_OK;
    char dir[PATH_MAX];
    const char *slash = strrchr(path, '/');
    snprintf(dir, sizeof dir, "%.*s", slash ? (int)(slash - path + 1) : 1, slash ? path : ".");
    if (stat(dir, &info) != 0 || !S_ISDIR(info.st_mode))
        return ccov_ctx_fail(ctx, CCOV_ERR_IO, "%s: cannot write: no folder %s", path, dir);
    return CCOV_OK;
}

bool ccov_map_png_path(const char *svg, char *buf, size_t n) {
    size_t len = strlen(svg);
    size_t stem = len >= 4 && strcasecmp(svg + len - 4, ".svg") == 0 ? len - 4 : len;
    return (size_t)snprintf(buf, n, "%.*s.png", (int)stem, svg) < n;
}

/* --png: a PNG path that fits, a build that can render, an SVG that is a file to read back. */
static ccov_status check_png(ccov_ctx *ctx, const ccov_map_options *o) {
    char png[PATH_MAX];
    struct stat info;
    if (!ccov_map_png_available())
        return ccov_ctx_fail(ctx, CCOV_ERR_USAGE,
                             "map --png: this clearcov was built without librsvg "
                             "(librsvg2-dev), so it cannot write PNG");
    if (!ccov_map_png_path(o->out, png, sizeof png))
        return ccov_ctx_fail(ctx, CCOV_ERR_IO, "%s: path too long for the PNG", o->out);
    if (stat(o->out, &info) == 0 && !S_ISREG(info.st_mode) && !S_ISDIR(info.st_mode))
        return ccov_ctx_fail(ctx, CCOV_ERR_IO,
                             "%s: --png needs -o to name a file (the PNG is rendered from it)",
                             o->out);
    return check_target(ctx, png, o->overwrite);
}

ccov_status ccov_map_check(ccov_ctx *ctx, const ccov_map_options *opts) {
    ccov_status st = check_options(ctx, opts);
    if (st == CCOV_OK)
        st = check_target(ctx, opts->out, opts->overwrite);
    if (st == CCOV_OK && opts->png)
        st = check_png(ctx, opts);
    return st;
}

static ccov_status map_setup(map *m, const ccov_map_options *o) {
    ccov_status st = check_options(m->ctx, o);
    if (st != CCOV_OK)
        return st;
    m->title = o->title ? o->title : DEFAULT_TITLE;
    m->sample = ccov_coverage_is_sample(m->res->cleared_input.path);
    m->width = o->width_px ? o->width_px : 1000;
    m->u = m->width / 1000;
    for (int k = 0; k < L_COVERAGE && st == CCOV_OK; k++)
        st = load_layer(m, k);
    if (st == CCOV_OK && m->res->ngroup_fields > 0)
        st = load_layer(m, L_COVERAGE);
    if (st == CCOV_OK)
        st = group_colours(m);
    return st;
}

static void map_release(map *m) {
    for (int k = 0; k < NLAYERS; k++) {
        for (size_t i = 0; i < m->layers[k].n; i++)
            ccov_geom_free(m->ctx, m->layers[k].items[i].geom);
        free(m->layers[k].items);
    }
    ccov_xform_free(m->xf);
    free(m->cover_slot);
    free(m->group_rank);
    ccov_map_raster_free(&m->raster);
}

/* The PNG rendered from the complete SVG (still under its temporary name), then both put in
   place. A failure before the SVG is in place drops both; two renames cannot be one, so when the
   PNG's own rename fails after the SVG's, the new SVG stays and the error is reported (exit 3). */
static ccov_status close_with_png(ccov_ctx *ctx, const ccov_map_options *o, ccov_atomic_file *f) {
    char png[PATH_MAX];
    ccov_atomic_file p = {0};
    ccov_status st = fflush(f->fp) == 0 ? CCOV_OK
                                        : ccov_ctx_fail(ctx, CCOV_ERR_IO, "%s: cannot write: %s",
                                                        o->out, strerror(errno));
    if (st == CCOV_OK && !ccov_map_png_path(o->out, png, sizeof png))
        st = ccov_ctx_fail(ctx, CCOV_ERR_IO, "%s: path too long for the PNG", o->out);
    if (st == CCOV_OK)
        st = ccov_atomic_open(ctx, png, o->overwrite, &p);
    if (st == CCOV_OK)
        st = ccov_map_png_render(ctx, f->direct ? f->path : f->tmp, p.fp, png);
    if (st != CCOV_OK) {
        if (p.fp)
            ccov_atomic_close(ctx, &p, false);
        ccov_atomic_close(ctx, f, false);
        return st;
    }
    st = ccov_atomic_close(ctx, f, true);
    if (st != CCOV_OK) {
        ccov_atomic_close(ctx, &p, false);
        return st;
    }
    return ccov_atomic_close(ctx, &p, true);
}

ccov_status ccov_map_write(ccov_ctx *ctx, const ccov_result *res, const ccov_map_options *opts) {
    map m = {.ctx = ctx, .res = res};
    ccov_atomic_file f = {0};
    ccov_status st = map_setup(&m, opts);
    if (st == CCOV_OK && opts->png)
        st = check_png(ctx, opts);
    if (st == CCOV_OK)
        st = map_project(&m);
    if (st == CCOV_OK)
        st = map_prepare(&m);
    if (st == CCOV_OK)
        st = ccov_atomic_open(ctx, opts->out, opts->overwrite, &f);
    if (st == CCOV_OK) {
        m.fp = f.fp;
        draw(&m);
        st = m.broken    ? out_abort(ctx, opts, &f)
             : opts->png ? close_with_png(ctx, opts, &f)
                         : ccov_atomic_close(ctx, &f, true);
    }
    map_release(&m);
    return st;
}
