# SPDX-License-Identifier: MIT
# Forks and threads of the target.
# shellcheck shell=bash

# A forked child inherits the parent's breakpoint bytes: it must still run.
forks() { # VARIANT
	mp --format=json -o "$JSON" "$TESTDATA/forks-$1"
	assert_status 0
	assert_eq "child exited 0" "$(cat "$T/out")" "target stdout"
	assert_eq 2 "$(calls work)" "calls in the parent"
}

# Four threads run the profiled function: each call is its own.
threads() { # VARIANT
	mp --format=json -o "$JSON" "$TESTDATA/threads-$1"
	assert_status 0
	assert_eq 4 "$(calls worker)" "calls"
	assert_eq 4 "$(occ worker threads 'memset(p, 1, 4 << 20);')" "occurrences of memset"
	assert_eq 4 "$(occ worker threads 'char *p = malloc(4 << 20);')" "occurrences of malloc"
	# RSS is process-wide: each of the four concurrent memset lines may see
	# the growth of all four (up to 4 x 16 MiB).
	assert_range 15 65 "$(inc worker threads 'memset(p, 1, 4 << 20);')" "memset lines (MiB)"
	assert_eq "sum 4" "$(sed -n 2p "$T/out")" "target result"
}

# memprof pins a single-threaded target to one CPU and gives a
# multi-threaded one every CPU back as soon as it starts a thread.
affinity() {
	local n
	n=$(nproc)
	mp -o report.txt "$TESTDATA/threads-O0"
	assert_status 0
	if [ "$n" -gt 1 ]; then
		assert_eq "cpus before 1 after $n" "$(sed -n 1p "$T/out")" "CPUs seen by the target"
	else
		assert_eq "cpus before 1 after 1" "$(sed -n 1p "$T/out")" "CPUs seen by the target"
	fi
}

for v in $VARIANTS; do
	tcase "forks $v: a forked child runs past the breakpoints" forks "$v"
	tcase "threads $v: four threads, each call counted" threads "$v"
done
tcase "threads: pinned while single-threaded, every CPU after" affinity
