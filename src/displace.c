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
#include <string.h>

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
