# SPDX-License-Identifier: MIT
# One clear line per error, exit 1, no target left behind, no target output.
# shellcheck shell=bash

# A copy of seed-O0 under a name no other process has.
uniq_prog() {
	UNIQ=mpe2e-$$-$RANDOM
	cp "$TESTDATA/seed-O0" "$T/$UNIQ" || fail "cannot copy seed-O0"
}

# expect_error MESSAGE MEMPROF-ARGS...: memprof fails with exactly MESSAGE.
expect_error() {
	local msg=$1
	shift
	mp "$@"
	assert_status 1
	assert_stderr "$msg"
	assert_no_stdout
}

err_missing() {
	expect_error "memprof: cannot run './nope': No such file or directory" ./nope
	expect_error "memprof: cannot run '$T/nope': No such file or directory" --func=main "$T/nope" 1 2
}

err_noexec() {
	uniq_prog
	chmod 644 "$UNIQ"
	expect_error "memprof: cannot run './$UNIQ': Permission denied" "./$UNIQ" 10
	assert_gone "$UNIQ"
}

err_directory() {
	mkdir adir
	expect_error "memprof: cannot run './adir': Is a directory" ./adir
	expect_error "memprof: cannot run '$T/adir/': Is a directory" "$T/adir/"
}

err_not_elf() {
	: >empty
	printf 'garbage\0\1\2 not a program\n' >garbage
	chmod 755 empty garbage
	expect_error "memprof: './empty' is not an ELF executable" ./empty
	expect_error "memprof: '$T/garbage' is not an ELF executable" "$T/garbage" arg
}

err_script() {
	printf '#!/bin/sh\necho ran >ran\n' >script.sh
	chmod 755 script.sh
	expect_error "memprof: './script.sh' is a script, not an ELF executable" ./script.sh
	[ ! -e ran ] || fail "the script ran"
}

err_func_typo() { # VARIANT
	UNIQ=mpe2e-$$-$RANDOM
	cp "$TESTDATA/seed-$1" "$T/$UNIQ" || fail "cannot copy seed-$1"
	expect_error "memprof: function 'proces_data' not found in './$UNIQ' (did you mean 'process_data'?)" \
		--func=proces_data "./$UNIQ" 10
	assert_gone "$UNIQ"
	expect_error "memprof: function 'zzzqqq' not found in './$UNIQ'" --func=zzzqqq "./$UNIQ" 10
	assert_gone "$UNIQ"
	# One bad name among good ones is still an error.
	expect_error "memprof: function 'zzzqqq' not found in './$UNIQ'" --func=process_data,zzzqqq "./$UNIQ" 10
	assert_gone "$UNIQ"
}

err_no_debuginfo() {
	command -v cc >/dev/null || fail "cc is needed to build a program without -g"
	UNIQ=mpe2e-$$-$RANDOM
	printf '#include <stdio.h>\nint main(void)\n{\n\tputs("ran");\n\treturn 0;\n}\n' >nodebug.c
	cc -O0 -g0 -o "$UNIQ" nodebug.c || fail "cc failed"
	expect_error "memprof: './$UNIQ' has no line information; rebuild it with -g" "./$UNIQ"
	assert_gone "$UNIQ"
	expect_error "memprof: './$UNIQ' has no line information; rebuild it with -g" --func=main "./$UNIQ"
	assert_gone "$UNIQ"
}

err_no_ptrace() { # VARIANT
	uniq_prog
	# LeakSanitizer (SANITIZE=1 builds) needs ptrace itself: off here.
	# shellcheck disable=SC2086 # MEMPROF_WRAPPER is a word list
	ASAN_OPTIONS=${ASAN_OPTIONS:+$ASAN_OPTIONS:}detect_leaks=0 \
		runcap "$TESTDATA/noptrace-$1" $MEMPROF_WRAPPER "$MEMPROF" "./$UNIQ" 10
	assert_status 1
	assert_stderr "memprof: cannot trace './$UNIQ': Operation not permitted (blocked by a seccomp filter; a container may need --cap-add=SYS_PTRACE)"
	assert_no_stdout
	assert_gone "$UNIQ"
}

# A name without a slash is looked up in PATH.
path_lookup() {
	PATH="$TESTDATA:$PATH" mp -o report.txt exitcode-O0 4
	assert_status 4
	assert_file_has report.txt "Filename: "
	PATH="$TESTDATA:$PATH" expect_error "memprof: cannot run 'mpe2e-nope': No such file or directory" mpe2e-nope
	# An empty entry is the current directory, as for the shell.
	cp "$TESTDATA/exitcode-O0" mpe2e-here
	PATH=":$PATH" mp -o report.txt mpe2e-here 5
	assert_status 5
	assert_file_has report.txt "Filename: "
}

err_output() {
	expect_error "memprof: cannot write '$T/no/such/dir/r.txt': No such file or directory" \
		-o "$T/no/such/dir/r.txt" "$TESTDATA/exitcode-O0" 0
}

tcase "error: missing program" err_missing
tcase "error: report file cannot be written" err_output
tcase "PATH: a bare name is looked up in PATH" path_lookup
tcase "error: program without the x bit" err_noexec
tcase "error: a directory" err_directory
tcase "error: empty and garbage files are not ELF" err_not_elf
tcase "error: a script is not ELF" err_script
tcase "error: function not found (O0), with and without a suggestion" err_func_typo O0
tcase "error: function not found (O2-nopie), with and without a suggestion" err_func_typo O2-nopie
tcase "error: no line information" err_no_debuginfo
tcase "error: ptrace blocked by seccomp" err_no_ptrace O0
