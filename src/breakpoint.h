/* breakpoint.h - the int3 table: where breakpoints are, what each means,
 * and getting a thread past one.
 */
#ifndef MEMPROF_BREAKPOINT_H
#define MEMPROF_BREAKPOINT_H

#include <stdint.h>
#include <sys/types.h>
#include <sys/user.h>

#include "tracee.h"

enum bp_kind {
	BP_ENTRY = 1,   /* first instruction of a profiled function */
	BP_LINE = 2,    /* a line start of a profiled function */
	BP_RETURN = 4,  /* a return address of a profiled call */
};

struct bp {
	uint64_t addr;   /* run-time address; 0 marks a free slot */
	uint8_t orig;    /* the byte the int3 replaced */
	uint8_t kinds;   /* enum bp_kind bits */
	unsigned fn;     /* profile function index (ENTRY, LINE) */
	unsigned line;   /* source line (LINE) */
};

struct breakpoints;

struct breakpoints *bps_new(struct tracee *t);
void bps_free(struct breakpoints *b);

/* Registers a breakpoint (merged with one already at `addr`); it goes into
 * memory at bps_arm. */
void bps_add(struct breakpoints *b, uint64_t addr, unsigned kinds,
	     unsigned fn, unsigned line);

/* Writes every registered int3 not yet in memory, in as few writes as
 * possible.  Returns 0 or -1 with a message. */
int bps_arm(struct breakpoints *b);

/* The breakpoint at `addr`, or NULL.  The pointer is valid until the next
 * bps_add/bps_add_return. */
const struct bp *bps_lookup(const struct breakpoints *b, uint64_t addr);

/* Makes `addr` a return breakpoint, in memory at once. */
int bps_add_return(struct breakpoints *b, uint64_t addr);

/* Gets thread `tid`, stopped on the int3 at `addr` with registers `regs`,
 * past the original instruction, leaving it stopped.  Returns 0 when the
 * step is done, with *sig the signal that arrived meanwhile (to deliver on
 * resume) or 0; returns 1 when the thread stopped for another reason,
 * with its wait status in *status for the caller to handle; -1 on
 * failure. */
int bps_step_over(struct breakpoints *b, pid_t tid, uint64_t addr,
		  struct user_regs_struct *regs, int *sig, int *status);

/* Writes the original bytes back into process `pid` (a forked child that
 * inherited the breakpoints). */
int bps_remove_from(struct breakpoints *b, pid_t pid);

/* Writes the original bytes back into the target. */
int bps_disarm(struct breakpoints *b);

/* Drops every breakpoint without touching memory (after an exec). */
void bps_forget(struct breakpoints *b);

/* Number of breakpoints. */
size_t bps_count(const struct breakpoints *b);

#endif
