/* The partial-state format (partial.h): headers that name the query, lines
 * that carry a group's keys and encoded states, and the trailer that counts
 * them, so that a partial cut short is found out. */
#include "tally/partial.h"

#include <inttypes.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>

#include "tally/status.h"
#include "tally/tsvparse.h"
#include "tally/xalloc.h"

#define FLUSH_AT (1u << 20)

static const char *const recorded[] = {"output", "sort", "limit", "no-header-out", "precision"};

static void
put_bytes(void *b, const char *p, size_t n)
{
    tally_buf_put(b, p, n);
}

void
tally_partial_escape(struct tally_buf *b, const char *s, size_t n)
{
    tally_tsv_escape(s, n, put_bytes, b);
}

bool
tally_partial_unescape(char *s, size_t *n)
{
    size_t o = 0;
    for (size_t i = 0; i < *n; i++) {
        if (s[i] != '\\') {
            s[o++] = s[i];
            continue;
        }
        if (++i == *n)
            return false;
        char c = s[i];
        if (c == 't')
            s[o++] = '\t';
        else if (c == 'n')
            s[o++] = '\n';
        else if (c == 'r')
            s[o++] = '\r';
        else if (c == '\\')
            s[o++] = '\\';
        else
            return false;
    }
    *n = o;
    return true;
}

static uint64_t
fnv64(uint64_t h, const char *s, size_t n)
{
    for (size_t i = 0; i < n; i++) {
        h ^= (unsigned char)s[i];
        h *= 0x100000001b3ull;
    }
    return h;
}

uint32_t
tally_partial_check(const char *s, size_t n)
{
    uint32_t h = 0x811c9dc5u;
    for (size_t i = 0; i < n; i++) {
        h ^= (unsigned char)s[i];
        h *= 0x01000193u;
    }
    return h;
}

static void
field_add(struct tally_pfield **f, uint32_t *n, const char *name, const char *v, size_t vlen)
{
    *f = tally_xrealloc(*f, (*n + 1) * sizeof **f);
    (*f)[*n] = (struct tally_pfield){tally_xstrdup(name), tally_xstrndup(v, vlen), vlen};
    (*n)++;
}

static void
fields_free(struct tally_pfield **f, uint32_t *n)
{
    for (uint32_t i = 0; i < *n; i++) {
        free((*f)[i].name);
        free((*f)[i].value);
    }
    free(*f);
    *f = NULL;
    *n = 0;
}

static void
rec_add(struct tally_pquery *q, const char *name, const char *v)
{
    field_add(&q->rec, &q->nrec, name, v, strlen(v));
}

void
tally_pquery_record(struct tally_pquery *q, const struct tally_opts *o)
{
    char num[32];
    if (o->output_set)
        rec_add(q, "output", tally_format_name(o->output));
    if (o->sort)
        rec_add(q, "sort", o->sort);
    if (o->limit >= 0) {
        snprintf(num, sizeof num, "%" PRId64, o->limit);
        rec_add(q, "limit", num);
    }
    if (o->no_header_out)
        rec_add(q, "no-header-out", "yes");
    if (o->precision > 0) {
        snprintf(num, sizeof num, "%d", o->precision);
        rec_add(q, "precision", num);
    }
}

static void
query_add(struct tally_pquery *q, const char *name, const char *v)
{
    field_add(&q->query, &q->nquery, name, v, strlen(v));
}

static uint64_t
query_hash(const struct tally_pquery *q)
{
    uint64_t h = 0xcbf29ce484222325ull;
    for (uint32_t i = 0; i < q->nquery; i++) {
        h = fnv64(h, q->query[i].name, strlen(q->query[i].name) + 1);
        h = fnv64(h, q->query[i].value, q->query[i].vlen + 1);
    }
    return h;
}

void
tally_pquery_set_plan(struct tally_pquery *q, const struct tally_plan *p)
{
    fields_free(&q->query, &q->nquery);
    if (p->format == TALLY_IN_LOG) {
        size_t n = strlen(p->log ? p->log : "") + 5;
        char *v = tally_xmalloc(n);
        snprintf(v, n, "log:%s", p->log ? p->log : "");
        query_add(q, "input", v);
        free(v);
    } else {
        query_add(q, "input", p->format == TALLY_IN_TSV ? "tsv" : "csv");
        if (p->format == TALLY_IN_CSV)
            field_add(&q->query, &q->nquery, "delim", &p->delim, 1);
        query_add(q, "header", p->header_in ? "yes" : "no");
    }
    for (uint32_t i = 0; i < p->nexprs; i++)
        query_add(q, "where", p->where_text[i]);
    for (uint32_t i = 0; i < p->nkeys; i++)
        query_add(q, "key", p->keys[i].label);
    for (uint32_t i = 0; i < p->naggs; i++) {
        query_add(q, "agg", p->aggs[i].func);
        if (p->aggs[i].has_col)
            field_add(&q->query, &q->nquery, "of", p->aggs[i].col.name, p->aggs[i].col.len);
        query_add(q, "as", p->aggs[i].label);
    }
    q->qid = query_hash(q);
}

static bool
is_recorded(const char *name, size_t n)
{
    for (size_t i = 0; i < sizeof recorded / sizeof recorded[0]; i++)
        if (strlen(recorded[i]) == n && memcmp(recorded[i], name, n) == 0)
            return true;
    return false;
}

bool
tally_partial_hex(const char *s, size_t n, size_t digits, uint64_t *out)
{
    if (n != digits)
        return false;
    uint64_t v = 0;
    for (size_t i = 0; i < n; i++) {
        int c = (unsigned char)s[i];
        int x = c >= '0' && c <= '9' ? c - '0' : c >= 'a' && c <= 'f' ? c - 'a' + 10 : -1;
        if (x < 0)
            return false;
        v = v << 4 | (uint64_t)x;
    }
    *out = v;
    return true;
}

/* One name=value field of a header into q. */
static bool
parse_field(struct tally_pquery *q, const char *s, size_t n)
{
    const char *eq = memchr(s, '=', n);
    if (!eq || eq == s)
        return false;
    size_t nlen = (size_t)(eq - s), vlen = n - nlen - 1;
    char *name = tally_xstrndup(s, nlen);
    char *v = tally_xstrndup(eq + 1, vlen);
    bool ok = tally_partial_unescape(v, &vlen);
    if (ok && is_recorded(s, nlen))
        field_add(&q->rec, &q->nrec, name, v, vlen);
    else if (ok)
        field_add(&q->query, &q->nquery, name, v, vlen);
    free(name);
    free(v);
    return ok;
}

int
tally_pquery_parse(struct tally_pquery *q, const char *line, size_t len,
                   const struct tally_loc *loc, struct tally_diag *d)
{
    memset(q, 0, sizeof *q);
    size_t i = 0, nf = 0;
    uint64_t qid = 0;
    while (i <= len) {
        const char *tab = memchr(line + i, '\t', len - i);
        size_t e = tab ? (size_t)(tab - line) : len;
        const char *f = line + i;
        size_t n = e - i;
        if (nf == 1 && !(n == 1 && f[0] == '1'))
            return tally_diag_fail(d, loc, "partial format version \"%.*s\": this tally reads %s",
                                   (int)(n > 20 ? 20 : n), f, TALLY_PARTIAL_VERSION);
        if (nf == 2 && !tally_partial_hex(f, n, 16, &qid))
            break;
        if (nf >= 3 && !parse_field(q, f, n))
            return tally_diag_fail(d, loc, "corrupted partial header (field %zu)", nf + 1);
        nf++;
        i = e + 1;
    }
    if (nf < 3 || query_hash(q) != qid)
        return tally_diag_fail(d, loc,
                               "corrupted partial header (its query does not match "
                               "its id)");
    q->qid = qid;
    return TALLY_OK;
}

static void
describe(const struct tally_pfield *f, char *buf, size_t size)
{
    if (!f)
        snprintf(buf, size, "nothing");
    else
        snprintf(buf, size, "%s \"%.*s\"", f->name, (int)(f->vlen > 200 ? 200 : f->vlen), f->value);
}

bool
tally_pquery_diff(const struct tally_pquery *a, const struct tally_pquery *b, char *buf,
                  size_t size)
{
    uint32_t n = a->nquery > b->nquery ? a->nquery : b->nquery;
    for (uint32_t i = 0; i < n; i++) {
        const struct tally_pfield *fa = i < a->nquery ? &a->query[i] : NULL;
        const struct tally_pfield *fb = i < b->nquery ? &b->query[i] : NULL;
        if (fa && fb && strcmp(fa->name, fb->name) == 0 && fa->vlen == fb->vlen &&
            memcmp(fa->value, fb->value, fa->vlen) == 0)
            continue;
        char da[256], db[256];
        describe(fa, da, sizeof da);
        describe(fb, db, sizeof db);
        snprintf(buf, size, "%s vs %s", da, db);
        return true;
    }
    return false;
}

const char *
tally_pquery_rec(const struct tally_pquery *q, const char *name)
{
    for (uint32_t i = 0; i < q->nrec; i++)
        if (strcmp(q->rec[i].name, name) == 0)
            return q->rec[i].value;
    return NULL;
}

void
tally_pquery_fini(struct tally_pquery *q)
{
    fields_free(&q->query, &q->nquery);
    fields_free(&q->rec, &q->nrec);
}

static void
put_fields(struct tally_buf *b, const struct tally_pfield *f, uint32_t n)
{
    for (uint32_t i = 0; i < n; i++) {
        tally_buf_putc(b, '\t');
        tally_buf_puts(b, f[i].name);
        tally_buf_putc(b, '=');
        tally_partial_escape(b, f[i].value, f[i].vlen);
    }
}

static int
flush_buf(struct tally_writer *w, struct tally_buf *b, struct tally_diag *d)
{
    int rc = tally_output_bytes(w, b->p, b->len, d);
    tally_buf_reset(b);
    return rc;
}

/* One group's line: qid, keys, states, check. */
static void
put_group(struct tally_buf *b, const struct tally_pquery *q, const struct tally_plan *p,
          struct tally_group_table *t, uint32_t g, uint64_t origin)
{
    size_t start = b->len;
    tally_buf_printf(b, "%016" PRIx64, q->qid);
    const struct tally_slice *keys = tally_group_table_keys(t, g);
    for (uint32_t k = 0; k < p->nkeys; k++) {
        tally_buf_putc(b, '\t');
        tally_partial_escape(b, keys[k].ptr, keys[k].len);
    }
    const char *acc = tally_group_table_acc(t, g);
    for (uint32_t i = 0; i < p->naggs; i++) {
        tally_buf_putc(b, '\t');
        p->aggs[i].op->encode(acc + p->aggs[i].offset, origin, b);
    }
    tally_buf_printf(b, "\t%08" PRIx32 "\n", tally_partial_check(b->p + start, b->len - start));
}

int
tally_partial_write(struct tally_writer *w, const struct tally_pquery *q,
                    const struct tally_plan *p, struct tally_group_table *t, uint64_t origin,
                    struct tally_diag *d)
{
    struct tally_buf b = {0};
    tally_buf_printf(&b, "%s\t%s\t%016" PRIx64, TALLY_PARTIAL_MAGIC, TALLY_PARTIAL_VERSION, q->qid);
    put_fields(&b, q->query, q->nquery);
    put_fields(&b, q->rec, q->nrec);
    tally_buf_putc(&b, '\n');
    int rc = TALLY_OK;
    uint32_t n = tally_group_table_size(t);
    for (uint32_t g = 0; g < n && rc == TALLY_OK; g++) {
        put_group(&b, q, p, t, g, origin);
        if (b.len >= FLUSH_AT)
            rc = flush_buf(w, &b, d);
    }
    tally_buf_printf(&b, "%s\t%016" PRIx64 "\t%016" PRIx64 "\t%" PRIu32 "\n", TALLY_PARTIAL_END,
                     q->qid, origin, n);
    if (rc == TALLY_OK)
        rc = flush_buf(w, &b, d);
    if (rc == TALLY_OK)
        rc = tally_output_flush(w, d);
    tally_buf_free(&b);
    return rc;
}
