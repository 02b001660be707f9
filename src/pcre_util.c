/* PCRE2 limits shared by every pattern tally runs (see pcre_int.h). */
#include "pcre_int.h"

#include <stdlib.h>
#include <stdint.h>

void
tally_pcre_limits(pcre2_match_context **mctx, pcre2_jit_stack **jstack)
{
    *mctx = pcre2_match_context_create(NULL);
    *jstack = NULL;
    if (!*mctx)
        abort();
    pcre2_set_match_limit(*mctx, TALLY_PCRE_MATCH_LIMIT);
    pcre2_set_depth_limit(*mctx, TALLY_PCRE_DEPTH_LIMIT);
    uint32_t jit = 0;
    if (pcre2_config(PCRE2_CONFIG_JIT, &jit) >= 0 && jit) {
        *jstack = pcre2_jit_stack_create(TALLY_PCRE_JIT_STACK_MIN, TALLY_PCRE_JIT_STACK_MAX, NULL);
        if (*jstack)
            pcre2_jit_stack_assign(*mctx, NULL, *jstack);
    }
}

const char *
tally_pcre_limit_name(int rc)
{
    switch (rc) {
    case PCRE2_ERROR_MATCHLIMIT:
        return "match limit";
    case PCRE2_ERROR_DEPTHLIMIT:
        return "depth limit";
    case PCRE2_ERROR_HEAPLIMIT:
        return "heap limit";
    case PCRE2_ERROR_JIT_STACKLIMIT:
        return "JIT stack limit";
    default:
        return NULL;
    }
}
