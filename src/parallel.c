/* The range runner: a shared counter hands out ranges to workers, a
 * condition variable tells this thread when range k is done and the
 * workers when the window moves. */
#include "tally/parallel.h"

#include <pthread.h>
#include <stdbool.h>
#include <stdlib.h>

#include "tally/status.h"
#include "tally/xalloc.h"

struct slot {
    void *result;
    int status;
    struct tally_diag diag;
    bool done;
};

struct job {
    const uint64_t *starts;
    uint32_t n, window;
    const struct tally_par_hooks *h;
    void *ctx;
    pthread_mutex_t mu;
    pthread_cond_t cv;
    uint32_t next, committed;
    bool stop;
    struct slot *slots;
};

static void *
worker(void *arg)
{
    struct job *j = arg;
    for (;;) {
        pthread_mutex_lock(&j->mu);
        while (!j->stop && j->next < j->n && j->next >= j->committed + j->window)
            pthread_cond_wait(&j->cv, &j->mu);
        if (j->stop || j->next >= j->n) {
            pthread_mutex_unlock(&j->mu);
            return NULL;
        }
        uint32_t k = j->next++;
        pthread_mutex_unlock(&j->mu);
        struct slot *s = &j->slots[k];
        tally_diag_init(&s->diag);
        s->status = j->h->run(j->ctx, k, j->starts[k], j->starts[k + 1] - j->starts[k], &s->result,
                              &s->diag);
        pthread_mutex_lock(&j->mu);
        s->done = true;
        pthread_cond_broadcast(&j->cv);
        pthread_mutex_unlock(&j->mu);
    }
}

/* Commits the ranges in order as they finish; stops at the first failure. */
static int
commit_all(struct job *j, struct tally_diag *d)
{
    int rc = TALLY_OK;
    for (uint32_t k = 0; k < j->n && rc == TALLY_OK; k++) {
        pthread_mutex_lock(&j->mu);
        while (!j->slots[k].done)
            pthread_cond_wait(&j->cv, &j->mu);
        pthread_mutex_unlock(&j->mu);
        struct slot *s = &j->slots[k];
        rc = j->h->commit(j->ctx, k, s->result, s->status, &s->diag, d);
        s->result = NULL;
        pthread_mutex_lock(&j->mu);
        j->committed++;
        if (rc != TALLY_OK)
            j->stop = true;
        pthread_cond_broadcast(&j->cv);
        pthread_mutex_unlock(&j->mu);
    }
    return rc;
}

int
tally_parallel_run(const uint64_t *starts, uint32_t n, int nthreads, uint32_t window,
                   const struct tally_par_hooks *h, void *ctx, struct tally_diag *d)
{
    struct job j = {.starts = starts, .n = n, .h = h, .ctx = ctx};
    j.window = window ? window : n;
    j.slots = tally_xcalloc(n, sizeof *j.slots);
    pthread_mutex_init(&j.mu, NULL);
    pthread_cond_init(&j.cv, NULL);
    if (nthreads < 1)
        nthreads = 1;
    pthread_t *tids = tally_xcalloc((size_t)nthreads, sizeof *tids);
    int started = 0;
    for (int t = 0; t < nthreads; t++)
        if (pthread_create(&tids[started], NULL, worker, &j) == 0)
            started++;
    if (started == 0) {
        j.window = n; /* no thread to be had: every range here, in order */
        worker(&j);
    }
    int rc = commit_all(&j, d);
    for (int t = 0; t < started; t++)
        pthread_join(tids[t], NULL);
    for (uint32_t k = 0; k < n; k++)
        if (j.slots[k].result)
            h->drop(ctx, j.slots[k].result);
    pthread_mutex_destroy(&j.mu);
    pthread_cond_destroy(&j.cv);
    free(tids);
    free(j.slots);
    return rc;
}
