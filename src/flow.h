/* SPDX-License-Identifier: MIT */
/* flow.h - where control can go in a function's machine code: the
 * direct branches and fall-throughs of x86-64 code read from the target,
 * for deciding where breakpoints are worth a stop and where an inlined
 * copy's code is entered and left.
 */
#ifndef MEMPROF_FLOW_H
#define MEMPROF_FLOW_H

#include <stddef.h>
#include <stdint.h>

struct flow_targets;

/* A line start: where the code of a source line begins.  The caller's
 * line table, in flow.c's own terms. */
struct flow_row {
	uint64_t addr;
	unsigned line;
};

struct flow_range {
	uint64_t lo, hi;          /* [lo, hi) */
};

/* A function's code as flow_prune reads it. */
struct flow_function {
	struct flow_range code;   /* its code, one range */
	uint64_t entry;           /* its first instruction */
	const struct flow_row *rows; /* its own line starts, sorted by
					address, one per address */
	size_t nrows;
	const struct flow_range *inlined; /* code inlined into it from
					     elsewhere: not its lines */
	size_t ninlined;
};

/* Decides which line starts of `f` can begin a line event, given its code
 * (`code`, the bytes of f->code.lo..hi before any int3): a line start
 * needs a breakpoint only when some path reaches it from another line, by
 * a jump back, from inlined code or from outside.  A start reached only by
 * falling through or jumping forward from its own line never begins an
 * event, and a stop there would be pure cost.  Sets keep[i] for
 * f->rows[i] and fills `targets` (free its v).  Returns the number kept,
 * or -1 when the code cannot be
 * analysed (indirect jumps, undecodable bytes): keep every row then. */
long flow_prune(const struct flow_function *f, const uint8_t *code, int *keep,
		struct flow_targets *targets);

/* Direct branch targets inside a function, sorted. */
struct flow_targets {
	uint64_t *v;
	size_t n;
};
int flow_targets_has(const struct flow_targets *t, uint64_t addr);

/* The direct branch targets in `code` (n bytes at `addr`, one function),
 * sorted, for bps_add_region (free targets->v).  Returns 0, or -1 when
 * the code cannot be analysed (indirect jumps, undecodable bytes). */
int flow_branch_targets(const uint8_t *code, size_t n, uint64_t addr,
			struct flow_targets *targets);

/* --depth: the targets of the direct calls in `code` (n bytes at
 * `addr`), at most `max`.  Returns how many. */
size_t flow_call_targets(const uint8_t *code, size_t n, uint64_t addr,
			 uint64_t *out, size_t max);

/* Inlined copies: the addresses outside `inside` (n ranges) where
 * execution can go from the instructions in `code` (n bytes at `addr`,
 * part of `inside`): where it falls through or jumps to (not where it
 * calls: calls return).  At most `max`, sorted, each once.  Returns how
 * many, or -1 when the code cannot be decoded. */
long flow_exits(const uint8_t *code, size_t n, uint64_t addr,
		const struct flow_range *inside, size_t ninside, uint64_t *out,
		size_t max);

/* Runs of instructions in `code` (a function's, n bytes at `addr`)
 * outside `inside` that execution enters only by falling in from inside
 * (no direct branch targets one: `targets`, that function's) and leaves
 * only by falling back in, touching no memory and no stack on the way (a
 * loop counter the compiler put amid a copy's code): a copy need not be
 * left for them.  Returns how many, at most `max`, in `out`; -1 when the
 * code cannot be decoded. */
long flow_islands(const uint8_t *code, size_t n, uint64_t addr,
		  const struct flow_range *inside, size_t ninside,
		  const struct flow_targets *targets, struct flow_range *out,
		  size_t max);

/* The converse: the addresses inside `inside` where execution can go from
 * the instructions of `code` outside it. */
long flow_entries(const uint8_t *code, size_t n, uint64_t addr,
		  const struct flow_range *inside, size_t ninside, uint64_t *out,
		  size_t max);

#endif
