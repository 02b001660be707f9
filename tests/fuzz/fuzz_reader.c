/* libFuzzer harness for the byte input stage: the input is written to an
 * in-memory file and read back whole through tally_reader, plain, gzip or
 * zstd alike (the fuzzer finds the magic bytes; the seeds have them). Plain
 * input must come back unchanged but for a leading BOM; compressed input
 * must end in OK or a located error, never a crash or a hang. */
#include <stdbool.h>
#include <stddef.h>
#include <stdint.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <sys/mman.h>
#include <unistd.h>

#include "tally/diag.h"
#include "tally/reader.h"
#include "tally/status.h"

int LLVMFuzzerTestOneInput(const uint8_t *data, size_t size);

/* Decompressed output read beyond this is not looked at (bombs). */
#define OUT_CAP (64u << 20)

static bool
has_prefix(const uint8_t *d, size_t n, const char *magic, size_t m)
{
    return n >= m && memcmp(d, magic, m) == 0;
}

int
LLVMFuzzerTestOneInput(const uint8_t *data, size_t size)
{
    static int fd = -1;
    static char path[64];
    if (fd < 0) {
        fd = memfd_create("fuzz_reader", 0);
        if (fd < 0)
            abort();
        snprintf(path, sizeof path, "/proc/self/fd/%d", fd);
    }
    if (ftruncate(fd, 0) != 0 || pwrite(fd, data, size, 0) != (ssize_t)size)
        abort();

    bool compressed =
        has_prefix(data, size, "\x1f\x8b", 2) || has_prefix(data, size, "\x28\xb5\x2f\xfd", 4);
    size_t skip = has_prefix(data, size, "\xef\xbb\xbf", 3) ? 3 : 0;

    struct tally_diag d;
    tally_diag_init(&d);
    struct tally_reader *r = NULL;
    int st = tally_reader_open(&r, path, &d);
    if (st != TALLY_OK) {
        if (r || d.msg[0] == '\0')
            abort();
        return 0;
    }
    if (tally_reader_size(r) != (compressed ? 0 : size))
        abort();
    size_t total = 0;
    for (;;) {
        const char *buf;
        size_t len;
        st = tally_reader_read(r, &buf, &len, &d);
        if (st != TALLY_OK) {
            if (!compressed || d.msg[0] == '\0')
                abort();
            break;
        }
        if (len == 0)
            break;
        if (len > TALLY_READ_BLOCK)
            abort();
        if (!compressed) {
            if (total + len > size - skip || memcmp(buf, data + skip + total, len) != 0)
                abort();
        } else {
            volatile unsigned char sink = 0;
            for (size_t i = 0; i < len; i += 4096)
                sink ^= (unsigned char)buf[i];
            sink ^= (unsigned char)buf[len - 1];
            (void)sink;
        }
        total += len;
        if (total > OUT_CAP)
            break;
    }
    if (st == TALLY_OK && !compressed && total != size - skip)
        abort();
    tally_reader_free(r);
    return 0;
}
