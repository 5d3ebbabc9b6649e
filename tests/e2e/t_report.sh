# SPDX-License-Identifier: MIT
# The text report laid out as memory_profiler 0.61, and the JSON schema.
# shellcheck shell=bash

HEADER="Line #    Mem usage    Increment  Occurrences   Line Contents"
RULE="============================================================="

# row_fields ROW: checks the columns of a row with figures
# ("%6d %12s %12s  %10s   %s") and prints "LINE|MEM|INC|OCC|CONTENTS".
row_fields() {
	local re='^( {0,5}[0-9]+) ( *-?[0-9]+(\.[0-9]+)? MiB) ( *-?[0-9]+(\.[0-9]+)? MiB)  ( *[0-9]+)   (.*)$'
	[[ $1 =~ $re ]] || fail "row not in memory_profiler's layout: '$1'"
	[ ${#BASH_REMATCH[1]} -eq 6 ] && [ ${#BASH_REMATCH[2]} -eq 12 ] && [ ${#BASH_REMATCH[4]} -eq 12 ] &&
		[ ${#BASH_REMATCH[6]} -eq 10 ] || fail "column widths are not 6/12/12/10: '$1'"
	echo "${BASH_REMATCH[1]// /}|${BASH_REMATCH[2]// /}|${BASH_REMATCH[4]// /}|${BASH_REMATCH[6]// /}|${BASH_REMATCH[7]}"
}

# The row of report.txt for source line N.
row() {
	grep -E "^ {0,5}$1( |\$)" report.txt | head -n 1
}

text_layout() { # VARIANT
	mp -o report.txt --func=process_data "$TESTDATA/seed-$1" 200
	assert_status 0
	[[ $(sed -n 1p report.txt) == "Filename: "*testdata/seed.c ]] ||
		fail "line 1: expected 'Filename: .../testdata/seed.c', got '$(sed -n 1p report.txt)'"
	assert_eq "" "$(sed -n 2p report.txt)" "line 2"
	assert_eq "$HEADER" "$(sed -n 3p report.txt)" "line 3"
	assert_eq "$RULE" "$(sed -n 4p report.txt)" "line 4"
	# One row per source line from the header line on (at -O2 the
	# closing brace may have no code; seed_exact_o0 checks it at -O0).
	local first last n expect
	first=$(srcline seed 'double process_data(int n)')
	last=$(srcline seed 'return checksum;')
	n=$first
	while IFS= read -r r; do
		[ "$n" -le "$last" ] || break
		[[ $r =~ ^\ {0,5}$n( |$) ]] || fail "row for line $n expected, got '$r'"
		n=$((n + 1))
	done < <(sed -n '5,$p' report.txt)
	[ "$n" -gt "$last" ] || fail "rows stop before line $last"
	# The copy line: figures in the fixed columns, the source text as is.
	local memcpy f
	memcpy=$(srcline seed 'memcpy(backup, result')
	f=$(row_fields "$(row "$memcpy")") || exit 1
	IFS='|' read -r _ _ _ occ contents <<<"$f"
	assert_eq 200 "$occ" "occurrences in the memcpy row"
	assert_eq "$(sed -n "${memcpy}p" "$SRCDATA/seed.c")" "$contents" "contents of the memcpy row"
	# A line without code: number, blank columns, the source text.
	expect=$(printf '%6d' $((memcpy + 2)))$(printf '%41s' '')$(sed -n "$((memcpy + 2))p" "$SRCDATA/seed.c")
	assert_eq "$(sed 's/[[:space:]]*$//' <<<"$expect")" "$(row $((memcpy + 2)) | sed 's/[[:space:]]*$//')" \
		"row of the closing brace of the loop"
	grep -qi peak report.txt || fail "no peak RSS after the table"
}

text_precision() {
	local prog=$TESTDATA/touch64-O0 memset f
	memset=$(srcline touch64 'memset(p, 1, 64 << 20);')
	mp -o report.txt --precision=3 "$prog"
	assert_status 0
	f=$(row_fields "$(row "$memset")") || exit 1
	IFS='|' read -r _ mem inc _ _ <<<"$f"
	[[ $mem =~ ^[0-9]+\.[0-9]{3}MiB$ && $inc =~ ^[0-9]+\.[0-9]{3}MiB$ ]] ||
		fail "--precision=3: expected 3 decimals, got '$mem' '$inc'"
	assert_range 62 66 "${inc%MiB}" "memset increment in the text report"
	mp -o report.txt --precision=0 "$prog"
	assert_status 0
	f=$(row_fields "$(row "$memset")") || exit 1
	IFS='|' read -r _ mem inc _ _ <<<"$f"
	[[ $mem =~ ^[0-9]+MiB$ && $inc =~ ^[0-9]+MiB$ ]] || fail "--precision=0: expected no decimals, got '$mem' '$inc'"
	mp -o report.txt "$prog"
	f=$(row_fields "$(row "$memset")") || exit 1
	IFS='|' read -r _ mem inc _ _ <<<"$f"
	[[ $mem =~ ^[0-9]+\.[0-9]MiB$ ]] || fail "default precision: expected 1 decimal, got '$mem'"
}

text_two_tables() {
	mp -o report.txt "$TESTDATA/marks-O0"
	assert_status 0
	assert_eq 2 "$(grep -c '^Filename: ' report.txt)" "tables (Filename lines)"
	assert_eq 2 "$(grep -cxF "$HEADER" report.txt)" "headers"
}

json_schema() { # VARIANT
	mp --format=json -o "$JSON" "$TESTDATA/touch64-$1"
	assert_status 0
	jq -e . "$JSON" >/dev/null || fail "not valid JSON"
	assert_eq 1 "$(j .version)" "version"
	assert_eq '["command","exit_code","final_rss_bytes","functions","heap","metric","peak","peak_rss_bytes","signal","top_lines","version"]' \
		"$(j 'keys' -c)" "top-level keys"
	assert_eq '["calls","file","first_line","last_line","lines","name"]' \
		"$(j '.functions[0] | keys' -c)" "function keys"
	assert_eq '["contents","increment_bytes","line","mem_bytes","occurrences"]' \
		"$(j '[.functions[0].lines[] | keys] | unique | .[]' -c)" "line keys"
	jq -e '(.command | type == "array" and all(type == "string"))
	       and (.peak_rss_bytes | type == "number" and . > 0 and floor == .)
	       and (.final_rss_bytes | type == "number" and . > 0 and floor == .)
	       and (.functions | length == 1)
	       and (.functions[0] | (.name == "touch") and (.file | endswith("testdata/touch64.c"))
	            and .first_line < .last_line and (.calls | type == "number"))
	       and (.functions[0] as $f | $f.lines | all(.line >= $f.first_line and .line <= $f.last_line))
	       and ([.functions[0].lines[].line] | . == (sort | unique))
	       and (.functions[0].lines | all((.occurrences | type == "number" and . >= 0)
	            and (.contents | type == "string")
	            and (if .occurrences == 0 then .mem_bytes == null and .increment_bytes == null
	                 else (.mem_bytes | type == "number" and . > 0)
	                      and (.increment_bytes | type == "number" and floor == .) end)))' \
		"$JSON" >/dev/null || fail "JSON report does not follow the schema: $(head -c 300 "$JSON")"
	local memset
	memset=$(srcline touch64 'memset(p, 1, 64 << 20);')
	assert_eq "$(sed -n "${memset}p" "$SRCDATA/touch64.c")" "$(line_field touch "$memset" contents)" "contents"
	# With no -o, the JSON goes to stderr.
	mp --format=json "$TESTDATA/touch64-$1"
	assert_status 0
	jq -e '.version == 1' "$T/err" >/dev/null || fail "JSON on stderr is not valid"
}

for v in O0 O2-nopie; do
	tcase "text $v: memory_profiler 0.61 layout" text_layout "$v"
	tcase "json $v: every key, types, values" json_schema "$v"
done
tcase "text: --precision" text_precision
tcase "text: one table per function" text_two_tables
