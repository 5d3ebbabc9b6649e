# SPDX-License-Identifier: MIT
# Inlined copies: grow(), stage() and fill() profiled whatever the
# optimiser did to them, with the figures of -O0 (testdata/inlined.c).
# shellcheck shell=bash

# inlined VARIANT: every build, the same figures.
inlined() {
	plain "$TESTDATA/inlined-$1"
	mp --format=json -o "$JSON" --func=main --func=grow --func=stage \
		--func=fill "$TESTDATA/inlined-$1"
	assert_status 0
	assert_same_file "$T/plain.out" "$T/out" "target stdout"
	assert_eq fill,grow,main,stage "$(func_names)" "profiled functions"
	# At -O2 and -O3 fill() and stage() have no code of their own: the
	# case is about their copies (and grow()'s, some of its calls).
	case $1 in
	O2* | O3*)
		nm "$TESTDATA/inlined-$1" | grep -qwE 'fill|stage' &&
			fail "fill() or stage() has code of its own: nothing is inlined"
		;;
	esac
	assert_eq 7 "$(calls grow)" "calls of grow"
	assert_eq 7 "$(calls fill)" "calls of fill"
	assert_eq 1 "$(calls stage)" "calls of stage"
	assert_range -1 1 "$(inc grow inlined 'char *p = malloc(mib << 20);')" "grow's malloc line (MiB)"
	assert_range 78 82 "$(inc grow inlined 'fill(p, mib << 20);')" "grow's fill line (MiB)"
	assert_eq 7 "$(occ grow inlined 'fill(p, mib << 20);')" "occurrences of grow's fill line"
	assert_eq 7 "$(occ grow inlined 'char *p = malloc(mib << 20);')" "occurrences of grow's malloc line"
	assert_range 78 82 "$(inc fill inlined 'memset(p, 1, n);')" "fill's memset line (MiB)"
	assert_eq 7 "$(occ fill inlined 'memset(p, 1, n);')" "occurrences of fill's memset line"
	assert_range 3 5 "$(inc stage inlined 'grow(4);')" "stage's grow(4) line (MiB)"
	assert_range 11 13 "$(inc stage inlined 'grow(12);')" "stage's grow(12) line (MiB)"
	assert_eq 1 "$(occ stage inlined 'grow(12);')" "occurrences of grow(12)"
	# The lines that call them carry what the copies did, as at -O0.
	assert_range 31 33 "$(inc main inlined 'grow(8);')" "main's grow(8) line (MiB)"
	assert_eq 4 "$(occ main inlined 'grow(8);')" "occurrences of grow(8)"
	assert_range 15 17 "$(inc main inlined '	stage();')" "main's stage() line (MiB)"
	assert_range 31 33 "$(inc main inlined 'grow(32);')" "main's grow(32) line (MiB)"
	assert_range -82 -78 "$(inc main inlined 'release();')" "main's release() line (MiB)"
	# The peak is reached in the loop's last call of grow(), a copy in
	# main() at -O2: the stack still names grow, then main's line.
	assert_eq "grow main:$(srcline inlined 'grow(8);')" \
		"$(j '[.peak.stack as $s | range(1; $s | length) | select($s[. - 1].function == "grow") |
		       "grow \($s[.].function):\($s[.].line)"] | first // "none"')" \
		"the peak's stack: grow, then the calling line of main"
}

# inlined_alone VARIANT: a function with copies only, profiled alone (no
# frame of its caller under its calls), from its mark.
inlined_alone() {
	mp --format=json -o "$JSON" --func=fill "$TESTDATA/inlined-$1"
	assert_status 0
	assert_eq fill "$(func_names)" "profiled functions"
	assert_eq 7 "$(calls fill)" "calls of fill"
	assert_range 78 82 "$(inc fill inlined 'memset(p, 1, n);')" "fill's memset line (MiB)"
	assert_eq 7 "$(occ fill inlined 'memset(p, 1, n);')" "occurrences of the memset line"
	assert_eq 7 "$(line_field fill "$(srcline inlined 'static void fill(char *p, size_t n)')" occurrences)" \
		"occurrences of fill's header line"
	mp --format=json -o "$JSON" "$TESTDATA/inlined-$1"
	assert_status 0
	assert_eq grow,stage "$(func_names)" "functions marked with MEMPROF_PROFILE"
	assert_eq 7 "$(calls grow)" "calls of grow"
	assert_range 78 82 "$(inc grow inlined 'fill(p, mib << 20);')" "grow's fill line (MiB)"
	assert_range 15 17 "$(inc stage inlined 'grow(4);' 'grow(12);')" "stage's lines (MiB)"
}

for v in O0 O2 O3 O0-nopie O2-nopie; do
	tcase "inlined $v: copies of grow, stage, fill have the -O0 figures" inlined "$v"
	tcase "inlined $v: a function with copies only, alone and by its mark" inlined_alone "$v"
done

# inloop VARIANT: a copy whose code the compiler interleaves with its
# caller's loop: every call and line counted exactly.
inloop() {
	plain "$TESTDATA/inloop-$1" 1000
	mp --format=json -o "$JSON" "$TESTDATA/inloop-$1" 1000
	assert_status 0
	assert_same_file "$T/plain.out" "$T/out" "target stdout"
	case $1 in
	O2*) nm "$TESTDATA/inloop-$1" | grep -qw step && fail "step() has code of its own" ;;
	esac
	assert_eq step "$(func_names)" "profiled functions"
	assert_eq 1000 "$(calls step)" "calls of step"
	assert_eq 1000 "$(occ step inloop 'sink = i;')" "occurrences of sink = i"
	assert_eq 1000 "$(occ step inloop 'return sink & 1;')" "occurrences of the return line"
}

for v in $VARIANTS; do
	tcase "inloop $v: a copy in a loop, every call and line exact" inloop "$v"
done
