/* Fuzz target: the claims parser (CSV and JSON) and the verdict rules.
 *
 * ccov_claims_parse() gets the input as it is (not NUL-terminated, so ASan sees any read past its
 * end). Every claim it accepts must respect the documented ranges (value > 0 and finite,
 * 0 <= tolerance < 100, share in (0, 100] or NaN, value_ha = value x unit factor), every problem
 * is one line, and ccov_claims_judge() / ccov_claims_area_verdict() then run on each claim with a
 * few sets of figures (pure functions: no sources are read). */
#include "clearcov/claims.h"
#include "fuzz_common.h"

#include <math.h>
#include <stdint.h>
#include <stdio.h>
#include <stdlib.h>

int LLVMFuzzerTestOneInput(const uint8_t *data, size_t size);

static void fail_claim(const ccov_claim *c, const char *what) {
    fprintf(stderr, "fuzz: claim '%s' (line %ld): %s\n", c->id, c->line, what);
    abort();
}

static void check_claim(const ccov_claim *c) {
    if (!c->id || !c->statement || !c->source || !c->regions || !c->where || !c->unit)
        fail_claim(c, "a string is NULL");
    if (!(c->value > 0) || !isfinite(c->value))
        fail_claim(c, "value not a finite positive number");
    if (!(c->tolerance_pct >= 0 && c->tolerance_pct < 100))
        fail_claim(c, "tolerance out of 0..100");
    if (!isnan(c->percent_of_region) && !(c->percent_of_region > 0 && c->percent_of_region <= 100))
        fail_claim(c, "percent_of_region out of (0, 100]");
    double factor = 0;
    if (!ccov_claims_unit_factor(c->unit, &factor))
        fail_claim(c, "unit accepted by the parser but not by ccov_claims_unit_factor");
    double want = c->value * factor;
    if (!(fabs(c->value_ha - want) <= 1e-9 * fabs(want)))
        fail_claim(c, "value_ha is not value x unit factor");
    if ((int)c->relation < 0 || (int)c->relation > 2)
        fail_claim(c, "relation out of range");
}

/* Figures: nothing; exactly the claim; a double-counted case; unusable and excluded records. */
static void judge(const ccov_claim *c) {
    ccov_claim_figures figs[4] = {{0}};
    figs[1].net_ha = figs[1].gross_ha = c->value_ha;
    figs[1].region_ha =
        isnan(c->percent_of_region) ? 1e6 : c->value_ha * 100 / c->percent_of_region;
    figs[1].tasks = 3;
    figs[2].net_ha = c->value_ha * 0.5;
    figs[2].gross_ha = c->value_ha * 2;
    figs[2].overlap_ha = c->value_ha * 1.5;
    figs[2].region_ha = 1e9;
    figs[2].reported_available = true;
    figs[2].reported_ha = c->value_ha;
    figs[2].tasks = 7;
    figs[3] = figs[2];
    figs[3].reported_unusable = 2;
    figs[3].excluded = 4;
    figs[3].excluded_reported_ha = c->value_ha * 0.1;
    figs[3].excluded_unusable = 1;
    figs[3].repaired = 1;
    for (size_t i = 0; i < 4; i++) {
        char why[2048];
        ccov_verdict v = ccov_claims_judge(c, &figs[i], why, sizeof why);
        if ((int)v < 0 || (int)v > 4)
            fail_claim(c, "verdict out of range");
        ccov_fuzz_check_line("verdict explanation", why);
        v = ccov_claims_area_verdict(c, &figs[i], why, sizeof why);
        if ((int)v < 0 || (int)v > 2)
            fail_claim(c, "area verdict out of range");
        ccov_fuzz_check_line("area verdict explanation", why);
        (void)ccov_verdict_name(v);
    }
}

int LLVMFuzzerTestOneInput(const uint8_t *data, size_t size) {
    ccov_ctx *ctx = ccov_ctx_create();
    if (!ctx)
        abort();
    ccov_ctx_set_messages(ctx, ccov_fuzz_message, NULL);
    ccov_claim_set *set = NULL;
    ccov_status st = ccov_claims_parse(ctx, (const char *)data, size, "fuzz.csv", &set);
    ccov_fuzz_check_status("ccov_claims_parse", (int)st);
    if (st == CCOV_OK) {
        if (!set)
            abort();
        for (size_t i = 0; i < set->nclaims; i++) {
            check_claim(&set->claims[i]);
            judge(&set->claims[i]);
        }
        for (size_t i = 0; i < set->nproblems; i++)
            ccov_fuzz_check_line("claims problem", set->problems[i].reason);
    } else {
        ccov_fuzz_check_line("ccov_claims_parse error", ccov_ctx_error(ctx));
    }
    ccov_claim_set_free(set);
    ccov_ctx_free(ctx);
    return 0;
}
