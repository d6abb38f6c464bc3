/* map_raster: cleared land counted on a pixel grid, so that the map draws every class (cleared
   once, overlaps by count, outside) at its true share of the ground, however small the tasks.
   Internal to the map (map.c). */
#ifndef CCOV_MAP_RASTER_H
#define CCOV_MAP_RASTER_H

#include "clearcov/ctx.h"
#include "geom/geom.h"

#include <stdbool.h>
#include <stddef.h>

/* Classes of a cell: none, cleared once, covered by 2, 3, 4, 5 or more tasks, cleared outside
   every region. */
enum { CCOV_CELL_NONE, CCOV_CELL_ONCE, CCOV_CELL_TIMES2, CCOV_CELL_OUT = 6, CCOV_NCELL = 7 };

typedef struct {
    double x0, y0;         /* projected coordinates of the grid's top-left corner, metres */
    double scale;          /* cells per metre */
    size_t w, h;           /* cells */
    int ss;                /* samples per cell side */
    unsigned char *counts; /* per sample: tasks covering it (low 7 bits), 0x80 in a region */
    unsigned char *cells;  /* per cell, after ccov_map_raster_classify: a CCOV_CELL_ class */
} ccov_map_raster;

/* Grow *p, an array of *cap items of size bytes, to hold at least need items (doubling); false
   when out of memory (*p and *cap are then as they were). Free *p with free(). */
bool ccov_map_grow(void **p, size_t *cap, size_t need, size_t size);

/* The x where the segments of the ring (x[i], y[i]), i < n, cross the line y = yc (a vertex on
   the line counts as below it, so that each crossing counts once), in ring order, written to xs
   (room for n - 1 at the most); their number. Used for the even-odd rule along scanlines. */
size_t ccov_map_ring_crossings(const double *x, const double *y, size_t n, double yc, double *xs);

/* xs[0..n) in increasing order. */
void ccov_map_sort_crossings(double *xs, size_t n);

/* A grid of w x h cells of 1/scale metres from (x0, y0) down and right, sampled at ss x ss
   points per cell (ss reduced so that the samples stay below a memory bound). false when out
   of memory. Free with ccov_map_raster_free(). */
bool ccov_map_raster_init(ccov_map_raster *r, double x0, double y0, double scale, size_t w,
                          size_t h, int ss);
void ccov_map_raster_free(ccov_map_raster *r);

/* Mark polygon g (projected metres; holes and parts by the even-odd rule) at every sample whose
   centre it covers: as a region, or as one more task covering it (a sample covered by tasks
   and no region is cleared land outside every region). false when the geometry cannot be
   walked or memory runs out. */
bool ccov_map_raster_add(ccov_ctx *ctx, ccov_map_raster *r, const ccov_geom *g, bool region);

/* Give each cell one class by error diffusion of the classes' shares of its samples along a
   Hilbert curve: every class then covers as many cells as its samples fill, to within a cell or
   two, near where they lie, and no class swells at the cost of another. present[c] tells which
   classes got a cell. Needs no memory of its own. */
void ccov_map_raster_classify(ccov_map_raster *r, bool present[CCOV_NCELL]);

#endif
