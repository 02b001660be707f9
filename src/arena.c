/* Bump arena: blocks chained newest-first; an allocation larger than the
 * block size gets a block of its own, so blocks never move. */
#include "tally/arena.h"

#include <stdint.h>
#include <stdlib.h>
#include <string.h>

#include "tally/xalloc.h"

struct tally_arena_block {
    struct tally_arena_block *next;
    size_t cap;
    size_t off;
    _Alignas(8) unsigned char data[];
};

void
tally_arena_init(struct tally_arena *a, size_t block_size)
{
    a->head = NULL;
    a->block_size = block_size ? block_size : 64 * 1024;
    a->used = 0;
}

void *
tally_arena_alloc(struct tally_arena *a, size_t n)
{
    n = (n + 7) & ~(size_t)7;
    struct tally_arena_block *b = a->head;
    if (!b || b->cap - b->off < n) {
        size_t cap = n > a->block_size ? n : a->block_size;
        b = tally_xmalloc(sizeof *b + cap);
        b->cap = cap;
        b->off = 0;
        b->next = a->head;
        a->head = b;
        if (a->block_size < (1u << 24))
            a->block_size *= 2;
    }
    void *p = b->data + b->off;
    b->off += n;
    a->used += n;
    return p;
}

char *
tally_arena_strndup(struct tally_arena *a, const char *s, size_t n)
{
    char *p = tally_arena_alloc(a, n + 1);
    if (n)
        memcpy(p, s, n);
    p[n] = '\0';
    return p;
}

void
tally_arena_reset(struct tally_arena *a)
{
    struct tally_arena_block *b = a->head;
    if (!b)
        return;
    while (b->next) {
        struct tally_arena_block *next = b->next;
        free(b);
        b = next;
    }
    b->off = 0;
    a->head = b;
    a->used = 0;
}

void
tally_arena_fini(struct tally_arena *a)
{
    struct tally_arena_block *b = a->head;
    while (b) {
        struct tally_arena_block *next = b->next;
        free(b);
        b = next;
    }
    a->head = NULL;
    a->used = 0;
}
