/* SPDX-License-Identifier: MIT */
/* heap.h - --heap, memprof's side: the live heap bytes of the program, read
 * at every line event from the counter libmemprof_heap.so keeps in it.
 *
 * heap.c finds the library, puts it in the LD_PRELOAD of the program it
 * starts, learns where its counter is when the dynamic linker loads it,
 * and reads it.  The library itself is src/heap/memprof_heap.c; what a
 * line is charged is profile.c's business.
 */
#ifndef MEMPROF_HEAP_H
#define MEMPROF_HEAP_H

#include <stdint.h>

#include "tracee.h"

/* The library's file name, and where `make install` puts it: in
 * $(PREFIX)/lib/memprof, beside $(PREFIX)/bin where memprof is. */
#define HEAP_LIBRARY "libmemprof_heap.so"
#define HEAP_LIBRARY_SUBDIR "lib/memprof"

struct heap;

/* Sets --heap up for a program memprof is about to start, `exe_path`
 * (`shown` in messages), whose dynamic linker is `interp` (NULL: a
 * static program), or for a process it attached to (`attached`).  Puts
 * the library at the end of LD_PRELOAD in memprof's own environment,
 * which tracee_spawn passes on; heap_spawned puts the environment back.
 * When --heap cannot work here (attached, static, a malloc in the
 * executable, the library not found), says so in one line and returns
 * NULL: the run goes on without the heap column. */
struct heap *heap_new(int attached, const char *interp, const char *exe_path,
		      const char *shown);

/* The program has been started (t), or could not be (NULL): memprof's
 * LD_PRELOAD is what it was again.  Reads go to `t`'s selected process
 * (--children: the one whose line event it is). */
void heap_spawned(struct heap *h, struct tracee *t);

/* For program_on_load (ctx is the heap): an object the dynamic linker
 * loaded at `bias`.  The first that is libmemprof_heap.so gives the
 * counter's address.  Says once, in one line, when a library has a
 * malloc of its own (another allocator).  A NULL path (an exec) forgets
 * the address: the new image loads the library again. */
void heap_on_load(void *ctx, const char *path, uint64_t bias);

/* For session_config.read_heap (ctx is the heap): the live heap bytes
 * now, with one 8-byte read of the target's memory; the last value read
 * (at first 0) while the counter is not known or cannot be read. */
int64_t heap_read(void *ctx);

/* After the run: whether the counter was found, so the report can show
 * heap figures.  When it was not (the program never loaded the library),
 * says so in one line.  False for NULL. */
int heap_known(const struct heap *h);

void heap_free(struct heap *h);

/* --- pure helpers (unit-tested) --- */

/* LD_PRELOAD with `lib` added at the end of `old` (NULL or "": none), as
 * a malloc'd string; `old` itself when it already lists `lib`.  NULL when
 * `lib` cannot be listed: the dynamic linker splits the list at spaces
 * and colons. */
char *heap_preload_list(const char *old, const char *lib);

/* Whether `path` names the library (its file name is HEAP_LIBRARY). */
int heap_is_library(const char *path);

/* Where the library is for a memprof executable at `exe` (an absolute
 * path, symlinks resolved): beside it (the build tree), else in
 * HEAP_LIBRARY_SUBDIR of its directory's parent (PREFIX/bin/memprof:
 * PREFIX/lib/memprof), else in `libdir` (may be NULL).  The first that is
 * a readable file, malloc'd; NULL when none is. */
char *heap_find_library(const char *exe, const char *libdir);

#endif
