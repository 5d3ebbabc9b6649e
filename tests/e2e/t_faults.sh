# SPDX-License-Identifier: MIT
# Faults: the target killed, trapping, juggling signals, exec'ing, forking
# and starting threads; memprof itself signalled or killed.  The target
# must behave as without memprof, the report must hold what ran, -o FILE
# must be whole or absent, and nothing may be left running or lying about.
# shellcheck shell=bash

# alive PID: the process exists and is not a zombie (a container's init
# may never reap what it inherits).
alive() {
	[ -r "/proc/$1/stat" ] && [ "$(sed 's/^.*) //' "/proc/$1/stat" 2>/dev/null | cut -d' ' -f1)" != Z ]
}

# start_blocked MEMPROF-ARGS...: starts memprof ARGS exitcode-O0 0 cat in
# the background, the target blocked reading a fifo that fd 3 holds open,
# and waits until the target has printed its lines.  Sets mp_pid (memprof)
# and tgt_pid (the target).  SIGINT is given back its default action (the
# shell ignores it in background jobs, and memprof then leaves it ignored).
start_blocked() {
	mkfifo fifo
	# shellcheck disable=SC2086 # MEMPROF_WRAPPER is a word list
	env --default-signal=INT $MEMPROF_WRAPPER "$MEMPROF" "$@" "$TESTDATA/exitcode-O0" 0 cat <fifo >"$T/out" 2>"$T/err" &
	mp_pid=$!
	exec 3>fifo
	for _ in $(seq 100); do
		grep -q 'exitcode: stderr line' "$T/err" && break
		sleep 0.1
	done
	tgt_pid=$(pgrep -P "$mp_pid" | head -n 1)
	if [ -z "$tgt_pid" ] || ! grep -q 'exitcode: stderr line' "$T/err"; then
		kill -9 "$mp_pid"
		exec 3>&-
		fail "the target did not start (stderr: $(tr '\n' '|' <"$T/err"))"
	fi
}

# wait_mp: waits (10 s at most) for the memprof of start_blocked; its exit
# status in $status.
wait_mp() {
	for _ in $(seq 100); do
		kill -0 "$mp_pid" 2>/dev/null || break
		sleep 0.1
	done
	if kill -0 "$mp_pid" 2>/dev/null; then
		kill -9 "$mp_pid" "$tgt_pid"
		exec 3>&-
		fail "memprof still runs after 10 s"
	fi
	wait "$mp_pid"
	status=$?
	exec 3>&-
}

# assert_no_litter: the case's directory holds only these files.
assert_no_litter() { # NAME...
	local left want
	want=$(printf '%s|' .log .why out err fifo "$@")
	left=$(find . -mindepth 1 -printf '%P\n' | grep -vxE "${want%|}")
	[ -z "$left" ] || fail "files left behind: $(tr '\n' ' ' <<<"$left")"
}

# The target killed by SIGKILL while it runs: the report of what ran, the
# message, 128 + 9.
target_sigkill() {
	start_blocked --format=json -o "$JSON"
	kill -KILL "$tgt_pid"
	wait_mp
	assert_status 137
	assert_stderr "exitcode: stderr line" "memprof: target killed by SIGKILL"
	jq -e . "$JSON" >/dev/null || fail "the report is not valid JSON"
	assert_eq SIGKILL "$(j .signal)" "signal"
	assert_eq 1 "$(occ main exitcode 'printf("exitcode: stdout line\n");')" "occurrences of the printf"
	assert_eq 1 "$(calls main)" "calls of main"
	assert_no_litter "$JSON"
}

# A SIGTRAP sent from outside is the target's, not a breakpoint: without a
# handler it kills the target.
target_sigtrap_outside() {
	start_blocked -o report.txt
	kill -TRAP "$tgt_pid"
	wait_mp
	assert_status 133
	assert_stderr "exitcode: stderr line" "memprof: target killed by SIGTRAP"
	assert_file_has report.txt "Final RSS:"
}

# int3 executed by the target, with its handler: at a line start (where
# memprof's own breakpoint is) and in the middle of a line.
target_int3() { # VARIANT
	plain "$TESTDATA/int3-$1"
	assert_eq "traps 6 sum 18" "$(cat "$T/plain.out")" "plain run's stdout"
	mp --format=json -o "$JSON" "$TESTDATA/int3-$1"
	assert_status 0
	assert_same_file "$T/plain.out" "$T/out" "target stdout"
	assert_eq 3 "$(calls trap_inline)" "calls"
	assert_eq 3 "$(occ trap_inline int3 'free(p);')" "occurrences of the line after the traps"
	if [[ $1 == O0* ]]; then
		assert_eq 3 "$(occ trap_inline int3 'int3"); /* a line of its own')" "occurrences of the int3 line"
		assert_eq 3 "$(occ trap_inline int3 'n += p[n]; __asm__')" "occurrences of the mid-line int3"
	fi
}

# SIGTERM ignored, SIGINT blocked then handled, SIGUSR1 handled: all as
# without memprof.
target_signals() { # VARIANT
	plain "$TESTDATA/sigmask-$1"
	assert_eq 0 "$plain_status" "plain run's status"
	mp --format=json -o "$JSON" "$TESTDATA/sigmask-$1"
	assert_status 0
	assert_same_file "$T/plain.out" "$T/out" "target stdout"
	assert_eq 1 "$(calls signals)" "calls"
	assert_eq 1 "$(occ signals sigmask 'sigprocmask(SIG_UNBLOCK, &set, NULL);')" "occurrences of the unblock"
}

# exec from a profiled function: the new program runs, its output and
# status are memprof's; the report holds what ran before the exec, and
# what the same selection found in the new image ran after it.
target_exec() { # VARIANT
	local prog=$TESTDATA/execs-$1
	mp --format=json -o "$JSON" "$prog" "$TESTDATA/exitcode-O0" 5
	assert_status 5
	assert_eq "execs: before exec|exitcode: stdout line|" "$(tr '\n' '|' <"$T/out")" "stdout"
	assert_eq "exitcode: stderr line" "$(cat "$T/err")" "stderr"
	assert_eq 5 "$(j .exit_code)" "exit_code"
	assert_eq 1 "$(calls run)" "calls of run"
	assert_eq 1 "$(occ run execs 'execv(argv[0], argv);')" "occurrences of the execv line"
	assert_eq 0 "$(occ run execs 'perror("execs: execv");' | sed 's/absent/0/')" "occurrences of the perror line"
	mp --format=json -o "$JSON" "$prog" "$prog" "$TESTDATA/exitcode-O0" 6
	assert_status 6
	assert_eq "execs: before exec|execs: before exec|exitcode: stdout line|" "$(tr '\n' '|' <"$T/out")" \
		"stdout (exec of itself)"
	assert_eq 2 "$(calls run)" "calls of run (exec of itself)"
}

# Eight children run the profiled function 50 times each (their copies of
# the breakpoints are gone): they all exit 0; only the parent is profiled.
target_forks() { # VARIANT
	mp --format=json -o "$JSON" "$TESTDATA/forkmany-$1" 8
	assert_status 0
	assert_eq "8 of 8 children exited 0" "$(cat "$T/out")" "target stdout"
	assert_eq 1 "$(calls work)" "calls in the parent"
}

# code_differs PID EXE FUNC: compares the bytes of FUNC in the running
# process PID with those in the file EXE.  Returns 0 when they differ,
# 1 when equal; "why" says where it looked.
code_differs() {
	local pid=$1 exe=$2 func=$3 addr size off="" rt="" type foff vaddr fsz range moff path
	read -r addr size < <(nm -S --defined-only "$exe" | awk -v f="$func" '$4 == f { print $1, $2; exit }')
	[ -n "$size" ] || fail "nm: no $func in $exe"
	addr=$((16#$addr))
	size=$((16#$size))
	# The file offset of the address, from the LOAD segment holding it.
	while read -r type foff vaddr _ fsz _; do
		[ "$type" = LOAD ] || continue
		if ((addr >= vaddr && addr < vaddr + fsz)); then
			off=$((addr - vaddr + foff))
		fi
	done < <(readelf -lW "$exe")
	[ -n "$off" ] || fail "readelf: $func of $exe is in no LOAD segment"
	# Where that offset of the file is mapped in the process.
	while read -r range _ moff _ _ path; do
		[ "$path" = "$(realpath "$exe")" ] || continue
		local start=$((16#${range%-*})) end=$((16#${range#*-}))
		moff=$((16#$moff))
		if ((off >= moff && off < moff + end - start)); then
			rt=$((start + off - moff))
		fi
	done <"/proc/$pid/maps"
	[ -n "$rt" ] || fail "$func of $exe is not mapped in process $pid"
	dd if="/proc/$pid/mem" of=mem.bin bs="$size" count=1 skip="$rt" iflag=skip_bytes status=none ||
		fail "cannot read /proc/$pid/mem"
	dd if="$exe" of=file.bin bs="$size" count=1 skip="$off" iflag=skip_bytes status=none
	why="$size bytes of $func at $(printf '%#x' "$rt") in process $pid, file offset $(printf '%#x' "$off")"
	! cmp -s mem.bin file.bin
}

# A forked child that was let go runs the file's code, byte for byte: no
# int3, no jump to a trampoline left in it.  (Control: the code of a target
# memprof is tracing does differ.)
fork_child_bytes() { # VARIANT
	local exe=$TESTDATA/forkmany-$1 child why
	start_blocked -o report.txt
	code_differs "$tgt_pid" "$TESTDATA/exitcode-O0" main ||
		{ kill -9 "$mp_pid"; exec 3>&-; fail "control: the traced target's code equals the file's ($why)"; }
	exec 3>&-
	wait_mp
	assert_status 0
	mp -o report.txt "$exe" sleep
	assert_status 0
	for _ in $(seq 100); do
		[ -s "$T/out" ] && break
		sleep 0.1
	done
	child=$(head -n 1 "$T/out")
	[[ $child =~ ^[0-9]+$ ]] || fail "the child did not print its pid: '$child'"
	alive "$child" || fail "the forked child $child is not running"
	if code_differs "$child" "$exe" work; then
		kill -9 "$child"
		fail "the child's code differs from the file's: $why"
	fi
	kill -9 "$child"
}

# 200 threads start, call work() once and exit: each call counted.
threads_200() { # VARIANT
	plain "$TESTDATA/threads200-$1"
	mp --format=json -o "$JSON" "$TESTDATA/threads200-$1"
	assert_status 0
	assert_same_file "$T/plain.out" "$T/out" "target stdout"
	assert_eq 200 "$(calls work)" "calls of work"
	assert_eq 200 "$(occ work threads200 'memset(p, (int)(id & 0x7f), 4096);')" "occurrences of the memset line"
	assert_eq 200 "$(occ work threads200 'free(p);')" "occurrences of the free line"
	assert_eq 200 "$(occ work threads200 'return (void *)v;')" "occurrences of the return line"
}

# kill -INT / -TERM of memprof alone is passed on to the target: it dies of
# it, the report is written whole, memprof exits 128 + N.
memprof_signalled() { # SIGNAL STATUS
	start_blocked --format=json -o "$JSON"
	kill -"$1" "$mp_pid"
	wait_mp
	assert_status "$2"
	assert_stderr "exitcode: stderr line" "memprof: target killed by SIG$1"
	jq -e . "$JSON" >/dev/null || fail "the report is not valid JSON"
	assert_eq "SIG$1" "$(j .signal)" "signal"
	assert_eq 1 "$(occ main exitcode 'printf("exitcode: stdout line\n");')" "occurrences of the printf"
	alive "$tgt_pid" && fail "the target $tgt_pid still runs"
	assert_no_litter "$JSON"
}

# A target that ignores SIGTERM goes on after memprof passes it on, and
# memprof with it, to the target's own end.
memprof_term_ignored() {
	local pid
	mkfifo fifo
	# shellcheck disable=SC2086 # MEMPROF_WRAPPER is a word list
	$MEMPROF_WRAPPER "$MEMPROF" -o report.txt "$TESTDATA/sigmask-O0" wait <fifo >"$T/out" 2>"$T/err" &
	pid=$!
	exec 3>fifo
	for _ in $(seq 100); do
		grep -q 'SIGUSR1 handled 1' "$T/out" && break
		sleep 0.1
	done
	kill -TERM "$pid"
	sleep 0.5
	kill -0 "$pid" 2>/dev/null || { exec 3>&-; fail "memprof ended on a SIGTERM its target ignores"; }
	exec 3>&-
	wait "$pid"
	status=$?
	assert_status 0
	assert_eq eof "$(tail -n 1 "$T/out")" "the target's last line"
	assert_file_has report.txt "Final RSS:"
}

# memprof killed by SIGKILL: the target dies with it (PTRACE_O_EXITKILL);
# -o FILE never appears, and no temporary file is left.
memprof_sigkill() {
	start_blocked -o report.txt
	kill -KILL "$mp_pid"
	wait "$mp_pid"
	status=$?
	exec 3>&-
	assert_status 137
	for _ in $(seq 50); do
		alive "$tgt_pid" || break
		sleep 0.1
	done
	alive "$tgt_pid" && { kill -9 "$tgt_pid"; fail "the target $tgt_pid survived memprof's SIGKILL"; }
	[ ! -e report.txt ] || fail "report.txt exists after memprof's SIGKILL"
	assert_no_litter
}

# The target crashes: -o FILE is the whole report.
output_crash() {
	mp -o report.txt "$TESTDATA/crash-O0"
	assert_status 139
	assert_file_has report.txt "Filename: "
	assert_file_has report.txt "Final RSS:"
	assert_no_litter report.txt
}

for v in $VARIANTS; do
	tcase "faults $v: int3 in the target, its handler runs" target_int3 "$v"
	tcase "faults $v: ignored, blocked and handled signals" target_signals "$v"
	tcase "faults $v: exec from a profiled function" target_exec "$v"
	tcase "faults $v: 8 forked children run the profiled code" target_forks "$v"
	tcase "faults $v: 200 threads start and exit, calls exact" threads_200 "$v"
done
tcase "faults O0: a forked child's code equals the file's" fork_child_bytes O0
tcase "faults O2-nopie: a forked child's code equals the file's" fork_child_bytes O2-nopie
tcase "faults: target killed by SIGKILL, report of what ran, exit 137" target_sigkill
tcase "faults: SIGTRAP from outside kills the target, exit 133" target_sigtrap_outside
tcase "faults: memprof gets SIGTERM, target dies of it, whole report" memprof_signalled TERM 143
tcase "faults: memprof gets SIGINT, target dies of it, whole report" memprof_signalled INT 130
tcase "faults: memprof gets SIGTERM the target ignores, runs on" memprof_term_ignored
tcase "faults: memprof killed by SIGKILL, target dies, no -o file" memprof_sigkill
tcase "faults: target crashes, -o file whole" output_crash
