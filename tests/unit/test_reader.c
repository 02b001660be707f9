/* Reader: plain files, standard input in tiny pieces, the byte-order mark,
 * gzip and zstd (made here with zlib and libzstd), and every error. */
#include <errno.h>
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
#include <zlib.h>
#include <zstd.h>

#include "tally/reader.h"
#include "tally/status.h"

struct buf {
    unsigned char *p;
    size_t len;
    size_t cap;
};

/* Grows by doubling: exact-size reallocs make big inputs quadratic (and
 * very slow under AddressSanitizer). */
static void
buf_append(struct buf *b, const void *data, size_t n)
{
    if (n > ((size_t)1 << 40))
        fail_msg("buffer append of %zu bytes", n);
    size_t need = b->len + n + 1;
    if (need > b->cap) {
        b->cap = need * 2;
        b->p = realloc(b->p, b->cap);
    }
    assert_non_null(b->p);
    if (n)
        memcpy(b->p + b->len, data, n);
    b->len += n;
}

/* Deterministic text of about n bytes, compressible like a real export. */
static struct buf
gen_text(size_t n)
{
    struct buf b = {0};
    uint32_t x = 12345;
    char line[64];
    while (b.len < n) {
        x = x * 1103515245u + 12345u;
        int k = snprintf(line, sizeof line, "%u,host%u,%u\n", (unsigned)b.len,
                         (unsigned)(x >> 24) % 17, (unsigned)(x >> 8) % 100000);
        buf_append(&b, line, (size_t)k);
    }
    return b;
}

static struct buf
gzip_bytes(const void *data, size_t n)
{
    z_stream zs;
    memset(&zs, 0, sizeof zs);
    assert_int_equal(deflateInit2(&zs, 6, Z_DEFLATED, 16 + MAX_WBITS, 8, Z_DEFAULT_STRATEGY), Z_OK);
    struct buf out = {0};
    out.p = malloc(deflateBound(&zs, (uLong)n) + 1);
    assert_non_null(out.p);
    zs.next_in = (Bytef *)(uintptr_t)data;
    zs.avail_in = (uInt)n;
    zs.next_out = out.p;
    zs.avail_out = (uInt)deflateBound(&zs, (uLong)n);
    assert_int_equal(deflate(&zs, Z_FINISH), Z_STREAM_END);
    out.len = zs.total_out;
    deflateEnd(&zs);
    return out;
}

static struct buf
zstd_bytes(const void *data, size_t n)
{
    ZSTD_CCtx *cc = ZSTD_createCCtx();
    assert_non_null(cc);
    assert_false(ZSTD_isError(ZSTD_CCtx_setParameter(cc, ZSTD_c_checksumFlag, 1)));
    struct buf out = {0};
    size_t cap = ZSTD_compressBound(n);
    out.p = malloc(cap + 1);
    assert_non_null(out.p);
    out.len = ZSTD_compress2(cc, out.p, cap, data, n);
    assert_false(ZSTD_isError(out.len));
    ZSTD_freeCCtx(cc);
    return out;
}

static char *
temp_file(const void *data, size_t n)
{
    char *path = strdup("/tmp/tally_test_reader_XXXXXX");
    assert_non_null(path);
    int fd = mkstemp(path);
    assert_true(fd >= 0);
    assert_int_equal(write(fd, data, n), (ssize_t)n);
    close(fd);
    return path;
}

/* Reads all of path; the message of a failure goes to msg. */
static int
read_all(const char *path, struct buf *got, char *msg, size_t msgsize)
{
    struct tally_diag d;
    tally_diag_init(&d);
    memset(got, 0, sizeof *got);
    buf_append(got, "", 0);
    struct tally_reader *r;
    int rc = tally_reader_open(&r, path, &d);
    if (rc == TALLY_OK) {
        for (;;) {
            const char *b;
            size_t n;
            rc = tally_reader_read(r, &b, &n, &d);
            if (rc != TALLY_OK || n == 0)
                break;
            assert_true(n <= TALLY_READ_BLOCK);
            buf_append(got, b, n);
        }
        tally_reader_free(r);
    }
    snprintf(msg, msgsize, "%s", d.msg);
    return rc;
}

static void
expect_content(const char *path, const void *want, size_t n)
{
    struct buf got;
    char msg[TALLY_DIAG_MAX];
    int rc = read_all(path, &got, msg, sizeof msg);
    if (rc != TALLY_OK)
        fail_msg("%s", msg);
    assert_int_equal(got.len, n);
    assert_memory_equal(got.p, want, n);
    free(got.p);
}

static void
expect_error(const char *path, const char *want)
{
    struct buf got;
    char msg[TALLY_DIAG_MAX];
    assert_int_equal(read_all(path, &got, msg, sizeof msg), TALLY_EDATA);
    assert_string_equal(msg, want);
    free(got.p);
}

static void
expect_content_of(const void *file, size_t flen, const void *want, size_t n)
{
    char *path = temp_file(file, flen);
    expect_content(path, want, n);
    unlink(path);
    free(path);
}

static void
expect_error_of(const void *file, size_t flen, const char *why)
{
    char *path = temp_file(file, flen);
    char want[512];
    snprintf(want, sizeof want, "%s: %s", path, why);
    expect_error(path, want);
    unlink(path);
    free(path);
}

static void
test_reader_returns_file_bytes_name_and_size(void **state)
{
    (void)state;
    struct buf text = gen_text(3 * TALLY_READ_BLOCK + 123);
    char *path = temp_file(text.p, text.len);
    struct tally_diag d;
    tally_diag_init(&d);
    struct tally_reader *r;
    assert_int_equal(tally_reader_open(&r, path, &d), TALLY_OK);
    assert_string_equal(tally_reader_name(r), path);
    assert_int_equal(tally_reader_size(r), text.len);
    tally_reader_free(r);
    expect_content(path, text.p, text.len);
    unlink(path);
    free(path);
    free(text.p);
}

static void
test_reader_drops_byte_order_mark_only_at_start(void **state)
{
    (void)state;
    const char a[] = "\xef\xbb\xbf"
                     "a,b\n\xef\xbb\xbf\n";
    expect_content_of(a, sizeof a - 1, "a,b\n\xef\xbb\xbf\n", sizeof a - 4);
    expect_content_of("\xef\xbb\xbf", 3, "", 0);
    expect_content_of("\xef\xbb\xbfx", 4, "x", 1);
    expect_content_of("\xef\xbb", 2, "\xef\xbb", 2);
    expect_content_of("a\xef\xbb\xbf", 4, "a\xef\xbb\xbf", 4);
}

static void
test_reader_treats_input_shorter_than_magic_as_plain(void **state)
{
    (void)state;
    expect_content_of("", 0, "", 0);
    expect_content_of("\x1f", 1, "\x1f", 1);
    expect_content_of("\x28\xb5\x2f", 3, "\x28\xb5\x2f", 3);
    expect_content_of("ab", 2, "ab", 2);
    expect_content_of("\x28\xb5\x2f\x00", 4, "\x28\xb5\x2f\x00", 4);
}

/* Standard input from a pipe that a thread fills one byte at a time. */
struct trickle {
    int fd;
    const unsigned char *p;
    size_t n;
};

static void *
trickle_main(void *arg)
{
    struct trickle *t = arg;
    struct timespec pause = {0, 2000000};
    for (size_t i = 0; i < t->n; i++) {
        if (write(t->fd, t->p + i, 1) != 1)
            break;
        nanosleep(&pause, NULL);
    }
    close(t->fd);
    return NULL;
}

static void
expect_stdin_content(const void *data, size_t n, const void *want, size_t wn)
{
    int pfd[2];
    assert_int_equal(pipe(pfd), 0);
    int saved = dup(STDIN_FILENO);
    assert_true(saved >= 0);
    assert_int_equal(dup2(pfd[0], STDIN_FILENO), STDIN_FILENO);
    close(pfd[0]);
    struct trickle t = {pfd[1], data, n};
    pthread_t th;
    assert_int_equal(pthread_create(&th, NULL, trickle_main, &t), 0);

    struct tally_diag d;
    tally_diag_init(&d);
    struct tally_reader *r;
    assert_int_equal(tally_reader_open(&r, "-", &d), TALLY_OK);
    assert_string_equal(tally_reader_name(r), "<stdin>");
    assert_int_equal(tally_reader_size(r), 0);
    struct buf got = {0};
    buf_append(&got, "", 0);
    for (;;) {
        const char *b;
        size_t k;
        assert_int_equal(tally_reader_read(r, &b, &k, &d), TALLY_OK);
        if (k == 0)
            break;
        buf_append(&got, b, k);
    }
    tally_reader_free(r);
    pthread_join(th, NULL);
    assert_int_equal(dup2(saved, STDIN_FILENO), STDIN_FILENO);
    close(saved);
    assert_int_equal(got.len, wn);
    assert_memory_equal(got.p, want, wn);
    free(got.p);
}

static void
test_reader_drops_bom_from_stdin_delivered_byte_by_byte(void **state)
{
    (void)state;
    expect_stdin_content("\xef\xbb\xbf"
                         "a,b\n",
                         7, "a,b\n", 4);
    expect_stdin_content("\xef\xbb", 2, "\xef\xbb", 2);
    expect_stdin_content("x", 1, "x", 1);
}

static void
test_reader_detects_gzip_on_stdin_delivered_byte_by_byte(void **state)
{
    (void)state;
    const char text[] = "\xef\xbb\xbfk,v\n1,2\n";
    struct buf gz = gzip_bytes(text, sizeof text - 1);
    expect_stdin_content(gz.p, gz.len, "k,v\n1,2\n", 8);
    free(gz.p);
    struct buf zs = zstd_bytes(text, sizeof text - 1);
    expect_stdin_content(zs.p, zs.len, "k,v\n1,2\n", 8);
    free(zs.p);
}

static void
test_reader_reports_missing_file(void **state)
{
    (void)state;
    expect_error("/nonexistent-tally-dir/x.csv",
                 "cannot open /nonexistent-tally-dir/x.csv: No such file or directory");
}

static void
test_reader_reports_directory(void **state)
{
    (void)state;
    char dir[] = "/tmp/tally_test_dir_XXXXXX";
    assert_non_null(mkdtemp(dir));
    char want[256];
    snprintf(want, sizeof want, "%s: is a directory", dir);
    expect_error(dir, want);
    rmdir(dir);
}

static void
test_reader_decompresses_gzip_larger_than_a_block(void **state)
{
    (void)state;
    struct buf text = gen_text(3 * TALLY_READ_BLOCK + 77);
    struct buf gz = gzip_bytes(text.p, text.len);
    char *path = temp_file(gz.p, gz.len);
    struct tally_diag d;
    tally_diag_init(&d);
    struct tally_reader *r;
    assert_int_equal(tally_reader_open(&r, path, &d), TALLY_OK);
    assert_int_equal(tally_reader_size(r), 0);
    tally_reader_free(r);
    expect_content(path, text.p, text.len);
    unlink(path);
    free(path);
    free(gz.p);
    free(text.p);
}

static void
test_reader_decompresses_every_gzip_member(void **state)
{
    (void)state;
    struct buf text = gen_text(TALLY_READ_BLOCK + 5);
    struct buf whole = {0};
    struct buf parts[3] = {gzip_bytes("\xef\xbb\xbf", 3), gzip_bytes(text.p, text.len),
                           gzip_bytes("", 0)};
    struct buf want = {0};
    buf_append(&want, text.p, text.len);
    buf_append(&want, "tail\n", 5);
    struct buf last = gzip_bytes("tail\n", 5);
    for (int i = 0; i < 3; i++) {
        buf_append(&whole, parts[i].p, parts[i].len);
        free(parts[i].p);
    }
    buf_append(&whole, last.p, last.len);
    /* The BOM is one member, the text the next: dropped all the same. */
    expect_content_of(whole.p, whole.len, want.p, want.len);
    free(last.p);
    free(whole.p);
    free(want.p);
    free(text.p);
}

static void
test_reader_decompresses_zstd_frames(void **state)
{
    (void)state;
    struct buf text = gen_text(2 * TALLY_READ_BLOCK + 9);
    struct buf one = zstd_bytes(text.p, text.len);
    expect_content_of(one.p, one.len, text.p, text.len);
    struct buf two = zstd_bytes("more\n", 5);
    struct buf both = {0};
    buf_append(&both, one.p, one.len);
    buf_append(&both, two.p, two.len);
    struct buf want = {0};
    buf_append(&want, text.p, text.len);
    buf_append(&want, "more\n", 5);
    expect_content_of(both.p, both.len, want.p, want.len);
    struct buf empty = zstd_bytes("", 0);
    expect_content_of(empty.p, empty.len, "", 0);
    free(one.p);
    free(two.p);
    free(both.p);
    free(want.p);
    free(empty.p);
    free(text.p);
}

static void
test_reader_reports_truncated_gzip(void **state)
{
    (void)state;
    struct buf text = gen_text(TALLY_READ_BLOCK / 2);
    struct buf gz = gzip_bytes(text.p, text.len);
    size_t cuts[] = {2, 5, 10, gz.len / 2, gz.len - 8, gz.len - 1};
    for (size_t i = 0; i < sizeof cuts / sizeof cuts[0]; i++)
        expect_error_of(gz.p, cuts[i], "truncated gzip data");
    /* A second member cut short is no better. */
    struct buf two = {0};
    buf_append(&two, gz.p, gz.len);
    buf_append(&two, gz.p, gz.len - 4);
    expect_error_of(two.p, two.len, "truncated gzip data");
    free(two.p);
    free(gz.p);
    free(text.p);
}

static void
test_reader_reports_truncated_zstd(void **state)
{
    (void)state;
    struct buf text = gen_text(TALLY_READ_BLOCK / 2);
    struct buf zs = zstd_bytes(text.p, text.len);
    size_t cuts[] = {4, 7, zs.len / 2, zs.len - 4, zs.len - 1};
    for (size_t i = 0; i < sizeof cuts / sizeof cuts[0]; i++)
        expect_error_of(zs.p, cuts[i], "truncated zstd data");
    free(zs.p);
    free(text.p);
}

static void
test_reader_reports_corrupt_gzip(void **state)
{
    (void)state;
    struct buf gz = gzip_bytes("a,b\n1,2\n", 8);
    gz.p[gz.len - 8] ^= 0xff; /* CRC-32 of the member */
    expect_error_of(gz.p, gz.len, "corrupt gzip data (incorrect data check)");
    gz.p[gz.len - 8] ^= 0xff;
    gz.p[2] = 7; /* compression method */
    expect_error_of(gz.p, gz.len, "corrupt gzip data (unknown compression method)");
    free(gz.p);
}

static void
test_reader_reports_corrupt_zstd(void **state)
{
    (void)state;
    struct buf zs = zstd_bytes("a,b\n1,2\n", 8);
    zs.p[zs.len - 1] ^= 0xff; /* content checksum */
    char *path = temp_file(zs.p, zs.len);
    struct buf got;
    char msg[TALLY_DIAG_MAX];
    assert_int_equal(read_all(path, &got, msg, sizeof msg), TALLY_EDATA);
    char want[512];
    snprintf(want, sizeof want, "%s: corrupt zstd data (", path);
    assert_memory_equal(msg, want, strlen(want));
    free(got.p);
    unlink(path);
    free(path);
    free(zs.p);
}

static void
test_reader_rejects_trailing_garbage_after_gzip(void **state)
{
    (void)state;
    struct buf gz = gzip_bytes("a\n", 2);
    buf_append(&gz, "xyz", 3);
    expect_error_of(gz.p, gz.len, "trailing garbage after gzip data");
    gz.len -= 2;
    expect_error_of(gz.p, gz.len, "trailing garbage after gzip data");
    free(gz.p);
}

int
main(void)
{
    const struct CMUnitTest tests[] = {
        cmocka_unit_test(test_reader_returns_file_bytes_name_and_size),
        cmocka_unit_test(test_reader_drops_byte_order_mark_only_at_start),
        cmocka_unit_test(test_reader_treats_input_shorter_than_magic_as_plain),
        cmocka_unit_test(test_reader_drops_bom_from_stdin_delivered_byte_by_byte),
        cmocka_unit_test(test_reader_detects_gzip_on_stdin_delivered_byte_by_byte),
        cmocka_unit_test(test_reader_reports_missing_file),
        cmocka_unit_test(test_reader_reports_directory),
        cmocka_unit_test(test_reader_decompresses_gzip_larger_than_a_block),
        cmocka_unit_test(test_reader_decompresses_every_gzip_member),
        cmocka_unit_test(test_reader_decompresses_zstd_frames),
        cmocka_unit_test(test_reader_reports_truncated_gzip),
        cmocka_unit_test(test_reader_reports_truncated_zstd),
        cmocka_unit_test(test_reader_reports_corrupt_gzip),
        cmocka_unit_test(test_reader_reports_corrupt_zstd),
        cmocka_unit_test(test_reader_rejects_trailing_garbage_after_gzip),
    };
    return cmocka_run_group_tests(tests, NULL, NULL);
}
