/* libFuzzer harness for the state text of the aggregates (ops.h decode,
 * codec.h). The first byte picks an op (modulo the list below), the rest is
 * the text. A text that decodes must be the op's own encoding of what it
 * decoded to (encode gives it back, byte for byte), decode again, merge
 * with the first copy and finish; one that does not must leave a state
 * fini frees. ASan and UBSan watch every step; LeakSanitizer the frees. */
#include <stdbool.h>
#include <stddef.h>
#include <stdint.h>
#include <stdlib.h>
#include <string.h>

#include "tally/buf.h"
#include "tally/ops.h"

int LLVMFuzzerTestOneInput(const uint8_t *data, size_t size);

static const char *const names[] = {"count",    "count:", "sum",    "min", "max",   "mean",
                                    "stddev",   "var",    "median", "p0",  "p37.5", "p100",
                                    "distinct", "first",  "last",   "mode"};

static void *
new_state(const struct tally_op *op)
{
    void *st = malloc(op->state_size);
    if (!st)
        abort();
    memset(st, 0xa5, op->state_size);
    op->init(st);
    return st;
}

static void
free_state(const struct tally_op *op, void *st)
{
    if (op->fini)
        op->fini(st);
    free(st);
}

int
LLVMFuzzerTestOneInput(const uint8_t *data, size_t size)
{
    if (size == 0)
        return 0;
    const char *name = names[data[0] % (sizeof names / sizeof names[0])];
    struct tally_op_param param = {0};
    const struct tally_op *op = strcmp(name, "count:") == 0
                                    ? tally_op_count_col()
                                    : tally_op_find(name, strlen(name), &param, NULL);
    if (!op || !op->encode || !op->decode)
        abort();
    /* The text in a block of its own, so that a read past it is caught. */
    size_t len = size - 1;
    char *text = malloc(len ? len : 1);
    if (!text)
        abort();
    memcpy(text, data + 1, len);
    void *a = new_state(op);
    if (op->decode(a, text, len)) {
        struct tally_buf again = {0};
        op->encode(a, 0, &again);
        if (again.len != len || memcmp(again.p, text, len) != 0)
            abort(); /* decode took a text that is not the encoding */
        for (size_t i = 0; i < again.len; i++)
            if ((unsigned char)again.p[i] < 0x21 || (unsigned char)again.p[i] > 0x7e)
                abort();
        void *b = new_state(op);
        if (!op->decode(b, again.p, again.len))
            abort();
        struct tally_value v;
        op->final(a, &param, &v);
        op->final(b, &param, &v);
        op->merge(b, a);
        op->final(b, &param, &v);
        /* A merged state encodes, and decodes unless the merge took a count
         * past 2^63 - 1 (decode's limit; no input has that many rows). */
        tally_buf_reset(&again);
        op->encode(b, 0, &again);
        void *c = new_state(op);
        if (op->decode(c, again.p, again.len))
            op->final(c, &param, &v);
        free_state(op, c);
        free_state(op, b);
        tally_buf_free(&again);
    }
    free_state(op, a);
    free(text);
    return 0;
}
