/* vmclone.c - a process that shares the program's memory without being
 * one of its threads: clone(CLONE_VM | SIGCHLD) with a stack of its own.
 *
 * main() calls work() 3 times, starts the clone, waits until the clone
 * has touched 32 MiB, calls work() 10 more times while the clone waits,
 * then lets the clone end.  Each work() keeps 1 MiB.  Under memprof every
 * one of the 13 calls is profiled (the breakpoints are in the memory both
 * share), and the shared memory counts once, with --children too.
 *
 * With "orphan", main() returns without waiting for the clone, which
 * outlives it: half a second after main() is gone (its parent changes) it
 * writes "clone outlived main" and exits.  memprof must not end (and kill
 * it) before.
 *
 * The clone does not call malloc while main() does: glibc believes it is
 * single-threaded and takes no lock.
 *
 * Usage: vmclone [orphan]
 */
#define _GNU_SOURCE
#include <sched.h>
#include <signal.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <sys/wait.h>
#include <unistd.h>

#include <memprof.h>

#define STACK_SIZE (256 << 10)

static int state; /* 0: started, 1: the clone touched its memory, 2: end */
static pid_t parent;
static char *volatile keep[16];

__attribute__((noinline)) void work(int i)
{
	char *p = malloc(1 << 20);
	memset(p, i + 1, 1 << 20);
	keep[i] = p;
}
MEMPROF_PROFILE(work);

static int clone_main(void *big)
{
	memset(big, 1, 32 << 20);
	__atomic_store_n(&state, 1, __ATOMIC_SEQ_CST);
	/* Until main() says so or is gone; two minutes at most. */
	for (int n = 0; n < 120000 && getppid() == parent &&
			__atomic_load_n(&state, __ATOMIC_SEQ_CST) != 2; n++)
		usleep(1000);
	if (getppid() != parent) {
		static const char msg[] = "clone outlived main\n";

		/* Long after: memprof must still be waiting for us. */
		usleep(500000);
		if (write(1, msg, sizeof(msg) - 1) < 0)
			return 1;
	}
	return 0;
}

int main(int argc, char **argv)
{
	char *stack = malloc(STACK_SIZE), *big = malloc(32 << 20);
	int st, n;
	pid_t pid;

	parent = getpid();
	for (int i = 0; i < 3; i++)
		work(i);
	pid = clone(clone_main, stack + STACK_SIZE, CLONE_VM | SIGCHLD, big);
	if (pid < 0) {
		perror("vmclone: clone");
		return 1;
	}
	for (n = 0; n < 120000 && __atomic_load_n(&state, __ATOMIC_SEQ_CST) != 1; n++)
		usleep(1000);
	for (int i = 3; i < 13; i++)
		work(i);
	if (argc > 1 && !strcmp(argv[1], "orphan"))
		return 0;
	__atomic_store_n(&state, 2, __ATOMIC_SEQ_CST);
	if (waitpid(pid, &st, 0) < 0) {
		perror("vmclone: waitpid");
		return 1;
	}
	printf("clone exited %d\n", WIFEXITED(st) ? WEXITSTATUS(st) : -1);
	return 0;
}
