# What the program's debugging information names reaches memprof's output
# harmlessly: names and source lines with control characters are escaped
# in the text report and in messages.  Each case builds its program in
# its own directory (the names are made there) at -O0 and -O2.
# shellcheck shell=bash

# src_build OPT NAME: compiles prog.c (written by the case) to ./prog with
# -OPT, the source file named NAME by a #line directive (a C string).
src_build() {
	{
		printf '#include <stdlib.h>\n#include <string.h>\n'
		printf '#line 1 "%s"\n' "$2"
		printf 'int main(void)\n{\n\tchar *p = malloc(8 << 20);\n\tmemset(p, 1, 8 << 20);\n\treturn p[5] - 1;\n}\n'
	} >prog.c
	cc -g "-$1" -o prog prog.c 2>cc.err || fail "cc -$1 failed: $(head -c 200 cc.err)"
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
	src_build "$1" 'ctl\x1b]0;pwned\x07\n.c'
	printf 'int main(void)\n{\n\t\033[2J\033[Hchar *p = malloc(8 << 20); /* \xc3\xa9t\xc3\xa9 \xc2\x9b \xff */\n\tmemset(p, 1, 8 << 20);\n\treturn p[5] - 1;\n}\n' >"$name"
	mp --top=1 -o report.txt ./prog
	assert_status 0
	assert_stderr ""
	assert_no_controls report.txt
	assert_eq "Filename: $T/$shown" "$(sed -n 1p report.txt)" "line 1"
	assert_file_has report.txt $'   \t\\x1b[2J\\x1b[Hchar *p = malloc(8 << 20); /* \xc3\xa9t\xc3\xa9 \\xc2\\x9b \\xff */'
	[[ $(grep -A2 '^Location' report.txt | sed -n 3p) == "$shown:"[0-9]*" "* ]] ||
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
}

for v in O0 O2; do
	tcase "sources $v: control characters in names and lines are escaped" escape_controls "$v"
done
