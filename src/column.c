/* SPDX-License-Identifier: MIT */
/* column.c - the table of figure columns (see column.h) and their
 * formatters.
 *
 * Text cells follow memory_profiler 0.61's layout: MiB figures in a field
 * of precision + 4, blank for a line that never finished; the JSON gives
 * null there instead.  The entries' order is the text table's; json_rank
 * orders the JSON members, which grew in another order (Faults came to the
 * JSON before Heap inc, after it in the text).
 */
#include "column.h"

#include <inttypes.h>
#include <stdio.h>
#include <string.h>

#include "json.h"

void column_mib(char *buf, size_t size, int width, int precision,
		int64_t bytes)
{
	double mib = (double)bytes / (1024.0 * 1024.0);
	const char *p;

	snprintf(buf, size, "%*.*f MiB", width, precision, mib);
	/* A small free rounds to "-0.0"; say 0.0, there was no change. */
	if (!strchr(buf, '-'))
		return;
	for (p = buf; *p; p++)
		if (*p >= '1' && *p <= '9')
			return;
	snprintf(buf, size, "%*.*f MiB", width, precision, 0.0);
}

/* A MiB cell, blank unless the line finished. */
static void text_mib(char *buf, size_t size, const struct profile_line *pl,
		     int precision, int64_t bytes)
{
	if (pl->finished > 0)
		column_mib(buf, size, precision + 4, precision, bytes);
	else
		buf[0] = '\0';
}

static void text_mem(char *buf, size_t size, const struct profile_line *pl,
		     int precision)
{
	text_mib(buf, size, pl, precision, pl->mem_bytes);
}

static void json_mem(struct json_writer *w, const struct profile_line *pl,
		     int i)
{
	(void)i;
	json_int_or_null(w, pl->finished > 0, pl->mem_bytes);
}

static void text_increment(char *buf, size_t size,
			   const struct profile_line *pl, int precision)
{
	text_mib(buf, size, pl, precision, pl->increment_bytes);
}

static void json_increment(struct json_writer *w,
			   const struct profile_line *pl, int i)
{
	(void)i;
	json_int_or_null(w, pl->finished > 0, pl->increment_bytes);
}

static void text_peak(char *buf, size_t size, const struct profile_line *pl,
		      int precision)
{
	text_mib(buf, size, pl, precision, pl->peak_bytes);
}

static void json_peak(struct json_writer *w, const struct profile_line *pl,
		      int i)
{
	(void)i;
	json_int_or_null(w, pl->finished > 0, pl->peak_bytes);
}

static void text_heap(char *buf, size_t size, const struct profile_line *pl,
		      int precision)
{
	text_mib(buf, size, pl, precision, pl->heap_increment_bytes);
}

static void json_heap(struct json_writer *w, const struct profile_line *pl,
		      int i)
{
	(void)i;
	json_int_or_null(w, pl->finished > 0, pl->heap_increment_bytes);
}

/* "minor/major". */
static void text_faults(char *buf, size_t size, const struct profile_line *pl,
			int precision)
{
	(void)precision;
	if (pl->finished > 0)
		snprintf(buf, size, "%" PRId64 "/%" PRId64, pl->minor_faults,
			 pl->major_faults);
	else
		buf[0] = '\0';
}

/* minor_faults, then major_faults. */
static void json_faults(struct json_writer *w, const struct profile_line *pl,
			int i)
{
	json_int_or_null(w, pl->finished > 0,
			 i == 0 ? pl->minor_faults : pl->major_faults);
}

/* A line entered but not yet finished (a call still running) shows its
 * count; the JSON always gives it. */
static void text_occurrences(char *buf, size_t size,
			     const struct profile_line *pl, int precision)
{
	(void)precision;
	if (pl->occurrences > 0 || pl->finished > 0)
		snprintf(buf, size, "%" PRIu64, pl->occurrences);
	else
		buf[0] = '\0';
}

static void json_occurrences(struct json_writer *w,
			     const struct profile_line *pl, int i)
{
	(void)i;
	json_uint(w, pl->occurrences);
}

const struct column column_table[] = {
	{ .title = "Mem usage", .gap = " ", .width = 12, .json_rank = 1,
	  .json_key = { "mem_bytes" }, .text = text_mem, .json = json_mem },
	{ .title = "Increment", .gap = " ", .width = 12, .json_rank = 2,
	  .json_key = { "increment_bytes" }, .text = text_increment,
	  .json = json_increment },
	{ .title = "Peak", .gap = " ", .width = 12, .option = "peak",
	  .help =
	  "      --peak                 a Peak column: the highest RSS while each\n"
	  "                             line ran, exact (from the kernel's VmHWM)\n",
	  .help_before = "line", .json_rank = 3, .json_key = { "peak_bytes" }, .text = text_peak,
	  .json = json_peak },
	/* Shown only when the heap accounting worked (main.c). */
	{ .title = "Heap inc", .gap = " ", .width = 12, .option = "heap",
	  .help =
	  "      --heap                 a Heap inc column: bytes malloc'd minus bytes\n"
	  "                             freed while each line ran (new, delete too)\n",
	  .help_before = "format", .json_rank = 5, .json_key = { "heap_increment_bytes" },
	  .text = text_heap, .json = json_heap },
	/* The title is one narrower than the cells, as it always was. */
	{ .title = "Faults mn/mj", .gap = " ", .width = 14, .title_width = 13,
	  .option = "faults",
	  .help =
	  "      --faults               a Faults column: minor/major page faults\n"
	  "                             each line caused\n",
	  .help_before = "metric", .json_rank = 4,
	  .json_key = { "minor_faults", "major_faults" },
	  .text = text_faults, .json = json_faults },
	{ .title = "Occurrences", .gap = "  ", .width = 10, .json_rank = 0,
	  .json_key = { "occurrences" }, .text = text_occurrences,
	  .json = json_occurrences },
};

const size_t column_count = sizeof(column_table) / sizeof(column_table[0]);

_Static_assert(sizeof(column_table) / sizeof(column_table[0]) <= COLUMN_MAX,
	       "a column mask has a bit per column");

unsigned column_bit(const char *option)
{
	for (size_t i = 0; i < column_count; i++)
		if (column_table[i].option &&
		    strcmp(column_table[i].option, option) == 0)
			return 1u << i;
	return 0;
}

bool column_shown(const struct column *c, unsigned mask)
{
	return !c->option || (mask & (1u << (c - column_table)));
}

const struct column *column_json_order(size_t rank)
{
	for (size_t i = 0; i < column_count; i++)
		if (column_table[i].json_rank == (int)rank)
			return &column_table[i];
	return NULL;
}
