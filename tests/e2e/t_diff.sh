# SPDX-License-Identifier: MIT
# memprof diff OLD.json NEW.json: what changed between two reports, largest
# first; errors on what is not a report; a program named diff is still
# profiled when asked the right way.
# shellcheck shell=bash

# seed_reports: old.json (n=2000) and new.json (n=5000) of the seed.
seed_reports() {
	mp --format=json -o old.json "$TESTDATA/seed-O0" 2000
	assert_status 0
	mp --format=json -o new.json "$TESTDATA/seed-O0" 5000
	assert_status 0
}

# The done criterion: the copy lines grew, the memcpy line most.
diff_seed() {
	local memcpy malloc
	memcpy=$(srcline seed 'memcpy(backup, result')
	malloc=$(srcline seed 'double *backup = malloc')
	seed_reports
	mp diff old.json new.json
	assert_status 0
	[ ! -s "$T/err" ] || fail "stderr: '$(err1)'"
	cp "$T/out" diff.txt
	[[ $(sed -n 1p diff.txt) =~ ^Peak\ RSS:\ \ ([0-9.]+)\ MiB\ -\>\ ([0-9.]+)\ MiB\ \(\+([0-9.]+)\ MiB\)$ ]] ||
		fail "line 1: '$(sed -n 1p diff.txt)'"
	local old=${BASH_REMATCH[1]} new=${BASH_REMATCH[2]} change=${BASH_REMATCH[3]}
	assert_range 10 30 "$old" "old peak (MiB)"
	assert_range 95 200 "$new" "new peak (MiB)"
	assert_range 70 90 "$change" "peak change (MiB)"
	[[ $(sed -n 2p diff.txt) == "Final RSS: "* ]] || fail "line 2: '$(sed -n 2p diff.txt)'"
	assert_eq "Function       Increment        Peak    Calls" "$(sed -n 4p diff.txt)" "function header"
	[[ $(sed -n 6p diff.txt) =~ ^process_data\ +\+[0-9.]+\ MiB\ +\+[0-9.]+\ MiB\ +1\ -\>\ 1$ ]] ||
		fail "function row: '$(sed -n 6p diff.txt)'"
	# The line table: the memcpy line first, then the malloc line.
	local head
	head=$(grep -n '^Location ' diff.txt | cut -d: -f1)
	[[ $head =~ ^[0-9]+$ ]] || fail "no line table"
	assert_eq "Location    Function       Increment   Mem usage    Occurrences   Line Contents" \
		"$(sed -n "${head}p" diff.txt)" "line header"
	[[ $(sed -n "$((head + 2))p" diff.txt) =~ ^seed\.c:$memcpy\ +process_data\ +\+([0-9.]+)\ MiB\ +\+[0-9.]+\ MiB\ +2000\ -\>\ 5000\ +memcpy\(backup ]] ||
		fail "first row: '$(sed -n "$((head + 2))p" diff.txt)'"
	assert_range 55 77 "${BASH_REMATCH[1]}" "memcpy line's increment change (MiB)"
	[[ $(sed -n "$((head + 3))p" diff.txt) =~ ^seed\.c:$malloc\ +process_data\ +\+([0-9.]+)\ MiB\ .*\ 2000\ -\>\ 5000\ +double\ \*backup ]] ||
		fail "second row: '$(sed -n "$((head + 3))p" diff.txt)'"
	assert_range 3 20 "${BASH_REMATCH[1]}" "malloc line's increment change (MiB)"

	# The same as JSON.
	mp diff --format=json old.json new.json
	assert_status 0
	cp "$T/out" diff.json
	JSON=diff.json
	assert_eq '["final_rss_bytes","functions","lines","peak_rss_bytes","version"]' "$(j keys -c)" "keys"
	assert_eq "$memcpy,$malloc" "$(j '[.lines[0,1].new_line] | map(tostring) | join(",")')" "first two lines"
	assert_eq changed "$(j '.lines[0].status')" "status of the memcpy line"
	assert_eq 2000,5000 "$(j '[.lines[0].old_occurrences, .lines[0].new_occurrences] | map(tostring) | join(",")')" \
		"occurrences of the memcpy line"
	assert_range 55 77 "$(j '.lines[0].increment_change_bytes / 1048576')" "memcpy line's increment change (MiB)"
	jq -e '[.lines[].increment_change_bytes | fabs] | . == (sort | reverse)' diff.json >/dev/null ||
		fail "lines not sorted by the size of the change"
	assert_eq "$(jq '.peak_rss_bytes' new.json)" "$(j '.peak_rss_bytes.new')" "peak_rss_bytes.new"
	assert_eq "$(($(jq '.peak_rss_bytes' new.json) - $(jq '.peak_rss_bytes' old.json)))" \
		"$(j '.peak_rss_bytes.change')" "peak_rss_bytes.change"
}

diff_same_and_added() {
	seed_reports
	mp diff new.json new.json
	assert_status 0
	assert_eq "No line changed." "$(tail -n 1 "$T/out")" "a report against itself"
	# Other functions: added and removed.
	mp --format=json -o marks.json "$TESTDATA/marks-O0"
	assert_status 0
	mp diff new.json marks.json
	assert_status 0
	grep -qE '^process_data +-[0-9.]+ MiB +removed +1 -> -$' "$T/out" ||
		fail "process_data not removed: $(tr '\n' '|' <"$T/out" | head -c 400)"
	grep -qE '^alpha +\+(7\.[5-9]|8\.[0-5]) MiB +added +- -> 1$' "$T/out" ||
		fail "alpha not added: $(tr '\n' '|' <"$T/out" | head -c 400)"
	grep -qE '^marks\.c:[0-9]+ +alpha +\+(7\.[5-9]|8\.[0-5]) MiB +added +- -> 1 +memset' "$T/out" ||
		fail "alpha's memset line not added: $(tr '\n' '|' <"$T/out" | head -c 400)"
}

diff_errors() {
	seed_reports
	mp diff old.json nope.json
	assert_status 1
	assert_stderr "memprof: cannot read 'nope.json': No such file or directory"
	assert_no_stdout
	mp diff . new.json
	assert_status 1
	assert_stderr "memprof: cannot read '.': Is a directory"
	# The text report is no JSON report.
	mp -o report.txt "$TESTDATA/seed-O0" 10
	mp diff report.txt new.json
	assert_status 1
	assert_stderr "memprof: 'report.txt' is not a memprof report: line 1, column 1: expected a value, found 'F'"
	assert_no_stdout
	head -c 700 new.json >cut.json
	mp diff old.json cut.json
	assert_status 1
	local re="^memprof: 'cut\\.json' is not a memprof report: line [0-9]+, column [0-9]+: "
	[[ $(err1) =~ $re ]] || fail "truncated report: '$(err1)'"
	echo '{"a": 1}' >other.json
	mp diff other.json new.json
	assert_status 1
	assert_stderr "memprof: 'other.json' is not a memprof report: version is missing or not a number"
	jq '.functions[0].lines[3].mem_bytes = "big"' new.json >bad.json
	mp diff old.json bad.json
	assert_status 1
	assert_stderr "memprof: 'bad.json' is not a memprof report: functions[0].lines[3].mem_bytes is missing or not a byte count"
	# Garbage never crashes it: one line, status 1.
	local i
	for i in 1 2 3 4 5; do
		head -c $((i * 1000)) /dev/urandom >garbage.bin
		mp diff garbage.bin new.json
		assert_status 1
		[ "$(wc -l <"$T/err")" -eq 1 ] || fail "garbage: '$(tr '\n' '|' <"$T/err")'"
		[[ $(err1) == "memprof: 'garbage.bin' is not a memprof report: "* ]] || fail "garbage: '$(err1)'"
	done
	# Usage errors.
	mp diff
	assert_status 2
	assert_stderr "memprof: diff needs two reports: OLD.json NEW.json" "Try 'memprof --help' for more information."
	mp diff old.json
	assert_status 2
	mp diff --format=xml old.json new.json
	assert_status 2
	assert_stderr "memprof: invalid --format 'xml' (expected text or json)" "Try 'memprof --help' for more information."
	mp diff --help
	assert_status 0
	[[ $(head -n 1 "$T/out") == "Usage: memprof diff [OPTIONS] OLD.json NEW.json" ]] ||
		fail "diff --help: '$(head -n 1 "$T/out")'"
}

# A program that happens to be named diff: "--" or a path profiles it.
diff_program_named_diff() {
	cp "$TESTDATA/seed-O0" diff
	mp --format=json -o "$JSON" ./diff 100
	assert_status 0
	assert_eq process_data "$(func_names)" "profiled functions of ./diff"
	local saved=$PATH
	PATH=$T:$PATH
	mp --format=json -o "$JSON" -- diff 100
	PATH=$saved
	assert_status 0
	assert_eq process_data "$(func_names)" "profiled functions of 'memprof -- diff'"
	plain ./diff 100
	assert_same_file "$T/plain.out" "$T/out" "stdout of the program named diff"
}

tcase "diff: n=2000 vs n=5000, the copy lines grew, largest first" diff_seed
tcase "diff: unchanged, added and removed functions" diff_same_and_added
tcase "diff: unreadable, malformed and garbage reports; usage" diff_errors
tcase "diff: a program named diff is profiled after -- or by path" diff_program_named_diff
