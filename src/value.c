/* The one order of values (value.h): keys made from text or computed
 * values, and their comparison. */
#include "tally/value.h"

void
tally_order_key_text(struct tally_slice s, struct tally_order_key *k)
{
    struct tally_num n;
    *k = (struct tally_order_key){.cls = 2, .s = s};
    if (s.len == 0)
        k->cls = 0;
    else if (tally_parse_number(s, &n) != TALLY_NUM_NONE)
        *k = (struct tally_order_key){1, n.kind == TALLY_NUM_INT, n.i, n.d, s};
}

void
tally_order_key_value(const struct tally_value *v, struct tally_order_key *k)
{
    switch (v->kind) {
    case TALLY_VAL_TEXT:
        tally_order_key_text(v->s, k);
        return;
    case TALLY_VAL_INT:
        *k = (struct tally_order_key){1, true, v->i, (double)v->i, {"", 0}};
        return;
    case TALLY_VAL_REAL:
        *k = (struct tally_order_key){1, false, 0, v->d, {"", 0}};
        return;
    case TALLY_VAL_EMPTY:
        break;
    }
    *k = (struct tally_order_key){.cls = 0, .s = {"", 0}};
}

/* A decimal literal that reads as a number, as sign, significant digits
 * (the integer digits, then the fraction's) and the power of ten just
 * above its first significant digit; no digits for zero. */
struct decimal {
    bool neg;
    const char *ip, *fp; /* integer and fraction digits */
    size_t ni, nf;
    int64_t mag;
};

static void
decimal_of(struct tally_slice t, struct decimal *x)
{
    const char *p = t.ptr, *end = t.ptr + t.len;
    *x = (struct decimal){0};
    if (p < end && (*p == '+' || *p == '-'))
        x->neg = *p++ == '-';
    x->ip = p;
    while (p < end && *p >= '0' && *p <= '9')
        p++;
    x->ni = (size_t)(p - x->ip);
    if (p < end && *p == '.')
        p++;
    x->fp = p;
    while (p < end && *p >= '0' && *p <= '9')
        p++;
    x->nf = (size_t)(p - x->fp);
    int64_t e = 0;
    if (p < end && (*p == 'e' || *p == 'E')) {
        bool eneg = ++p < end && *p == '-';
        if (p < end && (*p == '+' || *p == '-'))
            p++;
        /* Exponents past a billion order like a billion: no literal has
         * that many digits to tell them apart. */
        for (; p < end && e < 1000000000; p++)
            e = e * 10 + (*p - '0');
        e = eneg ? -e : e;
    }
    while (x->ni && *x->ip == '0')
        x->ip++, x->ni--;
    while (x->nf && x->fp[x->nf - 1] == '0')
        x->nf--;
    x->mag = (int64_t)x->ni + e;
    if (!x->ni)
        while (x->nf && *x->fp == '0')
            x->fp++, x->nf--, x->mag--;
}

static char
digit_at(const struct decimal *x, size_t k)
{
    return k < x->ni ? x->ip[k] : k - x->ni < x->nf ? x->fp[k - x->ni] : '0';
}

/* The exact order of two decimal literals. */
static int
decimal_cmp(struct tally_slice a, struct tally_slice b)
{
    struct decimal x, y;
    decimal_of(a, &x);
    decimal_of(b, &y);
    bool xz = x.ni + x.nf == 0, yz = y.ni + y.nf == 0;
    if (xz || yz)
        return xz && yz ? 0 : xz ? (y.neg ? 1 : -1) : (x.neg ? -1 : 1);
    if (x.neg != y.neg)
        return x.neg ? -1 : 1;
    int r = 0;
    if (x.mag != y.mag) {
        r = x.mag < y.mag ? -1 : 1;
    } else {
        size_t n = x.ni + x.nf > y.ni + y.nf ? x.ni + x.nf : y.ni + y.nf;
        for (size_t k = 0; k < n && !r; k++) {
            char dx = digit_at(&x, k), dy = digit_at(&y, k);
            r = dx < dy ? -1 : dx > dy;
        }
    }
    return x.neg ? -r : r;
}

/* The exact order of an integer and a double (NaN after every number). */
static int
int_double_cmp(int64_t i, double d)
{
    if (d != d)
        return -1;
    if (d >= 9223372036854775808.0)
        return -1;
    if (d < -9223372036854775808.0)
        return 1;
    int64_t t = (int64_t)d; /* exact: d's integer part fits */
    if (i != t)
        return i < t ? -1 : 1;
    double frac = d - (double)t;
    return frac > 0 ? -1 : frac < 0;
}

int
tally_order_number_cmp(const struct tally_order_key *a, const struct tally_order_key *b)
{
    if (a->is_int && b->is_int)
        return a->i < b->i ? -1 : a->i > b->i;
    double da = a->is_int ? (double)a->i : a->d, db = b->is_int ? (double)b->i : b->d;
    if ((da != da) || (db != db))
        return (da != da) - (db != db);
    if (da != db) /* rounding keeps the order of what it rounds */
        return da < db ? -1 : 1;
    if (a->s.len && b->s.len)
        return decimal_cmp(a->s, b->s);
    if (a->is_int != b->is_int)
        return a->is_int ? int_double_cmp(a->i, b->d) : -int_double_cmp(b->i, a->d);
    return 0;
}

int
tally_value_cmp(const struct tally_value *a, const struct tally_value *b)
{
    struct tally_order_key ka, kb;
    tally_order_key_value(a, &ka);
    tally_order_key_value(b, &kb);
    return tally_order_cmp(&ka, &kb);
}

int
tally_value_order(struct tally_slice a, struct tally_slice b)
{
    struct tally_order_key ka, kb;
    tally_order_key_text(a, &ka);
    tally_order_key_text(b, &kb);
    return tally_order_cmp(&ka, &kb);
}
