/* inloop.c - a tight loop around a function the optimiser inlines, for
 * scripts/bench and the inlining test: at -O2 step() has no code of its
 * own, only its copy in main()'s loop.  Each iteration is a call of the
 * copy: its header and two lines.
 *
 * Usage: inloop [N]    (default 100000)
 */
#include <stdio.h>
#include <stdlib.h>

#include <memprof.h>

static volatile long sink;

static long step(long i)
{
	sink = i;
	return sink & 1;
}
MEMPROF_PROFILE(step);

int main(int argc, char **argv)
{
	long n = argc > 1 ? atol(argv[1]) : 100000;
	long odd = 0;

	for (long i = 0; i < n; i++)
		odd += step(i);
	printf("odd %ld\n", odd);
	return 0;
}
