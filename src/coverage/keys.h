/* Internal to the coverage module: what a cleared record's fields say about how its land was
   released (--status-field, --status-map), which group it belongs to (--group-by) and its year
   (--year-from, --years). Pure text handling: calls nothing else of the module. */
#ifndef CCOV_COVERAGE_KEYS_H
#define CCOV_COVERAGE_KEYS_H

#include "clearcov/coverage.h"

#include <stdbool.h>
#include <stddef.h>

enum {
    CCOV_KEY_IGNORED = -1,  /* the status maps to ignore */
    CCOV_KEY_UNMAPPED = -2, /* the status maps to nothing */
    CCOV_YEAR_UNKNOWN = -1
};

/* The breakdown options, parsed. */
typedef struct {
    char **values[CCOV_NCATEGORIES + 1]; /* status values of each category, then ignore */
    size_t nvalues[CCOV_NCATEGORIES + 1];
    bool mapped;   /* a status map was given */
    char **groups; /* the group_by fields */
    size_t ngroups;
    int year_group;         /* index of "year" among groups, -1 */
    const char *year_field; /* the field the year is read from, NULL when no year is needed */
    bool year_derived;      /* read from a date (year_from), not an integer field */
    int year_min, year_max; /* years filter; year_min > year_max when none */
    int only_category;      /* ccov_options.category_only, -1: none */
    char *only_group;       /* ccov_options.group_only as a group string, NULL: none */
    /* Fields to read, and where each key is among them (-1: not read). */
    const char **fields;
    size_t nfields;
    int status_at, year_at;
    int *group_at; /* per group (index in fields); -1 for the year */
    int *at_read;  /* per field: its place among the values read (ccov_keys_locate) */
} ccov_keys;

/* Parse opts' breakdown options (CCOV_ERR_USAGE with a message on a bad map or years range). */
ccov_status ccov_keys_parse(ccov_ctx *ctx, const ccov_options *opts, ccov_keys *k);
void ccov_keys_free(ccov_keys *k);
bool ccov_keys_any(const ccov_keys *k);
/* Find each key's field among the fields read (names[0..n), case-insensitive). Returns the
   name of a field that is not there, or NULL when all are. */
const char *ccov_keys_locate(ccov_keys *k, const char *const *names, size_t n);

/* The category of a status value: a ccov_category, CCOV_KEY_IGNORED or CCOV_KEY_UNMAPPED. */
int ccov_keys_category(const ccov_keys *k, const char *value);
/* The year of a field value: an integer year, or the year of an ISO date or datetime
   (YYYY-MM-DD...), YYYY/MM/DD... or YYYYMMDD; CCOV_YEAR_UNKNOWN otherwise. */
int ccov_keys_year(const char *value, bool derived);
bool ccov_keys_year_kept(const ccov_keys *k, int year);
/* Whether a record of this category and group string is counted (category_only, group_only). */
bool ccov_keys_wanted(const ccov_keys *k, int category, const char *group);
/* A record's status value ("" when null) and year, from the values read. */
const char *ccov_keys_status(const ccov_keys *k, char *const *values);
int ccov_keys_record_year(const ccov_keys *k, char *const *values);
/* The group of a record as one string (its values joined by the unit separator 0x1F, with the
   year written as digits or "" when unknown); NULL when there is no group_by or on no memory.
   A value's own 0x1F is written as U+FFFD (*replaced true), so that the key splits back into
   the values. */
char *ccov_keys_group(const ccov_keys *k, char *const *values, int year, bool *replaced);

#endif
