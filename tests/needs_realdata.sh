# Sourced by a test that reads the real data set, as its first command:
#     . "$(dirname "$0")/../needs_realdata.sh"
# That line is also what tests/CMakeLists.txt looks for to label the test
# `realdata` and accept exit 77 as ctest's Skipped. When $TALLY_REALDATA
# (set by ctest from the CMake option TALLY_REALDATA) is not a folder, it
# says why and exits 77; otherwise TALLY_REALDATA is exported as an
# absolute path.
if [ -z "${TALLY_REALDATA:-}" ] || [ ! -d "$TALLY_REALDATA" ]; then
    echo "skipped: needs the real data set, not found at '${TALLY_REALDATA:-}'" \
        "(set it with cmake -DTALLY_REALDATA=DIR; README, Building and testing)"
    exit 77
fi
TALLY_REALDATA=$(cd "$TALLY_REALDATA" && pwd)
export TALLY_REALDATA
