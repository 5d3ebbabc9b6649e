/* report_text.c - memory_profiler 0.61's table, byte for byte.
 *
 * Its Python, which this file mirrors:
 *     template = '{0:>6} {1:>12} {2:>12}  {3:>10}   {4:<}'
 * a "Filename:" line, the header, a rule of '=' as long as the header, one
 * row per source line of the function, then a blank line pair.  Figures are
 * MiB with `precision` decimals in a field of precision + 4.  A line that
 * never finished shows no figures.  After the tables come the run's peak
 * and final RSS.  What the figures mean is profile.c's business.
 */
#include "report.h"

#include <inttypes.h>
#include <limits.h>
#include <string.h>

#define ROW_FORMAT "%6s %12s %12s  %10s   %s\n"

/* `bytes` as MiB in memory_profiler's '{0:W.Pf} MiB' (width 0: none). */
static void format_mib(char *buf, size_t size, int width, int precision,
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

static void write_table(FILE *out, const struct profile_function *fn,
			int precision, struct source *src)
{
	char header[128];
	char rule[128];
	unsigned line;
	int len;

	fprintf(out, "Filename: %s\n\n", fn->file ? fn->file : "");
	len = snprintf(header, sizeof(header), "%6s %12s %12s  %10s   %s",
		       "Line #", "Mem usage", "Increment", "Occurrences",
		       "Line Contents");
	memset(rule, '=', (size_t)len);
	rule[len] = '\0';
	fprintf(out, "%s\n%s\n", header, rule);

	for (line = fn->first_line; line <= fn->last_line; line++) {
		const struct profile_line *pl = &fn->lines[line - fn->first_line];
		char num[16], mem[64] = "", inc[64] = "", occ[32] = "";

		snprintf(num, sizeof(num), "%u", line);
		if (pl->occurrences > 0 || pl->finished > 0)
			snprintf(occ, sizeof(occ), "%" PRIu64, pl->occurrences);
		if (pl->finished > 0) {
			format_mib(mem, sizeof(mem), precision + 4, precision,
				   pl->mem_bytes);
			format_mib(inc, sizeof(inc), precision + 4, precision,
				   pl->increment_bytes);
		}
		fprintf(out, ROW_FORMAT, num, mem, inc, occ,
			source_line(src, fn->file, line));
		if (line == UINT_MAX)
			break;
	}
	fputs("\n\n", out);
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
	for (i = 0; i < profile_nfunctions(p); i++)
		write_table(out, profile_function(p, i), precision, src);

	if (run->peak_rss_bytes >= 0) {
		format_mib(peak, sizeof(peak), 0, precision, run->peak_rss_bytes);
		strcat(peak, " (VmHWM, whole process)");
	}
	if (run->final_rss_bytes >= 0)
		format_mib(final, sizeof(final), 0, precision,
			   run->final_rss_bytes);
	fprintf(out, "Peak RSS:  %s\nFinal RSS: %s\n", peak, final);
	fflush(out);
	return ferror(out) ? -1 : 0;
}
