/* Choosing the sink for the plan's mode. */
#include "tally/sink.h"

int
tally_sink_open(struct tally_sink *s, const struct tally_sink_conf *c, struct tally_diag *d)
{
    s->ops = c->plan->mode == TALLY_MODE_AGG ? &tally_sink_agg : &tally_sink_rows;
    return s->ops->open(&s->state, c, d);
}

void
tally_sink_close(struct tally_sink *s)
{
    if (s->ops)
        s->ops->free(s->state);
    s->ops = NULL;
    s->state = NULL;
}
