/* SPDX-License-Identifier: MIT */
/* profile.h - per-line memory accounting, fed by the tracer, read by the
 * renderers.  No I/O happens here: the caller supplies every RSS figure.
 *
 * The meaning of each column is defined once, in profile.c; its title,
 * width, JSON key and formatting once, in column.c.
 */
#ifndef MEMPROF_PROFILE_H
#define MEMPROF_PROFILE_H

#include <stdbool.h>
#include <stddef.h>
#include <stdint.h>
#include <sys/types.h>

/* One source line of a profiled function. */
struct profile_line {
	uint64_t occurrences;     /* times execution entered the line */
	uint64_t finished;        /* executions charged so far (0: never ran) */
	int64_t mem_bytes;        /* highest RSS when the line finished */
	int64_t increment_bytes;  /* sum of (RSS at finish - RSS at start) */
	int64_t heap_increment_bytes; /* the same of the live heap bytes
					 (--heap; line_event.heap_bytes) */
	int64_t minor_faults;     /* page faults while the line ran */
	int64_t major_faults;     /* (--faults; line_event.minflt/majflt) */
	int64_t peak_bytes;       /* highest RSS while the line ran (--peak:
				     line_event.peak_bytes; else the
				     highest at its ends) */
	bool has_code;            /* the line table has a statement here */
};

/* A profiled function: lines[i] describes source line first_line + i. */
struct profile_function {
	char *name;
	char *file;
	unsigned first_line;
	unsigned last_line;
	unsigned header_line;     /* where a call begins (first_line, or
				     outside the table for a line range) */
	uint64_t calls;
	struct profile_line *lines;
};

/* An active call of a profiled function in one thread. */
struct profile_frame {
	uint64_t sp;           /* stack pointer at entry: identifies the call */
	uint64_t last_addr;    /* address of the last line start hit */
	int64_t line_rss;      /* RSS when the current line started */
	int64_t line_heap;     /* live heap bytes then (--heap) */
	int64_t line_peak;     /* highest RSS known since it started */
	int64_t line_minflt;   /* the process's faults then (--faults) */
	int64_t line_majflt;
	unsigned fn;           /* index of the function */
	unsigned line;         /* current source line */
	unsigned copy;         /* an inlined copy's call (its index, see
				  profile_add_copy); 0: a real call */
};

/* The active calls of one thread, innermost last.  Owned by the caller
 * (one per traced thread); zero-initialise, release with
 * profile_stack_release. */
#define PROFILE_LEFT 4

struct profile_stack {
	struct profile_frame *frames;
	size_t depth;
	size_t cap;
	/* The copies' calls left last (see profile_resume): their lines. */
	struct profile_left {
		uint64_t sp;
		unsigned copy, line;
	} left[PROFILE_LEFT];
	size_t nleft;
	uint64_t peak_seq;     /* the last event whose peak was taken */
};

/* One event, as a producer saw it: execution of one thread reached a
 * breakpoint's address (the ptrace stop in session.c) or, later, a line
 * start recorded inside the program.  The producer fills the record, then
 * hands it to the profile_* calls of the event (one event may take
 * several: a return, then an entry, then a line); each call reads it and
 * keeps nothing of it.  What an address means (its function, line,
 * inlined copy) is not part of the record: the calls take that beside it.
 *
 * A producer must fill seq (one count for all the producers of a run),
 * addr, sp, call_sp (or 0) and rss; heap_bytes, minflt/majflt and
 * peak_bytes when the run measures them, else 0.  The counters are totals
 * so far, not changes (a line is charged the difference between its two
 * ends): one that cannot be read at an event keeps its previous value.
 * tid is the producer's: profile.c never reads it. */
struct line_event {
	uint64_t seq;          /* numbers the events, counting up from 1 */
	pid_t tid;             /* the thread; its profile_stack is the one
				  the producer passes with the record */
	uint64_t addr;         /* the line start (or code) reached */
	uint64_t sp;           /* the stack pointer there */
	uint64_t call_sp;      /* the stack pointer the running call had at
				  its entry (what identifies the call, the
				  same all through it), or 0 when the
				  producer cannot tell: sp then stands for
				  it, and a call adopted (profile_adopt)
				  is taken to have begun a little above */
	int64_t rss;           /* the memory figure now (RSS, or --metric's) */
	int64_t heap_bytes;    /* --heap: the live heap bytes now */
	int64_t minflt, majflt; /* --faults: the process's fault counts now */
	int64_t peak_bytes;    /* --peak: the highest RSS since the previous
				  event, or 0; taken (see profile_raise_peak)
				  by this thread's stack at the event's first
				  profile_* call, before anything else */
};

struct profile;

/* Told when a call begins (begin = 1) or ends (0), with the RSS then. */
typedef void profile_call_fn(void *ctx, unsigned fn, int begin, int64_t rss);

struct profile *profile_new(void);

/* Calls `observer` at every call's beginning and end (the timeline's
 * function brackets).  NULL removes it. */
void profile_observe_calls(struct profile *p, profile_call_fn *observer,
			   void *ctx);

void profile_free(struct profile *p);

/* Adds a function whose table spans first_line..last_line (inclusive);
 * returns its index.  name and file are copied. */
unsigned profile_add_function(struct profile *p, const char *name,
			      const char *file, unsigned first_line,
			      unsigned last_line);

/* The index of the function with this name, file and first line (the
 * same code loaded again, e.g. a library reopened), or -1. */
long profile_find_function(const struct profile *p, const char *name,
			   const char *file, unsigned first_line);

/* An inlined copy of `fn`: the compiler put its code inside other code,
 * so a call of it is no call at all, only execution entering and leaving
 * that code (see profile_enter_copies).  `parent` is the profiled copy its
 * code sits in (0: none); `caller` the function whose line `call_line`
 * makes the call, when that function is profiled (-1: not).  Returns the
 * copy's index, never 0. */
unsigned profile_add_copy(struct profile *p, unsigned fn, unsigned parent,
			  long caller, unsigned call_line);

/* Calls of `fn` begin at `line` (a --line range's function header,
 * outside its table) instead of first_line. */
void profile_set_header(struct profile *p, unsigned fn, unsigned line);

/* Records that the line table has a statement at `line` (rows without code
 * stay blank in the report).  Lines outside the function's span are
 * ignored. */
void profile_mark_code(struct profile *p, unsigned fn, unsigned line);

size_t profile_nfunctions(const struct profile *p);
const struct profile_function *profile_function(const struct profile *p,
						size_t i);

/* --- events, in the order the producer sees them (the hot path) ---
 *
 * Each takes the event's record `ev` (see struct line_event) and the stack
 * of its thread; sp below is ev->sp, "the call's sp" ev->call_sp (or sp
 * when that is 0). */

/* A call of `fn` begins with stack pointer `sp` (its value before the
 * prologue: the event is at the function's first instruction).  Calls of
 * this thread that are no longer on the stack (their sp is at or below
 * `sp`: returned without being seen, longjmp, a tail call) are closed
 * first.  The new call's current line is the header line (first_line),
 * which thereby shows the RSS at entry. */
void profile_enter(struct profile *p, struct profile_stack *s,
		   const struct line_event *ev, unsigned fn);

/* Execution reached a line start `addr` of `fn` carrying `line`, in the
 * call with the call's sp.  Stale calls (sp below the current one) are
 * closed first.  The line begins a new event when it differs from the
 * current line or when execution jumped back (addr not after the previous
 * line start); otherwise the current execution of the line simply goes
 * on.  A hit with no call of `fn` on top of the stack is ignored. */
void profile_line(struct profile *p, struct profile_stack *s,
		  const struct line_event *ev, unsigned fn, unsigned line);

/* Like profile_line, at a line start inside inlined copy `copy` of `fn`
 * (0: in fn's own code), first leaving the copies whose code execution has
 * left (see profile_leave).  Inside a copy whose call was not seen begin
 * (code reached by a jump into its middle), the call is adopted without
 * counting it. */
void profile_line_in(struct profile *p, struct profile_stack *s,
		     const struct line_event *ev, unsigned fn, unsigned line,
		     unsigned copy);

/* Execution reached the code of copy `copy` in the call with the call's
 * sp, or other code when `copy` is 0: the calls of the copies on top of
 * this thread's stack that do not contain that code end (those with a
 * stack pointer above the call's sp belong to callers and stay). */
void profile_leave(struct profile *p, struct profile_stack *s,
		   const struct line_event *ev, unsigned copy);

/* Execution came back into the code of copy `copy` of `fn` from outside
 * it (the compiler interleaved the code around with the copy's): the
 * copy's call goes on, without counting a new execution of a line, at the
 * line it was running when execution left it; a call not seen before is
 * adopted at `line` (counting it, not the call; 0: at its header,
 * counting nothing). */
void profile_resume(struct profile *p, struct profile_stack *s,
		    const struct line_event *ev, unsigned fn, unsigned line,
		    unsigned copy);

/* Calls of the inlined copies `inner`, its parent, ... up to `outer` begin
 * at `addr` (their code starts there), outermost first: for each, the
 * caller's line of the call begins when the caller is profiled and on
 * top, then the copy's call begins like profile_enter's.  Copies left
 * before are ended first (profile_leave), the same copy's previous call
 * too. */
void profile_enter_copies(struct profile *p, struct profile_stack *s,
			  const struct line_event *ev, unsigned outer,
			  unsigned inner);

/* Like profile_line, for a hit in `fn` while no call of it is known
 * (memprof attached while the call was running): the call is adopted,
 * without counting it as a call, with the call's sp standing for its
 * entry stack pointer (unknown: sp + 256, a little above the current
 * one). */
void profile_adopt(struct profile *p, struct profile_stack *s,
		   const struct line_event *ev, unsigned fn, unsigned line);

/* The RSS reached ev->peak_bytes at some moment since the previous event
 * (--peak): every line now running in this thread's calls ran then.  The
 * event's own thread takes it by itself; a producer hands it to the
 * stacks of the other threads (they ran too) with this, at any time
 * before their next event.  Once per event and stack: a second call with
 * the same ev->seq does nothing. */
void profile_raise_peak(struct profile_stack *s, const struct line_event *ev);

/* Whether the innermost known call of this thread is one of `fn`. */
bool profile_in(const struct profile_stack *s, unsigned fn);

/* Execution is at a return address with stack pointer `sp`: every call
 * whose entry sp is below `sp` has returned and is closed, charging its
 * current line. */
void profile_return(struct profile *p, struct profile_stack *s,
		    const struct line_event *ev);

/* The thread ends (or tracing stops): every open call is closed, with the
 * figures of `ev` (its addr and sp are not used). */
void profile_close_all(struct profile *p, struct profile_stack *s,
		       const struct line_event *ev);

void profile_stack_release(struct profile_stack *s);

#endif
