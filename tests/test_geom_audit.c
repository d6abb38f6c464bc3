/* Unit tests of geom_audit (the geometry side of `clearcov audit`): WKT in, measure out, values
   worked out by hand in the comments. */
#include "clearcov/ctx.h"
#include "geom/geom.h"
#include "geom/audit.h"

#include <math.h>
#include <stdint.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>

#include "check.h"

#define PI 3.14159265358979323846

/* ---- the WKB ring walk, on bytes written by hand ---- */

typedef struct {
    size_t rings, points, exterior;
    double first_x, last_y;
} ring_count;

static bool count_ring(void *user, const double *x, const double *y, size_t n, bool exterior) {
    ring_count *c = user;
    if (c->rings == 0)
        c->first_x = x[0];
    c->rings++;
    c->points += n;
    c->exterior += exterior;
    c->last_y = y[n - 1];
    return true;
}

static size_t put_u32(unsigned char *b, uint32_t v, bool big) {
    for (int i = 0; i < 4; i++)
        b[i] = (unsigned char)(v >> (big ? 8 * (3 - i) : 8 * i));
    return 4;
}

static size_t put_f64(unsigned char *b, double v, bool big) {
    uint64_t bits;
    memcpy(&bits, &v, sizeof bits);
    for (int i = 0; i < 8; i++)
        b[i] = (unsigned char)(bits >> (big ? 8 * (7 - i) : 8 * i));
    return 8;
}

/* POLYGON((0 0, 2 2, 0 0)): 3 points, a ring GEOS will not build. With Z when zm. */
static size_t three_point_polygon(unsigned char *b, bool big, bool z) {
    size_t n = 0;
    b[n++] = big ? 0 : 1;
    n += put_u32(b + n, z ? 1003 : 3, big);
    n += put_u32(b + n, 1, big);
    n += put_u32(b + n, 3, big);
    const double xy[3][2] = {{0, 0}, {2, 2}, {0, 0}};
    for (int i = 0; i < 3; i++) {
        n += put_f64(b + n, xy[i][0], big);
        n += put_f64(b + n, xy[i][1], big);
        if (z)
            n += put_f64(b + n, 99, big);
    }
    return n;
}

static void check_wkb_rings(void) {
    unsigned char b[256];
    for (int big = 0; big < 2; big++)
        for (int z = 0; z < 2; z++) {
            size_t n = three_point_polygon(b, big, z);
            ring_count c = {0};
            CHECK(ccov_geom_wkb_rings(b, n, count_ring, &c));
            CHECK(c.rings == 1 && c.points == 3 && c.exterior == 1 && c.last_y == 0);
            /* Truncated: refused, not read past the end. */
            CHECK(!ccov_geom_wkb_rings(b, n - 1, count_ring, &c));
        }
    /* A MultiPolygon of two such polygons. */
    size_t n = 0;
    b[n++] = 1;
    n += put_u32(b + n, 6, false);
    n += put_u32(b + n, 2, false);
    n += three_point_polygon(b + n, false, false);
    n += three_point_polygon(b + n, true, false);
    ring_count c = {0};
    CHECK(ccov_geom_wkb_rings(b, n, count_ring, &c) && c.rings == 2 && c.exterior == 2);
    CHECK(!ccov_geom_wkb_rings(b, 3, count_ring, &c));
    b[0] = 7; /* not a byte-order mark */
    CHECK(!ccov_geom_wkb_rings(b, n, count_ring, &c));
}

/* ---- GEOS-side measures ---- */

static void check_valid(ccov_ctx *ctx) {
    char why[256];
    ccov_geom *bowtie = ccov_geom_from_wkt(ctx, "POLYGON((0 0, 2 2, 2 0, 0 2, 0 0))");
    CHECK(bowtie && !ccov_geom_audit_valid(ctx, bowtie, why, sizeof why));
    CHECK(strcmp(why, "self-intersection at (1 1)") == 0);
    ccov_geom *square = ccov_geom_from_wkt(ctx, "POLYGON((0 0, 2 0, 2 2, 0 2, 0 0))");
    CHECK(square && ccov_geom_audit_valid(ctx, square, why, sizeof why));
    ccov_geom_free(ctx, bowtie);
    ccov_geom_free(ctx, square);
}

static void check_normal(ccov_ctx *ctx) {
    /* The same square from another vertex and the other way round. */
    ccov_geom *a = ccov_geom_from_wkt(ctx, "POLYGON((0 0, 2 0, 2 2, 0 2, 0 0))");
    ccov_geom *b = ccov_geom_from_wkt(ctx, "POLYGON((2 2, 2 0, 0 0, 0 2, 2 2))");
    ccov_geom *c = ccov_geom_from_wkt(ctx, "POLYGON((0 0, 2 0, 2 2, 0 2.5, 0 0))");
    unsigned char *wa = NULL, *wb = NULL, *wc = NULL;
    size_t na = 0, nb = 0, nc = 0;
    CHECK(ccov_geom_audit_normal_wkb(ctx, a, &wa, &na));
    CHECK(ccov_geom_audit_normal_wkb(ctx, b, &wb, &nb));
    CHECK(ccov_geom_audit_normal_wkb(ctx, c, &wc, &nc));
    CHECK(na == nb && wa && wb && memcmp(wa, wb, na) == 0);
    CHECK(na == nc && wa && wc && memcmp(wa, wc, na) != 0);
    free(wa);
    free(wb);
    free(wc);
    ccov_geom_free(ctx, a);
    ccov_geom_free(ctx, b);
    ccov_geom_free(ctx, c);
}

static void check_shape(ccov_ctx *ctx) {
    double thin = 0, width = 0;
    /* Square of side 2: 4 pi 4 / 8^2 = pi / 4; width 2. */
    ccov_geom *sq = ccov_geom_from_wkt(ctx, "POLYGON((0 0, 2 0, 2 2, 0 2, 0 0))");
    CHECK(ccov_geom_audit_shape(ctx, sq, &thin, &width));
    CHECK(fabs(thin - PI / 4) < 1e-12 && fabs(width - 2) < 1e-12);
    /* 300 x 2 strip: 4 pi 600 / 604^2 = 0.0206669; width 2. */
    ccov_geom *strip = ccov_geom_from_wkt(ctx, "POLYGON((0 0, 300 0, 300 2, 0 2, 0 0))");
    CHECK(ccov_geom_audit_shape(ctx, strip, &thin, &width));
    CHECK(fabs(thin - 4 * PI * 600 / (604.0 * 604.0)) < 1e-12 && fabs(width - 2) < 1e-9);
    /* Multipolygon: the thinnest part counts (the square and the strip, far apart). */
    ccov_geom *both = ccov_geom_from_wkt(
        ctx, "MULTIPOLYGON(((0 0, 2 0, 2 2, 0 2, 0 0)), ((10 0, 310 0, 310 2, 10 2, 10 0)))");
    CHECK(ccov_geom_audit_shape(ctx, both, &thin, &width));
    CHECK(fabs(thin - 4 * PI * 600 / (604.0 * 604.0)) < 1e-12 && fabs(width - 2) < 1e-9);
    ccov_geom_free(ctx, sq);
    ccov_geom_free(ctx, strip);
    ccov_geom_free(ctx, both);
}

static void check_shares(ccov_ctx *ctx) {
    ccov_geom *regions[2] = {ccov_geom_from_wkt(ctx, "POLYGON((0 0, 10 0, 10 10, 0 10, 0 0))"),
                             ccov_geom_from_wkt(ctx, "POLYGON((10 0, 20 0, 20 10, 10 10, 10 0))")};
    ccov_region_index *idx = ccov_geom_region_index(ctx, regions, 2);
    CHECK(idx != NULL);
    double s[2];
    /* 4 x 2 box from x = 8 to 12: half in each. */
    ccov_geom *g = ccov_geom_from_wkt(ctx, "POLYGON((8 1, 12 1, 12 3, 8 3, 8 1))");
    CHECK(idx && ccov_geom_region_shares(ctx, idx, g, s));
    CHECK(fabs(s[0] - 0.5) < 1e-12 && fabs(s[1] - 0.5) < 1e-12);
    /* 4 x 2 box from x = 18 to 22: half in the second region, half outside both. */
    ccov_geom *h = ccov_geom_from_wkt(ctx, "POLYGON((18 1, 22 1, 22 3, 18 3, 18 1))");
    CHECK(idx && ccov_geom_region_shares(ctx, idx, h, s));
    CHECK(s[0] == 0 && fabs(s[1] - 0.5) < 1e-12);
    /* Inside the first, touching its border from inside: all of it. */
    ccov_geom *k = ccov_geom_from_wkt(ctx, "POLYGON((0 0, 2 0, 2 2, 0 2, 0 0))");
    CHECK(idx && ccov_geom_region_shares(ctx, idx, k, s));
    CHECK(fabs(s[0] - 1) < 1e-12 && s[1] == 0);
    ccov_geom_region_index_free(ctx, idx);
    ccov_geom_region_index_free(ctx, NULL);
    ccov_geom_free(ctx, g);
    ccov_geom_free(ctx, h);
    ccov_geom_free(ctx, k);
    ccov_geom_free(ctx, regions[0]);
    ccov_geom_free(ctx, regions[1]);
}

typedef struct {
    size_t n;
    size_t i[8], j[8];
    double share[8];
} pairs;

static void record_pair(void *user, size_t i, size_t j, double share) {
    pairs *p = user;
    if (p->n < 8) {
        p->i[p->n] = i;
        p->j[p->n] = j;
        p->share[p->n++] = share;
    }
}

static void check_overlaps(ccov_ctx *ctx) {
    /* 0 and 1: 10 x 10 squares offset by 0.5: common 9.5 x 10 = 95 % of 100.
       2: a 2 x 2 square inside 0: 100 % of the smaller. 3: offset by 5 from 0 and 4.5 from 1:
       common with 0 = 50 %, with 1 = 55 %. 4: far away. NULL entries are skipped. */
    ccov_geom *g[6] = {ccov_geom_from_wkt(ctx, "POLYGON((0 0, 10 0, 10 10, 0 10, 0 0))"),
                       ccov_geom_from_wkt(ctx, "POLYGON((0.5 0, 10.5 0, 10.5 10, 0.5 10, 0.5 0))"),
                       ccov_geom_from_wkt(ctx, "POLYGON((1 1, 3 1, 3 3, 1 3, 1 1))"),
                       ccov_geom_from_wkt(ctx, "POLYGON((5 0, 15 0, 15 10, 5 10, 5 0))"),
                       NULL,
                       ccov_geom_from_wkt(ctx, "POLYGON((100 0, 110 0, 110 10, 100 10, 100 0))")};
    pairs p = {0};
    CHECK(ccov_geom_audit_overlaps(ctx, g, 6, 0.9, record_pair, &p) == CCOV_OK);
    /* Pairs above 90 %: (0,1) 95 %, (0,2) 100 %, (1,2) 100 % (2 lies in 1 too). */
    CHECK(p.n == 3);
    CHECK(p.i[0] == 0 && p.j[0] == 1 && fabs(p.share[0] - 0.95) < 1e-12);
    CHECK(p.i[1] == 0 && p.j[1] == 2 && fabs(p.share[1] - 1) < 1e-12);
    CHECK(p.i[2] == 1 && p.j[2] == 2 && fabs(p.share[2] - 1) < 1e-12);
    pairs q = {0};
    CHECK(ccov_geom_audit_overlaps(ctx, g, 6, 0.52, record_pair, &q) == CCOV_OK);
    CHECK(q.n == 4 && q.i[3] == 1 && q.j[3] == 3 && fabs(q.share[3] - 0.55) < 1e-12);
    for (int i = 0; i < 6; i++)
        ccov_geom_free(ctx, g[i]);
}

int main(void) {
    ccov_ctx *ctx = ccov_ctx_create();
    if (!ctx) {
        fprintf(stderr, "test_geom_audit: no context\n");
        return 1;
    }
    check_wkb_rings();
    check_valid(ctx);
    check_normal(ctx);
    check_shape(ctx);
    check_shares(ctx);
    check_overlaps(ctx);
    ccov_ctx_free(ctx);
    return check_summary("test_geom_audit");
}
