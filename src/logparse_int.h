/* Private to the log stage (logparse.c, logparse_preset.c): the field order
 * of the combined preset and the hand-written scanner that reads combined
 * and common lines exactly as their PCRE2 definitions do. */
#ifndef TALLY_LOGPARSE_INT_H
#define TALLY_LOGPARSE_INT_H

#include <stdbool.h>
#include <stddef.h>

#include "tally/slice.h"

/* Field order of the combined preset (common is its first ten). */
enum {
    LOG_F_IP,
    LOG_F_IDENT,
    LOG_F_USER,
    LOG_F_TIME,
    LOG_F_REQUEST,
    LOG_F_METHOD,
    LOG_F_PATH,
    LOG_F_PROTO,
    LOG_F_STATUS,
    LOG_F_BYTES,
    LOG_F_REFERER,
    LOG_F_AGENT,
    LOG_F_NCOMBINED
};

/* Reads one line (n bytes, no line end) of the combined (or common) preset
 * into f (LOG_F_NCOMBINED slices of s, or the first ten); false when it does
 * not match. An empty field that is absent points at s. */
bool logparse_scan_clf(const char *s, size_t n, bool combined, struct tally_slice *f);

#endif
