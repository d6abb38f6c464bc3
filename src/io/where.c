/* io/where: the text of an attribute filter (--where, a claims file's where), checked before
   GDAL or SQLite sees it. Plain text work: no GDAL call. */
#include "io/where.h"

#include <ctype.h>
#include <stdarg.h>
#include <stdio.h>
#include <string.h>
#include <strings.h>

typedef enum { TOK_NONE, TOK_WORD, TOK_QUOTED, TOK_OTHER } tok_kind;

typedef struct {
    const char *p;
    int depth;
    tok_kind last;
    bool after_in; /* the last token was the word IN */
    bool plain;
    char name[64]; /* the last word or quoted name, for a call */
    char quote;    /* the opening quote of the last quoted token */
    char *why;
    size_t n;
} where_scan;

/* What a claims file's where may call: each bounded by the size of its arguments. */
static const char *const CALLABLE[] = {
    "lower", "upper",    "substr", "substring", "length", "trim", "ltrim",  "rtrim", "abs",
    "round", "coalesce", "ifnull", "nullif",    "instr",  "cast", "concat", NULL};
/* Words that may stand before a '(' without being a call. */
static const char *const BEFORE_PAREN[] = {"in",   "and",   "or",   "not",  "between",
                                           "like", "ilike", "glob", "is",   "escape",
                                           "case", "when",  "then", "else", NULL};
/* Words that only a query, not a filter, needs. */
static const char *const QUERY_WORDS[] = {"select",    "with",   "recursive", "from",   "union",
                                          "intersect", "except", "values",    "pragma", "attach",
                                          "detach",    "regexp", "match",     "exists", NULL};

static bool word_in(const char *w, const char *const *list) {
    for (; *list; list++)
        if (strcasecmp(w, *list) == 0)
            return true;
    return false;
}

__attribute__((format(printf, 2, 3))) static bool scan_fail(where_scan *s, const char *fmt, ...) {
    va_list ap;
    va_start(ap, fmt);
    vsnprintf(s->why, s->n, fmt, ap);
    va_end(ap);
    return false;
}

static void scan_name(where_scan *s, const char *start, size_t len, tok_kind kind) {
    if (len >= sizeof s->name)
        len = sizeof s->name - 1;
    memcpy(s->name, start, len);
    s->name[len] = '\0';
    s->last = kind;
}

/* A quoted string or name, from its opening character; a doubled quote stands for one. */
static bool scan_quoted(where_scan *s) {
    char open = *s->p, close = open == '[' ? ']' : open;
    const char *start = ++s->p;
    while (*s->p && (*s->p != close || (close != ']' && s->p[1] == close))) {
        if (close != ']' && s->p[0] == '\\' && s->p[1] == close)
            return scan_fail(s,
                             "a backslash before a quote (\\%c) is an escape for OGR SQL but "
                             "not for SQLite, so where the string ends is unclear",
                             close);
        s->p += *s->p == close ? 2 : 1;
    }
    if (!*s->p)
        return scan_fail(s, "a quote (%c) is not closed", open);
    s->quote = open;
    scan_name(s, start, (size_t)(s->p++ - start), TOK_QUOTED);
    return true;
}

static bool word_char(char c) {
    return isalnum((unsigned char)c) || c == '_' || (unsigned char)c >= 0x80;
}

static bool scan_word(where_scan *s) {
    const char *start = s->p;
    while (word_char(*s->p))
        s->p++;
    scan_name(s, start, (size_t)(s->p - start),
              isdigit((unsigned char)*start) ? TOK_OTHER : TOK_WORD);
    if (s->plain && s->last == TOK_WORD && word_in(s->name, QUERY_WORDS))
        return scan_fail(s, "'%s' is not allowed: a claims file's where is a filter, not a query",
                         s->name);
    return true;
}

/* A '(' after a name is a call: only the allow-list, and only with `plain`. */
static bool scan_open(where_scan *s) {
    s->depth++;
    if (!s->plain || s->last == TOK_NONE || s->last == TOK_OTHER ||
        (s->last == TOK_WORD && (word_in(s->name, BEFORE_PAREN) || word_in(s->name, CALLABLE))))
        return true;
    return scan_fail(s,
                     "function '%s' is not allowed in a claims file's where (only lower, upper, "
                     "substr, length, trim, abs, round, coalesce, ifnull, nullif, instr, cast, "
                     "concat)",
                     s->name);
}

/* One token; false with the reason when the text is not one plain expression. */
static bool scan_token(where_scan *s) {
    char c = *s->p;
    if (s->plain && s->after_in && c != '(')
        return scan_fail(s, "IN must be followed by a list in parentheses");
    s->after_in = false;
    /* SQLite reads ':name(...)', '@name(...)', '$name', '#name' and '?NNN' as one parameter
       token, which may run over a quote this scanner would take as a string's start; PostgreSQL
       reads '$$' as a quote and '::' as a cast, MySQL '#' as a comment. */
    if (strchr(":@$#?", c))
        return scan_fail(s, "'%c' is not allowed outside quotes: a filter needs no parameters", c);
    if ((unsigned char)c < 0x20 && c != '\t' && c != '\n' && c != '\r')
        return scan_fail(s, "control character 0x%02x is not allowed outside quotes",
                         (unsigned)(unsigned char)c);
    if (c == '\'' || c == '"' || c == '`' || c == '[')
        return scan_quoted(s);
    if (word_char(c)) {
        bool ok = scan_word(s);
        s->after_in = s->last == TOK_WORD && strcasecmp(s->name, "in") == 0;
        return ok;
    }
    if (c == ';')
        return scan_fail(s, "one expression only (a ';' ends it)");
    if ((c == '-' && s->p[1] == '-') || (c == '/' && s->p[1] == '*'))
        return scan_fail(s, "no comments ('%c%c') in a filter", c, s->p[1]);
    bool ok = c == '(' ? scan_open(s) : true;
    if (c == ')' && --s->depth < 0)
        return scan_fail(s, "a ')' closes more than was opened");
    s->last = TOK_OTHER;
    s->p++;
    return ok;
}

bool ccov_io_where_check(const char *where, bool plain, char *why, size_t n) {
    where_scan s = {.p = where, .plain = plain, .why = why, .n = n};
    for (;;) {
        while (*s.p && strchr(" \t\n\r", *s.p))
            s.p++;
        if (!*s.p)
            break;
        if (!scan_token(&s))
            return false;
    }
    if (s.depth > 0)
        return scan_fail(&s, "%d '(' not closed", s.depth);
    if (s.after_in)
        return scan_fail(&s, "IN must be followed by a list in parentheses");
    return true;
}

/* Words of a filter that never name a field. */
static const char *const NOT_FIELDS[] = {
    "and",  "or",      "not",     "in",   "is",       "null",   "like", "ilike",
    "glob", "between", "escape",  "case", "when",     "then",   "else", "end",
    "true", "false",   "collate", "as",   "distinct", "nocase", NULL};

/* Does the token just scanned stand for a field? `prev_as`: the word before it was AS. */
static bool names_field(const where_scan *s, bool prev_as) {
    if (s->last == TOK_QUOTED)
        return s->quote != '\'';
    if (s->last != TOK_WORD || prev_as || word_in(s->name, NOT_FIELDS))
        return false;
    const char *p = s->p;
    if ((s->name[0] == 'x' || s->name[0] == 'X') && !s->name[1] && *p == '\'')
        return false; /* a blob literal, x'41' */
    while (*p && strchr(" \t\n\r", *p))
        p++;
    return *p != '('; /* a function called */
}

bool ccov_io_where_unknown(const char *where, bool (*known)(const char *name, void *user),
                           void *user, char *name, size_t n) {
    char why[256];
    where_scan s = {.p = where, .why = why, .n = sizeof why};
    bool prev_as = false;
    for (;;) {
        while (*s.p && strchr(" \t\n\r", *s.p))
            s.p++;
        if (!*s.p || !scan_token(&s))
            return false;
        if (names_field(&s, prev_as) && !known(s.name, user)) {
            snprintf(name, n, "%s", s.name);
            return true;
        }
        prev_as = s.last == TOK_WORD && strcasecmp(s.name, "as") == 0;
    }
}
