# SPDX-License-Identifier: MIT
# A program that rewrites its own code (mprotect + write, as a JIT does):
# memprof must never write its saved bytes back over the program's, not
# into a forked child it lets go, not when it detaches.
# shellcheck shell=bash

selfpatch_spawn() { # VARIANT [ARG]
	plain "$TESTDATA/selfpatch-$1" ${2:-}
	assert_eq 0 "$plain_status" "plain run's status"
	mp --format=json -o "$JSON" "$TESTDATA/selfpatch-$1" ${2:-}
	assert_status 0
	assert_same_file "$T/plain.out" "$T/out" "target stdout"
	assert_stderr
	# The call before the patch; the patched code has none of ours.
	assert_eq 1 "$(calls answer)" "calls of answer"
}

# -p, detached by SIGINT after the program patched itself while traced.
selfpatch_detach() { # VARIANT
	attach_until "$TESTDATA/selfpatch-$1" patched "did not patch itself under memprof"
	assert_status 0
	assert_stderr "memprof: detached from process $prog_pid, which goes on running"
	assert_eq 0 "$prog_status" "the program's exit status"
	assert_eq "before 2|after 42|untraced 42" "$(paste -sd'|' "$T/prog.out")" "the program's output"
	assert_eq 1 "$(calls answer)" "calls of answer"
}

for v in $VARIANTS; do
	tcase "selfpatch $v: a program patching its own code runs as without memprof" selfpatch_spawn "$v"
	tcase "selfpatch $v: a forked child runs the patched code" selfpatch_spawn "$v" fork
	tcase "selfpatch $v: -p leaves the patched code at the detach" selfpatch_detach "$v"
done
