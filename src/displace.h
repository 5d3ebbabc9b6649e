/* displace.h - executing an instruction somewhere else.
 *
 * A breakpoint's int3 never leaves the code: the thread that hits it is
 * sent to a copy of the original instruction in a scratch page of the
 * target, followed by a jump back, so no thread can run past a line unseen
 * and no single-step is needed.  This module decides, for one instruction,
 * how that is done.  It is the only file that includes the x86 decoder
 * (capstone).
 */
#ifndef MEMPROF_DISPLACE_H
#define MEMPROF_DISPLACE_H

#include <stddef.h>
#include <stdint.h>

enum ds_kind {
	DS_STEP,  /* cannot be displaced: single-step it in place */
	DS_COPY,  /* run `code` at the slot: the instruction, then a jump back */
	DS_JUMP,  /* a direct jump: go straight to `target` */
	DS_CALL,  /* a direct call: push addr+len, go to `target` */
	DS_RESUME, /* nothing to do: the thread resumes as it stands */
	DS_TRAMPOLINE, /* `len` bytes replaced by a jump to `target`, where
			  an int3 is followed by them, relocated: a hit
			  resumes as it stands */
};

/* Longest code a plan puts in a slot: an int3, the relocated
 * instructions (a call becomes 25 bytes), a 5-byte jump back. */
#define DS_SLOT_SIZE 64

struct ds_plan {
	enum ds_kind kind;
	uint8_t len;                 /* length of the original instruction */
	uint8_t ncode;
	uint64_t target;             /* DS_JUMP, DS_CALL */
	uint8_t code[DS_SLOT_SIZE];  /* DS_COPY */
};

/* Plans the instruction whose bytes (`n` of them, at most 15 needed) were
 * at `addr`, to be run from `slot` (0 when there is no slot within reach:
 * only DS_JUMP, DS_CALL or DS_STEP then).  Never fails: what it cannot
 * relocate becomes DS_STEP. */
void ds_plan(const uint8_t *bytes, size_t n, uint64_t addr, uint64_t slot,
	     struct ds_plan *out);

struct di_function;
struct ds_targets;

/* Decides which line starts of `f` can begin a line event, given its code
 * (`code`, the bytes of f->code.lo..hi before any int3): a line start
 * needs a breakpoint only when some path reaches it from another line, by
 * a jump back, from inlined code or from outside.  A start reached only by
 * falling through or jumping forward from its own line never begins an
 * event, and a stop there would be pure cost.  Sets keep[i] for
 * f->rows[i] and fills `targets` (free its v).  Returns the number kept,
 * or -1 when the code cannot be
 * analysed (indirect jumps, undecodable bytes): keep every row then. */
long ds_prune(const struct di_function *f, const uint8_t *code, int *keep,
	      struct ds_targets *targets);

/* Plans a trampoline for the instruction(s) at `addr` (bytes in `bytes`,
 * `n` of them, up to the end of the function): enough whole instructions
 * to hold a 5-byte jump are moved to `slot` behind an int3.  An instruction
 * boundary inside them for which `forbidden(ctx, a)` is true (a jump
 * target, another breakpoint) makes it impossible, as do branches and
 * calls before the last instruction.  Returns 0 with out->code, out->len
 * (bytes covered) and out->target (= slot), or -1. */
typedef int ds_covered_fn(void *ctx, uint64_t addr);
int ds_plan_trampoline(const uint8_t *bytes, size_t n, uint64_t addr,
		       uint64_t slot, ds_covered_fn *forbidden, void *ctx,
		       struct ds_plan *out);

/* Direct branch targets inside a function, sorted. */
struct ds_targets {
	uint64_t *v;
	size_t n;
};
int ds_targets_has(const struct ds_targets *t, uint64_t addr);

/* The direct branch targets in `code` (n bytes at `addr`, one function),
 * sorted, for bps_add_region (free targets->v).  Returns 0, or -1 when
 * the code cannot be analysed (indirect jumps, undecodable bytes). */
int ds_branch_targets(const uint8_t *code, size_t n, uint64_t addr,
		      struct ds_targets *targets);

/* --depth: the targets of the direct calls in `code` (n bytes at
 * `addr`), at most `max`.  Returns how many. */
size_t ds_call_targets(const uint8_t *code, size_t n, uint64_t addr,
		       uint64_t *out, size_t max);

/* Inlined copies: the addresses outside `inside` (n ranges) where
 * execution can go from the instructions in `code` (n bytes at `addr`,
 * part of `inside`): where it falls through or jumps to (not where it
 * calls: calls return).  At most `max`, sorted, each once.  Returns how
 * many, or -1 when the code cannot be decoded. */
struct di_range;
long ds_exits(const uint8_t *code, size_t n, uint64_t addr,
	      const struct di_range *inside, size_t ninside, uint64_t *out,
	      size_t max);

/* Runs of instructions in `code` (a function's, n bytes at `addr`)
 * outside `inside` that execution enters only by falling in from inside
 * (no direct branch targets one: `targets`, that function's) and leaves
 * only by falling back in, touching no memory and no stack on the way (a
 * loop counter the compiler put amid a copy's code): a copy need not be
 * left for them.  Returns how many, at most `max`, in `out`; -1 when the
 * code cannot be decoded. */
long ds_islands(const uint8_t *code, size_t n, uint64_t addr,
		const struct di_range *inside, size_t ninside,
		const struct ds_targets *targets, struct di_range *out,
		size_t max);

/* The converse: the addresses inside `inside` where execution can go from
 * the instructions of `code` outside it. */
long ds_entries(const uint8_t *code, size_t n, uint64_t addr,
		const struct di_range *inside, size_t ninside, uint64_t *out,
		size_t max);

/* Releases the decoder. */
void ds_close(void);

/* Whether a rel32 from `from` (the end of the instruction) reaches `to`. */
int ds_reach(uint64_t from, uint64_t to);

#endif
