/* Replays a fuzz target's seed corpus without libFuzzer: linked with one fuzz_<target>.c, it
   calls LLVMFuzzerInitialize (when the target has one) and then LLVMFuzzerTestOneInput once per
   file of each folder or file given, in name order. Built in every tree by tests/CMakeLists.txt,
   so that the sanitizer tree (ASan + UBSan) runs every seed, past crashes included, in CTest.
   Exit 0 when every input ran (a target aborts on a broken invariant), 1 when an input could not
   be read or none was found. */
#include <dirent.h>
#include <stdint.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <sys/stat.h>

int LLVMFuzzerTestOneInput(const uint8_t *data, size_t size);
int LLVMFuzzerInitialize(int *argc, char ***argv) __attribute__((weak));

/* The whole file in a malloc'd buffer (an empty file gives a 1-byte buffer and *size 0). */
static uint8_t *read_all(const char *path, size_t *size) {
    uint8_t *buf = NULL;
    FILE *f = fopen(path, "rb");
    struct stat st;
    if (!f || fstat(fileno(f), &st) != 0 || st.st_size < 0)
        goto cleanup;
    buf = malloc((size_t)st.st_size + 1);
    if (buf && fread(buf, 1, (size_t)st.st_size, f) != (size_t)st.st_size) {
        free(buf);
        buf = NULL;
    }
    *size = (size_t)st.st_size;
cleanup:
    if (f)
        fclose(f);
    return buf;
}

static int run_file(const char *path, size_t *count) {
    size_t size = 0;
    uint8_t *buf = read_all(path, &size);
    if (!buf) {
        fprintf(stderr, "replay: cannot read %s\n", path);
        return 1;
    }
    LLVMFuzzerTestOneInput(buf, size);
    free(buf);
    (*count)++;
    return 0;
}

static int by_name(const struct dirent **a, const struct dirent **b) {
    return strcmp((*a)->d_name, (*b)->d_name);
}

static int hidden(const struct dirent *e) { return e->d_name[0] != '.'; }

static int run_dir(const char *dir, size_t *count) {
    struct dirent **list = NULL;
    int n = scandir(dir, &list, hidden, by_name), failures = 0;
    if (n < 0) {
        fprintf(stderr, "replay: cannot list %s\n", dir);
        return 1;
    }
    for (int i = 0; i < n; i++) {
        char path[4096];
        snprintf(path, sizeof path, "%s/%s", dir, list[i]->d_name);
        failures += run_file(path, count);
        free(list[i]);
    }
    free(list);
    return failures;
}

int main(int argc, char **argv) {
    size_t count = 0;
    int failures = 0;
    if (LLVMFuzzerInitialize)
        LLVMFuzzerInitialize(&argc, &argv);
    for (int i = 1; i < argc; i++) {
        struct stat st;
        if (stat(argv[i], &st) == 0 && S_ISDIR(st.st_mode))
            failures += run_dir(argv[i], &count);
        else
            failures += run_file(argv[i], &count);
    }
    fprintf(stderr, "replay: %zu inputs run\n", count);
    return failures || count == 0;
}
