/* SPDX-License-Identifier: MIT */
/* tracee.h - the traced process: starting it, its memory and registers.
 *
 * tracee.c owns every fork/exec/ptrace-attach detail and the CPU pinning;
 * it knows nothing of breakpoints or profiles.
 */
#ifndef MEMPROF_TRACEE_H
#define MEMPROF_TRACEE_H

#include <stdbool.h>
#include <stddef.h>
#include <stdint.h>
#include <sys/types.h>
#include <sys/user.h>

struct tracee;

/* Finds PROGRAM as execvp would and checks that it is a runnable x86-64
 * ELF file.  Returns the path to execute (malloc'd), or NULL with a
 * one-line message naming `prog` as typed. */
char *tracee_resolve(const char *prog);

/* Forks and executes `path` with `argv` under ptrace (PTRACE_SEIZE with
 * exit-kill, clone, fork, vfork, vfork-done, exec and exit events).  Returns with the
 * target stopped right after its exec, or NULL with a message (nothing is
 * left running).  When `pin` is set, memprof and the target are pinned to
 * the CPU memprof runs on: a ptrace stop costs several times less when
 * both sides share a CPU. */
struct tracee *tracee_spawn(const char *path, char *const argv[], int pin);

/* Attaches to every thread of running process `pid` (PTRACE_SEIZE, then
 * PTRACE_INTERRUPT), leaving them all stopped.  *exe gets the path of its
 * executable (malloc'd).  NULL with a message when it cannot. */
struct tracee *tracee_attach(pid_t pid, char **exe);

/* The threads seized by tracee_attach (none for a spawned target); valid
 * until tracee_free. */
size_t tracee_threads(const struct tracee *t, const pid_t **tids);
int tracee_is_attached(const struct tracee *t);

/* Whether thread `tid` was in a group stop (SIGSTOP, Ctrl-Z) when
 * tracee_attach seized it: it is to be kept stopped (PTRACE_LISTEN), not
 * resumed, as it would be without memprof. */
bool tracee_job_stopped(const struct tracee *t, pid_t tid);

/* The attached threads have been detached already: tracee_free has none
 * left to let go. */
void tracee_forget_threads(struct tracee *t);

/* Kills a target that was started (if still alive) and frees `t`. */
void tracee_free(struct tracee *t);

pid_t tracee_pid(const struct tracee *t);

/* The value of auxiliary vector entry `type` (AT_BASE...) of the target.
 * Returns 0, or -1 with a message. */
int tracee_auxv(struct tracee *t, uint64_t type, uint64_t *value);

/* The difference between run-time and file addresses (0 unless PIE),
 * from the auxiliary vector.  Returns 0 on success. */
int tracee_load_bias(struct tracee *t, uint64_t file_entry, uint64_t *bias);

/* Target memory through /proc/PID/mem (writes work on read-only text).
 * Return 0 or -1 (errno set). */
int tracee_read(struct tracee *t, uint64_t addr, void *buf, size_t n);
int tracee_write(struct tracee *t, uint64_t addr, const void *buf, size_t n);

/* --children: more processes than the first.  tracee_read/tracee_write
 * act on the selected one (the first by default); tracee_write_image on
 * every one that still runs a copy of the program (a fork that has not
 * exec'd), for the breakpoints they share. */
int tracee_add_process(struct tracee *t, pid_t pid);
void tracee_remove_process(struct tracee *t, pid_t pid);
void tracee_leave_image(struct tracee *t, pid_t pid);
void tracee_select(struct tracee *t, pid_t pid);
int tracee_write_image(struct tracee *t, uint64_t addr, const void *buf,
		       size_t n);

/* Reads and writes another process sharing no memory with `t` (a forked
 * child): same contract. */
int tracee_read_pid(pid_t pid, uint64_t addr, void *buf, size_t n);
int tracee_write_pid(pid_t pid, uint64_t addr, const void *buf, size_t n);

/* Undoes the pinning for thread or process `tid` and for memprof itself;
 * a no-op when nothing was pinned. */
void tracee_unpin(struct tracee *t, pid_t tid);
int tracee_pinned(const struct tracee *t);

/* Whether memprof may make thread `tid` run a system call (an injected
 * mmap, munmap...): not when the thread is under a seccomp filter, which
 * may kill it for that, unless the filters are exactly those a spawned
 * program inherited from memprof and a child of memprof's made the same
 * calls under them unharmed.  Filters come at any time and per thread:
 * ask before every injection. */
int tracee_may_inject(struct tracee *t, pid_t tid);

/* `path` as the target sees it, through its root and mounts
 * (/proc/PID/root/PATH; a container's files, not memprof's), malloc'd. */
char *tracee_file(const struct tracee *t, const char *path);

/* The GNU build-id of the ELF object whose header is mapped at `at` in
 * the target, read from the target's memory (not from any file).
 * Returns its length (0: the object carries none) with the id in `id`,
 * or -1 when it cannot be read there (no ELF header at `at`). */
long tracee_build_id(struct tracee *t, uint64_t at, unsigned char *id,
		     size_t max);

/* Makes the stopped thread `tid` call mmap(hint, size, PROT_READ |
 * PROT_EXEC, MAP_PRIVATE | MAP_ANONYMOUS | MAP_FIXED_NOREPLACE), then puts
 * its registers back.  The code run is `mov $SYS_mmap,%eax; syscall;
 * int3`: at `stub` when non-zero, else written over the thread's current
 * instruction and restored after (only safe while no other thread runs).
 * Refused (EPERM) when tracee_may_inject says no.
 * Returns 0 with *addr set, or -1 (errno set). */
int tracee_inject_mmap(struct tracee *t, pid_t tid, uint64_t hint,
		       size_t size, uint64_t stub, uint64_t *addr);

/* Makes the stopped thread `tid` call munmap(addr, size), by running
 * `mov $SYS_munmap,%eax; syscall; int3` over its current instruction
 * (only safe while no other thread runs), then puts everything back.
 * Refused (EPERM) when tracee_may_inject says no: a syscall it did not
 * make could kill it.  Returns 0 or -1 (errno set). */
int tracee_inject_munmap(struct tracee *t, pid_t tid, uint64_t addr,
			 size_t size);

/* Lets an attached process go from a signal handler (memprof crashed),
 * with system calls only: every thread interrupted, and each, once
 * stopped, moved back one byte when it stopped on an int3 whose
 * instruction must run again (`rewind` says which), then detached.  The
 * breakpoints must be out already.  Best effort, bounded to about 1 s;
 * `t` is then as after tracee_forget_threads. */
void tracee_let_go_now(struct tracee *t,
		       bool (*rewind)(void *ctx, uint64_t pc), void *ctx);

/* Makes the stopped thread `tid` run the stub at `stub_at` (`mov
 * $NR,%eax; syscall; int3`, a system call of memprof's own) with arguments
 * `args`, then puts its registers back.  Returns 0 with the call's result
 * in *ret, or -1 (errno set: the call's own error, or ptrace's). */
int tracee_inject_syscall(struct tracee *t, pid_t tid, uint64_t stub_at,
			  const uint64_t args[6], uint64_t *ret);

/* The target has been reaped: nothing to kill any more. */
void tracee_gone(struct tracee *t);

/* Re-reads memory after an exec replaced the image. */
int tracee_reopen_mem(struct tracee *t);

#endif
