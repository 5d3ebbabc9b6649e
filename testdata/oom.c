/* oom.c - a program the kernel's OOM killer ends: it moves itself into
 * the memory cgroup given (cgroup v1 `cgroup.procs` path), then a marked
 * function touches memory 8 MiB at a time, for ever. */
#include <stdio.h>
#include <stdlib.h>
#include <string.h>

#include <memprof.h>

static char *volatile keep;

__attribute__((noinline)) void grow(void)
{
	for (;;) {
		char *p = malloc(8 << 20);
		memset(p, 1, 8 << 20);
		keep = p;
	}
}
MEMPROF_PROFILE(grow);

int main(int argc, char **argv)
{
	FILE *f = argc > 1 ? fopen(argv[1], "w") : NULL;

	if (!f || fprintf(f, "0\n") < 0 || fclose(f) != 0) {
		perror("oom: cannot join the cgroup");
		return 1;
	}
	grow();
	return 0;
}
