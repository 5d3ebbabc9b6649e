/* SPDX-License-Identifier: MIT */
/* profile.c - per-line accounting.
 *
 * The meaning of every column is decided here, and only here (how each is
 * shown, its title, width and JSON key, is column.c's table):
 *
 *   Occurrences  how many times execution entered the line.  Entering means
 *                the line differs from the line running before in the same
 *                call, or execution jumped back to a line start (the address
 *                is not after the previous line start hit): so a `for` line
 *                counts once per iteration plus one, as in memory_profiler,
 *                while a line split into several line-table rows that run
 *                one after the other counts once.
 *   Increment    the sum over the line's executions of (RSS when the line
 *                finished - RSS when it started).  A line finishes when the
 *                next line of the same call starts or the call returns, so
 *                a line that calls other code carries what that call did.
 *   Mem usage    the highest RSS seen when the line finished.
 *   Heap inc     (--heap) the same sum as Increment, of the live heap
 *                bytes each event carries (line_event.heap_bytes; heap.c:
 *                malloc'd minus freed, in the program's malloc_usable_size
 *                terms) instead of the RSS.
 *   Peak         (--peak) the highest RSS while the line ran: of the RSS
 *                at its start and at its finish and of every peak the
 *                events meanwhile carried (line_event.peak_bytes: the
 *                process's VmHWM since the previous event, in any
 *                thread), over all its executions.  Without --peak the
 *                figure is only the highest at its ends, and not shown.
 *   Faults       (--faults) minor and major: the sum over the line's
 *                executions of the change in the process's fault counts
 *                (line_event.minflt/majflt) between its start and finish;
 *                like Increment, what its calls caused is included.
 *   header line  (first_line, the function's declaration) starts at entry
 *                and finishes at the first line event: it shows the RSS at
 *                entry, and its occurrences are the calls.
 *
 * Inlined copies: a function the compiler copied into another's code is
 * profiled there too, into the same table.  Such a call has no call
 * instruction and no return: it begins where the copy's code begins (its
 * header line gets the occurrence) and ends when execution is seen in code
 * outside the copy, in the same stack frame; when execution comes back
 * into the copy's middle (the compiler interleaves it with the code
 * around) the call goes on, its line too, without a new occurrence.  Its
 * frame sits on top of the frame of the function it was copied into, with
 * the same stack pointer: the producer gives every event the stack pointer
 * its call had at entry (line_event.call_sp), so one call's events all
 * carry the same one.
 *
 * Calls are told apart by their stack pointer at entry, per thread, which
 * also lets calls left by longjmp, exceptions or tail calls be closed when
 * a later event shows their stack frame is gone.
 *
 * Every figure comes in the event's record (struct line_event), whoever
 * produced it: nothing here knows of ptrace or of a second producer.
 * Everything here runs on
 * the tracer's hot path: no allocation except when a thread's call stack
 * grows deeper than ever before, no I/O.
 */
#include "profile.h"

#include <stdlib.h>
#include <string.h>

#include "util.h"

/* An inlined copy (see profile_add_copy). */
struct copy {
	unsigned fn;
	unsigned parent;
	long caller;
	unsigned call_line;
};

/* Deepest nesting of profiled copies followed. */
#define MAX_NESTING 64

struct profile {
	struct profile_function *fns;
	size_t n;
	size_t cap;
	struct copy *copies;       /* [0] unused: 0 means none */
	size_t ncopies, copies_cap;
	profile_call_fn *observer; /* told of calls beginning and ending */
	void *observer_ctx;
};

void profile_observe_calls(struct profile *p, profile_call_fn *observer,
			   void *ctx)
{
	p->observer = observer;
	p->observer_ctx = ctx;
}

struct profile *profile_new(void)
{
	return xcalloc(1, sizeof(struct profile));
}

void profile_free(struct profile *p)
{
	if (!p)
		return;
	for (size_t i = 0; i < p->n; i++) {
		free(p->fns[i].name);
		free(p->fns[i].file);
		free(p->fns[i].lines);
	}
	free(p->fns);
	free(p->copies);
	free(p);
}

unsigned profile_add_function(struct profile *p, const char *name,
			      const char *file, unsigned first_line,
			      unsigned last_line)
{
	struct profile_function *f;

	if (last_line < first_line)
		last_line = first_line;
	ARRAY_GROW(p->fns, p->n + 1, p->cap);
	f = &p->fns[p->n];
	f->name = xstrdup(name);
	f->file = xstrdup(file);
	f->first_line = first_line;
	f->last_line = last_line;
	f->header_line = first_line;
	f->calls = 0;
	f->lines = xcalloc(last_line - first_line + 1, sizeof(*f->lines));
	f->lines[0].has_code = true;
	return (unsigned)p->n++;
}

unsigned profile_add_copy(struct profile *p, unsigned fn, unsigned parent,
			  long caller, unsigned call_line)
{
	struct copy *c;

	if (!p->ncopies)
		p->ncopies = 1;
	ARRAY_GROW(p->copies, p->ncopies + 1, p->copies_cap);
	c = &p->copies[p->ncopies];
	c->fn = fn;
	c->parent = parent < p->ncopies ? parent : 0;
	c->caller = caller;
	c->call_line = call_line;
	return (unsigned)p->ncopies++;
}

void profile_set_header(struct profile *p, unsigned fn, unsigned line)
{
	struct profile_function *f = &p->fns[fn];

	f->header_line = line;
	if (line != f->first_line)
		f->lines[0].has_code = false;
}

long profile_find_function(const struct profile *p, const char *name,
			   const char *file, unsigned first_line)
{
	for (size_t i = 0; i < p->n; i++)
		if (p->fns[i].first_line == first_line &&
		    !strcmp(p->fns[i].name, name) && !strcmp(p->fns[i].file, file))
			return (long)i;
	return -1;
}

static struct profile_line *line_of(struct profile *p, unsigned fn,
				    unsigned line)
{
	struct profile_function *f = &p->fns[fn];

	if (line < f->first_line || line > f->last_line)
		return NULL;
	return &f->lines[line - f->first_line];
}

void profile_mark_code(struct profile *p, unsigned fn, unsigned line)
{
	struct profile_line *l = line_of(p, fn, line);

	if (l)
		l->has_code = true;
}

size_t profile_nfunctions(const struct profile *p)
{
	return p->n;
}

const struct profile_function *profile_function(const struct profile *p,
						size_t i)
{
	return i < p->n ? &p->fns[i] : NULL;
}

/* The stack pointer that identifies the call an event is in. */
static uint64_t call_sp(const struct line_event *ev)
{
	return ev->call_sp ? ev->call_sp : ev->sp;
}

/* The current line of call `f` ends at event `ev`. */
static void finish_line(struct profile *p, const struct profile_frame *f,
			const struct line_event *ev)
{
	struct profile_line *l = line_of(p, f->fn, f->line);
	int64_t rss = ev->rss;

	if (!l)
		return;
	l->increment_bytes += rss - f->line_rss;
	if (!l->finished || f->line_peak > l->peak_bytes)
		l->peak_bytes = f->line_peak;
	if (rss > l->peak_bytes)
		l->peak_bytes = rss;
	l->heap_increment_bytes += ev->heap_bytes - f->line_heap;
	l->minor_faults += ev->minflt - f->line_minflt;
	l->major_faults += ev->majflt - f->line_majflt;
	if (!l->finished || rss > l->mem_bytes)
		l->mem_bytes = rss;
	l->finished++;
}

/* Call `f` is now running `line`, from `addr`, since event `ev`. */
static void run_line(struct profile_frame *f, unsigned line, uint64_t addr,
		     const struct line_event *ev)
{
	f->line = line;
	f->line_rss = ev->rss;
	f->line_heap = ev->heap_bytes;
	f->line_minflt = ev->minflt;
	f->line_majflt = ev->majflt;
	f->line_peak = ev->rss;
	f->last_addr = addr;
}

/* The same, a new execution of the line. */
static void begin_line(struct profile *p, struct profile_frame *f,
		       unsigned line, uint64_t addr,
		       const struct line_event *ev)
{
	struct profile_line *l = line_of(p, f->fn, line);

	if (l)
		l->occurrences++;
	run_line(f, line, addr, ev);
}

/* The innermost call of `s` ends at event `ev`. */
static void end_call(struct profile *p, struct profile_stack *s,
		     const struct line_event *ev)
{
	const struct profile_frame *top = &s->frames[--s->depth];

	finish_line(p, top, ev);
	if (p->observer)
		p->observer(p->observer_ctx, top->fn, 0, ev->rss);
}

/* Closes the calls whose frame is gone: entry sp below `sp`, or equal to
 * it when `inclusive` (a new call at the same sp replaced the old one). */
static void close_gone(struct profile *p, struct profile_stack *s,
		       uint64_t sp, bool inclusive,
		       const struct line_event *ev)
{
	while (s->depth) {
		const struct profile_frame *top = &s->frames[s->depth - 1];

		if (top->sp > sp || (top->sp == sp && !inclusive))
			break;
		end_call(p, s, ev);
	}
}

/* The event's peak (--peak) goes to the lines running in this thread,
 * before the event ends or begins any: they ran while it was reached.
 * Only once per event, as one event may take several calls. */
static void take_peak(struct profile_stack *s, const struct line_event *ev)
{
	if (ev->peak_bytes <= 0 || s->peak_seq == ev->seq)
		return;
	s->peak_seq = ev->seq;
	for (size_t i = 0; i < s->depth; i++)
		if (ev->peak_bytes > s->frames[i].line_peak)
			s->frames[i].line_peak = ev->peak_bytes;
}

/* A new frame on top of `s`, for function `fn`. */
static struct profile_frame *push(struct profile_stack *s, unsigned fn,
				  uint64_t sp, unsigned copy)
{
	struct profile_frame *f;

	ARRAY_GROW(s->frames, s->depth + 1, s->cap);
	f = &s->frames[s->depth++];
	f->sp = sp;
	f->fn = fn;
	f->copy = copy;
	return f;
}

/* Execution reached line start `addr` of `line` in call `f`: a new
 * execution of the line, unless the current one simply goes on. */
static void step_line(struct profile *p, struct profile_frame *f,
		      unsigned line, uint64_t addr,
		      const struct line_event *ev)
{
	if (line != f->line || addr <= f->last_addr) {
		finish_line(p, f, ev);
		begin_line(p, f, line, addr, ev);
	} else {
		f->last_addr = addr;
	}
}

/* Whether copy `outer` is `copy` or one of the copies its code sits in. */
static bool contains(const struct profile *p, unsigned outer, unsigned copy)
{
	for (int i = 0; copy && i < MAX_NESTING; i++) {
		if (copy == outer)
			return true;
		copy = p->copies[copy].parent;
	}
	return false;
}

/* profile_leave's work, once the peak is taken. */
static void leave(struct profile *p, struct profile_stack *s,
		  const struct line_event *ev, unsigned copy)
{
	uint64_t sp = call_sp(ev);
	size_t n = 0;

	while (s->depth) {
		const struct profile_frame *top = &s->frames[s->depth - 1];

		if (!top->copy || top->sp > sp || contains(p, top->copy, copy))
			break;
		/* Remembered, in case execution comes back (resume). */
		if (n < PROFILE_LEFT) {
			s->left[n].sp = top->sp;
			s->left[n].copy = top->copy;
			s->left[n].line = top->line;
			s->nleft = ++n;
		}
		end_call(p, s, ev);
	}
}

void profile_leave(struct profile *p, struct profile_stack *s,
		   const struct line_event *ev, unsigned copy)
{
	take_peak(s, ev);
	leave(p, s, ev, copy);
}

void profile_enter_copies(struct profile *p, struct profile_stack *s,
			  const struct line_event *ev, unsigned outer,
			  unsigned inner)
{
	unsigned chain[MAX_NESTING];
	uint64_t sp = call_sp(ev);
	size_t n = 0;

	take_peak(s, ev);
	if (!inner || inner >= p->ncopies)
		return;
	for (unsigned c = inner; c && n < MAX_NESTING; c = p->copies[c].parent) {
		chain[n++] = c;
		if (c == outer)
			break;
	}
	close_gone(p, s, sp, false, ev);
	leave(p, s, ev, p->copies[chain[n - 1]].parent);
	while (n--) {
		const struct copy *c = &p->copies[chain[n]];
		struct profile_frame *f;

		if (c->caller >= 0 && s->depth) {
			f = &s->frames[s->depth - 1];
			if (f->fn == (unsigned)c->caller && f->copy == c->parent)
				step_line(p, f, c->call_line, ev->addr, ev);
		}
		f = push(s, c->fn, sp, chain[n]);
		p->fns[c->fn].calls++;
		begin_line(p, f, p->fns[c->fn].header_line, 0, ev);
		if (p->observer)
			p->observer(p->observer_ctx, c->fn, 1, ev->rss);
	}
}

void profile_enter(struct profile *p, struct profile_stack *s,
		   const struct line_event *ev, unsigned fn)
{
	struct profile_frame *f;

	take_peak(s, ev);
	close_gone(p, s, ev->sp, true, ev);
	f = push(s, fn, ev->sp, 0);
	p->fns[fn].calls++;
	begin_line(p, f, p->fns[fn].header_line, 0, ev);
	if (p->observer)
		p->observer(p->observer_ctx, fn, 1, ev->rss);
}

void profile_line_in(struct profile *p, struct profile_stack *s,
		     const struct line_event *ev, unsigned fn, unsigned line,
		     unsigned copy)
{
	uint64_t sp = call_sp(ev);
	struct profile_frame *f;

	take_peak(s, ev);
	close_gone(p, s, sp, false, ev);
	leave(p, s, ev, copy);
	if (copy && (!s->depth || s->frames[s->depth - 1].copy != copy)) {
		/* Entered by a jump into its middle: the call goes on. */
		if (copy < p->ncopies && p->copies[copy].fn == fn)
			begin_line(p, push(s, fn, sp, copy), line, ev->addr, ev);
		return;
	}
	if (!s->depth)
		return;
	f = &s->frames[s->depth - 1];
	if (f->fn != fn)
		return;
	step_line(p, f, line, ev->addr, ev);
}

void profile_resume(struct profile *p, struct profile_stack *s,
		    const struct line_event *ev, unsigned fn, unsigned line,
		    unsigned copy)
{
	uint64_t sp = call_sp(ev);

	take_peak(s, ev);
	close_gone(p, s, sp, false, ev);
	leave(p, s, ev, copy);
	if (!copy || copy >= p->ncopies || p->copies[copy].fn != fn ||
	    (s->depth && s->frames[s->depth - 1].copy == copy))
		return; /* never left */
	for (size_t i = 0; i < s->nleft; i++)
		if (s->left[i].copy == copy && s->left[i].sp == sp) {
			run_line(push(s, fn, sp, copy), s->left[i].line,
				 ev->addr, ev);
			return;
		}
	/* Never seen begin: adopted, like a jump into its middle (before
	 * its first line start: its header runs, not a call). */
	if (line)
		begin_line(p, push(s, fn, sp, copy), line, ev->addr, ev);
	else
		run_line(push(s, fn, sp, copy), p->fns[fn].header_line,
			 ev->addr, ev);
}

void profile_line(struct profile *p, struct profile_stack *s,
		  const struct line_event *ev, unsigned fn, unsigned line)
{
	profile_line_in(p, s, ev, fn, line, 0);
}

void profile_raise_peak(struct profile_stack *s, const struct line_event *ev)
{
	take_peak(s, ev);
}

bool profile_in(const struct profile_stack *s, unsigned fn)
{
	return s->depth && s->frames[s->depth - 1].fn == fn;
}

void profile_adopt(struct profile *p, struct profile_stack *s,
		   const struct line_event *ev, unsigned fn, unsigned line)
{
	/* Without the call's own, a stack pointer a little above the
	 * current one stands for its entry. */
	uint64_t sp = ev->call_sp ? ev->call_sp : ev->sp + 256;

	take_peak(s, ev);
	close_gone(p, s, sp, true, ev);
	begin_line(p, push(s, fn, sp, 0), line, ev->addr, ev);
}

void profile_return(struct profile *p, struct profile_stack *s,
		    const struct line_event *ev)
{
	take_peak(s, ev);
	close_gone(p, s, ev->sp, false, ev);
}

void profile_close_all(struct profile *p, struct profile_stack *s,
		       const struct line_event *ev)
{
	take_peak(s, ev);
	while (s->depth)
		end_call(p, s, ev);
}

void profile_stack_release(struct profile_stack *s)
{
	free(s->frames);
	s->frames = NULL;
	s->depth = s->cap = 0;
}
