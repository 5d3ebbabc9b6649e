/* SPDX-License-Identifier: MIT */
/* watch.h - noticing at once when the program takes a scratch area away.
 *
 * memprof's trampolines and displaced instructions live in scratch areas
 * it maps in the program.  The program may map over one (MAP_FIXED: it
 * reserved the range and punched a hole in it, or it places code at a
 * fixed address), unmap, move or discard it; threads sent there would then
 * run the program's bytes.  A watch is a userfaultfd of the program's
 * memory, held by memprof and registered on the scratch areas with unmap,
 * remap and remove events: the kernel holds the program's call until
 * memprof has read the event, so memprof can put every breakpoint of the
 * area back in place before the program runs on.  No stop per system call
 * and nothing left in the program.  A thread of memprof's waits on it and
 * interrupts the session's waitpid with SIGURG when an event is there.
 */
#ifndef MEMPROF_WATCH_H
#define MEMPROF_WATCH_H

#include <stdint.h>
#include <sys/types.h>

struct watch;

/* Takes the userfaultfd that process `pid` holds as `fd` (the caller then
 * closes it there) and starts watching.  NULL when the kernel cannot (no
 * userfaultfd, no unmap events, forbidden): the areas go unwatched. */
struct watch *watch_open(pid_t pid, int fd);

/* Watches lo..hi (page-aligned, mapped in the program).  Returns 0 or -1. */
int watch_add(struct watch *w, uint64_t lo, uint64_t hi);

/* Stops watching lo..hi (a lost area, perhaps still mapped after a
 * discard: a thread faulting there must not wait on memprof). */
void watch_remove(struct watch *w, uint64_t lo, uint64_t hi);

/* Whether an event waits to be read (cheap; no blocking). */
int watch_due(const struct watch *w);

/* The next event's range: 1 with lo..hi (what the program unmapped,
 * moved away or discarded), 0 when none is left.  Reading it lets the
 * program's call return. */
int watch_next(struct watch *w, uint64_t *lo, uint64_t *hi);

/* Stops watching; the registration goes with the descriptor. */
void watch_close(struct watch *w);

#endif
