/* libFuzzer harness for the number rules: tally_parse_number against an
 * independent reading of the SPEC's rule (checked with strtoll/strtod), and
 * tally_format_double printing a double that reads back to the same value,
 * in a form that itself reads as a number. */
#include <errno.h>
#include <math.h>
#include <stdbool.h>
#include <stddef.h>
#include <stdint.h>
#include <stdlib.h>
#include <string.h>

#include "tally/slice.h"

int LLVMFuzzerTestOneInput(const uint8_t *data, size_t size);

static bool
digit(char c)
{
    return c >= '0' && c <= '9';
}

/* [+-]? (D+ (. D*)? | . D+) ([eE] [+-]? D+)?  -- whole string. */
static bool
reference_is_number(const char *s, size_t n, bool *plain_int)
{
    size_t i = 0;
    if (i < n && (s[i] == '+' || s[i] == '-'))
        i++;
    size_t d0 = i;
    while (i < n && digit(s[i]))
        i++;
    size_t nint = i - d0, nfrac = 0;
    bool dot = false, exp = false;
    if (i < n && s[i] == '.') {
        dot = true;
        i++;
        size_t f0 = i;
        while (i < n && digit(s[i]))
            i++;
        nfrac = i - f0;
    }
    if (nint + nfrac == 0)
        return false;
    if (i < n && (s[i] == 'e' || s[i] == 'E')) {
        exp = true;
        i++;
        if (i < n && (s[i] == '+' || s[i] == '-'))
            i++;
        size_t e0 = i;
        while (i < n && digit(s[i]))
            i++;
        if (i == e0)
            return false;
    }
    *plain_int = !dot && !exp;
    return i == n;
}

static void
check_parse(const char *s, size_t n)
{
    struct tally_num num;
    memset(&num, 0xa5, sizeof num);
    enum tally_num_kind k = tally_parse_number((struct tally_slice){s, n}, &num);
    if (k != num.kind)
        abort();
    bool plain_int = false;
    bool ok = reference_is_number(s, n, &plain_int);
    if (!ok) {
        if (k != TALLY_NUM_NONE)
            abort();
        double dv;
        if (tally_parse_double((struct tally_slice){s, n}, &dv))
            abort();
        return;
    }
    char *z = malloc(n + 1);
    memcpy(z, s, n);
    z[n] = '\0';
    if (plain_int) {
        errno = 0;
        char *end;
        long long v = strtoll(z, &end, 10);
        bool fits = errno == 0 && *end == '\0';
        if (fits) {
            if (k != TALLY_NUM_INT || num.i != v || num.d != (double)v)
                abort();
        } else if (k != TALLY_NUM_REAL) {
            abort();
        }
    } else if (k != TALLY_NUM_REAL) {
        abort();
    }
    if (k == TALLY_NUM_REAL) {
        double want = strtod(z, NULL);
        if (!(num.d == want || (isnan(num.d) && isnan(want))))
            abort();
    }
    double dv;
    if (!tally_parse_double((struct tally_slice){s, n}, &dv) || dv != num.d)
        abort();
    free(z);
}

static void
check_format(double v)
{
    char buf[TALLY_NUMBUF];
    size_t n = tally_format_double(v, buf);
    if (n == 0 || n >= TALLY_NUMBUF || strlen(buf) != n)
        abort();
    if (isnan(v)) {
        if (strcmp(buf, "nan") != 0)
            abort();
        return;
    }
    if (isinf(v)) {
        if (strcmp(buf, v < 0 ? "-inf" : "inf") != 0)
            abort();
        return;
    }
    if (strtod(buf, NULL) != v || signbit(strtod(buf, NULL)) != signbit(v))
        abort();
    struct tally_num num;
    if (tally_parse_number((struct tally_slice){buf, n}, &num) == TALLY_NUM_NONE)
        abort();
    if (num.d != v)
        abort();

    char ib[TALLY_NUMBUF];
    int64_t i;
    memcpy(&i, &v, sizeof i);
    size_t in = tally_format_int(i, ib);
    if (tally_parse_number((struct tally_slice){ib, in}, &num) != TALLY_NUM_INT || num.i != i)
        abort();
}

int
LLVMFuzzerTestOneInput(const uint8_t *data, size_t size)
{
    check_parse((const char *)data, size);
    if (size >= sizeof(double)) {
        double v;
        memcpy(&v, data, sizeof v);
        check_format(v);
    }
    return 0;
}
