# SPDX-License-Identifier: MIT
# --heap: the live heap bytes (malloc minus free, new and delete too)
# beside RSS, per line, from libmemprof_heap.so preloaded in the program.
# They agree where a line allocates and touches, and differ where a block
# is reserved but not touched, or freed without pages going back.
# shellcheck shell=bash

HEAP_NOTICE_STATIC="memprof: --heap needs a dynamically linked program; going on without the heap column"
HEAP_NOTICE_ATTACH="memprof: --heap needs a program memprof starts, not one it attaches to; going on without the heap column"

# heap_inc FUNC PROG TEXT...: the heap increment, in MiB, summed over the lines
# of FUNC containing any TEXT (lines that never ran count 0).
heap_inc() {
	local func=$1 prog=$2 nums="" n
	shift 2
	for text in "$@"; do
		n=$(srcline "$prog" "$text") || exit 1
		nums="$nums${nums:+,}$n"
	done
	j "[.functions[] | select(.name == \"$func\") | .lines[] | select(.line | IN($nums)) |
	    (.heap_increment_bytes // 0)] | add // 0 | . / 1048576"
}

# Whether memprof is built with ASan (make check SANITIZE=1): then an
# allocator preloaded into it (and so into the program) takes ASan's calls.
asan_memprof() {
	ldd "$MEMPROF" 2>/dev/null | grep -q libasan
}

# The seed example: the copies are 95.4 MiB of heap, all of it on the
# malloc line, while RSS grows mostly on the memcpy line that touches them.
heap_seed() { # VARIANT
	local prog=$TESTDATA/seed-$1
	plain "$prog" 5000
	mp --heap --func=process_data --format=json -o "$JSON" "$prog" 5000
	assert_status 0
	assert_stderr
	assert_same_file "$T/plain.out" "$T/out" "target stdout"
	assert_eq true "$(j .heap)" "heap"
	local m='double *backup = malloc' c='memcpy(backup, result'
	# 8(i+1) bytes for i < 5000, each in its malloc_usable_size.
	assert_range 95.3 95.5 "$(heap_inc process_data seed "$m")" "heap increment of the malloc line (MiB)"
	assert_eq 0 "$(heap_inc process_data seed "$c")" "heap increment of the memcpy line (MiB)"
	assert_range 10 30 "$(inc process_data seed "$m")" "RSS increment of the malloc line (MiB)"
	assert_range 65 85 "$(inc process_data seed "$c")" "RSS increment of the memcpy line (MiB)"
	# Over both lines the two measures agree.
	assert_range 93 97.5 "$(inc process_data seed "$m" "$c")" "RSS increment of the copy lines (MiB)"
	assert_range 95.3 95.5 "$(heap_inc process_data seed "$m" "$c")" "heap increment of the copy lines (MiB)"
	# Every line has the key; exactly the lines that never ran have null.
	j '.functions[0].lines | all(has("heap_increment_bytes")
	    and ((.heap_increment_bytes == null) == (.increment_bytes == null)))' -e >/dev/null ||
		fail "heap_increment_bytes missing or null where increment_bytes is not"
}

# The text report: one more column, and memory_profiler's layout without.
heap_text() {
	local prog=$TESTDATA/seed-O0 row
	mp --heap --func=process_data --top=0 -o report.txt "$prog" 5000
	assert_status 0
	assert_eq "Line #    Mem usage    Increment     Heap inc  Occurrences   Line Contents" \
		"$(sed -n 3p report.txt)" "header"
	assert_eq 74 "$(sed -n 4p report.txt | tr -d '\n' | wc -c)" "rule length"
	row=$(grep -F 'double *backup = malloc' report.txt)
	[[ $row =~ ^\ +[0-9]+\ +[0-9.]+\ MiB\ +[0-9.]+\ MiB\ +95\.4\ MiB\ +5000\ {3} ]] ||
		fail "malloc row: '$row'"
	mp --func=process_data --top=0 -o report.txt "$prog" 5000
	assert_eq "Line #    Mem usage    Increment  Occurrences   Line Contents" \
		"$(sed -n 3p report.txt)" "header without --heap"
	mp --func=process_data --format=json -o "$JSON" "$prog" 10
	assert_eq false "$(j .heap)" "heap without --heap"
	assert_eq 0 "$(j '[.functions[].lines[] | select(has("heap_increment_bytes"))] | length')" \
		"lines with heap_increment_bytes without --heap"
}

# Reserve, then touch, then free 64 MiB: the heap moves on malloc and
# free, RSS on memset and free.
heap_touch64() { # VARIANT
	mp --heap --format=json -o "$JSON" "$TESTDATA/touch64-$1"
	assert_status 0
	assert_stderr
	local m='char *p = malloc(64 << 20);' s='memset(p, 1, 64 << 20);' f='free(p);'
	assert_range 64 64.01 "$(heap_inc touch touch64 "$m")" "heap increment of malloc (MiB)"
	assert_range -1 1 "$(inc touch touch64 "$m")" "RSS increment of malloc (MiB)"
	assert_eq 0 "$(heap_inc touch touch64 "$s")" "heap increment of memset (MiB)"
	assert_range 62 66 "$(inc touch touch64 "$s")" "RSS increment of memset (MiB)"
	assert_range -64.01 -64 "$(heap_inc touch touch64 "$f")" "heap increment of free (MiB)"
	assert_range -66 -62 "$(inc touch touch64 "$f")" "RSS increment of free (MiB)"
	# A free gives back exactly what its malloc added.
	assert_eq 0 "$(heap_inc touch touch64 "$m" "$f")" "heap of malloc + free (MiB)"
}

# C++: std::vector's reserve is heap without RSS, resize RSS without heap,
# and the destructor's operator delete gives back what operator new took.
heap_cxx() { # VARIANT
	local funcs=store::Builder::grow
	# At -O2 the destructor is inlined into main.
	[[ $1 == O0* ]] && funcs=$funcs,store::Builder::~Builder
	mp --heap --func="$funcs" --format=json -o "$JSON" "$TESTDATA/cxx-$1"
	assert_status 0
	assert_stderr
	local r='buf_.reserve(bytes);' z='buf_.resize(bytes, 1);'
	assert_range 64 64.01 "$(heap_inc store::Builder::grow cxx.cpp "$r")" "heap increment of reserve (MiB)"
	assert_range -1 1 "$(inc store::Builder::grow cxx.cpp "$r")" "RSS increment of reserve (MiB)"
	assert_eq 0 "$(heap_inc store::Builder::grow cxx.cpp "$z")" "heap increment of resize (MiB)"
	assert_range 62 66 "$(inc store::Builder::grow cxx.cpp "$z")" "RSS increment of resize (MiB)"
	[[ $1 == O0* ]] || return 0
	# 64 + 8 + 4 MiB of buffers and the small vectors around them.
	assert_range -76.1 -76 "$(j '[.functions[] | select(.name == "store::Builder::~Builder") |
	    .lines[].heap_increment_bytes // 0] | add / 1048576')" "heap increment of ~Builder (MiB)"
}

# Freeing every other one of 100 MiB of small blocks gives back 50 MiB of
# heap and no RSS (the holes stay with malloc); freeing the rest merges
# them into the top of the heap, which glibc trims: -50 heap, -100 RSS.
heap_fragment() { # VARIANT
	mp --heap --format=json -o "$JSON" "$TESTDATA/fragment-$1"
	assert_status 0
	assert_stderr
	assert_eq "read 52428 kept blocks" "$(cat "$T/out")" "target stdout"
	local b='blocks[i] = memset(malloc(BLOCK), 1, BLOCK);'
	local l1='for (size_t i = 0; i < COUNT; i += 2)' f1='free(blocks[i]); /* the even'
	local l2='for (size_t i = 1; i < COUNT; i += 2) {' k='kept += blocks[i][0];'
	local f2='free(blocks[i]); /* the odd'
	# 104856 blocks of 1000 bytes (malloc_usable_size(malloc(1000)) is
	# 1000): 104856000 bytes, then two halves of 52428000.
	assert_eq 99.99847412109375 "$(heap_inc fragment fragment "$b")" "heap increment of the malloc line (MiB)"
	assert_range 99 103 "$(inc fragment fragment "$b")" "RSS increment of the malloc line (MiB)"
	assert_eq -49.999237060546875 "$(heap_inc fragment fragment "$l1" "$f1")" "heap increment of the first free loop (MiB)"
	assert_range -1 1 "$(inc fragment fragment "$l1" "$f1")" "RSS increment of the first free loop (MiB)"
	assert_eq -49.999237060546875 "$(heap_inc fragment fragment "$l2" "$k" "$f2")" \
		"heap increment of the second free loop (MiB)"
	assert_range -103 -98 "$(inc fragment fragment "$l2" "$k" "$f2")" "RSS increment of the second free loop (MiB)"
}

# A static program has no dynamic linker to preload anything: one line,
# then the usual report without the column.
heap_static() {
	[ -n "$(cc -print-file-name=libc.a | grep /)" ] || skip "no static C library (libc6-dev)"
	cc -g -O0 -static -I"$ROOT/include" -o touch64-static "$SRCDATA/touch64.c" 2>cc.err ||
		fail "cc -static failed: $(head -c 200 cc.err)"
	mp --heap --format=json -o "$JSON" ./touch64-static
	assert_status 0
	assert_stderr "$HEAP_NOTICE_STATIC"
	assert_eq "touched 64 MiB" "$(cat "$T/out")" "target stdout"
	assert_eq false "$(j .heap)" "heap"
	assert_eq 0 "$(j '[.functions[].lines[] | select(has("heap_increment_bytes"))] | length')" \
		"lines with heap_increment_bytes"
	assert_range 62 66 "$(inc touch touch64 'memset(p, 1, 64 << 20);')" "RSS increment of memset (MiB)"
	mp --heap --top=0 -o report.txt ./touch64-static
	assert_stderr "$HEAP_NOTICE_STATIC"
	assert_eq "Line #    Mem usage    Increment  Occurrences   Line Contents" \
		"$(sed -n 3p report.txt)" "header"
}

# Attached, the process has been running without the library.
heap_attach() {
	"$TESTDATA/attach-O0" 40 "$T/ready" >"$T/prog.out" 2>"$T/prog.err" &
	local prog_pid=$!
	for _ in $(seq 200); do
		[ -e "$T/ready" ] && break
		sleep 0.05
	done
	[ -e "$T/ready" ] || fail "attach-O0 did not start"
	mp --heap -p "$prog_pid" --format=json -o "$JSON"
	wait "$prog_pid"
	assert_eq 0 "$?" "the program's exit status"
	assert_status 0
	assert_stderr "$HEAP_NOTICE_ATTACH"
	assert_eq false "$(j .heap)" "heap"
	assert_range 1 40 "$(calls step)" "calls seen"
}

# memprof looks for the library beside its own executable (or installed,
# in PREFIX/lib/memprof): a copy of memprof alone does without it.
heap_no_library() {
	mkdir -p alone
	cp "$MEMPROF" alone/memprof
	# shellcheck disable=SC2086 # MEMPROF_WRAPPER is a word list
	runcap $MEMPROF_WRAPPER "$T/alone/memprof" --heap --format=json -o "$JSON" "$TESTDATA/touch64-O0"
	assert_status 0
	if [ "$(j .heap)" = true ]; then
		skip "an installed libmemprof_heap.so was found"
	fi
	local want="memprof: --heap needs libmemprof_heap.so, which is neither beside '$T/alone/memprof' nor in '"
	[ "$(wc -l <"$T/err")" = 1 ] && [[ $(cat "$T/err") == "$want"*"'; going on without the heap column" ]] ||
		fail "stderr: expected '$want...; going on without the heap column', got '$(tr '\n' '|' <"$T/err")'"
	assert_eq "touched 64 MiB" "$(cat "$T/out")" "target stdout"
	assert_range 62 66 "$(inc touch touch64 'memset(p, 1, 64 << 20);')" "RSS increment of memset (MiB)"
}

# The user's LD_PRELOAD is kept, the library added after it (once), and
# nothing is added without --heap.  (Empty counts as unset: valgrind,
# under make check-valgrind, leaves LD_PRELOAD empty.)
heap_preload() {
	local lib
	lib=$(dirname "$MEMPROF")/libmemprof_heap.so
	cat >env.c <<'EOF'
#include <stdio.h>
#include <stdlib.h>

int main(void)
{
	const char *p = getenv("LD_PRELOAD");

	char *block;

	printf("%s\n", p && *p ? p : "(unset)");
	block = malloc(1 << 20);
	free(block);
	return 0;
}
EOF
	cc -g -O0 -o env env.c || fail "cc failed"
	# An ASan memprof (make check SANITIZE=1) wants its runtime first.
	export ASAN_OPTIONS=${ASAN_OPTIONS:+$ASAN_OPTIONS:}verify_asan_link_order=0
	LD_PRELOAD=libm.so.6 mp --heap --format=json -o "$JSON" ./env
	assert_status 0
	assert_stderr
	assert_eq "libm.so.6:$lib" "$(cat "$T/out")" "LD_PRELOAD in the program"
	assert_eq true "$(j .heap)" "heap"
	assert_range 1 1.01 "$(j '.functions[0].lines[] | select(.contents | contains("malloc(1 << 20)")) |
	    .heap_increment_bytes / 1048576')" "heap increment of malloc(1 MiB)"
	if ! asan_memprof; then
		LD_PRELOAD=$lib mp --heap --format=json -o "$JSON" ./env
		assert_status 0
		assert_eq "$lib" "$(cat "$T/out")" "LD_PRELOAD listing the library already"
		assert_eq true "$(j .heap)" "heap"
	fi
	mp --format=json -o "$JSON" ./env
	assert_eq "(unset)" "$(cat "$T/out")" "LD_PRELOAD without --heap"
}

# Another allocator: in the program (it takes every call: no column), in
# a library linked with it (ours takes its calls) or preloaded ahead of
# ours (it keeps them): one line each time.
heap_other_malloc() {
	cat >mym.c <<'EOF'
#include <stddef.h>

extern void *__libc_malloc(size_t n);

void *malloc(size_t n)
{
	return __libc_malloc(n);
}
EOF
	cat >usem.c <<'EOF'
#include <stdio.h>
#include <stdlib.h>

int main(void)
{
	char *p = malloc(100);

	printf("%d\n", p != NULL);
	free(p);
	return 0;
}
EOF
	cc -shared -fPIC -o libmym.so mym.c || fail "cc -shared failed"
	cc -g -O0 -o own usem.c mym.c || fail "cc failed"
	cc -g -O0 -o linked usem.c -L. -lmym -Wl,-rpath,"$T" || fail "cc -lmym failed"
	cc -g -O0 -o plain usem.c || fail "cc failed"
	mp --heap --format=json -o "$JSON" ./own
	assert_status 0
	assert_stderr "memprof: --heap counts glibc's malloc, and './own' has a malloc of its own; going on without the heap column"
	assert_eq false "$(j .heap)" "heap (own malloc)"
	mp --heap --format=json -o "$JSON" ./linked
	assert_status 0
	assert_stderr "memprof: --heap: '$T/libmym.so' has a malloc of its own, which libmemprof_heap.so replaces with glibc's"
	assert_eq true "$(j .heap)" "heap (linked)"
	# Preloaded ahead, it would take an ASan memprof's calls too.
	asan_memprof && return 0
	LD_PRELOAD=$T/libmym.so mp --heap --format=json -o "$JSON" ./plain
	assert_status 0
	assert_stderr "memprof: --heap: '$T/libmym.so', preloaded ahead of libmemprof_heap.so, has a malloc of its own: the heap figures miss its blocks"
	assert_eq 1 "$(cat "$T/out")" "target stdout"
}

for v in $VARIANTS; do
	tcase "heap $v: seed copies, 95 MiB of heap on malloc, RSS mostly on memcpy" heap_seed "$v"
	tcase "heap $v: reserve then touch, heap and RSS differ" heap_touch64 "$v"
	tcase "heap $v: half of 100 MiB of small blocks freed: heap -50, RSS 0" heap_fragment "$v"
done
for v in O0 O2-nopie; do
	tcase "heap $v: C++ reserve/resize and delete" heap_cxx "$v"
done
tcase "heap: text column, and none without --heap" heap_text
tcase "heap: static program, one line, no column" heap_static
tcase "heap: attached, one line, no column" heap_attach
tcase "heap: library missing, one line, no column" heap_no_library
tcase "heap: the user's LD_PRELOAD is kept" heap_preload
tcase "heap: another malloc in the program, linked or preloaded" heap_other_malloc
