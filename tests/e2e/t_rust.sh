# SPDX-License-Identifier: MIT
# Rust (testdata/vecfill.rs, built by rustc at -O0 and -O2 when rustc is
# here): a function that reserves a Vec (~0) and then resizes it (~64 MiB),
# named as rustc's DWARF names it (vecfill::reserve_then_fill), and the
# crate's own main profiled by default.
# shellcheck shell=bash

# The Rust build of VARIANT, or skip.
rust_prog() { # VARIANT
	RPROG=$TESTDATA/vecfill-$1
	[ -x "$RPROG" ] || skip "no rustc to build testdata/vecfill.rs (scripts/install-deps installs it)"
}

rust_reserve_then_fill() { # VARIANT
	rust_prog "$1"
	plain "$RPROG"
	mp --func=reserve_then_fill --format=json -o "$JSON" "$RPROG"
	assert_status 0
	assert_same_file "$T/plain.out" "$T/out" "target stdout"
	assert_eq vecfill::reserve_then_fill "$(func_names)" "--func=reserve_then_fill"
	assert_eq 1 "$(calls vecfill::reserve_then_fill)" "calls"
	assert_range 62 66 "$(j '[.functions[0].lines[] | (.increment_bytes // 0)] | add / 1048576')" \
		"the function's increment (MiB)"
	assert_range 64 80 "$(j '.peak_rss_bytes / 1048576')" "peak RSS (MiB)"
	if [ "$1" = O0 ]; then
		assert_range -0.5 0.5 "$(inc vecfill::reserve_then_fill vecfill.rs 'v.reserve(bytes);')" \
			"the reserve line (MiB)"
		assert_range 62 66 "$(inc vecfill::reserve_then_fill vecfill.rs 'v.resize(bytes, 7);')" \
			"the resize line (MiB)"
		assert_eq 1 "$(occ vecfill::reserve_then_fill vecfill.rs 'v.resize(bytes, 7);')" \
			"occurrences of the resize line"
	fi
	# The qualified name, a tail of it and a glob find the same function.
	local name
	for name in vecfill::reserve_then_fill ::vecfill::reserve_then_fill 'vecfill::reserve_*'; do
		mp --func="$name" --format=json -o "$JSON" "$RPROG"
		assert_status 0
		assert_eq vecfill::reserve_then_fill "$(func_names)" "--func=$name"
	done
}

# Without --func: the crate's fn main (rustc marks it as the program's
# main), not the C-level main rustc generates around it.
rust_default_main() { # VARIANT
	rust_prog "$1"
	mp --format=json -o "$JSON" "$RPROG"
	assert_status 0
	assert_eq vecfill::main "$(func_names)" "profiled by default"
	assert_eq "$(srcline vecfill.rs 'fn main() {')" "$(j '.functions[0].first_line')" "first_line"
	if [ "$1" = O0 ]; then
		assert_range 62 66 "$(inc vecfill::main vecfill.rs 'let v = reserve_then_fill(')" \
			"the line calling reserve_then_fill (MiB)"
	fi
	mp --func=main --format=json -o "$JSON" "$RPROG"
	assert_status 0
	assert_eq vecfill::main "$(func_names)" "--func=main"
}

for v in O0 O2; do
	tcase "rust $v: reserve ~0, resize ~64 MiB, Rust names" rust_reserve_then_fill "$v"
	tcase "rust $v: the crate's main by default" rust_default_main "$v"
done
