/* Coverage core, threads: the figures (and the result layers) are identical, bit for bit, with 1,
 * 2, 3 and 8 worker threads, on random overlapping rectangles from a fixed seed.
 *
 * The rectangles have whole-metre corners in EPSG:32648 (planar area), scattered over and around
 * two regions that share the border x = 452000 (as in test_coverage_clip):
 *   Alpha  450000..452000 E by 2050000..2052000 N      Beta  452000..454000 E, same N
 * so the figures of the 1-thread run are also checked against an independent computation here:
 * gross = the sum of each rectangle's intersection with the region, net = the area of the union
 * of those intersections (exact sweep over x slabs: the union's length on each slab), outside =
 * union of all rectangles - net Alpha - net Beta. Those are sums of whole square metres, exact in
 * double; tolerance 1e-9 relative.
 *
 * Two sets: 400 rectangles (one compute cell; the result layers are compared too, and once more
 * grouped by task id, three ids taken in turn, for the coverage layer by group) and 1500 (two
 * cells, see test_coverage_cells). */
#include "check.h"
#include "coverage_fixture.h"

#include <stdint.h>
#include <stdlib.h>
#include <string.h>

#define UTM "EPSG:32648"
#define REL 1e-9
#define COUNT(a) (sizeof(a) / sizeof(a)[0])

static const cfx_feature REGIONS[] = {
    {"Alpha", CFX_RECT(450000, 2050000, 452000, 2052000)},
    {"Beta", CFX_RECT(452000, 2050000, 454000, 2052000)},
};
static const double REGION_BOX[2][4] = {{450000, 2050000, 452000, 2052000},
                                        {452000, 2050000, 454000, 2052000}};
static const int THREADS[] = {1, 2, 3, 8};
static const char *const TASK_IDS[] = {"op-a", "op-b", "op-c"};

/* ---- the rectangles ---- */

typedef struct {
    double b[4]; /* x0, y0, x1, y1 */
} rect;

/* xorshift64: the same numbers on every platform. */
static uint64_t next(uint64_t *s) {
    *s ^= *s << 13;
    *s ^= *s >> 7;
    *s ^= *s << 17;
    return *s;
}

static int uniform(uint64_t *s, int lo, int hi) {
    return lo + (int)(next(s) % (uint64_t)(hi - lo));
}

static void rects_make(rect *r, size_t n, uint64_t seed) {
    for (size_t i = 0; i < n; i++) {
        int x = uniform(&seed, 449800, 454000), y = uniform(&seed, 2049800, 2052000);
        int w = uniform(&seed, 20, 400), h = uniform(&seed, 20, 400);
        r[i] = (rect){{x, y, x + w, y + h}};
    }
}

/* r clipped to box; false when nothing with area is left. */
static bool clip(const rect *r, const double *box, rect *out) {
    *out = (rect){{fmax(r->b[0], box[0]), fmax(r->b[1], box[1]), fmin(r->b[2], box[2]),
                   fmin(r->b[3], box[3])}};
    return out->b[0] < out->b[2] && out->b[1] < out->b[3];
}

/* ---- the independent figures ---- */

static int by_value(const void *a, const void *b) {
    double x = *(const double *)a, y = *(const double *)b;
    return (x > y) - (x < y);
}

/* Length of the union of the y intervals of the rectangles that span the slab x0..x1. */
static double slab_length(const rect *r, size_t n, double x0, double x1, double (*iv)[2]) {
    size_t k = 0;
    for (size_t i = 0; i < n; i++)
        if (r[i].b[0] <= x0 && r[i].b[2] >= x1) {
            iv[k][0] = r[i].b[1];
            iv[k++][1] = r[i].b[3];
        }
    qsort(iv, k, sizeof *iv, by_value);
    double len = 0, top = -INFINITY;
    for (size_t i = 0; i < k; i++) {
        double from = fmax(iv[i][0], top);
        if (iv[i][1] > from)
            len += iv[i][1] - from;
        top = fmax(top, iv[i][1]);
    }
    return len;
}

/* Area of the union of n rectangles, square metres. */
static double union_area(const rect *r, size_t n) {
    double *xs = malloc((2 * n + 1) * sizeof *xs), (*iv)[2] = malloc((n + 1) * sizeof *iv);
    double area = 0;
    for (size_t i = 0; xs && i < n; i++) {
        xs[2 * i] = r[i].b[0];
        xs[2 * i + 1] = r[i].b[2];
    }
    if (xs)
        qsort(xs, 2 * n, sizeof *xs, by_value);
    for (size_t k = 0; xs && iv && k + 1 < 2 * n; k++)
        if (xs[k + 1] > xs[k])
            area += (xs[k + 1] - xs[k]) * slab_length(r, n, xs[k], xs[k + 1], iv);
    CHECK(xs && iv);
    free(iv);
    free(xs);
    return area;
}

typedef struct {
    double net[2], gross[2], outside;
    long long tasks[2], all_tasks;
} figures;

static figures expected(const rect *r, size_t n) {
    figures f = {0};
    rect *in = malloc((n + 1) * sizeof *in);
    for (int g = 0; in && g < 2; g++) {
        size_t k = 0;
        for (size_t i = 0; i < n; i++)
            if (clip(&r[i], REGION_BOX[g], &in[k])) {
                f.gross[g] += (in[k].b[2] - in[k].b[0]) * (in[k].b[3] - in[k].b[1]) / 1e4;
                k++;
            }
        f.net[g] = union_area(in, k) / 1e4;
        f.tasks[g] = (long long)k;
    }
    f.outside = union_area(r, n) / 1e4 - f.net[0] - f.net[1];
    for (size_t i = 0; in && i < n; i++)
        f.all_tasks += clip(&r[i], REGION_BOX[0], &in[0]) || clip(&r[i], REGION_BOX[1], &in[0]);
    CHECK(in != NULL);
    free(in);
    return f;
}

static void check_expected(const ccov_result *res, const figures *f) {
    const char *names[2] = {"Alpha", "Beta"};
    for (int g = 0; g < 2; g++) {
        const ccov_region_result *a = cfx_region(res, names[g]);
        CHECK(a != NULL);
        if (!a)
            continue;
        CHECK_REL(a->net_ha, f->net[g], REL);
        CHECK_REL(a->gross_ha, f->gross[g], REL);
        CHECK(a->tasks == f->tasks[g]);
    }
    CHECK_REL(res->outside_ha, f->outside, REL);
    CHECK(res->tasks == f->all_tasks);
}

/* ---- the same, bit for bit ---- */

static bool same_double(double a, double b) { return memcmp(&a, &b, sizeof a) == 0; }

static bool same_region(const ccov_region_result *a, const ccov_region_result *b) {
    return strcmp(a->name, b->name) == 0 && a->fid == b->fid && a->tasks == b->tasks &&
           same_double(a->region_ha, b->region_ha) && same_double(a->net_ha, b->net_ha) &&
           same_double(a->gross_ha, b->gross_ha) && same_double(a->overlap_ha, b->overlap_ha) &&
           same_double(a->percent_cleared, b->percent_cleared);
}

static bool same_row(const ccov_row *a, const ccov_row *b, size_t ncolumns) {
    if (a->id != b->id || a->wkb_size != b->wkb_size || memcmp(a->wkb, b->wkb, a->wkb_size) != 0)
        return false;
    for (size_t c = 0; c < ncolumns; c++) {
        const char *x = a->values[c], *y = b->values[c];
        if ((x == NULL) != (y == NULL) || (x && strcmp(x, y) != 0))
            return false;
    }
    return true;
}

static bool same_layer(const ccov_layer_table *a, const ccov_layer_table *b) {
    bool same = strcmp(a->name, b->name) == 0 && a->nrows == b->nrows && a->ncolumns == b->ncolumns;
    for (size_t r = 0; same && r < a->nrows; r++)
        same = same_row(&a->rows[r], &b->rows[r], a->ncolumns);
    return same;
}

static void check_same(const ccov_result *a, const ccov_result *b, int threads) {
    int before = failures;
    CHECK(a->nregions == b->nregions && a->tasks == b->tasks && a->nlayers == b->nlayers);
    CHECK(same_double(a->net_ha, b->net_ha) && same_double(a->gross_ha, b->gross_ha));
    CHECK(same_double(a->overlap_ha, b->overlap_ha) && same_double(a->outside_ha, b->outside_ha));
    for (size_t i = 0; i < a->nregions && i < b->nregions; i++)
        CHECK(same_region(&a->regions[i], &b->regions[i]));
    CHECK(a->tasks != b->tasks ||
          memcmp(a->task_fids, b->task_fids, (size_t)a->tasks * sizeof *a->task_fids) == 0);
    for (size_t l = 0; l < a->nlayers && l < b->nlayers; l++)
        CHECK(same_layer(&a->layers[l], &b->layers[l]));
    CHECK(a->ngroups == b->ngroups);
    for (size_t g = 0; g < a->ngroups && g < b->ngroups; g++)
        CHECK(same_double(a->groups[g].total.net_ha, b->groups[g].total.net_ha) &&
              same_double(a->groups[g].total.gross_ha, b->groups[g].total.gross_ha));
    if (failures > before)
        fprintf(stderr, "  %d threads differ from 1 thread\n", threads);
}

/* The run with each thread count on the sources in d, compared with the first run, which is
   returned (NULL when it failed). `cells`: the compute grid expected; group_by: NULL or a field. */
static ccov_result *runs_compare(const cfx_dir *d, bool layers, size_t cells,
                                 const char *group_by) {
    ccov_options o = cfx_planar(UTM);
    o.layers = layers;
    o.group_by = group_by;
    ccov_result *first = NULL;
    char line[96];
    snprintf(line, sizeof line, "dissolve and clip, cell by cell: %zu items", cells);
    for (size_t t = 0; t < COUNT(THREADS); t++) {
        o.threads = THREADS[t];
        ccov_result *res = cfx_run_in(d, o);
        CHECK(res != NULL && strstr(cfx_log(), line) != NULL);
        if (res && !first)
            first = res;
        else if (res)
            check_same(first, res, THREADS[t]);
        if (res != first)
            ccov_result_free(res);
    }
    return first;
}

/* n rectangles from `seed` run with each thread count, and checked against the sweep; with
   group_by "task_id", the rectangles take the task ids in turn. */
static void check_set(size_t n, uint64_t seed, bool layers, size_t cells, const char *group_by) {
    rect *r = malloc(n * sizeof *r);
    char(*text)[128] = malloc(n * sizeof *text);
    cfx_feature *f = malloc(n * sizeof *f);
    cfx_dir d = {.dir = ""};
    CHECK(r && text && f);
    if (!r || !text || !f)
        goto done;
    rects_make(r, n, seed);
    for (size_t i = 0; i < n; i++) {
        snprintf(text[i], sizeof text[i],
                 "POLYGON((%.0f %.0f,%.0f %.0f,%.0f %.0f,%.0f %.0f,%.0f %.0f))", r[i].b[0],
                 r[i].b[1], r[i].b[2], r[i].b[1], r[i].b[2], r[i].b[3], r[i].b[0], r[i].b[3],
                 r[i].b[0], r[i].b[1]);
        f[i] = (cfx_feature){group_by ? TASK_IDS[i % COUNT(TASK_IDS)] : NULL, text[i]};
    }
    cfx_sources s = {UTM, REGIONS, COUNT(REGIONS), f, n};
    CHECK(cfx_write(&d, &s));
    ccov_result *first = d.dir[0] ? runs_compare(&d, layers, cells, group_by) : NULL;
    if (first) {
        figures want = expected(r, n);
        check_expected(first, &want);
        CHECK(!layers || first->nlayers == 5);
        /* a row per region and task id: the three ids are scattered over both regions */
        const ccov_layer_table *cov = ccov_result_layer(first, "coverage");
        CHECK(!group_by || (first->ngroups == COUNT(TASK_IDS) && cov && cov->nrows == 6));
    }
    ccov_result_free(first);
done:
    cfx_remove(&d);
    free(f);
    free(text);
    free(r);
}

int main(void) {
    check_set(400, 0x9e3779b97f4a7c15u, true, 1, NULL);
    check_set(400, 0x9e3779b97f4a7c15u, true, 1, "task_id");
    check_set(1500, 0x2545f4914f6cdd1du, false, 2, NULL);
    return check_summary("test_coverage_threads");
}
