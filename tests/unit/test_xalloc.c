/* Unit tests for xalloc.c: every allocation failure, ours or a library's
 * (PCRE2, zlib, zstd, libcsv), ends the same way: "tally: out of memory" on
 * stderr and exit status 1, never abort(), a crash or a wrong message.
 * Each scenario runs in a child process once per allocation it makes, with
 * that allocation failing (tally_xalloc_fail_at), until it runs clean. */
#include <fcntl.h>
#include <setjmp.h>
#include <stdarg.h>
#include <stddef.h>
#include <stdint.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <sys/wait.h>
#include <unistd.h>

#include <cmocka.h>
#include <zlib.h>
#include <zstd.h>

#include "tally/csvparse.h"
#include "tally/expr.h"
#include "tally/group.h"
#include "tally/logparse.h"
#include "tally/output.h"
#include "tally/reader.h"
#include "tally/row.h"
#include "tally/status.h"
#include "tally/xalloc.h"

static const char oom_msg[] = "tally: out of memory\n";

/* In the child, a check that fails exits 3: cmocka's asserts would jump
 * back into the parent's copy of the test runner. */
#define CHECK(c)                                                                                   \
    do {                                                                                           \
        if (!(c))                                                                                  \
            _exit(3);                                                                              \
    } while (0)

enum outcome { RAN_CLEAN, OUT_OF_MEMORY };

/* Runs fn in a child whose n-th allocation fails. Fails the test unless the
 * child either ran to the end silently or said exactly oom_msg and exited 1. */
static enum outcome
run_failing_at(void (*fn)(void), uint64_t n)
{
    int pfd[2];
    assert_int_equal(pipe(pfd), 0);
    fflush(NULL);
    pid_t pid = fork();
    assert_true(pid >= 0);
    if (pid == 0) {
        close(pfd[0]);
        dup2(pfd[1], STDERR_FILENO);
        tally_xalloc_fail_at(n);
        fn();
        _exit(0);
    }
    close(pfd[1]);
    char err[512];
    size_t len = 0;
    ssize_t k;
    while ((k = read(pfd[0], err + len, sizeof err - 1 - len)) > 0)
        len += (size_t)k;
    close(pfd[0]);
    err[len] = '\0';
    int st;
    assert_int_equal(waitpid(pid, &st, 0), pid);
    if (WIFEXITED(st) && WEXITSTATUS(st) == 0 && len == 0)
        return RAN_CLEAN;
    if (WIFEXITED(st) && WEXITSTATUS(st) == 1 && strcmp(err, oom_msg) == 0)
        return OUT_OF_MEMORY;
    if (WIFSIGNALED(st))
        fail_msg("allocation %llu failing: killed by signal %d, stderr \"%s\"",
                 (unsigned long long)n, WTERMSIG(st), err);
    fail_msg("allocation %llu failing: exit %d, stderr \"%s\"", (unsigned long long)n,
             WIFEXITED(st) ? WEXITSTATUS(st) : -1, err);
    return RAN_CLEAN;
}

/* Fails each allocation of fn in turn, from the first, until fn runs clean;
 * returns how many allocations failed on the way (at least one). */
static uint64_t
sweep(void (*fn)(void))
{
    uint64_t n = 1;
    while (run_failing_at(fn, n) == OUT_OF_MEMORY) {
        n++;
        if (n > 20000)
            fail_msg("still failing after 20000 allocations");
    }
    assert_true(n > 1);
    return n - 1;
}

/* ---- scenarios, run in the child ---- */

static struct tally_header g_header;

static void
make_header(const char *const *names, uint32_t n)
{
    struct tally_slice f[8];
    for (uint32_t i = 0; i < n; i++)
        f[i] = tally_slice_cstr(names[i]);
    struct tally_row row = {f, n, "hdr.csv", 1};
    tally_header_init(&g_header, &row);
}

static void
regex_filter(void)
{
    static const char *const names[] = {"path", "agent"};
    make_header(names, 2);
    struct tally_diag d;
    tally_diag_init(&d);
    struct tally_expr *e = NULL;
    CHECK(tally_expr_compile(&e, "path ~ \"^/api/(v[0-9]+)\" and agent !~ \"(?i)bot\"", &d) ==
          TALLY_OK);
    CHECK(tally_expr_bind(e, &g_header, &d) == TALLY_OK);
    struct tally_slice f[2] = {TALLY_SLICE_LIT("/api/v2/users"), TALLY_SLICE_LIT("curl")};
    struct tally_row row = {f, 2, "a.csv", 2};
    bool keep = false;
    CHECK(tally_expr_eval(e, &row, &keep, &d) == TALLY_OK && keep);
    struct tally_expr *c = tally_expr_clone(e);
    keep = false;
    CHECK(tally_expr_eval(c, &row, &keep, &d) == TALLY_OK && keep);
    tally_expr_free(c);
    tally_expr_free(e);
    tally_header_fini(&g_header);
}

static int
count_row(void *ctx, const struct tally_row *row, struct tally_diag *d)
{
    (void)row;
    (void)d;
    (*(int *)ctx)++;
    return TALLY_OK;
}

static void
log_parser(const char *spec, bool pcre2, const char *line)
{
    struct tally_diag d;
    tally_diag_init(&d);
    struct tally_logparse *p = NULL;
    CHECK(tally_logparse_new(&p, spec, false, &d) == TALLY_OK);
    if (pcre2)
        tally_logparse_set_engine(p, TALLY_LOG_ENGINE_PCRE2);
    struct tally_logparse *c = tally_logparse_clone(p);
    struct tally_logparse *both[] = {p, c};
    for (int i = 0; i < 2; i++) {
        int rows = 0;
        tally_logparse_reset(both[i], "x.log");
        CHECK(tally_logparse_feed(both[i], line, strlen(line), count_row, &rows, &d) == TALLY_OK);
        CHECK(tally_logparse_finish(both[i], count_row, &rows, &d) == TALLY_OK);
        CHECK(rows == 1);
    }
    tally_logparse_free(c);
    tally_logparse_free(p);
}

static void
log_combined_pcre2(void)
{
    log_parser("combined", true,
               "127.0.0.1 - frank [10/Oct/2000:13:55:36 -0700] \"GET /a.gif HTTP/1.0\" 200 2326 "
               "\"http://x/\" \"Mozilla/4.08\"\n");
}

static void
log_custom_pattern(void)
{
    log_parser("^(?<ip>\\S+) (?<rest>.*)$", false, "10.0.0.1 hello world\n");
}

static char g_path[64];

static void
read_all(void)
{
    struct tally_diag d;
    tally_diag_init(&d);
    struct tally_reader *r = NULL;
    CHECK(tally_reader_open(&r, g_path, &d) == TALLY_OK);
    size_t total = 0;
    for (;;) {
        const char *buf;
        size_t len;
        CHECK(tally_reader_read(r, &buf, &len, &d) == TALLY_OK);
        if (len == 0)
            break;
        total += len;
    }
    CHECK(total == 6000);
    tally_reader_free(r);
}

static void
csv_long_quoted_record(void)
{
    struct tally_csv_opts o = {',', true, 0, 0};
    struct tally_csvparse *p = NULL;
    CHECK(tally_csvparse_new(&p, &o) == TALLY_OK);
    struct tally_diag d;
    tally_diag_init(&d);
    tally_csvparse_reset(p, "a.csv");
    static char rec[70000];
    size_t n = 0;
    rec[n++] = '"';
    for (int i = 0; i < 65536; i++)
        rec[n++] = i % 1000 == 999 ? '\n' : 'x';
    memcpy(rec + n, "\",\"a\"\"b\",3\n", 11);
    n += 11;
    int rows = 0;
    CHECK(tally_csvparse_feed(p, rec, n, count_row, &rows, &d) == TALLY_OK);
    CHECK(tally_csvparse_finish(p, count_row, &rows, &d) == TALLY_OK);
    CHECK(rows == 1);
    tally_csvparse_free(p);
}

static void
groups_and_table_output(void)
{
    struct tally_group_table *t = NULL;
    CHECK(tally_group_table_new(&t, 1, 8) == TALLY_OK);
    char key[16];
    for (int i = 0; i < 300; i++) {
        snprintf(key, sizeof key, "k%d", i % 100);
        struct tally_slice k = tally_slice_cstr(key);
        bool is_new;
        (void)tally_group_table_intern(t, &k, &is_new);
    }
    CHECK(tally_group_table_size(t) == 100);
    tally_group_table_free(t);

    int fd = open("/dev/null", O_WRONLY);
    CHECK(fd >= 0);
    struct tally_output_opts oo = {.header = true};
    struct tally_writer *w = NULL;
    CHECK(tally_output_open(&w, TALLY_FMT_TABLE, fd, &oo) == TALLY_OK);
    static const struct tally_column cols[] = {{"k", false}, {"mean", true}};
    struct tally_diag d;
    tally_diag_init(&d);
    CHECK(tally_output_begin(w, cols, 2, &d) == TALLY_OK);
    for (int i = 0; i < 50; i++) {
        snprintf(key, sizeof key, "k%d", i);
        struct tally_value v[2] = {{.kind = TALLY_VAL_TEXT, .s = tally_slice_cstr(key)},
                                   {.kind = TALLY_VAL_REAL, .d = i / 3.0}};
        CHECK(tally_output_row(w, v, &d) == TALLY_OK);
    }
    CHECK(tally_output_end(w, &d) == TALLY_OK);
    tally_output_free(w);
    close(fd);
}

/* ---- tests ---- */

static void
check_and_exit_directly(void)
{
    (void)tally_xcheck(NULL);
    _exit(0); /* not reached */
}

static void
test_xalloc_check_of_null_is_the_out_of_memory_exit(void **state)
{
    (void)state;
    /* n = 0: nothing injected, the NULL itself is the failure. */
    assert_int_equal(run_failing_at(check_and_exit_directly, 0), OUT_OF_MEMORY);
    int x;
    assert_ptr_equal(tally_xcheck(&x), &x);
}

static void
test_xalloc_injected_failure_hits_the_chosen_allocation_only(void **state)
{
    (void)state;
    tally_xalloc_fail_at(0);
    void *p = tally_xmalloc(16);
    void *q = tally_try_malloc(16);
    assert_non_null(p);
    assert_non_null(q);
    free(p);
    free(q);
    tally_xalloc_fail_at(2);
    p = tally_try_malloc(8);       /* the first: fine */
    q = tally_try_malloc(8);       /* the second: fails */
    void *r = tally_try_malloc(8); /* and then it is off again */
    assert_non_null(p);
    assert_null(q);
    assert_non_null(r);
    free(p);
    free(r);
}

static void
test_xalloc_every_failure_in_a_regex_filter_is_out_of_memory(void **state)
{
    (void)state;
    sweep(regex_filter);
}

static void
test_xalloc_every_failure_in_the_log_parser_is_out_of_memory(void **state)
{
    (void)state;
    sweep(log_combined_pcre2);
    sweep(log_custom_pattern);
}

static void
make_input(bool zstd)
{
    char plain[6000];
    for (size_t i = 0; i < sizeof plain; i++)
        plain[i] = (char)('a' + i % 26);
    snprintf(g_path, sizeof g_path, "/tmp/test_xalloc_XXXXXX");
    int fd = mkstemp(g_path);
    assert_true(fd >= 0);
    static char packed[8192];
    size_t n;
    if (zstd) {
        n = ZSTD_compress(packed, sizeof packed, plain, sizeof plain, 3);
        assert_false(ZSTD_isError(n));
    } else {
        z_stream zs = {0};
        assert_int_equal(deflateInit2(&zs, 6, Z_DEFLATED, 16 + MAX_WBITS, 8, Z_DEFAULT_STRATEGY),
                         Z_OK);
        zs.next_in = (Bytef *)plain;
        zs.avail_in = sizeof plain;
        zs.next_out = (Bytef *)packed;
        zs.avail_out = sizeof packed;
        assert_int_equal(deflate(&zs, Z_FINISH), Z_STREAM_END);
        n = sizeof packed - zs.avail_out;
        deflateEnd(&zs);
    }
    assert_int_equal(write(fd, packed, n), (ssize_t)n);
    close(fd);
}

static void
test_xalloc_every_failure_reading_gzip_and_zstd_is_out_of_memory(void **state)
{
    (void)state;
    make_input(false);
    sweep(read_all);
    unlink(g_path);
    make_input(true);
    sweep(read_all);
    unlink(g_path);
}

static void
test_xalloc_every_failure_in_the_csv_parser_is_out_of_memory(void **state)
{
    (void)state;
    sweep(csv_long_quoted_record);
}

static void
test_xalloc_every_failure_in_groups_and_output_is_out_of_memory(void **state)
{
    (void)state;
    sweep(groups_and_table_output);
}

int
main(void)
{
    const struct CMUnitTest tests[] = {
        cmocka_unit_test(test_xalloc_check_of_null_is_the_out_of_memory_exit),
        cmocka_unit_test(test_xalloc_injected_failure_hits_the_chosen_allocation_only),
        cmocka_unit_test(test_xalloc_every_failure_in_a_regex_filter_is_out_of_memory),
        cmocka_unit_test(test_xalloc_every_failure_in_the_log_parser_is_out_of_memory),
        cmocka_unit_test(test_xalloc_every_failure_reading_gzip_and_zstd_is_out_of_memory),
        cmocka_unit_test(test_xalloc_every_failure_in_the_csv_parser_is_out_of_memory),
        cmocka_unit_test(test_xalloc_every_failure_in_groups_and_output_is_out_of_memory),
    };
    return cmocka_run_group_tests(tests, NULL, NULL);
}
