/* core/units: hectares per area unit, shared by claims (a claim's unit) and audit (a record's
   reported_unit) so that both read a unit the same way. */
#include "core/units.h"

#include <ctype.h>
#include <stddef.h>
#include <string.h>
#include <strings.h>

static const struct {
    const char *name;
    double ha;
} UNITS[] = {{"ha", 1},
             {"hectare", 1},
             {"hectares", 1},
             {"m2", 1e-4},
             {"sqm", 1e-4},
             {"km2", 100},
             /* official areas (issue 13) */
             {"km²", 100},
             {"sq km", 100},
             {"m²", 1e-4},
             {"mi2", CCOV_UNITS_SQ_MILE_HA},
             {"mi²", CCOV_UNITS_SQ_MILE_HA},
             {"sq mi", CCOV_UNITS_SQ_MILE_HA},
             {"sqmi", CCOV_UNITS_SQ_MILE_HA},
             {"acres", CCOV_UNITS_ACRE_HA},
             {"acre", CCOV_UNITS_ACRE_HA},
             {"ac", CCOV_UNITS_ACRE_HA}};

bool ccov_units_ha_factor(const char *unit, double *ha_per_unit) {
    if (!unit)
        return false;
    while (isspace((unsigned char)*unit))
        unit++;
    size_t n = strlen(unit);
    while (n > 0 && isspace((unsigned char)unit[n - 1]))
        n--;
    for (size_t i = 0; i < sizeof UNITS / sizeof UNITS[0]; i++)
        if (strlen(UNITS[i].name) == n && strncasecmp(unit, UNITS[i].name, n) == 0) {
            *ha_per_unit = UNITS[i].ha;
            return true;
        }
    return false;
}
