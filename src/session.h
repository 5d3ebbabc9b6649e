/* SPDX-License-Identifier: MIT */
/* session.h - the wait loop: next stop, classify, dispatch. */
#ifndef MEMPROF_SESSION_H
#define MEMPROF_SESSION_H

#include <signal.h>
#include <stdint.h>

#include "breakpoint.h"
#include "debuginfo.h"
#include "profile.h"
#include "program.h"
#include "rss.h"
#include "tracee.h"

/* Where the peak was reached: the profiled line running when the RSS
 * last grew by a step (see session.c), and the call stack there. */
#define PEAK_STACK_MAX 16

struct session_peak {
	int64_t rss_bytes;        /* the RSS sampled there */
	int fn;                   /* profile function index, or -1: unknown */
	unsigned line;
	struct di_place stack[PEAK_STACK_MAX]; /* innermost first */
	size_t depth;
};

/* How the run ended, for the report and the exit status. */
struct session_outcome {
	int exit_code;           /* -1 unless the target exited normally */
	int signal;              /* the signal that killed it, or 0 */
	int64_t peak_rss_bytes;  /* VmHWM at exit, else the highest seen */
	int64_t final_rss_bytes; /* RSS at exit, else the last seen */
	int detached;            /* memprof let go of a running process */
	struct session_peak peak;
	int64_t stopped_above;   /* --stop-above: the RSS that went over the
				    limit (peak then holds the place), or 0 */
	int oom;                 /* killed by SIGKILL while the kernel's OOM
				    killer struck */
	int last_fn;             /* the profiled line running last, or -1 */
	unsigned last_line;
	int64_t last_rss;
};

/* Releases what the outcome holds (the peak's stack). */
void session_outcome_release(struct session_outcome *out);

/* Runs the target (stopped after its exec, or every thread stopped after
 * an attach; breakpoints armed) to its end, feeding every line event to
 * `prof`.  When *stop becomes non-zero (a signal handler sets it; waitpid
 * must then be interrupted, so install it without SA_RESTART) an attached
 * target is let go: every thread stopped, every breakpoint removed, every
 * thread detached, unharmed (`stop` is cfg->stop).  Libraries are handed to `pg` as they load.
 * Returns 0 with *out filled, or -1 with a message when tracing failed
 * (the target is then killed).  With `children` (--children) forked
 * children stay traced: their profiled functions count, their memory adds
 * to the RSS, the run ends when the whole tree has. */
/* What the session needs besides the pieces it drives. */
struct session_config {
	const volatile sig_atomic_t *stop; /* see session_run */
	int children;                      /* --children */
	int peak;                          /* --peak: each line's own peak */
	int faults;                        /* --faults: page faults per line */
	int64_t stop_above;                /* --stop-above: RSS limit, or 0 */
	int stop_hold;                     /* ...,hold: leave it stopped */
	/* Given every RSS sample: at each event, and every `interval_ms`
	 * while no event comes (0: only at events).  It must be cheap. */
	void (*on_sample)(void *ctx, int64_t rss);
	int interval_ms;
	/* When set, read at every event: the live heap bytes (--heap). */
	int64_t (*read_heap)(void *heap_ctx);
	void *ctx;                         /* on_sample's */
	void *heap_ctx;                    /* read_heap's */
};

int session_run(struct tracee *t, struct breakpoints *bps,
		struct program *pg, struct profile *prof, struct rss *rss,
		struct session_outcome *out, const struct session_config *cfg);

#endif
