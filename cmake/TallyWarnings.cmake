# The warning set every target of ours compiles with (STYLE.md).
function(tally_warnings target)
  target_compile_options(${target} PRIVATE
    -Wall -Wextra -Wpedantic -Wshadow -Wstrict-prototypes -Wmissing-prototypes
    -Wformat=2 -Wundef -Wcast-align -Wwrite-strings -Wvla -Wno-unused-parameter)
  if(TALLY_WERROR)
    target_compile_options(${target} PRIVATE -Werror)
  endif()
endfunction()
