/* cli/chart_data: the yearly series of `clearcov chart --by year`.
   TEMPORARY data path: one coverage run per year ("year" = Y) and one per cumulative year
   ("year" <= Y), through ccov_coverage_run. To be switched to the breakdown API (--group-by
   year with its cumulative net) once it lands; the chart writer (output/chart.c) stays. */
#include "cli/chart_data.h"

#include <stdio.h>
#include <stdlib.h>
#include <string.h>

/* One run with `(base where) AND ("field" BETWEEN from AND to)`. */
static ccov_status run_year(ccov_ctx *ctx, const ccov_options *base, const char *field, int from,
                            int to, ccov_result **res) {
    char where[2048];
    if (base->where && *base->where)
        snprintf(where, sizeof where, "(%s) AND (\"%s\" BETWEEN %d AND %d)", base->where, field,
                 from, to);
    else
        snprintf(where, sizeof where, "\"%s\" BETWEEN %d AND %d", field, from, to);
    ccov_options o = *base;
    o.where = where;
    o.layers = false;
    return ccov_coverage_run(ctx, &o, res);
}

static const char *base_name(const char *path) {
    const char *slash = path ? strrchr(path, '/') : NULL;
    return slash ? slash + 1 : path ? path : "";
}

static ccov_status data_alloc(ccov_ctx *ctx, ccov_chart_data *d, const ccov_result *first) {
    d->nregions = first->nregions;
    d->years = calloc(d->nyears, sizeof *d->years);
    d->names = calloc(d->nregions ? d->nregions : 1, sizeof *d->names);
    d->values = calloc(d->nyears * (d->nregions ? d->nregions : 1), sizeof *d->values);
    d->cumulative = calloc(d->nyears, sizeof *d->cumulative);
    bool ok = d->years && d->names && d->values && d->cumulative;
    for (size_t i = 0; ok && i < d->nregions; i++)
        ok = (d->names[i] = strdup(first->regions[i].name)) != NULL;
    snprintf(
        d->sources, sizeof d->sources,
        "Net hectares cleared, counted once per year (line: the years drawn up to each, counted "
        "once). Regions: %s. Cleared areas: %s.",
        base_name(first->regions_input.path), base_name(first->cleared_input.path));
    return ok ? CCOV_OK : ccov_ctx_fail(ctx, CCOV_ERR_IO, "out of memory");
}

static ccov_status one_year(ccov_ctx *ctx, const ccov_options *base, const char *field, size_t k,
                            ccov_chart_data *d) {
    ccov_result *yr = NULL, *cum = NULL;
    int year = d->years[k];
    ccov_status st = run_year(ctx, base, field, year, year, &yr);
    if (st == CCOV_OK) /* the union of the years drawn up to this one */
        st = run_year(ctx, base, field, d->years[0], year, &cum);
    for (size_t i = 0; st == CCOV_OK && i < d->nregions && i < yr->nregions; i++)
        d->values[i * d->nyears + k] = yr->regions[i].net_ha;
    if (st == CCOV_OK)
        d->cumulative[k] = cum->net_ha;
    ccov_result_free(yr);
    ccov_result_free(cum);
    return st;
}

ccov_status ccov_chart_data_by_year(ccov_ctx *ctx, const ccov_options *base, const char *year_field,
                                    int first, int last, ccov_chart_data *out) {
    memset(out, 0, sizeof *out);
    if (first > last || last - first > 200)
        return ccov_ctx_fail(ctx, CCOV_ERR_USAGE,
                             "chart: years %d to %d: need first <= last, at most 200 years", first,
                             last);
    out->nyears = (size_t)(last - first + 1);
    ccov_result *probe = NULL;
    ccov_status st = run_year(ctx, base, year_field, first, first, &probe);
    if (st == CCOV_OK)
        st = data_alloc(ctx, out, probe);
    ccov_result_free(probe);
    for (size_t k = 0; st == CCOV_OK && k < out->nyears; k++)
        out->years[k] = first + (int)k;
    for (size_t k = 0; st == CCOV_OK && k < out->nyears; k++)
        st = one_year(ctx, base, year_field, k, out);
    return st;
}

void ccov_chart_data_free(ccov_chart_data *d) {
    for (size_t i = 0; d->names && i < d->nregions; i++)
        free(d->names[i]);
    free(d->names);
    free(d->years);
    free(d->values);
    free(d->cumulative);
    memset(d, 0, sizeof *d);
}

ccov_chart_series ccov_chart_data_series(const ccov_chart_data *d, const char *title) {
    return (ccov_chart_series){.title = title ? title : "Cleared land per year, by province",
                               .y_label = "net hectares cleared per year",
                               .sources = d->sources,
                               .nyears = d->nyears,
                               .years = d->years,
                               .nstacks = d->nregions,
                               .stack_names = (const char *const *)d->names,
                               .values = d->values,
                               .cumulative = d->cumulative,
                               .cumulative_label = "cumulative net hectares (all provinces)"};
}
