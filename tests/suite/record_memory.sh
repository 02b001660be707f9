#!/usr/bin/env bash
# record_memory.sh TALLY: memory for a record grows only on a longer record.
# Peak RSS reading 48 records of 4 MiB stays within a few MiB of reading one,
# and 48 records growing to 4 MiB need no more than the doubling of the
# largest, however many records there are.
set -euo pipefail
bin=$1
dir=$(mktemp -d)
trap 'rm -rf "$dir"' EXIT
python3 - "$bin" "$dir" <<'PY'
import os, subprocess, sys

bin, dir = sys.argv[1], sys.argv[2]
MiB = 1 << 20

def write(name, rows):
    path = os.path.join(dir, name)
    with open(path, "wb") as f:
        f.write(b"id,blob\n")
        for i, n in enumerate(rows):
            f.write(b'%d,"%s"\n' % (i, b"x" * n))
    return path

def peak_kib(path):
    """tally -a count on path: (count, peak RSS in KiB). Measured from a
    small fresh interpreter: a child's ru_maxrss includes what its parent
    held when it forked."""
    code = ("import resource,subprocess,sys;"
            "p=subprocess.run([sys.argv[1],'-a','count','-'],stdin=open(sys.argv[2],'rb'),"
            "capture_output=True,check=True);"
            "print(p.stdout.decode().split()[-1],resource.getrusage(resource.RUSAGE_CHILDREN).ru_maxrss)")
    out = subprocess.run([sys.executable, "-c", code, bin, path], capture_output=True,
                         check=True).stdout.split()
    return int(out[0]), int(out[1])

c1, k1 = peak_kib(write("one.csv", [4 * MiB]))
c2, k2 = peak_kib(write("many.csv", [4 * MiB] * 48))
c3, k3 = peak_kib(write("growing.csv", [(i + 1) * 4 * MiB // 48 for i in range(48)]))
print(f"peak RSS: 1 x 4 MiB {k1} KiB; 48 x 4 MiB {k2} KiB; 48 growing to 4 MiB {k3} KiB")
assert (c1, c2, c3) == (1, 48, 48), (c1, c2, c3)
assert k2 <= k1 + 8 * 1024, "peak RSS grew with the number of equal records"
# 16 MiB of slack: under ASan, the buffers each doubling frees wait in quarantine.
assert k3 <= k1 + 16 * 1024, "peak RSS for records growing to 4 MiB above that of one"
print("ok")
PY
