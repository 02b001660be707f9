/* The table of input sources and what every source shares: choosing one
 * by format, cloning it for a thread, and making the header to bind from
 * its first row or its fixed column list. */
#include "tally/source.h"

#include <string.h>

#include "tally/status.h"
#include "tally/xalloc.h"

/* One line per input kind; a new kind is a new src/src_<kind>.c and a line here. */
static const struct tally_source_ops *const sources[] = {
    &tally_source_csv,
    &tally_source_tsv,
    &tally_source_log,
};

int
tally_source_open(struct tally_source *s, const struct tally_source_conf *c, struct tally_diag *d)
{
    memset(s, 0, sizeof *s);
    for (size_t i = 0; i < sizeof sources / sizeof *sources; i++)
        if (sources[i]->format == c->format)
            s->ops = sources[i];
    if (!s->ops)
        return tally_diag_usage(d, "no reader for this input format");
    s->header = s->ops->fixed_header ? TALLY_HEADER_FIXED
                : c->header_in       ? TALLY_HEADER_FIRST_ROW
                                     : TALLY_HEADER_NONE;
    return s->ops->open(&s->state, c, d);
}

void
tally_source_clone(struct tally_source *to, const struct tally_source *s)
{
    *to = *s;
    to->state = s->ops->clone(s->state);
}

const struct tally_skipstat *
tally_source_mended(const struct tally_source *s)
{
    static const struct tally_skipstat none;
    return s->ops->mended ? s->ops->mended(s->state) : &none;
}

void
tally_source_close(struct tally_source *s)
{
    if (s->ops && s->state)
        s->ops->free(s->state);
    s->state = NULL;
}

void
tally_source_header(const struct tally_source *s, const struct tally_row *first,
                    struct tally_header *h)
{
    if (s->header != TALLY_HEADER_FIXED && first) {
        if (s->header == TALLY_HEADER_FIRST_ROW)
            tally_header_init(h, first);
        else
            tally_header_init_numbered(h, first->nfields);
        return;
    }
    const struct tally_header *fh = s->ops->header(s->state);
    h->n = fh->n;
    h->names = tally_xcalloc(h->n ? h->n : 1, sizeof *h->names);
    h->lens = tally_xcalloc(h->n ? h->n : 1, sizeof *h->lens);
    for (uint32_t i = 0; i < h->n; i++) {
        h->names[i] = tally_xstrndup(fh->names[i], fh->lens[i]);
        h->lens[i] = fh->lens[i];
    }
}
