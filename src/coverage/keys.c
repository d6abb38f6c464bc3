/* coverage: the breakdown keys of a cleared record (keys.h). */
#include "coverage/keys.h"
#include "core/internal.h"

#include <ctype.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <strings.h>

static const char *const TARGETS[CCOV_NCATEGORIES + 1] = {"cleared", "reduced", "cancelled",
                                                          "ignore"};

const char *ccov_category_name(ccov_category c) {
    return c >= 0 && c < CCOV_NCATEGORIES ? TARGETS[c] : "?";
}

/* s[0..n) without surrounding spaces, as a new string. */
static char *trimmed(const char *s, size_t n) {
    while (n > 0 && isspace((unsigned char)*s)) {
        s++;
        n--;
    }
    while (n > 0 && isspace((unsigned char)s[n - 1]))
        n--;
    char *t = malloc(n + 1);
    if (t) {
        memcpy(t, s, n);
        t[n] = '\0';
    }
    return t;
}

/* Where s starts and how long it is without surrounding spaces. */
static const char *bounds(const char *s, size_t *n) {
    while (isspace((unsigned char)*s))
        s++;
    *n = strlen(s);
    while (*n > 0 && isspace((unsigned char)s[*n - 1]))
        (*n)--;
    return s;
}

/* v[0..n) equals w (already trimmed), ignoring case. */
static bool same_value(const char *v, size_t n, const char *w) {
    return strlen(w) == n && strncasecmp(v, w, n) == 0;
}

static int target_of(const char *name) {
    size_t n;
    const char *v = bounds(name, &n);
    for (int t = 0; t <= CCOV_NCATEGORIES; t++)
        if (same_value(v, n, TARGETS[t]))
            return t;
    return -1;
}

static bool list_add(char ***items, size_t *n, char *item) {
    if (!item)
        return false;
    char **grown = ccov_grow(*items, *n, sizeof **items);
    if (!grown) {
        free(item);
        return false;
    }
    *items = grown;
    grown[(*n)++] = item;
    return true;
}

/* "A,B,C" into the values of target t. */
static bool map_values(ccov_keys *k, int t, const char *list, size_t len) {
    const char *end = list + len;
    while (list <= end) {
        const char *comma = memchr(list, ',', (size_t)(end - list));
        const char *stop = comma ? comma : end;
        if (!list_add(&k->values[t], &k->nvalues[t], trimmed(list, (size_t)(stop - list))))
            return false;
        list = stop + 1;
    }
    return true;
}

/* One "target=values" part of the map. */
static ccov_status map_part(ccov_ctx *ctx, ccov_keys *k, const char *part, size_t len) {
    const char *eq = memchr(part, '=', len);
    char *name = trimmed(part, eq ? (size_t)(eq - part) : len);
    int t = name && eq ? target_of(name) : -1;
    ccov_status st = CCOV_OK;
    if (!name)
        st = ccov_ctx_fail(ctx, CCOV_ERR_IO, "out of memory");
    else if (t < 0)
        st = ccov_ctx_fail(ctx, CCOV_ERR_USAGE,
                           "--status-map: '%.*s' is not CATEGORY=VALUE[,VALUE...] with CATEGORY "
                           "cleared, reduced, cancelled or ignore",
                           (int)len, part);
    else if (!map_values(k, t, eq + 1, (size_t)(part + len - eq - 1)))
        st = ccov_ctx_fail(ctx, CCOV_ERR_IO, "out of memory");
    free(name);
    return st;
}

static ccov_status map_parse(ccov_ctx *ctx, ccov_keys *k, const char *map) {
    ccov_status st = CCOV_OK;
    k->mapped = true;
    while (st == CCOV_OK && *map) {
        const char *semi = strchr(map, ';');
        size_t len = semi ? (size_t)(semi - map) : strlen(map);
        char *blank = trimmed(map, len);
        if (blank && blank[0])
            st = map_part(ctx, k, map, len);
        free(blank);
        map += semi ? len + 1 : len;
    }
    return st;
}

int ccov_keys_category(const ccov_keys *k, const char *value) {
    size_t n;
    const char *v = bounds(value ? value : "", &n);
    if (!k->mapped) {
        int t = target_of(v);
        return t < 0 ? CCOV_KEY_UNMAPPED : t == CCOV_NCATEGORIES ? CCOV_KEY_IGNORED : t;
    }
    for (int t = 0; t <= CCOV_NCATEGORIES; t++)
        for (size_t i = 0; i < k->nvalues[t]; i++)
            if (same_value(v, n, k->values[t][i]))
                return t == CCOV_NCATEGORIES ? CCOV_KEY_IGNORED : t;
    return CCOV_KEY_UNMAPPED;
}

static int digits(const char *s, int n) {
    int v = 0;
    for (int i = 0; i < n; i++) {
        if (!isdigit((unsigned char)s[i]))
            return -1;
        v = v * 10 + (s[i] - '0');
    }
    return v;
}

/* The year of a date: YYYY-MM-DD or YYYY/MM/DD (then anything, e.g. a time), or YYYYMMDD. */
static int date_year(const char *v, size_t n) {
    int y = n >= 8 ? digits(v, 4) : -1;
    bool sep = n >= 10 && (v[4] == '-' || v[4] == '/') && v[7] == v[4];
    int month = sep ? digits(v + 5, 2) : n == 8 ? digits(v + 4, 2) : -1;
    int day = sep ? digits(v + 8, 2) : n == 8 ? digits(v + 6, 2) : -1;
    bool tail = sep ? n == 10 || v[10] == 'T' || v[10] == ' ' : n == 8;
    if (y < 0 || month < 1 || month > 12 || day < 1 || day > 31 || !tail)
        return CCOV_YEAR_UNKNOWN;
    return y;
}

int ccov_keys_year(const char *value, bool derived) {
    size_t n;
    const char *v = bounds(value ? value : "", &n);
    /* An integer field read as text: "2019", or "2019.0" from a real field. */
    if (!derived && n == 6 && strncmp(v + 4, ".0", 2) == 0)
        n = 4;
    if (!derived && n == 4)
        return digits(v, 4) >= 0 ? digits(v, 4) : CCOV_YEAR_UNKNOWN;
    return date_year(v, n);
}

static const char *field_value(const ccov_keys *k, char *const *values, int at) {
    return at < 0 || !values ? NULL : values[k->at_read[at]];
}

const char *ccov_keys_status(const ccov_keys *k, char *const *values) {
    const char *v = field_value(k, values, k->status_at);
    return v ? v : "";
}

int ccov_keys_record_year(const ccov_keys *k, char *const *values) {
    return ccov_keys_year(field_value(k, values, k->year_at), k->year_derived);
}

bool ccov_keys_year_kept(const ccov_keys *k, int year) {
    if (k->year_min > k->year_max)
        return true;
    return year != CCOV_YEAR_UNKNOWN && year >= k->year_min && year <= k->year_max;
}

/* A group value holds no unit separator (it joins the values in a key): each one in v is written
   as U+FFFD. The length of v so written, and the copy into at (returns its end). */
static const char REPLACEMENT[] = "\xEF\xBF\xBD";

static size_t value_len(const char *v, bool *replaced) {
    size_t n = 0;
    for (; v && *v; v++) {
        *replaced |= *v == '\x1f';
        n += *v == '\x1f' ? sizeof REPLACEMENT - 1 : 1;
    }
    return n;
}

static char *value_copy(char *at, const char *v) {
    for (; v && *v; v++) {
        if (*v != '\x1f') {
            *at++ = *v;
            continue;
        }
        memcpy(at, REPLACEMENT, sizeof REPLACEMENT - 1);
        at += sizeof REPLACEMENT - 1;
    }
    return at;
}

char *ccov_keys_group(const ccov_keys *k, char *const *values, int year, bool *replaced) {
    *replaced = false;
    if (k->ngroups == 0)
        return NULL;
    size_t len = 0;
    char years[16];
    if (year == CCOV_YEAR_UNKNOWN)
        years[0] = '\0';
    else
        snprintf(years, sizeof years, "%d", year);
    for (size_t g = 0; g < k->ngroups; g++) {
        const char *v = (int)g == k->year_group ? years : field_value(k, values, k->group_at[g]);
        len += value_len(v, replaced) + 1;
    }
    char *key = malloc(len), *at = key;
    for (size_t g = 0; key && g < k->ngroups; g++) {
        const char *v = (int)g == k->year_group ? years : field_value(k, values, k->group_at[g]);
        at = value_copy(at, v);
        *at++ = g + 1 < k->ngroups ? '\x1f' : '\0';
    }
    return key;
}

/* "Y" or "Y1-Y2" into the years filter. */
static ccov_status years_parse(ccov_ctx *ctx, ccov_keys *k, const char *years) {
    int a = -1, b = -1;
    size_t n = strlen(years);
    if (n == 4)
        a = b = digits(years, 4);
    else if (n == 9 && years[4] == '-') {
        a = digits(years, 4);
        b = digits(years + 5, 4);
    }
    if (a < 0 || b < 0 || a > b)
        return ccov_ctx_fail(ctx, CCOV_ERR_USAGE,
                             "--years: '%s' is not a year or a range of years such as 2018-2024",
                             years);
    k->year_min = a;
    k->year_max = b;
    return CCOV_OK;
}

/* "a,b" into the group fields; "year" (any case) is the record's year. */
static ccov_status groups_parse(ccov_ctx *ctx, ccov_keys *k, const char *list) {
    const char *end = list + strlen(list);
    while (list <= end) {
        const char *comma = strchr(list, ',');
        const char *stop = comma ? comma : end;
        char *name = trimmed(list, (size_t)(stop - list));
        if (name && !name[0]) {
            free(name);
            return ccov_ctx_fail(ctx, CCOV_ERR_USAGE, "--group-by: an empty field name");
        }
        if (name && strcasecmp(name, "year") == 0 && k->year_group < 0)
            k->year_group = (int)k->ngroups;
        if (!list_add(&k->groups, &k->ngroups, name))
            return ccov_ctx_fail(ctx, CCOV_ERR_IO, "out of memory");
        list = stop + 1;
    }
    return CCOV_OK;
}

static bool field_add(ccov_keys *k, const char *name, int *at) {
    for (size_t i = 0; i < k->nfields; i++)
        if (strcasecmp(k->fields[i], name) == 0) {
            *at = (int)i;
            return true;
        }
    const char **grown = ccov_grow(k->fields, k->nfields, sizeof *grown);
    if (!grown)
        return false;
    k->fields = grown;
    *at = (int)k->nfields;
    grown[k->nfields++] = name;
    return true;
}

/* The fields to read: the status, each group field but the derived year, the year. */
static ccov_status fields_plan(ccov_ctx *ctx, const ccov_options *o, ccov_keys *k) {
    bool ok = true;
    k->group_at = calloc(k->ngroups ? k->ngroups : 1, sizeof *k->group_at);
    ok = k->group_at != NULL;
    if (ok && o->status_field)
        ok = field_add(k, o->status_field, &k->status_at);
    if (k->year_group >= 0 || k->year_min <= k->year_max)
        k->year_field = o->year_from ? o->year_from : "year";
    k->year_derived = o->year_from != NULL;
    for (size_t g = 0; ok && g < k->ngroups; g++) {
        k->group_at[g] = -1;
        if ((int)g != k->year_group)
            ok = field_add(k, k->groups[g], &k->group_at[g]);
    }
    if (ok && k->year_field)
        ok = field_add(k, k->year_field, &k->year_at);
    if (ok) {
        k->at_read = calloc(k->nfields ? k->nfields : 1, sizeof *k->at_read);
        ok = k->at_read != NULL;
    }
    return ok ? CCOV_OK : ccov_ctx_fail(ctx, CCOV_ERR_IO, "out of memory");
}

/* "a | b" as a group string: the values joined by the unit separator. */
static char *group_string(const char *text) {
    char *g = malloc(strlen(text) + 1), *at = g;
    while (g && *text) {
        const char *bar = strchr(text, '|');
        size_t len = bar ? (size_t)(bar - text) : strlen(text);
        char *value = trimmed(text, len);
        if (!value) {
            free(g);
            return NULL;
        }
        size_t n = strlen(value);
        memcpy(at, value, n);
        at += n;
        free(value);
        if (bar)
            *at++ = '\x1f';
        text += bar ? len + 1 : len;
    }
    if (g)
        *at = '\0';
    return g;
}

/* The part of the records a run is limited to (a claim's category or group). */
static ccov_status only_parse(ccov_ctx *ctx, const ccov_options *o, ccov_keys *k) {
    k->only_category = -1;
    if (o->category_only && o->status_field)
        k->only_category = target_of(o->category_only);
    if (k->only_category >= CCOV_NCATEGORIES)
        k->only_category = -1; /* "released" (or anything else): every category */
    if (o->group_only && k->ngroups == 0)
        return ccov_ctx_fail(ctx, CCOV_ERR_USAGE, "a group ('%s') needs --group-by", o->group_only);
    k->only_group = o->group_only ? group_string(o->group_only) : NULL;
    if (o->group_only && !k->only_group)
        return ccov_ctx_fail(ctx, CCOV_ERR_IO, "out of memory");
    return CCOV_OK;
}

bool ccov_keys_wanted(const ccov_keys *k, int category, const char *group) {
    if (k->only_category >= 0 && category != k->only_category)
        return false;
    return !k->only_group || (group && strcmp(group, k->only_group) == 0);
}

ccov_status ccov_keys_parse(ccov_ctx *ctx, const ccov_options *o, ccov_keys *k) {
    *k =
        (ccov_keys){.year_group = -1, .year_min = 1, .year_max = 0, .status_at = -1, .year_at = -1};
    ccov_status st = CCOV_OK;
    if (o->status_map && !o->status_field)
        st = ccov_ctx_fail(ctx, CCOV_ERR_USAGE, "--status-map needs --status-field");
    if (st == CCOV_OK && o->status_map)
        st = map_parse(ctx, k, o->status_map);
    if (st == CCOV_OK && o->group_by)
        st = groups_parse(ctx, k, o->group_by);
    if (st == CCOV_OK && o->years)
        st = years_parse(ctx, k, o->years);
    if (st == CCOV_OK)
        st = fields_plan(ctx, o, k);
    if (st == CCOV_OK)
        st = only_parse(ctx, o, k);
    return st;
}

const char *ccov_keys_locate(ccov_keys *k, const char *const *names, size_t n) {
    for (size_t f = 0; f < k->nfields; f++) {
        size_t i = 0;
        while (i < n && strcasecmp(names[i], k->fields[f]) != 0)
            i++;
        if (i == n)
            return k->fields[f];
        k->at_read[f] = (int)i;
    }
    return NULL;
}

bool ccov_keys_any(const ccov_keys *k) { return k->nfields > 0; }

void ccov_keys_free(ccov_keys *k) {
    for (int t = 0; t <= CCOV_NCATEGORIES; t++) {
        for (size_t i = 0; i < k->nvalues[t]; i++)
            free(k->values[t][i]);
        free(k->values[t]);
    }
    for (size_t g = 0; g < k->ngroups; g++)
        free(k->groups[g]);
    free(k->groups);
    free(k->fields);
    free(k->group_at);
    free(k->at_read);
    free(k->only_group);
    *k = (ccov_keys){0};
}
