/* SPDX-License-Identifier: MIT */
/* column.h - the figure columns of a report's line rows, declared once.
 *
 * Each column (Mem usage, Increment, Peak, Heap inc, Faults, Occurrences)
 * is one entry of column_table: its text title and width, its JSON
 * member(s), the option that shows it with its --help lines, and its
 * formatters.  A column's bit in a column mask is derived from its place
 * in the table (column_bit); options.c makes the options and their --help
 * lines from the table.  The renderers (report_text.c, report_json.c) walk
 * the table and never name a column; what a figure means, and how it is
 * accounted, is profile.c's business.  Adding a column is one entry in
 * column.c plus its field and accounting in profile.h/profile.c.
 */
#ifndef MEMPROF_COLUMN_H
#define MEMPROF_COLUMN_H

#include <stdbool.h>
#include <stddef.h>

#include "profile.h"

struct json_writer;

/* A column mask has one bit per column of column_table, bit i for entry
 * i; only the optional columns' bits are ever set.  An unsigned holds them
 * all. */
#define COLUMN_MAX 32

struct column {
	const char *title;        /* text header */
	const char *gap;          /* text: what precedes the title and cells */
	int width;                /* text: cells are right-aligned in this */
	int title_width;          /* text: the title's, when not `width` */
	/* The long option (without "--") that shows the column, NULL for a
	 * column always shown.  --help gives `help` (whole lines, in the
	 * layout of options.c's other lines) just before the line of option
	 * `help_before`. */
	const char *option;
	const char *help;
	const char *help_before;
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

/* The mask bit of the column shown by option `option` ("peak"); 0 when no
 * column has that option. */
unsigned column_bit(const char *option);

/* Whether `c` is shown under the column mask `mask`. */
bool column_shown(const struct column *c, unsigned mask);

/* The column of JSON rank `rank` (0 <= rank < column_count). */
const struct column *column_json_order(size_t rank);

/* `bytes` as MiB in memory_profiler's '{0:W.Pf} MiB' (width 0: none), a
 * change that rounds to -0 written as 0. */
void column_mib(char *buf, size_t size, int width, int precision,
		int64_t bytes);

#endif
