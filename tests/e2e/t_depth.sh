# SPDX-License-Identifier: MIT
# --depth=N: the functions the profiled ones call, N levels down, each
# with its own table.
# shellcheck shell=bash

depth_levels() {
	mp --func=main --depth=0 --format=json -o "$JSON" "$TESTDATA/displaced-O0"
	assert_status 0
	assert_eq main "$(func_names)" "depth 0"
	mp --func=main --depth=1 --format=json -o "$JSON" "$TESTDATA/displaced-O0"
	assert_status 0
	assert_eq "main,mix" "$(func_names)" "depth 1: what main calls"
	assert_eq 80 "$(calls mix)" "calls of mix"
	mp --func=main --depth=2 --format=json -o "$JSON" "$TESTDATA/displaced-O0"
	assert_status 0
	assert_eq "check_lea,fill,main,mix,pick,twice" "$(func_names)" "depth 2: and what they call"
	assert_eq 90 "$(calls twice)" "calls of twice"
}

depth_usage() {
	mp --depth=x ./prog
	assert_status 2
	assert_eq "memprof: invalid --depth 'x' (expected 0 to 16)" "$(err1)" "usage error"
}

tcase "depth: callees of main, one and two levels down" depth_levels
tcase "depth: a bad depth is a usage error" depth_usage
