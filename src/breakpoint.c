/* SPDX-License-Identifier: MIT */
/* breakpoint.c - the int3 table and getting past a hit.
 *
 * The table is an open-addressing hash on the address: the lookup is on
 * the hot path of every line event.  Each breakpoint's instruction is
 * planned once, when it is armed (displace.c): a hit then costs one
 * register write and a resume.  Only instructions that cannot be displaced
 * are single-stepped in place (restore the byte, step, put the int3 back),
 * which lets other threads slip past while the byte is out; their number
 * is reported by scripts/bench.
 *
 * The code is the program's: one that rewrites itself (a JIT, a hot
 * patch) may replace an int3 or a trampoline's jump with bytes of its own.
 * Whatever writes saved bytes back (a detach, a forked child let go, the
 * int3 put back after a single-step) first checks that the bytes there are
 * still the ones memprof wrote; where they are not, it leaves the
 * program's and forgets that breakpoint.  So is the memory: a scratch area
 * the program maps over (watch.c tells) is given up, its breakpoints
 * planned again without it.
 */
#define _GNU_SOURCE
#include "breakpoint.h"

#include <errno.h>
#include <fcntl.h>
#include <linux/userfaultfd.h>
#include <signal.h>
#include <stdbool.h>
#include <stdlib.h>
#include <string.h>
#include <sys/ptrace.h>
#include <sys/wait.h>

#include "displace.h"
#include "flow.h"
#include "util.h"
#include "watch.h"

#define INT3 0xcc

/* Longest x86 instruction. */
#define MAX_INSN 15

struct scratch {
	uint64_t base;
	size_t size;
	size_t used;
	bool lost;     /* the program mapped over it (see bps_on_watch) */
};

/* Code where trampolines may go: one function and its jump targets. */
struct region {
	uint64_t lo, hi;
	struct flow_targets targets;
};

/* Bytes replaced by a jump to a trampoline, to put back. */
struct patch {
	uint64_t addr;
	uint8_t len;
	uint8_t orig[MAX_INSN + 8];
	uint8_t mine[MAX_INSN + 8]; /* what memprof wrote: the jump, int3s */
};

/* The length of a jmp rel32. */
#define JMP_LEN 5

/* Scratch areas: one near the program, one near each library. */
#define MAX_SCRATCH 32

struct breakpoints {
	struct tracee *t;
	struct scratch scratch[MAX_SCRATCH];
	size_t nscratch;
	uint64_t stub;        /* `mov $SYS_mmap,%eax; syscall; int3` in the
				 first scratch area: later areas are mapped
				 by running it, never by writing over code
				 other threads may run (STUB_*: the others) */
	struct watch *watch;  /* on the scratch areas; NULL: none */
	bool no_trampolines;
	size_t stepped;
	struct region *regions;
	size_t nregions, regions_cap;
	struct patch *patches;
	size_t npatches, patches_cap;
	struct bp *slots;
	size_t cap;      /* power of two */
	size_t n;
	bool *armed;     /* parallel to slots */
};

static size_t slot_of(const struct breakpoints *b, uint64_t addr)
{
	return (size_t)((addr * 0x9e3779b97f4a7c15ull) >> 32) & (b->cap - 1);
}

static struct bp *find_slot(const struct breakpoints *b, uint64_t addr)
{
	size_t i = slot_of(b, addr);

	while (b->slots[i].addr && b->slots[i].addr != addr)
		i = (i + 1) & (b->cap - 1);
	return &b->slots[i];
}

static void grow(struct breakpoints *b)
{
	struct bp *old = b->slots;
	bool *old_armed = b->armed;
	size_t old_cap = b->cap;

	b->cap = b->cap ? 2 * b->cap : 256;
	b->slots = xcalloc(b->cap, sizeof(*b->slots));
	b->armed = xcalloc(b->cap, sizeof(*b->armed));
	for (size_t i = 0; i < old_cap; i++)
		if (old[i].addr) {
			struct bp *s = find_slot(b, old[i].addr);
			*s = old[i];
			b->armed[s - b->slots] = old_armed[i];
		}
	free(old);
	free(old_armed);
}

struct breakpoints *bps_new(struct tracee *t)
{
	struct breakpoints *b = xcalloc(1, sizeof(*b));

	b->t = t;
	grow(b);
	return b;
}

void bps_free(struct breakpoints *b)
{
	if (!b)
		return;
	watch_close(b->watch);
	for (size_t i = 0; i < b->nregions; i++)
		free(b->regions[i].targets.v);
	free(b->regions);
	free(b->patches);
	free(b->slots);
	free(b->armed);
	free(b);
}

size_t bps_count(const struct breakpoints *b)
{
	return b->n;
}

size_t bps_stepped(const struct breakpoints *b)
{
	return b->stepped;
}

size_t bps_trampolined(const struct breakpoints *b)
{
	return b->npatches;
}

void bps_add_region(struct breakpoints *b, uint64_t lo, uint64_t hi,
		    const struct flow_targets *targets)
{
	struct region *r;

	for (size_t i = 0; i < b->nregions; i++)
		if (b->regions[i].lo == lo && b->regions[i].hi == hi)
			return; /* known already */
	ARRAY_GROW(b->regions, b->nregions + 1, b->regions_cap);
	r = &b->regions[b->nregions++];
	r->lo = lo;
	r->hi = hi;
	r->targets.n = targets->n;
	r->targets.v = xcalloc(targets->n + 1, sizeof(*r->targets.v));
	memcpy(r->targets.v, targets->v, targets->n * sizeof(*r->targets.v));
}

static const struct region *region_of(const struct breakpoints *b,
				      uint64_t addr)
{
	for (size_t i = 0; i < b->nregions; i++)
		if (addr >= b->regions[i].lo && addr < b->regions[i].hi)
			return &b->regions[i];
	return NULL;
}

static const struct patch *patch_over(const struct breakpoints *b,
				      uint64_t addr)
{
	for (size_t i = 0; i < b->npatches; i++)
		if (addr >= b->patches[i].addr &&
		    addr < b->patches[i].addr + b->patches[i].len)
			return &b->patches[i];
	return NULL;
}

/* The stubs in the first scratch area's first slot, each `mov $NR,%eax;
 * syscall; int3`, by offset. */
#define STUB_UFFD 8
#define STUB_CLOSE 16

/* Watches the scratch areas through a userfaultfd the program creates (run
 * by thread `tid`, stopped) and memprof takes; it is closed in the
 * program again at once.  Without one (an old kernel, a filter) they go
 * unwatched. */
static void watch_start(struct breakpoints *b, pid_t tid)
{
	uint64_t args[6] = { O_CLOEXEC | O_NONBLOCK | UFFD_USER_MODE_ONLY },
		 fd, ret;

	if (tracee_inject_syscall(b->t, tid, b->stub + STUB_UFFD, args, &fd) < 0) {
		/* Before Linux 5.11 no user-mode-only flag (then it takes
		 * privilege). */
		args[0] = O_CLOEXEC | O_NONBLOCK;
		if (errno != EINVAL ||
		    tracee_inject_syscall(b->t, tid, b->stub + STUB_UFFD, args,
					  &fd) < 0)
			return;
	}
	b->watch = watch_open(tracee_pid(b->t), (int)fd);
	args[0] = fd;
	tracee_inject_syscall(b->t, tid, b->stub + STUB_CLOSE, args, &ret);
}

int bps_reserve_scratch(struct breakpoints *b, pid_t tid, uint64_t near,
			size_t nslots)
{
	static const unsigned char stub[] = {
		0xb8, 9, 0, 0, 0, 0x0f, 0x05, 0xcc,       /* mmap */
		0xb8, 0x43, 1, 0, 0, 0x0f, 0x05, 0xcc,    /* userfaultfd */
		0xb8, 3, 0, 0, 0, 0x0f, 0x05, 0xcc,       /* close */
	};
	size_t page = 4096, size;
	uint64_t hint, addr = 0;
	unsigned char *fill;
	struct scratch *sc;

	/* No area (every breakpoint stepped in place) rather than an mmap
	 * a seccomp filter kills the program for; asked each time, as the
	 * program may have installed one since the last area.  Once the
	 * stub is lost with its area, no more areas: mapping one over a
	 * thread's instruction is only safe at the start. */
	if (b->nscratch == MAX_SCRATCH || (b->nscratch && !b->stub) ||
	    !tracee_may_inject(b->t, tid))
		return 0;
	nslots += !b->nscratch; /* the stub's slot */
	size = (nslots * DS_SLOT_SIZE + page - 1) & ~(page - 1);
	if (near < size + 0x10000)
		return 0;
	hint = (near & ~(uint64_t)(page - 1)) - size;

	/* Below the code, never above it: a program's heap grows up from
	 * there. */
	for (int i = 0; i < 64 && hint >= 0x10000 && hint < near; i++) {
		if (tracee_inject_mmap(b->t, tid, hint, size, b->stub, &addr) == 0)
			break;
		if (errno != EEXIST)
			return mp_error("cannot map a scratch page in the target: %m");
		addr = 0;
		hint -= size > (1u << 20) ? size : (1u << 20);
	}
	if (!addr)
		return 0; /* nothing free within reach: step there */
	/* Touch it all now, so its pages are resident before they are used
	 * and never show up in a line's increment. */
	fill = xcalloc(1, size);
	if (!b->nscratch)
		memcpy(fill, stub, sizeof(stub));
	if (tracee_write_image(b->t, addr, fill, size) < 0) {
		free(fill);
		return mp_error("cannot write the scratch page: %m");
	}
	free(fill);
	sc = &b->scratch[b->nscratch++];
	sc->base = addr;
	sc->size = size;
	sc->used = 0;
	if (!b->stub) {
		b->stub = addr;
		sc->used = DS_SLOT_SIZE;
		watch_start(b, tid);
	}
	if (b->watch && watch_add(b->watch, addr, addr + size) < 0) {
		watch_close(b->watch);
		b->watch = NULL;
	}
	return 0;
}

bool bps_in_scratch(const struct breakpoints *b, uint64_t addr)
{
	for (size_t i = 0; i < b->nscratch; i++)
		if (addr >= b->scratch[i].base &&
		    addr - b->scratch[i].base < b->scratch[i].size)
			return true;
	return false;
}

bool bps_rewinds(void *b, uint64_t pc)
{
	const struct bp *bp = bps_lookup(b, pc - 1);

	return bp && bp->how != DS_RESUME;
}

int bps_unmap_scratch(struct breakpoints *b, pid_t tid)
{
	/* The first area, holding the stub, last. */
	while (b->nscratch) {
		const struct scratch *sc = &b->scratch[b->nscratch - 1];

		if (tracee_inject_munmap(b->t, tid, sc->base, sc->size) < 0)
			return -1;
		b->nscratch--;
	}
	b->stub = 0;
	return 0;
}

void bps_no_trampolines(struct breakpoints *b)
{
	b->no_trampolines = true;
}

/* The original bytes at addr..addr+n, as if no int3 were armed. */
static int orig_bytes(struct breakpoints *b, uint64_t addr, uint8_t *buf,
		      size_t n)
{
	if (tracee_read(b->t, addr, buf, n) < 0) {
		/* The last instruction of a mapping: read less. */
		while (n > 1 && tracee_read(b->t, addr, buf, --n) < 0)
			;
		if (n <= 1 && tracee_read(b->t, addr, buf, 1) < 0)
			return -1;
	}
	for (size_t i = 0; i < n; i++) {
		const struct bp *o = bps_lookup(b, addr + i);
		const struct patch *p = patch_over(b, addr + i);

		if (o && b->armed[o - b->slots])
			buf[i] = o->orig;
		if (p)
			buf[i] = p->orig[addr + i - p->addr];
	}
	return (int)n;
}

/* A free slot within rel32 reach of `near`, taken; 0 when none. */
static uint64_t take_slot(struct breakpoints *b, uint64_t near)
{
	for (size_t i = 0; i < b->nscratch; i++) {
		struct scratch *sc = &b->scratch[i];
		uint64_t slot = sc->base + sc->used;

		if (sc->used + DS_SLOT_SIZE > sc->size ||
		    !ds_reach(slot, near) || !ds_reach(near, slot + DS_SLOT_SIZE))
			continue;
		sc->used += DS_SLOT_SIZE;
		return slot;
	}
	return 0;
}

struct cover_ctx {
	const struct breakpoints *b;
	const struct region *r;
};

/* An instruction boundary a trampoline's jump may not cover. */
static int forbidden(void *arg, uint64_t addr)
{
	const struct cover_ctx *c = arg;

	return addr >= c->r->hi || bps_lookup(c->b, addr) ||
	       flow_targets_has(&c->r->targets, addr);
}

/* The `len` bytes that send a thread at `addr` to the trampoline at `to`:
 * jmp rel32, then int3s over the rest of the moved instructions, which is
 * never run (any mistake there is loud). */
static void jump_bytes(uint64_t addr, uint64_t to, size_t len, uint8_t *out)
{
	int32_t rel = (int32_t)(to - (addr + JMP_LEN));

	out[0] = 0xe9;
	memcpy(&out[1], &rel, sizeof(rel));
	memset(&out[JMP_LEN], INT3, len - JMP_LEN);
}

/* Tries a trampoline for `bp` (an entry or line start inside a region). */
static int plan_trampoline(struct breakpoints *b, struct bp *bp)
{
	const struct region *r = region_of(b, bp->addr);
	struct cover_ctx c = { b, r };
	uint8_t code[MAX_INSN + 8];
	struct ds_plan p;
	struct patch *pt;
	uint64_t slot;
	int n;

	if (!r || b->no_trampolines || (bp->kinds & BP_RETURN) ||
	    !(slot = take_slot(b, bp->addr)))
		return -1;
	n = orig_bytes(b, bp->addr,
		       code, (size_t)(r->hi - bp->addr) < sizeof(code) ?
				     (size_t)(r->hi - bp->addr) : sizeof(code));
	if (n <= 0 || ds_plan_trampoline(code, (size_t)n, bp->addr, slot,
					 forbidden, &c, &p) < 0 ||
	    tracee_write_image(b->t, slot, p.code, p.ncode) < 0)
		return -1;
	ARRAY_GROW(b->patches, b->npatches + 1, b->patches_cap);
	pt = &b->patches[b->npatches++];
	pt->addr = bp->addr;
	pt->len = p.len;
	memcpy(pt->orig, code, p.len);
	jump_bytes(bp->addr, slot, p.len, pt->mine);
	bp->how = DS_TRAMPOLINE;
	bp->len = p.len;
	bp->to = slot;
	return 0;
}

/* Decides how threads get past `bp` and writes its displaced
 * instruction. */
static void plan(struct breakpoints *b, struct bp *bp)
{
	uint8_t code[MAX_INSN];
	struct ds_plan p;
	uint64_t slot = 0;
	int n = orig_bytes(b, bp->addr, code, sizeof(code));

	bp->how = DS_STEP;
	if (n <= 0) {
		if (bp->kinds & (BP_ENTRY | BP_LINE | BP_COPY | BP_LEAVE |
					BP_REENTER))
			b->stepped++;
		return;
	}
	slot = take_slot(b, bp->addr);
	ds_plan(code, (size_t)n, bp->addr, slot, &p);
	if (p.kind == DS_DISPLACED &&
	    tracee_write_image(b->t, slot, p.code, p.ncode) < 0)
		p.kind = DS_STEP;
	bp->how = (uint8_t)p.kind;
	bp->len = p.len;
	switch (p.kind) {
	case DS_DISPLACED:
		bp->to = slot;
		break;
	case DS_JUMP:
	case DS_CALL:
		bp->to = p.target;
		break;
	default: /* DS_STEP: ds_plan makes no other kind */
		if (bp->kinds & (BP_ENTRY | BP_LINE | BP_COPY | BP_LEAVE |
					BP_REENTER))
			b->stepped++;
		break;
	}
}

static struct bp *insert(struct breakpoints *b, uint64_t addr)
{
	struct bp *s;

	if (2 * (b->n + 1) > b->cap)
		grow(b);
	s = find_slot(b, addr);
	if (!s->addr) {
		s->addr = addr;
		s->cfa_reg = -1;
		b->n++;
	}
	return s;
}

void bps_add_in(struct breakpoints *b, uint64_t addr, unsigned kinds,
		unsigned fn, unsigned line, unsigned copy, unsigned enter)
{
	struct bp *s = insert(b, addr);

	if (kinds & BP_ENTRY)
		s->entry_fn = fn;
	if ((kinds & BP_LINE) || ((kinds & BP_REENTER) && !(s->kinds & BP_LINE))) {
		s->fn = fn;
		s->line = line;
	}
	if (kinds & (BP_LINE | BP_COPY | BP_LEAVE | BP_REENTER))
		s->copy = copy;
	s->kinds |= (uint8_t)kinds;
	s->site = addr;
	if (kinds & BP_COPY)
		s->enter = enter;
}

void bps_set_frame(struct breakpoints *b, uint64_t addr, int reg, int64_t off)
{
	struct bp *s = find_slot(b, addr);

	if (!s->addr)
		return;
	s->cfa_reg = (reg == 6 || reg == 7) && off >= INT32_MIN && off <= INT32_MAX ?
			     (int8_t)reg : -1;
	s->cfa_off = s->cfa_reg >= 0 ? (int32_t)off : 0;
}

void bps_add(struct breakpoints *b, uint64_t addr, unsigned kinds,
	     unsigned fn, unsigned line)
{
	bps_add_in(b, addr, kinds, fn, line, 0, 0);
}

const struct bp *bps_lookup(const struct breakpoints *b, uint64_t addr)
{
	const struct bp *s = find_slot(b, addr);

	return s->addr ? s : NULL;
}

static int cmp_addr(const void *x, const void *y)
{
	const struct bp *const *a = x, *const *c = y;

	return (*a)->addr < (*c)->addr ? -1 : (*a)->addr > (*c)->addr;
}

/* Largest gap between two breakpoints still patched in one write. */
#define SPAN_GAP 4096

int bps_arm(struct breakpoints *b)
{
	struct bp **todo = xcalloc(b->n, sizeof(*todo));
	size_t n = 0, i = 0, ntramp = 0, tramp_cap = 0;
	unsigned char *buf = NULL;
	struct bp *tramp = NULL;
	int rc = 0;

	for (size_t k = 0; k < b->cap; k++)
		if (b->slots[k].addr && !b->armed[k] &&
		    b->slots[k].how != DS_RESUME &&
		    b->slots[k].how != DS_TRAMPOLINE)
			todo[n++] = &b->slots[k];
	qsort(todo, n, sizeof(*todo), cmp_addr);
	for (size_t k = 0; k < n; k++)
		if (plan_trampoline(b, todo[k]) < 0)
			plan(b, todo[k]);
	while (i < n && rc == 0) {
		size_t j = i + 1, len;
		uint64_t lo = todo[i]->addr, hi = lo + 1;

		for (;;) {
			struct bp *last = todo[j - 1];
			uint64_t end = last->addr +
				       (last->how == DS_TRAMPOLINE ? last->len : 1);

			if (end > hi)
				hi = end;
			if (j == n || todo[j]->addr - hi > SPAN_GAP)
				break;
			j++;
		}
		len = (size_t)(hi - lo);
		buf = xrealloc(buf, len);
		if (tracee_read(b->t, lo, buf, len) < 0) {
			rc = mp_error("cannot read the code at %#llx: %m",
				      (unsigned long long)lo);
			break;
		}
		for (size_t k = i; k < j; k++) {
			struct bp *bp = todo[k];
			uint8_t *at = &buf[bp->addr - lo];

			if (bp->how == DS_TRAMPOLINE) {
				jump_bytes(bp->addr, bp->to, bp->len, at);
			} else {
				bp->orig = *at;
				*at = INT3;
			}
		}
		if (tracee_write_image(b->t, lo, buf, len) < 0) {
			rc = mp_error("cannot write a breakpoint at %#llx: %m",
				      (unsigned long long)lo);
			break;
		}
		for (size_t k = i; k < j; k++) {
			if (todo[k]->how != DS_TRAMPOLINE) {
				b->armed[todo[k] - b->slots] = true;
				continue;
			}
			ARRAY_GROW(tramp, ntramp + 1, tramp_cap);
			tramp[ntramp++] = *todo[k];
		}
		i = j;
	}
	/* The trampolines' int3s, entered after the loops above: inserting
	 * may move the table under `todo`. */
	for (size_t k = 0; k < ntramp; k++) {
		struct bp *s = insert(b, tramp[k].to);

		*s = tramp[k];
		s->addr = tramp[k].to;
		s->site = tramp[k].addr;
		s->how = DS_RESUME;
	}
	free(tramp);
	free(buf);
	free(todo);
	return rc;
}

int bps_add_return(struct breakpoints *b, uint64_t addr)
{
	struct bp *s = insert(b, addr);
	size_t k = (size_t)(s - b->slots);
	unsigned char c = INT3;

	if (s->how == DS_TRAMPOLINE) {
		/* A line start behind a trampoline: its int3 there serves. */
		s->kinds |= BP_RETURN;
		s = insert(b, s->to);
		s->kinds |= BP_RETURN;
		return 0;
	}
	if (patch_over(b, addr) || s->how == DS_RESUME) {
		/* Inside moved code: the call closes at the next event. */
		s->kinds &= (uint8_t)~BP_RETURN;
		return 0;
	}
	s->kinds |= BP_RETURN;
	if (b->armed[k])
		return 0;
	plan(b, s);
	if (tracee_read(b->t, addr, &s->orig, 1) < 0 ||
	    tracee_write_image(b->t, addr, &c, 1) < 0)
		return -1;
	b->armed[k] = true;
	return 0;
}

/* Removes slot `i` from the table, moving later entries of its probe run
 * back so that every lookup still finds them. */
static void drop_slot(struct breakpoints *b, size_t i)
{
	size_t j = i;

	memset(&b->slots[i], 0, sizeof(b->slots[i]));
	b->armed[i] = false;
	b->n--;
	for (;;) {
		size_t home;

		j = (j + 1) & (b->cap - 1);
		if (!b->slots[j].addr)
			break;
		home = slot_of(b, b->slots[j].addr);
		/* The entry at j may fill the hole at i when its home is
		 * not cyclically within (i, j]. */
		if (i < j ? home > i && home <= j : home > i || home <= j)
			continue;
		b->slots[i] = b->slots[j];
		b->armed[i] = b->armed[j];
		memset(&b->slots[j], 0, sizeof(b->slots[j]));
		b->armed[j] = false;
		i = j;
	}
}

/* Forgets the breakpoint at `addr` (and a trampoline's int3 with it)
 * without touching memory: the program has rewritten the code there. */
static void forget_at(struct breakpoints *b, uint64_t addr)
{
	struct bp *s = find_slot(b, addr);
	uint64_t to = s->to;
	bool tramp = s->how == DS_TRAMPOLINE;

	if (!s->addr)
		return;
	drop_slot(b, (size_t)(s - b->slots));
	if (!tramp)
		return;
	s = find_slot(b, to);
	if (s->addr && s->how == DS_RESUME)
		drop_slot(b, (size_t)(s - b->slots));
	for (size_t i = 0; i < b->npatches; i++)
		if (b->patches[i].addr == addr) {
			b->patches[i] = b->patches[--b->npatches];
			break;
		}
}

/* Single-steps the original instruction in place.  Returns as
 * bps_resume, with *sig a signal that arrived during the step (to deliver
 * on resume). */
static int step_over(struct breakpoints *b, pid_t tid, const struct bp *bp,
		     struct user_regs_struct *regs, int *sig, int *status)
{
	uint64_t addr = bp->addr;
	unsigned char c = INT3, now;
	int st, rc = 0;

	*sig = 0;
	regs->rip = addr;
	if (ptrace(PTRACE_SETREGS, tid, 0L, regs) < 0 ||
	    tracee_write(b->t, addr, &bp->orig, 1) < 0)
		return -1;
	for (;;) {
		if (ptrace(PTRACE_SINGLESTEP, tid, 0L, 0L) < 0) {
			rc = -1;
			break;
		}
		while (waitpid(tid, &st, __WALL) < 0)
			if (errno != EINTR) {
				rc = -1;
				goto out;
			}
		if (WIFSTOPPED(st) && WSTOPSIG(st) == SIGTRAP && !(st >> 16))
			break;
		if (WIFSTOPPED(st) && !(st >> 16) && !*sig) {
			/* A signal arrived first: deliver it after the step,
			 * while the int3 is back in place. */
			*sig = WSTOPSIG(st);
			continue;
		}
		*status = st;
		rc = 1;
		break;
	}
out:
	/* The step may have rewritten the instruction (or another thread
	 * the byte): then the code is the program's, no longer ours. */
	if (tracee_read(b->t, addr, &now, 1) == 0 && now != bp->orig)
		forget_at(b, addr);
	else
		tracee_write(b->t, addr, &c, 1);
	return rc;
}

int bps_resume(struct breakpoints *b, pid_t tid, const struct bp *bp,
	       struct user_regs_struct *regs, int *status)
{
	int sig = 0, rc;
	uint64_t ret;

	switch (bp->how) {
	case DS_RESUME:
		return ptrace(PTRACE_CONT, tid, 0L, 0L) < 0 ? -1 : 0;
	case DS_DISPLACED:
	case DS_JUMP:
		regs->rip = bp->to;
		break;
	case DS_CALL:
		/* The call, done for the thread: its real return address
		 * goes on its stack. */
		ret = bp->addr + bp->len;
		regs->rsp -= sizeof(ret);
		if (tracee_write(b->t, regs->rsp, &ret, sizeof(ret)) < 0)
			return -1;
		regs->rip = bp->to;
		break;
	default:
		/* The target's own int3 (a debug-trap macro) under ours: the
		 * trap just taken is the one it would have raised, PC past
		 * it.  Hand that SIGTRAP (and its siginfo) back; a step
		 * would end on the trap and swallow it. */
		if (bp->orig == INT3) {
			regs->rip = bp->addr + 1;
			if (ptrace(PTRACE_SETREGS, tid, 0L, regs) < 0)
				return -1;
			return ptrace(PTRACE_CONT, tid, 0L, (long)SIGTRAP) < 0 ?
				       -1 : 0;
		}
		rc = step_over(b, tid, bp, regs, &sig, status);
		if (rc != 0)
			return rc;
		return ptrace(PTRACE_CONT, tid, 0L, (long)sig) < 0 ? -1 : 0;
	}
	if (ptrace(PTRACE_SETREGS, tid, 0L, regs) < 0 ||
	    ptrace(PTRACE_CONT, tid, 0L, 0L) < 0)
		return -1;
	return 0;
}

/* One place memprof wrote: an int3 or a trampoline's jump. */
struct undo {
	uint64_t addr;
	size_t len;
	const uint8_t *mine, *orig;
};

static int cmp_undo(const void *x, const void *y)
{
	const struct undo *a = x, *c = y;

	return a->addr < c->addr ? -1 : a->addr > c->addr;
}

static int mem_io(struct breakpoints *b, pid_t pid, bool write, uint64_t addr,
		  void *buf, size_t n)
{
	if (write)
		return pid ? tracee_write_pid(pid, addr, buf, n) :
			     tracee_write(b->t, addr, buf, n);
	return pid ? tracee_read_pid(pid, addr, buf, n) :
		     tracee_read(b->t, addr, buf, n);
}

/* Puts the original bytes of places u[0..n) (sorted, in one span) back in
 * `buf`, which holds the span's current bytes from `lo`, where memprof's
 * are still there.  A place the program has rewritten keeps its bytes and
 * goes into `gone`. */
static void undo_span(const struct undo *u, size_t n, uint64_t lo,
		      uint8_t *buf, uint64_t *gone, size_t *ngone)
{
	for (size_t k = 0; k < n; k++) {
		uint8_t *at = &buf[u[k].addr - lo];
		/* A jump is whole or not ours: after it, an int3 still
		 * there is ours (the program may have replaced just the
		 * jump's bytes). */
		bool ours = !memcmp(at, u[k].mine, u[k].len < JMP_LEN ? u[k].len :
								     JMP_LEN);

		for (size_t i = ours ? 0 : JMP_LEN; i < u[k].len; i++)
			if (at[i] == u[k].mine[i])
				at[i] = u[k].orig[i];
		if (!ours)
			gone[(*ngone)++] = u[k].addr;
	}
}

/* Writes the original bytes back into process `pid` (0: the target)
 * wherever they are still memprof's, nearby places in one read and one
 * write; forgets the breakpoints whose code the target rewrote.  All of
 * the process's threads are stopped. */
static int restore(struct breakpoints *b, pid_t pid)
{
	static const uint8_t int3 = INT3;
	struct undo *u = xcalloc(b->n + b->npatches + 1, sizeof(*u));
	uint64_t *gone = xcalloc(b->n + b->npatches + 1, sizeof(*gone));
	size_t n = 0, ngone = 0, i = 0;
	uint8_t *buf = NULL;
	int rc = 0;

	for (size_t k = 0; k < b->npatches; k++)
		u[n++] = (struct undo){ b->patches[k].addr, b->patches[k].len,
					b->patches[k].mine, b->patches[k].orig };
	for (size_t k = 0; k < b->cap; k++)
		if (b->slots[k].addr && b->armed[k])
			u[n++] = (struct undo){ b->slots[k].addr, 1, &int3,
						&b->slots[k].orig };
	qsort(u, n, sizeof(*u), cmp_undo);
	while (i < n) {
		size_t j = i + 1, len;
		uint64_t lo = u[i].addr, hi = lo + u[i].len;

		while (j < n && (u[j].addr < hi || u[j].addr - hi <= SPAN_GAP)) {
			if (u[j].addr + u[j].len > hi)
				hi = u[j].addr + u[j].len;
			j++;
		}
		len = (size_t)(hi - lo);
		buf = xrealloc(buf, len);
		if (mem_io(b, pid, false, lo, buf, len) == 0) {
			undo_span(&u[i], j - i, lo, buf, gone, &ngone);
			if (mem_io(b, pid, true, lo, buf, len) < 0)
				rc = -1;
		} else {
			/* Part of the span is unmapped: place by place. */
			for (size_t k = i; k < j; k++) {
				if (mem_io(b, pid, false, u[k].addr, buf,
					   u[k].len) < 0) {
					rc = -1;
					continue;
				}
				undo_span(&u[k], 1, u[k].addr, buf, gone, &ngone);
				if (mem_io(b, pid, true, u[k].addr, buf,
					   u[k].len) < 0)
					rc = -1;
			}
		}
		i = j;
	}
	/* After the loop: the places point into the table.  A forked
	 * child's differing bytes say nothing of the target's: a
	 * breakpoint armed after the fork is not in the child at all. */
	for (size_t k = 0; !pid && k < ngone; k++)
		forget_at(b, gone[k]);
	free(buf);
	free(gone);
	free(u);
	return rc;
}

int bps_remove_from(struct breakpoints *b, pid_t pid)
{
	return restore(b, pid);
}

int bps_disarm(struct breakpoints *b)
{
	int rc;

	/* First: whoever unmaps the scratch areas next must not wait on a
	 * watch. */
	watch_close(b->watch);
	b->watch = NULL;
	rc = restore(b, 0);

	/* Failed places stay as they are: nothing more can be done for
	 * them, and the session ends. */
	b->npatches = 0;
	memset(b->armed, 0, b->cap * sizeof(*b->armed));
	return rc;
}

int bps_lift(struct breakpoints *b)
{
	int rc = 0;

	for (size_t i = 0; i < b->npatches; i++)
		if (tracee_write(b->t, b->patches[i].addr, b->patches[i].orig,
				 b->patches[i].len) < 0)
			rc = -1;
	for (size_t k = 0; k < b->cap; k++)
		if (b->slots[k].addr && b->armed[k] &&
		    tracee_write(b->t, b->slots[k].addr, &b->slots[k].orig,
				 1) < 0)
			rc = -1;
	return rc;
}

/* Whether one of `pcs` is past the first byte of `pt`'s bytes: a thread
 * stopped there would resume in the middle of the jump. */
static bool inside_patch(const struct patch *pt, const uint64_t *pcs,
			 size_t npcs)
{
	for (size_t i = 0; i < npcs; i++)
		if (pcs[i] > pt->addr && pcs[i] - pt->addr < pt->len)
			return true;
	return false;
}

bool bps_in_patch(const struct breakpoints *b, uint64_t pc)
{
	for (size_t i = 0; i < b->npatches; i++)
		if (inside_patch(&b->patches[i], &pc, 1))
			return true;
	return false;
}

int bps_put_back(struct breakpoints *b, const uint64_t *pcs, size_t npcs)
{
	uint8_t code[MAX_INSN + 8], c = INT3;
	int rc = 0;

	for (size_t i = 0; i < b->npatches; i++) {
		const struct bp *bp = bps_lookup(b, b->patches[i].addr);

		/* Left lifted under a thread: that line goes unseen, and
		 * the bytes, no longer memprof's, are left alone later. */
		if (!bp || bp->how != DS_TRAMPOLINE ||
		    inside_patch(&b->patches[i], pcs, npcs))
			continue;
		jump_bytes(bp->addr, bp->to, bp->len, code);
		if (tracee_write(b->t, bp->addr, code, bp->len) < 0)
			rc = -1;
	}
	for (size_t k = 0; k < b->cap; k++)
		if (b->slots[k].addr && b->armed[k] &&
		    tracee_write(b->t, b->slots[k].addr, &c, 1) < 0)
			rc = -1;
	return rc;
}

int bps_watch_due(const struct breakpoints *b)
{
	return b->watch && watch_due(b->watch);
}

/* The trampoline at `addr` led into a lost area: its int3 goes back in
 * place (first, so that a thread arriving meanwhile stops there), then
 * the rest of the original bytes, and it is planned again. */
static void untrampoline(struct breakpoints *b, uint64_t addr)
{
	struct patch pt;
	uint8_t now[sizeof(pt.mine)];
	unsigned char c = INT3;
	struct bp *s;
	size_t i;

	for (i = 0; i < b->npatches && b->patches[i].addr != addr; i++)
		;
	if (i == b->npatches)
		return;
	pt = b->patches[i];
	b->patches[i] = b->patches[--b->npatches];
	s = find_slot(b, find_slot(b, addr)->to);
	if (s->addr && s->how == DS_RESUME)
		drop_slot(b, (size_t)(s - b->slots));
	s = find_slot(b, addr);
	if (tracee_read(b->t, addr, now, pt.len) < 0 ||
	    memcmp(now, pt.mine, JMP_LEN)) {
		/* The program's own code there now. */
		drop_slot(b, (size_t)(s - b->slots));
		return;
	}
	if (tracee_write_image(b->t, addr, &c, 1) < 0 ||
	    tracee_write_image(b->t, addr + 1, &pt.orig[1], pt.len - 1u) < 0) {
		drop_slot(b, (size_t)(s - b->slots));
		return;
	}
	s->orig = pt.orig[0];
	b->armed[s - b->slots] = true;
	plan(b, s);
}

/* Area `sc` is the program's now: every breakpoint that sent threads
 * there is planned again without it (another area within reach, or in
 * place). */
static void lose_area(struct breakpoints *b, struct scratch *sc)
{
	uint64_t lo = sc->base, hi = sc->base + sc->size;
	uint64_t *sites = xcalloc(b->n + 1, sizeof(*sites));
	size_t n = 0;

	sc->lost = true;
	sc->used = sc->size;
	watch_remove(b->watch, lo, hi);
	if (b->stub >= lo && b->stub < hi)
		b->stub = 0;
	for (size_t k = 0; k < b->cap; k++) {
		const struct bp *bp = &b->slots[k];

		if (bp->addr && bp->to >= lo && bp->to < hi &&
		    (bp->how == DS_TRAMPOLINE || bp->how == DS_DISPLACED))
			sites[n++] = bp->addr;
	}
	/* By address, as the table moves under removals. */
	for (size_t k = 0; k < n; k++) {
		struct bp *bp = find_slot(b, sites[k]);

		if (!bp->addr)
			continue;
		if (bp->how == DS_TRAMPOLINE)
			untrampoline(b, sites[k]);
		else
			plan(b, bp);
	}
	free(sites);
}

void bps_on_watch(struct breakpoints *b)
{
	uint64_t lo, hi;

	while (b->watch && watch_next(b->watch, &lo, &hi) > 0)
		for (size_t i = 0; i < b->nscratch; i++) {
			struct scratch *sc = &b->scratch[i];

			if (sc->lost || hi <= sc->base || lo >= sc->base + sc->size)
				continue;
			lose_area(b, sc);
			mp_error("the program mapped over memprof's scratch area at %#llx; its breakpoints there run in place from now on",
				 (unsigned long long)sc->base);
		}
}

void bps_forget(struct breakpoints *b)
{
	watch_close(b->watch);
	b->watch = NULL;
	memset(b->slots, 0, b->cap * sizeof(*b->slots));
	memset(b->armed, 0, b->cap * sizeof(*b->armed));
	b->n = 0;
	b->stepped = 0;
	b->npatches = 0;
	memset(b->scratch, 0, sizeof(b->scratch));
	b->nscratch = 0;
	b->stub = 0;
	for (size_t i = 0; i < b->nregions; i++)
		free(b->regions[i].targets.v);
	b->nregions = 0;
}

void bps_forget_range(struct breakpoints *b, uint64_t lo, uint64_t hi)
{
	struct bp *old = b->slots;
	bool *old_armed = b->armed;
	size_t old_cap = b->cap, k = 0;

	/* Rebuild the table without them: open addressing has no cheap
	 * removal, and this happens once per library unloaded. */
	b->slots = xcalloc(b->cap, sizeof(*b->slots));
	b->armed = xcalloc(b->cap, sizeof(*b->armed));
	b->n = 0;
	for (size_t i = 0; i < old_cap; i++) {
		struct bp *s;

		if (!old[i].addr || (old[i].site >= lo && old[i].site < hi))
			continue;
		s = find_slot(b, old[i].addr);
		*s = old[i];
		b->armed[s - b->slots] = old_armed[i];
		b->n++;
	}
	for (size_t i = 0; i < b->npatches; i++)
		if (b->patches[i].addr < lo || b->patches[i].addr >= hi)
			b->patches[k++] = b->patches[i];
	b->npatches = k;
	free(old);
	free(old_armed);
}
