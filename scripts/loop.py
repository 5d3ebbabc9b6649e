# SPDX-License-Identifier: MIT
# loop.py - testdata/loop.c in Python, for scripts/bench's memory_profiler
# figure: spin's loop body is the same two lines, run N times.  Each
# iteration is three line events (the for line and the two body lines),
# plus the for line's last, failing test: 3N+1.
#
# Usage: python3 loop.py [N]                      plain (default 100000)
#        python3 -m memory_profiler loop.py [N]   spin profiled line by line
import sys

# Both runs import memory_profiler, so the traced time minus the plain time
# is the cost of the tracing alone, not of the import.
import memory_profiler  # noqa: F401

try:
    profile  # put in builtins by python3 -m memory_profiler
except NameError:
    def profile(func):
        return func

sink = 0


@profile
def spin(n):
    global sink
    total = 0
    for i in range(n):
        sink = i
        total += sink & 1
    return total


if __name__ == "__main__":
    print("odd", spin(int(sys.argv[1]) if len(sys.argv) > 1 else 100000))
