/* map_png: the SVG map rendered to PNG with librsvg onto a cairo image surface. */
#include "output/map_png.h"

#ifdef CCOV_HAVE_RSVG
#include <cairo.h>
#include <librsvg/rsvg.h>
#include <math.h>

bool ccov_map_png_available(void) { return true; }

static cairo_status_t write_out(void *closure, const unsigned char *data, unsigned int len) {
    return fwrite(data, 1, len, closure) == len ? CAIRO_STATUS_SUCCESS : CAIRO_STATUS_WRITE_ERROR;
}

/* The page drawn on a white-less (transparent) surface of the SVG's size; the map paints its
   own white page. */
static ccov_status draw(ccov_ctx *ctx, RsvgHandle *h, FILE *out, const char *png_name) {
    gdouble w = 0, ht = 0;
    GError *err = NULL;
    if (!rsvg_handle_get_intrinsic_size_in_pixels(h, &w, &ht) || w < 1 || ht < 1 || w > 32767 ||
        ht > 32767)
        return ccov_ctx_fail(ctx, CCOV_ERR_IO, "%s: the map has no size in pixels", png_name);
    cairo_surface_t *s =
        cairo_image_surface_create(CAIRO_FORMAT_ARGB32, (int)ceil(w), (int)ceil(ht));
    cairo_t *cr = cairo_create(s);
    RsvgRectangle page = {0, 0, w, ht};
    ccov_status st = CCOV_OK;
    if (cairo_surface_status(s) != CAIRO_STATUS_SUCCESS)
        st = ccov_ctx_fail(ctx, CCOV_ERR_IO, "%s: cannot make a %.0f x %.0f px image: %s", png_name,
                           ceil(w), ceil(ht), cairo_status_to_string(cairo_surface_status(s)));
    else if (!rsvg_handle_render_document(h, cr, &page, &err))
        st = ccov_ctx_fail(ctx, CCOV_ERR_IO, "%s: cannot render the map: %s", png_name,
                           err ? err->message : "librsvg failed");
    else if (cairo_status(cr) != CAIRO_STATUS_SUCCESS ||
             cairo_surface_write_to_png_stream(s, write_out, out) != CAIRO_STATUS_SUCCESS)
        st = ccov_ctx_fail(ctx, CCOV_ERR_IO, "%s: cannot write the PNG", png_name);
    g_clear_error(&err);
    cairo_destroy(cr);
    cairo_surface_destroy(s);
    return st;
}

ccov_status ccov_map_png_render(ccov_ctx *ctx, const char *svg_path, FILE *out,
                                const char *png_name) {
    GError *err = NULL;
    RsvgHandle *h = rsvg_handle_new_from_file(svg_path, &err);
    if (!h) {
        ccov_status st = ccov_ctx_fail(ctx, CCOV_ERR_IO, "%s: cannot read the SVG map: %s",
                                       png_name, err ? err->message : "librsvg failed");
        g_clear_error(&err);
        return st;
    }
    ccov_status st = draw(ctx, h, out, png_name);
    g_object_unref(h);
    return st;
}

#else

bool ccov_map_png_available(void) { return false; }

ccov_status ccov_map_png_render(ccov_ctx *ctx, const char *svg_path, FILE *out,
                                const char *png_name) {
    (void)svg_path;
    (void)out;
    return ccov_ctx_fail(ctx, CCOV_ERR_IO,
                         "%s: this clearcov was built without librsvg (librsvg2-dev): no PNG",
                         png_name);
}

#endif
