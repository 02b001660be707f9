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

int
tally_order_cmp(const struct tally_order_key *a, const struct tally_order_key *b)
{
    if (a->cls != b->cls)
        return a->cls < b->cls ? -1 : 1;
    if (a->cls == 0)
        return 0;
    if (a->cls == 1) {
        if (a->is_int && b->is_int) {
            if (a->i != b->i)
                return a->i < b->i ? -1 : 1;
        } else if (a->d != b->d) {
            return a->d < b->d ? -1 : 1;
        }
    }
    return tally_slice_cmp(a->s, b->s);
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
