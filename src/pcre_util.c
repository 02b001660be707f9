/* PCRE2 limits shared by every pattern tally runs (see pcre_int.h). */
#include "pcre_int.h"

#include <pthread.h>
#include <stdint.h>
#include <stdlib.h>

#include "tally/xalloc.h"

static pcre2_general_context *gcontext;
static pcre2_compile_context *ccontext;
static pthread_once_t contexts_once = PTHREAD_ONCE_INIT;

static void *
pcre_malloc(PCRE2_SIZE n, void *data)
{
    (void)data;
    return tally_try_malloc(n);
}

static void
pcre_free(void *p, void *data)
{
    (void)data;
    free(p);
}

static void
make_contexts(void)
{
    gcontext = tally_xcheck(pcre2_general_context_create(pcre_malloc, pcre_free, NULL));
    ccontext = tally_xcheck(pcre2_compile_context_create(gcontext));
    pcre2_set_newline(ccontext, PCRE2_NEWLINE_LF);
}

pcre2_general_context *
tally_pcre_gcontext(void)
{
    pthread_once(&contexts_once, make_contexts);
    return gcontext;
}

pcre2_compile_context *
tally_pcre_ccontext(void)
{
    pthread_once(&contexts_once, make_contexts);
    return ccontext;
}

void
tally_pcre_check_memory(int rc)
{
    if (rc == PCRE2_ERROR_NOMEMORY || rc == PCRE2_ERROR_HEAP_FAILED)
        tally_oom();
}

void
tally_pcre_limits(pcre2_match_context **mctx, pcre2_jit_stack **jstack)
{
    *mctx = tally_xcheck(pcre2_match_context_create(tally_pcre_gcontext()));
    *jstack = NULL;
    pcre2_set_match_limit(*mctx, TALLY_PCRE_MATCH_LIMIT);
    pcre2_set_depth_limit(*mctx, TALLY_PCRE_DEPTH_LIMIT);
    uint32_t jit = 0;
    if (pcre2_config(PCRE2_CONFIG_JIT, &jit) >= 0 && jit) {
        /* Without one (out of memory), PCRE2 uses its small default stack,
         * and a pattern that needs more reports the JIT stack limit. */
        *jstack = pcre2_jit_stack_create(TALLY_PCRE_JIT_STACK_MIN, TALLY_PCRE_JIT_STACK_MAX,
                                         tally_pcre_gcontext());
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
