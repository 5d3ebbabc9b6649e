/* SPDX-License-Identifier: MIT */
/* fuzz_report.c - memprof diff's input: any file given as a report.  The
 * input is the file's text.  Whatever it holds, the JSON reader answers
 * with a value or a positioned message; when it is a report, its diff with
 * itself and with a fixed report renders, and the JSON diff is valid
 * JSON. */
#define _GNU_SOURCE
#include <stdio.h>
#include <stdlib.h>
#include <string.h>

#include "diff.h"
#include "fuzz.h"
#include "json.h"

static const char base_text[] =
	"{\"version\": 1, \"peak_rss_bytes\": 10485760, \"final_rss_bytes\": null,"
	" \"functions\": [{\"name\": \"process_data\", \"file\": \"/a/seed.c\","
	" \"calls\": 1, \"lines\": ["
	" {\"line\": 26, \"contents\": \"x\", \"occurrences\": 5000,"
	" \"mem_bytes\": 9437184, \"increment_bytes\": 8388608},"
	" {\"line\": 27, \"contents\": \"\", \"occurrences\": 0,"
	" \"mem_bytes\": null, \"increment_bytes\": null}]}]}";

static void check_diff(const struct diff_report *a, const struct diff_report *b)
{
	char *buf = NULL, err[128];
	size_t len = 0;
	FILE *out = open_memstream(&buf, &len);
	struct json_value *v;

	if (!out || diff_write(out, a, b, false, 3) < 0)
		fuzz_fail("the text diff could not be written");
	rewind(out);
	len = 0;
	if (diff_write(out, a, b, true, 1) < 0 || fclose(out) != 0)
		fuzz_fail("the JSON diff could not be written");
	v = json_parse(buf, len, err, sizeof(err));
	if (!v)
		fuzz_fail("the JSON diff is not valid JSON");
	json_free(v);
	free(buf);
}

int LLVMFuzzerTestOneInput(const uint8_t *data, size_t size)
{
	static struct diff_report base;
	static int have_base;
	struct diff_report r;
	struct json_value *v;
	char err[256];

	if (!have_base) {
		if (diff_report_parse(base_text, strlen(base_text), &base, err,
				      sizeof(err)) < 0)
			fuzz_fail("the fixed report is refused");
		have_base = 1;
	}
	v = json_parse((const char *)data, size, err, sizeof(err));
	if (!v && strncmp(err, "line ", 5) != 0)
		fuzz_fail("invalid JSON refused without a position");
	json_free(v);
	if (diff_report_parse((const char *)data, size, &r, err, sizeof(err)) == 0) {
		check_diff(&r, &r);
		check_diff(&base, &r);
		check_diff(&r, &base);
	} else if (!err[0]) {
		fuzz_fail("not a report, without a reason");
	}
	diff_report_release(&r);
	return 0;
}
