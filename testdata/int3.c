/* int3.c - a profiled function that executes int3 itself, as a debug-trap
 * macro does, with a SIGTRAP handler installed.
 *
 * One int3 is alone on its line (at -O0 it is that line's first
 * instruction, where memprof also puts a breakpoint), the other in the
 * middle of a line.  Under memprof both traps are the target's: the handler
 * runs for each and execution goes on after the int3.  Prints "traps 6"
 * after three calls and exits 0.
 */
#include <signal.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>

#include <memprof.h>

static volatile sig_atomic_t traps;

static void on_trap(int sig)
{
	(void)sig;
	traps++;
}

__attribute__((noinline)) int trap_inline(int n)
{
	char *p = malloc(1 << 20);
	memset(p, n, 1 << 20);
	__asm__ volatile("int3"); /* a line of its own */
	n += p[n]; __asm__ volatile("int3"); n += p[1];
	free(p);
	return n;
}
MEMPROF_PROFILE(trap_inline);

int main(void)
{
	struct sigaction sa;
	int sum = 0;

	memset(&sa, 0, sizeof sa);
	sa.sa_handler = on_trap;
	sigemptyset(&sa.sa_mask);
	if (sigaction(SIGTRAP, &sa, NULL) < 0) {
		perror("sigaction");
		return 1;
	}
	for (int i = 1; i <= 3; i++)
		sum += trap_inline(i);
	printf("traps %d sum %d\n", (int)traps, sum);
	return traps == 6 && sum == 18 ? 0 : 1;
}
