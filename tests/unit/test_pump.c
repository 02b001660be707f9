/* Unit tests for pump.c: blocks arrive in order whether read here or ahead;
 * on a pipe the consumer hears of each pause; a consumer that stops does
 * not wait for a writer that stays silent. */
#include <pthread.h>
#include <setjmp.h>
#include <stdarg.h>
#include <stddef.h>
#include <stdint.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <time.h>
#include <unistd.h>

#include <cmocka.h>

#include "tally/pump.h"
#include "tally/status.h"

struct got {
    char buf[1 << 16];
    size_t len;
    int pauses;
    size_t stop_after; /* bytes; 0: never stop */
};

static int
on_block(void *ctx, const char *b, size_t n, struct tally_diag *d)
{
    (void)d;
    struct got *g = ctx;
    assert_true(g->len + n <= sizeof g->buf);
    memcpy(g->buf + g->len, b, n);
    g->len += n;
    return g->stop_after && g->len >= g->stop_after ? TALLY_ESTOP : TALLY_OK;
}

static int
on_pause(void *ctx, struct tally_diag *d)
{
    (void)d;
    ((struct got *)ctx)->pauses++;
    return TALLY_OK;
}

static void
redirect_stdin(int fd)
{
    assert_true(dup2(fd, STDIN_FILENO) >= 0);
    close(fd);
}

/* Writes two halves of the text with a pause between, then closes. */
static void *
slow_writer(void *arg)
{
    int fd = *(int *)arg;
    struct timespec ts = {0, 100 * 1000000L};
    if (write(fd, "a,b\n1,2\n", 8) != 8)
        abort();
    nanosleep(&ts, NULL);
    if (write(fd, "3,4\n", 4) != 4)
        abort();
    close(fd);
    return NULL;
}

static void
test_pump_delivers_a_pipe_in_order_and_hears_pauses(void **state)
{
    (void)state;
    for (int ahead = 0; ahead < 2; ahead++) {
        int p[2];
        assert_int_equal(pipe(p), 0);
        const char *text = "a,b\n1,2\n3,4\n";
        pthread_t tid;
        assert_int_equal(pthread_create(&tid, NULL, slow_writer, &p[1]), 0);
        redirect_stdin(p[0]);
        struct tally_diag d;
        tally_diag_init(&d);
        struct tally_reader *rd;
        assert_int_equal(tally_reader_open(&rd, "-", &d), TALLY_OK);
        assert_true(tally_reader_is_stream(rd));
        struct got *g = calloc(1, sizeof *g);
        assert_non_null(g);
        assert_int_equal(tally_pump(rd, ahead, on_block, on_pause, g, &d), TALLY_OK);
        assert_int_equal(g->len, strlen(text));
        assert_memory_equal(g->buf, text, g->len);
        assert_true(g->pauses >= 1);
        pthread_join(tid, NULL);
        tally_reader_free(rd);
        free(g);
    }
}

static void
test_pump_stop_does_not_wait_for_a_silent_writer(void **state)
{
    (void)state;
    int p[2];
    assert_int_equal(pipe(p), 0);
    assert_int_equal(write(p[1], "a\n1\n", 4), 4);
    redirect_stdin(p[0]); /* p[1] stays open: the writer is silent, not gone */
    struct tally_diag d;
    tally_diag_init(&d);
    struct tally_reader *rd;
    assert_int_equal(tally_reader_open(&rd, "-", &d), TALLY_OK);
    struct got *g = calloc(1, sizeof *g);
    assert_non_null(g);
    g->stop_after = 4;
    /* Reading ahead, the other thread is blocked in read() when the
     * consumer stops; the pump must call it off rather than wait. */
    assert_int_equal(tally_pump(rd, true, on_block, on_pause, g, &d), TALLY_ESTOP);
    assert_int_equal(g->len, 4);
    tally_reader_free(rd);
    close(p[1]);
    free(g);
}

int
main(void)
{
    const struct CMUnitTest tests[] = {
        cmocka_unit_test(test_pump_delivers_a_pipe_in_order_and_hears_pauses),
        cmocka_unit_test(test_pump_stop_does_not_wait_for_a_silent_writer),
    };
    return cmocka_run_group_tests(tests, NULL, NULL);
}
