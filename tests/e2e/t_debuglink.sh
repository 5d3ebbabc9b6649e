# SPDX-License-Identifier: MIT
# Separate debug info: a stripped program whose DWARF is in another file,
# found by its .gnu_debuglink (beside it, in .debug/, on --debuginfo-path)
# or by its build ID (under a .build-id tree: /usr/lib/debug's or one on
# --debuginfo-path); the clear errors when it is nowhere.
# shellcheck shell=bash

# split_debug VARIANT DIR [DEBUGDIR]: DIR/prog, a copy of marks-VARIANT with its
# DWARF moved to DEBUGDIR/prog.debug (default DIR) and a debuglink to it.
split_debug() {
	local dir=$2 dbg=${3:-$2}
	command -v objcopy >/dev/null || skip "no objcopy (binutils; scripts/install-deps installs it)"
	mkdir -p "$dir" "$dbg"
	cp "$TESTDATA/marks-$1" "$dir/prog" || fail "cannot copy marks-$1"
	objcopy --only-keep-debug "$dir/prog" "$dbg/prog.debug" || fail "objcopy --only-keep-debug failed"
	objcopy --strip-debug --add-gnu-debuglink="$dbg/prog.debug" "$dir/prog" ||
		fail "objcopy --strip-debug failed"
	! readelf -S "$dir/prog" | grep -q '\.debug_line' || fail "prog still has .debug_line"
}

# profile_alpha PROG [OPTIONS...]: profiles alpha; checks its 8 MiB.
profile_alpha() {
	local prog=$1
	shift
	mp "$@" --func=alpha --format=json -o "$JSON" "$prog"
	assert_status 0
	assert_eq alpha "$(func_names)" "profiled functions"
	assert_range 7.8 8.3 "$(inc alpha marks 'memset(kept[0], 1, 8 << 20);')" "alpha's memset (MiB)"
}

NO_DEBUG_FILE="has no line information: its debug file 'prog.debug' was not found (see --debuginfo-path)"

debuglink_beside() { # VARIANT
	split_debug "$1" bin
	profile_alpha bin/prog
	# Marks stay in the stripped program: alpha and beta by default.
	mp --format=json -o "$JSON" ./bin/prog
	assert_status 0
	assert_eq alpha,beta "$(func_names)" "profiled by default"
}

debuglink_subdir() {
	split_debug O0 bin bin/.debug
	profile_alpha "$T/bin/prog"
}

debuglink_path() {
	split_debug O0 bin syms
	mp --func=alpha ./bin/prog
	assert_status 1
	assert_stderr "memprof: './bin/prog' $NO_DEBUG_FILE"
	profile_alpha ./bin/prog --debuginfo-path="$T/syms"
	# libdwfl's syntax: a relative entry is a directory beside the program.
	mv syms bin/
	profile_alpha ./bin/prog --debuginfo-path=syms
	profile_alpha ./bin/prog --debuginfo-path=/nonexistent:syms
}

# buildid_tree DIR PROG: moves PROG's DWARF to DIR/.build-id/xx/yyyy.debug.
buildid_tree() {
	local id
	id=$(readelf -n "$2" | awk '/Build ID:/ { print $3 }')
	[[ $id =~ ^[0-9a-f]{8,}$ ]] || fail "no build ID in $2"
	mkdir -p "$1/.build-id/${id:0:2}"
	BUILDID_FILE=$1/.build-id/${id:0:2}/${id:2}.debug
	objcopy --only-keep-debug "$2" "$BUILDID_FILE" || fail "objcopy --only-keep-debug failed"
	objcopy --strip-debug "$2" || fail "objcopy --strip-debug failed"
}

buildid_path() {
	command -v objcopy >/dev/null || skip "no objcopy (binutils; scripts/install-deps installs it)"
	cp "$TESTDATA/marks-O0" prog || fail "cannot copy marks-O0"
	buildid_tree "$T/dbg" prog
	mp --func=alpha ./prog
	assert_status 1
	assert_stderr "memprof: './prog' has no line information; rebuild it with -g"
	profile_alpha ./prog --debuginfo-path="$T/dbg"
}

# The default search path's /usr/lib/debug, with a program of its own (a
# build ID no other file has), removed again whatever happens.
buildid_usr_lib_debug() {
	command -v objcopy >/dev/null || skip "no objcopy (binutils; scripts/install-deps installs it)"
	{ mkdir -p /usr/lib/debug/.build-id 2>/dev/null && [ -w /usr/lib/debug/.build-id ]; } ||
		skip "/usr/lib/debug/.build-id is not writable here (run as root)"
	cat >own.c <<-EOF2
	#include <stdlib.h>
	#include <string.h>
	static const char tag[] = "memprof e2e $$ $RANDOM $(date +%s%N)";
	int main(void)
	{
		char *p = malloc(4 << 20);
		memset(p, 1, 4 << 20);
		return p[tag[0]] - 1;
	}
	EOF2
	cc -g -O0 -o own own.c || fail "cc failed"
	trap 'rm -f "$BUILDID_FILE"; rmdir "${BUILDID_FILE%/*}" 2>/dev/null' EXIT
	buildid_tree /usr/lib/debug own
	mp --func=main --format=json -o "$JSON" ./own
	assert_status 0
	assert_eq main "$(func_names)" "profiled functions"
	assert_range 3.8 4.3 "$(j '[.functions[0].lines[] | (.increment_bytes // 0)] | add / 1048576')" \
		"main's increment (MiB)"
}

nowhere() {
	command -v objcopy >/dev/null || skip "no objcopy (binutils; scripts/install-deps installs it)"
	split_debug O0 bin
	rm bin/prog.debug
	mp ./bin/prog
	assert_status 1
	assert_stderr "memprof: './bin/prog' $NO_DEBUG_FILE"
	assert_no_stdout
	cp "$TESTDATA/marks-O0" plainstrip
	objcopy --strip-debug plainstrip
	mp --func=alpha ./plainstrip
	assert_status 1
	assert_stderr "memprof: './plainstrip' has no line information; rebuild it with -g"
	assert_no_stdout
}

for v in $VARIANTS; do
	tcase "debuglink $v: the debug file beside the program" debuglink_beside "$v"
done
tcase "debuglink: the debug file in .debug/" debuglink_subdir
tcase "debuglink: the debug file on --debuginfo-path" debuglink_path
tcase "debuglink: by build ID on --debuginfo-path" buildid_path
tcase "debuglink: by build ID under /usr/lib/debug" buildid_usr_lib_debug
tcase "debuglink: no line information anywhere" nowhere
