# SPDX-License-Identifier: MIT
# --peak: the highest RSS while each line ran, from the kernel's VmHWM
# reset at every line start.  A line that allocates, touches and frees
# 200 MiB shows Increment ~0 and a Peak 200 MiB above where it started.
# shellcheck shell=bash

peak_spike() { # VARIANT
	mp --peak --format=json -o "$JSON" "$TESTDATA/spike-$1"
	assert_status 0
	assert_eq "spike 2" "$(cat "$T/out")" "target stdout"
	local line before
	line=$(srcline spike 'spike((size_t)200 << 20);')
	assert_range -1 1 "$(inc work spike 'spike((size_t)200 << 20);')" "Increment of the spike line (MiB)"
	# The header line's Mem usage: the RSS at entry (at -O2 the lines
	# before the spike have no code of their own).
	before=$(j '.functions[0].lines[0].mem_bytes')
	assert_range 198 203 "$(j "([.functions[0].lines[] | select(.line == $line) | .peak_bytes][0] - $before) / 1048576")" \
		"Peak of the spike line above the RSS before it (MiB)"
	# Lines that do not spike have a Peak equal to their Mem usage.
	assert_range -1 1 "$(j "([.functions[0].lines[] | select(.line == $(srcline spike 'printf("spike %d'))][0] | (.peak_bytes - .mem_bytes) / 1048576)")" \
		"Peak of a quiet line minus its Mem usage (MiB)"
	assert_range 200 210 "$(j '.peak_rss_bytes / 1048576')" "peak RSS (MiB)"
	assert_eq "$line" "$(j .peak.line)" "the line where the peak was reached"
}

peak_text() {
	mp --peak "$TESTDATA/spike-O0"
	assert_status 0
	assert_stderr_has "Line #    Mem usage    Increment         Peak  Occurrences   Line Contents"
	grep -qE "^ +$(srcline spike 'spike((size_t)200 << 20);') +[0-9.]+ MiB +-?0\.[0-9] MiB +20[0-9]\.[0-9] MiB +1   " "$T/err" ||
		fail "no spike row with a ~200 MiB Peak in the text report"
}

peak_off() {
	mp --format=json -o "$JSON" "$TESTDATA/spike-O0"
	assert_status 0
	assert_eq null "$(j '.functions[0].lines[0].peak_bytes')" "peak_bytes without --peak"
}

for v in $VARIANTS; do
	tcase "peakline $v: a 200 MiB spike inside a line" peak_spike "$v"
done
tcase "peakline: the Peak column in the text report" peak_text
tcase "peakline: no peak_bytes without --peak" peak_off
