/* clearcov: result layers — the geometries behind the figures, ready to write or draw. */
#ifndef CLEARCOV_LAYERS_H
#define CLEARCOV_LAYERS_H

#include <stddef.h>

#ifdef __cplusplus
extern "C" {
#endif

/* Bool values are "true" or "false". */
typedef enum {
    CCOV_VALUE_STRING = 0,
    CCOV_VALUE_INT = 1,
    CCOV_VALUE_REAL = 2,
    CCOV_VALUE_BOOL = 3,
    /* land release (synth --release): a calendar date, written as "YYYY-MM-DD" */
    CCOV_VALUE_DATE = 4
} ccov_value_type;

typedef struct {
    char *name;
    ccov_value_type type;
} ccov_column;

/* One feature: geometry as 2D ISO WKB in WGS84 longitude/latitude (EPSG:4326, x = longitude),
   possibly an empty MultiPolygon; one value per column as text (NULL for null; reals written
   with enough digits to round-trip, e.g. "%.17g"). */
typedef struct {
    long long id; /* stable feature id, 1-based within the layer */
    unsigned char *wkb;
    size_t wkb_size;
    char **values;
} ccov_row;

/* A layer of the result. Names: "coverage", "tasks", "overlaps", "outside", "regions". */
typedef struct {
    char *name;
    ccov_column *columns;
    size_t ncolumns;
    ccov_row *rows;
    size_t nrows;
} ccov_layer_table;

/* The result layers, in the order ccov_result.layers holds them. */
#define CCOV_NLAYERS 5
extern const char *const ccov_layer_names[CCOV_NLAYERS];

/* Index of the column called `name`, or -1. */
int ccov_layer_column(const ccov_layer_table *t, const char *name);

/* Release a layer's contents (not the struct itself). */
void ccov_layer_table_clear(ccov_layer_table *t);

#ifdef __cplusplus
}
#endif

#endif
