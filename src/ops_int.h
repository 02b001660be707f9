/* Ops of text values (first, last, distinct, mode): private to ops.c and
 * ops_text.c, which holds them. Their states own memory; fini frees it. */
#ifndef TALLY_OPS_INT_H
#define TALLY_OPS_INT_H

#include <stddef.h>
#include <stdint.h>

#include "tally/ops.h"

/* first and last: an owned copy of the bytes. */
struct tally_text_st {
    char *buf;
    size_t len, cap;
    uint64_t has;
};

/* distinct and mode: a map of owned strings to counts, in first-seen order
 * (entries), indexed by an open-addressing table of entry numbers. */
struct tally_sm_ent {
    uint64_t hash;
    size_t off, len;
    uint64_t count;
};

struct tally_strmap {
    char *bytes;
    size_t blen, bcap;
    struct tally_sm_ent *ent;
    size_t n, ecap;
    uint32_t *idx; /* entry number + 1; 0 is an empty slot */
    size_t icap;   /* a power of two, or 0 */
};

void tally_text_init(void *st);
void tally_first_update(void *st, const struct tally_cell *c);
void tally_last_update(void *st, const struct tally_cell *c);
void tally_first_merge(void *dst, void *src);
void tally_last_merge(void *dst, void *src);
void tally_text_final(void *st, const struct tally_op_param *param, struct tally_value *out);
void tally_text_fini(void *st);
void tally_sm_init(void *st);
void tally_sm_update(void *st, const struct tally_cell *c);
void tally_sm_merge(void *dst, void *src);
void tally_distinct_final(void *st, const struct tally_op_param *param, struct tally_value *out);
void tally_mode_final(void *st, const struct tally_op_param *param, struct tally_value *out);
void tally_sm_fini(void *st);

#endif
