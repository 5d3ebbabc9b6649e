# SPDX-License-Identifier: MIT
# Line starts that are a `loop` instruction or an indirect call (through a
# register, through memory relative to %rsp), run by eight threads at
# once: displaced, never stepped in place, so no occurrence is missed.
# shellcheck shell=bash

loopinsn() { # VARIANT
	MEMPROF_STATS=1 mp --format=json -o "$JSON" "$TESTDATA/loopinsn-$1"
	assert_status 0
	assert_eq "total 160000" "$(cat "$T/out")" "the program's result"
	assert_stderr "memprof: stats: $(sed -n 's/^memprof: stats: \(.*\)$/\1/p' "$T/err")"
	assert_eq 0 "$(sed -n 's/.* \([0-9]*\) single-stepped$/\1/p' "$T/err")" "single-stepped line starts"
	assert_eq 16000 "$(calls spinl)" "calls"
	# Each call loops (i & 3) + 1 times: the jumps back to the line
	# are occurrences too.
	assert_eq 40000 "$(occ spinl loopinsn '1: loop 1b')" "occurrences of the loop line"
	assert_eq 16000 "$(occ spinl loopinsn 'call *%2')" "occurrences of the call *%reg line"
	assert_eq 16000 "$(occ spinl loopinsn 'call *(%%rsp)')" "occurrences of the call *(%rsp) line"
}

for v in $VARIANTS; do
	tcase "loopinsn $v: loop and indirect calls displaced, every occurrence seen" loopinsn "$v"
done
