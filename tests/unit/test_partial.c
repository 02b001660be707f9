/* Unit tests for the partial format's pieces: key escaping both ways, the
 * line check, headers written from a plan and read back (same query, same
 * id; a changed field is named by the diff; a bad id or version is
 * refused), recorded output options, and the plan --merge builds. */
#include <setjmp.h>
#include <stdarg.h>
#include <stddef.h>
#include <stdint.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <unistd.h>

#include <cmocka.h>

#include "tally/group.h"
#include "tally/partial.h"
#include "tally/status.h"

static void
test_escape_round_trip(void **state)
{
    (void)state;
    char all[256];
    for (int i = 0; i < 256; i++)
        all[i] = (char)i;
    struct tally_buf b = {0};
    tally_partial_escape(&b, all, sizeof all);
    assert_null(memchr(b.p, '\t', b.len));
    assert_null(memchr(b.p, '\n', b.len));
    assert_null(memchr(b.p, '\r', b.len));
    assert_int_equal(b.len, 256 + 4); /* tab, LF, CR and backslash take two bytes */
    size_t n = b.len;
    assert_true(tally_partial_unescape(b.p, &n));
    assert_int_equal(n, 256);
    assert_memory_equal(b.p, all, 256);
    tally_buf_free(&b);
}

static void
test_unescape_refuses_bad_escapes(void **state)
{
    (void)state;
    const char *bad[] = {"a\\", "\\x", "\\0", "ab\\q"};
    for (size_t i = 0; i < sizeof bad / sizeof bad[0]; i++) {
        char s[8];
        size_t n = strlen(bad[i]);
        memcpy(s, bad[i], n);
        assert_false(tally_partial_unescape(s, &n));
    }
}

static void
test_check_is_fnv1a(void **state)
{
    (void)state;
    assert_int_equal(tally_partial_check("", 0), 0x811c9dc5u);
    assert_int_equal(tally_partial_check("a", 1), 0xe40c292cu);
    assert_int_not_equal(tally_partial_check("ab", 2), tally_partial_check("ba", 2));
}

static void
build(struct tally_plan *p, struct tally_opts *o, const char *keys, const char *aggs)
{
    memset(o, 0, sizeof *o);
    o->limit = -1;
    o->group_by = keys;
    o->aggs = aggs;
    struct tally_diag d;
    tally_diag_init(&d);
    assert_int_equal(tally_plan_build(p, o, &d), TALLY_OK);
}

/* The header line tally_partial_write writes for plan p (no groups). */
static char *
header_of(struct tally_plan *p, const struct tally_opts *o, size_t *len)
{
    struct tally_pquery q = {0};
    tally_pquery_record(&q, o);
    tally_pquery_set_plan(&q, p);
    FILE *f = tmpfile();
    assert_non_null(f);
    struct tally_writer *w;
    assert_int_equal(tally_output_open(&w, TALLY_FMT_CSV, fileno(f), NULL), TALLY_OK);
    struct tally_group_table *t;
    assert_int_equal(tally_group_table_new(&t, p->nkeys, p->acc_size), TALLY_OK);
    struct tally_diag d;
    tally_diag_init(&d);
    assert_int_equal(tally_partial_write(w, &q, p, t, 0, &d), TALLY_OK);
    tally_group_table_free(t);
    tally_output_free(w);
    tally_pquery_fini(&q);
    char *buf = calloc(1, 4096);
    rewind(f);
    size_t n = fread(buf, 1, 4095, f);
    fclose(f);
    char *lf = memchr(buf, '\n', n);
    assert_non_null(lf);
    *len = (size_t)(lf - buf);
    /* Then the trailer, with no groups. */
    assert_non_null(strstr(lf + 1, "#tally-end\t"));
    assert_non_null(strstr(lf + 1, "\t0000000000000000\t0\n"));
    return buf;
}

static void
test_header_round_trip(void **state)
{
    (void)state;
    struct tally_plan p;
    struct tally_opts o;
    build(&p, &o, "status,`a\tb`", "count,n=sum:bytes,p99.9:lat");
    o.sort = "n:desc";
    o.limit = 3;
    size_t len;
    char *h = header_of(&p, &o, &len);
    assert_memory_equal(h, "#tally-partial\t1\t", 17);
    assert_non_null(strstr(h, "\tkey=a\\tb\t"));
    assert_non_null(strstr(h, "\tagg=sum\tof=bytes\tas=n\t"));
    assert_non_null(strstr(h, "\tsort=n:desc\tlimit=3\n"));

    struct tally_pquery a, b = {0};
    struct tally_diag d;
    tally_diag_init(&d);
    assert_int_equal(tally_pquery_parse(&a, h, len, NULL, &d), TALLY_OK);
    tally_pquery_set_plan(&b, &p);
    assert_int_equal(a.qid, b.qid);
    char what[256];
    assert_false(tally_pquery_diff(&a, &b, what, sizeof what));
    assert_string_equal(tally_pquery_rec(&a, "sort"), "n:desc");
    assert_null(tally_pquery_rec(&a, "output"));

    /* The plan --merge builds: keys and names as the run had them, with
     * the --sort and --limit it is given (merge.c gives the recorded ones). */
    struct tally_plan m;
    struct tally_opts given;
    memset(&given, 0, sizeof given);
    given.sort = tally_pquery_rec(&a, "sort");
    given.limit = strtoll(tally_pquery_rec(&a, "limit"), NULL, 10);
    assert_int_equal(tally_partial_plan(&m, &a, &given, &d), TALLY_OK);
    assert_int_equal(m.nkeys, 2);
    assert_string_equal(m.keys[1].label, "a\tb");
    assert_int_equal(m.naggs, 3);
    assert_string_equal(m.aggs[1].label, "n");
    assert_string_equal(m.aggs[2].label, "p99.9_lat");
    assert_true(m.aggs[2].param.p == 99.9);
    assert_int_equal(m.acc_size, p.acc_size);
    assert_int_equal(m.limit, 3);
    assert_int_equal(m.nsort, 1);
    assert_int_equal(m.sort[0].col, 3);
    assert_true(m.sort[0].desc);
    tally_plan_fini(&m);

    tally_pquery_fini(&a);
    tally_pquery_fini(&b);
    free(h);
    tally_plan_fini(&p);
}

static void
test_diff_names_the_field(void **state)
{
    (void)state;
    struct tally_plan p1, p2;
    struct tally_opts o;
    build(&p1, &o, "status", "count,sum:bytes");
    build(&p2, &o, "status", "count,mean:bytes");
    struct tally_pquery a = {0}, b = {0};
    tally_pquery_set_plan(&a, &p1);
    tally_pquery_set_plan(&b, &p2);
    assert_int_not_equal(a.qid, b.qid);
    char what[256];
    assert_true(tally_pquery_diff(&a, &b, what, sizeof what));
    assert_string_equal(what, "agg \"sum\" vs agg \"mean\"");
    tally_pquery_fini(&a);
    tally_pquery_fini(&b);
    tally_plan_fini(&p1);
    tally_plan_fini(&p2);
}

static void
test_parse_refuses(void **state)
{
    (void)state;
    struct tally_plan p;
    struct tally_opts o;
    build(&p, &o, "status", "count");
    size_t len;
    char *h = header_of(&p, &o, &len);
    struct tally_pquery q;
    struct tally_diag d;

    /* Another version. */
    h[15] = '2';
    tally_diag_init(&d);
    assert_int_equal(tally_pquery_parse(&q, h, len, NULL, &d), TALLY_EDATA);
    assert_non_null(strstr(d.msg, "version \"2\": this tally reads 1"));
    tally_pquery_fini(&q);
    h[15] = '1';

    /* A field changed: the id no longer matches. */
    char *key = strstr(h, "key=status");
    key[4] = 'S';
    tally_diag_init(&d);
    assert_int_equal(tally_pquery_parse(&q, h, len, NULL, &d), TALLY_EDATA);
    assert_non_null(strstr(d.msg, "corrupted partial header"));
    tally_pquery_fini(&q);

    /* Cut short at every length. */
    key[4] = 's';
    for (size_t n = 0; n < len; n++) {
        tally_diag_init(&d);
        assert_int_equal(tally_pquery_parse(&q, h, n, NULL, &d), TALLY_EDATA);
        tally_pquery_fini(&q);
    }
    free(h);
    tally_plan_fini(&p);
}

int
main(void)
{
    const struct CMUnitTest tests[] = {
        cmocka_unit_test(test_escape_round_trip),
        cmocka_unit_test(test_unescape_refuses_bad_escapes),
        cmocka_unit_test(test_check_is_fnv1a),
        cmocka_unit_test(test_header_round_trip),
        cmocka_unit_test(test_diff_names_the_field),
        cmocka_unit_test(test_parse_refuses),
    };
    return cmocka_run_group_tests(tests, NULL, NULL);
}
