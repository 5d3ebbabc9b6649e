/* SPDX-License-Identifier: MIT */
/* test_profile.c - per-line accounting fed scripted events, checked
 * against the contracts of profile.h (values worked out by hand). */
#include <stdlib.h>
#include <string.h>

#include "fixtures.h"
#include "profile.h"
#include "suites.h"

static const struct profile_line *L(const struct profile *p, unsigned fn,
				    unsigned line)
{
	const struct profile_function *f = profile_function(p, fn);

	ck_assert_uint_ge(line, f->first_line);
	ck_assert_uint_le(line, f->last_line);
	return &f->lines[line - f->first_line];
}

/* occurrences, finished, mem_bytes, increment_bytes of one line. */
#define ck_line(p, fn, line, occ, fin, mem, inc)                               \
	do {                                                                   \
		const struct profile_line *l_ = L(p, fn, line);                \
		ck_assert_msg(l_->occurrences == (occ),                        \
			      "line %u: occurrences %llu, expected %llu",      \
			      (line), (unsigned long long)l_->occurrences,     \
			      (unsigned long long)(occ));                      \
		ck_assert_msg(l_->finished == (fin),                           \
			      "line %u: finished %llu, expected %llu", (line), \
			      (unsigned long long)l_->finished,                \
			      (unsigned long long)(fin));                      \
		if ((fin) > 0) {                                               \
			ck_assert_msg(l_->mem_bytes == (mem),                  \
				      "line %u: mem %lld, expected %lld",      \
				      (line), (long long)l_->mem_bytes,        \
				      (long long)(mem));                       \
			ck_assert_msg(l_->increment_bytes == (inc),            \
				      "line %u: increment %lld, expected %lld",\
				      (line), (long long)l_->increment_bytes,  \
				      (long long)(inc));                       \
		}                                                              \
	} while (0)

START_TEST(add_functions)
{
	struct profile *p = profile_new();
	char name[] = "work", file[] = "src/work.c";
	const struct profile_function *f;
	unsigned i;

	ck_assert_uint_eq(profile_nfunctions(p), 0);
	ck_assert_uint_eq(profile_add_function(p, name, file, 10, 14), 0);
	ck_assert_uint_eq(profile_add_function(p, "other", "o.c", 3, 3), 1);
	/* Enough functions to grow the table. */
	for (i = 2; i < 20; i++)
		ck_assert_uint_eq(profile_add_function(p, "more", "m.c", 1, 2), i);
	ck_assert_uint_eq(profile_nfunctions(p), 20);

	/* name and file were copied. */
	strcpy(name, "xxxx");
	strcpy(file, "yyyyyyyyyy");
	f = profile_function(p, 0);
	ck_assert_str_eq(f->name, "work");
	ck_assert_str_eq(f->file, "src/work.c");
	ck_assert_uint_eq(f->first_line, 10);
	ck_assert_uint_eq(f->last_line, 14);
	ck_assert_uint_eq(f->calls, 0);

	profile_mark_code(p, 0, 11);
	profile_mark_code(p, 0, 13);
	profile_mark_code(p, 0, 9);    /* outside the span: ignored */
	profile_mark_code(p, 0, 15);
	for (i = 10; i <= 14; i++) {
		ck_assert_uint_eq(L(p, 0, i)->occurrences, 0);
		ck_assert_uint_eq(L(p, 0, i)->finished, 0);
	}
	ck_assert(L(p, 0, 11)->has_code);
	ck_assert(!L(p, 0, 12)->has_code);
	ck_assert(L(p, 0, 13)->has_code);
	ck_assert(!L(p, 0, 14)->has_code);
	f = profile_function(p, 1);
	ck_assert_str_eq(f->name, "other");
	ck_assert_uint_eq(f->first_line, 3);
	ck_assert_uint_eq(f->last_line, 3);
	profile_free(p);
	profile_free(NULL);
}
END_TEST

START_TEST(lines_and_return)
{
	struct profile *p = profile_new();
	struct profile_stack s = { 0 };
	unsigned f = profile_add_function(p, "f", "f.c", 10, 14);

	profile_enter(p, &s, EV(0, 1000, 100 * MiB), f);
	ck_assert_uint_eq(s.depth, 1);
	profile_line(p, &s, EV(0x10, 900, 100 * MiB), f, 11);
	profile_line(p, &s, EV(0x20, 900, 164 * MiB), f, 12);
	/* Same line, further on: the execution of line 12 goes on. */
	profile_line(p, &s, EV(0x28, 900, 170 * MiB), f, 12);
	/* Back to line 11: a new execution of it. */
	profile_line(p, &s, EV(0x10, 900, 180 * MiB), f, 11);
	profile_return(p, &s, EV(0, 1008, 36 * MiB));
	ck_assert_uint_eq(s.depth, 0);

	ck_assert_uint_eq(profile_function(p, f)->calls, 1);
	/* The header line runs from entry to the first line: RSS at entry. */
	ck_line(p, f, 10, 1, 1, 100 * MiB, 0);
	/* +64 MiB, then 180 -> 36 at the return: -144 MiB. */
	ck_line(p, f, 11, 2, 2, 164 * MiB, -80 * MiB);
	ck_line(p, f, 12, 1, 1, 180 * MiB, 16 * MiB);
	ck_line(p, f, 13, 0, 0, 0, 0);
	ck_line(p, f, 14, 0, 0, 0, 0);
	profile_stack_release(&s);
	ck_assert_ptr_null(s.frames);
	profile_free(p);
}
END_TEST

START_TEST(loop_jumps_back)
{
	struct profile *p = profile_new();
	struct profile_stack s = { 0 };
	unsigned f = profile_add_function(p, "f", "f.c", 10, 14);

	profile_enter(p, &s, EV(0, 1000, 0), f);
	profile_line(p, &s, EV(0x10, 900, 10 * MiB), f, 11);  /* for: init */
	profile_line(p, &s, EV(0x18, 900, 12 * MiB), f, 11);  /* test: goes on */
	profile_line(p, &s, EV(0x20, 900, 20 * MiB), f, 12);  /* body */
	profile_line(p, &s, EV(0x18, 900, 20 * MiB), f, 11);  /* back: new */
	profile_line(p, &s, EV(0x10, 900, 25 * MiB), f, 11);  /* back again */
	profile_close_all(p, &s, EV(0, 0, 15 * MiB));
	ck_assert_uint_eq(s.depth, 0);

	ck_line(p, f, 10, 1, 1, 10 * MiB, 10 * MiB);
	/* 10 -> 20, 20 -> 25, 25 -> 15. */
	ck_line(p, f, 11, 3, 3, 25 * MiB, 5 * MiB);
	ck_line(p, f, 12, 1, 1, 20 * MiB, 0);
	profile_stack_release(&s);
	profile_free(p);
}
END_TEST

START_TEST(recursion)
{
	struct profile *p = profile_new();
	struct profile_stack s = { 0 };
	unsigned f = profile_add_function(p, "f", "f.c", 10, 14);

	profile_enter(p, &s, EV(0, 1000, 100 * MiB), f);        /* outer call */
	profile_line(p, &s, EV(0x10, 900, 100 * MiB), f, 11);
	profile_enter(p, &s, EV(0, 800, 110 * MiB), f);     /* from line 11 */
	ck_assert_uint_eq(s.depth, 2);
	profile_line(p, &s, EV(0x10, 700, 120 * MiB), f, 11);
	profile_line(p, &s, EV(0x20, 700, 150 * MiB), f, 12);
	profile_return(p, &s, EV(0, 808, 140 * MiB));       /* inner returns */
	ck_assert_uint_eq(s.depth, 1);
	profile_line(p, &s, EV(0x30, 900, 140 * MiB), f, 13);
	profile_return(p, &s, EV(0, 1008, 130 * MiB));
	ck_assert_uint_eq(s.depth, 0);

	ck_assert_uint_eq(profile_function(p, f)->calls, 2);
	/* Entry 100 -> 100, entry 110 -> 120. */
	ck_line(p, f, 10, 2, 2, 120 * MiB, 10 * MiB);
	/* Inner 120 -> 150; outer 100 -> 140 (carrying the inner call). */
	ck_line(p, f, 11, 2, 2, 150 * MiB, 70 * MiB);
	ck_line(p, f, 12, 1, 1, 140 * MiB, -10 * MiB);
	ck_line(p, f, 13, 1, 1, 130 * MiB, -10 * MiB);
	profile_stack_release(&s);
	profile_free(p);
}
END_TEST

START_TEST(longjmp_closes_stale_frame)
{
	struct profile *p = profile_new();
	struct profile_stack s = { 0 };
	unsigned outer = profile_add_function(p, "outer", "o.c", 20, 25);
	unsigned inner = profile_add_function(p, "inner", "i.c", 30, 34);

	profile_enter(p, &s, EV(0, 1000, 10 * MiB), outer);
	profile_line(p, &s, EV(0x100, 900, 10 * MiB), outer, 21);
	profile_enter(p, &s, EV(0, 800, 10 * MiB), inner);
	profile_line(p, &s, EV(0x200, 700, 50 * MiB), inner, 31);
	/* longjmp back into outer: inner's frame (sp 800) is gone. */
	profile_line(p, &s, EV(0x140, 900, 60 * MiB), outer, 23);
	ck_assert_uint_eq(s.depth, 1);
	ck_assert_uint_eq(s.frames[0].fn, outer);
	profile_return(p, &s, EV(0, 1008, 60 * MiB));
	ck_assert_uint_eq(s.depth, 0);

	ck_assert_uint_eq(profile_function(p, inner)->calls, 1);
	ck_line(p, inner, 30, 1, 1, 50 * MiB, 40 * MiB);
	ck_line(p, inner, 31, 1, 1, 60 * MiB, 10 * MiB);
	ck_assert_uint_eq(profile_function(p, outer)->calls, 1);
	ck_line(p, outer, 20, 1, 1, 10 * MiB, 0);
	ck_line(p, outer, 21, 1, 1, 60 * MiB, 50 * MiB);
	ck_line(p, outer, 22, 0, 0, 0, 0);
	ck_line(p, outer, 23, 1, 1, 60 * MiB, 0);
	profile_stack_release(&s);
	profile_free(p);
}
END_TEST

START_TEST(enter_replaces_frame_at_same_sp)
{
	struct profile *p = profile_new();
	struct profile_stack s = { 0 };
	unsigned f = profile_add_function(p, "f", "f.c", 10, 12);
	unsigned g = profile_add_function(p, "g", "g.c", 40, 42);

	profile_enter(p, &s, EV(0, 1000, 10 * MiB), f);
	profile_line(p, &s, EV(0x10, 900, 20 * MiB), f, 11);
	/* f tail-called g (or returned unseen): g's entry sp is f's. */
	profile_enter(p, &s, EV(0, 1000, 30 * MiB), g);
	ck_assert_uint_eq(s.depth, 1);
	ck_assert_uint_eq(s.frames[0].fn, g);
	ck_line(p, f, 11, 1, 1, 30 * MiB, 10 * MiB);
	/* A frame above (sp 1200) is not touched by an entry below it. */
	profile_close_all(p, &s, EV(0, 0, 30 * MiB));
	profile_enter(p, &s, EV(0, 1200, 0), f);
	profile_enter(p, &s, EV(0, 1000, 0), g);
	ck_assert_uint_eq(s.depth, 2);
	profile_close_all(p, &s, EV(0, 0, 0));
	ck_assert_uint_eq(profile_function(p, f)->calls, 2);
	ck_assert_uint_eq(profile_function(p, g)->calls, 2);
	profile_stack_release(&s);
	profile_free(p);
}
END_TEST

START_TEST(ignored_hits)
{
	struct profile *p = profile_new();
	struct profile_stack s = { 0 };
	unsigned f = profile_add_function(p, "f", "f.c", 10, 12);
	unsigned g = profile_add_function(p, "g", "g.c", 40, 42);

	/* No call at all. */
	profile_line(p, &s, EV(0x10, 900, 5 * MiB), f, 11);
	profile_return(p, &s, EV(0, 900, 5 * MiB));
	ck_assert_uint_eq(s.depth, 0);
	ck_line(p, f, 11, 0, 0, 0, 0);

	/* A line of g while f is on top (g inlined elsewhere, say). */
	profile_enter(p, &s, EV(0, 1000, 1 * MiB), f);
	profile_line(p, &s, EV(0x400, 900, 2 * MiB), g, 41);
	ck_line(p, g, 41, 0, 0, 0, 0);
	ck_line(p, f, 10, 1, 0, 0, 0);
	ck_assert_uint_eq(profile_function(p, g)->calls, 0);
	/* A return address of an outer, unprofiled caller's callee (sp below
	 * f's entry) does not close f. */
	profile_return(p, &s, EV(0, 992, 2 * MiB));
	ck_assert_uint_eq(s.depth, 1);
	profile_close_all(p, &s, EV(0, 0, 3 * MiB));
	ck_line(p, f, 10, 1, 1, 3 * MiB, 2 * MiB);
	profile_stack_release(&s);
	profile_free(p);
}
END_TEST

START_TEST(close_all_nested)
{
	struct profile *p = profile_new();
	struct profile_stack s = { 0 };
	unsigned f = profile_add_function(p, "f", "f.c", 10, 14);
	unsigned g = profile_add_function(p, "g", "g.c", 30, 34);
	int i;

	profile_enter(p, &s, EV(0, 1000, 0), f);
	profile_line(p, &s, EV(0x10, 900, 8 * MiB), f, 11);
	profile_enter(p, &s, EV(0, 800, 8 * MiB), g);
	profile_line(p, &s, EV(0x30, 700, 16 * MiB), g, 31);
	profile_close_all(p, &s, EV(0, 0, 4 * MiB));
	ck_assert_uint_eq(s.depth, 0);
	ck_line(p, g, 30, 1, 1, 16 * MiB, 8 * MiB);
	ck_line(p, g, 31, 1, 1, 4 * MiB, -12 * MiB);
	ck_line(p, f, 11, 1, 1, 4 * MiB, -4 * MiB);
	ck_assert_uint_eq(profile_function(p, f)->calls, 1);
	ck_assert_uint_eq(profile_function(p, g)->calls, 1);

	/* Deeper than the stack's first allocation, then closed at once. */
	for (i = 0; i < 100; i++)
		profile_enter(p, &s, EV(0, 10000 - 16 * (uint64_t)i,
					  i * MiB), g);
	ck_assert_uint_eq(s.depth, 100);
	profile_close_all(p, &s, EV(0, 0, 100 * MiB));
	ck_assert_uint_eq(s.depth, 0);
	ck_assert_uint_eq(profile_function(p, g)->calls, 101);
	/* Header: 8 MiB from the first call, then sum of (100 - i). */
	ck_line(p, g, 30, 101, 101, 100 * MiB, (8 + 5050) * MiB);
	/* Closing an empty stack does nothing. */
	profile_close_all(p, &s, EV(0, 0, 0));
	profile_stack_release(&s);
	profile_free(p);
}
END_TEST

/* A copy of f (lines 20-23) inlined twice into g (lines 40-45), as the
 * optimiser leaves it: g's line 41 calls it in a loop, the copy's code
 * begins at 0x100, its lines start at 0x100 (21) and 0x108 (22), and g's
 * code after it is at 0x140 (line 42). */
START_TEST(inlined_copy_in_a_loop)
{
	struct profile *p = profile_new();
	struct profile_stack s = { 0 };
	unsigned f = profile_add_function(p, "f", "a.c", 20, 23);
	unsigned g = profile_add_function(p, "g", "a.c", 40, 45);
	unsigned c = profile_add_copy(p, f, 0, (long)g, 41);
	const uint64_t sp = 5000;

	ck_assert_uint_ne(c, 0);
	profile_enter(p, &s, EV(0, sp + 64, 1 * MiB), g);
	profile_line(p, &s, EV(0x80, sp, 1 * MiB), g, 40);
	for (int i = 0; i < 3; i++) {
		/* The copy begins: g's line 41 starts, then f's call. */
		profile_enter_copies(p, &s, EV(0x100, sp, (1 + 4 * i) * MiB),
				     c, c);
		ck_assert_uint_eq(s.depth, 2);
		ck_assert_uint_eq(s.frames[1].copy, c);
		ck_assert_uint_eq(s.frames[1].sp, sp);
		profile_line_in(p, &s, EV(0x100, sp, (1 + 4 * i) * MiB),
				f, 21, c);
		profile_line_in(p, &s, EV(0x108, sp, (2 + 4 * i) * MiB),
				f, 22, c);
		/* A call from inside the copy returns into it. */
		profile_enter(p, &s, EV(0, sp - 8, (3 + 4 * i) * MiB), g);
		profile_return(p, &s, EV(0, sp, (4 + 4 * i) * MiB));
		ck_assert_uint_eq(s.depth, 2);
		/* Back at the copy's start: the previous call ends. */
	}
	/* Out of the copy into g's code. */
	profile_leave(p, &s, EV(0, sp, 13 * MiB), 0);
	ck_assert_uint_eq(s.depth, 1);
	profile_line(p, &s, EV(0x140, sp, 13 * MiB), g, 42);
	profile_close_all(p, &s, EV(0, 0, 13 * MiB));

	ck_assert_uint_eq(profile_function(p, f)->calls, 3);
	ck_assert_uint_eq(profile_function(p, g)->calls, 4);
	/* f: header 0 each time; 21: +1 each; 22: +3 each (the call). */
	ck_line(p, f, 20, 3, 3, 9 * MiB, 0);
	ck_line(p, f, 21, 3, 3, 10 * MiB, 3 * MiB);
	ck_line(p, f, 22, 3, 3, 13 * MiB, 9 * MiB);
	/* g's line 41 runs once per call of the copy, carrying it. */
	ck_line(p, g, 41, 3, 3, 13 * MiB, 12 * MiB);
	ck_line(p, g, 42, 1, 1, 13 * MiB, 0);
	profile_stack_release(&s);
	profile_free(p);
}
END_TEST

/* Copies nested in copies, beginning at one address; code reached by a
 * jump into a copy's middle; a copy's frame under a callee's. */
START_TEST(nested_copies)
{
	struct profile *p = profile_new();
	struct profile_stack s = { 0 };
	unsigned f = profile_add_function(p, "f", "a.c", 10, 12);
	unsigned h = profile_add_function(p, "h", "a.c", 20, 22);
	unsigned k = profile_add_function(p, "k", "a.c", 30, 32);
	unsigned ch = profile_add_copy(p, h, 0, -1, 0);
	unsigned cf = profile_add_copy(p, f, ch, (long)h, 21);
	const uint64_t sp = 8000;

	/* h's copy and f's copy in it begin at 0x200. */
	profile_enter_copies(p, &s, EV(0x200, sp, 1 * MiB), ch, cf);
	ck_assert_uint_eq(s.depth, 2);
	ck_assert_uint_eq(s.frames[0].copy, ch);
	ck_assert_uint_eq(s.frames[1].copy, cf);
	profile_line_in(p, &s, EV(0x200, sp, 1 * MiB), f, 11, cf);
	/* A callee k is deeper: its code leaves nothing of the copies. */
	profile_enter(p, &s, EV(0, sp - 8, 2 * MiB), k);
	profile_line(p, &s, EV(0x900, sp - 64, 2 * MiB), k, 31);
	profile_leave(p, &s, EV(0, sp - 64, 2 * MiB), 0);
	ck_assert_uint_eq(s.depth, 3);
	profile_return(p, &s, EV(0, sp, 6 * MiB));
	ck_assert_uint_eq(s.depth, 2);
	/* Out of f's copy, into h's: f's call ends, h's goes on. */
	profile_line_in(p, &s, EV(0x240, sp, 7 * MiB), h, 22, ch);
	ck_assert_uint_eq(s.depth, 1);
	ck_line(p, f, 11, 1, 1, 7 * MiB, 6 * MiB);
	ck_line(p, h, 21, 1, 1, 7 * MiB, 6 * MiB);
	/* Into f's copy by a jump: adopted, not counted as a call. */
	profile_line_in(p, &s, EV(0x220, sp, 7 * MiB), f, 12, cf);
	ck_assert_uint_eq(s.depth, 2);
	profile_leave(p, &s, EV(0, sp, 8 * MiB), 0);
	ck_assert_uint_eq(s.depth, 0);
	ck_assert_uint_eq(profile_function(p, f)->calls, 1);
	ck_assert_uint_eq(profile_function(p, h)->calls, 1);
	ck_line(p, f, 12, 1, 1, 8 * MiB, 1 * MiB);
	ck_line(p, h, 22, 1, 1, 8 * MiB, 1 * MiB);
	/* An unknown copy index is ignored. */
	profile_enter_copies(p, &s, EV(0x300, sp, 8 * MiB), 0, 99);
	ck_assert_uint_eq(s.depth, 0);
	profile_stack_release(&s);
	profile_free(p);
}
END_TEST

/* A copy whose code the compiler interleaved with its caller's: out of it
 * into the caller's code (the call is left), back into its middle (the
 * call goes on, no new execution), then a jump back from elsewhere. */
START_TEST(interleaved_copy)
{
	struct profile *p = profile_new();
	struct profile_stack s = { 0 };
	unsigned f = profile_add_function(p, "f", "a.c", 10, 12);
	unsigned c = profile_add_copy(p, f, 0, -1, 0);
	const uint64_t sp = 4000;

	profile_enter_copies(p, &s, EV(0x100, sp, 1 * MiB), c, c);
	profile_line_in(p, &s, EV(0x100, sp, 1 * MiB), f, 11, c);
	profile_leave(p, &s, EV(0, sp, 2 * MiB), 0);  /* caller's code */
	ck_assert_uint_eq(s.depth, 0);
	profile_resume(p, &s, EV(0x120, sp, 2 * MiB), f, 11, c);
	ck_assert_uint_eq(s.depth, 1);
	profile_resume(p, &s, EV(0x124, sp, 3 * MiB), f, 11, c); /* still in */
	ck_assert_uint_eq(s.depth, 1);
	profile_line_in(p, &s, EV(0x130, sp, 6 * MiB), f, 12, c);
	/* A deeper frame's code leaves nothing; the same frame's does. */
	profile_leave(p, &s, EV(0, sp - 64, 6 * MiB), 0);
	ck_assert_uint_eq(s.depth, 1);
	profile_leave(p, &s, EV(0, sp, 7 * MiB), 0);
	ck_assert_uint_eq(s.depth, 0);
	/* Resuming a copy of another function, or no copy, does nothing. */
	profile_resume(p, &s, EV(0x120, sp, 7 * MiB), f + 1, 11, c);
	profile_resume(p, &s, EV(0x120, sp, 7 * MiB), f, 11, 0);
	ck_assert_uint_eq(s.depth, 0);
	ck_assert_uint_eq(profile_function(p, f)->calls, 1);
	/* 11 ran once, in two pieces: +1 then +4 (the caller's +1 between
	 * is not its). */
	ck_line(p, f, 11, 1, 2, 6 * MiB, 5 * MiB);
	ck_line(p, f, 12, 1, 1, 7 * MiB, 1 * MiB);
	/* Into a call never seen (another frame): adopted at the line the
	 * caller names, which counts; before any line, at the header,
	 * which does not. */
	profile_resume(p, &s, EV(0x130, sp - 512, 7 * MiB), f, 12, c);
	profile_leave(p, &s, EV(0, sp - 512, 8 * MiB), 0);
	profile_resume(p, &s, EV(0x104, sp - 1024, 8 * MiB), f, 0, c);
	profile_close_all(p, &s, EV(0, 0, 8 * MiB));
	ck_line(p, f, 12, 2, 2, 8 * MiB, 2 * MiB);
	ck_line(p, f, 10, 1, 2, 8 * MiB, 0);
	ck_assert_uint_eq(profile_function(p, f)->calls, 1);
	profile_stack_release(&s);
	profile_free(p);
}
END_TEST

/* The optional figures ride in the event record: fault counts charged by
 * difference, the peak since the previous event taken by the lines that
 * were running, once per event however many calls it takes. */
START_TEST(figures_in_the_record)
{
	struct profile *p = profile_new();
	struct profile_stack s = { 0 };
	unsigned f = profile_add_function(p, "f", "f.c", 10, 13);
	struct line_event ev = { .seq = 1, .sp = 1000, .rss = 10 * MiB,
				 .minflt = 100, .majflt = 1 };
	const struct profile_line *l;

	profile_enter(p, &s, &ev, f);
	ev = (struct line_event){ .seq = 2, .addr = 0x10, .sp = 900,
				  .rss = 20 * MiB, .minflt = 150, .majflt = 1 };
	profile_line(p, &s, &ev, f, 11);
	ev = (struct line_event){ .seq = 3, .addr = 0x20, .sp = 900,
				  .rss = 20 * MiB, .peak_bytes = 60 * MiB,
				  .minflt = 170, .majflt = 3 };
	profile_line(p, &s, &ev, f, 12);
	ev = (struct line_event){ .seq = 4, .addr = 0x30, .sp = 900,
				  .rss = 30 * MiB, .peak_bytes = 70 * MiB,
				  .minflt = 170, .majflt = 3 };
	profile_raise_peak(&s, &ev);
	profile_line(p, &s, &ev, f, 13);
	/* Taken already: line 13 began after the peak. */
	profile_raise_peak(&s, &ev);
	ev.seq = 5;
	ev.rss = 5 * MiB;
	ev.peak_bytes = 0;
	profile_close_all(p, &s, &ev);

	l = profile_function(p, f)->lines;
	ck_assert_int_eq(l[0].peak_bytes, 20 * MiB);
	ck_assert_int_eq(l[0].minor_faults, 50);
	ck_assert_int_eq(l[0].major_faults, 0);
	ck_assert_int_eq(l[1].peak_bytes, 60 * MiB);
	ck_assert_int_eq(l[1].minor_faults, 20);
	ck_assert_int_eq(l[1].major_faults, 2);
	ck_assert_int_eq(l[2].peak_bytes, 70 * MiB);
	ck_assert_int_eq(l[2].minor_faults, 0);
	ck_assert_int_eq(l[3].peak_bytes, 30 * MiB);
	ck_assert_int_eq(l[3].mem_bytes, 5 * MiB);
	profile_stack_release(&s);
	profile_free(p);
}
END_TEST

Suite *profile_suite(void)
{
	Suite *s = suite_create("profile");
	TCase *tc = tcase_create("accounting");

	tcase_add_test(tc, add_functions);
	tcase_add_test(tc, lines_and_return);
	tcase_add_test(tc, loop_jumps_back);
	tcase_add_test(tc, recursion);
	tcase_add_test(tc, longjmp_closes_stale_frame);
	tcase_add_test(tc, enter_replaces_frame_at_same_sp);
	tcase_add_test(tc, ignored_hits);
	tcase_add_test(tc, close_all_nested);
	tcase_add_test(tc, inlined_copy_in_a_loop);
	tcase_add_test(tc, nested_copies);
	tcase_add_test(tc, interleaved_copy);
	tcase_add_test(tc, figures_in_the_record);
	suite_add_tcase(s, tc);
	return s;
}
