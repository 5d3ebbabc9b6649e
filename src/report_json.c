/* report_json.c - the profile as one JSON object, for programs to read.
 *
 * Laid out like Python's json.dumps(indent=2), keys in a fixed order (see
 * the man page, section OUTPUT).  Every line of a function's span is
 * listed; a line that never finished has null figures.  Strings are
 * escaped to stay valid JSON whatever the source file holds (json.c: valid
 * UTF-8 passes through, any other byte >= 0x80 becomes U+FFFD).  What the
 * figures mean is profile.c's business, which lines rank top.c's.
 */
#define _GNU_SOURCE
#include "report.h"

#include <inttypes.h>
#include <limits.h>
#include <signal.h>
#include <stdlib.h>
#include <string.h>

#include "json.h"
#include "top.h"

static void json_string(FILE *out, const char *str)
{
	json_write_string(out, str);
}

static void json_int_or_null(FILE *out, int64_t v, bool known)
{
	if (known)
		fprintf(out, "%" PRId64, v);
	else
		fputs("null", out);
}

static void json_signal(FILE *out, int sig)
{
	const char *abbrev;

	if (sig == 0) {
		fputs("null", out);
		return;
	}
	abbrev = sigabbrev_np(sig);
	if (abbrev)
		fprintf(out, "\"SIG%s\"", abbrev);
	else if (sig >= SIGRTMIN && sig <= SIGRTMAX)
		fprintf(out, "\"SIGRTMIN+%d\"", sig - SIGRTMIN);
	else
		fprintf(out, "\"SIG%d\"", sig);
}

static void json_line(FILE *out, const struct profile_function *fn,
		      unsigned line, struct source *src,
		      const struct report_run *run)
{
	const struct profile_line *pl = &fn->lines[line - fn->first_line];
	bool ran = pl->finished > 0;

	fprintf(out, "        {\n          \"line\": %u,\n", line);
	fputs("          \"contents\": ", out);
	json_string(out, source_line(src, fn->file, line));
	fprintf(out, ",\n          \"occurrences\": %" PRIu64 ",\n",
		pl->occurrences);
	fputs("          \"mem_bytes\": ", out);
	json_int_or_null(out, pl->mem_bytes, ran);
	fputs(",\n          \"increment_bytes\": ", out);
	json_int_or_null(out, pl->increment_bytes, ran);
	if (run->line_peaks) {
		fputs(",\n          \"peak_bytes\": ", out);
		json_int_or_null(out, pl->peak_bytes, ran);
	}
	if (run->faults) {
		fputs(",\n          \"minor_faults\": ", out);
		json_int_or_null(out, pl->minor_faults, ran);
		fputs(",\n          \"major_faults\": ", out);
		json_int_or_null(out, pl->major_faults, ran);
	}
	if (run->heap) {
		fputs(",\n          \"heap_increment_bytes\": ", out);
		json_int_or_null(out, pl->heap_increment_bytes, ran);
	}
	fputs("\n        }", out);
}

static void json_function(FILE *out, const struct profile_function *fn,
			  const struct report_run *run,
			  struct source *src)
{
	unsigned line;

	fputs("    {\n      \"name\": ", out);
	json_string(out, fn->name);
	fputs(",\n      \"file\": ", out);
	json_string(out, fn->file);
	fprintf(out, ",\n      \"first_line\": %u,\n      \"last_line\": %u,\n",
		fn->first_line, fn->last_line);
	fprintf(out, "      \"calls\": %" PRIu64 ",\n", fn->calls);
	fputs("      \"lines\": [", out);
	for (line = fn->first_line; line <= fn->last_line; line++) {
		fputs(line == fn->first_line ? "\n" : ",\n", out);
		json_line(out, fn, line, src, run);
		if (line == UINT_MAX)
			break;
	}
	fputs(fn->first_line <= fn->last_line ? "\n      ]\n    }" : "]\n    }",
	      out);
}

/* "top_lines": the --top ranking, largest first; [] with --top=0. */
static void json_top(FILE *out, const struct profile *p, size_t top,
		     struct source *src)
{
	size_t n;
	struct top_line *v = top_lines(p, top, &n);

	fputs(",\n  \"top_lines\": [", out);
	for (size_t i = 0; i < n; i++) {
		fputs(i ? ",\n    {\n      \"function\": " :
			  "\n    {\n      \"function\": ", out);
		json_string(out, v[i].fn->name);
		fputs(",\n      \"file\": ", out);
		json_string(out, v[i].fn->file);
		fprintf(out, ",\n      \"line\": %u,\n      \"contents\": ",
			v[i].line);
		json_string(out, source_line(src, v[i].fn->file, v[i].line));
		fprintf(out, ",\n      \"increment_bytes\": %" PRId64
			",\n      \"occurrences\": %" PRIu64 "\n    }",
			v[i].increment_bytes, v[i].occurrences);
	}
	fputs(n ? "\n  ]" : "]", out);
	free(v);
}

/* "peak": where the peak was reached, or null when unknown. */
static void json_peak(FILE *out, const struct profile *p,
		      const struct report_run *run)
{
	const struct profile_function *f = run->peak_known ?
		profile_function(p, run->peak_fn) : NULL;

	fputs(",\n  \"peak\": ", out);
	if (!f) {
		fputs("null", out);
		return;
	}
	fputs("{\n    \"rss_bytes\": ", out);
	json_int_or_null(out, run->peak_rss_bytes, run->peak_rss_bytes >= 0);
	fputs(",\n    \"function\": ", out);
	json_string(out, f->name);
	fputs(",\n    \"file\": ", out);
	json_string(out, f->file);
	fprintf(out, ",\n    \"line\": %u,\n    \"stack\": [", run->peak_line);
	for (size_t i = 0; i < run->peak_depth; i++) {
		const struct di_place *d = &run->peak_stack[i];

		fputs(i ? ",\n      {\"function\": " : "\n      {\"function\": ", out);
		json_string(out, d->function);
		fputs(", \"file\": ", out);
		if (d->file)
			json_string(out, d->file);
		else
			fputs("null", out);
		fputs(", \"line\": ", out);
		json_int_or_null(out, d->line, d->line > 0);
		fputc('}', out);
	}
	fputs(run->peak_depth ? "\n    ]\n  }" : "]\n  }", out);
}

int report_json(FILE *out, const struct profile *p, const struct report_run *run,
		struct source *src)
{
	size_t i, n = profile_nfunctions(p);

	fputs("{\n  \"version\": 1,\n  \"command\": [", out);
	for (i = 0; run->command && run->command[i]; i++) {
		fputs(i ? ",\n    " : "\n    ", out);
		json_string(out, run->command[i]);
	}
	fputs(i ? "\n  ],\n" : "],\n", out);

	fputs("  \"exit_code\": ", out);
	json_int_or_null(out, run->exit_code, run->exit_code != -1);
	fputs(",\n  \"signal\": ", out);
	json_signal(out, run->signal);
	fputs(",\n  \"metric\": ", out);
	json_string(out, run->metric ? run->metric : "rss");
	fputs(",\n  \"peak_rss_bytes\": ", out);
	json_int_or_null(out, run->peak_rss_bytes, run->peak_rss_bytes >= 0);
	fputs(",\n  \"final_rss_bytes\": ", out);
	json_int_or_null(out, run->final_rss_bytes, run->final_rss_bytes >= 0);
	/* Whether the lines have heap_increment_bytes (--heap worked). */
	fprintf(out, ",\n  \"heap\": %s", run->heap ? "true" : "false");
	json_peak(out, p, run);

	fputs(",\n  \"functions\": [", out);
	for (i = 0; i < n; i++) {
		fputs(i ? ",\n" : "\n", out);
		json_function(out, profile_function(p, i), run, src);
	}
	fputs(n ? "\n  ]" : "]", out);
	json_top(out, p, run->top, src);
	fputs("\n}\n", out);
	fflush(out);
	return ferror(out) ? -1 : 0;
}
