/* SPDX-License-Identifier: MIT */
/* displace.c - relocating x86-64 instructions into a scratch slot.
 *
 * What moves unchanged: everything that does not depend on where it is.
 * What is fixed up: RIP-relative memory operands (the displacement is
 * re-aimed from the slot), conditional jumps (re-encoded with a rel32 to
 * the original target), loop/jrcxz (aimed at a rel32 jump).  Calls, direct
 * or indirect, push their real return address with plain moves and jump:
 * a call run from the slot would push an address inside the slot, which
 * unwinders, exceptions and our own return breakpoints must never see.
 * What is stepped in place: transactions (xbegin), the target's own int3,
 * anything the decoder rejects.
 */
#include "displace.h"

#include <string.h>

#include "decoder.h"

int ds_reach(uint64_t from, uint64_t to)
{
	int64_t d = (int64_t)(to - from);

	return d >= INT32_MIN && d <= INT32_MAX;
}

static void put32(uint8_t *p, int32_t v)
{
	memcpy(p, &v, sizeof(v));
}

/* Appends `jmp rel32` to `to` at code[*pos], code[0] being at `base`. */
static int emit_jump(uint8_t *code, size_t *pos, uint64_t base, uint64_t to)
{
	uint64_t end = base + *pos + 5;

	if (!ds_reach(end, to) || *pos + 5 > DS_SLOT_SIZE)
		return -1;
	code[*pos] = 0xe9;
	put32(&code[*pos + 1], (int32_t)(to - end));
	*pos += 5;
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

int x86_in_group(const cs_insn *insn, uint8_t group)
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

enum emitted { EMIT_FAIL = -1, EMIT_FALLS = 0, EMIT_ENDS = 1 };

/* lea -8(%rsp),%rsp; movl $lo,(%rsp); movl $hi,4(%rsp): the push of a
 * call's return address `ret`, without touching flags or registers. */
static int emit_push(uint8_t *code, size_t *pos, uint64_t ret)
{
	static const uint8_t lea[] = { 0x48, 0x8d, 0x64, 0x24, 0xf8 };

	if (*pos + sizeof(lea) + 7 + 8 > DS_SLOT_SIZE)
		return -1;
	memcpy(&code[*pos], lea, sizeof(lea));
	*pos += sizeof(lea);
	code[(*pos)++] = 0xc7;
	code[(*pos)++] = 0x04;
	code[(*pos)++] = 0x24;
	put32(&code[*pos], (int32_t)(uint32_t)ret);
	*pos += 4;
	code[(*pos)++] = 0xc7;
	code[(*pos)++] = 0x44;
	code[(*pos)++] = 0x24;
	code[(*pos)++] = 0x04;
	put32(&code[*pos], (int32_t)(uint32_t)(ret >> 32));
	*pos += 4;
	return 0;
}

/* loop, loope, loopne, jrcxz, jecxz: only a rel8 form exists.  Run it
 * with the rel8 aimed two bytes on, at a rel32 jump to its target; when
 * not taken, a short jump steps over that. */
static enum emitted emit_loop(const cs_insn *insn, const uint8_t *bytes,
			      uint8_t *code, size_t *pos, uint64_t base,
			      uint64_t target)
{
	if (*pos + insn->size + 2 + 5 > DS_SLOT_SIZE)
		return EMIT_FAIL;
	memcpy(&code[*pos], bytes, insn->size);
	*pos += insn->size;
	code[*pos - 1] = 2;
	code[(*pos)++] = 0xeb;
	code[(*pos)++] = 5;
	return emit_jump(code, pos, base, target) ? EMIT_FAIL : EMIT_FALLS;
}

static int is_loop(unsigned id)
{
	return id == X86_INS_LOOP || id == X86_INS_LOOPE ||
	       id == X86_INS_LOOPNE || id == X86_INS_JRCXZ ||
	       id == X86_INS_JECXZ || id == X86_INS_JCXZ;
}

/* call *operand: push the return address, then jmp *operand (the same
 * ModRM with /4 for /2), its displacement re-aimed when it is
 * RIP-relative and moved by 8 when it is relative to %rsp, which the push
 * lowered. */
static enum emitted emit_indirect_call(const cs_insn *insn,
				       const uint8_t *bytes, uint8_t *code,
				       size_t *pos, uint64_t base)
{
	const cs_x86 *x = &insn->detail->x86;
	uint8_t m = x->encoding.modrm_offset, off = x->encoding.disp_offset;
	uint64_t next = insn->address + insn->size, here;
	size_t at;

	if (!m || m >= insn->size || bytes[m - 1] != 0xff ||
	    ((bytes[m] >> 3) & 7) != 2 || x->op_count != 1)
		return EMIT_FAIL;
	if (emit_push(code, pos, next) < 0 || *pos + insn->size > DS_SLOT_SIZE)
		return EMIT_FAIL;
	at = *pos;
	here = base + at;
	memcpy(&code[at], bytes, insn->size);
	code[at + m] = (uint8_t)((bytes[m] & 0xc7) | (4 << 3));
	if (x->operands[0].type == X86_OP_MEM) {
		const x86_op_mem *mem = &x->operands[0].mem;
		int64_t disp;

		if (mem->base == X86_REG_RIP) {
			int32_t d;

			if (!off || x->encoding.disp_size != 4)
				return EMIT_FAIL;
			memcpy(&d, &bytes[off], sizeof(d));
			disp = (int64_t)d + (int64_t)(insn->address - here);
			if (disp < INT32_MIN || disp > INT32_MAX)
				return EMIT_FAIL;
			put32(&code[at + off], (int32_t)disp);
		} else if (mem->base == X86_REG_RSP || mem->index == X86_REG_RSP) {
			if (!off || x->encoding.disp_size == 0)
				return EMIT_FAIL;
			if (x->encoding.disp_size == 1) {
				disp = (int8_t)bytes[off] + 8;
				if (disp > INT8_MAX)
					return EMIT_FAIL;
				code[at + off] = (uint8_t)(int8_t)disp;
			} else {
				int32_t d;

				memcpy(&d, &bytes[off], sizeof(d));
				if (d > INT32_MAX - 8)
					return EMIT_FAIL;
				put32(&code[at + off], d + 8);
			}
		}
	}
	*pos += insn->size;
	return EMIT_ENDS;
}

/* Appends at code[*pos] (code[0] being at `base`) what runs the instruction
 * `insn` (its bytes `bytes`, originally at insn->address) from there.
 * EMIT_FALLS: execution goes on after it (a jump back must follow);
 * EMIT_ENDS: it never goes on (jumps, returns, calls: a call's return
 * address is the original code, so its return goes home by itself). */
static enum emitted emit_insn(const cs_insn *insn, const uint8_t *bytes,
			      uint8_t *code, size_t *pos, uint64_t base)
{
	const cs_x86 *x = &insn->detail->x86;
	uint64_t here = base + *pos, next = insn->address + insn->size;
	uint64_t target;
	int cc;

	if (x86_in_group(insn, CS_GRP_BRANCH_RELATIVE)) {
		if (x->op_count != 1 || x->operands[0].type != X86_OP_IMM)
			return EMIT_FAIL;
		target = (uint64_t)x->operands[0].imm;
		if (insn->id == X86_INS_CALL)
			return emit_push(code, pos, next) < 0 ||
				       emit_jump(code, pos, base, target) ? EMIT_FAIL : EMIT_ENDS;
		if (insn->id == X86_INS_JMP)
			return emit_jump(code, pos, base, target) ? EMIT_FAIL : EMIT_ENDS;
		if (is_loop(insn->id))
			return emit_loop(insn, bytes, code, pos, base, target);
		cc = jcc_condition(bytes, insn->size);
		if (cc < 0 || *pos + 6 > DS_SLOT_SIZE || !ds_reach(here + 6, target))
			return EMIT_FAIL; /* xbegin */
		code[*pos] = 0x0f;
		code[*pos + 1] = (uint8_t)(0x80 | cc);
		put32(&code[*pos + 2], (int32_t)(target - (here + 6)));
		*pos += 6;
		return EMIT_FALLS;
	}
	if (insn->id == X86_INS_CALL)
		return emit_indirect_call(insn, bytes, code, pos, base);
	if (x86_in_group(insn, CS_GRP_CALL) || insn->id == X86_INS_INT3 ||
	    insn->id == X86_INS_INT1 || *pos + insn->size > DS_SLOT_SIZE)
		return EMIT_FAIL;
	memcpy(&code[*pos], bytes, insn->size);
	if (rip_relative(insn)) {
		uint8_t off = x->encoding.disp_offset;
		int32_t disp;
		int64_t moved;

		if (!off || x->encoding.disp_size != 4 || off + 4 > insn->size)
			return EMIT_FAIL;
		memcpy(&disp, &bytes[off], sizeof(disp));
		/* The operand is next + disp; from here it must stay the same
		 * address. */
		moved = (int64_t)disp + (int64_t)(insn->address - here);
		if (moved < INT32_MIN || moved > INT32_MAX)
			return EMIT_FAIL;
		put32(&code[*pos + off], (int32_t)moved);
	}
	*pos += insn->size;
	if (x86_in_group(insn, CS_GRP_JUMP) || x86_in_group(insn, CS_GRP_RET) ||
	    x86_in_group(insn, CS_GRP_IRET))
		return EMIT_ENDS;
	return EMIT_FALLS;
}

csh x86_decoder(void)
{
	static csh cs;
	static int state; /* 0: not tried, 1: open, -1: failed */

	if (!state) {
		state = cs_open(CS_ARCH_X86, CS_MODE_64, &cs) == CS_ERR_OK ? 1 : -1;
		if (state > 0)
			cs_option(cs, CS_OPT_DETAIL, CS_OPT_ON);
	}
	return state > 0 ? cs : 0;
}

void ds_close(void)
{
	csh cs = x86_decoder();

	if (cs)
		cs_close(&cs);
}

void ds_plan(const uint8_t *bytes, size_t n, uint64_t addr, uint64_t slot,
	     struct ds_plan *out)
{
	csh cs = x86_decoder();
	cs_insn *insn = NULL;
	size_t pos = 0;
	enum emitted e;

	memset(out, 0, sizeof(*out));
	out->kind = DS_STEP;
	if (!cs || cs_disasm(cs, bytes, n, addr, 1, &insn) != 1)
		goto done;
	out->len = (uint8_t)insn->size;
	if (insn->id == X86_INS_JMP && x86_in_group(insn, CS_GRP_BRANCH_RELATIVE) &&
	    insn->detail->x86.operands[0].type == X86_OP_IMM) {
		out->kind = DS_JUMP;
		out->target = (uint64_t)insn->detail->x86.operands[0].imm;
		goto done;
	}
	if (!slot) {
		if (insn->id == X86_INS_CALL &&
		    x86_in_group(insn, CS_GRP_BRANCH_RELATIVE)) {
			out->kind = DS_CALL;
			out->target = (uint64_t)insn->detail->x86.operands[0].imm;
		}
		goto done;
	}
	e = emit_insn(insn, bytes, out->code, &pos, slot);
	if (e == EMIT_FALLS &&
	    emit_jump(out->code, &pos, slot, addr + insn->size) < 0)
		e = EMIT_FAIL;
	if (e != EMIT_FAIL) {
		out->kind = DS_DISPLACED;
		out->ncode = (uint8_t)pos;
	}
done:
	if (insn)
		cs_free(insn, 1);
}

int ds_plan_trampoline(const uint8_t *bytes, size_t n, uint64_t addr,
		       uint64_t slot, ds_covered_fn *forbidden, void *ctx,
		       struct ds_plan *out)
{
	csh cs = x86_decoder();
	cs_insn *insn;
	const uint8_t *p = bytes;
	size_t left = n, pos = 1, cover = 0;
	uint64_t a = addr;
	enum emitted e = EMIT_FALLS;

	memset(out, 0, sizeof(*out));
	out->kind = DS_STEP;
	if (!cs || !slot || !ds_reach(addr + 5, slot))
		return -1;
	insn = cs_malloc(cs);
	out->code[0] = 0xcc;
	while (cover < 5) {
		const uint8_t *at = p;

		if (cover && forbidden(ctx, addr + cover))
			goto fail;
		if (!cs_disasm_iter(cs, &p, &left, &a, insn))
			goto fail;
		e = emit_insn(insn, at, out->code, &pos, slot);
		cover += insn->size;
		if (e == EMIT_FAIL || (e == EMIT_ENDS && cover < 5))
			goto fail;
	}
	if (e == EMIT_FALLS && emit_jump(out->code, &pos, slot, addr + cover) < 0)
		goto fail;
	cs_free(insn, 1);
	out->kind = DS_TRAMPOLINE;
	out->len = (uint8_t)cover;
	out->ncode = (uint8_t)pos;
	out->target = slot;
	return 0;
fail:
	cs_free(insn, 1);
	out->kind = DS_STEP;
	return -1;
}
