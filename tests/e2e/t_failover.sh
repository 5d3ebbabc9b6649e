# SPDX-License-Identifier: MIT
# --fail-over: a peak RSS budget for CI.  Over budget, memprof still writes
# the report, says so in one line and exits 109; the program's own failure
# wins.
# shellcheck shell=bash

OVER=109
MIB='[0-9]+\.[0-9] MiB'

# The done criterion: the seed at n=5000 peaks near 97 MiB.
failover_seed() { # VARIANT
	local prog=$TESTDATA/seed-$1 memcpy
	memcpy=$(srcline seed 'memcpy(backup, result')
	plain "$prog" 5000
	mp --fail-over=50MiB -o report.txt "$prog" 5000
	assert_status $OVER
	assert_same_file "$T/plain.out" "$T/out" "target stdout"
	assert_file_has report.txt "Filename: "
	assert_file_has report.txt "Peak RSS: "
	[ "$(wc -l <"$T/err")" -eq 1 ] || fail "stderr: expected one line, got '$(tr '\n' '|' <"$T/err")'"
	[[ $(err1) =~ ^memprof:\ peak\ RSS\ ($MIB)\ exceeds\ the\ budget\ of\ 50\.0\ MiB\ \(at\ seed\.c:$memcpy\ in\ process_data\)$ ]] ||
		fail "budget line: '$(err1)'"
	assert_range 95 200 "${BASH_REMATCH[1]% MiB}" "peak in the budget line (MiB)"
	mp --fail-over=500MiB -o report.txt "$prog" 5000
	assert_status 0
	[ ! -s "$T/err" ] || fail "within budget, stderr: '$(err1)'"
}

failover_function() {
	local prog=$TESTDATA/seed-O0 memcpy
	memcpy=$(srcline seed 'memcpy(backup, result')
	mp --fail-over=process_data:50M -o report.txt "$prog" 5000
	assert_status $OVER
	[[ $(err1) =~ ^memprof:\ peak\ RSS\ $MIB\ in\ process_data\ exceeds\ its\ budget\ of\ 50\.0\ MiB\ \(at\ seed\.c:$memcpy\)$ ]] ||
		fail "function budget line: '$(err1)'"
	mp --fail-over=process_data:1.5GiB -o report.txt "$prog" 5000
	assert_status 0
	# Several budgets: each exceeded one says so, in order.
	mp --fail-over=1G --fail-over=process_data:20MiB --fail-over=52428800 --precision=0 -o report.txt "$prog" 5000
	assert_status $OVER
	[ "$(wc -l <"$T/err")" -eq 2 ] || fail "two budgets exceeded: '$(tr '\n' '|' <"$T/err")'"
	[[ $(sed -n 1p "$T/err") =~ ^memprof:\ peak\ RSS\ [0-9]+\ MiB\ in\ process_data\ exceeds\ its\ budget\ of\ 20\ MiB ]] ||
		fail "first budget line: '$(sed -n 1p "$T/err")'"
	[[ $(sed -n 2p "$T/err") =~ ^memprof:\ peak\ RSS\ [0-9]+\ MiB\ exceeds\ the\ budget\ of\ 50\ MiB ]] ||
		fail "second budget line: '$(sed -n 2p "$T/err")'"
	# Marked functions (no --func) can have budgets too.
	mp --fail-over=process_data:1M --format=json -o "$JSON" "$prog" 1000
	assert_status $OVER
}

# The program's failure status wins; the budget line still tells.
failover_target_fails() {
	mp --fail-over=1K -o report.txt "$TESTDATA/exitcode-O0" 3
	assert_status 3
	assert_stderr_has "exitcode: stderr line"
	grep -qE '^memprof: peak RSS .* exceeds the budget of 0\.0+1 MiB' "$T/err" ||
		fail "no budget line: '$(tr '\n' '|' <"$T/err")'"
	mp --fail-over=1M -o report.txt "$TESTDATA/crash-O0"
	assert_status 139
	assert_stderr_has "memprof: target killed by SIGSEGV"
	grep -qE '^memprof: peak RSS .* exceeds the budget of 1\.0 MiB \(at crash\.c:[0-9]+ in crash\)$' "$T/err" ||
		fail "no budget line after the crash: '$(tr '\n' '|' <"$T/err")'"
}

# failover_usage FIRST-LINE MEMPROF-ARGS...: a usage error, exit 2.
failover_usage() {
	local first=$1
	shift
	mp "$@"
	assert_status 2
	assert_stderr "$first" "Try 'memprof --help' for more information."
	assert_no_stdout
}

failover_errors() {
	failover_usage "memprof: invalid --fail-over '5MB' (expected SIZE or FUNCTION:SIZE, e.g. 200MiB, 1.5GiB, 500M)" \
		--fail-over=5MB "$TESTDATA/seed-O0"
	failover_usage "memprof: invalid --fail-over 'lots' (expected SIZE or FUNCTION:SIZE, e.g. 200MiB, 1.5GiB, 500M)" \
		--fail-over=lots "$TESTDATA/seed-O0"
	failover_usage "memprof: invalid --fail-over 'process_data:' (expected SIZE or FUNCTION:SIZE, e.g. 200MiB, 1.5GiB, 500M)" \
		--fail-over=process_data: "$TESTDATA/seed-O0"
	failover_usage "memprof: --fail-over names 'main', which is not profiled (add --func=main)" \
		--func=process_data --fail-over=main:1M "$TESTDATA/seed-O0"
	# Without --func the profiled functions are known after the run: the
	# report is written, then the error, status 1.
	mp --fail-over=nosuch:1M -o report.txt "$TESTDATA/seed-O0" 100
	assert_status 1
	assert_stderr "memprof: --fail-over names 'nosuch', which is not profiled (add --func=nosuch)"
	assert_file_has report.txt "Filename: "
}

for v in O0 O2-nopie; do
	tcase "fail-over $v: 50MiB fails the seed with $OVER, 500MiB passes" failover_seed "$v"
done
tcase "fail-over: FUNC:SIZE, several budgets, marked functions" failover_function
tcase "fail-over: the program's failure wins" failover_target_fails
tcase "fail-over: bad sizes and unprofiled functions" failover_errors
