/* SPDX-License-Identifier: MIT */
/* breakpoint.h - the int3 table: where breakpoints are, what each means,
 * and getting a thread past one.
 */
#ifndef MEMPROF_BREAKPOINT_H
#define MEMPROF_BREAKPOINT_H

#include <stdbool.h>
#include <stdint.h>
#include <sys/types.h>
#include <sys/user.h>

#include "tracee.h"

enum bp_kind {
	BP_ENTRY = 1,   /* first instruction of a profiled function */
	BP_LINE = 2,    /* a line start of a profiled function */
	BP_RETURN = 4,  /* a return address of a profiled call */
	BP_DLHOOK = 8,  /* the dynamic linker's hook: the libraries changed */
	BP_COPY = 16,   /* inlined copies begin here: `enter` .. `copy` */
	BP_LEAVE = 32,  /* code reached from inside a copy, outside it */
	BP_REENTER = 64, /* code of a copy reached from outside it, not at
			    its start: its call goes on at `line` */
};

struct bp {
	uint64_t addr;   /* run-time address of the int3; 0: a free slot */
	uint64_t site;   /* the code address the event is about: addr, or
			    the patched instruction of a trampoline */
	uint64_t to;     /* where the thread resumes: the displaced
			    instruction (DS_DISPLACED) or the branch
			    target (DS_JUMP/CALL) */
	uint8_t orig;    /* the byte the int3 replaced */
	uint8_t kinds;   /* enum bp_kind bits */
	uint8_t how;     /* enum ds_kind: how a thread gets past it */
	uint8_t len;     /* length of the original instruction */
	int8_t cfa_reg;  /* the frame rule here: the CFA is register cfa_reg
			    (7: rsp, 6: rbp) + cfa_off; -1: unknown */
	int32_t cfa_off;
	unsigned entry_fn; /* profile function index (ENTRY) */
	unsigned fn;     /* profile function index (LINE, REENTER) */
	unsigned line;   /* source line (LINE, REENTER) */
	unsigned copy;   /* the profiled inlined copy whose code this is (see
			    profile_add_copy), 0: none (LINE, COPY, LEAVE) */
	unsigned enter;  /* the outermost copy beginning here (COPY) */
};

struct breakpoints;

struct breakpoints *bps_new(struct tracee *t);
void bps_free(struct breakpoints *b);

/* Registers a breakpoint (merged with one already at `addr`); it goes into
 * memory at bps_arm. */
void bps_add(struct breakpoints *b, uint64_t addr, unsigned kinds,
	     unsigned fn, unsigned line);

/* Like bps_add, for code inside inlined copy `copy` (0: none), where
 * (BP_COPY) the copies `enter` down to `copy` begin.  A line start's
 * `fn` and `line` win over a BP_REENTER's. */
void bps_add_in(struct breakpoints *b, uint64_t addr, unsigned kinds,
		unsigned fn, unsigned line, unsigned copy, unsigned enter);

/* The frame rule at `addr` (see struct bp), for a breakpoint added
 * there. */
void bps_set_frame(struct breakpoints *b, uint64_t addr, int reg, int64_t off);

/* Maps a scratch area for displaced instructions near `near` (within
 * rel32 reach), with room for `nslots` copies, by making the stopped
 * thread `tid` call mmap: the first time over its current instruction
 * (only while no other thread runs), later from the first area.  Without
 * an area within reach, or when the thread may not be made to call mmap
 * (tracee_may_inject: a seccomp filter), breakpoints there are
 * single-stepped.  Returns 0 or -1 with a message. */
int bps_reserve_scratch(struct breakpoints *b, pid_t tid, uint64_t near,
			size_t nslots);

/* Whether `addr` lies in a scratch area. */
bool bps_in_scratch(const struct breakpoints *b, uint64_t addr);

/* Whether a thread stopped by the int3 of a breakpoint (`b`, a struct
 * breakpoints) with its PC at `pc` must go back one byte to run the
 * original instruction once it is restored (not at a trampoline's int3).
 * Only reads the table: usable from a signal handler. */
bool bps_rewinds(void *b, uint64_t pc);

/* Unmaps every scratch area (letting an attached process go), by making
 * the stopped thread `tid` call munmap while no other thread runs and
 * none runs code there.  Returns 0, or -1 (errno set; the areas not
 * unmapped stay). */
int bps_unmap_scratch(struct breakpoints *b, pid_t tid);

struct flow_targets;

/* No trampolines from now on (code that threads may be running in the
 * middle of: attach); breakpoints keep their int3. */
void bps_no_trampolines(struct breakpoints *b);

/* Drops the breakpoints in lo..hi without touching memory (a library was
 * unloaded). */
void bps_forget_range(struct breakpoints *b, uint64_t lo, uint64_t hi);

/* Allows trampolines in the code lo..hi (one function), whose direct
 * branch targets are `targets` (run-time addresses; copied): a line start
 * there whose first instructions can be moved is replaced by a jump to a
 * trampoline (int3 + the instructions), so a hit needs no register write
 * to resume. */
void bps_add_region(struct breakpoints *b, uint64_t lo, uint64_t hi,
		    const struct flow_targets *targets);

/* Writes every registered int3 not yet in memory, in as few writes as
 * possible.  Returns 0 or -1 with a message. */
int bps_arm(struct breakpoints *b);

/* The breakpoint at `addr`, or NULL.  The pointer is valid until the next
 * bps_add/bps_add_return. */
const struct bp *bps_lookup(const struct breakpoints *b, uint64_t addr);

/* Makes `addr` a return breakpoint, in memory at once. */
int bps_add_return(struct breakpoints *b, uint64_t addr);

/* Resumes thread `tid`, stopped on the int3 of `bp` with registers
 * `regs`, past the original instruction: from its displaced instruction,
 * or by doing the jump or call, or (DS_STEP) by a single-step in place.
 * Returns 0 when the thread runs again; 1 when, while single-stepping, it
 * stopped for another reason, with its wait status in *status for the
 * caller to handle (it is then stopped); -1 on failure.  `bp` may be
 * forgotten (the step rewrote its code): look breakpoints up again. */
int bps_resume(struct breakpoints *b, pid_t tid, const struct bp *bp,
	       struct user_regs_struct *regs, int *status);

/* Writes the original bytes back into process `pid` (a forked child that
 * inherited the breakpoints, stopped), where they are still memprof's:
 * code the program rewrote (a JIT, a hot patch), or that had no
 * breakpoint yet at the fork, keeps the child's bytes.  Returns 0, or -1
 * when some place could not be read or written. */
int bps_remove_from(struct breakpoints *b, pid_t pid);

/* The same for the target itself (every thread stopped), forgetting the
 * breakpoints whose code it rewrote: afterwards none is in memory. */
int bps_disarm(struct breakpoints *b);

/* Writes the original bytes back into the target (int3s and trampoline
 * jumps) but keeps every breakpoint as armed, for bps_put_back to write
 * them again: while a vfork child runs in the target's memory.  Costs
 * one write per breakpoint each way.  No other thread may run in that
 * memory meanwhile (it could fetch a jump half written); `pcs` are the
 * stopped threads' PCs: a jump one of them sits inside of is left lifted
 * (that line goes unseen).  Return 0 or -1 (some write failed). */
int bps_lift(struct breakpoints *b);
int bps_put_back(struct breakpoints *b, const uint64_t *pcs, size_t npcs);

/* Whether `pc` is past the first byte of a trampoline's jump (lifted, a
 * thread may run the original instructions there). */
bool bps_in_patch(const struct breakpoints *b, uint64_t pc);

/* Scratch areas are watched (watch.h) when the kernel allows: whether the
 * program has just mapped over, unmapped, moved or discarded one.  Cheap;
 * for the session loop when its waitpid was interrupted (SIGURG). */
int bps_watch_due(const struct breakpoints *b);

/* Takes note of what the program did to the scratch areas, letting its
 * held system call return: the breakpoints that sent threads into a lost
 * area are put back in place (or into another area), with one warning per
 * area, before any thread runs there again -- the caller has interrupted
 * every thread first, so that the one whose call was held stops before
 * its next instruction.  Breakpoints may move: look them up again. */
void bps_on_watch(struct breakpoints *b);

/* Drops every breakpoint without touching memory (after an exec). */
void bps_forget(struct breakpoints *b);

/* Number of breakpoints, of those single-stepped (not displaced), and
 * of those reached through a trampoline. */
size_t bps_count(const struct breakpoints *b);
size_t bps_stepped(const struct breakpoints *b);
size_t bps_trampolined(const struct breakpoints *b);

#endif
