/* Unit tests that read the real data set ($TALLY_REALDATA, set by ctest from
 * the CMake option TALLY_REALDATA). A test binary lists them in main() in a
 * second array named realdata_tests[]; tests/CMakeLists.txt sees that name
 * and registers the binary twice: unit/<name> runs the other tests, always,
 * and unit/<name>/realdata runs `<name> --realdata`, which is skipped (exit
 * 77, ctest: Skipped, the reason printed) where the data is absent:
 *
 *     if (realdata_group(argc, argv))
 *         return cmocka_run_group_tests(realdata_tests, NULL, NULL);
 *     return cmocka_run_group_tests(tests, NULL, NULL);
 *
 * Include after <cmocka.h>. */
#ifndef TALLY_TESTS_REALDATA_H
#define TALLY_TESTS_REALDATA_H

#include <stdbool.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <sys/stat.h>

/* The real data set's folder; only for tests in realdata_tests[], which run
 * once realdata_group() has checked it. */
static inline const char *
realdata_dir(void)
{
    const char *dir = getenv("TALLY_REALDATA");
    if (!dir)
        fail_msg("TALLY_REALDATA is not set");
    return dir;
}

/* True for `--realdata`: run realdata_tests[]; exits 77 saying why when
 * $TALLY_REALDATA is not a folder. False without arguments: run the rest. */
static inline bool
realdata_group(int argc, char **argv)
{
    if (argc == 1)
        return false;
    if (argc != 2 || strcmp(argv[1], "--realdata") != 0) {
        fprintf(stderr, "usage: %s [--realdata]\n", argv[0]);
        exit(2);
    }
    const char *dir = getenv("TALLY_REALDATA");
    struct stat st;
    if (!dir || !*dir || stat(dir, &st) != 0 || !S_ISDIR(st.st_mode)) {
        printf("skipped: needs the real data set, not found at '%s' (set it with cmake "
               "-DTALLY_REALDATA=DIR; README, Building and testing)\n",
               dir ? dir : "");
        exit(77);
    }
    return true;
}

#endif
