/* clearcov: a yearly series drawn as a bar chart (self-contained SVG). */
#ifndef CLEARCOV_CHART_H
#define CLEARCOV_CHART_H

#include "clearcov/ctx.h"

#include <stdbool.h>
#include <stddef.h>
#include <stdio.h>

#ifdef __cplusplus
extern "C" {
#endif

/* What to draw: one stacked bar per year, one stack per named series (regions or land-release
   categories), and an optional cumulative line. Everything is borrowed for the call. */
typedef struct {
    const char *title;              /* NULL: no title */
    const char *y_label;            /* axis title of the bars, e.g. "hectares per year" */
    const char *sources;            /* data sources line at the foot, NULL: none */
    size_t nyears;                  /* >= 1 */
    const int *years;               /* nyears x-axis labels, in the order drawn */
    size_t nstacks;                 /* >= 1 */
    const char *const *stack_names; /* nstacks legend entries; stack 0 is drawn at the bottom */
    const double *values;           /* nstacks * nyears, values[stack * nyears + year], >= 0 */
    const double *cumulative;       /* nyears values (a line), or NULL */
    const char *cumulative_label;   /* legend entry and right axis title of the line, NULL:
                                       "cumulative" */
    bool same_axis; /* the line on the bars' axis instead of its own axis on the right */
    int width_px, height_px; /* 0: 900 x 500; otherwise 300..10000 each */
} ccov_chart_series;

/* Write the chart to fp as a self-contained SVG 1.1 document (presentation attributes, no CSS,
   fonts, images or scripts). Axes have round ticks (1, 2, 2.5 or 5 times a power of ten) from 0
   to at least the largest bar total (and line value); bar heights are proportional to the values
   (each <rect> of a bar carries data-year, data-stack and data-value). The same series gives the
   same bytes. Returns CCOV_OK; CCOV_ERR_USAGE when a count is 0, a pointer needed is NULL, a size
   is out of range or a value is negative or not finite; CCOV_ERR_IO when writing fails. The
   message is left in ctx. Nothing is allocated for the caller. */
ccov_status ccov_chart_write_svg(ccov_ctx *ctx, const ccov_chart_series *series, FILE *fp);

/* A round tick step (1, 2, 2.5 or 5 times a power of ten) giving about `target` intervals from 0
   to max (> 0); 1 when max <= 0 or is not finite. */
double ccov_chart_nice_step(double max, int target);

#ifdef __cplusplus
}
#endif

#endif
