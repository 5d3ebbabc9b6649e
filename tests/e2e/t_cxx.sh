# SPDX-License-Identifier: MIT
# C++ names: qualified, unqualified, globs, overloads and template
# instances (testdata/cxx.cpp), with real figures.
# shellcheck shell=bash

CXX_ALL_GROWS="grow,store::Builder::grow,store::detail::grow"

# names_for VARIANT PATTERN: the profiled names --func=PATTERN gives.
names_for() {
	mp --func="$2" --format=json -o "$JSON" "$TESTDATA/cxx-$1"
	assert_status 0
	func_names
}

cxx_names() { # VARIANT
	local v=$1
	assert_eq store::Builder::grow "$(names_for "$v" store::Builder::grow)" "--func=store::Builder::grow"
	assert_eq "$CXX_ALL_GROWS" "$(names_for "$v" grow)" "--func=grow"
	assert_eq store::Builder::grow "$(names_for "$v" Builder::grow)" "--func=Builder::grow"
	assert_eq grow "$(names_for "$v" ::grow)" "--func=::grow"
	assert_eq store::Builder::grow,store::detail::grow "$(names_for "$v" '*::grow')" "--func='*::grow'"
	assert_eq store::detail::grow "$(names_for "$v" 'store::d*')" "--func='store::d*'"
	# Overloads: both, told apart by their parameter types.
	assert_eq "store::Builder::add(double),store::Builder::add(int)" \
		"$(names_for "$v" store::Builder::add)" "--func=store::Builder::add"
	# Template instances: all of them without arguments, one with.
	assert_eq "store::fill<double>,store::fill<int>" "$(names_for "$v" store::fill)" "--func=store::fill"
	assert_eq "store::fill<int>" "$(names_for "$v" 'store::fill<int>')" "--func='store::fill<int>'"
	# Everything in the namespace, at any depth.
	names_for "$v" 'store::*' >/dev/null
	local want
	for want in store::Builder::grow "store::Builder::add(int)" "store::Builder::add(double)" \
		store::Builder::total "store::fill<int>" "store::fill<double>" store::detail::grow; do
		assert_eq true "$(j "[.functions[].name] | index([\"$want\"]) != null")" "--func='store::*' has $want"
	done
	assert_eq false "$(j '[.functions[].name] | index(["grow"]) != null')" "--func='store::*' has ::grow"
	# Asked for twice, profiled once.
	assert_eq "$CXX_ALL_GROWS" "$(names_for "$v" grow,store::Builder::grow,'*::grow')" \
		"--func=grow,store::Builder::grow,'*::grow'"
}

# fn_total FUNC: the increment of all of FUNC's lines, in MiB.
fn_total() {
	j "[.functions[] | select(.name == \"$1\") | .lines[] | (.increment_bytes // 0)] |
	   add // 0 | . / 1048576"
}

cxx_figures() { # VARIANT
	local prog=$TESTDATA/cxx-$1
	plain "$prog"
	mp --func=grow,add,store::fill --format=json -o "$JSON" "$prog"
	assert_status 0
	assert_same_file "$T/plain.out" "$T/out" "target stdout"
	assert_eq 1 "$(calls store::Builder::grow)" "calls of store::Builder::grow"
	assert_eq 1 "$(calls 'store::fill<int>')" "calls of store::fill<int>"
	assert_range -0.5 0.5 "$(inc store::Builder::grow cxx.cpp 'buf_.reserve(bytes);')" "reserve line (MiB)"
	assert_range 62 66 "$(inc store::Builder::grow cxx.cpp 'buf_.resize(bytes, 1);')" "resize line (MiB)"
	assert_range 62 66 "$(fn_total store::Builder::grow)" "store::Builder::grow (MiB)"
	assert_range 7.8 8.3 "$(fn_total 'store::Builder::add(int)')" "add(int) (MiB)"
	assert_range 3.8 4.3 "$(fn_total 'store::Builder::add(double)')" "add(double) (MiB)"
	assert_range 15.8 16.3 "$(fn_total 'store::fill<int>')" "fill<int> (MiB)"
	assert_range 7.8 8.3 "$(fn_total 'store::fill<double>')" "fill<double> (MiB)"
	assert_range 1.8 2.3 "$(fn_total store::detail::grow)" "store::detail::grow (MiB)"
	assert_range 0.8 1.3 "$(fn_total grow)" "::grow (MiB)"
	if [[ $1 == O0* ]]; then
		# At -O0 each statement keeps its own line: reserve ~0,
		# resize all.
		assert_range 7.8 8.3 "$(inc 'store::Builder::add(int)' cxx.cpp 'emplace_back(std::size_t(mib) << 20')" \
			"add(int)'s line (MiB)"
		assert_range -0.5 0.5 "$(inc 'store::fill<int>' cxx.cpp 'v.reserve(count);')" "fill<int>'s reserve (MiB)"
		assert_range 15.8 16.3 "$(inc 'store::fill<int>' cxx.cpp 'v.resize(count, T(1));')" "fill<int>'s resize (MiB)"
		assert_range 7.8 8.3 "$(inc 'store::fill<double>' cxx.cpp 'v.resize(count, T(1));')" "fill<double>'s resize (MiB)"
	fi
	# The implicit destructor frees it all; at -O2 it exists only as a
	# copy inlined into main.
	mp --func='store::Builder::~Builder' --format=json -o "$JSON" "$prog"
	assert_status 0
	assert_eq 1 "$(calls 'store::Builder::~Builder')" "calls of the destructor"
	assert_range -78 -74 "$(fn_total 'store::Builder::~Builder')" "store::Builder::~Builder (MiB)"
}

# MEMPROF_PROFILE(store::Builder::grow): the qualified name as written.
cxx_marked() { # VARIANT
	mp --format=json -o "$JSON" "$TESTDATA/cxx-$1"
	assert_status 0
	assert_eq store::Builder::grow "$(func_names)" "profiled functions"
	assert_range 62 66 "$(inc store::Builder::grow cxx.cpp 'buf_.resize(bytes, 1);')" "resize line (MiB)"
}

cxx_errors() {
	local prog=$TESTDATA/cxx-O0
	mp --func=store::Buildr::grow "$prog"
	assert_status 1
	assert_stderr "memprof: function 'store::Buildr::grow' not found in '$prog' (did you mean 'store::Builder::grow'?)"
	assert_no_stdout
	mp --func=grwo "$prog"
	assert_status 1
	assert_stderr "memprof: function 'grwo' not found in '$prog' (did you mean 'grow', 'store::detail::grow', 'store::Builder::grow'?)"
	mp --func='nothing::*' "$prog"
	assert_status 1
	assert_stderr "memprof: no function matches 'nothing::*' in '$prog'"
	assert_no_stdout
}

for v in $VARIANTS; do
	tcase "cxx $v: qualified, unqualified, globs, overloads, templates" cxx_names "$v"
	tcase "cxx $v: reserve ~0, resize ~64 MiB, every instance's figures" cxx_figures "$v"
	tcase "cxx $v: a qualified MEMPROF_PROFILE mark" cxx_marked "$v"
done
tcase "cxx O0: names not found, with suggestions" cxx_errors
