/* SPDX-License-Identifier: MIT */
/* options.h - the command line. */
#ifndef MEMPROF_OPTIONS_H
#define MEMPROF_OPTIONS_H

#include <stddef.h>
#include <stdint.h>
#include <stdio.h>

#include "budget.h"

enum report_format { FORMAT_TEXT, FORMAT_JSON };

struct options {
	char **funcs;              /* --func names, split on commas (owned) */
	size_t nfuncs, funcs_cap;
	const char *output;        /* --output, NULL for stderr */
	enum report_format format; /* --format */
	int precision;             /* --precision, 0..9, default 1 */
	char **command;            /* PROGRAM ARGS..., NULL-terminated (points
				      into argv); NULL with --pid */
	int pid;                   /* -p, --pid: attach to this process, or 0 */
	int children;              /* --children: follow forks and execs */
	int64_t stop_above;        /* --stop-above=SIZE: RSS limit, or 0 */
	int stop_hold;             /* --stop-above=SIZE,hold */
	int metric;                /* --metric: enum rss_metric, default RSS */
	struct line_range {
		char *file;
		unsigned from, to;
	} *lines;                  /* --line=FILE:FROM-TO (owned) */
	size_t nlines, lines_cap;
	int depth;                 /* --depth=N: callees N levels down */
	unsigned columns;          /* the optional columns asked for (--peak,
				      --heap, --faults...): a column mask,
				      see column_bit (column.h) */
	size_t top;                /* --top, default 10; 0: no top lines */
	struct budget *budgets;    /* --fail-over, in order (owned) */
	size_t nbudgets, budgets_cap;
	const char *debuginfo_path; /* --debuginfo-path, NULL for libdwfl's
				       default (points into argv) */
	const char *timeline;      /* --timeline: the mprof .dat file, or NULL */
	const char *plot;          /* --plot: the .svg file, or NULL */
	int interval_ms;           /* --interval, default 10 */
	int no_lines;              /* --no-lines: no breakpoints at all */
	const char *diff_old;      /* memprof diff OLD NEW: the two reports
				      (NULL unless diffing; point into argv) */
	const char *diff_new;
};

enum options_result {
	OPTIONS_RUN,     /* parsed: profile opts->command */
	OPTIONS_DONE,    /* --help or --version was printed to `out`: exit 0 */
	OPTIONS_USAGE,   /* a usage error was printed to `err`: exit 2 */
};

/* Parses argv (argv[0] is memprof).  Options stop at the first non-option
 * or at "--".  When argv[1] is exactly "diff", the rest is `memprof diff`'s
 * command line instead: its options (--format, --precision, anywhere) and
 * the two reports, in diff_old and diff_new.  Messages: "memprof: <what is wrong>\nTry 'memprof --help'
 * for more information.\n" on `err`.  Call options_free in every case. */
enum options_result options_parse(struct options *opts, int argc, char **argv,
				  FILE *out, FILE *err);
void options_free(struct options *opts);

#endif
