# SPDX-License-Identifier: MIT
# A program confined by a seccomp filter (testdata/sandbox: anonymous
# executable memory kills it with SIGSYS): memprof must not make it call
# what its filter forbids (the mmap of a scratch area), whenever the filter
# came; the program runs on unharmed, and profiled.
# shellcheck shell=bash

# sandbox_start VARIANT MODE N [LIBRARY]: starts testdata/sandbox in the
# background and waits until it is confined (and the library loaded); its
# pid in $prog_pid.
sandbox_start() {
	local v=$1 mode=$2 n=$3
	shift 3
	"$TESTDATA/sandbox-$v" "$mode" "$n" "$T/ready" "$@" >"$T/prog.out" 2>"$T/prog.err" &
	prog_pid=$!
	wait_file "$T/ready" "sandbox-$v did not start"
}

# Attached to a confined program: no injection at all, every breakpoint
# stepped in place; followed to the program's end.
seccomp_attach() { # VARIANT
	local calls
	plain "$TESTDATA/sandbox-$1" filter 80 "$T/plain.ready"
	sandbox_start "$1" filter 80
	mp -p "$prog_pid" --format=json -o "$JSON"
	wait "$prog_pid"
	assert_eq 0 "$?" "the confined program's exit status"
	assert_status 0
	assert_stderr
	assert_same_file "$T/plain.out" "$T/prog.out" "the program's output"
	calls=$(calls work)
	assert_range 10 80 "$calls" "calls of work seen"
	assert_eq "$calls" "$(occ work sandbox 'free(p);')" "occurrences of free(p)"
	assert_range -1 1 "$(inc work sandbox 'char *p = malloc(1 << 16);')" "malloc of a reused block (MiB)"
}

# Started by memprof, confined after the exec (memprof's scratch area is
# mapped by then), then loads a library whose marked function is
# profiled: its breakpoints get no new area.
seccomp_dlopen() { # OPT
	local lib=$TESTDATA/libmplib-$1.so
	plain "$TESTDATA/sandbox-$1" filter 10 "$T/plain.ready" "$lib"
	mp --format=json -o "$JSON" "$TESTDATA/sandbox-$1" filter 10 "$T/ready" "$lib"
	assert_status 0
	assert_stderr
	assert_same_file "$T/plain.out" "$T/out" "the program's output"
	assert_eq "lib_marked,work" "$(func_names)" "profiled functions"
	assert_eq 10 "$(calls work)" "calls of work"
	assert_eq 10 "$(calls lib_marked)" "calls of lib_marked"
	assert_eq 10 "$(occ lib_marked lib/mplib 'free(v);')" "occurrences of free(v)"
	assert_eq 10 "$(occ work sandbox 'free(p);')" "occurrences of free(p)"
}

# memprof itself started in the sandbox: the program inherits a filter
# that forbids what memprof would make it call from the first stop on.
# (Not under MEMPROF_WRAPPER: valgrind makes up code at run time, which
# the filter forbids.)
seccomp_inherited() { # OPT
	local lib=$TESTDATA/libmplib-$1.so
	plain "$TESTDATA/sandbox-$1" none 10 "$T/plain.ready" "$lib"
	runcap "$TESTDATA/sandbox-$1" exec "$MEMPROF" --format=json -o "$JSON" \
		"$TESTDATA/sandbox-$1" none 10 "$T/ready" "$lib"
	assert_status 0
	assert_stderr
	assert_same_file "$T/plain.out" "$T/out" "the program's output"
	assert_eq 10 "$(calls work)" "calls of work"
	assert_eq 10 "$(calls lib_marked)" "calls of lib_marked"
	assert_eq 10 "$(occ work sandbox 'free(p);')" "occurrences of free(p)"
}

for v in O0 O2; do
	tcase "seccomp $v: attached to a confined program, which runs on unharmed" seccomp_attach "$v"
	tcase "seccomp $v: a library loaded once confined is profiled" seccomp_dlopen "$v"
	tcase "seccomp $v: memprof itself confined, the program unharmed" seccomp_inherited "$v"
done
