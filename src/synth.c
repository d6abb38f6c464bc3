/* synth: placeholder until the generator lands. */
#include "clearcov/synth.h"

ccov_status ccov_synth_run(ccov_ctx *ctx, const ccov_synth_options *opts) {
    (void)opts;
    return ccov_ctx_fail(ctx, CCOV_ERR_USAGE, "synth: not built yet");
}
