/* Options -> plan: splits the column, key, aggregate and sort lists, looks
 * up aggregates, compiles filters, picks the output; then binds every
 * column to the header once it is known. */
#include "tally/plan.h"

#include <stdio.h>
#include <stdlib.h>
#include <string.h>

#include "tally/status.h"
#include "tally/tstamp.h"
#include "tally/xalloc.h"

/* One item of a comma-separated list, spaces around it removed. */
struct item {
    const char *p;
    size_t len;
};

/* Splits on commas outside backticks and parentheses. Returns the count;
 * *items is malloc'ed. */
static size_t
split_list(const char *s, struct item **items)
{
    size_t n = 0, cap = 0;
    *items = NULL;
    const char *start = s;
    int depth = 0;
    bool tick = false;
    for (const char *p = s;; p++) {
        if (*p == '`')
            tick = !tick;
        else if (!tick && *p == '(')
            depth++;
        else if (!tick && *p == ')' && depth > 0)
            depth--;
        if (*p == '\0' || (*p == ',' && !tick && depth == 0)) {
            const char *a = start, *b = p;
            while (a < b && (*a == ' ' || *a == '\t'))
                a++;
            while (b > a && (b[-1] == ' ' || b[-1] == '\t'))
                b--;
            tally_xgrow((void **)items, &cap, n + 1, sizeof **items);
            (*items)[n++] = (struct item){a, (size_t)(b - a)};
            if (*p == '\0')
                break;
            start = p + 1;
        }
    }
    return n;
}

/* Reads a column reference at the start of it: a backticked name (`` is a
 * backtick) or a bare name running up to one of the stop bytes. Sets *used
 * to the bytes consumed. Returns false on an unterminated backtick. */
static bool
read_colref(struct item it, const char *stops, struct tally_colref *c, size_t *used, bool *ticked)
{
    c->index = -1;
    *ticked = false;
    if (it.len && it.p[0] == '`') {
        char *buf = tally_xmalloc(it.len);
        size_t n = 0, i = 1;
        for (; i < it.len; i++) {
            if (it.p[i] == '`') {
                if (i + 1 < it.len && it.p[i + 1] == '`') {
                    buf[n++] = '`';
                    i++;
                    continue;
                }
                break;
            }
            buf[n++] = it.p[i];
        }
        if (i >= it.len) {
            free(buf);
            return false;
        }
        buf[n] = '\0';
        c->name = buf;
        c->len = n;
        *used = i + 1;
        *ticked = true;
        return true;
    }
    size_t i = 0;
    while (i < it.len && !strchr(stops, it.p[i]))
        i++;
    c->name = tally_xstrndup(it.p, i);
    c->len = i;
    *used = i;
    return true;
}

static void
colref_fini(struct tally_colref *c)
{
    free(c->name);
    c->name = NULL;
}

static char *
item_dup(struct item it)
{
    return tally_xstrndup(it.p, it.len);
}

static int
parse_select(struct tally_plan *p, const char *text, struct tally_diag *d)
{
    struct item *items;
    size_t n = split_list(text, &items);
    p->sel = tally_xcalloc(n, sizeof *p->sel);
    for (size_t i = 0; i < n; i++) {
        size_t used;
        bool ticked;
        p->nsel = (uint32_t)i + 1;
        if (items[i].len == 0 || !read_colref(items[i], "", &p->sel[i], &used, &ticked) ||
            used != items[i].len) {
            int rc = tally_diag_usage(d, "-s: bad column \"%.*s\"", (int)items[i].len, items[i].p);
            free(items);
            return rc;
        }
    }
    free(items);
    return TALLY_OK;
}

static int
parse_width(struct tally_keyspec *k, struct tally_diag *d)
{
    double v;
    int64_t secs;
    switch (tally_duration_parse(tally_slice_cstr(k->width_text), &secs)) {
    case TALLY_DUR_OK:
        k->bucket = TALLY_BUCKET_TIME;
        k->width = (double)secs;
        return TALLY_OK;
    case TALLY_DUR_FRACTION:
        return tally_diag_usage(d,
                                "-g: bad bucket width \"%s\" in \"%s\": a time bucket is a whole "
                                "number of seconds",
                                k->width_text, k->label);
    case TALLY_DUR_TOO_LONG:
        return tally_diag_usage(d,
                                "-g: bad bucket width \"%s\" in \"%s\": a time bucket is at most "
                                "2^53 seconds (about 285 million years)",
                                k->width_text, k->label);
    case TALLY_DUR_NONE:
        break;
    }
    if (tally_parse_number(tally_slice_cstr(k->width_text), &k->width_num) != TALLY_NUM_NONE &&
        (v = k->width_num.d) > 0 && v < 1e300) {
        k->bucket = TALLY_BUCKET_NUM;
        k->width = v;
        return TALLY_OK;
    }
    return tally_diag_usage(d,
                            "-g: bad bucket width \"%s\" in \"%s\": expected a positive number "
                            "or a duration like 30s, 5m, 1h, 1d",
                            k->width_text, k->label);
}

static int
parse_keys(struct tally_plan *p, const char *text, struct tally_diag *d)
{
    struct item *items;
    size_t n = split_list(text, &items);
    p->keys = tally_xcalloc(n, sizeof *p->keys);
    int rc = TALLY_OK;
    for (size_t i = 0; i < n && rc == TALLY_OK; i++) {
        struct tally_keyspec *k = &p->keys[i];
        struct item it = items[i];
        p->nkeys = (uint32_t)i + 1;
        k->label = item_dup(it);
        size_t used;
        bool ticked;
        if (it.len == 0 || !read_colref(it, "", &k->col, &used, &ticked)) {
            rc = tally_diag_usage(d, "-g: bad key \"%.*s\"", (int)it.len, it.p);
            break;
        }
        const char *slash = NULL;
        k->ticked = ticked;
        if (ticked) {
            if (used < it.len && it.p[used] == '/')
                slash = it.p + used;
            else if (used != it.len)
                rc = tally_diag_usage(d, "-g: bad key \"%.*s\"", (int)it.len, it.p);
        } else {
            /* The last '/' splits off a width; bind checks first whether
             * the whole text is itself a column name. */
            for (size_t j = it.len; j-- > 0;)
                if (it.p[j] == '/') {
                    slash = it.p + j;
                    break;
                }
            if (slash) {
                colref_fini(&k->col);
                k->col.name = tally_xstrndup(it.p, (size_t)(slash - it.p));
                k->col.len = (size_t)(slash - it.p);
            }
        }
        if (slash && rc == TALLY_OK) {
            k->width_text = tally_xstrndup(slash + 1, (size_t)(it.p + it.len - slash - 1));
            /* A bad width may still be part of a column name ("c/d"):
             * bind decides, once the header is known. */
            struct tally_diag scratch;
            tally_diag_init(&scratch);
            if (parse_width(k, &scratch) != TALLY_OK)
                k->bucket = TALLY_BUCKET_BAD;
        }
        if (ticked) {
            /* The output column shows the name without its backticks. */
            size_t total = k->col.len + (k->width_text ? strlen(k->width_text) + 1 : 0);
            free(k->label);
            k->label = tally_xmalloc(total + 1);
            memcpy(k->label, k->col.name, k->col.len);
            if (k->width_text) {
                k->label[k->col.len] = '/';
                memcpy(k->label + k->col.len + 1, k->width_text, strlen(k->width_text));
            }
            k->label[total] = '\0';
        }
    }
    free(items);
    return rc;
}

static bool
is_func_char(char c)
{
    return (c >= 'a' && c <= 'z') || (c >= 'A' && c <= 'Z') || (c >= '0' && c <= '9') || c == '.' ||
           c == '_';
}

static int
parse_agg(struct tally_aggspec *a, struct item it, struct tally_diag *d)
{
    /* NAME= prefix: an '=' before any ':', '(' or backtick. */
    for (size_t i = 0; i < it.len; i++) {
        char c = it.p[i];
        if (c == ':' || c == '(' || c == '`')
            break;
        if (c == '=') {
            /* Spaces around '=' are layout: "total = sum:x". */
            size_t nlen = i;
            while (nlen > 0 && (it.p[nlen - 1] == ' ' || it.p[nlen - 1] == '\t'))
                nlen--;
            if (nlen == 0)
                return tally_diag_usage(d, "-a: empty name in \"%.*s\"", (int)it.len, it.p);
            a->name = tally_xstrndup(it.p, nlen);
            it.p += i + 1;
            it.len -= i + 1;
            while (it.len > 0 && (it.p[0] == ' ' || it.p[0] == '\t')) {
                it.p++;
                it.len--;
            }
            break;
        }
    }
    size_t f = 0;
    while (f < it.len && is_func_char(it.p[f]))
        f++;
    a->func = tally_xstrndup(it.p, f);
    const char *why;
    a->op = tally_op_find(it.p, f, &a->param, &why);
    if (!a->op && why)
        return tally_diag_usage(d, "-a: bad aggregate \"%.*s\": %s", (int)f, it.p, why);
    if (!a->op)
        return tally_diag_usage(d, "-a: unknown aggregate \"%.*s\" (known: %s)", (int)f, it.p,
                                tally_op_names());
    struct item rest = {it.p + f, it.len - f};
    if (rest.len > 0) {
        bool paren = rest.p[0] == '(';
        if (rest.p[0] != ':' && !paren)
            return tally_diag_usage(d, "-a: bad aggregate \"%.*s\": expected FUNC:COL", (int)it.len,
                                    it.p);
        if (paren && rest.p[rest.len - 1] != ')')
            return tally_diag_usage(d, "-a: missing ')' in \"%.*s\"", (int)it.len, it.p);
        struct item col = {rest.p + 1, rest.len - 1 - (paren ? 1 : 0)};
        size_t used;
        bool ticked;
        if (col.len == 0 || !read_colref(col, "", &a->col, &used, &ticked) || used != col.len)
            return tally_diag_usage(d, "-a: bad column in \"%.*s\"", (int)it.len, it.p);
        a->has_col = true;
        if (a->op->arg == TALLY_ARG_NONE)
            return tally_diag_usage(d, "-a: %s takes no column", a->func);
        if (a->op->arg == TALLY_ARG_OPTIONAL)
            a->op = tally_op_count_col();
    } else if (a->op->arg == TALLY_ARG_REQUIRED) {
        return tally_diag_usage(d, "-a: %s needs a column (%s:COL)", a->func, a->func);
    }
    return TALLY_OK;
}

static char *
agg_label(const struct tally_aggspec *a, const struct tally_header *h)
{
    if (a->name)
        return tally_xstrdup(a->name);
    if (!a->has_col)
        return tally_xstrdup(a->func);
    const char *col = a->col.index >= 0 ? h->names[a->col.index] : a->col.name;
    size_t n = strlen(a->func) + 1 + strlen(col) + 1;
    char *s = tally_xmalloc(n);
    snprintf(s, n, "%s_%s", a->func, col);
    return s;
}

static int
parse_aggs(struct tally_plan *p, const char *text, struct tally_diag *d)
{
    struct item *items;
    size_t n = split_list(text, &items);
    p->aggs = tally_xcalloc(n, sizeof *p->aggs);
    int rc = TALLY_OK;
    for (size_t i = 0; i < n && rc == TALLY_OK; i++) {
        p->naggs = (uint32_t)i + 1;
        if (items[i].len == 0)
            rc = tally_diag_usage(d, "-a: empty aggregate in \"%s\"", text);
        else
            rc = parse_agg(&p->aggs[i], items[i], d);
        if (rc == TALLY_OK)
            p->aggs[i].label = agg_label(&p->aggs[i], NULL);
    }
    free(items);
    if (rc != TALLY_OK)
        return rc;
    size_t off = 0;
    for (uint32_t i = 0; i < p->naggs; i++) {
        p->aggs[i].offset = off;
        off += (p->aggs[i].op->state_size + 7) & ~(size_t)7;
    }
    p->acc_size = off;
    return TALLY_OK;
}

static int
parse_sort(struct tally_plan *p, const char *text, struct tally_diag *d)
{
    struct item *items;
    size_t n = split_list(text, &items);
    p->sort = tally_xcalloc(n, sizeof *p->sort);
    int rc = TALLY_OK;
    for (size_t i = 0; i < n && rc == TALLY_OK; i++) {
        struct item it = items[i];
        struct tally_sortkey *s = &p->sort[i];
        p->nsort = (uint32_t)i + 1;
        size_t len = it.len;
        /* Strip a trailing :desc / :asc outside backticks. */
        for (size_t j = it.len; j-- > 0;) {
            if (it.p[j] == '`')
                break;
            if (it.p[j] == ':') {
                size_t sl = it.len - j - 1;
                if (sl == 4 && memcmp(it.p + j + 1, "desc", 4) == 0)
                    s->desc = true;
                else if (!(sl == 3 && memcmp(it.p + j + 1, "asc", 3) == 0)) {
                    rc = tally_diag_usage(d, "--sort: bad order \"%.*s\": expected asc or desc",
                                          (int)sl, it.p + j + 1);
                    break;
                }
                len = j;
                break;
            }
        }
        if (rc != TALLY_OK)
            break;
        struct tally_colref c = {0};
        size_t used;
        bool ticked;
        struct item key = {it.p, len};
        if (len == 0 || !read_colref(key, "", &c, &used, &ticked) || used != len) {
            colref_fini(&c); /* a name read before the stray bytes */
            rc = tally_diag_usage(d, "--sort: bad key \"%.*s\"", (int)it.len, it.p);
            break;
        }
        s->name = c.name;
    }
    free(items);
    return rc;
}

/* s ends in suf, ASCII letters compared without case (".TSV" is ".tsv"). */
static bool
has_suffix(const char *s, size_t n, const char *suf)
{
    size_t m = strlen(suf);
    if (n < m)
        return false;
    for (size_t i = 0; i < m; i++) {
        char c = s[n - m + i];
        if (c >= 'A' && c <= 'Z')
            c = (char)(c - 'A' + 'a');
        if (c != suf[i])
            return false;
    }
    return true;
}

/* TSV when the first file is named *.tsv or *.tab in any case, also before
 * one compression suffix (.gz, .zst, .zstd). */
static bool
tsv_by_name(const struct tally_opts *o)
{
    if (o->nfiles == 0)
        return false;
    const char *name = o->files[0];
    size_t n = strlen(name);
    static const char *const zs[] = {".gz", ".zst", ".zstd"};
    for (size_t i = 0; i < sizeof zs / sizeof zs[0]; i++)
        if (has_suffix(name, n, zs[i])) {
            n -= strlen(zs[i]);
            break;
        }
    return has_suffix(name, n, ".tsv") || has_suffix(name, n, ".tab");
}

int
tally_plan_build(struct tally_plan *p, const struct tally_opts *o, struct tally_diag *d)
{
    memset(p, 0, sizeof *p);
    p->format = o->format;
    if (p->format == TALLY_IN_AUTO)
        p->format = tsv_by_name(o) ? TALLY_IN_TSV : TALLY_IN_CSV;
    p->delim = o->delim ? o->delim : p->format == TALLY_IN_TSV ? '\t' : ',';
    p->header_in = !o->no_header;
    p->strict = o->strict;
    p->log = o->log;
    p->max_record = o->max_record;
    p->max_fields = o->max_fields;
    p->limit = o->limit;
    p->where_text = o->wheres;
    if (p->format == TALLY_IN_LOG && !p->log)
        return tally_diag_usage(d, "--format=log needs --log=PRESET|REGEX");

    if (o->select && (o->group_by || o->aggs))
        return tally_diag_usage(d, "-s prints rows; it cannot be combined with -g or -a");
    int rc = TALLY_OK;
    if (o->select) {
        p->mode = TALLY_MODE_SELECT;
        rc = parse_select(p, o->select, d);
    } else if (o->group_by || o->aggs) {
        p->mode = TALLY_MODE_AGG;
        if (o->group_by)
            rc = parse_keys(p, o->group_by, d);
        if (rc == TALLY_OK)
            rc = parse_aggs(p, o->aggs ? o->aggs : "count", d);
    } else {
        p->mode = TALLY_MODE_ALL;
    }
    if (rc == TALLY_OK && o->sort)
        rc = parse_sort(p, o->sort, d);
    if (rc != TALLY_OK)
        return rc;

    p->exprs = tally_xcalloc(o->nwheres, sizeof *p->exprs);
    for (size_t i = 0; i < o->nwheres; i++) {
        rc = tally_expr_compile(&p->exprs[i], o->wheres[i], d);
        if (rc != TALLY_OK)
            return rc;
        p->nexprs++;
    }
    return TALLY_OK;
}

static int
unknown_column(const struct tally_header *h, const char *what, const struct tally_colref *c,
               struct tally_diag *d)
{
    const char *best = tally_header_suggest(h, c->name, c->len);
    if (best)
        return tally_diag_usage(d, "%s: unknown column \"%s\" (did you mean \"%s\"?)", what,
                                c->name, best);
    return tally_diag_usage(d, "%s: unknown column \"%s\"", what, c->name);
}

static int
bind_col(const struct tally_header *h, const char *what, struct tally_colref *c,
         struct tally_diag *d)
{
    c->index = tally_header_find(h, c->name, c->len);
    if (c->index < 0)
        return unknown_column(h, what, c, d);
    return TALLY_OK;
}

static const char *
output_name(const struct tally_plan *p, uint32_t i)
{
    switch (p->mode) {
    case TALLY_MODE_ALL:
        return p->header.names[i];
    case TALLY_MODE_SELECT:
        return p->header.names[p->sel[i].index];
    case TALLY_MODE_AGG:
        return i < p->nkeys ? p->keys[i].label : p->aggs[i - p->nkeys].label;
    }
    return "";
}

static uint32_t
output_count(const struct tally_plan *p)
{
    switch (p->mode) {
    case TALLY_MODE_ALL:
        return p->header.n;
    case TALLY_MODE_SELECT:
        return p->nsel;
    case TALLY_MODE_AGG:
        return p->nkeys + p->naggs;
    }
    return 0;
}

/* Resolves the --sort keys against the output columns: a name, else a
 * 1-based output column number, else an error naming the closest. */
static int
bind_sort(struct tally_plan *p, struct tally_diag *d)
{
    int rc = TALLY_OK;
    uint32_t nout = output_count(p);
    for (uint32_t i = 0; i < p->nsort && rc == TALLY_OK; i++) {
        struct tally_sortkey *s = &p->sort[i];
        uint32_t j = 0;
        while (j < nout && strcmp(output_name(p, j), s->name) != 0)
            j++;
        if (j == nout) {
            /* Not a name: a 1-based output column number ("--sort 2"), else an
             * error with the closest output column name. */
            const char *best = NULL;
            struct tally_header outs = {0};
            outs.n = nout;
            outs.names = tally_xcalloc(nout ? nout : 1, sizeof *outs.names);
            outs.lens = tally_xcalloc(nout ? nout : 1, sizeof *outs.lens);
            for (uint32_t k = 0; k < nout; k++) {
                outs.names[k] = (char *)output_name(p, k);
                outs.lens[k] = strlen(outs.names[k]);
            }
            int64_t num = tally_header_find(&outs, s->name, strlen(s->name));
            if (num >= 0) {
                s->col = (uint32_t)num;
            } else {
                best = tally_header_suggest(&outs, s->name, strlen(s->name));
                if (best)
                    rc = tally_diag_usage(
                        d, "--sort: unknown output column \"%s\" (did you mean \"%s\"?)", s->name,
                        best);
                else
                    rc = tally_diag_usage(d, "--sort: unknown output column \"%s\"", s->name);
            }
            free(outs.names);
            free(outs.lens);
            continue;
        }
        s->col = j;
    }
    return rc;
}

int
tally_plan_sort(struct tally_plan *p, const char *text, struct tally_diag *d)
{
    int rc = parse_sort(p, text, d);
    return rc == TALLY_OK && p->bound ? bind_sort(p, d) : rc;
}

int
tally_plan_bind(struct tally_plan *p, const struct tally_header *h, struct tally_diag *d)
{
    tally_header_fini(&p->header);
    p->header.n = h->n;
    p->header.names = tally_xcalloc(h->n ? h->n : 1, sizeof *p->header.names);
    p->header.lens = tally_xcalloc(h->n ? h->n : 1, sizeof *p->header.lens);
    for (uint32_t i = 0; i < h->n; i++) {
        p->header.names[i] = tally_xstrndup(h->names[i], h->lens[i]);
        p->header.lens[i] = h->lens[i];
    }
    p->bound = true;
    int rc = TALLY_OK;
    for (uint32_t i = 0; i < p->nsel && rc == TALLY_OK; i++)
        rc = bind_col(h, "-s", &p->sel[i], d);
    for (uint32_t i = 0; i < p->nkeys && rc == TALLY_OK; i++) {
        struct tally_keyspec *k = &p->keys[i];
        /* A header name that itself holds a '/' wins over a bucket. */
        if (k->bucket != TALLY_BUCKET_NONE && !k->ticked) {
            int64_t whole = tally_header_find(h, k->label, strlen(k->label));
            if (whole >= 0) {
                k->bucket = TALLY_BUCKET_NONE;
                k->col.index = whole;
                continue;
            }
        }
        if (k->bucket == TALLY_BUCKET_BAD) {
            rc = parse_width(k, d);
            break;
        }
        rc = bind_col(h, "-g", &k->col, d);
    }
    for (uint32_t i = 0; i < p->naggs && rc == TALLY_OK; i++) {
        struct tally_aggspec *a = &p->aggs[i];
        if (a->has_col)
            rc = bind_col(h, "-a", &a->col, d);
        if (rc == TALLY_OK) {
            free(a->label);
            a->label = agg_label(a, h);
        }
    }
    for (uint32_t i = 0; i < p->nexprs && rc == TALLY_OK; i++)
        rc = tally_expr_bind(p->exprs[i], h, d);
    if (rc == TALLY_OK)
        rc = bind_sort(p, d);
    return rc;
}

uint32_t
tally_plan_columns(const struct tally_plan *p, struct tally_column **cols)
{
    uint32_t n;
    if (!p->bound) {
        n = p->mode == TALLY_MODE_SELECT ? p->nsel
            : p->mode == TALLY_MODE_AGG  ? p->nkeys + p->naggs
                                         : 0;
    } else {
        n = output_count(p);
    }
    *cols = tally_xcalloc(n ? n : 1, sizeof **cols);
    for (uint32_t i = 0; i < n; i++) {
        if (p->bound)
            (*cols)[i].name = output_name(p, i);
        else if (p->mode == TALLY_MODE_SELECT)
            (*cols)[i].name = p->sel[i].name;
        else if (i < p->nkeys)
            (*cols)[i].name = p->keys[i].label;
        else
            (*cols)[i].name = p->aggs[i - p->nkeys].label;
        (*cols)[i].computed = p->mode == TALLY_MODE_AGG && i >= p->nkeys;
    }
    return n;
}

void
tally_plan_fini(struct tally_plan *p)
{
    for (uint32_t i = 0; i < p->nsel; i++)
        colref_fini(&p->sel[i]);
    free(p->sel);
    for (uint32_t i = 0; i < p->nkeys; i++) {
        colref_fini(&p->keys[i].col);
        free(p->keys[i].label);
        free(p->keys[i].width_text);
    }
    free(p->keys);
    for (uint32_t i = 0; i < p->naggs; i++) {
        colref_fini(&p->aggs[i].col);
        free(p->aggs[i].func);
        free(p->aggs[i].name);
        free(p->aggs[i].label);
    }
    free(p->aggs);
    for (uint32_t i = 0; i < p->nexprs; i++)
        tally_expr_free(p->exprs[i]);
    free(p->exprs);
    for (uint32_t i = 0; i < p->nsort; i++)
        free(p->sort[i].name);
    free(p->sort);
    tally_header_fini(&p->header);
    memset(p, 0, sizeof *p);
}
