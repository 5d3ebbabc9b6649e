# SPDX-License-Identifier: MIT
# Profiled functions in shared libraries: linked at start-up, loaded with
# dlopen, unloaded and loaded again.
# shellcheck shell=bash

shlib_linked() { # OPT
	plain "$TESTDATA/uselib-$1"
	mp --func=lib_grow --format=json -o "$JSON" "$TESTDATA/uselib-$1"
	assert_status 0
	assert_same_file "$T/plain.out" "$T/out" "target stdout"
	assert_eq lib_grow "$(func_names)" "profiled functions"
	assert_eq 1 "$(calls lib_grow)" "calls"
	assert_range 31 33 "$(inc lib_grow lib/mplib 'memset(p, 7, size);')" "memset line (MiB)"
	assert_eq 1 "$(occ lib_grow lib/mplib 'memset(p, 7, size);')" "occurrences of memset"
}

shlib_marks() { # OPT
	mp --format=json -o "$JSON" "$TESTDATA/uselib-$1"
	assert_status 0
	# The program marks nothing (main), the library marks lib_marked.
	assert_eq "lib_marked,main" "$(func_names)" "profiled functions"
	assert_eq 1 "$(calls lib_marked)" "calls of lib_marked"
	assert_eq 1 "$(calls main)" "calls of main"
}

shlib_dlopen() { # OPT
	plain "$TESTDATA/dlopener-$1" "$TESTDATA/libmplib-$1.so"
	mp --func=lib_grow --format=json -o "$JSON" "$TESTDATA/dlopener-$1" "$TESTDATA/libmplib-$1.so"
	assert_status 0
	assert_same_file "$T/plain.out" "$T/out" "target stdout"
	# Loaded, unloaded and loaded again: one table, both calls.
	assert_eq lib_grow "$(func_names)" "profiled functions"
	assert_eq 2 "$(calls lib_grow)" "calls"
	assert_range 31 33 "$(inc lib_grow lib/mplib 'memset(p, 7, size);')" "memset line, both calls (MiB)"
	assert_eq 2 "$(occ lib_grow lib/mplib 'memset(p, 7, size);')" "occurrences of memset"
}

shlib_never_loaded() {
	mp --func=lib_grow "$TESTDATA/dlopener-O0" /nonexistent/libnone.so
	assert_status 1
	assert_stderr_has "memprof: function 'lib_grow' was never loaded: not in '$TESTDATA/dlopener-O0' nor in any library it loaded"
}

shlib_not_found() {
	local prog=./uselib-copy
	cp "$TESTDATA/uselib-O0" "$prog"
	cp "$TESTDATA/libmplib-O0.so" .
	mp --func=lib_grwo "$prog"
	assert_status 1
	assert_stderr "memprof: function 'lib_grwo' not found in '$prog'"
	[ -z "$(pgrep -f "$T/uselib-copy")" ] || fail "the target is still running"
}

for o in O0 O2; do
	tcase "shlib $o: a function in a library linked at start-up" shlib_linked "$o"
	tcase "shlib $o: functions marked in a library" shlib_marks "$o"
	tcase "shlib $o: dlopen, dlclose, dlopen again" shlib_dlopen "$o"
done
tcase "shlib: a library that never loads" shlib_never_loaded
tcase "shlib: a name in neither the program nor its libraries" shlib_not_found
