/* Status codes shared by every stage. Deep code returns one of these; only
 * main.c turns a status into an exit code (TALLY_EPIPE exits 0, quietly). */
#ifndef TALLY_STATUS_H
#define TALLY_STATUS_H

enum tally_status {
    TALLY_OK = 0,
    TALLY_EDATA = 1,  /* runtime or data error: exit 1 */
    TALLY_EUSAGE = 2, /* usage error: exit 2 */
    TALLY_EPIPE = 3,  /* the reader of our output went away: stop, exit 0 */
    TALLY_ESTOP = 4,  /* internal: enough output (--limit), stop reading; exit 0 */
};

/* A short English name for a status ("ok", "data error", ...). Static storage. */
const char *tally_status_str(int status);

#endif
