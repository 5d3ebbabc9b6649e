/* SPDX-License-Identifier: MIT */
/* watch.c - a userfaultfd on the program's scratch areas (see watch.h).
 *
 * The descriptor is created inside the program (by breakpoint.c, through
 * a stub in the first scratch area) because a userfaultfd is bound to the
 * memory of whoever creates it; pidfd_getfd gives memprof its own copy.
 * The helper thread only polls and signals: every ptrace call and every
 * read of the descriptor stays on the session's thread.
 */
#define _GNU_SOURCE
#include "watch.h"

#include <errno.h>
#include <fcntl.h>
#include <linux/userfaultfd.h>
#include <poll.h>
#include <pthread.h>
#include <signal.h>
#include <stdlib.h>
#include <string.h>
#include <sys/ioctl.h>
#include <sys/syscall.h>
#include <unistd.h>

#include "util.h"

/* valgrind (3.19) does not know pidfd_open and pidfd_getfd: it would warn
 * on every run (make check-valgrind fails on any warning).  Under it the
 * areas go unwatched. */
#if defined(__has_include)
#if __has_include(<valgrind/valgrind.h>)
#include <valgrind/valgrind.h>
#endif
#endif
#ifndef RUNNING_ON_VALGRIND
#define RUNNING_ON_VALGRIND 0
#endif

struct watch {
	int fd;
	int quit[2];          /* a pipe: written to stop the thread */
	pthread_t thread, owner;
	struct sigaction old; /* SIGURG's disposition before */
};

static void on_urg(int sig)
{
	(void)sig; /* only to break the owner's waitpid */
}

/* Signals the owner while an event waits, every 10 ms until it is read
 * (a signal that lands just before its waitpid would be lost). */
static void *watcher(void *arg)
{
	struct watch *w = arg;

	for (;;) {
		struct pollfd p[2] = { { w->fd, POLLIN, 0 },
				       { w->quit[0], POLLIN, 0 } };

		if (poll(p, 2, -1) < 0 && errno != EINTR)
			return NULL;
		if (p[1].revents || (p[0].revents & (POLLERR | POLLHUP | POLLNVAL)))
			return NULL; /* told to stop, or nothing more to watch */
		if (!(p[0].revents & POLLIN))
			continue;
		pthread_kill(w->owner, SIGURG);
		if (poll(&p[1], 1, 10) > 0)
			return NULL;
	}
}

struct watch *watch_open(pid_t pid, int fd)
{
	struct uffdio_api api = {
		.api = UFFD_API,
		.features = UFFD_FEATURE_EVENT_UNMAP | UFFD_FEATURE_EVENT_REMAP |
			    UFFD_FEATURE_EVENT_REMOVE,
	};
	struct sigaction sa;
	sigset_t all, mask;
	struct watch *w;
	int rc, pidfd, mine;

	if (RUNNING_ON_VALGRIND)
		return NULL;
	pidfd = (int)syscall(SYS_pidfd_open, pid, 0);
	if (pidfd < 0)
		return NULL;
	mine = (int)syscall(SYS_pidfd_getfd, pidfd, fd, 0);
	close(pidfd);
	if (mine < 0)
		return NULL;
	if (ioctl(mine, UFFDIO_API, &api) < 0) {
		close(mine);
		return NULL;
	}
	w = xcalloc(1, sizeof(*w));
	w->fd = mine;
	w->owner = pthread_self();
	if (pipe2(w->quit, O_CLOEXEC) < 0) {
		close(mine);
		free(w);
		return NULL;
	}
	/* No SA_RESTART: the signal must end the owner's waitpid. */
	memset(&sa, 0, sizeof(sa));
	sa.sa_handler = on_urg;
	sigemptyset(&sa.sa_mask);
	sigaction(SIGURG, &sa, &w->old);
	/* The thread takes no signal of the process's (SIGINT, SIGALRM):
	 * they must go on breaking the owner's waitpid. */
	sigfillset(&all);
	pthread_sigmask(SIG_SETMASK, &all, &mask);
	rc = pthread_create(&w->thread, NULL, watcher, w);
	pthread_sigmask(SIG_SETMASK, &mask, NULL);
	if (rc != 0) {
		sigaction(SIGURG, &w->old, NULL);
		close(w->quit[0]);
		close(w->quit[1]);
		close(mine);
		free(w);
		return NULL;
	}
	return w;
}

int watch_add(struct watch *w, uint64_t lo, uint64_t hi)
{
	struct uffdio_register reg = {
		.range = { .start = lo, .len = hi - lo },
		.mode = UFFDIO_REGISTER_MODE_MISSING,
	};

	return ioctl(w->fd, UFFDIO_REGISTER, &reg) < 0 ? -1 : 0;
}

void watch_remove(struct watch *w, uint64_t lo, uint64_t hi)
{
	struct uffdio_range range = { .start = lo, .len = hi - lo };

	/* Gone already when unmapped: then the kernel says so, and that is
	 * fine. */
	ioctl(w->fd, UFFDIO_UNREGISTER, &range);
}

int watch_due(const struct watch *w)
{
	struct pollfd p = { w->fd, POLLIN, 0 };

	return poll(&p, 1, 0) > 0 && (p.revents & POLLIN);
}

int watch_next(struct watch *w, uint64_t *lo, uint64_t *hi)
{
	struct uffd_msg m;

	for (;;) {
		ssize_t n = read(w->fd, &m, sizeof(m));

		if (n < 0 && errno == EINTR)
			continue;
		if (n != (ssize_t)sizeof(m))
			return 0;
		switch (m.event) {
		case UFFD_EVENT_UNMAP:
		case UFFD_EVENT_REMOVE:
			*lo = m.arg.remove.start;
			*hi = m.arg.remove.end;
			return 1;
		case UFFD_EVENT_REMAP:
			*lo = m.arg.remap.from;
			*hi = m.arg.remap.from + m.arg.remap.len;
			return 1;
		default:
			continue; /* no other kind is asked for */
		}
	}
}

void watch_close(struct watch *w)
{
	if (!w)
		return;
	/* An empty pipe of our own: the write cannot fail. */
	ssize_t r = write(w->quit[1], "", 1);

	(void)r;
	pthread_join(w->thread, NULL);
	sigaction(SIGURG, &w->old, NULL);
	close(w->quit[0]);
	close(w->quit[1]);
	close(w->fd);
	free(w);
}
