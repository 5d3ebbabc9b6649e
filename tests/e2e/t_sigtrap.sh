# SPDX-License-Identifier: MIT
# The target's own SIGTRAP reaches its handler.
# shellcheck shell=bash

sigtrap() { # VARIANT
	mp --format=json -o "$JSON" "$TESTDATA/sigtrap-$1"
	assert_status 0
	assert_eq "handled|done|" "$(tr '\n' '|' <"$T/out")" "target stdout"
	assert_eq 1 "$(calls trap_self)" "calls"
	assert_eq 1 "$(occ trap_self sigtrap 'raise(SIGTRAP);')" "occurrences of raise"
	assert_eq 1 "$(occ trap_self sigtrap 'free(p);')" "occurrences of the line after raise"
}

for v in $VARIANTS; do
	tcase "sigtrap $v: the target's SIGTRAP handler runs" sigtrap "$v"
done
