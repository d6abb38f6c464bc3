/* io_arrow: feature ids and WKB geometries through GDAL's Arrow C stream. Each batch is a struct
   array whose children are the columns; the fid column is int64 ("l") and the geometry column
   binary ("z", ISO WKB), as GDAL lays them out. */
#include "io/arrow.h"

#include <ogr_recordbatch.h>

#include <stdbool.h>
#include <stdint.h>
#include <stdlib.h>
#include <string.h>

struct ccov_arrow_reader {
    struct ArrowArrayStream stream;
    struct ArrowArray batch; /* batch.release is NULL when no batch is held */
    int64_t row;             /* next row of the batch */
    long long count;         /* rows read so far */
    int64_t fid_column;      /* -1 when the stream has no fid column */
    int64_t geom_column;
};

/* The child named `name` with the given Arrow format, -1 when none. */
static int64_t find_column(const struct ArrowSchema *schema, const char *name, const char *format) {
    for (int64_t i = 0; i < schema->n_children; i++) {
        const struct ArrowSchema *c = schema->children[i];
        if (c->name && c->format && strcmp(c->name, name) == 0 && strcmp(c->format, format) == 0)
            return i;
    }
    return -1;
}

static bool find_columns(ccov_arrow_reader *a, OGRLayerH lyr) {
    struct ArrowSchema schema;
    if (a->stream.get_schema(&a->stream, &schema) != 0)
        return false;
    const char *fid = OGR_L_GetFIDColumn(lyr);
    const char *geom = OGR_L_GetGeometryColumn(lyr);
    a->fid_column = find_column(&schema, fid && *fid ? fid : "OGC_FID", "l");
    a->geom_column = find_column(&schema, geom && *geom ? geom : "wkb_geometry", "z");
    schema.release(&schema);
    return a->geom_column >= 0;
}

ccov_arrow_reader *ccov_arrow_open(OGRLayerH lyr) {
    if (!OGR_L_TestCapability(lyr, OLCFastGetArrowStream) || OGR_L_GetGeomType(lyr) == wkbNone)
        return NULL;
    ccov_arrow_reader *a = calloc(1, sizeof *a);
    char *options[] = {"INCLUDE_FID=YES", NULL};
    OGR_L_ResetReading(lyr);
    if (!a || !OGR_L_GetArrowStream(lyr, &a->stream, options)) {
        free(a);
        return NULL;
    }
    if (!find_columns(a, lyr)) {
        ccov_arrow_close(a);
        return NULL;
    }
    return a;
}

static bool is_valid(const struct ArrowArray *column, int64_t i) {
    const uint8_t *bits = column->buffers[0];
    return column->null_count == 0 || !bits || (bits[i / 8] >> (i % 8)) & 1;
}

/* Release the batch that is used up and take the next one: 1, 0 at the end, -1 on error. */
static int next_batch(ccov_arrow_reader *a, const char **error) {
    if (a->batch.release)
        a->batch.release(&a->batch);
    memset(&a->batch, 0, sizeof a->batch);
    a->row = 0;
    if (a->stream.get_next(&a->stream, &a->batch) != 0) {
        const char *why = a->stream.get_last_error(&a->stream);
        *error = why ? why : "unknown";
        memset(&a->batch, 0, sizeof a->batch);
        return -1;
    }
    return a->batch.release ? 1 : 0;
}

int ccov_arrow_next(ccov_arrow_reader *a, long long *fid, const unsigned char **wkb, size_t *size,
                    const char **error) {
    while (!a->batch.release || a->row >= a->batch.length) {
        int got = next_batch(a, error);
        if (got <= 0)
            return got;
    }
    int64_t r = a->batch.offset + a->row;
    const struct ArrowArray *geom = a->batch.children[a->geom_column];
    int64_t g = geom->offset + r;
    if (a->fid_column >= 0) {
        const struct ArrowArray *ids = a->batch.children[a->fid_column];
        *fid = (long long)((const int64_t *)ids->buffers[1])[ids->offset + r];
    } else {
        *fid = a->count;
    }
    *wkb = NULL;
    *size = 0;
    if (is_valid(geom, g)) {
        const int32_t *offsets = geom->buffers[1];
        *wkb = (const unsigned char *)geom->buffers[2] + offsets[g];
        *size = (size_t)(offsets[g + 1] - offsets[g]);
    }
    a->row++;
    a->count++;
    return 1;
}

void ccov_arrow_close(ccov_arrow_reader *a) {
    if (!a)
        return;
    if (a->batch.release)
        a->batch.release(&a->batch);
    if (a->stream.release)
        a->stream.release(&a->stream);
    free(a);
}
