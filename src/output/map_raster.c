/* map_raster: cleared land counted on a pixel grid, each cell given one class by error diffusion.
   A vector drawing of tasks smaller than a pixel cannot keep their proportions: an outline
   inflates them, anti-aliasing blends them away. Counting samples and diffusing the rounding
   error keeps every class's share of cells equal to its share of the ground. */
#include "output/map_raster.h"

#include <math.h>
#include <stdlib.h>
#include <string.h>

/* At most this many samples (one byte each): ss shrinks on very large pages. */
#define MAX_SAMPLES (32u * 1024u * 1024u)
#define REGION_BIT 0x80u
#define COUNT_MAX 0x7fu

bool ccov_map_raster_init(ccov_map_raster *r, double x0, double y0, double scale, size_t w,
                          size_t h, int ss) {
    memset(r, 0, sizeof *r);
    w = w ? w : 1;
    h = h ? h : 1;
    while (ss > 1 && (double)w * h * ss * ss > MAX_SAMPLES)
        ss--;
    *r = (ccov_map_raster){x0, y0, scale, w, h, ss, NULL, NULL};
    r->counts = calloc(w * h * (size_t)ss * (size_t)ss, 1);
    r->cells = calloc(w * h, 1);
    return r->counts && r->cells;
}

void ccov_map_raster_free(ccov_map_raster *r) {
    free(r->counts);
    free(r->cells);
    memset(r, 0, sizeof *r);
}

/* ---- counting polygons at the samples ---- */

typedef struct {
    const ccov_map_raster *r;
    double *x, *y; /* ring points in sample units, rings one after another */
    size_t *end;   /* end of each ring in x, y */
    size_t n, cap, nrings, ring_cap;
    double ymin, ymax;
} edges;

bool ccov_map_grow(void **p, size_t *cap, size_t need, size_t size) {
    if (need <= *cap)
        return true;
    size_t cap2 = *cap ? *cap : 64;
    while (cap2 < need)
        cap2 *= 2;
    void *grown = realloc(*p, cap2 * size);
    if (!grown)
        return false;
    *p = grown;
    *cap = cap2;
    return true;
}

/* x and y share one capacity: both grow to it, and it is raised once both have. */
static bool grow_points(edges *e, size_t need) {
    size_t xcap = e->cap, ycap = e->cap;
    if (!ccov_map_grow((void **)&e->x, &xcap, need, sizeof *e->x) ||
        !ccov_map_grow((void **)&e->y, &ycap, need, sizeof *e->y))
        return false;
    e->cap = xcap;
    return true;
}

static bool add_ring(void *user, const double *x, const double *y, size_t n, bool exterior) {
    edges *e = user;
    const ccov_map_raster *r = e->r;
    double k = r->scale * r->ss;
    (void)exterior;
    if (!grow_points(e, e->n + n) ||
        !ccov_map_grow((void **)&e->end, &e->ring_cap, e->nrings + 1, sizeof *e->end))
        return false;
    for (size_t i = 0; i < n; i++) {
        e->x[e->n] = (x[i] - r->x0) * k;
        e->y[e->n] = (r->y0 - y[i]) * k;
        e->ymin = fmin(e->ymin, e->y[e->n]);
        e->ymax = fmax(e->ymax, e->y[e->n]);
        e->n++;
    }
    e->end[e->nrings++] = e->n;
    return true;
}

size_t ccov_map_ring_crossings(const double *x, const double *y, size_t n, double yc, double *xs) {
    size_t found = 0;
    for (size_t i = 0; i + 1 < n; i++)
        if ((y[i] <= yc) != (y[i + 1] <= yc))
            xs[found++] = x[i] + (yc - y[i]) / (y[i + 1] - y[i]) * (x[i + 1] - x[i]);
    return found;
}

static int cmp_double(const void *a, const void *b) {
    double x = *(const double *)a, y = *(const double *)b;
    return (x > y) - (x < y);
}

void ccov_map_sort_crossings(double *xs, size_t n) { qsort(xs, n, sizeof *xs, cmp_double); }

/* The x where the rings cross the line y = yc, sorted; their number. */
static size_t crossings(const edges *e, double yc, double *xs) {
    size_t n = 0;
    for (size_t ring = 0, from = 0; ring < e->nrings; from = e->end[ring++])
        n += ccov_map_ring_crossings(e->x + from, e->y + from, e->end[ring] - from, yc, xs + n);
    ccov_map_sort_crossings(xs, n);
    return n;
}

/* Samples of row sy whose centres lie in [a, b). */
static void fill_span(ccov_map_raster *r, size_t sy, double a, double b, bool region) {
    double width = (double)r->w * r->ss;
    double from = fmax(ceil(a - 0.5), 0), to = fmin(ceil(b - 0.5), width);
    unsigned char *row = r->counts + sy * (size_t)width;
    for (double sx = from; sx < to; sx++) {
        unsigned char *c = &row[(size_t)sx];
        if (region)
            *c |= REGION_BIT;
        else if ((*c & COUNT_MAX) < COUNT_MAX)
            (*c)++;
    }
}

static bool fill_rows(ccov_map_raster *r, const edges *e, bool region) {
    double height = (double)r->h * r->ss;
    double from = fmax(ceil(e->ymin - 0.5), 0), to = fmin(floor(e->ymax - 0.5), height - 1);
    double *xs = from <= to ? malloc(e->n * sizeof *xs) : NULL;
    if (from <= to && !xs)
        return false;
    for (double sy = from; sy <= to; sy++) {
        size_t n = crossings(e, sy + 0.5, xs);
        for (size_t i = 0; i + 1 < n; i += 2)
            fill_span(r, (size_t)sy, xs[i], xs[i + 1], region);
    }
    free(xs);
    return true;
}

bool ccov_map_raster_add(ccov_ctx *ctx, ccov_map_raster *r, const ccov_geom *g, bool region) {
    edges e = {.r = r, .ymin = HUGE_VAL, .ymax = -HUGE_VAL};
    bool ok = ccov_geom_rings(ctx, g, add_ring, &e) && fill_rows(r, &e, region);
    free(e.x);
    free(e.y);
    free(e.end);
    return ok;
}

/* ---- one class per cell ---- */

static int sample_class(unsigned char c) {
    int times = c & COUNT_MAX;
    if (times == 0)
        return CCOV_CELL_NONE;
    if (!(c & REGION_BIT))
        return CCOV_CELL_OUT;
    return times == 1 ? CCOV_CELL_ONCE : CCOV_CELL_TIMES2 + (times >= 5 ? 3 : times - 2);
}

/* Shares of each class among the samples of cell (cx, cy). */
static void cell_shares(const ccov_map_raster *r, size_t cx, size_t cy, double f[CCOV_NCELL]) {
    size_t ss = (size_t)r->ss, width = r->w * ss;
    double each = 1.0 / (double)(ss * ss);
    memset(f, 0, CCOV_NCELL * sizeof *f);
    for (size_t y = cy * ss; y < (cy + 1) * ss; y++)
        for (size_t x = cx * ss; x < (cx + 1) * ss; x++)
            f[sample_class(r->counts[y * width + x])] += each;
}

/* Cell (cx, cy) takes the class with the largest share plus the error carried so far, and
   carries on what it leaves over or takes too much (err, one per class; it sums to zero). */
static void diffuse_cell(ccov_map_raster *r, size_t cx, size_t cy, double err[CCOV_NCELL]) {
    double f[CCOV_NCELL];
    int best = 0;
    cell_shares(r, cx, cy, f);
    for (int k = 0; k < CCOV_NCELL; k++) {
        f[k] += err[k];
        best = f[k] > f[best] ? k : best;
    }
    r->cells[cy * r->w + cx] = (unsigned char)best;
    f[best] -= 1;
    memcpy(err, f, sizeof f);
}

/* Cell d of the Hilbert curve filling an n x n square (n a power of two): its (x, y). */
static void hilbert_cell(size_t n, size_t d, size_t *x, size_t *y) {
    size_t rx, ry, t = d;
    *x = *y = 0;
    for (size_t s = 1; s < n; s *= 2, t /= 4) {
        rx = 1 & (t / 2);
        ry = 1 & (t ^ rx);
        if (ry == 0) {
            if (rx == 1) {
                *x = s - 1 - *x;
                *y = s - 1 - *y;
            }
            size_t swap = *x;
            *x = *y;
            *y = swap;
        }
        *x += s * rx;
        *y += s * ry;
    }
}

/* The error is carried along a Hilbert curve through the cells: all of it, so that each class
   gets as many cells as its samples fill to within a cell or two, and only to the next cell on
   the curve, which stays near, so that a class lands where its land is. (Diffusing to the
   neighbours of a row scan loses isolated small shares: they spread out and never win.) */
void ccov_map_raster_classify(ccov_map_raster *r, bool present[CCOV_NCELL]) {
    double err[CCOV_NCELL] = {0};
    size_t n = 1;
    while (n < r->w || n < r->h)
        n *= 2;
    memset(present, 0, CCOV_NCELL * sizeof *present);
    for (size_t d = 0; d < n * n; d++) {
        size_t x, y;
        hilbert_cell(n, d, &x, &y);
        if (x >= r->w || y >= r->h)
            continue;
        diffuse_cell(r, x, y, err);
        present[r->cells[y * r->w + x]] = true;
    }
}
