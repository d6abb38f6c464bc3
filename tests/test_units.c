/* Unit tests of core/units: hectares per area unit. Expected factors are the definitions:
   1 ha = 10^4 m2, 1 km2 = 100 ha, 1 international acre = 4046.8564224 m2 = 0.40468564224 ha. */
#include "clearcov/claims.h"
#include "core/units.h"

#include <math.h>
#include <stddef.h>

#include "check.h"

static void check_spellings(void) {
    static const struct {
        const char *unit;
        double ha;
    } OK[] = {{"ha", 1},
              {"Hectare", 1},
              {" hectares\t", 1},
              {"m2", 1e-4},
              {"SQM", 1e-4},
              {"km2", 100},
              {"acres", 0.40468564224},
              {"Acre ", 0.40468564224},
              {"\nac", 0.40468564224},
              /* official areas (issue 13); a square mile is 1609.344^2 m2 = 2589988.110336 m2 */
              {"km²", 100},
              {"Sq Km", 100},
              {"m²", 1e-4},
              {"sq mi", 258.9988110336},
              {"MI2", 258.9988110336},
              {"mi²", 258.9988110336},
              {"sqmi", 258.9988110336}};
    for (size_t i = 0; i < sizeof OK / sizeof OK[0]; i++) {
        double f = -1;
        CHECK(ccov_units_ha_factor(OK[i].unit, &f) && f == OK[i].ha);
    }
    CHECK(CCOV_UNITS_ACRE_HA == CCOV_ACRE_HA);
}

static void check_refused(void) {
    static const char *const BAD[] = {"",   "  ",  "furlong", "hectar", "has",
                                      "km", "m2x", "a c",     "h a",    "acres2"};
    for (size_t i = 0; i < sizeof BAD / sizeof BAD[0]; i++) {
        double f = 7;
        CHECK(!ccov_units_ha_factor(BAD[i], &f) && f == 7);
    }
    double f = 7;
    CHECK(!ccov_units_ha_factor(NULL, &f) && f == 7);
}

/* claims and audit read units through the same function: the public claims parser agrees. */
static void check_claims_agree(void) {
    static const char *const UNITS[] = {"ha",   "hectares", "m2",      "sqm", "km2",
                                        "acre", "ac",       "furlong", "",    NULL};
    for (size_t i = 0; UNITS[i]; i++) {
        double a = 0, b = 0;
        bool ok = ccov_units_ha_factor(UNITS[i], &a);
        CHECK(ok == ccov_claims_unit_factor(UNITS[i], &b) && a == b);
    }
    /* 470 acres = 190.2022518528 ha (470 x 0.40468564224). */
    double f = 0;
    CHECK(ccov_units_ha_factor("acres", &f) && fabs(470 * f - 190.2022518528) < 1e-9);
}

int main(void) {
    check_spellings();
    check_refused();
    check_claims_agree();
    return check_summary("test_units");
}
