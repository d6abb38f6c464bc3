/* io: a database session that can only read. Internal to io (it takes a GDAL dataset). */
#ifndef CCOV_IO_SESSION_H
#define CCOV_IO_SESSION_H

#include "clearcov/ctx.h"

#include <gdal.h>
#include <ogr_api.h>

/* Inputs are never modified: make the dataset's database session read-only, so that an SQL
   query (a data-modifying WITH, a function with side effects) cannot write. Only for a
   database source (PostgreSQL); a driver that knows no such statement ignores it. */
void ccov_io_read_only_session(GDALDatasetH ds);

/* A file's driver refused the filter `where` on lyr (GDAL's last error holds its reason): the
   message names an unknown field, or gives the reason without GDAL's SQL, and lists the fields.
   Returns CCOV_ERR_USAGE. */
ccov_status ccov_io_where_refused(ccov_ctx *ctx, const char *src, OGRLayerH lyr, const char *where);

#endif
