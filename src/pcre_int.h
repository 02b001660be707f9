/* PCRE2 settings shared by the filter (expr_*.c) and the log parser: the
 * match and depth limits that turn a catastrophic pattern into a located
 * error instead of a hang, and the JIT stack. Private to src/. */
#ifndef TALLY_PCRE_INT_H
#define TALLY_PCRE_INT_H

#define PCRE2_CODE_UNIT_WIDTH 8
#include <pcre2.h>

#define TALLY_PCRE_MATCH_LIMIT 10000000u
#define TALLY_PCRE_DEPTH_LIMIT 100000u
#define TALLY_PCRE_JIT_STACK_MIN ((size_t)32 * 1024)
#define TALLY_PCRE_JIT_STACK_MAX ((size_t)8 * 1024 * 1024)

/* A match context with the limits set and, where PCRE2 has a JIT, a JIT
 * stack assigned to it (*jstack stays NULL otherwise). Aborts on OOM like
 * tally_xmalloc. The caller frees both. */
void tally_pcre_limits(pcre2_match_context **mctx, pcre2_jit_stack **jstack);
/* "match limit", "depth limit", ... for a pcre2_match result that hit a
 * limit; NULL for any other result. */
const char *tally_pcre_limit_name(int rc);

#endif
