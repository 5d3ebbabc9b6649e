/* selfpatch.c - a program that rewrites its own code, as a JIT or a
 * hot-patcher does: it makes the page of the profiled answer() writable,
 * replaces the function's first bytes by `mov $42,%eax; ret`, makes the
 * page executable again and calls it.  A tracer that wrote its saved bytes
 * back over the patch (when it detaches, or into a forked child it lets
 * go) would bring back the old code, or half of it.
 *
 * Usage: selfpatch              patch, call, print
 *        selfpatch fork         the same, then a forked child calls it too
 *        selfpatch wait FILE    create FILE, wait to be traced (60 s at
 *                               most), patch, create FILE.patched and call
 *                               answer() until no longer traced, then
 *                               three times more
 * Prints "before 2", "after 42", then "child 42" or "untraced 42" (other
 * figures or a signal when the code was harmed).
 */
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <sys/mman.h>
#include <sys/wait.h>
#include <unistd.h>

#include <memprof.h>

/* noipa: the compiler must neither inline nor fold the calls, whose
 * results change at run time. */
__attribute__((noipa)) int answer(int x)
{
	char *p = malloc(4096);
	memset(p, x, 4096);
	int v = p[10] + 1;
	free(p);
	return v;
}
MEMPROF_PROFILE(answer);

static int traced(void)
{
	char buf[256];
	FILE *f = fopen("/proc/self/status", "r");
	int pid = 0;

	if (!f)
		return 0;
	while (fgets(buf, sizeof buf, f))
		if (strncmp(buf, "TracerPid:", 10) == 0)
			pid = atoi(buf + 10);
	fclose(f);
	return pid != 0;
}

static void patch(void)
{
	static const unsigned char code[] = { 0xb8, 42, 0, 0, 0, 0xc3 };
	long page = sysconf(_SC_PAGESIZE);
	unsigned char *at = (unsigned char *)(void *)answer;
	void *lo = (void *)((unsigned long)at & ~(unsigned long)(page - 1));
	size_t len = (size_t)(at + sizeof(code) - (unsigned char *)lo);

	/* Writable and executable at once: main() may share the page. */
	if (mprotect(lo, len, PROT_READ | PROT_WRITE | PROT_EXEC) < 0) {
		perror("mprotect");
		exit(3);
	}
	memcpy(at, code, sizeof(code));
	__builtin___clear_cache((char *)at, (char *)at + sizeof(code));
	if (mprotect(lo, len, PROT_READ | PROT_EXEC) < 0) {
		perror("mprotect");
		exit(3);
	}
}

/* Waits, in 10 ms steps for at most 60 s, until a tracer is there. */
static int wait_traced(void)
{
	for (int i = 0; i < 6000; i++) {
		if (traced())
			return 0;
		usleep(10000);
	}
	return -1;
}

int main(int argc, char **argv)
{
	int (*volatile fn)(int) = answer;
	int v;

	if (argc > 2 && !strcmp(argv[1], "wait")) {
		fclose(fopen(argv[2], "w"));
		if (wait_traced() < 0)
			return 4;
	}
	printf("before %d\n", fn(1));
	patch();
	printf("after %d\n", fn(1));
	fflush(stdout);
	if (argc > 1 && !strcmp(argv[1], "fork")) {
		int status;
		pid_t pid = fork();

		if (pid < 0) {
			perror("fork");
			return 1;
		}
		if (pid == 0) {
			printf("child %d\n", fn(1));
			return 0;
		}
		if (waitpid(pid, &status, 0) < 0) {
			perror("waitpid");
			return 1;
		}
		if (WIFSIGNALED(status))
			printf("child killed by signal %d\n", WTERMSIG(status));
		else if (WEXITSTATUS(status))
			printf("child exited %d\n", WEXITSTATUS(status));
	} else if (argc > 2 && !strcmp(argv[1], "wait")) {
		char name[4096];

		snprintf(name, sizeof(name), "%s.patched", argv[2]);
		fclose(fopen(name, "w"));
		/* Still patched while traced, then after the tracer left. */
		for (int i = 0; i < 6000 && traced(); i++) {
			if ((v = fn(1)) != 42)
				printf("traced %d\n", v);
			usleep(10000);
		}
		if (traced())
			return 5;
		v = fn(1);
		v = fn(1) == v ? fn(1) : -1;
		printf("untraced %d\n", v);
	}
	return 0;
}
