/* threads200.c - 200 threads start, call the profiled function once each
 * and exit, 50 of them alive at a time at most.
 *
 * Every thread's call is its own: calls and occurrences are exact whatever
 * the interleaving.  Prints the sum of the results and exits 0.
 */
#include <pthread.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>

#include <memprof.h>

#define NTHREADS 200
#define WAVE 50

__attribute__((noinline)) void *work(void *arg)
{
	long id = (long)arg;
	char *p = malloc(4096);
	memset(p, (int)(id & 0x7f), 4096);
	long v = p[id % 4096];
	free(p);
	return (void *)v;
}
MEMPROF_PROFILE(work);

int main(void)
{
	pthread_t t[WAVE];
	long sum = 0;

	for (long base = 0; base < NTHREADS; base += WAVE) {
		for (long i = 0; i < WAVE; i++) {
			if (pthread_create(&t[i], NULL, work, (void *)(base + i)) != 0) {
				fprintf(stderr, "threads200: pthread_create failed\n");
				return 1;
			}
		}
		for (long i = 0; i < WAVE; i++) {
			void *r;

			pthread_join(t[i], &r);
			sum += (long)r;
		}
	}
	printf("threads %d sum %ld\n", NTHREADS, sum);
	return 0;
}
