/* coverage: the top of the pipeline (pipeline.h), from sources to per-region hectares; the
   result and its release. */
#include "clearcov/coverage.h"
#include "coverage/official.h"
#include "coverage/pipeline.h"

#include <stdlib.h>
#include <string.h>

/* The regions, loaded and checked, and what the result takes from them. */
static ccov_status regions_stage(ccov_pipeline *r) {
    double t0 = ccov_workers_now();
    ccov_status st = ccov_regions_load(r->ctx, r->opts, &r->regions);
    if (st == CCOV_OK)
        ccov_ctx_msg(r->ctx, CCOV_MSG_DEBUG, "read and prepare regions: %zu regions, %.3f s",
                     r->regions.n, ccov_workers_now() - t0);
    double t1 = ccov_workers_now();
    if (st == CCOV_OK)
        r->res->frame = strdup(ccov_crs_label(r->regions.frame));
    if (st == CCOV_OK && !r->res->frame)
        st = ccov_ctx_fail(r->ctx, CCOV_ERR_IO, "out of memory");
    if (st == CCOV_OK)
        st = ccov_regions_check(r->ctx, &r->regions);
    if (st == CCOV_OK)
        ccov_ctx_msg(r->ctx, CCOV_MSG_DEBUG, "check regions for overlaps: %zu regions, %.3f s",
                     r->regions.n, ccov_workers_now() - t1);
    /* The result takes over the region source's description and repair notes. */
    r->res->regions_input = r->regions.input;
    r->res->repaired = r->regions.repaired;
    r->res->nrepaired = r->regions.nrepaired;
    r->regions.input = (ccov_input){0};
    r->regions.repaired = NULL;
    r->regions.nrepaired = 0;
    if (st == CCOV_OK)
        st = ccov_districts_build(r);
    return st;
}

static void pipeline_release(ccov_pipeline *r) {
    ccov_workers_free(r->ctx, &r->workers);
    ccov_cleared_free(r->ctx, &r->cleared);
    ccov_regions_free(r->ctx, &r->regions);
    ccov_districts_free(r->ctx, &r->districts);
}

ccov_status ccov_coverage_run(ccov_ctx *ctx, const ccov_options *opts, ccov_result **out) {
    ccov_pipeline r = {.ctx = ctx, .opts = opts};
    *out = NULL;
    r.res = calloc(1, sizeof *r.res);
    if (!r.res)
        return ccov_ctx_fail(ctx, CCOV_ERR_IO, "out of memory");
    r.res->area = opts->area;
    r.res->year_key = -1;
    ccov_status st = regions_stage(&r);
    if (st == CCOV_OK)
        st = ccov_workers_create(ctx, &r.regions, opts->threads, &r.workers);
    if (st == CCOV_OK)
        st = ccov_cleared_load(&r);
    bool breakdowns = st == CCOV_OK && ccov_keys_any(&r.cleared.keys);
    if (st == CCOV_OK)
        st = ccov_compute_figures(&r, breakdowns);
    if (st == CCOV_OK && breakdowns)
        st = ccov_breakdown_run(&r);
    if (st == CCOV_OK && breakdowns && opts->layers)
        st = ccov_compute_group_layers(&r);
    ccov_compute_free(&r);
    if (st == CCOV_OK)
        st = ccov_districts_finish(&r);
    /* With --districts the result's rows are the provinces, not the pieces. */
    ccov_regions provinces = {.items = r.districts.provinces, .n = r.districts.nprovinces};
    if (st == CCOV_OK)
        st = ccov_official_apply(ctx, opts, r.districts.n ? &provinces : &r.regions, r.res);
    pipeline_release(&r);
    if (st != CCOV_OK) {
        ccov_result_free(r.res);
        return st;
    }
    *out = r.res;
    return CCOV_OK;
}

static void input_free(ccov_input *in) {
    free(in->path);
    free(in->layer);
    free(in->crs);
    free(in->operation);
}

static void groups_free(ccov_result *res) {
    for (size_t g = 0; g < res->ngroups; g++) {
        for (size_t i = 0; res->groups[g].values && i < res->ngroup_fields; i++)
            free(res->groups[g].values[i]);
        free(res->groups[g].values);
        free(res->groups[g].regions);
        free(res->groups[g].categories);
        free(res->groups[g].cumulative_ha);
        free(res->groups[g].districts);
        free(res->groups[g].district_categories);
        free(res->groups[g].district_cumulative_ha);
    }
    free(res->groups);
    for (size_t i = 0; i < res->ngroup_fields; i++)
        free(res->group_fields[i]);
    free(res->group_fields);
}

static void breakdowns_free(ccov_result *res) {
    groups_free(res);
    for (size_t i = 0; i < res->nstatus_values; i++) {
        free(res->status_values[i].value);
        free(res->status_values[i].fids);
    }
    free(res->status_values);
}

void ccov_result_free(ccov_result *res) {
    if (!res)
        return;
    for (size_t i = 0; i < res->nregions; i++) {
        free(res->regions[i].name);
        free(res->regions[i].iso);
    }
    free(res->regions);
    for (size_t i = 0; i < res->ndistricts; i++) {
        free(res->districts[i].fig.name);
        free(res->districts[i].fig.iso);
    }
    free(res->districts);
    input_free(&res->regions_input);
    input_free(&res->cleared_input);
    ccov_measure_notes_free(res->repaired, res->nrepaired);
    ccov_measure_notes_free(res->excluded, res->nexcluded);
    for (size_t i = 0; i < res->nlayers; i++)
        ccov_layer_table_clear(&res->layers[i]);
    free(res->layers);
    free(res->task_fids);
    free(res->frame);
    breakdowns_free(res);
    free(res);
}
