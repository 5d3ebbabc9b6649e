/* linkmap.c - reading the dynamic linker's list of loaded objects out of
 * the target: r_debug's state and head, then each link_map's load bias,
 * name and successor.  Only read while the target is stopped at the
 * linker's hook (or attached), so the list does not move underneath.
 */
#include "linkmap.h"

#include <link.h>
#include <stdlib.h>
#include <string.h>

#include "tracee.h"
#include "util.h"

/* Offsets in the dynamic linker's structures (glibc, x86-64). */
#define R_DEBUG_MAP 8
#define R_DEBUG_STATE 24
#define LINK_MAP_ADDR 0
#define LINK_MAP_NAME 8
#define LINK_MAP_NEXT 24
#define MAX_OBJECTS 4096

static int read_u64(struct tracee *t, uint64_t addr, uint64_t *v)
{
	return tracee_read(t, addr, v, sizeof(*v));
}

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
	uint64_t state, map, next;
	char path[4096];
	struct linkmap_object *v = NULL;
	size_t k = 0;

	if (read_u64(t, r_debug + R_DEBUG_STATE, &state) < 0 ||
	    (int)state != RT_CONSISTENT ||
	    read_u64(t, r_debug + R_DEBUG_MAP, &map) < 0)
		return -1;
	for (size_t n = 0; map && n < MAX_OBJECTS; n++, map = next) {
		uint64_t l_addr, l_name;

		if (read_u64(t, map + LINK_MAP_ADDR, &l_addr) < 0 ||
		    read_u64(t, map + LINK_MAP_NAME, &l_name) < 0 ||
		    read_u64(t, map + LINK_MAP_NEXT, &next) < 0)
			break;
		if (!l_name || read_str(t, l_name, path, sizeof(path)) < 0)
			continue;
		v = xrealloc(v, (k + 1) * sizeof(*v));
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
