"""What the Python suites share: counting checks, reporting the failures,
and the closing line that ctest and CI read ("N passed, N failed")."""
import os
import subprocess
import sys


def run_tally(tally, args, stdin=b"", env=None):
    """Runs tally with args (LC_ALL=C, plus env) on stdin; (status, out, err)."""
    p = subprocess.run([tally, *args], input=stdin, capture_output=True,
                       env={**os.environ, "LC_ALL": "C", **(env or {})})
    return p.returncode, p.stdout, p.stderr


class Checks:
    def __init__(self, detail_max=3000):
        self.passed = self.failed = 0
        self.detail_max = detail_max

    def check(self, name, ok, detail=""):
        """Counts one check; a failure is printed with its detail."""
        if ok:
            self.passed += 1
        else:
            self.failed += 1
            print(f"FAIL {name}: {detail}"[:self.detail_max])

    def finish(self):
        """Prints the closing line and exits 1 when anything failed."""
        print(f"{self.passed} passed, {self.failed} failed")
        sys.exit(1 if self.failed else 0)
