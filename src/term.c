/* Terminal width for the chart and the progress bar. */
#include "tally/term.h"

#include <stdlib.h>
#include <sys/ioctl.h>

int
tally_term_width(int fd)
{
    const char *cols = getenv("COLUMNS");
    if (cols && *cols) {
        int v = atoi(cols);
        if (v > 0)
            return v;
    }
    struct winsize ws;
    if (ioctl(fd, TIOCGWINSZ, &ws) == 0 && ws.ws_col > 0)
        return ws.ws_col;
    return 80;
}
