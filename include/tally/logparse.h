/* Log lines -> rows: a preset (combined, common, syslog) or a PCRE2 pattern
 * whose named groups are the columns. Fed blocks of any size; lines end in
 * LF or CRLF. Fields are slices of the line (zero copy when the line lies
 * inside one block). Lines that do not match are skipped and counted in
 * lenient mode, an error (TALLY_EDATA) in strict mode; blank lines are not
 * records and are skipped without being counted. The pattern is compiled
 * once (tally_logparse_code) and shared by the parsers of all threads. */
#ifndef TALLY_LOGPARSE_H
#define TALLY_LOGPARSE_H

#include <stdbool.h>
#include <stddef.h>
#include <stdint.h>

#include "tally/diag.h"
#include "tally/row.h"

/* The compiled pattern and its columns: made once, immutable, shared by
 * every thread's parser (PCRE2 code may be matched by several threads at
 * once, each with its own match data). Reference-counted: the compiler and
 * each parser hold it, so it goes away with the last of them. */
struct tally_logparse_code;
/* One thread's parser: match data, JIT stack, carry buffer, line and skip
 * counts. Never shared between threads. */
struct tally_logparse;

/* Longest line accepted (bytes); a longer one is TALLY_EDATA naming file:line. */
#define TALLY_LOG_MAX_LINE (1ull << 30)

/* spec: "combined", "common", "syslog", or a PCRE2 pattern with named groups
 * (copied). Compiles and JIT-compiles it once. Usage errors (TALLY_EUSAGE)
 * start "--log: " and end with the pattern and a caret under the fault: a
 * pattern PCRE2 rejects (its message, caret at its offset), a pattern with no
 * named group. */
int tally_logparse_compile(struct tally_logparse_code **out, const char *spec, bool strict,
                           struct tally_diag *d);
/* Drops the caller's hold (accepts NULL); parsers opened on it keep theirs. */
void tally_logparse_code_free(struct tally_logparse_code *c);
/* The columns (see tally_logparse_header), valid while c is held. */
const struct tally_header *tally_logparse_code_header(const struct tally_logparse_code *c);
/* A parser over c, cheap (no compiling): it holds c until freed. Safe to
 * call from any thread. */
struct tally_logparse *tally_logparse_open(struct tally_logparse_code *c);

/* Compile and open in one step: the parser alone holds the code. */
int tally_logparse_new(struct tally_logparse **out, const char *spec, bool strict,
                       struct tally_diag *d);
void tally_logparse_free(struct tally_logparse *p); /* accepts NULL */
/* Another parser for another thread over the same code (shared, not
 * recompiled): same engine and file, its own state with zero counts. */
struct tally_logparse *tally_logparse_clone(const struct tally_logparse *p);
/* The code p matches with (p holds it). */
struct tally_logparse_code *tally_logparse_code_of(const struct tally_logparse *p);

/* Column names in order: the preset's list from the SPEC, or the named groups
 * in group-number order. Owned by the code, valid until p is freed. */
const struct tally_header *tally_logparse_header(const struct tally_logparse *p);

/* Starts a new file: line numbers restart at 1, a partial line is dropped.
 * `file` is borrowed until the next reset. */
void tally_logparse_reset(struct tally_logparse *p, const char *file);
/* The same, for a chunk of a file that starts at line first_line (threads). */
void tally_logparse_reset_at(struct tally_logparse *p, const char *file, uint64_t first_line);

/* Parses len bytes, calling fn for each complete matching line. Returns
 * TALLY_OK, the callback's status, or TALLY_EDATA (strict mode, a match that
 * hits PCRE2's limits, a line longer than TALLY_LOG_MAX_LINE). */
int tally_logparse_feed(struct tally_logparse *p, const char *buf, size_t len, tally_row_fn fn,
                        void *ctx, struct tally_diag *d);
/* End of the file: a last line without a final newline is a line too. */
int tally_logparse_finish(struct tally_logparse *p, tally_row_fn fn, void *ctx,
                          struct tally_diag *d);

/* Lines skipped as not matching so far (all files). */
const struct tally_skipstat *tally_logparse_skipped(const struct tally_logparse *p);
/* Lines of the combined preset that end inside their last quoted field (the
 * agent, or the referer when there is no agent: the server cut the line),
 * read with that field running to the end of the line, so far (all files).
 * The column is that field's opening quote. Under strict mode such a line
 * is an error instead. Custom patterns never count here. */
const struct tally_skipstat *tally_logparse_unterminated(const struct tally_logparse *p);

/* The number of the last line completed (the lines since the last reset
 * when it began at line 1). */
uint64_t tally_logparse_lines(const struct tally_logparse *p);

/* Which engine the combined/common presets use. The hand-written scanner is
 * the default; the PCRE2 definition is the reference it must agree with.
 * For tests and benchmarks; call before the first feed. No effect on other
 * specs. */
enum tally_log_engine { TALLY_LOG_ENGINE_AUTO = 0, TALLY_LOG_ENGINE_PCRE2 };
void tally_logparse_set_engine(struct tally_logparse *p, enum tally_log_engine e);

/* The PCRE2 definition of a preset ("combined", "common", "syslog"), or NULL
 * for any other name. Static storage. */
const char *tally_logparse_preset_pattern(const char *name);

#endif
