# SPDX-License-Identifier: MIT
# --children: forked children stay traced; their calls of profiled
# functions count and their memory adds to the RSS.  Without it they run
# untraced and unprofiled.
# shellcheck shell=bash

children_followed() { # VARIANT
	plain "$TESTDATA/children-$1" /bin/true
	mp --children --format=json -o "$JSON" "$TESTDATA/children-$1" /bin/true
	assert_status 0
	assert_same_file "$T/plain.out" "$T/out" "target stdout"
	assert_eq 3 "$(calls work)" "calls (the parent's and two children's)"
	# 16 + 24 MiB in the children, one after the other, then 8 in the
	# parent.
	assert_range 46 50 "$(inc work children 'memset(p, 1, (size_t)mib << 20);')" "memset line (MiB)"
	assert_eq 3 "$(occ work children 'memset(p, 1, (size_t)mib << 20);')" "occurrences of memset"
	# While the 24 MiB child ran, the tree held its memory and the
	# parent's.
	assert_range 24 40 "$(j '.peak_rss_bytes / 1048576')" "peak RSS of the tree (MiB)"
}

children_not_followed() { # VARIANT
	mp --format=json -o "$JSON" "$TESTDATA/children-$1"
	assert_status 0
	assert_eq "children 16 24" "$(cat "$T/out")" "target stdout"
	assert_eq 1 "$(calls work)" "calls (the parent's only)"
	assert_range 7 9 "$(inc work children 'memset(p, 1, (size_t)mib << 20);')" "memset line (MiB)"
}

for v in $VARIANTS; do
	tcase "children $v: --children follows forks and execs" children_followed "$v"
	tcase "children $v: without --children, children run unprofiled" children_not_followed "$v"
done
