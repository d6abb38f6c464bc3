/* Tests for the no-clobber rule of core/atomic: what ccov_atomic_may_write refuses (a file, a
   symlink even when it points nowhere) and lets through (nothing there, or --overwrite), the
   message it leaves, and ccov_atomic_open keeping the rule. Expected messages are the ones the
   README and the hostile-input corpus promise. */
#define _POSIX_C_SOURCE 200809L /* mkdtemp, symlink */
#include "check.h"
#include "clearcov/atomic.h"

#include <stdlib.h>
#include <string.h>
#include <unistd.h>

static char dir[] = "/tmp/test_atomic-XXXXXX";

static void path_of(const char *name, char *out, size_t n) { snprintf(out, n, "%s/%s", dir, name); }

static void expect_refused(ccov_ctx *ctx, const char *path) {
    char want[PATH_MAX + 64];
    snprintf(want, sizeof want, "%s: exists; pass --overwrite to replace it", path);
    CHECK(ccov_atomic_may_write(ctx, path, false) == CCOV_ERR_IO);
    CHECK(strcmp(ccov_ctx_error(ctx), want) == 0);
    CHECK(ccov_atomic_may_write(ctx, path, true) == CCOV_OK);
}

static void may_write(ccov_ctx *ctx) {
    char file[PATH_MAX], link[PATH_MAX], nowhere[PATH_MAX], none[PATH_MAX];
    path_of("file", file, sizeof file);
    path_of("link", link, sizeof link);
    path_of("nowhere", nowhere, sizeof nowhere);
    path_of("none", none, sizeof none);
    FILE *fp = fopen(file, "w");
    CHECK(fp != NULL);
    if (fp)
        fclose(fp);
    CHECK(symlink(nowhere, link) == 0);
    CHECK(ccov_atomic_may_write(ctx, none, false) == CCOV_OK);
    CHECK(ccov_atomic_may_write(ctx, none, true) == CCOV_OK);
    expect_refused(ctx, file);
    expect_refused(ctx, link); /* dangling: still refused */
    CHECK(access(nowhere, F_OK) != 0);
}

static void appeared(ccov_ctx *ctx) {
    CHECK(ccov_atomic_appeared(ctx, "out/x.json") == CCOV_ERR_IO);
    CHECK(strcmp(ccov_ctx_error(ctx),
                 "out/x.json: exists (appeared during the run); pass --overwrite to replace it") ==
          0);
}

/* ccov_atomic_open refuses the dangling symlink and writes nothing through it. */
static void open_keeps_rule(ccov_ctx *ctx) {
    char link[PATH_MAX], nowhere[PATH_MAX];
    path_of("link", link, sizeof link);
    path_of("nowhere", nowhere, sizeof nowhere);
    ccov_atomic_file f;
    CHECK(ccov_atomic_open(ctx, link, false, &f) == CCOV_ERR_IO);
    CHECK(strstr(ccov_ctx_error(ctx), ": exists; pass --overwrite to replace it") != NULL);
    CHECK(access(nowhere, F_OK) != 0);
}

static void clean(void) {
    const char *names[] = {"file", "link", "nowhere"};
    char p[PATH_MAX];
    for (size_t i = 0; i < sizeof names / sizeof names[0]; i++) {
        path_of(names[i], p, sizeof p);
        unlink(p);
    }
    rmdir(dir);
}

int main(void) {
    ccov_ctx *ctx = ccov_ctx_create();
    CHECK(ctx != NULL);
    if (!ctx || !mkdtemp(dir))
        return 1;
    may_write(ctx);
    appeared(ctx);
    open_keeps_rule(ctx);
    clean();
    ccov_ctx_free(ctx);
    return check_summary("test_atomic");
}
