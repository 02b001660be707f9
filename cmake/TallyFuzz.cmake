# Hardening targets, all off by default.
#
# -DTALLY_FUZZ=ON (with CC=clang): tally_core and everything linking it are
# built with -fsanitize=fuzzer-no-link,address,undefined, and each
# tests/fuzz/fuzz_<name>.c becomes a libFuzzer binary fuzz_<name>.
# See tests/fuzz/README.md for seed corpora and run commands.
#
# -DTALLY_VALGRIND=ON: adds ctest tests labelled `valgrind` that run every
# unit test and a selection of command lines under valgrind memcheck. Use a
# build without TALLY_SANITIZE; run them with `ctest -L valgrind`.
option(TALLY_FUZZ "Build the libFuzzer harnesses in tests/fuzz (clang only)" OFF)
option(TALLY_VALGRIND "Add ctest tests labelled valgrind (valgrind memcheck)" OFF)

if(TALLY_FUZZ)
  if(NOT CMAKE_C_COMPILER_ID MATCHES "Clang")
    message(FATAL_ERROR "TALLY_FUZZ needs clang: configure with CC=clang")
  endif()
  if(TALLY_SANITIZE)
    message(FATAL_ERROR "TALLY_FUZZ already enables ASan+UBSan: leave TALLY_SANITIZE off")
  endif()
  set(TALLY_FUZZ_SAN -fsanitize=address,undefined -fno-sanitize-recover=all
    -fno-omit-frame-pointer -g)
  target_compile_options(tally_core PRIVATE -fsanitize=fuzzer-no-link ${TALLY_FUZZ_SAN})
  target_link_options(tally_core PUBLIC -fsanitize=address,undefined)

  file(GLOB TALLY_FUZZ_SOURCES CONFIGURE_DEPENDS
    ${CMAKE_CURRENT_SOURCE_DIR}/tests/fuzz/fuzz_*.c)
  set(TALLY_FUZZ_TARGETS "")
  foreach(src ${TALLY_FUZZ_SOURCES})
    get_filename_component(name ${src} NAME_WE)
    add_executable(${name} ${src})
    target_compile_options(${name} PRIVATE -fsanitize=fuzzer ${TALLY_FUZZ_SAN})
    target_link_options(${name} PRIVATE -fsanitize=fuzzer,address,undefined)
    target_link_libraries(${name} PRIVATE tally_core)
    tally_warnings(${name})
    list(APPEND TALLY_FUZZ_TARGETS ${name})
  endforeach()
  add_custom_target(fuzz DEPENDS ${TALLY_FUZZ_TARGETS})
endif()

if(TALLY_VALGRIND AND TALLY_TESTS)
  find_program(VALGRIND valgrind REQUIRED)
  set(TALLY_VALGRIND_CMD ${VALGRIND} --quiet --error-exitcode=1 --leak-check=full
    --errors-for-leak-kinds=definite,indirect --show-leak-kinds=definite,indirect)
  file(GLOB TALLY_VG_UNIT CONFIGURE_DEPENDS ${CMAKE_CURRENT_SOURCE_DIR}/tests/unit/test_*.c)
  foreach(src ${TALLY_VG_UNIT})
    get_filename_component(name ${src} NAME_WE)
    add_test(NAME valgrind/unit/${name} COMMAND ${TALLY_VALGRIND_CMD} $<TARGET_FILE:${name}>)
    set_tests_properties(valgrind/unit/${name} PROPERTIES LABELS valgrind TIMEOUT 3600
      ENVIRONMENT "TALLY_REALDATA=${TALLY_REALDATA_DIR};TALLY_TESTS_DIR=${CMAKE_CURRENT_SOURCE_DIR}/tests")
    # The binary's realdata_tests[] too (tests/unit/realdata.h), skipped without the data.
    file(STRINGS ${src} uses_realdata REGEX "realdata_tests\\[\\]")
    if(uses_realdata)
      add_test(NAME valgrind/unit/${name}/realdata
        COMMAND ${TALLY_VALGRIND_CMD} $<TARGET_FILE:${name}> --realdata)
      set_tests_properties(valgrind/unit/${name}/realdata PROPERTIES
        LABELS "valgrind;realdata" TIMEOUT 3600 SKIP_RETURN_CODE 77
        ENVIRONMENT "TALLY_REALDATA=${TALLY_REALDATA_DIR};TALLY_TESTS_DIR=${CMAKE_CURRENT_SOURCE_DIR}/tests")
    endif()
  endforeach()
  add_test(NAME valgrind/cli
    COMMAND bash ${CMAKE_CURRENT_SOURCE_DIR}/tests/fuzz/valgrind.sh $<TARGET_FILE:tally>)
  set_tests_properties(valgrind/cli PROPERTIES LABELS valgrind TIMEOUT 3600
    ENVIRONMENT "TALLY_REALDATA=${TALLY_REALDATA_DIR};TALLY_TESTS_DIR=${CMAKE_CURRENT_SOURCE_DIR}/tests")
endif()
