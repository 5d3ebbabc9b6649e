/* SPDX-License-Identifier: MIT */
/* budget.h - --fail-over: a ceiling on the peak RSS of the whole run or of
 * one function, for CI.  Parsing and checking are pure; main decides the
 * exit status.
 */
#ifndef MEMPROF_BUDGET_H
#define MEMPROF_BUDGET_H

#include <stdbool.h>
#include <stddef.h>
#include <stdint.h>

#include "profile.h"

struct budget {
	char *func;       /* NULL: the whole process's peak RSS (owned) */
	int64_t bytes;    /* exceeded when the peak is above this */
};

/* Parses a size: digits with an optional fraction, then an optional unit,
 * any case: none or B (bytes), K or KiB, M or MiB, G or GiB, T or TiB, all
 * binary (1K = 1024).  "200MiB", "1.5GiB", "500M", "1048576".  Decimal
 * units (MB...), signs, spaces, fractions of a byte and 0 are refused, as
 * is anything above INT64_MAX bytes.  Returns 0, or -1 leaving *bytes
 * alone. */
int budget_parse_size(const char *s, int64_t *bytes);

/* Parses one --fail-over argument, SIZE or FUNCTION:SIZE (split at the
 * last ':', so C++ names with "::" work).  Returns 0 with b->func
 * allocated (or NULL), or -1. */
int budget_parse(const char *arg, struct budget *b);

/* Fails, with a message, when a budget names a function that is not
 * profiled: its peak could never be known. */
int budget_validate(const struct budget *b, size_t n, const struct profile *p);

/* Whether budget `b` is exceeded.  A function's peak is the highest Mem
 * usage among its lines (over every profiled function of that name); the
 * whole run's is `peak_rss_bytes` (VmHWM), or the highest Mem usage of any
 * line when that is unknown (< 0).  When exceeded, *msg is set to the
 * message (owned by the caller) without the "memprof: " prefix, e.g.
 *   peak RSS 96.7 MiB exceeds the budget of 50.0 MiB (at seed.c:27 in
 *   process_data)
 *   peak RSS 96.7 MiB in process_data exceeds its budget of 50.0 MiB (at
 *   seed.c:27)
 * with MiB at `precision` decimals (more when both would read the same).
 * The place is the line with the highest Mem usage, among equals the one
 * with the largest Increment: the line most likely to have got RSS there.
 * A function that never ran exceeds nothing. */
bool budget_exceeded(const struct budget *b, const struct profile *p,
		     int64_t peak_rss_bytes, int precision, char **msg);

#endif
