/* threads.c - a profiled function run by four threads at once.
 *
 * Each call touches and keeps 4 MiB, so the calls add up to 16 MiB and
 * every line's occurrences are 4 (one per thread).  Prints the number of
 * CPUs the process may use before and after the first thread starts:
 * memprof pins a single-threaded target to one CPU and gives a
 * multi-threaded one every CPU back.
 */
#define _GNU_SOURCE
#include <pthread.h>
#include <sched.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>

#include <memprof.h>

#define NTHREADS 4

static int ncpus(void)
{
	cpu_set_t set;

	if (sched_getaffinity(0, sizeof set, &set) < 0)
		return -1;
	return CPU_COUNT(&set);
}

__attribute__((noinline)) void *worker(void *arg)
{
	char *p = malloc(4 << 20);
	memset(p, 1, 4 << 20);
	*(char **)arg = p;
	return NULL;
}
MEMPROF_PROFILE(worker);

int main(void)
{
	pthread_t t[NTHREADS];
	char *kept[NTHREADS];
	int before = ncpus();

	for (int i = 0; i < NTHREADS; i++) {
		if (pthread_create(&t[i], NULL, worker, &kept[i]) != 0) {
			fprintf(stderr, "threads: pthread_create failed\n");
			return 1;
		}
	}
	printf("cpus before %d after %d\n", before, ncpus());
	for (int i = 0; i < NTHREADS; i++)
		pthread_join(t[i], NULL);
	printf("sum %d\n", kept[0][1] + kept[1][1] + kept[2][1] + kept[3][1]);
	return 0;
}
