/* Internal to output: the breakdowns of a result (land-release categories, groups, cumulative
   years, status values left out) in the report's table, CSV and JSON. Each writes nothing when
   the result has no breakdown, so a plain report is unchanged. */
#ifndef CCOV_OUTPUT_BREAKDOWN_H
#define CCOV_OUTPUT_BREAKDOWN_H

#include "clearcov/coverage.h"

#include <json-c/json.h>
#include <stdbool.h>
#include <stdio.h>

bool ccov_breakdown_present(const ccov_result *res);
/* The tables after the main one. */
void ccov_breakdown_table(const ccov_result *res, FILE *out);
/* The CSV: one row per region (and per group, with groups) with the breakdown columns; false
   when the result has no breakdown (the plain CSV is written instead). */
bool ccov_breakdown_csv(const ccov_result *res, FILE *out);
/* --districts with --group-by: level and province columns, then those of ccov_breakdown_csv;
   province rows, their group rows, then each district's row and group rows; the groups' totals.
   False (nothing written) without both. */
bool ccov_breakdown_csv_districts(const ccov_result *res, FILE *out);
/* A region's and the root's JSON members. */
void ccov_breakdown_json_region(const ccov_result *res, const ccov_region_result *r,
                                json_object *region);
void ccov_breakdown_json_root(const ccov_result *res, json_object *root);

#endif
