/* SPDX-License-Identifier: MIT */
/* tracee.c - start the target under ptrace and reach into it.
 *
 * Spawn: the child waits on a pipe until the parent has seized it, so the
 * ptrace options (exit-kill above all) are in force before the first
 * instruction of the new program, and a failed exec is reported through a
 * close-on-exec pipe rather than guessed from an exit status.
 *
 * A system call memprof makes a thread run (the mmap of a scratch area)
 * is asked for first (tracee_may_inject): a seccomp filter of the
 * program's own may kill it for the call.  The files of the target are
 * named as it sees them (tracee_file, /proc/PID/root) and the build-id of
 * an object is read from its memory (tracee_build_id), never from a file.
 *
 * Attach: every thread seized and interrupted; which of them were in a
 * group stop (a stopped process) is remembered, for the session to keep
 * them stopped.
 */
#define _GNU_SOURCE
#include "tracee.h"

#include <dirent.h>
#include <elf.h>
#include <limits.h>
#include <errno.h>
#include <fcntl.h>
#include <sched.h>
#include <signal.h>
#include <stdbool.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <sys/mman.h>
#include <sys/ptrace.h>
#include <sys/resource.h>
#include <sys/syscall.h>
#include <sys/stat.h>
#include <sys/wait.h>
#include <time.h>
#include <unistd.h>

#include "util.h"

/* The memory of one traced process. */
struct proc_mem {
	pid_t pid;
	int fd;        /* /proc/PID/mem */
	bool image;    /* runs our copy of the program (a fork of it) */
};

struct tracee {
	pid_t pid;
	int memfd;     /* the selected process's (procs[cur].fd) */
	struct proc_mem *procs; /* other processes: --children */
	size_t nprocs, procs_cap;
	pid_t cur;
	bool alive;
	bool attached;
	pid_t *tids;      /* threads seized at attach */
	bool *job_stopped; /* ...and which of them were in a group stop */
	size_t ntids;
	bool pinned;
	cpu_set_t orig_cpus;
	int own_filters; /* seccomp filters a spawned program inherits from
			    memprof, when they allow what memprof injects;
			    -1: none such (attached, or they do not) */
};

pid_t tracee_pid(const struct tracee *t)
{
	return t->pid;
}

/* --- finding and checking the program --- */

static char *search_path(const char *prog)
{
	const char *path = getenv("PATH");
	char *found = NULL;
	int saved = ENOENT;

	if (!path)
		path = "/usr/local/bin:/usr/bin:/bin";
	while (!found) {
		const char *end = strchrnul(path, ':');
		size_t dlen = (size_t)(end - path);
		/* An empty entry is the current directory. */
		char *cand = dlen ? xasprintf("%.*s/%s", (int)dlen, path, prog) :
				    xasprintf("./%s", prog);

		if (access(cand, X_OK) == 0) {
			struct stat st;
			if (stat(cand, &st) == 0 && !S_ISDIR(st.st_mode))
				found = cand;
		} else if (errno == EACCES) {
			saved = EACCES;
		}
		if (!found)
			free(cand);
		if (!*end)
			break;
		path = end + 1;
	}
	if (!found)
		errno = saved;
	return found;
}

/* Whether [off, off + len) goes past a file of `size` bytes. */
static bool past_end(uint64_t off, uint64_t len, uint64_t size)
{
	return off > size || len > size - off;
}

static int check_elf(const char *path, const char *prog)
{
	unsigned char h[64];
	Elf64_Ehdr e;
	struct stat st;
	ssize_t n;
	int fd = open(path, O_RDONLY | O_CLOEXEC);

	if (fd < 0)
		return mp_error("cannot run '%s': %m", prog);
	n = read(fd, h, sizeof(h));
	if (fstat(fd, &st) < 0)
		st.st_size = 0;
	close(fd);
	if (n >= 2 && h[0] == '#' && h[1] == '!')
		return mp_error("'%s' is a script, not an ELF executable", prog);
	if (n < (ssize_t)sizeof(Elf64_Ehdr) || memcmp(h, ELFMAG, SELFMAG))
		return mp_error("'%s' is not an ELF executable", prog);
	if (h[EI_CLASS] != ELFCLASS64)
		return mp_error("'%s' is a 32-bit program; memprof profiles x86-64 programs",
				prog);
	if (((Elf64_Ehdr *)h)->e_machine != EM_X86_64)
		return mp_error("'%s' is not an x86-64 program", prog);
	if (((Elf64_Ehdr *)h)->e_type != ET_EXEC &&
	    ((Elf64_Ehdr *)h)->e_type != ET_DYN)
		return mp_error("'%s' is not an ELF executable", prog);
	/* The kernel runs a truncated program (until it crashes) and libelf
	 * sees one without line information: say what it is instead. */
	memcpy(&e, h, sizeof(e));
	if (st.st_size > 0 &&
	    (past_end(e.e_phoff, (uint64_t)e.e_phnum * e.e_phentsize,
		      (uint64_t)st.st_size) ||
	     (e.e_shoff && past_end(e.e_shoff,
				    (uint64_t)e.e_shnum * e.e_shentsize,
				    (uint64_t)st.st_size))))
		return mp_error("'%s' is a truncated ELF file", prog);
	return 0;
}

char *tracee_resolve(const char *prog)
{
	struct stat st;
	char *path;

	if (!*prog) {
		mp_error("cannot run '': No such file or directory");
		return NULL;
	}
	if (strchr(prog, '/')) {
		path = xstrdup(prog);
	} else if (!(path = search_path(prog))) {
		mp_error("cannot run '%s': %m", prog);
		return NULL;
	}
	if (stat(path, &st) < 0) {
		mp_error("cannot run '%s': %m", prog);
		goto fail;
	}
	if (S_ISDIR(st.st_mode)) {
		mp_error("cannot run '%s': %s", prog, strerror(EISDIR));
		goto fail;
	}
	if (access(path, X_OK) < 0) {
		mp_error("cannot run '%s': %m", prog);
		goto fail;
	}
	if (check_elf(path, prog) < 0)
		goto fail;
	return path;
fail:
	free(path);
	return NULL;
}

/* --- seccomp --- */

/* The number of seccomp filters on thread `tid` (0: memprof itself), from
 * its status; -1 when it cannot be told (strict mode, an unreadable
 * status, a kernel without the Seccomp_filters line). */
static int seccomp_filters(pid_t tid)
{
	char name[64], buf[256];
	long mode = -1, filters = -1;
	FILE *f;

	/* Filters are per thread: /proc/TID is that thread's. */
	if (tid)
		snprintf(name, sizeof(name), "/proc/%d/status", tid);
	else
		snprintf(name, sizeof(name), "/proc/thread-self/status");
	f = fopen(name, "re");
	if (!f)
		return -1;
	while (fgets(buf, sizeof(buf), f))
		if (!strncmp(buf, "Seccomp:", 8))
			mode = strtol(buf + 8, NULL, 10);
		else if (!strncmp(buf, "Seccomp_filters:", 16))
			filters = strtol(buf + 16, NULL, 10);
	fclose(f);
	if (mode == 0)
		return 0;
	if (mode != 2 || filters < 0 || filters > INT_MAX)
		return -1;
	return (int)filters;
}

/* Whether memprof's own seccomp filters, which a program it spawns
 * inherits, let a process make the calls memprof injects (a container's
 * usually do; a sandbox memprof was started in may not): tried by a child
 * of memprof's that dies in the program's stead. */
static bool own_filters_allow_injection(void)
{
	pid_t pid = fork();
	int st;

	if (pid < 0)
		return false;
	if (pid == 0) {
		const struct rlimit none = { 0, 0 };
		long a;

		setrlimit(RLIMIT_CORE, &none); /* no core file of SIGSYS */
		a = syscall(SYS_mmap, 0x10000000UL, 4096UL, PROT_READ | PROT_EXEC,
			    MAP_PRIVATE | MAP_ANONYMOUS | MAP_FIXED_NOREPLACE,
			    -1L, 0L);
		if (a == -1 && errno != EEXIST)
			_exit(1);
		if (a != -1 && syscall(SYS_munmap, a, 4096UL) < 0)
			_exit(1);
		_exit(0);
	}
	while (waitpid(pid, &st, 0) < 0)
		if (errno != EINTR)
			return false;
	return WIFEXITED(st) && WEXITSTATUS(st) == 0;
}

int tracee_may_inject(struct tracee *t, pid_t tid)
{
	int n = seccomp_filters(tid);

	/* The filters a spawned program inherited are memprof's own (a
	 * container's), tried at the spawn: only more of them, the
	 * program's own, may forbid what memprof makes it call. */
	return n == 0 || (n > 0 && n == t->own_filters);
}

/* --- spawning --- */

/* Says why ptrace was refused; `what` is "cannot trace './app'" or
 * "cannot attach to process N". */
static void explain_eperm(const char *what)
{
	char buf[4096];
	const char *why = "memprof may not trace it here";
	FILE *f = fopen("/proc/self/status", "re");

	if (f) {
		while (fgets(buf, sizeof(buf), f))
			if (!strncmp(buf, "Seccomp:", 8) &&
			    strtol(buf + 8, NULL, 10) != 0)
				why = "blocked by a seccomp filter; a container may need --cap-add=SYS_PTRACE";
		fclose(f);
	}
	f = fopen("/proc/sys/kernel/yama/ptrace_scope", "re");
	if (f) {
		int scope = fgets(buf, sizeof(buf), f) ? atoi(buf) : 0;

		if (scope == 3)
			why = "kernel.yama.ptrace_scope is 3, which forbids ptrace";
		else if (scope == 2 && geteuid() != 0)
			why = "kernel.yama.ptrace_scope is 2: only root may attach";
		else if (scope == 1 && geteuid() != 0 && strstr(what, "attach"))
			why = "kernel.yama.ptrace_scope is 1: only a parent may attach; run memprof as root or set it to 0";
		fclose(f);
	}
	mp_error("%s: %s (%s)", what, strerror(EPERM), why);
}

static void pin_here(struct tracee *t)
{
	cpu_set_t one;
	int cpu = sched_getcpu();

	if (cpu < 0 || sched_getaffinity(0, sizeof(t->orig_cpus), &t->orig_cpus))
		return;
	if (CPU_COUNT(&t->orig_cpus) < 2)
		return;
	CPU_ZERO(&one);
	CPU_SET(cpu, &one);
	if (sched_setaffinity(0, sizeof(one), &one) == 0)
		t->pinned = true;
}

void tracee_unpin(struct tracee *t, pid_t tid)
{
	if (!t->pinned)
		return;
	sched_setaffinity(tid, sizeof(t->orig_cpus), &t->orig_cpus);
	sched_setaffinity(0, sizeof(t->orig_cpus), &t->orig_cpus);
}

int tracee_pinned(const struct tracee *t)
{
	return t->pinned;
}

static int open_mem(struct tracee *t)
{
	char name[64];

	snprintf(name, sizeof(name), "/proc/%d/mem", t->pid);
	if (t->nprocs)
		close(t->procs[0].fd);
	t->memfd = open(name, O_RDWR | O_CLOEXEC);
	if (t->memfd < 0)
		return mp_error("cannot open %s: %m", name);
	if (!t->nprocs) {
		t->procs = xcalloc(1, sizeof(*t->procs));
		t->nprocs = t->procs_cap = 1;
	}
	t->procs[0].pid = t->pid;
	t->procs[0].fd = t->memfd;
	t->procs[0].image = true;
	t->cur = t->pid;
	return 0;
}

int tracee_reopen_mem(struct tracee *t)
{
	return open_mem(t);
}

static void reap(pid_t pid)
{
	int st;

	kill(pid, SIGKILL);
	while (waitpid(pid, &st, __WALL) < 0 && errno == EINTR)
		;
}

struct tracee *tracee_spawn(const char *path, char *const argv[], int pin)
{
	struct tracee *t = xcalloc(1, sizeof(*t));
	int go[2], fail[2], st, err = 0;
	const long opts = PTRACE_O_EXITKILL | PTRACE_O_TRACECLONE |
			  PTRACE_O_TRACEEXEC | PTRACE_O_TRACEEXIT |
			  PTRACE_O_TRACEFORK | PTRACE_O_TRACEVFORK |
			  PTRACE_O_TRACEVFORKDONE;
	ssize_t n;
	char c = 'g';

	t->memfd = -1;
	t->own_filters = seccomp_filters(0);
	if (t->own_filters > 0 && !own_filters_allow_injection())
		t->own_filters = -1;
	if (pin)
		pin_here(t);
	if (pipe2(go, O_CLOEXEC) < 0 || pipe2(fail, O_CLOEXEC) < 0) {
		mp_error("cannot create a pipe: %m");
		free(t);
		return NULL;
	}
	fflush(NULL);
	t->pid = fork();
	if (t->pid < 0) {
		mp_error("cannot fork: %m");
		free(t);
		return NULL;
	}
	if (t->pid == 0) {
		close(go[1]);
		close(fail[0]);
		if (read(go[0], &c, 1) != 1)
			_exit(127);
		execv(path, argv);
		err = errno;
		if (write(fail[1], &err, sizeof(err)) < 0)
			_exit(127);
		_exit(127);
	}
	close(go[0]);
	close(fail[1]);
	if (ptrace(PTRACE_SEIZE, t->pid, 0L, opts) < 0) {
		err = errno;
		close(go[1]);
		close(fail[0]);
		reap(t->pid);
		if (err == EPERM) {
			char *what = xasprintf("cannot trace '%s'", argv[0]);

			explain_eperm(what);
			free(what);
		}
		else
			mp_error("cannot trace '%s': %s", argv[0], strerror(err));
		free(t);
		return NULL;
	}
	t->alive = true;
	if (write(go[1], &c, 1) != 1) {
		mp_error("cannot start '%s': %m", argv[0]);
		goto fail;
	}
	close(go[1]);
	go[1] = -1;
	for (;;) {
		if (waitpid(t->pid, &st, __WALL) < 0) {
			if (errno == EINTR)
				continue;
			mp_error("cannot start '%s': %m", argv[0]);
			goto fail;
		}
		if (WIFEXITED(st) || WIFSIGNALED(st)) {
			t->alive = false;
			n = read(fail[0], &err, sizeof(err));
			if (n == sizeof(err))
				mp_error("cannot run '%s': %s", argv[0],
					 strerror(err));
			else
				mp_error("'%s' ended before it started",
					 argv[0]);
			goto fail;
		}
		if (WIFSTOPPED(st) && st >> 8 == (SIGTRAP | PTRACE_EVENT_EXEC << 8))
			break;
		/* A signal before the exec: hand it over. */
		ptrace(PTRACE_CONT, t->pid, 0L,
		       st >> 16 ? 0L : (long)WSTOPSIG(st));
	}
	close(fail[0]);
	fail[0] = -1;
	if (open_mem(t) < 0)
		goto fail;
	return t;
fail:
	if (go[1] >= 0)
		close(go[1]);
	if (fail[0] >= 0)
		close(fail[0]);
	tracee_free(t);
	return NULL;
}

size_t tracee_threads(const struct tracee *t, const pid_t **tids)
{
	*tids = t->tids;
	return t->ntids;
}

bool tracee_job_stopped(const struct tracee *t, pid_t tid)
{
	for (size_t i = 0; i < t->ntids; i++)
		if (t->tids[i] == tid)
			return t->job_stopped[i];
	return false;
}

int tracee_is_attached(const struct tracee *t)
{
	return t->attached;
}

void tracee_forget_threads(struct tracee *t)
{
	t->ntids = 0;
}

static bool seized(const struct tracee *t, pid_t tid)
{
	for (size_t i = 0; i < t->ntids; i++)
		if (t->tids[i] == tid)
			return true;
	return false;
}

/* Seizes and stops every thread in /proc/PID/task not seized yet; returns
 * how many were new, or -1 with errno. */
static int seize_new_threads(struct tracee *t, long opts)
{
	char dir[64];
	struct dirent *d;
	DIR *task;
	int added = 0;

	snprintf(dir, sizeof(dir), "/proc/%d/task", t->pid);
	task = opendir(dir);
	if (!task)
		return -1;
	while ((d = readdir(task))) {
		pid_t tid = (pid_t)atoi(d->d_name);
		int st;

		if (tid <= 0 || seized(t, tid))
			continue;
		if (ptrace(PTRACE_SEIZE, tid, 0L, opts) < 0) {
			if (errno == ESRCH)
				continue; /* it just exited */
			closedir(task);
			return -1;
		}
		t->tids = xrealloc(t->tids, (t->ntids + 1) * sizeof(*t->tids));
		t->job_stopped = xrealloc(t->job_stopped, (t->ntids + 1) *
					  sizeof(*t->job_stopped));
		t->job_stopped[t->ntids] = false;
		t->tids[t->ntids++] = tid;
		added++;
		ptrace(PTRACE_INTERRUPT, tid, 0L, 0L);
		/* Its stop: an interrupt stop, or a signal that was on its
		 * way (then interrupted next; the signal is handed back). */
		while (waitpid(tid, &st, __WALL) < 0 && errno == EINTR)
			;
		/* A process stopped by SIGSTOP or Ctrl-Z (state T) reports
		 * its group stop: it is to stay stopped. */
		if (WIFSTOPPED(st) && st >> 16 == PTRACE_EVENT_STOP &&
		    WSTOPSIG(st) != SIGTRAP)
			t->job_stopped[t->ntids - 1] = true;
		if (WIFSTOPPED(st) && !(st >> 16) && WSTOPSIG(st) != SIGTRAP) {
			syscall(SYS_tgkill, t->pid, tid, WSTOPSIG(st));
			ptrace(PTRACE_CONT, tid, 0L, 0L);
			while (waitpid(tid, &st, __WALL) < 0 && errno == EINTR)
				;
		}
	}
	closedir(task);
	return added;
}

/* The pid of the process tracing `pid` (0: none), its name in comm. */
static pid_t tracer_of(pid_t pid, char *comm, size_t n)
{
	char name[64], buf[256];
	pid_t tracer = 0;
	FILE *f;

	snprintf(name, sizeof(name), "/proc/%d/status", pid);
	if (!(f = fopen(name, "re")))
		return 0;
	while (fgets(buf, sizeof(buf), f))
		if (!strncmp(buf, "TracerPid:", 10))
			tracer = (pid_t)atoi(buf + 10);
	fclose(f);
	snprintf(comm, n, "?");
	snprintf(name, sizeof(name), "/proc/%d/comm", tracer);
	if (tracer > 0 && (f = fopen(name, "re"))) {
		if (fgets(comm, (int)n, f))
			comm[strcspn(comm, "\n")] = '\0';
		fclose(f);
	}
	return tracer;
}

struct tracee *tracee_attach(pid_t pid, char **exe)
{
	struct tracee *t = xcalloc(1, sizeof(*t));
	const long opts = PTRACE_O_TRACECLONE | PTRACE_O_TRACEEXEC |
			  PTRACE_O_TRACEEXIT | PTRACE_O_TRACEFORK |
			  PTRACE_O_TRACEVFORK | PTRACE_O_TRACEVFORKDONE;
	char name[64], shown[64];

	ssize_t n;
	int rc;

	t->pid = pid;
	t->memfd = -1;
	t->own_filters = -1;
	t->attached = true;
	snprintf(shown, sizeof(shown), "cannot attach to process %d", pid);
	snprintf(name, sizeof(name), "/proc/%d/exe", pid);
	*exe = xmalloc(PATH_MAX);
	n = readlink(name, *exe, PATH_MAX - 1);
	if (n < 0) {
		if (errno == ENOENT)
			mp_error("cannot attach to process %d: %s", pid, strerror(ESRCH));
		else
			mp_error("cannot attach to process %d: %m", pid);
		goto fail;
	}
	(*exe)[n] = '\0';
	/* Threads may start while we attach: go again until none is new. */
	while ((rc = seize_new_threads(t, opts)) > 0)
		;
	if (rc < 0 || !t->ntids) {
		char comm[64];
		pid_t tracer;

		/* A process has one tracer: say which one it has (unless
		 * memprof may not trace at all). */
		if (errno == EPERM && seccomp_filters(0) == 0 &&
		    (tracer = tracer_of(pid, comm, sizeof(comm))) > 0)
			mp_error("cannot attach to process %d: already traced by process %d (%s)",
				 pid, tracer, comm);
		else if (errno == EPERM)
			explain_eperm(shown);
		else
			mp_error("cannot attach to process %d: %m", pid);
		goto fail;
	}
	if (open_mem(t) < 0)
		goto fail;
	return t;
fail:
	free(*exe);
	*exe = NULL;
	tracee_free(t);
	return NULL;
}

/* --- letting go from a signal handler (memprof crashed) --- */

/* From here to tracee_let_go_now's end: system calls and string
 * functions only, no stdio, no malloc. */
static char *put_uint(char *p, unsigned long v)
{
	char digits[24];
	size_t n = 0;

	do
		digits[n++] = (char)('0' + v % 10);
	while ((v /= 10));
	while (n)
		*p++ = digits[--n];
	return p;
}

/* Whether thread `tid` has a SIGTRAP queued (SigPnd), its report to
 * come. */
static bool trap_queued(pid_t pid, pid_t tid)
{
	char path[96], buf[4096], *p = path, *line;
	ssize_t n;
	int fd;

	memcpy(p, "/proc/", 6);
	p = put_uint(p + 6, (unsigned long)pid);
	memcpy(p, "/task/", 6);
	p = put_uint(p + 6, (unsigned long)tid);
	memcpy(p, "/status", 8);
	if ((fd = open(path, O_RDONLY | O_CLOEXEC)) < 0)
		return false;
	n = read(fd, buf, sizeof(buf) - 1);
	close(fd);
	if (n <= 0)
		return false;
	buf[n] = '\0';
	if (!(line = strstr(buf, "\nSigPnd:")))
		return false;
	return strtoull(line + 8, NULL, 16) & (1ull << (SIGTRAP - 1));
}

struct dirent64_raw {
	uint64_t ino;
	int64_t off;
	unsigned short reclen;
	unsigned char type;
	char name[];
};

void tracee_let_go_now(struct tracee *t,
		       bool (*rewind)(void *ctx, uint64_t pc), void *ctx)
{
	enum { MAX_TIDS = 1024 };
	static pid_t tids[MAX_TIDS];
	static bool done[MAX_TIDS];
	char path[64], *p, dents[4096];
	size_t n = 0, left;
	long got;
	int fd;

	memcpy(path, "/proc/", 6);
	p = put_uint(path + 6, (unsigned long)t->pid);
	memcpy(p, "/task", 6);
	if ((fd = open(path, O_RDONLY | O_DIRECTORY | O_CLOEXEC)) < 0)
		return;
	while (n < MAX_TIDS &&
	       (got = syscall(SYS_getdents64, fd, dents, sizeof(dents))) > 0)
		for (long off = 0; off < got && n < MAX_TIDS;) {
			const struct dirent64_raw *d =
				(const void *)(dents + off);
			long tid = strtol(d->name, NULL, 10);

			off += d->reclen;
			if (tid > 0) {
				done[n] = false;
				tids[n++] = (pid_t)tid;
			}
		}
	close(fd);
	for (size_t i = 0; i < n; i++)
		ptrace(PTRACE_INTERRUPT, tids[i], 0L, 0L);
	/* Each thread, once stopped (whatever the stop, reported or not):
	 * back to the start of the instruction of an int3 it hit, then
	 * detached with any signal of its own.  About 1 s at most. */
	left = n;
	for (int round = 0; left && round < 1000; round++) {
		struct timespec ms = { 0, 1000000 };

		for (size_t i = 0; i < n; i++) {
			struct user_regs_struct regs;
			siginfo_t si;
			int event, sig = 0;

			if (done[i])
				continue;
			if (ptrace(PTRACE_GETSIGINFO, tids[i], 0L, &si) < 0) {
				if (errno != ESRCH || kill(tids[i], 0) < 0) {
					/* gone */
				} else {
					continue; /* still running */
				}
				done[i] = true;
				left--;
				continue;
			}
			event = si.si_code > 0xff ? si.si_code >> 8 : 0;
			if (event == PTRACE_EVENT_STOP &&
			    trap_queued(t->pid, tids[i])) {
				/* Interrupted after an int3, before its trap
				 * was reported: let it report it. */
				ptrace(PTRACE_CONT, tids[i], 0L, 0L);
				continue;
			}
			if (!event && si.si_signo == SIGTRAP) {
				if (si.si_code == SI_KERNEL &&
				    ptrace(PTRACE_GETREGS, tids[i], 0L, &regs) == 0 &&
				    rewind(ctx, regs.rip)) {
					regs.rip--;
					ptrace(PTRACE_SETREGS, tids[i], 0L, &regs);
				}
				if (si.si_code <= 0)
					sig = SIGTRAP; /* the program's own */
			} else if (!event) {
				sig = si.si_signo;
			}
			ptrace(PTRACE_DETACH, tids[i], 0L, (long)sig);
			done[i] = true;
			left--;
		}
		if (left)
			nanosleep(&ms, NULL);
	}
	t->ntids = 0;
	t->attached = false;
	t->alive = false;
}

void tracee_gone(struct tracee *t)
{
	t->alive = false;
}

void tracee_free(struct tracee *t)
{
	if (!t)
		return;
	if (t->attached) {
		/* Never kill what we did not start: let the threads go. */
		for (size_t i = 0; i < t->ntids; i++)
			ptrace(PTRACE_DETACH, t->tids[i], 0L, 0L);
	} else if (t->alive) {
		reap(t->pid);
	}
	free(t->tids);
	free(t->job_stopped);
	for (size_t i = 0; i < t->nprocs; i++)
		close(t->procs[i].fd);
	if (!t->nprocs && t->memfd >= 0)
		close(t->memfd);
	free(t->procs);
	free(t);
}

int tracee_auxv(struct tracee *t, uint64_t type, uint64_t *value)
{
	char name[64];
	Elf64_auxv_t av[64];
	ssize_t n;
	int fd;

	snprintf(name, sizeof(name), "/proc/%d/auxv", t->pid);
	fd = open(name, O_RDONLY | O_CLOEXEC);
	if (fd < 0)
		return mp_error("cannot open %s: %m", name);
	n = read(fd, av, sizeof(av));
	close(fd);
	for (ssize_t i = 0; n > 0 && i < n / (ssize_t)sizeof(av[0]); i++)
		if (av[i].a_type == type) {
			*value = av[i].a_un.a_val;
			return 0;
		}
	return -1;
}

int tracee_load_bias(struct tracee *t, uint64_t file_entry, uint64_t *bias)
{
	uint64_t entry;

	if (tracee_auxv(t, AT_ENTRY, &entry) < 0)
		return mp_error("cannot find the entry point of process %d", t->pid);
	*bias = entry - file_entry;
	return 0;
}

char *tracee_file(const struct tracee *t, const char *path)
{
	if (path[0] != '/')
		return xstrdup(path);
	return xasprintf("/proc/%d/root%s", t->pid, path);
}

/* A build-id is at most 64 bytes in practice (20 for SHA-1); a note
 * segment larger than this is not looked at. */
#define MAX_NOTES 65536

/* The NT_GNU_BUILD_ID note among `n` bytes of notes; its length, 0 when
 * there is none. */
static size_t find_build_id(const unsigned char *p, size_t n,
			    unsigned char *id, size_t max)
{
	size_t off = 0;

	while (n - off >= sizeof(Elf64_Nhdr)) {
		Elf64_Nhdr nh;
		size_t name, desc;

		memcpy(&nh, p + off, sizeof(nh));
		off += sizeof(nh);
		name = ((size_t)nh.n_namesz + 3) & ~(size_t)3;
		desc = ((size_t)nh.n_descsz + 3) & ~(size_t)3;
		if (name > n - off || desc > n - off - name)
			return 0;
		if (nh.n_type == NT_GNU_BUILD_ID && nh.n_namesz == 4 &&
		    !memcmp(p + off, "GNU", 4) && nh.n_descsz <= max &&
		    nh.n_descsz > 0) {
			memcpy(id, p + off + name, nh.n_descsz);
			return nh.n_descsz;
		}
		off += name + desc;
	}
	return 0;
}

long tracee_build_id(struct tracee *t, uint64_t at, unsigned char *id,
		     size_t max)
{
	Elf64_Ehdr e;
	Elf64_Phdr ph[64];
	uint64_t first = UINT64_MAX;
	size_t len = 0;

	if (tracee_read(t, at, &e, sizeof(e)) < 0 ||
	    memcmp(e.e_ident, ELFMAG, SELFMAG) || e.e_ident[EI_CLASS] != ELFCLASS64 ||
	    e.e_phentsize != sizeof(Elf64_Phdr) || !e.e_phnum ||
	    e.e_phnum > sizeof(ph) / sizeof(ph[0]) ||
	    tracee_read(t, at + e.e_phoff, ph, e.e_phnum * sizeof(ph[0])) < 0)
		return -1;
	/* The header is the start of the first segment: the notes' file
	 * addresses are relative to it. */
	for (size_t i = 0; i < e.e_phnum; i++)
		if (ph[i].p_type == PT_LOAD && ph[i].p_vaddr < first)
			first = ph[i].p_vaddr & ~(uint64_t)4095;
	if (first == UINT64_MAX)
		return -1;
	for (size_t i = 0; i < e.e_phnum && !len; i++) {
		unsigned char *notes;

		if (ph[i].p_type != PT_NOTE || !ph[i].p_filesz ||
		    ph[i].p_filesz > MAX_NOTES)
			continue;
		notes = xmalloc(ph[i].p_filesz);
		if (tracee_read(t, at + (ph[i].p_vaddr - first), notes,
				ph[i].p_filesz) < 0) {
			free(notes);
			return -1;
		}
		len = find_build_id(notes, ph[i].p_filesz, id, max);
		free(notes);
	}
	return (long)len;
}

void tracee_select(struct tracee *t, pid_t pid)
{
	if (pid == t->cur)
		return;
	t->cur = t->pid;
	t->memfd = t->procs[0].fd;
	for (size_t i = 0; i < t->nprocs; i++)
		if (t->procs[i].pid == pid) {
			t->memfd = t->procs[i].fd;
			t->cur = pid;
		}
}

int tracee_add_process(struct tracee *t, pid_t pid)
{
	char name[64];
	int fd;

	snprintf(name, sizeof(name), "/proc/%d/mem", pid);
	fd = open(name, O_RDWR | O_CLOEXEC);
	if (fd < 0)
		return -1;
	ARRAY_GROW(t->procs, t->nprocs + 1, t->procs_cap);
	t->procs[t->nprocs].pid = pid;
	t->procs[t->nprocs].fd = fd;
	t->procs[t->nprocs].image = true;
	t->nprocs++;
	return 0;
}

void tracee_remove_process(struct tracee *t, pid_t pid)
{
	for (size_t i = 1; i < t->nprocs; i++)
		if (t->procs[i].pid == pid) {
			close(t->procs[i].fd);
			t->procs[i] = t->procs[--t->nprocs];
			break;
		}
	t->cur = 0;
	tracee_select(t, t->pid);
}

void tracee_leave_image(struct tracee *t, pid_t pid)
{
	for (size_t i = 0; i < t->nprocs; i++)
		if (t->procs[i].pid == pid)
			t->procs[i].image = false;
}

int tracee_write_image(struct tracee *t, uint64_t addr, const void *buf,
		       size_t n)
{
	int rc = tracee_write(t, addr, buf, n);

	/* The other copies follow; one of them failing (a library it has
	 * not loaded) changes nothing for the others. */
	for (size_t i = 0; i < t->nprocs; i++)
		if (t->procs[i].image && t->procs[i].fd != t->memfd &&
		    pwrite(t->procs[i].fd, buf, n, (off_t)addr) < 0) {
			/* nothing to undo */
		}
	return rc;
}

int tracee_read(struct tracee *t, uint64_t addr, void *buf, size_t n)
{
	ssize_t r = pread(t->memfd, buf, n, (off_t)addr);

	if (r == (ssize_t)n)
		return 0;
	if (r >= 0)
		errno = EIO;
	return -1;
}

int tracee_write(struct tracee *t, uint64_t addr, const void *buf, size_t n)
{
	ssize_t r = pwrite(t->memfd, buf, n, (off_t)addr);

	if (r == (ssize_t)n)
		return 0;
	if (r >= 0)
		errno = EIO;
	return -1;
}

/* One read or write of `n` bytes at `addr` of process `pid`'s memory,
 * through a /proc/PID/mem opened for it alone. */
static int pid_mem(pid_t pid, uint64_t addr, void *buf, size_t n, bool write)
{
	char name[64];
	ssize_t r;
	int fd;

	snprintf(name, sizeof(name), "/proc/%d/mem", pid);
	fd = open(name, (write ? O_RDWR : O_RDONLY) | O_CLOEXEC);
	if (fd < 0)
		return -1;
	r = write ? pwrite(fd, buf, n, (off_t)addr) :
		    pread(fd, buf, n, (off_t)addr);
	close(fd);
	if (r == (ssize_t)n)
		return 0;
	if (r >= 0)
		errno = EIO;
	return -1;
}

int tracee_read_pid(pid_t pid, uint64_t addr, void *buf, size_t n)
{
	return pid_mem(pid, addr, buf, n, false);
}

int tracee_write_pid(pid_t pid, uint64_t addr, const void *buf, size_t n)
{
	/* pid_mem writes from `buf`, never into it. */
	return pid_mem(pid, addr, (void *)buf, n, true);
}

/* Runs the stub at `at` (`mov $NR,%eax; syscall; int3`) in the stopped
 * thread `tid` with arguments `args`, then puts its registers back.
 * rax is set by the stub, not through the registers: at the exec stop the
 * kernel still has to store execve's own result in rax when the thread
 * resumes.  Returns 0 with the call's result in *ret, or -1 (errno set,
 * the call's own error included). */
static int run_stub(struct tracee *t, pid_t tid, uint64_t at,
		    const uint64_t args[6], uint64_t *ret)
{
	struct user_regs_struct saved, regs;
	int st, pending = 0, rc = -1, err = 0;

	/* A seccomp filter may kill the program for the call (SIGSYS). */
	if (!tracee_may_inject(t, tid)) {
		errno = EPERM;
		return -1;
	}
	if (ptrace(PTRACE_GETREGS, tid, 0L, &saved) < 0)
		return -1;
	regs = saved;
	regs.rip = at;
	regs.orig_rax = (unsigned long long)-1; /* no syscall restart */
	regs.rdi = args[0];
	regs.rsi = args[1];
	regs.rdx = args[2];
	regs.r10 = args[3];
	regs.r8 = args[4];
	regs.r9 = args[5];
	if (ptrace(PTRACE_SETREGS, tid, 0L, &regs) < 0)
		goto restore;
	for (;;) {
		if (ptrace(PTRACE_CONT, tid, 0L, 0L) < 0) {
			err = errno;
			goto restore;
		}
		while (waitpid(tid, &st, __WALL) < 0)
			if (errno != EINTR) {
				err = errno;
				goto restore;
			}
		if (!WIFSTOPPED(st)) {
			err = ESRCH;
			goto restore;
		}
		if (WSTOPSIG(st) == SIGTRAP && !(st >> 16))
			break;
		if (!(st >> 16))
			pending = WSTOPSIG(st); /* sent again below */
	}
	if (ptrace(PTRACE_GETREGS, tid, 0L, &regs) < 0)
		goto restore;
	if ((int64_t)regs.rax < 0 && (int64_t)regs.rax > -4096) {
		err = (int)-(int64_t)regs.rax;
	} else {
		*ret = regs.rax;
		rc = 0;
	}
restore:
	ptrace(PTRACE_SETREGS, tid, 0L, &saved);
	if (pending)
		syscall(SYS_tgkill, t->pid, tid, pending);
	if (rc < 0)
		errno = err ? err : EIO;
	return rc;
}

/* Makes the stopped thread `tid` call `nr` with arguments `args`: through
 * the stub at `stub_at` when non-zero (code that makes that call), else
 * through one written over its current instruction and restored after
 * (only safe while no other thread runs). */
static int inject_syscall(struct tracee *t, pid_t tid, unsigned char nr,
			  const uint64_t args[6], uint64_t stub_at,
			  uint64_t *ret)
{
	const unsigned char stub[] = { 0xb8, nr, 0, 0, 0, 0x0f, 0x05, 0xcc };
	struct user_regs_struct regs;
	unsigned char orig[sizeof(stub)];
	int rc, err;

	if (stub_at)
		return run_stub(t, tid, stub_at, args, ret);
	/* Asked before the stub is written, too. */
	if (!tracee_may_inject(t, tid)) {
		errno = EPERM;
		return -1;
	}
	if (ptrace(PTRACE_GETREGS, tid, 0L, &regs) < 0 ||
	    tracee_read(t, regs.rip, orig, sizeof(orig)) < 0 ||
	    tracee_write(t, regs.rip, stub, sizeof(stub)) < 0)
		return -1;
	rc = run_stub(t, tid, regs.rip, args, ret);
	err = errno;
	tracee_write(t, regs.rip, orig, sizeof(orig));
	errno = err;
	return rc;
}

int tracee_inject_mmap(struct tracee *t, pid_t tid, uint64_t hint,
		       size_t size, uint64_t stub_at, uint64_t *addr)
{
	const uint64_t a[6] = {
		hint, size, PROT_READ | PROT_EXEC,
		MAP_PRIVATE | MAP_ANONYMOUS | MAP_FIXED_NOREPLACE,
		(uint64_t)-1, 0,
	};

	return inject_syscall(t, tid, SYS_mmap, a, stub_at, addr);
}

int tracee_inject_munmap(struct tracee *t, pid_t tid, uint64_t addr,
			 size_t size)
{
	const uint64_t a[6] = { addr, size, 0, 0, 0, 0 };
	uint64_t ret;

	/* inject_syscall asks tracee_may_inject first. */
	return inject_syscall(t, tid, SYS_munmap, a, 0, &ret);
}

int tracee_inject_syscall(struct tracee *t, pid_t tid, uint64_t stub_at,
			  const uint64_t args[6], uint64_t *ret)
{
	return run_stub(t, tid, stub_at, args, ret);
}
