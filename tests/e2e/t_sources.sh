# SPDX-License-Identifier: MIT
# What the program's debugging information names reaches memprof's output
# harmlessly: names and source lines with control characters are escaped
# in the text report and in messages; a source file is read only when it
# is a regular file of reasonable size, and one that is missing or newer
# than the program is said in one line.  Most cases build their program in
# their own directory (the names are made there) at -O0 and -O2.
# shellcheck shell=bash

# src_build OPT NAME [OUT]: compiles prog.c to ./OUT (default prog) with
# -OPT, its source file named NAME by a #line directive (a C string).
# main touches 8 MiB (the empty asm keeps -O2 from dropping it) on line 4
# and exits 0.
src_build() {
	local out=${3:-prog}
	{
		printf '#include <stdlib.h>\n#include <string.h>\n'
		printf '#line 1 "%s"\n' "$2"
		printf 'int main(void)\n{\n\tchar *p = malloc(8 << 20);\n\tmemset(p, 1, 8 << 20); __asm__ volatile(\"\" : : \"r\"(p) : \"memory\");\n\treturn p[5] - 1;\n}\n'
	} >"$out.c"
	cc -g "-$1" -o "$out" "$out.c" 2>cc.err || fail "cc -$1 failed: $(head -c 200 cc.err)"
}

# The lines of main as src_build writes them, for the file #line names.
src_text() {
	printf 'int main(void)\n{\n\tchar *p = malloc(8 << 20);\n\tmemset(p, 1, 8 << 20); __asm__ volatile(\"\" : : \"r\"(p) : \"memory\");\n\treturn p[5] - 1;\n}\n'
}

# Bounds memprof's address space (1 GiB) unless it runs under ASan or a
# wrapper (valgrind), which need more: a source read without a limit
# then makes memprof fail rather than the machine.
limit_memory() {
	[ -z "$MEMPROF_WRAPPER" ] || return 0
	nm "$MEMPROF" 2>/dev/null | grep -q __asan_init && return 0
	ulimit -v 1048576
}

# assert_no_controls FILE: no byte of FILE below 0x20 but \n and \t, no DEL.
assert_no_controls() {
	if tr -d '\n\t' <"$1" | LC_ALL=C grep -q '[[:cntrl:]]'; then
		fail "$(basename "$1") holds control characters: $(LC_ALL=C grep -n '[[:cntrl:]]' "$1" | head -n 2 | cat -A | tr '\n' '|')"
	fi
	return 0
}

# A source file whose name holds ESC, BEL and a newline, and whose lines
# hold ESC sequences, a C1 CSI and a byte that is not UTF-8: everything
# the text report shows is escaped as \xHH, on the screen too, and the
# valid UTF-8 is left as it is.
escape_controls() { # OPT
	local name=$'ctl\e]0;pwned\a\n.c' shown='ctl\x1b]0;pwned\x07\x0a.c'
	printf 'int main(void)\n{\n\t\033[2J\033[Hchar *p = malloc(8 << 20); /* \xc3\xa9t\xc3\xa9 \xc2\x9b \xff */\n\tmemset(p, 1, 8 << 20); __asm__ volatile(\"\" : : \"r\"(p) : \"memory\");\n\treturn p[5] - 1;\n}\n' >"$name"
	touch -d '-1 min' "$name"
	src_build "$1" 'ctl\x1b]0;pwned\x07\n.c'
	mp --top=1 -o report.txt ./prog
	assert_status 0
	assert_stderr ""
	assert_no_controls report.txt
	assert_eq "Filename: $T/$shown" "$(sed -n 1p report.txt)" "line 1"
	assert_file_has report.txt $'   \t\\x1b[2J\\x1b[Hchar *p = malloc(8 << 20); /* \xc3\xa9t\xc3\xa9 \\xc2\\x9b \\xff */'
	[[ $(grep -A2 '^Location' report.txt | sed -n 3p) =~ ^"$shown:4 "\ +\+8\.[0-9]\ MiB\ +1\ +memset ]] ||
		fail "no --top row for '$shown': $(grep -A3 '^Location' report.txt | tr '\n' '|')"
	assert_file_has report.txt "Peak reached in main at $T/$shown:"
	# The report on the terminal (stderr) is escaped alike.
	mp --top=1 ./prog
	assert_status 0
	assert_no_controls "$T/err"
	assert_stderr_line 1 "Filename: $T/$shown"
	assert_file_has "$T/err" $'   \t\\x1b[2J\\x1b[Hchar *p'
	# memprof's messages escape what they quote.
	mp --func=$'\e[2Jx' ./prog
	assert_status 1
	assert_stderr "memprof: no function matches '\\x1b[2Jx' in './prog'"
	# --stop-above names the line it stopped at, escaped.
	mp --stop-above=4M ./prog
	assert_status 137
	assert_no_controls "$T/err"
	assert_file_has "$T/err" "went above 4.0 MiB at $T/$shown:4 in main; target killed"
	# memprof diff shows the names and lines the reports carry, escaped.
	mp --format=json -o a.json ./prog
	assert_status 0
	jq '.functions[0].lines |= map(if .increment_bytes then .increment_bytes += 1048576 else . end)' a.json >b.json
	mp diff a.json b.json
	assert_status 0
	assert_no_controls "$T/out"
	assert_file_has "$T/out" "$shown:4"
	assert_file_has "$T/out" '\x1b[2J\x1b[Hchar *p = malloc(8 << 20);'
}

# #line "/dev/zero": not read (memprof once grew past 2 GiB reading it),
# said in one line; the run is as without the #line.
source_devzero() { # VARIANT
	limit_memory
	# shellcheck disable=SC2086 # MEMPROF_WRAPPER is a word list
	runcap /usr/bin/time -f %M -o maxrss $MEMPROF_WRAPPER "$MEMPROF" -o report.txt "$TESTDATA/devzero-$1"
	assert_status 0
	assert_stderr "memprof: warning: source '/dev/zero' is not a regular file; Line Contents left empty"
	assert_range 0 524288 "$(tail -n 1 maxrss)" "memprof's peak RSS (KiB)"
	assert_eq "Filename: /dev/zero" "$(sed -n 1p report.txt)" "line 1"
	# main's rows (to line 8 or 9), each with an empty Line Contents.
	local rows
	rows=$(grep -cE '^ +[0-9]+ ' report.txt)
	assert_range 8 9 "$rows" "rows"
	assert_eq "$rows" "$(grep -cE '^ +[1-9] .*   $' report.txt)" "rows without text"
}

# A FIFO, and /dev/stdin that is a pipe nobody writes to: neither opened
# for reading nor read (memprof hung on both, and would have taken the
# input of whatever reads that stdin next).
source_fifo() { # OPT
	limit_memory
	src_build "$1" "$T/fifo.c"
	src_build "$1" /dev/stdin stdin
	mkfifo fifo.c
	mp -o report.txt ./prog
	assert_status 0
	assert_stderr "memprof: warning: source '$T/fifo.c' is not a regular file; Line Contents left empty"
	[ -p fifo.c ] || fail "fifo.c is no longer a FIFO"
	mkfifo in
	exec 3<>in
	printf 'for the next reader\n' >&3
	mp -o report.txt ./stdin <in
	assert_status 0
	assert_stderr "memprof: warning: source '/dev/stdin' is not a regular file; Line Contents left empty"
	assert_eq "for the next reader" "$(timeout 10 head -n 1 <&3)" "what stdin still holds"
	exec 3>&-
}

# A source that is gone, and one edited after the build: one line each,
# once however many of its lines are shown; a source as old as the
# program says nothing.
source_missing_newer() { # OPT
	src_build "$1" "$T/main.c"
	src_text >main.c
	touch -d "@$(($(stat -c %Y prog) - 10))" main.c
	mp --top=3 -o report.txt ./prog
	assert_status 0
	assert_stderr ""
	touch -d "@$(($(stat -c %Y prog) + 10))" main.c
	mp --top=3 -o report.txt ./prog
	assert_status 0
	assert_stderr "memprof: warning: source '$T/main.c' is newer than './prog'; Line Contents may not match"
	assert_file_has report.txt "memset(p, 1, 8 << 20);"
	rm main.c
	mp --top=3 ./prog
	assert_status 0
	assert_stderr_line 1 "memprof: warning: source '$T/main.c' not found; Line Contents left empty"
	assert_stderr_line 2 "Filename: $T/main.c"
	assert_eq 1 "$(grep -c 'memprof: warning' "$T/err")" "warnings"
}

for v in O0 O2; do
	tcase "sources $v: control characters in names and lines are escaped" escape_controls "$v"
	tcase "sources $v: a #line naming /dev/zero is not read" source_devzero "$v"
	tcase "sources $v: a FIFO or /dev/stdin as source does not hang" source_fifo "$v"
	tcase "sources $v: a missing or newer source is said once" source_missing_newer "$v"
done
