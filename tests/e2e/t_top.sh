# SPDX-License-Identifier: MIT
# --top: the lines that grew RSS most, across the profiled functions, after
# the tables (text) and as top_lines (JSON).
# shellcheck shell=bash

# On the seed example the leaking copy is the top line: memcpy touches most
# of the copies' pages, the malloc line the rest.
top_seed() { # VARIANT
	local memcpy malloc
	memcpy=$(srcline seed 'memcpy(backup, result')
	malloc=$(srcline seed 'double *backup = malloc')
	mp --format=json -o "$JSON" "$TESTDATA/seed-$1" 5000
	assert_status 0
	assert_eq "$memcpy" "$(j '.top_lines[0].line')" "top_lines[0].line (the memcpy line)"
	assert_eq "$malloc" "$(j '.top_lines[1].line')" "top_lines[1].line (the malloc line)"
	assert_range 70 97.5 "$(j '.top_lines[0].increment_bytes / 1048576')" "top_lines[0] increment (MiB)"
	assert_range 1 25 "$(j '.top_lines[1].increment_bytes / 1048576')" "top_lines[1] increment (MiB)"
	assert_eq 5000 "$(j '.top_lines[0].occurrences')" "top_lines[0].occurrences"
	assert_eq process_data "$(j '.top_lines[0].function')" "top_lines[0].function"
	assert_eq "$(sed -n "${memcpy}p" "$SRCDATA/seed.c")" "$(j '.top_lines[0].contents')" "top_lines[0].contents"
	[[ $(j '.top_lines[0].file') == */testdata/seed.c ]] || fail "top_lines[0].file: $(j '.top_lines[0].file')"
	# The same figures as the line's row in the table.
	assert_eq "$(line_field process_data "$memcpy" increment_bytes)" "$(j '.top_lines[0].increment_bytes')" \
		"top_lines[0] against the table"
	# Default 10, largest first, growth only, every key.
	jq -e '(.top_lines | length) >= 2 and (.top_lines | length) <= 10
	       and ([.top_lines[].increment_bytes] | . == (sort | reverse))
	       and (.top_lines | all(.increment_bytes > 0 and (.increment_bytes | floor == .)))
	       and (.top_lines | all(keys == ["contents","file","function","increment_bytes","line","occurrences"]))' \
		"$JSON" >/dev/null || fail "top_lines not ranked as documented: $(j '.top_lines' -c | head -c 300)"
}

top_count() {
	local prog=$TESTDATA/seed-O0
	mp --format=json --top=1 -o "$JSON" "$prog" 300
	assert_status 0
	assert_eq 1 "$(j '.top_lines | length')" "--top=1: entries"
	mp --format=json --top=0 -o "$JSON" "$prog" 300
	assert_status 0
	assert_eq '[]' "$(j '.top_lines' -c)" "--top=0: top_lines"
	mp --top=0 -o report.txt "$prog" 300
	assert_status 0
	! grep -q 'Top lines' report.txt || fail "--top=0 still prints the top lines"
	# More than there are: every line that grew, no more.
	mp --format=json --top=1000 -o "$JSON" "$prog" 300
	assert_status 0
	assert_eq "$(j '[.functions[].lines[] | select((.increment_bytes // 0) > 0)] | length')" \
		"$(j '.top_lines | length')" "--top=1000: entries"
}

top_text() {
	local memcpy first re
	memcpy=$(srcline seed 'memcpy(backup, result')
	mp -o report.txt "$TESTDATA/seed-O0" 5000
	assert_status 0
	# After the table, before the peak, laid out like the tables.
	first=$(grep -n '^Top lines by Increment$' report.txt | cut -d: -f1)
	[[ $first =~ ^[0-9]+$ ]] || fail "no 'Top lines by Increment' heading"
	[ "$first" -gt "$(grep -n "^ *$memcpy " report.txt | head -n 1 | cut -d: -f1)" ] ||
		fail "the top lines come before the table"
	[ "$first" -lt "$(grep -n '^Peak RSS:' report.txt | cut -d: -f1)" ] || fail "the top lines come after the peak"
	assert_eq "" "$(sed -n "$((first + 1))p" report.txt)" "line after the heading"
	assert_eq "Location    Increment   Occurrences   Line Contents" "$(sed -n "$((first + 2))p" report.txt)" "header"
	assert_eq "===================================================" "$(sed -n "$((first + 3))p" report.txt)" "rule"
	re="^seed\.c:$memcpy   \+7[0-9]\.[0-9] MiB          5000   memcpy\(backup, result, \(i \+ 1\) \* sizeof \*backup\);\$"
	[[ $(sed -n "$((first + 4))p" report.txt) =~ $re ]] ||
		fail "first top row: '$(sed -n "$((first + 4))p" report.txt)'"
	# At most 10 rows, then the blank pair.
	local rows
	rows=$(sed -n "$((first + 4)),\$p" report.txt | sed '/^$/q' | grep -c .)
	[ "$rows" -ge 2 ] && [ "$rows" -le 10 ] || fail "top rows: $rows"
	mp -o report.txt --precision=3 "$TESTDATA/seed-O0" 5000
	grep -qE "^seed\.c:$memcpy +\+7[0-9]\.[0-9]{3} MiB +5000   memcpy" report.txt ||
		fail "--precision=3: no 3-decimal top row"
}

# Lines of several functions rank together: alpha's 8 MiB, then beta's 4.
top_two_functions() {
	mp --format=json -o "$JSON" "$TESTDATA/marks-O0"
	assert_status 0
	assert_eq alpha,beta "$(j '[.top_lines[0,1].function] | join(",")')" "functions of the first two top lines"
	assert_range 7.5 8.5 "$(j '.top_lines[0].increment_bytes / 1048576')" "alpha's top line (MiB)"
	assert_range 3.5 4.5 "$(j '.top_lines[1].increment_bytes / 1048576')" "beta's top line (MiB)"
	jq -e '(.top_lines | length) > 0
	       and ([.top_lines[] | {function, line}] - [.functions[] as $f | $f.lines[] | {function: $f.name, line}] == [])' \
		"$JSON" >/dev/null || fail "top_lines name lines that the tables do not have: $(j '.top_lines' -c | head -c 300)"
}

for v in $VARIANTS; do
	tcase "top $v: the seed's memcpy line first, then malloc" top_seed "$v"
done
tcase "top: --top=N, --top=0 and more lines than grew" top_count
tcase "top: text section between the tables and the peak" top_text
tcase "top: lines of every profiled function" top_two_functions
