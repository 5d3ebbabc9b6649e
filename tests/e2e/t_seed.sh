# SPDX-License-Identifier: MIT
# The seed example: each iteration keeps a never-freed copy of the result so
# far; for n=5000 the copy lines carry n(n+1)/2 doubles (95.4 MiB).
# shellcheck shell=bash

seed_copies() { # VARIANT
	local prog=$TESTDATA/seed-$1
	plain "$prog" 5000
	mp --func=process_data --format=json -o "$JSON" "$prog" 5000
	assert_status 0
	assert_same_file "$T/plain.out" "$T/out" "target stdout"
	jq -e . "$JSON" >/dev/null || fail "report is not valid JSON"
	assert_eq process_data "$(func_names)" "profiled functions"
	assert_eq 1 "$(calls process_data)" "calls"
	assert_range 90 100 "$(inc process_data seed 'double *backup = malloc' 'memcpy(backup, result')" \
		"increment of the copy lines (MiB)"
	assert_eq 5000 "$(occ process_data seed 'memcpy(backup, result')" "occurrences of the memcpy line"
	assert_eq 5000 "$(occ process_data seed 'double *backup = malloc')" "occurrences of the malloc line"
	assert_range 95 200 "$(j '.peak_rss_bytes / 1048576')" "peak RSS (MiB)"
	assert_range 95 200 "$(j '.final_rss_bytes / 1048576')" "final RSS (MiB)"
	assert_eq 0 "$(j .exit_code)" "exit_code"
	assert_eq null "$(j .signal)" "signal"
	assert_eq "[\"$prog\",\"5000\"]" "$(j .command -c)" "command"
}

# At -O0 every statement is its own line: the exact memory_profiler counts.
seed_exact_o0() { # VARIANT
	mp --func=process_data --format=json -o "$JSON" "$TESTDATA/seed-$1" 5000
	assert_status 0
	local first
	first=$(srcline seed 'double process_data(int n)')
	assert_eq "$first" "$(j '.functions[0].first_line')" "first_line"
	assert_eq "$(srcline seed 'MEMPROF_PROFILE(process_data)')" \
		"$(($(j '.functions[0].last_line') + 1))" "last_line + 1"
	assert_eq 1 "$(line_field process_data "$first" occurrences)" "header occurrences"
	# The for line: once per iteration plus the final test.
	assert_eq 5001 "$(occ process_data seed 'for (int i = 0; i < n; i++) {')" "occurrences of the for line"
	assert_eq 5000 "$(occ process_data seed 'result[i] = (double)i * i;')" "occurrences of result[i]"
	assert_eq 5000 "$(occ process_data seed 'backups[i] = backup;')" "occurrences of backups[i]"
	assert_eq 1 "$(occ process_data seed 'return checksum;')" "occurrences of the return line"
	assert_range 93 97.5 "$(inc process_data seed 'double *backup = malloc' 'memcpy(backup, result')" \
		"increment of the copy lines (MiB)"
	# malloc writes its chunk headers: it touches some pages first.
	assert_range 70 97.5 "$(inc process_data seed 'memcpy(backup, result')" "increment of the memcpy line (MiB)"
	# A line without code has no figures.
	local blank
	blank=$(line_field process_data "$(($(srcline seed 'double checksum = 0;') + 1))" mem_bytes)
	[[ $blank == null || $blank == absent ]] || fail "mem_bytes of the blank line: expected null, got $blank"
}

# Without --func, memprof profiles the marked function, not main.
seed_default_marked() { # VARIANT
	mp --format=json -o "$JSON" "$TESTDATA/seed-$1" 100
	assert_status 0
	assert_eq process_data "$(func_names)" "profiled functions"
	assert_eq 100 "$(occ process_data seed 'memcpy(backup, result')" "occurrences of the memcpy line"
}

for v in $VARIANTS; do
	tcase "seed $v: copy lines carry ~95 MiB, occurrences 5000" seed_copies "$v"
	tcase "seed $v: marked function profiled by default" seed_default_marked "$v"
done
tcase "seed O0: exact occurrences of every line" seed_exact_o0 O0
tcase "seed O0-nopie: exact occurrences of every line" seed_exact_o0 O0-nopie
