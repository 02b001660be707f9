# Install rules and packaging (owned by the shell-fit work).
include(GNUInstallDirs)
install(TARGETS tally RUNTIME DESTINATION ${CMAKE_INSTALL_BINDIR})
