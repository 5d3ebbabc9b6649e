/* SPDX-License-Identifier: MIT */
/* memprof - line-by-line memory profiler for native programs.
 *
 * main() wires the pieces: options -> program -> debug info -> profile ->
 * spawn -> breakpoints -> session loop -> report -> budgets -> exit status
 * (or, for "memprof diff", diff.c's diff_run).  Only this file (and
 * options.c's callers) decide how memprof exits.  Attached (-p), all of
 * that runs in a child, the tracer, that lets the program go when memprof
 * dies (see stop_sigs).
 */
#define _GNU_SOURCE
#include <errno.h>
#include <fcntl.h>
#include <signal.h>
#include <stdbool.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <sys/prctl.h>
#include <sys/stat.h>
#include <sys/wait.h>
#include <unistd.h>

#include "breakpoint.h"
#include "budget.h"
#include "column.h"
#include "debuginfo.h"
#include "diff.h"
#include "displace.h"
#include "heap.h"
#include "options.h"
#include "output.h"
#include "program.h"
#include "profile.h"
#include "report.h"
#include "rss.h"
#include "session.h"
#include "source.h"
#include "timeline.h"
#include "tracee.h"
#include "util.h"

#define EXIT_FAILED 1
#define EXIT_USAGE 2
/* The program succeeded but a --fail-over budget was exceeded.  Distinct
 * from memprof's own 1 and 2, the shell's 126/127, timeout's 124, 128+N and
 * sysexits (64-78); below 125 so that `git bisect run` counts it as bad. */
#define EXIT_OVER_BUDGET 109

static volatile pid_t target_pid;
static volatile sig_atomic_t stop_requested;

/* A signal sent to memprof alone (kill, not the terminal, which signals
 * the whole process group) is meant for the program: pass it on. */
static void forward_signal(int sig, siginfo_t *info, void *ctx)
{
	(void)ctx;
	if (target_pid > 0 && (info->si_code == SI_USER ||
			       info->si_code == SI_QUEUE))
		kill(target_pid, sig);
}

static void install_forwarding(void)
{
	static const int sigs[] = { SIGINT, SIGTERM, SIGHUP, SIGQUIT };
	struct sigaction sa;

	memset(&sa, 0, sizeof(sa));
	sa.sa_sigaction = forward_signal;
	sa.sa_flags = SA_SIGINFO | SA_RESTART;
	sigemptyset(&sa.sa_mask);
	for (size_t i = 0; i < ARRAY_SIZE(sigs); i++) {
		struct sigaction old;

		/* An ignored signal stays ignored, for the program too. */
		if (sigaction(sigs[i], NULL, &old) == 0 &&
		    old.sa_handler == SIG_IGN)
			continue;
		sigaction(sigs[i], &sa, NULL);
	}
}

/* Attached (-p), memprof is two processes.  The one the user started
 * (the pid shown by the shell, the one a `kill -9` hits) traces nothing:
 * it waits for its child, the tracer, which does all the work, and exits
 * with its status.  Were the tracer killed, the kernel would let the
 * program's threads go with memprof's int3s in their code, and the first
 * one reached would kill the program with SIGTRAP; the visible process
 * can die any way at all: the tracer learns it from PR_SET_PDEATHSIG and
 * lets the program go as on Ctrl-C.
 *
 * Every catchable signal that would end either process means "let the
 * process go"; the visible one passes it on to the tracer as SIGTERM. */
static const int stop_sigs[] = {
	SIGHUP, SIGINT, SIGQUIT, SIGUSR1, SIGUSR2, SIGPIPE, SIGALRM, SIGTERM,
	SIGSTKFLT, SIGXCPU, SIGXFSZ, SIGVTALRM, SIGPROF, SIGIO, SIGPWR,
};

static volatile pid_t tracer_pid;
static pid_t visible_pid; /* in the tracer: its parent, the visible memprof */

static void request_stop(int sig)
{
	(void)sig;
	stop_requested = 1;
}

static void relay_stop(int sig)
{
	int err = errno;

	(void)sig;
	if (tracer_pid > 0)
		kill(tracer_pid, SIGTERM);
	errno = err;
}

/* `handler` for every signal of stop_sigs and the real-time ones (all
 * end a process by default); in the tracer, SIGPIPE is ignored: a write
 * to a closed pipe fails with EPIPE instead, after the program is let go. */
static void install_stop(void (*handler)(int), int flags, bool tracer)
{
	struct sigaction sa;
	sigset_t set;

	memset(&sa, 0, sizeof(sa));
	sa.sa_handler = handler;
	sa.sa_flags = flags;
	sigemptyset(&sa.sa_mask);
	sigemptyset(&set);
	for (size_t i = 0; i < ARRAY_SIZE(stop_sigs); i++) {
		sigaction(stop_sigs[i], &sa, NULL);
		sigaddset(&set, stop_sigs[i]);
	}
	for (int sig = SIGRTMIN; sig <= SIGRTMAX; sig++) {
		sigaction(sig, &sa, NULL);
		sigaddset(&set, sig);
	}
	/* Blocked when memprof started, the tracer would never learn of
	 * its parent's death (PR_SET_PDEATHSIG sends SIGTERM). */
	sigprocmask(SIG_UNBLOCK, &set, NULL);
	if (tracer)
		signal(SIGPIPE, SIG_IGN);
}

/* The tracer crashed (a bug: SIGSEGV, SIGABRT...): from a handler on an
 * alternate stack, the breakpoints out and every thread let go, before
 * dying of the signal.  Best effort: the tables may be what broke. */
static const int crash_sigs[] = {
	SIGSEGV, SIGBUS, SIGFPE, SIGILL, SIGABRT, SIGTRAP, SIGSYS,
};

static struct tracee *volatile crash_tracee;
static struct breakpoints *volatile crash_bps;

static void on_crash(int sig)
{
	static const char msg[] =
		"memprof: internal error; letting the process go\n";

	if (crash_tracee && crash_bps) {
		/* The tables or the allocator may be what broke: should the
		 * work below hang, the tracer dies of SIGALRM in 5 s rather
		 * than hold the program's threads stopped for ever. */
		signal(SIGALRM, SIG_DFL);
		alarm(5);
		bps_disarm(crash_bps);
		tracee_let_go_now(crash_tracee, bps_rewinds, crash_bps);
		if (write(STDERR_FILENO, msg, sizeof(msg) - 1) < 0) {
			/* nowhere to say it */
		}
	}
	signal(sig, SIG_DFL);
	raise(sig);
}

static void install_crash(void)
{
	static char stack[64 * 1024];
	stack_t ss = { .ss_sp = stack, .ss_size = sizeof(stack) };
	struct sigaction sa;

	if (sigaltstack(&ss, NULL) < 0)
		return;
	memset(&sa, 0, sizeof(sa));
	sa.sa_handler = on_crash;
	sa.sa_flags = SA_ONSTACK | SA_RESETHAND;
	sigfillset(&sa.sa_mask);
	for (size_t i = 0; i < ARRAY_SIZE(crash_sigs); i++)
		sigaction(crash_sigs[i], &sa, NULL);
}

/* In the tracer: whether the visible memprof is gone (killed), so that
 * nobody waits for a report. */
static bool orphaned(void)
{
	return visible_pid && getppid() != visible_pid;
}

/* The command line of process `pid`, NULL-terminated (owned). */
static char **read_cmdline(pid_t pid)
{
	char name[64], buf[8192];
	char **argv;
	size_t n = 0, len, k = 0;
	FILE *f;

	snprintf(name, sizeof(name), "/proc/%d/cmdline", pid);
	f = fopen(name, "re");
	len = f ? fread(buf, 1, sizeof(buf) - 1, f) : 0;
	if (f)
		fclose(f);
	buf[len] = '\0';
	for (size_t i = 0; i < len; i++)
		n += buf[i] == '\0';
	if (len && buf[len - 1] != '\0')
		n++;
	argv = xcalloc(n + 1, sizeof(*argv));
	for (size_t i = 0; i < len && k < n; i += strlen(buf + i) + 1)
		argv[k++] = xstrdup(buf + i);
	return argv;
}

static void free_argv(char **argv)
{
	for (size_t i = 0; argv && argv[i]; i++)
		free(argv[i]);
	free(argv);
}

/* The session's settings: the options, and what was opened for them
 * (the timeline, NULL without --timeline/--plot; the heap reader, NULL
 * without a working --heap). */
static struct session_config session_config_of(const struct options *o,
					       struct timeline *tl,
					       struct heap *heap)
{
	struct session_config cfg = {
		.stop = &stop_requested,
		.children = o->children,
		.peak = !!(o->columns & column_bit("peak")),
		.faults = !!(o->columns & column_bit("faults")),
		.stop_above = o->stop_above,
		.stop_hold = o->stop_hold,
	};

	if (tl) {
		cfg.on_sample = timeline_on_sample;
		cfg.ctx = tl;
		cfg.interval_ms = o->interval_ms;
	}
	if (heap) {
		cfg.read_heap = heap_read;
		cfg.heap_ctx = heap;
	}
	return cfg;
}

/* What every report says of the whole run, from the options and how the
 * run ended; `heap`: --heap worked.  It points into `command` and `oc`. */
static struct report_run report_run_of(const struct options *o,
				       char *const *command,
				       const struct session_outcome *oc,
				       int heap)
{
	return (struct report_run){
		.command = command,
		.exit_code = oc->exit_code,
		.signal = oc->signal,
		.peak_rss_bytes = oc->peak_rss_bytes,
		.final_rss_bytes = oc->final_rss_bytes,
		.precision = o->precision,
		.columns = heap ? o->columns
				: o->columns & ~column_bit("heap"),
		.metric = rss_metric_name((enum rss_metric)o->metric),
		.peak_known = oc->peak.fn >= 0,
		.peak_fn = oc->peak.fn >= 0 ? (unsigned)oc->peak.fn : 0,
		.peak_line = oc->peak.line,
		.peak_stack = oc->peak.stack,
		.peak_depth = oc->peak.depth,
		.top = o->top,
	};
}

static int report(const struct options *o, struct output *out,
		  const char *exe, const struct profile *prof,
		  const struct report_run *run)
{
	struct source *src = source_new();
	int rc;

	/* Every source read now, so that what is said about them comes
	 * before a report on stderr, not inside it. */
	source_warn_against(src, exe, o->pid ? exe : o->command[0]);
	for (size_t i = 0; i < profile_nfunctions(prof); i++) {
		const struct profile_function *f = profile_function(prof, i);

		source_line(src, f->file, f->first_line);
	}
	if (o->format == FORMAT_JSON)
		rc = report_json(out->f, prof, run, src);
	else
		rc = report_text(out->f, prof, run, src);
	source_free(src);
	return rc;
}

/* --fail-over, once the report is out: one line per exceeded budget.
 * The program's own failure status wins over the budget's. */
static int check_budgets(const struct options *o, const struct profile *prof,
			 const struct session_outcome *oc, int status)
{
	bool over = false;
	char *msg;

	if (budget_validate(o->budgets, o->nbudgets, prof) < 0)
		return status ? status : EXIT_FAILED;
	for (size_t i = 0; i < o->nbudgets; i++) {
		if (!budget_exceeded(&o->budgets[i], prof, oc->peak_rss_bytes,
				     o->precision, &msg))
			continue;
		mp_error("%s", msg);
		free(msg);
		over = true;
	}
	return over && status == 0 ? EXIT_OVER_BUDGET : status;
}

/* --timeline and --plot: their files are opened with the report's (one
 * that cannot be written fails before the program runs) and, like it,
 * written whole at the end or not at all. */
struct timeline_files {
	struct timeline *tl;
	struct output dat, svg;
	int have_dat, have_svg;
};

static int timeline_files_open(struct timeline_files *tf,
			       const struct options *o)
{
	if (o->timeline) {
		if (output_open(&tf->dat, o->timeline) < 0)
			return -1;
		tf->have_dat = 1;
	}
	if (o->plot) {
		if (output_open(&tf->svg, o->plot) < 0)
			return -1;
		tf->have_svg = 1;
	}
	if (o->timeline || o->plot)
		tf->tl = timeline_new(o->interval_ms);
	return 0;
}

static int timeline_files_write(struct timeline_files *tf,
				const struct options *o,
				const struct profile *prof,
				const struct report_run *run)
{
	if (!tf->tl)
		return 0;
	timeline_finish(tf->tl);
	if (tf->have_dat) {
		if (timeline_write_dat(tf->tl, tf->dat.f, run->command,
				       prof) < 0)
			return mp_error("cannot write '%s': %m", o->timeline);
		tf->have_dat = 0;
		if (output_close(&tf->dat, 1) < 0)
			return -1;
	}
	if (tf->have_svg) {
		if (report_svg(tf->svg.f, tf->tl, prof, run) < 0)
			return mp_error("cannot write '%s': %m", o->plot);
		tf->have_svg = 0;
		if (output_close(&tf->svg, 1) < 0)
			return -1;
	}
	return 0;
}

/* Leaves the files that were not written as they were. */
static void timeline_files_close(struct timeline_files *tf)
{
	if (tf->have_dat)
		output_close(&tf->dat, 0);
	if (tf->have_svg)
		output_close(&tf->svg, 0);
	timeline_free(tf->tl);
}

static void mib(char *buf, size_t n, int64_t bytes)
{
	snprintf(buf, n, "%.1f MiB", (double)bytes / (1 << 20));
}

/* --stop-above struck: the line and the stack, as one write. */
static void say_stopped(const struct options *o, const struct profile *prof,
			const struct session_outcome *oc, pid_t pid)
{
	const struct profile_function *f = oc->peak.fn >= 0 ?
		profile_function(prof, (size_t)oc->peak.fn) : NULL;
	char *text = NULL, rss[32], limit[32];
	size_t len = 0;
	FILE *m = open_memstream(&text, &len);

	if (!m)
		return;
	mib(rss, sizeof(rss), oc->stopped_above);
	mib(limit, sizeof(limit), o->stop_above);
	if (!strcmp(rss, limit)) {
		/* Just above: show the difference. */
		snprintf(rss, sizeof(rss), "%.3f MiB",
			 (double)oc->stopped_above / (1 << 20));
		snprintf(limit, sizeof(limit), "%.3f MiB",
			 (double)o->stop_above / (1 << 20));
	}
	fprintf(m, "memprof: RSS %s went above %s", rss, limit);
	/* Names from the debugging information: escaped (mp_escape). */
	if (f) {
		char *file = mp_escape(f->file), *name = mp_escape(f->name);

		fprintf(m, " at %s:%u in %s", file, oc->peak.line, name);
		free(file);
		free(name);
	}
	if (o->stop_hold)
		fprintf(m, "; process %d left stopped: gdb -p %d, or kill -CONT %d to let it go\n",
			pid, pid, pid);
	else
		fputs("; target killed\n", m);
	for (size_t i = 0; i < oc->peak.depth; i++) {
		const struct di_place *d = &oc->peak.stack[i];
		char *fn = mp_escape(d->function);
		char *file = d->file ? mp_escape(d->file) : NULL;

		fprintf(m, "    #%zu %s", i, fn);
		if (file)
			fprintf(m, " at %s:%u", file, d->line);
		fputc('\n', m);
		free(fn);
		free(file);
	}
	fclose(m);
	fflush(stderr);
	if (write(STDERR_FILENO, text, len) < 0) {
		/* nowhere to say it */
	}
	free(text);
}

/* --stop-above=...,hold: memprof stays, the stopped program's parent,
 * until it ends: were memprof to exit, the kernel would wake an orphaned
 * stopped process with SIGHUP and SIGCONT, and SIGHUP kills it. */
static void wait_released(pid_t pid)
{
	int st;

	for (;;) {
		if (waitpid(pid, &st, 0) < 0) {
			if (errno == EINTR)
				continue;
			break;
		}
		if (WIFEXITED(st) || WIFSIGNALED(st))
			break;
	}
}

/* Says how the run ended; returns memprof's exit status. */
static int say_ending(const struct options *o, const struct profile *prof,
		      const struct session_outcome *oc, pid_t pid)
{
	if (oc->stopped_above) {
		say_stopped(o, prof, oc, pid);
		if (o->stop_hold)
			wait_released(pid);
		return 128 + (o->stop_hold ? SIGSTOP : SIGKILL);
	}
	if (oc->detached) {
		mp_error("detached from process %d, which goes on running", o->pid);
		return 0;
	}
	if (oc->signal == SIGKILL && oc->oom) {
		const struct profile_function *f = oc->last_fn >= 0 ?
			profile_function(prof, (size_t)oc->last_fn) : NULL;
		char rss[32];

		mib(rss, sizeof(rss), oc->last_rss);
		if (f && oc->peak.fn >= 0)
			mp_error("target killed by SIGKILL (out of memory) at line %u of %s, RSS %s, peak at line %u",
				 oc->last_line, f->name, rss, oc->peak.line);
		else
			mp_error("target killed by SIGKILL (out of memory)");
		return 128 + SIGKILL;
	}
	if (oc->signal) {
		mp_error("target killed by SIG%s", sigabbrev_np(oc->signal));
		return 128 + oc->signal;
	}
	return oc->exit_code;
}

static int run(const struct options *o)
{
	struct program *pg = NULL;
	struct profile *prof = profile_new();
	struct tracee *t = NULL;
	struct breakpoints *bps = NULL;
	struct rss *rss = NULL;
	struct session_outcome oc = { 0 };
	struct session_config cfg;
	struct report_run summary;
	struct output out = { 0 };
	struct timeline_files tf = { 0 };
	struct heap *heap = NULL;
	char *path = NULL, **cmdline = NULL;
	int status = EXIT_FAILED, have_output = 0;

	if (o->pid) {
		/* Attach first (the executable's path comes from the live
		 * process); nothing runs while the functions are looked up. */
		t = tracee_attach(o->pid, &path);
		if (!t)
			goto done;
		cmdline = read_cmdline(o->pid);
	} else if (!(path = tracee_resolve(o->command[0]))) {
		goto done;
	}
	debuginfo_set_search_path(o->debuginfo_path);
	/* --no-lines: no breakpoints, so no debug information needed. */
	if (!o->no_lines) {
		char exe[64];

		pg = program_new(prof, o->funcs, o->nfuncs);
		for (size_t i = 0; i < o->nlines; i++)
			program_add_lines(pg, o->lines[i].file,
					  o->lines[i].from, o->lines[i].to);
		program_set_depth(pg, o->depth);
		/* Attached: the file the process runs, even from another
		 * mount namespace (a container), not what `path` names
		 * here. */
		snprintf(exe, sizeof(exe), "/proc/%d/exe", o->pid);
		if (program_open(pg, o->pid ? exe : path, path,
				 o->pid ? path : o->command[0]) < 0)
			goto done;
	}
	if (output_open(&out, o->output) < 0)
		goto done;
	have_output = 1;
	if (timeline_files_open(&tf, o) < 0)
		goto done;
	if (o->columns & column_bit("heap"))
		heap = heap_new(o->pid != 0, program_interp(pg), path,
				o->pid ? path : o->command[0]);
	if (!o->pid) {
		install_forwarding();
		/* Pinned, a line event costs less; without any, the
		 * program keeps every CPU. */
		t = tracee_spawn(path, o->command, !o->no_lines);
		heap_spawned(heap, t);
		if (!t)
			goto done;
	}
	if (heap)
		program_on_load(pg, heap_on_load, heap);
	target_pid = tracee_pid(t);
	bps = bps_new(t);
	if (o->pid) {
		crash_bps = bps;
		crash_tracee = t;
	}
	if ((pg && program_arm(pg, t, bps, tracee_pid(t)) < 0) ||
	    !(rss = rss_open(tracee_pid(t))))
		goto done;
	if (((o->columns & column_bit("peak")) && rss_peak_open(rss) < 0) ||
	    rss_set_metric(rss, (enum rss_metric)o->metric) < 0)
		goto done;
	if (tf.tl)
		profile_observe_calls(prof, timeline_on_call, tf.tl);
	cfg = session_config_of(o, tf.tl, heap);
	if (session_run(t, bps, pg, prof, rss, &oc, &cfg) < 0)
		goto done;
	target_pid = 0;
	crash_tracee = NULL; /* let go already, or gone */
	if (orphaned()) {
		/* The program is let go; nobody is left to read a report. */
		status = 0;
		goto done;
	}
	if (getenv("MEMPROF_STATS"))
		mp_error("stats: %zu breakpoints, %zu trampolines, %zu single-stepped",
			 bps_count(bps), bps_trampolined(bps), bps_stepped(bps));
	if (pg)
		program_report_missing(pg);
	summary = report_run_of(o, o->pid ? cmdline : o->command, &oc,
				heap_known(heap));
	if (report(o, &out, path, prof, &summary) < 0) {
		mp_error("cannot write the report: %m");
		goto done;
	}
	if (output_close(&out, 1) < 0) {
		have_output = 0;
		goto done;
	}
	have_output = 0;
	if (timeline_files_write(&tf, o, prof, &summary) < 0)
		goto done;
	status = say_ending(o, prof, &oc, tracee_pid(t));
	status = check_budgets(o, prof, &oc, status);
done:
	target_pid = 0;
	crash_tracee = NULL;
	crash_bps = NULL;
	if (have_output)
		output_close(&out, 0);
	timeline_files_close(&tf);
	rss_close(rss);
	bps_free(bps);
	tracee_free(t);
	program_free(pg);
	heap_free(heap);
	profile_free(prof);
	ds_close();
	free(path);
	free_argv(cmdline);
	session_outcome_release(&oc);
	return status;
}

/* -p: forks the tracer (see stop_sigs) and waits for it. */
static int run_attached(const struct options *o)
{
	pid_t parent = getpid(), pid;
	int st;

	/* Set before the fork: a signal in between must not kill either. */
	install_stop(request_stop, 0, true);
	fflush(NULL);
	pid = fork();
	if (pid < 0) {
		mp_error("cannot fork: %m");
		return EXIT_FAILED;
	}
	if (pid == 0) {
		visible_pid = parent;
		if (prctl(PR_SET_PDEATHSIG, SIGTERM) < 0) {
			mp_error("cannot watch for memprof's own end: %m");
			_exit(EXIT_FAILED);
		}
		/* Gone before the prctl: nothing attached yet. */
		if (orphaned())
			_exit(0);
		/* Named apart, so that `killall -9 memprof` (a name matched
		 * whole) kills only the process the tracer outlives. */
		prctl(PR_SET_NAME, "memprof-tracer");
		install_crash();
		return run(o);
	}
	tracer_pid = pid;
	/* SA_RESTART: only the tracer's end may end the wait. */
	install_stop(relay_stop, SA_RESTART, false);
	if (stop_requested)
		kill(pid, SIGTERM);
	while (waitpid(pid, &st, 0) < 0)
		if (errno != EINTR) {
			mp_error("cannot wait for the tracer: %m");
			return EXIT_FAILED;
		}
	if (WIFSIGNALED(st)) {
		mp_error("the tracer (process %d) was killed by SIG%s",
			 pid, sigabbrev_np(WTERMSIG(st)));
		return 128 + WTERMSIG(st);
	}
	return WEXITSTATUS(st);
}

int main(int argc, char **argv)
{
	struct options opts;
	int status;

	switch (options_parse(&opts, argc, argv, stdout, stderr)) {
	case OPTIONS_DONE:
		options_free(&opts);
		return 0;
	case OPTIONS_USAGE:
		options_free(&opts);
		return EXIT_USAGE;
	case OPTIONS_RUN:
		break;
	}
	if (opts.diff_old)
		status = diff_run(opts.diff_old, opts.diff_new,
				  opts.format == FORMAT_JSON, opts.precision,
				  stdout) < 0 ? EXIT_FAILED : 0;
	else if (opts.pid)
		status = run_attached(&opts);
	else
		status = run(&opts);
	options_free(&opts);
	return status;
}
