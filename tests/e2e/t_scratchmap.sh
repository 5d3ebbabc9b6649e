# SPDX-License-Identifier: MIT
# A program that maps its own code over memprof's scratch area (MAP_FIXED
# over an anonymous r-x mapping it did not make, as a JIT with a fixed
# code address does): its mmap succeeds, memprof says so once, and no
# thread is sent there again; the program computes what it computes alone
# and its later calls are still profiled, line by line.
# shellcheck shell=bash

SCRATCH_LOST_RE="^memprof: the program mapped over memprof's scratch area at 0x[0-9a-f]+; its breakpoints there run in place from now on\$"

# Under valgrind (make check-valgrind) the areas go unwatched: it cannot
# run pidfd_getfd (see src/watch.c).
unwatched_under_valgrind() {
	[ -z "$MEMPROF_WRAPPER" ] || skip "valgrind cannot run pidfd_getfd: scratch areas go unwatched under it"
}

scratchmap_spawn() { # VARIANT
	unwatched_under_valgrind
	plain "$TESTDATA/scratchmap-$1"
	assert_eq 0 "$plain_status" "plain run's status"
	mp --format=json -o "$JSON" "$TESTDATA/scratchmap-$1"
	assert_status 0
	assert_same_file "$T/plain.out" "$T/out" "target stdout"
	assert_eq 1 "$(wc -l <"$T/err")" "lines on stderr"
	grep -qE "$SCRATCH_LOST_RE" "$T/err" || fail "stderr: '$(err1)'"
	assert_eq 2 "$(calls work)" "calls of work"
	# i < 3, then i < 5: every iteration of both calls seen.
	assert_eq 8 "$(occ work scratchmap 'sum += p[i << 12];')" "occurrences of the loop body"
}

# -p: displaced instructions live in the scratch area too.
scratchmap_attach() { # VARIANT
	unwatched_under_valgrind
	attach_until "$TESTDATA/scratchmap-$1" mapped "did not map over memprof's area"
	assert_status 0
	assert_eq 0 "$prog_status" "the program's exit status"
	assert_eq "before 12|after 30|untraced 30" "$(paste -sd'|' "$T/prog.out")" "the program's output"
	assert_eq 2 "$(wc -l <"$T/err")" "lines on stderr"
	grep -qE "$SCRATCH_LOST_RE" "$T/err" || fail "stderr: '$(err1)'"
	assert_stderr_has "memprof: detached from process $prog_pid, which goes on running"
}

for v in $VARIANTS; do
	tcase "scratchmap $v: the program maps over the scratch area, memprof steps aside" scratchmap_spawn "$v"
	tcase "scratchmap $v: -p, the program maps over the scratch area" scratchmap_attach "$v"
done
