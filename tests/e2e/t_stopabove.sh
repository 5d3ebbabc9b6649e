# SPDX-License-Identifier: MIT
# --stop-above=SIZE[,hold]: when the RSS first goes above SIZE, memprof
# names the line and the stack, then kills the program, or leaves it
# stopped for a debugger.
# shellcheck shell=bash

stop_kill() { # VARIANT
	mp --stop-above=50MiB --format=json -o "$JSON" "$TESTDATA/seed-$1" 5000
	assert_status 137
	grep -qE "^memprof: RSS [0-9.]+ MiB went above [0-9.]+ MiB at $SRCDATA/seed.c:[0-9]+ in process_data; target killed$" "$T/err" ||
		fail "no stop-above line: $(tr '\n' '|' <"$T/err" | cut -c1-300)"
	grep -q "^    #1 main at $SRCDATA/seed.c:[0-9]*$" "$T/err" || fail "no '#1 main' frame"
	assert_eq SIGKILL "$(j .signal)" "signal in the report"
	assert_range 49 56 "$(j '.peak_rss_bytes / 1048576')" "peak RSS when stopped (MiB)"
	assert_eq process_data "$(j .peak.function)" "function where it went above"
}

stop_hold() {
	# memprof stays until the stopped program ends: run it aside.
	"$MEMPROF" --stop-above=50MiB,hold --format=json -o "$JSON" \
		"$TESTDATA/seed-O0" 5000 >"$T/out" 2>"$T/err" &
	local mp_pid=$! pid= state
	for _ in $(seq 600); do
		pid=$(sed -n 's/.*; process \([0-9]*\) left stopped: gdb -p \1, or kill -CONT \1 to let it go$/\1/p' "$T/err")
		[ -n "$pid" ] && break
		sleep 0.1
	done
	[ -n "$pid" ] || { kill -KILL "$mp_pid"; fail "no 'left stopped' line: $(tr '\n' '|' <"$T/err" | cut -c1-300)"; }
	sleep 0.2
	state=$(awk '/^State:/ { print $2 }' "/proc/$pid/status" 2>/dev/null)
	kill -KILL "$pid" 2>/dev/null
	wait "$mp_pid"
	status=$?
	assert_eq T "$state" "state of the process left behind"
	assert_status 147
	assert_eq null "$(j .exit_code)" "exit_code of a process left stopped"
}

stop_usage() {
	mp --stop-above=lots ./x
	assert_status 2
	assert_eq "memprof: invalid --stop-above 'lots' (expected SIZE or SIZE,hold)" "$(err1)" "usage error"
	mp --stop-above=1GiB,later ./x
	assert_status 2
	assert_eq "memprof: invalid --stop-above '1GiB,later' (expected SIZE or SIZE,hold)" "$(err1)" "usage error"
}

for v in O0 O2-nopie; do
	tcase "stopabove $v: the line and stack, then the program killed" stop_kill "$v"
done
tcase "stopabove: ,hold leaves the program stopped for a debugger" stop_hold
tcase "stopabove: bad sizes are usage errors" stop_usage
