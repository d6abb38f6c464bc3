/* Helpers shared by the fuzz targets (header-only, test code). */
#ifndef CCOV_FUZZ_COMMON_H
#define CCOV_FUZZ_COMMON_H

#include "clearcov/ctx.h"

#include <stdio.h>
#include <stdlib.h>
#include <string.h>

/* Invariants every target checks (issue 6): a message is one line, and a status is one of the
   documented exit codes. A violation aborts, so libFuzzer saves the input. Set
   CCOV_FUZZ_MULTILINE_OK=1 to skip the one-line check once its findings are known, to look
   further for memory errors. */
static inline void ccov_fuzz_check_line(const char *what, const char *line) {
    static int skip = -1;
    if (skip < 0)
        skip = getenv("CCOV_FUZZ_MULTILINE_OK") && *getenv("CCOV_FUZZ_MULTILINE_OK") == '1';
    if (!line) {
        fprintf(stderr, "fuzz: %s: NULL message\n", what);
        abort();
    }
    if (!skip && (strchr(line, '\n') || strchr(line, '\r'))) {
        fprintf(stderr, "fuzz: %s: message on several lines: [%s]\n", what, line);
        abort();
    }
}

static inline void ccov_fuzz_check_status(const char *what, int st) {
    if (st < 0 || st > 5) {
        fprintf(stderr, "fuzz: %s: status %d is not an exit code (0-5)\n", what, st);
        abort();
    }
}

/* Warnings and details from the library must be single lines too. */
static inline void ccov_fuzz_message(void *user, ccov_msg_level level, const char *line) {
    (void)user;
    (void)level;
    ccov_fuzz_check_line("library message", line);
}

#endif
