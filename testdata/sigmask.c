/* sigmask.c - a profiled function that ignores, blocks and handles
 * signals.
 *
 * SIGTERM is ignored, then sent: nothing happens.  SIGINT is blocked, sent
 * (it stays pending), given a handler and unblocked: the handler runs then,
 * once.  SIGUSR1 is handled at once.  A tracer sees every one of these
 * signals (ptrace stops even for ignored ones) and must hand each back
 * unchanged.  Prints what it saw and exits 0 when all went as without a
 * tracer.  With "wait", it then reads its standard input to the end (still
 * ignoring SIGTERM) and prints "eof".
 *
 * Usage: sigmask [wait]
 */
#include <signal.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <unistd.h>

#include <memprof.h>

static volatile sig_atomic_t got_int, got_usr1;

static void on_int(int sig)
{
	(void)sig;
	got_int++;
}

static void on_usr1(int sig)
{
	(void)sig;
	got_usr1++;
}

__attribute__((noinline)) int signals(void)
{
	struct sigaction sa;
	sigset_t set, pending;
	int ok = 1;

	signal(SIGTERM, SIG_IGN);
	kill(getpid(), SIGTERM);
	printf("survived SIGTERM\n");
	sigemptyset(&set);
	sigaddset(&set, SIGINT);
	sigprocmask(SIG_BLOCK, &set, NULL);
	kill(getpid(), SIGINT);
	memset(&sa, 0, sizeof sa);
	sa.sa_handler = on_int;
	sigemptyset(&sa.sa_mask);
	sigaction(SIGINT, &sa, NULL);
	sigpending(&pending);
	printf("SIGINT pending %d, handled %d\n", sigismember(&pending, SIGINT), (int)got_int);
	ok &= got_int == 0;
	sigprocmask(SIG_UNBLOCK, &set, NULL);
	printf("SIGINT handled %d\n", (int)got_int);
	ok &= got_int == 1;
	sa.sa_handler = on_usr1;
	sigaction(SIGUSR1, &sa, NULL);
	raise(SIGUSR1);
	printf("SIGUSR1 handled %d\n", (int)got_usr1);
	ok &= got_usr1 == 1;
	return ok;
}
MEMPROF_PROFILE(signals);

int main(int argc, char **argv)
{
	char buf[256];
	int ok;

	setvbuf(stdout, NULL, _IONBF, 0);
	ok = signals();
	if (argc > 1 && strcmp(argv[1], "wait") == 0) {
		while (read(STDIN_FILENO, buf, sizeof buf) > 0)
			;
		printf("eof\n");
	}
	return ok ? 0 : 1;
}
