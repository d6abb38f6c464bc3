/* coverage: the breakdowns of a result (pipeline.h). Each net figure is the area of the union of
   a part of the records: a sum of the areas of the faces of one overlay of all the records, cell
   by cell (ccov_compute_faces), over the faces that a record of the part covers; gross figures
   are sums of the features' own figures (ccov_compute_hit). The categories partition the land
   released: cleared = net(cleared records), reduced = net(cleared and reduced) - cleared,
   cancelled = net(all) - both; so they add up to it. A cumulative year Y is the area of the faces
   whose earliest covering year is at most Y. Sums run in cell order, then face order, so the
   figures are the same whatever the number of threads. */
#include "core/internal.h"
#include "coverage/pipeline.h"

#include <math.h>
#include <stdint.h>
#include <stdlib.h>
#include <string.h>

/* The face sums: per group (or all records: slot ngroups) and region, the hectares of the faces
   covered by the group (NET), whose least category in the group is cleared (CLEARED) or reduced
   (REDUCED), and whose earliest year among the groups alike but for the year is the group's
   (FIRST). */
enum { SUM_NET, SUM_CLEARED, SUM_REDUCED, SUM_FIRST, NSUMS };

/* A cell's face figures, in face order, summed after the overlay in cell order. */
typedef struct {
    uint32_t kind, region;
    size_t slot;
    double ha;
} face_entry;

typedef struct {
    face_entry *e;
    size_t n; /* grown by ccov_grow */
} cell_entries;

/* What the breakdown runs share: the records' group numbers and a mask to fill. */
typedef struct {
    ccov_pipeline *r;
    size_t n, nr;
    unsigned char *mask;
    size_t *group_of; /* per feature: r->cleared.group_of */
    size_t ngroups;
    size_t *members; /* the features of group g, ascending: members[start[g] .. start[g + 1]) */
    size_t *start;
    double *net;   /* nr, scratch */
    int *years;    /* each group's year (NULL: no year among the groups) */
    size_t *rest;  /* each group's class: the groups alike but for the year share it */
    bool categorised;
    cell_entries *cells;
    double *sums; /* NSUMS x (ngroups + 1) x nr */
} breakdown;

static ccov_status no_memory(ccov_pipeline *r) {
    return ccov_ctx_fail(r->ctx, CCOV_ERR_IO, "out of memory");
}

/* ---- the overlay: face sums ---- */

static double *sum_at(const breakdown *b, int kind, size_t slot) {
    return &b->sums[((size_t)kind * (b->ngroups + 1) + slot) * b->nr];
}

static bool put(cell_entries *ce, int kind, size_t slot, size_t region, double ha) {
    face_entry *grown = ccov_grow(ce->e, ce->n, sizeof *grown);
    if (!grown)
        return false;
    ce->e = grown;
    ce->e[ce->n++] = (face_entry){(uint32_t)kind, (uint32_t)region, slot, ha};
    return true;
}

/* The cleared or reduced sum a face goes to by its least category (-1: none, cancelled). */
static int category_sum(int category) {
    return category == CCOV_CATEGORY_CLEARED   ? SUM_CLEARED
           : category == CCOV_CATEGORY_REDUCED ? SUM_REDUCED
                                               : -1;
}

/* Whether group h is of group g's class (alike but for the year) with a known year not later
   than g's. */
static bool alike_up_to(const breakdown *b, size_t h, size_t g) {
    return b->rest[h] == b->rest[g] && b->years[h] != CCOV_YEAR_UNKNOWN &&
           b->years[h] <= b->years[g];
}

/* Whether group g is the earliest of its class among the groups of features f[0..n). */
static bool earliest(const breakdown *b, size_t g, const size_t *f, size_t n) {
    for (size_t k = 0; k < n; k++) {
        size_t h = b->group_of[f[k]];
        if (alike_up_to(b, h, g) && b->years[h] < b->years[g])
            return false;
    }
    return true;
}

/* The figures of each group among the features f[0..n) covering a face. */
static bool face_groups(const breakdown *b, cell_entries *ce, size_t region, double ha,
                        const size_t *f, size_t n) {
    const ccov_cleared_info *info = b->r->cleared.info;
    bool ok = true;
    for (size_t k = 0; ok && k < n; k++) {
        size_t g = b->group_of[f[k]], seen = 0;
        int least = CCOV_NCATEGORIES;
        for (size_t m = 0; m < n; m++) {
            seen += m < k && b->group_of[f[m]] == g;
            if (b->group_of[f[m]] == g && info[f[m]].category < least)
                least = info[f[m]].category;
        }
        if (seen)
            continue;
        int kind = b->categorised ? category_sum(least) : -1;
        ok = put(ce, SUM_NET, g, region, ha) && (kind < 0 || put(ce, kind, g, region, ha));
        if (ok && b->years && b->years[g] != CCOV_YEAR_UNKNOWN && earliest(b, g, f, n))
            ok = put(ce, SUM_FIRST, g, region, ha);
    }
    return ok;
}

static bool on_face(void *user, size_t cell, size_t region, double ha, const size_t *f, size_t n) {
    const breakdown *b = user;
    cell_entries *ce = &b->cells[cell];
    int least = CCOV_NCATEGORIES;
    for (size_t k = 0; k < n; k++)
        if (b->r->cleared.info[f[k]].category < least)
            least = b->r->cleared.info[f[k]].category;
    int kind = b->categorised ? category_sum(least) : -1;
    if (kind >= 0 && !put(ce, kind, b->ngroups, region, ha))
        return false;
    return !b->group_of || face_groups(b, ce, region, ha, f, n);
}

/* The overlay, and its faces summed into b->sums in cell order, then face order. */
static ccov_status face_sums(breakdown *b) {
    size_t ncells = ccov_compute_cells(b->r);
    b->cells = calloc(ncells ? ncells : 1, sizeof *b->cells);
    b->sums = calloc(NSUMS * (b->ngroups + 1) * (b->nr ? b->nr : 1), sizeof *b->sums);
    ccov_status st = b->cells && b->sums ? ccov_compute_faces(b->r, on_face, b) : no_memory(b->r);
    for (size_t c = 0; b->cells && c < ncells; c++) {
        for (size_t k = 0; st == CCOV_OK && k < b->cells[c].n; k++) {
            const face_entry *e = &b->cells[c].e[k];
            sum_at(b, (int)e->kind, e->slot)[e->region] += e->ha;
        }
        free(b->cells[c].e);
    }
    free(b->cells);
    b->cells = NULL;
    return st;
}

/* The net of the part of group `slot` (ngroups: all records) whose category is at most upto. */
static void face_net(const breakdown *b, size_t slot, int upto, double *net) {
    const double *cleared = sum_at(b, SUM_CLEARED, slot), *reduced = sum_at(b, SUM_REDUCED, slot);
    for (size_t i = 0; i < b->nr; i++)
        net[i] = upto == 0 ? cleared[i] : cleared[i] + reduced[i];
}

/* ---- gross and tasks: sums of the features' own figures ---- */

/* Add feature f's own figures to fig (one slot per region); tasks count once per region. */
static void add_feature(const ccov_pipeline *r, size_t f, ccov_figures *fig) {
    size_t region;
    double ha;
    for (uint32_t k = 0; ccov_compute_hit(r, f, k, &region, &ha); k++) {
        fig[region].gross_ha += ha;
        fig[region].tasks++;
    }
}

static bool has_hit(const ccov_pipeline *r, size_t f) {
    size_t region;
    double ha;
    return ccov_compute_hit(r, f, 0, &region, &ha);
}

/* The number of features of group g (SIZE_MAX: every record). */
static size_t group_size(const breakdown *b, size_t g) {
    return g == SIZE_MAX ? b->n : b->start[g + 1] - b->start[g];
}

/* The k-th feature of group g (SIZE_MAX: every record), in feature order, so that sums over a
   group's features run in the same order as sums over all the records. */
static size_t member(const breakdown *b, size_t g, size_t k) {
    return g == SIZE_MAX ? k : b->members[b->start[g] + k];
}

/* The net figures of group g into net (one slot per region); `all` when the group is every
   record (the region's net is then its own). */
static ccov_status part_net(breakdown *b, bool all, size_t g, double *net) {
    if (!all && !b->sums)
        return ccov_compute_subset(b->r, b->mask, net);
    const double *faces = all ? NULL : sum_at(b, SUM_NET, g);
    for (size_t i = 0; i < b->nr; i++)
        net[i] = all ? b->r->res->regions[i].net_ha : faces[i];
    return CCOV_OK;
}

/* Mask of the features of group g (any group: g == SIZE_MAX) whose category is at most `upto`.
   Returns whether the mask holds every feature of the group. */
static bool mask_part(breakdown *b, size_t g, int upto, size_t *count) {
    const ccov_cleared *c = &b->r->cleared;
    size_t size = group_size(b, g);
    *count = 0;
    if (g != SIZE_MAX)
        memset(b->mask, 0, b->n);
    for (size_t k = 0; k < size; k++) {
        size_t f = member(b, g, k);
        b->mask[f] = c->info[f].category <= upto;
        *count += b->mask[f];
    }
    return *count == size;
}

/* ---- categories ---- */

/* Nets of the cleared, cleared-or-reduced and whole parts of group g (SIZE_MAX: all) into
   nets[0..2][region]; whole: group g's own nets. */
static ccov_status category_nets(breakdown *b, size_t g, const double *whole, double *nets[3]) {
    ccov_status st = CCOV_OK;
    for (int upto = 0; st == CCOV_OK && upto < 2; upto++) {
        size_t count;
        bool all = mask_part(b, g, upto, &count);
        if (all)
            memcpy(nets[upto], whole, b->nr * sizeof *whole);
        else if (count == 0)
            memset(nets[upto], 0, b->nr * sizeof *whole);
        else if (b->sums)
            face_net(b, g == SIZE_MAX ? b->ngroups : g, upto, nets[upto]);
        else
            st = ccov_compute_subset(b->r, b->mask, nets[upto]);
    }
    memcpy(nets[2], whole, b->nr * sizeof *whole);
    return st;
}

/* The partition of each region's net into fig[region][category]. */
static void partition(breakdown *b, double *nets[3], ccov_figures (*fig)[CCOV_NCATEGORIES]) {
    for (size_t i = 0; i < b->nr; i++) {
        double cleared = nets[0][i];
        double reduced = fmax(0, nets[1][i] - cleared);
        fig[i][CCOV_CATEGORY_CLEARED].net_ha = cleared;
        fig[i][CCOV_CATEGORY_REDUCED].net_ha = reduced;
        fig[i][CCOV_CATEGORY_CANCELLED].net_ha = fmax(0, nets[2][i] - cleared - reduced);
    }
}

/* Gross and tasks of each category of group g (SIZE_MAX: all), then overlap = gross - net. */
static void category_own(breakdown *b, size_t g, ccov_figures (*fig)[CCOV_NCATEGORIES]) {
    const ccov_cleared *c = &b->r->cleared;
    ccov_figures *per = calloc(b->nr ? b->nr : 1, sizeof *per);
    for (int cat = 0; per && cat < CCOV_NCATEGORIES; cat++) {
        memset(per, 0, b->nr * sizeof *per);
        for (size_t k = 0; k < group_size(b, g); k++)
            if (c->info[member(b, g, k)].category == cat)
                add_feature(b->r, member(b, g, k), per);
        for (size_t i = 0; i < b->nr; i++) {
            fig[i][cat].gross_ha = per[i].gross_ha;
            fig[i][cat].tasks = per[i].tasks;
            fig[i][cat].overlap_ha = per[i].gross_ha - fig[i][cat].net_ha;
        }
    }
    free(per);
}

static ccov_status categories_of(breakdown *b, size_t g, const double *whole,
                                 ccov_figures (*fig)[CCOV_NCATEGORIES]) {
    double *nets[3] = {malloc((b->nr + 1) * sizeof(double)), malloc((b->nr + 1) * sizeof(double)),
                       malloc((b->nr + 1) * sizeof(double))};
    ccov_status st =
        nets[0] && nets[1] && nets[2] ? category_nets(b, g, whole, nets) : no_memory(b->r);
    if (st == CCOV_OK) {
        partition(b, nets, fig);
        category_own(b, g, fig);
    }
    for (int k = 0; k < 3; k++)
        free(nets[k]);
    return st;
}

/* Totals of per-region category figures; tasks count distinct features (tasks_of). */
static void category_totals(const breakdown *b, ccov_figures (*fig)[CCOV_NCATEGORIES], size_t g,
                            ccov_figures *total) {
    const ccov_cleared *c = &b->r->cleared;
    for (int cat = 0; cat < CCOV_NCATEGORIES; cat++) {
        total[cat] = (ccov_figures){0};
        for (size_t i = 0; i < b->nr; i++) {
            total[cat].net_ha += fig[i][cat].net_ha;
            total[cat].gross_ha += fig[i][cat].gross_ha;
        }
        total[cat].overlap_ha = total[cat].gross_ha - total[cat].net_ha;
        for (size_t k = 0; k < group_size(b, g); k++)
            total[cat].tasks +=
                c->info[member(b, g, k)].category == cat && has_hit(b->r, member(b, g, k));
    }
}

static ccov_status region_categories(breakdown *b) {
    ccov_result *res = b->r->res;
    ccov_figures(*fig)[CCOV_NCATEGORIES] = calloc(b->nr ? b->nr : 1, sizeof *fig);
    double *whole = malloc((b->nr + 1) * sizeof *whole);
    ccov_status st = fig && whole ? part_net(b, true, 0, whole) : no_memory(b->r);
    if (st == CCOV_OK)
        st = categories_of(b, SIZE_MAX, whole, fig);
    for (size_t i = 0; st == CCOV_OK && i < b->nr; i++) {
        ccov_region_result *reg = &res->regions[i];
        memcpy(reg->categories, fig[i], sizeof fig[i]);
        reg->percent_released = reg->percent_cleared;
        reg->percent_cleared =
            reg->region_ha > 0 ? 100.0 * fig[i][CCOV_CATEGORY_CLEARED].net_ha / reg->region_ha : 0;
    }
    if (st == CCOV_OK)
        category_totals(b, fig, SIZE_MAX, res->categories);
    res->categorised = st == CCOV_OK;
    free(fig);
    free(whole);
    return st;
}

/* ---- groups ---- */

typedef struct {
    const char *key;
    size_t f;
} keyed;

static int by_key(const void *a, const void *b) {
    const keyed *x = a, *y = b;
    int d = strcmp(x->key, y->key);
    return d ? d : (x->f > y->f) - (x->f < y->f);
}

/* Number the groups in the order of their values, the order of res->groups: b->group_of (kept
   in r->cleared for the later stages), b->ngroups, and each group's features (b->members and
   b->start; sorted by value, then feature). */
static ccov_status number_groups(breakdown *b) {
    keyed *order = malloc((b->n ? b->n : 1) * sizeof *order);
    b->group_of = malloc((b->n ? b->n : 1) * sizeof *b->group_of);
    b->r->cleared.group_of = b->group_of;
    b->members = malloc((b->n ? b->n : 1) * sizeof *b->members);
    b->start = malloc((b->n + 1) * sizeof *b->start);
    if (!order || !b->group_of || !b->members || !b->start) {
        free(order);
        return no_memory(b->r);
    }
    for (size_t f = 0; f < b->n; f++)
        order[f] = (keyed){b->r->cleared.info[f].group, f};
    qsort(order, b->n, sizeof *order, by_key);
    for (size_t k = 0; k < b->n; k++) {
        if (k == 0 || strcmp(order[k].key, order[k - 1].key) != 0)
            b->start[b->ngroups++] = k;
        b->group_of[order[k].f] = b->ngroups - 1;
        b->members[k] = order[k].f;
    }
    b->start[b->ngroups] = b->n;
    free(order);
    return CCOV_OK;
}

/* A group's values: its key split at the unit separator. */
static char **split_key(const char *key, size_t nfields) {
    char **values = calloc(nfields ? nfields : 1, sizeof *values);
    for (size_t i = 0; values && i < nfields; i++) {
        const char *end = strchr(key, '\x1f');
        size_t len = end ? (size_t)(end - key) : strlen(key);
        values[i] = strndup(key, len);
        if (!values[i])
            return values; /* freed by the caller with the group */
        key += end ? len + 1 : len;
    }
    return values;
}

/* Group g's nets, gross and tasks per region, and its totals. */
static ccov_status group_own(breakdown *b, size_t g, ccov_group *out) {
    size_t count;
    bool all = b->ngroups == 1;
    mask_part(b, g, CCOV_NCATEGORIES, &count);
    ccov_status st = part_net(b, all, g, b->net);
    for (size_t k = 0; st == CCOV_OK && k < group_size(b, g); k++)
        add_feature(b->r, member(b, g, k), out->regions);
    for (size_t i = 0; st == CCOV_OK && i < b->nr; i++) {
        ccov_figures *x = &out->regions[i];
        /* a union is no larger than its parts: no overlap of -1e-13 from adding faces */
        x->net_ha = fmin(b->net[i], x->gross_ha);
        x->overlap_ha = x->gross_ha - x->net_ha;
        out->total.net_ha += x->net_ha;
        out->total.gross_ha += x->gross_ha;
    }
    out->total.overlap_ha = out->total.gross_ha - out->total.net_ha;
    for (size_t k = 0; k < group_size(b, g); k++)
        out->total.tasks += has_hit(b->r, member(b, g, k));
    return st;
}

static ccov_status group_categories(breakdown *b, size_t g, ccov_group *out) {
    out->categories = calloc(b->nr ? b->nr : 1, sizeof *out->categories);
    if (!out->categories)
        return no_memory(b->r);
    for (size_t i = 0; i < b->nr; i++)
        b->net[i] = out->regions[i].net_ha;
    ccov_status st = categories_of(b, g, b->net, out->categories);
    if (st == CCOV_OK)
        category_totals(b, out->categories, g, out->total_categories);
    return st;
}

static ccov_status group_make(breakdown *b, size_t g, ccov_group *out) {
    const ccov_result *res = b->r->res;
    out->values = split_key(b->r->cleared.info[member(b, g, 0)].group, res->ngroup_fields);
    out->regions = calloc(b->nr ? b->nr : 1, sizeof *out->regions);
    if (!out->values || !out->regions)
        return no_memory(b->r);
    for (size_t i = 0; i < res->ngroup_fields; i++)
        if (!out->values[i])
            return no_memory(b->r);
    ccov_status st = group_own(b, g, out);
    if (st == CCOV_OK && res->categorised)
        st = group_categories(b, g, out);
    return st;
}

/* ---- cumulative years ---- */

/* Group g's cumulative nets: the faces whose earliest year among the groups of g's class is at
   most g's year. Whether a year before g's is in the class. */
static bool sum_up_to(breakdown *b, size_t g, double *cum) {
    bool earlier = false;
    for (size_t i = 0; i < b->nr; i++)
        cum[i] = 0;
    for (size_t h = 0; h < b->ngroups; h++) {
        if (!alike_up_to(b, h, g))
            continue;
        const double *first = sum_at(b, SUM_FIRST, h);
        for (size_t i = 0; i < b->nr; i++)
            cum[i] += first[i];
        earlier |= b->years[h] < b->years[g];
    }
    return earlier;
}

/* Without the overlay: the records of g's class up to g's year, dissolved again (net: cum). */
static ccov_status subset_up_to(breakdown *b, size_t g, double *cum, bool *earlier) {
    *earlier = false;
    for (size_t f = 0; f < b->n; f++) {
        size_t h = b->group_of[f];
        b->mask[f] = alike_up_to(b, h, g);
        *earlier |= b->mask[f] && b->years[h] < b->years[g];
    }
    return *earlier ? ccov_compute_subset(b->r, b->mask, cum) : CCOV_OK;
}

static ccov_status group_cumulative(breakdown *b, size_t g) {
    ccov_group *out = &b->r->res->groups[g];
    out->cumulative_total = NAN;
    out->cumulative_ha = malloc((b->nr ? b->nr : 1) * sizeof *out->cumulative_ha);
    if (!out->cumulative_ha)
        return no_memory(b->r);
    bool unknown = b->years[g] == CCOV_YEAR_UNKNOWN, earlier = false;
    ccov_status st = CCOV_OK;
    if (!unknown && b->sums)
        earlier = sum_up_to(b, g, out->cumulative_ha);
    else if (!unknown)
        st = subset_up_to(b, g, out->cumulative_ha, &earlier);
    if (unknown || !earlier)
        for (size_t i = 0; i < b->nr; i++)
            out->cumulative_ha[i] = unknown ? NAN : out->regions[i].net_ha;
    if (unknown)
        return st;
    out->cumulative_total = 0;
    for (size_t i = 0; i < b->nr; i++)
        out->cumulative_total += out->cumulative_ha[i];
    return st;
}

static ccov_status cumulative(breakdown *b) {
    ccov_status st = CCOV_OK;
    for (size_t g = 0; st == CCOV_OK && g < b->ngroups; g++)
        st = group_cumulative(b, g);
    return st;
}

/* ---- the groups' years and classes, for the overlay ---- */

/* Group g's key without its year field (the year_key-th of the fields). */
static char *key_rest(const char *key, int year_key) {
    const char *start = key;
    for (int i = 0; i < year_key && start; i++) {
        start = strchr(start, '\x1f');
        start = start ? start + 1 : NULL;
    }
    if (!start)
        return strdup(key);
    const char *end = strchr(start, '\x1f');
    size_t head = (size_t)(start - key), tail = end ? strlen(end) : 0;
    char *rest = malloc(head + tail + 1);
    if (rest) {
        memcpy(rest, key, head);
        memcpy(rest + head, end ? end : "", tail + 1);
    }
    return rest;
}

/* Each group's year: its records' own (they all have the one the key was made with), so that a
   year of fewer than four digits or a value holding the keys' separator reads as it was read. */
static ccov_status group_years(breakdown *b) {
    b->years = malloc((b->ngroups ? b->ngroups : 1) * sizeof *b->years);
    if (!b->years)
        return no_memory(b->r);
    for (size_t g = 0; g < b->ngroups; g++)
        b->years[g] = b->r->cleared.info[member(b, g, 0)].year;
    return CCOV_OK;
}

/* Each group's class: one number for the groups whose keys differ only in the year. */
static ccov_status group_classes(breakdown *b, int year_key) {
    keyed *order = calloc(b->ngroups ? b->ngroups : 1, sizeof *order);
    b->rest = malloc((b->ngroups ? b->ngroups : 1) * sizeof *b->rest);
    ccov_status st = order && b->rest ? CCOV_OK : no_memory(b->r);
    for (size_t g = 0; st == CCOV_OK && g < b->ngroups; g++) {
        order[g] = (keyed){key_rest(b->r->cleared.info[member(b, g, 0)].group, year_key), g};
        st = order[g].key ? CCOV_OK : no_memory(b->r);
    }
    if (st == CCOV_OK)
        qsort(order, b->ngroups, sizeof *order, by_key);
    for (size_t k = 0, c = 0; st == CCOV_OK && k < b->ngroups; k++) {
        c += k > 0 && strcmp(order[k].key, order[k - 1].key) != 0;
        b->rest[order[k].f] = c;
    }
    for (size_t g = 0; order && g < b->ngroups; g++)
        free((char *)order[g].key);
    free(order);
    return st;
}

/* The overlay costs about as much as OVERLAY_WORK whole dissolves (2.4 measured on the 10^5
   benchmark set, in CPU time). */
enum { OVERLAY_WORK = 3 };

/* The work of dissolving each part again, in whole dissolves: the category parts, the groups and
   their category parts, and each cumulative year's records. */
static double subset_work(const breakdown *b) {
    double work = (b->categorised ? 2 : 0) + (b->group_of ? (b->categorised ? 3 : 1) : 0);
    for (size_t g = 0; b->years && g < b->ngroups && work <= OVERLAY_WORK; g++)
        for (size_t h = 0; h < b->ngroups && b->years[g] != CCOV_YEAR_UNKNOWN; h++)
            if (alike_up_to(b, h, g))
                work += (double)group_size(b, h) / (double)b->n;
    return work;
}

/* Number the groups, read their years, and sum the overlay's faces when that is cheaper than
   dissolving each part again (subset_work). */
static ccov_status overlay(breakdown *b) {
    const ccov_keys *k = &b->r->cleared.keys;
    ccov_status st = CCOV_OK;
    b->categorised = b->r->opts->status_field != NULL;
    if (k->ngroups > 0)
        st = number_groups(b);
    if (st == CCOV_OK && k->ngroups > 0 && k->year_group >= 0)
        st = group_years(b);
    if (st == CCOV_OK && b->years)
        st = group_classes(b, k->year_group);
    if (st == CCOV_OK && subset_work(b) > OVERLAY_WORK)
        st = face_sums(b);
    return st;
}

/* ---- the result ---- */

static ccov_status group_fields(ccov_pipeline *r) {
    const ccov_keys *k = &r->cleared.keys;
    ccov_result *res = r->res;
    res->year_key = k->year_group;
    res->group_fields = calloc(k->ngroups ? k->ngroups : 1, sizeof *res->group_fields);
    if (!res->group_fields)
        return no_memory(r);
    for (size_t g = 0; g < k->ngroups; g++) {
        res->group_fields[g] = strdup(k->groups[g]);
        if (!res->group_fields[g])
            return no_memory(r);
        res->ngroup_fields++;
    }
    return CCOV_OK;
}

static ccov_status groups(breakdown *b) {
    ccov_result *res = b->r->res;
    ccov_status st = group_fields(b->r);
    if (st == CCOV_OK) {
        res->groups = calloc(b->ngroups ? b->ngroups : 1, sizeof *res->groups);
        st = res->groups ? CCOV_OK : no_memory(b->r);
    }
    for (size_t g = 0; st == CCOV_OK && g < b->ngroups; g++) {
        res->ngroups++;
        st = group_make(b, g, &res->groups[g]);
    }
    for (size_t i = 0; st == CCOV_OK && i < b->nr; i++) {
        double sum = 0;
        for (size_t g = 0; g < b->ngroups; g++)
            sum += res->groups[g].regions[i].net_ha;
        res->regions[i].group_overlap_ha = sum - res->regions[i].net_ha;
        res->group_overlap_ha += res->regions[i].group_overlap_ha;
    }
    if (st == CCOV_OK && res->year_key >= 0)
        st = cumulative(b);
    return st;
}

static int by_value(const void *a, const void *b) {
    const ccov_left_out *x = a, *y = b;
    int d = strcmp(x->value, y->value);
    return d ? d : (x->fid > y->fid) - (x->fid < y->fid);
}

/* The records left out for their status, one entry per value with its count and ids. */
static ccov_status left_out_values(ccov_pipeline *r) {
    ccov_cleared *c = &r->cleared;
    ccov_result *res = r->res;
    if (c->nleft > 1)
        qsort(c->left, c->nleft, sizeof *c->left, by_value);
    for (size_t i = 0; i < c->nleft; i++) {
        ccov_status_value *v =
            res->nstatus_values ? &res->status_values[res->nstatus_values - 1] : NULL;
        if (!v || strcmp(v->value, c->left[i].value) != 0) {
            ccov_status_value *grown =
                ccov_grow(res->status_values, res->nstatus_values, sizeof *grown);
            if (!grown)
                return no_memory(r);
            res->status_values = grown;
            v = &grown[res->nstatus_values++];
            *v = (ccov_status_value){c->left[i].value, -1, c->left[i].ignored, 0, NULL};
            c->left[i].value = NULL;
        }
        long long *fids = ccov_grow(v->fids, (size_t)v->count, sizeof *fids);
        if (!fids)
            return no_memory(r);
        v->fids = fids;
        fids[v->count++] = c->left[i].fid;
    }
    return CCOV_OK;
}

ccov_status ccov_breakdown_run(ccov_pipeline *r) {
    breakdown b = {.r = r, .n = r->cleared.n, .nr = r->regions.n};
    b.mask = malloc(b.n ? b.n : 1);
    b.net = malloc((b.nr ? b.nr : 1) * sizeof *b.net);
    ccov_status st = b.mask && b.net ? left_out_values(r) : no_memory(r);
    r->res->year_key = -1;
    if (st == CCOV_OK && (r->opts->status_field || r->cleared.keys.ngroups > 0))
        st = overlay(&b);
    if (st == CCOV_OK && r->opts->status_field)
        st = region_categories(&b);
    if (st == CCOV_OK && r->cleared.keys.ngroups > 0)
        st = groups(&b);
    free(b.mask);
    free(b.net);
    free(b.members);
    free(b.start);
    free(b.years);
    free(b.rest);
    free(b.sums);
    return st;
}
