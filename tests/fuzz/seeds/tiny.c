#include <memprof.h>

static char buf[256];

__attribute__((noinline)) int work(int n)
{
	int s = 0;

	for (int i = 0; i < n; i++) {
		buf[i & 255] = (char)i;
		s += buf[(i * 7) & 255];
	}
	return s;
}
MEMPROF_PROFILE(work);

static inline int twice(int x)
{
	return 2 * x;
}

int main(void)
{
	return work(twice(50)) & 1;
}

void _start(void)
{
	int rc = main();

	__asm__ volatile("syscall" : : "a"(60), "D"(rc));
	for (;;)
		;
}
