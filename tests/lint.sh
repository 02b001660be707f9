#!/usr/bin/env bash
# lint.sh format|cppcheck SRCDIR: the checks CI holds the code to.
set -u
what=$1
cd "$2" || exit 1
files=$(ls src/*.c src/*.h include/tally/*.h tests/unit/*.c tests/fuzz/*.c bench/*.c 2>/dev/null)
case $what in
format)
    command -v clang-format >/dev/null || { echo "clang-format not installed"; exit 77; }
    clang-format --dry-run -Werror $files
    ;;
cppcheck)
    command -v cppcheck >/dev/null || { echo "cppcheck not installed"; exit 77; }
    cppcheck --quiet --error-exitcode=1 --enable=warning,performance,portability \
        --inline-suppr --std=c11 -D__GNUC__ -DTALLY_VERSION='"0"' -I include src
    ;;
*)
    echo "usage: lint.sh format|cppcheck SRCDIR" >&2
    exit 2
    ;;
esac
