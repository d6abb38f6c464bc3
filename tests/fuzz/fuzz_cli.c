/* Fuzz target: the command line, ccov_cli_main() with argv taken from the input.
 *
 * The input is split into arguments at newlines (and NULs), at most 32, each under 256 bytes;
 * "clearcov" is put in front. Safety: the process works in a temporary folder made at start-up,
 * and an input with an argument containing '/', ".." or ':' (except a CRS name: EPSG:, ESRI:,
 * OGC:, IGNF:) is refused, so only files of that folder can be named (no absolute path, no parent,
 * no PG:/vsi/URL source); numbers above 9999
 * are refused, and synth --count above 200, so that every run stays short. The folder holds small
 * fixtures rewritten before every run (c.geojson: cleared polygons; r.geojson: two regions; k.csv
 * and k.json: claims; n.csv: a layer with no CRS) and everything else in it is removed after each
 * run. Runs without --regions/--cleared read CLEARCOV_DATA, a second folder holding the bundled
 * provinces and a 20-feature sample (made once with synth).
 *
 * Checks: no crash or sanitizer report, an exit code in 0..5, and every line on stderr starts
 * with "clearcov: " or is "try 'clearcov --help'" (no raw GDAL/PROJ/GEOS text). stdout goes to
 * /dev/null; stderr is captured in memory for the check (set CCOV_FUZZ_ECHO=1 to see it;
 * CCOV_FUZZ_MULTILINE_OK=1 skips the check of its lines). */
#include "clearcov/cli.h"
#include "fuzz_common.h"

#include <ftw.h>
#include <getopt.h>
#include <stdbool.h>
#include <stdint.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <sys/stat.h>
#include <unistd.h>

#define MAX_ARGS 32
#define MAX_ARG_LEN 256
#define MAX_NUMBER 9999 /* years pass; synth --count is held to MAX_COUNT */
#define MAX_COUNT 200

int LLVMFuzzerTestOneInput(const uint8_t *data, size_t size);
int LLVMFuzzerInitialize(int *argc, char ***argv);
int __wrap_fclose(FILE *f);
int __real_fclose(FILE *f);

static FILE *devnull_out;
static char work_dir[4096];
static char data_dir[4096];
static char start_dir[4096]; /* libFuzzer's own paths (corpus, artifacts) are relative to it */

/* The library's fclose(stdout) must not close the harness's stream (it is reused). */
int __wrap_fclose(FILE *f) {
    if (f == devnull_out)
        return fflush(f);
    return __real_fclose(f);
}

static const struct {
    const char *name;
    const char *text;
} FIXTURES[] = {
    {"c.geojson",
     "{\"type\":\"FeatureCollection\",\"features\":[\n"
     "{\"type\":\"Feature\",\"properties\":{\"task_id\":\"T1\",\"year\":2019,\"operator\":\"A\","
     "\"reported_area\":120,\"reported_unit\":\"ha\",\"province\":\"North\"},\"geometry\":"
     "{\"type\":\"Polygon\",\"coordinates\":[[[104.0,18.0],[104.01,18.0],[104.01,18.01],"
     "[104.0,18.01],[104.0,18.0]]]}},\n"
     "{\"type\":\"Feature\",\"properties\":{\"task_id\":\"T2\",\"year\":1900,\"operator\":\"B\","
     "\"reported_area\":-1,\"reported_unit\":\"furlong\",\"province\":\"South\"},\"geometry\":"
     "{\"type\":\"Polygon\",\"coordinates\":[[[104.005,18.005],[104.02,18.02],[104.02,18.005],"
     "[104.005,18.02],[104.005,18.005]]]}},\n"
     "{\"type\":\"Feature\",\"properties\":{\"task_id\":\"t1 "
     "\",\"year\":2020},\"geometry\":null},\n"
     "{\"type\":\"Feature\",\"properties\":{\"task_id\":\"T4\"},\"geometry\":{\"type\":\"Point\","
     "\"coordinates\":[104.0,18.0]}}\n"
     "]}\n"},
    {"r.geojson",
     "{\"type\":\"FeatureCollection\",\"features\":[\n"
     "{\"type\":\"Feature\",\"properties\":{\"name\":\"North\",\"iso\":\"XX-N\"},\"geometry\":"
     "{\"type\":\"Polygon\",\"coordinates\":[[[103.9,18.01],[104.1,18.01],[104.1,18.1],"
     "[103.9,18.1],[103.9,18.01]]]}},\n"
     "{\"type\":\"Feature\",\"properties\":{\"name\":\"South\",\"iso\":\"XX-S\"},\"geometry\":"
     "{\"type\":\"Polygon\",\"coordinates\":[[[103.9,17.9],[104.1,17.9],[104.1,18.01],"
     "[103.9,18.01],[103.9,17.9]]]}}\n"
     "]}\n"},
    {"k.csv", "id,statement,source,regions,where,value,unit,relation,tolerance_pct,"
              "percent_of_region\n"
              "a,more than 100 ha,test,North,,100,ha,at_least,,\n"
              "b,about 1 km2,test,,operator = 'A',1,km2,about,5,0.5\n"
              "c,bad,test,Atlantis,,-3,furlong,maybe,,\n"},
    {"k.json", "[{\"id\":\"a\",\"statement\":\"s\",\"source\":\"t\",\"regions\":\"South\","
               "\"where\":\"\",\"value\":2,\"unit\":\"acres\",\"relation\":\"at_most\"}]\n"},
    {"n.csv", "WKT,task_id\n"
              "\"POLYGON((450000 2000000,450100 2000000,450100 2000100,450000 2000000))\",N1\n"},
};

static void write_file(const char *name, const char *text) {
    FILE *f = fopen(name, "w");
    if (!f || fputs(text, f) < 0 || __real_fclose(f) != 0)
        abort();
}

static int remove_entry(const char *path, const struct stat *st, int flag, struct FTW *ftw) {
    (void)st;
    (void)flag;
    if (ftw->level > 0)
        remove(path);
    return 0;
}

/* Back to the fixtures alone, as written; the current folder is the work folder after it. */
static void reset_work_dir(void) {
    if (chdir(work_dir) != 0)
        abort();
    chmod(work_dir, 0700);
    nftw(work_dir, remove_entry, 16, FTW_DEPTH | FTW_PHYS);
    for (size_t i = 0; i < sizeof FIXTURES / sizeof FIXTURES[0]; i++)
        write_file(FIXTURES[i].name, FIXTURES[i].text);
}

static void remove_dir(const char *dir) {
    nftw(dir, remove_entry, 16, FTW_DEPTH | FTW_PHYS);
    rmdir(dir);
}

static void cleanup(void) {
    if (chdir("/") == 0) {
        remove_dir(work_dir);
        remove_dir(data_dir);
    }
}

/* CLEARCOV_DATA: the bundled provinces (linked) and a small sample written by synth. */
static void make_data_dir(void) {
    static const char *parts[] = {"provinces.shp", "provinces.shx", "provinces.dbf",
                                  "provinces.prj", "provinces.cpg"};
    char src[8192], dst[8192];
    for (size_t i = 0; i < sizeof parts / sizeof parts[0]; i++) {
        snprintf(src, sizeof src, "%s/data/%s", CCOV_SOURCE_DIR, parts[i]);
        snprintf(dst, sizeof dst, "%s/%s", data_dir, parts[i]);
        if (symlink(src, dst) != 0)
            abort();
    }
    setenv("CLEARCOV_DATA", data_dir, 1);
    snprintf(dst, sizeof dst, "%s/cleared_sample.gpkg", data_dir);
    char *argv[] = {"clearcov", "synth", "--count", "20", "--seed", "7", "-o", dst, "-q", NULL};
    if (ccov_cli_main(9, argv) != 0) {
        fprintf(stderr, "fuzz_cli: could not write the sample with synth\n");
        abort();
    }
}

int LLVMFuzzerInitialize(int *argc, char ***argv) {
    (void)argc;
    (void)argv;
    const char *tmp = getenv("TMPDIR");
    snprintf(work_dir, sizeof work_dir, "%s/ccov-fuzz-cli.XXXXXX", tmp && *tmp ? tmp : "/tmp");
    snprintf(data_dir, sizeof data_dir, "%s/ccov-fuzz-data.XXXXXX", tmp && *tmp ? tmp : "/tmp");
    if (!getcwd(start_dir, sizeof start_dir) || !mkdtemp(work_dir) || !mkdtemp(data_dir))
        abort();
    atexit(cleanup);
    devnull_out = fopen("/dev/null", "w");
    if (!devnull_out)
        abort();
    stdout = devnull_out;
    make_data_dir();
    return 0;
}

/* "--count", "--coun=5"...: the option (or an abbreviation getopt_long accepts) of synth's count.
 */
static bool is_count_option(const char *arg) {
    size_t n = strcspn(arg, "=");
    return n >= 4 && n <= 7 && strncmp(arg, "--count", n) == 0;
}

static bool big_count(const char *v) { return strtoll(v, NULL, 10) > MAX_COUNT; }

/* An argument the harness refuses: a path out of the folder, a connection string, a big number. */
static bool refused(const char *arg) {
    static const char *const crs_prefixes[] = {"EPSG:", "ESRI:", "OGC:", "IGNF:"};
    bool crs = false;
    for (size_t i = 0; i < sizeof crs_prefixes / sizeof crs_prefixes[0]; i++)
        crs = crs || strncmp(arg, crs_prefixes[i], strlen(crs_prefixes[i])) == 0;
    if (strchr(arg, '/') || strstr(arg, "..") || (strchr(arg, ':') && !crs))
        return true;
    for (const char *p = arg; *p;) {
        if (*p >= '0' && *p <= '9') {
            long v = 0;
            while (*p >= '0' && *p <= '9') {
                v = v * 10 + (*p - '0');
                if (v > MAX_NUMBER)
                    return true;
                p++;
            }
        } else {
            p++;
        }
    }
    return false;
}

/* Split the input into argv (copies, NUL-terminated); returns argc, 0 when refused. */
static int split_args(const uint8_t *data, size_t size, char *buf, char **argv) {
    int argc = 0;
    argv[argc++] = "clearcov";
    size_t start = 0;
    for (size_t i = 0; i <= size; i++) {
        if (i < size && data[i] != '\n' && data[i] != '\0')
            continue;
        size_t len = i - start;
        if (len >= MAX_ARG_LEN || argc >= MAX_ARGS)
            return 0;
        memcpy(buf + start, data + start, len);
        buf[start + len] = '\0';
        argv[argc] = buf + start;
        if (refused(argv[argc]))
            return 0;
        if (is_count_option(argv[argc]) && strchr(argv[argc], '=') &&
            big_count(strchr(argv[argc], '=') + 1))
            return 0;
        if (argc > 1 && is_count_option(argv[argc - 1]) && !strchr(argv[argc - 1], '=') &&
            big_count(argv[argc]))
            return 0;
        argc++;
        start = i + 1;
    }
    argv[argc] = NULL;
    return argc;
}

static bool multiline_ok(void) {
    const char *v = getenv("CCOV_FUZZ_MULTILINE_OK");
    return v && *v == '1';
}

/* Every stderr line: "clearcov: ..." or the usage hint; nothing raw from the libraries. */
static void check_stderr(const char *text, size_t len) {
    if (getenv("CCOV_FUZZ_ECHO"))
        fwrite(text, 1, len, stderr);
    const char *p = text, *end = text + len;
    while (p < end) {
        const char *nl = memchr(p, '\n', (size_t)(end - p));
        size_t n = nl ? (size_t)(nl - p) : (size_t)(end - p);
        bool ok = (n >= 10 && memcmp(p, "clearcov: ", 10) == 0) ||
                  (n == 21 && memcmp(p, "try 'clearcov --help'", 21) == 0) || multiline_ok();
        if (!ok || !nl) {
            fprintf(stderr, "fuzz_cli: bad stderr line (%s): [%.*s]\n",
                    nl ? "not 'clearcov: ...'" : "no final newline", (int)n, p);
            abort();
        }
        p = nl + 1;
    }
}

int LLVMFuzzerTestOneInput(const uint8_t *data, size_t size) {
    if (size > MAX_ARGS * MAX_ARG_LEN)
        return -1;
    char *buf = malloc(size + 1);
    char *argv[MAX_ARGS + 2];
    if (!buf)
        abort();
    int argc = split_args(data, size, buf, argv);
    if (argc == 0) {
        free(buf);
        return -1; /* not added to the corpus */
    }
    /* getopt keeps state between calls: start it afresh (optind 0 reinitialises glibc's). */
    char *reset_argv[] = {"clearcov", NULL};
    optind = 0;
    (void)getopt(1, reset_argv, "");

    reset_work_dir();
    char *err_text = NULL;
    size_t err_len = 0;
    FILE *err = open_memstream(&err_text, &err_len);
    if (!err)
        abort();
    FILE *saved_err = stderr;
    stderr = err;
    stdout = devnull_out;
    int rc = ccov_cli_main(argc, argv);
    stderr = saved_err;
    __real_fclose(err);
    check_stderr(err_text, err_len);
    ccov_fuzz_check_status("ccov_cli_main", rc);
    free(err_text);
    free(buf);
    if (chdir(start_dir) != 0)
        abort();
    return 0;
}
