/* Bump arena: many small allocations freed together. Blocks never move, so
 * pointers stay valid until tally_arena_reset/fini. */
#ifndef TALLY_ARENA_H
#define TALLY_ARENA_H

#include <stddef.h>

struct tally_arena_block;

struct tally_arena {
    struct tally_arena_block *head;
    size_t block_size; /* size of the next ordinary block */
    size_t used;       /* bytes handed out, for reporting */
};

void tally_arena_init(struct tally_arena *a, size_t block_size);
/* 8-byte aligned, never NULL (aborts on OOM like tally_xmalloc). */
void *tally_arena_alloc(struct tally_arena *a, size_t n);
/* Copies n bytes and adds a NUL after them. */
char *tally_arena_strndup(struct tally_arena *a, const char *s, size_t n);
void tally_arena_reset(struct tally_arena *a); /* frees all blocks but the first */
void tally_arena_fini(struct tally_arena *a);

#endif
