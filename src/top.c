/* SPDX-License-Identifier: MIT */
/* top.c - ranks the lines of every profiled function by Increment.
 *
 * The Increment is profile.c's figure, taken as is: a line that calls a
 * profiled function also carries what that callee's lines did, as in the
 * tables, so the two can both rank.  Rendering is the reporters' business.
 */
#include "top.h"

#include <stdlib.h>

#include "util.h"

/* Largest increment first; ties in table order (the array is built in
 * table order and qsort is not stable, so compare the position too). */
static int by_increment(const void *a, const void *b)
{
	const struct top_line *x = a, *y = b;

	if (x->increment_bytes != y->increment_bytes)
		return x->increment_bytes > y->increment_bytes ? -1 : 1;
	if (x->fn != y->fn)
		return x->fn < y->fn ? -1 : 1;
	return x->line < y->line ? -1 : x->line > y->line;
}

struct top_line *top_lines(const struct profile *p, size_t n, size_t *count)
{
	struct top_line *v = NULL;
	size_t nv = 0, cap = 0;

	*count = 0;
	if (n == 0)
		return NULL;
	for (size_t i = 0; i < profile_nfunctions(p); i++) {
		const struct profile_function *fn = profile_function(p, i);

		for (unsigned line = fn->first_line;; line++) {
			const struct profile_line *pl =
				&fn->lines[line - fn->first_line];

			if (pl->finished && pl->increment_bytes > 0) {
				ARRAY_GROW(v, nv + 1, cap);
				v[nv++] = (struct top_line){
					.fn = fn,
					.line = line,
					.increment_bytes = pl->increment_bytes,
					.occurrences = pl->occurrences,
				};
			}
			if (line == fn->last_line)
				break;
		}
	}
	if (nv == 0) {
		free(v);
		return NULL;
	}
	qsort(v, nv, sizeof(*v), by_increment);
	*count = nv < n ? nv : n;
	return v;
}
