/* inlined.c - profiled functions the optimiser copies into their callers.
 *
 * Each call of grow() maps `mib` MiB and fill() touches it: 80 MiB in all
 * over 7 calls, 16 of them from stage(); release() gives it all back.  At
 * -O2 and -O3 GCC copies fill() into grow() and stage() into main(), and
 * keeps no code of their own; grow() it copies into main()'s loop and
 * calls for the rest.
 */
#include <stdio.h>
#include <stdlib.h>
#include <string.h>

#include <memprof.h>

static char *blocks[16];
static int nblocks;

static inline void keep(void *p)
{
	__asm__ volatile("" : : "r"(p) : "memory");
}

static void fill(char *p, size_t n)
{
	memset(p, 1, n);
	keep(p);
}

static void grow(size_t mib)
{
	char *p = malloc(mib << 20);
	fill(p, mib << 20);
	blocks[nblocks++] = p;
}
MEMPROF_PROFILE(grow);

static void stage(void)
{
	grow(4);
	grow(12);
}
MEMPROF_PROFILE(stage);

static void release(void)
{
	while (nblocks)
		free(blocks[--nblocks]);
}

int main(void)
{
	stage();
	grow(32);
	for (int i = 0; i < 4; i++)
		grow(8);
	printf("grew %d blocks\n", nblocks);
	release();
	return 0;
}
