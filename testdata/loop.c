/* loop.c - a tight loop for scripts/bench: a profiled function whose loop
 * body is two lines, run N times.  Each iteration is three line events
 * (the for line and the two body lines).
 *
 * Usage: loop [N]    (default 100000)
 */
#include <stdio.h>
#include <stdlib.h>

#include <memprof.h>

static volatile long sink;

__attribute__((noinline)) long spin(long n)
{
	long sum = 0;

	for (long i = 0; i < n; i++) {
		sink = i;
		sum += sink & 1;
	}
	return sum;
}
MEMPROF_PROFILE(spin);

int main(int argc, char **argv)
{
	long n = argc > 1 ? atol(argv[1]) : 100000;

	printf("odd %ld\n", spin(n));
	return 0;
}
