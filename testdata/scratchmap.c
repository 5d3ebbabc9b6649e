/* scratchmap.c - a program that maps its own code over memory it did not
 * get from mmap, as a JIT with a fixed code address does: every anonymous
 * r-x mapping it finds in /proc/self/maps (none without a tracer; under
 * memprof, memprof's scratch areas) is replaced, MAP_FIXED, by a page of
 * its own filled with `ret`, and the profiled work() is called again.  A
 * tracer whose jumps still led there would return from work() early with
 * a wrong result.
 *
 * Usage: scratchmap [wait FILE]   (wait: create FILE, wait to be traced
 *                                  (60 s at most), map, create
 *                                  FILE.mapped and call work() until no
 *                                  longer traced)
 * Prints "before N", "after N" (and "untraced N"), the same figures with
 * or without a tracer.
 */
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <sys/mman.h>
#include <unistd.h>

#include <memprof.h>

__attribute__((noipa)) long work(int n)
{
	char *p = malloc((size_t)n << 12);
	memset(p, n, (size_t)n << 12);
	long sum = 0;
	for (int i = 0; i < n; i++)
		sum += p[i << 12];
	free(p);
	return sum + n;
}
MEMPROF_PROFILE(work);

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

/* Maps a page of `ret`s over each anonymous r-x mapping; returns how
 * many. */
static int map_over(void)
{
	unsigned long lo[64], hi[64];
	char line[512], perms[8];
	int n = 0, k = 0;
	FILE *f = fopen("/proc/self/maps", "r");

	if (!f)
		return 0;
	while (n < 64 && fgets(line, sizeof line, f)) {
		unsigned long a, b, off, inode;
		unsigned maj, min;
		int end = 0;

		if (sscanf(line, "%lx-%lx %7s %lx %x:%x %lu %n", &a, &b, perms,
			   &off, &maj, &min, &inode, &end) >= 7 &&
		    !strcmp(perms, "r-xp") && inode == 0 &&
		    (line[end] == '\n' || line[end] == '\0')) {
			lo[n] = a;
			hi[n++] = b;
		}
	}
	fclose(f);
	for (int i = 0; i < n; i++) {
		size_t len = hi[i] - lo[i];
		void *p = mmap((void *)lo[i], len, PROT_READ | PROT_WRITE,
			       MAP_PRIVATE | MAP_ANONYMOUS | MAP_FIXED, -1, 0);

		if (p == MAP_FAILED) {
			perror("mmap");
			exit(3);
		}
		memset(p, 0xc3, len);
		if (mprotect(p, len, PROT_READ | PROT_EXEC) < 0) {
			perror("mprotect");
			exit(3);
		}
		k++;
	}
	return k;
}

int main(int argc, char **argv)
{
	int waiting = argc > 2 && !strcmp(argv[1], "wait");
	char name[4096];

	if (waiting) {
		fclose(fopen(argv[2], "w"));
		for (int i = 0; i < 6000 && !traced(); i++)
			usleep(10000);
		if (!traced())
			return 4;
	}
	printf("before %ld\n", work(3));
	map_over();
	printf("after %ld\n", work(5));
	fflush(stdout);
	if (waiting) {
		snprintf(name, sizeof(name), "%s.mapped", argv[2]);
		fclose(fopen(name, "w"));
		for (int i = 0; i < 6000 && traced(); i++) {
			long v = work(5);

			if (v != 30)
				printf("traced %ld\n", v);
			usleep(10000);
		}
		if (traced())
			return 5;
		printf("untraced %ld\n", work(5));
	}
	return 0;
}
