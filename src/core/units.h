/* core/units: area units as people write them in claims files and cleared-area attributes. */
#ifndef CCOV_CORE_UNITS_H
#define CCOV_CORE_UNITS_H

#include <stdbool.h>

/* Hectares in one international acre (exactly 4046.8564224 m2); the same as CCOV_ACRE_HA. */
#define CCOV_UNITS_ACRE_HA 0.40468564224
/* Hectares in one international square mile (exactly 1609.344 m squared = 2589988.110336 m2). */
#define CCOV_UNITS_SQ_MILE_HA 258.9988110336

/* Hectares per unit: ha 1, m2 1e-4, km2 100, acres 0.40468564224 (exact). Units are matched
   ignoring case and surrounding spaces; accepted spellings: ha, hectare(s), m2, m², sqm, km2,
   km², sq km, acre(s), ac, and square miles (258.9988110336 ha) as mi2, mi², sq mi, sqmi. Returns false (and leaves *ha_per_unit) for anything else or NULL. */
bool ccov_units_ha_factor(const char *unit, double *ha_per_unit);

#endif
