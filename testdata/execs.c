/* execs.c - a profiled function that replaces the program with another.
 *
 * run() touches 2 MiB, then calls execv(PROGRAM, ARGS).  Under memprof the
 * new program runs as it would without it: its output appears and its exit
 * status is memprof's.  What run() did before the exec is reported; the
 * new program is not profiled.
 *
 * Usage: execs PROGRAM [ARGS...]
 */
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <unistd.h>

#include <memprof.h>

__attribute__((noinline)) int run(char **argv)
{
	char *p = malloc(2 << 20);
	memset(p, 1, 2 << 20);
	printf("execs: before exec\n");
	fflush(stdout);
	execv(argv[0], argv);
	perror("execs: execv");
	return p[0] + 126;
}
MEMPROF_PROFILE(run);

int main(int argc, char **argv)
{
	if (argc < 2) {
		fprintf(stderr, "usage: execs PROGRAM [ARGS...]\n");
		return 2;
	}
	return run(argv + 1);
}
