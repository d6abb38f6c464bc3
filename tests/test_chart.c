/* Unit tests of output/chart: the SVG is read back (its <rect> bars, <circle> line points, tick
   labels, legend) and held against the series given, by hand algebra: every bar's height divided
   by its value is the same scale, the stacks of a bar touch, the axis ends at a round tick at or
   above the tallest bar. xmllint checks the document is well-formed XML. */
#define _POSIX_C_SOURCE 200809L
#include "clearcov/chart.h"
#include "clearcov/ctx.h"

#include <math.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>

#include "check.h"

enum { NY = 4, NS = 3 };
static const int YEARS[NY] = {2020, 2021, 2022, 2023};
static const char *const NAMES[NS] = {"cleared", "reduced", "Survey & <cancelled>"};
/* values[stack * NY + year]; 2022 has no reduced land (a zero draws no rect). */
static const double VALUES[NS * NY] = {120.5, 300, 80, 410.25, 40, 60, 0, 90, 10, 25, 5, 30};
static const double CUMULATIVE[NY] = {150, 480, 520, 900};

static char *render(ccov_ctx *ctx, const ccov_chart_series *s, ccov_status *st) {
    char *buf = NULL;
    size_t len = 0;
    FILE *fp = open_memstream(&buf, &len);
    if (!fp)
        return NULL;
    *st = ccov_chart_write_svg(ctx, s, fp);
    fclose(fp);
    return buf;
}

/* The number in attribute `name` of the element starting at `el`, NAN when absent. */
static double attr(const char *el, const char *name) {
    char key[64];
    snprintf(key, sizeof key, " %s=\"", name);
    const char *end = strchr(el, '>');
    const char *at = strstr(el, key);
    if (!at || (end && at > end))
        return NAN;
    return strtod(at + strlen(key), NULL);
}

static ccov_chart_series sample(void) {
    return (ccov_chart_series){.title = "Land released per year",
                               .y_label = "hectares per year",
                               .sources = "Sources: synthetic records; Natural Earth",
                               .nyears = NY,
                               .years = YEARS,
                               .nstacks = NS,
                               .stack_names = NAMES,
                               .values = VALUES,
                               .cumulative = CUMULATIVE,
                               .cumulative_label = "cumulative hectares"};
}

static void check_nice_steps(void) {
    CHECK(ccov_chart_nice_step(12400, 5) == 2500);
    CHECK(ccov_chart_nice_step(100, 5) == 20);
    CHECK(ccov_chart_nice_step(101, 5) == 25);
    CHECK(fabs(ccov_chart_nice_step(1, 5) - 0.2) < 1e-15);
    CHECK(ccov_chart_nice_step(7, 5) == 2);
    CHECK(ccov_chart_nice_step(4.9, 5) == 1);
    CHECK(ccov_chart_nice_step(0, 5) == 1);
    CHECK(ccov_chart_nice_step(NAN, 5) == 1);
}

/* Every bar rect: height / value is one scale (to the 0.001 px printed), stacks touch, and the
   rect sits in its year's band, the years in order. Returns the scale (px per hectare). */
static double check_bars(const char *svg) {
    double scale = NAN, prev_top[NY] = {0}, prev_x[NY];
    int seen = 0;
    for (const char *r = strstr(svg, "<rect "); r; r = strstr(r + 1, "<rect ")) {
        double year = attr(r, "data-year"), k = attr(r, "data-stack");
        if (isnan(year))
            continue;
        int y = (int)year - 2020;
        double v = VALUES[(int)k * NY + y], h = attr(r, "height"), top = attr(r, "y");
        scale = isnan(scale) ? h / v : scale;
        CHECK(fabs(h - v * scale) <= 0.002);
        if (prev_top[y] != 0) /* this stack starts where the one below ended */
            CHECK(fabs(top + h - prev_top[y]) <= 0.002 && fabs(attr(r, "x") - prev_x[y]) < 1e-9);
        prev_top[y] = top;
        prev_x[y] = attr(r, "x");
        seen++;
    }
    CHECK(seen == NS * NY - 1);
    for (int y = 1; y < NY; y++)
        CHECK(prev_x[y] > prev_x[y - 1]);
    return scale;
}

/* Ticks of an axis: 0, step, 2 step... up to the last, a round step, the last at or above max. */
static void check_ticks(const char *svg, const char *axis_id, double max, double scale) {
    const char *g = strstr(svg, axis_id);
    CHECK(g != NULL);
    if (!g)
        return;
    const char *end = strstr(g, "</g>");
    double last = -1, step = 0, first_y = NAN, last_y = NAN;
    int n = 0;
    for (const char *t = strstr(g, "data-tick"); t && t < end; t = strstr(t + 1, "data-tick")) {
        const char *el = t;
        while (el > g && *el != '<')
            el--;
        double v = attr(el, "data-tick");
        step = n == 1 ? v - last : step;
        CHECK(n < 2 || fabs(v - last - step) < 1e-9 * v);
        first_y = n == 0 ? attr(el, "y") : first_y;
        last_y = attr(el, "y");
        last = v;
        n++;
    }
    CHECK(n >= 4 && n <= 12);
    double p = pow(10, floor(log10(step))), m = step / p;
    CHECK(fabs(m - 1) < 1e-9 || fabs(m - 2) < 1e-9 || fabs(m - 2.5) < 1e-9 || fabs(m - 5) < 1e-9);
    CHECK(last >= max && last - step < max);
    /* The tick labels sit where the bars' scale puts their values. */
    if (!isnan(scale))
        CHECK(fabs((first_y - last_y) - last * scale) < 0.02);
}

/* The line's points: the same scale between every pair (to the 0.001 px printed). */
static void check_line(const char *svg) {
    double cy[NY];
    int n = 0;
    const char *g = strstr(svg, "id=\"cumulative\"");
    CHECK(g != NULL);
    for (const char *c = g ? strstr(g, "<circle ") : NULL; c && n < NY;
         c = strstr(c + 1, "<circle "))
        cy[n++] = attr(c, "cy");
    CHECK(n == NY);
    if (n != NY)
        return;
    double scale = (cy[0] - cy[1]) / (CUMULATIVE[1] - CUMULATIVE[0]);
    CHECK(scale > 0);
    for (int i = 2; i < NY; i++)
        CHECK(fabs((cy[0] - cy[i]) - (CUMULATIVE[i] - CUMULATIVE[0]) * scale) < 0.005);
}

static void check_legend_and_text(const char *svg) {
    const char *g = strstr(svg, "id=\"legend\"");
    CHECK(g != NULL);
    CHECK(g && strstr(g, ">cleared</text>") && strstr(g, ">reduced</text>"));
    CHECK(g && strstr(g, ">Survey &amp; &lt;cancelled&gt;</text>"));
    CHECK(g && strstr(g, ">cumulative hectares</text>"));
    CHECK(strstr(svg, ">Land released per year</text>") != NULL);
    CHECK(strstr(svg, ">Sources: synthetic records; Natural Earth</text>") != NULL);
    CHECK(strstr(svg, ">hectares per year</text>") != NULL);
    CHECK(strstr(svg, ">2021</text>") != NULL && strstr(svg, ">2023</text>") != NULL);
    CHECK(strstr(svg, "<style") == NULL && strstr(svg, "class=") == NULL);
}

/* Well-formed XML, by xmllint when it is installed (scripts/test installs libxml2-utils). */
static void check_xml(const char *svg) {
    if (system("command -v xmllint >/dev/null 2>&1") != 0) {
        printf("test_chart: xmllint not found, well-formedness not checked\n");
        return;
    }
    char path[] = "/tmp/clearcov-test-chart.XXXXXX";
    int fd = mkstemp(path);
    FILE *fp = fd >= 0 ? fdopen(fd, "w") : NULL;
    CHECK(fp != NULL);
    if (!fp)
        return;
    fputs(svg, fp);
    fclose(fp);
    char cmd[128];
    snprintf(cmd, sizeof cmd, "xmllint --noout %s", path);
    CHECK(system(cmd) == 0);
    remove(path);
}

static void check_chart(ccov_ctx *ctx) {
    ccov_chart_series s = sample();
    ccov_status st = CCOV_ERR_IO;
    char *svg = render(ctx, &s, &st);
    CHECK(svg && st == CCOV_OK);
    if (!svg)
        return;
    double max_total = 410.25 + 90 + 30; /* the tallest bar: 2023's */
    double scale = check_bars(svg);
    check_ticks(svg, "id=\"left-axis\"", max_total, scale);
    check_ticks(svg, "id=\"right-axis\"", 900, NAN);
    check_line(svg);
    check_legend_and_text(svg);
    check_xml(svg);
    char *again = render(ctx, &s, &st);
    CHECK(again && strcmp(svg, again) == 0);
    free(again);
    free(svg);
}

/* On the bars' own axis the line is drawn to the same scale as the bars, and there is no right
   axis. */
static void check_same_axis(ccov_ctx *ctx) {
    ccov_chart_series s = sample();
    s.same_axis = true;
    ccov_status st = CCOV_ERR_IO;
    char *svg = render(ctx, &s, &st);
    CHECK(svg && st == CCOV_OK);
    if (!svg)
        return;
    double scale = check_bars(svg);
    check_ticks(svg, "id=\"left-axis\"", 900, scale);
    CHECK(strstr(svg, "id=\"right-axis\"") == NULL);
    const char *g = strstr(svg, "id=\"cumulative\"");
    const char *c0 = g ? strstr(g, "<circle ") : NULL, *c1 = c0 ? strstr(c0 + 1, "<circle ") : NULL;
    CHECK(c1 && fabs((attr(c0, "cy") - attr(c1, "cy")) - (480 - 150) * scale) < 0.005);
    free(svg);
}

static void check_refused(ccov_ctx *ctx) {
    ccov_chart_series s = sample();
    double bad[NS * NY];
    memcpy(bad, VALUES, sizeof bad);
    bad[1 * NY + 2] = -1;
    s.values = bad;
    ccov_status st = CCOV_OK;
    free(render(ctx, &s, &st));
    CHECK(st == CCOV_ERR_USAGE);
    CHECK(strstr(ccov_ctx_error(ctx), "'reduced'") && strstr(ccov_ctx_error(ctx), "2022"));
    bad[1 * NY + 2] = NAN;
    free(render(ctx, &s, &st));
    CHECK(st == CCOV_ERR_USAGE);
    s = sample();
    s.nyears = 0;
    free(render(ctx, &s, &st));
    CHECK(st == CCOV_ERR_USAGE);
    s = sample();
    s.width_px = 100;
    free(render(ctx, &s, &st));
    CHECK(st == CCOV_ERR_USAGE);
}

int main(void) {
    ccov_ctx *ctx = ccov_ctx_create();
    if (!ctx)
        return 1;
    check_nice_steps();
    check_chart(ctx);
    check_same_axis(ctx);
    check_refused(ctx);
    ccov_ctx_free(ctx);
    return check_summary("test_chart");
}
