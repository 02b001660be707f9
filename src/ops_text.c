/* first, last, distinct and mode (see ops_int.h): they see the bytes of
 * every non-empty value and merge so that input order decides ties: the
 * order of the calls, unless positions (partials, codec.h) say otherwise. */
#include "ops_int.h"

#include <stdlib.h>
#include <string.h>

#include "tally/codec.h"
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

/* first keeps dst unless src comes from earlier input; last takes src
 * unless it comes from earlier input. */
void
tally_first_merge(void *dst, void *src)
{
    struct tally_text_st *d = dst, *s = src;
    if (s->has && (!d->has || s->pos < d->pos))
        text_swap(d, s);
}

void
tally_last_merge(void *dst, void *src)
{
    struct tally_text_st *d = dst, *s = src;
    if (s->has && (!d->has || s->pos >= d->pos))
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

/* ---- segments (ops_int.h): segment k of a map that has entries */

static size_t
seg_count(const struct tally_strmap *m)
{
    return m->nseg ? m->nseg : 1;
}

static uint64_t
seg_pos(const struct tally_strmap *m, size_t k)
{
    return m->nseg ? m->seg[k].pos : 0;
}

static size_t
seg_end(const struct tally_strmap *m, size_t k)
{
    return k + 1 < m->nseg ? m->seg[k + 1].start : m->n;
}

static size_t
seg_start(const struct tally_strmap *m, size_t k)
{
    return m->nseg ? m->seg[k].start : 0;
}

static void
seg_append(struct tally_strmap *m, uint64_t pos, size_t start)
{
    tally_xgrow((void **)&m->seg, &m->segcap, m->nseg + 1, sizeof *m->seg);
    m->seg[m->nseg++] = (struct tally_sm_seg){pos, start};
}

/* Entries [start, m->n), just added, were first seen at pos, which is not
 * below the position of any entry before them. */
static void
seg_mark(struct tally_strmap *m, uint64_t pos, size_t start)
{
    if (start == 0) { /* the map was empty */
        if (pos != 0)
            seg_append(m, pos, 0);
        return;
    }
    if (seg_pos(m, seg_count(m) - 1) == pos)
        return;
    if (m->nseg == 0)
        seg_append(m, 0, 0);
    seg_append(m, pos, start);
}

/* Adds segment k of s at the end of d's first-seen order. */
static void
sm_add_seg(struct tally_strmap *d, const struct tally_strmap *s, size_t k)
{
    size_t before = d->n;
    for (size_t e = seg_start(s, k), end = seg_end(s, k); e < end; e++) {
        const struct tally_sm_ent *x = &s->ent[e];
        sm_add(d, s->bytes + x->off, x->len, x->hash, x->count);
    }
    if (d->n > before)
        seg_mark(d, seg_pos(s, k), before);
}

static void
sm_swap(struct tally_strmap *a, struct tally_strmap *b)
{
    struct tally_strmap t = *a;
    *a = *b;
    *b = t;
}

/* d and s interleaved by position (d's first where equal), into a new map. */
static void
sm_interleave(struct tally_strmap *d, struct tally_strmap *s)
{
    struct tally_strmap t;
    tally_sm_init(&t);
    size_t i = 0, j = 0, nd = seg_count(d), ns = seg_count(s);
    while (i < nd || j < ns) {
        if (j == ns || (i < nd && seg_pos(d, i) <= seg_pos(s, j)))
            sm_add_seg(&t, d, i++);
        else
            sm_add_seg(&t, s, j++);
    }
    sm_swap(d, &t);
    tally_sm_fini(&t);
}

void
tally_sm_merge(void *dst, void *src)
{
    struct tally_strmap *d = dst, *s = src;
    if (s->n == 0)
        return;
    if (d->n == 0) {
        sm_swap(d, s);
        return;
    }
    if (seg_pos(s, 0) < seg_pos(d, seg_count(d) - 1)) {
        if (seg_pos(s, seg_count(s) - 1) >= seg_pos(d, 0)) {
            sm_interleave(d, s);
            return;
        }
        sm_swap(d, s); /* src comes first: add dst's entries after it */
    }
    for (size_t k = 0, n = seg_count(s); k < n; k++)
        sm_add_seg(d, s, k);
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
    free(m->seg);
    memset(m, 0, sizeof *m);
}

/* ---- state text (codec.h) */

void
tally_text_encode(const void *st, uint64_t origin, struct tally_buf *out)
{
    const struct tally_text_st *s = st;
    if (!s->has) {
        tally_enc_u64(out, 0);
    } else {
        tally_enc_u64(out, 1);
        tally_enc_sep(out);
        tally_enc_u64(out, tally_codec_add_pos(s->pos, origin));
        tally_enc_sep(out);
        tally_enc_bytes(out, s->buf, s->len);
    }
    tally_enc_end(out);
}

bool
tally_text_decode(void *st, const char *text, size_t len)
{
    struct tally_text_st *s = st;
    struct tally_dec d;
    uint64_t tag, pos;
    tally_dec_init(&d, text, len);
    if (!tally_dec_u64_max(&d, 1, &tag))
        return false;
    if (tag == 0)
        return tally_dec_end(&d);
    struct tally_buf b = {0};
    if (!tally_dec_sep(&d) || !tally_dec_u64(&d, &pos) || !tally_dec_sep(&d) ||
        !tally_dec_bytes(&d, &b) || b.len == 0 || !tally_dec_end(&d)) {
        tally_buf_free(&b);
        return false;
    }
    free(s->buf);
    s->buf = b.p;
    s->len = b.len;
    s->cap = b.cap;
    s->has = 1;
    s->pos = pos;
    return true;
}

void
tally_sm_encode(const void *st, uint64_t origin, struct tally_buf *out)
{
    const struct tally_strmap *m = st;
    size_t nseg = m->n ? seg_count(m) : 0;
    tally_enc_u64(out, nseg);
    for (size_t k = 0; k < nseg; k++) {
        tally_enc_sep(out);
        tally_enc_u64(out, tally_codec_add_pos(seg_pos(m, k), origin));
        tally_enc_sep(out);
        tally_enc_u64(out, seg_end(m, k) - seg_start(m, k));
        for (size_t e = seg_start(m, k), end = seg_end(m, k); e < end; e++) {
            const struct tally_sm_ent *x = &m->ent[e];
            tally_enc_sep(out);
            tally_enc_bytes(out, m->bytes + x->off, x->len);
            tally_enc_sep(out);
            tally_enc_u64(out, x->count);
        }
    }
    tally_enc_end(out);
}

/* One segment's entries, after its position: ,NENT then ,BYTES,COUNT each. */
static bool
sm_decode_seg(struct tally_strmap *m, struct tally_dec *d, uint64_t pos, struct tally_buf *b)
{
    size_t nent, start = m->n;
    if (!tally_dec_sep(d) || !tally_dec_count(d, 4, &nent) || nent == 0)
        return false;
    for (size_t e = 0; e < nent; e++) {
        uint64_t count;
        tally_buf_reset(b);
        if (!tally_dec_sep(d) || !tally_dec_bytes(d, b) || b->len == 0 || !tally_dec_sep(d) ||
            !tally_dec_u64_max(d, INT64_MAX, &count) || count == 0)
            return false;
        size_t before = m->n;
        sm_add(m, b->p, b->len, tally_hash_bytes(b->p, b->len, 0), count);
        if (m->n == before) /* the value came before */
            return false;
    }
    seg_mark(m, pos, start);
    return true;
}

bool
tally_sm_decode(void *st, const char *text, size_t len)
{
    struct tally_strmap *m = st;
    struct tally_dec d;
    struct tally_buf b = {0};
    size_t nseg;
    bool ok;
    tally_dec_init(&d, text, len);
    ok = tally_dec_count(&d, 8, &nseg);
    for (size_t k = 0; ok && k < nseg; k++) {
        uint64_t pos;
        ok = tally_dec_sep(&d) && tally_dec_u64(&d, &pos) &&
             (k == 0 || pos > seg_pos(m, seg_count(m) - 1)) && sm_decode_seg(m, &d, pos, &b);
    }
    tally_buf_free(&b);
    return ok && tally_dec_end(&d);
}
