/* touch64.c - malloc, touch and free 64 MiB on three lines.
 *
 * A 64 MiB malloc is served by mmap (it is above glibc's largest mmap
 * threshold), so under memprof the three lines of touch() read about
 * 0, +64 and -64 MiB: malloc only reserves, memset faults the pages in,
 * free unmaps them.
 */
#include <stdio.h>
#include <stdlib.h>
#include <string.h>

#include <memprof.h>

/* Makes the compiler assume the memory behind p is read, so the memset is
 * not a dead store before free. */
static inline void keep(void *p)
{
	__asm__ volatile("" : : "r"(p) : "memory");
}

__attribute__((noinline)) void touch(void)
{
	char *p = malloc(64 << 20);
	memset(p, 1, 64 << 20); keep(p);
	free(p);
}
MEMPROF_PROFILE(touch);

int main(void)
{
	touch();
	printf("touched 64 MiB\n");
	return 0;
}
