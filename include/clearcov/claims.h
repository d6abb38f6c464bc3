/* clearcov claims: published statements about cleared hectares, checked against the records.
 *
 * A claims file (CSV, or JSON) holds one claim per row: what was said, by whom, about which
 * regions and which records, and the figure. Each claim is checked with the coverage pipeline
 * and gets a verdict with one plain sentence that explains it. */
#ifndef CLEARCOV_CLAIMS_H
#define CLEARCOV_CLAIMS_H

#include "clearcov/coverage.h"
#include "clearcov/ctx.h"
#include "clearcov/report.h"

#include <stdbool.h>
#include <stddef.h>
#include <stdio.h>

#ifdef __cplusplus
extern "C" {
#endif

/* Hectares in one international acre (exactly 4046.8564224 m2). */
#define CCOV_ACRE_HA 0.40468564224
/* Tolerance of a claim that gives none, in per cent. */
#define CCOV_CLAIM_TOLERANCE_PCT 10.0

typedef enum {
    CCOV_REL_AT_LEAST = 0, /* "more than", "over": the area is at least the value */
    CCOV_REL_AT_MOST = 1,  /* "up to", "no more than" */
    CCOV_REL_ABOUT = 2     /* within tolerance_pct of the value */
} ccov_relation;

typedef enum {
    CCOV_VERDICT_SUPPORTED = 0,      /* the net area (counted once) satisfies the claim */
    CCOV_VERDICT_DOUBLE_COUNTED = 1, /* only the gross area (overlaps counted again) does */
    CCOV_VERDICT_NOT_SUPPORTED = 2,  /* not even the gross area does */
    CCOV_VERDICT_INCONSISTENT = 3,   /* the figures contradict each other */
    CCOV_VERDICT_INCONCLUSIVE = 4    /* unusable records could change the verdict */
} ccov_verdict;

/* One claim as read. Strings are never NULL ("" when empty). */
typedef struct {
    long line; /* CSV: line where the row starts; JSON: position in the list, from 1 */
    char *id;
    char *statement; /* the quoted words */
    char *source;    /* who said it, where, when */
    char *regions;   /* comma-separated names or ISO codes; "" = the default regions */
    char *where;     /* OGR SQL filter on the cleared records; "" = none */
    double value;    /* > 0, in `unit` */
    char *unit;      /* ha, m2, km2 or acres, as written */
    double value_ha; /* value in hectares */
    ccov_relation relation;
    double tolerance_pct;     /* 0 <= t < 100; CCOV_CLAIM_TOLERANCE_PCT when not given */
    double percent_of_region; /* 0 < p <= 100, or NAN when the statement gives no share */
    /* Breakdowns (optional columns); "" when not given. */
    char *category; /* "cleared" (the default) or "released" (every land-release category) */
    char *years;    /* "Y" or "Y1-Y2": only the records of those years */
    char *group;    /* a value of validate's --group-by field (several: "a | b") */
} ccov_claim;

/* A row that cannot be checked, and why (one line, no trailing newline). */
typedef struct {
    long line;
    char *reason;
} ccov_claim_problem;

typedef struct {
    char *path;
    bool json;          /* problems are numbered by item ("claim N"), not by line */
    ccov_claim *claims; /* the good rows, in file order */
    size_t nclaims;
    ccov_claim_problem *problems; /* the bad rows, in file order */
    size_t nproblems;
} ccov_claim_set;

/* Read a claims file: JSON when its first non-blank character is '[' or '{', else CSV (RFC 4180,
   UTF-8, header row first; blank lines and lines starting with '#' are skipped). Required columns:
   id, statement, source, regions, where, value, unit, relation; optional: tolerance_pct,
   percent_of_region, category, years, group. Bad rows go to set->problems and the rest is still read. Returns
   CCOV_ERR_IO when the file cannot be read or has no header or lacks a required column (message
   in ctx). On success *out is freed with ccov_claim_set_free(). */
ccov_status ccov_claims_read(ccov_ctx *ctx, const char *path, ccov_claim_set **out);

/* The same from text in memory (`len` bytes); `name` labels messages. */
ccov_status ccov_claims_parse(ccov_ctx *ctx, const char *text, size_t len, const char *name,
                              ccov_claim_set **out);

/* ccov_claim_set_free(NULL) does nothing. */
void ccov_claim_set_free(ccov_claim_set *set);

/* Hectares per unit: ha 1, m2 1e-4, km2 100, acres 0.40468564224 (exact). Units are matched
   ignoring case and surrounding spaces; accepted spellings: ha, hectare(s), m2, sqm, km2,
   acre(s), ac. Returns false (and leaves *ha_per_unit) for anything else or NULL. */
bool ccov_claims_unit_factor(const char *unit, double *ha_per_unit);

/* "supported", "supported_only_if_double_counted", "not_supported", "inconsistent",
   "inconclusive". Static string. */
const char *ccov_verdict_name(ccov_verdict v);

/* The figures a verdict is computed from: the coverage result for the claim's records and the
   records' own reported areas. Hectares. */
typedef struct {
    double net_ha, gross_ha, overlap_ha, outside_ha;
    double region_ha; /* the chosen regions' boundaries, added up */
    long long tasks;  /* features counted (with area in the regions) */
    /* The records' own reported_area, normalised to ha, over the features counted. */
    bool reported_available;     /* false: the layer has no reported_area field */
    double reported_ha;          /* sum over the counted features with a usable figure */
    long long reported_unusable; /* counted features whose figure is missing, not a number,
                                    negative, or in an unknown unit */
    /* Features the pipeline could not use (no geometry, nothing left after repair...). */
    long long excluded;
    double excluded_reported_ha; /* their reported areas, where usable */
    long long excluded_unusable; /* of them, how many have no usable reported area */
    long long repaired;          /* of the features counted, how many were repaired */
    /* Official areas (issue 13) */
    double official_ha; /* the chosen regions' official areas added up, when every one has one
                           (--official-areas); 0 otherwise. percent_of_region is then checked
                           against it instead of region_ha */
} ccov_claim_figures;

/* The verdict for claim c on figures f (rules in the README, "How a claim is judged"), and one
   sentence explaining it with the numbers, into why (size n; may be NULL when n is 0). Pure. */
ccov_verdict ccov_claims_judge(const ccov_claim *c, const ccov_claim_figures *f, char *why,
                               size_t n);

/* The verdict the polygons alone give (supported, supported_only_if_double_counted or
   not_supported, from net_ha and gross_ha), with its sentence; the first step of
   ccov_claims_judge(). Pure. */
ccov_verdict ccov_claims_area_verdict(const ccov_claim *c, const ccov_claim_figures *f, char *why,
                                      size_t n);

/* One checked claim. */
typedef struct {
    ccov_claim claim; /* a copy, owned by the result */
    ccov_claim_figures fig;
    char *region_names;       /* the regions used, "A, B" */
    double implied_region_ha; /* value_ha * 100 / percent_of_region, or NAN */
    ccov_verdict verdict;
    char *explanation;
    ccov_verdict area_verdict; /* by net and gross area alone (differs when inconsistent or
                                  inconclusive) */
    char *area_explanation;
} ccov_claim_result;

typedef struct {
    char *claims_path;
    bool json; /* problems numbered by item, not line */
    ccov_area_method area;
    char *frame;
    ccov_input regions_input; /* as read for all claims (after the global where) */
    ccov_input cleared_input;
    ccov_claim_result *results;
    size_t nresults;
    ccov_claim_problem *problems; /* bad rows, from reading and from checking, by line */
    size_t nproblems;
} ccov_validation;

/* Check every claim of `set` against the sources of `opts` (regions, cleared, area method...):
   each claim runs the coverage pipeline with where = (opts->where) AND (claim's where) and only =
   the claim's regions (or opts->only when it names none). A claim naming an unknown region or
   with a where clause the source rejects becomes a problem, and the others are still checked.
   Errors that concern every claim (missing source, bad global option, CRS) stop the run with
   their status. On success *out is freed with ccov_validation_free(). */
ccov_status ccov_claims_check(ccov_ctx *ctx, const ccov_claim_set *set, const ccov_options *opts,
                              ccov_validation **out);

/* ccov_validation_free(NULL) does nothing. */
void ccov_validation_free(ccov_validation *v);

/* Write the verdicts to `out` (which stays open): an aligned table with one explained paragraph
   per claim, CSV (one row per claim), or JSON (README: "validate JSON"). Hectares with two
   decimals in the table, six in CSV and JSON. CCOV_ERR_IO when the stream fails. */
ccov_status ccov_claims_write(ccov_ctx *ctx, const ccov_validation *v, ccov_format format,
                              FILE *out);

/* True when every claim is supported and no row was bad (the CLI's exit code 0). */
bool ccov_validation_ok(const ccov_validation *v);

#ifdef __cplusplus
}
#endif

#endif
