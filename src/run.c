/* The drive loop: for each input, the source turns bytes into rows, the
 * filters keep some, and the sink takes them. The first row of a file (or
 * the source's fixed column list) binds the plan to the header, here and
 * only here. A regular file may be cut at record starts into ranges read on
 * threads, each with its own source, filters and sink state; the states
 * combine in file order, so the output is the same for every thread count. */
#include "tally/run.h"

#include <stdlib.h>
#include <string.h>
#include <sys/stat.h>
#include <time.h>
#include <unistd.h>

#include "tally/chunk.h"
#include "tally/exec.h"
#include "tally/numcache.h"
#include "tally/parallel.h"
#include "tally/progress.h"
#include "tally/pump.h"
#include "tally/reader.h"
#include "tally/shard.h"
#include "tally/sink.h"
#include "tally/source.h"
#include "tally/status.h"
#include "tally/xalloc.h"

#define DEFAULT_MIN_CHUNK (256u << 10)

struct run;

/* One source, filter set and sink state: the whole input when reading
 * sequentially, or one byte range of a file on a thread of its own. */
struct part {
    struct run *run;
    struct tally_source src;
    struct tally_expr **exprs; /* the plan's own, or clones for a thread */
    bool own_exprs;
    struct tally_numcache nums; /* the current row's numbers, for filters and sink */
    void *local;                /* the sink's state for this part */
    int (*sink_row)(void *local, const struct tally_row *row, struct tally_diag *d);
    bool at_header;
    uint64_t rows_seen;
    uint64_t lines; /* lines in its range, once done */
};

struct run {
    struct tally_plan *plan;
    const struct tally_exec *x;
    struct tally_report *rep;
    size_t nfiles;
    int nthreads;
    struct tally_writer *w;
    struct tally_sink sink;
    struct tally_progress *progress;
    char *first_file; /* where the header came from; a copy */
    bool have_header;
    struct part main;
    struct tally_skipstat skip;   /* malformed rows over all parts, in input order */
    struct tally_skipstat mended; /* records read after mending, likewise */
    uint64_t main_skip_seen, main_mended_seen;
};

/* --- the header -------------------------------------------------------- */

/* Binds the plan to the header this source gives for its first row (or
 * its fixed one), or checks a later file's header against it. */
static int
take_header(struct run *r, const struct tally_source *src, const struct tally_row *first,
            const char *file, struct tally_diag *d)
{
    struct tally_header h;
    tally_source_header(src, first, &h);
    int rc = TALLY_OK;
    if (!r->have_header) {
        r->have_header = true;
        r->first_file = tally_xstrdup(file ? file : "<stdin>");
        rc = tally_plan_bind(r->plan, &h, d);
        tally_numcache_size(&r->main.nums, h.n); /* range parts come later */
        if (rc == TALLY_OK)
            rc = r->sink.ops->bound(r->sink.state, h.n, d);
    } else if (src->header == TALLY_HEADER_FIRST_ROW && !tally_header_equal(&r->plan->header, &h)) {
        rc = tally_diag_usage(d, "%s: header differs from the header of %s", file, r->first_file);
    }
    tally_header_fini(&h);
    return rc;
}

static void
expect_fields(struct part *pt)
{
    if (pt->src.ops->expect_fields && pt->run->plan->bound)
        pt->src.ops->expect_fields(pt->src.state, pt->run->plan->header.n);
}

/* --- parts ------------------------------------------------------------- */

/* A part for a byte range read on a thread: its own source, filters,
 * number cache and sink state. */
static int
part_init(struct part *pt, struct run *r, struct tally_diag *d)
{
    const struct tally_plan *p = r->plan;
    memset(pt, 0, sizeof *pt);
    pt->run = r;
    tally_source_clone(&pt->src, &r->main.src);
    pt->exprs = p->exprs;
    if (p->nexprs) {
        pt->exprs = tally_xcalloc(p->nexprs, sizeof *pt->exprs);
        for (uint32_t i = 0; i < p->nexprs; i++)
            pt->exprs[i] = tally_expr_clone(p->exprs[i]);
        pt->own_exprs = true;
        for (uint32_t i = 0; i < p->nexprs; i++)
            tally_expr_share_numbers(pt->exprs[i], &pt->nums);
    }
    if (p->bound)
        tally_numcache_size(&pt->nums, p->header.n);
    pt->sink_row = r->sink.ops->row;
    return r->sink.ops->local_new(r->sink.state, true, &pt->nums, &pt->local, d);
}

/* Frees the part; its sink state too unless it was combined (NULL). */
static void
part_fini(struct part *pt)
{
    if (pt->own_exprs) {
        for (uint32_t i = 0; i < pt->run->plan->nexprs; i++)
            tally_expr_free(pt->exprs[i]);
        free(pt->exprs);
    }
    if (pt->local)
        pt->run->sink.ops->local_free(pt->local);
    tally_numcache_fini(&pt->nums);
    tally_source_close(&pt->src);
}

static int
on_row(void *ctx, const struct tally_row *row, struct tally_diag *d)
{
    struct part *pt = ctx;
    if (pt->at_header) {
        pt->at_header = false;
        int rc = take_header(pt->run, &pt->src, row, row->file, d);
        expect_fields(pt);
        if (rc != TALLY_OK || pt->src.header == TALLY_HEADER_FIRST_ROW)
            return rc;
    }
    pt->rows_seen++;
    tally_numcache_next_row(&pt->nums);
    for (uint32_t i = 0; i < pt->run->plan->nexprs; i++) {
        bool keep;
        int rc = tally_expr_eval(pt->exprs[i], row, &keep, d);
        if (rc != TALLY_OK)
            return rc;
        if (!keep)
            return TALLY_OK;
    }
    return pt->sink_row(pt->local, row, d);
}

static int
feed_block(void *ctx, const char *buf, size_t len, struct tally_diag *d)
{
    struct part *pt = ctx;
    uint64_t rows_before = pt->rows_seen;
    int rc = pt->src.ops->feed(pt->src.state, buf, len, on_row, pt, d);
    tally_progress_add(pt->run->progress, len, pt->rows_seen - rows_before);
    return rc;
}

static int
on_pause(void *ctx, struct tally_diag *d)
{
    struct part *pt = ctx;
    const struct tally_sink *s = &pt->run->sink;
    return s->ops->pause ? s->ops->pause(s->state, d) : TALLY_OK;
}

/* Reads all of rd into the part: a file, or a range of one whose first
 * line is line first_line of its file. */
static int
part_read(struct part *pt, struct tally_reader *rd, bool ahead, bool at_header, uint64_t first_line,
          struct tally_diag *d)
{
    pt->src.ops->reset(pt->src.state, tally_reader_name(rd), first_line);
    pt->at_header = at_header;
    if (!at_header)
        expect_fields(pt);
    int rc = tally_pump(rd, ahead, feed_block, on_pause, pt, d);
    if (rc == TALLY_OK)
        rc = pt->src.ops->finish(pt->src.state, on_row, pt, d);
    pt->lines = pt->src.ops->lines(pt->src.state);
    return rc;
}

/* What the main part counted in s since the last call (*seen), into *to in
 * input order. */
static void
take_counted(struct tally_skipstat *to, const struct tally_skipstat *s, uint64_t *seen)
{
    uint64_t delta = s->count - *seen;
    if (!delta)
        return;
    if (!to->count) {
        *to = *s;
        to->count = 0;
    }
    to->count += delta;
    *seen = s->count;
}

/* The main part's malformed and mended rows since the last call. */
static void
take_main_skips(struct run *r)
{
    take_counted(&r->skip, r->main.src.ops->skipped(r->main.src.state), &r->main_skip_seen);
    take_counted(&r->mended, tally_source_mended(&r->main.src), &r->main_mended_seen);
}

static int
read_sequential(struct run *r, struct tally_reader *rd, bool ahead, struct tally_diag *d)
{
    int rc = part_read(&r->main, rd, ahead, r->main.src.header != TALLY_HEADER_FIXED, 1, d);
    take_main_skips(r);
    return rc;
}

/* One pass over the file, in order. */
static int
read_one_pass(struct run *r, const char *path, struct tally_diag *d)
{
    struct tally_reader *rd;
    int rc = tally_reader_open(&rd, path, d);
    if (rc != TALLY_OK)
        return rc;
    rc = read_sequential(r, rd, false, d);
    tally_reader_free(rd);
    return rc;
}

/* --- threads ----------------------------------------------------------- */

struct firstrow {
    struct run *r;
    const struct tally_source *src;
    const char *path;
    bool seen;
    int rc;
    uint64_t line; /* where the first row starts */
};

static int
bind_first_row(void *ctx, const struct tally_row *row, struct tally_diag *d)
{
    struct firstrow *f = ctx;
    f->seen = true;
    f->line = row->line;
    f->rc = take_header(f->r, f->src, row, f->path, d);
    return f->rc == TALLY_OK ? TALLY_ESTOP : f->rc;
}

/* Binds the header from the first row of the file (bytes [0, len)) before
 * its ranges are read, or checks it against the bound one; *line (when not
 * NULL) gets the line where that row starts, 0 when there is none. A
 * malformed first row is left for the ordinary pass to report. */
static int
bind_from_file(struct run *r, const char *path, uint64_t len, uint64_t *line, struct tally_diag *d)
{
    struct tally_source src;
    struct tally_reader *rd;
    int rc = tally_reader_open_range(&rd, path, 0, len, d);
    if (rc != TALLY_OK)
        return rc;
    tally_source_clone(&src, &r->main.src);
    src.ops->reset(src.state, path, 1);
    struct firstrow f = {r, &src, path, false, TALLY_OK, 0};
    const char *buf;
    size_t n;
    while (rc == TALLY_OK && !f.seen) {
        rc = tally_reader_read(rd, &buf, &n, d);
        if (rc != TALLY_OK || n == 0)
            break;
        rc = src.ops->feed(src.state, buf, n, bind_first_row, &f, d);
    }
    if (rc == TALLY_OK && !f.seen)
        rc = src.ops->finish(src.state, bind_first_row, &f, d);
    tally_reader_free(rd);
    tally_source_close(&src);
    if (line)
        *line = f.seen ? f.line : 0;
    return f.seen ? f.rc : TALLY_OK;
}

/* Range size: `deflt`, or TALLY_MIN_CHUNK bytes (tests use it to cut even
 * small files into many ranges). */
static uint64_t
min_chunk_size(uint64_t deflt)
{
    const char *env = getenv("TALLY_MIN_CHUNK");
    uint64_t v = env && *env ? strtoull(env, NULL, 10) : deflt;
    return v ? v : 1;
}

/* What of a file is read: bytes [from, to) of its size, after `lines`
 * physical lines; header: from is 0 and the first row may be the header. */
struct span {
    const char *path;
    uint64_t size, from, to, lines;
    bool header;
};

/* Cuts the span into at most `want` ranges of at least min_size bytes at
 * record starts, and binds the header from its first row when no earlier
 * file did. *starts (malloc'ed) gets *count + 1 bounds. *count is 1 when
 * the file is to be read in one pass: too small to cut, or no header to be
 * had up front (the pass then reports what is wrong with its first row). */
static int
plan_ranges(struct run *r, const struct span *sp, uint64_t want, uint64_t min_size,
            uint64_t **starts, uint32_t *count, struct tally_diag *d)
{
    const struct tally_source *src = &r->main.src;
    if (want > 65536)
        want = 65536;
    *starts = tally_xmalloc(((size_t)want + 1) * sizeof **starts);
    struct tally_chunk_file f = {sp->path, sp->size, src->ops->records, r->plan->delim};
    int rc =
        tally_chunk_split_range(&f, sp->from, sp->to, (uint32_t)want, min_size, *starts, count, d);
    if (rc == TALLY_OK && !r->have_header)
        rc = bind_from_file(r, sp->path, (*starts)[1], NULL, d);
    if (rc == TALLY_OK && !r->have_header)
        *count = 1;
    return rc;
}

struct ranges {
    struct run *r;
    const char *path;
    uint64_t base; /* lines of the file before the next range to commit */
    bool header;   /* the first range starts the file */
};

static int
range_run(void *ctx, uint32_t k, uint64_t off, uint64_t len, void **result, struct tally_diag *d)
{
    struct ranges *g = ctx;
    struct part *pt = tally_xcalloc(1, sizeof *pt);
    *result = pt;
    int rc = part_init(pt, g->r, d);
    struct tally_reader *rd = NULL;
    if (rc == TALLY_OK)
        rc = tally_reader_open_range(&rd, g->path, off, len, d);
    if (rc == TALLY_OK)
        rc = part_read(pt, rd, false, k == 0 && g->header && pt->src.header != TALLY_HEADER_FIXED,
                       1, d);
    tally_reader_free(rd);
    return rc;
}

static void
range_drop(void *ctx, void *result)
{
    (void)ctx;
    struct part *pt = result;
    part_fini(pt);
    free(pt);
}

static int
range_commit(void *ctx, uint32_t k, void *result, int status, struct tally_diag *rd,
             struct tally_diag *d)
{
    (void)k;
    struct ranges *g = ctx;
    struct part *pt = result;
    int rc = status;
    if (rc != TALLY_OK) {
        tally_diag_shift_line(rd, g->base);
        *d = *rd;
    } else {
        rc = g->r->sink.ops->combine(g->r->sink.state, pt->local, g->base, d);
        pt->local = NULL;
        tally_skips_add(&g->r->skip, pt->src.ops->skipped(pt->src.state), g->base);
        tally_skips_add(&g->r->mended, tally_source_mended(&pt->src), g->base);
        g->base += pt->lines;
    }
    range_drop(ctx, pt);
    return rc;
}

/* The span on the main part, in one pass. */
static int
read_span_pass(struct run *r, const struct span *sp, struct tally_diag *d)
{
    if (sp->from == 0 && sp->to == sp->size)
        return read_one_pass(r, sp->path, d);
    struct tally_reader *rd;
    int rc = tally_reader_open_range(&rd, sp->path, sp->from, sp->to - sp->from, d);
    if (rc != TALLY_OK)
        return rc;
    bool at_header = sp->header && r->main.src.header != TALLY_HEADER_FIXED;
    rc = part_read(&r->main, rd, false, at_header, sp->lines + 1, d);
    take_main_skips(r);
    tally_reader_free(rd);
    return rc;
}

static int
read_threaded(struct run *r, const struct span *sp, const struct tally_sink_ranges *how,
              struct tally_diag *d)
{
    uint64_t size = sp->to - sp->from;
    uint64_t min = min_chunk_size(how->range_bytes ? how->range_bytes : DEFAULT_MIN_CHUNK);
    uint64_t want = (uint64_t)r->nthreads;
    if (how->range_bytes && size / min > want)
        want = size / min;
    uint64_t *starts;
    uint32_t n;
    int rc = plan_ranges(r, sp, want, min, &starts, &n, d);
    if (rc != TALLY_OK || n == 1) {
        free(starts);
        return rc != TALLY_OK ? rc : read_span_pass(r, sp, d);
    }
    static const struct tally_par_hooks hooks = {range_run, range_commit, range_drop};
    struct ranges g = {r, sp->path, sp->lines, sp->header};
    uint32_t window = how->window ? (uint32_t)r->nthreads + how->window : 0;
    rc = tally_parallel_run(starts, n, r->nthreads, window, &hooks, &g, d);
    free(starts);
    return rc;
}

/* --- inputs ------------------------------------------------------------ */

/* A span of a file: on threads when the sink allows, else in one pass. */
static int
read_span(struct run *r, const struct span *sp, struct tally_diag *d)
{
    struct tally_sink_ranges how;
    if (r->nthreads > 1 && r->sink.ops->parallel(r->sink.state, &how))
        return read_threaded(r, sp, &how, d);
    return read_span_pass(r, sp, d);
}

/* Where the file's records start (*h, after *h_lines lines): past its
 * header row, which is read here to bind the plan or to be checked. */
static int
shard_header(struct run *r, const struct tally_chunk_file *f, uint64_t *h, uint64_t *h_lines,
             struct tally_diag *d)
{
    *h = *h_lines = 0;
    enum tally_header_kind kind = r->main.src.header;
    if (kind == TALLY_HEADER_FIXED || (kind == TALLY_HEADER_NONE && r->have_header))
        return TALLY_OK;
    uint64_t line, q, lines = 0;
    int rc = bind_from_file(r, f->path, f->size, &line, d);
    if (rc != TALLY_OK || kind == TALLY_HEADER_NONE)
        return rc;
    if (line == 0) {
        *h = f->size; /* no row at all: no records either */
        return TALLY_OK;
    }
    rc = tally_chunk_line_start(f, line, &q, d);
    uint64_t after = q + 1;
    if (rc == TALLY_OK)
        rc = tally_chunk_find(f, q, 1, &after, h, &lines, d);
    *h_lines = line - 1 + lines;
    return rc;
}

/* --shard: each input's part of the shard. Every shard binds the plan to
 * the header a whole run would bind (the first file with a row), and reads
 * the header of every file its bytes touch. */
static int
read_shard(struct run *r, const struct tally_shard *sh, char **files, struct tally_diag *d)
{
    int rc = TALLY_OK;
    for (size_t i = 0; i < sh->nfiles && rc == TALLY_OK; i++) {
        struct tally_chunk_file f = {files[i], sh->sizes[i], r->main.src.ops->records,
                                     r->plan->delim};
        if (f.size == 0)
            continue;
        if (!tally_shard_touches(sh, i)) {
            if (!r->have_header && r->main.src.header != TALLY_HEADER_FIXED)
                rc = bind_from_file(r, f.path, f.size, NULL, d);
            continue;
        }
        uint64_t h, h_lines;
        struct tally_shard_part part = {0};
        rc = shard_header(r, &f, &h, &h_lines, d);
        if (rc == TALLY_OK)
            rc = tally_shard_part(sh, i, &f, h, h_lines, &part, d);
        if (rc == TALLY_OK && part.read) {
            struct span sp = {f.path, f.size, part.from, part.to, part.lines, part.header};
            rc = read_span(r, &sp, d);
        }
    }
    return rc;
}

static int
read_input(struct run *r, const char *path, struct tally_diag *d)
{
    struct tally_reader *rd;
    int rc = tally_reader_open(&rd, path, d);
    if (rc != TALLY_OK)
        return rc;
    uint64_t size = tally_reader_size(rd);
    bool regular = strcmp(path, "-") != 0 && size > 0;
    struct tally_sink_ranges how;
    if (r->nthreads > 1 && regular && r->sink.ops->parallel(r->sink.state, &how)) {
        tally_reader_free(rd);
        struct span sp = {path, size, 0, size, 0, true};
        return read_threaded(r, &sp, &how, d);
    }
    rc = read_sequential(r, rd, r->nthreads > 1 && size == 0, d);
    tally_reader_free(rd);
    return rc;
}

/* Bytes to read in all, for the progress bar: 0 (unknown) unless every input
 * is a regular file. Compressed sizes are close enough for a bar. */
static uint64_t
total_size(char **files, size_t nfiles)
{
    uint64_t total = 0;
    for (size_t i = 0; i < nfiles; i++) {
        struct stat st;
        if (strcmp(files[i], "-") == 0 || stat(files[i], &st) != 0 || !S_ISREG(st.st_mode))
            return 0;
        total += (uint64_t)st.st_size;
    }
    return total;
}

/* Opens the source, the output and the sink, with the main part. */
static int
run_open(struct run *r, int out_fd, struct tally_diag *d)
{
    const struct tally_plan *p = r->plan;
    struct tally_source_conf sc = {p->format, p->delim,      p->header_in, p->strict,
                                   p->log,    p->max_fields, p->max_record};
    r->main.run = r;
    int rc = tally_source_open(&r->main.src, &sc, d);
    if (rc == TALLY_OK)
        rc = tally_output_open(&r->w, r->x->output, out_fd, &r->x->out_opts);
    time_t now = time(NULL);
    struct tm tm;
    struct tally_sink_conf kc = {
        p, r->x, r->w, r->rep, gmtime_r(&now, &tm) ? tm.tm_year + 1900 : 1970, r->nfiles};
    if (rc == TALLY_OK)
        rc = tally_sink_open(&r->sink, &kc, d);
    if (rc != TALLY_OK)
        return rc;
    r->main.exprs = r->plan->exprs;
    for (uint32_t i = 0; i < p->nexprs; i++)
        tally_expr_share_numbers(p->exprs[i], &r->main.nums);
    r->main.sink_row = r->sink.ops->row;
    /* The sink owns its main state: the main part never frees it. */
    rc = r->sink.ops->local_new(r->sink.state, false, &r->main.nums, &r->main.local, d);
    if (rc == TALLY_OK && r->main.src.header == TALLY_HEADER_FIXED)
        rc = take_header(r, &r->main.src, NULL, r->main.src.ops->name, d);
    return rc;
}

int
tally_run(struct tally_plan *plan, const struct tally_exec *exec, char **files, size_t nfiles,
          int out_fd, struct tally_report *rep, struct tally_diag *d)
{
    static char stdin_name[] = "-";
    char *stdin_only[] = {stdin_name};
    if (nfiles == 0) {
        files = stdin_only;
        nfiles = 1;
    }
    /* The sinks see the shard's origin. */
    struct tally_exec x = *exec;
    struct tally_shard sh = {0};
    int rc = TALLY_OK;
    if (exec->shard_n) {
        rc = tally_shard_open(&sh, exec->shard_k, exec->shard_n, files, nfiles, d);
        x.origin = sh.lo;
    }
    struct run r = {.plan = plan, .x = &x, .rep = rep, .nfiles = nfiles, .nthreads = x.threads};
    if (rc == TALLY_OK)
        rc = run_open(&r, out_fd, d);
    uint64_t total = exec->shard_n ? sh.hi - sh.lo : total_size(files, nfiles);
    if (rc == TALLY_OK)
        r.progress = tally_progress_new(exec->progress, total, STDERR_FILENO);
    if (rc == TALLY_OK && exec->shard_n)
        rc = read_shard(&r, &sh, files, d);
    for (size_t i = 0; i < nfiles && rc == TALLY_OK && !exec->shard_n; i++)
        rc = read_input(&r, files[i], d);
    if (rc == TALLY_ESTOP)
        rc = TALLY_OK;
    if (rc == TALLY_OK) {
        tally_report_skips(rep, &r.skip, r.main.src.ops->skip_noun);
        tally_report_mended(rep, &r.mended, r.main.src.ops->mended_one,
                            r.main.src.ops->mended_many);
        tally_progress_finish(r.progress);
        rc = r.sink.ops->end(r.sink.state, d);
    }
    tally_progress_finish(r.progress);
    tally_progress_free(r.progress);
    free(r.first_file);
    tally_shard_fini(&sh);
    tally_sink_close(&r.sink);
    for (uint32_t i = 0; i < plan->nexprs; i++)
        tally_expr_share_numbers(plan->exprs[i], NULL);
    tally_numcache_fini(&r.main.nums);
    tally_source_close(&r.main.src);
    tally_output_free(r.w);
    return rc;
}
