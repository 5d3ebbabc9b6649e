/* hammer.c - a busy program to attach to and kill the profiler of: two
 * threads call the marked function hammered() as fast as they can, so
 * that an int3 left in it would be hit within microseconds.
 *
 * The main thread copies the program's code at start, then watches it:
 * once the code differs from the copy (a profiler's breakpoints are in),
 * it creates ARMED.  It stops the threads when STOP exists, then prints
 * the number of threads, the number of wrong results and whether the
 * code is byte for byte what it was, and exits 0.  After 120 s without
 * STOP it gives up with status 3.
 *
 * Usage: hammer READY ARMED STOP
 */
#include <pthread.h>
#include <stdatomic.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <unistd.h>

#include <memprof.h>

#define NTHREADS 2

extern char __executable_start[], etext[];
static atomic_int stop;
static atomic_long wrong;

__attribute__((noinline)) long hammered(long i)
{
	char *p = malloc(64);
	long v;

	memset(p, (int)(i & 0x7f), 64);
	v = p[i & 63];
	free(p);
	return v;
}
MEMPROF_PROFILE(hammered);

static void *run(void *arg)
{
	(void)arg;
	for (long i = 0; !atomic_load_explicit(&stop, memory_order_relaxed); i++)
		if (hammered(i) != (i & 0x7f))
			atomic_fetch_add(&wrong, 1);
	return NULL;
}

static void touch(const char *path)
{
	FILE *f = fopen(path, "w");

	if (f)
		fclose(f);
}

int main(int argc, char **argv)
{
	size_t size = (size_t)(etext - __executable_start);
	char *copy = malloc(size);
	pthread_t th[NTHREADS];
	int armed = 0, ms;

	if (argc != 4) {
		fprintf(stderr, "usage: hammer READY ARMED STOP\n");
		return 2;
	}
	memcpy(copy, __executable_start, size);
	for (int i = 0; i < NTHREADS; i++)
		pthread_create(&th[i], NULL, run, NULL);
	touch(argv[1]);
	for (ms = 0; ms < 120000 && access(argv[3], F_OK) != 0; ms++) {
		if (!armed && memcmp(copy, __executable_start, size) != 0) {
			touch(argv[2]);
			armed = 1;
		}
		usleep(1000);
	}
	atomic_store(&stop, 1);
	for (int i = 0; i < NTHREADS; i++)
		pthread_join(th[i], NULL);
	printf("threads %d, wrong %ld\n", NTHREADS, atomic_load(&wrong));
	printf("%s\n", memcmp(copy, __executable_start, size) ? "code changed"
							       : "code intact");
	free(copy);
	return ms < 120000 ? 0 : 3;
}
