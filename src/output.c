/* Output stage: format names, the writer's one large buffer flushed with
 * write(2), and dispatch to the format files. Consumes finished rows of
 * values; produces bytes on a file descriptor, or a sticky write error. */
#include "tally/output.h"

#include <errno.h>
#include <stdlib.h>
#include <string.h>
#include <sys/sendfile.h>
#include <unistd.h>

#include "output_int.h"
#include "tally/status.h"
#include "tally/xalloc.h"

static void write_all(struct tally_writer *w, const char *p, size_t n);

static const struct {
    const char *name;
    enum tally_format f;
} format_names[] = {
    {"table", TALLY_FMT_TABLE}, {"csv", TALLY_FMT_CSV},     {"tsv", TALLY_FMT_TSV},
    {"json", TALLY_FMT_JSON},   {"jsonl", TALLY_FMT_JSONL}, {"markdown", TALLY_FMT_MARKDOWN},
    {"chart", TALLY_FMT_CHART},
};

bool
tally_format_parse(const char *name, enum tally_format *f)
{
    for (size_t i = 0; i < sizeof format_names / sizeof format_names[0]; i++) {
        if (strcmp(name, format_names[i].name) == 0) {
            *f = format_names[i].f;
            return true;
        }
    }
    return false;
}

const char *
tally_format_name(enum tally_format f)
{
    for (size_t i = 0; i < sizeof format_names / sizeof format_names[0]; i++)
        if (format_names[i].f == f)
            return format_names[i].name;
    return "?";
}

static const struct out_format *
format_ops(enum tally_format f)
{
    switch (f) {
    case TALLY_FMT_TABLE:
        return &tally_out_table;
    case TALLY_FMT_CSV:
        return &tally_out_csv;
    case TALLY_FMT_TSV:
        return &tally_out_tsv;
    case TALLY_FMT_JSON:
        return &tally_out_json;
    case TALLY_FMT_JSONL:
        return &tally_out_jsonl;
    case TALLY_FMT_MARKDOWN:
        return &tally_out_markdown;
    case TALLY_FMT_CHART:
        return &tally_out_chart;
    }
    return NULL;
}

int
tally_output_open(struct tally_writer **out, enum tally_format f, int fd,
                  const struct tally_output_opts *o)
{
    *out = NULL;
    const struct out_format *fmt = format_ops(f);
    if (!fmt)
        return TALLY_EUSAGE;
    struct tally_writer *w = tally_xcalloc(1, sizeof *w);
    w->fmt = fmt;
    w->kind = f;
    w->fd = fd;
    w->status = TALLY_OK;
    if (o)
        w->opts = *o;
    else
        w->opts.header = true;
    if (w->opts.precision < 1 || w->opts.precision > TALLY_PRECISION_MAX)
        w->opts.precision = TALLY_PRECISION_DEFAULT;
    w->buf = tally_xmalloc(OUT_BUFSIZE);
    w->hold_limit = OUT_HOLD_DEFAULT;
    *out = w;
    return TALLY_OK;
}

void
tally_output_set_hold_limit(struct tally_writer *w, size_t n)
{
    w->hold_limit = n ? n : 1;
}

/* The first call that meets a write error records its message; every later
 * call returns the same status without writing. A closed pipe is quiet. */
static int
report(struct tally_writer *w, struct tally_diag *d)
{
    if (w->status == TALLY_EDATA && d)
        tally_diag_fail(d, NULL, "write error: %s", strerror(w->err));
    return w->status;
}

int
tally_output_begin(struct tally_writer *w, const struct tally_column *cols, uint32_t ncols,
                   struct tally_diag *d)
{
    if (w->status != TALLY_OK)
        return w->status;
    w->cols = cols;
    w->ncols = ncols;
    w->fmt->begin(w);
    return report(w, d);
}

int
tally_output_row(struct tally_writer *w, const struct tally_value *vals, struct tally_diag *d)
{
    if (w->status != TALLY_OK)
        return w->status;
    w->fmt->row(w, vals);
    w->nrows++;
    return report(w, d);
}

int
tally_output_end(struct tally_writer *w, struct tally_diag *d)
{
    if (w->status != TALLY_OK)
        return w->status;
    w->fmt->end(w);
    tally_out_flush(w);
    return report(w, d);
}

int
tally_output_flush(struct tally_writer *w, struct tally_diag *d)
{
    if (w->status != TALLY_OK)
        return w->status;
    tally_out_flush(w);
    return report(w, d);
}

int
tally_output_bytes(struct tally_writer *w, const char *p, size_t n, struct tally_diag *d)
{
    if (w->status != TALLY_OK)
        return w->status;
    tally_out_flush(w);
    write_all(w, p, n);
    return report(w, d);
}

int
tally_output_splice(struct tally_writer *w, int fd, uint64_t len, struct tally_diag *d)
{
    if (w->status != TALLY_OK)
        return w->status;
    tally_out_flush(w);
    off_t off = 0;
    while ((uint64_t)off < len && w->status == TALLY_OK) {
        size_t want = len - (uint64_t)off > (1u << 30) ? (1u << 30) : (size_t)(len - (uint64_t)off);
        ssize_t k = sendfile(w->fd, fd, &off, want);
        if (k > 0)
            continue;
        if (k < 0 && errno == EINTR)
            continue;
        if (k < 0 && (errno == EINVAL || errno == ENOSYS)) {
            /* No sendfile to this kind of file: copy through the buffer. */
            ssize_t r = pread(fd, w->buf, OUT_BUFSIZE, off);
            if (r > 0) {
                write_all(w, w->buf, (size_t)r);
                off += r;
                continue;
            }
        }
        w->err = k < 0 ? errno : EIO;
        w->status = w->err == EPIPE ? TALLY_EPIPE : TALLY_EDATA;
    }
    return report(w, d);
}

void
tally_output_free(struct tally_writer *w)
{
    if (!w)
        return;
    tally_out_hold_fini(w);
    free(w->buf);
    free(w);
}

/* Writes all n bytes, retrying EINTR and continuing partial writes. */
static void
write_all(struct tally_writer *w, const char *p, size_t n)
{
    while (n > 0 && w->status == TALLY_OK) {
        ssize_t k = write(w->fd, p, n);
        if (k < 0) {
            if (errno == EINTR)
                continue;
            w->err = errno;
            w->status = errno == EPIPE ? TALLY_EPIPE : TALLY_EDATA;
        } else if (k == 0) {
            w->err = EIO;
            w->status = TALLY_EDATA;
        } else {
            p += k;
            n -= (size_t)k;
        }
    }
}

void
tally_out_flush(struct tally_writer *w)
{
    if (w->len && w->status == TALLY_OK)
        write_all(w, w->buf, w->len);
    w->len = 0;
}

void
tally_out_write(struct tally_writer *w, const void *p, size_t n)
{
    if (w->status != TALLY_OK || n == 0)
        return;
    if (n > OUT_BUFSIZE - w->len) {
        tally_out_flush(w);
        if (n >= OUT_BUFSIZE) {
            write_all(w, p, n);
            return;
        }
    }
    memcpy(w->buf + w->len, p, n);
    w->len += n;
}

void
tally_out_putc(struct tally_writer *w, char c)
{
    if (w->len == OUT_BUFSIZE)
        tally_out_flush(w);
    if (w->status == TALLY_OK)
        w->buf[w->len++] = c;
}

void
tally_out_puts(struct tally_writer *w, const char *s)
{
    tally_out_write(w, s, strlen(s));
}

void
tally_out_space(struct tally_writer *w, size_t n)
{
    w->pending += n;
}

void
tally_out_visible(struct tally_writer *w, const void *p, size_t n)
{
    static const char spaces[] = "                                ";
    if (n == 0)
        return;
    while (w->pending) {
        size_t k = w->pending < sizeof spaces - 1 ? w->pending : sizeof spaces - 1;
        tally_out_write(w, spaces, k);
        w->pending -= k;
    }
    tally_out_write(w, p, n);
}

void
tally_out_eol(struct tally_writer *w)
{
    w->pending = 0;
    tally_out_putc(w, '\n');
}

struct tally_slice
tally_out_value_text(const struct tally_value *v, char *numbuf)
{
    switch (v->kind) {
    case TALLY_VAL_INT:
        return (struct tally_slice){numbuf, tally_format_int(v->i, numbuf)};
    case TALLY_VAL_REAL:
        return (struct tally_slice){numbuf, tally_format_double(v->d, numbuf)};
    case TALLY_VAL_TEXT:
        return v->s;
    case TALLY_VAL_EMPTY:
        break;
    }
    return (struct tally_slice){"", 0};
}

struct tally_slice
tally_out_human_text(const struct tally_writer *w, const struct tally_value *v, char *numbuf)
{
    if (v->kind == TALLY_VAL_REAL && !v->as_input)
        return (struct tally_slice){numbuf,
                                    tally_format_double_digits(v->d, w->opts.precision, numbuf)};
    return tally_out_value_text(v, numbuf);
}

size_t
tally_out_utf8(const unsigned char *p, size_t n, uint32_t *cp)
{
    unsigned char c = p[0];
    if (c < 0x80) {
        *cp = c;
        return 1;
    }
    size_t len;
    uint32_t v, min;
    if (c >= 0xC2 && c <= 0xDF) {
        len = 2;
        v = c & 0x1Fu;
        min = 0x80;
    } else if (c >= 0xE0 && c <= 0xEF) {
        len = 3;
        v = c & 0x0Fu;
        min = 0x800;
    } else if (c >= 0xF0 && c <= 0xF4) {
        len = 4;
        v = c & 0x07u;
        min = 0x10000;
    } else {
        return 0;
    }
    if (n < len)
        return 0;
    for (size_t i = 1; i < len; i++) {
        if ((p[i] & 0xC0) != 0x80)
            return 0;
        v = (v << 6) | (p[i] & 0x3Fu);
    }
    if (v < min || v > 0x10FFFF || (v >= 0xD800 && v <= 0xDFFF))
        return 0;
    *cp = v;
    return len;
}

struct cp_range {
    uint32_t lo, hi;
};

/* East Asian Wide (W) and Fullwidth (F) ranges of Unicode 15, with the
 * emoji blocks taken whole: what terminals draw two columns wide. */
static const struct cp_range wide[] = {
    {0x1100, 0x115F},   {0x231A, 0x231B},   {0x2329, 0x232A},   {0x23E9, 0x23EC},
    {0x23F0, 0x23F0},   {0x23F3, 0x23F3},   {0x25FD, 0x25FE},   {0x2614, 0x2615},
    {0x2648, 0x2653},   {0x267F, 0x267F},   {0x2693, 0x2693},   {0x26A1, 0x26A1},
    {0x26AA, 0x26AB},   {0x26BD, 0x26BE},   {0x26C4, 0x26C5},   {0x26CE, 0x26CE},
    {0x26D4, 0x26D4},   {0x26EA, 0x26EA},   {0x26F2, 0x26F3},   {0x26F5, 0x26F5},
    {0x26FA, 0x26FA},   {0x26FD, 0x26FD},   {0x2705, 0x2705},   {0x270A, 0x270B},
    {0x2728, 0x2728},   {0x274C, 0x274C},   {0x274E, 0x274E},   {0x2753, 0x2755},
    {0x2757, 0x2757},   {0x2795, 0x2797},   {0x27B0, 0x27B0},   {0x27BF, 0x27BF},
    {0x2B1B, 0x2B1C},   {0x2B50, 0x2B50},   {0x2B55, 0x2B55},   {0x2E80, 0x303E},
    {0x3041, 0x33FF},   {0x3400, 0x4DBF},   {0x4E00, 0x9FFF},   {0xA000, 0xA4CF},
    {0xA960, 0xA97F},   {0xAC00, 0xD7A3},   {0xF900, 0xFAFF},   {0xFE10, 0xFE19},
    {0xFE30, 0xFE6F},   {0xFF00, 0xFF60},   {0xFFE0, 0xFFE6},   {0x16FE0, 0x16FE4},
    {0x17000, 0x18CFF}, {0x1B000, 0x1B2FF}, {0x1F004, 0x1F004}, {0x1F0CF, 0x1F0CF},
    {0x1F18E, 0x1F18E}, {0x1F191, 0x1F19A}, {0x1F200, 0x1F202}, {0x1F210, 0x1F23B},
    {0x1F240, 0x1F248}, {0x1F250, 0x1F251}, {0x1F260, 0x1F265}, {0x1F300, 0x1F64F},
    {0x1F680, 0x1F6FF}, {0x1F7E0, 0x1F7EB}, {0x1F900, 0x1F9FF}, {0x1FA70, 0x1FAFF},
    {0x20000, 0x2FFFD}, {0x30000, 0x3FFFD},
};

/* Combining diacritics, zero-width and bidi format characters, variation
 * selectors: drawn on top of a neighbour or not at all. */
static const struct cp_range zero[] = {
    {0x0300, 0x036F}, {0x200B, 0x200F}, {0x2060, 0x2064},
    {0xFE00, 0xFE0F}, {0xFEFF, 0xFEFF}, {0xE0100, 0xE01EF},
};

static bool
in_ranges(uint32_t cp, const struct cp_range *r, size_t n)
{
    size_t lo = 0, hi = n;
    while (lo < hi) {
        size_t mid = lo + (hi - lo) / 2;
        if (cp < r[mid].lo)
            hi = mid;
        else if (cp > r[mid].hi)
            lo = mid + 1;
        else
            return true;
    }
    return false;
}

int
tally_out_cp_width(uint32_t cp)
{
    if (cp < 0x300)
        return 1;
    if (in_ranges(cp, zero, sizeof zero / sizeof zero[0]))
        return 0;
    if (in_ranges(cp, wide, sizeof wide / sizeof wide[0]))
        return 2;
    return 1;
}

static size_t
cell_emit(struct tally_writer *w, const char *p, size_t n, size_t width)
{
    if (w)
        tally_out_visible(w, p, n);
    return width;
}

size_t
tally_out_cell(struct tally_writer *w, struct tally_slice s, enum out_cell_mode mode)
{
    static const char hex[] = "0123456789abcdef";
    const unsigned char *p = (const unsigned char *)s.ptr;
    size_t width = 0, i = 0;
    while (i < s.len) {
        unsigned char c = p[i];
        if (c == ' ') {
            /* Spaces go through the lazy padding so none ends a line. */
            if (w)
                tally_out_space(w, 1);
            width++;
            i++;
            continue;
        }
        if (mode == OUT_CELL_MARKDOWN && c == '|') {
            width += cell_emit(w, "\\|", 2, 2);
            i++;
            continue;
        }
        if (c > 0x20 && c < 0x7F) {
            size_t j = i + 1;
            while (j < s.len && p[j] > 0x20 && p[j] < 0x7F &&
                   !(mode == OUT_CELL_MARKDOWN && p[j] == '|'))
                j++;
            width += cell_emit(w, (const char *)p + i, j - i, j - i);
            i = j;
            continue;
        }
        if (c < 0x20 || c == 0x7F) {
            if (mode == OUT_CELL_MARKDOWN && (c == '\n' || c == '\r')) {
                if (c == '\r' && i + 1 < s.len && p[i + 1] == '\n')
                    i++;
                width += cell_emit(w, "<br>", 4, 4);
            } else if (mode == OUT_CELL_MARKDOWN && c == '\t') {
                if (w)
                    tally_out_space(w, 1);
                width++;
            } else if (c == '\n') {
                width += cell_emit(w, "\\n", 2, 2);
            } else if (c == '\t') {
                width += cell_emit(w, "\\t", 2, 2);
            } else if (c == '\r') {
                width += cell_emit(w, "\\r", 2, 2);
            } else {
                char esc[4] = {'\\', 'x', hex[c >> 4], hex[c & 15]};
                width += cell_emit(w, esc, 4, 4);
            }
            i++;
            continue;
        }
        uint32_t cp;
        size_t len = tally_out_utf8(p + i, s.len - i, &cp);
        if (len == 0) {
            width += cell_emit(w, (const char *)p + i, 1, 1);
            i++;
        } else if (cp >= 0x80 && cp < 0xA0) {
            /* C1 controls: some terminals act on them, so show them. */
            char esc[6] = {'\\', 'u', '0', '0', hex[cp >> 4], hex[cp & 15]};
            width += cell_emit(w, esc, 6, 6);
            i += len;
        } else {
            width += cell_emit(w, (const char *)p + i, len, (size_t)tally_out_cp_width(cp));
            i += len;
        }
    }
    return width;
}

void
tally_out_hold_init(struct tally_writer *w, bool header_counts, enum out_cell_mode mode)
{
    struct out_hold *h = &w->hold;
    uint32_t nc = w->ncols;
    tally_arena_init(&h->arena, (size_t)64 * 1024);
    h->cells = NULL;
    h->n = h->cap = 0;
    h->width = tally_xcalloc(nc ? nc : 1, sizeof *h->width);
    h->right = tally_xcalloc(nc ? nc : 1, sizeof *h->right);
    h->anynum = tally_xcalloc(nc ? nc : 1, sizeof *h->anynum);
    h->allnum = tally_xcalloc(nc ? nc : 1, sizeof *h->allnum);
    h->scratch = tally_xcalloc(nc ? nc : 1, sizeof *h->scratch);
    h->numbufs = tally_xcalloc(nc ? nc : 1, TALLY_NUMBUF);
    for (uint32_t c = 0; c < nc; c++) {
        h->allnum[c] = true;
        if (header_counts)
            h->width[c] = tally_out_cell(NULL, tally_slice_cstr(w->cols[c].name), mode);
    }
}

void
tally_out_hold_add(struct tally_writer *w, const struct tally_value *vals, enum out_cell_mode mode)
{
    struct out_hold *h = &w->hold;
    uint32_t nc = w->ncols;
    if (nc == 0)
        return;
    void *cells = h->cells;
    tally_xgrow(&cells, &h->cap, (h->n + 1) * nc, sizeof *h->cells);
    h->cells = cells;
    struct tally_slice *row = h->cells + h->n * nc;
    for (uint32_t c = 0; c < nc; c++) {
        char numbuf[TALLY_NUMBUF];
        struct tally_slice s = tally_out_human_text(w, &vals[c], numbuf);
        row[c].len = s.len;
        row[c].ptr = tally_arena_strndup(&h->arena, s.ptr, s.len);
        size_t wd = tally_out_cell(NULL, s, mode);
        if (wd > h->width[c])
            h->width[c] = wd;
        if (s.len) {
            struct tally_num num;
            h->anynum[c] = true;
            if (h->allnum[c] && tally_parse_number(s, &num) == TALLY_NUM_NONE)
                h->allnum[c] = false;
        }
    }
    h->n++;
}

void
tally_out_hold_align(struct tally_writer *w)
{
    struct out_hold *h = &w->hold;
    for (uint32_t c = 0; c < w->ncols; c++)
        h->right[c] = w->cols[c].computed || (h->anynum[c] && h->allnum[c]);
}

void
tally_out_hold_clear(struct tally_writer *w)
{
    struct out_hold *h = &w->hold;
    free(h->cells);
    h->cells = NULL;
    h->n = h->cap = 0;
    tally_arena_fini(&h->arena);
}

void
tally_out_hold_fini(struct tally_writer *w)
{
    struct out_hold *h = &w->hold;
    tally_out_hold_clear(w);
    free(h->width);
    free(h->right);
    free(h->anynum);
    free(h->allnum);
    free(h->scratch);
    free(h->numbufs);
    h->scratch = NULL;
    h->numbufs = NULL;
    h->width = NULL;
    h->right = h->anynum = h->allnum = NULL;
}
