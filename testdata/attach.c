/* attach.c - a program to attach to: a marked function called in a slow
 * loop.  It copies its own code at start, before anyone attaches, and at
 * the end says whether its code is byte for byte what it was: a profiler
 * that detached must leave nothing behind.  It also counts the iterations
 * it ran while traced (TracerPid in /proc/self/status).
 *
 * Usage: attach [N] [READYFILE]   (N iterations of 20 ms, default 200;
 * READYFILE is created once the copy is taken)
 */
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <unistd.h>

#include <memprof.h>

extern char __executable_start[], etext[];
static char *volatile keep;

static int traced(void)
{
	char buf[256];
	FILE *f = fopen("/proc/self/status", "r");
	int pid = 0;

	if (!f)
		return 0;
	while (fgets(buf, sizeof buf, f))
		if (strncmp(buf, "TracerPid:", 10) == 0)
			pid = atoi(buf + 10);
	fclose(f);
	return pid != 0;
}

__attribute__((noinline)) long step(int i)
{
	char *p = malloc(1 << 16);
	memset(p, i, 1 << 16);
	keep = p;
	long v = p[100];
	free(p);
	return v;
}
MEMPROF_PROFILE(step);

int main(int argc, char **argv)
{
	int n = argc > 1 ? atoi(argv[1]) : 200;
	size_t size = (size_t)(etext - __executable_start);
	char *copy = malloc(size);
	long sum = 0, during = 0;

	memcpy(copy, __executable_start, size);
	if (argc > 2)
		fclose(fopen(argv[2], "w"));
	for (int i = 0; i < n; i++) {
		sum += step(i);
		during += traced();
		usleep(20000);
	}
	printf("sum %ld\n", sum);
	printf("traced %ld\n", during);
	if (memcmp(copy, __executable_start, size) == 0) {
		printf("code intact\n");
	} else {
		for (size_t k = 0; k < size; k++)
			if (copy[k] != __executable_start[k]) {
				printf("code changed at +%#zx\n", k);
				break;
			}
	}
	free(copy);
	return 0;
}
