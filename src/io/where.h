/* io/where: checking the text of an attribute filter before any engine reads it (no GDAL). */
#ifndef CCOV_IO_WHERE_H
#define CCOV_IO_WHERE_H

#include <stdbool.h>
#include <stddef.h>

/* Whether `where` is one self-contained filter expression, judged on its text alone so that it
   can be joined with another as "(a) AND (b)" without either changing the other's meaning:
   quotes ('', "", ``, []) closed, parentheses balanced, no ';' and no comment ('--', slash-star).
   With `plain` (a claims file's where: data, not code), also only the functions of a short
   allow-list (lower, upper, substr, length, trim, abs, round, coalesce, ifnull, nullif, instr,
   cast, concat) and no query keyword (SELECT, WITH, FROM, UNION, VALUES, PRAGMA, ATTACH, REGEXP,
   MATCH...), and IN only before a parenthesised list, so that no sub-query, recursive CTE,
   large blob or file function can run. True when it is; false with the reason in why. */
bool ccov_io_where_check(const char *where, bool plain, char *why, size_t n);

/* The first name in `where` that stands for a field (a bare word that is not a keyword, a
   function called or a type after AS; or a name in "", `` or []) for which known(name, user) is
   false, copied into name (n bytes). False when every such name is known or the text cannot be
   scanned. For the message of a filter the engine refused. */
bool ccov_io_where_unknown(const char *where, bool (*known)(const char *name, void *user),
                           void *user, char *name, size_t n);

#endif
