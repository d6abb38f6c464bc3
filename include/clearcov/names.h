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

#ifdef __cplusplus
}
#endif

#endif /* CLEARCOV_NAMES_H */
