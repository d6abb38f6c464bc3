/* claims: each claim checked against the cleared records with the coverage pipeline, and the
   verdicts written as a table, CSV or JSON. */
#include "claims/problem.h"
#include "clearcov/claims.h"
#include "clearcov/names.h"
#include "core/internal.h"
#include "io/attrs.h"
#include "io/where.h"

#include "output/render.h"

#include <json-c/json.h>

#include <ctype.h>
#include <errno.h>
#include <math.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>

/* The records' own figure: field names as written by `clearcov synth`, and as a shapefile
   truncates them. */
static const char *const AREA_FIELDS[] = {"reported_area", "reported_a", NULL};
static const char *const UNIT_FIELDS[] = {"reported_unit", "reported_u", NULL};

/* One coverage run shared by every claim with the same regions and where. */
typedef struct {
    char *key;     /* length of regions, ':', regions, the claim's own where */
    bool done;     /* computed (figures, or a problem) */
    char *problem; /* why claims with this where cannot be checked, or NULL */
    ccov_claim_figures fig;
    char *region_names;
} shared_run;

/* Open addressing on the key; at most half full. */
typedef struct {
    shared_run *slots;
    size_t cap, used;
} run_cache;

typedef struct {
    ccov_ctx *ctx;
    const ccov_options *opts;
    const ccov_result *all; /* every region, the global where: names, inputs */
    ccov_validation *v;
    run_cache cache;
} checker;

static const char CHECKING[] = "checking claims";

static char *dup_or_empty(const char *s) { return strdup(s ? s : ""); }

static ccov_status oom(ccov_ctx *ctx) { return ccov_ctx_fail(ctx, CCOV_ERR_IO, "out of memory"); }

/* ---- runs shared between claims ---- */

static size_t key_hash(const char *key) {
    size_t h = 1469598103934665603u; /* FNV-1a */
    for (; *key; key++)
        h = (h ^ (unsigned char)*key) * 1099511628211u;
    return h;
}

static shared_run *slot_for(shared_run *slots, size_t cap, const char *key) {
    size_t i = key_hash(key) & (cap - 1);
    while (slots[i].key && strcmp(slots[i].key, key) != 0)
        i = (i + 1) & (cap - 1);
    return &slots[i];
}

static bool cache_grow(run_cache *c) {
    size_t cap = c->cap ? 2 * c->cap : 64;
    shared_run *slots = calloc(cap, sizeof *slots);
    if (!slots)
        return false;
    for (size_t i = 0; i < c->cap; i++)
        if (c->slots[i].key)
            *slot_for(slots, cap, c->slots[i].key) = c->slots[i];
    free(c->slots);
    c->slots = slots;
    c->cap = cap;
    return true;
}

static void cache_free(run_cache *c) {
    for (size_t i = 0; i < c->cap; i++) {
        free(c->slots[i].key);
        free(c->slots[i].problem);
        free(c->slots[i].region_names);
    }
    free(c->slots);
}

/* The entry for (regions, where), made (not yet computed) when new. */
static ccov_status shared_find(ccov_ctx *ctx, run_cache *c, const char *regions, const char *where,
                               const char *part, shared_run **out) {
    size_t n = strlen(regions) + strlen(where) + strlen(part) + 48;
    char *key = malloc(n);
    if (!key || ((c->used + 1) * 2 > c->cap && !cache_grow(c))) {
        free(key);
        return oom(ctx);
    }
    snprintf(key, n, "%zu:%s%zu:%s%s", strlen(regions), regions, strlen(part), part,
             where); /* unambiguous */
    *out = slot_for(c->slots, c->cap, key);
    if ((*out)->key) {
        free(key);
        return CCOV_OK;
    }
    **out = (shared_run){.key = key};
    c->used++;
    return CCOV_OK;
}

/* ---- regions named by a claim ---- */

/* Calls fn for each trimmed, non-empty name of a comma-separated list; stops when fn does. */
static bool each_name(const char *list, bool (*fn)(void *, const char *), void *user) {
    while (list && *list) {
        size_t len = strcspn(list, ",");
        size_t lead = 0, end = len;
        while (lead < len && isspace((unsigned char)list[lead]))
            lead++;
        while (end > lead && isspace((unsigned char)list[end - 1]))
            end--;
        char *name = strndup(list + lead, end - lead);
        bool go = name && (!*name || fn(user, name));
        free(name);
        if (!go)
            return false;
        list += len + (list[len] == ',');
    }
    return true;
}

typedef struct {
    const ccov_result *all;
    char missing[160];
} name_check;

static bool name_known(void *user, const char *name) {
    name_check *nc = user;
    for (size_t i = 0; i < nc->all->nregions; i++)
        if (ccov_names_match(name, nc->all->regions[i].name, nc->all->regions[i].iso))
            return true;
    snprintf(nc->missing, sizeof nc->missing, "%s", name);
    return false;
}

static void region_list(const ccov_result *res, char *buf, size_t n) {
    size_t used = 0;
    buf[0] = '\0';
    for (size_t i = 0; i < res->nregions && used < n; i++) {
        int w = snprintf(buf + used, n - used, "%s%s", i ? ", " : "", res->regions[i].name);
        used += w > 0 ? (size_t)w : 0;
    }
}

/* The first name of `list` that matches no region, into why; false when all match. */
static bool unknown_region(const ccov_result *all, const char *list, char *why, size_t n) {
    name_check nc = {all, ""};
    if (each_name(list, name_known, &nc))
        return false;
    char names[1024];
    region_list(all, names, sizeof names);
    snprintf(why, n, "regions: no region matches '%s' (regions: %s)", nc.missing, names);
    return true;
}

/* ---- the records' own reported areas ---- */

typedef struct {
    long long *task, *excluded; /* sorted feature ids */
    size_t ntask, nexcluded;
    ccov_claim_figures *fig;
} reported_sum;

static int fid_cmp(const void *a, const void *b) {
    long long x = *(const long long *)a, y = *(const long long *)b;
    return x < y ? -1 : x > y;
}

static bool has_fid(const long long *fids, size_t n, long long fid) {
    return n && bsearch(&fid, fids, n, sizeof *fids, fid_cmp) != NULL;
}

/* A record's reported area in hectares; false when missing, not a number, negative or in an
   unknown unit. */
static bool record_ha(const char *area, const char *unit, double *out) {
    double factor = 0, v = 0;
    char *end = NULL;
    if (!area || !ccov_claims_unit_factor(unit, &factor))
        return false;
    errno = 0;
    v = strtod(area, &end);
    while (end && isspace((unsigned char)*end))
        end++;
    if (errno || end == area || *end || !isfinite(v) || v < 0)
        return false;
    *out = v * factor;
    return true;
}

static bool reported_visit(void *user, long long fid, char *const *values) {
    reported_sum *s = user;
    double h = 0;
    bool usable = record_ha(values[0], values[1], &h);
    if (has_fid(s->task, s->ntask, fid)) {
        s->fig->reported_ha += usable ? h : 0;
        s->fig->reported_unusable += !usable;
    } else if (has_fid(s->excluded, s->nexcluded, fid)) {
        s->fig->excluded_reported_ha += usable ? h : 0;
        s->fig->excluded_unusable += !usable;
    }
    return true;
}

/* The cleared source to read again: the one given, since the path shown has its password
   masked (the bundled sample when none was given). */
static const char *cleared_source(const checker *k, const ccov_input *in) {
    return k->opts->cleared_src ? k->opts->cleared_src : in->path;
}

/* Sum the reported areas of the features counted and of those excluded; count the repaired
   features among those counted. */
static ccov_status reported_figures(checker *k, const ccov_result *res, const char *where,
                                    ccov_claim_figures *fig) {
    reported_sum s = {malloc((res->tasks ? (size_t)res->tasks : 1) * sizeof *s.task),
                      malloc((res->nexcluded ? res->nexcluded : 1) * sizeof *s.excluded), 0, 0,
                      fig};
    ccov_status st = s.task && s.excluded ? CCOV_OK : oom(k->ctx);
    for (size_t i = 0; st == CCOV_OK && i < (size_t)res->tasks; i++)
        s.task[s.ntask++] = res->task_fids[i];
    for (size_t i = 0; st == CCOV_OK && i < res->nexcluded; i++)
        if (strcmp(res->excluded[i].source, res->cleared_input.path) == 0)
            s.excluded[s.nexcluded++] = res->excluded[i].fid;
    if (st == CCOV_OK) {
        qsort(s.task, s.ntask, sizeof *s.task, fid_cmp);
        qsort(s.excluded, s.nexcluded, sizeof *s.excluded, fid_cmp);
        /* Repairs that matter: those of the features counted. */
        for (size_t i = 0; i < res->nrepaired; i++)
            fig->repaired += strcmp(res->repaired[i].source, res->cleared_input.path) == 0 &&
                             has_fid(s.task, s.ntask, res->repaired[i].fid);
        const char *const *fields[2] = {AREA_FIELDS, UNIT_FIELDS};
        bool found[2] = {false, false};
        st = ccov_io_attrs_read(k->ctx, cleared_source(k, &res->cleared_input),
                                res->cleared_input.layer, where, fields, 2, found, reported_visit,
                                &s);
        fig->reported_available = found[0];
    }
    free(s.task);
    free(s.excluded);
    return st;
}

/* ---- one claim ---- */

static long long notes_from(const ccov_note *notes, size_t n, const char *source) {
    long long count = 0;
    for (size_t i = 0; i < n; i++)
        count += strcmp(notes[i].source, source) == 0;
    return count;
}

static void coverage_figures(const ccov_result *res, ccov_claim_figures *f) {
    *f = (ccov_claim_figures){.net_ha = res->net_ha,
                              .gross_ha = res->gross_ha,
                              .overlap_ha = res->overlap_ha,
                              .outside_ha = res->outside_ha,
                              .tasks = res->tasks};
    for (size_t i = 0; i < res->nregions; i++)
        f->region_ha += res->regions[i].region_ha;
    for (size_t i = 0; i < res->nregions; i++)
        f->official_ha += res->regions[i].official_ha;
    if (!(f->official_ha > 0)) /* NAN: a region without one */
        f->official_ha = 0;
    f->excluded = notes_from(res->excluded, res->nexcluded, res->cleared_input.path);
}

static ccov_status copy_claim(const ccov_claim *c, ccov_claim *out) {
    *out = *c;
    out->id = strdup(c->id);
    out->statement = strdup(c->statement);
    out->source = strdup(c->source);
    out->regions = strdup(c->regions);
    out->where = strdup(c->where);
    out->unit = strdup(c->unit);
    out->category = strdup(c->category);
    out->years = strdup(c->years);
    out->group = strdup(c->group);
    bool ok = out->id && out->statement && out->source && out->regions && out->where && out->unit &&
              out->category && out->years && out->group;
    return ok ? CCOV_OK : CCOV_ERR_IO;
}

/* Judge the claim on the figures of its run and keep the result. */
static ccov_status keep_result(checker *k, const ccov_claim *c, const ccov_claim_figures *fig,
                               const char *region_names) {
    ccov_validation *v = k->v;
    ccov_claim_result *grown = ccov_grow(v->results, v->nresults, sizeof *grown);
    if (!grown)
        return oom(k->ctx);
    v->results = grown;
    ccov_claim_result *r = &grown[v->nresults++];
    memset(r, 0, sizeof *r);
    r->fig = *fig;
    ccov_status st = copy_claim(c, &r->claim) == CCOV_OK ? CCOV_OK : oom(k->ctx);
    char why[1024];
    r->region_names = strdup(region_names);
    r->implied_region_ha =
        isfinite(c->percent_of_region) ? c->value_ha * 100 / c->percent_of_region : NAN;
    r->verdict = ccov_claims_judge(c, &r->fig, why, sizeof why);
    r->explanation = strdup(why);
    r->area_verdict = ccov_claims_area_verdict(c, &r->fig, why, sizeof why);
    r->area_explanation = strdup(why);
    if (st == CCOV_OK && (!r->region_names || !r->explanation || !r->area_explanation))
        st = oom(k->ctx);
    return st;
}

/* "(a) AND (b)", either part possibly empty; each part has been checked to be one expression
   on its own, so neither can change the other's meaning. Caller frees. */
static char *combine_where(const char *global, const char *own) {
    bool g = global && *global, o = own && *own;
    size_t n = (g ? strlen(global) : 0) + (o ? strlen(own) : 0) + 16;
    char *w = malloc(n);
    if (w && g && o)
        snprintf(w, n, "(%s) AND (%s)", global, own);
    else if (w)
        snprintf(w, n, "%s", g ? global : o ? own : "");
    return w;
}

/* A claim's own where, alone: one plain expression (text), then one the source accepts. NULL
   when it is fine; otherwise the reason (caller frees), or *st set when something else failed. */
static char *own_where_problem(checker *k, const char *own, ccov_status *st) {
    char why[1200], text[1400];
    const ccov_input *in = &k->all->cleared_input;
    *st = CCOV_OK;
    if (!own[0])
        return NULL;
    if (ccov_io_where_check(own, true, why, sizeof why)) {
        *st = ccov_io_attrs_check_where(k->ctx, cleared_source(k, in), in->layer, own);
        if (*st != CCOV_ERR_USAGE)
            return NULL;
        snprintf(text, sizeof text, "%s", ccov_ctx_error(k->ctx));
    } else {
        snprintf(text, sizeof text, "where '%s': %s", own, why);
    }
    char *problem = strdup(text);
    *st = problem ? CCOV_OK : oom(k->ctx);
    return problem;
}

/* The coverage run and the records' figures for one filter and set of regions, limited to the
   claim's category, years and group. */
static ccov_status shared_compute(checker *k, const ccov_claim *c, const char *regions,
                                  shared_run *r) {
    const char *own = c->where;
    ccov_status st = CCOV_OK;
    r->problem = own_where_problem(k, own, &st);
    if (st != CCOV_OK || r->problem)
        return st;
    char *where = combine_where(k->opts->where, own);
    if (!where)
        return oom(k->ctx);
    ccov_options o = *k->opts;
    o.only = regions[0] ? regions : NULL;
    o.where = where[0] ? where : NULL;
    o.layers = false;
    o.category_only = c->category[0] ? c->category : "cleared";
    o.years = c->years[0] ? c->years : o.years;
    o.group_only = c->group[0] ? c->group : NULL;
    ccov_result *res = NULL;
    st = ccov_coverage_run(k->ctx, &o, &res);
    if (st == CCOV_OK) {
        coverage_figures(res, &r->fig);
        st = reported_figures(k, res, o.where, &r->fig);
    }
    char names[1024];
    if (st == CCOV_OK) {
        region_list(res, names, sizeof names);
        r->region_names = strdup(names);
        st = r->region_names ? CCOV_OK : oom(k->ctx);
    }
    ccov_result_free(res);
    free(where);
    return st;
}

/* The claim cannot be checked, for the reason why: a problem of the validation. */
static ccov_status claim_problem(checker *k, const ccov_claim *c, const char *why) {
    bool ok = ccov_claims_add_problem(&k->v->problems, &k->v->nproblems, c->line, why);
    return ok ? CCOV_OK : oom(k->ctx);
}

/* A claim's own mistakes become problems (and CCOV_OK); anything else stops the run. */
static ccov_status check_claim(checker *k, const ccov_claim *c) {
    char why[1600];
    if (c->regions[0] && unknown_region(k->all, c->regions, why, sizeof why))
        return claim_problem(k, c, why);
    if (c->group[0] && !k->opts->group_by) {
        snprintf(why, sizeof why, "claim '%s': group '%s' needs validate --group-by FIELD", c->id,
                 c->group);
        return claim_problem(k, c, why);
    }
    const char *regions = c->regions[0] ? c->regions : k->opts->only ? k->opts->only : "";
    char part[600];
    snprintf(part, sizeof part, "%s\x1e%s\x1e%s", c->category, c->years, c->group);
    shared_run *r = NULL;
    ccov_status st = shared_find(k->ctx, &k->cache, regions, c->where, part, &r);
    if (st == CCOV_OK && !r->done) {
        r->done = true;
        st = shared_compute(k, c, regions, r);
    }
    if (st != CCOV_OK)
        return st;
    if (!r->problem)
        return keep_result(k, c, &r->fig, r->region_names);
    snprintf(why, sizeof why, "claim '%s': %s", c->id, r->problem);
    return claim_problem(k, c, why);
}

/* ---- the whole set ---- */

static int problem_cmp(const void *a, const void *b) {
    const ccov_claim_problem *x = a, *y = b;
    return x->line < y->line ? -1 : x->line > y->line;
}

static ccov_status copy_input(const ccov_input *in, ccov_input *out) {
    *out = *in;
    out->path = dup_or_empty(in->path);
    out->layer = dup_or_empty(in->layer);
    out->crs = dup_or_empty(in->crs);
    out->operation = dup_or_empty(in->operation);
    return out->path && out->layer && out->crs && out->operation ? CCOV_OK : CCOV_ERR_IO;
}

static ccov_status validation_start(ccov_ctx *ctx, const ccov_claim_set *set,
                                    const ccov_result *all, ccov_validation *v) {
    v->claims_path = strdup(set->path);
    v->json = set->json;
    v->area = all->area;
    v->frame = strdup(all->frame);
    bool ok = v->claims_path && v->frame &&
              copy_input(&all->regions_input, &v->regions_input) == CCOV_OK &&
              copy_input(&all->cleared_input, &v->cleared_input) == CCOV_OK;
    for (size_t i = 0; ok && i < set->nproblems; i++)
        ok = ccov_claims_add_problem(&v->problems, &v->nproblems, set->problems[i].line,
                                     set->problems[i].reason);
    return ok ? CCOV_OK : oom(ctx);
}

/* The run every claim shares: all regions, the global filter. Also checks the global --only. */
static ccov_status baseline(ccov_ctx *ctx, const ccov_options *opts, ccov_result **all) {
    ccov_options o = *opts;
    o.only = NULL;
    o.layers = false;
    ccov_status st = ccov_coverage_run(ctx, &o, all);
    char why[1200];
    if (st == CCOV_OK && opts->only && unknown_region(*all, opts->only, why, sizeof why))
        st = ccov_ctx_fail(ctx, CCOV_ERR_USAGE, "--only: %s", why + strlen("regions: "));
    return st;
}

ccov_status ccov_claims_check(ccov_ctx *ctx, const ccov_claim_set *set, const ccov_options *opts,
                              ccov_validation **out) {
    *out = NULL;
    ccov_result *all = NULL;
    ccov_validation *v = calloc(1, sizeof *v);
    /* Every run reads the same sources: a source's warning (a .shx mismatch...) is said once. */
    ccov_ctx_warn_once(ctx, true);
    ccov_status st = v ? baseline(ctx, opts, &all) : oom(ctx);
    if (st == CCOV_OK)
        st = validation_start(ctx, set, all, v);
    checker k = {ctx, opts, all, v, {0}};
    for (size_t i = 0; st == CCOV_OK && i < set->nclaims; i++) {
        ccov_ctx_progress(ctx, CHECKING, (double)i / (double)set->nclaims);
        st = check_claim(&k, &set->claims[i]);
    }
    cache_free(&k.cache);
    ccov_result_free(all);
    ccov_ctx_warn_once(ctx, false);
    if (st != CCOV_OK) {
        ccov_validation_free(v);
        return st;
    }
    if (v->nproblems > 1)
        qsort(v->problems, v->nproblems, sizeof *v->problems, problem_cmp);
    *out = v;
    return CCOV_OK;
}

static void input_clear(ccov_input *in) {
    free(in->path);
    free(in->layer);
    free(in->crs);
    free(in->operation);
}

void ccov_validation_free(ccov_validation *v) {
    if (!v)
        return;
    for (size_t i = 0; i < v->nresults; i++) {
        ccov_claims_claim_clear(&v->results[i].claim);
        free(v->results[i].region_names);
        free(v->results[i].explanation);
        free(v->results[i].area_explanation);
    }
    free(v->results);
    for (size_t i = 0; i < v->nproblems; i++)
        free(v->problems[i].reason);
    free(v->problems);
    input_clear(&v->regions_input);
    input_clear(&v->cleared_input);
    free(v->frame);
    free(v->claims_path);
    free(v);
}

bool ccov_validation_ok(const ccov_validation *v) {
    if (v->nproblems > 0)
        return false;
    for (size_t i = 0; i < v->nresults; i++)
        if (v->results[i].verdict != CCOV_VERDICT_SUPPORTED)
            return false;
    return true;
}

/* ---- writing: table ---- */

static const char *ha(double v, char *buf) { return ccov_report_number(v, 2, buf, 48); }

static const char *REL_SIGN[] = {">=", "<=", "~"};

enum { NTCOLS = 7 };
static const char *const THEADS[NTCOLS] = {
    "claimed (ha)", "net (ha)", "gross (ha)", "reported (ha)", "tasks", "excluded", "repaired"};

static void table_cells(const ccov_claim_result *r, char cells[NTCOLS][64]) {
    char h[48];
    snprintf(cells[0], 64, "%s %s", REL_SIGN[r->claim.relation], ha(r->claim.value_ha, h));
    ha(r->fig.net_ha, cells[1]);
    ha(r->fig.gross_ha, cells[2]);
    if (r->fig.reported_available)
        snprintf(cells[3], 64, "%s%s", ha(r->fig.reported_ha, h),
                 r->fig.reported_unusable ? "*" : "");
    else
        snprintf(cells[3], 64, "-");
    snprintf(cells[4], 64, "%lld", r->fig.tasks);
    snprintf(cells[5], 64, "%lld", r->fig.excluded);
    snprintf(cells[6], 64, "%lld", r->fig.repaired);
}

/* A literal, then text from the data escaped for the terminal. */
static void lit_text(FILE *out, const char *literal, const char *data) {
    fputs(literal, out);
    ccov_render_text(out, data);
}

static void table_widths(const ccov_validation *v, int *w) {
    w[0] = 2;
    w[1] = 7;
    for (int c = 0; c < NTCOLS; c++)
        w[c + 2] = (int)strlen(THEADS[c]);
    for (size_t i = 0; i < v->nresults; i++) {
        char cells[NTCOLS][64];
        table_cells(&v->results[i], cells);
        int id = ccov_render_text_width(v->results[i].claim.id);
        int verdict = (int)strlen(ccov_verdict_name(v->results[i].verdict));
        w[0] = id > w[0] ? id : w[0];
        w[1] = verdict > w[1] ? verdict : w[1];
        for (int c = 0; c < NTCOLS; c++)
            w[c + 2] = (int)strlen(cells[c]) > w[c + 2] ? (int)strlen(cells[c]) : w[c + 2];
    }
}

static void table_row(FILE *out, const int *w, const char *id, const char *verdict,
                      char cells[NTCOLS][64]) {
    ccov_render_text(out, id);
    for (int pad = ccov_render_text_width(id); pad < w[0]; pad++)
        fputc(' ', out);
    fprintf(out, "  %-*s", w[1], verdict);
    for (int c = 0; c < NTCOLS; c++)
        fprintf(out, "  %*s", w[c + 2], cells[c]);
    fputc('\n', out);
}

/* The paragraph under the table: what was said, what was counted, the verdict's sentence. */
/* Whose figures an `inconsistent` verdict is about, beside the stable code: the statement's own
   (hectares against share of the region) or the records' (reported areas against polygons). */
static const char *inconsistent_whose(const ccov_claim_result *r) {
    if (r->verdict != CCOV_VERDICT_INCONSISTENT || !r->explanation)
        return "";
    return strncmp(r->explanation, "The records disagree", 20) == 0
               ? " (the records' own figures disagree)"
               : " (the statement's own figures disagree)";
}

static void table_paragraph(FILE *out, const ccov_validation *v, const ccov_claim_result *r) {
    const ccov_claim *c = &r->claim;
    char net[48], gross[48], over[48], outside[48], reg[48];
    lit_text(out, "\n", c->id);
    fprintf(out, " (%s %ld): ", v->json ? "claim" : "line", c->line);
    lit_text(out, "", c->statement[0] ? c->statement : "(no statement)");
    if (c->source[0])
        lit_text(out, "\n  Source: ", c->source);
    lit_text(out, "\n  Records: ", r->region_names);
    fprintf(out, " (%s ha", ha(r->fig.region_ha, reg));
    if (r->fig.official_ha > 0)
        fprintf(out, "; official area %s ha", ha(r->fig.official_ha, reg));
    fprintf(out, ")%s", c->where[0] ? "; where " : "");
    lit_text(out, "", c->where);
    fputc('\n', out);
    fprintf(out,
            "  Counted: net %s ha, gross %s ha (overlap %s ha), outside the regions %s ha; "
            "%lld task(s), %lld repaired, %lld excluded\n",
            ha(r->fig.net_ha, net), ha(r->fig.gross_ha, gross), ha(r->fig.overlap_ha, over),
            ha(r->fig.outside_ha, outside), r->fig.tasks, r->fig.repaired, r->fig.excluded);
    fprintf(out, "  %s%s: ", ccov_verdict_name(r->verdict), inconsistent_whose(r));
    lit_text(out, "", r->explanation);
    fputc('\n', out);
    if (r->area_verdict != r->verdict) {
        fprintf(out, "  (by area alone, %s: ", ccov_verdict_name(r->area_verdict));
        lit_text(out, "", r->area_explanation);
        fputs(")\n", out);
    }
}

static void write_table(const void *res, FILE *out) {
    const ccov_validation *v = res;
    int w[NTCOLS + 2];
    table_widths(v, w);
    fprintf(out, "Claims checked against the cleared-area records (area %s, working frame ",
            v->area == CCOV_AREA_GEODESIC ? "geodesic, on the WGS84 ellipsoid" : "planar");
    lit_text(out, "", v->frame);
    lit_text(out, ")\nClaims: ", v->claims_path);
    lit_text(out, "; cleared: ", v->cleared_input.path);
    lit_text(out, " (layer ", v->cleared_input.layer);
    lit_text(out, ", ", v->cleared_input.crs);
    lit_text(out, "); regions: ", v->regions_input.path);
    lit_text(out, " (layer ", v->regions_input.layer);
    fputs(")\n", out);
    if (ccov_coverage_is_sample(v->cleared_input.path))
        fputs("Cleared areas: the bundled synthetic sample, not real clearance records: the "
              "verdicts below are a demonstration, not findings\n",
              out);
    fputc('\n', out);
    char heads[NTCOLS][64];
    for (int c = 0; c < NTCOLS; c++)
        snprintf(heads[c], 64, "%s", THEADS[c]);
    table_row(out, w, "id", "verdict", heads);
    for (size_t i = 0; i < v->nresults; i++) {
        char cells[NTCOLS][64];
        table_cells(&v->results[i], cells);
        table_row(out, w, v->results[i].claim.id, ccov_verdict_name(v->results[i].verdict), cells);
    }
    for (size_t i = 0; i < v->nresults; i++)
        table_paragraph(out, v, &v->results[i]);
    bool starred = false;
    for (size_t i = 0; i < v->nresults; i++)
        starred = starred ||
                  (v->results[i].fig.reported_available && v->results[i].fig.reported_unusable > 0);
    if (starred)
        fputs("\n* some records counted have no usable reported area\n", out);
    if (v->nproblems)
        fprintf(out,
                "\n%zu row(s) of the claims file could not be checked (listed on standard "
                "error).\n",
                v->nproblems);
}

/* ---- writing: CSV ---- */

static void csv_number(FILE *out, double v) {
    if (isfinite(v))
        fprintf(out, ",%.6f", v);
    else
        fputc(',', out);
}

static const char *const REL_NAMES[] = {"at_least", "at_most", "about"};

static void csv_row(FILE *out, const ccov_claim_result *r) {
    const ccov_claim *c = &r->claim;
    const ccov_claim_figures *f = &r->fig;
    ccov_render_csv_text(out, c->id);
    fprintf(out, ",%ld,%s,%s,%.15g,", c->line, ccov_verdict_name(r->verdict),
            REL_NAMES[c->relation], c->value);
    ccov_render_csv_text(out, c->unit);
    fprintf(out, ",%.6f,%.15g", c->value_ha, c->tolerance_pct);
    csv_number(out, c->percent_of_region);
    fputc(',', out);
    ccov_render_csv_text(out, r->region_names);
    fputc(',', out);
    ccov_render_csv_text(out, c->where);
    fprintf(out, ",%.6f,%.6f,%.6f,%.6f,%.6f", f->net_ha, f->gross_ha, f->overlap_ha, f->outside_ha,
            f->region_ha);
    csv_number(out, r->implied_region_ha);
    csv_number(out, f->reported_available ? f->reported_ha : NAN);
    fprintf(out, ",%lld,%lld,%lld,%.6f,%lld,%lld,%s,", f->reported_unusable, f->tasks, f->excluded,
            f->excluded_reported_ha, f->excluded_unusable, f->repaired,
            ccov_verdict_name(r->area_verdict));
    ccov_render_csv_text(out, c->statement);
    fputc(',', out);
    ccov_render_csv_text(out, c->source);
    fputc(',', out);
    ccov_render_csv_text(out, r->explanation);
    fputc('\n', out);
}

static void write_csv(const void *res, FILE *out) {
    const ccov_validation *v = res;
    fputs("id,line,verdict,relation,value,unit,value_ha,tolerance_pct,percent_of_region,regions,"
          "where,net_ha,gross_ha,overlap_ha,outside_ha,region_ha,implied_region_ha,reported_ha,"
          "reported_unusable,tasks,excluded,excluded_reported_ha,excluded_unusable,repaired,"
          "area_verdict,statement,source,explanation\n",
          out);
    for (size_t i = 0; i < v->nresults; i++)
        csv_row(out, &v->results[i]);
}

/* ---- writing: JSON ---- */

static void put(json_object *o, const char *key, json_object *value) {
    json_object_object_add(o, key, value);
}

static json_object *json_claim(const ccov_claim *c) {
    json_object *o = json_object_new_object();
    put(o, "id", json_object_new_string(c->id));
    put(o, "line", json_object_new_int64(c->line));
    put(o, "statement", json_object_new_string(c->statement));
    put(o, "source", json_object_new_string(c->source));
    put(o, "regions", json_object_new_string(c->regions));
    put(o, "where", json_object_new_string(c->where));
    put(o, "relation", json_object_new_string(REL_NAMES[c->relation]));
    put(o, "value", json_object_new_double(c->value));
    put(o, "unit", json_object_new_string(c->unit));
    put(o, "value_ha", ccov_render_json_number(c->value_ha));
    put(o, "tolerance_pct", json_object_new_double(c->tolerance_pct));
    put(o, "percent_of_region",
        isfinite(c->percent_of_region) ? json_object_new_double(c->percent_of_region) : NULL);
    /* The optional breakdown columns, when the claim gives them. */
    const char *names[] = {"category", "years", "group"};
    const char *values[] = {c->category, c->years, c->group};
    for (int i = 0; i < 3; i++)
        if (values[i][0])
            put(o, names[i], json_object_new_string(values[i]));
    return o;
}

static json_object *json_result(const ccov_claim_result *r) {
    const ccov_claim_figures *f = &r->fig;
    json_object *o = json_claim(&r->claim);
    put(o, "regions_used", json_object_new_string(r->region_names));
    put(o, "net_ha", ccov_render_json_number(f->net_ha));
    put(o, "gross_ha", ccov_render_json_number(f->gross_ha));
    put(o, "overlap_ha", ccov_render_json_number(f->overlap_ha));
    put(o, "outside_ha", ccov_render_json_number(f->outside_ha));
    put(o, "region_ha", ccov_render_json_number(f->region_ha));
    put(o, "implied_region_ha", ccov_render_json_number(r->implied_region_ha));
    if (f->official_ha > 0) /* issue 13: only with official areas, as before without */
        put(o, "official_ha", ccov_render_json_number(f->official_ha));
    put(o, "reported_ha", f->reported_available ? ccov_render_json_number(f->reported_ha) : NULL);
    put(o, "reported_unusable", json_object_new_int64(f->reported_unusable));
    put(o, "tasks", json_object_new_int64(f->tasks));
    put(o, "excluded", json_object_new_int64(f->excluded));
    put(o, "excluded_reported_ha", ccov_render_json_number(f->excluded_reported_ha));
    put(o, "excluded_unusable", json_object_new_int64(f->excluded_unusable));
    put(o, "repaired", json_object_new_int64(f->repaired));
    put(o, "verdict", json_object_new_string(ccov_verdict_name(r->verdict)));
    put(o, "explanation", json_object_new_string(r->explanation));
    put(o, "area_verdict", json_object_new_string(ccov_verdict_name(r->area_verdict)));
    put(o, "area_explanation", json_object_new_string(r->area_explanation));
    return o;
}

static json_object *json_summary(const ccov_validation *v) {
    json_object *o = json_object_new_object();
    for (int verdict = 0; verdict < 5; verdict++) {
        long long n = 0;
        for (size_t i = 0; i < v->nresults; i++)
            n += (int)v->results[i].verdict == verdict;
        put(o, ccov_verdict_name((ccov_verdict)verdict), json_object_new_int64(n));
    }
    put(o, "bad_rows", json_object_new_int64((int64_t)v->nproblems));
    return o;
}

static json_object *json_validation(const void *res) {
    const ccov_validation *v = res;
    json_object *root = ccov_render_json_header(&(ccov_render_run){
        v->area, v->frame, v->claims_path, &v->regions_input, &v->cleared_input});
    json_object *claims = json_object_new_array();
    for (size_t i = 0; i < v->nresults; i++)
        json_object_array_add(claims, json_result(&v->results[i]));
    put(root, "claims", claims);
    json_object *problems = json_object_new_array();
    for (size_t i = 0; i < v->nproblems; i++) {
        json_object *p = json_object_new_object();
        /* For a JSON claims file, "line" is the claim's position in the list. */
        put(p, "line", json_object_new_int64(v->problems[i].line));
        put(p, "reason", json_object_new_string(v->problems[i].reason));
        json_object_array_add(problems, p);
    }
    put(root, "problems", problems);
    put(root, "summary", json_summary(v));
    return root;
}

ccov_status ccov_claims_write(ccov_ctx *ctx, const ccov_validation *v, ccov_format format,
                              FILE *out) {
    static const ccov_render_writers writers = {json_validation, write_csv, write_table};
    return ccov_render_write(ctx, &writers, v, format, out);
}
