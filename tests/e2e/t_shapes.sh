# SPDX-License-Identifier: MIT
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

# posix_spawn, system() and vfork: the child is let go before it execs,
# the breakpoints lifted from the memory it shares with its parent and put
# back when the parent goes on.  A vfork child that runs a profiled
# function untraced must meet no int3 and no trampoline jump (exit 7).
spawns() { # VARIANT
	mp --format=json -o "$JSON" "$TESTDATA/spawns-$1" "$TESTDATA/euid-O0"
	assert_status 0
	assert_eq "euid 0 tracer 0|euid 0 tracer 0|spawned 0 system 0 vfork 7|" \
		"$(tr '\n' '|' <"$T/out")" "target stdout"
	assert_stderr
	assert_eq 3 "$(calls work)" "calls of work (before, between and after)"
	assert_eq 3 "$(occ work spawns 'memset(p, i + 1, 1 << 20);')" "occurrences of memset"
	assert_eq 1 "$(calls fill)" "calls of fill (the parent's)"
}

# The same run by an unprivileged user, the program it spawns a
# setuid-root copy of euid: let go before its exec, it runs as root (euid
# 0), as without memprof.  Traced at its exec, it would run as nobody.
spawns_setuid() { # VARIANT [threads]
	local d nobody spun
	[ "$(id -u)" = 0 ] || skip "needs root to make a setuid-root program"
	command -v setpriv >/dev/null || skip "setpriv (util-linux) is missing"
	id nobody >/dev/null 2>&1 || skip "there is no user 'nobody'"
	nobody=(setpriv --reuid=nobody --regid="$(id -g nobody)" --clear-groups)
	d=$(mktemp -d /tmp/memprof-suid.XXXXXX) || fail "mktemp failed"
	# shellcheck disable=SC2064 # $d is known now
	trap "rm -rf '$d'" EXIT
	# The programs are copied where nobody may read them: the build tree
	# may be in a folder only root can enter (a CI clone).
	if ! { chmod 755 "$d" && cp "$TESTDATA/euid-$1" "$d/euid" &&
		chmod 4755 "$d/euid" && cp "$TESTDATA/spawns-$1" "$d/spawns" &&
		cp "$MEMPROF" "$d/memprof" && mkdir "$d/out" &&
		chown nobody "$d/out"; }; then
		fail "cannot set up $d"
	fi
	[ "$("${nobody[@]}" "$d/euid")" = "euid 0 tracer 0" ] ||
		skip "a setuid-root program does not run as root here (nosuid?)"
	# shellcheck disable=SC2086 # a word list by design
	runcap "${nobody[@]}" $MEMPROF_WRAPPER "$d/memprof" --format=json \
		-o "$d/out/$JSON" "$d/spawns" "$d/euid" ${2:-}
	assert_status 0
	assert_eq "euid 0 tracer 0|euid 0 tracer 0|spawned 0 system 0 vfork 7|" \
		"$(head -n 3 "$T/out" | tr '\n' '|')" "target stdout (euid of the setuid program)"
	# Nothing but, where nobody may not read the source, that warning.
	if "${nobody[@]}" test -r "$SRCDATA/spawns.c"; then
		assert_stderr
	else
		assert_eq "memprof: warning: cannot read source '$SRCDATA/spawns.c': Permission denied; Line Contents left empty" \
			"$(cat "$T/err")" "memprof's stderr"
	fi
	cp "$d/out/$JSON" "$T/$JSON"
	assert_eq 3 "$(calls work)" "calls of work"
	[ -n "${2:-}" ] || return 0
	# The second thread was held while the code it runs was rewritten:
	# unharmed, its calls seen before the first spawn (it made 1000 of
	# them first) and between the spawns, not while a child ran.
	spun=$(sed -n 's/^spun //p' "$T/out")
	assert_range 1000 "$spun" "$(calls spin)" "calls of spin seen (of $spun)"
}

# The profiled process execs itself: the same selection is looked up in
# the new image and armed; its calls add to the same table.  run() touches
# 2 MiB in each image.
exec_self() { # VARIANT [OPTION]
	local prog=$TESTDATA/execs-$1
	# shellcheck disable=SC2086 # no word when absent
	mp ${2:-} --format=json -o "$JSON" "$prog" "$prog" "$TESTDATA/exitcode-O0" 6
	assert_status 6
	assert_eq "execs: before exec|execs: before exec|exitcode: stdout line|" \
		"$(tr '\n' '|' <"$T/out")" "target stdout"
	assert_eq "exitcode: stderr line" "$(cat "$T/err")" "stderr"
	assert_eq 2 "$(calls run)" "calls of run (one per image)"
	assert_eq 2 "$(occ run execs 'memset(p, 1, 2 << 20);')" "occurrences of memset"
	assert_eq 2 "$(occ run execs 'execv(argv[0], argv);')" "occurrences of execv"
	assert_range 3.5 4.5 "$(inc run execs 'memset(p, 1, 2 << 20);')" "memset line (MiB)"
}

# An exec of a program with nothing of the selection (no line information
# at all): one line says so, the program runs to its own exit status.
exec_unprofiled() { # VARIANT
	local exe
	exe=$(readlink -f /bin/false) || fail "no /bin/false"
	mp --format=json -o "$JSON" "$TESTDATA/execs-$1" /bin/false
	assert_status 1
	assert_eq "execs: before exec" "$(cat "$T/out")" "target stdout"
	assert_stderr "memprof: after exec of '$exe' no profiled function is found; following it unprofiled"
	assert_eq 1 "$(calls run)" "calls of run"
	assert_eq 1 "$(j .exit_code)" "exit_code"
}

for v in $VARIANTS; do
	tcase "shapes $v: clone(CLONE_VM) is profiled as a thread" vm_clone "$v"
	tcase "shapes $v: clone(CLONE_VM) with --children counts its memory once" vm_clone "$v" --children
	tcase "shapes $v: a clone(CLONE_VM) that outlives the program runs to its end" vm_clone_orphan "$v"
	tcase "shapes $v: a spawned child is let go before its exec" spawns "$v"
	tcase "shapes $v: a setuid program spawned keeps its rights" spawns_setuid "$v"
	tcase "shapes $v: a setuid program spawned by a threaded one keeps its rights" spawns_setuid "$v" threads
	tcase "shapes $v: an exec of itself is profiled in both images" exec_self "$v"
	tcase "shapes $v: an exec of itself, --func, profiled in both images" exec_self "$v" --func=run
	tcase "shapes $v: an exec of a program without the selection says so" exec_unprofiled "$v"
done
