/* uselib.c - a program linked with libmplib at start-up. */
#include <stdio.h>

long lib_grow(int mib);
int lib_marked(int n);

int main(void)
{
	long a = lib_grow(32);
	int b = lib_marked(1000);

	printf("uselib %ld %d\n", a, b);
	return 0;
}
