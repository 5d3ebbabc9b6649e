/* seed.c - the memory_profiler seed example, ported to C.
 *
 * process_data(n) keeps a growing result array and, on every iteration, a
 * fresh copy of the result so far that is never freed.  For n = 5000 the
 * copies add up to n(n+1)/2 doubles, about 95 MiB, all of it charged to the
 * malloc and memcpy lines of the loop; each of those lines runs exactly n
 * times.  The copies stay reachable (the checksum reads them), so -O2
 * cannot drop the work.
 *
 * Usage: seed [N]    (default 5000)
 */
#include <stdio.h>
#include <stdlib.h>
#include <string.h>

#include <memprof.h>

__attribute__((noinline)) double process_data(int n)
{
	double *result = malloc(n * sizeof *result);
	double **backups = malloc(n * sizeof *backups);
	double checksum = 0;

	for (int i = 0; i < n; i++) {
		result[i] = (double)i * i;
		double *backup = malloc((i + 1) * sizeof *backup);
		memcpy(backup, result, (i + 1) * sizeof *backup);
		backups[i] = backup;
	}
	for (int i = 0; i < n; i++)
		checksum += backups[i][i / 2];
	free(result);
	return checksum;
}
MEMPROF_PROFILE(process_data);

int main(int argc, char **argv)
{
	int n = argc > 1 ? atoi(argv[1]) : 5000;

	if (n < 1) {
		fprintf(stderr, "usage: seed [N>0]\n");
		return 2;
	}
	printf("checksum %.0f\n", process_data(n));
	return 0;
}
