/* marks.c - two marked functions and an unmarked one, to tell apart the
 * default selection (the marked functions), --func and main.
 *
 * alpha touches 8 MiB, beta 4 MiB, gamma 2 MiB; each is called once.
 */
#include <stdio.h>
#include <stdlib.h>
#include <string.h>

#include <memprof.h>

static char *kept[3];

__attribute__((noinline)) void alpha(void)
{
	kept[0] = malloc(8 << 20);
	memset(kept[0], 1, 8 << 20);
}
MEMPROF_PROFILE(alpha);

__attribute__((noinline)) void beta(void)
{
	kept[1] = malloc(4 << 20);
	memset(kept[1], 1, 4 << 20);
}
MEMPROF_PROFILE(beta);

__attribute__((noinline)) void gamma_(void)
{
	kept[2] = malloc(2 << 20);
	memset(kept[2], 1, 2 << 20);
}

int main(void)
{
	alpha();
	beta();
	gamma_();
	printf("%d\n", kept[0][1] + kept[1][2] + kept[2][3]);
	return 0;
}
