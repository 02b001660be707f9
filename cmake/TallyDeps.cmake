# Finds the Debian libraries tally links; a missing one stops configure with
# the apt-get line that installs it.
set(TALLY_APT "apt-get install -y libcsv-dev libpcre2-dev libcmocka-dev zlib1g-dev libzstd-dev pkg-config")

find_package(PkgConfig)
if(NOT PkgConfig_FOUND)
  message(FATAL_ERROR "pkg-config not found. Install the build dependencies:\n  ${TALLY_APT}")
endif()

find_path(LIBCSV_INCLUDE_DIR csv.h)
find_library(LIBCSV_LIBRARY NAMES csv)
if(NOT LIBCSV_INCLUDE_DIR OR NOT LIBCSV_LIBRARY)
  message(FATAL_ERROR "libcsv not found. Install it:\n  apt-get install -y libcsv-dev\n"
    "or all build dependencies:\n  ${TALLY_APT}")
endif()

pkg_check_modules(PCRE2 libpcre2-8)
if(NOT PCRE2_FOUND)
  message(FATAL_ERROR "PCRE2 not found. Install it:\n  apt-get install -y libpcre2-dev")
endif()
pkg_check_modules(ZLIB zlib)
if(NOT ZLIB_FOUND)
  message(FATAL_ERROR "zlib not found. Install it:\n  apt-get install -y zlib1g-dev")
endif()
pkg_check_modules(ZSTD libzstd)
if(NOT ZSTD_FOUND)
  message(FATAL_ERROR "libzstd not found. Install it:\n  apt-get install -y libzstd-dev")
endif()

add_library(tally_deps INTERFACE)
target_include_directories(tally_deps INTERFACE ${LIBCSV_INCLUDE_DIR} ${PCRE2_INCLUDE_DIRS}
  ${ZLIB_INCLUDE_DIRS} ${ZSTD_INCLUDE_DIRS})
target_link_libraries(tally_deps INTERFACE ${LIBCSV_LIBRARY} ${PCRE2_LINK_LIBRARIES}
  ${ZLIB_LINK_LIBRARIES} ${ZSTD_LINK_LIBRARIES})

if(TALLY_TESTS)
  pkg_check_modules(CMOCKA cmocka)
  if(NOT CMOCKA_FOUND)
    message(FATAL_ERROR "cmocka not found. Install it:\n  apt-get install -y libcmocka-dev\n"
      "or configure with -DTALLY_TESTS=OFF")
  endif()
endif()
