/* Names: province-name matching for Lao PDR through folded keys (GNU libunistring) and an alias
 * table of romanisations and ISO 3166-2 codes. */
#include "clearcov/names.h"

#include <unicase.h>
#include <unictype.h>
#include <uninorm.h>
#include <unistr.h>

#include <limits.h>
#include <stdint.h>
#include <stdlib.h>
#include <string.h>

#define CCOV_NAMES_MAX_KEYS 16

typedef struct {
    const char *iso;
    /* Withdrawn code that data sets still carry (geoBoundaries has LA-XN for Xaisomboun). */
    const char *former_iso;
    const char *name;
    /* Folded keys (see ccov_names_fold), NULL-terminated; the canonical name's own key first. */
    const char *keys[CCOV_NAMES_MAX_KEYS];
} ccov_province;

/* A key must appear under one province only: the first match wins. */
static const ccov_province provinces[] = {
    {"LA-AT", NULL, "Attapeu", {"attapeu", "attapu", "attopeu", "attopu", NULL}},
    {"LA-BK", NULL, "Bokeo", {"bokeo", NULL}},
    {"LA-BL",
     NULL,
     "Bolikhamxay",
     {"bolikhamxay", "bolikhamxai", "bolikhamsai", "bolikhamsay", "borikhamxay", "borikhamxai",
      "borikhamsai", "borikhamzay", "borikhane", "borikane", "borikhan", NULL}},
    {"LA-CH", NULL, "Champasak", {"champasak", "champassak", "champasack", "champassack", NULL}},
    {"LA-HO",
     NULL,
     "Houaphanh",
     {"houaphanh", "houaphan", "houaphane", "huaphan", "huaphanh", "samneua", "xamneua", NULL}},
    {"LA-KH", NULL, "Khammouane", {"khammouane", "khammouan", "khammuan", "khammuane", NULL}},
    {"LA-LM", NULL, "Luang Namtha", {"luangnamtha", "louangnamtha", NULL}},
    {"LA-LP",
     NULL,
     "Luang Prabang",
     {"luangprabang", "louangphrabang", "louangphabang", "luangphabang", "louangprabang",
      "luangphrabang", NULL}},
    {"LA-OU",
     NULL,
     "Oudomxay",
     {"oudomxay", "oudomxai", "oudomsay", "oudomsai", "udomxay", "udomxai", NULL}},
    {"LA-PH", NULL, "Phongsaly", {"phongsaly", "phongsali", NULL}},
    {"LA-SL", NULL, "Salavan", {"salavan", "saravan", "saravane", "salavane", NULL}},
    {"LA-SV", NULL, "Savannakhet", {"savannakhet", NULL}},
    /* Bare "Vientiane" is the province, as in Natural Earth and geoBoundaries. */
    {"LA-VI", NULL, "Vientiane Province", {"vientianeprovince", "vientiane", "viangchan", NULL}},
    {"LA-VT",
     NULL,
     "Vientiane Capital",
     {"vientianecapital", "vientianeprefecture", "viangchanprefecture", "viangchancapital",
      "vientianemunicipality", "kamphaengnakhonviangchan", "kamphaengnakhonvientiane", NULL}},
    {"LA-XA",
     NULL,
     "Xayabouri",
     {"xayabouri", "xaignabouri", "xaignabouli", "sayabouri", "sayaboury", "xayabury", "xayaboury",
      "xayaburi", "sayaburi", "sainyabuli", NULL}},
    {"LA-XE", NULL, "Sekong", {"sekong", "xekong", NULL}},
    {"LA-XI",
     NULL,
     "Xieng Khouang",
     {"xiengkhouang", "xiangkhoang", "xiangkhouang", "xiengkhoang", "xiengkhwang", "xiengkhuang",
      "xiangkhuang", NULL}},
    {"LA-XS", "LA-XN", "Xaisomboun", {"xaisomboun", "xaysomboun", "saysomboun", NULL}},
};

#define CCOV_NAMES_COUNT (sizeof provinces / sizeof provinces[0])

static char ascii_lower(char c) { return (c >= 'A' && c <= 'Z') ? (char)(c - 'A' + 'a') : c; }

static bool ascii_ieq(const char *a, const char *b, size_t n) {
    for (size_t i = 0; i < n; i++) {
        if (ascii_lower(a[i]) != ascii_lower(b[i]))
            return false;
    }
    return true;
}

static bool is_ascii_alnum(ucs4_t c) { return (c >= 'a' && c <= 'z') || (c >= '0' && c <= '9'); }

/* Appends the ASCII letters and digits of an NFKD string to key; returns the count. key must hold
   n bytes: each code point yields at most one byte. */
static size_t keep_ascii_alnum(const uint8_t *s, size_t n, char *key) {
    size_t len = 0;
    while (n > 0) {
        ucs4_t uc = 0;
        int step = u8_mbtouc(&uc, s, n);
        s += step;
        n -= (size_t)step;
        if (uc_is_general_category(uc, UC_CATEGORY_M))
            continue;
        uc = uc_tolower(uc);
        if (is_ascii_alnum(uc))
            key[len++] = (char)uc;
    }
    key[len] = '\0';
    return len;
}

/* The folded key of utf8, malloc'd (caller frees with free()), or NULL for invalid UTF-8 or no
   memory. Unbounded because NFKD can expand one code point into many letters (U+FDFA). */
static char *fold_alloc(const char *utf8, size_t *keylen) {
    const uint8_t *s = (const uint8_t *)utf8;
    size_t n = strlen(utf8);
    if (u8_check(s, n) != NULL)
        return NULL;
    size_t dn = 0;
    uint8_t *d = n > 0 ? u8_normalize(UNINORM_NFKD, s, n, NULL, &dn) : NULL;
    if (n > 0 && d == NULL)
        return NULL;
    char *key = malloc(dn + 1);
    if (key != NULL)
        *keylen = keep_ascii_alnum(d, dn, key);
    /* libunistring returns plain malloc'd memory and documents free() for it. */
    free(d);
    return key;
}

int ccov_names_fold(const char *utf8, char *out, size_t outsz) {
    if (out != NULL && outsz > 0)
        out[0] = '\0';
    if (utf8 == NULL || out == NULL)
        return -1;
    size_t len = 0;
    char *key = fold_alloc(utf8, &len);
    int rc = -1;
    if (key != NULL && len < outsz && len <= INT_MAX) {
        memcpy(out, key, len + 1);
        rc = (int)len;
    }
    free(key);
    return rc;
}

/* The subdivision part of an ISO 3166-2 code: surrounding spaces and a leading "LA-" removed. */
static const char *iso_bare(const char *s, size_t *len) {
    while (*s == ' ' || *s == '\t')
        s++;
    size_t n = strlen(s);
    while (n > 0 && (s[n - 1] == ' ' || s[n - 1] == '\t'))
        n--;
    if (n >= 3 && ascii_ieq(s, "LA-", 3)) {
        s += 3;
        n -= 3;
    }
    *len = n;
    return s;
}

static bool iso_equal(const char *a, const char *b) {
    size_t alen = 0;
    size_t blen = 0;
    const char *abare = iso_bare(a, &alen);
    const char *bbare = iso_bare(b, &blen);
    return alen > 0 && alen == blen && ascii_ieq(abare, bbare, alen);
}

static const ccov_province *find_by_code(const char *code) {
    if (code == NULL)
        return NULL;
    for (size_t i = 0; i < CCOV_NAMES_COUNT; i++) {
        const ccov_province *p = &provinces[i];
        if (iso_equal(code, p->iso) || (p->former_iso != NULL && iso_equal(code, p->former_iso)))
            return p;
    }
    return NULL;
}

static const ccov_province *find_by_exact_key(const char *key, size_t len) {
    for (size_t i = 0; i < CCOV_NAMES_COUNT; i++) {
        for (const char *const *k = provinces[i].keys; *k != NULL; k++) {
            if (strlen(*k) == len && memcmp(*k, key, len) == 0)
                return &provinces[i];
        }
    }
    return NULL;
}

/* Data sets append "Province" at will ("Attapeu Province"); "Prefecture" is not dropped because
   "Vientiane Prefecture" is the capital while bare "Vientiane" is the province. */
static const ccov_province *find_by_key(const char *key, size_t len) {
    static const char suffix[] = "province";
    const size_t slen = sizeof suffix - 1;
    const ccov_province *p = find_by_exact_key(key, len);
    if (p == NULL && len > slen && memcmp(key + len - slen, suffix, slen) == 0)
        p = find_by_exact_key(key, len - slen);
    return p;
}

static const ccov_province *find_province(const char *name) {
    if (name == NULL)
        return NULL;
    const ccov_province *p = find_by_code(name);
    if (p != NULL)
        return p;
    size_t len = 0;
    char *key = fold_alloc(name, &len);
    if (key == NULL)
        return NULL;
    p = len > 0 ? find_by_key(key, len) : NULL;
    free(key);
    return p;
}

const char *ccov_names_canonical(const char *name) {
    const ccov_province *p = find_province(name);
    return p != NULL ? p->name : NULL;
}

const char *ccov_names_iso(const char *name) {
    const ccov_province *p = find_province(name);
    return p != NULL ? p->iso : NULL;
}

/* Empty keys never match: two names in Lao script both fold to "". */
static bool keys_equal(const char *a, const char *b) {
    size_t alen = 0;
    size_t blen = 0;
    char *akey = fold_alloc(a, &alen);
    char *bkey = b != NULL ? fold_alloc(b, &blen) : NULL;
    bool eq = akey != NULL && bkey != NULL && alen > 0 && alen == blen && !memcmp(akey, bkey, alen);
    free(bkey);
    free(akey);
    return eq;
}

bool ccov_names_match(const char *query, const char *region_name, const char *region_iso) {
    if (query == NULL)
        return false;
    if (keys_equal(query, region_name))
        return true;
    const ccov_province *q = find_province(query);
    if (q != NULL && (q == find_province(region_name) || q == find_by_code(region_iso)))
        return true;
    return region_iso != NULL && iso_equal(query, region_iso);
}

/* ---- text for terminals and JSON ---- */

/* A bounded output that counts every byte, written or not (snprintf's contract). A unit (one
   character or one escape) is written whole or not at all, so truncation never splits one. */
typedef struct {
    char *out;
    size_t size;
    size_t pos;     /* bytes of the whole result */
    size_t written; /* bytes in out */
} text_buf;

static void text_put(text_buf *b, const void *s, size_t n) {
    if (b->written == b->pos && b->pos + n < b->size) {
        memcpy(b->out + b->pos, s, n);
        b->written += n;
    }
    b->pos += n;
}

static size_t text_finish(text_buf *b) {
    if (b->size > 0)
        b->out[b->written] = '\0';
    return b->pos;
}

static bool needs_escape(ucs4_t c) {
    return c < 0x20 || (c >= 0x7F && c <= 0x9F) || c == 0x200E || c == 0x200F || c == 0x2028 ||
           c == 0x2029 || (c >= 0x202A && c <= 0x202E) || (c >= 0x2066 && c <= 0x2069);
}

static void put_escape(text_buf *b, ucs4_t c) {
    static const char hex[] = "0123456789abcdef";
    char e[8] = {'\\', 0};
    size_t n = 2;
    if (c == '\t' || c == '\n' || c == '\r' || c == 0x1B) {
        e[1] = c == '\t' ? 't' : c == '\n' ? 'n' : c == '\r' ? 'r' : 'e';
    } else if (c < 0x80) {
        e[1] = 'x';
        e[2] = hex[c >> 4];
        e[3] = hex[c & 0xF];
        n = 4;
    } else {
        e[1] = 'u';
        for (int i = 0; i < 4; i++)
            e[2 + i] = hex[(c >> (12 - 4 * i)) & 0xF];
        n = 6;
    }
    text_put(b, e, n);
}

/* An invalid byte as \xNN. */
static void put_byte_escape(text_buf *b, uint8_t byte) {
    static const char hex[] = "0123456789abcdef";
    char e[4] = {'\\', 'x', hex[byte >> 4], hex[byte & 0xF]};
    text_put(b, e, sizeof e);
}

/* Latin-1: the byte is the code point, U+0080..U+00FF in two bytes of UTF-8. */
static void put_latin1(text_buf *b, uint8_t byte) {
    char two[2] = {(char)(0xC0 | (byte >> 6)), (char)(0x80 | (byte & 0x3F))};
    text_put(b, two, sizeof two);
}

/* s copied into out: invalid bytes escaped or read as Latin-1, and with `escape` the characters
   that could command a terminal escaped too. Returns the length the whole text needs. */
static size_t text_walk(const char *s, char *out, size_t outsz, bool escape) {
    text_buf b = {out, outsz, 0, 0};
    const uint8_t *p = (const uint8_t *)(s ? s : "");
    size_t left = strlen((const char *)p);
    while (left > 0) {
        ucs4_t c = 0;
        int step = u8_mbtoucr(&c, p, left);
        if (step < 0 && escape)
            put_byte_escape(&b, *p);
        else if (step < 0)
            put_latin1(&b, *p);
        else if (escape && needs_escape(c))
            put_escape(&b, c);
        else
            text_put(&b, p, (size_t)step);
        step = step < 0 ? 1 : step;
        p += step;
        left -= (size_t)step;
    }
    return text_finish(&b);
}

size_t ccov_text_escape(const char *s, char *out, size_t outsz) {
    return text_walk(s, out, outsz, true);
}

size_t ccov_text_utf8(const char *s, char *out, size_t outsz) {
    return text_walk(s, out, outsz, false);
}

/* ---- suggestions ---- */

#define CCOV_NAMES_DIST_MAX 255

size_t ccov_names_distance(const char *a, const char *b) {
    size_t m = strlen(a), n = strlen(b);
    if (m > CCOV_NAMES_DIST_MAX || n > CCOV_NAMES_DIST_MAX)
        return SIZE_MAX;
    /* Three rows of the table: i-2, i-1, i. */
    size_t rows[3][CCOV_NAMES_DIST_MAX + 1];
    for (size_t j = 0; j <= n; j++)
        rows[1][j] = j;
    for (size_t i = 1; i <= m; i++) {
        size_t *cur = rows[(i + 1) % 3], *up = rows[i % 3], *up2 = rows[(i + 2) % 3];
        cur[0] = i;
        for (size_t j = 1; j <= n; j++) {
            char ca = ascii_lower(a[i - 1]), cb = ascii_lower(b[j - 1]);
            size_t best = up[j - 1] + (ca != cb);
            best = up[j] + 1 < best ? up[j] + 1 : best;
            best = cur[j - 1] + 1 < best ? cur[j - 1] + 1 : best;
            if (i > 1 && j > 1 && ca == ascii_lower(b[j - 2]) && ascii_lower(a[i - 2]) == cb &&
                up2[j - 2] + 1 < best)
                best = up2[j - 2] + 1;
            cur[j] = best;
        }
    }
    return rows[(m + 1) % 3][n];
}

bool ccov_names_near(const char *query, const char *candidate, size_t *distance) {
    size_t qlen = 0, clen = 0;
    char *q = fold_alloc(query, &qlen);
    char *c = candidate ? fold_alloc(candidate, &clen) : NULL;
    size_t d = q && c && qlen > 0 && clen > 0 ? ccov_names_distance(q, c) : SIZE_MAX;
    free(c);
    free(q);
    size_t limit = qlen / 3 < 1 ? 1 : qlen / 3 > 3 ? 3 : qlen / 3;
    *distance = d;
    return d <= limit;
}
