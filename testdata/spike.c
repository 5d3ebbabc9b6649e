/* spike.c - a line whose call mallocs, touches and frees 200 MiB: its
 * Increment is about 0, yet for a moment the process held 200 MiB more.
 * --peak shows that moment on the line. */
#include <stdio.h>
#include <stdlib.h>
#include <string.h>

#include <memprof.h>

__attribute__((noinline)) static void spike(size_t n)
{
	char *p = malloc(n);
	memset(p, 1, n);
	__asm__ volatile("" : : "r"(p) : "memory");
	free(p);
}

__attribute__((noinline)) int work(void)
{
	char *keep = malloc(1 << 20);
	memset(keep, 1, 1 << 20);
	spike((size_t)200 << 20);
	keep[5] = 2;
	printf("spike %d\n", keep[5]);
	free(keep);
	return 0;
}
MEMPROF_PROFILE(work);

int main(void)
{
	return work();
}
