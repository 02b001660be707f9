/* Diagnostics: deep code records the first error with its location and
 * returns a status; main.c alone prints it ("tally: " + msg) and exits. */
#ifndef TALLY_DIAG_H
#define TALLY_DIAG_H

#include <stddef.h>
#include <stdint.h>

/* line and col are 1-based and count bytes; 0 means unknown and is omitted. */
struct tally_loc {
    const char *file; /* borrowed, display name ("<stdin>" for standard input) */
    uint64_t line;
    uint64_t col;
};

#define TALLY_DIAG_MAX 4096

struct tally_diag {
    int status;               /* TALLY_OK until the first failure */
    char msg[TALLY_DIAG_MAX]; /* without the "tally: " prefix; may hold several lines */
    /* The location of a data error, kept apart so a thread that counted
     * lines from the start of its chunk can move it (tally_diag_shift_line). */
    char file[256];
    uint64_t line, col;
    size_t body; /* offset in msg where the text after "file:line:col: " starts */
};

void tally_diag_init(struct tally_diag *d);

/* Records "file:line:col: <message>" (the parts that are known) unless an
 * error is already recorded; returns TALLY_EDATA. loc may be NULL. */
int tally_diag_fail(struct tally_diag *d, const struct tally_loc *loc, const char *fmt, ...)
    __attribute__((format(printf, 3, 4)));

/* Records a usage error message; returns TALLY_EUSAGE. */
int tally_diag_usage(struct tally_diag *d, const char *fmt, ...)
    __attribute__((format(printf, 2, 3)));

/* Appends "\n  <text>\n  <spaces>^^^" under a usage message: the caret
 * marks bytes [off, off+len) of text (len 0 draws one caret). */
void tally_diag_caret(struct tally_diag *d, const char *text, size_t off, size_t len);

/* Adds delta to the line of a recorded data error and re-formats its
 * location prefix; no-op when the error has no line. */
void tally_diag_shift_line(struct tally_diag *d, uint64_t delta);

/* Formats a location "file:line:col" into buf (parts that are known). */
void tally_loc_format(const struct tally_loc *loc, char *buf, size_t size);

#endif
