/* coverage: the breakdowns of a result (pipeline.h). Each figure is a net area of the union of a
   part of the records, measured by the cell stage of the first run on that part alone
   (ccov_compute_subset), or a sum of the features' own figures (ccov_compute_hit). The
   categories partition the land released: cleared = net(cleared records), reduced =
   net(cleared and reduced) - cleared, cancelled = net(all) - both; so they add up to it. */
#include "core/internal.h"
#include "coverage/pipeline.h"

#include <math.h>
#include <stdlib.h>
#include <string.h>

/* What the breakdown runs share: the records' group numbers and a mask to fill. */
typedef struct {
    ccov_pipeline *r;
    size_t n, nr;
    unsigned char *mask;
    size_t *group_of; /* per feature */
    size_t ngroups;
    double *net; /* nr, scratch */
} breakdown;

static ccov_status no_memory(ccov_pipeline *r) {
    return ccov_ctx_fail(r->ctx, CCOV_ERR_IO, "out of memory");
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

/* The net figures of the part in b->mask into fig (one slot per region); `all` when the part is
   every record (the region's net is then its own). */
static ccov_status part_net(breakdown *b, bool all, double *net) {
    if (all) {
        for (size_t i = 0; i < b->nr; i++)
            net[i] = b->r->res->regions[i].net_ha;
        return CCOV_OK;
    }
    return ccov_compute_subset(b->r, b->mask, net);
}

/* Mask of the features of group g (any group: g == SIZE_MAX) whose category is at most `upto`.
   Returns whether the mask holds every feature of the group. */
static bool mask_part(breakdown *b, size_t g, int upto, size_t *count) {
    const ccov_cleared *c = &b->r->cleared;
    bool all = true;
    *count = 0;
    for (size_t f = 0; f < b->n; f++) {
        bool in_group = g == SIZE_MAX || b->group_of[f] == g;
        b->mask[f] = in_group && c->info[f].category <= upto;
        all &= !in_group || b->mask[f];
        *count += b->mask[f];
    }
    return all;
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
        for (size_t f = 0; f < b->n; f++)
            if (c->info[f].category == cat && (g == SIZE_MAX || b->group_of[f] == g))
                add_feature(b->r, f, per);
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
        for (size_t f = 0; f < b->n; f++)
            total[cat].tasks += c->info[f].category == cat &&
                                (g == SIZE_MAX || b->group_of[f] == g) && has_hit(b->r, f);
    }
}

static ccov_status region_categories(breakdown *b) {
    ccov_result *res = b->r->res;
    ccov_figures(*fig)[CCOV_NCATEGORIES] = calloc(b->nr ? b->nr : 1, sizeof *fig);
    double *whole = malloc((b->nr + 1) * sizeof *whole);
    ccov_status st = fig && whole ? part_net(b, true, whole) : no_memory(b->r);
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

/* Number the groups in the order of their values: b->group_of, b->ngroups, and each group's
   first feature in first[g]. */
static ccov_status number_groups(breakdown *b, size_t **first) {
    keyed *order = malloc((b->n ? b->n : 1) * sizeof *order);
    b->group_of = malloc((b->n ? b->n : 1) * sizeof *b->group_of);
    *first = malloc((b->n ? b->n : 1) * sizeof **first);
    if (!order || !b->group_of || !*first) {
        free(order);
        return no_memory(b->r);
    }
    for (size_t f = 0; f < b->n; f++)
        order[f] = (keyed){b->r->cleared.info[f].group, f};
    qsort(order, b->n, sizeof *order, by_key);
    for (size_t k = 0; k < b->n; k++) {
        if (k == 0 || strcmp(order[k].key, order[k - 1].key) != 0)
            (*first)[b->ngroups++] = order[k].f;
        b->group_of[order[k].f] = b->ngroups - 1;
    }
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
    ccov_status st = part_net(b, all, b->net);
    for (size_t f = 0; st == CCOV_OK && f < b->n; f++)
        if (b->group_of[f] == g)
            add_feature(b->r, f, out->regions);
    for (size_t i = 0; st == CCOV_OK && i < b->nr; i++) {
        ccov_figures *x = &out->regions[i];
        x->net_ha = b->net[i];
        x->overlap_ha = x->gross_ha - x->net_ha;
        out->total.net_ha += x->net_ha;
        out->total.gross_ha += x->gross_ha;
    }
    out->total.overlap_ha = out->total.gross_ha - out->total.net_ha;
    for (size_t f = 0; f < b->n; f++)
        out->total.tasks += b->group_of[f] == g && has_hit(b->r, f);
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

static ccov_status group_make(breakdown *b, size_t g, size_t first, ccov_group *out) {
    const ccov_result *res = b->r->res;
    out->values = split_key(b->r->cleared.info[first].group, res->ngroup_fields);
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

static int group_year(const ccov_result *res, const ccov_group *g) {
    return ccov_keys_year(g->values[res->year_key], false);
}

/* a and b have the same values but for the year. */
static bool same_rest(const ccov_result *res, const ccov_group *a, const ccov_group *b) {
    for (size_t i = 0; i < res->ngroup_fields; i++)
        if ((int)i != res->year_key && strcmp(a->values[i], b->values[i]) != 0)
            return false;
    return true;
}

/* Mask of the records of the groups like g up to g's year; whether an earlier year is among them.
 */
static bool mask_up_to(breakdown *b, size_t g, const int *years) {
    const ccov_result *res = b->r->res;
    bool earlier = false;
    for (size_t f = 0; f < b->n; f++) {
        size_t h = b->group_of[f];
        b->mask[f] = years[h] != CCOV_YEAR_UNKNOWN && years[h] <= years[g] &&
                     same_rest(res, &res->groups[h], &res->groups[g]);
        earlier |= b->mask[f] && years[h] < years[g];
    }
    return earlier;
}

static ccov_status group_cumulative(breakdown *b, size_t g, const int *years) {
    ccov_group *out = &b->r->res->groups[g];
    out->cumulative_total = NAN;
    out->cumulative_ha = malloc((b->nr ? b->nr : 1) * sizeof *out->cumulative_ha);
    if (!out->cumulative_ha)
        return no_memory(b->r);
    for (size_t i = 0; i < b->nr; i++)
        out->cumulative_ha[i] = years[g] == CCOV_YEAR_UNKNOWN ? NAN : out->regions[i].net_ha;
    if (years[g] == CCOV_YEAR_UNKNOWN)
        return CCOV_OK;
    ccov_status st =
        mask_up_to(b, g, years) ? ccov_compute_subset(b->r, b->mask, out->cumulative_ha) : CCOV_OK;
    out->cumulative_total = 0;
    for (size_t i = 0; i < b->nr; i++)
        out->cumulative_total += out->cumulative_ha[i];
    return st;
}

static ccov_status cumulative(breakdown *b) {
    const ccov_result *res = b->r->res;
    int *years = malloc((b->ngroups ? b->ngroups : 1) * sizeof *years);
    ccov_status st = years ? CCOV_OK : no_memory(b->r);
    for (size_t g = 0; years && g < b->ngroups; g++)
        years[g] = group_year(res, &res->groups[g]);
    for (size_t g = 0; st == CCOV_OK && g < b->ngroups; g++)
        st = group_cumulative(b, g, years);
    free(years);
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
    size_t *first = NULL;
    ccov_result *res = b->r->res;
    ccov_status st = group_fields(b->r);
    if (st == CCOV_OK)
        st = number_groups(b, &first);
    if (st == CCOV_OK) {
        res->groups = calloc(b->ngroups ? b->ngroups : 1, sizeof *res->groups);
        st = res->groups ? CCOV_OK : no_memory(b->r);
    }
    for (size_t g = 0; st == CCOV_OK && g < b->ngroups; g++) {
        res->ngroups++;
        st = group_make(b, g, first[g], &res->groups[g]);
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
    free(first);
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
    if (st == CCOV_OK && r->opts->status_field)
        st = region_categories(&b);
    if (st == CCOV_OK && r->cleared.keys.ngroups > 0)
        st = groups(&b);
    free(b.mask);
    free(b.net);
    free(b.group_of);
    return st;
}
