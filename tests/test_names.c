/* Tests for the names module: folding, the alias table, ISO codes and matching. Expected values
 * come from the published romanisations and ISO 3166-2:LA, not from the module's own output. */
#include "clearcov/names.h"

#include <stdio.h>
#include <string.h>

static int checks;
static int failures;

static void check(bool ok, const char *what, const char *input) {
    checks++;
    if (!ok) {
        failures++;
        fprintf(stderr, "test_names: FAIL: %s [%s]\n", what, input != NULL ? input : "(null)");
    }
}

static bool str_eq(const char *a, const char *b) {
    return (a == NULL && b == NULL) || (a != NULL && b != NULL && strcmp(a, b) == 0);
}

static void check_fold(const char *in, const char *want) {
    char out[64];
    int n = ccov_names_fold(in, out, sizeof out);
    check(n == (int)strlen(want) && strcmp(out, want) == 0, "fold", in);
}

static void check_fold_fails(const char *in, size_t outsz) {
    char out[64] = "junk";
    check(ccov_names_fold(in, out, outsz) == -1, "fold fails", in);
    if (outsz > 0)
        check(out[0] == '\0', "fold leaves empty key on failure", in);
}

static void test_fold(void) {
    check_fold("Xi\xc3\xaang-Khouang ", "xiengkhouang"); /* precomposed ê */
    check_fold("Xie\xcc\x82ng Khouang", "xiengkhouang"); /* e + U+0302 */
    check_fold("Oud\xc3\xb4mxai", "oudomxai");
    check_fold("X\xc3\xa9kong", "xekong");
    check_fold("Savannakh\xc3\xa9t", "savannakhet");
    check_fold("  LUANG   prabang\t", "luangprabang");
    check_fold("LA-XI", "laxi");
    check_fold("Zone 2", "zone2");
    check_fold("", "");
    check_fold("\xe0\xba\x9e\xe0\xba\xb0", "");   /* Lao script: no ASCII letter survives */
    check_fold("\xef\xbc\xb8\xef\xbc\xa9", "xi"); /* fullwidth XI, NFKD to ASCII */
    check_fold("\xef\xac\x81", "fi");             /* ligature fi */
    check_fold("\xe2\x84\xaa", "k");              /* Kelvin sign */
    check_fold("\xe2\x85\xab", "xii");            /* Roman numeral twelve */
    check_fold("\xc4\xb0", "i");                  /* I with dot above */
    check_fold("Vientiane [prefecture]", "vientianeprefecture");
    check_fold_fails("\xff", 64);
    check_fold_fails("Bok\xc3", 64);          /* truncated sequence */
    check_fold_fails("\xc0\xaf", 64);         /* overlong '/' */
    check_fold_fails("\xed\xa0\x80", 64);     /* surrogate */
    check_fold_fails("\xf4\x90\x80\x80", 64); /* above U+10FFFF */
    check_fold_fails("Bokeo", 5);             /* key fits only without its NUL */
    check_fold_fails("Bokeo", 0);
    check_fold_fails(NULL, 64);
    char out[6];
    check(ccov_names_fold("Bokeo", out, sizeof out) == 5 && strcmp(out, "bokeo") == 0,
          "fold fits exactly", "Bokeo");
    check(ccov_names_fold("Bokeo", NULL, 10) == -1, "fold to NULL", "Bokeo");
}

typedef struct {
    const char *name;
    const char *canonical;
    const char *iso;
} name_case;

static const name_case variants[] = {
    {"Attapeu", "Attapeu", "LA-AT"},
    {"Attapu", "Attapeu", "LA-AT"},
    {"Attopeu", "Attapeu", "LA-AT"},
    {"Attopu", "Attapeu", "LA-AT"},
    {"Bokeo", "Bokeo", "LA-BK"},
    {"Bolikhamxay", "Bolikhamxay", "LA-BL"},
    {"Bolikhamxai", "Bolikhamxay", "LA-BL"},
    {"Bolikhamsai", "Bolikhamxay", "LA-BL"},
    {"Borikhamxay", "Bolikhamxay", "LA-BL"},
    {"Borikhamzay", "Bolikhamxay", "LA-BL"},
    {"Borikhane", "Bolikhamxay", "LA-BL"},
    {"Borikane", "Bolikhamxay", "LA-BL"},
    {"Borikhan", "Bolikhamxay", "LA-BL"},
    {"Champasak", "Champasak", "LA-CH"},
    {"Champassak", "Champasak", "LA-CH"},
    {"Houaphanh", "Houaphanh", "LA-HO"},
    {"Houaphan", "Houaphanh", "LA-HO"},
    {"Hua Phan", "Houaphanh", "LA-HO"},
    {"Huaphanh", "Houaphanh", "LA-HO"},
    {"Sam Neua", "Houaphanh", "LA-HO"},
    {"Khammouane", "Khammouane", "LA-KH"},
    {"Khammouan", "Khammouane", "LA-KH"},
    {"Khammuan", "Khammouane", "LA-KH"},
    {"Luang Namtha", "Luang Namtha", "LA-LM"},
    {"Louang Namtha", "Luang Namtha", "LA-LM"},
    {"Louangnamtha", "Luang Namtha", "LA-LM"},
    {"Luangnamtha", "Luang Namtha", "LA-LM"},
    {"Luang Prabang", "Luang Prabang", "LA-LP"},
    {"Louangphrabang", "Luang Prabang", "LA-LP"},
    {"Louangphabang", "Luang Prabang", "LA-LP"},
    {"Luang Phabang", "Luang Prabang", "LA-LP"},
    {"Louang Prabang", "Luang Prabang", "LA-LP"},
    {"Oudomxay", "Oudomxay", "LA-OU"},
    {"Oud\xc3\xb4mxai", "Oudomxay", "LA-OU"},
    {"Oudomxai", "Oudomxay", "LA-OU"},
    {"Oudomsay", "Oudomxay", "LA-OU"},
    {"Oudomsai", "Oudomxay", "LA-OU"},
    {"Udomxay", "Oudomxay", "LA-OU"},
    {"Phongsaly", "Phongsaly", "LA-PH"},
    {"Ph\xc3\xb4ngsali", "Phongsaly", "LA-PH"},
    {"Phongsali", "Phongsaly", "LA-PH"},
    {"Salavan", "Salavan", "LA-SL"},
    {"Saravan", "Salavan", "LA-SL"},
    {"Saravane", "Salavan", "LA-SL"},
    {"Salavane", "Salavan", "LA-SL"},
    {"Savannakhet", "Savannakhet", "LA-SV"},
    {"Savannakh\xc3\xa9t", "Savannakhet", "LA-SV"},
    {"Sekong", "Sekong", "LA-XE"},
    {"X\xc3\xa9kong", "Sekong", "LA-XE"},
    {"Xekong", "Sekong", "LA-XE"},
    {"Xayabouri", "Xayabouri", "LA-XA"},
    {"Xaignabouri", "Xayabouri", "LA-XA"},
    {"Xaignabouli", "Xayabouri", "LA-XA"},
    {"Sayabouri", "Xayabouri", "LA-XA"},
    {"Sayaboury", "Xayabouri", "LA-XA"},
    {"Xayabury", "Xayabouri", "LA-XA"},
    {"Sainyabuli", "Xayabouri", "LA-XA"},
    {"Xaisomboun", "Xaisomboun", "LA-XS"},
    {"Xaysomboun", "Xaisomboun", "LA-XS"},
    {"Saysomboun", "Xaisomboun", "LA-XS"},
    {"Xieng Khouang", "Xieng Khouang", "LA-XI"},
    {"Xiangkhoang", "Xieng Khouang", "LA-XI"},
    {"Xiangkhouang", "Xieng Khouang", "LA-XI"},
    {"Xiengkhouang", "Xieng Khouang", "LA-XI"},
    {"Xieng Khwang", "Xieng Khouang", "LA-XI"},
    {"Xiengkhuang", "Xieng Khouang", "LA-XI"},
    {"Xiang Khouang", "Xieng Khouang", "LA-XI"},
    {"Xi\xc3\xaang-Khouang ", "Xieng Khouang", "LA-XI"},
    {"Vientiane Capital", "Vientiane Capital", "LA-VT"},
    {"Vientiane Prefecture", "Vientiane Capital", "LA-VT"},
    {"Vientiane [prefecture]", "Vientiane Capital", "LA-VT"},
    {"Viangchan Prefecture", "Vientiane Capital", "LA-VT"},
    {"Kamphaeng Nakhon Viang Chan", "Vientiane Capital", "LA-VT"},
    {"Vientiane Province", "Vientiane Province", "LA-VI"},
    {"Vientiane", "Vientiane Province", "LA-VI"},
    {"VIENTIANE", "Vientiane Province", "LA-VI"},
    {"Viangchan", "Vientiane Province", "LA-VI"},
    {"Attapeu Province", "Attapeu", "LA-AT"},
    {"xekong province", "Sekong", "LA-XE"},
    /* ISO 3166-2 codes, with and without the country prefix. */
    {"LA-XI", "Xieng Khouang", "LA-XI"},
    {"la-xi", "Xieng Khouang", "LA-XI"},
    {"XI", "Xieng Khouang", "LA-XI"},
    {" xi ", "Xieng Khouang", "LA-XI"},
    {"LA-VT", "Vientiane Capital", "LA-VT"},
    {"VI", "Vientiane Province", "LA-VI"},
    {"LA-XS", "Xaisomboun", "LA-XS"},
    {"LA-XN", "Xaisomboun", "LA-XS"}, /* former code, still in geoBoundaries */
    {"LA-AT", "Attapeu", "LA-AT"},
    {"LA-BK", "Bokeo", "LA-BK"},
    {"LA-BL", "Bolikhamxay", "LA-BL"},
    {"LA-CH", "Champasak", "LA-CH"},
    {"LA-HO", "Houaphanh", "LA-HO"},
    {"LA-KH", "Khammouane", "LA-KH"},
    {"LA-LM", "Luang Namtha", "LA-LM"},
    {"LA-LP", "Luang Prabang", "LA-LP"},
    {"LA-OU", "Oudomxay", "LA-OU"},
    {"LA-PH", "Phongsaly", "LA-PH"},
    {"LA-SL", "Salavan", "LA-SL"},
    {"LA-SV", "Savannakhet", "LA-SV"},
    {"LA-XA", "Xayabouri", "LA-XA"},
    {"LA-XE", "Sekong", "LA-XE"},
    /* Unknown or invalid names. */
    {"Bangkok", NULL, NULL},
    {"Vientiane Capital City Hall", NULL, NULL},
    {"Province", NULL, NULL},
    {"", NULL, NULL},
    {"   ", NULL, NULL},
    {"\xe0\xba\x9e\xe0\xba\xb0", NULL, NULL},
    {"Bok\xc3", NULL, NULL},
    {"LA-", NULL, NULL},
    {"LA-ZZ", NULL, NULL},
    {"TH-XI", NULL, NULL},
    {NULL, NULL, NULL},
};

static void test_variants(void) {
    for (size_t i = 0; i < sizeof variants / sizeof variants[0]; i++) {
        const name_case *c = &variants[i];
        check(str_eq(ccov_names_canonical(c->name), c->canonical), "canonical", c->name);
        check(str_eq(ccov_names_iso(c->name), c->iso), "iso", c->name);
    }
}

/* shapeName and shapeISO of the 18 features of /work/shared/data/lao_adm1_geoboundaries.geojson.
   geoBoundaries still tags Xaisomboun with the withdrawn LA-XN (ISO 3166-2 now has LA-XS). */
static const char *const geoboundaries[][2] = {
    {"Xaignabouli", "LA-XA"},   {"Attapeu", "LA-AT"},
    {"Bokeo", "LA-BK"},         {"Bolikhamsai", "LA-BL"},
    {"Champasak", "LA-CH"},     {"Houaphan", "LA-HO"},
    {"Khammouane", "LA-KH"},    {"Luang Namtha", "LA-LM"},
    {"Luang Prabang", "LA-LP"}, {"Oudomxay", "LA-OU"},
    {"Phongsaly", "LA-PH"},     {"Salavan", "LA-SL"},
    {"Savannakhet", "LA-SV"},   {"Vientiane Capital", "LA-VT"},
    {"Vientiane", "LA-VI"},     {"Xaisomboun", "LA-XN"},
    {"Xekong", "LA-XE"},        {"Xiangkhouang", "LA-XI"},
};

static void test_geoboundaries(void) {
    size_t n = sizeof geoboundaries / sizeof geoboundaries[0];
    check(n == 18, "geoBoundaries has 18 provinces", NULL);
    for (size_t i = 0; i < n; i++) {
        const char *name = geoboundaries[i][0];
        const char *iso = geoboundaries[i][1];
        const char *canon = ccov_names_canonical(name);
        check(canon != NULL, "geoBoundaries name known", name);
        check(str_eq(canon, ccov_names_canonical(iso)), "geoBoundaries name agrees with ISO", name);
        check(ccov_names_match(name, name, iso), "geoBoundaries region matches itself", name);
        check(ccov_names_match(iso, name, iso), "geoBoundaries region matches its code", name);
        check(ccov_names_match(iso + 3, name, iso), "geoBoundaries region matches bare code", name);
        check(ccov_names_match(canon, name, iso), "geoBoundaries region matches canonical", name);
        /* A query naming any other province must not select this region. */
        for (size_t j = 0; j < n; j++) {
            if (j != i)
                check(!ccov_names_match(geoboundaries[j][0], name, iso),
                      "geoBoundaries regions distinct", geoboundaries[j][0]);
        }
    }
}

typedef struct {
    const char *query;
    const char *region_name;
    const char *region_iso;
    bool want;
} match_case;

static const match_case matches[] = {
    {"Bolikhamxay", "Bolikhamsai", "LA-BL", true},
    {"borikhamzay", "Bolikhamsai", NULL, true},
    {"Xieng Khouang", "Xiangkhouang", "", true},
    {"XI", "Xiangkhouang", "LA-XI", true},
    {"la-xi", "Xiangkhouang", "LA-XI", true},
    {"xi", "Unknown name", "LA-XI", true},
    {"Xieng Khouang", "Unknown name", "LA-XI", true}, /* region known by its code */
    {"LA-XS", "Xaisomboun", "LA-XN", true},
    {"XN", "Xaisomboun", "LA-XN", true},
    {"Sam Neua", "Houaphan", "LA-HO", true},
    {"Vientiane", "Vientiane", "LA-VI", true},
    {"Vientiane", "Vientiane Capital", "LA-VT", false}, /* bare name is the province */
    {"Vientiane Prefecture", "Vientiane Capital", "LA-VT", true},
    {"Vientiane Capital", "Vientiane", "LA-VI", false},
    {"Savannakhet", "Salavan", "LA-SL", false},
    {"LA-SV", "Salavan", "LA-SL", false},
    {"SL", "Salavan", "LA-SL", true},
    /* Non-Lao regions: folded equality and their own codes only. */
    {"Chiang Mai", "Chiang  MAI", "TH-50", true},
    {"th-50", "Chiang Mai", "TH-50", true},
    {"50", "Chiang Mai", "TH-50", false},
    {"Paris", "Lyon", "", false},
    {"Xi", "Chiang Mai", "TH-XI", false},
    {"Bokeo", "Chiang Mai", "TH-50", false},
    /* Degenerate input never matches. */
    {"", "", "", false},
    {"\xe0\xba\x9e\xe0\xba\xb0", "\xe0\xba\x9e\xe0\xba\xb1", NULL, false},
    {"--", "  ", NULL, false},
    {NULL, "Bokeo", "LA-BK", false},
    {"Bokeo", NULL, NULL, false},
    {"Bokeo", NULL, "LA-BK", true},
    {"LA-", "Bokeo", "LA-", false},
    {"Bok\xc3", "Bok\xc3", NULL, false},
};

static void test_match(void) {
    for (size_t i = 0; i < sizeof matches / sizeof matches[0]; i++) {
        const match_case *c = &matches[i];
        bool got = ccov_names_match(c->query, c->region_name, c->region_iso);
        check(got == c->want, c->want ? "match" : "no match", c->query);
    }
}

/* Terminal text: each control character, invalid byte and bidi control has its visible escape;
   everything else, backslash included, is kept. Expected texts written out by hand. */
static const char *const escapes[][2] = {
    {"Alpha", "Alpha"},
    {"S\xc3\xa9kong \xe0\xba\x9e", "S\xc3\xa9kong \xe0\xba\x9e"},
    {"a\tb\nc\rd\x1b[31m", "a\\tb\\nc\\rd\\e[31m"},
    {"bel\a del\x7f nul-less \x01", "bel\\x07 del\\x7f nul-less \\x01"},
    {"c1 \xc2\x9b"
     "2J \xc2\x85",
     "c1 \\u009b2J \\u0085"},
    {"rlo \xe2\x80\xae ls \xe2\x80\xa8 lri \xe2\x81\xa6", "rlo \\u202e ls \\u2028 lri \\u2066"},
    {"latin1 d\xe9minage, cut \xc3", "latin1 d\\xe9minage, cut \\xc3"},
    {"back\\slash", "back\\slash"},
    {"", ""},
};

static void test_escape(void) {
    for (size_t i = 0; i < sizeof escapes / sizeof escapes[0]; i++) {
        char out[128];
        size_t n = ccov_text_escape(escapes[i][0], out, sizeof out);
        check(str_eq(out, escapes[i][1]) && n == strlen(escapes[i][1]), "escape", escapes[i][0]);
    }
    /* snprintf's contract: the whole length returned, a unit never cut in half. */
    char small[6];
    check(ccov_text_escape("ab\x1b\x1b", small, sizeof small) == 6 && str_eq(small, "ab\\e"),
          "escape cut at a whole escape", "ab ESC ESC");
    check(ccov_text_escape(NULL, NULL, 0) == 0, "escape of NULL", NULL);
}

static void test_utf8(void) {
    char out[64];
    check(ccov_text_utf8("d\xe9minage", out, sizeof out) == 9 && str_eq(out, "d\xc3\xa9minage"),
          "Latin-1 byte read as Latin-1", "d\xe9minage");
    check(ccov_text_utf8("S\xc3\xa9kong", out, sizeof out) == 7 && str_eq(out, "S\xc3\xa9kong"),
          "valid UTF-8 kept", "S\xc3\xa9kong");
    check(ccov_text_utf8("\xc3(", out, sizeof out) == 3 && str_eq(out, "\xc3\x83("),
          "truncated sequence read as Latin-1", "\xc3(");
}

/* Connection strings with the password masked, as clearcov echoes them. */
static const char *const masks[][2] = {
    {"PG:dbname=mine host=db password=s3cret port=5432",
     "PG:dbname=mine host=db password=*** port=5432"},
    {"PG:password = 's e\\'cret' dbname=x", "PG:password = *** dbname=x"},
    {"PG:PASSWORD=abc", "PG:PASSWORD=***"},
    {"postgresql://ana:p%40ss@db.example:5432/mine", "postgresql://ana:***@db.example:5432/mine"},
    {"PG:postgresql://ana@db/mine?sslmode=require&password=abc&x=1",
     "PG:postgresql://ana@db/mine?sslmode=require&password=***&x=1"},
    {"clearcov: PG:dbname=x password=***: no table 'y'; PG:password=b c",
     "clearcov: PG:dbname=x password=***: no table 'y'; PG:password=*** c"},
    {"mypassword=1 passwords=2 https://host/a:b@c", "mypassword=1 passwords=2 https://host/a:b@c"},
    {"/data/cleared.gpkg", "/data/cleared.gpkg"},
    {"PG:password=", "PG:password=***"},
};

static void test_mask(void) {
    for (size_t i = 0; i < sizeof masks / sizeof masks[0]; i++) {
        char out[128];
        size_t n = ccov_text_mask_password(masks[i][0], out, sizeof out);
        check(str_eq(out, masks[i][1]) && n == strlen(masks[i][1]), "password masked", masks[i][0]);
    }
    char small[8];
    check(ccov_text_mask_password("PG:password=x y", small, sizeof small) == 17 &&
              str_eq(small, "PG:pass"),
          "mask cut as snprintf", "PG:password=x y");
    check(ccov_text_mask_password(NULL, NULL, 0) == 0, "mask of NULL", NULL);
}

int main(void) {
    test_mask();
    test_fold();
    test_variants();
    test_geoboundaries();
    test_match();
    test_escape();
    test_utf8();
    if (failures > 0) {
        fprintf(stderr, "test_names: %d of %d checks failed\n", failures, checks);
        return 1;
    }
    printf("test_names: %d checks passed\n", checks);
    return 0;
}
