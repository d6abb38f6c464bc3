/* io_arrow: reading a layer's feature ids and WKB geometries through GDAL's Arrow stream, for the
   drivers that implement it natively (GeoPackage in GDAL 3.6). Internal to io.c. */
#ifndef CCOV_IO_ARROW_H
#define CCOV_IO_ARROW_H

#include <ogr_api.h>

#include <stddef.h>

typedef struct ccov_arrow_reader ccov_arrow_reader;

/* NULL when the layer has no fast Arrow stream, or the stream has no geometry column. The layer's
   ignored fields and filters apply as for feature reading. */
ccov_arrow_reader *ccov_arrow_open(OGRLayerH lyr);

/* The next feature: 1 with *fid and its ISO WKB (*wkb NULL for a null geometry; valid until the
   next call), 0 at the end, -1 on a read error (*error receives GDAL's reason). */
int ccov_arrow_next(ccov_arrow_reader *a, long long *fid, const unsigned char **wkb, size_t *size,
                    const char **error);

void ccov_arrow_close(ccov_arrow_reader *a);

#endif
