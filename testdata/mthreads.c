/* mthreads.c - profiled functions run while threads come and go.
 *
 *   mthreads together   8 threads wait at a barrier, then each calls
 *                       work() 1000 times: 8000 calls, most of them while
 *                       other threads are inside work() too.  Each call
 *                       runs the loop body ROUNDS (4) times.
 *   mthreads churn      the main thread calls work() 8000 times while
 *                       another thread starts short-lived threads one after
 *                       the other until the main thread is done (at least
 *                       16).  Each of them calls blip(), which ends the
 *                       thread with pthread_exit from inside the profiled
 *                       function.
 *
 * Each thread works on its own cell, so the output is the same on every
 * run: the sum of the cells, and for churn the main thread's checksum.
 * work()'s lines run an exact number of times whatever the interleaving.
 *
 * Usage: mthreads together|churn
 */
#include <pthread.h>
#include <stdatomic.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <unistd.h>

#include <memprof.h>

#define NTHREADS 8
#define CALLS 1000
#define MIN_CHILDREN 16

/* Read at run time, so -O2 keeps the loop a loop. */
static volatile int rounds = 4;

static long cells[NTHREADS + 1];
static pthread_barrier_t barrier;
static atomic_int main_done;

__attribute__((noinline)) long work(long *cell, int n)
{
	long acc = *cell;

	for (int k = 0; k < n; k++)
		acc = acc * 3 + k;
	*cell = acc & 0xffff;
	return acc;
}
MEMPROF_PROFILE(work);

__attribute__((noinline)) void blip(long *cell)
{
	long v = *cell * 7 + 1;

	*cell = v & 0xff;
	pthread_exit(NULL);
}
MEMPROF_PROFILE(blip);

static void *together_thread(void *arg)
{
	long *cell = arg;
	int n = rounds;

	pthread_barrier_wait(&barrier);
	for (int i = 0; i < CALLS; i++)
		work(cell, n);
	return NULL;
}

static int together(void)
{
	pthread_t t[NTHREADS];
	long sum = 0;

	pthread_barrier_init(&barrier, NULL, NTHREADS);
	for (int i = 0; i < NTHREADS; i++) {
		cells[i] = i;
		if (pthread_create(&t[i], NULL, together_thread, &cells[i]) != 0) {
			fprintf(stderr, "mthreads: pthread_create failed\n");
			return 1;
		}
	}
	for (int i = 0; i < NTHREADS; i++) {
		pthread_join(t[i], NULL);
		sum += cells[i];
	}
	printf("together: cells %ld\n", sum);
	return 0;
}

static void *child(void *arg)
{
	blip(arg);
	return NULL;
}

/* Starts and joins threads, one at a time, until the main thread is done
 * and at least MIN_CHILDREN have run. */
static void *spawner(void *arg)
{
	long scratch = 1;
	int n = 0;

	pthread_barrier_wait(&barrier);
	while (n < MIN_CHILDREN || !atomic_load(&main_done)) {
		pthread_t t;

		if (pthread_create(&t, NULL, child, &scratch) != 0)
			return NULL;
		pthread_join(t, NULL);
		n++;
		usleep(200);
	}
	*(int *)arg = n;
	return NULL;
}

static int churn(void)
{
	pthread_t t;
	int children = 0, n = rounds;
	long sum = 0;

	pthread_barrier_init(&barrier, NULL, 2);
	if (pthread_create(&t, NULL, spawner, &children) != 0) {
		fprintf(stderr, "mthreads: pthread_create failed\n");
		return 1;
	}
	pthread_barrier_wait(&barrier);
	cells[NTHREADS] = 5;
	for (int i = 0; i < NTHREADS * CALLS; i++)
		sum += work(&cells[NTHREADS], n) & 0xff;
	atomic_store(&main_done, 1);
	pthread_join(t, NULL);
	if (children < MIN_CHILDREN) {
		fprintf(stderr, "mthreads: only %d threads started\n", children);
		return 1;
	}
	printf("churn: sum %ld cell %ld\n", sum, cells[NTHREADS]);
	return 0;
}

int main(int argc, char **argv)
{
	if (argc == 2 && strcmp(argv[1], "together") == 0)
		return together();
	if (argc == 2 && strcmp(argv[1], "churn") == 0)
		return churn();
	fprintf(stderr, "usage: mthreads together|churn\n");
	return 2;
}
