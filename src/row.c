/* Headers (column names, lookup by name or number, the closest-name
 * suggestion) and the count of skipped malformed rows. */
#include "tally/row.h"

#include <stdio.h>
#include <stdlib.h>
#include <string.h>

#include "tally/xalloc.h"

void
tally_header_init(struct tally_header *h, const struct tally_row *row)
{
    h->n = row->nfields;
    h->names = tally_xcalloc(h->n ? h->n : 1, sizeof *h->names);
    h->lens = tally_xcalloc(h->n ? h->n : 1, sizeof *h->lens);
    for (uint32_t i = 0; i < h->n; i++) {
        h->names[i] = tally_xstrndup(row->fields[i].ptr, row->fields[i].len);
        h->lens[i] = row->fields[i].len;
    }
}

void
tally_header_init_numbered(struct tally_header *h, uint32_t n)
{
    h->n = n;
    h->names = tally_xcalloc(n ? n : 1, sizeof *h->names);
    h->lens = tally_xcalloc(n ? n : 1, sizeof *h->lens);
    for (uint32_t i = 0; i < n; i++) {
        char buf[16];
        int len = snprintf(buf, sizeof buf, "%u", i + 1);
        h->names[i] = tally_xstrndup(buf, (size_t)len);
        h->lens[i] = (size_t)len;
    }
}

void
tally_header_fini(struct tally_header *h)
{
    for (uint32_t i = 0; i < h->n; i++)
        free(h->names[i]);
    free(h->names);
    free(h->lens);
    h->names = NULL;
    h->lens = NULL;
    h->n = 0;
}

bool
tally_header_equal(const struct tally_header *a, const struct tally_header *b)
{
    if (a->n != b->n)
        return false;
    for (uint32_t i = 0; i < a->n; i++)
        if (a->lens[i] != b->lens[i] || memcmp(a->names[i], b->names[i], a->lens[i]) != 0)
            return false;
    return true;
}

static int64_t
parse_index(const char *s, size_t len)
{
    if (len == 0 || len > 9)
        return -1;
    int64_t v = 0;
    for (size_t i = 0; i < len; i++) {
        if (s[i] < '0' || s[i] > '9')
            return -1;
        v = v * 10 + (s[i] - '0');
    }
    return v;
}

int64_t
tally_header_find(const struct tally_header *h, const char *name, size_t len)
{
    for (uint32_t i = 0; i < h->n; i++)
        if (h->lens[i] == len && memcmp(h->names[i], name, len) == 0)
            return i;
    if (len > 1 && name[0] == '$') {
        name++;
        len--;
    }
    int64_t v = parse_index(name, len);
    if (v >= 1 && v <= (int64_t)h->n)
        return v - 1;
    return -1;
}

/* Edit distance, case-insensitive for ASCII letters; capped rows keep it
 * cheap on long names. */
static size_t
distance(const char *a, size_t la, const char *b, size_t lb)
{
    if (la > 64)
        la = 64;
    if (lb > 64)
        lb = 64;
    size_t prev[65], cur[65];
    for (size_t j = 0; j <= lb; j++)
        prev[j] = j;
    for (size_t i = 1; i <= la; i++) {
        cur[0] = i;
        for (size_t j = 1; j <= lb; j++) {
            char ca = a[i - 1], cb = b[j - 1];
            if (ca >= 'A' && ca <= 'Z')
                ca = (char)(ca - 'A' + 'a');
            if (cb >= 'A' && cb <= 'Z')
                cb = (char)(cb - 'A' + 'a');
            size_t best = prev[j - 1] + (ca != cb);
            if (prev[j] + 1 < best)
                best = prev[j] + 1;
            if (cur[j - 1] + 1 < best)
                best = cur[j - 1] + 1;
            cur[j] = best;
        }
        memcpy(prev, cur, (lb + 1) * sizeof prev[0]);
    }
    return prev[lb];
}

const char *
tally_header_suggest(const struct tally_header *h, const char *name, size_t len)
{
    const char *best = NULL;
    size_t best_d = (size_t)-1;
    for (uint32_t i = 0; i < h->n; i++) {
        size_t dd = distance(name, len, h->names[i], h->lens[i]);
        if (dd < best_d) {
            best_d = dd;
            best = h->names[i];
        }
    }
    return best;
}

void
tally_skipstat_add(struct tally_skipstat *s, const char *file, uint64_t line, uint64_t col,
                   const char *why)
{
    if (s->count++ == 0) {
        snprintf(s->first_file, sizeof s->first_file, "%s", file ? file : "<stdin>");
        s->first_line = line;
        s->first_col = col;
        snprintf(s->first_why, sizeof s->first_why, "%s", why);
    }
}
