/* output/chart: a yearly series as a stacked bar chart with a cumulative line, in SVG. A pure
   writer: the series in, the document out, no files opened and no figures computed here. */
#include "clearcov/chart.h"
#include "output/render.h"

#include <math.h>
#include <stdio.h>
#include <string.h>

#define FONT "font-family=\"DejaVu Sans, Arial, sans-serif\""
#define TICKS 5

/* Okabe-Ito colours, told apart with the usual kinds of colour blindness. */
static const char *const PALETTE[] = {"#0072B2", "#E69F00", "#009E73", "#CC79A7",
                                      "#56B4E9", "#D55E00", "#F0E442", "#999999"};
#define NPALETTE (sizeof PALETTE / sizeof *PALETTE)
#define LINE_COLOUR "#222222"

typedef struct {
    double max, step; /* axis from 0 to max, ticks every step */
} axis;

typedef struct {
    const ccov_chart_series *s;
    FILE *fp;
    double w, h;                  /* page */
    double x0, y0, pw, ph;        /* plot area: left, top, width, height */
    double legend_y, legend_rows; /* first legend row's baseline, number of rows */
    axis left, right;             /* bars; line (its own axis unless same_axis) */
} chart;

double ccov_chart_nice_step(double max, int target) {
    if (!(max > 0) || !isfinite(max) || target < 1)
        return 1;
    double raw = max / target, p = pow(10, floor(log10(raw)));
    static const double STEPS[] = {1, 2, 2.5, 5, 10};
    for (size_t i = 0; i < sizeof STEPS / sizeof *STEPS; i++)
        if (STEPS[i] * p >= raw * (1 - 1e-12))
            return STEPS[i] * p;
    return 10 * p;
}

static axis axis_for(double max) {
    axis a;
    a.step = ccov_chart_nice_step(max, TICKS);
    a.max = max > 0 ? ceil(max / a.step * (1 - 1e-12)) * a.step : a.step * TICKS;
    return a;
}

/* Decimals a tick label needs: none for 250, one for 2.5, two for 0.25. */
static int decimals_of(double step) {
    for (int d = 0; d < 9; d++) {
        double scaled = step * pow(10, d);
        if (fabs(scaled - round(scaled)) < 1e-6 * scaled)
            return d;
    }
    return 9;
}

/* A tick label with thousands separators: 12,500 or 2.5. */
static void format_tick(double v, int decimals, char *buf, size_t n) {
    char digits[64];
    snprintf(digits, sizeof digits, "%.*f", decimals, v);
    const char *dot = strchr(digits, '.');
    size_t whole = dot ? (size_t)(dot - digits) : strlen(digits), k = 0;
    for (size_t i = 0; i < whole && k + 2 < n; i++) {
        if (i > 0 && (whole - i) % 3 == 0)
            buf[k++] = ',';
        buf[k++] = digits[i];
    }
    buf[k] = '\0';
    if (dot)
        snprintf(buf + k, n - k, "%s", dot);
}

/* ---- checks and layout ---- */

static ccov_status check_values(ccov_ctx *ctx, const ccov_chart_series *s) {
    for (size_t i = 0; i < s->nstacks * s->nyears; i++)
        if (!isfinite(s->values[i]) || s->values[i] < 0)
            return ccov_ctx_fail(ctx, CCOV_ERR_USAGE,
                                 "chart: value of '%s' for %d is negative or not a number",
                                 s->stack_names[i / s->nyears], s->years[i % s->nyears]);
    for (size_t y = 0; s->cumulative && y < s->nyears; y++)
        if (!isfinite(s->cumulative[y]) || s->cumulative[y] < 0)
            return ccov_ctx_fail(ctx, CCOV_ERR_USAGE,
                                 "chart: cumulative value for %d is negative or not a number",
                                 s->years[y]);
    return CCOV_OK;
}

static ccov_status check_series(ccov_ctx *ctx, const ccov_chart_series *s) {
    if (!s || s->nyears < 1 || s->nstacks < 1 || !s->years || !s->values || !s->stack_names)
        return ccov_ctx_fail(ctx, CCOV_ERR_USAGE, "chart: nothing to draw (no years or stacks)");
    bool bad_w = s->width_px && (s->width_px < 300 || s->width_px > 10000);
    if (bad_w || (s->height_px && (s->height_px < 300 || s->height_px > 10000)))
        return ccov_ctx_fail(ctx, CCOV_ERR_USAGE, "chart: width and height must be 300 to 10000");
    return check_values(ctx, s);
}

static double bar_total(const ccov_chart_series *s, size_t y) {
    double sum = 0;
    for (size_t k = 0; k < s->nstacks; k++)
        sum += s->values[k * s->nyears + y];
    return sum;
}

static const char *line_label(const ccov_chart_series *s) {
    return s->cumulative_label ? s->cumulative_label : "cumulative";
}

/* Legend entries: a 14 px swatch and the name, about 7 px a character at 12 px, wrapped. */
static double legend_entry_width(const char *name) { return 24 + 7.0 * (double)strlen(name); }

static double legend_rows(const chart *c) {
    double x = 0, rows = 1, room = c->w - 2 * 20;
    size_t n = c->s->nstacks + (c->s->cumulative ? 1 : 0);
    for (size_t k = 0; k < n; k++) {
        double ew = legend_entry_width(k < c->s->nstacks ? c->s->stack_names[k] : line_label(c->s));
        if (x > 0 && x + ew > room) {
            rows++;
            x = 0;
        }
        x += ew + 16;
    }
    return rows;
}

static void layout(chart *c) {
    const ccov_chart_series *s = c->s;
    double max_bar = 0, max_line = 0;
    for (size_t y = 0; y < s->nyears; y++) {
        max_bar = fmax(max_bar, bar_total(s, y));
        max_line = s->cumulative ? fmax(max_line, s->cumulative[y]) : 0;
    }
    c->w = s->width_px ? s->width_px : 900;
    c->h = s->height_px ? s->height_px : 500;
    c->left = axis_for(s->same_axis ? fmax(max_bar, max_line) : max_bar);
    c->right = s->same_axis ? c->left : axis_for(max_line);
    c->legend_rows = legend_rows(c);
    bool right_axis = s->cumulative && !s->same_axis;
    c->x0 = 90;
    c->y0 = s->title ? 50 : 20;
    c->pw = c->w - c->x0 - (right_axis ? 90 : 30);
    double foot = 50 + 20 * c->legend_rows + (s->sources ? 24 : 0);
    c->ph = c->h - c->y0 - foot;
    c->legend_y = c->y0 + c->ph + 56;
}

/* ---- drawing ---- */

static double y_of(const chart *c, const axis *a, double v) {
    return c->y0 + c->ph - v / a->max * c->ph;
}

static void put_axis_title(const chart *c, double x, const char *text) {
    fprintf(c->fp,
            "<text x=\"%.2f\" y=\"%.2f\" transform=\"rotate(-90 %.2f %.2f)\" " FONT
            " font-size=\"13\" text-anchor=\"middle\" fill=\"#333333\">",
            x, c->y0 + c->ph / 2, x, c->y0 + c->ph / 2);
    ccov_render_xml_text(c->fp, text);
    fputs("</text>\n", c->fp);
}

/* Ticks, labels and grid lines of one vertical axis; `right` puts it on the right edge. */
static void put_y_axis(const chart *c, const axis *a, bool right, const char *title) {
    int decimals = decimals_of(a->step);
    double x = right ? c->x0 + c->pw : c->x0;
    fprintf(c->fp, "<g id=\"%s-axis\">\n", right ? "right" : "left");
    for (int i = 0; i * a->step <= a->max * (1 + 1e-9); i++) {
        char label[64];
        double v = i * a->step, y = y_of(c, a, v);
        format_tick(v, decimals, label, sizeof label);
        if (!right)
            fprintf(c->fp,
                    "<line x1=\"%.2f\" y1=\"%.2f\" x2=\"%.2f\" y2=\"%.2f\" stroke=\"#dddddd\" "
                    "stroke-width=\"1\"/>\n",
                    c->x0, y, c->x0 + c->pw, y);
        fprintf(c->fp,
                "<text x=\"%.2f\" y=\"%.2f\" " FONT " font-size=\"12\" text-anchor=\"%s\" "
                "fill=\"#333333\" data-tick=\"%.17g\">%s</text>\n",
                right ? x + 6 : x - 6, y + 4, right ? "start" : "end", v, label);
    }
    fprintf(c->fp,
            "<line x1=\"%.2f\" y1=\"%.2f\" x2=\"%.2f\" y2=\"%.2f\" stroke=\"#333333\" "
            "stroke-width=\"1\"/>\n",
            x, c->y0, x, c->y0 + c->ph);
    put_axis_title(c, right ? x + 78 : x - 72, title);
    fputs("</g>\n", c->fp);
}

static double band_of(const chart *c) { return c->pw / (double)c->s->nyears; }

static void put_x_axis(const chart *c) {
    const ccov_chart_series *s = c->s;
    double band = band_of(c), base = c->y0 + c->ph;
    size_t every = (size_t)ceil(40.0 / band); /* a label needs about 40 px */
    fputs("<g id=\"x-axis\">\n", c->fp);
    fprintf(c->fp,
            "<line x1=\"%.2f\" y1=\"%.2f\" x2=\"%.2f\" y2=\"%.2f\" stroke=\"#333333\" "
            "stroke-width=\"1\"/>\n",
            c->x0, base, c->x0 + c->pw, base);
    for (size_t y = 0; y < s->nyears; y += every ? every : 1)
        fprintf(c->fp,
                "<text x=\"%.2f\" y=\"%.2f\" " FONT " font-size=\"12\" text-anchor=\"middle\" "
                "fill=\"#333333\">%d</text>\n",
                c->x0 + band * ((double)y + 0.5), base + 18, s->years[y]);
    fputs("</g>\n", c->fp);
}

static void put_bars(const chart *c) {
    const ccov_chart_series *s = c->s;
    double band = band_of(c), bw = band * 0.7;
    fputs("<g id=\"bars\">\n", c->fp);
    for (size_t y = 0; y < s->nyears; y++) {
        double below = 0;
        for (size_t k = 0; k < s->nstacks; k++) {
            double v = s->values[k * s->nyears + y];
            if (v <= 0)
                continue;
            double top = y_of(c, &c->left, below + v), bottom = y_of(c, &c->left, below);
            fprintf(c->fp,
                    "<rect x=\"%.3f\" y=\"%.3f\" width=\"%.3f\" height=\"%.3f\" fill=\"%s\" "
                    "data-year=\"%d\" data-stack=\"%zu\" data-value=\"%.17g\"/>\n",
                    c->x0 + band * (double)y + (band - bw) / 2, top, bw, bottom - top,
                    PALETTE[k % NPALETTE], s->years[y], k, v);
            below += v;
        }
    }
    fputs("</g>\n", c->fp);
}

static void put_line(const chart *c) {
    const ccov_chart_series *s = c->s;
    double band = band_of(c);
    fprintf(c->fp,
            "<g id=\"cumulative\">\n<polyline fill=\"none\" stroke=\"%s\" "
            "stroke-width=\"2\" points=\"",
            LINE_COLOUR);
    for (size_t y = 0; y < s->nyears; y++)
        fprintf(c->fp, "%s%.3f,%.3f", y ? " " : "", c->x0 + band * ((double)y + 0.5),
                y_of(c, &c->right, s->cumulative[y]));
    fputs("\"/>\n", c->fp);
    for (size_t y = 0; y < s->nyears; y++)
        fprintf(c->fp,
                "<circle cx=\"%.3f\" cy=\"%.3f\" r=\"3\" fill=\"%s\" data-year=\"%d\" "
                "data-value=\"%.17g\"/>\n",
                c->x0 + band * ((double)y + 0.5), y_of(c, &c->right, s->cumulative[y]), LINE_COLOUR,
                s->years[y], s->cumulative[y]);
    fputs("</g>\n", c->fp);
}

static void put_legend_entry(const chart *c, size_t k, double x, double y) {
    bool line = k >= c->s->nstacks;
    if (line)
        fprintf(c->fp,
                "<line x1=\"%.2f\" y1=\"%.2f\" x2=\"%.2f\" y2=\"%.2f\" stroke=\"%s\" "
                "stroke-width=\"2\"/>\n",
                x, y - 4, x + 14, y - 4, LINE_COLOUR);
    else
        fprintf(c->fp, "<rect x=\"%.2f\" y=\"%.2f\" width=\"14\" height=\"14\" fill=\"%s\"/>\n", x,
                y - 11, PALETTE[k % NPALETTE]);
    fprintf(c->fp, "<text x=\"%.2f\" y=\"%.2f\" " FONT " font-size=\"12\" fill=\"#333333\">",
            x + 20, y);
    ccov_render_xml_text(c->fp, line ? line_label(c->s) : c->s->stack_names[k]);
    fputs("</text>\n", c->fp);
}

static void put_legend(const chart *c) {
    double x = 20, y = c->legend_y, room = c->w - 2 * 20;
    size_t n = c->s->nstacks + (c->s->cumulative ? 1 : 0);
    fputs("<g id=\"legend\">\n", c->fp);
    for (size_t k = 0; k < n; k++) {
        double ew = legend_entry_width(k < c->s->nstacks ? c->s->stack_names[k] : line_label(c->s));
        if (x > 20 && x - 20 + ew > room) {
            x = 20;
            y += 20;
        }
        put_legend_entry(c, k, x, y);
        x += ew + 16;
    }
    fputs("</g>\n", c->fp);
}

static void put_text_line(const chart *c, double y, int size, const char *weight, const char *id,
                          const char *text) {
    fprintf(c->fp,
            "<text id=\"%s\" x=\"20\" y=\"%.2f\" " FONT " font-size=\"%d\" font-weight=\"%s\" "
            "fill=\"#222222\">",
            id, y, size, weight);
    ccov_render_xml_text(c->fp, text);
    fputs("</text>\n", c->fp);
}

static void put_document(const chart *c) {
    const ccov_chart_series *s = c->s;
    fprintf(c->fp,
            "<?xml version=\"1.0\" encoding=\"UTF-8\"?>\n<svg xmlns=\"http://www.w3.org/2000/svg\" "
            "version=\"1.1\" width=\"%.0f\" height=\"%.0f\" viewBox=\"0 0 %.0f %.0f\">\n<title>",
            c->w, c->h, c->w, c->h);
    ccov_render_xml_text(c->fp, s->title ? s->title : "clearcov chart");
    fprintf(c->fp, "</title>\n<rect width=\"%.0f\" height=\"%.0f\" fill=\"#ffffff\"/>\n", c->w,
            c->h);
    if (s->title)
        put_text_line(c, 30, 18, "bold", "title", s->title);
    put_y_axis(c, &c->left, false, s->y_label ? s->y_label : "");
    put_bars(c);
    put_x_axis(c);
    if (s->cumulative && !s->same_axis)
        put_y_axis(c, &c->right, true, line_label(s));
    if (s->cumulative)
        put_line(c);
    put_legend(c);
    if (s->sources)
        put_text_line(c, c->h - 12, 11, "normal", "sources", s->sources);
    fputs("</svg>\n", c->fp);
}

ccov_status ccov_chart_write_svg(ccov_ctx *ctx, const ccov_chart_series *series, FILE *fp) {
    ccov_status st = check_series(ctx, series);
    if (st != CCOV_OK)
        return st;
    chart c = {.s = series, .fp = fp};
    layout(&c);
    if (c.ph < 60 || c.pw < 60)
        return ccov_ctx_fail(ctx, CCOV_ERR_USAGE,
                             "chart: %.0f x %.0f px leaves no room for the plot (%zu legend rows)",
                             c.w, c.h, (size_t)c.legend_rows);
    put_document(&c);
    if (ferror(fp))
        return ccov_ctx_fail(ctx, CCOV_ERR_IO, "chart: cannot write the SVG");
    return CCOV_OK;
}
