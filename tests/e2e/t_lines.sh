# SPDX-License-Identifier: MIT
# --line=FILE:FROM-TO: a range of lines profiled wherever it is, its table
# just those lines.
# shellcheck shell=bash

line_range() { # VARIANT
	local from to
	from=$(srcline seed 'result[i] = (double)i * i;')
	to=$(srcline seed 'backups[i] = backup;')
	mp --line="seed.c:$from-$to" --format=json -o "$JSON" "$TESTDATA/seed-$1" 5000
	assert_status 0
	assert_eq process_data "$(func_names)" "profiled functions"
	assert_eq "$from $to" "$(j '.functions[0] | "\(.first_line) \(.last_line)"')" "span of the table"
	assert_eq 5000 "$(occ process_data seed 'memcpy(backup, result, (i + 1) * sizeof *backup);')" "occurrences of the memcpy line"
	assert_range 90 100 "$(j "[.functions[0].lines[] | .increment_bytes // 0] | add / 1048576")" "the range's increments (MiB)"
}

line_errors() {
	mp --line=nowhere.c:1-3 "$TESTDATA/seed-O0"
	assert_status 1
	assert_stderr "memprof: no code on lines 1-3 of 'nowhere.c' in '$TESTDATA/seed-O0'"
	mp --line=seed.c:9-3 "$TESTDATA/seed-O0"
	assert_status 2
	assert_eq "memprof: invalid --line 'seed.c:9-3' (expected FILE:FROM-TO)" "$(err1)" "usage error"
}

for v in O0 O2 O0-nopie; do
	tcase "lines $v: a range of lines of process_data" line_range "$v"
done
tcase "lines: a range with no code, a reversed range" line_errors
