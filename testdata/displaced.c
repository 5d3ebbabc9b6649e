/* displaced.c - line starts that memprof runs somewhere else.
 *
 * memprof moves the first instructions of a line to a trampoline, or keeps
 * an int3 there and runs a relocated copy of the instruction: whatever a
 * line begins with must behave exactly as in place.
 *
 *   mix()   lines beginning with RIP-relative loads and stores of volatile
 *           globals (one with an immediate after the displacement), an SSE
 *           load of a constant, a direct call, a call through a pointer, a
 *           goto back, a conditional branch (inline asm: the jcc is the
 *           line's first instruction at every -O level), if/else chains, a
 *           one-line loop, a local array and a `lea 0(%rip)`.
 *   pick()  a switch on a jump table: the indirect jump defeats memprof's
 *           flow analysis, so every line keeps its int3 and a displaced
 *           copy; its cases begin with the same kinds of instructions.
 *   fill()  a leaf whose local array lives in the red zone below the
 *           stack pointer, which nothing may write.
 *
 * Prints a checksum of all of it, which must not change under memprof.
 * Each `lea 0(%rip)` must give the address that follows it in the
 * original code, which the assembler records beside it: if not, prints
 * both and exits 1.
 *
 * For N calls of mix (at -O0): the store to g runs N times; the lines
 * after `again:` twice per call (one goto back); the one-line loop counts
 * 6 per call (its entry, then one per jump back to the body, for
 * x = 4..0); the line the jl skips runs for every i >= 3, N - 3 times;
 * each of pick's 8 cases runs N / 8 times when N is a multiple of 8.
 *
 * Usage: displaced [N]    (default 80)
 */
#include <stdio.h>
#include <stdlib.h>

#include <memprof.h>

static volatile long g = 1;
static volatile long g2;
static volatile int flip;
static volatile int three = 3;

/* The addresses right after the two `lea 0(%rip)` below, as assembled
 * (defined by the asm statements themselves). */
extern const char *const mix_after_lea, *const pick_after_lea;

__attribute__((noinline)) long twice(void)
{
	return g2 * 2;
}

__attribute__((noinline)) static long add5(long v)
{
	return v + 5;
}

static long (*volatile fp)(long) = add5;

/* 1 when `got`, what a relocated `lea 0(%rip)` computed, is `want`; else
 * says so and exits 1. */
__attribute__((noinline)) static long check_lea(const char *got, const char *want, const char *where)
{
	if (got != want) {
		printf("displaced: lea 0(%%rip) in %s gave %p, not %p\n", where, (const void *)got,
		       (const void *)want);
		exit(1);
	}
	return 1;
}

__attribute__((noinline)) long fill(long seed)
{
	long a[8];
	long s = 0;

	for (int k = 0; k < 8; k++)
		a[k] = seed * k + 1;
	for (int k = 0; k < 8; k++)
		s += a[k] ^ (s >> 3);
	return s;
}
MEMPROF_PROFILE(fill);

__attribute__((noinline)) long pick(int i)
{
	long r;
	const char *q;

	switch (i % 8) {
	case 0:
		r = g * 2 + 1;
		break;
	case 1:
		r = twice();
		break;
	case 2:
		g2 = 11;
		r = 2;
		break;
	case 3:
		r = fp(i);
		break;
	case 4:
		r = three << 2;
		break;
	case 5:
		__asm__ volatile("lea 0(%%rip), %0\n1:\n\t"
				 ".pushsection .data\n\t.balign 8\n"
				 "pick_after_lea: .quad 1b\n\t.popsection"
				 : "=r"(q));
		r = check_lea(q, pick_after_lea, "pick");
		break;
	case 6:
		g = (g + 1) & 0xffffff;
		r = 6;
		break;
	default:
		r = -i;
		break;
	}
	return r;
}
MEMPROF_PROFILE(pick);

__attribute__((noinline)) long mix(int i)
{
	long acc = i;
	long arr[6];
	int left = three - 1;
	int x = 5;
	long y = 0;
	const char *p;

	g = (g * 3 + i) & 0xffffff;
	g2 = 7;
	double w = 2.5;
	acc += twice();
	acc += fp(acc);
again:
	acc += g2;
	left--;
	if (left > 0)
		goto again;
	__asm__ volatile("cmp %1, %0" : : "r"((long)i), "r"((long)three));
	__asm__ goto("jl %l[small]" : : : : small);
	acc ^= 0x55;
small:
	if (__builtin_expect(flip == 1, 0))
		acc += 100;
	else if (flip == 2)
		acc += 200;
	else
		acc -= 1;
	while (x--) y += x * g2;
	for (int k = 0; k < 6; k++)
		arr[k] = acc + k * (long)w;
	acc += arr[i % 6] + y;
	__asm__ volatile("lea 0(%%rip), %0\n1:\n\t"
			 ".pushsection .data\n\t.balign 8\n"
			 "mix_after_lea: .quad 1b\n\t.popsection"
			 : "=r"(p));
	acc += check_lea(p, mix_after_lea, "mix");
	acc += pick(i) + fill(acc & 0xff);
	return acc;
}
MEMPROF_PROFILE(mix);

int main(int argc, char **argv)
{
	int n = argc > 1 ? atoi(argv[1]) : 80;
	unsigned long sum = 0;

	for (int i = 0; i < n; i++) {
		flip = i % 3;
		sum = sum * 31 + (unsigned long)mix(i);
	}
	printf("checksum %lu g %ld g2 %ld\n", sum, g, g2);
	return 0;
}
