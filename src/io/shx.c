/* io_shx: a shapefile's .shx index checked against the records of its .shp (read in order, as the
 * shapefile specification lays them out), and a sound index rebuilt beside links to the other
 * files when they disagree. The input files are only read. */
/* realpath, mkdtemp and symlink */
#define _DEFAULT_SOURCE
#include "io/shx.h"

#include "clearcov/atomic.h"

#include <errno.h>
#include <fcntl.h>
#include <limits.h>
#include <stdbool.h>
#include <stdint.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <strings.h>
#include <sys/mman.h>
#include <sys/stat.h>
#include <unistd.h>

enum { SHP_HEADER = 100, SHX_ENTRY = 8, SHX_MAX_FILES = 5 };

struct ccov_shx_fix {
    char dir[PATH_MAX];
    char shp[PATH_MAX];
    char files[SHX_MAX_FILES][PATH_MAX]; /* made in dir, removed by ccov_shx_free */
    size_t nfiles;
};

/* A file mapped read-only. */
typedef struct {
    const unsigned char *p;
    size_t size;
} mapped;

static uint32_t be32(const unsigned char *p) {
    return (uint32_t)p[0] << 24 | (uint32_t)p[1] << 16 | (uint32_t)p[2] << 8 | p[3];
}

static void put_be32(unsigned char *p, uint32_t v) {
    p[0] = (unsigned char)(v >> 24);
    p[1] = (unsigned char)(v >> 16);
    p[2] = (unsigned char)(v >> 8);
    p[3] = (unsigned char)v;
}

static bool map_file(const char *path, mapped *m) {
    struct stat st;
    int fd = open(path, O_RDONLY);
    m->p = NULL;
    m->size = 0;
    if (fd < 0)
        return false;
    bool ok = fstat(fd, &st) == 0 && S_ISREG(st.st_mode) && st.st_size >= SHP_HEADER;
    void *p = ok ? mmap(NULL, (size_t)st.st_size, PROT_READ, MAP_PRIVATE, fd, 0) : MAP_FAILED;
    close(fd);
    if (p == MAP_FAILED)
        return false;
    m->p = p;
    m->size = (size_t)st.st_size;
    return true;
}

static void unmap_file(mapped *m) {
    if (m->p)
        munmap((void *)m->p, m->size);
}

/* The offset (in 16-bit words, as the .shx stores it) and content length of each record of the
   .shp, in file order: what a sound index holds. NULL when out of memory or when the records do
   not end where the file does (a truncated or damaged .shp: GDAL reports it when it reads
   there, and no index would mend it). */
static uint32_t *shp_records(const mapped *shp, size_t *n) {
    size_t cap = 1024;
    uint32_t *rec = malloc(cap * 2 * sizeof *rec);
    size_t pos = SHP_HEADER;
    *n = 0;
    while (rec && pos + 8 <= shp->size && pos / 2 <= UINT32_MAX) {
        uint32_t words = be32(shp->p + pos + 4);
        if (words > INT32_MAX || 2 * (size_t)words > shp->size - pos - 8)
            break; /* a truncated last record: GDAL reports it when it reads there */
        if (*n == cap) {
            uint32_t *grown = realloc(rec, (cap *= 2) * 2 * sizeof *rec);
            if (!grown)
                free(rec);
            rec = grown;
            if (!rec)
                break;
        }
        rec[2 * *n] = (uint32_t)(pos / 2);
        rec[2 * *n + 1] = words;
        (*n)++;
        pos += 8 + 2 * (size_t)words;
    }
    if (rec && pos != shp->size) {
        free(rec);
        rec = NULL;
    }
    return rec;
}

/* The record (in file order) that starts at `offset`, or -1. */
static long long record_at(const uint32_t *rec, size_t n, uint32_t offset) {
    size_t lo = 0, hi = n;
    while (lo < hi) {
        size_t mid = lo + (hi - lo) / 2;
        if (rec[2 * mid] < offset)
            lo = mid + 1;
        else
            hi = mid;
    }
    return lo < n && rec[2 * lo] == offset ? (long long)lo : -1;
}

/* Say how the index and the records disagree; false when they agree. */
static bool index_wrong(ccov_ctx *ctx, const char *src, const mapped *shx, const uint32_t *rec,
                        size_t n) {
    size_t entries = (shx->size - SHP_HEADER) / SHX_ENTRY, wrong = 0;
    long long first = -1, target = -1;
    for (size_t i = 0; i < entries || i < n; i++) {
        uint32_t off = i < entries ? be32(shx->p + SHP_HEADER + SHX_ENTRY * i) : 0;
        if (i < entries && i < n && off == rec[2 * i])
            continue;
        wrong++;
        if (first < 0) {
            first = (long long)i;
            target = i < entries ? record_at(rec, n, off) : -2;
        }
    }
    if (wrong == 0)
        return false;
    char what[96];
    if (target >= 0)
        snprintf(what, sizeof what, "points at the record of feature %lld", target);
    else
        snprintf(what, sizeof what, "%s", target == -2 ? "is missing" : "points at no record");
    ccov_ctx_msg(ctx, CCOV_MSG_WARNING,
                 "%s: its .shx index does not match the .shp: %zu of %zu entries wrong (the "
                 "entry of feature %lld %s), so features would count twice or vanish; read "
                 "the .shp record by record instead: %zu features, each counted once",
                 src, wrong, entries, first, what, n);
    return true;
}

/* fix->files[fix->nfiles] = dir/base.ext; false when it would not fit. */
static bool file_name(ccov_shx_fix *fix, const char *base, const char *ext) {
    char path[PATH_MAX];
    int w = snprintf(path, sizeof path, "%s/%s.%s", fix->dir, base, ext);
    if (w < 0 || (size_t)w >= sizeof path || fix->nfiles >= SHX_MAX_FILES)
        return false;
    memcpy(fix->files[fix->nfiles], path, (size_t)w + 1);
    return true;
}

/* dir/base.ext linked to (or, for the index, written from) the files beside src. */
static bool add_link(ccov_shx_fix *fix, const char *src_base, const char *base, const char *ext) {
    char from[PATH_MAX], real[PATH_MAX];
    snprintf(from, sizeof from, "%s.%s", src_base, ext);
    if (!realpath(from, real))
        return errno == ENOENT; /* an optional file that is not there */
    if (!file_name(fix, base, ext) || symlink(real, fix->files[fix->nfiles]) != 0)
        return false;
    fix->nfiles++;
    return true;
}

static bool write_index(ccov_shx_fix *fix, const char *base, const char *ext, const mapped *shp,
                        const uint32_t *rec, size_t n) {
    FILE *fp = file_name(fix, base, ext) ? fopen(fix->files[fix->nfiles], "wb") : NULL;
    if (!fp)
        return false;
    fix->nfiles++;
    unsigned char head[SHP_HEADER];
    memcpy(head, shp->p, SHP_HEADER);
    put_be32(head + 24, (uint32_t)((SHP_HEADER + SHX_ENTRY * n) / 2));
    bool ok = fwrite(head, 1, sizeof head, fp) == sizeof head;
    for (size_t i = 0; ok && i < n; i++) {
        unsigned char e[SHX_ENTRY];
        put_be32(e, rec[2 * i]);
        put_be32(e + 4, rec[2 * i + 1]);
        ok = fwrite(e, 1, sizeof e, fp) == sizeof e;
    }
    return fclose(fp) == 0 && ok;
}

/* The private folder: the .shp and its companions linked, the index rebuilt. */
static ccov_shx_fix *make_fix(const char *src, const mapped *shp, const uint32_t *rec, size_t n) {
    ccov_shx_fix *fix = calloc(1, sizeof *fix);
    const char *tmp = getenv("TMPDIR");
    if (!fix)
        return NULL;
    snprintf(fix->dir, sizeof fix->dir, "%s/clearcov-shx-XXXXXX", tmp && *tmp ? tmp : "/tmp");
    if (!mkdtemp(fix->dir)) {
        free(fix);
        return NULL;
    }
    ccov_atomic_track(fix->dir); /* removed by the signal handler too */
    size_t len = strlen(src);
    bool upper = strcmp(src + len - 3, "SHP") == 0;
    const char *slash = strrchr(src, '/');
    char src_base[PATH_MAX], base[PATH_MAX];
    snprintf(src_base, sizeof src_base, "%.*s", (int)(len - 4), src);
    snprintf(base, sizeof base, "%s", slash ? src_base + (slash + 1 - src) : src_base);
    bool ok = add_link(fix, src_base, base, src + len - 3) &&
              write_index(fix, base, upper ? "SHX" : "shx", shp, rec, n);
    static const char *const others[] = {"dbf", "DBF", "prj", "PRJ", "cpg", "CPG"};
    for (size_t i = 0; ok && i < sizeof others / sizeof *others && fix->nfiles < SHX_MAX_FILES; i++)
        ok = add_link(fix, src_base, base, others[i]);
    if (ok)
        memcpy(fix->shp, fix->files[0], sizeof fix->shp);
    if (!ok) {
        ccov_shx_free(fix);
        return NULL;
    }
    return fix;
}

ccov_status ccov_shx_check(ccov_ctx *ctx, const char *src, ccov_shx_fix **fix) {
    *fix = NULL;
    size_t len = strlen(src);
    if (len < 5 || len + 8 > PATH_MAX || strcasecmp(src + len - 4, ".shp") != 0)
        return CCOV_OK;
    char shx_path[PATH_MAX];
    snprintf(shx_path, sizeof shx_path, "%.*s.%s", (int)(len - 4), src,
             src[len - 3] == 'S' ? "SHX" : "shx");
    mapped shp, shx;
    map_file(src, &shp);
    map_file(shx_path, &shx);
    size_t n = 0;
    uint32_t *rec = shp.p && shx.p ? shp_records(&shp, &n) : NULL;
    ccov_status st = CCOV_OK;
    if (rec && index_wrong(ctx, src, &shx, rec, n)) {
        *fix = make_fix(src, &shp, rec, n);
        if (!*fix)
            st = ccov_ctx_fail(ctx, CCOV_ERR_IO,
                               "%s: cannot rebuild its index in a temporary "
                               "folder: %s",
                               src, strerror(errno));
    }
    free(rec);
    unmap_file(&shx);
    unmap_file(&shp);
    return st;
}

const char *ccov_shx_path(const ccov_shx_fix *fix) { return fix->shp; }

void ccov_shx_free(ccov_shx_fix *fix) {
    if (!fix)
        return;
    for (size_t i = fix->nfiles; i > 0; i--)
        unlink(fix->files[i - 1]);
    rmdir(fix->dir);
    ccov_atomic_forget(fix->dir);
    free(fix);
}
