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

/* The same loop in two halves, so that the calling thread can do other work meanwhile:
   ccov_parallel_start sets workers 1 .. threads-1 on the items at once (none when threads <= 1)
   and returns the running loop, or NULL when out of memory (then nothing was started);
   ccov_parallel_finish takes the calling thread in as worker 0 until no item is left, waits for
   the others, frees the loop and returns as ccov_parallel_for does. Every started loop must be
   finished. */
typedef struct ccov_loop ccov_loop;
ccov_loop *ccov_parallel_start(int threads, size_t n, ccov_item_fn fn, void *shared);
ccov_status ccov_parallel_finish(ccov_loop *l, int *failed_worker);

/* Number of processors available, at least 1. */
int ccov_parallel_cores(void);

#endif
