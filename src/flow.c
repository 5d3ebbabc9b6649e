/* SPDX-License-Identifier: MIT */
/* flow.c - where control can go in a function's machine code.
 *
 * Decodes a whole function (through decoder.h) into its direct branches
 * and fall-throughs, and answers questions about them: which line starts
 * need a breakpoint, the jump targets a trampoline must not cover, the
 * functions it calls directly (--depth), and the ways into and out of an
 * inlined copy's code.  Relocating one instruction is displace.c's job.
 */
#include "flow.h"

#include <stdbool.h>
#include <stdlib.h>

#include "decoder.h"
#include "util.h"

/* One decoded instruction: where control can go from it. */
struct insn_flow {
	uint64_t addr;
	uint64_t target;   /* direct branch target, or 0 */
	bool falls;        /* execution can go on to the next instruction */
};

static bool opaque(const struct flow_function *f, uint64_t a)
{
	for (size_t i = 0; i < f->ninlined; i++)
		if (a >= f->inlined[i].lo && a < f->inlined[i].hi)
			return true;
	return false;
}

/* The line running at `a` as the tracer sees it: that of the last line
 * start at or before it, 0 when there is none. */
static unsigned line_at(const struct flow_function *f, uint64_t a)
{
	size_t lo = 0, hi = f->nrows;

	while (lo < hi) {
		size_t mid = (lo + hi) / 2;

		if (f->rows[mid].addr <= a)
			lo = mid + 1;
		else
			hi = mid;
	}
	return lo ? f->rows[lo - 1].line : 0;
}

/* Decodes the `size` bytes of `code` (at `addr`) into *out, one entry
 * per instruction.  Returns how many, or -1 when the code cannot be
 * analysed. */
static long decode_flow(const uint8_t *code, size_t size, uint64_t addr,
			struct insn_flow **out)
{
	const uint8_t *p = code;
	size_t left = size, n = 0;
	struct insn_flow *v;
	cs_insn *insn;
	csh cs = x86_decoder();

	if (!cs)
		return -1;
	v = xcalloc(left + 1, sizeof(*v));
	insn = cs_malloc(cs);
	while (left) {
		struct insn_flow *fl = &v[n++];

		if (!cs_disasm_iter(cs, &p, &left, &addr, insn))
			goto fail;
		fl->addr = insn->address;
		fl->falls = true;
		if (x86_in_group(insn, CS_GRP_RET) || x86_in_group(insn, CS_GRP_IRET) ||
		    insn->id == X86_INS_HLT || insn->id == X86_INS_UD2)
			fl->falls = false;
		if (x86_in_group(insn, CS_GRP_JUMP)) {
			const cs_x86 *x = &insn->detail->x86;

			if (!x86_in_group(insn, CS_GRP_BRANCH_RELATIVE) ||
			    x->op_count != 1 || x->operands[0].type != X86_OP_IMM)
				goto fail; /* jump table or tail call: unknown */
			fl->target = (uint64_t)x->operands[0].imm;
			if (insn->id == X86_INS_JMP)
				fl->falls = false;
		}
	}
	cs_free(insn, 1);
	*out = v;
	return (long)n;
fail:
	cs_free(insn, 1);
	free(v);
	return -1;
}

static int cmp_u64(const void *a, const void *b)
{
	uint64_t x = *(const uint64_t *)a, y = *(const uint64_t *)b;

	return x < y ? -1 : x > y;
}

static void sort_targets(const struct insn_flow *fl, long n,
			 struct flow_targets *targets)
{
	targets->v = xcalloc((size_t)n + 1, sizeof(*targets->v));
	targets->n = 0;
	for (long j = 0; j < n; j++)
		if (fl[j].target)
			targets->v[targets->n++] = fl[j].target;
	qsort(targets->v, targets->n, sizeof(*targets->v), cmp_u64);
}

int flow_branch_targets(const uint8_t *code, size_t n, uint64_t addr,
			struct flow_targets *targets)
{
	struct insn_flow *fl;
	long k;

	if (!n || (k = decode_flow(code, n, addr, &fl)) < 0)
		return -1;
	sort_targets(fl, k, targets);
	free(fl);
	return 0;
}

long flow_prune(const struct flow_function *f, const uint8_t *code, int *keep,
		struct flow_targets *targets)
{
	struct insn_flow *fl;
	long n = f->code.hi > f->code.lo ?
			 decode_flow(code, (size_t)(f->code.hi - f->code.lo),
				     f->code.lo, &fl) : -1;
	long kept = 0;
	size_t k = 0;

	if (n < 0)
		return -1;
	sort_targets(fl, n, targets);
	for (size_t r = 0; r < f->nrows; r++) {
		const struct flow_row *row = &f->rows[r];
		bool need = row->addr == f->entry, any = false;

		while (k < (size_t)n && fl[k].addr < row->addr)
			k++;
		if (k == (size_t)n || fl[k].addr != row->addr) {
			free(fl);
			free(targets->v);
			targets->v = NULL;
			return -1; /* a row inside an instruction: no trust */
		}
		/* Falling in from the instruction before. */
		if (k > 0 && fl[k - 1].falls) {
			any = true;
			if (opaque(f, fl[k - 1].addr) ||
			    line_at(f, fl[k - 1].addr) != row->line)
				need = true;
		}
		/* Jumping in. */
		for (long j = 0; j < n && !need; j++) {
			if (fl[j].target != row->addr)
				continue;
			any = true;
			if (opaque(f, fl[j].addr) || fl[j].addr >= row->addr ||
			    line_at(f, fl[j].addr) != row->line)
				need = true;
		}
		keep[r] = need || !any;
	}
	/* A line reached again by a jump back is an event each time: keep
	 * all its starts, so the tracer sees the backward move. */
	for (size_t r = 0; r < f->nrows; r++) {
		if (!keep[r])
			continue;
		for (long j = 0; j < n; j++)
			if (fl[j].target == f->rows[r].addr &&
			    fl[j].addr >= f->rows[r].addr &&
			    line_at(f, fl[j].addr) == f->rows[r].line)
				for (size_t q = 0; q < f->nrows; q++)
					if (f->rows[q].line == f->rows[r].line)
						keep[q] = 1;
	}
	for (size_t r = 0; r < f->nrows; r++)
		kept += keep[r];
	free(fl);
	return kept;
}

int flow_targets_has(const struct flow_targets *t, uint64_t addr)
{
	return t->n && bsearch(&addr, t->v, t->n, sizeof(*t->v), cmp_u64);
}

static bool in_ranges(const struct flow_range *r, size_t n, uint64_t a)
{
	for (size_t i = 0; i < n; i++)
		if (a >= r[i].lo && a < r[i].hi)
			return true;
	return false;
}

/* The successors of the instructions of `code` on one side of `inside`
 * (`from_inside`) that are on the other side. */
static long crossings(const uint8_t *code, size_t n, uint64_t addr,
		      const struct flow_range *inside, size_t ninside,
		      bool from_inside, uint64_t *out, size_t max)
{
	csh cs = x86_decoder();
	cs_insn *insn;
	const uint8_t *p = code;
	size_t left = n, found = 0, k = 0;
	uint64_t a = addr;

	if (!cs)
		return -1;
	insn = cs_malloc(cs);
	while (left) {
		const cs_x86 *x = &insn->detail->x86;
		uint64_t next[2];
		size_t nnext = 0;

		if (!cs_disasm_iter(cs, &p, &left, &a, insn)) {
			cs_free(insn, 1);
			return -1;
		}
		if (in_ranges(inside, ninside, insn->address) != from_inside)
			continue;
		if (!x86_in_group(insn, CS_GRP_RET) && !x86_in_group(insn, CS_GRP_IRET) &&
		    insn->id != X86_INS_HLT && insn->id != X86_INS_UD2 &&
		    insn->id != X86_INS_JMP)
			next[nnext++] = insn->address + insn->size;
		if (x86_in_group(insn, CS_GRP_JUMP) &&
		    x86_in_group(insn, CS_GRP_BRANCH_RELATIVE) && x->op_count == 1 &&
		    x->operands[0].type == X86_OP_IMM)
			next[nnext++] = (uint64_t)x->operands[0].imm;
		for (size_t i = 0; i < nnext && found < max; i++)
			if (in_ranges(inside, ninside, next[i]) != from_inside)
				out[found++] = next[i];
	}
	cs_free(insn, 1);
	qsort(out, found, sizeof(*out), cmp_u64);
	for (size_t i = 0; i < found; i++)
		if (!k || out[i] != out[k - 1])
			out[k++] = out[i];
	return (long)k;
}

/* Whether `insn` only moves data between registers (and flags): no
 * memory operand (lea computes an address, nop touches nothing), no
 * implicit stack or string access, no control transfer. */
static bool quiet(const cs_insn *insn)
{
	const cs_x86 *x = &insn->detail->x86;

	if (x86_in_group(insn, CS_GRP_JUMP) || x86_in_group(insn, CS_GRP_CALL) ||
	    x86_in_group(insn, CS_GRP_RET) || x86_in_group(insn, CS_GRP_INT) ||
	    x86_in_group(insn, CS_GRP_IRET) || x86_in_group(insn, CS_GRP_PRIVILEGE))
		return false;
	switch (insn->id) {
	case X86_INS_LEA:
	case X86_INS_NOP:
		return true;
	case X86_INS_PUSH:
	case X86_INS_POP:
	case X86_INS_PUSHFQ:
	case X86_INS_POPFQ:
	case X86_INS_ENTER:
	case X86_INS_LEAVE:
	case X86_INS_SYSCALL:
	case X86_INS_UD2:
	case X86_INS_HLT:
		return false;
	default:
		break;
	}
	if (x->prefix[0]) /* rep, lock */
		return false;
	for (uint8_t i = 0; i < x->op_count; i++)
		if (x->operands[i].type != X86_OP_REG &&
		    x->operands[i].type != X86_OP_IMM)
			return false;
	return true;
}

long flow_islands(const uint8_t *code, size_t n, uint64_t addr,
		  const struct flow_range *inside, size_t ninside,
		  const struct flow_targets *targets, struct flow_range *out,
		  size_t max)
{
	csh cs = x86_decoder();
	cs_insn *insn;
	const uint8_t *p = code;
	size_t left = n, found = 0;
	uint64_t a = addr, start = 0;
	bool prev_falls_in = false, run = false;

	if (!cs)
		return -1;
	insn = cs_malloc(cs);
	while (left) {
		bool in, falls;

		if (!cs_disasm_iter(cs, &p, &left, &a, insn)) {
			cs_free(insn, 1);
			return -1;
		}
		in = in_ranges(inside, ninside, insn->address);
		falls = !x86_in_group(insn, CS_GRP_JUMP) && !x86_in_group(insn, CS_GRP_RET) &&
			!x86_in_group(insn, CS_GRP_IRET) && insn->id != X86_INS_UD2 &&
			insn->id != X86_INS_HLT;
		if (in) {
			if (run && found < max) { /* fell back in */
				out[found].lo = start;
				out[found].hi = insn->address;
				found++;
			}
			run = false;
		} else if (run) {
			if (!quiet(insn) || flow_targets_has(targets, insn->address))
				run = false;
		} else if (prev_falls_in && quiet(insn) &&
			   !flow_targets_has(targets, insn->address)) {
			run = true;
			start = insn->address;
		}
		prev_falls_in = in && falls && !x86_in_group(insn, CS_GRP_CALL);
		if (run && !falls)
			run = false;
	}
	cs_free(insn, 1);
	return (long)found;
}

long flow_exits(const uint8_t *code, size_t n, uint64_t addr,
		const struct flow_range *inside, size_t ninside, uint64_t *out,
		size_t max)
{
	return crossings(code, n, addr, inside, ninside, true, out, max);
}

long flow_entries(const uint8_t *code, size_t n, uint64_t addr,
		  const struct flow_range *inside, size_t ninside, uint64_t *out,
		  size_t max)
{
	return crossings(code, n, addr, inside, ninside, false, out, max);
}

size_t flow_call_targets(const uint8_t *code, size_t n, uint64_t addr,
			 uint64_t *out, size_t max)
{
	csh cs = x86_decoder();
	cs_insn *insn;
	const uint8_t *p = code;
	size_t left = n, found = 0;
	uint64_t a = addr;

	if (!cs)
		return 0;
	insn = cs_malloc(cs);
	while (left && found < max && cs_disasm_iter(cs, &p, &left, &a, insn)) {
		const cs_x86 *x = &insn->detail->x86;

		if (insn->id == X86_INS_CALL &&
		    x86_in_group(insn, CS_GRP_BRANCH_RELATIVE) && x->op_count == 1 &&
		    x->operands[0].type == X86_OP_IMM)
			out[found++] = (uint64_t)x->operands[0].imm;
	}
	cs_free(insn, 1);
	return found;
}
