/* io_shx: a shapefile's .shx index checked against its .shp, and a sound one rebuilt when it
   does not match. Internal to io. */
#ifndef CCOV_IO_SHX_H
#define CCOV_IO_SHX_H

#include "clearcov/ctx.h"

typedef struct ccov_shx_fix ccov_shx_fix;

/* When `src` is a shapefile (.shp) whose .shx does not match the records of the .shp (an entry
   pointing at another record makes one feature count twice and another vanish), warns naming
   the features concerned and sets *fix to a private folder holding links to the .shp, .dbf, .prj
   and .cpg and an index rebuilt by reading the .shp record by record: open ccov_shx_path(*fix)
   instead of src. *fix is NULL when src is not a shapefile or its index is sound. CCOV_OK, or
   CCOV_ERR_IO (message in ctx) when the folder cannot be made. The input files are only read. */
ccov_status ccov_shx_check(ccov_ctx *ctx, const char *src, ccov_shx_fix **fix);

/* The .shp to open in the private folder. */
const char *ccov_shx_path(const ccov_shx_fix *fix);

/* Remove the private folder and release fix. ccov_shx_free(NULL) does nothing. */
void ccov_shx_free(ccov_shx_fix *fix);

#endif
