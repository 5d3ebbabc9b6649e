/* children.c - a marked function run by the parent and by two forked
 * children, one after the other, and a child that execs another program.
 * With --children every call counts and the memory of the whole tree adds
 * up; without, only the parent's call.
 *
 * Usage: children [PROGRAM-TO-EXEC]
 */
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <sys/wait.h>
#include <unistd.h>

#include <memprof.h>

static char *volatile keep;

__attribute__((noinline)) void work(int mib)
{
	char *p = malloc((size_t)mib << 20);
	memset(p, 1, (size_t)mib << 20);
	keep = p;
}
MEMPROF_PROFILE(work);

static int child(int mib)
{
	int st;
	pid_t pid = fork();

	if (pid == 0) {
		work(mib);
		_exit(mib);
	}
	if (pid < 0 || waitpid(pid, &st, 0) < 0 || !WIFEXITED(st))
		return -1;
	return WEXITSTATUS(st);
}

int main(int argc, char **argv)
{
	int st, a = child(16), b = child(24);

	if (argc > 1) {
		pid_t pid = fork();

		if (pid == 0) {
			execv(argv[1], argv + 1);
			_exit(127);
		}
		waitpid(pid, &st, 0);
	}
	work(8);
	printf("children %d %d\n", a, b);
	return 0;
}
