# SPDX-License-Identifier: MIT
# A profiled function recursing 16 levels: every active call is tracked on
# its own, so occurrences are exact.
# shellcheck shell=bash

recurse_counts() { # VARIANT
	plain "$TESTDATA/recurse-$1"
	mp --format=json -o "$JSON" "$TESTDATA/recurse-$1"
	assert_status 0
	assert_same_file "$T/plain.out" "$T/out" "target stdout"
	assert_eq 16 "$(calls recurse)" "calls"
	assert_eq 16 "$(line_field recurse "$(j '.functions[0].first_line')" occurrences)" "header occurrences"
	assert_eq 16 "$(occ recurse recurse 'memset(block, depth, BLOCK);')" "occurrences of memset"
	# Each level touches 64 KiB: 1 MiB over the 16 levels.
	assert_range 0.9 1.2 "$(inc recurse recurse 'memset(block, depth, BLOCK);')" "memset line (MiB)"
	assert_eq 15 "$(occ recurse recurse 'return recurse(depth - 1)')" "occurrences of the recursive call"
}

recurse_exact_o0() { # VARIANT
	mp --format=json -o "$JSON" "$TESTDATA/recurse-$1"
	assert_status 0
	assert_eq 16 "$(occ recurse recurse 'char *block = malloc(BLOCK);')" "occurrences of malloc"
	assert_eq 16 "$(occ recurse recurse 'blocks[depth] = block;')" "occurrences of the store"
	assert_eq 16 "$(occ recurse recurse 'if (depth == 1)')" "occurrences of the base-case test"
	assert_eq 1 "$(occ recurse recurse 'return block[0];')" "occurrences of the base-case return"
	assert_eq 15 "$(occ recurse recurse 'return recurse(depth - 1)')" "occurrences of the recursive call"
	# The call line carries what the inner calls did: level d holds the
	# (d - 1) * 64 KiB of the levels below, 120 * 64 KiB = 7.5 MiB in all.
	assert_range 7.2 8.2 "$(inc recurse recurse 'return recurse(depth - 1)')" "recursive call line (MiB)"
	# Depth 3: the same lines, other counts.
	mp --format=json -o "$JSON" "$TESTDATA/recurse-$1" 3
	assert_status 0
	assert_eq 3 "$(calls recurse)" "calls at depth 3"
	assert_eq 2 "$(occ recurse recurse 'return recurse(depth - 1)')" "recursive call at depth 3"
}

for v in $VARIANTS; do
	tcase "recurse $v: 16 levels, exact occurrences" recurse_counts "$v"
done
tcase "recurse O0: every line's occurrences, call line carries inner calls" recurse_exact_o0 O0
tcase "recurse O0-nopie: every line's occurrences, call line carries inner calls" recurse_exact_o0 O0-nopie
