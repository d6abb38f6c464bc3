/* render: the pieces of rendering that report, validate, audit and map output share (render.c).
   Internal. */
#ifndef CCOV_RENDER_H
#define CCOV_RENDER_H

#include "clearcov/coverage.h"
#include "clearcov/ctx.h"
#include "clearcov/report.h"

#include <json-c/json.h>
#include <stdio.h>

/* Text from the data (names, paths, values) in a text report, its control characters and invalid
   UTF-8 escaped (ccov_text_escape), so that it can neither forge a line nor command a terminal. */
void ccov_render_text(FILE *out, const char *s);

/* "PATH (layer LAYER, CRS", each part escaped as by ccov_render_text: the opening of a line that
   says what was read; the caller goes on and closes the parenthesis. */
void ccov_render_source(FILE *out, const char *path, const char *layer, const char *crs);

/* The display width of ccov_render_text's output: one column per code point. */
int ccov_render_text_width(const char *s);

/* A CSV field, quoted when it holds a separator, quote or line break (RFC 4180). */
void ccov_render_csv_text(FILE *out, const char *s);

/* A number with six decimals, written as such (json-c would print 17 significant digits); NULL
   (JSON null) for NaN and infinities. */
json_object *ccov_render_json_number(double v);

/* What the opening of a JSON document says about the run: the area method, the working frame, an
   extra file read (validate's claims file) and the two spatial sources. */
typedef struct {
    ccov_area_method area;
    const char *frame;
    const char *claims_file; /* NULL: no "claims_file" key */
    const ccov_input *regions, *cleared;
} ccov_render_run;

/* A new JSON object that opens as every document clearcov writes: "clearcov_version", then, when
   run is not NULL, "area_method", "working_frame", "claims_file" (when given) and "inputs"
   {"regions", "cleared"}. The caller adds its own keys after these; ccov_render_json releases it.
 */
json_object *ccov_render_json_header(const ccov_render_run *run);

/* Print a JSON document (pretty) and release it. CCOV_ERR_IO when out of memory. */
ccov_status ccov_render_json(ccov_ctx *ctx, json_object *root, FILE *out);

/* The stream's state after writing: CCOV_ERR_IO with the reason when a write failed. */
ccov_status ccov_render_finish(ccov_ctx *ctx, ccov_status st, FILE *out);

/* The writers of one kind of result in each format; res is the result given to ccov_render_write
   (each writer converts it back to its own type). */
typedef struct {
    json_object *(*json)(const void *res); /* a new document, released by ccov_render_write */
    void (*csv)(const void *res, FILE *out);
    void (*table)(const void *res, FILE *out);
} ccov_render_writers;

/* Write res in format with the writer of w for it, then ccov_render_finish: CCOV_ERR_IO with the
   reason when out of memory or a write failed. */
ccov_status ccov_render_write(ccov_ctx *ctx, const ccov_render_writers *w, const void *res,
                              ccov_format format, FILE *out);

/* Length (1..4) of the valid UTF-8 sequence at s holding a character XML allows, else 0. */
size_t ccov_render_utf8_char(const unsigned char *s);

/* s as XML character data: markup escaped, invalid UTF-8 and characters XML forbids replaced by
   U+FFFD, so that any name gives a well-formed file (s may be NULL: nothing). */
void ccov_render_xml_text(FILE *fp, const char *s);

/* s as an XML attribute value: as ccov_render_xml_text, and line ends and tabs as character
   references, so that they survive attribute-value normalisation. */
void ccov_render_xml_attr(FILE *fp, const char *s);

#endif
