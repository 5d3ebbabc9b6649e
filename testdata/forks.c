/* forks.c - a profiled function that forks; the child runs the rest of the
 * profiled function and a second call of it.
 *
 * The child inherits every breakpoint byte of its parent: under memprof it
 * must still run to its end and exit 0 rather than die of SIGTRAP.  The
 * parent exits 0 only when the child did, and prints what happened.
 */
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <sys/wait.h>
#include <unistd.h>

#include <memprof.h>

__attribute__((noinline)) int work(int round)
{
	char *p = malloc(1 << 20);
	memset(p, round, 1 << 20);
	int v = p[round];
	free(p);
	return v;
}
MEMPROF_PROFILE(work);

int main(void)
{
	int status;
	pid_t pid;

	work(1);
	fflush(stdout);
	pid = fork();
	if (pid < 0) {
		perror("fork");
		return 1;
	}
	if (pid == 0)
		_exit(work(2) + work(3) == 5 ? 0 : 1);
	if (waitpid(pid, &status, 0) < 0) {
		perror("waitpid");
		return 1;
	}
	if (WIFEXITED(status))
		printf("child exited %d\n", WEXITSTATUS(status));
	else if (WIFSIGNALED(status))
		printf("child killed by signal %d\n", WTERMSIG(status));
	work(4);
	return WIFEXITED(status) && WEXITSTATUS(status) == 0 ? 0 : 1;
}
