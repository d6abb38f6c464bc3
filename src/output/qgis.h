/* output: a QGIS project beside the result layers, and .qml styles beside GeoJSON layers. */
#ifndef CCOV_OUTPUT_QGIS_H
#define CCOV_OUTPUT_QGIS_H

#include "clearcov/coverage.h"
#include "clearcov/ctx.h"
#include "clearcov/output.h"

/* Before any work: CCOV_ERR_IO when clearcov.qgs or a layer's .qml (GeoJSON only) exists in
   o->dir and o->overwrite is false. */
ccov_status ccov_qgis_check(ccov_ctx *ctx, const ccov_output_options *o);

/* Write o->dir/clearcov.qgs (QGIS 3 project: the layers by relative path, a UTM project CRS, a
   print layout) and, for GeoJSON, <layer>.qml for each layer, each file atomically. Called after
   the layers themselves were written. */
ccov_status ccov_qgis_write(ccov_ctx *ctx, const ccov_result *res, const ccov_output_options *o);

/* The QML style of a result layer, the regions' choropleth classes drawn from res (free()). */
char *ccov_qgis_style(const char *layer, const ccov_result *res);

#endif
