/* SPDX-License-Identifier: MIT */
/* displace.h - executing an instruction somewhere else.
 *
 * A breakpoint's int3 never leaves the code: the thread that hits it is
 * sent to the original instruction displaced (relocated) into a scratch
 * page of the target, followed by a jump back, so no thread can run past
 * a line unseen and no single-step is needed.  This module decides, for
 * one instruction, how that is done.  It owns the x86 decoder (capstone),
 * which it shares only with flow.c (decoder.h); where control can go in a
 * whole function is flow.h's.
 */
#ifndef MEMPROF_DISPLACE_H
#define MEMPROF_DISPLACE_H

#include <stddef.h>
#include <stdint.h>

enum ds_kind {
	DS_STEP,  /* cannot be displaced: single-step it in place */
	DS_DISPLACED, /* run `code` at the slot: the instruction, then a jump
			 back */
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
	uint8_t code[DS_SLOT_SIZE];  /* DS_DISPLACED */
};

/* Plans the instruction whose bytes (`n` of them, at most 15 needed) were
 * at `addr`, to be run from `slot` (0 when there is no slot within reach:
 * only DS_JUMP, DS_CALL or DS_STEP then).  Never fails: what it cannot
 * relocate becomes DS_STEP. */
void ds_plan(const uint8_t *bytes, size_t n, uint64_t addr, uint64_t slot,
	     struct ds_plan *out);

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

/* Releases the decoder. */
void ds_close(void);

/* Whether a rel32 from `from` (the end of the instruction) reaches `to`. */
int ds_reach(uint64_t from, uint64_t to);

#endif
