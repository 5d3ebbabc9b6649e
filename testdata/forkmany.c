/* forkmany.c - forked children that run the profiled function.
 *
 *   forkmany N       forks N children at once; each calls work() 50 times
 *                    and exits 0 when every result was right.  The parent
 *                    calls work() too, waits for them all and prints how
 *                    many exited 0; it exits 0 when all did.
 *   forkmany sleep   forks one child that calls work() once, prints its
 *                    pid and sleeps (60 s at most) with the code of work()
 *                    as memprof left it; the parent exits 0 at once.  A
 *                    test then compares that code with the file's.
 *
 * A child inherits every breakpoint byte (and trampoline jump) of its
 * parent: memprof must put the original code back in the child before
 * letting it go, or the child dies of SIGTRAP or runs a jump into a scratch
 * page memprof no longer serves.
 */
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <sys/wait.h>
#include <unistd.h>

#include <memprof.h>

__attribute__((noinline)) int work(int round)
{
	char *p = malloc(64 << 10);
	memset(p, round & 0x7f, 64 << 10);
	int v = p[round % 1000];
	free(p);
	return v;
}
MEMPROF_PROFILE(work);

static int child(int id)
{
	for (int i = 0; i < 50; i++)
		if (work(id + i) != ((id + i) & 0x7f))
			return 1;
	return 0;
}

int main(int argc, char **argv)
{
	int n, ok = 0, status;

	setvbuf(stdout, NULL, _IONBF, 0);
	if (argc > 1 && strcmp(argv[1], "sleep") == 0) {
		pid_t pid = fork();

		if (pid < 0) {
			perror("fork");
			return 1;
		}
		if (pid == 0) {
			work(5);
			printf("%d\n", (int)getpid());
			sleep(60);
			_exit(0);
		}
		return work(1) == 1 ? 0 : 1;
	}
	n = argc > 1 ? atoi(argv[1]) : 4;
	for (int i = 0; i < n; i++) {
		pid_t pid = fork();

		if (pid < 0) {
			perror("fork");
			return 1;
		}
		if (pid == 0)
			_exit(child(i * 100));
	}
	work(7);
	while (wait(&status) > 0)
		if (WIFEXITED(status) && WEXITSTATUS(status) == 0)
			ok++;
	printf("%d of %d children exited 0\n", ok, n);
	return ok == n ? 0 : 1;
}
