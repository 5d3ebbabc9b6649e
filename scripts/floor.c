/* SPDX-License-Identifier: MIT */
/* floor.c - the bare cost of one ptrace stop as memprof uses it, for
 * scripts/bench.
 *
 * Forks a child pinned to the parent's CPU that executes int3 N times.
 * The parent waits for each SIGTRAP stop, reads /proc/PID/statm once with
 * pread(2) on a descriptor kept open (as memprof does) and resumes the
 * child with PTRACE_CONT.  After an int3 the child's PC is already past it,
 * so nothing has to be stepped over: this is the floor under any
 * breakpoint-based tracer's cost per event.  Prints the microseconds per
 * stop.
 *
 * Usage: floor [N]    (default 200000)
 */
#define _GNU_SOURCE
#include <errno.h>
#include <fcntl.h>
#include <sched.h>
#include <signal.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <sys/ptrace.h>
#include <sys/wait.h>
#include <time.h>
#include <unistd.h>

static double now(void)
{
	struct timespec ts;

	clock_gettime(CLOCK_MONOTONIC, &ts);
	return (double)ts.tv_sec + (double)ts.tv_nsec / 1e9;
}

/* Pins the caller (and so the child it forks) to the CPU it runs on. */
static int pin(void)
{
	cpu_set_t one;
	int cpu = sched_getcpu();

	if (cpu < 0)
		return -1;
	CPU_ZERO(&one);
	CPU_SET(cpu, &one);
	return sched_setaffinity(0, sizeof(one), &one);
}

static void child(long n)
{
	if (ptrace(PTRACE_TRACEME, 0, 0L, 0L) < 0)
		_exit(126);
	raise(SIGSTOP);
	for (long i = 0; i < n; i++)
		__asm__ volatile("int3");
	_exit(0);
}

int main(int argc, char **argv)
{
	long n = argc > 1 ? atol(argv[1]) : 200000, stops = 0;
	char path[64], buf[256];
	double t0, t1;
	int st, fd;
	pid_t pid;

	if (n < 1) {
		fprintf(stderr, "usage: floor [N>0]\n");
		return 2;
	}
	if (pin() < 0)
		fprintf(stderr, "floor: cannot pin to one CPU: %s\n", strerror(errno));
	pid = fork();
	if (pid < 0) {
		fprintf(stderr, "floor: cannot fork: %s\n", strerror(errno));
		return 1;
	}
	if (pid == 0)
		child(n);
	if (waitpid(pid, &st, 0) < 0 || !WIFSTOPPED(st)) {
		fprintf(stderr, "floor: the child did not stop (ptrace not permitted?)\n");
		return 1;
	}
	snprintf(path, sizeof(path), "/proc/%d/statm", (int)pid);
	fd = open(path, O_RDONLY | O_CLOEXEC);
	if (fd < 0) {
		fprintf(stderr, "floor: cannot open %s: %s\n", path, strerror(errno));
		kill(pid, SIGKILL);
		return 1;
	}
	t0 = now();
	ptrace(PTRACE_CONT, pid, 0L, 0L);
	for (;;) {
		if (waitpid(pid, &st, 0) < 0) {
			fprintf(stderr, "floor: waitpid: %s\n", strerror(errno));
			return 1;
		}
		if (!WIFSTOPPED(st))
			break;
		if (WSTOPSIG(st) != SIGTRAP) {
			ptrace(PTRACE_CONT, pid, 0L, (long)WSTOPSIG(st));
			continue;
		}
		if (pread(fd, buf, sizeof(buf), 0) <= 0) {
			fprintf(stderr, "floor: cannot read %s: %s\n", path, strerror(errno));
			kill(pid, SIGKILL);
			return 1;
		}
		stops++;
		ptrace(PTRACE_CONT, pid, 0L, 0L);
	}
	t1 = now();
	close(fd);
	if (!WIFEXITED(st) || WEXITSTATUS(st) != 0 || stops != n) {
		fprintf(stderr, "floor: the child did not run to its end (%ld of %ld stops)\n", stops, n);
		return 1;
	}
	printf("%.2f us/stop %ld stops\n", (t1 - t0) * 1e6 / (double)stops, stops);
	return 0;
}
