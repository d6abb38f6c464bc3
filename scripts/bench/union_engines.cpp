// union_engines: the union step of clearcov's dissolve done by GEOS and by Clipper, side by side
// (issue 16: "a union library other than GEOS is allowed only with numbers"). A measurement to run
// by hand, not part of clearcov. Reads every polygon of a GDAL vector layer (projected, metres),
// makes each valid (GEOS, method structure), puts each polygon in the grid cell of its extent's
// centre (about 512 a cell, clearcov's grid formula, no cutting), then per cell times:
//   A  GEOS: one GEOSUnaryUnion_r of all the cell's polygons
//   B  GEOS grouped, as clearcov: STRtree + prepared intersects/covers -> components, covered
//      polygons dropped, one GEOSUnaryUnion_r per component of more than one kept polygon
//   C  Clipper: the cell's polygons as integer paths on a 1 mm grid (relative to the cell
//      origin), one Execute(ctUnion, PolyTree, NonZero), the tree converted back to GEOS
//   D  Clipper per component: B's grouping (not timed again), one Execute per component
// and compares areas (C vs A, D vs B, B vs A) and the GEOS validity of the Clipper results.
//
// Build (Debian: libpolyclipping-dev, libgeos-dev, libgdal-dev):
//   g++ -O2 -std=c++17 -Wall -Wextra -o union_engines scripts/bench/union_engines.cpp
//       $(pkg-config --cflags --libs gdal) -lgeos_c -lpolyclipping   (one line)
// usage: union_engines FILE [--layer NAME] [--cell N] [--strict] [--methods ABCD] [--grid MM]
#include <gdal.h>
#include <geos_c.h>
#include <ogr_api.h>
#include <polyclipping/clipper.hpp>

#include <sys/resource.h>

#include <algorithm>
#include <cmath>
#include <cstdarg>
#include <cstdio>
#include <cstdlib>
#include <cstring>
#include <ctime>
#include <string>
#include <vector>

namespace CL = ClipperLib;

static GEOSContextHandle_t H;

static void geos_msg(const char *fmt, ...) {
    va_list ap;
    va_start(ap, fmt);
    fprintf(stderr, "geos: ");
    vfprintf(stderr, fmt, ap);
    fprintf(stderr, "\n");
    va_end(ap);
}

// ---- clocks: user CPU (getrusage) and user+sys of the process (clock_gettime) ----
struct stamp {
    double user, cpu;
};
static stamp now() {
    struct rusage r;
    getrusage(RUSAGE_SELF, &r);
    struct timespec ts;
    clock_gettime(CLOCK_PROCESS_CPUTIME_ID, &ts);
    return {r.ru_utime.tv_sec + r.ru_utime.tv_usec * 1e-6, ts.tv_sec + ts.tv_nsec * 1e-9};
}
struct acc {
    double user = 0, cpu = 0;
    void add(stamp a, stamp b) {
        user += b.user - a.user;
        cpu += b.cpu - a.cpu;
    }
};

// ---- reading ----
static bool polygonal(const GEOSGeometry *g) {
    int t = GEOSGeomTypeId_r(H, g);
    return t == GEOS_POLYGON || t == GEOS_MULTIPOLYGON;
}

static void collect_polygons(const GEOSGeometry *g, std::vector<GEOSGeometry *> &out) {
    int t = GEOSGeomTypeId_r(H, g);
    if (t == GEOS_POLYGON) {
        if (!GEOSisEmpty_r(H, g))
            out.push_back(GEOSGeom_clone_r(H, g));
        return;
    }
    if (t != GEOS_MULTIPOLYGON && t != GEOS_GEOMETRYCOLLECTION)
        return;
    for (int i = 0; i < GEOSGetNumGeometries_r(H, g); i++)
        collect_polygons(GEOSGetGeometryN_r(H, g, i), out);
}

// Valid polygonal part of g (takes g), or NULL when nothing polygonal is left.
static GEOSGeometry *clean(GEOSGeometry *g, size_t *repaired) {
    if (GEOSisValid_r(H, g) != 1) {
        GEOSMakeValidParams *p = GEOSMakeValidParams_create_r(H);
        GEOSMakeValidParams_setMethod_r(H, p, GEOS_MAKE_VALID_STRUCTURE);
        GEOSMakeValidParams_setKeepCollapsed_r(H, p, 0);
        GEOSGeometry *fixed = GEOSMakeValidWithParams_r(H, g, p);
        GEOSMakeValidParams_destroy_r(H, p);
        GEOSGeom_destroy_r(H, g);
        g = fixed;
        (*repaired)++;
        if (!g)
            return NULL;
    }
    if (polygonal(g) && !GEOSisEmpty_r(H, g))
        return g;
    std::vector<GEOSGeometry *> parts;
    collect_polygons(g, parts);
    GEOSGeom_destroy_r(H, g);
    if (parts.empty())
        return NULL;
    if (parts.size() == 1)
        return parts[0];
    GEOSGeometry *coll = GEOSGeom_createCollection_r(H, GEOS_MULTIPOLYGON, parts.data(),
                                                     (unsigned)parts.size());
    GEOSGeometry *u = GEOSUnaryUnion_r(H, coll);
    GEOSGeom_destroy_r(H, coll);
    return u;
}

struct feature {
    GEOSGeometry *g;
    double box[4];
};

static std::vector<feature> read_layer(const char *path, const char *layer, size_t *nread,
                                       size_t *repaired) {
    std::vector<feature> out;
    GDALDatasetH ds = GDALOpenEx(path, GDAL_OF_VECTOR | GDAL_OF_READONLY, NULL, NULL, NULL);
    if (!ds) {
        fprintf(stderr, "cannot open %s\n", path);
        exit(1);
    }
    OGRLayerH L = layer ? GDALDatasetGetLayerByName(ds, layer) : GDALDatasetGetLayer(ds, 0);
    if (!L) {
        fprintf(stderr, "no layer %s\n", layer ? layer : "0");
        exit(1);
    }
    GEOSWKBReader *rd = GEOSWKBReader_create_r(H);
    std::vector<unsigned char> buf;
    OGRFeatureH f;
    OGR_L_ResetReading(L);
    while ((f = OGR_L_GetNextFeature(L)) != NULL) {
        OGRGeometryH og = OGR_F_GetGeometryRef(f);
        if (og) {
            (*nread)++;
            OGR_G_FlattenTo2D(og);
            size_t n = (size_t)OGR_G_WkbSize(og);
            buf.resize(n);
            GEOSGeometry *g = OGR_G_ExportToWkb(og, wkbNDR, buf.data()) == OGRERR_NONE
                                  ? GEOSWKBReader_read_r(H, rd, buf.data(), n)
                                  : NULL;
            if (g && (g = clean(g, repaired)) != NULL) {
                feature ft;
                ft.g = g;
                GEOSGeom_getXMin_r(H, g, &ft.box[0]);
                GEOSGeom_getYMin_r(H, g, &ft.box[1]);
                GEOSGeom_getXMax_r(H, g, &ft.box[2]);
                GEOSGeom_getYMax_r(H, g, &ft.box[3]);
                out.push_back(ft);
            }
        }
        OGR_F_Destroy(f);
    }
    GEOSWKBReader_destroy_r(H, rd);
    GDALClose(ds);
    return out;
}

// ---- B: clearcov-style grouping (union-find, smallest index as root) ----
static size_t uf_find(std::vector<size_t> &p, size_t i) {
    while (p[i] != i) {
        p[i] = p[p[i]];
        i = p[i];
    }
    return i;
}
static void uf_join(std::vector<size_t> &p, size_t a, size_t b) {
    a = uf_find(p, a);
    b = uf_find(p, b);
    if (a < b)
        p[b] = a;
    else if (b < a)
        p[a] = b;
}

struct pairq {
    const std::vector<GEOSGeometry *> *in;
    const std::vector<const double *> *box;
    std::vector<size_t> *parent;
    std::vector<char> *covered;
    size_t cur;
    const GEOSPreparedGeometry *prep;
};

static bool box_within(const double *in, const double *out) {
    return out[0] <= in[0] && out[1] <= in[1] && in[2] <= out[2] && in[3] <= out[3];
}
static bool box_same(const double *a, const double *b) {
    return a[0] == b[0] && a[1] == b[1] && a[2] == b[2] && a[3] == b[3];
}

// Does the current polygon make j redundant: covers it and is larger, or the same set with a
// smaller index.
static bool covers_other(pairq *q, size_t j) {
    const double *mine = (*q->box)[q->cur], *other = (*q->box)[j];
    if ((*q->covered)[j] || !box_within(other, mine) ||
        GEOSPreparedCovers_r(H, q->prep, (*q->in)[j]) != 1)
        return false;
    if (!box_same(mine, other) || j > q->cur)
        return true;
    return GEOSCovers_r(H, (*q->in)[j], (*q->in)[q->cur]) == 0;
}

static void pair_visit(void *item, void *user) {
    pairq *q = (pairq *)user;
    size_t j = (size_t)(uintptr_t)item - 1;
    if (j == q->cur)
        return;
    bool cov = covers_other(q, j);
    if (cov)
        (*q->covered)[j] = 1;
    if (j < q->cur || uf_find(*q->parent, j) == uf_find(*q->parent, q->cur))
        return;
    if (cov || GEOSPreparedIntersects_r(H, q->prep, (*q->in)[j]) == 1)
        uf_join(*q->parent, q->cur, j);
}

// groups[g] = kept (not covered) members of component g, local indices
static std::vector<std::vector<size_t>> grouping(const std::vector<GEOSGeometry *> &in,
                                                 const std::vector<const double *> &box) {
    size_t n = in.size();
    std::vector<size_t> parent(n);
    std::vector<char> covered(n, 0);
    for (size_t i = 0; i < n; i++)
        parent[i] = i;
    GEOSSTRtree *tree = GEOSSTRtree_create_r(H, 10);
    for (size_t i = 0; i < n; i++)
        GEOSSTRtree_insert_r(H, tree, in[i], (void *)(uintptr_t)(i + 1));
    pairq q = {&in, &box, &parent, &covered, 0, NULL};
    for (size_t i = 0; i < n; i++) {
        q.cur = i;
        q.prep = GEOSPrepare_r(H, in[i]);
        GEOSSTRtree_query_r(H, tree, in[i], pair_visit, &q);
        GEOSPreparedGeom_destroy_r(H, q.prep);
    }
    GEOSSTRtree_destroy_r(H, tree);
    std::vector<size_t> gid(n, (size_t)-1);
    std::vector<std::vector<size_t>> groups;
    for (size_t i = 0; i < n; i++) {
        size_t r = uf_find(parent, i);
        if (r == i) {
            gid[i] = groups.size();
            groups.emplace_back();
        } else {
            gid[i] = gid[r];
        }
    }
    for (size_t i = 0; i < n; i++)
        if (!covered[i])
            groups[gid[i]].push_back(i);
    return groups;
}

static GEOSGeometry *geos_union(const std::vector<GEOSGeometry *> &in, const size_t *idx,
                                size_t k) {
    std::vector<GEOSGeometry *> parts(k);
    for (size_t i = 0; i < k; i++)
        parts[i] = GEOSGeom_clone_r(H, in[idx ? idx[i] : i]);
    GEOSGeometry *coll =
        GEOSGeom_createCollection_r(H, GEOS_GEOMETRYCOLLECTION, parts.data(), (unsigned)k);
    GEOSGeometry *u = GEOSUnaryUnion_r(H, coll);
    GEOSGeom_destroy_r(H, coll);
    return u;
}

// ---- C/D: Clipper ----
static double SCALE = 1000.0; // integer units per metre (1000: 1 mm grid)

static void ring_to_path(const GEOSGeometry *ring, double ox, double oy, bool outer,
                         CL::Paths &out) {
    const GEOSCoordSequence *cs = GEOSGeom_getCoordSeq_r(H, ring);
    unsigned n = 0;
    GEOSCoordSeq_getSize_r(H, cs, &n);
    if (n < 4)
        return;
    CL::Path p;
    p.reserve(n - 1);
    for (unsigned i = 0; i + 1 < n; i++) {
        double x, y;
        GEOSCoordSeq_getXY_r(H, cs, i, &x, &y);
        p.emplace_back((CL::cInt)llround((x - ox) * SCALE), (CL::cInt)llround((y - oy) * SCALE));
    }
    if (CL::Orientation(p) != outer)
        CL::ReversePath(p);
    out.push_back(std::move(p));
}

static void polygon_to_paths(const GEOSGeometry *g, double ox, double oy, CL::Paths &out) {
    int t = GEOSGeomTypeId_r(H, g);
    if (t == GEOS_MULTIPOLYGON || t == GEOS_GEOMETRYCOLLECTION) {
        for (int i = 0; i < GEOSGetNumGeometries_r(H, g); i++)
            polygon_to_paths(GEOSGetGeometryN_r(H, g, i), ox, oy, out);
        return;
    }
    if (t != GEOS_POLYGON || GEOSisEmpty_r(H, g))
        return;
    ring_to_path(GEOSGetExteriorRing_r(H, g), ox, oy, true, out);
    for (int i = 0; i < GEOSGetNumInteriorRings_r(H, g); i++)
        ring_to_path(GEOSGetInteriorRingN_r(H, g, i), ox, oy, false, out);
}

static GEOSGeometry *path_to_ring(const CL::Path &p, double ox, double oy) {
    unsigned n = (unsigned)p.size();
    GEOSCoordSequence *cs = GEOSCoordSeq_create_r(H, n + 1, 2);
    for (unsigned i = 0; i < n; i++)
        GEOSCoordSeq_setXY_r(H, cs, i, ox + p[i].X / SCALE, oy + p[i].Y / SCALE);
    GEOSCoordSeq_setXY_r(H, cs, n, ox + p[0].X / SCALE, oy + p[0].Y / SCALE);
    return GEOSGeom_createLinearRing_r(H, cs);
}

static void outer_to_geos(const CL::PolyNode *node, double ox, double oy,
                          std::vector<GEOSGeometry *> &polys) {
    GEOSGeometry *shell = path_to_ring(node->Contour, ox, oy);
    std::vector<GEOSGeometry *> holes;
    for (const CL::PolyNode *h : node->Childs)
        holes.push_back(path_to_ring(h->Contour, ox, oy));
    polys.push_back(GEOSGeom_createPolygon_r(H, shell, holes.data(), (unsigned)holes.size()));
    for (const CL::PolyNode *h : node->Childs)
        for (const CL::PolyNode *o : h->Childs)
            outer_to_geos(o, ox, oy, polys);
}

static GEOSGeometry *tree_to_geos(const CL::PolyTree &t, double ox, double oy) {
    std::vector<GEOSGeometry *> polys;
    for (const CL::PolyNode *o : t.Childs)
        outer_to_geos(o, ox, oy, polys);
    return GEOSGeom_createCollection_r(H, GEOS_MULTIPOLYGON, polys.data(), (unsigned)polys.size());
}

// Area of a PolyTree in m^2 (Clipper's own, no conversion)
static double tree_area(const CL::PolyNode *n) {
    double a = 0;
    for (const CL::PolyNode *c : n->Childs)
        a += CL::Area(c->Contour) + tree_area(c); // holes come out negative
    return a;
}

// One Clipper union of in[idx[0..n)], converted back to GEOS; the three steps' times go to tin,
// tex and tout, and Clipper's own area of the result (m^2) to *area when it is not NULL.
static GEOSGeometry *clipper_union(const std::vector<GEOSGeometry *> &in, const size_t *idx,
                                   size_t n, double ox, double oy, bool strict, acc &tin,
                                   acc &tex, acc &tout, double *area) {
    stamp a = now();
    CL::Paths paths;
    for (size_t k = 0; k < n; k++)
        polygon_to_paths(in[idx[k]], ox, oy, paths);
    stamp b = now();
    CL::Clipper clip;
    clip.StrictlySimple(strict);
    clip.AddPaths(paths, CL::ptSubject, true);
    CL::PolyTree tree;
    clip.Execute(CL::ctUnion, tree, CL::pftNonZero, CL::pftNonZero);
    stamp d = now();
    GEOSGeometry *u = tree_to_geos(tree, ox, oy);
    stamp e = now();
    tin.add(a, b);
    tex.add(b, d);
    tout.add(d, e);
    if (area)
        *area = tree_area(&tree) / (SCALE * SCALE);
    return u;
}

struct validity {
    size_t results = 0, invalid_results = 0, polys = 0, invalid_polys = 0;
    acc repair;
    double repair_area_change = 0; // sum |area(repaired) - area| over repaired results, m^2
    std::string first_reason;
};

static void check_valid(GEOSGeometry *g, validity &v) {
    v.results++;
    int np = GEOSGetNumGeometries_r(H, g);
    for (int i = 0; i < np; i++) {
        v.polys++;
        if (GEOSisValid_r(H, GEOSGetGeometryN_r(H, g, i)) != 1)
            v.invalid_polys++;
    }
    if (GEOSisValid_r(H, g) == 1)
        return;
    v.invalid_results++;
    if (v.first_reason.empty()) {
        char *r = GEOSisValidReason_r(H, g);
        v.first_reason = r ? r : "?";
        GEOSFree_r(H, r);
    }
    stamp a = now();
    GEOSMakeValidParams *p = GEOSMakeValidParams_create_r(H);
    GEOSMakeValidParams_setMethod_r(H, p, GEOS_MAKE_VALID_STRUCTURE);
    GEOSMakeValidParams_setKeepCollapsed_r(H, p, 0);
    GEOSGeometry *fixed = GEOSMakeValidWithParams_r(H, g, p);
    GEOSMakeValidParams_destroy_r(H, p);
    stamp b = now();
    v.repair.add(a, b);
    if (fixed) {
        double af = 0, ag = 0;
        GEOSArea_r(H, fixed, &af);
        GEOSArea_r(H, g, &ag);
        v.repair_area_change += fabs(af - ag);
        GEOSGeom_destroy_r(H, fixed);
    }
}

static double area_of(const GEOSGeometry *g) {
    double a = 0;
    GEOSArea_r(H, g, &a);
    return a;
}

struct diffstat {
    double max_rel = 0, sum_abs = 0, max_abs = 0, worst_ref = 0;
    size_t cells = 0, over_1e9 = 0, worst_n = 0;
    void add(double a, double ref, size_t npoly) {
        double d = fabs(a - ref);
        double r = ref > 0 ? d / ref : d;
        if (r > max_rel) {
            worst_ref = ref;
            worst_n = npoly;
        }
        max_rel = std::max(max_rel, r);
        max_abs = std::max(max_abs, d);
        sum_abs += d;
        cells++;
        if (r > 1e-9)
            over_1e9++;
    }
};

int main(int argc, char **argv) {
    const char *path = NULL, *layer = NULL, *methods = "ABCD";
    double per_cell = 512;
    bool strict = false;
    for (int i = 1; i < argc; i++) {
        if (!strcmp(argv[i], "--layer") && i + 1 < argc)
            layer = argv[++i];
        else if (!strcmp(argv[i], "--cell") && i + 1 < argc)
            per_cell = atof(argv[++i]);
        else if (!strcmp(argv[i], "--strict"))
            strict = true;
        else if (!strcmp(argv[i], "--methods") && i + 1 < argc)
            methods = argv[++i];
        else if (!strcmp(argv[i], "--grid") && i + 1 < argc)
            SCALE = 1000.0 / atof(argv[++i]);
        else
            path = argv[i];
    }
    if (!path) {
        fprintf(stderr, "usage: unionbench FILE [--layer NAME] [--cell N] [--strict] "
                        "[--methods ABCD] [--grid MM]\n");
        return 2;
    }
    bool doA = strchr(methods, 'A'), doB = strchr(methods, 'B') || strchr(methods, 'D'),
         doC = strchr(methods, 'C'), doD = strchr(methods, 'D');
    H = GEOS_init_r();
    GEOSContext_setErrorHandler_r(H, geos_msg);
    GDALAllRegister();

    printf("GEOS %s, Clipper %s, grid %.3g mm, StrictlySimple %s\n", GEOSversion(),
           CLIPPER_VERSION, 1000.0 / SCALE, strict ? "on" : "off");
    stamp r0 = now();
    size_t nread = 0, repaired = 0;
    std::vector<feature> fs = read_layer(path, layer, &nread, &repaired);
    stamp r1 = now();
    size_t n = fs.size();
    printf("read %zu geometries, %zu polygonal kept, %zu made valid; read+clean %.2f s user\n",
           nread, n, repaired, r1.user - r0.user);
    if (!n)
        return 1;

    // grid, clearcov's formula
    double ext[4] = {INFINITY, INFINITY, -INFINITY, -INFINITY};
    for (auto &f : fs) {
        ext[0] = std::min(ext[0], f.box[0]);
        ext[1] = std::min(ext[1], f.box[1]);
        ext[2] = std::max(ext[2], f.box[2]);
        ext[3] = std::max(ext[3], f.box[3]);
    }
    double w = std::max(ext[2] - ext[0], 1e-9), h = std::max(ext[3] - ext[1], 1e-9);
    double cells = n / per_cell > 1 ? floor(n / per_cell) : 1;
    size_t nx = (size_t)std::max(1.0, round(sqrt(cells * w / h)));
    size_t ny = (size_t)std::max(1.0, ceil(cells / nx));
    double cw = w / nx, ch = h / ny;
    std::vector<std::vector<size_t>> cell(nx * ny);
    for (size_t i = 0; i < n; i++) {
        double cx = (fs[i].box[0] + fs[i].box[2]) / 2, cy = (fs[i].box[1] + fs[i].box[3]) / 2;
        size_t ix = std::min(nx - 1, (size_t)std::max(0.0, floor((cx - ext[0]) / cw)));
        size_t iy = std::min(ny - 1, (size_t)std::max(0.0, floor((cy - ext[1]) / ch)));
        cell[iy * nx + ix].push_back(i);
    }
    size_t used = 0, biggest = 0;
    for (auto &c : cell) {
        used += !c.empty();
        biggest = std::max(biggest, c.size());
    }
    printf("grid %zux%zu cells of %.0f x %.0f m, %zu not empty, at most %zu polygons a cell\n", nx,
           ny, cw, ch, used, biggest);

    acc tA, tBg, tBu, tCin, tCex, tCout, tDin, tDex, tDout;
    double totA = 0, totB = 0, totC = 0, totCtree = 0, totD = 0;
    diffstat dCA, dBA, dDB, dCB;
    validity vC, vD;
    size_t ngroups = 0, nunions = 0, covered_dropped = 0, biggest_group = 0;

    for (size_t c = 0; c < cell.size(); c++) {
        if (cell[c].empty())
            continue;
        std::vector<GEOSGeometry *> in;
        std::vector<const double *> box;
        for (size_t i : cell[c]) {
            in.push_back(fs[i].g);
            box.push_back(fs[i].box);
        }
        // the cell's corner, floored to a whole metre so that input vertices given in mm stay
        // exactly on Clipper's integer grid
        double ox = floor(ext[0] + (c % nx) * cw), oy = floor(ext[1] + (c / nx) * ch);
        double aA = NAN, aB = NAN, aC = NAN, aD = NAN;

        if (doA) {
            stamp a = now();
            GEOSGeometry *u = geos_union(in, NULL, in.size());
            stamp b = now();
            tA.add(a, b);
            aA = area_of(u);
            totA += aA;
            GEOSGeom_destroy_r(H, u);
        }
        std::vector<std::vector<size_t>> groups;
        if (doB) {
            stamp a = now();
            groups = grouping(in, box);
            stamp b = now();
            tBg.add(a, b);
            aB = 0;
            for (auto &g : groups) {
                ngroups++;
                biggest_group = std::max(biggest_group, g.size());
                if (g.size() == 1) {
                    aB += area_of(in[g[0]]);
                    continue;
                }
                nunions++;
                stamp u0 = now();
                GEOSGeometry *u = geos_union(in, g.data(), g.size());
                stamp u1 = now();
                tBu.add(u0, u1);
                aB += area_of(u);
                GEOSGeom_destroy_r(H, u);
            }
            totB += aB;
            size_t kept = 0;
            for (auto &g : groups)
                kept += g.size();
            covered_dropped += in.size() - kept;
        }
        if (doC) {
            std::vector<size_t> all(in.size());
            for (size_t i = 0; i < in.size(); i++)
                all[i] = i;
            double tree_m2 = 0;
            GEOSGeometry *u = clipper_union(in, all.data(), all.size(), ox, oy, strict, tCin,
                                            tCex, tCout, &tree_m2);
            aC = area_of(u);
            totC += aC;
            totCtree += tree_m2;
            check_valid(u, vC);
            GEOSGeom_destroy_r(H, u);
        }
        if (doD) {
            aD = 0;
            for (auto &g : groups) {
                if (g.size() == 1) {
                    aD += area_of(in[g[0]]);
                    continue;
                }
                GEOSGeometry *u = clipper_union(in, g.data(), g.size(), ox, oy, strict, tDin,
                                                tDex, tDout, nullptr);
                double ad = area_of(u);
                aD += ad;
                if (getenv("UB_DUMP")) { // the component whose areas differ most, as WKT
                    static double worst = 0;
                    GEOSGeometry *gu = geos_union(in, g.data(), g.size());
                    double ag = area_of(gu);
                    if (fabs(ad - ag) > worst) {
                        worst = fabs(ad - ag);
                        FILE *o = fopen(getenv("UB_DUMP"), "w");
                        fprintf(o, "# cell %zu, %zu polygons, GEOS %.6f Clipper %.6f\n", c,
                                g.size(), ag, ad);
                        for (size_t i : g) {
                            char *w = GEOSGeomToWKT_r(H, in[i]);
                            fprintf(o, "%s\n", w);
                            GEOSFree_r(H, w);
                        }
                        fclose(o);
                    }
                    GEOSGeom_destroy_r(H, gu);
                }
                check_valid(u, vD);
                GEOSGeom_destroy_r(H, u);
            }
            totD += aD;
        }
        if (doA && doC)
            dCA.add(aC, aA, in.size());
        if (doA && doB)
            dBA.add(aB, aA, in.size());
        if (doB && doD)
            dDB.add(aD, aB, in.size());
        if (doB && doC)
            dCB.add(aC, aB, in.size());
    }

    double per = 1e5 / (double)n;
    auto line = [&](const char *name, double user, double cpu) {
        printf("  %-44s %8.3f s user  %8.3f s per 1e5 polygons  (user+sys %.3f s)\n", name, user,
               user * per, cpu);
    };
    printf("\nCPU time, %zu polygons (single thread):\n", n);
    if (doA)
        line("A  GEOS one union per cell", tA.user, tA.cpu);
    if (doB) {
        printf("     B: %zu components, %zu unions of >1 polygon, %zu covered polygons dropped, "
               "largest component %zu kept\n",
               ngroups, nunions, covered_dropped, biggest_group);
        line("B  GEOS grouped: grouping", tBg.user, tBg.cpu);
        line("B  GEOS grouped: unions", tBu.user, tBu.cpu);
        line("B  GEOS grouped: grouping + unions", tBg.user + tBu.user, tBg.cpu + tBu.cpu);
    }
    if (doC) {
        line("C  Clipper per cell: to paths", tCin.user, tCin.cpu);
        line("C  Clipper per cell: Execute", tCex.user, tCex.cpu);
        line("C  Clipper per cell: back to GEOS", tCout.user, tCout.cpu);
        line("C  Clipper per cell, without back", tCin.user + tCex.user, tCin.cpu + tCex.cpu);
        line("C  Clipper per cell, with back", tCin.user + tCex.user + tCout.user,
             tCin.cpu + tCex.cpu + tCout.cpu);
    }
    if (doD) {
        line("D  Clipper per component: to paths", tDin.user, tDin.cpu);
        line("D  Clipper per component: Execute", tDex.user, tDex.cpu);
        line("D  Clipper per component: back to GEOS", tDout.user, tDout.cpu);
        line("D  unions only, with back (replaces B unions)",
             tDin.user + tDex.user + tDout.user, tDin.cpu + tDex.cpu + tDout.cpu);
        line("D  B grouping + D unions with back", tBg.user + tDin.user + tDex.user + tDout.user,
             tBg.cpu + tDin.cpu + tDex.cpu + tDout.cpu);
    }
    printf("\nplanar area, m^2 (relative to the reference):\n");
    if (doA)
        printf("  A total %.6f\n", totA);
    if (doB)
        printf("  B total %.6f%s\n", totB, doA ? "" : "");
    if (doC)
        printf("  C total %.6f (Clipper's own tree area %.6f)\n", totC, totCtree);
    if (doD)
        printf("  D total %.6f\n", totD);
    auto dl = [&](const char *name, double a, double ref, const diffstat &d) {
        printf("  %-8s total rel diff %.3e; per cell: max rel diff %.3e (a cell of %zu polygons, "
               "%.0f m^2), max |diff| %.4f m^2, sum |diff| %.4f m^2, cells > 1e-9: %zu of %zu\n",
               name, ref > 0 ? fabs(a - ref) / ref : NAN, d.max_rel, d.worst_n, d.worst_ref,
               d.max_abs, d.sum_abs, d.over_1e9, d.cells);
    };
    if (doA && doB)
        dl("B vs A", totB, totA, dBA);
    if (doA && doC)
        dl("C vs A", totC, totA, dCA);
    if (doB && doC)
        dl("C vs B", totC, totB, dCB);
    if (doB && doD)
        dl("D vs B", totD, totB, dDB);
    auto vl = [&](const char *name, const validity &v) {
        printf("  %s: %zu results, %zu invalid (GEOSisValid); %zu polygons, %zu invalid alone; "
               "repair (MakeValid structure) %.3f s user, area change %.4f m^2%s%s\n",
               name, v.results, v.invalid_results, v.polys, v.invalid_polys, v.repair.user,
               v.repair_area_change, v.first_reason.empty() ? "" : "; first: ",
               v.first_reason.c_str());
    };
    printf("\nvalidity of the Clipper results converted back:\n");
    if (doC)
        vl("C (per cell)", vC);
    if (doD)
        vl("D (per component)", vD);
    for (auto &f : fs)
        GEOSGeom_destroy_r(H, f.g);
    GEOS_finish_r(H);
    return 0;
}
