/* Group table: key tuples from kept rows -> dense group ids in first-seen
 * order, by open addressing on a 64-bit hash of the tuple. Each group owns
 * one fixed-size accumulator block in a single array that doubles as groups
 * arrive; key bytes live in an arena until the table is freed. */
#include "tally/group.h"

#include <stdlib.h>
#include <string.h>

#include "tally/arena.h"
#include "tally/status.h"
#include "tally/value.h"
#include "tally/xalloc.h"

#define EMPTY_SLOT UINT32_MAX

struct slot {
    uint64_t hash;
    uint32_t id; /* EMPTY_SLOT when free */
};

struct tally_group_table {
    uint32_t nkeys;
    uint32_t n;         /* groups */
    size_t stride;      /* acc_size rounded up to 8 */
    struct slot *slots; /* cap slots, a power of two */
    size_t cap;
    struct tally_slice *keys; /* n * nkeys, group by group */
    uint64_t *hashes;         /* per group, for merge and growth */
    size_t gcap;              /* groups the arrays below hold */
    unsigned char *acc;       /* n * stride bytes */
    struct tally_arena arena; /* key bytes */
};

static const char empty_key[1] = "";

static inline uint64_t
mix(uint64_t h)
{
    h ^= h >> 33;
    h *= 0xff51afd7ed558ccdu;
    h ^= h >> 33;
    h *= 0xc4ceb9fe1a85ec53u;
    return h ^ (h >> 33);
}

/* Each key's length goes into the hash, so ("a","bc") and ("ab","c") differ. */
static uint64_t
hash_keys(const struct tally_slice *keys, uint32_t nkeys)
{
    uint64_t h = 0x243f6a8885a308d3u;
    for (uint32_t k = 0; k < nkeys; k++)
        h = tally_hash_bytes(keys[k].ptr, keys[k].len, h);
    return mix(h);
}

int
tally_group_table_new(struct tally_group_table **out, uint32_t nkeys, size_t acc_size)
{
    struct tally_group_table *t = tally_xcalloc(1, sizeof *t);
    t->nkeys = nkeys;
    t->stride = (acc_size + 7) & ~(size_t)7;
    t->cap = 64;
    t->slots = tally_xmalloc(t->cap * sizeof *t->slots);
    for (size_t i = 0; i < t->cap; i++)
        t->slots[i].id = EMPTY_SLOT;
    tally_arena_init(&t->arena, 0);
    *out = t;
    return TALLY_OK;
}

void
tally_group_table_free(struct tally_group_table *t)
{
    if (!t)
        return;
    free(t->slots);
    free(t->keys);
    free(t->hashes);
    free(t->acc);
    tally_arena_fini(&t->arena);
    free(t);
}

static void
grow_slots(struct tally_group_table *t)
{
    size_t cap = t->cap * 2;
    struct slot *s = tally_xmalloc(cap * sizeof *s);
    for (size_t i = 0; i < cap; i++)
        s[i].id = EMPTY_SLOT;
    for (uint32_t id = 0; id < t->n; id++) {
        size_t i = t->hashes[id] & (cap - 1);
        while (s[i].id != EMPTY_SLOT)
            i = (i + 1) & (cap - 1);
        s[i] = (struct slot){t->hashes[id], id};
    }
    free(t->slots);
    t->slots = s;
    t->cap = cap;
}

static bool
keys_eq(const struct tally_slice *a, const struct tally_slice *b, uint32_t n)
{
    for (uint32_t k = 0; k < n; k++)
        if (!tally_slice_eq(a[k], b[k]))
            return false;
    return true;
}

/* The slot holding these keys, or the free slot where they would go. */
static size_t
find_slot(const struct tally_group_table *t, const struct tally_slice *keys, uint64_t h)
{
    size_t mask = t->cap - 1, i = h & mask;
    for (;; i = (i + 1) & mask) {
        const struct slot *s = &t->slots[i];
        if (s->id == EMPTY_SLOT)
            return i;
        if (s->hash == h && keys_eq(&t->keys[(size_t)s->id * t->nkeys], keys, t->nkeys))
            return i;
    }
}

/* Adds a group with copies of keys at slot i; its accumulator is zeroed. */
static uint32_t
add_group(struct tally_group_table *t, size_t i, const struct tally_slice *keys, uint64_t h)
{
    if (t->n == EMPTY_SLOT - 1)
        tally_oom(); /* 4 billion groups: no room for their ids (memory runs out first) */
    uint32_t id = t->n;
    if (id == t->gcap) {
        size_t cap = t->gcap ? t->gcap * 2 : 16;
        t->keys = tally_xrealloc(t->keys, cap * (t->nkeys ? t->nkeys : 1) * sizeof *t->keys);
        t->hashes = tally_xrealloc(t->hashes, cap * sizeof *t->hashes);
        if (t->stride)
            t->acc = tally_xrealloc(t->acc, cap * t->stride);
        t->gcap = cap;
    }
    size_t total = 0;
    for (uint32_t k = 0; k < t->nkeys; k++)
        total += keys[k].len;
    char *p = total ? tally_arena_alloc(&t->arena, total) : NULL;
    struct tally_slice *dst = &t->keys[(size_t)id * t->nkeys];
    for (uint32_t k = 0; k < t->nkeys; k++) {
        if (keys[k].len) {
            memcpy(p, keys[k].ptr, keys[k].len);
            dst[k] = (struct tally_slice){p, keys[k].len};
            p += keys[k].len;
        } else {
            dst[k] = (struct tally_slice){empty_key, 0};
        }
    }
    t->hashes[id] = h;
    if (t->stride)
        memset(t->acc + (size_t)id * t->stride, 0, t->stride);
    t->slots[i] = (struct slot){h, id};
    t->n++;
    if ((size_t)t->n * 10 > t->cap * 7)
        grow_slots(t);
    return id;
}

uint32_t
tally_group_table_intern(struct tally_group_table *t, const struct tally_slice *keys, bool *is_new)
{
    uint64_t h = hash_keys(keys, t->nkeys);
    size_t i = find_slot(t, keys, h);
    if (t->slots[i].id != EMPTY_SLOT) {
        *is_new = false;
        return t->slots[i].id;
    }
    *is_new = true;
    return add_group(t, i, keys, h);
}

void *
tally_group_table_acc(struct tally_group_table *t, uint32_t id)
{
    if (!t->stride)
        return t->acc; /* no state: nothing to offset, and acc may be NULL */
    return t->acc + (size_t)id * t->stride;
}

const struct tally_slice *
tally_group_table_keys(const struct tally_group_table *t, uint32_t id)
{
    return t->nkeys ? &t->keys[(size_t)id * t->nkeys] : NULL;
}

uint32_t
tally_group_table_size(const struct tally_group_table *t)
{
    return t->n;
}

void
tally_group_table_merge(struct tally_group_table *dst, struct tally_group_table *src,
                        void (*merge)(void *ctx, void *dst_acc, void *src_acc), void *ctx)
{
    for (uint32_t sid = 0; sid < src->n; sid++) {
        const struct tally_slice *keys = &src->keys[(size_t)sid * src->nkeys];
        uint64_t h = src->hashes[sid];
        size_t i = find_slot(dst, keys, h);
        void *sacc = src->acc + (size_t)sid * src->stride;
        if (dst->slots[i].id != EMPTY_SLOT) {
            if (merge)
                merge(ctx, dst->acc + (size_t)dst->slots[i].id * dst->stride, sacc);
            continue;
        }
        uint32_t id = add_group(dst, i, keys, h);
        if (dst->stride)
            memcpy(dst->acc + (size_t)id * dst->stride, sacc, dst->stride);
    }
}

struct order_ctx {
    const struct tally_group_table *t;
    const struct tally_order_key *sk; /* nkeys per group, made once */
};

static int
cmp_groups(const struct order_ctx *c, uint32_t a, uint32_t b)
{
    uint32_t nk = c->t->nkeys;
    const struct tally_order_key *ka = &c->sk[(size_t)a * nk], *kb = &c->sk[(size_t)b * nk];
    for (uint32_t k = 0; k < nk; k++) {
        int r = tally_order_cmp(&ka[k], &kb[k]);
        if (r)
            return r;
    }
    return 0;
}

/* Stable merge sort of ids (qsort has no context argument in C11). */
static void
sort_ids(const struct order_ctx *c, uint32_t *v, uint32_t *tmp, size_t n)
{
    if (n < 2)
        return;
    if (n <= 16) {
        for (size_t i = 1; i < n; i++) {
            uint32_t x = v[i];
            size_t j = i;
            while (j > 0 && cmp_groups(c, v[j - 1], x) > 0) {
                v[j] = v[j - 1];
                j--;
            }
            v[j] = x;
        }
        return;
    }
    size_t h = n / 2;
    sort_ids(c, v, tmp, h);
    sort_ids(c, v + h, tmp, n - h);
    if (cmp_groups(c, v[h - 1], v[h]) <= 0)
        return;
    memcpy(tmp, v, h * sizeof *v);
    size_t i = 0, j = h, o = 0;
    while (i < h && j < n)
        v[o++] = cmp_groups(c, v[j], tmp[i]) < 0 ? v[j++] : tmp[i++];
    while (i < h)
        v[o++] = tmp[i++];
}

void
tally_group_table_order(const struct tally_group_table *t, uint32_t *order)
{
    for (uint32_t i = 0; i < t->n; i++)
        order[i] = i;
    if (t->n < 2 || t->nkeys == 0)
        return;
    size_t nk = t->nkeys, total = (size_t)t->n * nk;
    struct tally_order_key *sk = tally_xmalloc(total * sizeof *sk);
    for (size_t i = 0; i < total; i++)
        tally_order_key_text(t->keys[i], &sk[i]);
    uint32_t *tmp = tally_xmalloc(((size_t)t->n / 2 + 1) * sizeof *tmp);
    struct order_ctx c = {t, sk};
    sort_ids(&c, order, tmp, t->n);
    free(tmp);
    free(sk);
}
