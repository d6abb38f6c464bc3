/* Internal to the CLI: the series of `clearcov chart --by year`, gathered for now by running the
   coverage once per year and once per cumulative year (TEMPORARY: to be replaced by the
   breakdown API's --group-by year results, which compute all years in one run). */
#ifndef CCOV_CLI_CHART_DATA_H
#define CCOV_CLI_CHART_DATA_H

#include "clearcov/chart.h"
#include "clearcov/coverage.h"

/* The data behind a ccov_chart_series: one stack per region. */
typedef struct {
    int *years;
    char **names;
    double *values;     /* nregions * nyears */
    double *cumulative; /* nyears */
    size_t nyears, nregions;
    char sources[1024];
} ccov_chart_data;

/* Net hectares per region and year from `first` to `last` (each run with base->where and
   "year" = Y), and the cumulative net of all regions (the union of every year drawn up to Y:
   "year" BETWEEN first AND Y, not a sum). `year_field` names the field. Caller frees with
   ccov_chart_data_free. */
ccov_status ccov_chart_data_by_year(ccov_ctx *ctx, const ccov_options *base,
                                    const char *year_field, int first, int last,
                                    ccov_chart_data *out);

void ccov_chart_data_free(ccov_chart_data *d);

/* The series to draw from d (pointers into d). */
ccov_chart_series ccov_chart_data_series(const ccov_chart_data *d, const char *title);

#endif
