/* SPDX-License-Identifier: MIT */
/* linkmap.c - reading the dynamic linker's list of loaded objects out of
 * the target: r_debug's state and head, then each link_map's load bias,
 * name and successor.  Only read while the target is stopped at the
 * linker's hook (or attached), so the list does not move underneath.
 */
#include "linkmap.h"

#include <link.h>
#include <stddef.h>
#include <stdlib.h>
#include <string.h>

#include "tracee.h"
#include "util.h"

/* The target's structures are laid out as <link.h> has them here:
 * memprof traces only programs of its own architecture (x86-64, the one
 * displace.c relocates), whose pointers and addresses are read as 8
 * bytes below. */
_Static_assert(sizeof(void *) == 8 && sizeof(ElfW(Addr)) == 8,
	       "memprof reads a 64-bit target's link_map");

/* More than any program loads: a list that loops is not followed
 * forever. */
#define MAX_OBJECTS 4096

static int read_u64(struct tracee *t, uint64_t addr, uint64_t *v)
{
	return tracee_read(t, addr, v, sizeof(*v));
}

/* Field `f` (a pointer or an address) of the target's link_map at `m`. */
#define read_lm(t, m, f, v) \
	read_u64(t, (m) + offsetof(struct link_map, f), v)

/* A C string of the target's, at most `n` - 1 bytes. */
static int read_str(struct tracee *t, uint64_t addr, char *buf, size_t n)
{
	size_t got = 0;

	while (got < n - 1) {
		size_t chunk = 64 - ((addr + got) & 63);

		if (chunk > n - 1 - got)
			chunk = n - 1 - got;
		if (tracee_read(t, addr + got, buf + got, chunk) < 0)
			return -1;
		if (memchr(buf + got, '\0', chunk))
			return 0;
		got += chunk;
	}
	buf[n - 1] = '\0';
	return 0;
}

long linkmap_read(struct tracee *t, uint64_t r_debug,
		  struct linkmap_object **out)
{
	uint64_t map, next;
	int state;
	char path[4096];
	struct linkmap_object *v = NULL;
	size_t k = 0, cap = 0;

	if (tracee_read(t, r_debug + offsetof(struct r_debug, r_state), &state,
			sizeof(state)) < 0 ||
	    state != RT_CONSISTENT ||
	    read_u64(t, r_debug + offsetof(struct r_debug, r_map), &map) < 0)
		return -1;
	for (size_t n = 0; map && n < MAX_OBJECTS; n++, map = next) {
		uint64_t l_addr, l_name;

		if (read_lm(t, map, l_addr, &l_addr) < 0 ||
		    read_lm(t, map, l_name, &l_name) < 0 ||
		    read_lm(t, map, l_next, &next) < 0)
			break;
		if (!l_name || read_str(t, l_name, path, sizeof(path)) < 0)
			continue;
		ARRAY_GROW(v, k + 1, cap);
		v[k].path = xstrdup(path);
		v[k].bias = l_addr;
		k++;
	}
	*out = v;
	return (long)k;
}

void linkmap_free(struct linkmap_object *v, size_t n)
{
	for (size_t i = 0; i < n; i++)
		free(v[i].path);
	free(v);
}
