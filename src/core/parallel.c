/* parallel: a small fork-join loop over items with POSIX threads, whole (ccov_parallel_for) or in
   two halves (start, then finish on the calling thread). Items are handed out in chunks from an
   atomic counter; each worker writes only its own items' results. Chunks are small enough that
   every thread gets many (a few hundred costly items, such as cells, go one at a time). */
#include "core/parallel.h"

#include <pthread.h>
#include <stdatomic.h>
#include <stdbool.h>
#include <stdlib.h>
#include <unistd.h>

enum { MAX_CHUNK = 16, CHUNKS_PER_THREAD = 64, MAX_THREADS = 64 };

typedef struct ccov_loop loop;

/* What one worker thread is given: the loop and its index. */
typedef struct {
    loop *l;
    int worker;
} worker_arg;

/* A loop between start and finish (ccov_parallel_for keeps it on its stack). */
struct ccov_loop {
    ccov_item_fn fn;
    void *shared;
    ccov_tick_fn tick;
    void *tick_user;
    size_t n;
    size_t chunk;
    atomic_size_t next;
    atomic_bool stop;
    int threads, started; /* threads asked for (clamped); started: worker 0 and those created */
    ccov_status status[MAX_THREADS];
    pthread_t tid[MAX_THREADS];
    worker_arg args[MAX_THREADS];
};

static void *run_worker(void *p) {
    const worker_arg *a = p;
    loop *l = a->l;
    while (!atomic_load(&l->stop)) {
        size_t begin = atomic_fetch_add(&l->next, l->chunk);
        if (begin >= l->n)
            break;
        size_t end = begin + l->chunk < l->n ? begin + l->chunk : l->n;
        if (a->worker == 0 && l->tick)
            l->tick(l->tick_user, begin, l->n);
        for (size_t i = begin; i < end && !atomic_load(&l->stop); i++) {
            ccov_status st = l->fn(l->shared, a->worker, i);
            if (st != CCOV_OK) {
                l->status[a->worker] = st;
                atomic_store(&l->stop, true);
            }
        }
    }
    return NULL;
}

static ccov_status first_failure(const loop *l, int *failed_worker) {
    for (int w = 0; w < l->threads; w++)
        if (l->status[w] != CCOV_OK) {
            if (failed_worker)
                *failed_worker = w;
            return l->status[w];
        }
    return CCOV_OK;
}

/* Hand the items out in chunks and start workers 1 .. threads-1 on them. */
static void loop_start(loop *l, int threads) {
    atomic_init(&l->next, 0);
    atomic_init(&l->stop, false);
    l->threads = threads < 1 ? 1 : threads > MAX_THREADS ? MAX_THREADS : threads;
    size_t chunk = l->n / ((size_t)l->threads * CHUNKS_PER_THREAD);
    l->chunk = chunk < 1 ? 1 : chunk > MAX_CHUNK ? MAX_CHUNK : chunk;
    l->started = 1;
    for (int w = 1; w < l->threads && (size_t)w * l->chunk < l->n; w++) {
        l->args[w] = (worker_arg){l, w};
        if (pthread_create(&l->tid[w], NULL, run_worker, &l->args[w]) != 0)
            break; /* fewer threads: the others take the work */
        l->started++;
    }
}

/* The calling thread works as worker 0 until no item is left, then waits for the others. */
static ccov_status loop_finish(loop *l, int *failed_worker) {
    l->args[0] = (worker_arg){l, 0};
    run_worker(&l->args[0]);
    for (int w = 1; w < l->started; w++)
        pthread_join(l->tid[w], NULL);
    return first_failure(l, failed_worker);
}

ccov_status ccov_parallel_for(int threads, size_t n, ccov_item_fn fn, void *shared,
                              int *failed_worker, ccov_tick_fn tick, void *tick_user) {
    loop l = {.fn = fn, .shared = shared, .n = n, .tick = tick, .tick_user = tick_user};
    loop_start(&l, threads);
    return loop_finish(&l, failed_worker);
}

ccov_loop *ccov_parallel_start(int threads, size_t n, ccov_item_fn fn, void *shared) {
    loop *l = malloc(sizeof *l);
    if (!l)
        return NULL;
    *l = (loop){.fn = fn, .shared = shared, .n = n};
    loop_start(l, threads);
    return l;
}

ccov_status ccov_parallel_finish(ccov_loop *l, int *failed_worker) {
    ccov_status st = loop_finish(l, failed_worker);
    free(l);
    return st;
}

int ccov_parallel_cores(void) {
    long n = sysconf(_SC_NPROCESSORS_ONLN);
    return n < 1 ? 1 : n > MAX_THREADS ? MAX_THREADS : (int)n;
}
