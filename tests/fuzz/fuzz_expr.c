/* libFuzzer harness for the --where language: the first line of the input
 * is an expression, compiled, bound to a fixed header and evaluated on a
 * few fixed rows plus rows made from the following lines ('|' between
 * fields). A clone must decide every row the same way. Errors must come
 * with a message. */
#include <stdbool.h>
#include <stddef.h>
#include <stdint.h>
#include <stdlib.h>
#include <string.h>

#include "tally/diag.h"
#include "tally/expr.h"
#include "tally/row.h"
#include "tally/status.h"

int LLVMFuzzerTestOneInput(const uint8_t *data, size_t size);

static const char *const names[] = {"status", "path", "bytes", "user agent", "time", "a", "b"};
#define NCOLS 7
#define MAXROWS 8

static const char *const fixed[][NCOLS] = {
    {"200", "/api/x", "1234", "curl/8.0", "2024-01-01T00:00:00Z", "", "-"},
    {"503", "/", "", "Mozilla/5.0 (bot)", "10/Oct/2000:13:55:36 -0700", "1e3", "x"},
    {"", "", "", "", "", "", ""},
};

struct rows {
    struct tally_slice f[MAXROWS][NCOLS];
    struct tally_row row[MAXROWS];
    uint32_t n;
};

static void
add_row(struct rows *r, const char *p, size_t len)
{
    if (r->n == MAXROWS)
        return;
    uint32_t k = r->n++, nf = 0;
    const char *end = p + len;
    while (nf < NCOLS) {
        const char *bar = memchr(p, '|', (size_t)(end - p));
        const char *stop = bar ? bar : end;
        r->f[k][nf++] = (struct tally_slice){p, (size_t)(stop - p)};
        if (!bar)
            break;
        p = bar + 1;
    }
    /* Fewer fields than the header: the rest are missing values. */
    r->row[k] = (struct tally_row){r->f[k], nf, "fuzz.csv", k + 2u};
}

static void
check_fail(int st, const struct tally_diag *d)
{
    if (st != TALLY_EDATA && st != TALLY_EUSAGE)
        abort();
    if (d->msg[0] == '\0')
        abort();
}

int
LLVMFuzzerTestOneInput(const uint8_t *data, size_t size)
{
    if (size > 4096)
        return 0;
    const char *in = (const char *)data;
    const char *nl = memchr(in, '\n', size);
    size_t elen = nl ? (size_t)(nl - in) : size;
    char *text = malloc(elen + 1);
    memcpy(text, in, elen);
    text[elen] = '\0'; /* a NUL inside ends the expression early: fine */

    struct tally_diag d;
    tally_diag_init(&d);
    struct tally_expr *e = NULL;
    int st = tally_expr_compile(&e, text, &d);
    if (st != TALLY_OK) {
        check_fail(st, &d);
        if (e)
            abort();
        free(text);
        return 0;
    }

    struct tally_slice hf[NCOLS];
    for (int i = 0; i < NCOLS; i++)
        hf[i] = tally_slice_cstr(names[i]);
    struct tally_row hrow = {hf, NCOLS, "fuzz.csv", 1};
    struct tally_header h;
    tally_header_init(&h, &hrow);
    st = tally_expr_bind(e, &h, &d);
    tally_header_fini(&h);
    if (st != TALLY_OK) {
        check_fail(st, &d);
        tally_expr_free(e);
        free(text);
        return 0;
    }

    static struct rows r;
    r.n = 0;
    for (size_t i = 0; i < sizeof fixed / sizeof fixed[0]; i++) {
        uint32_t k = r.n++;
        for (int c = 0; c < NCOLS; c++)
            r.f[k][c] = tally_slice_cstr(fixed[i][c]);
        r.row[k] = (struct tally_row){r.f[k], NCOLS, "fuzz.csv", k + 2u};
    }
    if (nl) {
        const char *p = nl + 1, *end = in + size;
        while (p <= end && r.n < MAXROWS) {
            const char *next = memchr(p, '\n', (size_t)(end - p));
            const char *stop = next ? next : end;
            add_row(&r, p, (size_t)(stop - p));
            if (!next)
                break;
            p = next + 1;
        }
    }

    struct tally_expr *c = tally_expr_clone(e);
    for (uint32_t i = 0; i < r.n; i++) {
        bool k1 = false, k2 = false;
        struct tally_diag d1, d2;
        tally_diag_init(&d1);
        tally_diag_init(&d2);
        int s1 = tally_expr_eval(e, &r.row[i], &k1, &d1);
        int s2 = tally_expr_eval(c, &r.row[i], &k2, &d2);
        if (s1 != s2 || (s1 == TALLY_OK && k1 != k2))
            abort();
        if (s1 != TALLY_OK) {
            check_fail(s1, &d1);
            if (strcmp(d1.msg, d2.msg) != 0)
                abort();
        }
        /* Evaluating again gives the same answer: no state leaks between rows. */
        bool k3 = false;
        struct tally_diag d3;
        tally_diag_init(&d3);
        if (tally_expr_eval(e, &r.row[i], &k3, &d3) != s1 || (s1 == TALLY_OK && k3 != k1))
            abort();
    }
    tally_expr_free(c);
    tally_expr_free(e);
    free(text);
    return 0;
}
