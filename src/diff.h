/* SPDX-License-Identifier: MIT */
/* diff.h - `memprof diff OLD.json NEW.json`: what changed between two JSON
 * reports, per function and per line, largest change first (tracemalloc's
 * compare_to for memprof's reports).
 *
 * Reading a report (untrusted: any file) and comparing two are pure, for
 * the tests; diff_run adds the files and the messages.
 */
#ifndef MEMPROF_DIFF_H
#define MEMPROF_DIFF_H

#include <stdbool.h>
#include <stddef.h>
#include <stdint.h>
#include <stdio.h>

/* One line of a function's table, as a report gives it. */
struct diff_line {
	unsigned line;
	char *contents;
	uint64_t occurrences;
	bool ran;                 /* figures known (not null) */
	int64_t mem_bytes;
	int64_t increment_bytes;
};

struct diff_function {
	char *name;
	char *file;
	uint64_t calls;
	struct diff_line *lines;
	size_t n;
};

/* What a diff needs of one report. */
struct diff_report {
	int64_t peak_rss_bytes;   /* -1 when null */
	int64_t final_rss_bytes;  /* -1 when null */
	struct diff_function *fns;
	size_t n;
};

/* Reads a `memprof --format=json` report of version 1 from `len` bytes.
 * Returns 0, or -1 with the reason in `err` (e.g. "line 3, column 5:
 * expected ',' or '}', found 'x'" or "functions[0].lines[2].line is not a
 * line number").  Keys it does not know are ignored.  Release *r with
 * diff_report_release in either case. */
int diff_report_parse(const char *text, size_t len, struct diff_report *r,
		      char *err, size_t errsize);
void diff_report_release(struct diff_report *r);

/* Writes the comparison of `old` and `new`, as text or as JSON (see the
 * man page, section DIFF); MiB figures with `precision` decimals.
 * Returns 0, or -1 when writing failed. */
int diff_write(FILE *out, const struct diff_report *old,
	       const struct diff_report *new, bool json, int precision);

/* Reads both files and writes their diff to `out`.  Returns 0, or -1 with
 * one message ("cannot read 'x.json': ...", "'x.json' is not a memprof
 * report: ..."). */
int diff_run(const char *old_path, const char *new_path, bool json,
	     int precision, FILE *out);

#endif
