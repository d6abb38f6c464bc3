/* clearcov names: matching of Lao PDR province names across romanisations and ISO 3166-2 codes.
 *
 * Every function here is pure: no context, no allocation visible to the caller, thread-safe. */
#ifndef CLEARCOV_NAMES_H
#define CLEARCOV_NAMES_H

#include <stdbool.h>
#include <stddef.h>

#ifdef __cplusplus
extern "C" {
#endif

/* Fold a UTF-8 name to a comparison key: Unicode NFKD, combining marks removed, lower-cased,
   and everything that is not an ASCII letter or digit dropped ("Xiêng-Khouang " -> "xiengkhouang").
   Writes a NUL-terminated key to out (size outsz, in bytes, including the NUL). Returns the key
   length (0 for a name with no ASCII letter or digit, e.g. one in Lao script), or -1 when utf8 or
   out is NULL, the input is not valid UTF-8, the key does not fit or memory runs out; on -1, out
   holds "" when outsz > 0. */
int ccov_names_fold(const char *utf8, char *out, size_t outsz);

/* The canonical English name of the Lao province that `name` denotes (any romanisation, any
   case/accents/spacing, an optional trailing "Province", or its ISO 3166-2 code such as "LA-XI"
   or "XI", including the former code "LA-XN" of Xaisomboun still used by geoBoundaries), e.g.
   "Bolikhamsai" -> "Bolikhamxay". Bare "Vientiane" is the province, not the capital. NULL when
   unknown or name is NULL or not valid UTF-8. The returned string is static: do not free. */
const char *ccov_names_canonical(const char *name);

/* The current ISO 3166-2 code of a canonical or variant name ("Xiangkhouang" -> "LA-XI"), NULL
   when unknown. The returned string is static: do not free. */
const char *ccov_names_iso(const char *name);

/* True when the user's query names the region whose own name (and optional ISO code, may be NULL
   or "") are given: equal non-empty folded keys, or the query and the region (by name or by code)
   are the same canonical province, or the query equals the ISO code (case-insensitive, surrounding
   ASCII spaces ignored, with or without the "LA-" prefix). False when query is NULL. */
bool ccov_names_match(const char *query, const char *region_name, const char *region_iso);

/* Text for a terminal or a text report: `s` (any bytes) with every character that could move
   the cursor, recolour the screen, start a new line or reorder text written as a visible escape,
   so that data (region names, file names, field values) can neither forge a line nor reach the
   terminal as a command:
     TAB \t, LF \n, CR \r, ESC \e; other C0 controls and DEL \xNN (two hex digits);
     C1 controls (U+0080..U+009F), line and paragraph separators (U+2028, U+2029) and the bidi
     format controls (U+200E, U+200F, U+202A..U+202E, U+2066..U+2069) \uNNNN;
     each byte that is not part of valid UTF-8 \xNN.
   Everything else, backslash included, is copied as it is. Writes at most outsz bytes including
   a NUL (out may be NULL when outsz is 0) and returns the length of the whole escaped text, as
   snprintf does; 0 for s NULL. */
size_t ccov_text_escape(const char *s, char *out, size_t outsz);

/* `s` as valid UTF-8: each byte that is not part of a valid UTF-8 sequence is read as Latin-1
   (byte 0xE9 becomes U+00E9 "\xC3\xA9"), so a Latin-1 file name shows as it was meant. Writes
   at most outsz bytes including a NUL and returns the length of the whole result, as snprintf
   does; 0 for s NULL. */
size_t ccov_text_utf8(const char *s, char *out, size_t outsz);

/* `s` with the password of every database connection string in it replaced by "***": the value
   of each `password=` keyword (libpq keyword/value form, quoted or not, and a URI's query
   parameter) and the password of a URI's user information (postgresql://user:secret@host).
   Used on every source name clearcov echoes (messages, reports, JSON, map, layers). Writes at
   most outsz bytes including a NUL (out may be NULL when outsz is 0) and returns the length of
   the whole masked text, as snprintf does; 0 for s NULL. */
size_t ccov_text_mask_password(const char *s, char *out, size_t outsz);

/* ---- suggestions for a mistyped name or option ---- */

/* The optimal-string-alignment (Damerau-Levenshtein) distance between a and b, ASCII letters
   compared case-folded, each other byte as it is: insertions, deletions, substitutions and
   swaps of two neighbours count one each. For texts longer than 255 bytes returns SIZE_MAX. */
size_t ccov_names_distance(const char *a, const char *b);

/* Whether `candidate` is near enough to `query` to suggest: at most a third of the query's
   length (at least 1, at most 3) edits away, with names compared through ccov_names_fold (so
   "xieng kouang" is one edit from "Xieng Khouang"); *distance receives the distance. */
bool ccov_names_near(const char *query, const char *candidate, size_t *distance);

#ifdef __cplusplus
}
#endif

#endif /* CLEARCOV_NAMES_H */
