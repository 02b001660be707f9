/* libFuzzer harness for the partial-state reader (--merge): the input is a
 * partial file, or anything else. The merge must end in OK, a located data
 * error or a usage error, never a crash, a leak or a hang; and when it
 * succeeds, the combined partial it writes (--merge --partial) must merge
 * again, to the very same bytes. An input that starts with byte 0x01 has
 * that byte dropped and the check of each group line recomputed, so that
 * the fuzzer reaches the states' decoders behind the checks. */
#include <stdbool.h>
#include <stddef.h>
#include <stdint.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <sys/mman.h>
#include <unistd.h>

#include "tally/cli.h"
#include "tally/diag.h"
#include "tally/merge.h"
#include "tally/partial.h"
#include "tally/report.h"
#include "tally/status.h"

int LLVMFuzzerTestOneInput(const uint8_t *data, size_t size);

struct memfile {
    int fd;
    char path[64];
};

static void
memfile_open(struct memfile *f, const char *name)
{
    if (f->fd > 0)
        return;
    f->fd = memfd_create(name, 0);
    if (f->fd < 0)
        abort();
    snprintf(f->path, sizeof f->path, "/proc/self/fd/%d", f->fd);
}

static void
memfile_reset(struct memfile *f)
{
    if (ftruncate(f->fd, 0) != 0 || lseek(f->fd, 0, SEEK_SET) != 0)
        abort();
}

/* Merges the partial at path into out (truncated first); --partial when
 * partial is set. */
static int
merge(const char *path, struct memfile *out, bool partial)
{
    struct tally_opts o;
    memset(&o, 0, sizeof o);
    o.limit = -1;
    o.progress = 0;
    o.threads = 1;
    o.partial = partial;
    o.merge = true;
    o.output = TALLY_FMT_CSV;
    o.output_set = !partial;
    char *files[] = {(char *)path};
    o.files = files;
    o.nfiles = 1;
    struct tally_diag d;
    tally_diag_init(&d);
    struct tally_report rep = {0};
    memfile_reset(out);
    int rc = tally_merge_run(&o, out->fd, &rep, &d);
    tally_report_fini(&rep);
    if (rc != TALLY_OK && d.msg[0] == '\0')
        abort(); /* every failure says what it is */
    return rc;
}

/* Rewrites the last 8 bytes of every line that ends in TAB + 8 bytes and
 * does not start with '#' to the line's check. */
static void
repair_checks(char *s, size_t n)
{
    size_t start = 0;
    while (start < n) {
        char *lf = memchr(s + start, '\n', n - start);
        size_t end = lf ? (size_t)(lf - s) : n;
        if (end - start > 9 && s[start] != '#' && s[end - 9] == '\t') {
            char hex[9];
            snprintf(hex, sizeof hex, "%08x",
                     (unsigned)tally_partial_check(s + start, end - 9 - start));
            memcpy(s + end - 8, hex, 8);
        }
        start = end + 1;
    }
}

static size_t
slurp(struct memfile *f, char **buf)
{
    off_t n = lseek(f->fd, 0, SEEK_END);
    *buf = malloc((size_t)n + 1);
    if (!*buf || pread(f->fd, *buf, (size_t)n, 0) != (ssize_t)n)
        abort();
    return (size_t)n;
}

int
LLVMFuzzerTestOneInput(const uint8_t *data, size_t size)
{
    static struct memfile in, once, again, result;
    memfile_open(&in, "fuzz_merge_in");
    memfile_open(&once, "fuzz_merge_once");
    memfile_open(&again, "fuzz_merge_again");
    memfile_open(&result, "fuzz_merge_result");
    memfile_reset(&in);
    char *text = malloc(size + 1);
    if (!text)
        abort();
    memcpy(text, data, size);
    size_t n = size;
    if (n && text[0] == 1) {
        memmove(text, text + 1, --n);
        repair_checks(text, n);
    }
    if (n && pwrite(in.fd, text, n, 0) != (ssize_t)n)
        abort();
    free(text);
    if (merge(in.path, &once, true) != TALLY_OK)
        return 0;
    /* It read: its combined partial merges again, to the same partial, and
     * prints the same result as the input. */
    if (merge(once.path, &again, true) != TALLY_OK)
        abort();
    char *a, *b;
    size_t na = slurp(&once, &a), nb = slurp(&again, &b);
    if (na != nb || memcmp(a, b, na) != 0)
        abort();
    free(a);
    free(b);
    if (merge(in.path, &result, false) != TALLY_OK || merge(once.path, &again, false) != TALLY_OK)
        abort();
    na = slurp(&result, &a);
    nb = slurp(&again, &b);
    if (na != nb || memcmp(a, b, na) != 0)
        abort();
    free(a);
    free(b);
    return 0;
}
