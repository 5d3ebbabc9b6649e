/* SPDX-License-Identifier: MIT */
/* column.h - the figure columns of a report's line rows, declared once.
 *
 * Each column (Mem usage, Increment, Peak, Heap inc, Faults, Occurrences)
 * is one entry of column_table: its text title and width, its JSON
 * member(s), the option bit that shows it and its formatters.  The
 * renderers (report_text.c, report_json.c) walk the table and never name
 * a column; what a figure means, and how it is accounted, is profile.c's
 * business.  Adding a column is one entry here plus its accounting there.
 */
#ifndef MEMPROF_COLUMN_H
#define MEMPROF_COLUMN_H

#include <stdbool.h>
#include <stddef.h>

#include "profile.h"

struct json_writer;

/* The optional columns: bits of a column mask, set by the options. */
enum column_bit {
	COLUMN_PEAK = 1u << 0,    /* --peak */
	COLUMN_HEAP = 1u << 1,    /* --heap (shown only when it worked) */
	COLUMN_FAULTS = 1u << 2,  /* --faults */
};

struct column {
	const char *title;        /* text header */
	const char *gap;          /* text: what precedes the title and cells */
	int width;                /* text: cells are right-aligned in this */
	int title_width;          /* text: the title's, when not `width` */
	unsigned bit;             /* COLUMN_*: shown when in the mask; 0: always */
	int json_rank;            /* place among a JSON line's figures (the
				     text's order is the table's) */
	const char *json_key[3];  /* the JSON members, NULL-terminated */
	/* The text cell of a line ("" when it shows none), MiB figures with
	 * `precision` decimals. */
	void (*text)(char *buf, size_t size, const struct profile_line *pl,
		     int precision);
	/* The value of member json_key[i] of a line (null when unknown). */
	void (*json)(struct json_writer *w, const struct profile_line *pl,
		     int i);
};

/* The columns in the text table's order. */
extern const struct column column_table[];
extern const size_t column_count;

/* Whether `c` is shown under the column mask `mask`. */
bool column_shown(const struct column *c, unsigned mask);

/* The column of JSON rank `rank` (0 <= rank < column_count). */
const struct column *column_json_order(size_t rank);

/* `bytes` as MiB in memory_profiler's '{0:W.Pf} MiB' (width 0: none), a
 * change that rounds to -0 written as 0. */
void column_mib(char *buf, size_t size, int width, int precision,
		int64_t bytes);

#endif
