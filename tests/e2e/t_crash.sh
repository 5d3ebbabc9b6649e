# SPDX-License-Identifier: MIT
# A target that dies of SIGSEGV: the report of what ran is still written,
# memprof says so and exits 128 + 11.
# shellcheck shell=bash

crash_json() { # VARIANT
	mp --format=json -o "$JSON" "$TESTDATA/crash-$1"
	assert_status 139
	assert_stderr "memprof: target killed by SIGSEGV"
	assert_eq "about to crash" "$(cat "$T/out")" "target stdout"
	jq -e . "$JSON" >/dev/null || fail "report is not valid JSON"
	assert_eq SIGSEGV "$(j .signal)" "signal"
	assert_eq null "$(j .exit_code)" "exit_code"
	assert_eq 1 "$(calls crash)" "calls"
	assert_range 15 17 "$(inc crash crash 'memset(p, 2, 16 << 20);')" "memset line (MiB)"
	assert_eq 1 "$(occ crash crash 'memset(p, 2, 16 << 20);')" "occurrences of memset"
	assert_eq 1 "$(occ crash crash '*nowhere = p[1];')" "occurrences of the faulting line"
	local ret
	ret=$(occ crash crash 'return p[2];')
	[[ $ret == 0 || $ret == absent ]] || fail "occurrences of the line after the crash: expected 0, got $ret"
}

crash_text() { # VARIANT
	mp "$TESTDATA/crash-$1"
	assert_status 139
	assert_stderr_has "memprof: target killed by SIGSEGV"
	assert_stderr_has "Line #    Mem usage    Increment  Occurrences   Line Contents"
	grep -q 'memset(p, 2, 16 << 20);' "$T/err" || fail "the report lacks the memset line"
}

for v in $VARIANTS; do
	tcase "crash $v: exit 139, message, JSON report of what ran" crash_json "$v"
done
tcase "crash O0: text report still written" crash_text O0
tcase "crash O2-nopie: text report still written" crash_text O2-nopie

# A signal sent to memprof alone (kill PID) is passed on to the target; the
# target dies of it, memprof reports what ran and exits 128 + N.
forwarded_term() {
	local pid i
	mkfifo fifo
	# The target copies its stdin: it blocks reading the fifo until killed.
	# shellcheck disable=SC2086 # MEMPROF_WRAPPER is a word list
	$MEMPROF_WRAPPER "$MEMPROF" -o report.txt "$TESTDATA/exitcode-O0" 0 cat <fifo >"$T/out" 2>"$T/err" &
	pid=$!
	exec 3>fifo
	for i in $(seq 100); do
		grep -q 'exitcode: stderr line' "$T/err" && break
		sleep 0.1
	done
	grep -q 'exitcode: stderr line' "$T/err" || { kill -9 $pid; fail "the target did not start"; }
	kill -TERM $pid
	for i in $(seq 100); do
		kill -0 $pid 2>/dev/null || break
		sleep 0.1
	done
	kill -0 $pid 2>/dev/null && { kill -9 $pid; exec 3>&-; fail "memprof still runs 10 s after SIGTERM"; }
	wait $pid
	status=$?
	exec 3>&-
	assert_status 143
	assert_stderr "exitcode: stderr line" "memprof: target killed by SIGTERM"
	assert_file_has report.txt "Filename: "
}

tcase "signals: SIGTERM sent to memprof reaches the target, exit 143" forwarded_term
