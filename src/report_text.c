/* SPDX-License-Identifier: MIT */
/* report_text.c - memory_profiler 0.61's table, byte for byte.
 *
 * Its Python, which this file mirrors:
 *     template = '{0:>6} {1:>12} {2:>12}  {3:>10}   {4:<}'
 * a "Filename:" line, the header, a rule of '=' as long as the header, one
 * row per source line of the function, then a blank line pair.  The figure
 * columns, their titles, widths and cells, are column.c's table; this file
 * lays out the rows around them.  After the tables come the lines that
 * grew RSS most (--top), then the run's peak and final RSS.  What the
 * figures mean is profile.c's business.
 * Names and source text come from the program and its debugging
 * information: every byte of them that is not printable text is written
 * as \xHH (mp_escape), so the table cannot drive the terminal it is
 * printed on or hold lines of the program's making.
 */
#include "report.h"

#include <inttypes.h>
#include <limits.h>
#include <stdarg.h>
#include <stdlib.h>
#include <string.h>

#include "column.h"
#include "top.h"
#include "util.h"

/* fprintf for a line that quotes names from the debugging information
 * (file and function names, which may hold any byte but NUL): the line is
 * formatted whole, then everything but its final newline escaped as
 * mp_escape does, so a name can neither forge a line nor drive the
 * terminal. */
static void __attribute__((format(printf, 2, 3)))
put_escaped(FILE *out, const char *fmt, ...)
{
	char *line = NULL, *esc;
	size_t len = 0, newlines = 0;
	FILE *m = open_memstream(&line, &len);
	va_list ap;

	if (!m)
		return;
	va_start(ap, fmt);
	vfprintf(m, fmt, ap);
	va_end(ap);
	fclose(m);
	/* The newlines the format ends with ("\n\n" after Filename) are
	 * the report's, not the names'. */
	for (const char *p = fmt + strlen(fmt); p > fmt && p[-1] == '\n'; p--)
		newlines++;
	line[len >= newlines ? len - newlines : 0] = '\0';
	esc = mp_escape(line);
	fputs(esc, out);
	while (newlines--)
		putc('\n', out);
	free(esc);
	free(line);
}

/* memory_profiler's layout: Line #, the figure columns shown (column.c),
 * Line Contents. */
static void write_table(FILE *out, const struct profile_function *fn,
			int precision, struct source *src, unsigned columns)
{
	unsigned line;
	int len;

	put_escaped(out, "Filename: %s\n\n", fn->file ? fn->file : "");
	len = fprintf(out, "%6s", "Line #");
	for (size_t i = 0; i < column_count; i++) {
		const struct column *c = &column_table[i];

		if (column_shown(c, columns))
			len += fprintf(out, "%s%*s", c->gap,
				       c->title_width ? c->title_width : c->width,
				       c->title);
	}
	len += fprintf(out, "   %s\n", "Line Contents");
	for (int i = 1; i < len; i++)
		putc('=', out);
	putc('\n', out);

	for (line = fn->first_line; line <= fn->last_line; line++) {
		const struct profile_line *pl = &fn->lines[line - fn->first_line];
		char *text;

		fprintf(out, "%6u", line);
		for (size_t i = 0; i < column_count; i++) {
			const struct column *c = &column_table[i];
			char cell[96];

			if (!column_shown(c, columns))
				continue;
			c->text(cell, sizeof(cell), pl, precision);
			fprintf(out, "%s%*s", c->gap, c->width, cell);
		}
		text = mp_escape(source_line(src, fn->file, line));
		fprintf(out, "   %s\n", text);
		free(text);
		if (line == UINT_MAX)
			break;
	}
	fputs("\n\n", out);
}

/* How a ranked line is located: "seed.c:27", or the whole path when two
 * ranked files share a name. */
static const char *top_location(const struct top_line *v, size_t n, size_t i)
{
	const char *file = v[i].fn->file ? v[i].fn->file : "";
	const char *slash = strrchr(file, '/');
	const char *base = slash ? slash + 1 : file;

	for (size_t j = 0; j < n; j++) {
		const char *other = v[j].fn->file ? v[j].fn->file : "";
		const char *oslash = strrchr(other, '/');

		if (strcmp(oslash ? oslash + 1 : other, base) == 0 &&
		    strcmp(other, file) != 0)
			return file;
	}
	return base;
}

/* The --top table, laid out like the function tables but with widths that
 * fit its cells: Location left-aligned, figures right-aligned, the source
 * text without its indentation.  Which lines, and in which order, is
 * top.c's business. */
static void write_top(FILE *out, const struct profile *p, size_t top,
		      int precision, struct source *src)
{
	size_t n, wloc = strlen("Location"), winc = strlen("Increment");
	size_t wocc = strlen("Occurrences");
	struct top_line *v = top_lines(p, top, &n);
	char **loc, (*inc)[64];
	int len;

	fputs("Top lines by Increment\n\n", out);
	if (n == 0) {
		fputs("No line increased RSS.\n\n\n", out);
		return;
	}
	loc = xmalloc(n * sizeof(*loc));
	inc = xmalloc(n * sizeof(*inc));
	for (size_t i = 0; i < n; i++) {
		char *where = mp_escape(top_location(v, n, i));
		char occ[32];

		loc[i] = xasprintf("%s:%u", where, v[i].line);
		free(where);
		snprintf(inc[i], sizeof(*inc), "+%.*f MiB", precision,
			 (double)v[i].increment_bytes / (1024.0 * 1024.0));
		if (strlen(loc[i]) > wloc)
			wloc = strlen(loc[i]);
		if (strlen(inc[i]) > winc)
			winc = strlen(inc[i]);
		snprintf(occ, sizeof(occ), "%" PRIu64, v[i].occurrences);
		if (strlen(occ) > wocc)
			wocc = strlen(occ);
	}
	len = fprintf(out, "%-*s   %*s   %*s   %s\n", (int)wloc, "Location",
		      (int)winc, "Increment", (int)wocc, "Occurrences",
		      "Line Contents");
	for (int i = 1; i < len; i++)
		putc('=', out);
	putc('\n', out);
	for (size_t i = 0; i < n; i++) {
		const char *line = source_line(src, v[i].fn->file, v[i].line);
		char *text = mp_escape(line + strspn(line, " \t"));

		fprintf(out, "%-*s   %*s   %*" PRIu64 "%s%s\n", (int)wloc,
			loc[i], (int)winc, inc[i], (int)wocc, v[i].occurrences,
			*text ? "   " : "", text);
		free(text);
	}
	fputs("\n\n", out);
	for (size_t i = 0; i < n; i++)
		free(loc[i]);
	free(loc);
	free(inc);
	free(v);
}

/* Where the peak was reached: the profiled line, then the stack. */
static void write_peak_place(FILE *out, const struct profile *p,
			     const struct report_run *run)
{
	const struct profile_function *f = run->peak_known ?
		profile_function(p, run->peak_fn) : NULL;

	if (!f)
		return;
	put_escaped(out, "Peak reached in %s at %s:%u\n", f->name, f->file,
		    run->peak_line);
	for (size_t i = 0; i < run->peak_depth; i++) {
		const struct di_place *d = &run->peak_stack[i];

		if (d->file)
			put_escaped(out, "    #%zu %s at %s:%u\n", i,
				    d->function, d->file, d->line);
		else
			put_escaped(out, "    #%zu %s\n", i, d->function);
	}
}

int report_text(FILE *out, const struct profile *p, const struct report_run *run,
		struct source *src)
{
	int precision = run->precision;
	char peak[64] = "unknown", final[64] = "unknown";
	size_t i;

	if (precision < 0)
		precision = 0;
	if (precision > 9)
		precision = 9;
	bool rss = !run->metric || !strcmp(run->metric, "rss");

	for (i = 0; i < profile_nfunctions(p); i++)
		write_table(out, profile_function(p, i), precision, src,
			    run->columns);
	if (run->top)
		write_top(out, p, run->top, precision, src);

	if (run->peak_rss_bytes >= 0) {
		column_mib(peak, sizeof(peak), 0, precision, run->peak_rss_bytes);
		strcat(peak, rss ? " (VmHWM, whole process)" :
				   " (highest sample, whole process)");
	}
	if (run->final_rss_bytes >= 0)
		column_mib(final, sizeof(final), 0, precision,
			   run->final_rss_bytes);
	write_peak_place(out, p, run);
	if (rss) {
		fprintf(out, "Peak RSS:  %s\nFinal RSS: %s\n", peak, final);
	} else {
		/* --metric: every figure above measures it, not RSS. */
		fprintf(out, "Metric:    %s (--metric)\nPeak %s:  %s\nFinal %s: %s\n",
			run->metric, run->metric, peak, run->metric, final);
	}
	fflush(out);
	return ferror(out) ? -1 : 0;
}
