/* Facts about the terminal that output and the progress bar adapt to. */
#ifndef TALLY_TERM_H
#define TALLY_TERM_H

/* Columns to draw in: COLUMNS when set to a positive number, else the
 * width of the terminal on fd, else 80. */
int tally_term_width(int fd);

#endif
