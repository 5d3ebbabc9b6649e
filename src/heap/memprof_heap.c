/* SPDX-License-Identifier: MIT */
/* memprof_heap.c - libmemprof_heap.so, which memprof --heap preloads into
 * the program it starts.
 *
 * It wraps glibc's allocator and keeps one number, memprof_heap_live: the
 * bytes of the heap blocks that are live now (allocated minus freed).
 * memprof reads that variable from outside at every line event it stops
 * for anyway (heap.c), so the library never stops the program and never
 * talks to memprof: an allocation costs one relaxed atomic add more.
 *
 * A block counts malloc_usable_size() bytes, when it is allocated and when
 * it is freed alike, so that every free takes back exactly what its
 * allocation added: a small request counts its chunk (malloc(1) is 24
 * bytes), never more or less than it will give back.
 *
 * The real allocator is called through glibc's own __libc_* entry points
 * rather than found with dlsym(RTLD_NEXT), which may itself allocate.
 * Nothing here needs setting up, no lock is taken, and the counter is the
 * only state: the wrappers work from the dynamic linker's first call on,
 * in any thread, and in a forked child (which goes on from its copy of
 * the counter).  Only the functions glibc documents as the ones to
 * replace together are here; C++'s operator new and delete call them.
 *
 * No dependency but libc, no memprof header: built on its own by the
 * Makefile (-fPIC -shared), everything hidden but the wrappers and the
 * counter.
 */
#define _GNU_SOURCE
#include <errno.h>
#include <malloc.h>
#include <stddef.h>
#include <stdint.h>
#include <stdlib.h>

#define EXPORT __attribute__((visibility("default")))

/* glibc's allocator under its internal names (exported, undeclared). */
extern void *__libc_malloc(size_t n);
extern void __libc_free(void *p);
extern void *__libc_calloc(size_t nmemb, size_t size);
extern void *__libc_realloc(void *p, size_t n);
extern void *__libc_memalign(size_t align, size_t n);
extern void *__libc_valloc(size_t n);
extern void *__libc_pvalloc(size_t n);

/* What memprof reads: the live heap bytes.  Not static, not hidden: memprof
 * finds it by name in the library's dynamic symbol table. */
EXPORT int64_t memprof_heap_live;

static inline void count(int64_t bytes)
{
	__atomic_fetch_add(&memprof_heap_live, bytes, __ATOMIC_RELAXED);
}

static inline void *counted(void *p)
{
	if (p)
		count((int64_t)malloc_usable_size(p));
	return p;
}

EXPORT void *malloc(size_t n)
{
	return counted(__libc_malloc(n));
}

EXPORT void *calloc(size_t nmemb, size_t size)
{
	return counted(__libc_calloc(nmemb, size));
}

EXPORT void free(void *p)
{
	if (p)
		count(-(int64_t)malloc_usable_size(p));
	__libc_free(p);
}

/* The old block's size is taken before the call: afterwards it may be
 * gone.  glibc's realloc(p, 0) frees p and returns NULL; a failed
 * realloc leaves p as it was. */
static void *resize(void *p, size_t n)
{
	int64_t old = p ? (int64_t)malloc_usable_size(p) : 0;
	void *q = __libc_realloc(p, n);

	if (q)
		count((int64_t)malloc_usable_size(q) - old);
	else if (p && n == 0)
		count(-old);
	return q;
}

EXPORT void *realloc(void *p, size_t n)
{
	return resize(p, n);
}

EXPORT void *reallocarray(void *p, size_t nmemb, size_t size)
{
	size_t n;

	if (__builtin_mul_overflow(nmemb, size, &n)) {
		errno = ENOMEM;
		return NULL;
	}
	return resize(p, n);
}

EXPORT void *memalign(size_t align, size_t n)
{
	return counted(__libc_memalign(align, n));
}

EXPORT void *aligned_alloc(size_t align, size_t n)
{
	return counted(__libc_memalign(align, n));
}

/* Returns an error number and leaves errno alone, as POSIX says. */
EXPORT int posix_memalign(void **out, size_t align, size_t n)
{
	int saved = errno;
	void *p;

	if (align % sizeof(void *) != 0 || (align & (align - 1)) != 0 ||
	    align == 0)
		return EINVAL;
	p = counted(__libc_memalign(align, n));
	errno = saved;
	if (!p)
		return ENOMEM;
	*out = p;
	return 0;
}

EXPORT void *valloc(size_t n)
{
	return counted(__libc_valloc(n));
}

EXPORT void *pvalloc(size_t n)
{
	return counted(__libc_pvalloc(n));
}
