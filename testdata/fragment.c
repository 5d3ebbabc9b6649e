/* fragment.c - the heap shrinks, RSS does not: 100 MiB of small blocks,
 * every other one freed first, then the rest.
 *
 * glibc serves 1000-byte blocks from its heap (brk), one after the other.
 * Freeing every other block gives back 50 MiB of heap but not one page:
 * each free block lies between two live ones, a hole of 1 KiB that malloc
 * keeps for reuse, so under memprof --heap the first free loop reads about
 * -50 MiB of heap and 0 RSS.  Freeing the rest lets the holes merge into
 * one free chunk at the top of the heap, which glibc gives back to the
 * kernel (it trims the top above 128 KiB): -50 MiB of heap, -100 MiB of
 * RSS, on the second loop.  (The blocks are read, so that no compiler
 * drops the work.)
 *
 * Usage: fragment
 */
#include <stdio.h>
#include <stdlib.h>
#include <string.h>

#include <memprof.h>

/* 1000 bytes is exactly what malloc_usable_size gives back for it (a
 * 1008-byte chunk): the halves are 50.0 MiB of heap each. */
#define BLOCK 1000
#define COUNT (2 * ((50 << 20) / BLOCK))

__attribute__((noinline)) size_t fragment(void)
{
	char **blocks = malloc(COUNT * sizeof *blocks);
	size_t kept = 0;

	for (size_t i = 0; i < COUNT; i++)
		blocks[i] = memset(malloc(BLOCK), 1, BLOCK);
	for (size_t i = 0; i < COUNT; i += 2)
		free(blocks[i]); /* the even ones: holes */
	for (size_t i = 1; i < COUNT; i += 2) {
		kept += blocks[i][0];
		free(blocks[i]); /* the odd ones: the holes merge */
	}
	free(blocks);
	return kept;
}
MEMPROF_PROFILE(fragment);

int main(void)
{
	printf("read %zu kept blocks\n", fragment());
	return 0;
}
