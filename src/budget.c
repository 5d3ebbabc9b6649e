/* SPDX-License-Identifier: MIT */
/* budget.c - --fail-over sizes, and whether a run stayed within them.
 *
 * Sizes are binary whatever the spelling (K, KiB: 1024), because RSS is
 * counted in pages and reported in MiB; decimal units are refused rather
 * than guessed.  The figures compared are profile.c's Mem usage and the
 * run's VmHWM; nothing here reads the process.
 */
#include "budget.h"

#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <strings.h>

#include "util.h"

static const struct {
	const char *name;
	int shift;
} units[] = {
	{ "", 0 },  { "b", 0 },    { "k", 10 },   { "kib", 10 },
	{ "m", 20 }, { "mib", 20 }, { "g", 30 },   { "gib", 30 },
	{ "t", 40 }, { "tib", 40 },
};

static bool is_digit(char c)
{
	return c >= '0' && c <= '9';
}

int budget_parse_size(const char *s, int64_t *bytes)
{
	unsigned __int128 whole = 0, frac = 0, scale = 1, v;
	bool has_frac = false;
	int shift = -1;

	if (!is_digit(*s))
		return -1;
	for (; is_digit(*s); s++) {
		whole = whole * 10 + (unsigned)(*s - '0');
		if (whole > INT64_MAX)
			return -1;
	}
	if (*s == '.') {
		has_frac = true;
		if (!is_digit(*++s))
			return -1;
		/* Digits past the 18th cannot change a byte count. */
		for (; is_digit(*s); s++)
			if (scale < 1000000000000000000ull) {
				frac = frac * 10 + (unsigned)(*s - '0');
				scale *= 10;
			}
	}
	for (size_t i = 0; i < ARRAY_SIZE(units); i++)
		if (strcasecmp(s, units[i].name) == 0)
			shift = units[i].shift;
	if (shift < 0 || (shift == 0 && has_frac))
		return -1;
	v = (whole << shift) + ((frac << shift) / scale);
	if (v == 0 || v > INT64_MAX)
		return -1;
	*bytes = (int64_t)v;
	return 0;
}

int budget_parse(const char *arg, struct budget *b)
{
	const char *colon = strrchr(arg, ':');
	int64_t bytes;

	if (budget_parse_size(colon ? colon + 1 : arg, &bytes) < 0 ||
	    colon == arg)
		return -1;
	b->bytes = bytes;
	b->func = NULL;
	if (colon) {
		size_t n = (size_t)(colon - arg);

		b->func = xmalloc(n + 1);
		memcpy(b->func, arg, n);
		b->func[n] = '\0';
	}
	return 0;
}

int budget_validate(const struct budget *b, size_t n, const struct profile *p)
{
	for (size_t i = 0; i < n; i++) {
		bool found = !b[i].func;

		for (size_t f = 0; !found && f < profile_nfunctions(p); f++)
			found = strcmp(profile_function(p, f)->name,
				       b[i].func) == 0;
		if (!found)
			return mp_error("--fail-over names '%s', which is not profiled (add --func=%s)",
					b[i].func, b[i].func);
	}
	return 0;
}

/* The line with the highest Mem usage among the functions named `func`
 * (all when NULL); among equals the one with the largest Increment, then
 * the first in table order.  False when no line of them ran. */
static bool highest_line(const struct profile *p, const char *func,
			 const struct profile_function **where,
			 unsigned *line, int64_t *mem)
{
	const struct profile_line *best = NULL;

	for (size_t i = 0; i < profile_nfunctions(p); i++) {
		const struct profile_function *fn = profile_function(p, i);

		if (func && strcmp(fn->name, func) != 0)
			continue;
		for (unsigned l = fn->first_line;; l++) {
			const struct profile_line *pl =
				&fn->lines[l - fn->first_line];

			if (pl->finished &&
			    (!best || pl->mem_bytes > best->mem_bytes ||
			     (pl->mem_bytes == best->mem_bytes &&
			      pl->increment_bytes > best->increment_bytes))) {
				best = pl;
				*where = fn;
				*line = l;
			}
			if (l == fn->last_line)
				break;
		}
	}
	if (best)
		*mem = best->mem_bytes;
	return best != NULL;
}

/* `a` and `b` (a > b > 0) in MiB at `precision` decimals, or more until
 * they differ and b is not 0: "50.0 MiB exceeds 50.0 MiB" or "a budget of
 * 0.0 MiB" would read as a bug. */
static void format_pair(char *a, char *b, size_t size, int precision,
			int64_t x, int64_t y)
{
	if (precision < 0)
		precision = 0;
	for (;; precision++) {
		snprintf(a, size, "%.*f MiB", precision, (double)x / (1 << 20));
		snprintf(b, size, "%.*f MiB", precision, (double)y / (1 << 20));
		if ((strcmp(a, b) != 0 && strspn(b, "0.") < strlen(b) - 4) ||
		    precision >= 9)
			break;
	}
}

static const char *base_name(const char *path)
{
	const char *slash = path ? strrchr(path, '/') : NULL;

	return slash ? slash + 1 : path ? path : "";
}

bool budget_exceeded(const struct budget *b, const struct profile *p,
		     int64_t peak_rss_bytes, int precision, char **msg)
{
	const struct profile_function *where = NULL;
	unsigned line = 0;
	int64_t mem = -1, peak;
	bool located = highest_line(p, b->func, &where, &line, &mem);
	char peak_s[64], budget_s[64];

	peak = b->func || peak_rss_bytes < 0 ? mem : peak_rss_bytes;
	if (peak < 0 || peak <= b->bytes)
		return false;
	format_pair(peak_s, budget_s, sizeof(peak_s), precision, peak,
		    b->bytes);
	if (b->func)
		*msg = xasprintf("peak RSS %s in %s exceeds its budget of %s (at %s:%u)",
				 peak_s, b->func, budget_s,
				 base_name(where->file), line);
	else if (located)
		*msg = xasprintf("peak RSS %s exceeds the budget of %s (at %s:%u in %s)",
				 peak_s, budget_s, base_name(where->file),
				 line, where->name);
	else
		*msg = xasprintf("peak RSS %s exceeds the budget of %s",
				 peak_s, budget_s);
	return true;
}
