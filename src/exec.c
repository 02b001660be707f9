/* Execution choices: the options the user gave, and for the rest what the
 * terminal, the environment and the machine say. */
#include "tally/exec.h"

#include <stdlib.h>
#include <string.h>
#include <unistd.h>

#include "tally/term.h"

static bool
utf8_locale(void)
{
    const char *vars[] = {"LC_ALL", "LC_CTYPE", "LANG"};
    for (size_t i = 0; i < 3; i++) {
        const char *v = getenv(vars[i]);
        if (v && *v)
            return strstr(v, "UTF-8") || strstr(v, "utf8") || strstr(v, "UTF8") ||
                   strstr(v, "utf-8");
    }
    return false;
}

static int
cores(void)
{
    long n = sysconf(_SC_NPROCESSORS_ONLN);
    return n > 1 ? (int)(n > 256 ? 256 : n) : 1;
}

/* The value of mapreduce_map_input_start when it is a decimal number that
 * fits, else 0. */
static uint64_t
env_origin(void)
{
    const char *v = getenv("mapreduce_map_input_start");
    if (!v || !*v)
        return 0;
    uint64_t n = 0;
    for (const char *p = v; *p; p++) {
        if (*p < '0' || *p > '9' || n > (UINT64_MAX - (uint64_t)(*p - '0')) / 10)
            return 0;
        n = n * 10 + (uint64_t)(*p - '0');
    }
    return n;
}

void
tally_exec_init(struct tally_exec *e, const struct tally_opts *o, int out_fd)
{
    bool tty = isatty(out_fd);
    e->output = o->output_set ? o->output : tty ? TALLY_FMT_TABLE : TALLY_FMT_CSV;
    const char *no_color = getenv("NO_COLOR");
    const char *term = getenv("TERM");
    bool dumb = term && strcmp(term, "dumb") == 0;
    e->out_opts.header = !o->no_header_out;
    e->out_opts.precision = o->precision;
    e->out_opts.color = tty && !(no_color && *no_color) && !dumb;
    e->out_opts.width = tally_term_width(out_fd);
    e->out_opts.ascii = dumb || !utf8_locale();
    e->threads = o->threads > 0 ? o->threads : cores();
    e->progress = o->progress;
    e->partial = NULL;
    e->shard_k = o->shard_k;
    e->shard_n = o->shard_n;
    e->origin = env_origin();
}
