/* SPDX-License-Identifier: MIT */
/* top.h - the lines that grew RSS most, across every profiled function:
 * memprof's analogue of tracemalloc's statistics('lineno').  One ranking,
 * used by both renderers.
 */
#ifndef MEMPROF_TOP_H
#define MEMPROF_TOP_H

#include <stddef.h>
#include <stdint.h>

#include "profile.h"

/* One ranked line; `fn` points into the profile it came from. */
struct top_line {
	const struct profile_function *fn;
	unsigned line;
	int64_t increment_bytes;
	uint64_t occurrences;
};

/* The at most `n` lines of `p` with the largest positive Increment,
 * largest first; equal increments keep the order of the tables (function,
 * then line).  Lines that never ran, or whose Increment is zero or
 * negative, are not ranked: they did not grow RSS.  Returns an array the
 * caller frees (NULL when *count is 0); it stays valid while `p` does. */
struct top_line *top_lines(const struct profile *p, size_t n, size_t *count);

#endif
