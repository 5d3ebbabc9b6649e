/* devzero.c - a program whose debugging information names /dev/zero as
 * its source file (#line): the Line Contents column must not read it.
 * main touches 8 MiB and exits 0.
 */
#include <stdlib.h>
#include <string.h>

#line 1 "/dev/zero"
int main(void)
{
	char *p = malloc(8 << 20);

	memset(p, 1, 8 << 20);
	/* Or -O2 drops the memory and the read alike. */
	__asm__ volatile("" : : "r"(p) : "memory");
	return p[5] - 1;
}
