/* coverage/official: official region areas (a statistics office's figure) from a CSV file or a
   field of the regions source; percent_cleared is then taken against them, the boundary's own
   measured area staying in region_ha. */
#include "coverage/official.h"
#include "clearcov/names.h"
#include "core/units.h"

#include <ctype.h>
#include <math.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>

/* A comma or space between digit groups: a digit before it, exactly three after it. */
static bool thousands_sep(const char *p, const char *start) {
    return (*p == ',' || *p == ' ') && p > start && isdigit((unsigned char)p[-1]) &&
           isdigit((unsigned char)p[1]) && isdigit((unsigned char)p[2]) &&
           isdigit((unsigned char)p[3]) && !isdigit((unsigned char)p[4]);
}

/* Digits with optional thousands separators (commas or spaces between groups of three), then a
   unit: "16358 km2", "16,358 km²", "1 635 800 ha", "6315.8 sq mi". */
bool ccov_official_parse_area(const char *text, double *ha) {
    char digits[64];
    size_t k = 0;
    const char *p = text, *start;
    while (isspace((unsigned char)*p))
        p++;
    start = p;
    for (; *p && k + 1 < sizeof digits; p++) {
        if (thousands_sep(p, start))
            continue;
        if (!isdigit((unsigned char)*p) && *p != '.')
            break;
        digits[k++] = *p;
    }
    digits[k] = '\0';
    char *end = NULL;
    double v = strtod(digits, &end);
    double factor = 0;
    if (k == 0 || *end || !(v > 0) || !isfinite(v) || !ccov_units_ha_factor(p, &factor))
        return false;
    *ha = v * factor;
    return true;
}

/* ---- the CSV file: region, area ---- */

/* Split one line at commas into at most two fields, a field in double quotes may hold commas
   ("" is a quote). Returns the number of fields, -1 for a bad quote. */
static int split2(char *line, char *field[2]) {
    int n = 0;
    char *w = line, *r = line;
    while (n < 3) {
        bool quoted = *r == '"';
        char *start = w;
        r += quoted;
        while (*r && (quoted || *r != ',')) {
            if (quoted && *r == '"' && r[1] == '"')
                r++;
            else if (quoted && *r == '"') {
                quoted = false;
                r++;
                continue;
            }
            *w++ = *r++;
        }
        if (quoted)
            return -1;
        bool more = *r == ',';
        *w++ = '\0';
        if (n < 2)
            field[n] = start;
        n++;
        if (!more)
            break;
        r++;
    }
    return n;
}

static void trim_eol(char *line) {
    size_t n = strlen(line);
    while (n > 0 && (line[n - 1] == '\n' || line[n - 1] == '\r'))
        line[--n] = '\0';
}

typedef struct {
    ccov_ctx *ctx;
    const char *path;
    bool only; /* --only: rows for regions not chosen are passed over */
    ccov_result *res;
    long *rows; /* per region: the line that gave its area, 0 none */
} csv_job;

/* The regions of the run the row names (by name or ISO code) get its area; a region named by an
   earlier row too is an error naming both lines. */
static ccov_status assign(csv_job *j, const char *region, double ha, long line, size_t *hits) {
    *hits = 0;
    for (size_t i = 0; i < j->res->nregions; i++) {
        ccov_region_result *r = &j->res->regions[i];
        if (!ccov_names_match(region, r->name, r->iso))
            continue;
        if (j->rows[i])
            return ccov_ctx_fail(j->ctx, CCOV_ERR_USAGE,
                                 "%s: line %ld: region '%s' already has an official area (line "
                                 "%ld)",
                                 j->path, line, r->name, j->rows[i]);
        r->official_ha = ha;
        j->rows[i] = line;
        (*hits)++;
    }
    return CCOV_OK;
}

static ccov_status csv_row(csv_job *j, char *line, long n) {
    char *f[2] = {NULL, NULL};
    trim_eol(line);
    int nf = split2(line, f);
    if (nf == 1 && !*f[0])
        return CCOV_OK; /* a blank line */
    if (nf != 2)
        return ccov_ctx_fail(j->ctx, CCOV_ERR_USAGE,
                             "%s: line %ld: expected 2 fields (region, area), found %d", j->path, n,
                             nf);
    double ha = 0;
    if (n == 1 && !ccov_official_parse_area(f[1], &ha))
        return CCOV_OK; /* the header */
    if (!ccov_official_parse_area(f[1], &ha))
        return ccov_ctx_fail(j->ctx, CCOV_ERR_USAGE,
                             "%s: line %ld: area '%s' is not a positive number with a unit "
                             "(ha, km2, km², m2, sq mi, mi2, acres)",
                             j->path, n, f[1]);
    size_t hits = 0;
    ccov_status st = assign(j, f[0], ha, n, &hits);
    if (st != CCOV_OK)
        return st;
    if (hits == 0 && !j->only)
        return ccov_ctx_fail(j->ctx, CCOV_ERR_USAGE,
                             "%s: line %ld: region '%s' matches no region of the run", j->path, n,
                             f[0]);
    if (hits == 0)
        ccov_ctx_msg(j->ctx, CCOV_MSG_INFO, "%s: line %ld: region '%s' not chosen by --only",
                     j->path, n, f[0]);
    return CCOV_OK;
}

static ccov_status read_csv(csv_job *j) {
    FILE *fp = fopen(j->path, "r");
    if (!fp)
        return ccov_ctx_fail(j->ctx, CCOV_ERR_IO, "%s: cannot open the official areas file",
                             j->path);
    char line[4096];
    long n = 0;
    ccov_status st = CCOV_OK;
    while (st == CCOV_OK && fgets(line, sizeof line, fp)) {
        n++;
        if (!strchr(line, '\n') && !feof(fp))
            st = ccov_ctx_fail(j->ctx, CCOV_ERR_USAGE, "%s: line %ld: longer than %zu bytes",
                               j->path, n, sizeof line - 1);
        else
            st = csv_row(j, line, n);
    }
    if (st == CCOV_OK && ferror(fp))
        st = ccov_ctx_fail(j->ctx, CCOV_ERR_IO, "%s: read error", j->path);
    fclose(fp);
    return st;
}

/* With land-release categories, percent_cleared is the cleared part's and percent_released the
   whole net's. */
static void set_percent(const ccov_result *res, ccov_region_result *r) {
    double base = isfinite(r->official_ha) ? r->official_ha : r->region_ha;
    double cleared = res->categorised ? r->categories[CCOV_CATEGORY_CLEARED].net_ha : r->net_ha;
    r->percent_cleared = base > 0 ? 100.0 * cleared / base : 0;
    r->percent_released = base > 0 ? 100.0 * r->net_ha / base : 0;
}

ccov_status ccov_official_apply(ccov_ctx *ctx, const ccov_options *opts, const ccov_regions *rg,
                                ccov_result *res) {
    for (size_t i = 0; i < res->nregions; i++)
        res->regions[i].official_ha = i < rg->n ? rg->items[i].official_ha : NAN;
    if (!opts->official_areas) {
        for (size_t i = 0; i < res->nregions; i++)
            set_percent(res, &res->regions[i]);
        return CCOV_OK;
    }
    csv_job j = {ctx, opts->official_areas, opts->only != NULL, res,
                 calloc(res->nregions ? res->nregions : 1, sizeof *j.rows)};
    if (!j.rows)
        return ccov_ctx_fail(ctx, CCOV_ERR_IO, "out of memory");
    ccov_status st = read_csv(&j);
    for (size_t i = 0; st == CCOV_OK && i < res->nregions; i++) {
        if (!j.rows[i])
            ccov_ctx_msg(ctx, CCOV_MSG_INFO,
                         "%s: no official area for region '%s': its percentage is of its "
                         "boundary's area",
                         j.path, res->regions[i].name);
        set_percent(res, &res->regions[i]);
    }
    free(j.rows);
    return st;
}
