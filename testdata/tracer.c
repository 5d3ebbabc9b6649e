/* tracer.c - another tracer: seizes process PID (its main thread), then
 * creates READY and lets it run, passing its signals on, until it ends.
 * A process has one tracer: memprof must say it cannot attach, and who
 * holds it.
 *
 * Usage: tracer PID READY
 */
#include <signal.h>
#include <stdio.h>
#include <stdlib.h>
#include <sys/ptrace.h>
#include <sys/wait.h>

int main(int argc, char **argv)
{
	pid_t pid;
	FILE *f;
	int st;

	if (argc != 3) {
		fprintf(stderr, "usage: tracer PID READY\n");
		return 2;
	}
	pid = atoi(argv[1]);
	if (ptrace(PTRACE_SEIZE, pid, 0L, 0L) < 0) {
		perror("tracer: PTRACE_SEIZE");
		return 1;
	}
	if ((f = fopen(argv[2], "w")))
		fclose(f);
	while (waitpid(pid, &st, __WALL) == pid && WIFSTOPPED(st))
		ptrace(PTRACE_CONT, pid, 0L,
		       st >> 16 ? 0L : (long)WSTOPSIG(st));
	return 0;
}
