# SPDX-License-Identifier: MIT
# Hostile inputs: whatever is handed to memprof as a program, a pid, an
# option or an output file, the answer is one clear line on stderr, an exit
# status below 128 (memprof never crashes), no output from a program that
# was not run and no process left behind.  Some programs that look odd are
# fine: a static or static-pie binary, debug info in a separate file.
# shellcheck shell=bash

# A name no other process has, for assert_gone.
hostile_name() { # KIND
	echo "mph-$$-$RANDOM-$1"
}

# expect_hostile STATUS MESSAGE MEMPROF-ARGS...: memprof fails with STATUS
# and exactly MESSAGE on stderr, prints nothing on stdout.
expect_hostile() {
	local want=$1 msg=$2
	shift 2
	mp "$@"
	assert_status "$want"
	[ "$status" -lt 128 ] || fail "memprof $*: exit status $status (128 + signal)"
	assert_stderr "$msg"
	assert_no_stdout
}

hostile_garbage() {
	local g z
	g=$(hostile_name garbage)
	z=$(hostile_name elfzeros)
	# Random bytes after a NUL, so that they cannot start with '#!' or
	# the ELF magic.
	{ printf '\0'; head -c 4095 /dev/urandom; } >"$g"
	# The ELF magic, a 64-bit little-endian class, then zeros: no machine.
	{ printf '\177ELF\2\1\1'; head -c 4089 /dev/zero; } >"$z"
	chmod 755 "$g" "$z"
	expect_hostile 1 "memprof: './$g' is not an ELF executable" "./$g" 1 2
	assert_gone "$g"
	expect_hostile 1 "memprof: './$z' is not an x86-64 program" "./$z"
	assert_gone "$z"
}

hostile_truncated() {
	local t size n
	size=$(stat -c %s "$TESTDATA/seed-O0")
	# The first page (program headers, no section headers), only the ELF
	# header, all but the end (the section headers are last).
	for n in 2000 64 $((size - 100)); do
		t=$(hostile_name trunc$n)
		head -c "$n" "$TESTDATA/seed-O0" >"$t"
		chmod 755 "$t"
		expect_hostile 1 "memprof: './$t' is a truncated ELF file" "./$t" 10
		assert_gone "$t"
	done
}

hostile_empty_dir() {
	local e d
	e=$(hostile_name empty)
	d=$(hostile_name dir)
	: >"$e"
	chmod 755 "$e"
	mkdir "$d"
	expect_hostile 1 "memprof: './$e' is not an ELF executable" "./$e"
	expect_hostile 1 "memprof: cannot run './$d': Is a directory" "./$d"
	expect_hostile 1 "memprof: cannot run '$T/$d/': Is a directory" "$T/$d/"
	assert_gone "$e"
}

# A script is refused before anything runs.  What to do instead (man page,
# NOTES): run memprof on the native program inside the script.
hostile_script() {
	local s
	s=$(hostile_name script)
	printf '#!/bin/sh\necho ran >ran\n' >"$s"
	chmod 755 "$s"
	expect_hostile 1 "memprof: './$s' is a script, not an ELF executable" "./$s"
	[ ! -e ran ] || fail "the script ran"
	assert_gone "$s"
	PATH="$T:$PATH" expect_hostile 1 "memprof: '$s' is a script, not an ELF executable" "$s"
	# The way round it: memprof inside the script.
	printf '#!/bin/sh\nexec %s -o report.txt "$@"\n' "$MEMPROF" >wrap.sh
	chmod 755 wrap.sh
	runcap ./wrap.sh "$TESTDATA/exitcode-O0" 4
	assert_status 4
	assert_file_has report.txt "Filename: "
}

# A real i386 program of 96 bytes (exit(7) by int 0x80), an x86-64 ELF
# patched to say aarch64, an object file, a shared library with the x bit.
hostile_foreign() {
	local p32 arm obj lib
	p32=$(hostile_name p32)
	arm=$(hostile_name arm)
	obj=$(hostile_name obj)
	lib=$(hostile_name lib)
	{
		printf '\177ELF\1\1\1\0\0\0\0\0\0\0\0\0'
		# ET_EXEC, EM_386, entry 0x08048054, phoff 52, one phdr
		printf '\2\0\3\0\1\0\0\0\124\200\4\10\64\0\0\0\0\0\0\0\0\0\0\0\64\0\40\0\1\0\0\0\0\0\0\0'
		# PT_LOAD of the 96 bytes at 0x08048000, r-x
		printf '\1\0\0\0\0\0\0\0\0\200\4\10\0\200\4\10\140\0\0\0\140\0\0\0\5\0\0\0\0\20\0\0'
		# mov $1, %eax; mov $7, %ebx; int $0x80
		printf '\270\1\0\0\0\273\7\0\0\0\315\200'
	} >"$p32"
	[ "$(stat -c %s "$p32")" = 96 ] || fail "the i386 program is not 96 bytes"
	chmod 755 "$p32"
	expect_hostile 1 "memprof: './$p32' is a 32-bit program; memprof profiles x86-64 programs" "./$p32"
	cp "$TESTDATA/seed-O0" "$arm"
	printf '\267\0' | dd of="$arm" bs=1 seek=18 conv=notrunc status=none
	expect_hostile 1 "memprof: './$arm' is not an x86-64 program" "./$arm" 10
	printf 'int f(void)\n{\n\treturn 1;\n}\n' >lib.c
	cc -g -c -o "$obj" lib.c || fail "cc -c failed"
	cc -g -shared -fPIC -o "$lib" lib.c || fail "cc -shared failed"
	chmod 755 "$obj" "$lib"
	expect_hostile 1 "memprof: './$obj' is not an ELF executable" "./$obj"
	expect_hostile 1 "memprof: function 'main' not found in './$lib'" "./$lib"
	assert_gone "$lib"
}

# Static programs are profiled like the others.
hostile_static() { # -static|-static-pie
	local s
	s=$(hostile_name static)
	printf '#include <stdio.h>\n#include <stdlib.h>\n#include <string.h>\n\nint main(void)\n{\n\tchar *p = malloc(8 << 20);\n\tmemset(p, 1, 8 << 20);\n\tputs("static ran");\n\treturn p[1] + 2;\n}\n' >static.c
	[ -n "$(cc -print-file-name=libc.a | grep /)" ] || skip "no static C library (libc6-dev)"
	cc -g -O0 "$1" -o "$s" static.c 2>cc.err || fail "cc $1 failed: $(head -c 200 cc.err)"
	mp --format=json -o "$JSON" "./$s"
	assert_status 3
	assert_eq "static ran" "$(cat "$T/out")" "target stdout"
	assert_eq main "$(func_names)" "profiled functions"
	assert_eq 1 "$(calls main)" "calls of main"
	assert_eq 1 "$(line_field main 8 occurrences)" "occurrences of the memset line"
	assert_range 7.5 8.5 "$(j '[.functions[0].lines[] | select(.line == 8) | .increment_bytes][0] / 1048576')" \
		"memset line (MiB)"
}

# Stripped of its DWARF (strip, strip -g): the rebuild hint.  (DWARF in a
# separate file: t_debuglink.sh.)
hostile_stripped() {
	local s g
	s=$(hostile_name stripped)
	g=$(hostile_name strip-g)
	cp "$TESTDATA/seed-O0" "$s"
	cp "$TESTDATA/seed-O0" "$g"
	{ strip "$s" && strip -g "$g"; } || fail "strip failed"
	expect_hostile 1 "memprof: './$s' has no line information; rebuild it with -g" "./$s" 10
	assert_gone "$s"
	expect_hostile 1 "memprof: './$g' has no line information; rebuild it with -g" "./$g" 10
	assert_gone "$g"
}

TRY="Try 'memprof --help' for more information."

# expect_hostile for usage errors: two lines (the message and the hint).
expect_usage() {
	local msg=$1
	shift
	mp "$@"
	assert_status 2
	assert_stderr "$msg" "$TRY"
	assert_no_stdout
}

hostile_precision() {
	local p
	for p in 99999999999999999999999 -0 ' 1' 1e3 0x1 '' 1.5 10; do
		expect_usage "memprof: invalid --precision '$p' (expected 0 to 9)" \
			--precision="$p" "$TESTDATA/exitcode-O0" 0
	done
}

hostile_func() {
	expect_usage "memprof: empty function name in --func" --func= "$TESTDATA/exitcode-O0" 0
	expect_usage "memprof: empty function name in --func" -f '' "$TESTDATA/exitcode-O0" 0
	expect_usage "memprof: empty function name in --func" --func=main, "$TESTDATA/exitcode-O0" 0
}

# Where the report cannot go, memprof says so before the program runs.
hostile_output() {
	mkdir adir
	expect_hostile 1 "memprof: cannot write '$T/no/such/dir/r.txt': No such file or directory" \
		-o "$T/no/such/dir/r.txt" "$TESTDATA/exitcode-O0" 0
	expect_hostile 1 "memprof: cannot write 'adir': Is a directory" -o adir "$TESTDATA/exitcode-O0" 0
	expect_hostile 1 "memprof: cannot write '': No such file or directory" -o '' "$TESTDATA/exitcode-O0" 0
	[ -z "$(find adir -mindepth 1)" ] || fail "memprof left files in adir: $(find adir -mindepth 1 | tr '\n' ' ')"
}

# A report file that is not a regular file is written in place, not
# replaced: a symlink stays a symlink (its target gets the report), a pipe
# stays a pipe, /proc/self/fd/1 is memprof's stdout.
hostile_output_special() {
	local reader
	echo old >real.txt
	ln -s real.txt link.txt
	mp -o link.txt "$TESTDATA/exitcode-O0" 0
	assert_status 0
	[ -L link.txt ] || fail "link.txt is no longer a symlink"
	assert_file_has real.txt "Filename: "
	mkfifo pipe
	cat pipe >from-pipe &
	reader=$!
	mp -o pipe "$TESTDATA/exitcode-O0" 0
	assert_status 0
	wait "$reader"
	[ -p pipe ] || fail "the pipe was replaced: $(ls -l pipe)"
	assert_file_has from-pipe "Filename: "
	mp -o /proc/self/fd/1 "$TESTDATA/exitcode-O0" 0
	assert_status 0
	assert_eq "exitcode: stdout line" "$(head -n 1 "$T/out")" "stdout: the program's line first"
	assert_file_has "$T/out" "Filename: "
	local left
	left=$(find . -mindepth 1 -printf '%P\n' | grep -vxE '\.log|\.why|out|err|real\.txt|link\.txt|pipe|from-pipe')
	[ -z "$left" ] || fail "files left behind: $(tr '\n' ' ' <<<"$left")"
}

# -p needs a process that exists and that memprof may trace.  Skipped
# where memprof has no -p.
has_pid_option() {
	"$MEMPROF" --help | grep -qE -- '(^| )-p[ ,]'
}

hostile_pid_missing() {
	has_pid_option || skip "memprof --help has no -p"
	local pid
	pid=$(($(cat /proc/sys/kernel/pid_max) + 1))
	expect_hostile 1 "memprof: cannot attach to process $pid: No such process" -p "$pid"
	expect_usage "memprof: invalid --pid 'abc' (expected a process id)" -p abc
	expect_usage "memprof: invalid --pid '0' (expected a process id)" -p 0
	expect_usage "memprof: invalid --pid '-5' (expected a process id)" -p -5
}

# A process already traced (here by another memprof) and ptrace blocked by
# seccomp: refused with the reason.
hostile_pid_denied() {
	has_pid_option || skip "memprof --help has no -p"
	local mpid tpid
	mkfifo fifo
	# shellcheck disable=SC2086 # MEMPROF_WRAPPER is a word list
	$MEMPROF_WRAPPER "$MEMPROF" -o first.txt "$TESTDATA/exitcode-O0" 0 cat <fifo >first.out 2>first.err &
	mpid=$!
	exec 3>fifo
	for _ in $(seq 100); do
		grep -q 'exitcode: stderr line' first.err && break
		sleep 0.1
	done
	tpid=$(pgrep -P "$mpid" | head -n 1)
	[ -n "$tpid" ] || { kill -9 "$mpid"; exec 3>&-; fail "the first memprof has no child"; }
	mp -p "$tpid"
	if [ "$status" != 1 ] || [ "$(wc -l <"$T/err")" != 1 ] ||
		[[ $(err1) != "memprof: cannot attach to process $tpid: already traced by process $mpid (memprof)" ]]; then
		kill -9 "$mpid"
		exec 3>&-
		fail "attaching to a traced process: status $status, stderr '$(tr '\n' '|' <"$T/err")'"
	fi
	# LeakSanitizer (SANITIZE=1 builds) needs ptrace itself: off here.
	# shellcheck disable=SC2086 # MEMPROF_WRAPPER is a word list
	ASAN_OPTIONS=${ASAN_OPTIONS:+$ASAN_OPTIONS:}detect_leaks=0 \
		runcap "$TESTDATA/noptrace-O0" $MEMPROF_WRAPPER "$MEMPROF" -p "$tpid"
	exec 3>&-
	wait "$mpid"
	assert_eq 0 $? "status of the first memprof"
	assert_status 1
	assert_stderr "memprof: cannot attach to process $tpid: Operation not permitted (blocked by a seccomp filter; a container may need --cap-add=SYS_PTRACE)"
	assert_file_has first.txt "Filename: "
}

tcase "hostile: garbage with the x bit, ELF magic then zeros" hostile_garbage
tcase "hostile: truncated ELF files" hostile_truncated
tcase "hostile: an empty file, a directory" hostile_empty_dir
tcase "hostile: a shell script is refused, memprof inside it works" hostile_script
tcase "hostile: i386, aarch64, object file, shared library" hostile_foreign
tcase "hostile: a static binary is profiled" hostile_static -static
tcase "hostile: a static-pie binary is profiled" hostile_static -static-pie
tcase "hostile: stripped binaries" hostile_stripped
tcase "hostile: absurd --precision" hostile_precision
tcase "hostile: empty --func names" hostile_func
tcase "hostile: report file in a missing directory, a directory, ''" hostile_output
tcase "hostile: report to a symlink, a pipe, /proc/self/fd/1" hostile_output_special
tcase "hostile: -p of a process that does not exist, bad pids" hostile_pid_missing
tcase "hostile: -p of a process memprof may not trace" hostile_pid_denied
