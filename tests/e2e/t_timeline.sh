# SPDX-License-Identifier: MIT
# The RSS over time: --timeline (mprof's .dat), --plot (SVG), --interval,
# --no-lines (no breakpoints, only the timeline, peak and final RSS).
# shellcheck shell=bash

# dat_shape FILE: CMDLINE first, then MEM lines in time order, then FUNC
# lines, nothing else; prints the highest MEM figure (MiB).
dat_shape() {
	awk '
		function bad(why) { print why; err = 1; exit 1 }
		NR == 1 { if ($1 != "CMDLINE") bad("line 1 is not CMDLINE: " $0); next }
		$1 == "MEM" {
			if (funcs) bad("MEM after FUNC at line " NR)
			if (NF != 3 || $2 !~ /^[0-9]+\.[0-9][0-9][0-9][0-9][0-9][0-9]$/ ||
			    $3 !~ /^[0-9]+\.[0-9][0-9][0-9][0-9]$/)
				bad("bad MEM line " NR ": " $0)
			if (n && $3 < last) bad("MEM time goes back at line " NR)
			last = $3; n++
			if ($2 + 0 > max + 0) max = $2
			next
		}
		$1 == "FUNC" { funcs++; next }
		{ bad("unexpected line " NR ": " $0) }
		END { if (err) exit 1; if (n < 2) { print "fewer than 2 MEM lines"; exit 1 } print max }
	' "$1"
}

# svg_ok FILE: well-formed XML (xmllint, from scripts/install-deps).
svg_ok() {
	command -v xmllint >/dev/null || fail "xmllint is missing (scripts/install-deps installs libxml2-utils)"
	xmllint --noout "$1" 2>"$T/xmllint.err" || fail "$1 is not well-formed: $(head -n 2 "$T/xmllint.err")"
}

# The seed example: a FUNC bracket for process_data that climbs ~95 MiB,
# the highest MEM the peak, the plot labelled with it and its line.
timeline_seed() { # VARIANT
	local prog=$TESTDATA/seed-$1 max peak func
	mp --func=process_data --format=json -o "$JSON" --timeline=seed.dat --plot=seed.svg "$prog" 5000
	assert_status 0
	assert_eq "CMDLINE $prog 5000" "$(head -n 1 seed.dat)" "first line of the .dat"
	max=$(dat_shape seed.dat) || fail "seed.dat: $max"
	peak=$(j '.peak_rss_bytes / 1048576')
	assert_range 90 100 "$max" "highest MEM (MiB)"
	assert_range -2 0.5 "$(awk -v m="$max" -v p="$peak" 'BEGIN { print m - p }')" "highest MEM minus the peak RSS (MiB)"
	assert_eq 1 "$(grep -c '^FUNC ' seed.dat)" "FUNC lines"
	func=$(grep '^FUNC ' seed.dat)
	read -r _ name mem0 t0 mem1 t1 <<<"$func"
	assert_eq process_data "$name" "FUNC name"
	assert_range 0 5 "$mem0" "MiB at the start of process_data"
	assert_range 90 100 "$(awk -v a="$mem0" -v b="$mem1" 'BEGIN { print b - a }')" \
		"MiB process_data added (FUNC end - start)"
	# Within the run: after the first MEM, by the last.
	awk -v a="$t0" -v b="$t1" '$1 == "MEM" { if (!f) f = $3; l = $3 }
		END { exit !(a >= f && b > a && b <= l + 0.001) }' seed.dat ||
		fail "FUNC times $t0..$t1 are not within the MEM times"
	# Unix times, now-ish.
	assert_range "$(($(date +%s) - 300))" "$(($(date +%s) + 1))" "$t1" "FUNC end time"

	svg_ok seed.svg
	local label line
	label=$(grep -o 'peak [0-9.]* MiB at [0-9.]* s' seed.svg)
	[ -n "$label" ] || fail "seed.svg has no peak label"
	read -r _ value _ <<<"$label"
	assert_range 90 100 "$value" "peak label (MiB)"
	line=$(j .peak.line)
	assert_file_has seed.svg ">seed.c:$line in process_data</tspan>"
	assert_file_has seed.svg ">process_data</text>"
	assert_file_has seed.svg ">time (s)</text>"
	assert_file_has seed.svg ">RSS (MiB)</text>"
	assert_file_has seed.svg "<title>memprof: $prog 5000</title>"
}

# --no-lines: the program runs without a single breakpoint; the report
# has the peak and final RSS and no tables.
no_lines() {
	local prog=$TESTDATA/seed-O0 max
	plain "$prog" 5000
	MEMPROF_STATS=1 mp --no-lines --timeline=n.dat --plot=n.svg "$prog" 5000
	assert_status 0
	assert_same_file "$T/plain.out" "$T/out" "target stdout"
	assert_stderr_has "memprof: stats: 0 breakpoints, 0 trampolines, 0 single-stepped"
	grep -Eq '^Peak RSS: +9[0-9]\.[0-9] MiB \(VmHWM, whole process\)$' "$T/err" ||
		fail "no 'Peak RSS: 9x.x MiB' line (stderr: $(tr '\n' '|' <"$T/err"))"
	grep -Eq '^Final RSS: +9[0-9]\.[0-9] MiB$' "$T/err" || fail "no 'Final RSS: 9x.x MiB' line"
	assert_stderr_lacks "Line #"
	assert_stderr_lacks "Top lines"
	assert_stderr_lacks "Filename:"
	max=$(dat_shape n.dat) || fail "n.dat: $max"
	assert_range 90 100 "$max" "highest MEM (MiB)"
	assert_eq 0 "$(grep -c '^FUNC ' n.dat)" "FUNC lines"
	svg_ok n.svg
	grep -q 'peak 9[0-9]\.[0-9] MiB at' n.svg || fail "n.svg has no 'peak 9x.x MiB' label"
	# No debug information needed: a stripped copy runs the same.
	strip -o stripped "$prog" || fail "strip failed"
	mp --no-lines --format=json -o "$JSON" ./stripped 5000
	assert_status 0
	assert_eq 0 "$(j '.functions | length')" "functions"
	assert_range 90 200 "$(j '.peak_rss_bytes / 1048576')" "peak RSS (MiB)"
	# The program's exit status and signal pass through as always.
	mp --no-lines "$TESTDATA/exitcode-O0" 7
	assert_status 7
}

# --interval=50: MEM lines at least ~50 ms apart (but the last, the
# final RSS).
interval() {
	mp --no-lines --interval=50 --timeline=i.dat "$TESTDATA/seed-O0" 5000
	assert_status 0
	dat_shape i.dat >/dev/null || fail "i.dat: $(dat_shape i.dat)"
	awk '$1 == "MEM" { t[n++] = $3 }
		END { for (i = 1; i < n - 1; i++) if (t[i] - t[i - 1] < 0.001) exit 1; exit n < 2 }' i.dat ||
		fail "MEM lines closer than the interval: $(grep -c '^MEM' i.dat) lines"
	local span lines
	span=$(awk '$1 == "MEM" { if (!f) f = $3; l = $3 } END { print l - f }' i.dat)
	lines=$(grep -c '^MEM' i.dat)
	# One per 50 ms interval at most, plus the last sample.
	awk -v s="$span" -v n="$lines" 'BEGIN { exit !(n <= s / 0.05 + 2) }' ||
		fail "$lines MEM lines over $span s at one per 50 ms"
}

# Written whole or not at all, like -o: a file that cannot be written
# fails before the program runs; a failed run leaves the old file.
timeline_files() {
	mp --timeline="$T/no/such/dir/t.dat" "$TESTDATA/seed-O0" 10
	assert_status 1
	assert_stderr "memprof: cannot write '$T/no/such/dir/t.dat': No such file or directory"
	assert_no_stdout
	mp --plot="$T/no/dir/p.svg" "$TESTDATA/seed-O0" 10
	assert_status 1
	assert_stderr "memprof: cannot write '$T/no/dir/p.svg': No such file or directory"
	echo old >t.dat
	echo old >p.svg
	mp --func=nope --timeline=t.dat --plot=p.svg "$TESTDATA/seed-O0" 10
	assert_status 1
	assert_eq old "$(cat t.dat)" "t.dat after a failed run"
	assert_eq old "$(cat p.svg)" "p.svg after a failed run"
	[ "$(find . -name 't.dat.*' -o -name 'p.svg.*' | wc -l)" = 0 ] || fail "temporary files left behind"
	# A program killed by a signal: the files are written, as the report.
	mp --timeline=t.dat --plot=p.svg "$TESTDATA/crash-O0"
	[ "$status" -gt 128 ] || fail "exit status: expected 128+N, got $status"
	[ "$(head -n 1 t.dat | cut -d' ' -f1)" = CMDLINE ] || fail "t.dat not written after a crash"
	svg_ok p.svg
}

timeline_usage() {
	local try="Try 'memprof --help' for more information."
	local prog=$TESTDATA/seed-O0 args
	while IFS='|' read -r msg args; do
		# shellcheck disable=SC2086 # a word list by design
		mp $args "$prog"
		assert_status 2
		assert_stderr "memprof: $msg" "$try"
		assert_no_stdout
	done <<-'EOF'
	invalid --interval '0' (expected milliseconds, 1 to 60000)|--interval=0
	invalid --interval 'x' (expected milliseconds, 1 to 60000)|--interval=x
	invalid --interval '-5' (expected milliseconds, 1 to 60000)|--interval=-5
	invalid --interval '60001' (expected milliseconds, 1 to 60000)|--interval=60001
	invalid --interval '10ms' (expected milliseconds, 1 to 60000)|--interval=10ms
	invalid --plot 'p.png' (expected a file name ending in .svg)|--plot=p.png
	invalid --plot '.svg' (expected a file name ending in .svg)|--plot=.svg
	--func cannot be used with --no-lines|--no-lines --func=process_data
	--heap cannot be used with --no-lines|--heap --no-lines
	--faults cannot be used with --no-lines|--no-lines --faults
	--stop-above cannot be used with --no-lines|--no-lines --stop-above=10MiB
	--fail-over=FUNC:SIZE cannot be used with --no-lines (only --fail-over=SIZE)|--no-lines --fail-over=process_data:1MiB
	EOF
	mp --timeline
	assert_status 2
	assert_stderr "memprof: option '--timeline' requires an argument" "$try"
}

for v in O0 O2; do
	tcase "timeline seed $v: .dat with MEM, the peak and a FUNC bracket; plot with the peak label" timeline_seed "$v"
done
tcase "timeline: --no-lines runs without breakpoints, timeline and peak, no tables" no_lines
tcase "timeline: --interval=50 keeps one point per 50 ms" interval
tcase "timeline: files written whole or not at all" timeline_files
tcase "timeline: usage errors" timeline_usage
