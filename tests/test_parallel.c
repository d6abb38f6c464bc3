/* Unit tests of core/parallel: every item is handed out exactly once, to a worker in range,
   whatever the thread count; a failure stops the loop and names its worker; the two-halves form
   (start, then finish) lets the calling thread work in between and then takes it in. */
#include "core/parallel.h"

#include <stdatomic.h>
#include <stdbool.h>
#include <stdint.h>
#include <stdlib.h>

#include "check.h"

enum { THREADS = 4 };

typedef struct {
    atomic_int *seen;      /* per item: how many times it was handed out */
    atomic_int max_worker; /* highest worker index seen */
    size_t fail_at;        /* item whose call fails (SIZE_MAX: none) */
} job;

static ccov_status visit(void *shared, int worker, size_t item) {
    job *j = shared;
    atomic_fetch_add(&j->seen[item], 1);
    int seen = atomic_load(&j->max_worker);
    while (worker > seen && !atomic_compare_exchange_weak(&j->max_worker, &seen, worker))
        ;
    return item == j->fail_at ? CCOV_ERR_GEOM : CCOV_OK;
}

/* Each of the n items was handed out once. */
static bool each_once(const job *j, size_t n) {
    for (size_t i = 0; i < n; i++)
        if (atomic_load(&j->seen[i]) != 1)
            return false;
    return true;
}

static job job_make(size_t n, size_t fail_at) {
    job j = {.seen = calloc(n ? n : 1, sizeof *j.seen), .fail_at = fail_at};
    atomic_init(&j.max_worker, -1);
    return j;
}

static void check_for(void) {
    static const size_t SIZES[] = {0, 1, 5, 1000, 100000};
    for (int threads = 0; threads <= THREADS; threads++)
        for (size_t s = 0; s < sizeof SIZES / sizeof SIZES[0]; s++) {
            job j = job_make(SIZES[s], SIZE_MAX);
            int failed = -7;
            CHECK(ccov_parallel_for(threads, SIZES[s], visit, &j, &failed, NULL, NULL) == CCOV_OK);
            CHECK(failed == -7);
            CHECK(each_once(&j, SIZES[s]));
            CHECK(atomic_load(&j.max_worker) < (threads < 1 ? 1 : threads));
            free(j.seen);
        }
}

/* The calling thread does its own work between start and finish; with one thread nothing runs
   before finish. */
static void check_halves(void) {
    for (int threads = 1; threads <= THREADS; threads++) {
        size_t n = 20000;
        job j = job_make(n, SIZE_MAX);
        ccov_loop *l = ccov_parallel_start(threads, n, visit, &j);
        CHECK(l != NULL);
        if (!l) {
            free(j.seen);
            continue;
        }
        if (threads == 1)
            CHECK(atomic_load(&j.seen[0]) == 0 && atomic_load(&j.max_worker) == -1);
        int failed = -7;
        CHECK(ccov_parallel_finish(l, &failed) == CCOV_OK);
        CHECK(failed == -7);
        CHECK(each_once(&j, n));
        CHECK(atomic_load(&j.max_worker) < threads);
        free(j.seen);
    }
}

/* A failing item stops the loop: its status comes back with a worker in range, and no item is
   handed out twice. */
static void check_failure(void) {
    for (int threads = 1; threads <= THREADS; threads++)
        for (int halves = 0; halves < 2; halves++) {
            size_t n = 5000;
            job j = job_make(n, 1234);
            int failed = -7;
            ccov_status st = CCOV_OK;
            if (halves) {
                ccov_loop *l = ccov_parallel_start(threads, n, visit, &j);
                st = l ? ccov_parallel_finish(l, &failed) : CCOV_ERR_IO;
            } else {
                st = ccov_parallel_for(threads, n, visit, &j, &failed, NULL, NULL);
            }
            CHECK(st == CCOV_ERR_GEOM);
            CHECK(failed >= 0 && failed < threads);
            CHECK(atomic_load(&j.seen[1234]) == 1);
            for (size_t i = 0; i < n; i++)
                CHECK(atomic_load(&j.seen[i]) <= 1);
            free(j.seen);
        }
}

int main(void) {
    check_for();
    check_halves();
    check_failure();
    return check_summary("test_parallel");
}
