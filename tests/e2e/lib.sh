# SPDX-License-Identifier: MIT
# tests/e2e/lib.sh - registration, running memprof, assertions.
#
# Sourced by tests/e2e/run.  A case runs in a subshell inside its own
# directory $T; an assertion that fails writes why to $T/.why and exits
# that subshell, so a case needs no error plumbing of its own.
# shellcheck shell=bash

CASE_NAMES=()
CASE_CALLS=()

# Registers a case: tcase NAME FUNCTION [ARGS...] (ARGS are single words).
tcase() {
	local name=$1
	shift
	CASE_NAMES+=("$name")
	CASE_CALLS+=("$*")
}

# The four builds of every testdata program.
VARIANTS="O0 O2 O0-nopie O2-nopie"

# The first reason wins: a failure inside $(...) only ends that
# substitution, and the assertion that then sees its empty output must not
# hide the real reason.
fail() {
	[ -s "$T/.why" ] || printf '%s\n' "$*" >"$T/.why"
	exit 1
}

# Seconds memprof may take on one run before the case fails.
MP_TIMEOUT=${MP_TIMEOUT:-120}

# runcap COMMAND ARGS...: runs a command; stdout in $T/out, stderr in
# $T/err, exit status in $status.  stdin is the caller's.
runcap() {
	timeout -k 5 "$MP_TIMEOUT" "$@" >"$T/out" 2>"$T/err"
	status=$?
	if [ $status -eq 124 ]; then
		fail "timed out after ${MP_TIMEOUT}s: $*"
	fi
	return 0
}

# A command memprof runs under, as words: MEMPROF_WRAPPER="valgrind -q"
# (make check-valgrind).  Cases that start memprof themselves run
# $MEMPROF_WRAPPER "$MEMPROF" too.
MEMPROF_WRAPPER=${MEMPROF_WRAPPER:-}

# mp ARGS...: runs memprof ARGS with runcap.
mp() {
	# shellcheck disable=SC2086 # a word list by design
	runcap $MEMPROF_WRAPPER "$MEMPROF" "$@"
}

# plain PROGRAM ARGS...: runs a program without memprof; stdout in
# $T/plain.out, stderr in $T/plain.err, exit status in $plain_status.
plain() {
	timeout -k 5 "$MP_TIMEOUT" "$@" >"$T/plain.out" 2>"$T/plain.err"
	plain_status=$?
	return 0
}

# First line of memprof's stderr, for failure messages.
err1() {
	head -n 1 "$T/err" 2>/dev/null
}

# skip REASON: this case cannot run here (a compiler or package it needs is
# missing; scripts/install-deps installs them).  The runner prints "skip -
# NAME: REASON" and counts it apart.
skip() {
	printf '%s\n' "$*" >"$T/.skip"
	exit 0
}

assert_eq() { # EXPECTED ACTUAL WHAT
	[ "$1" = "$2" ] || fail "$3: expected '$1', got '$2'"
}

assert_status() { # EXPECTED (checks $status of the last mp)
	[ "$status" = "$1" ] ||
		fail "exit status: expected $1, got $status (stderr: $(err1))"
}

# assert_range LO HI VALUE WHAT: LO <= VALUE <= HI, as decimal numbers.
assert_range() {
	[[ $3 =~ ^-?[0-9]+(\.[0-9]+)?([eE][-+]?[0-9]+)?$ ]] ||
		fail "$4: expected a number in [$1, $2], got '$3'"
	awk -v lo="$1" -v hi="$2" -v v="$3" 'BEGIN { exit !(v + 0 >= lo + 0 && v + 0 <= hi + 0) }' ||
		fail "$4: expected $1..$2, got $3"
}

# The whole of memprof's stderr is exactly these lines.
assert_stderr() { # LINE...
	local want
	want=$(printf '%s\n' "$@")
	[ "$(cat "$T/err")" = "$want" ] ||
		fail "stderr: expected '$(printf '%s|' "$@")', got '$(tr '\n' '|' <"$T/err")'"
}

assert_stderr_line() { # N TEXT: line N of stderr is exactly TEXT
	local got
	got=$(sed -n "$1p" "$T/err")
	[ "$got" = "$2" ] || fail "stderr line $1: expected '$2', got '$got'"
}

assert_stderr_has() { # TEXT: some line of stderr is exactly TEXT
	grep -qxF -- "$1" "$T/err" ||
		fail "stderr has no line '$1' (stderr: $(tr '\n' '|' <"$T/err" | cut -c1-300))"
}

assert_stderr_lacks() { # TEXT: no line of stderr contains TEXT
	! grep -qF -- "$1" "$T/err" || fail "stderr unexpectedly contains '$1'"
}

assert_no_stdout() {
	[ ! -s "$T/out" ] || fail "stdout should be empty, got '$(head -c 200 "$T/out" | tr '\n' '|')'"
}

assert_file_has() { # FILE TEXT: some line of FILE contains TEXT
	grep -qF -- "$2" "$1" || fail "$(basename "$1") does not contain '$2'"
}

assert_same_file() { # EXPECTED ACTUAL WHAT: byte-equal files
	cmp -s "$1" "$2" ||
		fail "$3 differs: expected '$(head -c 200 "$1" | tr '\n' '|')', got '$(head -c 200 "$2" | tr '\n' '|')'"
}

# assert_gone NAME: no process has NAME in its command line (memprof left
# nothing behind).  A leftover is killed, by pid, before failing.
assert_gone() {
	local pids
	sleep 0.1
	pids=$(pgrep -f -- "$1")
	if [ -n "$pids" ]; then
		# shellcheck disable=SC2086
		kill -9 $pids 2>/dev/null
		fail "process left running: $(ps -o pid=,stat=,args= -p "$(paste -sd, <<<"$pids")" 2>/dev/null | tr '\n' '|')"
	fi
	return 0
}

# --- the JSON report ---

# Report file used by the j* helpers below.
JSON=report.json

# j FILTER [jq options]: jq -r on the JSON report.
j() {
	local filter=$1
	shift
	jq -r "$@" "$filter" "$T/$JSON" 2>/dev/null ||
		fail "jq '$filter' failed on $JSON: $(head -c 200 "$T/$JSON")"
}

# srcline PROG TEXT: the number of the one source line of testdata/PROG.c
# (testdata/PROG when PROG has a suffix: cxx.cpp) containing TEXT.
srcline() {
	local n src=$1
	[[ $src == *.* ]] || src=$src.c
	n=$(grep -nF -- "$2" "$SRCDATA/$src" | cut -d: -f1)
	[[ $n =~ ^[0-9]+$ ]] || fail "testdata/$src: not exactly one line contains '$2' ($n)"
	echo "$n"
}

# line_field FUNC LINE FIELD: FIELD of line LINE of function FUNC; "absent"
# when the report has no such line.
line_field() {
	j "[.functions[] | select(.name == \"$1\") | .lines[] | select(.line == $2) | .$3] |
	   if length == 0 then \"absent\" else .[0] end"
}

# occ FUNC PROG TEXT: occurrences of the line of FUNC containing TEXT.
occ() {
	line_field "$1" "$(srcline "$2" "$3")" occurrences
}

# inc FUNC PROG TEXT...: the increment, in MiB, summed over the lines of
# FUNC containing any TEXT (lines that never ran count 0).
inc() {
	local func=$1 prog=$2 nums="" n
	shift 2
	for text in "$@"; do
		n=$(srcline "$prog" "$text") || exit 1
		nums="$nums${nums:+,}$n"
	done
	j "[.functions[] | select(.name == \"$func\") | .lines[] | select(.line | IN($nums)) |
	    (.increment_bytes // 0)] | add // 0 | . / 1048576"
}

# calls FUNC: how many calls of FUNC the report counts.
calls() {
	j "[.functions[] | select(.name == \"$1\") | .calls] | if length == 0 then \"absent\" else .[0] end"
}

# Names of the profiled functions, sorted, comma-separated.
func_names() {
	j '[.functions[].name] | sort | join(",")'
}

# wait_file FILE WHAT [TENTHS]: waits until FILE exists, for at most
# TENTHS of a second times five (default 20 s), giving up early when the
# program started as $prog_pid (if set) has ended; fails "WHAT" with the
# program's stderr otherwise.
wait_file() {
	local i
	for ((i = 0; i < ${3:-400}; i++)); do
		[ -e "$1" ] && return 0
		[ -z "${prog_pid:-}" ] || kill -0 "$prog_pid" 2>/dev/null || break
		sleep 0.05
	done
	[ -e "$1" ] && return 0
	fail "$2: $(head -c 200 "$T/prog.err" 2>/dev/null)"
}

# attach_until PROGRAM MARK WHAT: starts PROGRAM `wait $T/ready` in the
# background, attaches memprof (JSON report in $JSON) once it is ready,
# and lets it go with SIGINT once the program has made $T/ready.MARK
# (WHAT says what that means).  memprof's status in $status, the
# program's in $prog_status.
attach_until() {
	local mp_pid
	"$1" wait "$T/ready" >"$T/prog.out" 2>"$T/prog.err" &
	prog_pid=$!
	wait_file "$T/ready" "$(basename "$1") did not start" 600
	# shellcheck disable=SC2086 # MEMPROF_WRAPPER is a word list
	$MEMPROF_WRAPPER "$MEMPROF" -p "$prog_pid" --format=json -o "$JSON" \
		>"$T/out" 2>"$T/err" &
	mp_pid=$!
	wait_file "$T/ready.$2" "$(basename "$1") $3" 1200
	kill -INT "$mp_pid"
	wait "$mp_pid"
	status=$?
	wait "$prog_pid"
	prog_status=$?
}
