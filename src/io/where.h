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

#endif
