/* cli/chart_data: the yearly series of `clearcov chart --by year`: one coverage run grouped by
   year (ccov_options.group_by "year", limited to the years drawn), whose groups give each
   region's net per year and the cumulative net (the union of the years drawn up to each). */
#include "cli/chart_data.h"

#include <stdio.h>
#include <stdlib.h>
#include <string.h>

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

/* Year k's bars and line from the group of that year (none: no bar, the line carried on). */
static void one_year(const ccov_result *res, size_t k, ccov_chart_data *d) {
    char year[16];
    snprintf(year, sizeof year, "%d", d->years[k]);
    d->cumulative[k] = k > 0 ? d->cumulative[k - 1] : 0;
    for (size_t g = 0; g < res->ngroups; g++) {
        const ccov_group *x = &res->groups[g];
        if (strcmp(x->values[0], year) != 0)
            continue;
        for (size_t i = 0; i < d->nregions && i < res->nregions; i++)
            d->values[i * d->nyears + k] = x->regions[i].net_ha;
        d->cumulative[k] = x->cumulative_total;
    }
}

ccov_status ccov_chart_data_by_year(ccov_ctx *ctx, const ccov_options *base, const char *year_field,
                                    int first, int last, ccov_chart_data *out) {
    memset(out, 0, sizeof *out);
    if (first > last || last - first > 200 || first < 1000 || last > 9999)
        return ccov_ctx_fail(ctx, CCOV_ERR_USAGE,
                             "chart: years %d to %d: need four-digit years, first <= last, at "
                             "most 200 years",
                             first, last);
    (void)year_field; /* the year is the field "year", or --year-from's date */
    char years[32];
    snprintf(years, sizeof years, "%d-%d", first, last);
    ccov_options o = *base;
    o.group_by = "year";
    o.years = years;
    o.layers = false;
    out->nyears = (size_t)(last - first + 1);
    ccov_result *res = NULL;
    ccov_status st = ccov_coverage_run(ctx, &o, &res);
    if (st == CCOV_OK)
        st = data_alloc(ctx, out, res);
    for (size_t k = 0; st == CCOV_OK && k < out->nyears; k++) {
        out->years[k] = first + (int)k;
        one_year(res, k, out);
    }
    ccov_result_free(res);
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
