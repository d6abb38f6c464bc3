/* clearcov: rendering a coverage result as a table, CSV or JSON. */
#ifndef CLEARCOV_REPORT_H
#define CLEARCOV_REPORT_H

#include "clearcov/coverage.h"
#include "clearcov/ctx.h"

#include <stdio.h>

#ifdef __cplusplus
extern "C" {
#endif

typedef enum { CCOV_FORMAT_TABLE = 0, CCOV_FORMAT_CSV = 1, CCOV_FORMAT_JSON = 2 } ccov_format;

/* Write the result to `out` (which stays open) in the given format. Hectares: table with two
   decimals and thousands separators; CSV and JSON with six decimals. Returns CCOV_ERR_IO when the
   stream reports an error. */
ccov_status ccov_report_write(ccov_ctx *ctx, const ccov_result *res, ccov_format format, FILE *out);

/* Format v with `decimals` decimals and thousands separators ("1,234,567.89") into buf. */
const char *ccov_report_number(double v, int decimals, char *buf, size_t n);

#ifdef __cplusplus
}
#endif

#endif
