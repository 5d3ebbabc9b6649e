/* SPDX-License-Identifier: MIT */
/* linkmap.h - the dynamic linker's list of loaded objects, as the
 * stopped target holds it: r_debug.r_map and the link_map chain.  Which
 * objects matter and what is done with them is program.c's.
 */
#ifndef MEMPROF_LINKMAP_H
#define MEMPROF_LINKMAP_H

#include <stddef.h>
#include <stdint.h>

struct tracee;

struct linkmap_object {
	char *path;               /* l_name, as the linker has it ("" for
				     the executable) */
	uint64_t bias;            /* l_addr: its load bias */
};

/* Reads the list of the r_debug at run-time address `r_debug` of `t`.
 * Returns the number of objects, in the linker's order, in *out (free
 * with linkmap_free); -1 when the list is being changed (r_state is not
 * RT_CONSISTENT) or cannot be read: nothing to learn from it then.  An
 * object whose name cannot be read is left out; one whose entry cannot
 * be read ends the list there. */
long linkmap_read(struct tracee *t, uint64_t r_debug,
		  struct linkmap_object **out);
void linkmap_free(struct linkmap_object *v, size_t n);

#endif
