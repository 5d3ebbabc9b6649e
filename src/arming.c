/* SPDX-License-Identifier: MIT */
/* arming.c - the breakpoints that profiling a set of functions takes.
 *
 * For each function of one object: its entry, the line starts worth a
 * stop (flow.c prunes the others), the frame rule at each; for each of
 * their inlined copies, where its call begins, its lines, where it is
 * left and where the code around it comes back into it.  They are only
 * registered here (breakpoint.c arms them) and the profile learns the
 * functions and copies.  Which functions, from which object, is
 * program.c's choice.
 */
#include "arming.h"

#include <stdbool.h>
#include <stdlib.h>
#include <string.h>

#include "breakpoint.h"
#include "debuginfo.h"
#include "flow.h"
#include "profile.h"
#include "tracee.h"
#include "util.h"

/* `n` ranges of the debug information as flow.c's, malloc'd with room
 * for `extra` more. */
static struct flow_range *to_flow_ranges(const struct di_range *r, size_t n,
					 size_t extra)
{
	struct flow_range *v = xcalloc(n + extra + 1, sizeof(*v));

	for (size_t i = 0; i < n; i++) {
		v[i].lo = r[i].lo;
		v[i].hi = r[i].hi;
	}
	return v;
}

/* Which line starts of `f` need a breakpoint (see flow_prune), from the
 * code as loaded; registers the function as a trampoline
 * region when its code could be analysed. */
static long prune(struct arming *a, const struct di_function *f, int *keep)
{
	size_t n = (size_t)(f->code.hi - f->code.lo);
	struct flow_targets targets = { 0 };
	struct flow_function ff = {
		.code = { f->code.lo, f->code.hi },
		.entry = f->entry,
		.nrows = f->nrows,
		.ninlined = f->ninlined,
	};
	struct flow_row *rows;
	struct flow_range *inlined;
	uint8_t *code;
	long rc = -1;

	if (!f->code.hi || n > (64u << 20))
		return -1;
	code = xmalloc(n);
	if (tracee_read(a->t, f->code.lo + a->bias, code, n) == 0) {
		rows = xcalloc(f->nrows + 1, sizeof(*rows));
		for (size_t r = 0; r < f->nrows; r++) {
			rows[r].addr = f->rows[r].addr;
			rows[r].line = f->rows[r].line;
		}
		inlined = to_flow_ranges(f->inlined, f->ninlined, 0);
		ff.rows = rows;
		ff.inlined = inlined;
		rc = flow_prune(&ff, code, keep, &targets);
		free(inlined);
		free(rows);
	}
	free(code);
	if (rc < 0)
		return rc;
	for (size_t i = 0; i < targets.n; i++)
		targets.v[i] += a->bias;
	bps_add_region(a->bps, f->code.lo + a->bias, f->code.hi + a->bias,
		       &targets);
	free(targets.v);
	return rc;
}

/* Widens the span of the breakpoints to run-time address `at`. */
static void span(struct arming *a, uint64_t at)
{
	if (at < a->lo)
		a->lo = at;
	if (at + 1 > a->hi)
		a->hi = at + 1;
}

/* Registers a breakpoint at file address `at` of object `di`, with the
 * frame rule there: what makes the stack pointer of an event that of its
 * call (see entry_sp() in session.c). */
static void add_bp(struct arming *a, const struct debuginfo *di, uint64_t at,
		   unsigned kinds, unsigned fn, unsigned line, unsigned copy,
		   unsigned enter)
{
	int reg;
	int64_t off;

	bps_add_in(a->bps, at + a->bias, kinds, fn, line, copy, enter);
	if (di && debuginfo_cfa(di, at, &reg, &off) == 0)
		bps_set_frame(a->bps, at + a->bias, reg, off);
	span(a, at + a->bias);
}

/* --- inlined copies ---
 *
 * A copy's call is seen begin where its code begins (BP_COPY: every
 * profiled copy beginning there, nested ones too), its lines at their
 * starts (BP_LINE, in the copy), its end at every address outside it that
 * its code can go to (BP_LEAVE: where execution is then), and going on
 * where the code around it goes back into its middle (BP_REENTER). */

struct copy_ref {
	const struct di_copy *c;
	const struct debuginfo *di; /* its object */
	unsigned fn;         /* profile index of its function */
	unsigned idx;        /* its index in the profile (profile_add_copy) */
};

static int by_nesting(const void *a, const void *b)
{
	const struct copy_ref *x = a, *y = b;

	return (x->c->nouter > y->c->nouter) - (x->c->nouter < y->c->nouter);
}

static const struct copy_ref *ref_by_id(const struct copy_ref *refs, size_t n,
					uint64_t id)
{
	for (size_t i = 0; i < n; i++)
		if (refs[i].c->id == id)
			return &refs[i];
	return NULL;
}

/* The innermost profiled copy whose code `a` is (0: none). */
static unsigned copy_at(const struct copy_ref *refs, size_t n, uint64_t a)
{
	const struct copy_ref *best = NULL;

	for (size_t i = 0; i < n; i++)
		for (size_t r = 0; r < refs[i].c->nranges; r++)
			if (a >= refs[i].c->ranges[r].lo &&
			    a < refs[i].c->ranges[r].hi &&
			    (!best || refs[i].c->nouter > best->c->nouter))
				best = &refs[i];
	return best ? best->idx : 0;
}

/* Whether a profiled copy begins at `a`: its BP_COPY makes the calling
 * line's event there (profile_enter_copies). */
static bool copy_begins(const struct copy_ref *refs, size_t n, uint64_t a)
{
	for (size_t i = 0; i < n; i++)
		if (refs[i].c->entry == a)
			return true;
	return false;
}

/* Adds every copy of `fns` to the profile, parents before the copies in
 * them; returns them, *n their number. */
static struct copy_ref *add_copies(struct arming *a,
				   const struct di_functions *fns,
				   const unsigned *idx, size_t *n)
{
	struct copy_ref *refs = NULL;
	size_t cap = 0;

	*n = 0;
	for (size_t i = 0; i < fns->n; i++)
		for (size_t k = 0; k < fns->v[i].ncopies; k++) {
			ARRAY_GROW(refs, *n + 1, cap);
			refs[*n].c = &fns->v[i].copies[k];
			refs[*n].di = fns->v[i].di;
			refs[*n].fn = idx[i];
			refs[*n].idx = 0;
			(*n)++;
		}
	if (*n > 1)
		qsort(refs, *n, sizeof(*refs), by_nesting);
	for (size_t i = 0; i < *n; i++) {
		const struct di_copy *c = refs[i].c;
		const struct copy_ref *parent = NULL, *around;
		long caller = -1;

		for (size_t o = 0; o < c->nouter && !parent; o++)
			parent = ref_by_id(refs, i, c->outer[o]);
		if (!c->nouter) {
			for (size_t f = 0; f < fns->n && caller < 0; f++)
				if (fns->v[f].entry && fns->v[f].entry == c->host_entry)
					caller = idx[f];
		} else if ((around = ref_by_id(refs, i, c->outer[0]))) {
			caller = around->fn;
		}
		refs[i].idx = profile_add_copy(a->prof, refs[i].fn,
					       parent ? parent->idx : 0,
					       c->call_line ? caller : -1,
					       c->call_line);
	}
	return refs;
}

/* The code at file addresses lo..hi of the object, malloc'd; NULL when
 * it cannot be read. */
static uint8_t *read_code(struct arming *a, uint64_t lo, uint64_t hi)
{
	size_t n = hi > lo ? (size_t)(hi - lo) : 0;
	uint8_t *code;

	if (!n || n > (64u << 20))
		return NULL;
	code = xmalloc(n);
	if (tracee_read(a->t, lo + a->bias, code, n) < 0) {
		free(code);
		return NULL;
	}
	return code;
}

/* The line of copy `ref` running at `at`, as the line table has it, when
 * it is one of the function's (0: none, the header). */
static unsigned copy_line_at(struct arming *a, const struct copy_ref *ref,
			     uint64_t at)
{
	const struct profile_function *f = profile_function(a->prof, ref->fn);
	unsigned line = debuginfo_line_at(ref->di, at);

	return f && line > f->first_line && line <= f->last_line ? line : 0;
}

/* One copy being armed: what the steps below share. */
struct copy_arming {
	struct arming *a;
	const struct copy_ref *refs; /* every profiled copy of the object,
					outermost first */
	size_t nrefs;
	const struct copy_ref *ref;  /* the one armed */
	const uint8_t *host;         /* the code of the function that holds
					it when that is one range (read
					once), else NULL */
	struct flow_range *flow;     /* its code, for its ways in and out */
	size_t nflow;
};

/* What copy `ca->ref`'s code is made of, for its ways in and out: its
 * ranges, and the islands of the code around it that its calls need not
 * leave for.  The function that holds it (when its code is one range)
 * may get trampolines, as prune() allows for a profiled one. */
static void copy_flow(struct copy_arming *ca)
{
	const struct di_copy *c = ca->ref->c;
	struct arming *a = ca->a;
	size_t size = ca->host ? (size_t)(c->host[0].hi - c->host[0].lo) : 0;
	struct flow_targets targets = { 0 };
	long k = 0;

	ca->flow = to_flow_ranges(c->ranges, c->nranges, c->nranges + 2);
	ca->nflow = c->nranges;
	if (!ca->host ||
	    flow_branch_targets(ca->host, size, c->host[0].lo, &targets) < 0)
		return;
	k = flow_islands(ca->host, size, c->host[0].lo, ca->flow, c->nranges,
			 &targets, ca->flow + ca->nflow, c->nranges + 2);
	ca->nflow += k > 0 ? (size_t)k : 0;
	for (size_t i = 0; i < targets.n; i++)
		targets.v[i] += a->bias;
	bps_add_region(a->bps, c->host[0].lo + a->bias, c->host[0].hi + a->bias,
		       &targets);
	free(targets.v);
}

/* Registers where execution leaves the copy for the code around it; a
 * jump to another function is a tail call: its events will tell. */
static void arm_exits(struct copy_arming *ca)
{
	const struct di_copy *c = ca->ref->c;
	const struct flow_range *flow = ca->flow;

	for (size_t r = 0; r < ca->nflow; r++) {
		bool in_host = ca->host && flow[r].lo >= c->host[0].lo &&
			       flow[r].hi <= c->host[0].hi;
		uint8_t *code = in_host ? NULL :
				       read_code(ca->a, flow[r].lo, flow[r].hi);
		const uint8_t *at = in_host ? ca->host + (flow[r].lo - c->host[0].lo) :
					      code;
		size_t n = (size_t)(flow[r].hi - flow[r].lo);
		uint64_t *exits;
		long k;

		if (!at)
			continue;
		exits = xcalloc(n + 1, sizeof(*exits));
		k = flow_exits(at, n, flow[r].lo, flow, ca->nflow, exits, n + 1);
		for (long e = 0; e < k; e++) {
			bool around = false;

			for (size_t h = 0; h < c->nhost && !around; h++)
				around = exits[e] >= c->host[h].lo &&
					 exits[e] < c->host[h].hi;
			if (!around)
				continue;
			add_bp(ca->a, ca->ref->di, exits[e], BP_LEAVE, 0, 0,
			       copy_at(ca->refs, ca->nrefs, exits[e]), 0);
		}
		free(exits);
		free(code);
	}
}

/* Where the code around the copy jumps or falls into its middle (the
 * compiler interleaves the two): its call goes on there. */
static void arm_reentries(struct copy_arming *ca)
{
	const struct copy_ref *ref = ca->ref;
	const struct di_copy *c = ref->c;
	struct flow_range *inside = xcalloc(ca->nflow + 1, sizeof(*inside));

	/* The instruction where it begins is the copy's too. */
	memcpy(inside, ca->flow, ca->nflow * sizeof(*inside));
	inside[ca->nflow].lo = c->entry;
	inside[ca->nflow].hi = c->entry + 1;
	for (size_t h = 0; h < c->nhost; h++) {
		size_t n = (size_t)(c->host[h].hi - c->host[h].lo);
		uint8_t *code = ca->host ? NULL :
				read_code(ca->a, c->host[h].lo, c->host[h].hi);
		const uint8_t *at = ca->host ? ca->host : code;
		uint64_t *in;
		long k;

		if (!at)
			continue;
		in = xcalloc(n + 1, sizeof(*in));
		k = flow_entries(at, n, c->host[h].lo, inside, ca->nflow + 1, in,
				 n + 1);
		for (long e = 0; e < k; e++) {
			if (in[e] == c->entry ||
			    copy_at(ca->refs, ca->nrefs, in[e]) != ref->idx)
				continue;
			add_bp(ca->a, ref->di, in[e], BP_REENTER, ref->fn,
			       copy_line_at(ca->a, ref, in[e]), ref->idx, 0);
		}
		free(in);
		free(code);
	}
	free(inside);
}

/* Registers the breakpoints of copy `ref`, one of the `nrefs` of `refs`. */
static void arm_copy(struct arming *a, const struct copy_ref *refs,
		     size_t nrefs, const struct copy_ref *ref)
{
	const struct di_copy *c = ref->c;
	unsigned outer = ref->idx;
	uint8_t *host = c->nhost == 1 ?
				read_code(a, c->host[0].lo, c->host[0].hi) :
				NULL;
	struct copy_arming ca = {
		.a = a,
		.refs = refs,
		.nrefs = nrefs,
		.ref = ref,
		.host = host,
	};

	/* The outermost profiled copy around it that begins here too (refs
	 * come outermost first). */
	for (size_t i = 0; i < nrefs && outer == ref->idx; i++)
		if (refs[i].c->entry == c->entry &&
		    refs[i].c->nouter < c->nouter)
			for (size_t o = 0; o < c->nouter; o++)
				if (c->outer[o] == refs[i].c->id)
					outer = refs[i].idx;
	add_bp(a, ref->di, c->entry, BP_COPY, 0, 0, ref->idx, outer);
	for (size_t r = 0; r < c->nrows; r++) {
		const struct di_row *row = &c->rows[r];

		profile_mark_code(a->prof, ref->fn, row->line);
		if (row->addr != c->entry && copy_begins(refs, nrefs, row->addr))
			continue;
		add_bp(a, ref->di, row->addr, BP_LINE, ref->fn, row->line,
		       ref->idx, 0);
	}
	copy_flow(&ca);
	arm_exits(&ca);
	arm_reentries(&ca);
	free(ca.flow);
	free(host);
}

void arming_add_functions(struct arming *a, const struct di_functions *fns)
{
	unsigned *idx = xcalloc(fns->n + 1, sizeof(*idx));
	struct copy_ref *refs;
	size_t nrefs;

	for (size_t i = 0; i < fns->n; i++) {
		const struct di_function *f = &fns->v[i];
		long known = profile_find_function(a->prof, f->name, f->file,
						   f->first_line);

		/* A library loaded again adds to the same table. */
		idx[i] = known >= 0 ? (unsigned)known :
				      profile_add_function(a->prof, f->name, f->file,
							   f->first_line, f->last_line);
		if (f->header_line && known < 0)
			profile_set_header(a->prof, idx[i], f->header_line);
	}
	refs = add_copies(a, fns, idx, &nrefs);
	for (size_t i = 0; i < fns->n; i++) {
		const struct di_function *f = &fns->v[i];
		int *keep;

		if (!f->entry)
			continue; /* copies only */
		keep = xcalloc(f->nrows + 1, sizeof(*keep));
		bps_add(a->bps, f->entry + a->bias, BP_ENTRY, idx[i], 0);
		span(a, f->entry + a->bias);
		if (prune(a, f, keep) < 0)
			for (size_t r = 0; r < f->nrows; r++)
				keep[r] = 1;
		for (size_t r = 0; r < f->nrows; r++) {
			profile_mark_code(a->prof, idx[i], f->rows[r].line);
			if (!keep[r] || copy_begins(refs, nrefs, f->rows[r].addr))
				continue;
			add_bp(a, f->di, f->rows[r].addr, BP_LINE, idx[i],
			       f->rows[r].line, 0, 0);
		}
		free(keep);
	}
	for (size_t i = 0; i < nrefs; i++)
		arm_copy(a, refs, nrefs, &refs[i]);
	free(refs);
	free(idx);
}
