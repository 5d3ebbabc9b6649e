/* SPDX-License-Identifier: MIT */
/* unwind.h - call stacks of a stopped thread.  The only file that
 * includes libunwind-ptrace: its types stay behind this interface. */
#ifndef MEMPROF_UNWIND_H
#define MEMPROF_UNWIND_H

#include <stddef.h>
#include <stdint.h>
#include <sys/types.h>

/* The program counters of the stopped thread `tid`'s frames, innermost
 * first, at most `max`: the first is its current PC.  Returns how many, 0
 * when it cannot unwind. */
size_t unwind_stack(pid_t tid, uint64_t *pcs, size_t max);

#endif
