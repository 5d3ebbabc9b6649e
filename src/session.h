/* session.h - the wait loop: next stop, classify, dispatch. */
#ifndef MEMPROF_SESSION_H
#define MEMPROF_SESSION_H

#include <signal.h>
#include <stdint.h>

#include "breakpoint.h"
#include "profile.h"
#include "program.h"
#include "rss.h"
#include "tracee.h"

/* How the run ended, for the report and the exit status. */
struct session_outcome {
	int exit_code;           /* -1 unless the target exited normally */
	int signal;              /* the signal that killed it, or 0 */
	int64_t peak_rss_bytes;  /* VmHWM at exit, else the highest seen */
	int64_t final_rss_bytes; /* RSS at exit, else the last seen */
	int detached;            /* memprof let go of a running process */
};

/* Runs the target (stopped after its exec, or every thread stopped after
 * an attach; breakpoints armed) to its end, feeding every line event to
 * `prof`.  When *stop becomes non-zero (a signal handler sets it; waitpid
 * must then be interrupted, so install it without SA_RESTART) an attached
 * target is let go: every thread stopped, every breakpoint removed, every
 * thread detached, unharmed.  Libraries are handed to `pg` as they load.
 * Returns 0 with *out filled, or -1 with a message when tracing failed
 * (the target is then killed).  With `children` (--children) forked
 * children stay traced: their profiled functions count, their memory adds
 * to the RSS, the run ends when the whole tree has. */
int session_run(struct tracee *t, struct breakpoints *bps,
		struct program *pg, struct profile *prof, struct rss *rss,
		struct session_outcome *out, const volatile sig_atomic_t *stop,
		int children);

#endif
