/* Reader -> consumer. Reading ahead copies blocks into PREFETCH_SLOTS
 * buffers of its own, because the reader reuses its buffer on every call;
 * a byte in a wake pipe calls off a read blocked on a slow writer, so the
 * consumer's stop never waits for that writer. */
#include "tally/pump.h"

#include <errno.h>
#include <pthread.h>
#include <stdlib.h>
#include <string.h>
#include <unistd.h>

#include "tally/status.h"
#include "tally/xalloc.h"

#define PREFETCH_SLOTS 4

static int
pump_here(struct tally_reader *rd, tally_block_fn fn, tally_pause_fn pause, void *ctx,
          struct tally_diag *d)
{
    bool stream = tally_reader_is_stream(rd);
    for (;;) {
        const char *buf;
        size_t len;
        int rc = tally_reader_read(rd, &buf, &len, d);
        if (rc != TALLY_OK || len == 0)
            return rc;
        rc = fn(ctx, buf, len, d);
        if (rc == TALLY_OK && stream)
            rc = pause(ctx, d);
        if (rc != TALLY_OK)
            return rc;
    }
}

struct prefetch {
    struct tally_reader *rd;
    pthread_mutex_t mu;
    pthread_cond_t cv;
    char *buf[PREFETCH_SLOTS];
    size_t len[PREFETCH_SLOTS];
    unsigned head, tail; /* filled slots are [tail, head) */
    int status;          /* of the reader, once it stopped */
    bool done, stop;
    struct tally_diag diag;
    int wake[2];
};

static void *
prefetch_thread(void *arg)
{
    struct prefetch *f = arg;
    for (;;) {
        pthread_mutex_lock(&f->mu);
        while (f->head - f->tail == PREFETCH_SLOTS && !f->stop)
            pthread_cond_wait(&f->cv, &f->mu);
        bool stop = f->stop;
        pthread_mutex_unlock(&f->mu);
        if (stop)
            break;
        const char *b;
        size_t n;
        int rc = tally_reader_read(f->rd, &b, &n, &f->diag);
        unsigned slot = f->head % PREFETCH_SLOTS;
        if (rc == TALLY_OK && n) {
            if (!f->buf[slot])
                f->buf[slot] = tally_xmalloc(TALLY_READ_BLOCK);
            /* Blocks never exceed TALLY_READ_BLOCK (reader.h). */
            memcpy(f->buf[slot], b, n);
        }
        pthread_mutex_lock(&f->mu);
        if (rc != TALLY_OK || n == 0) {
            f->status = rc;
            f->done = true;
        } else {
            f->len[slot] = n;
            f->head++;
        }
        pthread_cond_broadcast(&f->cv);
        pthread_mutex_unlock(&f->mu);
        if (rc != TALLY_OK || n == 0)
            break;
    }
    return NULL;
}

/* Waits for the next filled slot; calls pause first when none is ready.
 * Returns TALLY_OK with *slot set, TALLY_OK with *slot -1 at the end of
 * input, or a status (the reader's, or pause's). */
static int
next_slot(struct prefetch *f, tally_pause_fn pause, void *ctx, int *slot, struct tally_diag *d)
{
    pthread_mutex_lock(&f->mu);
    if (f->head == f->tail && !f->done) {
        pthread_mutex_unlock(&f->mu);
        int rc = pause(ctx, d);
        if (rc != TALLY_OK)
            return rc;
        pthread_mutex_lock(&f->mu);
    }
    while (f->head == f->tail && !f->done)
        pthread_cond_wait(&f->cv, &f->mu);
    bool have = f->head != f->tail;
    *slot = have ? (int)(f->tail % PREFETCH_SLOTS) : -1;
    pthread_mutex_unlock(&f->mu);
    if (!have && f->status != TALLY_OK) {
        *d = f->diag;
        return f->status;
    }
    return TALLY_OK;
}

static int
consume(struct prefetch *f, tally_block_fn fn, tally_pause_fn pause, void *ctx,
        struct tally_diag *d)
{
    for (;;) {
        int slot;
        int rc = next_slot(f, pause, ctx, &slot, d);
        if (rc != TALLY_OK || slot < 0)
            return rc;
        rc = fn(ctx, f->buf[slot], f->len[slot], d);
        pthread_mutex_lock(&f->mu);
        f->tail++;
        pthread_cond_broadcast(&f->cv);
        pthread_mutex_unlock(&f->mu);
        if (rc != TALLY_OK)
            return rc;
    }
}

/* Stops the reading thread, even from inside a read, and waits for it. */
static void
stop_reader(struct prefetch *f, pthread_t tid)
{
    pthread_mutex_lock(&f->mu);
    bool running = !f->done;
    f->stop = true;
    pthread_cond_broadcast(&f->cv);
    pthread_mutex_unlock(&f->mu);
    if (running) {
        ssize_t w;
        do
            w = write(f->wake[1], "x", 1);
        while (w < 0 && errno == EINTR);
    }
    pthread_join(tid, NULL);
}

static int
pump_ahead(struct tally_reader *rd, tally_block_fn fn, tally_pause_fn pause, void *ctx,
           struct tally_diag *d)
{
    struct prefetch f = {.rd = rd};
    if (pipe(f.wake) != 0)
        return pump_here(rd, fn, pause, ctx, d);
    tally_diag_init(&f.diag);
    pthread_mutex_init(&f.mu, NULL);
    pthread_cond_init(&f.cv, NULL);
    tally_reader_set_wake(rd, f.wake[0]);
    pthread_t tid;
    bool started = pthread_create(&tid, NULL, prefetch_thread, &f) == 0;
    if (!started)
        tally_reader_set_wake(rd, -1);
    int rc = started ? consume(&f, fn, pause, ctx, d) : pump_here(rd, fn, pause, ctx, d);
    if (started)
        stop_reader(&f, tid);
    tally_reader_set_wake(rd, -1);
    close(f.wake[0]);
    close(f.wake[1]);
    for (unsigned i = 0; i < PREFETCH_SLOTS; i++)
        free(f.buf[i]);
    pthread_mutex_destroy(&f.mu);
    pthread_cond_destroy(&f.cv);
    return rc;
}

int
tally_pump(struct tally_reader *rd, bool ahead, tally_block_fn fn, tally_pause_fn pause, void *ctx,
           struct tally_diag *d)
{
    return ahead ? pump_ahead(rd, fn, pause, ctx, d) : pump_here(rd, fn, pause, ctx, d);
}
