# SPDX-License-Identifier: MIT
# malloc, memset and free of 64 MiB on three lines: ~0, ~+64, ~-64 MiB.
# shellcheck shell=bash

touch64() { # VARIANT
	plain "$TESTDATA/touch64-$1"
	mp --format=json -o "$JSON" "$TESTDATA/touch64-$1"
	assert_status 0
	assert_same_file "$T/plain.out" "$T/out" "target stdout"
	assert_eq touch "$(func_names)" "profiled functions"
	assert_eq 1 "$(calls touch)" "calls"
	assert_range -1 1 "$(inc touch touch64 'char *p = malloc(64 << 20);')" "malloc line (MiB)"
	assert_range 62 66 "$(inc touch touch64 'memset(p, 1, 64 << 20);')" "memset line (MiB)"
	assert_range -66 -62 "$(inc touch touch64 'free(p);')" "free line (MiB)"
	assert_eq 1 "$(occ touch touch64 'char *p = malloc(64 << 20);')" "occurrences of malloc"
	assert_eq 1 "$(occ touch touch64 'memset(p, 1, 64 << 20);')" "occurrences of memset"
	assert_eq 1 "$(occ touch touch64 'free(p);')" "occurrences of free"
	# Mem usage is the highest RSS seen when the line finished.
	local mem_memset mem_free
	mem_memset=$(line_field touch "$(srcline touch64 'memset(p, 1, 64 << 20);')" mem_bytes)
	mem_free=$(line_field touch "$(srcline touch64 'free(p);')" mem_bytes)
	assert_range 62 66 "$(awk -v a="$mem_memset" -v b="$mem_free" 'BEGIN { print (a - b) / 1048576 }')" \
		"Mem usage of the memset line minus that of the free line (MiB)"
	assert_range 64 1000 "$(j '.peak_rss_bytes / 1048576')" "peak RSS (MiB)"
	assert_range 0 "$(j '(.peak_rss_bytes - 62 * 1048576) / 1048576')" \
		"$(j '.final_rss_bytes / 1048576')" "final RSS below peak - 62 MiB"
}

for v in $VARIANTS; do
	tcase "touch64 $v: malloc ~0, memset ~+64, free ~-64 MiB" touch64 "$v"
done
