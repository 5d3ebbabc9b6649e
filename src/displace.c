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

	if (in_group(insn, CS_GRP_BRANCH_RELATIVE)) {
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
	if (in_group(insn, CS_GRP_CALL) || insn->id == X86_INS_INT3 ||
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
	if (in_group(insn, CS_GRP_JUMP) || in_group(insn, CS_GRP_RET) ||
	    in_group(insn, CS_GRP_IRET))
		return EMIT_ENDS;
	return EMIT_FALLS;
}

static csh decoder(void)
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
	csh cs = decoder();

	if (cs)
		cs_close(&cs);
}

void ds_plan(const uint8_t *bytes, size_t n, uint64_t addr, uint64_t slot,
	     struct ds_plan *out)
{
	csh cs = decoder();
	cs_insn *insn = NULL;
	size_t pos = 0;
	enum emitted e;

	memset(out, 0, sizeof(*out));
	out->kind = DS_STEP;
	if (!cs || cs_disasm(cs, bytes, n, addr, 1, &insn) != 1)
		goto done;
	out->len = (uint8_t)insn->size;
	if (insn->id == X86_INS_JMP && in_group(insn, CS_GRP_BRANCH_RELATIVE) &&
	    insn->detail->x86.operands[0].type == X86_OP_IMM) {
		out->kind = DS_JUMP;
		out->target = (uint64_t)insn->detail->x86.operands[0].imm;
		goto done;
	}
	if (!slot) {
		if (insn->id == X86_INS_CALL &&
		    in_group(insn, CS_GRP_BRANCH_RELATIVE)) {
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
		out->kind = DS_COPY;
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
	csh cs = decoder();
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
	struct flow *v;
	cs_insn *insn;
	csh cs = decoder();

	if (!cs)
		return -1;
	v = xcalloc(left + 1, sizeof(*v));
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

static void flow_targets(const struct flow *fl, long n,
			 struct ds_targets *targets)
{
	targets->v = xcalloc((size_t)n + 1, sizeof(*targets->v));
	targets->n = 0;
	for (long j = 0; j < n; j++)
		if (fl[j].target)
			targets->v[targets->n++] = fl[j].target;
	qsort(targets->v, targets->n, sizeof(*targets->v), cmp_u64);
}

int ds_branch_targets(const uint8_t *code, size_t n, uint64_t addr,
		      struct ds_targets *targets)
{
	struct di_function f;
	struct flow *fl;
	long k;

	memset(&f, 0, sizeof(f));
	f.code.lo = addr;
	f.code.hi = addr + n;
	if (!n || (k = decode_flow(&f, code, &fl)) < 0)
		return -1;
	flow_targets(fl, k, targets);
	free(fl);
	return 0;
}

long ds_prune(const struct di_function *f, const uint8_t *code, int *keep,
	      struct ds_targets *targets)
{
	struct flow *fl;
	long n = f->code.hi > f->code.lo ? decode_flow(f, code, &fl) : -1;
	long kept = 0;
	size_t k = 0;

	if (n < 0)
		return -1;
	flow_targets(fl, n, targets);
	for (size_t r = 0; r < f->nrows; r++) {
		const struct di_row *row = &f->rows[r];
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

int ds_targets_has(const struct ds_targets *t, uint64_t addr)
{
	return t->n && bsearch(&addr, t->v, t->n, sizeof(*t->v), cmp_u64);
}

static bool in_ranges(const struct di_range *r, size_t n, uint64_t a)
{
	for (size_t i = 0; i < n; i++)
		if (a >= r[i].lo && a < r[i].hi)
			return true;
	return false;
}

/* The successors of the instructions of `code` on one side of `inside`
 * (`from_inside`) that are on the other side. */
static long crossings(const uint8_t *code, size_t n, uint64_t addr,
		      const struct di_range *inside, size_t ninside,
		      bool from_inside, uint64_t *out, size_t max)
{
	csh cs = decoder();
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
		if (!in_group(insn, CS_GRP_RET) && !in_group(insn, CS_GRP_IRET) &&
		    insn->id != X86_INS_HLT && insn->id != X86_INS_UD2 &&
		    insn->id != X86_INS_JMP)
			next[nnext++] = insn->address + insn->size;
		if (in_group(insn, CS_GRP_JUMP) &&
		    in_group(insn, CS_GRP_BRANCH_RELATIVE) && x->op_count == 1 &&
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

	if (in_group(insn, CS_GRP_JUMP) || in_group(insn, CS_GRP_CALL) ||
	    in_group(insn, CS_GRP_RET) || in_group(insn, CS_GRP_INT) ||
	    in_group(insn, CS_GRP_IRET) || in_group(insn, CS_GRP_PRIVILEGE))
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

long ds_islands(const uint8_t *code, size_t n, uint64_t addr,
		const struct di_range *inside, size_t ninside,
		const struct ds_targets *targets, struct di_range *out,
		size_t max)
{
	csh cs = decoder();
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
		falls = !in_group(insn, CS_GRP_JUMP) && !in_group(insn, CS_GRP_RET) &&
			!in_group(insn, CS_GRP_IRET) && insn->id != X86_INS_UD2 &&
			insn->id != X86_INS_HLT;
		if (in) {
			if (run && found < max) { /* fell back in */
				out[found].lo = start;
				out[found].hi = insn->address;
				found++;
			}
			run = false;
		} else if (run) {
			if (!quiet(insn) || ds_targets_has(targets, insn->address))
				run = false;
		} else if (prev_falls_in && quiet(insn) &&
			   !ds_targets_has(targets, insn->address)) {
			run = true;
			start = insn->address;
		}
		prev_falls_in = in && falls && !in_group(insn, CS_GRP_CALL);
		if (run && !falls)
			run = false;
	}
	cs_free(insn, 1);
	return (long)found;
}

long ds_exits(const uint8_t *code, size_t n, uint64_t addr,
	      const struct di_range *inside, size_t ninside, uint64_t *out,
	      size_t max)
{
	return crossings(code, n, addr, inside, ninside, true, out, max);
}

long ds_entries(const uint8_t *code, size_t n, uint64_t addr,
		const struct di_range *inside, size_t ninside, uint64_t *out,
		size_t max)
{
	return crossings(code, n, addr, inside, ninside, false, out, max);
}

size_t ds_call_targets(const uint8_t *code, size_t n, uint64_t addr,
		       uint64_t *out, size_t max)
{
	csh cs = decoder();
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
		    in_group(insn, CS_GRP_BRANCH_RELATIVE) && x->op_count == 1 &&
		    x->operands[0].type == X86_OP_IMM)
			out[found++] = (uint64_t)x->operands[0].imm;
	}
	cs_free(insn, 1);
	return found;
}
