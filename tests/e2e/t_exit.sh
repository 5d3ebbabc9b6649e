# SPDX-License-Identifier: MIT
# Exit status passthrough; the target's stdin, stdout and stderr untouched.
# shellcheck shell=bash

exit_status() { # VARIANT STATUS
	local prog=$TESTDATA/exitcode-$1
	plain "$prog" "$2"
	assert_eq "$2" "$plain_status" "plain run's status"
	mp -o report.txt "$prog" "$2"
	assert_status "$2"
	assert_same_file "$T/plain.out" "$T/out" "target stdout"
	# With -o the report is in the file: stderr is the target's alone.
	assert_same_file "$T/plain.err" "$T/err" "target stderr"
	assert_file_has report.txt "Filename: "
	assert_file_has report.txt "Line #    Mem usage    Increment  Occurrences   Line Contents"
}

exit_json() { # VARIANT
	mp --format=json -o "$JSON" "$TESTDATA/exitcode-$1" 42
	assert_status 42
	assert_eq 42 "$(j .exit_code)" "exit_code"
	assert_eq null "$(j .signal)" "signal"
	# Nothing marked: main is profiled.
	assert_eq main "$(func_names)" "profiled functions"
	assert_eq 1 "$(calls main)" "calls of main"
	assert_eq 1 "$(occ main exitcode 'printf("exitcode: stdout line\n");')" "occurrences of the printf"
}

stdin_through() { # VARIANT
	head -c 300000 /dev/urandom >in.bin
	plain "$TESTDATA/exitcode-$1" 0 cat <in.bin
	mp -o report.txt "$TESTDATA/exitcode-$1" 0 cat <in.bin
	assert_status 0
	assert_same_file "$T/plain.out" "$T/out" "target stdout with stdin copied"
	assert_same_file "$T/plain.err" "$T/err" "target stderr"
	# And through a pipe.
	printf 'one\ntwo\n' | mp -o report.txt "$TESTDATA/exitcode-$1" 0 cat
	assert_status 0
	assert_eq "exitcode: stdout line|one|two|" "$(tr '\n' '|' <"$T/out")" "stdout with piped stdin"
}

report_on_stderr() { # VARIANT
	plain "$TESTDATA/exitcode-$1" 3
	mp "$TESTDATA/exitcode-$1" 3
	assert_status 3
	assert_same_file "$T/plain.out" "$T/out" "target stdout"
	assert_stderr_has "exitcode: stderr line"
	assert_stderr_has "Line #    Mem usage    Increment  Occurrences   Line Contents"
}

# Options stop at the program: what follows is the target's.
options_stop() {
	mp "$TESTDATA/exitcode-O0" 7 --format=json
	assert_status 7
	assert_stderr_has "Line #    Mem usage    Increment  Occurrences   Line Contents"
	mp -o report.txt -- "$TESTDATA/exitcode-O0" 5 -o
	assert_status 5
	assert_file_has report.txt "Filename: "
}

for v in $VARIANTS; do
	for s in 0 3 42; do
		tcase "exit $v: status $s passed through, stdout/stderr untouched" exit_status "$v" "$s"
	done
	tcase "exit $v: stdin reaches the target" stdin_through "$v"
done
tcase "exit O0: json exit_code, main profiled when nothing is marked" exit_json O0
tcase "exit O2-nopie: json exit_code, main profiled when nothing is marked" exit_json O2-nopie
tcase "exit O0: report on stderr by default, stdout clean" report_on_stderr O0
tcase "exit O2: report on stderr by default, stdout clean" report_on_stderr O2
tcase "options: everything after PROGRAM goes to the target" options_stop
