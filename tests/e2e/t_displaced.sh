# SPDX-License-Identifier: MIT
# Line starts run from a trampoline or a displaced instruction:
# RIP-relative loads and stores, calls, jumps, conditional branches, a jump
# table, the red zone.  The program's output must not change, and no line
# may be missed or counted twice.
# shellcheck shell=bash

displaced_same() { # VARIANT
	plain "$TESTDATA/displaced-$1"
	assert_eq 0 "$plain_status" "plain run's status"
	mp --format=json -o "$JSON" "$TESTDATA/displaced-$1"
	assert_status 0
	assert_same_file "$T/plain.out" "$T/out" "target stdout"
	assert_same_file "$T/plain.err" "$T/err" "target stderr"
	assert_eq fill,mix,pick "$(func_names)" "profiled functions"
	assert_eq 80 "$(calls mix)" "calls of mix"
	assert_eq 80 "$(calls pick)" "calls of pick"
	assert_eq 80 "$(calls fill)" "calls of fill"
}

# At -O0 every line begins with the instruction its source suggests (see
# testdata/displaced.c): the counts follow from the code, for i = 0..79.
displaced_exact_o0() { # VARIANT
	mp --format=json -o "$JSON" "$TESTDATA/displaced-$1"
	assert_status 0
	# A RIP-relative load, a store with an immediate after the
	# displacement, an SSE load of a constant.
	assert_eq 80 "$(occ mix displaced 'g = (g * 3 + i) & 0xffffff;')" "occurrences of the load of g"
	assert_eq 80 "$(occ mix displaced 'g2 = 7;')" "occurrences of the store to g2"
	assert_eq 80 "$(occ mix displaced 'double w = 2.5;')" "occurrences of the SSE load"
	# A direct call, then the line its return comes back to.
	assert_eq 80 "$(occ mix displaced 'acc += twice();')" "occurrences of the direct call"
	assert_eq 80 "$(occ mix displaced 'acc += fp(acc);')" "occurrences of the call through a pointer"
	# goto back: its target twice per call, the jump itself once.
	assert_eq 160 "$(occ mix displaced 'acc += g2;')" "occurrences of the goto's target"
	assert_eq 80 "$(occ mix displaced 'goto again;')" "occurrences of the goto"
	# A jcc as the line's first instruction, taken for i < 3.
	assert_eq 80 "$(occ mix displaced '__asm__ goto("jl %l[small]"')" "occurrences of the jl line"
	assert_eq 77 "$(occ mix displaced 'acc ^= 0x55;')" "occurrences of the line the jl skips"
	# if / else if / else on i % 3.
	assert_eq 27 "$(occ mix displaced 'acc += 100;')" "occurrences of the if branch"
	assert_eq 53 "$(occ mix displaced 'else if (flip == 2)')" "occurrences of the else if"
	assert_eq 26 "$(occ mix displaced 'acc += 200;')" "occurrences of the else if branch"
	assert_eq 27 "$(occ mix displaced 'acc -= 1;')" "occurrences of the else branch"
	# One-line loop: its entry, then one event per jump back (x = 4..0).
	assert_eq 480 "$(occ mix displaced 'while (x--) y += x * g2;')" "occurrences of the one-line loop"
	assert_eq 560 "$(occ mix displaced 'for (int k = 0; k < 6; k++)')" "occurrences of mix's for line"
	assert_eq 480 "$(occ mix displaced 'arr[k] = acc + k * (long)w;')" "occurrences of the local array line"
	# The switch: a jump table, every case line once per 8 calls.
	assert_eq 80 "$(occ pick displaced 'switch (i % 8) {')" "occurrences of the switch"
	assert_eq 10 "$(occ pick displaced 'r = g * 2 + 1;')" "occurrences of case 0"
	assert_eq 10 "$(occ pick displaced 'r = twice();')" "occurrences of case 1"
	assert_eq 10 "$(occ pick displaced 'g2 = 11;')" "occurrences of case 2"
	assert_eq 10 "$(occ pick displaced 'r = fp(i);')" "occurrences of case 3"
	assert_eq 10 "$(occ pick displaced 'r = check_lea(q, pick_after_lea, "pick");')" "occurrences of case 5"
	assert_eq 10 "$(occ pick displaced 'r = -i;')" "occurrences of the default case"
	assert_eq 80 "$(occ pick displaced 'return r;')" "occurrences of pick's return"
	# The red-zone leaf.
	assert_eq 640 "$(occ fill displaced 'a[k] = seed * k + 1;')" "occurrences of fill's store"
	assert_eq 640 "$(occ fill displaced 's += a[k] ^ (s >> 3);')" "occurrences of fill's load"
}

# MEMPROF_STATS=1: the hot loops of the bench and the seed example never
# fall back to single-stepping.
stats_no_step() { # PROGRAM ARGS...
	export MEMPROF_STATS=1
	mp -o report.txt "$TESTDATA/$1" "${@:2}"
	assert_status 0
	local stats stepped
	stats=$(grep '^memprof: stats: ' "$T/err")
	[ -n "$stats" ] || fail "stderr has no 'memprof: stats:' line (stderr: $(tr '\n' '|' <"$T/err"))"
	stepped=$(sed -n 's/^memprof: stats: [0-9]* breakpoints, [0-9]* trampolines, \([0-9]*\) single-stepped$/\1/p' <<<"$stats")
	assert_eq 0 "$stepped" "single-stepped line starts ($stats)"
}

for v in $VARIANTS; do
	tcase "displaced $v: output and exit status as without memprof" displaced_same "$v"
done
tcase "displaced O0: exact occurrences of relocated line starts" displaced_exact_o0 O0
tcase "displaced O0-nopie: exact occurrences of relocated line starts" displaced_exact_o0 O0-nopie
tcase "stats: loop O0 needs no single-step" stats_no_step loop-O0 1000
tcase "stats: seed O0 needs no single-step" stats_no_step seed-O0 100
