/* report_json.c - the profile as one JSON object, for programs to read.
 *
 * Laid out like Python's json.dumps(indent=2), keys in a fixed order (see
 * the man page, section OUTPUT).  Every line of a function's span is
 * listed; a line that never finished has null figures.  Strings are
 * escaped to stay valid JSON whatever the source file holds: valid UTF-8
 * passes through, any other byte >= 0x80 becomes U+FFFD.  What the figures
 * mean is profile.c's business.
 */
#define _GNU_SOURCE
#include "report.h"

#include <inttypes.h>
#include <limits.h>
#include <signal.h>
#include <string.h>

/* Length of the valid UTF-8 sequence at s (2 to 4), or 0.  s is
 * NUL-terminated and NUL is never a continuation byte, so this cannot read
 * past the end. */
static int utf8_length(const unsigned char *s)
{
	unsigned char lo = 0x80, hi = 0xbf;
	int n, i;

	if (s[0] >= 0xc2 && s[0] <= 0xdf)
		n = 2;
	else if (s[0] >= 0xe0 && s[0] <= 0xef)
		n = 3;
	else if (s[0] >= 0xf0 && s[0] <= 0xf4)
		n = 4;
	else
		return 0;
	/* No overlong forms, no surrogates, nothing above U+10FFFF. */
	if (s[0] == 0xe0)
		lo = 0xa0;
	else if (s[0] == 0xed)
		hi = 0x9f;
	else if (s[0] == 0xf0)
		lo = 0x90;
	else if (s[0] == 0xf4)
		hi = 0x8f;
	if (s[1] < lo || s[1] > hi)
		return 0;
	for (i = 2; i < n; i++)
		if (s[i] < 0x80 || s[i] > 0xbf)
			return 0;
	return n;
}

static void json_string(FILE *out, const char *str)
{
	const unsigned char *s = (const unsigned char *)(str ? str : "");

	putc('"', out);
	while (*s) {
		int n;

		switch (*s) {
		case '"':
			fputs("\\\"", out);
			break;
		case '\\':
			fputs("\\\\", out);
			break;
		case '\b':
			fputs("\\b", out);
			break;
		case '\f':
			fputs("\\f", out);
			break;
		case '\n':
			fputs("\\n", out);
			break;
		case '\r':
			fputs("\\r", out);
			break;
		case '\t':
			fputs("\\t", out);
			break;
		default:
			if (*s < 0x20) {
				fprintf(out, "\\u%04x", *s);
			} else if (*s < 0x80) {
				putc(*s, out);
			} else if ((n = utf8_length(s)) > 0) {
				fwrite(s, 1, (size_t)n, out);
				s += n;
				continue;
			} else {
				fputs("\\ufffd", out);
			}
		}
		s++;
	}
	putc('"', out);
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
		      unsigned line, struct source *src)
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
	fputs("\n        }", out);
}

static void json_function(FILE *out, const struct profile_function *fn,
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
		json_line(out, fn, line, src);
		if (line == UINT_MAX)
			break;
	}
	fputs(fn->first_line <= fn->last_line ? "\n      ]\n    }" : "]\n    }",
	      out);
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
	fputs(",\n  \"peak_rss_bytes\": ", out);
	json_int_or_null(out, run->peak_rss_bytes, run->peak_rss_bytes >= 0);
	fputs(",\n  \"final_rss_bytes\": ", out);
	json_int_or_null(out, run->final_rss_bytes, run->final_rss_bytes >= 0);

	fputs(",\n  \"functions\": [", out);
	for (i = 0; i < n; i++) {
		fputs(i ? ",\n" : "\n", out);
		json_function(out, profile_function(p, i), src);
	}
	fputs(n ? "\n  ]\n}\n" : "]\n}\n", out);
	fflush(out);
	return ferror(out) ? -1 : 0;
}
