/* Connection strings: the password of a database connection (PG:, postgresql://) never leaves
   the process in a message, a report or a layer. */
#include "clearcov/names.h"

#include <stdbool.h>
#include <string.h>
#include <strings.h>

#define CCOV_MASK "***"

typedef struct {
    char *out;
    size_t size, len;
} mask_buf;

static void put(mask_buf *b, const char *s, size_t n) {
    for (size_t i = 0; i < n; i++, b->len++)
        if (b->size && b->len < b->size - 1)
            b->out[b->len] = s[i];
}

static bool word_char(char c) {
    return (c >= 'a' && c <= 'z') || (c >= 'A' && c <= 'Z') || (c >= '0' && c <= '9') || c == '_';
}

static bool space(char c) { return c == ' ' || c == '\t' || c == '\n' || c == '\r'; }

/* Length of `password =` at s (keyword/value or URI query form), 0 when s does not start one. */
static size_t password_key(const char *text, const char *s) {
    if ((s > text && word_char(s[-1])) || strncasecmp(s, "password", 8) != 0)
        return 0;
    size_t i = 8;
    while (space(s[i]))
        i++;
    if (s[i] != '=')
        return 0;
    for (i++; space(s[i]); i++)
        ;
    return i;
}

/* Length of the value at s: a quoted libpq value (backslash escapes) or text up to a space, an
   ampersand (URI query) or the end; a value masked already is left as it is (a message naming a
   masked source then keeps its own punctuation). */
static size_t password_value(const char *s) {
    size_t i = 0;
    if (strncmp(s, CCOV_MASK, strlen(CCOV_MASK)) == 0)
        return strlen(CCOV_MASK);
    if (s[i] == '\'') {
        for (i++; s[i] && s[i] != '\''; i++)
            if (s[i] == '\\' && s[i + 1])
                i++;
        return s[i] ? i + 1 : i;
    }
    while (s[i] && !space(s[i]) && s[i] != '&' && s[i] != '"')
        i++;
    return i;
}

/* At s = "://": the offsets (from s) of a user information's password, [*from, *to), when the
   authority has one (scheme://user:password@host). */
static bool uri_password(const char *s, size_t *from, size_t *to) {
    size_t end = 3, at = 0, colon = 0;
    for (; s[end] && !strchr("/?# \t\n\"'", s[end]); end++)
        if (s[end] == '@')
            at = end;
    for (size_t i = 3; i < at && !colon; i++)
        colon = s[i] == ':' ? i : 0;
    *from = colon + 1;
    *to = at;
    return at && colon;
}

size_t ccov_text_mask_password(const char *s, char *out, size_t outsz) {
    mask_buf b = {out, outsz, 0};
    size_t from, to, key;
    for (const char *p = s; p && *p;) {
        key = password_key(s, p);
        if (key) {
            put(&b, p, key);
            put(&b, CCOV_MASK, strlen(CCOV_MASK));
            p += key + password_value(p + key);
        } else if (strncmp(p, "://", 3) == 0 && uri_password(p, &from, &to)) {
            put(&b, p, from);
            put(&b, CCOV_MASK, strlen(CCOV_MASK));
            p += to;
        } else {
            put(&b, p++, 1);
        }
    }
    if (outsz)
        out[b.len < outsz ? b.len : outsz - 1] = '\0';
    return b.len;
}
