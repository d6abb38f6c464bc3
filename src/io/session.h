/* io: a database session that can only read. Internal to io (it takes a GDAL dataset). */
#ifndef CCOV_IO_SESSION_H
#define CCOV_IO_SESSION_H

#include <gdal.h>

/* Inputs are never modified: make the dataset's database session read-only, so that an SQL
   query (a data-modifying WITH, a function with side effects) cannot write. Only for a
   database source (PostgreSQL); a driver that knows no such statement ignores it. */
void ccov_io_read_only_session(GDALDatasetH ds);

#endif
