# SPDX-License-Identifier: MIT
# memprof -p PID: attach to a running program, let it go on SIGINT/SIGTERM
# or follow it to its end; the program must finish unharmed, its code
# byte for byte as before.
# shellcheck shell=bash

# start_attach VARIANT N: starts testdata/attach in the background and
# waits until it has copied its code; its pid in $prog_pid.
start_attach() {
	"$TESTDATA/attach-$1" "$2" "$T/ready" >"$T/prog.out" 2>"$T/prog.err" &
	prog_pid=$!
	for _ in $(seq 200); do
		[ -e "$T/ready" ] && return 0
		sleep 0.05
	done
	fail "attach-$1 did not start"
}

# wait_prog: waits for the program; its status in $prog_status.
wait_prog() {
	wait "$prog_pid"
	prog_status=$?
}

traced_iterations() {
	sed -n 's/^traced //p' "$T/prog.out"
}

# attach_for_a_while SIGNAL [OPTION...]: memprof -p on the started
# program, sent SIGNAL a second after the attach (later under valgrind:
# make check-valgrind); its status in $status, the program's in
# $prog_status.
attach_for_a_while() {
	local sig=$1 mp_pid
	shift
	# shellcheck disable=SC2086 # MEMPROF_WRAPPER is a word list
	$MEMPROF_WRAPPER "$MEMPROF" -p "$prog_pid" "$@" --format=json -o "$JSON" \
		>"$T/out" 2>"$T/err" &
	mp_pid=$!
	for _ in $(seq 200); do
		grep -qE '^TracerPid:[[:space:]]*[1-9]' "/proc/$prog_pid/status" 2>/dev/null && break
		sleep 0.05
	done
	sleep 1
	kill -"$sig" "$mp_pid"
	wait "$mp_pid"
	status=$?
	wait_prog
}

attach_detach() { # VARIANT SIGNAL
	plain "$TESTDATA/attach-$1" 120
	start_attach "$1" 120
	attach_for_a_while "$2"
	assert_status 0
	assert_stderr "memprof: detached from process $prog_pid, which goes on running"
	assert_eq 0 "$prog_status" "the program's exit status"
	assert_eq "$(sed -n 1p "$T/plain.out")" "$(sed -n 1p "$T/prog.out")" "the program's result"
	assert_eq "code intact" "$(sed -n 3p "$T/prog.out")" "the program's code after detach"
	local traced calls
	traced=$(traced_iterations)
	calls=$(calls step)
	assert_range 10 119 "$traced" "iterations run while traced"
	# An iteration can straddle the attach or the detach.
	assert_range $((traced - 1)) $((traced + 1)) "$calls" "calls seen"
	assert_range $((calls - 1)) $((calls + 1)) "$(occ step attach 'char *p = malloc(1 << 16);')" \
		"occurrences of the malloc line"
	assert_eq null "$(j .exit_code)" "exit_code of a process still running"
}

# attach_inlined VARIANT: traced() is a copy inlined into main at -O2
# (no call, no return: its ways in and out are breakpoints too); every one
# of them is gone after the detach.
attach_inlined() {
	start_attach "$1" 120
	attach_for_a_while INT --func=traced
	assert_status 0
	case $1 in
	O2*) nm "$TESTDATA/attach-$1" | grep -qw traced && fail "traced() has code of its own" ;;
	esac
	assert_eq 0 "$prog_status" "the program's exit status"
	assert_eq "code intact" "$(sed -n 3p "$T/prog.out")" "the program's code after detach"
	local traced calls
	traced=$(traced_iterations)
	calls=$(calls traced)
	assert_range 10 119 "$traced" "iterations run while traced"
	assert_range $((traced - 1)) $((traced + 1)) "$calls" "calls of traced() seen"
	assert_range $((calls - 1)) $((calls + 1)) "$(occ traced attach 'fclose(f);')" \
		"occurrences of the fclose line"
}

attach_to_end() { # VARIANT
	# 1.6 s: time to attach even under valgrind (make check-valgrind).
	start_attach "$1" 80
	mp -p "$prog_pid" --format=json -o "$JSON"
	wait_prog
	assert_status 0
	assert_eq 0 "$(j .exit_code)" "exit_code"
	local traced calls
	traced=$(traced_iterations)
	calls=$(calls step)
	assert_range 20 80 "$traced" "iterations run while traced"
	assert_range $((traced - 1)) "$traced" "$calls" "calls seen"
	assert_range -1 1 "$(inc step attach 'char *p = malloc(1 << 16);')" "malloc of a reused block (MiB)"
}

attach_errors() {
	mp -p 999999999
	assert_status 1
	assert_stderr "memprof: cannot attach to process 999999999: No such process"
	mp -p 12x
	assert_status 2
	assert_eq "memprof: invalid --pid '12x' (expected a process id)" "$(err1)" "usage error"
	mp -p 1 ./prog
	assert_status 2
	assert_eq "memprof: give either --pid or a program, not both" "$(err1)" "usage error"
}

for v in $VARIANTS; do
	tcase "attach $v: SIGINT lets the program go unharmed" attach_detach "$v" INT
done
tcase "attach O2: SIGTERM lets the program go unharmed" attach_detach O2 TERM
for v in O0 O2 O2-nopie; do
	tcase "attach $v: an inlined copy profiled, every breakpoint gone after" attach_inlined "$v"
done
for v in O0 O2-nopie; do
	tcase "attach $v: followed to its end" attach_to_end "$v"
done
tcase "attach: errors" attach_errors

# A busy loop hits a breakpoint every few microseconds: letting it go
# must catch threads between their int3 and its report.
attach_busy() { # VARIANT
	local i prog_status n=300000000
	# -O2 runs the loop ten times faster: it must still be running when
	# memprof attaches, even on a loaded machine.
	[ "$1" = O2 ] && n=3000000000
	for i in 1 2 3; do
		(exec "$TESTDATA/loop-$1" "$n" >"$T/loop.out") &
		prog_pid=$!
		sleep 0.05
		"$MEMPROF" -p "$prog_pid" -o "$T/rep.txt" >"$T/out" 2>"$T/err" &
		local mp_pid=$!
		sleep 0.3
		kill -INT "$mp_pid"
		wait "$mp_pid"
		status=$?
		wait "$prog_pid"
		prog_status=$?
		assert_status 0
		assert_eq 0 "$prog_status" "the busy program's exit status (round $i)"
		assert_eq "odd $((n / 2))" "$(cat "$T/loop.out")" "the busy program's result (round $i)"
	done
}

for v in O0 O2; do
	tcase "attach $v: a busy loop let go three times, unharmed" attach_busy "$v"
done

# wait_for COND...: runs COND every 50 ms until it succeeds, for at most
# 20 s; fails the case when it never does.
wait_for() {
	for _ in $(seq 400); do
		"$@" && return 0
		sleep 0.05
	done
	fail "timed out waiting for: $*"
}

untraced() { # PID: no tracer, or no process any more
	! grep -qE '^TracerPid:[[:space:]]*[1-9]' "/proc/$1/status" 2>/dev/null
}

# hammer_start VARIANT: starts testdata/hammer (two threads calling a
# profiled function without a pause) and waits until it runs; its pid in
# $prog_pid.  A failed case leaves no program behind.
hammer_start() {
	trap ': >"$T/stop"' EXIT
	rm -f "$T/ready" "$T/armed" "$T/stop" "$T/rep.txt"
	"$TESTDATA/hammer-$1" "$T/ready" "$T/armed" "$T/stop" \
		>"$T/prog.out" 2>"$T/prog.err" &
	prog_pid=$!
	wait_for test -e "$T/ready"
}

# hammer_attach: memprof -p on it, until the program sees its breakpoints
# in its code (line events flow); memprof's pid in $mp_pid.
hammer_attach() {
	"$MEMPROF" -p "$prog_pid" -o "$T/rep.txt" >"$T/out" 2>"$T/err" &
	mp_pid=$!
	wait_for test -e "$T/armed"
}

# hammer_end ROUND: tells the program to end; it must end well, its code
# as it was.
hammer_end() {
	: >"$T/stop"
	wait "$prog_pid"
	prog_status=$?
	assert_eq 0 "$prog_status" "the program's exit status (round $1)"
	assert_eq "threads 2, wrong 0
code intact" "$(cat "$T/prog.out")" "the program's output (round $1)"
}

# memprof -p killed by SIGKILL: the tracer (its child) lets the program go
# as on Ctrl-C.  Two threads call a profiled function without pause: an
# int3 left in it would kill the program at once.
attach_killed() { # VARIANT
	local i mp_pid prog_pid prog_status
	for i in $(seq 20); do
		hammer_start "$1"
		hammer_attach
		# The tracer is named apart: `killall -9 memprof` spares it.
		[ "$i" = 1 ] && assert_eq memprof-tracer \
			"$(cat "/proc/$(sed -n 's/^TracerPid:[[:space:]]*//p' "/proc/$prog_pid/status")/comm")" \
			"the tracer's name"
		kill -KILL "$mp_pid"
		wait "$mp_pid"
		status=$?
		assert_status 137
		wait_for untraced "$prog_pid"
		hammer_end "$i"
		assert_eq "" "$(cat "$T/err")" "memprof's messages (round $i)"
		[ -e "$T/rep.txt" ] && fail "a report was written (round $i)"
	done
	return 0
}

for v in O0 O2; do
	tcase "attach $v: memprof killed by SIGKILL 20 times, the program unharmed" attach_killed "$v"
done
for sig in USR1 PIPE QUIT HUP; do
	tcase "attach O2: SIG$sig lets the program go unharmed" attach_detach O2 "$sig"
done

proc_state() { # PID: its state letter (R, S, T, t...)
	sed -n 's/^State:[[:space:]]*\(.\).*/\1/p' "/proc/$1/status" 2>/dev/null
}

in_state() { # PID LETTER
	[ "$(proc_state "$1")" = "$2" ]
}

traced_by_someone() { # PID
	grep -qE '^TracerPid:[[:space:]]*[1-9]' "/proc/$1/status" 2>/dev/null
}

# A stopped program (SIGSTOP, Ctrl-Z) stays stopped while memprof is
# attached and after it lets go, as under strace; SIGCONT then lets it
# finish as it would have.
attach_stopped() { # VARIANT
	local mp_pid i st
	plain "$TESTDATA/attach-$1" 30
	start_attach "$1" 30
	trap 'kill -KILL "$prog_pid" 2>/dev/null' EXIT
	kill -STOP "$prog_pid"
	wait_for in_state "$prog_pid" T
	"$MEMPROF" -p "$prog_pid" --format=json -o "$JSON" >"$T/out" 2>"$T/err" &
	mp_pid=$!
	wait_for traced_by_someone "$prog_pid"
	# A second attached: stopped all along (t: in a ptrace stop).
	for i in $(seq 10); do
		st=$(proc_state "$prog_pid")
		[ "$st" = T ] || [ "$st" = t ] ||
			fail "state while attached: expected T or t, got '$st'"
		sleep 0.1
	done
	kill -INT "$mp_pid"
	wait "$mp_pid"
	status=$?
	assert_status 0
	assert_stderr "memprof: detached from process $prog_pid, which goes on running"
	assert_eq T "$(proc_state "$prog_pid")" "the program's state after the detach"
	sleep 0.2
	assert_eq T "$(proc_state "$prog_pid")" "the program's state 0.2 s after the detach"
	kill -CONT "$prog_pid"
	wait_prog
	assert_eq 0 "$prog_status" "the program's exit status"
	assert_eq "$(sed -n 1p "$T/plain.out")" "$(sed -n 1p "$T/prog.out")" "the program's result"
	assert_eq "traced 0" "$(sed -n 2p "$T/prog.out")" "iterations run while traced"
	assert_eq "code intact" "$(sed -n 3p "$T/prog.out")" "the program's code after detach"
}

for v in O0 O2; do
	tcase "attach $v: a stopped program stays stopped" attach_stopped "$v"
done

# A process already traced (one tracer at most): the message names the
# tracer; the program goes on unharmed.
attach_traced() {
	local tracer_pid
	start_attach O0 40
	"$TESTDATA/tracer-O0" "$prog_pid" "$T/held" 2>"$T/tracer.err" &
	tracer_pid=$!
	trap 'kill "$tracer_pid" "$prog_pid" 2>/dev/null' EXIT
	wait_for test -e "$T/held"
	mp -p "$prog_pid"
	assert_status 1
	assert_stderr "memprof: cannot attach to process $prog_pid: already traced by process $tracer_pid (tracer-O0)"
	wait_prog
	assert_eq 0 "$prog_status" "the program's exit status"
	assert_eq "code intact" "$(sed -n 3p "$T/prog.out")" "the program's code"
}

tcase "attach: a process already traced, its tracer named" attach_traced

anon_exec() { # PID: its anonymous executable mappings
	awk '$2 ~ /x/ && NF == 5 { print $1 }' "/proc/$1/maps"
}

# Let go, a program has no mapping of memprof's left (the scratch pages
# of displaced instructions), even when its threads were running
# displaced instructions there when memprof let go.
attach_unmapped() { # VARIANT
	local i mp_pid prog_pid prog_status before during
	for i in 1 2 3; do
		hammer_start "$1"
		before=$(anon_exec "$prog_pid")
		hammer_attach
		during=$(anon_exec "$prog_pid")
		[ "$during" != "$before" ] || fail "no scratch page seen (round $i)"
		kill -INT "$mp_pid"
		wait "$mp_pid"
		status=$?
		assert_status 0
		assert_eq "$before" "$(anon_exec "$prog_pid")" "anonymous executable mappings after the detach (round $i)"
		hammer_end "$i"
	done
	return 0
}

for v in O0 O2; do
	tcase "attach $v: no scratch page left after the detach" attach_unmapped "$v"
done

tracer_of() { # PID
	sed -n 's/^TracerPid:[[:space:]]*//p' "/proc/$1/status" 2>/dev/null
}

# The tracer crashes (a bug in memprof: here a SIGSEGV or SIGABRT sent to
# it): from its handler it takes the breakpoints out and lets every
# thread go, then dies of the signal; memprof says so.
attach_crashed() { # VARIANT SIGNAL ROUNDS
	local i mp_pid prog_pid prog_status tracer signum
	signum=$(kill -l "$2")
	ulimit -c 0
	for i in $(seq "$3"); do
		hammer_start "$1"
		hammer_attach
		tracer=$(tracer_of "$prog_pid")
		[ "$tracer" != "$mp_pid" ] || fail "memprof's own process traces"
		kill -"$2" "$tracer"
		wait "$mp_pid"
		status=$?
		wait_for untraced "$prog_pid"
		hammer_end "$i"
		assert_status $((128 + signum))
		assert_stderr "memprof: internal error; letting the process go" \
			"memprof: the tracer (process $tracer) was killed by SIG$2"
	done
	return 0
}

for v in O0 O2; do
	tcase "attach $v: the tracer crashes (SIGSEGV) 5 times, the program unharmed" attach_crashed "$v" SEGV 5
done
tcase "attach O2: the tracer aborts (SIGABRT), the program unharmed" attach_crashed O2 ABRT 1
