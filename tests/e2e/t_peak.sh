# SPDX-License-Identifier: MIT
# The peak with its place: the profiled line running when the RSS peaked,
# and the call stack there.
# shellcheck shell=bash

peak_place() { # VARIANT
	mp --format=json -o "$JSON" "$TESTDATA/seed-$1" 5000
	assert_status 0
	assert_eq process_data "$(j .peak.function)" "function of the peak"
	local line copy_malloc copy_memcpy
	line=$(j .peak.line)
	copy_malloc=$(srcline seed 'double *backup = malloc((i + 1) * sizeof *backup);')
	copy_memcpy=$(srcline seed 'memcpy(backup, result, (i + 1) * sizeof *backup);')
	[ "$line" = "$copy_malloc" ] || [ "$line" = "$copy_memcpy" ] ||
		fail "line of the peak: expected $copy_malloc or $copy_memcpy, got $line"
	assert_range 2 16 "$(j '.peak.stack | length')" "frames in the stack"
	assert_eq process_data "$(j '.peak.stack[0].function')" "frame #0"
	assert_eq main "$(j '.peak.stack[1].function')" "frame #1"
	assert_eq "$SRCDATA/seed.c" "$(j '.peak.stack[1].file')" "file of frame #1"
	assert_range 90 110 "$(j '.peak.rss_bytes / 1048576')" "peak RSS (MiB)"
	# The text report says the same.
	mp "$TESTDATA/seed-$1" 5000
	assert_status 0
	grep -Eq "^Peak reached in process_data at $SRCDATA/seed.c:($copy_malloc|$copy_memcpy)\$" "$T/err" ||
		fail "no 'Peak reached in process_data at seed.c:$copy_malloc or $copy_memcpy' line in the text report"
	grep -q "^    #1 main at $SRCDATA/seed.c:[0-9]*$" "$T/err" || fail "no '#1 main' frame in the text report"
}

for v in $VARIANTS; do
	tcase "peak $v: located in process_data, with its stack" peak_place "$v"
done
