/* memprof - line-by-line memory profiler for native programs.
 *
 * main() wires the pieces: options -> program -> debug info -> profile ->
 * spawn -> breakpoints -> session loop -> report -> exit status.  Only this
 * file (and options.c's callers) decide how memprof exits.
 */
#define _GNU_SOURCE
#include <errno.h>
#include <fcntl.h>
#include <signal.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <unistd.h>

#include "breakpoint.h"
#include "debuginfo.h"
#include "displace.h"
#include "options.h"
#include "profile.h"
#include "report.h"
#include "rss.h"
#include "session.h"
#include "source.h"
#include "tracee.h"
#include "util.h"

#define EXIT_FAILED 1
#define EXIT_USAGE 2

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

/* Attached: SIGINT, SIGTERM and SIGHUP mean "let the process go". */
static void request_stop(int sig)
{
	(void)sig;
	stop_requested = 1;
}

static void install_stop(void)
{
	static const int sigs[] = { SIGINT, SIGTERM, SIGHUP };
	struct sigaction sa;

	memset(&sa, 0, sizeof(sa));
	sa.sa_handler = request_stop;
	sa.sa_flags = 0; /* no SA_RESTART: waitpid must return */
	sigemptyset(&sa.sa_mask);
	for (size_t i = 0; i < ARRAY_SIZE(sigs); i++)
		sigaction(sigs[i], &sa, NULL);
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

/* The functions to profile: --func, else those marked with
 * MEMPROF_PROFILE, else main. */
static int select_functions(const struct options *o, struct debuginfo *di,
			    struct di_functions *fns)
{
	size_t nmarked;
	const char *marked = debuginfo_marked(di, &nmarked);

	if (o->nfuncs) {
		for (size_t i = 0; i < o->nfuncs; i++)
			if (debuginfo_find(di, o->funcs[i], fns) < 0)
				return -1;
		return 0;
	}
	if (nmarked) {
		for (const char *m = marked; nmarked; m += strlen(m) + 1) {
			if (!*m)
				continue;
			nmarked--;
			if (debuginfo_find(di, m, fns) < 0)
				return -1;
		}
		return 0;
	}
	return debuginfo_find(di, "main", fns);
}

/* The report goes to a temporary file renamed over -o FILE at the end, so
 * FILE is complete or untouched. */
struct output {
	FILE *f;
	char *tmp;
	const char *final;
};

static int output_open(struct output *out, const char *path)
{
	int fd;

	memset(out, 0, sizeof(*out));
	if (!path) {
		out->f = stderr;
		return 0;
	}
	out->final = path;
	out->tmp = xmalloc(strlen(path) + 16);
	sprintf(out->tmp, "%s.XXXXXX", path);
	fd = mkostemp(out->tmp, O_CLOEXEC);
	if (fd < 0 || !(out->f = fdopen(fd, "w"))) {
		int err = errno;

		if (fd >= 0) {
			close(fd);
			unlink(out->tmp);
		}
		free(out->tmp);
		out->tmp = NULL;
		return mp_error("cannot write '%s': %s", path, strerror(err));
	}
	return 0;
}

static int output_close(struct output *out, int keep)
{
	int rc = 0;

	if (!out->tmp)
		return fflush(stderr) == 0 ? 0 : -1;
	if (fclose(out->f) != 0)
		rc = -1;
	if (keep && rc == 0 && rename(out->tmp, out->final) != 0)
		rc = -1;
	if (rc < 0)
		mp_error("cannot write '%s': %m", out->final);
	if (!keep || rc < 0)
		unlink(out->tmp);
	free(out->tmp);
	return rc;
}

/* Which line starts of `f` need a breakpoint (see ds_prune), from the
 * code as loaded. */
static long prune(struct tracee *t, struct breakpoints *bps,
		  const struct di_function *f, uint64_t bias, int *keep)
{
	size_t n = (size_t)(f->code.hi - f->code.lo);
	struct ds_targets targets = { 0 };
	uint8_t *code;
	long rc = -1;

	if (!f->code.hi || n > (64u << 20))
		return -1;
	code = xmalloc(n);
	if (tracee_read(t, f->code.lo + bias, code, n) == 0)
		rc = ds_prune(f, code, keep, &targets);
	free(code);
	if (rc < 0)
		return rc;
	/* Analysed: trampolines may go there. */
	for (size_t i = 0; i < targets.n; i++)
		targets.v[i] += bias;
	bps_add_region(bps, f->code.lo + bias, f->code.hi + bias, &targets);
	free(targets.v);
	return rc;
}

static struct breakpoints *arm(struct tracee *t, struct debuginfo *di,
			       const struct di_functions *fns)
{
	struct breakpoints *bps;
	uint64_t bias = 0, lowest = UINT64_MAX;

	if (debuginfo_is_pie(di) &&
	    tracee_load_bias(t, debuginfo_entry_point(di), &bias) < 0)
		return NULL;
	bps = bps_new(t);
	for (size_t i = 0; i < fns->n; i++) {
		const struct di_function *f = &fns->v[i];

		int *keep = xcalloc(f->nrows, sizeof(*keep));

		bps_add(bps, f->entry + bias, BP_ENTRY, (unsigned)i, 0);
		if (f->entry + bias < lowest)
			lowest = f->entry + bias;
		if (prune(t, bps, f, bias, keep) < 0)
			for (size_t r = 0; r < f->nrows; r++)
				keep[r] = 1;
		for (size_t r = 0; r < f->nrows; r++)
			if (keep[r])
				bps_add(bps, f->rows[r].addr + bias, BP_LINE,
					(unsigned)i, f->rows[r].line);
		free(keep);
	}
	/* Room for every line start and as many return addresses again. */
	if (bps_reserve_scratch(bps, tracee_pid(t), lowest,
				2 * bps_count(bps) + 256) < 0 ||
	    bps_arm(bps) < 0) {
		bps_free(bps);
		return NULL;
	}
	return bps;
}

static int report(const struct options *o, struct output *out,
		  char *const *command, const struct profile *prof,
		  const struct session_outcome *oc)
{
	struct report_run run = {
		.command = command,
		.exit_code = oc->exit_code,
		.signal = oc->signal,
		.peak_rss_bytes = oc->peak_rss_bytes,
		.final_rss_bytes = oc->final_rss_bytes,
		.precision = o->precision,
	};
	struct source *src = source_new();
	int rc;

	if (o->format == FORMAT_JSON)
		rc = report_json(out->f, prof, &run, src);
	else
		rc = report_text(out->f, prof, &run, src);
	source_free(src);
	return rc;
}

static int run(const struct options *o)
{
	struct di_functions fns = { 0 };
	struct debuginfo *di = NULL;
	struct profile *prof = NULL;
	struct tracee *t = NULL;
	struct breakpoints *bps = NULL;
	struct rss *rss = NULL;
	struct session_outcome oc;
	struct output out = { 0 };
	char *path = NULL, **cmdline = NULL;
	int status = EXIT_FAILED, have_output = 0;

	if (o->pid) {
		/* Attach first (the executable's path comes from the live
		 * process); nothing runs while the functions are looked up. */
		t = tracee_attach(o->pid, &path);
		if (!t)
			return EXIT_FAILED;
		cmdline = read_cmdline(o->pid);
	} else if (!(path = tracee_resolve(o->command[0]))) {
		return EXIT_FAILED;
	}
	di = debuginfo_open(path, o->pid ? path : o->command[0]);
	if (!di || select_functions(o, di, &fns) < 0)
		goto done;
	prof = profile_new();
	for (size_t i = 0; i < fns.n; i++) {
		const struct di_function *f = &fns.v[i];
		unsigned idx = profile_add_function(prof, f->name, f->file,
						    f->first_line, f->last_line);

		for (size_t r = 0; r < f->nrows; r++)
			profile_mark_code(prof, idx, f->rows[r].line);
	}
	if (output_open(&out, o->output) < 0)
		goto done;
	have_output = 1;
	if (o->pid) {
		install_stop();
	} else {
		install_forwarding();
		t = tracee_spawn(path, o->command, 1);
		if (!t)
			goto done;
	}
	target_pid = tracee_pid(t);
	bps = arm(t, di, &fns);
	if (!bps || !(rss = rss_open(tracee_pid(t))))
		goto done;
	if (session_run(t, bps, prof, rss, &oc, &stop_requested) < 0)
		goto done;
	if (getenv("MEMPROF_STATS"))
		mp_error("stats: %zu breakpoints, %zu trampolines, %zu single-stepped",
			 bps_count(bps), bps_trampolined(bps), bps_stepped(bps));
	target_pid = 0;
	if (report(o, &out, o->pid ? cmdline : o->command, prof, &oc) < 0) {
		mp_error("cannot write the report: %m");
		goto done;
	}
	if (output_close(&out, 1) < 0) {
		have_output = 0;
		goto done;
	}
	have_output = 0;
	if (oc.detached) {
		mp_error("detached from process %d, which goes on running", o->pid);
		status = 0;
	} else if (oc.signal) {
		mp_error("target killed by SIG%s", sigabbrev_np(oc.signal));
		status = 128 + oc.signal;
	} else {
		status = oc.exit_code;
	}
done:
	target_pid = 0;
	if (have_output)
		output_close(&out, 0);
	rss_close(rss);
	bps_free(bps);
	tracee_free(t);
	profile_free(prof);
	di_functions_free(&fns);
	debuginfo_close(di);
	ds_close();
	free(path);
	free_argv(cmdline);
	return status;
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
	status = run(&opts);
	options_free(&opts);
	return status;
}
