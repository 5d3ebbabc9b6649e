/* displace.c - relocating one x86-64 instruction into a scratch slot.
 *
 * What moves unchanged: everything that does not depend on where it is.
 * What is fixed up: RIP-relative memory operands (the displacement is
 * re-aimed from the slot), conditional jumps (re-encoded with a rel32 to
 * the original target).  What the tracer does itself: direct jumps and
 * calls (a call run from the slot would push a return address inside the
 * slot, which unwinders, exceptions and our own return breakpoints must
 * never see).  What is stepped in place: indirect calls, loop/jrcxz,
 * transactions, the target's own int3, anything the decoder rejects.
 */
#include "displace.h"

#include <capstone/capstone.h>
#include <stdbool.h>
#include <stdlib.h>
#include <string.h>

#include "debuginfo.h"
#include "util.h"

int ds_reach(uint64_t from, uint64_t to)
{
	int64_t d = (int64_t)(to - from);

	return d >= INT32_MIN && d <= INT32_MAX;
}

static void put32(uint8_t *p, int32_t v)
{
	memcpy(p, &v, sizeof(v));
}

/* Appends `jmp rel32` to `to` at code[n], the slot being at `slot`. */
static int jump_back(struct ds_plan *p, uint64_t slot, uint64_t to)
{
	uint64_t end = slot + p->ncode + 5;

	if (!ds_reach(end, to) || p->ncode + 5 > DS_SLOT_SIZE)
		return -1;
	p->code[p->ncode] = 0xe9;
	put32(&p->code[p->ncode + 1], (int32_t)(to - end));
	p->ncode += 5;
	return 0;
}

/* The condition nibble of a jcc, from its encoding (after prefixes). */
static int jcc_condition(const uint8_t *b, size_t n)
{
	size_t i = 0;

	while (i < n && (b[i] == 0x2e || b[i] == 0x3e || b[i] == 0xf2))
		i++;
	if (i < n && b[i] >= 0x70 && b[i] <= 0x7f)
		return b[i] & 0xf;
	if (i + 1 < n && b[i] == 0x0f && b[i + 1] >= 0x80 && b[i + 1] <= 0x8f)
		return b[i + 1] & 0xf;
	return -1;
}

static int in_group(const cs_insn *insn, uint8_t group)
{
	for (uint8_t i = 0; i < insn->detail->groups_count; i++)
		if (insn->detail->groups[i] == group)
			return 1;
	return 0;
}

static int rip_relative(const cs_insn *insn)
{
	const cs_x86 *x = &insn->detail->x86;

	for (uint8_t i = 0; i < x->op_count; i++)
		if (x->operands[i].type == X86_OP_MEM &&
		    x->operands[i].mem.base == X86_REG_RIP)
			return 1;
	return 0;
}

static void plan_insn(csh cs, const cs_insn *insn, const uint8_t *bytes,
		      uint64_t addr, uint64_t slot, struct ds_plan *p)
{
	const cs_x86 *x = &insn->detail->x86;
	uint64_t next = addr + insn->size;
	int cc;

	(void)cs;
	p->len = (uint8_t)insn->size;
	if (in_group(insn, CS_GRP_BRANCH_RELATIVE)) {
		if (x->op_count != 1 || x->operands[0].type != X86_OP_IMM)
			return;
		p->target = (uint64_t)x->operands[0].imm;
		if (insn->id == X86_INS_CALL) {
			p->kind = DS_CALL;
			return;
		}
		if (insn->id == X86_INS_JMP) {
			p->kind = DS_JUMP;
			return;
		}
		cc = jcc_condition(bytes, insn->size);
		if (cc < 0 || !slot || !ds_reach(slot + 6, p->target))
			return; /* loop, jrcxz, xbegin...: step */
		p->code[0] = 0x0f;
		p->code[1] = (uint8_t)(0x80 | cc);
		put32(&p->code[2], (int32_t)(p->target - (slot + 6)));
		p->ncode = 6;
		if (jump_back(p, slot, next) == 0)
			p->kind = DS_COPY;
		return;
	}
	if (in_group(insn, CS_GRP_CALL) || insn->id == X86_INS_INT3 ||
	    insn->id == X86_INS_INT1 || !slot)
		return;
	memcpy(p->code, bytes, insn->size);
	p->ncode = (uint8_t)insn->size;
	if (rip_relative(insn)) {
		uint8_t off = x->encoding.disp_offset;
		int32_t disp;
		int64_t moved;

		if (!off || x->encoding.disp_size != 4 ||
		    off + 4 > insn->size)
			return;
		memcpy(&disp, &bytes[off], sizeof(disp));
		/* The operand is next + disp; from the slot it must stay
		 * the same address. */
		moved = (int64_t)disp + (int64_t)(addr - slot);
		if (moved < INT32_MIN || moved > INT32_MAX)
			return;
		put32(&p->code[off], (int32_t)moved);
	}
	if (jump_back(p, slot, next) == 0)
		p->kind = DS_COPY;
}

void ds_plan(const uint8_t *bytes, size_t n, uint64_t addr, uint64_t slot,
	     struct ds_plan *out)
{
	csh cs;
	cs_insn *insn = NULL;

	memset(out, 0, sizeof(*out));
	out->kind = DS_STEP;
	if (cs_open(CS_ARCH_X86, CS_MODE_64, &cs) != CS_ERR_OK)
		return;
	cs_option(cs, CS_OPT_DETAIL, CS_OPT_ON);
	if (cs_disasm(cs, bytes, n, addr, 1, &insn) == 1)
		plan_insn(cs, insn, bytes, addr, slot, out);
	if (out->kind == DS_STEP)
		out->ncode = 0;
	cs_free(insn, 1);
	cs_close(&cs);
}

/* --- which line starts need a breakpoint --- */

struct flow {
	uint64_t addr;
	uint64_t target;   /* direct branch target, or 0 */
	bool falls;        /* execution can go on to the next instruction */
};

static bool opaque(const struct di_function *f, uint64_t a)
{
	for (size_t i = 0; i < f->ninlined; i++)
		if (a >= f->inlined[i].lo && a < f->inlined[i].hi)
			return true;
	return false;
}

/* The line running at `a` as the tracer sees it: that of the last line
 * start at or before it, 0 when there is none. */
static unsigned line_at(const struct di_function *f, uint64_t a)
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

static long decode_flow(const struct di_function *f, const uint8_t *code,
			struct flow **out)
{
	const uint8_t *p = code;
	size_t left = (size_t)(f->code.hi - f->code.lo), n = 0;
	uint64_t addr = f->code.lo;
	struct flow *v = xcalloc(left + 1, sizeof(*v));
	cs_insn *insn;
	csh cs;

	if (cs_open(CS_ARCH_X86, CS_MODE_64, &cs) != CS_ERR_OK) {
		free(v);
		return -1;
	}
	cs_option(cs, CS_OPT_DETAIL, CS_OPT_ON);
	insn = cs_malloc(cs);
	while (left) {
		struct flow *fl = &v[n++];

		if (!cs_disasm_iter(cs, &p, &left, &addr, insn))
			goto fail;
		fl->addr = insn->address;
		fl->falls = true;
		if (in_group(insn, CS_GRP_RET) || in_group(insn, CS_GRP_IRET) ||
		    insn->id == X86_INS_HLT || insn->id == X86_INS_UD2)
			fl->falls = false;
		if (in_group(insn, CS_GRP_JUMP)) {
			const cs_x86 *x = &insn->detail->x86;

			if (!in_group(insn, CS_GRP_BRANCH_RELATIVE) ||
			    x->op_count != 1 || x->operands[0].type != X86_OP_IMM)
				goto fail; /* jump table or tail call: unknown */
			fl->target = (uint64_t)x->operands[0].imm;
			if (insn->id == X86_INS_JMP)
				fl->falls = false;
		}
	}
	cs_free(insn, 1);
	cs_close(&cs);
	*out = v;
	return (long)n;
fail:
	cs_free(insn, 1);
	cs_close(&cs);
	free(v);
	return -1;
}

long ds_prune(const struct di_function *f, const uint8_t *code, int *keep)
{
	struct flow *fl;
	long n = f->code.hi > f->code.lo ? decode_flow(f, code, &fl) : -1;
	long kept = 0;
	size_t k = 0;

	if (n < 0)
		return -1;
	for (size_t r = 0; r < f->nrows; r++) {
		const struct di_row *row = &f->rows[r];
		bool need = row->addr == f->entry, any = false;

		while (k < (size_t)n && fl[k].addr < row->addr)
			k++;
		if (k == (size_t)n || fl[k].addr != row->addr) {
			free(fl);
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
