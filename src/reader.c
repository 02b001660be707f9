/* Byte input stage: reads a file or standard input in 1 MiB blocks, undoes
 * gzip or zstd compression recognised by magic bytes, drops a leading UTF-8
 * byte-order mark, and hands out blocks of bytes for a parser. */
#include "tally/reader.h"

#include <errno.h>
#include <fcntl.h>
#include <poll.h>
#include <stdbool.h>
#include <stdint.h>
#include <stdlib.h>
#include <string.h>
#include <sys/stat.h>
#include <unistd.h>

#include <zlib.h>
#include <zstd.h>
#include <zstd_errors.h>

#include "tally/status.h"
#include "tally/xalloc.h"

enum codec { CODEC_PLAIN, CODEC_GZIP, CODEC_ZSTD };

struct tally_reader {
    int fd;
    bool own_fd;
    char *name;
    uint64_t size;
    enum codec codec;

    unsigned char *in; /* raw bytes from the file; in[in_pos, in_len) not yet used */
    size_t in_pos, in_len;
    bool in_eof;
    bool first;        /* the first block is still to be returned (BOM check) */
    bool bom_possible; /* the input starts at the start of a file or stream */
    bool limited;      /* a byte range of a file: read at most `left` more bytes */
    uint64_t left;
    bool stream; /* a pipe, socket or terminal: a read may wait for the writer */
    int wake_fd; /* >= 0: a read that would wait ends early once this is readable */

    unsigned char *out; /* decompressed bytes (compressed input only) */
    bool done;          /* compressed stream fully decoded */
    z_stream zs;
    bool zs_live;
    bool member_end; /* gzip: a member just ended; another may follow */
    ZSTD_DCtx *zd;
    size_t zret; /* last ZSTD_decompressStream result: 0 after a whole frame */
};

static const unsigned char gzip_magic[2] = {0x1f, 0x8b};
static const unsigned char zstd_magic[4] = {0x28, 0xb5, 0x2f, 0xfd};
static const unsigned char utf8_bom[3] = {0xef, 0xbb, 0xbf};

static int
fail_here(struct tally_reader *r, struct tally_diag *d, const char *what, const char *detail)
{
    struct tally_loc loc = {r->name, 0, 0};
    if (detail)
        return tally_diag_fail(d, &loc, "%s (%s)", what, detail);
    return tally_diag_fail(d, &loc, "%s", what);
}

/* Waits until the input or the wake descriptor is readable; TALLY_ESTOP
 * when the wake descriptor is (the reading was called off). */
static int
wait_readable(struct tally_reader *r)
{
    struct pollfd fds[2] = {{r->fd, POLLIN, 0}, {r->wake_fd, POLLIN, 0}};
    for (;;) {
        int n = poll(fds, 2, -1);
        if (n < 0 && errno == EINTR)
            continue;
        if (n < 0 || fds[1].revents)
            return n < 0 ? TALLY_OK : TALLY_ESTOP; /* poll failing: let read() say why */
        if (fds[0].revents)
            return TALLY_OK;
    }
}

/* Moves unused input to the front and reads more after it (one read()). */
static int
refill(struct tally_reader *r, struct tally_diag *d)
{
    if (r->in_eof)
        return TALLY_OK;
    if (r->in_pos) {
        memmove(r->in, r->in + r->in_pos, r->in_len - r->in_pos);
        r->in_len -= r->in_pos;
        r->in_pos = 0;
    }
    for (;;) {
        size_t want = TALLY_READ_BLOCK - r->in_len;
        if (r->limited && want > r->left)
            want = (size_t)r->left;
        if (want && r->wake_fd >= 0 && wait_readable(r) != TALLY_OK)
            return TALLY_ESTOP;
        ssize_t n = want ? read(r->fd, r->in + r->in_len, want) : 0;
        if (n > 0 && r->limited)
            r->left -= (uint64_t)n;
        if (n > 0) {
            r->in_len += (size_t)n;
            return TALLY_OK;
        }
        if (n == 0) {
            r->in_eof = true;
            return TALLY_OK;
        }
        if (errno != EINTR)
            return fail_here(r, d, "read error", strerror(errno));
    }
}

/* Inflates into r->out until it holds at least `min` bytes or the input ends;
 * concatenated gzip members are read as one stream, like gzip -d. */
static int
gzip_fill(struct tally_reader *r, size_t min, size_t *got, struct tally_diag *d)
{
    size_t produced = 0;
    while (produced < min && !r->done) {
        if (r->member_end) {
            if (r->in_len - r->in_pos < sizeof gzip_magic && !r->in_eof) {
                int rc = refill(r, d);
                if (rc != TALLY_OK)
                    return rc;
                continue;
            }
            size_t avail = r->in_len - r->in_pos;
            if (avail == 0) {
                r->done = true;
                break;
            }
            if (avail < sizeof gzip_magic ||
                memcmp(r->in + r->in_pos, gzip_magic, sizeof gzip_magic) != 0)
                return fail_here(r, d, "trailing garbage after gzip data", NULL);
            if (inflateReset(&r->zs) != Z_OK)
                return fail_here(r, d, "corrupt gzip data", r->zs.msg);
            r->member_end = false;
        }
        if (r->in_pos == r->in_len && !r->in_eof) {
            int rc = refill(r, d);
            if (rc != TALLY_OK)
                return rc;
        }
        r->zs.next_in = r->in + r->in_pos;
        r->zs.avail_in = (uInt)(r->in_len - r->in_pos);
        r->zs.next_out = r->out + produced;
        r->zs.avail_out = (uInt)(TALLY_READ_BLOCK - produced);
        int ret = inflate(&r->zs, Z_NO_FLUSH);
        r->in_pos = r->in_len - r->zs.avail_in;
        produced = TALLY_READ_BLOCK - r->zs.avail_out;
        if (ret == Z_STREAM_END) {
            r->member_end = true;
            continue;
        }
        if (ret == Z_MEM_ERROR)
            tally_oom();
        if (ret != Z_OK && ret != Z_BUF_ERROR)
            return fail_here(r, d, "corrupt gzip data", r->zs.msg ? r->zs.msg : "bad stream");
        /* Room left for output, all input used, and none to come. */
        if (r->zs.avail_out && r->zs.avail_in == 0 && r->in_eof)
            return fail_here(r, d, "truncated gzip data", NULL);
        if (produced == TALLY_READ_BLOCK)
            break;
    }
    *got = produced;
    return TALLY_OK;
}

/* Same for zstd; ZSTD_decompressStream moves on to a following frame by
 * itself. */
static int
zstd_fill(struct tally_reader *r, size_t min, size_t *got, struct tally_diag *d)
{
    ZSTD_outBuffer out = {r->out, TALLY_READ_BLOCK, 0};
    while (out.pos < min && !r->done) {
        if (r->in_pos == r->in_len && !r->in_eof) {
            int rc = refill(r, d);
            if (rc != TALLY_OK)
                return rc;
        }
        bool last = r->in_pos == r->in_len && r->in_eof;
        /* Called again after a finished frame, with no input, zstd asks for
         * the next frame header: the stream simply ended there. */
        if (last && r->zret == 0) {
            r->done = true;
            break;
        }
        ZSTD_inBuffer in = {r->in + r->in_pos, r->in_len - r->in_pos, 0};
        size_t ret = ZSTD_decompressStream(r->zd, &out, &in);
        if (ZSTD_isError(ret) && ZSTD_getErrorCode(ret) == ZSTD_error_memory_allocation)
            tally_oom();
        if (ZSTD_isError(ret))
            return fail_here(r, d, "corrupt zstd data", ZSTD_getErrorName(ret));
        r->in_pos += in.pos;
        r->zret = ret;
        if (r->in_pos == r->in_len && r->in_eof) {
            if (ret == 0)
                r->done = true; /* last frame decoded and flushed */
            else if (out.pos < out.size)
                return fail_here(r, d, "truncated zstd data", NULL);
        }
        if (out.pos == out.size)
            break;
    }
    *got = out.pos;
    return TALLY_OK;
}

/* The next block of the (decompressed) stream; *len is 0 only at the end.
 * The first block holds at least 3 bytes unless the stream is shorter, so
 * the BOM check sees it whole. */
static int
next_block(struct tally_reader *r, const unsigned char **buf, size_t *len, struct tally_diag *d)
{
    size_t min = r->first ? sizeof utf8_bom : 1;
    if (r->codec == CODEC_GZIP || r->codec == CODEC_ZSTD) {
        *buf = r->out;
        return r->codec == CODEC_GZIP ? gzip_fill(r, min, len, d) : zstd_fill(r, min, len, d);
    }
    /* Plain: the first block is what open() peeked (at least 4 bytes or all
     * of the input). */
    if (!r->first) {
        r->in_pos = r->in_len = 0;
        int rc = refill(r, d);
        if (rc != TALLY_OK)
            return rc;
    }
    *buf = r->in + r->in_pos;
    *len = r->in_len - r->in_pos;
    r->in_pos = r->in_len;
    return TALLY_OK;
}

static int
open_file(const char *path, int *fd, struct tally_diag *d)
{
    do
        *fd = open(path, O_RDONLY | O_CLOEXEC);
    while (*fd < 0 && errno == EINTR);
    if (*fd < 0)
        return tally_diag_fail(d, NULL, "cannot open %s: %s", path, strerror(errno));
    return TALLY_OK;
}

/* zlib allocates through tally_try_malloc, so a test can make it fail;
 * its Z_MEM_ERROR then ends in tally_oom like every other allocation. */
static voidpf
zlib_alloc(voidpf opaque, uInt items, uInt size)
{
    (void)opaque;
    if (size && items > SIZE_MAX / size)
        return Z_NULL;
    return tally_try_malloc((size_t)items * size);
}

static void
zlib_free(voidpf opaque, voidpf p)
{
    (void)opaque;
    free(p);
}

int
tally_reader_open(struct tally_reader **out, const char *path, struct tally_diag *d)
{
    *out = NULL;
    bool is_stdin = strcmp(path, "-") == 0;
    int fd = STDIN_FILENO;
    if (!is_stdin && open_file(path, &fd, d) != TALLY_OK)
        return TALLY_EDATA;
    struct tally_reader *r = tally_xcalloc(1, sizeof *r);
    r->fd = fd;
    r->own_fd = !is_stdin;
    r->name = tally_xstrdup(is_stdin ? "<stdin>" : path);
    r->first = true;
    r->bom_possible = true;
    r->wake_fd = -1;

    struct stat st;
    if (fstat(fd, &st) == 0) {
        r->stream = S_ISFIFO(st.st_mode) || S_ISSOCK(st.st_mode) || S_ISCHR(st.st_mode);
        if (S_ISDIR(st.st_mode)) {
            fail_here(r, d, "is a directory", NULL);
            tally_reader_free(r);
            return TALLY_EDATA;
        }
        if (S_ISREG(st.st_mode)) {
            off_t at = is_stdin ? lseek(fd, 0, SEEK_CUR) : 0;
            r->size = (uint64_t)st.st_size - (at > 0 ? (uint64_t)at : 0);
            (void)posix_fadvise(fd, 0, 0, POSIX_FADV_SEQUENTIAL);
        }
    }

    /* Peek at the first bytes: enough for the longest magic, even when a
     * pipe delivers them one at a time. */
    r->in = tally_xmalloc(TALLY_READ_BLOCK);
    while (r->in_len < sizeof zstd_magic && !r->in_eof) {
        if (refill(r, d) != TALLY_OK) {
            tally_reader_free(r);
            return TALLY_EDATA;
        }
    }
    if (r->in_len >= sizeof zstd_magic && memcmp(r->in, zstd_magic, sizeof zstd_magic) == 0) {
        r->codec = CODEC_ZSTD;
        r->zret = 1;
        r->zd = tally_xcheck(ZSTD_createDCtx());
    } else if (r->in_len >= sizeof gzip_magic &&
               memcmp(r->in, gzip_magic, sizeof gzip_magic) == 0) {
        r->codec = CODEC_GZIP;
        r->zs.zalloc = zlib_alloc;
        r->zs.zfree = zlib_free;
        int zrc = inflateInit2(&r->zs, 16 + MAX_WBITS);
        if (zrc == Z_MEM_ERROR)
            tally_oom();
        if (zrc != Z_OK) {
            fail_here(r, d, "cannot start the gzip decoder", r->zs.msg);
            tally_reader_free(r);
            return TALLY_EDATA;
        }
        r->zs_live = true;
    }
    if (r->codec != CODEC_PLAIN) {
        r->size = 0;
        r->out = tally_xmalloc(TALLY_READ_BLOCK);
    }
    *out = r;
    return TALLY_OK;
}

int
tally_reader_open_range(struct tally_reader **out, const char *path, uint64_t off, uint64_t len,
                        struct tally_diag *d)
{
    *out = NULL;
    int fd;
    if (open_file(path, &fd, d) != TALLY_OK)
        return TALLY_EDATA;
    struct tally_reader *r = tally_xcalloc(1, sizeof *r);
    r->fd = fd;
    r->own_fd = true;
    r->name = tally_xstrdup(path);
    r->limited = true;
    r->wake_fd = -1;
    r->left = len;
    r->size = len;
    r->in = tally_xmalloc(TALLY_READ_BLOCK);
    if (lseek(fd, (off_t)off, SEEK_SET) < 0) {
        fail_here(r, d, "cannot seek", strerror(errno));
        tally_reader_free(r);
        return TALLY_EDATA;
    }
    (void)posix_fadvise(fd, (off_t)off, (off_t)len, POSIX_FADV_SEQUENTIAL);
    /* next_block returns the peeked bytes first, as for a whole file. */
    r->first = true;
    r->bom_possible = off == 0;
    if (refill(r, d) != TALLY_OK) {
        tally_reader_free(r);
        return TALLY_EDATA;
    }
    *out = r;
    return TALLY_OK;
}

int
tally_reader_read(struct tally_reader *r, const char **buf, size_t *len, struct tally_diag *d)
{
    const unsigned char *b = NULL;
    size_t n = 0;
    for (;;) {
        int rc = next_block(r, &b, &n, d);
        if (rc != TALLY_OK) {
            *buf = NULL;
            *len = 0;
            return rc;
        }
        if (!r->first)
            break;
        r->first = false;
        if (!r->bom_possible)
            break;
        if (n < sizeof utf8_bom || memcmp(b, utf8_bom, sizeof utf8_bom) != 0)
            break;
        b += sizeof utf8_bom;
        n -= sizeof utf8_bom;
        if (n)
            break;
    }
    *buf = (const char *)b;
    *len = n;
    return TALLY_OK;
}

const char *
tally_reader_name(const struct tally_reader *r)
{
    return r->name;
}

uint64_t
tally_reader_size(const struct tally_reader *r)
{
    return r->size;
}

bool
tally_reader_compressed(const struct tally_reader *r)
{
    return r->codec != CODEC_PLAIN;
}

bool
tally_reader_is_stream(const struct tally_reader *r)
{
    return r->stream;
}

void
tally_reader_set_wake(struct tally_reader *r, int fd)
{
    r->wake_fd = fd;
}

void
tally_reader_free(struct tally_reader *r)
{
    if (!r)
        return;
    if (r->own_fd)
        close(r->fd);
    if (r->zs_live)
        inflateEnd(&r->zs);
    ZSTD_freeDCtx(r->zd);
    free(r->in);
    free(r->out);
    free(r->name);
    free(r);
}
