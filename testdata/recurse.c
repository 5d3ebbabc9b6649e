/* recurse.c - a profiled function recursing 16 levels deep.
 *
 * Each level allocates and touches a 64 KiB block that it keeps, then
 * recurses until depth 1.  For depth 16 the occurrences are exact:
 * the header, malloc, memset, store and depth test lines 16 times, the
 * base-case return once, the recursive call 15 times.  The load of
 * blocks[depth] after the call keeps -O2 from turning the recursion into
 * a loop.
 *
 * Usage: recurse [DEPTH]    (default 16, at most 64)
 */
#include <stdio.h>
#include <stdlib.h>
#include <string.h>

#include <memprof.h>

#define BLOCK (64 << 10)
#define MAX_DEPTH 64

static char *blocks[MAX_DEPTH + 1];

__attribute__((noinline)) long recurse(int depth)
{
	char *block = malloc(BLOCK);
	memset(block, depth, BLOCK);
	blocks[depth] = block;
	if (depth == 1)
		return block[0];
	return recurse(depth - 1) + blocks[depth][1];
}
MEMPROF_PROFILE(recurse);

int main(int argc, char **argv)
{
	int depth = argc > 1 ? atoi(argv[1]) : 16;

	if (depth < 1 || depth > MAX_DEPTH) {
		fprintf(stderr, "usage: recurse [1..%d]\n", MAX_DEPTH);
		return 2;
	}
	printf("sum %ld\n", recurse(depth));
	return 0;
}
