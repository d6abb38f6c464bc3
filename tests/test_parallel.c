/* Unit tests of core/parallel: every item is handed out exactly once, to a worker in range,
   whatever the thread count; a failure stops the loop and names the worker it happened on; the
   two-halves form (start, then finish) has the other workers going before finish is called,
   and finish returns only once every item is done. */
#include "core/parallel.h"

#include <stdatomic.h>
#include <stdbool.h>
#include <stdint.h>
#include <stdio.h>
#include <stdlib.h>
#include <time.h>

#include "check.h"

enum { THREADS = 4 };

typedef struct {
    atomic_int *seen;      /* per item: how many times it was handed out */
    atomic_int max_worker; /* highest worker index seen */
    atomic_int failed_by;  /* the worker that ran fail_at (-1: none yet) */
    size_t fail_at;        /* item whose call fails (SIZE_MAX: none) */
    bool slow;             /* each call sleeps a little, so that workers are still busy */
} job;

static void nap(long ns) {
    struct timespec t = {0, ns};
    nanosleep(&t, NULL);
}

static ccov_status visit(void *shared, int worker, size_t item) {
    job *j = shared;
    if (j->slow)
        nap(200000);
    atomic_fetch_add(&j->seen[item], 1);
    int seen = atomic_load(&j->max_worker);
    while (worker > seen && !atomic_compare_exchange_weak(&j->max_worker, &seen, worker))
        ;
    if (item != j->fail_at)
        return CCOV_OK;
    atomic_store(&j->failed_by, worker);
    return CCOV_ERR_GEOM;
}

/* How many of the n items were handed out exactly once. */
static size_t done_once(const job *j, size_t n) {
    size_t once = 0;
    for (size_t i = 0; i < n; i++)
        once += atomic_load(&j->seen[i]) == 1;
    return once;
}

static size_t done_any(const job *j, size_t n) {
    size_t any = 0;
    for (size_t i = 0; i < n; i++)
        any += atomic_load(&j->seen[i]) != 0;
    return any;
}

static job job_make(size_t n, size_t fail_at, bool slow) {
    job j = {.seen = calloc(n ? n : 1, sizeof *j.seen), .fail_at = fail_at, .slow = slow};
    if (!j.seen) {
        fprintf(stderr, "test_parallel: out of memory\n");
        exit(1);
    }
    atomic_init(&j.max_worker, -1);
    atomic_init(&j.failed_by, -1);
    return j;
}

static void check_for(void) {
    static const size_t SIZES[] = {0, 1, 5, 1000, 100000};
    for (int threads = 0; threads <= THREADS; threads++)
        for (size_t s = 0; s < sizeof SIZES / sizeof SIZES[0]; s++) {
            job j = job_make(SIZES[s], SIZE_MAX, false);
            int failed = -7;
            CHECK(ccov_parallel_for(threads, SIZES[s], visit, &j, &failed, NULL, NULL) == CCOV_OK);
            CHECK(failed == -7);
            CHECK(done_once(&j, SIZES[s]) == SIZES[s]);
            CHECK(atomic_load(&j.max_worker) < (threads < 1 ? 1 : threads));
            free(j.seen);
        }
}

/* Between start and finish: with one thread nothing has run; with more, the other workers are
   at work (waited for, up to 10 s), and none of them is worker 0. After finish every item is
   done once, although the calls are slow enough that the other workers are still busy when the
   calling thread comes in. */
static void check_halves(void) {
    for (int threads = 1; threads <= THREADS; threads++) {
        size_t n = 2000;
        job j = job_make(n, SIZE_MAX, true);
        ccov_loop *l = ccov_parallel_start(threads, n, visit, &j);
        CHECK(l != NULL);
        if (!l) {
            free(j.seen);
            continue;
        }
        if (threads == 1) {
            nap(20000000);
            CHECK(done_any(&j, n) == 0);
        }
        for (int waited = 0; threads > 1 && done_any(&j, n) == 0 && waited < 10000; waited++)
            nap(1000000);
        CHECK(threads == 1 || done_any(&j, n) > 0);
        CHECK(threads == 1 || atomic_load(&j.max_worker) >= 1);
        int failed = -7;
        CHECK(ccov_parallel_finish(l, &failed) == CCOV_OK);
        CHECK(failed == -7);
        CHECK(done_once(&j, n) == n);
        CHECK(atomic_load(&j.max_worker) < threads);
        free(j.seen);
    }
}

/* A failing item stops the loop: its status comes back with the worker it failed on, no item
   is handed out twice, and on one thread no item after it is handed out at all. */
static void check_failure(void) {
    for (int threads = 1; threads <= THREADS; threads++)
        for (int halves = 0; halves < 2; halves++) {
            size_t n = 5000, at = 1234;
            job j = job_make(n, at, false);
            int failed = -7;
            ccov_status st = CCOV_OK;
            if (halves) {
                ccov_loop *l = ccov_parallel_start(threads, n, visit, &j);
                st = l ? ccov_parallel_finish(l, &failed) : CCOV_ERR_IO;
            } else {
                st = ccov_parallel_for(threads, n, visit, &j, &failed, NULL, NULL);
            }
            CHECK(st == CCOV_ERR_GEOM);
            CHECK(failed >= 0 && failed == atomic_load(&j.failed_by));
            CHECK(atomic_load(&j.seen[at]) == 1);
            CHECK(done_once(&j, n) == done_any(&j, n));
            CHECK(threads > 1 || done_any(&j, n) == at + 1);
            free(j.seen);
        }
}

/* The first item fails while only the other workers run (the calling thread joins once they
   have done an item, waited for up to 10 s): the failure is told as theirs, not worker 0's. */
static void check_failure_elsewhere(void) {
    for (int threads = 2; threads <= THREADS; threads++) {
        job j = job_make(100, 0, true);
        ccov_loop *l = ccov_parallel_start(threads, 100, visit, &j);
        CHECK(l != NULL);
        if (!l) {
            free(j.seen);
            continue;
        }
        for (int waited = 0; done_any(&j, 100) == 0 && waited < 10000; waited++)
            nap(1000000);
        int failed = -7;
        CHECK(ccov_parallel_finish(l, &failed) == CCOV_ERR_GEOM);
        CHECK(failed >= 1 && failed == atomic_load(&j.failed_by));
        free(j.seen);
    }
}

int main(void) {
    check_for();
    check_halves();
    check_failure();
    check_failure_elsewhere();
    return check_summary("test_parallel");
}
