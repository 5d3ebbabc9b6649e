/* spawns.c - a program run through posix_spawn and through system()
 * between calls of a profiled function.  Both start a vfork child
 * (clone(CLONE_VM | CLONE_VFORK)) that runs a little of libc in the
 * parent's memory, then execs.
 *
 * Under memprof without --children the child is let go before its exec:
 * a setuid program it runs keeps its privileges (testdata/euid.c says
 * so), and the three calls of work() are all profiled.  A vfork child
 * that runs a profiled function itself, fill(), untraced, finds none of
 * memprof's int3s or trampoline jumps in its way: it exits 7.
 *
 * With "threads", a second thread calls the profiled spin() without a
 * pause meanwhile: memprof must hold it while it rewrites the code it
 * runs, and the children are let go all the same.  It says how many
 * calls it made.
 *
 * Usage: spawns PROGRAM [threads] (PROGRAM a path without quotes: it goes
 * to sh -c too)
 */
#include <pthread.h>
#include <spawn.h>
#include <stdbool.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <sys/wait.h>
#include <unistd.h>

#include <memprof.h>

extern char **environ;

static char *volatile keep[3];

__attribute__((noinline)) void work(int i)
{
	char *p = malloc(1 << 20);
	memset(p, i + 1, 1 << 20);
	keep[i] = p;
}
MEMPROF_PROFILE(work);

static char area[1 << 20];

__attribute__((noinline)) int fill(int v)
{
	memset(area, v, sizeof(area));
	return area[4096];
}
MEMPROF_PROFILE(fill);

static volatile int stop;
static volatile long spins;

__attribute__((noinline)) void spin(long i)
{
	spins = i + 1;
}
MEMPROF_PROFILE(spin);

static void *spinner(void *arg)
{
	(void)arg;
	for (long i = 0; !stop; i++)
		spin(i);
	return NULL;
}

static int status_of(int st)
{
	return WIFEXITED(st) ? WEXITSTATUS(st) : 128 + WTERMSIG(st);
}

int main(int argc, char **argv)
{
	char *args[] = { argv[1], NULL }, cmd[4096];
	int st, spawned, sys, vforked;
	pid_t pid;

	pthread_t th;
	bool threads = argc == 3 && !strcmp(argv[2], "threads");

	if (argc != 2 && !threads) {
		fprintf(stderr, "usage: spawns PROGRAM [threads]\n");
		return 2;
	}
	if (threads) {
		if (pthread_create(&th, NULL, spinner, NULL) != 0) {
			fprintf(stderr, "spawns: cannot start a thread\n");
			return 1;
		}
		while (spins < 1000)
			;
	}
	work(0);
	fflush(stdout);
	if (posix_spawn(&pid, argv[1], NULL, NULL, args, environ) != 0 ||
	    waitpid(pid, &st, 0) < 0) {
		perror("spawns: posix_spawn");
		return 1;
	}
	spawned = status_of(st);
	work(1);
	snprintf(cmd, sizeof(cmd), "'%s'", argv[1]);
	sys = system(cmd);
	work(2);
	pid = vfork();
	if (pid == 0)
		_exit(fill(7));
	if (pid < 0 || waitpid(pid, &st, 0) < 0) {
		perror("spawns: vfork");
		return 1;
	}
	vforked = status_of(st);
	fill(1);
	printf("spawned %d system %d vfork %d\n", spawned,
	       sys < 0 ? -1 : status_of(sys), vforked);
	if (threads) {
		stop = 1;
		pthread_join(th, NULL);
		printf("spun %ld\n", spins);
	}
	return 0;
}
