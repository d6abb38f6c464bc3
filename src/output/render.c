/* render: what every text, CSV and JSON output of clearcov shares (report, validate, audit and
   map): text from the data escaped for a terminal, CSV fields quoted, numbers formatted, the
   opening of every JSON document, and the JSON written as valid UTF-8. */
#include "output/render.h"
#include "clearcov/names.h"
#include "clearcov/report.h"

#include <json-c/json.h>

#include <errno.h>
#include <math.h>
#include <stdbool.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <unistr.h>

/* Declared in clearcov/report.h (public); validate, audit and map use it too, so it lives here. */
const char *ccov_report_number(double v, int decimals, char *buf, size_t n) {
    char plain[64];
    snprintf(plain, sizeof plain, "%.*f", decimals, fabs(v) < 0.5e-12 ? 0.0 : v);
    const char *digits = plain + (plain[0] == '-');
    size_t intlen = strcspn(digits, ".");
    size_t out = 0;
    if (plain[0] == '-' && out + 1 < n)
        buf[out++] = '-';
    for (size_t i = 0; digits[i] && out + 1 < n; i++) {
        if (i > 0 && i < intlen && (intlen - i) % 3 == 0 && out + 2 < n)
            buf[out++] = ',';
        buf[out++] = digits[i];
    }
    buf[out] = '\0';
    return buf;
}

/* Display width of a UTF-8 string: one column per code point. */
static int utf8_width(const char *s) {
    int w = 0;
    for (; *s; s++)
        w += ((unsigned char)*s & 0xC0) != 0x80;
    return w;
}

/* The escaped text in buf when it fits, else in a malloc'd copy (*owned, freed by the caller). */
static const char *escaped(const char *s, char *buf, size_t n, char **owned) {
    *owned = NULL;
    size_t len = ccov_text_escape(s, buf, n);
    if (len < n)
        return buf;
    *owned = malloc(len + 1);
    if (!*owned)
        return buf; /* out of memory: the text cut short rather than not at all */
    ccov_text_escape(s, *owned, len + 1);
    return *owned;
}

void ccov_render_text(FILE *out, const char *s) {
    char buf[512];
    char *owned = NULL;
    fputs(escaped(s, buf, sizeof buf, &owned), out);
    free(owned);
}

void ccov_render_source(FILE *out, const char *path, const char *layer, const char *crs) {
    ccov_render_text(out, path);
    fputs(" (layer ", out);
    ccov_render_text(out, layer);
    fputs(", ", out);
    ccov_render_text(out, crs);
}

int ccov_render_text_width(const char *s) {
    char buf[512];
    char *owned = NULL;
    int w = utf8_width(escaped(s, buf, sizeof buf, &owned));
    free(owned);
    return w;
}

/* True when s holds a byte that a CSV field must be quoted for: separator, quote, line break, or
   another control character (kept as it is, but inside quotes so that readers see one field). */
static bool csv_needs_quotes(const char *s) {
    for (; *s; s++)
        if (*s == ',' || *s == '"' || (unsigned char)*s < 0x20 || *s == 0x7F)
            return true;
    return false;
}

void ccov_render_csv_text(FILE *out, const char *s) {
    if (!csv_needs_quotes(s)) {
        fputs(s, out);
        return;
    }
    fputc('"', out);
    for (; *s; s++) {
        if (*s == '"')
            fputc('"', out);
        fputc(*s, out);
    }
    fputc('"', out);
}

json_object *ccov_render_json_number(double v) {
    if (!isfinite(v))
        return NULL;
    char text[64];
    snprintf(text, sizeof text, "%.6f", fabs(v) < 0.5e-6 ? 0.0 : v);
    return json_object_new_double_s(v, text);
}

static void json_put(json_object *obj, const char *key, json_object *value) {
    json_object_object_add(obj, key, value);
}

/* What was read from one source: path, layer, crs, operation, features, used. */
static json_object *json_input(const ccov_input *in) {
    json_object *o = json_object_new_object();
    json_put(o, "path", json_object_new_string(in->path));
    json_put(o, "layer", json_object_new_string(in->layer));
    json_put(o, "crs", json_object_new_string(in->crs));
    json_put(o, "operation", json_object_new_string(in->operation));
    json_put(o, "features", json_object_new_int64(in->features));
    json_put(o, "used", json_object_new_int64(in->used));
    if (in->credit) /* issue 15: the boundary data recognised */
        json_put(o, "credit", json_object_new_string(in->credit));
    return o;
}

json_object *ccov_render_json_header(const ccov_render_run *run) {
    json_object *root = json_object_new_object();
    json_put(root, "clearcov_version", json_object_new_string(CCOV_VERSION));
    if (!run)
        return root;
    json_put(root, "area_method",
             json_object_new_string(run->area == CCOV_AREA_GEODESIC ? "geodesic" : "planar"));
    json_put(root, "working_frame", json_object_new_string(run->frame));
    if (run->claims_file)
        json_put(root, "claims_file", json_object_new_string(run->claims_file));
    json_object *inputs = json_object_new_object();
    json_put(inputs, "regions", json_input(run->regions));
    json_object *cleared = json_input(run->cleared);
    /* the bundled synthetic sample: a verdict on it says nothing about real records */
    if (ccov_coverage_is_sample(run->cleared->path))
        json_put(cleared, "synthetic", json_object_new_boolean(1));
    json_put(inputs, "cleared", cleared);
    json_put(root, "inputs", inputs);
    return root;
}

/* Every string of a JSON document as valid UTF-8 (file names and text from the data may be
   Latin-1 or anything): invalid bytes are read as Latin-1 (ccov_text_utf8). False when out of
   memory. */
static bool json_valid_utf8(json_object *o) {
    if (json_object_is_type(o, json_type_array)) {
        for (size_t i = 0; i < json_object_array_length(o); i++)
            if (!json_valid_utf8(json_object_array_get_idx(o, i)))
                return false;
    } else if (json_object_is_type(o, json_type_object)) {
        json_object_object_foreach(o, key, value) {
            (void)key;
            if (!json_valid_utf8(value))
                return false;
        }
    } else if (json_object_is_type(o, json_type_string)) {
        const char *s = json_object_get_string(o);
        size_t n = ccov_text_utf8(s, NULL, 0);
        if (n == strlen(s))
            return true;
        char *fixed = malloc(n + 1);
        bool ok = fixed != NULL;
        if (ok)
            ccov_text_utf8(s, fixed, n + 1);
        ok = ok && json_object_set_string(o, fixed);
        free(fixed);
        return ok;
    }
    return true;
}

ccov_status ccov_render_json(ccov_ctx *ctx, json_object *root, FILE *out) {
    if (root && !json_valid_utf8(root)) {
        json_object_put(root);
        root = NULL;
    }
    const char *text = root ? json_object_to_json_string_ext(
                                  root, JSON_C_TO_STRING_PRETTY | JSON_C_TO_STRING_NOSLASHESCAPE)
                            : NULL;
    ccov_status st = text ? CCOV_OK : ccov_ctx_fail(ctx, CCOV_ERR_IO, "out of memory");
    if (text)
        fprintf(out, "%s\n", text);
    json_object_put(root);
    return st;
}

ccov_status ccov_render_finish(ccov_ctx *ctx, ccov_status st, FILE *out) {
    if (st == CCOV_OK && (fflush(out) != 0 || ferror(out)))
        st = ccov_ctx_fail(ctx, CCOV_ERR_IO, "write error: %s", strerror(errno));
    return st;
}

ccov_status ccov_render_write(ccov_ctx *ctx, const ccov_render_writers *w, const void *res,
                              ccov_format format, FILE *out) {
    ccov_status st = CCOV_OK;
    if (format == CCOV_FORMAT_JSON)
        st = ccov_render_json(ctx, w->json(res), out);
    else if (format == CCOV_FORMAT_CSV)
        w->csv(res, out);
    else
        w->table(res, out);
    return ccov_render_finish(ctx, st, out);
}

/* ---- XML (the SVG map and chart) ---- */

/* Length (1..4) of the valid UTF-8 sequence at s holding a character XML allows, else 0. The
   decoding (overlong forms, surrogates, code points past U+10FFFF) is libunistring's. */
size_t ccov_render_utf8_char(const unsigned char *s) {
    ucs4_t cp = 0;
    int len = u8_mbtoucr(&cp, s, strnlen((const char *)s, 4));
    if (len <= 0 || cp == 0xFFFE || cp == 0xFFFF)
        return 0;
    return cp < 0x20 && cp != '\t' && cp != '\n' && cp != '\r' ? 0 : (size_t)len;
}

/* The character reference of c, or NULL when c stands for itself; in an attribute value also
   line ends and tabs, which XML would otherwise read back as spaces. */
static const char *xml_reference(unsigned char c, bool attribute) {
    switch (c) {
    case '&':
        return "&amp;";
    case '<':
        return "&lt;";
    case '>':
        return "&gt;";
    case '"':
        return "&quot;";
    case '\'':
        return "&#39;";
    case '\n':
        return attribute ? "&#10;" : NULL;
    case '\r':
        return attribute ? "&#13;" : NULL;
    case '\t':
        return attribute ? "&#9;" : NULL;
    default:
        return NULL;
    }
}

/* s escaped for XML: invalid UTF-8 and characters XML forbids replaced by U+FFFD. */
static void xml_escaped(FILE *fp, const char *s, bool attribute) {
    for (const unsigned char *p = (const unsigned char *)(s ? s : ""); *p;) {
        size_t len = ccov_render_utf8_char(p);
        const char *ref = len == 1 ? xml_reference(*p, attribute) : NULL;
        if (len == 0)
            fputs("\xEF\xBF\xBD", fp);
        else if (ref)
            fputs(ref, fp);
        else
            fwrite(p, 1, len, fp);
        p += len ? len : 1;
    }
}

void ccov_render_xml_text(FILE *fp, const char *s) { xml_escaped(fp, s, false); }

void ccov_render_xml_attr(FILE *fp, const char *s) { xml_escaped(fp, s, true); }
