/* Progress bar: consumes byte and row counts from the reading threads and
 * draws one self-overwriting line on stderr (never stdout), then erases it.
 * Counting is lock-free; drawing is serialised by an atomic flag. */
#include "tally/progress.h"

#include <errno.h>
#include <sched.h>
#include <stdatomic.h>
#include <stdbool.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <time.h>
#include <unistd.h>

#include "tally/xalloc.h"
#include "tally/term.h"

#define NS_PER_SEC 1000000000ull
#define REDRAW_NS (NS_PER_SEC / 10)
#define AUTO_DELAY_NS NS_PER_SEC
#define AUTO_BIG_TOTAL (64ull << 20)
#define CHECK_EVERY_CALLS 32u
#define LINE_MAX_COLS 255
#define BAR_MAX_COLS 50

struct tally_progress {
    _Atomic uint64_t bytes;
    _Atomic uint64_t rows;
    _Atomic uint64_t calls;
    _Atomic uint64_t deadline; /* clock value at which the next frame is due */
    atomic_flag drawing;       /* held by the one thread drawing a frame */
    /* Below: written at creation, or only while holding `drawing`. */
    uint64_t total;
    uint64_t start;
    tally_progress_clock_fn clock;
    void *clock_ctx;
    int fd;
    int width;
    bool tty;
    bool finished;
    bool broken;      /* a write failed: stop drawing, never fail the run */
    size_t last_len;  /* columns of the frame on screen, 0 when none */
    unsigned nframes; /* spinner phase */
};

static uint64_t
monotonic_ns(void *ctx)
{
    (void)ctx;
    struct timespec ts;
    clock_gettime(CLOCK_MONOTONIC, &ts);
    return (uint64_t)ts.tv_sec * NS_PER_SEC + (uint64_t)ts.tv_nsec;
}

struct tally_progress *
tally_progress_new(int mode, uint64_t total, int fd)
{
    if (mode == 0 || fd < 0 || fd == STDOUT_FILENO)
        return NULL;
    bool tty = isatty(fd) != 0;
    if (mode < 0 && !tty)
        return NULL;
    struct tally_progress *p = tally_xcalloc(1, sizeof *p);
    atomic_init(&p->bytes, 0);
    atomic_init(&p->rows, 0);
    atomic_init(&p->calls, 0);
    atomic_flag_clear(&p->drawing);
    p->total = total;
    p->clock = monotonic_ns;
    p->fd = fd;
    p->tty = tty;
    p->width = tally_term_width(fd);
    p->start = p->clock(p->clock_ctx);
    /* Forced, or known to be big: draw at the first look at the clock.
     * Otherwise wait a second, so short runs never flash a bar. */
    uint64_t delay = (mode > 0 || total > AUTO_BIG_TOTAL) ? 0 : AUTO_DELAY_NS;
    atomic_init(&p->deadline, p->start + delay);
    return p;
}

void
tally_progress_set_clock(struct tally_progress *p, tally_progress_clock_fn clock, void *ctx,
                         int width)
{
    if (!p)
        return;
    uint64_t delay = atomic_load(&p->deadline) - p->start;
    p->clock = clock ? clock : monotonic_ns;
    p->clock_ctx = ctx;
    p->start = p->clock(p->clock_ctx);
    atomic_store(&p->deadline, p->start + delay);
    if (width > 0)
        p->width = width;
}

static void
write_all(struct tally_progress *p, const char *buf, size_t len)
{
    while (len > 0 && !p->broken) {
        ssize_t n = write(p->fd, buf, len);
        if (n < 0 && errno == EINTR)
            continue;
        if (n <= 0) {
            p->broken = true;
            return;
        }
        buf += n;
        len -= (size_t)n;
    }
}

/* Decimal units, to match the MB/s of the rate: "999 B", "1.2 kB", "50.0 MB". */
static void
fmt_bytes(char *buf, size_t size, uint64_t v)
{
    static const char *const units[] = {"kB", "MB", "GB", "TB", "PB", "EB"};
    if (v < 1000) {
        snprintf(buf, size, "%u B", (unsigned)v);
        return;
    }
    double x = (double)v / 1000.0;
    size_t u = 0;
    /* Compare against 999.95 so 999999 B prints as 1.0 MB, not 1000.0 kB. */
    while (x >= 999.95 && u + 1 < sizeof units / sizeof units[0]) {
        x /= 1000.0;
        u++;
    }
    snprintf(buf, size, "%.1f %s", x, units[u]);
}

static void
fmt_duration(char *buf, size_t size, uint64_t secs)
{
    if (secs >= 100ull * 3600)
        snprintf(buf, size, ">99h");
    else if (secs >= 3600)
        snprintf(buf, size, "%u:%02u:%02u", (unsigned)(secs / 3600), (unsigned)(secs / 60 % 60),
                 (unsigned)(secs % 60));
    else
        snprintf(buf, size, "%u:%02u", (unsigned)(secs / 60), (unsigned)(secs % 60));
}

/* Appends s to line at *len, never past cap columns. */
static void
append(char *line, size_t *len, size_t cap, const char *s)
{
    size_t n = strlen(s);
    if (*len + n > cap)
        n = cap - *len;
    memcpy(line + *len, s, n);
    *len += n;
}

/* One frame, without the leading "\r"; returns its length (<= cap). */
static size_t
format_frame(const struct tally_progress *p, uint64_t now, char *line, size_t cap)
{
    uint64_t bytes = atomic_load_explicit(&p->bytes, memory_order_relaxed);
    uint64_t rows = atomic_load_explicit(&p->rows, memory_order_relaxed);
    uint64_t elapsed = now > p->start ? now - p->start : 0;
    double rate = elapsed >= NS_PER_SEC / 1000 ? (double)bytes * 1e9 / (double)elapsed : 0.0;
    char done[32], rate_s[32], tmp[96];
    fmt_bytes(done, sizeof done, bytes);
    if (rate > 0.0) {
        fmt_bytes(rate_s, sizeof rate_s, (uint64_t)rate);
        strcat(rate_s, "/s");
    } else {
        snprintf(rate_s, sizeof rate_s, "-- MB/s");
    }
    size_t len = 0;

    if (p->total == 0) {
        static const char spin[] = "|/-\\";
        snprintf(tmp, sizeof tmp, "%c %s  %llu rows  %s", spin[p->nframes % 4], done,
                 (unsigned long long)rows, rate_s);
        append(line, &len, cap, tmp);
        return len;
    }

    char total[32], eta[32];
    fmt_bytes(total, sizeof total, p->total);
    uint64_t shown = bytes < p->total ? bytes : p->total;
    unsigned pct = (unsigned)(shown * 100.0 / (double)p->total);
    if (shown >= p->total)
        snprintf(eta, sizeof eta, "0:00");
    else if (rate > 0.0)
        fmt_duration(eta, sizeof eta, (uint64_t)((double)(p->total - shown) / rate + 0.999));
    else
        snprintf(eta, sizeof eta, "--:--");

    /* Pieces go in by priority as the width allows: the counts, then the
     * rate, then the ETA, then a bar in the space left over. */
    char left[96], rate_p[48], eta_p[48];
    snprintf(left, sizeof left, "%s / %s %3u%%", done, total, pct);
    snprintf(rate_p, sizeof rate_p, " %s", rate_s);
    snprintf(eta_p, sizeof eta_p, " ETA %s", eta);
    size_t used = strlen(left);
    bool with_rate = used + strlen(rate_p) <= cap;
    used += with_rate ? strlen(rate_p) : 0;
    bool with_eta = with_rate && used + strlen(eta_p) <= cap;
    used += with_eta ? strlen(eta_p) : 0;
    size_t bar = cap > used + 3 ? cap - used - 3 : 0; /* " [" and "]" */
    if (bar > BAR_MAX_COLS)
        bar = BAR_MAX_COLS;
    append(line, &len, cap, left);
    if (bar >= 5) {
        size_t fill = (size_t)((double)bar * (double)shown / (double)p->total);
        line[len++] = ' ';
        line[len++] = '[';
        for (size_t i = 0; i < bar; i++)
            line[len++] = i < fill ? '#' : '.';
        line[len++] = ']';
    }
    if (with_rate)
        append(line, &len, cap, rate_p);
    if (with_eta)
        append(line, &len, cap, eta_p);
    return len;
}

/* Caller holds p->drawing. */
static void
draw(struct tally_progress *p, uint64_t now)
{
    char buf[2 * LINE_MAX_COLS + 4];
    size_t cap = p->width > 1 ? (size_t)p->width - 1 : 1;
    if (cap > LINE_MAX_COLS)
        cap = LINE_MAX_COLS;
    buf[0] = '\r';
    size_t len = format_frame(p, now, buf + 1, cap);
    /* Blank out what a longer previous frame left on the line. */
    size_t pad = p->last_len > len ? p->last_len - len : 0;
    memset(buf + 1 + len, ' ', pad);
    p->last_len = len;
    p->nframes++;
    write_all(p, buf, 1 + len + pad);
}

void
tally_progress_add(struct tally_progress *p, uint64_t bytes, uint64_t rows)
{
    if (!p)
        return;
    uint64_t n = atomic_fetch_add_explicit(&p->calls, 1, memory_order_relaxed);
    uint64_t old = atomic_fetch_add_explicit(&p->bytes, bytes, memory_order_relaxed);
    if (rows)
        atomic_fetch_add_explicit(&p->rows, rows, memory_order_relaxed);
    if (n % CHECK_EVERY_CALLS != 0 && (old >> 20) == ((old + bytes) >> 20))
        return;
    uint64_t now = p->clock(p->clock_ctx);
    if (now < atomic_load_explicit(&p->deadline, memory_order_relaxed))
        return;
    if (atomic_flag_test_and_set_explicit(&p->drawing, memory_order_acquire))
        return; /* another thread is drawing this frame */
    if (!p->finished && now >= atomic_load_explicit(&p->deadline, memory_order_relaxed)) {
        atomic_store_explicit(&p->deadline, now + REDRAW_NS, memory_order_relaxed);
        draw(p, now);
    }
    atomic_flag_clear_explicit(&p->drawing, memory_order_release);
}

void
tally_progress_finish(struct tally_progress *p)
{
    if (!p)
        return;
    while (atomic_flag_test_and_set_explicit(&p->drawing, memory_order_acquire))
        sched_yield();
    if (!p->finished && p->last_len > 0) {
        if (p->tty) {
            write_all(p, "\r\033[K", 4);
        } else {
            char buf[LINE_MAX_COLS + 2];
            buf[0] = '\r';
            memset(buf + 1, ' ', p->last_len);
            buf[p->last_len + 1] = '\r';
            write_all(p, buf, p->last_len + 2);
        }
    }
    p->finished = true;
    p->last_len = 0;
    atomic_store_explicit(&p->deadline, UINT64_MAX, memory_order_relaxed);
    atomic_flag_clear_explicit(&p->drawing, memory_order_release);
}

void
tally_progress_free(struct tally_progress *p)
{
    free(p);
}
