/* core/units: area units as people write them in claims files and cleared-area attributes. */
#ifndef CCOV_CORE_UNITS_H
#define CCOV_CORE_UNITS_H

#include <stdbool.h>

/* Hectares in one international acre (exactly 4046.8564224 m2); the same as CCOV_ACRE_HA. */
#define CCOV_UNITS_ACRE_HA 0.40468564224

/* Hectares per unit: ha 1, m2 1e-4, km2 100, acres 0.40468564224 (exact). Units are matched
   ignoring case and surrounding spaces; accepted spellings: ha, hectare(s), m2, sqm, km2,
   acre(s), ac. Returns false (and leaves *ha_per_unit) for anything else or NULL. */
bool ccov_units_ha_factor(const char *unit, double *ha_per_unit);

#endif
