/* SPDX-License-Identifier: MIT */
/* memprof.h - mark functions for line-by-line memory profiling.
 *
 * The analogue of memory_profiler's @profile.  Write, at file scope, after
 * the function is declared:
 *
 *     #include <memprof.h>
 *
 *     void process_data(int n)
 *     {
 *         ...
 *     }
 *     MEMPROF_PROFILE(process_data);
 *
 * and run the program under `memprof ./app`: without --func, memprof
 * profiles every function marked this way (and `main` when none is).
 *
 * The macro only records the function's name in the ELF section
 * ".memprof.functions" of the object file; memprof reads that section from
 * the executable.  It generates no code, costs nothing at run time and needs
 * no library: a program built with these marks runs the same with or
 * without memprof.  In C++ pass the qualified name, e.g.
 * MEMPROF_PROFILE(store::Builder::grow).
 */
#ifndef MEMPROF_H
#define MEMPROF_H

#define MEMPROF_CAT2_(a, b) a##b
#define MEMPROF_CAT_(a, b) MEMPROF_CAT2_(a, b)

#if defined(__has_attribute)
#if __has_attribute(retain)
#define MEMPROF_RETAIN_ __attribute__((retain))
#endif
#endif
#ifndef MEMPROF_RETAIN_
#define MEMPROF_RETAIN_
#endif

#ifdef __cplusplus
#define MEMPROF_CHECK_(func) static_assert(sizeof(&func) != 0, "MEMPROF_PROFILE needs a function")
#else
#define MEMPROF_CHECK_(func) _Static_assert(sizeof(&func) != 0, "MEMPROF_PROFILE needs a function")
#endif

/* Naming the function in sizeof() makes a typo a compile error; the string
 * goes to a section of its own, kept by the linker (used, retain). */
#define MEMPROF_PROFILE(func)                                                  \
	MEMPROF_CHECK_(func);                                                  \
	__attribute__((section(".memprof.functions"), used, aligned(1)))      \
	MEMPROF_RETAIN_ static const char MEMPROF_CAT_(memprof_mark_,          \
						       __LINE__)[] = #func

#endif
