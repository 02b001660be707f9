/* Unit tests for progress.c: the frames written into a file with an
 * injected clock, the erase at the end, the auto/off modes, a real
 * pseudo-terminal, and counts added from two threads at once. */
#include <fcntl.h>
#include <pthread.h>
#include <setjmp.h>
#include <stdarg.h>
#include <stdatomic.h>
#include <stddef.h>
#include <stdint.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <unistd.h>

#include <cmocka.h>

#include "tally/progress.h"

#define MS 1000000ull
#define SEC 1000000000ull

static _Atomic uint64_t fake_now;

static uint64_t
fake_clock(void *ctx)
{
    (void)ctx;
    return atomic_load(&fake_now);
}

/* A temporary file to draw into, and everything drawn so far as a string. */
static int
temp_fd(void)
{
    char path[] = "/tmp/test_progress_XXXXXX";
    int fd = mkstemp(path);
    assert_true(fd >= 0);
    unlink(path);
    return fd;
}

static char *
slurp(int fd, size_t *len)
{
    off_t end = lseek(fd, 0, SEEK_END);
    assert_true(end >= 0);
    char *buf = malloc((size_t)end + 1);
    assert_non_null(buf);
    assert_int_equal(pread(fd, buf, (size_t)end, 0), end);
    buf[end] = '\0';
    *len = (size_t)end;
    return buf;
}

static struct tally_progress *
forced(uint64_t total, int fd, int width)
{
    atomic_store(&fake_now, 0);
    struct tally_progress *p = tally_progress_new(1, total, fd);
    assert_non_null(p);
    tally_progress_set_clock(p, fake_clock, NULL, width);
    return p;
}

static void
test_progress_forced_into_a_file_draws_bytes_percent_rate_and_eta(void **state)
{
    (void)state;
    int fd = temp_fd();
    struct tally_progress *p = forced(100000000, fd, 60);
    atomic_store(&fake_now, 1 * SEC);
    tally_progress_add(p, 50000000, 10);
    size_t len;
    char *out = slurp(fd, &len);
    assert_string_equal(out, "\r50.0 MB / 100.0 MB  50% [#######.......] 50.0 MB/s ETA 0:01");
    assert_true(len <= 60);
    free(out);
    tally_progress_free(p);
    close(fd);
}

static void
test_progress_redraws_at_most_ten_times_a_second(void **state)
{
    (void)state;
    int fd = temp_fd();
    struct tally_progress *p = forced(1000, fd, 80);
    size_t len;
    for (int i = 0; i < 64; i++)
        tally_progress_add(p, 1, 0);
    char *out = slurp(fd, &len);
    assert_int_equal(strchr(out + 1, '\r') == NULL, 1); /* one frame, at the first add */
    free(out);
    atomic_store(&fake_now, 99 * MS);
    for (int i = 0; i < 64; i++)
        tally_progress_add(p, 1, 0);
    out = slurp(fd, &len);
    assert_null(strchr(out + 1, '\r'));
    free(out);
    atomic_store(&fake_now, 100 * MS);
    for (int i = 0; i < 32; i++)
        tally_progress_add(p, 1, 0);
    out = slurp(fd, &len);
    const char *second = strchr(out + 1, '\r');
    assert_non_null(second);
    assert_null(strchr(second + 1, '\r'));
    assert_non_null(strstr(second, "129 B / 1.0 kB  12% [")); /* counted at the check */
    free(out);
    tally_progress_free(p);
    close(fd);
}

static void
test_progress_finish_erases_the_bar_with_spaces_when_not_a_terminal(void **state)
{
    (void)state;
    int fd = temp_fd();
    struct tally_progress *p = forced(0, fd, 80);
    atomic_store(&fake_now, 2 * SEC);
    tally_progress_add(p, 3000000, 1234);
    tally_progress_finish(p);
    size_t len;
    char *out = slurp(fd, &len);
    const char *frame = "\r| 3.0 MB  1234 rows  1.5 MB/s";
    size_t flen = strlen(frame);
    assert_memory_equal(out, frame, flen);
    assert_int_equal(len, flen + 1 + (flen - 1) + 1);
    assert_int_equal(out[flen], '\r');
    for (size_t i = flen + 1; i < len - 1; i++)
        assert_int_equal(out[i], ' ');
    assert_int_equal(out[len - 1], '\r');
    free(out);
    tally_progress_finish(p); /* a second finish writes nothing more */
    out = slurp(fd, &len);
    assert_int_equal(len, flen + 1 + (flen - 1) + 1);
    free(out);
    tally_progress_add(p, 1 << 20, 1); /* nor does an add after finish */
    out = slurp(fd, &len);
    assert_int_equal(len, flen + 1 + (flen - 1) + 1);
    free(out);
    tally_progress_free(p);
    close(fd);
}

static void
test_progress_pads_a_shorter_frame_over_the_longer_one_before_it(void **state)
{
    (void)state;
    int fd = temp_fd();
    struct tally_progress *p = forced(0, fd, 80);
    atomic_store(&fake_now, 1 * SEC);
    tally_progress_add(p, 999900, 1);
    atomic_store(&fake_now, 2 * SEC);
    tally_progress_add(p, 1 << 20, 0);
    size_t len;
    char *out = slurp(fd, &len);
    const char *first = "\r| 999.9 kB  1 rows  999.9 kB/s";
    const char *second = "\r/ 2.0 MB  1 rows  1.0 MB/s    ";
    size_t n1 = strlen(first), n2 = strlen(second);
    assert_int_equal(len, n1 + n2);
    assert_memory_equal(out, first, n1);
    assert_memory_equal(out + n1, second, n2);
    free(out);
    tally_progress_free(p);
    close(fd);
}

static void
test_progress_finish_prints_nothing_when_it_never_drew(void **state)
{
    (void)state;
    int fd = temp_fd();
    struct tally_progress *p = forced(0, fd, 80);
    tally_progress_finish(p);
    size_t len;
    char *out = slurp(fd, &len);
    assert_int_equal(len, 0);
    free(out);
    tally_progress_free(p);
    close(fd);
}

static void
test_progress_auto_on_a_file_is_off_and_draws_nothing(void **state)
{
    (void)state;
    int fd = temp_fd();
    struct tally_progress *p = tally_progress_new(-1, 1ull << 40, fd);
    assert_null(p);
    tally_progress_add(p, 1ull << 30, 5);
    tally_progress_finish(p);
    tally_progress_free(p);
    size_t len;
    char *out = slurp(fd, &len);
    assert_int_equal(len, 0);
    free(out);
    close(fd);
}

static void
test_progress_off_draws_nothing_even_on_a_terminal(void **state)
{
    (void)state;
    int fd = temp_fd();
    assert_null(tally_progress_new(0, 1ull << 40, fd));
    int master = posix_openpt(O_RDWR | O_NOCTTY);
    assert_true(master >= 0);
    assert_null(tally_progress_new(0, 1ull << 40, master));
    close(master);
    close(fd);
}

static void
test_progress_never_draws_on_standard_output(void **state)
{
    (void)state;
    assert_null(tally_progress_new(1, 100, STDOUT_FILENO));
}

/* Reads what the pseudo-terminal's slave side received, without blocking. */
static size_t
read_pty(int master, char *buf, size_t cap)
{
    size_t len = 0;
    for (;;) {
        ssize_t n = read(master, buf + len, cap - 1 - len);
        if (n <= 0)
            break;
        len += (size_t)n;
    }
    buf[len] = '\0';
    return len;
}

static int
open_pty(int *slave)
{
    int master = posix_openpt(O_RDWR | O_NOCTTY);
    assert_true(master >= 0);
    assert_int_equal(grantpt(master), 0);
    assert_int_equal(unlockpt(master), 0);
    *slave = open(ptsname(master), O_RDWR | O_NOCTTY);
    assert_true(*slave >= 0);
    assert_int_equal(fcntl(master, F_SETFL, O_NONBLOCK), 0);
    return master;
}

static void
test_progress_auto_on_a_terminal_waits_a_second_then_erases_with_esc_k(void **state)
{
    (void)state;
    int slave;
    int master = open_pty(&slave);
    atomic_store(&fake_now, 0);
    struct tally_progress *p = tally_progress_new(-1, 1000, slave);
    assert_non_null(p);
    tally_progress_set_clock(p, fake_clock, NULL, 80);
    char buf[1024];
    atomic_store(&fake_now, 999 * MS);
    tally_progress_add(p, 100, 1);
    assert_int_equal(read_pty(master, buf, sizeof buf), 0);
    atomic_store(&fake_now, 1000 * MS);
    for (int i = 0; i < 32; i++)
        tally_progress_add(p, 10, 1);
    tally_progress_finish(p);
    read_pty(master, buf, sizeof buf);
    assert_non_null(strstr(buf, "420 B / 1.0 kB  42% ["));
    size_t len = strlen(buf);
    assert_true(len >= 4);
    assert_string_equal(buf + len - 4, "\r\033[K");
    tally_progress_free(p);
    close(slave);
    close(master);
}

static void
test_progress_auto_on_a_terminal_draws_a_big_input_at_once(void **state)
{
    (void)state;
    int slave;
    int master = open_pty(&slave);
    atomic_store(&fake_now, 0);
    struct tally_progress *p = tally_progress_new(-1, 65ull << 20, slave);
    assert_non_null(p);
    tally_progress_set_clock(p, fake_clock, NULL, 80);
    tally_progress_add(p, 1 << 20, 0);
    char buf[1024];
    assert_true(read_pty(master, buf, sizeof buf) > 0);
    assert_non_null(strstr(buf, "1.0 MB / 68.2 MB   1% ["));
    tally_progress_free(p);
    close(slave);
    close(master);
}

#define THREAD_ADDS 100000

static void *
adder(void *arg)
{
    struct tally_progress *p = arg;
    for (int i = 0; i < THREAD_ADDS; i++)
        tally_progress_add(p, 3, 1);
    return NULL;
}

static void
test_progress_sums_adds_from_two_threads(void **state)
{
    (void)state;
    int fd = temp_fd();
    struct tally_progress *p = forced(0, fd, 80);
    pthread_t t1, t2;
    assert_int_equal(pthread_create(&t1, NULL, adder, p), 0);
    assert_int_equal(pthread_create(&t2, NULL, adder, p), 0);
    pthread_join(t1, NULL);
    pthread_join(t2, NULL);
    atomic_store(&fake_now, 1 * SEC);
    for (int i = 0; i < 32; i++)
        tally_progress_add(p, 0, 0);
    size_t len;
    char *out = slurp(fd, &len);
    const char *last = strrchr(out, '\r');
    assert_non_null(last);
    assert_memory_equal(last + 2, " 600.0 kB  200000 rows  600.0 kB/s",
                        strlen(" 600.0 kB  200000 rows  600.0 kB/s"));
    free(out);
    tally_progress_free(p);
    close(fd);
}

static void
test_progress_fits_a_narrow_terminal_by_dropping_the_bar(void **state)
{
    (void)state;
    int fd = temp_fd();
    struct tally_progress *p = forced(2000000000, fd, 36);
    atomic_store(&fake_now, 10 * SEC);
    tally_progress_add(p, 1000000000, 0);
    size_t len;
    char *out = slurp(fd, &len);
    assert_string_equal(out, "\r1.0 GB / 2.0 GB  50% 100.0 MB/s");
    free(out);
    tally_progress_free(p);
    close(fd);
}

/* Off, auto on a file, or aimed at standard output, there is no bar: the
 * handle is NULL and every call on it draws nothing, so callers need no
 * "is progress on" test. A forced bar on the same file shows it could. */
static void
test_progress_without_a_bar_is_null_and_draws_nothing(void **state)
{
    (void)state;
    int fd = temp_fd();
    struct tally_progress *none[] = {
        tally_progress_new(0, 100000000, fd),            /* off */
        tally_progress_new(-1, 100000000, fd),           /* auto, and fd is no terminal */
        tally_progress_new(1, 100000000, STDOUT_FILENO), /* never onto the output */
        tally_progress_new(1, 100000000, -1),
    };
    for (size_t i = 0; i < sizeof none / sizeof none[0]; i++) {
        assert_null(none[i]);
        tally_progress_set_clock(none[i], fake_clock, NULL, 60);
        atomic_store(&fake_now, 5 * SEC);
        for (int k = 0; k < 64; k++)
            tally_progress_add(none[i], 1 << 20, 10);
        tally_progress_finish(none[i]);
        tally_progress_free(none[i]);
    }
    size_t len;
    char *out = slurp(fd, &len);
    assert_int_equal(len, 0);
    free(out);
    struct tally_progress *p = forced(100000000, fd, 60);
    atomic_store(&fake_now, 1 * SEC);
    tally_progress_add(p, 50000000, 10);
    out = slurp(fd, &len);
    assert_true(len > 0);
    free(out);
    tally_progress_free(p);
    close(fd);
}

int
main(void)
{
    const struct CMUnitTest tests[] = {
        cmocka_unit_test(test_progress_forced_into_a_file_draws_bytes_percent_rate_and_eta),
        cmocka_unit_test(test_progress_redraws_at_most_ten_times_a_second),
        cmocka_unit_test(test_progress_finish_erases_the_bar_with_spaces_when_not_a_terminal),
        cmocka_unit_test(test_progress_pads_a_shorter_frame_over_the_longer_one_before_it),
        cmocka_unit_test(test_progress_finish_prints_nothing_when_it_never_drew),
        cmocka_unit_test(test_progress_auto_on_a_file_is_off_and_draws_nothing),
        cmocka_unit_test(test_progress_off_draws_nothing_even_on_a_terminal),
        cmocka_unit_test(test_progress_never_draws_on_standard_output),
        cmocka_unit_test(test_progress_auto_on_a_terminal_waits_a_second_then_erases_with_esc_k),
        cmocka_unit_test(test_progress_auto_on_a_terminal_draws_a_big_input_at_once),
        cmocka_unit_test(test_progress_sums_adds_from_two_threads),
        cmocka_unit_test(test_progress_fits_a_narrow_terminal_by_dropping_the_bar),
        cmocka_unit_test(test_progress_without_a_bar_is_null_and_draws_nothing),
    };
    return cmocka_run_group_tests(tests, NULL, NULL);
}
