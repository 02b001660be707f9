#!/usr/bin/env bash
# shell_deb.sh TALLY: configure the source tree into a temporary directory,
# build, `cmake --install` into a staging prefix, then `cpack -G DEB`; the
# .deb holds the binary, the man page and the completions, and its Depends
# names the shared libraries tally links (via dpkg-shlibdeps). Skipped (exit
# 77, ctest: Skipped) only when cpack or dpkg-deb is not installed.
set -u
src=$(cd "${TALLY_TESTS_DIR:-$(dirname "$0")/..}/.." && pwd)
for tool in cmake cpack dpkg-deb; do
    command -v $tool >/dev/null || { echo "skipped: $tool is not installed"; exit 77; }
done
command -v dpkg-shlibdeps >/dev/null ||
    { echo "FAIL: dpkg-shlibdeps missing (apt-get install dpkg-dev)"; exit 1; }

tmp=$(mktemp -d "${TMPDIR:-/tmp}/tally-deb.XXXXXX")
trap 'rm -rf "$tmp"' EXIT
fail=0
log=$tmp/log

run()
{
    "$@" >>"$log" 2>&1 || { echo "FAIL: $*"; tail -n 40 "$log"; exit 1; }
}

run cmake -S "$src" -B "$tmp/build" -DTALLY_TESTS=OFF -DCMAKE_BUILD_TYPE=Release \
    -DCMAKE_INSTALL_PREFIX=/usr
run cmake --build "$tmp/build" -j2

# cmake --install: the standard places under the prefix.
run cmake --install "$tmp/build" --prefix "$tmp/stage/usr"
for f in usr/bin/tally usr/share/man/man1/tally.1.gz \
    usr/share/bash-completion/completions/tally usr/share/zsh/vendor-completions/_tally \
    usr/share/fish/vendor_completions.d/tally.fish; do
    [ -e "$tmp/stage/$f" ] || { echo "FAIL: cmake --install did not install $f"; fail=1; }
done
[ -x "$tmp/stage/usr/bin/tally" ] && ! "$tmp/stage/usr/bin/tally" --version >/dev/null &&
    { echo "FAIL: the installed tally does not run"; fail=1; }
if command -v man >/dev/null && [ -e "$tmp/stage/usr/share/man/man1/tally.1.gz" ]; then
    man -l "$tmp/stage/usr/share/man/man1/tally.1.gz" 2>/dev/null | grep -q 'tally' ||
        { echo "FAIL: the installed man page does not render"; fail=1; }
fi

(cd "$tmp/build" && cpack -G DEB) >>"$log" 2>&1 || { echo "FAIL: cpack -G DEB"; tail -n 40 "$log"; exit 1; }
deb=$(ls "$tmp"/build/tally_*.deb 2>/dev/null | head -n 1)
[ -n "$deb" ] || { echo "FAIL: cpack made no tally_*.deb"; ls "$tmp/build"; exit 1; }

contents=$(dpkg-deb -c "$deb")
for f in ./usr/bin/tally ./usr/share/man/man1/tally.1.gz \
    ./usr/share/bash-completion/completions/tally ./usr/share/zsh/vendor-completions/_tally \
    ./usr/share/fish/vendor_completions.d/tally.fish; do
    grep -qE " $f\$" <<<"$contents" || { echo "FAIL: $(basename "$deb") lacks $f"; fail=1; }
done

[ "$(dpkg-deb -f "$deb" Package)" = tally ] || { echo "FAIL: package name is not tally"; fail=1; }
version=$(sed -n 's/^project(tally VERSION \([0-9.]*\).*/\1/p' "$src/CMakeLists.txt")
[ "$(dpkg-deb -f "$deb" Version)" = "$version" ] ||
    { echo "FAIL: Version $(dpkg-deb -f "$deb" Version), project says $version"; fail=1; }
[ -n "$(dpkg-deb -f "$deb" Maintainer)" ] || { echo "FAIL: no Maintainer"; fail=1; }
[ -n "$(dpkg-deb -f "$deb" Description)" ] || { echo "FAIL: no Description"; fail=1; }
depends=$(dpkg-deb -f "$deb" Depends)
for lib in libc6 libcsv libpcre2-8 zlib1g libzstd; do
    grep -q "$lib" <<<"$depends" || { echo "FAIL: Depends lacks $lib: $depends"; fail=1; }
done

[ $fail -eq 0 ] && echo "ok: $(basename "$deb"): Depends: $depends"
exit $fail
