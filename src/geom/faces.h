/* geom: the faces of an overlay of many polygons, each labelled with the polygons that cover it
   (for the breakdowns: one overlay of a cell's records gives every subset's area; merged by their
   members for the overlaps layer). GEOS only. */
#ifndef CCOV_GEOM_FACES_H
#define CCOV_GEOM_FACES_H

#include "geom/geom.h"

/* One face: a polygon that no boundary of the input crosses, and the input polygons covering it
   (from ccov_geom_overlay: the union of the faces covered by exactly those polygons). */
typedef struct {
    ccov_geom *geom;
    size_t *members; /* indices into the input polygons, ascending */
    size_t nmembers;
    double x, y; /* a point inside the face */
} ccov_face;

/* Node the boundaries of the n polygons and the nlines extra lines (borders to cut the faces
   at), polygonize, and label each face with the polygons covering a point inside it; faces that
   no polygon covers are dropped. *out (array of *nout) is freed with ccov_geom_faces_free(). */
ccov_status ccov_geom_faces(ccov_ctx *ctx, ccov_geom *const *in, size_t n, ccov_geom *const *lines,
                            size_t nlines, ccov_face **out, size_t *nout);
void ccov_geom_faces_free(ccov_ctx *ctx, ccov_face *faces, size_t n);

/* Split the union of n polygons into pieces by how many of them cover each place, keeping the
   pieces covered by at least `min_count` (1 or more) polygons: the faces of ccov_geom_faces()
   (without extra lines), those covered by the same members merged into one. *out (array of
   *nout) is freed with ccov_geom_faces_free(). */
ccov_status ccov_geom_overlay(ccov_ctx *ctx, ccov_geom *const *in, size_t n, size_t min_count,
                              ccov_face **out, size_t *nout);

/* The boundary of polygonal g (a new geometry); NULL on error. */
ccov_geom *ccov_geom_border(ccov_ctx *ctx, const ccov_geom *g);

/* The part of line geometry g inside the rectangle (xmin, ymin, xmax, ymax): NULL when none or
   on error (*failed tells which). */
ccov_geom *ccov_geom_lines_in_rect(ccov_ctx *ctx, const ccov_geom *g, const double rect[4],
                                   bool *failed);
#endif
