/* SPDX-License-Identifier: MIT */
/* report.h - renderers of a finished profile.
 *
 * Each renderer takes the profile read-only and writes to a FILE; none of
 * them computes a figure: every number comes from profile.c or the run
 * summary below.  The per-line figure columns, and which of them a run
 * shows, are column.c's table.
 */
#ifndef MEMPROF_REPORT_H
#define MEMPROF_REPORT_H

#include <stdint.h>
#include <stdio.h>

#include "column.h"
#include "debuginfo.h"
#include "profile.h"
#include "source.h"

/* What is known of the whole run. */
struct report_run {
	char *const *command;     /* the target's argv, NULL-terminated */
	int exit_code;            /* -1 when the target did not exit normally */
	int signal;               /* signal that killed the target, or 0 */
	int64_t peak_rss_bytes;   /* VmHWM at exit, -1 if unknown */
	int64_t final_rss_bytes;  /* RSS at exit, -1 if unknown */
	int precision;            /* decimals of MiB figures */
	size_t top;               /* lines to rank after the tables (--top,
				     see top.h); 0: none */
	unsigned columns;         /* the optional columns shown: COLUMN_*
				     bits (column.h); COLUMN_HEAP only when
				     --heap worked */
	const char *metric;       /* what the figures measure ("rss",
				     "anon"...; NULL: rss) */
	int peak_known;           /* the peak's place below is known */
	unsigned peak_fn;         /* the line running when the peak was
				     reached: function index */
	unsigned peak_line;
	const struct di_place *peak_stack; /* the call stack there */
	size_t peak_depth;
};

/* memory_profiler 0.61's table, one per function, then the run's peak and
 * final RSS.  Returns 0, or -1 when writing failed. */
int report_text(FILE *out, const struct profile *p, const struct report_run *run,
		struct source *src);

/* One JSON object (see the man page, section OUTPUT).  Returns 0 or -1. */
int report_json(FILE *out, const struct profile *p, const struct report_run *run,
		struct source *src);

struct timeline;

/* The timeline (finished) as an SVG picture, for --plot: the RSS curve,
 * the profiled functions' spans, the peak (report_svg.c).  0 or -1. */
int report_svg(FILE *out, const struct timeline *tl, const struct profile *p,
	       const struct report_run *run);

#endif
