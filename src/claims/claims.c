/* claims: reading claims files (CSV, JSON) and judging a claim on its figures. */
#include "clearcov/claims.h"
#include "claims/problem.h"
#include "core/internal.h"
#include "core/units.h"
#include "io/io.h"

#include <json-c/json.h>

#include <ctype.h>
#include <errno.h>
#include <math.h>
#include <stdarg.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <strings.h>
#include <sys/stat.h>
#include <unistr.h>

/* ---- columns ---- */

enum {
    COL_ID,
    COL_STATEMENT,
    COL_SOURCE,
    COL_REGIONS,
    COL_WHERE,
    COL_VALUE,
    COL_UNIT,
    COL_RELATION,
    COL_TOLERANCE,
    COL_PERCENT,
    COL_CATEGORY,
    COL_YEARS,
    COL_GROUP,
    NCOLS
};
static const char *const COLUMNS[NCOLS] = {
    "id",    "statement", "source",   "regions",       "where",
    "value", "unit",      "relation", "tolerance_pct", "percent_of_region",
    "category", "years", "group"};
enum { NREQUIRED = COL_TOLERANCE }; /* the columns before the optional ones */

/* Where each column is in a row (-1: absent), and how many fields a row must have. */
typedef struct {
    int col[NCOLS];
    size_t nfields;
} column_map;

/* ---- the set being built ---- */

static char *dup_trim(const char *s) {
    if (!s)
        return strdup("");
    while (isspace((unsigned char)*s))
        s++;
    size_t n = strlen(s);
    while (n > 0 && isspace((unsigned char)s[n - 1]))
        n--;
    return strndup(s, n);
}

bool ccov_claims_add_problem(ccov_claim_problem **problems, size_t *n, long line,
                             const char *reason) {
    ccov_claim_problem *grown = ccov_grow(*problems, *n, sizeof *grown);
    if (!grown)
        return false;
    *problems = grown;
    grown[*n] = (ccov_claim_problem){line, strdup(reason)};
    return grown[(*n)++].reason != NULL;
}

/* A problem of the file being read, its reason formatted (at most 511 bytes). */
__attribute__((format(printf, 3, 4))) static bool add_problem(ccov_claim_set *set, long line,
                                                              const char *fmt, ...) {
    char text[512];
    va_list ap;
    va_start(ap, fmt);
    vsnprintf(text, sizeof text, fmt, ap);
    va_end(ap);
    /* A reason may quote the file's text: messages stay on one line. */
    for (char *c = text; *c; c++)
        if (*c == '\n' || *c == '\r')
            *c = ' ';
    return ccov_claims_add_problem(&set->problems, &set->nproblems, line, text);
}

void ccov_claims_claim_clear(ccov_claim *c) {
    free(c->id);
    free(c->statement);
    free(c->source);
    free(c->regions);
    free(c->where);
    free(c->unit);
    free(c->category);
    free(c->years);
    free(c->group);
    memset(c, 0, sizeof *c);
}

void ccov_claim_set_free(ccov_claim_set *set) {
    if (!set)
        return;
    for (size_t i = 0; i < set->nclaims; i++)
        ccov_claims_claim_clear(&set->claims[i]);
    free(set->claims);
    for (size_t i = 0; i < set->nproblems; i++)
        free(set->problems[i].reason);
    free(set->problems);
    free(set->path);
    free(set);
}

/* ---- values ---- */

bool ccov_claims_unit_factor(const char *unit, double *ha_per_unit) {
    return ccov_units_ha_factor(unit, ha_per_unit);
}

/* A plain decimal number (sign, digits, point, exponent), surrounding spaces allowed. */
static bool parse_number(const char *text, double *v) {
    while (isspace((unsigned char)*text))
        text++;
    if (!*text || strspn(text, "+-0123456789.eE \t") != strlen(text))
        return false;
    char *end = NULL;
    errno = 0;
    *v = strtod(text, &end);
    while (end && isspace((unsigned char)*end))
        end++;
    return errno == 0 && end != text && *end == '\0' && isfinite(*v);
}

static bool parse_relation(const char *text, ccov_relation *rel) {
    static const char *const NAMES[] = {"at_least", "at_most", "about"};
    for (int i = 0; i < 3; i++)
        if (strcasecmp(text, NAMES[i]) == 0) {
            *rel = (ccov_relation)i;
            return true;
        }
    return false;
}

/* ---- one row into a claim ---- */

static const char *cell(char *const *f, const column_map *m, int col) {
    return m->col[col] >= 0 && f[m->col[col]] ? f[m->col[col]] : "";
}

/* The numeric columns; false with the reason in why. */
static bool claim_numbers(ccov_claim *c, char *const *f, const column_map *m, char *why, size_t n) {
    const char *value = cell(f, m, COL_VALUE), *tol = cell(f, m, COL_TOLERANCE);
    const char *pct = cell(f, m, COL_PERCENT);
    double factor = 0;
    if (!parse_number(value, &c->value))
        snprintf(why, n, "value '%s' is not a number", value);
    else if (c->value <= 0)
        snprintf(why, n, "value %s is not positive", value);
    else if (!ccov_claims_unit_factor(c->unit, &factor))
        snprintf(why, n, "unit '%s' is not one of ha, m2, km2, acres", c->unit);
    else if (*tol && (!parse_number(tol, &c->tolerance_pct) || c->tolerance_pct < 0 ||
                      c->tolerance_pct >= 100))
        snprintf(why, n, "tolerance_pct '%s' is not a number from 0 to under 100", tol);
    else if (*pct && (!parse_number(pct, &c->percent_of_region) || c->percent_of_region <= 0 ||
                      c->percent_of_region > 100))
        snprintf(why, n, "percent_of_region '%s' is not a number above 0 and up to 100", pct);
    else
        why[0] = '\0';
    c->value_ha = c->value * factor;
    return why[0] == '\0';
}

/* Fill c from the row; false with the reason in why (c is then cleared). */
static bool row_claim(char *const *f, const column_map *m, long line, ccov_claim *c, char *why,
                      size_t n) {
    *c = (ccov_claim){
        .line = line, .tolerance_pct = CCOV_CLAIM_TOLERANCE_PCT, .percent_of_region = NAN};
    c->id = dup_trim(cell(f, m, COL_ID));
    c->statement = dup_trim(cell(f, m, COL_STATEMENT));
    c->source = dup_trim(cell(f, m, COL_SOURCE));
    c->regions = dup_trim(cell(f, m, COL_REGIONS));
    c->where = dup_trim(cell(f, m, COL_WHERE));
    c->unit = dup_trim(cell(f, m, COL_UNIT));
    c->category = dup_trim(cell(f, m, COL_CATEGORY));
    c->years = dup_trim(cell(f, m, COL_YEARS));
    c->group = dup_trim(cell(f, m, COL_GROUP));
    char *rel = dup_trim(cell(f, m, COL_RELATION));
    bool ok = false;
    if (!c->id || !c->statement || !c->source || !c->regions || !c->where || !c->unit || !rel ||
        !c->category || !c->years || !c->group)
        snprintf(why, n, "out of memory");
    else if (c->category[0] && strcasecmp(c->category, "cleared") != 0 &&
             strcasecmp(c->category, "released") != 0)
        snprintf(why, n, "category '%s' is not cleared or released", c->category);
    else if (!c->id[0])
        snprintf(why, n, "empty id");
    else if (!parse_relation(rel, &c->relation))
        snprintf(why, n, "relation '%s' is not one of at_least, at_most, about", rel);
    else
        ok = claim_numbers(c, f, m, why, n);
    free(rel);
    if (!ok)
        ccov_claims_claim_clear(c);
    return ok;
}

/* Check a row and keep its claim, or record why not. False only when memory runs out. */
static bool take_row(ccov_claim_set *set, char *const *f, size_t nf, const column_map *m,
                     long line) {
    char why[400];
    ccov_claim c;
    if (nf != m->nfields)
        return add_problem(set, line, "%zu field(s), the header has %zu", nf, m->nfields);
    for (size_t i = 0; i < nf; i++)
        if (f[i] && u8_check((const uint8_t *)f[i], strlen(f[i])))
            return add_problem(set, line, "text that is not UTF-8 (save the file as UTF-8)");
    if (!row_claim(f, m, line, &c, why, sizeof why))
        return add_problem(set, line, "%s", why);
    ccov_claim *grown = ccov_grow(set->claims, set->nclaims, sizeof *grown);
    if (!grown) {
        ccov_claims_claim_clear(&c);
        return false;
    }
    set->claims = grown;
    grown[set->nclaims++] = c;
    return true;
}

/* ---- repeated ids ---- */

typedef struct {
    const char *id;
    size_t i;
} id_ref;

static int id_ref_cmp(const void *a, const void *b) {
    const id_ref *x = a, *y = b;
    int c = strcmp(x->id, y->id);
    return c ? c : x->i < y->i ? -1 : x->i > y->i;
}

static int problem_cmp(const void *a, const void *b) {
    const ccov_claim_problem *x = a, *y = b;
    return x->line < y->line ? -1 : x->line > y->line;
}

/* The first row with an id keeps it; later ones become problems naming it (sorted, not
   compared pair by pair: 10^5 claims). False when memory runs out. */
static bool drop_repeated_ids(ccov_claim_set *set) {
    size_t n = set->nclaims, kept = 0;
    id_ref *refs = malloc((n ? n : 1) * sizeof *refs);
    bool *repeated = calloc(n ? n : 1, sizeof *repeated), ok = refs && repeated;
    for (size_t i = 0; ok && i < n; i++)
        refs[i] = (id_ref){set->claims[i].id, i};
    if (ok)
        qsort(refs, n, sizeof *refs, id_ref_cmp);
    for (size_t k = 1, first = 0; ok && k < n; k++) {
        if (strcmp(refs[k].id, refs[first].id) != 0) {
            first = k;
            continue;
        }
        repeated[refs[k].i] = true;
        ok = add_problem(set, set->claims[refs[k].i].line, "id '%s' already used on %s %ld",
                         refs[k].id, set->json ? "claim" : "line", set->claims[refs[first].i].line);
    }
    for (size_t i = 0; ok && i < n; i++)
        if (repeated[i])
            ccov_claims_claim_clear(&set->claims[i]);
        else
            set->claims[kept++] = set->claims[i];
    set->nclaims = ok ? kept : n;
    if (ok && set->nproblems > 1)
        qsort(set->problems, set->nproblems, sizeof *set->problems, problem_cmp);
    free(refs);
    free(repeated);
    return ok;
}

/* ---- CSV (RFC 4180) ---- */

typedef struct {
    const char *p, *end;
    long line;
    const column_map *map; /* the header's columns, once read */
    char why[96];          /* a reason that needs a number */
} csv_in;

typedef struct {
    char **f;
    size_t n, cap;
} csv_row;

static void row_clear(csv_row *r) {
    for (size_t i = 0; i < r->n; i++)
        free(r->f[i]);
    r->n = 0;
}

static bool row_push(csv_row *r, const char *text, size_t len) {
    if (r->n == r->cap) {
        size_t cap = r->cap ? 2 * r->cap : 16;
        char **grown = realloc(r->f, cap * sizeof *grown);
        if (!grown)
            return false;
        r->f = grown;
        r->cap = cap;
    }
    r->f[r->n] = strndup(text, len);
    return r->f[r->n++] != NULL;
}

/* A quoted field, from the opening quote; "" stands for one quote. Sets *err when unterminated. */
static char *quoted_field(csv_in *in, size_t *len, const char **err) {
    size_t cap = 64, n = 0;
    char *buf = malloc(cap);
    for (in->p++; buf; in->p++) {
        if (in->p >= in->end) {
            *err = "quoted field not closed";
            break;
        }
        if (*in->p == '"' && !(in->p + 1 < in->end && in->p[1] == '"')) {
            in->p++;
            *len = n;
            return buf;
        }
        in->p += *in->p == '"'; /* the first of a doubled quote */
        in->line += *in->p == '\n';
        if (n + 1 >= cap) {
            char *grown = realloc(buf, cap *= 2);
            if (!grown)
                break;
            buf = grown;
        }
        buf[n++] = *in->p;
    }
    free(buf);
    return NULL;
}

static bool at_eol(const csv_in *in) {
    return in->p >= in->end || *in->p == '\n' ||
           (*in->p == '\r' && (in->p + 1 >= in->end || in->p[1] == '\n'));
}

/* A line with nothing but spaces, or a '#' comment: skipped between records. */
static bool skippable_line(const csv_in *in) {
    const char *q = in->p;
    while (q < in->end && (*q == ' ' || *q == '\t'))
        q++;
    csv_in at = {q, in->end, 0, NULL, ""};
    return at_eol(&at) || *q == '#';
}

static void skip_eol(csv_in *in) {
    if (in->p < in->end && *in->p == '\r')
        in->p++;
    if (in->p < in->end && *in->p == '\n') {
        in->p++;
        in->line++;
    }
}

/* A NUL byte would cut the field short ("1<NUL>000" read as 1): the row is bad. */
static bool nul_free(csv_in *in, const char *text, size_t len, size_t field, const char **err) {
    if (!memchr(text, '\0', len))
        return true;
    const char *name = "";
    for (int c = 0; in->map && c < NCOLS; c++)
        if (in->map->col[c] == (int)field - 1)
            name = COLUMNS[c];
    snprintf(in->why, sizeof in->why, "field %zu%s%s%s holds a NUL byte (not text)", field,
             *name ? " (" : "", name, *name ? ")" : "");
    *err = in->why;
    return false;
}

/* One field and its separator; false with *err set (or NULL when out of memory). */
static bool csv_field(csv_in *in, csv_row *row, const char **err) {
    if (in->p < in->end && *in->p == '"') {
        size_t len = 0;
        char *text = quoted_field(in, &len, err);
        bool ok = text && nul_free(in, text, len, row->n + 1, err) && row_push(row, text, len);
        free(text);
        if (ok && !at_eol(in) && *in->p != ',')
            *err = "text after a closing quote";
        return ok && !*err;
    }
    const char *start = in->p;
    while (!at_eol(in) && *in->p != ',')
        in->p++;
    size_t len = (size_t)(in->p - start);
    return nul_free(in, start, len, row->n + 1, err) && row_push(row, start, len);
}

/* The next record into row; 1 read (row->n fields), 0 at the end, -1 on a malformed record
   (*err says why; the rest of the line is skipped) or no memory (*err NULL). */
static int csv_next(csv_in *in, csv_row *row, long *line, const char **err) {
    row_clear(row);
    while (in->p < in->end && skippable_line(in)) {
        while (!at_eol(in))
            in->p++;
        skip_eol(in);
    }
    if (in->p >= in->end)
        return 0;
    *line = in->line;
    *err = NULL;
    for (;;) {
        if (!csv_field(in, row, err)) {
            while (!at_eol(in))
                in->p++;
            skip_eol(in);
            return -1;
        }
        if (at_eol(in))
            break;
        in->p++; /* the comma */
    }
    skip_eol(in);
    return 1;
}

static ccov_status csv_header(ccov_ctx *ctx, const csv_row *row, const char *name, long line,
                              column_map *m) {
    for (int c = 0; c < NCOLS; c++)
        m->col[c] = -1;
    for (size_t i = 0; i < row->n; i++) {
        char *h = dup_trim(row->f[i]);
        for (int c = 0; h && c < NCOLS; c++)
            if (m->col[c] < 0 && strcasecmp(h, COLUMNS[c]) == 0)
                m->col[c] = (int)i;
        free(h);
    }
    m->nfields = row->n;
    for (int c = 0; c < NREQUIRED; c++)
        if (m->col[c] < 0)
            return ccov_ctx_fail(ctx, CCOV_ERR_IO,
                                 "%s: line %ld: no column '%s' (a claims file needs id, "
                                 "statement, source, regions, where, value, unit, relation)",
                                 name, line, COLUMNS[c]);
    return CCOV_OK;
}

static ccov_status csv_rows(ccov_ctx *ctx, csv_in *in, const column_map *m, ccov_claim_set *set) {
    in->map = m;
    csv_row row = {0};
    long line = 0;
    const char *err = NULL;
    int got;
    bool ok = true;
    while (ok && (got = csv_next(in, &row, &line, &err)) != 0)
        ok = got > 0 ? take_row(set, row.f, row.n, m, line)
             : err   ? add_problem(set, line, "%s", err)
                     : false;
    row_clear(&row);
    free(row.f);
    return ok ? CCOV_OK : ccov_ctx_fail(ctx, CCOV_ERR_IO, "%s: out of memory", set->path);
}

static ccov_status parse_csv(ccov_ctx *ctx, const char *text, size_t len, ccov_claim_set *set) {
    csv_in in = {text, text + len, 1, NULL, ""};
    if (len >= 3 && memcmp(text, "\xEF\xBB\xBF", 3) == 0)
        in.p += 3; /* UTF-8 byte order mark */
    csv_row row = {0};
    long line = 0;
    const char *err = NULL;
    int got = csv_next(&in, &row, &line, &err);
    column_map m;
    ccov_status st = got > 0   ? csv_header(ctx, &row, set->path, line, &m)
                     : got < 0 ? ccov_ctx_fail(ctx, CCOV_ERR_IO, "%s: line %ld: %s", set->path,
                                               line, err ? err : "out of memory")
                               : ccov_ctx_fail(ctx, CCOV_ERR_IO, "%s: no header row", set->path);
    row_clear(&row);
    free(row.f);
    return st == CCOV_OK ? csv_rows(ctx, &in, &m, set) : st;
}

/* ---- JSON ---- */

/* A member as text: strings as they are, numbers as written, a list of strings joined with ", ".
   NULL when absent or null. Caller frees. */
static char *json_text(json_object *item, const char *key) {
    json_object *v = NULL;
    if (!json_object_object_get_ex(item, key, &v) || !v)
        return NULL;
    if (!json_object_is_type(v, json_type_array))
        return strdup(json_object_get_string(v));
    size_t cap = 1;
    for (size_t i = 0; i < json_object_array_length(v); i++)
        cap += strlen(json_object_get_string(json_object_array_get_idx(v, i))) + 2;
    char *joined = calloc(1, cap);
    for (size_t i = 0, used = 0; joined && i < json_object_array_length(v); i++)
        used += (size_t)snprintf(joined + used, cap - used, "%s%s", i ? ", " : "",
                                 json_object_get_string(json_object_array_get_idx(v, i)));
    return joined;
}

/* A string member (or list item) holding \u0000, which C text would cut short. */
static bool json_has_nul(json_object *v) {
    if (json_object_is_type(v, json_type_array)) {
        for (size_t i = 0; i < json_object_array_length(v); i++)
            if (json_has_nul(json_object_array_get_idx(v, i)))
                return true;
        return false;
    }
    return json_object_is_type(v, json_type_string) &&
           strlen(json_object_get_string(v)) != (size_t)json_object_get_string_len(v);
}

static bool json_item(ccov_claim_set *set, json_object *item, long number) {
    static const int REQUIRED[] = {COL_ID, COL_VALUE, COL_UNIT, COL_RELATION};
    if (!json_object_is_type(item, json_type_object))
        return add_problem(set, number, "not a JSON object");
    for (size_t r = 0; r < sizeof REQUIRED / sizeof *REQUIRED; r++)
        if (!json_object_object_get_ex(item, COLUMNS[REQUIRED[r]], NULL))
            return add_problem(set, number, "no '%s'", COLUMNS[REQUIRED[r]]);
    for (int c = 0; c < NCOLS; c++) {
        json_object *v = NULL;
        if (json_object_object_get_ex(item, COLUMNS[c], &v) && json_has_nul(v))
            return add_problem(set, number, "'%s' holds a NUL character (\\u0000)", COLUMNS[c]);
    }
    column_map m = {.nfields = NCOLS};
    char *f[NCOLS];
    for (int c = 0; c < NCOLS; c++) {
        m.col[c] = c;
        f[c] = json_text(item, COLUMNS[c]);
    }
    bool ok = take_row(set, f, NCOLS, &m, number);
    for (int c = 0; c < NCOLS; c++)
        free(f[c]);
    return ok;
}

static ccov_status parse_json(ccov_ctx *ctx, const char *text, size_t len, ccov_claim_set *set) {
    const char *nul = memchr(text, '\0', len);
    if (nul) /* JSON text has no raw control characters; this one would also cut it short */
        return ccov_ctx_fail(ctx, CCOV_ERR_IO, "%s: byte %zu is a NUL: not JSON text", set->path,
                             (size_t)(nul - text) + 1);
    enum json_tokener_error jerr = json_tokener_success;
    char *copy = strndup(text, len);
    json_object *root = copy ? json_tokener_parse_verbose(copy, &jerr) : NULL;
    free(copy);
    json_object *list = root;
    if (root && json_object_is_type(root, json_type_object))
        json_object_object_get_ex(root, "claims", &list);
    ccov_status st = CCOV_OK;
    if (!root)
        st = ccov_ctx_fail(ctx, CCOV_ERR_IO, "%s: not valid JSON: %s", set->path,
                           json_tokener_error_desc(jerr));
    else if (!list || !json_object_is_type(list, json_type_array))
        st = ccov_ctx_fail(ctx, CCOV_ERR_IO,
                           "%s: expected a list of claims (or {\"claims\": [...]})", set->path);
    for (size_t i = 0; st == CCOV_OK && i < json_object_array_length(list); i++)
        if (!json_item(set, json_object_array_get_idx(list, i), (long)i + 1))
            st = ccov_ctx_fail(ctx, CCOV_ERR_IO, "%s: out of memory", set->path);
    json_object_put(root);
    return st;
}

/* ---- entry points ---- */

ccov_status ccov_claims_parse(ccov_ctx *ctx, const char *text, size_t len, const char *name,
                              ccov_claim_set **out) {
    *out = NULL;
    ccov_claim_set *set = calloc(1, sizeof *set);
    if (!set || !(set->path = strdup(name))) {
        free(set);
        return ccov_ctx_fail(ctx, CCOV_ERR_IO, "%s: out of memory", name);
    }
    /* A UTF-8 byte order mark (as some editors write) is read past for CSV and JSON alike. */
    size_t bom = len >= 3 && memcmp(text, "\xEF\xBB\xBF", 3) == 0 ? 3 : 0, lead = bom;
    while (lead < len && isspace((unsigned char)text[lead]))
        lead++;
    set->json = lead < len && (text[lead] == '[' || text[lead] == '{');
    bool utf16 = len >= 2 && (memcmp(text, "\xFF\xFE", 2) == 0 || memcmp(text, "\xFE\xFF", 2) == 0);
    ccov_status st =
        utf16       ? ccov_ctx_fail(ctx, CCOV_ERR_IO,
                                    "%s: UTF-16 text (byte order mark %02X %02X); save the file as "
                                          "UTF-8",
                                    name, (unsigned char)text[0], (unsigned char)text[1])
        : set->json ? parse_json(ctx, text + bom, len - bom, set)
                    : parse_csv(ctx, text + bom, len - bom, set);
    if (st == CCOV_OK && !drop_repeated_ids(set))
        st = ccov_ctx_fail(ctx, CCOV_ERR_IO, "%s: out of memory", name);
    if (st != CCOV_OK) {
        ccov_claim_set_free(set);
        return st;
    }
    *out = set;
    return CCOV_OK;
}

ccov_status ccov_claims_read(ccov_ctx *ctx, const char *path, ccov_claim_set **out) {
    *out = NULL;
    struct stat info;
    if (stat(path, &info) == 0 && S_ISDIR(info.st_mode))
        return ccov_ctx_fail(ctx, CCOV_ERR_IO, "%s: is a folder, not a claims file", path);
    if (ccov_io_check_input(ctx, path) != CCOV_OK)
        return CCOV_ERR_IO;
    FILE *fp = fopen(path, "rb");
    if (!fp)
        return ccov_ctx_fail(ctx, CCOV_ERR_IO, "%s: %s", path, strerror(errno));
    size_t cap = 4096, len = 0, got;
    char *text = malloc(cap);
    while (text && (got = fread(text + len, 1, cap - len, fp)) > 0) {
        len += got;
        char *grown = len == cap ? realloc(text, cap *= 2) : text;
        if (!grown)
            free(text);
        text = grown;
    }
    bool failed = ferror(fp) != 0;
    fclose(fp);
    ccov_status st = !text      ? ccov_ctx_fail(ctx, CCOV_ERR_IO, "%s: out of memory", path)
                     : failed   ? ccov_ctx_fail(ctx, CCOV_ERR_IO, "%s: read error", path)
                     : len == 0 ? ccov_ctx_fail(ctx, CCOV_ERR_IO, "%s: empty file (0 bytes)", path)
                                : ccov_claims_parse(ctx, text, len, path, out);
    free(text);
    return st;
}

/* ---- verdicts ---- */

const char *ccov_verdict_name(ccov_verdict v) {
    static const char *const NAMES[] = {"supported", "supported_only_if_double_counted",
                                        "not_supported", "inconsistent", "inconclusive"};
    return (unsigned)v < 5 ? NAMES[v] : "unknown";
}

static bool satisfies(const ccov_claim *c, double ha) {
    double v = c->value_ha;
    switch (c->relation) {
    case CCOV_REL_AT_LEAST:
        return ha >= v;
    case CCOV_REL_AT_MOST:
        return ha <= v;
    default:
        return isfinite(ha) && fabs(ha - v) <= v * c->tolerance_pct / 100;
    }
}

/* The verdict the polygons give, from net and gross hectares. */
static ccov_verdict area_verdict(const ccov_claim *c, double net, double gross) {
    return satisfies(c, net)     ? CCOV_VERDICT_SUPPORTED
           : satisfies(c, gross) ? CCOV_VERDICT_DOUBLE_COUNTED
                                 : CCOV_VERDICT_NOT_SUPPORTED;
}

static const char *ha(double v, char *buf) { return ccov_report_number(v, 2, buf, 48); }

/* "20,000.00 ha" or "470 acres (190.20 ha)". */
static const char *claimed(const ccov_claim *c, char *buf, size_t n) {
    char h[48];
    if (strcasecmp(c->unit, "ha") == 0)
        snprintf(buf, n, "%s ha", ha(c->value_ha, h));
    else
        snprintf(buf, n, "%.15g %s (%s ha)", c->value, c->unit, ha(c->value_ha, h));
    return buf;
}

/* How an area stands to the claim: "at least" / "short of" and so on. */
static const char *relation_words(const ccov_claim *c, bool met, char *buf, size_t n) {
    if (c->relation == CCOV_REL_AT_LEAST)
        return met ? "at least" : "short of";
    if (c->relation == CCOV_REL_AT_MOST)
        return met ? "no more than" : "above";
    snprintf(buf, n, "%swithin %.15g %% of", met ? "" : "not ", c->tolerance_pct);
    return buf;
}

static void say_area(const ccov_claim *c, const ccov_claim_figures *f, ccov_verdict v, char *why,
                     size_t n) {
    char net[48], gross[48], over[48], cl[160], buf[48];
    claimed(c, cl, sizeof cl);
    const char *rel = relation_words(c, v == CCOV_VERDICT_SUPPORTED, buf, sizeof buf);
    if (v == CCOV_VERDICT_SUPPORTED)
        snprintf(why, n, "The polygons cover %s ha counted once, %s the %s claimed.",
                 ha(f->net_ha, net), rel, cl);
    else if (v == CCOV_VERDICT_DOUBLE_COUNTED)
        snprintf(why, n,
                 "Only by adding up overlapping records (%s ha, of which %s ha counted more than "
                 "once) is the claim met; counted once the polygons cover %s ha, %s the %s "
                 "claimed.",
                 ha(f->gross_ha, gross), ha(f->overlap_ha, over), ha(f->net_ha, net), rel, cl);
    else
        snprintf(why, n,
                 "The polygons cover %s ha counted once and %s ha even adding up overlapping "
                 "records, %s the %s claimed.",
                 ha(f->net_ha, net), ha(f->gross_ha, gross), rel, cl);
}

/* The statement's own figures: hectares and share imply a region size. */
static bool percent_inconsistent(const ccov_claim *c, const ccov_claim_figures *f, char *why,
                                 size_t n) {
    bool official = f->official_ha > 0; /* issue 13: the official area when one is given */
    double base = official ? f->official_ha : f->region_ha;
    if (!isfinite(c->percent_of_region) || base <= 0)
        return false;
    double implied = c->value_ha * 100 / c->percent_of_region;
    double off = (implied - base) / base * 100;
    if (fabs(off) <= c->tolerance_pct)
        return false;
    char cl[160], imp[48], reg[48];
    snprintf(why, n,
             "The statement contradicts itself: %s as %.15g %% of the region implies a region of "
             "%s ha, but %s %s ha (%+.1f %%, tolerance %.15g %%).",
             claimed(c, cl, sizeof cl), c->percent_of_region, ha(implied, imp),
             official ? "the region's official area is" : "the region boundary measures",
             ha(base, reg), off, c->tolerance_pct);
    return true;
}

/* The records' own reported areas against the area their polygons cover counted once. 1: they
   disagree beyond tolerance; 0: they agree or cannot be compared; -1: unusable figures leave it
   open (the sum could still grow). */
static int reported_check(const ccov_claim *c, const ccov_claim_figures *f, char *why, size_t n) {
    if (!f->reported_available || f->tasks == 0)
        return 0;
    double t = c->tolerance_pct / 100, r = f->reported_ha, net = f->net_ha;
    char rep[48], nt[48];
    if (r > net * (1 + t) || (f->reported_unusable == 0 && r < net * (1 - t))) {
        snprintf(why, n,
                 "The records disagree with themselves, not with the statement: their own "
                 "reported areas add up to %s ha, %+.1f %% against the %s ha their polygons "
                 "cover counted once (tolerance %.15g %%), so they cannot settle the claim until "
                 "the two are reconciled.",
                 ha(r, rep), net > 0 ? (r - net) / net * 100 : 100.0, ha(net, nt),
                 c->tolerance_pct);
        return 1;
    }
    if (f->reported_unusable == 0)
        return 0;
    snprintf(why, n,
             "%lld of the %lld records counted have no usable reported area (missing, not a "
             "number or in an unknown unit), so the records' own figures (%s ha for the rest) "
             "cannot be checked against the %s ha counted once.",
             f->reported_unusable, f->tasks, ha(r, rep), ha(net, nt));
    return -1;
}

/* Could the excluded features, wherever they lie, change the verdict? */
static bool excluded_flip(const ccov_claim *c, const ccov_claim_figures *f, ccov_verdict base,
                          char *why, size_t n) {
    if (f->excluded == 0)
        return false;
    bool unbounded = !f->reported_available || f->excluded_unusable > 0;
    double extra = unbounded ? INFINITY : f->excluded_reported_ha;
    if (area_verdict(c, f->net_ha + extra, f->gross_ha + extra) == base)
        return false;
    char ex[48], net[48], cl[160];
    if (unbounded)
        snprintf(ex, sizeof ex, "of unknown size");
    else
        snprintf(ex, sizeof ex, "reporting %s ha", ha(extra, net));
    snprintf(why, n,
             "%lld feature(s) could not be used (%s) and could turn '%s' into '%s': counted once "
             "the usable polygons cover %s ha against the %s claimed.",
             f->excluded, ex, ccov_verdict_name(base),
             ccov_verdict_name(area_verdict(c, f->net_ha + extra, f->gross_ha + extra)),
             ha(f->net_ha, net), claimed(c, cl, sizeof cl));
    return true;
}

ccov_verdict ccov_claims_area_verdict(const ccov_claim *c, const ccov_claim_figures *f, char *why,
                                      size_t n) {
    ccov_verdict v = area_verdict(c, f->net_ha, f->gross_ha);
    if (why && n)
        say_area(c, f, v, why, n);
    return v;
}

ccov_verdict ccov_claims_judge(const ccov_claim *c, const ccov_claim_figures *f, char *why,
                               size_t n) {
    char scratch[1024];
    if (!why || n == 0) {
        why = scratch;
        n = sizeof scratch;
    }
    ccov_verdict base = area_verdict(c, f->net_ha, f->gross_ha);
    if (percent_inconsistent(c, f, why, n))
        return CCOV_VERDICT_INCONSISTENT;
    int reported = reported_check(c, f, why, n);
    if (reported > 0)
        return CCOV_VERDICT_INCONSISTENT;
    if (reported < 0 || excluded_flip(c, f, base, why, n))
        return CCOV_VERDICT_INCONCLUSIVE;
    say_area(c, f, base, why, n);
    return base;
}
