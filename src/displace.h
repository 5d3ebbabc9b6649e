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
};

/* Longest code a plan puts in a slot: a 15-byte instruction or a 6-byte
 * jcc, plus a 5-byte jump back. */
#define DS_SLOT_SIZE 32

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

/* Decides which line starts of `f` can begin a line event, given its code
 * (`code`, the bytes of f->code.lo..hi before any int3): a line start
 * needs a breakpoint only when some path reaches it from another line, by
 * a jump back, from inlined code or from outside.  A start reached only by
 * falling through or jumping forward from its own line never begins an
 * event, and a stop there would be pure cost.  Sets keep[i] for
 * f->rows[i].  Returns the number kept, or -1 when the code cannot be
 * analysed (indirect jumps, undecodable bytes): keep every row then. */
long ds_prune(const struct di_function *f, const uint8_t *code, int *keep);

/* Whether a rel32 from `from` (the end of the instruction) reaches `to`. */
int ds_reach(uint64_t from, uint64_t to);

#endif
