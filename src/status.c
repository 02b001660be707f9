/* Status names, for messages and tests. */
#include "tally/status.h"

const char *
tally_status_str(int status)
{
    switch (status) {
    case TALLY_OK:
        return "ok";
    case TALLY_EDATA:
        return "data error";
    case TALLY_EUSAGE:
        return "usage error";
    case TALLY_EPIPE:
        return "broken pipe";
    default:
        return "unknown status";
    }
}
