/* Fuzz target: a GeoJSON cleared layer through the whole coverage pipeline and the report writer.
 *
 * The input is written to /vsimem/fuzz/cleared.geojson (GDAL's in-memory files: nothing on
 * disk) and run with the bundled provinces as regions, one thread, geodesic area; the result is
 * written as a table, CSV and JSON to /dev/null. Checks: no crash, no sanitizer report, a status
 * in 0..5, one-line messages, every report written when the run succeeds. */
#include "clearcov/coverage.h"
#include "clearcov/report.h"
#include "fuzz_common.h"

#include <cpl_vsi.h>

#include <stdint.h>
#include <stdio.h>
#include <stdlib.h>

#define CLEARED "/vsimem/fuzz/cleared.geojson"

int LLVMFuzzerTestOneInput(const uint8_t *data, size_t size);

static char regions_path[4096];
static FILE *devnull;

static void write_reports(ccov_ctx *ctx, const ccov_result *res) {
    static const ccov_format formats[] = {CCOV_FORMAT_TABLE, CCOV_FORMAT_CSV, CCOV_FORMAT_JSON};
    for (size_t i = 0; i < sizeof formats / sizeof formats[0]; i++) {
        ccov_status st = ccov_report_write(ctx, res, formats[i], devnull);
        if (st != CCOV_OK) {
            fprintf(stderr, "fuzz: report lost: ccov_report_write status %d: %s\n", (int)st,
                    ccov_ctx_error(ctx));
            abort();
        }
    }
}

int LLVMFuzzerTestOneInput(const uint8_t *data, size_t size) {
    if (!devnull) {
        devnull = fopen("/dev/null", "w");
        /* The bundled provinces of the source tree, unless CLEARCOV_DATA says otherwise. */
        if (!getenv("CLEARCOV_DATA"))
            setenv("CLEARCOV_DATA", CCOV_SOURCE_DIR "/data", 1);
        ccov_coverage_data_path("provinces.shp", regions_path, sizeof regions_path);
        if (!devnull)
            abort();
    }
    /* GDAL copies nothing: the buffer is the file for the duration of the run. */
    VSILFILE *f = VSIFileFromMemBuffer(CLEARED, (GByte *)data, (vsi_l_offset)size, FALSE);
    if (!f)
        return 0;
    VSIFCloseL(f);

    ccov_ctx *ctx = ccov_ctx_create();
    if (!ctx)
        abort();
    ccov_ctx_set_messages(ctx, ccov_fuzz_message, NULL);
    ccov_options opts = {0};
    opts.regions_src = regions_path;
    opts.cleared_src = CLEARED;
    opts.threads = 1;
    ccov_result *res = NULL;
    ccov_status st = ccov_coverage_run(ctx, &opts, &res);
    ccov_fuzz_check_status("ccov_coverage_run", (int)st);
    if (st == CCOV_OK) {
        if (!res)
            abort();
        write_reports(ctx, res);
    } else {
        ccov_fuzz_check_line("ccov_coverage_run error", ccov_ctx_error(ctx));
    }
    ccov_result_free(res);
    ccov_ctx_free(ctx);
    VSIUnlink(CLEARED);
    return 0;
}
