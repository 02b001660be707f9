# Install rules and packaging (owned by the shell-fit work): `cmake --install`
# puts the binary, man page and shell completions under the prefix; `cpack -G
# DEB` builds a .deb that declares its shared-library dependencies.
include(GNUInstallDirs)

install(TARGETS tally RUNTIME DESTINATION ${CMAKE_INSTALL_BINDIR})

# The man page is installed gzipped, as Debian policy wants, when gzip is
# there; as is otherwise (man reads both).
set(TALLY_MAN_SRC ${CMAKE_CURRENT_SOURCE_DIR}/doc/tally.1)
find_program(TALLY_GZIP gzip)
if(TALLY_GZIP)
  set(TALLY_MAN_GZ ${CMAKE_CURRENT_BINARY_DIR}/tally.1.gz)
  add_custom_command(OUTPUT ${TALLY_MAN_GZ}
    COMMAND ${TALLY_GZIP} -9 -n -c ${TALLY_MAN_SRC} > ${TALLY_MAN_GZ}
    DEPENDS ${TALLY_MAN_SRC}
    COMMENT "Compressing the man page")
  add_custom_target(tally_man ALL DEPENDS ${TALLY_MAN_GZ})
  install(FILES ${TALLY_MAN_GZ} DESTINATION ${CMAKE_INSTALL_MANDIR}/man1)
else()
  install(FILES ${TALLY_MAN_SRC} DESTINATION ${CMAKE_INSTALL_MANDIR}/man1)
endif()

install(FILES ${CMAKE_CURRENT_SOURCE_DIR}/completions/tally.bash
  DESTINATION ${CMAKE_INSTALL_DATADIR}/bash-completion/completions RENAME tally)
install(FILES ${CMAKE_CURRENT_SOURCE_DIR}/completions/_tally
  DESTINATION ${CMAKE_INSTALL_DATADIR}/zsh/vendor-completions)
install(FILES ${CMAKE_CURRENT_SOURCE_DIR}/completions/tally.fish
  DESTINATION ${CMAKE_INSTALL_DATADIR}/fish/vendor_completions.d)
install(FILES ${CMAKE_CURRENT_SOURCE_DIR}/README.md ${CMAKE_CURRENT_SOURCE_DIR}/LICENSE
  DESTINATION ${CMAKE_INSTALL_DOCDIR} OPTIONAL)

# CPack: a Debian package. dpkg-shlibdeps (package dpkg-dev) reads the
# binary's NEEDED entries and writes Depends: libcsv3, libpcre2-8-0, zlib1g,
# libzstd1, libc6.
set(CPACK_PACKAGE_NAME tally)
set(CPACK_PACKAGE_VERSION ${PROJECT_VERSION})
set(CPACK_PACKAGE_VENDOR "tally developers")
set(CPACK_PACKAGE_CONTACT "tally developers <tally@localhost>")
set(CPACK_PACKAGE_DESCRIPTION_SUMMARY
  "streaming group-by for CSV, TSV and log files")
set(CPACK_PACKAGE_DESCRIPTION
  "tally answers group-by questions about large CSV/TSV exports and log files in one streaming pass: filter rows, pick columns, group, aggregate (count, sum, mean, percentiles, distinct, ...) and print a table, CSV, TSV, JSON, Markdown or a bar chart. Memory grows with the number of groups, never with the number of rows.")
set(CPACK_PACKAGE_HOMEPAGE_URL "https://example.invalid/tally")
set(CPACK_RESOURCE_FILE_LICENSE ${CMAKE_CURRENT_SOURCE_DIR}/LICENSE)
set(CPACK_STRIP_FILES ON)
set(CPACK_GENERATOR DEB)
set(CPACK_SOURCE_GENERATOR TGZ)
set(CPACK_SOURCE_IGNORE_FILES "/\\\\.git/" "/build[^/]*/" "\\\\.deb$")

set(CPACK_DEBIAN_PACKAGE_NAME tally)
set(CPACK_DEBIAN_FILE_NAME DEB-DEFAULT)
set(CPACK_DEBIAN_PACKAGE_MAINTAINER "tally developers <tally@localhost>")
set(CPACK_DEBIAN_PACKAGE_SECTION utils)
set(CPACK_DEBIAN_PACKAGE_PRIORITY optional)
set(CPACK_DEBIAN_PACKAGE_SHLIBDEPS ON)
set(CPACK_DEBIAN_PACKAGE_SUGGESTS "bash-completion")
set(CPACK_DEBIAN_PACKAGE_GENERATE_SHLIBS OFF)

include(CPack)
