/* mplib.c - a shared library with profiled functions: one named with
 * --func in the tests, one marked with MEMPROF_PROFILE in the library
 * itself. */
#include <stdlib.h>
#include <string.h>

#include <memprof.h>

static char *kept[64];
static int nkept;

__attribute__((noinline)) long lib_grow(int mib)
{
	size_t size = (size_t)mib << 20;
	char *p = malloc(size);
	memset(p, 7, size);
	kept[nkept++ & 63] = p;
	return p[size - 1];
}

__attribute__((noinline)) int lib_marked(int n)
{
	int *v = calloc((size_t)n, sizeof(*v));
	for (int i = 0; i < n; i++)
		v[i] = i;
	int last = v[n - 1];
	free(v);
	return last;
}
MEMPROF_PROFILE(lib_marked);
