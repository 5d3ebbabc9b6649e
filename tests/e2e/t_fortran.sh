# SPDX-License-Identifier: MIT
# Fortran (testdata/falloc.f90, built by gfortran when it is here): a
# module subroutine that allocates (~0), fills (~64 MiB) and frees
# (~-64 MiB) an array; the PROGRAM unit is profiled by default.
# shellcheck shell=bash

# The Fortran build of VARIANT, or skip.
fortran_prog() { # VARIANT
	FPROG=$TESTDATA/falloc-$1
	[ -x "$FPROG" ] || skip "no gfortran to build testdata/falloc.f90 (scripts/install-deps installs it)"
}

fortran_fill() { # VARIANT
	fortran_prog "$1"
	plain "$FPROG"
	mp --func=fill_array --format=json -o "$JSON" "$FPROG"
	assert_status 0
	assert_same_file "$T/plain.out" "$T/out" "target stdout"
	assert_eq arrays::fill_array "$(func_names)" "--func=fill_array"
	assert_eq 1 "$(calls arrays::fill_array)" "calls"
	assert_range -0.5 0.5 "$(inc arrays::fill_array falloc.f90 'allocate(a(n))')" "the allocate line (MiB)"
	assert_range 62 66 "$(inc arrays::fill_array falloc.f90 '    a = 0')" "the line filling the array (MiB)"
	assert_range -66 -62 "$(inc arrays::fill_array falloc.f90 'deallocate(a)')" "the deallocate line (MiB)"
	assert_eq 1 "$(occ arrays::fill_array falloc.f90 'deallocate(a)')" "occurrences of deallocate"
	assert_range 64 80 "$(j '.peak_rss_bytes / 1048576')" "peak RSS (MiB)"
	# Fortran names know no case; the module qualifies them.
	local name
	for name in FILL_ARRAY Arrays::Fill_Array 'arrays::*'; do
		mp --func="$name" --format=json -o "$JSON" "$FPROG"
		assert_status 0
		assert_eq arrays::fill_array "$(func_names)" "--func=$name"
	done
}

# Without --func: the PROGRAM unit (gfortran marks it as the program's
# main), not the C-level main gfortran generates to call it.
fortran_default_program() { # VARIANT
	fortran_prog "$1"
	mp --format=json -o "$JSON" "$FPROG"
	assert_status 0
	assert_eq falloc "$(func_names)" "profiled by default"
	assert_eq 1 "$(calls falloc)" "calls"
	# The call touched 64 MiB and gave it back.
	assert_range -0.5 0.5 "$(inc falloc falloc.f90 'call fill_array(8388608, t)')" "the call's increment (MiB)"
	assert_range 64 80 "$(j '.peak_rss_bytes / 1048576')" "peak RSS (MiB)"
	[[ $1 == O0* ]] || return 0
	assert_eq 1 "$(occ falloc falloc.f90 'call fill_array(8388608, t)')" "occurrences of the call"
}

for v in $VARIANTS; do
	tcase "fortran $v: allocate ~0, fill ~64 MiB, deallocate ~-64 MiB" fortran_fill "$v"
	tcase "fortran $v: the PROGRAM unit by default" fortran_default_program "$v"
done
