/* sigtrap.c - a program that raises SIGTRAP itself and handles it.
 *
 * Under memprof the handler must still run: a SIGTRAP the target sends
 * itself is the target's, not a breakpoint.  Prints "handled" from the
 * handler and "done" after, exits 0.
 */
#include <signal.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <unistd.h>

#include <memprof.h>

static volatile sig_atomic_t handled;

static void on_trap(int sig)
{
	static const char msg[] = "handled\n";

	(void)sig;
	handled++;
	if (write(STDOUT_FILENO, msg, sizeof msg - 1) < 0)
		_exit(3);
}

__attribute__((noinline)) int trap_self(void)
{
	char *p = malloc(1 << 20);
	memset(p, 3, 1 << 20);
	raise(SIGTRAP);
	free(p);
	return handled;
}
MEMPROF_PROFILE(trap_self);

int main(void)
{
	struct sigaction sa;

	memset(&sa, 0, sizeof sa);
	sa.sa_handler = on_trap;
	sigemptyset(&sa.sa_mask);
	if (sigaction(SIGTRAP, &sa, NULL) < 0) {
		perror("sigaction");
		return 1;
	}
	setvbuf(stdout, NULL, _IONBF, 0);
	if (trap_self() != 1)
		return 1;
	printf("done\n");
	return 0;
}
