/* Entry point (placeholder until the pipeline lands). */
#include <stdio.h>

int
main(void)
{
    puts("tally " TALLY_VERSION);
    return 0;
}
