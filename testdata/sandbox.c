/* sandbox.c - a program that confines itself with a seccomp filter, as
 * sandboxed programs do, then calls a marked function in a slow loop;
 * given a library, it loads it with dlopen once confined and calls the
 * library's marked function in the loop too.
 *
 * The filter kills the process (SIGSYS) for any mmap of anonymous
 * executable memory and any mprotect that makes memory executable: what
 * the program itself does (malloc from the heap, dlopen of a file) goes on
 * working, a code page made up at run time does not.
 *
 * Usage: sandbox MODE N READYFILE [LIBRARY]
 *   MODE "filter" installs the filter, "none" does not; N iterations of
 *   20 ms; READYFILE is created once confined and the library loaded.
 * or:    sandbox exec PROGRAM [ARG...]
 *   confines itself and executes PROGRAM (which inherits the filter).
 */
#include <dlfcn.h>
#include <linux/audit.h>
#include <linux/filter.h>
#include <linux/seccomp.h>
#include <stddef.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <sys/mman.h>
#include <sys/prctl.h>
#include <sys/syscall.h>
#include <unistd.h>

#include <memprof.h>

static char *volatile keep;

__attribute__((noinline)) long work(int i)
{
	char *p = malloc(1 << 16);
	memset(p, i, 1 << 16);
	keep = p;
	long v = p[100];
	free(p);
	return v;
}
MEMPROF_PROFILE(work);

#define LOAD(field) BPF_STMT(BPF_LD | BPF_W | BPF_ABS, offsetof(struct seccomp_data, field))
/* The low 32 bits of argument n (little-endian). */
#define LOAD_ARG(n) BPF_STMT(BPF_LD | BPF_W | BPF_ABS, offsetof(struct seccomp_data, args[n]))
#define ALLOW BPF_STMT(BPF_RET | BPF_K, SECCOMP_RET_ALLOW)
#define KILL BPF_STMT(BPF_RET | BPF_K, SECCOMP_RET_KILL_PROCESS)

static int confine(void)
{
	struct sock_filter code[] = {
		LOAD(arch),
		BPF_JUMP(BPF_JMP | BPF_JEQ | BPF_K, AUDIT_ARCH_X86_64, 1, 0),
		KILL,
		LOAD(nr),
		BPF_JUMP(BPF_JMP | BPF_JEQ | BPF_K, __NR_mmap, 2, 0),
		BPF_JUMP(BPF_JMP | BPF_JEQ | BPF_K, __NR_mprotect, 7, 0),
		ALLOW,
		/* mmap: anonymous and executable is killed. */
		LOAD_ARG(2),
		BPF_JUMP(BPF_JMP | BPF_JSET | BPF_K, PROT_EXEC, 0, 2),
		LOAD_ARG(3),
		BPF_JUMP(BPF_JMP | BPF_JSET | BPF_K, MAP_ANONYMOUS, 1, 0),
		ALLOW,
		KILL,
		/* mprotect: executable is killed. */
		LOAD_ARG(2),
		BPF_JUMP(BPF_JMP | BPF_JSET | BPF_K, PROT_EXEC, 0, 1),
		KILL,
		ALLOW,
	};
	struct sock_fprog prog = { sizeof(code) / sizeof(code[0]), code };

	if (prctl(PR_SET_NO_NEW_PRIVS, 1, 0, 0, 0) < 0 ||
	    syscall(SYS_seccomp, SECCOMP_SET_MODE_FILTER, 0, &prog) < 0) {
		perror("sandbox: seccomp");
		return -1;
	}
	return 0;
}

int main(int argc, char **argv)
{
	int n = argc > 2 ? atoi(argv[2]) : 100;
	int (*marked)(int) = NULL;
	long sum = 0, lib = 0;

	if (argc > 2 && !strcmp(argv[1], "exec")) {
		if (confine() < 0)
			return 1;
		execv(argv[2], argv + 2);
		perror("sandbox: exec");
		return 127;
	}
	if (argc < 4) {
		fprintf(stderr, "usage: sandbox filter|none N READYFILE [LIBRARY] | exec PROGRAM [ARG...]\n");
		return 2;
	}
	/* stdout's buffer before the filter, as a careful sandbox does. */
	printf("sandbox %s\n", argv[1]);
	fflush(stdout);
	if (!strcmp(argv[1], "filter") && confine() < 0)
		return 1;
	if (argc > 4) {
		void *h = dlopen(argv[4], RTLD_NOW);

		if (!h || !(marked = (int (*)(int))dlsym(h, "lib_marked"))) {
			fprintf(stderr, "sandbox: %s\n", dlerror());
			return 1;
		}
	}
	fclose(fopen(argv[3], "w"));
	for (int i = 0; i < n; i++) {
		sum += work(i);
		if (marked)
			lib += marked(1000);
		usleep(20000);
	}
	printf("sum %ld lib %ld\n", sum, lib);
	return 0;
}
