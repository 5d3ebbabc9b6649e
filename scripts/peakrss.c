/* SPDX-License-Identifier: MIT */
/* peakrss.c - the peak resident set size of one process, for scripts/bench.
 *
 * Runs COMMAND as a child and reports two figures for it, in KiB, on one
 * line written to OUTFILE: "hwm=K maxrss=K status=S".
 *
 * maxrss is ru_maxrss from wait4(2) on the child.  The kernel fills that
 * in with the larger of the child's own peak and the peaks of the children
 * the child itself waited for, so when COMMAND is memprof it is
 * max(memprof, its target): exact for memprof only when the target's peak
 * is smaller, which the bench checks by running the target alone.
 *
 * hwm is the child's own VmHWM from /proc/PID/status (the kernel's
 * high-water mark of that one address space, children never included),
 * sampled every INTERVAL ms while the child runs.  A peak reached in the
 * last interval before exit is missed, so hwm is a lower bound.
 *
 * The two bracket the true figure: hwm <= memprof's peak <= maxrss.
 *
 * Usage: peakrss [-i INTERVAL_MS] OUTFILE COMMAND [ARGS...]   (default 20)
 */
#define _GNU_SOURCE
#include <errno.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <sys/resource.h>
#include <sys/wait.h>
#include <time.h>
#include <unistd.h>

/* The VmHWM of PID in KiB, or -1 once /proc no longer shows it (the
 * process has exited and released its memory). */
static long vm_hwm(pid_t pid)
{
	char path[64], line[256];
	long kb = -1;
	FILE *f;

	snprintf(path, sizeof(path), "/proc/%d/status", (int)pid);
	f = fopen(path, "re");
	if (!f)
		return -1;
	while (fgets(line, sizeof(line), f))
		if (sscanf(line, "VmHWM: %ld kB", &kb) == 1)
			break;
	fclose(f);
	return kb;
}

int main(int argc, char **argv)
{
	long interval_ms = 20, hwm = 0, kb;
	struct timespec nap;
	struct rusage ru;
	int opt, st;
	pid_t pid, r;
	FILE *out;

	while ((opt = getopt(argc, argv, "+i:")) != -1) {
		if (opt != 'i')
			goto usage;
		interval_ms = atol(optarg);
		if (interval_ms < 1)
			goto usage;
	}
	if (argc - optind < 2)
		goto usage;
	out = fopen(argv[optind], "we");
	if (!out) {
		fprintf(stderr, "peakrss: cannot open '%s': %s\n", argv[optind], strerror(errno));
		return 1;
	}
	pid = fork();
	if (pid < 0) {
		fprintf(stderr, "peakrss: cannot fork: %s\n", strerror(errno));
		return 1;
	}
	if (pid == 0) {
		execvp(argv[optind + 1], argv + optind + 1);
		fprintf(stderr, "peakrss: cannot run '%s': %s\n", argv[optind + 1], strerror(errno));
		_exit(127);
	}
	nap.tv_sec = interval_ms / 1000;
	nap.tv_nsec = interval_ms % 1000 * 1000000L;
	for (;;) {
		kb = vm_hwm(pid);
		if (kb > hwm)
			hwm = kb;
		r = wait4(pid, &st, WNOHANG, &ru);
		if (r == pid)
			break;
		if (r < 0 && errno != EINTR) {
			fprintf(stderr, "peakrss: wait4: %s\n", strerror(errno));
			return 1;
		}
		nanosleep(&nap, NULL);
	}
	fprintf(out, "hwm=%ld maxrss=%ld status=%d\n", hwm, ru.ru_maxrss,
		WIFEXITED(st) ? WEXITSTATUS(st) : 128 + WTERMSIG(st));
	if (fclose(out) != 0) {
		fprintf(stderr, "peakrss: cannot write '%s': %s\n", argv[optind], strerror(errno));
		return 1;
	}
	return WIFEXITED(st) ? WEXITSTATUS(st) : 128 + WTERMSIG(st);
usage:
	fprintf(stderr, "usage: peakrss [-i INTERVAL_MS] OUTFILE COMMAND [ARGS...]\n");
	return 2;
}
