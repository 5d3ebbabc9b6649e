/* SPDX-License-Identifier: MIT */
/* session.c - the wait loop.
 *
 * Every stop of every traced thread comes through waitpid(-1) and is sorted
 * here: our int3 (a line event, on the hot path: registers, RSS, account,
 * step over, resume), a ptrace event (clone, fork, exec, exit), a group
 * stop, or a signal that belongs to the target and is passed on unchanged.
 *
 * Children the target forks inherit every int3 of their parent: they are
 * cleaned and let go at once.  A new task that shares the memory of its
 * creator (kcmp) is a thread for breakpoints and RSS, even as a process of
 * its own (clone(CLONE_VM) without CLONE_THREAD).  A vfork child shares
 * its parent's memory while the parent waits: without --children every
 * breakpoint is lifted from that memory, the child let go before it execs
 * (a setuid program it runs keeps its privileges), and the breakpoints put
 * back when the parent goes on (PTRACE_EVENT_VFORK_DONE).
 *
 * An exec of the first process ends its image: the same selection is
 * looked up and armed in the new one (program_exec).
 *
 * Letting an attached process go (detach_all) leaves nothing of memprof's
 * in it: every int3 out, every PC fixed, the scratch pages unmapped.
 */
#define _GNU_SOURCE
#include "session.h"

#include <errno.h>
#include <signal.h>
#include <stdbool.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <linux/kcmp.h>
#include <sched.h>
#include <sys/ptrace.h>
#include <sys/syscall.h>
#include <sys/time.h>
#include <sys/wait.h>

#include "displace.h"
#include "unwind.h"
#include "util.h"

enum thread_kind {
	TH_THREAD,      /* a thread of the profiled process */
	TH_VFORK_CHILD, /* shares our memory until it execs */
};

struct thread {
	pid_t tid;
	pid_t pid;      /* its process */
	bool image;     /* runs the profiled program (not an exec'd one) */
	bool apart;     /* a process of its own sharing the memory of `pid`
			   (clone(CLONE_VM) without CLONE_THREAD), until
			   it execs */
	bool lifted;    /* its vfork child runs in its memory, our
			   breakpoints lifted: put back at VFORK_DONE */
	enum thread_kind kind;
	struct profile_stack stack;
	bool stopped;   /* while detaching: its stop has been seen */
	int sig;        /* while detaching: a signal to hand back */
};

/* A new task seen before or after its creator's ptrace event. */
struct newborn {
	pid_t pid;
	pid_t parent;  /* the task whose event announced it */
	int event;     /* PTRACE_EVENT_CLONE/FORK/VFORK, or 0: not yet known */
	bool shares;   /* it shares its creator's memory (known with event) */
	bool stopped;  /* its first stop has been seen */
};

struct session {
	struct tracee *t;
	struct breakpoints *bps;
	struct program *pg;
	bool failed;           /* a message was printed; the target is ended */
	struct profile *prof;
	struct rss *rss;
	pid_t leader;
	struct thread *threads;
	size_t nthreads, cap;
	size_t hot;            /* index of the thread found last */
	struct newborn *newborns;
	size_t nnewborns, newborns_cap;
	bool children;         /* --children: follow forks and execs */
	size_t lifts;          /* vfork children running with the
				  breakpoints lifted (lift_for_vfork) */
	bool hold;             /* --stop-above=...,hold: let go, stopped */
	int64_t oom_kills;     /* /proc/vmstat oom_kill at the start */
	const struct session_config *cfg;
	struct kid {
		pid_t pid;
		struct rss *rss;
	} *kids;               /* processes besides the first (--children) */
	size_t nkids, kids_cap;
	bool attached;         /* calls may be running since before us */
	int64_t last_rss, max_rss;
	/* The last line event's record, which the next one starts from: a
	 * counter that cannot be read keeps its value.  Calls closed between
	 * events (a thread ends, an exec) are closed with its figures. */
	struct line_event ev;
	struct line_event end;  /* such a closing's record (see ending) */
	/* The peak's place: the stack is unwound when the RSS has grown by
	 * a step since the last time, and named at the end. */
	int64_t place_rss;
	uint64_t place_pcs[PEAK_STACK_MAX];
	size_t place_depth;
	pid_t place_pid;
	struct session_outcome *out;
};

static struct thread *thread_find(struct session *s, pid_t tid)
{
	/* Hits come in runs from one thread: try the last one first. */
	if (s->hot < s->nthreads && s->threads[s->hot].tid == tid)
		return &s->threads[s->hot];
	for (size_t i = 0; i < s->nthreads; i++)
		if (s->threads[i].tid == tid) {
			s->hot = i;
			return &s->threads[i];
		}
	return NULL;
}

/* The record to close calls with outside a line event, at RSS `rss`: the
 * last event's counters; its peak has been taken already. */
static const struct line_event *ending(struct session *s, int64_t rss)
{
	s->end = s->ev;
	s->end.rss = rss;
	s->end.peak_bytes = 0;
	return &s->end;
}

static struct thread *thread_add(struct session *s, pid_t tid, pid_t pid,
				 enum thread_kind kind)
{
	struct thread *th;

	ARRAY_GROW(s->threads, s->nthreads + 1, s->cap);
	th = &s->threads[s->nthreads++];
	memset(th, 0, sizeof(*th));
	th->tid = tid;
	th->pid = pid;
	th->image = true;
	th->kind = kind;
	return th;
}

static void thread_remove(struct session *s, pid_t tid)
{
	struct thread *th = thread_find(s, tid);

	if (!th)
		return;
	profile_close_all(s->prof, &th->stack, ending(s, s->last_rss));
	profile_stack_release(&th->stack);
	*th = s->threads[--s->nthreads];
}

static int64_t sample(struct session *s)
{
	int64_t rss = rss_read(s->rss);

	/* --children: the whole tree's memory. */
	for (size_t i = 0; i < s->nkids; i++) {
		int64_t r = rss_read(s->kids[i].rss);

		if (r > 0 && rss >= 0)
			rss += r;
	}

	if (rss >= 0) {
		s->last_rss = rss;
		if (rss > s->max_rss)
			s->max_rss = rss;
		if (s->cfg->on_sample)
			s->cfg->on_sample(s->cfg->ctx, rss);
	}
	return s->last_rss;
}

static void resume(pid_t tid, int sig)
{
	ptrace(PTRACE_CONT, tid, 0L, (long)sig);
}

/* --- line events: the hot path --- */

/* The RSS grew by a step since the last capture: remember the line that
 * was running and the stack here.  Rare by design (steps of 1/64 of the
 * peak, at least 1 MiB), so unwinding never weighs on line events. */
static void capture_peak(struct session *s, struct thread *th,
			 const struct bp *bp, struct user_regs_struct *regs,
			 int64_t rss)
{
	struct session_peak *pk = &s->out->peak;
	uint64_t rip = regs->rip;

	s->place_rss = rss;
	pk->rss_bytes = rss;
	if (th->stack.depth) {
		const struct profile_frame *f = &th->stack.frames[th->stack.depth - 1];

		pk->fn = (int)f->fn;
		pk->line = f->line;
	} else {
		pk->fn = bp->kinds & BP_LINE ? (int)bp->fn :
			 bp->kinds & BP_ENTRY ? (int)bp->entry_fn : -1;
		pk->line = bp->line;
	}
	/* Unwind from the instruction the breakpoint stands for, not from
	 * past the int3 or inside a trampoline. */
	regs->rip = bp->site;
	if (ptrace(PTRACE_SETREGS, th->tid, 0L, regs) == 0) {
		s->place_depth = unwind_stack(th->tid, s->place_pcs,
					      PEAK_STACK_MAX);
		s->place_pid = th->pid;
	}
	regs->rip = rip;
	ptrace(PTRACE_SETREGS, th->tid, 0L, regs);
}

/* Names the frames of the last capture while the process still exists. */
static void name_peak(struct session *s, pid_t pid)
{
	struct session_peak *pk = &s->out->peak;
	struct di_symbolizer *sym;

	if (!s->place_depth || pid != s->place_pid || pk->depth)
		return;
	sym = debuginfo_symbolizer_new(pid);
	if (!sym)
		return;
	for (size_t i = 0; i < s->place_depth && pk->depth < PEAK_STACK_MAX; i++)
		pk->depth += debuginfo_symbolize(sym, s->place_pcs[i],
						 &pk->stack[pk->depth],
						 PEAK_STACK_MAX - pk->depth);
	debuginfo_symbolizer_free(sym);
}

void session_outcome_release(struct session_outcome *out)
{
	for (size_t i = 0; i < out->peak.depth; i++)
		debuginfo_place_release(&out->peak.stack[i]);
	out->peak.depth = 0;
}

/* The stack pointer that the call running at `bp` had at its entry: its
 * canonical frame address less the return address, by the frame rule of
 * the breakpoint's address; the current one when the rule is in another
 * register, 0 when there is none (line_event.call_sp).  The same all
 * through a call, however its body moves the stack pointer: what tells an
 * inlined copy's code from a callee's. */
static uint64_t entry_sp(const struct bp *bp,
			 const struct user_regs_struct *regs)
{
	switch (bp->cfa_reg) {
	case 7:
		return regs->rsp + (uint64_t)(int64_t)bp->cfa_off - 8;
	case 6:
		return regs->rbp + (uint64_t)(int64_t)bp->cfa_off - 8;
	default:
		return bp->cfa_reg >= 0 ? regs->rsp : 0;
	}
}

/* Fills the record of the event of thread `th` at `bp` (s->ev: what is
 * not read again carries on from the previous event).  Returns the high
 * water mark to watch: the RSS, or the peak since the last event when
 * that is higher (--peak). */
static int64_t fill_event(struct session *s, struct thread *th,
			  const struct bp *bp,
			  const struct user_regs_struct *regs)
{
	struct line_event *ev = &s->ev;
	int64_t high;

	ev->seq++;
	ev->tid = th->tid;
	ev->addr = bp->site;
	ev->sp = regs->rsp;
	ev->call_sp = entry_sp(bp, regs);
	ev->rss = high = sample(s);
	if (s->cfg->read_heap)
		ev->heap_bytes = s->cfg->read_heap(s->cfg->heap_ctx);
	if (s->cfg->faults) {
		int64_t minor, major;

		if (rss_read_faults(s->rss, &minor, &major) == 0) {
			ev->minflt = minor;
			ev->majflt = major;
		}
	}
	ev->peak_bytes = 0;
	if (s->cfg->peak) {
		/* Reading it resets VmHWM: the process's peak is the
		 * highest of them. */
		int64_t hwm = rss_take_peak(s->rss);

		if (hwm > 0)
			ev->peak_bytes = hwm;
		if (hwm > high)
			high = hwm;
		if (high > s->max_rss)
			s->max_rss = high;
	}
	return high;
}

static void account(struct session *s, struct thread *th, const struct bp *bp,
		    struct user_regs_struct *regs)
{
	const struct line_event *ev = &s->ev;
	unsigned kinds = bp->kinds, fn = bp->fn, line = bp->line;
	int64_t step = s->place_rss / 64, high = fill_event(s, th, bp, regs);

	/* The peak since the last event belongs to every line that was
	 * running meanwhile, in every thread. */
	for (size_t i = 0; ev->peak_bytes && i < s->nthreads; i++)
		profile_raise_peak(&s->threads[i].stack, ev);

	if (high > s->place_rss + (step > (1 << 20) ? step : (1 << 20)))
		capture_peak(s, th, bp, regs, high);
	if (s->cfg->stop_above > 0 && high > s->cfg->stop_above &&
	    !s->out->stopped_above) {
		/* The culprit: where and how we got here, named now. */
		s->out->stopped_above = high;
		capture_peak(s, th, bp, regs, high);
		name_peak(s, th->pid);
		if (s->cfg->stop_hold)
			s->hold = true;
		else
			kill(s->leader, SIGKILL);
	}

	if (kinds & BP_RETURN)
		profile_return(s->prof, &th->stack, ev);
	if (kinds & BP_ENTRY) {
		uint64_t ret;

		/* Before the prologue the return address is at the stack
		 * pointer: a breakpoint there closes the call. */
		if (tracee_read(s->t, regs->rsp, &ret, sizeof(ret)) == 0)
			bps_add_return(s->bps, ret);
		profile_enter(s->prof, &th->stack, ev, bp->entry_fn);
	}
	if (!(kinds & (BP_COPY | BP_REENTER | BP_LEAVE | BP_LINE)))
		return;
	/* Inlined copies: no call, no return, only code entered and left. */
	if (kinds & BP_COPY)
		profile_enter_copies(s->prof, &th->stack, ev, bp->enter,
				     bp->copy);
	else if ((kinds & (BP_REENTER | BP_LINE)) == BP_REENTER)
		profile_resume(s->prof, &th->stack, ev, fn, line, bp->copy);
	else if ((kinds & (BP_LEAVE | BP_LINE)) == BP_LEAVE)
		profile_leave(s->prof, &th->stack, ev, bp->copy);
	if (!(kinds & BP_LINE))
		return;
	/* Attached mid-call: adopt the call (without a frame rule, at a
	 * guess of its entry stack pointer: see profile_adopt). */
	if (s->attached && !bp->copy &&
	    !((kinds & BP_ENTRY) && bp->entry_fn == fn) &&
	    !profile_in(&th->stack, fn))
		profile_adopt(s->prof, &th->stack, ev, fn, line);
	else
		profile_line_in(s->prof, &th->stack, ev, fn, line, bp->copy);
	if (th->stack.depth) {
		s->out->last_fn = (int)th->stack.frames[th->stack.depth - 1].fn;
		s->out->last_line = th->stack.frames[th->stack.depth - 1].line;
		s->out->last_rss = ev->rss;
	}
}

static void dispatch(struct session *s, pid_t tid, int status);

/* A SIGTRAP stop: returns true when it was one of our int3s (the thread
 * has then been resumed or its next stop dispatched). */
static bool on_trap(struct session *s, pid_t tid)
{
	struct user_regs_struct regs;
	const struct bp *bp;
	struct thread *th;
	uint64_t addr;
	int st = 0;

	if (ptrace(PTRACE_GETREGS, tid, 0L, &regs) < 0)
		return false;
	/* After an int3 the PC is one past it. */
	addr = regs.rip - 1;
	bp = bps_lookup(s->bps, addr);
	if (!bp)
		return false;
	th = thread_find(s, tid);
	if (th)
		tracee_select(s->t, th->pid);
	if (th && th->kind == TH_THREAD && th->image) {
		if ((bp->kinds & BP_DLHOOK) && th->pid == s->leader) {
			if (program_on_dl_event(s->pg, tid) < 0 && !s->failed) {
				s->failed = true;
				kill(s->leader, SIGKILL);
			}
			bp = bps_lookup(s->bps, addr);
		}
		account(s, th, bp, &regs);
	}
	/* account() may have added a breakpoint: look it up again. */
	bp = bps_lookup(s->bps, addr);
	if (bps_resume(s->bps, tid, bp, &regs, &st) == 1)
		dispatch(s, tid, st);
	return true;
}

/* --- new tasks --- */

static struct newborn *newborn_get(struct session *s, pid_t pid)
{
	struct newborn *nb;

	for (size_t i = 0; i < s->nnewborns; i++)
		if (s->newborns[i].pid == pid)
			return &s->newborns[i];
	ARRAY_GROW(s->newborns, s->nnewborns + 1, s->newborns_cap);
	nb = &s->newborns[s->nnewborns++];
	memset(nb, 0, sizeof(*nb));
	nb->pid = pid;
	return nb;
}

/* Whether task `tid` leads a thread group of its own (a process). */
static bool is_process(pid_t tid)
{
	char path[64], buf[256];
	pid_t tgid = 0;
	FILE *f;

	snprintf(path, sizeof(path), "/proc/%d/status", tid);
	if ((f = fopen(path, "re"))) {
		while (fgets(buf, sizeof(buf), f))
			if (!strncmp(buf, "Tgid:", 5))
				tgid = (pid_t)atoi(buf + 5);
		fclose(f);
	}
	return tgid == tid;
}

/* --children: a new process to follow, running our program (a fork) or
 * not (an exec'd child). */
static void kid_add(struct session *s, pid_t pid, bool image)
{
	struct rss *r = rss_open(pid);

	if (!r)
		return;
	ARRAY_GROW(s->kids, s->nkids + 1, s->kids_cap);
	s->kids[s->nkids].pid = pid;
	s->kids[s->nkids].rss = r;
	s->nkids++;
	if (image)
		tracee_add_process(s->t, pid);
}

static void kid_remove(struct session *s, pid_t pid)
{
	for (size_t i = 0; i < s->nkids; i++)
		if (s->kids[i].pid == pid) {
			rss_close(s->kids[i].rss);
			s->kids[i] = s->kids[--s->nkids];
			tracee_remove_process(s->t, pid);
			return;
		}
}

/* The target runs threads or processes: give its parallelism back. */
static void unpin_all(struct session *s)
{
	for (size_t i = 0; i < s->nthreads; i++)
		tracee_unpin(s->t, s->threads[i].tid);
}

/* A held task: interrupted so that memprof may rewrite code it runs,
 * with the stop it reported then, dispatched at the release. */
struct held {
	pid_t tid;
	int status;
	uint64_t pc;
};

/* Stops every task other than `except` that runs in the memory of
 * process `pid` (its threads, a clone(CLONE_VM) process): each one's next
 * stop is kept in the returned array (*n of them, owned), not handled,
 * so that none runs until release_held.  A thread cannot be kept from a
 * stop it was about to report: that stop is the one kept. */
static struct held *hold_others(struct session *s, pid_t pid, pid_t except,
				size_t *n)
{
	struct held *h = xcalloc(s->nthreads + 1, sizeof(*h));

	*n = 0;
	for (size_t i = 0; i < s->nthreads; i++)
		if (s->threads[i].pid == pid && s->threads[i].tid != except &&
		    ptrace(PTRACE_INTERRUPT, s->threads[i].tid, 0L, 0L) == 0)
			h[(*n)++].tid = s->threads[i].tid;
	for (size_t i = 0; i < *n; i++) {
		struct user_regs_struct regs;

		while (waitpid(h[i].tid, &h[i].status, __WALL) < 0)
			if (errno != EINTR) {
				/* Gone unseen: nothing to hand on. */
				h[i].status = -1;
				break;
			}
		if (h[i].status != -1 && WIFSTOPPED(h[i].status) &&
		    ptrace(PTRACE_GETREGS, h[i].tid, 0L, &regs) == 0)
			h[i].pc = regs.rip;
	}
	return h;
}

/* Steps held task `h`, stopped by our interrupt, out of the lifted jumps
 * (the original instructions under a trampoline's jump: a few at most),
 * so that they can be put back.  A signal of its own met on the way is
 * kept as its stop instead, and the task left there. */
static void step_out_of_patches(struct session *s, struct held *h)
{
	struct user_regs_struct regs;
	int st;

	if (!WIFSTOPPED(h->status) || h->status >> 16 != PTRACE_EVENT_STOP ||
	    WSTOPSIG(h->status) != SIGTRAP)
		return;
	for (int step = 0; step < 16 && bps_in_patch(s->bps, h->pc); step++) {
		if (ptrace(PTRACE_SINGLESTEP, h->tid, 0L, 0L) < 0)
			return;
		while (waitpid(h->tid, &st, __WALL) < 0)
			if (errno != EINTR)
				return;
		if (!WIFSTOPPED(st)) {
			h->status = st; /* gone: no jump to keep from it */
			h->pc = 0;
			return;
		}
		if (ptrace(PTRACE_GETREGS, h->tid, 0L, &regs) < 0)
			return;
		h->pc = regs.rip;
		if (WSTOPSIG(st) != SIGTRAP || st >> 16) {
			h->status = st;
			return;
		}
	}
}

/* The PCs of `h`'s stopped tasks and of `also` (stopped): no jump is put
 * back under them. */
static uint64_t *held_pcs(const struct held *h, size_t n, pid_t also,
			  size_t *npcs)
{
	uint64_t *pcs = xcalloc(n + 1, sizeof(*pcs));
	struct user_regs_struct regs;

	*npcs = 0;
	for (size_t i = 0; i < n; i++)
		if (h[i].pc)
			pcs[(*npcs)++] = h[i].pc;
	if (ptrace(PTRACE_GETREGS, also, 0L, &regs) == 0)
		pcs[(*npcs)++] = regs.rip;
	return pcs;
}

/* Lets the held tasks go: each one's kept stop handled as if it had just
 * arrived (a breakpoint hit is accounted, a group stop kept, ...). */
static void release_held(struct session *s, struct held *h, size_t n)
{
	for (size_t i = 0; i < n; i++)
		if (h[i].status != -1)
			dispatch(s, h[i].tid, h[i].status);
	free(h);
}

/* A vfork child is about to run in the memory of `parent` (stopped at
 * its event or already waiting for the child): lifts every breakpoint
 * from it, to be put back at the parent's VFORK_DONE.  The other tasks
 * in that memory are held while the bytes are rewritten (one could fetch
 * a jump half written), then run on: their lines are not seen until the
 * breakpoints are back.  Vfork children of several threads at once share
 * one lift. */
static bool lift_for_vfork(struct session *s, struct thread *parent)
{
	pid_t tid = parent->tid, pid = parent->pid;
	struct held *h;
	size_t n;
	bool ok = true;

	if (s->lifts) {
		parent->lifted = true;
		s->lifts++;
		return true;
	}
	h = hold_others(s, pid, tid, &n);
	tracee_select(s->t, pid);
	if (bps_lift(s->bps) < 0) {
		size_t npcs;
		uint64_t *pcs = held_pcs(h, n, tid, &npcs);

		bps_put_back(s->bps, pcs, npcs);
		free(pcs);
		ok = false;
	} else {
		parent->lifted = true;
		s->lifts = 1;
	}
	/* Last: the release may add and remove threads. */
	release_held(s, h, n);
	return ok;
}

/* The vfork child of `th` has exec'd or exited: the breakpoints go back
 * once no other vfork child runs in that memory. */
static void put_back_after_vfork(struct session *s, struct thread *th)
{
	pid_t tid = th->tid, pid = th->pid;
	struct held *h;
	uint64_t *pcs;
	size_t n, npcs;

	th->lifted = false;
	if (--s->lifts)
		return;
	h = hold_others(s, pid, tid, &n);
	for (size_t i = 0; i < n; i++)
		step_out_of_patches(s, &h[i]);
	pcs = held_pcs(h, n, tid, &npcs);
	tracee_select(s->t, pid);
	/* Left out, a breakpoint only goes unseen: the program is not
	 * harmed. */
	if (bps_put_back(s->bps, pcs, npcs) < 0)
		mp_error("cannot put every breakpoint back after a vfork: %m; the profile misses some lines from here");
	free(pcs);
	release_held(s, h, n);
}

/* Both halves are known (the creator's event and the child's first stop):
 * adopt the task or let it go. */
static void newborn_settle(struct session *s, struct newborn *nb)
{
	pid_t pid = nb->pid;
	int event = nb->event;
	bool shares = nb->shares;
	struct thread *parent = thread_find(s, nb->parent), *th;
	pid_t ppid = parent ? parent->pid : s->leader;
	bool image = parent ? parent->image : true;

	*nb = s->newborns[--s->nnewborns];
	if (shares && event == PTRACE_EVENT_VFORK) {
		/* A vfork child (posix_spawn, system()) runs a little of
		 * our code in our memory, then execs.  Traced at its exec,
		 * a setuid or file-capability program would lose its
		 * privileges: let it go now, our int3s out of its way. */
		if (!s->children && parent && lift_for_vfork(s, parent)) {
			tracee_unpin(s->t, pid);
			ptrace(PTRACE_DETACH, pid, 0L, 0L);
			return;
		}
		/* It shares its parent's memory until it execs. */
		th = thread_add(s, pid, ppid, TH_VFORK_CHILD);
		th->image = false;
		resume(pid, 0);
		return;
	}
	if (shares) {
		/* A thread, or a process sharing our memory: its hits
		 * are ours, its RSS is ours (counted once). */
		th = thread_add(s, pid, ppid, TH_THREAD);
		th->image = image;
		th->apart = is_process(pid);
		unpin_all(s);
		resume(pid, 0);
		return;
	}
	if (s->children) {
		kid_add(s, pid, image);
		th = thread_add(s, pid, pid, TH_THREAD);
		th->image = image;
		unpin_all(s);
		resume(pid, 0);
		return;
	}
	/* A child with a copy of our memory: remove the int3s it
	 * inherited, then let it run untraced on every CPU. */
	bps_remove_from(s->bps, pid);
	tracee_unpin(s->t, pid);
	ptrace(PTRACE_DETACH, pid, 0L, 0L);
}

/* Whether new task `child` shares the memory of `parent`, stopped at the
 * event that announced it: kcmp(KCMP_VM) compares the two exactly;
 * without it (a kernel built without kcmp), the flags of the clone call
 * the parent is stopped in. */
static bool shares_memory(struct session *s, pid_t parent, pid_t child,
			  int event)
{
	struct user_regs_struct regs;
	long r = syscall(SYS_kcmp, parent, child, KCMP_VM, 0L, 0L);
	struct thread *th = thread_find(s, parent);
	uint64_t flags;

	if (r >= 0)
		return r == 0;
	if (ptrace(PTRACE_GETREGS, parent, 0L, &regs) < 0)
		return event != PTRACE_EVENT_FORK;
	switch (regs.orig_rax) {
	case SYS_clone:
		flags = regs.rdi;
		break;
	case SYS_clone3:
		/* struct clone_args begins with its flags. */
		if (th)
			tracee_select(s->t, th->pid);
		if (tracee_read(s->t, regs.rdi, &flags, sizeof(flags)) < 0)
			return event != PTRACE_EVENT_FORK;
		break;
	case SYS_vfork:
		return true;
	default:
		return false;
	}
	return flags & CLONE_VM;
}

static void on_new_task_event(struct session *s, pid_t parent, int event)
{
	unsigned long msg = 0;
	struct newborn *nb;

	if (ptrace(PTRACE_GETEVENTMSG, parent, 0L, &msg) == 0) {
		nb = newborn_get(s, (pid_t)msg);
		nb->event = event;
		nb->parent = parent;
		nb->shares = shares_memory(s, parent, (pid_t)msg, event);
		/* A second thread: every CPU again before the creator goes
		 * on, not when the new thread's first stop arrives (it may
		 * come later). */
		if (nb->shares && event != PTRACE_EVENT_VFORK) {
			unpin_all(s);
			tracee_unpin(s->t, (pid_t)msg);
		}
		if (nb->stopped)
			newborn_settle(s, nb);
	}
	resume(parent, 0);
}

/* The vfork child of `tid` has exec'd or exited: its parent goes on, in
 * memory that is its own again. */
static void on_vfork_done(struct session *s, pid_t tid)
{
	struct thread *th = thread_find(s, tid);

	if (th && th->lifted)
		put_back_after_vfork(s, th);
	resume(tid, 0);
}

/* Whether a newborn's creator event was seen but not its first stop,
 * which the kernel is bound to report. */
static bool newborns_pending(const struct session *s)
{
	for (size_t i = 0; i < s->nnewborns; i++)
		if (s->newborns[i].event && !s->newborns[i].stopped)
			return true;
	return false;
}

/* Whether a process sharing our memory (clone(CLONE_VM)) still runs:
 * it runs our code and breakpoints after the first process has exited. */
static bool apart_alive(const struct session *s)
{
	for (size_t i = 0; i < s->nthreads; i++)
		if (s->threads[i].apart)
			return true;
	return false;
}

/* A stop of a task we do not know yet: a newborn whose creator's event
 * has not arrived. */
static void on_unknown_stop(struct session *s, pid_t pid)
{
	struct newborn *nb = newborn_get(s, pid);

	nb->stopped = true;
	if (nb->event)
		newborn_settle(s, nb);
}

/* --- the end of a thread or of the image --- */

static void on_exit_event(struct session *s, pid_t tid)
{
	struct thread *th = thread_find(s, tid);
	int64_t hwm;

	if (th && th->kind == TH_THREAD) {
		int64_t rss = sample(s);

		profile_close_all(s->prof, &th->stack, ending(s, rss));
		if (th->pid != s->leader) {
			resume(tid, 0);
			return;
		}
		s->out->final_rss_bytes = rss;
		name_peak(s, s->leader);
		/* The kernel syncs its RSS counters lazily: a sample
		 * can be a page or two above VmHWM. */
		/* VmHWM is the RSS's: another metric's peak is the highest
		 * sample. */
		hwm = rss_get_metric(s->rss) == METRIC_RSS ?
			rss_read_hwm(s->rss) : -1;
		s->out->peak_rss_bytes = hwm > s->max_rss ? hwm : s->max_rss;
	}
	resume(tid, 0);
}

/* Whether a task still runs the old image in memory of its own or
 * shared: a forked child (--children) or a clone(CLONE_VM) process.  The
 * breakpoint table is theirs until they end or exec. */
static bool old_image_runs(const struct session *s)
{
	for (size_t i = 0; i < s->nthreads; i++)
		if (s->threads[i].apart ||
		    (s->threads[i].image && s->threads[i].pid != s->leader))
			return true;
	return false;
}

/* The first process exec'd (thread `tid`, its only one now): profile the
 * same selection in the new image.  False when it goes on unprofiled. */
static bool follow_exec(struct session *s, pid_t tid)
{
	struct thread *th = thread_find(s, tid);
	int rc;

	if (!s->pg || !th)
		return false;
	if (old_image_runs(s)) {
		mp_error("after an exec of process %d its new image is not profiled: other processes still run the old one",
			 (int)tid);
		return false;
	}
	bps_forget(s->bps);
	rc = program_exec(s->pg, tid);
	if (rc < 0 && !s->failed) {
		s->failed = true;
		kill(s->leader, SIGKILL);
	}
	if (rc <= 0)
		return false;
	th->image = true;
	tracee_select(s->t, s->leader);
	return true;
}

static void on_exec_event(struct session *s, pid_t tid)
{
	struct thread *th = thread_find(s, tid);

	if (th && (th->kind == TH_VFORK_CHILD || th->apart)) {
		/* Its own image now: nothing of ours is in it. */
		profile_close_all(s->prof, &th->stack, ending(s, sample(s)));
		th->apart = false;
		if (!s->children) {
			thread_remove(s, tid);
			ptrace(PTRACE_DETACH, tid, 0L, 0L);
			return;
		}
		kid_add(s, tid, false);
		th->kind = TH_THREAD;
		th->pid = tid;
		th->image = false;
		resume(tid, 0);
		return;
	}
	if (th && th->pid != s->leader) {
		/* A child (--children) runs another program now: its
		 * memory still counts, its code is not ours. */
		profile_close_all(s->prof, &th->stack, ending(s, sample(s)));
		th->image = false;
		tracee_leave_image(s->t, th->pid);
		resume(tid, 0);
		return;
	}
	/* The profiled image is gone: close its calls. */
	for (size_t i = 0; i < s->nthreads; i++)
		if (s->threads[i].pid == s->leader) {
			profile_close_all(s->prof, &s->threads[i].stack,
					  ending(s, sample(s)));
			s->threads[i].image = false;
		}
	tracee_reopen_mem(s->t);
	if (follow_exec(s, tid)) {
		resume(tid, 0);
		return;
	}
	/* Keep tracing only to learn how the process ends. */
	tracee_leave_image(s->t, s->leader);
	if (!s->nkids)
		bps_forget(s->bps);
	resume(tid, 0);
}

static void dispatch(struct session *s, pid_t tid, int status)
{
	int sig, event;

	if (WIFEXITED(status) || WIFSIGNALED(status)) {
		thread_remove(s, tid);
		kid_remove(s, tid);
		if (tid == s->leader) {
			if (WIFEXITED(status))
				s->out->exit_code = WEXITSTATUS(status);
			else
				s->out->signal = WTERMSIG(status);
		}
		return;
	}
	if (!WIFSTOPPED(status))
		return;
	sig = WSTOPSIG(status);
	event = status >> 16;
	if (!thread_find(s, tid)) {
		on_unknown_stop(s, tid);
		return;
	}
	switch (event) {
	case 0:
		if (sig == SIGTRAP && on_trap(s, tid))
			return;
		resume(tid, sig);
		return;
	case PTRACE_EVENT_STOP:
		if (sig == SIGSTOP || sig == SIGTSTP || sig == SIGTTIN ||
		    sig == SIGTTOU)
			/* A group stop: stay stopped, but keep reporting. */
			ptrace(PTRACE_LISTEN, tid, 0L, 0L);
		else
			resume(tid, 0);
		return;
	case PTRACE_EVENT_CLONE:
	case PTRACE_EVENT_FORK:
	case PTRACE_EVENT_VFORK:
		on_new_task_event(s, tid, event);
		return;
	case PTRACE_EVENT_VFORK_DONE:
		on_vfork_done(s, tid);
		return;
	case PTRACE_EVENT_EXEC:
		on_exec_event(s, tid);
		return;
	case PTRACE_EVENT_EXIT:
		on_exit_event(s, tid);
		return;
	default:
		resume(tid, 0);
		return;
	}
}

/* Whether thread `tid` has a SIGTRAP of its own pending (SigPnd). */
static bool trap_pending(pid_t tid)
{
	char path[64], buf[256];
	unsigned long long mask = 0;
	FILE *f;

	snprintf(path, sizeof(path), "/proc/%d/status", tid);
	if (!(f = fopen(path, "re")))
		return false;
	while (fgets(buf, sizeof(buf), f))
		if (!strncmp(buf, "SigPnd:", 7))
			mask = strtoull(buf + 7, NULL, 16);
	fclose(f);
	return mask & (1ull << (SIGTRAP - 1));
}

/* A stop seen while letting go: leave the thread stopped, ready to be
 * detached. */
static void detach_stop(struct session *s, pid_t tid, int status)
{
	struct thread *th = thread_find(s, tid);
	int sig = WSTOPSIG(status), event = status >> 16;

	if (!th) {
		/* A task born while we let go: a thread is detached with
		 * the others, a forked child cleaned and let go now. */
		char path[64], buf[256];
		FILE *f;
		pid_t tgid = 0;

		snprintf(path, sizeof(path), "/proc/%d/status", tid);
		if ((f = fopen(path, "re"))) {
			while (fgets(buf, sizeof(buf), f))
				if (!strncmp(buf, "Tgid:", 5))
					tgid = (pid_t)atoi(buf + 5);
			fclose(f);
		}
		if (tgid == s->leader) {
			th = thread_add(s, tid, s->leader, TH_THREAD);
		} else {
			bps_remove_from(s->bps, tid);
			ptrace(PTRACE_DETACH, tid, 0L, 0L);
			return;
		}
	}
	th->stopped = true;
	if (event == PTRACE_EVENT_STOP && trap_pending(tid)) {
		/* Interrupted right after one of our int3s, its SIGTRAP not
		 * yet reported: detached so, it would die of it.  Let it
		 * report the trap (signals come before any instruction), and
		 * undo it below. */
		int st;

		if (ptrace(PTRACE_CONT, tid, 0L, 0L) < 0)
			return;
		while (waitpid(tid, &st, __WALL) < 0)
			if (errno != EINTR)
				return;
		if (WIFEXITED(st) || WIFSIGNALED(st)) {
			thread_remove(s, tid);
			return;
		}
		event = st >> 16;
		sig = WSTOPSIG(st);
	}
	if (event)
		return;
	if (sig == SIGTRAP) {
		struct user_regs_struct regs;
		const struct bp *bp;

		if (ptrace(PTRACE_GETREGS, tid, 0L, &regs) == 0 &&
		    (bp = bps_lookup(s->bps, regs.rip - 1))) {
			/* It hit one of our int3s: once the original byte is
			 * back it must run that instruction again.  (At a
			 * trampoline's int3 it just goes on from there.) */
			if (bp->how != DS_RESUME) {
				regs.rip--;
				ptrace(PTRACE_SETREGS, tid, 0L, &regs);
			}
			return;
		}
	}
	th->sig = sig;
}

/* The kernel's count of OOM kills so far (/proc/vmstat), -1 unknown. */
static int64_t oom_kills(void)
{
	char buf[8192];
	FILE *f = fopen("/proc/vmstat", "re");
	int64_t n = -1;

	if (!f)
		return -1;
	while (fgets(buf, sizeof(buf), f))
		if (!strncmp(buf, "oom_kill ", 9))
			n = strtoll(buf + 9, NULL, 10);
	fclose(f);
	return n;
}

/* Moves thread `th` (stopped) out of the scratch areas: a thread let go
 * in the middle of a displaced instruction runs it there, then jumps
 * back.  Single-steps it there and back (a few instructions at most);
 * false when it stays, or would wait in a syscall there. */
static bool leave_scratch(struct session *s, struct thread *th)
{
	pid_t tid = th->tid;
	struct user_regs_struct regs;
	unsigned char insn[2];
	int st;

	for (int step = 0; step < 16; step++) {
		if (ptrace(PTRACE_GETREGS, tid, 0L, &regs) < 0)
			return false;
		if (!bps_in_scratch(s->bps, regs.rip))
			return true;
		if (tracee_read(s->t, regs.rip, insn, 2) < 0 ||
		    (insn[0] == 0x0f && insn[1] == 0x05))
			return false;
		if (ptrace(PTRACE_SINGLESTEP, tid, 0L, 0L) < 0)
			return false;
		while (waitpid(tid, &st, __WALL) < 0)
			if (errno != EINTR)
				return false;
		if (!WIFSTOPPED(st))
			return false;
		if (WSTOPSIG(st) != SIGTRAP || st >> 16) {
			/* A signal of its own: delivered at the detach (or
			 * queued again), and the thread left where it is. */
			if (!(st >> 16) && !th->sig)
				th->sig = WSTOPSIG(st);
			else if (!(st >> 16))
				syscall(SYS_tgkill, s->leader, tid, WSTOPSIG(st));
			return false;
		}
	}
	return false;
}

/* Letting go: the scratch areas memprof mapped are unmapped, unless a
 * thread cannot be moved out of them (then they stay: harmless). */
static void unmap_scratch(struct session *s)
{
	pid_t via = 0;

	for (size_t i = 0; i < s->nthreads; i++) {
		struct thread *th = &s->threads[i];

		if (th->pid != s->leader || !th->image)
			continue;
		if (!leave_scratch(s, th))
			return;
		if (!via || th->tid == s->leader)
			via = th->tid;
	}
	if (via)
		bps_unmap_scratch(s->bps, via);
}

/* Lets an attached process go: every thread stopped, every breakpoint
 * removed, every thread detached with any signal that was on its way. */
static void detach_all(struct session *s, int leader_sig)
{
	size_t waiting;

	for (size_t i = 0; i < s->nthreads; i++) {
		s->threads[i].stopped = false;
		s->threads[i].sig = 0;
		ptrace(PTRACE_INTERRUPT, s->threads[i].tid, 0L, 0L);
	}
	for (;;) {
		int status;
		pid_t tid;

		waiting = 0;
		for (size_t i = 0; i < s->nthreads; i++)
			waiting += !s->threads[i].stopped;
		if (!waiting)
			break;
		tid = waitpid(-1, &status, __WALL);
		if (tid < 0) {
			if (errno != EINTR)
				break;
			/* A thread held in a call on a scratch area stops
			 * only once memprof has taken note. */
			if (bps_watch_due(s->bps))
				bps_on_watch(s->bps);
			continue;
		}
		if (WIFEXITED(status) || WIFSIGNALED(status)) {
			thread_remove(s, tid);
			if (tid == s->leader) {
				if (WIFEXITED(status))
					s->out->exit_code = WEXITSTATUS(status);
				else
					s->out->signal = WTERMSIG(status);
			}
			continue;
		}
		if (WIFSTOPPED(status))
			detach_stop(s, tid, status);
	}
	s->out->final_rss_bytes = sample(s);
	name_peak(s, s->leader);
	for (size_t i = 0; i < s->nthreads; i++)
		profile_close_all(s->prof, &s->threads[i].stack,
				  ending(s, s->last_rss));
	bps_disarm(s->bps);
	unmap_scratch(s);
	/* A signal given to PTRACE_DETACH is only delivered from a
	 * signal-delivery stop: queue it instead, to be taken on release. */
	if (leader_sig)
		kill(s->leader, leader_sig);
	for (size_t i = 0; i < s->nthreads; i++)
		ptrace(PTRACE_DETACH, s->threads[i].tid, 0L,
		       (long)s->threads[i].sig);
	s->out->detached = 1;
}

/* Periodic samples: SIGALRM breaks waitpid (no SA_RESTART) every
 * interval, while the target runs free. */
static volatile sig_atomic_t ticked;

static void on_tick(int sig)
{
	(void)sig;
	ticked = 1;
}

static void start_ticks(int interval_ms)
{
	struct sigaction sa;
	struct itimerval it;

	memset(&sa, 0, sizeof(sa));
	sa.sa_handler = on_tick;
	sigemptyset(&sa.sa_mask);
	sigaction(SIGALRM, &sa, NULL);
	it.it_interval.tv_sec = interval_ms / 1000;
	it.it_interval.tv_usec = (interval_ms % 1000) * 1000;
	it.it_value = it.it_interval;
	setitimer(ITIMER_REAL, &it, NULL);
}

static void stop_ticks(void)
{
	struct itimerval it;

	memset(&it, 0, sizeof(it));
	setitimer(ITIMER_REAL, &it, NULL);
	signal(SIGALRM, SIG_DFL);
}

int session_run(struct tracee *t, struct breakpoints *bps,
		struct program *pg, struct profile *prof, struct rss *rss,
		struct session_outcome *out, const struct session_config *cfg)
{
	struct session s = {
		.t = t, .bps = bps, .pg = pg, .prof = prof, .rss = rss,
		.leader = tracee_pid(t), .out = out,
		.attached = tracee_is_attached(t), .children = cfg->children,
		.cfg = cfg,
	};
	const volatile sig_atomic_t *stop = cfg->stop;
	bool leader_done = false, leader_exited = false;
	const pid_t *tids;
	size_t ntids = tracee_threads(t, &tids);

	out->exit_code = -1;
	out->signal = 0;
	out->peak_rss_bytes = -1;
	out->final_rss_bytes = -1;
	out->detached = 0;
	memset(&out->peak, 0, sizeof(out->peak));
	out->peak.fn = -1;
	out->stopped_above = 0;
	out->oom = 0;
	out->last_fn = -1;
	out->last_line = 0;
	out->last_rss = -1;
	s.oom_kills = oom_kills();
	if (!ntids)
		thread_add(&s, s.leader, s.leader, TH_THREAD);
	for (size_t i = 0; i < ntids; i++)
		thread_add(&s, tids[i], s.leader, TH_THREAD);
	sample(&s);
	if (cfg->interval_ms > 0)
		start_ticks(cfg->interval_ms);
	for (size_t i = 0; i < s.nthreads; i++) {
		pid_t tid = s.threads[i].tid;

		/* Stopped before us (SIGSTOP, Ctrl-Z), it stays stopped:
		 * its last stop may be the int3 of an injected mmap, where
		 * PTRACE_LISTEN is refused; interrupted, it stops again
		 * before any instruction, reporting its group stop, which
		 * dispatch keeps with PTRACE_LISTEN. */
		if (tracee_job_stopped(t, tid))
			ptrace(PTRACE_INTERRUPT, tid, 0L, 0L);
		resume(tid, 0);
	}
	while (!leader_done) {
		int status;
		pid_t tid;

		if ((s.attached && *stop) || s.hold) {
			detach_all(&s, s.hold ? SIGSTOP : 0);
			break;
		}
		tid = waitpid(-1, &status, __WALL);
		if (tid < 0) {
			if (errno == EINTR) {
				if (ticked) {
					ticked = 0;
					sample(&s); /* the target runs: no stop */
				}
				if (bps_watch_due(s.bps)) {
					/* Each thread stops before its next
					 * instruction, the held one too. */
					for (size_t i = 0; i < s.nthreads; i++)
						ptrace(PTRACE_INTERRUPT,
						       s.threads[i].tid, 0L, 0L);
					bps_on_watch(s.bps);
				}
				continue;
			}
			break;
		}
		dispatch(&s, tid, status);
		if (tid == s.leader && (WIFEXITED(status) || WIFSIGNALED(status)))
			leader_exited = true;
		/* --children: on until every process of the tree is gone.
		 * And a child whose fork was seen must be let go (or
		 * adopted) first: traced when memprof exits, it would die
		 * (PTRACE_O_EXITKILL), and its first stop may come after its
		 * parent's exit.  So must a process sharing the memory, which
		 * runs our breakpoints. */
		if (leader_exited && (!s.children || !s.nthreads) &&
		    !newborns_pending(&s) && !apart_alive(&s))
			leader_done = true;
	}
	if (cfg->interval_ms > 0)
		stop_ticks();
	if (out->signal == SIGKILL && s.oom_kills >= 0 &&
	    oom_kills() > s.oom_kills)
		out->oom = 1;
	tracee_gone(t);
	if (out->detached)
		tracee_forget_threads(t);
	if (out->peak_rss_bytes < 0 && s.attached) {
		int64_t hwm = rss_read_hwm(s.rss);

		out->peak_rss_bytes = hwm > s.max_rss ? hwm : s.max_rss;
	}
	while (s.nthreads)
		thread_remove(&s, s.threads[0].tid);
	if (out->final_rss_bytes < 0)
		out->final_rss_bytes = s.last_rss;
	if (out->peak_rss_bytes < 0)
		out->peak_rss_bytes = s.max_rss;
	while (s.nkids)
		kid_remove(&s, s.kids[0].pid);
	free(s.kids);
	free(s.threads);
	free(s.newborns);
	return s.failed ? -1 : 0;
}
