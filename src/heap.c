/* SPDX-License-Identifier: MIT */
/* heap.c - --heap, memprof's side.
 *
 * The counting happens in the program: libmemprof_heap.so
 * (src/heap/memprof_heap.c), preloaded, wraps malloc and its kin and keeps
 * the live heap bytes in one exported int64, memprof_heap_live.  memprof
 * puts the library at the end of the program's LD_PRELOAD (after the
 * user's own, so that an allocator the user preloads still wins), learns
 * where the counter is when the dynamic linker reports the library loaded
 * (its load bias plus the symbol's value), and reads the 8 bytes at every
 * line event: the session stops there anyway, so the heap column adds no
 * stop and no work in the program beyond the wrappers' atomic add.
 *
 * The read goes through the tracee (one pread of /proc/PID/mem) rather
 * than process_vm_readv on a fixed pid: with --children the session
 * selects the process whose line event it is, and a forked child has its
 * own counter at the same address; and the pread measured cheaper (about
 * 1.5 us a read against 2.3 us on loop-O0's 300000 events).
 *
 * It cannot work in a process memprof attaches to (the library would have
 * had to be there from its start), in a static program (no dynamic
 * linker reads LD_PRELOAD) nor when the executable defines malloc (its
 * own takes every call); then it says so once and the run goes on
 * without the column.
 */
#define _GNU_SOURCE
#include "heap.h"

#include <limits.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <unistd.h>

#include "debuginfo.h"
#include "util.h"

/* Where `make install` puts the library (PKGLIBDIR in the Makefile). */
#ifdef MEMPROF_PKGLIBDIR
static const char *const pkglibdir = MEMPROF_PKGLIBDIR;
#else
static const char *const pkglibdir = NULL;
#endif

#define NO_COLUMN "going on without the heap column"

struct heap {
	struct tracee *t;
	int warned;         /* about a library with a malloc of its own */
	char *lib;          /* the library preloaded */
	char *old_preload;  /* memprof's own LD_PRELOAD, NULL if unset */
	int had_preload;
	uint64_t addr;      /* the counter in the program; 0: not known */
	int64_t last;       /* the last value read */
};

char *heap_preload_list(const char *old, const char *lib)
{
	size_t n;

	if (!*lib || strpbrk(lib, " :"))
		return NULL;
	if (!old || !*old)
		return xstrdup(lib);
	/* Already listed: as a whole element between separators. */
	n = strlen(lib);
	for (const char *p = old; (p = strstr(p, lib)); p++)
		if ((p == old || p[-1] == ':' || p[-1] == ' ') &&
		    (p[n] == '\0' || p[n] == ':' || p[n] == ' '))
			return xstrdup(old);
	return xasprintf("%s:%s", old, lib);
}

int heap_is_library(const char *path)
{
	const char *slash = strrchr(path, '/');

	return !strcmp(slash ? slash + 1 : path, HEAP_LIBRARY);
}

/* DIR/HEAP_LIBRARY when it is a readable file (malloc'd), else NULL. */
static char *library_in(const char *dir, size_t len)
{
	char *path = xasprintf("%.*s/%s", (int)len, dir, HEAP_LIBRARY);

	if (access(path, R_OK) == 0)
		return path;
	free(path);
	return NULL;
}

char *heap_find_library(const char *exe, const char *libdir)
{
	const char *slash = strrchr(exe, '/');
	size_t dir = slash ? (size_t)(slash - exe) : 0;
	char *path;

	if (slash && (path = library_in(exe, dir)))
		return path;
	/* PREFIX/bin/memprof: PREFIX/lib/memprof/HEAP_LIBRARY. */
	if (slash) {
		const char *up = exe + dir;
		char *sub;

		while (up > exe && up[-1] != '/')
			up--;
		if (up > exe) {
			size_t n = (size_t)(up - exe);

			sub = xasprintf("%.*s%s", (int)n, exe,
					HEAP_LIBRARY_SUBDIR);
			path = library_in(sub, strlen(sub));
			free(sub);
			if (path)
				return path;
		}
	}
	if (libdir && *libdir)
		return library_in(libdir, strlen(libdir));
	return NULL;
}

/* Says where the library was looked for, in one line. */
static void say_missing(const char *exe)
{
	if (pkglibdir)
		mp_error("--heap needs %s, which is neither beside '%s' nor in '%s'; " NO_COLUMN,
			 HEAP_LIBRARY, exe, pkglibdir);
	else
		mp_error("--heap needs %s, which is not beside '%s'; " NO_COLUMN,
			 HEAP_LIBRARY, exe);
}

struct heap *heap_new(int attached, const char *interp, const char *exe_path,
		      const char *shown)
{
	char exe[PATH_MAX];
	const char *old = getenv("LD_PRELOAD");
	struct heap *h;
	char *lib, *list;
	ssize_t n;

	if (attached) {
		mp_error("--heap needs a program memprof starts, not one it attaches to; " NO_COLUMN);
		return NULL;
	}
	if (!interp) {
		mp_error("--heap needs a dynamically linked program; " NO_COLUMN);
		return NULL;
	}
	/* The executable comes first in symbol lookup: its malloc would
	 * take every call, the library's none. */
	if (debuginfo_symbol(exe_path, "malloc", &(uint64_t){ 0 }) == 0) {
		mp_error("--heap counts glibc's malloc, and '%s' has a malloc of its own; " NO_COLUMN,
			 shown);
		return NULL;
	}
	n = readlink("/proc/self/exe", exe, sizeof(exe) - 1);
	if (n <= 0) {
		mp_error("--heap cannot find memprof's own executable: %m; " NO_COLUMN);
		return NULL;
	}
	exe[n] = '\0';
	lib = heap_find_library(exe, pkglibdir);
	if (!lib) {
		say_missing(exe);
		return NULL;
	}
	list = heap_preload_list(old, lib);
	if (!list) {
		mp_error("--heap cannot preload '%s': LD_PRELOAD splits paths at spaces and colons; " NO_COLUMN,
			 lib);
		free(lib);
		return NULL;
	}
	h = xcalloc(1, sizeof(*h));
	h->lib = lib;
	h->had_preload = old != NULL;
	h->old_preload = old ? xstrdup(old) : NULL;
	setenv("LD_PRELOAD", list, 1);
	free(list);
	return h;
}

void heap_spawned(struct heap *h, struct tracee *t)
{
	if (!h)
		return;
	h->t = t;
	if (h->had_preload)
		setenv("LD_PRELOAD", h->old_preload, 1);
	else
		unsetenv("LD_PRELOAD");
}

/* Whether `path` is glibc's libc (which the library wraps). */
static int is_libc(const char *path)
{
	const char *slash = strrchr(path, '/');

	return !strncmp(slash ? slash + 1 : path, "libc.so.", 8);
}

void heap_on_load(void *ctx, const char *path, uint64_t bias)
{
	struct heap *h = ctx;
	uint64_t value;

	if (!path) {
		/* An exec: the counter is the new image's, once loaded. */
		h->addr = 0;
		h->last = 0;
		return;
	}
	/* A library that brings an allocator (jemalloc, tcmalloc): objects
	 * come in lookup order, so one before ours was preloaded ahead of it
	 * and takes the calls, one after it (linked with the program) loses
	 * them to ours, which hands them to glibc.  Either way, say so. */
	if (!heap_is_library(path) && !is_libc(path) && !h->warned &&
	    debuginfo_symbol(path, "malloc", &value) == 0) {
		h->warned = 1;
		if (!h->addr)
			mp_error("--heap: '%s', preloaded ahead of %s, has a malloc of its own: the heap figures miss its blocks",
				 path, HEAP_LIBRARY);
		else
			mp_error("--heap: '%s' has a malloc of its own, which %s replaces with glibc's",
				 path, HEAP_LIBRARY);
	}
	/* The first one loaded is the one whose malloc the program calls
	 * (the user may have preloaded a copy of their own). */
	if (h->addr || !heap_is_library(path))
		return;
	if (debuginfo_symbol(path, "memprof_heap_live", &value) == 0)
		h->addr = bias + value;
}

int64_t heap_read(void *ctx)
{
	struct heap *h = ctx;
	int64_t v;

	if (h->addr && h->t && tracee_read(h->t, h->addr, &v, sizeof(v)) == 0)
		h->last = v;
	return h->last;
}

int heap_known(const struct heap *h)
{
	if (!h)
		return 0;
	if (!h->addr)
		mp_error("--heap: the program never loaded %s; the report has no heap column",
			 HEAP_LIBRARY);
	return h->addr != 0;
}

void heap_free(struct heap *h)
{
	if (!h)
		return;
	free(h->lib);
	free(h->old_preload);
	free(h);
}
