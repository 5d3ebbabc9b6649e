/* crash.c - a profiled function that touches 16 MiB, then writes through a
 * NULL pointer and dies of SIGSEGV.
 *
 * The pointer comes through a volatile so that -O2 cannot see it is NULL
 * (it would replace the store by a trap instruction: SIGILL).  The lines
 * before the store ran and must appear in the report.
 */
#include <stdio.h>
#include <stdlib.h>
#include <string.h>

#include <memprof.h>

static int *volatile nowhere;

__attribute__((noinline)) int crash(void)
{
	char *p = malloc(16 << 20);
	memset(p, 2, 16 << 20);
	printf("about to crash\n");
	fflush(stdout);
	*nowhere = p[1];
	return p[2];
}
MEMPROF_PROFILE(crash);

int main(void)
{
	return crash();
}
