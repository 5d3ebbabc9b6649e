/* SPDX-License-Identifier: MIT */
/* report_json.c - the profile as one JSON object, for programs to read.
 *
 * Laid out like Python's json.dumps(indent=2) by json.c's writer, keys in
 * a fixed order (see the man page, section OUTPUT).  Every line of a
 * function's span is listed; a line that never finished has null figures.  Strings are
 * escaped to stay valid JSON whatever the source file holds (json.c: valid
 * UTF-8 passes through, any other byte >= 0x80 becomes U+FFFD).  What the
 * figures mean is profile.c's business, which lines rank top.c's.
 */
#define _GNU_SOURCE
#include "report.h"

#include <limits.h>
#include <signal.h>
#include <stdlib.h>
#include <string.h>

#include "json.h"
#include "top.h"

/* The signal's name ("SIGSEGV"), or null. */
static void json_signal(struct json_writer *w, int sig)
{
	const char *abbrev;
	char name[32];

	if (sig == 0) {
		json_null(w);
		return;
	}
	abbrev = sigabbrev_np(sig);
	if (abbrev)
		snprintf(name, sizeof(name), "SIG%s", abbrev);
	else if (sig >= SIGRTMIN && sig <= SIGRTMAX)
		snprintf(name, sizeof(name), "SIGRTMIN+%d", sig - SIGRTMIN);
	else
		snprintf(name, sizeof(name), "SIG%d", sig);
	json_string(w, name);
}

static void json_line(struct json_writer *w, const struct profile_function *fn,
		      unsigned line, struct source *src,
		      const struct report_run *run)
{
	const struct profile_line *pl = &fn->lines[line - fn->first_line];

	json_begin_object(w);
	json_key(w, "line");
	json_uint(w, line);
	json_key(w, "contents");
	json_string(w, source_line(src, fn->file, line));
	for (size_t rank = 0; rank < column_count; rank++) {
		const struct column *c = column_json_order(rank);

		if (!column_shown(c, run->columns))
			continue;
		for (int i = 0; c->json_key[i]; i++) {
			json_key(w, c->json_key[i]);
			c->json(w, pl, i);
		}
	}
	json_end_object(w);
}

static void json_function(struct json_writer *w,
			  const struct profile_function *fn,
			  const struct report_run *run, struct source *src)
{
	json_begin_object(w);
	json_key(w, "name");
	json_string(w, fn->name);
	json_key(w, "file");
	json_string(w, fn->file);
	json_key(w, "first_line");
	json_uint(w, fn->first_line);
	json_key(w, "last_line");
	json_uint(w, fn->last_line);
	json_key(w, "calls");
	json_uint(w, fn->calls);
	json_key(w, "lines");
	json_begin_array(w);
	for (unsigned line = fn->first_line; line <= fn->last_line; line++) {
		json_line(w, fn, line, src, run);
		if (line == UINT_MAX)
			break;
	}
	json_end_array(w);
	json_end_object(w);
}

/* "top_lines": the --top ranking, largest first; [] with --top=0. */
static void json_top(struct json_writer *w, const struct profile *p,
		     size_t top, struct source *src)
{
	size_t n;
	struct top_line *v = top_lines(p, top, &n);

	json_key(w, "top_lines");
	json_begin_array(w);
	for (size_t i = 0; i < n; i++) {
		json_begin_object(w);
		json_key(w, "function");
		json_string(w, v[i].fn->name);
		json_key(w, "file");
		json_string(w, v[i].fn->file);
		json_key(w, "line");
		json_uint(w, v[i].line);
		json_key(w, "contents");
		json_string(w, source_line(src, v[i].fn->file, v[i].line));
		json_key(w, "increment_bytes");
		json_int(w, v[i].increment_bytes);
		json_key(w, "occurrences");
		json_uint(w, v[i].occurrences);
		json_end_object(w);
	}
	json_end_array(w);
	free(v);
}

/* "peak": where the peak was reached, or null when unknown. */
static void json_peak(struct json_writer *w, const struct profile *p,
		      const struct report_run *run)
{
	const struct profile_function *f = run->peak_known ?
		profile_function(p, run->peak_fn) : NULL;

	json_key(w, "peak");
	if (!f) {
		json_null(w);
		return;
	}
	json_begin_object(w);
	json_key(w, "rss_bytes");
	json_int_or_null(w, run->peak_rss_bytes >= 0, run->peak_rss_bytes);
	json_key(w, "function");
	json_string(w, f->name);
	json_key(w, "file");
	json_string(w, f->file);
	json_key(w, "line");
	json_uint(w, run->peak_line);
	json_key(w, "stack");
	json_begin_array(w);
	for (size_t i = 0; i < run->peak_depth; i++) {
		const struct di_place *d = &run->peak_stack[i];

		json_begin_inline_object(w);
		json_key(w, "function");
		json_string(w, d->function);
		json_key(w, "file");
		if (d->file)
			json_string(w, d->file);
		else
			json_null(w);
		json_key(w, "line");
		json_int_or_null(w, d->line > 0, d->line);
		json_end_object(w);
	}
	json_end_array(w);
	json_end_object(w);
}

int report_json(FILE *out, const struct profile *p, const struct report_run *run,
		struct source *src)
{
	struct json_writer w = { .out = out };
	size_t n = profile_nfunctions(p);

	json_begin_object(&w);
	json_key(&w, "version");
	json_int(&w, 1);
	json_key(&w, "command");
	json_begin_array(&w);
	for (size_t i = 0; run->command && run->command[i]; i++)
		json_string(&w, run->command[i]);
	json_end_array(&w);
	json_key(&w, "exit_code");
	json_int_or_null(&w, run->exit_code != -1, run->exit_code);
	json_key(&w, "signal");
	json_signal(&w, run->signal);
	json_key(&w, "metric");
	json_string(&w, run->metric ? run->metric : "rss");
	json_key(&w, "peak_rss_bytes");
	json_int_or_null(&w, run->peak_rss_bytes >= 0, run->peak_rss_bytes);
	json_key(&w, "final_rss_bytes");
	json_int_or_null(&w, run->final_rss_bytes >= 0, run->final_rss_bytes);
	/* Whether the lines have heap_increment_bytes (--heap worked). */
	json_key(&w, "heap");
	json_bool(&w, run->columns & column_bit("heap"));
	json_peak(&w, p, run);
	json_key(&w, "functions");
	json_begin_array(&w);
	for (size_t i = 0; i < n; i++)
		json_function(&w, profile_function(p, i), run, src);
	json_end_array(&w);
	json_top(&w, p, run->top, src);
	json_end_object(&w);
	fflush(out);
	return ferror(out) ? -1 : 0;
}
