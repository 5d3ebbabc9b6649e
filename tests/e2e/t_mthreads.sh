# SPDX-License-Identifier: MIT
# Many threads in the profiled code at once, and threads that start and
# exit while it runs: no line is missed or counted twice.
# shellcheck shell=bash

# work(cell, 4): every call runs each line once, the for line 5 times and
# its body 4 times, whatever the interleaving.
work_counts() { # CALLS
	assert_eq "$1" "$(calls work)" "calls of work"
	assert_eq "$1" "$(line_field work "$(j '[.functions[] | select(.name == "work")][0].first_line')" occurrences)" \
		"header occurrences"
	assert_eq "$1" "$(occ work mthreads 'long acc = *cell;')" "occurrences of the load"
	assert_eq "$(($1 * 5))" "$(occ work mthreads 'for (int k = 0; k < n; k++)')" "occurrences of the for line"
	assert_eq "$(($1 * 4))" "$(occ work mthreads 'acc = acc * 3 + k;')" "occurrences of the loop body"
	assert_eq "$1" "$(occ work mthreads '*cell = acc & 0xffff;')" "occurrences of the store"
	assert_eq "$1" "$(occ work mthreads 'return acc;')" "occurrences of the return"
}

# 8 threads released by a barrier, 1000 calls each.
mthreads_together() { # VARIANT
	plain "$TESTDATA/mthreads-$1" together
	mp --format=json -o "$JSON" "$TESTDATA/mthreads-$1" together
	assert_status 0
	assert_same_file "$T/plain.out" "$T/out" "target stdout"
	work_counts 8000
	assert_eq 0 "$(calls blip)" "calls of blip"
}

# The main thread calls work 8000 times while threads are started one
# after the other, each leaving through pthread_exit inside blip.
mthreads_churn() { # VARIANT
	plain "$TESTDATA/mthreads-$1" churn
	mp --format=json -o "$JSON" "$TESTDATA/mthreads-$1" churn
	assert_status 0
	assert_same_file "$T/plain.out" "$T/out" "target stdout"
	work_counts 8000
	local blips
	blips=$(calls blip)
	assert_range 16 1000000 "$blips" "calls of blip"
	assert_eq "$blips" "$(occ blip mthreads '*cell = v & 0xff;')" "occurrences of blip's store"
	assert_eq "$blips" "$(occ blip mthreads 'pthread_exit(NULL);')" "occurrences of pthread_exit"
}

for v in $VARIANTS; do
	tcase "mthreads $v: 8 threads at once, every line counted exactly" mthreads_together "$v"
	tcase "mthreads $v: threads come and go, counts stay exact" mthreads_churn "$v"
done
