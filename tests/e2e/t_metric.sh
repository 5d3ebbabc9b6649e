# SPDX-License-Identifier: MIT
# --metric: which memory the figures measure; --faults: page faults per
# line.  A line that maps and reads a 64 MiB file is +64 MiB of file pages
# and about nothing anonymous; a memset of 32 MiB the other way round.
# shellcheck shell=bash

metric_case() { # VARIANT METRIC READ_LO READ_HI MEMSET_LO MEMSET_HI
	mp --metric="$2" --format=json -o "$JSON" "$TESTDATA/mapfile-$1" "$T/data.bin"
	assert_status 0
	assert_eq "$2" "$(j .metric)" "metric in the report"
	assert_range "$3" "$4" "$(inc work mapfile 'sink = read_all(p);')" "the line reading the mapped file (MiB of $2)"
	assert_range "$5" "$6" "$(inc work mapfile 'memset(a, 1, 32 << 20);')" "the memset line (MiB of $2)"
}

metric_text() {
	mp --metric=anon "$TESTDATA/mapfile-O0" "$T/data.bin"
	assert_status 0
	assert_stderr_has "Metric:    anon (--metric)"
	grep -q "^Final anon: [0-9.]* MiB$" "$T/err" || fail "no 'Final anon' line"
}

faults_case() { # VARIANT
	mp --faults --format=json -o "$JSON" "$TESTDATA/touch64-$1"
	assert_status 0
	local memset malloc
	memset=$(srcline touch64 'memset(p, 1, 64 << 20);')
	malloc=$(srcline touch64 'char *p = malloc(64 << 20);')
	# 64 MiB touched: 16384 pages, each one minor fault.
	assert_range 16300 16500 "$(line_field touch "$memset" minor_faults)" "minor faults of the memset line"
	assert_eq 0 "$(line_field touch "$memset" major_faults)" "major faults of the memset line"
	assert_range 0 16 "$(line_field touch "$malloc" minor_faults)" "minor faults of the malloc line"
}

metric_usage() {
	mp --metric=vss ./x
	assert_status 2
	assert_eq "memprof: invalid --metric 'vss' (expected rss, anon, file, shmem, pss or uss)" "$(err1)" "usage error"
	mp --peak --metric=anon ./x
	assert_status 2
	assert_eq "memprof: --peak measures RSS: it cannot go with --metric=anon" "$(err1)" "usage error"
}

for v in O0 O2; do
	tcase "metric $v: file pages of a mapped file" metric_case "$v" file 62 66 -1 1
	tcase "metric $v: anonymous memory of a memset" metric_case "$v" anon -1 1 31 33
	tcase "metric $v: pss" metric_case "$v" pss 62 66 31 33
	tcase "metric $v: uss" metric_case "$v" uss 62 66 31 33
	tcase "metric $v: rss, the default named" metric_case "$v" rss 62 66 31 33
	tcase "faults $v: one minor fault per page touched" faults_case "$v"
done
tcase "metric: the text report names the metric" metric_text
tcase "metric: bad values are usage errors" metric_usage
