/* Unit tests of the claims module: units, reading CSV and JSON claims (good and bad rows with
   their line numbers), and every verdict on hand-made figures. Expected values are worked out
   by hand in the comments. */
#include "clearcov/claims.h"
#include "clearcov/ctx.h"
#include "io/where.h"

#include <math.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>

#include "check.h"

static void check_units(void) {
    double f = 0;
    /* 1 international acre = 4046.8564224 m2 = 0.40468564224 ha, exactly. */
    CHECK(ccov_claims_unit_factor("acres", &f) && f == 0.40468564224);
    CHECK(ccov_claims_unit_factor(" Acre ", &f) && f == CCOV_ACRE_HA);
    CHECK(ccov_claims_unit_factor("ac", &f) && f == CCOV_ACRE_HA);
    CHECK(ccov_claims_unit_factor("ha", &f) && f == 1);
    CHECK(ccov_claims_unit_factor("HECTARES", &f) && f == 1);
    CHECK(ccov_claims_unit_factor("m2", &f) && f == 1e-4);
    CHECK(ccov_claims_unit_factor("km2", &f) && f == 100);
    f = 7;
    CHECK(!ccov_claims_unit_factor("furlong", &f) && f == 7);
    CHECK(!ccov_claims_unit_factor("", &f));
    CHECK(!ccov_claims_unit_factor(NULL, &f));
    /* 470 acres = 190.2022518528 ha (470 x 0.40468564224). */
    CHECK(ccov_claims_unit_factor("acres", &f) && fabs(470 * f - 190.2022518528) < 1e-9);
}

static ccov_claim_set *parse(ccov_ctx *ctx, const char *text) {
    ccov_claim_set *set = NULL;
    ccov_status st = ccov_claims_parse(ctx, text, strlen(text), "test.csv", &set);
    CHECK(st == CCOV_OK);
    return set;
}

static bool has_problem(const ccov_claim_set *set, long line, const char *text) {
    for (size_t i = 0; i < set->nproblems; i++)
        if (set->problems[i].line == line && strstr(set->problems[i].reason, text))
            return true;
    return false;
}

static const char HEADER[] =
    "id,statement,source,regions,where,value,unit,relation,tolerance_pct,percent_of_region\n";

/* The rows of check_csv: line numbers in the comments. */
static void csv_text(char *text, size_t n) {
    snprintf(text, n,
             "\xEF\xBB\xBF%s"                                                      /* 1, BOM */
             "a,\"more than \"\"20,000\"\" ha\",s,\"A, B\",,20000,ha,at_least,,\n" /* 2 */
             "b,s,s,,x = 1,470,acres,about,5,1.15\r\n"                             /* 3, CRLF */
             "\n"                                                                  /* 4 blank */
             "# comment\n"                                                         /* 5 */
             "c,s,s,,,-1,ha,at_least,,\n"                                          /* 6 */
             "d,s,s,,,1e3x,ha,at_least,,\n"                                        /* 7 */
             "e,s,s,,,5,furlong,at_least,,\n"                                      /* 8 */
             "f,s,s,,,5,ha,roughly,,\n"                                            /* 9 */
             "g,too,few\n"                                                         /* 10 */
             "\"h\nh\",s,s,,,5,km2,at_most,,\n"                                    /* 11-12 */
             "a,s,s,,,5,ha,at_most,,\n"                                            /* 13 */
             "i,s,s,,,5,ha,about,100,\n"                                           /* 14 */
             "j,s,s,,,5,ha,about,,0\n"                                             /* 15 */
             "k,s,s,,,inf,ha,about,,\n"                                            /* 16 */
             "l,\"open,s,s,,,5,ha,about,,\n",                                      /* 17 */
             HEADER);
}

static void check_csv_claims(const ccov_claim_set *set) {
    CHECK(!set->json);
    CHECK(set->nclaims == 3);
    if (set->nclaims != 3)
        return;
    const ccov_claim *a = &set->claims[0], *b = &set->claims[1], *h = &set->claims[2];
    CHECK(a->line == 2 && strcmp(a->id, "a") == 0);
    CHECK(strcmp(a->statement, "more than \"20,000\" ha") == 0);
    CHECK(strcmp(a->regions, "A, B") == 0 && a->where[0] == '\0');
    CHECK(a->relation == CCOV_REL_AT_LEAST && a->value_ha == 20000);
    CHECK(a->tolerance_pct == CCOV_CLAIM_TOLERANCE_PCT && isnan(a->percent_of_region));
    CHECK(b->line == 3 && strcmp(b->where, "x = 1") == 0);
    CHECK(fabs(b->value_ha - 190.2022518528) < 1e-9);
    CHECK(b->relation == CCOV_REL_ABOUT && b->tolerance_pct == 5);
    CHECK(b->percent_of_region == 1.15);
    CHECK(h->line == 11 && strcmp(h->id, "h\nh") == 0);
    CHECK(h->value_ha == 500 && h->relation == CCOV_REL_AT_MOST); /* 5 km2 = 500 ha */
}

static void check_csv_problems(const ccov_claim_set *set) {
    CHECK(set->nproblems == 10);
    CHECK(has_problem(set, 6, "value -1 is not positive"));
    CHECK(has_problem(set, 7, "value '1e3x' is not a number"));
    CHECK(has_problem(set, 8, "unit 'furlong'"));
    CHECK(has_problem(set, 9, "relation 'roughly'"));
    CHECK(has_problem(set, 10, "3 field(s), the header has 10"));
    CHECK(has_problem(set, 13, "id 'a' already used on line 2"));
    CHECK(has_problem(set, 14, "tolerance_pct '100'"));
    CHECK(has_problem(set, 15, "percent_of_region '0'"));
    CHECK(has_problem(set, 16, "value 'inf' is not a number"));
    CHECK(has_problem(set, 17, "quoted field not closed"));
}

static void check_csv(ccov_ctx *ctx) {
    char text[2048];
    csv_text(text, sizeof text);
    ccov_claim_set *set = parse(ctx, text);
    if (set) {
        check_csv_claims(set);
        check_csv_problems(set);
    }
    ccov_claim_set_free(set);

    /* A header without a required column: the whole file is refused. */
    ccov_claim_set *none = NULL;
    const char *bad = "id,statement,source,regions,where,value,unit\nx,s,s,,,5,ha\n";
    CHECK(ccov_claims_parse(ctx, bad, strlen(bad), "bad.csv", &none) == CCOV_ERR_IO);
    CHECK(none == NULL);
    CHECK(strstr(ccov_ctx_error(ctx), "bad.csv: line 1: no column 'relation'") != NULL);
    CHECK(ccov_claims_parse(ctx, "", 0, "empty.csv", &none) == CCOV_ERR_IO);
    ccov_claim_set_free(NULL);
}

static void check_json(ccov_ctx *ctx) {
    const char *text = "{\"claims\": ["
                       " {\"id\": \"a\", \"regions\": [\"A\", \"B\"], \"value\": 470,"
                       "  \"unit\": \"acres\", \"relation\": \"about\", \"tolerance_pct\": 5},"
                       " {\"id\": \"b\", \"value\": \"12\", \"unit\": \"ha\"},"
                       " 7,"
                       " {\"id\": \"c\", \"value\": 1, \"unit\": \"m2\", \"relation\": \"at_most\"}"
                       "]}";
    ccov_claim_set *set = NULL;
    CHECK(ccov_claims_parse(ctx, text, strlen(text), "c.json", &set) == CCOV_OK);
    if (!set)
        return;
    CHECK(set->json && set->nclaims == 2 && set->nproblems == 2);
    if (set->nclaims == 2) {
        CHECK(strcmp(set->claims[0].regions, "A, B") == 0);
        CHECK(fabs(set->claims[0].value_ha - 190.2022518528) < 1e-9);
        CHECK(set->claims[1].line == 4 && set->claims[1].value_ha == 1e-4);
    }
    CHECK(has_problem(set, 2, "no 'relation'"));
    CHECK(has_problem(set, 3, "not a JSON object"));
    ccov_claim_set_free(set);
    ccov_claim_set *none = NULL;
    CHECK(ccov_claims_parse(ctx, "[{", 2, "broken.json", &none) == CCOV_ERR_IO);
    CHECK(strstr(ccov_ctx_error(ctx), "not valid JSON") != NULL);
}

/* A claim of `value` ha with relation and tolerance. */
static ccov_claim claim(double value, ccov_relation rel, double tol) {
    return (ccov_claim){.id = "t",
                        .statement = "",
                        .source = "",
                        .regions = "",
                        .where = "",
                        .value = value,
                        .unit = "ha",
                        .value_ha = value,
                        .relation = rel,
                        .tolerance_pct = tol,
                        .percent_of_region = NAN};
}

/* Figures with the records' reported areas equal to net (consistent), nothing excluded. */
static ccov_claim_figures fig(double net, double gross) {
    return (ccov_claim_figures){.net_ha = net,
                                .gross_ha = gross,
                                .overlap_ha = gross - net,
                                .region_ha = 1000,
                                .tasks = 3,
                                .reported_available = true,
                                .reported_ha = net};
}

static void expect(const ccov_claim *c, const ccov_claim_figures *f, ccov_verdict want,
                   const char *words, int line) {
    char why[1024] = "";
    ccov_verdict got = ccov_claims_judge(c, f, why, sizeof why);
    if (got != want || !strstr(why, words)) {
        fprintf(stderr, "%s:%d: FAIL: verdict %s (%s), expected %s with '%s'\n", __FILE__, line,
                ccov_verdict_name(got), why, ccov_verdict_name(want), words);
        failures++;
    }
}

#define EXPECT(c, f, want, words) expect(&(c), &(f), want, words, __LINE__)

static void check_area_verdicts(void) {
    ccov_claim at_least = claim(100, CCOV_REL_AT_LEAST, 10);
    ccov_claim_figures f = fig(120, 130); /* 120 >= 100 */
    EXPECT(at_least, f, CCOV_VERDICT_SUPPORTED, "120.00 ha counted once, at least the 100.00 ha");
    f = fig(100, 100); /* the bound itself satisfies "at least" */
    EXPECT(at_least, f, CCOV_VERDICT_SUPPORTED, "at least");
    f = fig(90, 110); /* 90 < 100 <= 110 */
    EXPECT(at_least, f, CCOV_VERDICT_DOUBLE_COUNTED, "110.00 ha, of which 20.00 ha");
    f = fig(80, 95); /* 95 < 100 */
    EXPECT(at_least, f, CCOV_VERDICT_NOT_SUPPORTED, "80.00 ha counted once and 95.00 ha");

    ccov_claim at_most = claim(100, CCOV_REL_AT_MOST, 10);
    f = fig(90, 120); /* net 90 <= 100 */
    EXPECT(at_most, f, CCOV_VERDICT_SUPPORTED, "no more than the 100.00 ha");
    f = fig(110, 115); /* net 110 > 100, gross even more */
    EXPECT(at_most, f, CCOV_VERDICT_NOT_SUPPORTED, "above the 100.00 ha");

    ccov_claim about = claim(100, CCOV_REL_ABOUT, 10); /* 90..110 */
    f = fig(109, 115);
    EXPECT(about, f, CCOV_VERDICT_SUPPORTED, "within 10 % of the 100.00 ha");
    f = fig(89, 95);
    EXPECT(about, f, CCOV_VERDICT_DOUBLE_COUNTED, "not within 10 % of");
    f = fig(89, 120); /* gross beyond 110 too */
    EXPECT(about, f, CCOV_VERDICT_NOT_SUPPORTED, "not within 10 % of");
    f = fig(120, 130);
    EXPECT(about, f, CCOV_VERDICT_NOT_SUPPORTED, "not within");

    /* The unit shows in the sentence with its hectares. */
    ccov_claim acres = claim(470, CCOV_REL_ABOUT, 5);
    acres.unit = "acres";
    acres.value_ha = 470 * CCOV_ACRE_HA;
    f = fig(190, 190); /* |190 - 190.2023| = 0.2 <= 9.51 */
    EXPECT(acres, f, CCOV_VERDICT_SUPPORTED, "470 acres (190.20 ha)");
    CHECK(strcmp(ccov_verdict_name(CCOV_VERDICT_DOUBLE_COUNTED),
                 "supported_only_if_double_counted") == 0);
}

static void check_inconsistent(void) {
    /* 18805 ha as 1.15 % implies 18805 / 0.0115 = 1635217.39 ha; a 1240029.92 ha boundary is
       31.9 % off, beyond 5 %. */
    ccov_claim c = claim(18805, CCOV_REL_ABOUT, 5);
    c.percent_of_region = 1.15;
    ccov_claim_figures f = fig(18805, 18805);
    f.region_ha = 1240029.92;
    EXPECT(c, f, CCOV_VERDICT_INCONSISTENT, "implies a region of 1,635,217.39 ha");
    f.region_ha = 1600000; /* 2.2 % off: consistent, and the area matches */
    EXPECT(c, f, CCOV_VERDICT_SUPPORTED, "within 5 %");

    /* Reported areas against net 100 (tolerance 10 %). */
    ccov_claim d = claim(100, CCOV_REL_AT_LEAST, 10);
    f = fig(100, 100);
    f.reported_ha = 115; /* +15 % */
    EXPECT(d, f, CCOV_VERDICT_INCONSISTENT, "add up to 115.00 ha, +15.0 %");
    f.reported_ha = 85; /* -15 % */
    EXPECT(d, f, CCOV_VERDICT_INCONSISTENT, "-15.0 %");
    f.reported_ha = 109; /* within */
    EXPECT(d, f, CCOV_VERDICT_SUPPORTED, "at least");
    f.reported_ha = 115; /* already too high: unusable figures could only add more */
    f.reported_unusable = 2;
    EXPECT(d, f, CCOV_VERDICT_INCONSISTENT, "+15.0 %");
    f.reported_available = false; /* no reported_area field: nothing to compare */
    EXPECT(d, f, CCOV_VERDICT_SUPPORTED, "at least");
    /* The statement contradicting itself wins over excluded features. */
    c.percent_of_region = 1.15;
    f = fig(18805, 18805);
    f.region_ha = 1240029.92;
    f.excluded = 3;
    f.excluded_unusable = 3;
    EXPECT(c, f, CCOV_VERDICT_INCONSISTENT, "contradicts itself");
}

static void check_inconclusive(void) {
    ccov_claim d = claim(100, CCOV_REL_AT_LEAST, 10);
    ccov_claim_figures f = fig(100, 100);
    f.reported_ha = 85; /* too low so far, but 2 records have no usable figure */
    f.reported_unusable = 2;
    EXPECT(d, f, CCOV_VERDICT_INCONCLUSIVE, "2 of the 3 records counted");

    f = fig(95, 98); /* not supported ... */
    f.excluded = 1;
    f.excluded_reported_ha = 6; /* ... but 95 + 6 = 101 >= 100 */
    EXPECT(d, f, CCOV_VERDICT_INCONCLUSIVE, "could turn 'not_supported' into 'supported'");
    f.excluded_reported_ha = 1; /* 96 and 99: still short */
    EXPECT(d, f, CCOV_VERDICT_NOT_SUPPORTED, "short of");
    f.excluded_reported_ha = 2; /* 97 and 100: the gross would then meet it */
    EXPECT(d, f, CCOV_VERDICT_INCONCLUSIVE, "'supported_only_if_double_counted'");
    f.excluded_reported_ha = 0; /* excluded without a usable figure: any size */
    f.excluded_unusable = 1;
    EXPECT(d, f, CCOV_VERDICT_INCONCLUSIVE, "of unknown size");

    ccov_claim m = claim(100, CCOV_REL_AT_MOST, 10);
    f = fig(50, 50);
    f.excluded = 1;
    f.excluded_reported_ha = 10; /* 60 <= 100: stays supported */
    EXPECT(m, f, CCOV_VERDICT_SUPPORTED, "no more than");
    f.excluded_unusable = 1; /* could be above 100 */
    EXPECT(m, f, CCOV_VERDICT_INCONCLUSIVE, "could turn 'supported' into 'not_supported'");
}

/* A NUL byte would cut a field short ("1<NUL>000" read as 1 ha): the row is bad. A UTF-8 byte
   order mark is read past for JSON as for CSV. Repeated ids keep the first row. */
static void check_text_oddities(ccov_ctx *ctx) {
    static const char csv[] = "id,statement,source,regions,where,value,unit,relation\n"
                              "a,s,s,,,1\0"
                              "000,ha,at_least\n"
                              "b,s,s,,,\"1\0"
                              "000\",ha,at_least\n"
                              "c,s,s,,,5,ha,at_least\n"
                              "c,s,s,,,6,ha,at_least\n"
                              "a,s,s,,,7,ha,at_least\n";
    ccov_claim_set *set = NULL;
    CHECK(ccov_claims_parse(ctx, csv, sizeof csv - 1, "nul.csv", &set) == CCOV_OK);
    if (set) {
        CHECK(set->nclaims == 2 && strcmp(set->claims[0].id, "c") == 0 &&
              set->claims[0].value == 5 && strcmp(set->claims[1].id, "a") == 0 &&
              set->claims[1].value == 7);
        CHECK(set->nproblems == 3 && set->problems[0].line == 2 && set->problems[1].line == 3 &&
              set->problems[2].line == 5);
        CHECK(has_problem(set, 2, "field 6 (value) holds a NUL byte"));
        CHECK(has_problem(set, 3, "field 6 (value) holds a NUL byte"));
        CHECK(has_problem(set, 5, "id 'c' already used on line 4"));
    }
    ccov_claim_set_free(set);
    static const char json[] = "\xEF\xBB\xBF [{\"id\": \"x\", \"value\": 2, \"unit\": \"ha\", "
                               "\"relation\": \"about\"}, {\"id\": \"y\", \"value\": \"1\\u0000\", "
                               "\"unit\": \"ha\", \"relation\": \"about\"}]";
    set = NULL;
    CHECK(ccov_claims_parse(ctx, json, sizeof json - 1, "bom.json", &set) == CCOV_OK);
    if (set) {
        CHECK(set->json && set->nclaims == 1 && set->claims[0].value_ha == 2);
        CHECK(has_problem(set, 2, "'value' holds a NUL character"));
    }
    ccov_claim_set_free(set);
    set = NULL;
    CHECK(ccov_claims_parse(ctx, "[1,\0 2]", 7, "raw.json", &set) == CCOV_ERR_IO && !set);
    CHECK(strstr(ccov_ctx_error(ctx), "raw.json: byte 4 is a NUL") != NULL);
    CHECK(ccov_claims_parse(ctx, "\xFF\xFEi\0d\0", 6, "u16.csv", &set) == CCOV_ERR_IO && !set);
    CHECK(strstr(ccov_ctx_error(ctx), "UTF-16") != NULL);
}

/* A where is one expression on its own; a claims file's where is a plain filter. */
static void check_where(void) {
    char why[256];
    static const char *const ONE[] = {"year >= 2018",
                                      "(a = 1) OR (b = ')(' AND c = \"x\"\"y\")",
                                      "operator = 'RU''MoD'",
                                      "lower(operator) IN ('mag', 'halo') AND NOT (year < 2000)",
                                      "cast(year AS text) LIKE '20%'",
                                      "[odd name] = 1 AND `x` = 2",
                                      NULL};
    for (size_t i = 0; ONE[i]; i++)
        CHECK(ccov_io_where_check(ONE[i], true, why, sizeof why));
    static const struct {
        const char *where, *why;
        bool plain_only;
    } BAD[] = {{"1=1) OR (1=1", "closes more than was opened", false},
               {"a = 1 OR (1=1", "not closed", false},
               {"a = 'x", "quote (') is not closed", false},
               {"[a = 1", "quote ([) is not closed", false},
               {"a = 1; DROP TABLE t", "one expression only", false},
               {"a = 1 --", "no comments", false},
               {"a = 1 /* x */", "no comments", false},
               {"year IN (WITH RECURSIVE c(x) AS (SELECT 1) SELECT x FROM c)", "'WITH'", true},
               {"EXISTS (SELECT 1)", "'EXISTS'", true},
               {"length(randomblob(500000000)) > 0", "'randomblob'", true},
               {"\"randomblob\" (9) > 0", "'randomblob'", true},
               {"BlobToFile(x'41', 'f') = 1", "'BlobToFile'", true},
               {"fid IN gpkg_contents", "IN must be followed", true},
               {"a REGEXP '(x+)+y'", "'REGEXP'", true}};
    for (size_t i = 0; i < sizeof BAD / sizeof *BAD; i++) {
        why[0] = '\0';
        CHECK(!ccov_io_where_check(BAD[i].where, true, why, sizeof why) &&
              strstr(why, BAD[i].why) != NULL);
        CHECK(ccov_io_where_check(BAD[i].where, false, why, sizeof why) == BAD[i].plain_only);
    }
}

int main(void) {
    ccov_ctx *ctx = ccov_ctx_create();
    if (!ctx) {
        fprintf(stderr, "test_claims: no context\n");
        return 1;
    }
    check_units();
    check_csv(ctx);
    check_json(ctx);
    check_text_oddities(ctx);
    check_where();
    check_area_verdicts();
    check_inconsistent();
    check_inconclusive();
    ccov_ctx_free(ctx);
    return check_summary("test_claims");
}
