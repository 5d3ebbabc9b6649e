# SPDX-License-Identifier: MIT
# The files a process runs, not the ones its paths name for memprof:
# attached to a process in another mount namespace (a container), memprof
# reads its executable through /proc/PID/exe and its libraries through
# /proc/PID/root; a library replaced on disk since it was loaded (the
# process still runs the old one) is caught by its build-id and left
# alone.  Reading the wrong file puts int3s in the middle of instructions.
# shellcheck shell=bash

# Root, unshare --mount and a bind mount inside it, or skip.
mountns_needed() {
	[ "$(id -u)" = 0 ] || skip "needs root to unshare a mount namespace"
	command -v unshare >/dev/null || skip "needs unshare (util-linux)"
	: >"$T/probe.a"
	: >"$T/probe.b"
	unshare --mount mount --bind "$T/probe.a" "$T/probe.b" 2>/dev/null ||
		skip "unshare --mount and mount --bind are not permitted here"
}

# mountns_wait: waits until the program started as $prog_pid is ready.
mountns_wait() {
	wait_file "$T/ready" "the program did not start"
}

# The program and its library bind-mounted, in a namespace of their own,
# over other builds of theirs at the same paths.
mountns_container() { # VARIANT
	local other=O2 calls
	[ "$1" = O2 ] && other=O0
	mountns_needed
	cp "$TESTDATA/sandbox-$other" "$T/app"
	cp "$TESTDATA/libmplib-$other.so" "$T/lib.so"
	plain "$TESTDATA/sandbox-$1" none 80 "$T/plain.ready" "$TESTDATA/libmplib-$1.so"
	# shellcheck disable=SC2016 # expanded by the inner shell
	unshare --mount sh -c 'mount --bind "$1" "$3" && mount --bind "$2" "$4" &&
		exec "$3" none 80 "$5" "$4"' sh "$TESTDATA/sandbox-$1" \
		"$TESTDATA/libmplib-$1.so" "$T/app" "$T/lib.so" "$T/ready" \
		>"$T/prog.out" 2>"$T/prog.err" &
	prog_pid=$!
	mountns_wait
	mp -p "$prog_pid" --format=json -o "$JSON"
	wait "$prog_pid"
	assert_eq 0 "$?" "the program's exit status"
	assert_status 0
	assert_stderr
	assert_same_file "$T/plain.out" "$T/prog.out" "the program's output"
	calls=$(calls work)
	assert_range 10 80 "$calls" "calls of work seen"
	assert_eq "$calls" "$(occ work sandbox 'free(p);')" "occurrences of free(p)"
	assert_range $((calls - 1)) $((calls + 1)) "$(calls lib_marked)" "calls of lib_marked"
	assert_eq "$(calls lib_marked)" "$(occ lib_marked lib/mplib 'free(v);')" "occurrences of free(v)"
}

# The library the program loaded, replaced on disk by another build:
# /proc/PID/root shows the new file, the process runs the old one.
mountns_replaced() { # VARIANT
	local other=O2 calls
	[ "$1" = O2 ] && other=O0
	cp "$TESTDATA/libmplib-$1.so" "$T/lib.so"
	plain "$TESTDATA/sandbox-$1" none 80 "$T/plain.ready" "$T/lib.so"
	"$TESTDATA/sandbox-$1" none 80 "$T/ready" "$T/lib.so" >"$T/prog.out" 2>"$T/prog.err" &
	prog_pid=$!
	mountns_wait
	cp "$TESTDATA/libmplib-$other.so" "$T/lib.new"
	mv "$T/lib.new" "$T/lib.so"
	mp -p "$prog_pid" --format=json -o "$JSON"
	wait "$prog_pid"
	assert_eq 0 "$?" "the program's exit status"
	assert_status 0
	assert_stderr "memprof: '$T/lib.so' in process $prog_pid is not the file memprof read (build-id differs); cannot profile it safely"
	assert_same_file "$T/plain.out" "$T/prog.out" "the program's output"
	assert_eq work "$(func_names)" "profiled functions"
	calls=$(calls work)
	assert_range 10 80 "$calls" "calls of work seen"
	assert_eq "$calls" "$(occ work sandbox 'free(p);')" "occurrences of free(p)"
}

for v in O0 O2; do
	tcase "mountns $v: attached in another mount namespace, its own files read" mountns_container "$v"
	tcase "mountns $v: a library replaced on disk since it loaded is left alone" mountns_replaced "$v"
done
