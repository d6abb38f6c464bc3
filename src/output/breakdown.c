/* output: the breakdowns of a result (breakdown.h). */
#include "output/breakdown.h"
#include "clearcov/report.h"
#include "output/render.h"

#include <math.h>
#include <stdlib.h>
#include <string.h>

bool ccov_breakdown_present(const ccov_result *res) {
    return res->categorised || res->ngroup_fields > 0 || res->nstatus_values > 0 ||
           res->year_filtered > 0;
}

/* ---- a small aligned table: text columns first, then numbers ---- */

enum { CELL = 64, MAXCOLS = 24 };

typedef struct {
    int ncols, ntext; /* columns, of which the first ntext are text (left-aligned) */
    char (*cells)[CELL];
    size_t nrows, cap;
} grid_text;

static char *row_add(grid_text *t) {
    if (t->nrows == t->cap) {
        size_t cap = t->cap ? 2 * t->cap : 16;
        char(*grown)[CELL] = realloc(t->cells, cap * (size_t)t->ncols * sizeof *grown);
        if (!grown)
            return NULL;
        t->cells = grown;
        t->cap = cap;
    }
    memset(t->cells[t->nrows * (size_t)t->ncols], 0, (size_t)t->ncols * CELL);
    return t->cells[t->nrows++ * (size_t)t->ncols];
}

static void grid_print(const grid_text *t, FILE *out) {
    int width[MAXCOLS] = {0};
    for (size_t r = 0; r < t->nrows; r++)
        for (int c = 0; c < t->ncols; c++) {
            int w = ccov_render_text_width(t->cells[r * (size_t)t->ncols + (size_t)c]);
            width[c] = w > width[c] ? w : width[c];
        }
    for (size_t r = 0; r < t->nrows; r++) {
        for (int c = 0; c < t->ncols; c++) {
            const char *s = t->cells[r * (size_t)t->ncols + (size_t)c];
            int pad = width[c] - ccov_render_text_width(s);
            if (c >= t->ntext)
                fprintf(out, "%*s", pad + (c ? 2 : 0), "");
            else if (c)
                fputs("  ", out);
            ccov_render_text(out, s);
            if (c < t->ntext && c + 1 < t->ncols)
                fprintf(out, "%*s", pad, "");
        }
        fputc('\n', out);
    }
}

static void put_ha(char *dst, double v) {
    if (isnan(v))
        snprintf(dst, CELL, "-");
    else
        ccov_report_number(v, 2, dst, CELL);
}

static void put_count(char *dst, long long v) { ccov_report_number((double)v, 0, dst, CELL); }

/* ---- table ---- */

static void category_cells(char *row, int ncols, int at, const ccov_figures *cat, double net) {
    (void)ncols;
    put_ha(row + (size_t)at * CELL, net);
    for (int c = 0; c < CCOV_NCATEGORIES; c++)
        put_ha(row + (size_t)(at + 1 + c) * CELL, cat[c].net_ha);
}

static void categories_table(const ccov_result *res, FILE *out) {
    grid_text t = {.ncols = 7, .ntext = 2};
    static const char *const heads[7] = {"region",       "ISO",          "released (ha)",
                                         "cleared (ha)", "reduced (ha)", "cancelled (ha)",
                                         "cleared (%)"};
    char *row = row_add(&t);
    for (int c = 0; row && c < 7; c++)
        snprintf(row + (size_t)c * CELL, CELL, "%s", heads[c]);
    double area = 0;
    for (size_t i = 0; row && i <= res->nregions; i++) {
        const ccov_region_result *r = i < res->nregions ? &res->regions[i] : NULL;
        row = row_add(&t);
        if (!row)
            break;
        snprintf(row, CELL, "%s", r ? r->name : "Total");
        snprintf(row + CELL, CELL, "%s", r ? r->iso : "");
        category_cells(row, 7, 2, r ? r->categories : res->categories, r ? r->net_ha : res->net_ha);
        area += r ? r->region_ha : 0;
        double pct = r          ? r->percent_cleared
                     : area > 0 ? 100.0 * res->categories[0].net_ha / area
                                : 0;
        snprintf(row + 6 * CELL, CELL, "%.4f", pct);
    }
    fputs("\nLand released by category, net hectares (a hectare covered by records of several "
          "categories counts once: cleared, else reduced, else cancelled)\n\n",
          out);
    grid_print(&t, out);
    free(t.cells);
}

/* Columns of the groups table: region, the group fields, then the figures. */
static int group_columns(const ccov_result *res) {
    return 1 + (int)res->ngroup_fields + 4 + (res->categorised ? 3 : 0) + (res->year_key >= 0);
}

static void group_row(grid_text *t, const ccov_result *res, const char *region, const ccov_group *g,
                      const ccov_figures *fig, const ccov_figures *cats, double cumulative) {
    char *row = row_add(t);
    if (!row)
        return;
    int c = 0;
    snprintf(row + (size_t)c++ * CELL, CELL, "%s", region);
    for (size_t k = 0; k < res->ngroup_fields; k++)
        snprintf(row + (size_t)c++ * CELL, CELL, "%s", g->values[k][0] ? g->values[k] : "(none)");
    put_ha(row + (size_t)c++ * CELL, fig->net_ha);
    put_ha(row + (size_t)c++ * CELL, fig->gross_ha);
    put_ha(row + (size_t)c++ * CELL, fig->overlap_ha);
    put_count(row + (size_t)c++ * CELL, fig->tasks);
    for (int k = 0; res->categorised && k < CCOV_NCATEGORIES; k++)
        put_ha(row + (size_t)c++ * CELL, cats[k].net_ha);
    if (res->year_key >= 0)
        put_ha(row + (size_t)c * CELL, cumulative);
}

static void group_heads(grid_text *t, const ccov_result *res) {
    char *row = row_add(t);
    static const char *const figs[] = {"net (ha)",     "gross (ha)",   "overlap (ha)",  "tasks",
                                       "cleared (ha)", "reduced (ha)", "cancelled (ha)"};
    if (!row)
        return;
    int c = 0;
    snprintf(row + (size_t)c++ * CELL, CELL, "region");
    for (size_t k = 0; k < res->ngroup_fields; k++)
        snprintf(row + (size_t)c++ * CELL, CELL, "%s", res->group_fields[k]);
    for (int k = 0; k < (res->categorised ? 7 : 4); k++)
        snprintf(row + (size_t)c++ * CELL, CELL, "%s", figs[k]);
    if (res->year_key >= 0)
        snprintf(row + (size_t)c * CELL, CELL, "cumulative (ha)");
}

/* --districts: the group rows of province p's districts, names indented, after the province's. */
static void district_group_rows(grid_text *t, const ccov_result *res, size_t p) {
    for (size_t d = 0; d < res->ndistricts; d++) {
        char name[CELL];
        if (res->districts[d].province != p)
            continue;
        snprintf(name, sizeof name, "  %s", res->districts[d].fig.name);
        for (size_t g = 0; g < res->ngroups; g++) {
            const ccov_group *x = &res->groups[g];
            if (!x->districts || x->districts[d].tasks == 0)
                continue;
            group_row(t, res, name, x, &x->districts[d],
                      x->district_categories ? x->district_categories[d] : NULL,
                      x->district_cumulative_ha ? x->district_cumulative_ha[d] : NAN);
        }
    }
}

static void groups_table(const ccov_result *res, FILE *out) {
    grid_text t = {.ncols = group_columns(res), .ntext = 1 + (int)res->ngroup_fields};
    if (t.ncols > MAXCOLS)
        return;
    group_heads(&t, res);
    for (size_t i = 0; i <= res->nregions; i++) {
        if (i > 0 && res->ndistricts)
            district_group_rows(&t, res, i - 1);
        for (size_t g = 0; g < res->ngroups; g++) {
            const ccov_group *x = &res->groups[g];
            bool all = i == res->nregions;
            const ccov_figures *fig = all ? &x->total : &x->regions[i];
            if (fig->tasks == 0)
                continue;
            group_row(&t, res, all ? "All regions" : res->regions[i].name, x, fig,
                      !res->categorised ? NULL
                      : all             ? x->total_categories
                                        : x->categories[i],
                      !x->cumulative_ha ? NAN
                      : all             ? x->cumulative_total
                                        : x->cumulative_ha[i]);
        }
    }
    fputs("\nBy ", out);
    for (size_t k = 0; k < res->ngroup_fields; k++)
        fprintf(out, "%s%s", k ? ", " : "", res->group_fields[k]);
    fputs(": each group's records dissolved on their own; gross, overlap and tasks as above", out);
    fputs(res->year_key >= 0 ? "; cumulative: the union of every year up to the row's\n\n" : "\n\n",
          out);
    grid_print(&t, out);
    free(t.cells);
    char ha[48];
    fputs("Counted in more than one group (the groups' net added up, minus the region's net):",
          out);
    for (size_t i = 0; i < res->nregions; i++) {
        fprintf(out, "%s ", i ? "," : "");
        ccov_render_text(out, res->regions[i].name);
        fprintf(out, " %s ha",
                ccov_report_number(res->regions[i].group_overlap_ha, 2, ha, sizeof ha));
    }
    fputc('\n', out);
}

static void left_out_lines(const ccov_result *res, FILE *out) {
    for (size_t i = 0; i < res->nstatus_values; i++) {
        const ccov_status_value *v = &res->status_values[i];
        fputs("Left out: status '", out);
        ccov_render_text(out, v->value);
        fprintf(out, "': %lld record(s), %s\n", v->count,
                v->ignored ? "ignored by --status-map" : "mapped to no category");
    }
    if (res->year_filtered > 0)
        fprintf(out, "Left out by --years: %lld record(s)\n", res->year_filtered);
    if (res->year_unknown > 0)
        fprintf(out, "Year unknown (no readable year or date): %lld record(s)\n",
                res->year_unknown);
}

void ccov_breakdown_table(const ccov_result *res, FILE *out) {
    if (!ccov_breakdown_present(res))
        return;
    if (res->categorised)
        categories_table(res, out);
    if (res->ngroup_fields > 0)
        groups_table(res, out);
    left_out_lines(res, out);
}

/* ---- CSV ---- */

static void csv_heads(const ccov_result *res, FILE *out) {
    fputs("region,iso", out);
    for (size_t k = 0; k < res->ngroup_fields; k++) {
        fputc(',', out);
        ccov_render_csv_text(out, res->group_fields[k]);
    }
    fputs(",region_ha,net_ha,gross_ha,overlap_ha,percent_cleared,tasks", out);
    for (int c = 0; res->categorised && c < CCOV_NCATEGORIES; c++)
        fprintf(out, ",%s_net_ha,%s_gross_ha,%s_tasks", ccov_category_name(c),
                ccov_category_name(c), ccov_category_name(c));
    if (res->categorised)
        fputs(",percent_released", out);
    if (res->ngroup_fields > 0)
        fputs(",group_overlap_ha", out);
    if (res->year_key >= 0)
        fputs(",cumulative_net_ha", out);
    fputc('\n', out);
}

static void csv_number(FILE *out, double v) {
    if (isnan(v))
        fputc(',', out);
    else
        fprintf(out, ",%.6f", v);
}

/* One row: region r (NULL: total) and group g (NULL: every group). */
typedef struct {
    const char *name, *iso;
    const ccov_group *g;
    double region_ha, percent, percent_released, group_overlap, cumulative;
    const ccov_figures *fig, *cats;
} csv_line;

static void csv_row(const ccov_result *res, const csv_line *l, FILE *out) {
    ccov_render_csv_text(out, l->name);
    fputc(',', out);
    ccov_render_csv_text(out, l->iso);
    for (size_t k = 0; k < res->ngroup_fields; k++) {
        fputc(',', out);
        ccov_render_csv_text(out, l->g ? l->g->values[k] : "(all)");
    }
    csv_number(out, l->region_ha);
    fprintf(out, ",%.6f,%.6f,%.6f", l->fig->net_ha, l->fig->gross_ha, l->fig->overlap_ha);
    csv_number(out, l->percent);
    fprintf(out, ",%lld", l->fig->tasks);
    for (int c = 0; res->categorised && c < CCOV_NCATEGORIES; c++)
        fprintf(out, ",%.6f,%.6f,%lld", l->cats[c].net_ha, l->cats[c].gross_ha, l->cats[c].tasks);
    if (res->categorised)
        csv_number(out, l->percent_released);
    if (res->ngroup_fields > 0)
        csv_number(out, l->group_overlap);
    if (res->year_key >= 0)
        csv_number(out, l->cumulative);
    fputc('\n', out);
}

static void csv_total(const ccov_result *res, FILE *out);
static void csv_outside(const ccov_result *res, FILE *out);

/* The level and province columns that open a row of the districts' CSV. */
static void csv_prefix(const char *level, const char *province, FILE *out) {
    fprintf(out, "%s,", level);
    ccov_render_csv_text(out, province);
    fputc(',', out);
}

/* The row of region (or district) r. */
static void csv_region_row(const ccov_result *res, const ccov_region_result *r, FILE *out) {
    ccov_figures fig = {r->net_ha, r->gross_ha, r->overlap_ha, r->tasks};
    csv_row(res,
            &(csv_line){r->name, r->iso, NULL, r->region_ha, r->percent_cleared,
                        r->percent_released, r->group_overlap_ha, NAN, &fig, r->categories},
            out);
}

/* Where group rows stand: in region or district i, or over every region (the total). */
typedef struct {
    enum { IN_REGION, IN_DISTRICT, IN_TOTAL } in;
    size_t i;
    const char *name, *iso;
    const char *level, *province; /* the districts' leading columns; level NULL: none */
} csv_place;

/* Group x's row at place p. */
static csv_line group_line(const ccov_result *res, const ccov_group *x, const csv_place *p) {
    bool total = p->in == IN_TOTAL, district = p->in == IN_DISTRICT;
    size_t i = p->i;
    csv_line l = {p->name, p->iso, x, NAN, NAN, NAN, NAN, NAN, NULL, NULL};
    l.fig = total ? &x->total : district ? &x->districts[i] : &x->regions[i];
    if (res->categorised)
        l.cats = total      ? x->total_categories
                 : district ? x->district_categories[i]
                            : x->categories[i];
    if (x->cumulative_ha)
        l.cumulative = total      ? x->cumulative_total
                       : district ? x->district_cumulative_ha[i]
                                  : x->cumulative_ha[i];
    return l;
}

/* The row of every group with tasks at place p. */
static void csv_group_rows(const ccov_result *res, const csv_place *p, FILE *out) {
    for (size_t g = 0; g < res->ngroups; g++) {
        csv_line l = group_line(res, &res->groups[g], p);
        if (l.fig->tasks == 0)
            continue;
        if (p->level)
            csv_prefix(p->level, p->province, out);
        csv_row(res, &l, out);
    }
}

static void csv_regions(const ccov_result *res, FILE *out) {
    for (size_t i = 0; i < res->nregions; i++)
        csv_region_row(res, &res->regions[i], out);
    csv_total(res, out);
}

/* The total row over the regions. */
static void csv_total(const ccov_result *res, FILE *out) {
    double area = 0;
    for (size_t i = 0; i < res->nregions; i++)
        area += res->regions[i].region_ha;
    ccov_figures fig = {res->net_ha, res->gross_ha, res->overlap_ha, res->tasks};
    double cleared = res->categorised ? res->categories[0].net_ha : res->net_ha;
    csv_row(res,
            &(csv_line){"(total)", "", NULL, area, area > 0 ? 100.0 * cleared / area : 0,
                        area > 0 ? 100.0 * res->net_ha / area : 0, res->group_overlap_ha, NAN, &fig,
                        res->categories},
            out);
}

static void csv_groups(const ccov_result *res, FILE *out) {
    for (size_t i = 0; i < res->nregions; i++) {
        const ccov_region_result *r = &res->regions[i];
        csv_group_rows(res, &(csv_place){IN_REGION, i, r->name, r->iso, NULL, NULL}, out);
    }
    csv_group_rows(res, &(csv_place){IN_TOTAL, 0, "(total)", "", NULL, NULL}, out);
}

/* ---- CSV with --districts and --group-by ---- */

/* A region row (d == SIZE_MAX) or district row d, then its group rows, after the level and
   province columns. */
static void csv_district_lines(const ccov_result *res, const char *level, const char *province,
                               const ccov_region_result *r, size_t d, FILE *out) {
    bool district = d != SIZE_MAX;
    size_t i = district ? d : (size_t)(r - res->regions);
    csv_prefix(level, province, out);
    csv_region_row(res, r, out);
    csv_group_rows(
        res, &(csv_place){district ? IN_DISTRICT : IN_REGION, i, r->name, r->iso, level, province},
        out);
}

bool ccov_breakdown_csv_districts(const ccov_result *res, FILE *out) {
    if (res->ngroup_fields == 0 || res->ndistricts == 0)
        return false;
    fputs("level,province,", out);
    csv_heads(res, out);
    for (size_t p = 0; p < res->nregions; p++) {
        const char *name = res->regions[p].name;
        csv_district_lines(res, "province", name, &res->regions[p], SIZE_MAX, out);
        for (size_t d = 0; d < res->ndistricts; d++)
            if (res->districts[d].province == p)
                csv_district_lines(res, "district", name, &res->districts[d].fig, d, out);
    }
    csv_prefix("total", "", out);
    csv_total(res, out);
    csv_group_rows(res, &(csv_place){IN_TOTAL, 0, "(total)", "", "total", ""}, out);
    fputs("outside,,", out);
    csv_outside(res, out);
    return true;
}

bool ccov_breakdown_csv(const ccov_result *res, FILE *out) {
    if (!res->categorised && res->ngroup_fields == 0)
        return false;
    csv_heads(res, out);
    csv_regions(res, out);
    csv_groups(res, out);
    csv_outside(res, out);
    return true;
}

/* The area outside every region: its net only (region, iso, groups, region_ha, net_ha). */
static void csv_outside(const ccov_result *res, FILE *out) {
    size_t ncols = 8 + res->ngroup_fields + (res->categorised ? 10 : 0) + (res->ngroup_fields > 0) +
                   (res->year_key >= 0);
    fputs("(outside),", out);
    for (size_t k = 0; k < res->ngroup_fields; k++)
        fputc(',', out);
    fprintf(out, ",,%.6f", res->outside_ha);
    for (size_t c = 4 + res->ngroup_fields; c < ncols; c++)
        fputc(',', out);
    fputc('\n', out);
}

/* ---- JSON ---- */

static json_object *json_figures(const ccov_figures *f) {
    json_object *o = json_object_new_object();
    json_object_object_add(o, "net_ha", ccov_render_json_number(f->net_ha));
    json_object_object_add(o, "gross_ha", ccov_render_json_number(f->gross_ha));
    json_object_object_add(o, "overlap_ha", ccov_render_json_number(f->overlap_ha));
    json_object_object_add(o, "tasks", json_object_new_int64(f->tasks));
    return o;
}

static json_object *json_categories(const ccov_figures *cats) {
    json_object *o = json_object_new_object();
    for (int c = 0; c < CCOV_NCATEGORIES; c++)
        json_object_object_add(o, ccov_category_name(c), json_figures(&cats[c]));
    return o;
}

void ccov_breakdown_json_region(const ccov_result *res, const ccov_region_result *r,
                                json_object *region) {
    if (res->categorised) {
        json_object_object_add(region, "released_ha", ccov_render_json_number(r->net_ha));
        json_object_object_add(region, "percent_released",
                               ccov_render_json_number(r->percent_released));
        json_object_object_add(region, "categories", json_categories(r->categories));
    }
    if (res->ngroup_fields > 0)
        json_object_object_add(region, "group_overlap_ha",
                               ccov_render_json_number(r->group_overlap_ha));
}

/* A group's row in one region or district: its figures, name, province (districts only), and
   its categories and cumulative net when the report has them (NULL: not). */
static json_object *json_group_row(const ccov_figures *fig, const char *name, const char *province,
                                   const ccov_figures *categories, const double *cumulative) {
    json_object *r = json_figures(fig);
    json_object_object_add(r, "name", json_object_new_string(name));
    if (province)
        json_object_object_add(r, "province", json_object_new_string(province));
    if (categories)
        json_object_object_add(r, "categories", json_categories(categories));
    if (cumulative)
        json_object_object_add(r, "cumulative_net_ha", ccov_render_json_number(*cumulative));
    return r;
}

/* --districts: a group's figures in each district row it has tasks in, with the province. */
static json_object *json_group_districts(const ccov_result *res, const ccov_group *g) {
    json_object *a = json_object_new_array();
    for (size_t d = 0; d < res->ndistricts; d++) {
        if (g->districts[d].tasks == 0)
            continue;
        json_object_array_add(
            a, json_group_row(&g->districts[d], res->districts[d].fig.name,
                              res->regions[res->districts[d].province].name,
                              g->district_categories ? g->district_categories[d] : NULL,
                              g->district_cumulative_ha ? &g->district_cumulative_ha[d] : NULL));
    }
    return a;
}

/* One group: its values by field, its totals, and its figures in each region it has tasks in. */
static json_object *json_group(const ccov_result *res, const ccov_group *g) {
    json_object *o = json_object_new_object(), *values = json_object_new_object();
    for (size_t k = 0; k < res->ngroup_fields; k++)
        json_object_object_add(values, res->group_fields[k], json_object_new_string(g->values[k]));
    json_object_object_add(o, "values", values);
    json_object *total = json_figures(&g->total);
    if (res->categorised)
        json_object_object_add(total, "categories", json_categories(g->total_categories));
    if (g->cumulative_ha)
        json_object_object_add(total, "cumulative_net_ha",
                               ccov_render_json_number(g->cumulative_total));
    json_object_object_add(o, "totals", total);
    json_object *regions = json_object_new_array();
    for (size_t i = 0; i < res->nregions; i++) {
        if (g->regions[i].tasks == 0)
            continue;
        json_object_array_add(regions,
                              json_group_row(&g->regions[i], res->regions[i].name, NULL,
                                             res->categorised ? g->categories[i] : NULL,
                                             g->cumulative_ha ? &g->cumulative_ha[i] : NULL));
    }
    json_object_object_add(o, "regions", regions);
    if (g->districts)
        json_object_object_add(o, "districts", json_group_districts(res, g));
    return o;
}

static json_object *json_left_out(const ccov_result *res) {
    json_object *a = json_object_new_array();
    for (size_t i = 0; i < res->nstatus_values; i++) {
        const ccov_status_value *v = &res->status_values[i];
        json_object *o = json_object_new_object(), *fids = json_object_new_array();
        json_object_object_add(o, "value", json_object_new_string(v->value));
        json_object_object_add(o, "why",
                               json_object_new_string(v->ignored ? "ignored" : "no category"));
        json_object_object_add(o, "count", json_object_new_int64(v->count));
        for (long long k = 0; k < v->count; k++)
            json_object_array_add(fids, json_object_new_int64(v->fids[k]));
        json_object_object_add(o, "fids", fids);
        json_object_array_add(a, o);
    }
    return a;
}

void ccov_breakdown_json_root(const ccov_result *res, json_object *root) {
    if (!ccov_breakdown_present(res))
        return;
    json_object *b = json_object_new_object();
    if (res->categorised)
        json_object_object_add(b, "categories", json_categories(res->categories));
    json_object_object_add(b, "left_out_by_status", json_left_out(res));
    json_object_object_add(b, "left_out_by_years", json_object_new_int64(res->year_filtered));
    json_object_object_add(b, "year_unknown", json_object_new_int64(res->year_unknown));
    if (res->ngroup_fields > 0) {
        json_object *fields = json_object_new_array(), *groups = json_object_new_array();
        for (size_t k = 0; k < res->ngroup_fields; k++)
            json_object_array_add(fields, json_object_new_string(res->group_fields[k]));
        for (size_t g = 0; g < res->ngroups; g++)
            json_object_array_add(groups, json_group(res, &res->groups[g]));
        json_object_object_add(b, "group_fields", fields);
        json_object_object_add(b, "group_overlap_ha",
                               ccov_render_json_number(res->group_overlap_ha));
        json_object_object_add(b, "groups", groups);
    }
    json_object_object_add(root, "breakdowns", b);
}
