/* io: the bbox of a GeoJSON collection that GDAL wrote without one (issue 15).

   GDAL's GeoJSON writer (WRITE_BBOX=YES) reserves a line of spaces after the collection's "name"
   and fills it when the file is closed, but only when some feature has a non-empty geometry: an
   empty layer keeps the blank line and no bbox. The bbox is written into that line here, in
   GDAL's own form ("bbox": [ W, S, E, N ], with the layer's decimals), so the file keeps its size
   and looks as if GDAL had written it. */
#include "io/io.h"

#include <errno.h>
#include <math.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <unistd.h>

/* GDAL writes the collection's members within the first lines; this is ample. */
enum { HEAD_BYTES = 4096, MIN_ROOM = 40 };

/* The file's head up to its "features" member (NUL-terminated); its length, 0 when not found. */
static size_t read_head(FILE *fp, char *head) {
    size_t n = fread(head, 1, HEAD_BYTES - 1, fp);
    head[n] = '\0';
    char *features = strstr(head, "\n\"features\":");
    if (!features)
        return 0;
    *features = '\0';
    return (size_t)(features - head);
}

/* The reserved room: the first run of at least MIN_ROOM spaces in the head; its offset and
   length (false when there is none). */
static bool find_room(const char *head, size_t n, size_t *at, size_t *len) {
    for (size_t i = 0; i < n; i++) {
        size_t run = strspn(head + i, " ");
        if (run >= MIN_ROOM) {
            *at = i;
            *len = run;
            return true;
        }
        i += run;
    }
    return false;
}

bool ccov_io_geojson_bbox_get(const char *file, double ll[4]) {
    char head[HEAD_BYTES];
    FILE *fp = fopen(file, "rb");
    size_t n = fp ? read_head(fp, head) : 0;
    if (fp)
        fclose(fp);
    const char *p = n ? strstr(head, "\"bbox\": [") : NULL;
    if (!p)
        return false;
    p += strlen("\"bbox\": [");
    for (int i = 0; i < 4; i++) {
        char *end = NULL;
        ll[i] = strtod(p, &end);
        if (end == p || !isfinite(ll[i]))
            return false;
        p = end + strspn(end, " ,");
    }
    return true;
}

/* Write text at offset `at` of the open file, every step checked. */
static bool put_at(FILE *fp, long at, const char *text) {
    size_t n = strlen(text);
    return fseek(fp, at, SEEK_SET) == 0 && fwrite(text, 1, n, fp) == n && fflush(fp) == 0 &&
           fsync(fileno(fp)) == 0;
}

ccov_status ccov_io_geojson_bbox_fill(ccov_ctx *ctx, const char *file, const char *shown,
                                      const double ll[4], int precision) {
    char head[HEAD_BYTES], text[256];
    errno = 0;
    FILE *fp = fopen(file, "r+b");
    size_t n = fp ? read_head(fp, head) : 0;
    size_t at = 0, room = 0;
    bool ok = fp != NULL;
    if (n && !strstr(head, "\"bbox\":") && find_room(head, n, &at, &room)) {
        int len = snprintf(text, sizeof text, "\"bbox\": [ %.*f, %.*f, %.*f, %.*f ],", precision,
                           ll[0], precision, ll[1], precision, ll[2], precision, ll[3]);
        /* No room (never with GDAL's 130 spaces): the file stays as GDAL wrote it. */
        if (len > 0 && (size_t)len <= room)
            ok = put_at(fp, (long)at, text);
    }
    int err = errno;
    ok = fp && fclose(fp) == 0 && ok;
    return ok ? CCOV_OK
              : ccov_ctx_fail(ctx, CCOV_ERR_IO, "%s: write error: %s", shown,
                              strerror(err     ? err
                                       : errno ? errno
                                               : EIO));
}
