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

/* The memory functions every PCRE2 object of tally is made with: malloc
 * through tally_try_malloc (so tests can make it fail), created once,
 * shared by all threads, never freed. */
pcre2_general_context *tally_pcre_gcontext(void);
/* A compile context with those memory functions and line feed as the
 * newline, so '.' and '$' do not depend on how the library was built.
 * Shared and read-only, never freed. */
pcre2_compile_context *tally_pcre_ccontext(void);
/* A match context with the limits set and, where PCRE2 has a JIT, a JIT
 * stack assigned to it (*jstack stays NULL otherwise). Out of memory ends
 * in tally_oom like tally_xmalloc. The caller frees both. */
void tally_pcre_limits(pcre2_match_context **mctx, pcre2_jit_stack **jstack);
/* Ends in tally_oom() when rc, from pcre2_compile (its error code) or
 * pcre2_match, says PCRE2 ran out of memory; returns otherwise. */
void tally_pcre_check_memory(int rc);
/* "match limit", "depth limit", ... for a pcre2_match result that hit a
 * limit; NULL for any other result. */
const char *tally_pcre_limit_name(int rc);

#endif
