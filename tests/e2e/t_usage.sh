# SPDX-License-Identifier: MIT
# Usage errors: one line, the hint, exit 2.  --help and --version.
# shellcheck shell=bash

TRY="Try 'memprof --help' for more information."

# usage_error FIRST-LINE MEMPROF-ARGS...
usage_error() {
	local first=$1
	shift
	mp "$@"
	assert_status 2
	assert_stderr "$first" "$TRY"
	assert_no_stdout
}

usage_errors() {
	usage_error "memprof: unrecognized option '--bogus'" --bogus "$TESTDATA/seed-O0"
	usage_error "memprof: unrecognized option '-x'" -x "$TESTDATA/seed-O0"
	usage_error "memprof: option '--func' requires an argument" --func
	usage_error "memprof: option '-f' requires an argument" -f
	usage_error "memprof: option '-o' requires an argument" -o
	usage_error "memprof: option '--version' doesn't allow an argument" --version=2
	usage_error "memprof: no program to profile"
	usage_error "memprof: no program to profile" --func=main
	usage_error "memprof: invalid --format 'xml' (expected text or json)" --format=xml "$TESTDATA/seed-O0"
	usage_error "memprof: invalid --precision 'x' (expected 0 to 9)" --precision=x "$TESTDATA/seed-O0"
	usage_error "memprof: invalid --precision '10' (expected 0 to 9)" --precision=10 "$TESTDATA/seed-O0"
	usage_error "memprof: invalid --precision '-1' (expected 0 to 9)" --precision=-1 "$TESTDATA/seed-O0"
	usage_error "memprof: empty function name in --func" --func= "$TESTDATA/seed-O0"
	usage_error "memprof: empty function name in --func" --func=a,,b "$TESTDATA/seed-O0"
	usage_error "memprof: option '--f' is ambiguous" --f=x "$TESTDATA/seed-O0"
}

# Whatever the exact wording, every usage error has the same shape.
usage_shape() {
	local args
	for args in "--bogus x" "-x x" "--func" "--format=xml x" "--precision=abc x" "--precision=99 x" \
		"--output" "" "--func=,, x"; do
		# shellcheck disable=SC2086
		mp $args
		assert_status 2
		[ "$(wc -l <"$T/err")" -eq 2 ] || fail "memprof $args: expected 2 lines on stderr, got '$(tr '\n' '|' <"$T/err")'"
		assert_stderr_line 2 "$TRY"
		[[ $(err1) == "memprof: "* ]] || fail "memprof $args: first line '$(err1)' does not start with 'memprof: '"
		assert_no_stdout
	done
}

help_version() {
	mp --help
	assert_status 0
	[ ! -s "$T/err" ] || fail "--help wrote to stderr"
	[[ $(head -n 1 "$T/out") == "Usage: memprof "* ]] || fail "--help: first line '$(head -n 1 "$T/out")'"
	cp "$T/out" help.txt
	mp -h
	assert_status 0
	assert_same_file help.txt "$T/out" "-h output"
	# Every long option --help shows is documented in the OPTIONS of the
	# man page, and the other way round.
	local man opt
	man=$(sed -n '/^\.SH OPTIONS/,/^\.SH [^O]/p' "$ROOT/man/memprof.1" | sed -e 's/\\-/-/g' -e 's/\\f[BIRP]//g')
	for opt in $(grep -oE -- '--[a-z][a-z-]*' help.txt | sort -u); do
		grep -qF -- "$opt" <<<"$man" || fail "--help shows $opt, the man page does not"
	done
	for opt in $(grep -oE -- '--[a-z][a-z-]*' <<<"$man" | sort -u); do
		grep -qF -- "$opt" help.txt || fail "the man page shows $opt, --help does not"
	done
	for opt in --func --output --format --precision --help --version; do
		grep -qF -- "$opt" help.txt || fail "--help does not mention $opt"
	done
	mp --version
	assert_status 0
	assert_eq "memprof $(cat "$ROOT/VERSION")" "$(head -n 1 "$T/out")" "--version"
}

tcase "usage: exact messages, hint, exit 2" usage_errors
tcase "usage: every usage error is one line plus the hint" usage_shape
tcase "usage: --help, -h, --version; --help agrees with the man page" help_version
