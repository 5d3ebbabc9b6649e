/* loopinsn.c - line starts that once had to be single-stepped: a `loop`
 * instruction and an indirect call through a register and through memory
 * relative to %rsp, run by eight threads at once.  Every occurrence must
 * be seen: a line start stepped in place would let threads slip past
 * while its int3 is lifted. */
#include <pthread.h>
#include <stdio.h>

#include <memprof.h>

#define NTHREADS 8
#define CALLS 2000

static pthread_barrier_t barrier;
static long total;
static pthread_mutex_t lock = PTHREAD_MUTEX_INITIALIZER;

__attribute__((noinline)) static long twice(long v)
{
	return 2 * v;
}

__attribute__((noinline)) long spinl(long n)
{
	long r = n, out;
	__asm__ volatile("mov %0, %%rcx" : : "r"(n) : "rcx");
	__asm__ volatile("1: loop 1b" : : : "rcx");
	__asm__ volatile("mov %1, %%rdi; call *%2; mov %%rax, %0"
			 : "=r"(out) : "r"(r), "r"(twice)
			 : "rax", "rcx", "rdx", "rsi", "rdi", "r8", "r9", "r10", "r11", "memory");
	__asm__ volatile("push %2; mov %1, %%rdi; call *(%%rsp); pop %%rcx; mov %%rax, %0"
			 : "=r"(r) : "r"(out), "r"(twice)
			 : "rax", "rcx", "rdx", "rsi", "rdi", "r8", "r9", "r10", "r11", "memory");
	return r;
}
MEMPROF_PROFILE(spinl);

static void *thread(void *arg)
{
	long sum = 0;

	(void)arg;
	pthread_barrier_wait(&barrier);
	for (int i = 0; i < CALLS; i++)
		sum += spinl((i & 3) + 1);
	pthread_mutex_lock(&lock);
	total += sum;
	pthread_mutex_unlock(&lock);
	return NULL;
}

int main(void)
{
	pthread_t t[NTHREADS];

	pthread_barrier_init(&barrier, NULL, NTHREADS);
	for (int i = 0; i < NTHREADS; i++)
		pthread_create(&t[i], NULL, thread, NULL);
	for (int i = 0; i < NTHREADS; i++)
		pthread_join(t[i], NULL);
	printf("total %ld\n", total);
	return 0;
}
