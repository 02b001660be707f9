/* first, last, distinct and mode (see ops_int.h): they see the bytes of
 * every non-empty value and merge so that input order decides ties. */
#include "ops_int.h"

#include <stdlib.h>
#include <string.h>

#include "tally/xalloc.h"

/* ---- first and last: owned copies of the bytes. */

void
tally_text_init(void *st)
{
    memset(st, 0, sizeof(struct tally_text_st));
}

static void
text_set(struct tally_text_st *s, struct tally_slice v)
{
    if (v.len > s->cap) {
        size_t cap = s->cap ? s->cap : 16;
        while (cap < v.len)
            cap *= 2;
        free(s->buf);
        s->buf = tally_xmalloc(cap);
        s->cap = cap;
    }
    if (v.len)
        memcpy(s->buf, v.ptr, v.len);
    s->len = v.len;
    s->has = 1;
}

void
tally_first_update(void *st, const struct tally_cell *c)
{
    struct tally_text_st *s = st;
    if (!s->has)
        text_set(s, c->text);
}

void
tally_last_update(void *st, const struct tally_cell *c)
{
    text_set(st, c->text);
}

static void
text_swap(struct tally_text_st *a, struct tally_text_st *b)
{
    struct tally_text_st t = *a;
    *a = *b;
    *b = t;
}

void
tally_first_merge(void *dst, void *src)
{
    struct tally_text_st *d = dst, *s = src;
    if (!d->has && s->has)
        text_swap(d, s);
}

void
tally_last_merge(void *dst, void *src)
{
    struct tally_text_st *d = dst, *s = src;
    if (s->has)
        text_swap(d, s);
}

void
tally_text_final(void *st, const struct tally_op_param *param, struct tally_value *out)
{
    (void)param;
    const struct tally_text_st *s = st;
    *out = (struct tally_value){.kind = TALLY_VAL_EMPTY};
    if (s->has) {
        out->kind = TALLY_VAL_TEXT;
        out->s = (struct tally_slice){s->buf, s->len};
    }
}

void
tally_text_fini(void *st)
{
    struct tally_text_st *s = st;
    free(s->buf);
    memset(s, 0, sizeof *s);
}

/* ---- distinct and mode: a map of owned strings to counts, in first-seen
 * order (entries), indexed by an open-addressing table of entry numbers. */

void
tally_sm_init(void *st)
{
    memset(st, 0, sizeof(struct tally_strmap));
}

static void
sm_rehash(struct tally_strmap *m, size_t icap)
{
    free(m->idx);
    m->idx = tally_xcalloc(icap, sizeof *m->idx);
    m->icap = icap;
    for (size_t e = 0; e < m->n; e++) {
        size_t i = m->ent[e].hash & (icap - 1);
        while (m->idx[i])
            i = (i + 1) & (icap - 1);
        m->idx[i] = (uint32_t)(e + 1);
    }
}

/* Adds count to the entry for these bytes, creating it (at the end of the
 * first-seen order) if new. */
static void
sm_add(struct tally_strmap *m, const char *p, size_t len, uint64_t hash, uint64_t count)
{
    if (m->icap) {
        size_t i = hash & (m->icap - 1);
        for (uint32_t e; (e = m->idx[i]) != 0; i = (i + 1) & (m->icap - 1)) {
            struct tally_sm_ent *x = &m->ent[e - 1];
            if (x->hash == hash && x->len == len && memcmp(m->bytes + x->off, p, len) == 0) {
                x->count += count;
                return;
            }
        }
    }
    if ((m->n + 1) * 10 > m->icap * 7)
        sm_rehash(m, m->icap ? m->icap * 2 : 8);
    tally_xgrow((void **)&m->ent, &m->ecap, m->n + 1, sizeof *m->ent);
    tally_xgrow((void **)&m->bytes, &m->bcap, m->blen + len, 1);
    if (len)
        memcpy(m->bytes + m->blen, p, len);
    m->ent[m->n] = (struct tally_sm_ent){hash, m->blen, len, count};
    m->blen += len;
    size_t i = hash & (m->icap - 1);
    while (m->idx[i])
        i = (i + 1) & (m->icap - 1);
    m->idx[i] = (uint32_t)(++m->n);
}

void
tally_sm_update(void *st, const struct tally_cell *c)
{
    sm_add(st, c->text.ptr, c->text.len, tally_hash_bytes(c->text.ptr, c->text.len, 0), 1);
}

void
tally_sm_merge(void *dst, void *src)
{
    struct tally_strmap *d = dst, *s = src;
    if (d->n == 0) {
        struct tally_strmap t = *d;
        *d = *s;
        *s = t;
        return;
    }
    for (size_t e = 0; e < s->n; e++) {
        const struct tally_sm_ent *x = &s->ent[e];
        sm_add(d, s->bytes + x->off, x->len, x->hash, x->count);
    }
}

void
tally_distinct_final(void *st, const struct tally_op_param *param, struct tally_value *out)
{
    (void)param;
    const struct tally_strmap *m = st;
    *out = (struct tally_value){.kind = TALLY_VAL_INT, .i = (int64_t)m->n};
}

void
tally_mode_final(void *st, const struct tally_op_param *param, struct tally_value *out)
{
    (void)param;
    const struct tally_strmap *m = st;
    *out = (struct tally_value){.kind = TALLY_VAL_EMPTY};
    if (m->n == 0)
        return;
    size_t best = 0;
    for (size_t e = 1; e < m->n; e++)
        if (m->ent[e].count > m->ent[best].count)
            best = e;
    out->kind = TALLY_VAL_TEXT;
    out->s = (struct tally_slice){m->bytes + m->ent[best].off, m->ent[best].len};
}

void
tally_sm_fini(void *st)
{
    struct tally_strmap *m = st;
    free(m->bytes);
    free(m->ent);
    free(m->idx);
    memset(m, 0, sizeof *m);
}
