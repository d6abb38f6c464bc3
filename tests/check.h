/* Shared by the unit tests that count failures with CHECK: the counter, the macro, and the last
   line main() prints. */
#ifndef CCOV_TESTS_CHECK_H
#define CCOV_TESTS_CHECK_H

#include <stdio.h>

static int failures;

#define CHECK(cond)                                                                                \
    do {                                                                                           \
        if (!(cond)) {                                                                             \
            fprintf(stderr, "%s:%d: FAIL: %s\n", __FILE__, __LINE__, #cond);                       \
            failures++;                                                                            \
        }                                                                                          \
    } while (0)

/* "NAME: ok" on stdout, or the failure count on stderr; the exit status for main(). */
static inline int check_summary(const char *name) {
    if (failures)
        fprintf(stderr, "%s: %d failure(s)\n", name, failures);
    else
        printf("%s: ok\n", name);
    return failures != 0;
}

#endif
