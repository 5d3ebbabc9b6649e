# SPDX-License-Identifier: MIT
# Which functions are profiled: the marked ones by default, main when none
# is marked, exactly the --func ones when given.
# shellcheck shell=bash

select_default() { # VARIANT
	mp --format=json -o "$JSON" "$TESTDATA/marks-$1"
	assert_status 0
	assert_eq alpha,beta "$(func_names)" "profiled functions"
	assert_range 7.8 8.3 "$(inc alpha marks 'memset(kept[0], 1, 8 << 20);')" "alpha's memset (MiB)"
	assert_range -0.5 0.5 "$(inc alpha marks 'kept[0] = malloc(8 << 20);')" "alpha's malloc (MiB)"
	assert_range 3.8 4.3 "$(inc beta marks 'memset(kept[1], 1, 4 << 20);')" "beta's memset (MiB)"
}

select_func() { # VARIANT
	local prog=$TESTDATA/marks-$1
	mp --format=json -o "$JSON" --func=gamma_ "$prog"
	assert_status 0
	assert_eq gamma_ "$(func_names)" "--func=gamma_"
	assert_range 1.8 2.3 "$(inc gamma_ marks 'memset(kept[2], 1, 2 << 20);')" "gamma_'s memset (MiB)"
	mp --format=json -o "$JSON" --func=alpha,gamma_ "$prog"
	assert_status 0
	assert_eq alpha,gamma_ "$(func_names)" "--func=alpha,gamma_"
	mp --format=json -o "$JSON" -f alpha -f beta --func gamma_ "$prog"
	assert_status 0
	assert_eq alpha,beta,gamma_ "$(func_names)" "-f alpha -f beta --func gamma_"
	mp --format=json -o "$JSON" -fmain "$prog"
	assert_status 0
	assert_eq main "$(func_names)" "-fmain"
}

# main's line calling alpha carries alpha's 8 MiB.
select_main_calls() {
	mp --format=json -o "$JSON" --func=main "$TESTDATA/marks-O0"
	assert_status 0
	assert_eq 1 "$(occ main marks 'alpha();')" "occurrences of alpha();"
	assert_range 7.8 8.3 "$(inc main marks 'alpha();')" "main's alpha(); line (MiB)"
	assert_range 1.8 2.3 "$(inc main marks 'gamma_();')" "main's gamma_(); line (MiB)"
}

for v in $VARIANTS; do
	tcase "select $v: marked functions by default" select_default "$v"
	tcase "select $v: --func picks exactly the named functions" select_func "$v"
done
tcase "select O0: a line that calls other code carries what it did" select_main_calls
