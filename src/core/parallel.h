/* parallel: run a function over items on several threads, deterministically combinable. */
#ifndef CCOV_PARALLEL_H
#define CCOV_PARALLEL_H

#include "clearcov/ctx.h"

#include <stddef.h>

/* Work on one item with worker `worker` (0 .. threads-1; 0 is the calling thread). Must only write
   to per-item or per-worker storage, so that results do not depend on the schedule. */
typedef ccov_status (*ccov_item_fn)(void *shared, int worker, size_t item);

/* Told, on the calling thread, how many items have been handed out so far. */
typedef void (*ccov_tick_fn)(void *user, size_t done, size_t n);

/* Call fn for every item in [0, n) on `threads` threads (<= 1: in the calling thread). Stops early
   on the first failure and returns its status; *failed_worker (may be NULL) tells which worker's
   context holds the message. tick (may be NULL) is called now and then with tick_user. */
ccov_status ccov_parallel_for(int threads, size_t n, ccov_item_fn fn, void *shared,
                              int *failed_worker, ccov_tick_fn tick, void *tick_user);

/* Number of processors available, at least 1. */
int ccov_parallel_cores(void);

#endif
