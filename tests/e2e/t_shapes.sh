# Shapes of processes: tasks that share the program's memory without
# being its threads, vfork children, execs of the profiled process.
# shellcheck shell=bash

# clone(CLONE_VM) without CLONE_THREAD: the clone runs in the memory the
# breakpoints are in, so it is a thread for them and for the RSS.  The
# parent's 10 calls after the clone are profiled, and the memory both
# share counts once: 32 MiB of the clone's, 13 of work()'s.
vm_clone() { # VARIANT [--children]
	plain "$TESTDATA/vmclone-$1"
	# shellcheck disable=SC2086 # no word when absent
	mp ${2:-} --format=json -o "$JSON" "$TESTDATA/vmclone-$1"
	assert_status 0
	assert_same_file "$T/plain.out" "$T/out" "target stdout"
	assert_stderr
	assert_eq 13 "$(calls work)" "calls (3 before the clone, 10 after)"
	assert_eq 13 "$(occ work vmclone 'memset(p, i + 1, 1 << 20);')" "occurrences of memset"
	assert_range 12.5 13.5 "$(inc work vmclone 'memset(p, i + 1, 1 << 20);')" "memset line (MiB)"
	assert_range 45 56 "$(j '.peak_rss_bytes / 1048576')" "peak RSS (MiB)"
}

# The clone outlives the first process: it still runs in the memory the
# breakpoints are in, so memprof waits for it rather than end and take it
# down (exit-kill).
vm_clone_orphan() { # VARIANT
	mp --format=json -o "$JSON" "$TESTDATA/vmclone-$1" orphan
	assert_status 0
	assert_eq "clone outlived main" "$(cat "$T/out")" "target stdout"
	assert_stderr
	assert_eq 13 "$(calls work)" "calls"
}

for v in $VARIANTS; do
	tcase "shapes $v: clone(CLONE_VM) is profiled as a thread" vm_clone "$v"
	tcase "shapes $v: clone(CLONE_VM) with --children counts its memory once" vm_clone "$v" --children
	tcase "shapes $v: a clone(CLONE_VM) that outlives the program runs to its end" vm_clone_orphan "$v"
done
