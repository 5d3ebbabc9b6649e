/* SPDX-License-Identifier: MIT */
/* test_diff.c - memprof diff (diff.c): reading reports, refusing what is
 * not one with an exact reason, pairing functions and lines, and the
 * whole text output for a hand-made pair of reports. */
#define _GNU_SOURCE
#include <stdint.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <unistd.h>

#include "diff.h"
#include "fixtures.h"
#include "json.h"
#include "suites.h"

/* work() gains a line (log) that shifts the rest; its first grow doubles;
 * gone() is only in OLD, fresh() only in NEW. */
static const char old_json[] =
	"{\"version\": 1, \"command\": [\"./app\"], \"exit_code\": 0,"
	" \"signal\": null, \"peak_rss_bytes\": 10485760, \"final_rss_bytes\": 8388608,"
	" \"functions\": ["
	"  {\"name\": \"work\", \"file\": \"/a/seed.c\", \"first_line\": 10, \"last_line\": 14,"
	"   \"calls\": 1, \"lines\": ["
	"    {\"line\": 10, \"contents\": \"void work(void)\", \"occurrences\": 1, \"mem_bytes\": 1048576, \"increment_bytes\": 0},"
	"    {\"line\": 11, \"contents\": \"{\", \"occurrences\": 0, \"mem_bytes\": null, \"increment_bytes\": null},"
	"    {\"line\": 12, \"contents\": \"\\tp = grow(4);\", \"occurrences\": 1, \"mem_bytes\": 5242880, \"increment_bytes\": 4194304},"
	"    {\"line\": 13, \"contents\": \"\\tq = grow(2);\", \"occurrences\": 1, \"mem_bytes\": 7340032, \"increment_bytes\": 2097152},"
	"    {\"line\": 14, \"contents\": \"}\", \"occurrences\": 1, \"mem_bytes\": 7340032, \"increment_bytes\": 0}]},"
	"  {\"name\": \"gone\", \"file\": \"/a/gone.c\", \"first_line\": 3, \"last_line\": 4,"
	"   \"calls\": 2, \"lines\": ["
	"    {\"line\": 3, \"contents\": \"int gone(void)\", \"occurrences\": 2, \"mem_bytes\": 1048576, \"increment_bytes\": 4096},"
	"    {\"line\": 4, \"contents\": \"\", \"occurrences\": 0, \"mem_bytes\": null, \"increment_bytes\": null}]}"
	" ]}";

static const char new_json[] =
	"{\"version\": 1, \"command\": [\"./app\"], \"exit_code\": 0,"
	" \"signal\": null, \"peak_rss_bytes\": 47185920, \"final_rss_bytes\": 45088768,"
	" \"top_lines\": [], \"something_new\": {\"x\": [1, 2.5]},"
	" \"functions\": ["
	"  {\"name\": \"work\", \"file\": \"/b/seed.c\", \"first_line\": 10, \"last_line\": 15,"
	"   \"calls\": 1, \"lines\": ["
	"    {\"line\": 10, \"contents\": \"void work(void)\", \"occurrences\": 1, \"mem_bytes\": 1048576, \"increment_bytes\": 0},"
	"    {\"line\": 11, \"contents\": \"{\", \"occurrences\": 0, \"mem_bytes\": null, \"increment_bytes\": null},"
	"    {\"line\": 12, \"contents\": \"\\tlog();\", \"occurrences\": 1, \"mem_bytes\": 1052672, \"increment_bytes\": 4096},"
	"    {\"line\": 13, \"contents\": \"\\tp = grow(4);\", \"occurrences\": 1, \"mem_bytes\": 9437184, \"increment_bytes\": 8388608},"
	"    {\"line\": 14, \"contents\": \"\\tq = grow(2);\", \"occurrences\": 1, \"mem_bytes\": 11534336, \"increment_bytes\": 2097152},"
	"    {\"line\": 15, \"contents\": \"}\", \"occurrences\": 1, \"mem_bytes\": 11534336, \"increment_bytes\": 0}]},"
	"  {\"name\": \"fresh\", \"file\": \"/b/fresh.c\", \"first_line\": 1, \"last_line\": 2,"
	"   \"calls\": 1, \"lines\": ["
	"    {\"line\": 1, \"contents\": \"void fresh(void)\", \"occurrences\": 1, \"mem_bytes\": 11534336, \"increment_bytes\": 0},"
	"    {\"line\": 2, \"contents\": \"\\tbig();\", \"occurrences\": 1, \"mem_bytes\": 45088768, \"increment_bytes\": 33554432}]}"
	" ]}";

static void load(const char *text, struct diff_report *r)
{
	char err[256];

	ck_assert_msg(diff_report_parse(text, strlen(text), r, err, sizeof(err)) == 0,
		      "refused: %s", err);
}

static char *diffed(const struct diff_report *a, const struct diff_report *b,
		    bool json, int precision)
{
	char *buf = NULL;
	size_t len = 0;
	FILE *f = open_memstream(&buf, &len);

	ck_assert_ptr_nonnull(f);
	ck_assert_int_eq(diff_write(f, a, b, json, precision), 0);
	ck_assert_int_eq(fclose(f), 0);
	return buf;
}

START_TEST(read_report)
{
	struct diff_report r;

	load(old_json, &r);
	ck_assert_int_eq(r.peak_rss_bytes, 10485760);
	ck_assert_int_eq(r.final_rss_bytes, 8388608);
	ck_assert_uint_eq(r.n, 2);
	ck_assert_str_eq(r.fns[0].name, "work");
	ck_assert_str_eq(r.fns[0].file, "/a/seed.c");
	ck_assert_uint_eq(r.fns[0].calls, 1);
	ck_assert_uint_eq(r.fns[0].n, 5);
	ck_assert_uint_eq(r.fns[0].lines[2].line, 12);
	ck_assert_str_eq(r.fns[0].lines[2].contents, "\tp = grow(4);");
	ck_assert(r.fns[0].lines[2].ran);
	ck_assert_int_eq(r.fns[0].lines[2].mem_bytes, 5242880);
	ck_assert_int_eq(r.fns[0].lines[2].increment_bytes, 4194304);
	ck_assert(!r.fns[0].lines[1].ran);
	ck_assert_uint_eq(r.fns[1].calls, 2);
	diff_report_release(&r);

	/* Null RSS figures and file: unknown, not errors. */
	load("{\"version\": 1, \"peak_rss_bytes\": null, \"final_rss_bytes\": null,"
	     " \"functions\": [{\"name\": \"f\", \"file\": null, \"calls\": 0, \"lines\": []}]}", &r);
	ck_assert_int_eq(r.peak_rss_bytes, -1);
	ck_assert_int_eq(r.final_rss_bytes, -1);
	ck_assert_str_eq(r.fns[0].file, "");
	diff_report_release(&r);
}
END_TEST

#define HEAD "{\"version\": 1, \"peak_rss_bytes\": 1, \"final_rss_bytes\": 1, \"functions\": "
#define FN "[{\"name\": \"f\", \"file\": \"f.c\", \"calls\": 1, \"lines\": "
#define LN "[{\"line\": 1, \"contents\": \"x\", \"occurrences\": 1, "

static void ck_not_report(const char *text, const char *why)
{
	struct diff_report r;
	char err[256] = "";

	ck_assert_msg(diff_report_parse(text, strlen(text), &r, err, sizeof(err)) < 0,
		      "accepted: %s", text);
	ck_assert_str_eq(err, why);
	diff_report_release(&r);
}

START_TEST(not_reports)
{
	ck_not_report("", "line 1, column 1: expected a value, found the end of the input");
	ck_not_report("Filename: seed.c\n", "line 1, column 1: expected a value, found 'F'");
	ck_not_report("{\"version\": 1,}", "line 1, column 15: expected a string key, found '}'");
	ck_not_report("[]", "not a JSON object");
	ck_not_report("{}", "version is missing or not a number");
	ck_not_report("{\"version\": \"1\"}", "version is missing or not a number");
	ck_not_report("{\"version\": 2}", "version 2 is not supported (this memprof reads version 1)");
	ck_not_report("{\"version\": 1}", "peak_rss_bytes is missing or not a byte count");
	ck_not_report("{\"version\": 1, \"peak_rss_bytes\": -5}", "peak_rss_bytes is missing or not a byte count");
	ck_not_report("{\"version\": 1, \"peak_rss_bytes\": 1.5}", "peak_rss_bytes is missing or not a byte count");
	ck_not_report("{\"version\": 1, \"peak_rss_bytes\": 1}", "final_rss_bytes is missing or not a byte count");
	ck_not_report(HEAD "{}}", "functions is missing or not an array");
	ck_not_report(HEAD "[1]}", "functions[0] is not an object");
	ck_not_report(HEAD "[{}]}", "functions[0].name is missing or not a string");
	ck_not_report(HEAD "[{\"name\": 1}]}", "functions[0].name is missing or not a string");
	ck_not_report(HEAD "[{\"name\": \"f\"}]}", "functions[0].file is missing or not a string");
	ck_not_report(HEAD "[{\"name\": \"f\", \"file\": 3}]}", "functions[0].file is missing or not a string");
	ck_not_report(HEAD "[{\"name\": \"f\", \"file\": \"f.c\"}]}", "functions[0].calls is missing or not a count");
	ck_not_report(HEAD "[{\"name\": \"f\", \"file\": \"f.c\", \"calls\": -1}]}", "functions[0].calls is missing or not a count");
	ck_not_report(HEAD FN "{}}]}", "functions[0].lines is missing or not an array");
	ck_not_report(HEAD FN "[null]}]}", "functions[0].lines[0] is not an object");
	ck_not_report(HEAD FN "[{\"line\": 0}]}]}", "functions[0].lines[0].line is missing or not a line number");
	ck_not_report(HEAD FN "[{\"line\": 4294967296}]}]}", "functions[0].lines[0].line is missing or not a line number");
	ck_not_report(HEAD FN "[{\"line\": 1e1}]}]}", "functions[0].lines[0].line is missing or not a line number");
	ck_not_report(HEAD FN "[{\"line\": 1}]}]}", "functions[0].lines[0].contents is missing or not a string");
	ck_not_report(HEAD FN "[{\"line\": 1, \"contents\": null}]}]}", "functions[0].lines[0].contents is missing or not a string");
	ck_not_report(HEAD FN "[{\"line\": 1, \"contents\": \"x\"}]}]}", "functions[0].lines[0].occurrences is missing or not a count");
	ck_not_report(HEAD FN LN "\"mem_bytes\": -1, \"increment_bytes\": 0}]}]}", "functions[0].lines[0].mem_bytes is missing or not a byte count");
	ck_not_report(HEAD FN LN "\"mem_bytes\": \"1\", \"increment_bytes\": 0}]}]}", "functions[0].lines[0].mem_bytes is missing or not a byte count");
	ck_not_report(HEAD FN LN "\"mem_bytes\": 1}]}]}", "functions[0].lines[0].increment_bytes is missing or not a byte count");
	ck_not_report(HEAD FN LN "\"mem_bytes\": 1, \"increment_bytes\": 9223372036854775808}]}]}", "functions[0].lines[0].increment_bytes is missing or not a byte count");
	ck_not_report(HEAD FN LN "\"mem_bytes\": null, \"increment_bytes\": 5}]}]}", "functions[0].lines[0] has only one of mem_bytes and increment_bytes null");
	/* The second function's third line is named as such. */
	ck_not_report(HEAD "[{\"name\": \"f\", \"file\": \"f.c\", \"calls\": 1, \"lines\": []},"
		      " {\"name\": \"g\", \"file\": \"g.c\", \"calls\": 1, \"lines\": [{},{},{\"line\": true}]}]}",
		      "functions[1].lines[0].line is missing or not a line number");
}
END_TEST

START_TEST(text_whole)
{
	struct diff_report a, b;
	char *got;

	load(old_json, &a);
	load(new_json, &b);
	got = diffed(&a, &b, false, 1);
	ck_assert_str_eq(got,
		"Peak RSS:  10.0 MiB -> 45.0 MiB (+35.0 MiB)\n"
		"Final RSS: 8.0 MiB -> 43.0 MiB (+35.0 MiB)\n"
		"\n"
		"Function   Increment       Peak    Calls\n"
		"========================================\n"
		"fresh      +32.0 MiB      added   - -> 1\n"
		"work        +4.0 MiB   +4.0 MiB   1 -> 1\n"
		"gone        -0.0 MiB    removed   2 -> -\n"
		"\n"
		"Location    Function   Increment   Mem usage   Occurrences   Line Contents\n"
		"==========================================================================\n"
		"fresh.c:2   fresh      +32.0 MiB       added        - -> 1   big();\n"
		"seed.c:13   work        +4.0 MiB    +4.0 MiB        1 -> 1   p = grow(4);\n"
		"seed.c:12   work        +0.0 MiB       added        - -> 1   log();\n"
		"gone.c:3    gone        -0.0 MiB     removed        2 -> -   int gone(void)\n"
		"seed.c:14   work         0.0 MiB    +4.0 MiB        1 -> 1   q = grow(2);\n"
		"seed.c:15   work         0.0 MiB    +4.0 MiB        1 -> 1   }\n"
		"fresh.c:1   fresh        0.0 MiB       added        - -> 1   void fresh(void)\n");
	free(got);

	/* The other way round: what was added is removed. */
	got = diffed(&b, &a, false, 0);
	ck_assert_ptr_nonnull(strstr(got,
		"Peak RSS:  45 MiB -> 10 MiB (-35 MiB)\n"
		"Final RSS: 43 MiB -> 8 MiB (-35 MiB)\n"
		"\n"
		"Function   Increment      Peak    Calls\n"
		"=======================================\n"
		"fresh        -32 MiB   removed   1 -> -\n"
		"work          -4 MiB    -4 MiB   1 -> 1\n"
		"gone          +0 MiB     added   - -> 2\n"));
	free(got);

	/* A report against itself: nothing changed. */
	got = diffed(&a, &a, false, 1);
	ck_assert_str_eq(got,
		"Peak RSS:  10.0 MiB -> 10.0 MiB (0.0 MiB)\n"
		"Final RSS: 8.0 MiB -> 8.0 MiB (0.0 MiB)\n"
		"\n"
		"Function   Increment      Peak    Calls\n"
		"=======================================\n"
		"work         0.0 MiB   0.0 MiB   1 -> 1\n"
		"gone         0.0 MiB   0.0 MiB   2 -> 2\n"
		"\n"
		"No line changed.\n");
	free(got);
	diff_report_release(&a);
	diff_report_release(&b);
}
END_TEST

/* The JSON diff, read back with json.c. */
START_TEST(json_output)
{
	struct diff_report a, b;
	struct json_value *v;
	const struct json_value *l, *f;
	char err[128], *got;

	load(old_json, &a);
	load(new_json, &b);
	got = diffed(&a, &b, true, 1);
	v = json_parse(got, strlen(got), err, sizeof(err));
	ck_assert_msg(v != NULL, "diff JSON: %s\n%s", err, got);
	ck_assert_int_eq(json_get(v, "version")->i, 1);
	ck_assert_int_eq(json_get(json_get(v, "peak_rss_bytes"), "old")->i, 10485760);
	ck_assert_int_eq(json_get(json_get(v, "peak_rss_bytes"), "new")->i, 47185920);
	ck_assert_int_eq(json_get(json_get(v, "peak_rss_bytes"), "change")->i, 36700160);
	ck_assert_int_eq(json_get(json_get(v, "final_rss_bytes"), "change")->i, 36700160);

	f = json_get(v, "functions");
	ck_assert_uint_eq(f->n, 3);
	ck_assert_str_eq(json_get(f->items[0], "name")->s, "fresh");
	ck_assert_str_eq(json_get(f->items[0], "status")->s, "added");
	ck_assert_int_eq(json_get(f->items[0], "peak_change_bytes")->type, JSON_NULL);
	ck_assert_int_eq(json_get(f->items[0], "old_calls")->type, JSON_NULL);
	ck_assert_int_eq(json_get(f->items[0], "new_calls")->i, 1);
	ck_assert_str_eq(json_get(f->items[1], "status")->s, "changed");
	ck_assert_int_eq(json_get(f->items[1], "increment_change_bytes")->i, 4194304 + 4096);
	ck_assert_int_eq(json_get(f->items[1], "peak_change_bytes")->i, 4194304);
	ck_assert_str_eq(json_get(f->items[1], "file")->s, "/b/seed.c");
	ck_assert_str_eq(json_get(f->items[2], "status")->s, "removed");
	ck_assert_int_eq(json_get(f->items[2], "new_calls")->type, JSON_NULL);

	l = json_get(v, "lines");
	ck_assert_uint_eq(l->n, 7);
	/* p = grow(4): moved from line 12 to 13 and grew 4 MiB more. */
	ck_assert_str_eq(json_get(l->items[1], "function")->s, "work");
	ck_assert_str_eq(json_get(l->items[1], "status")->s, "changed");
	ck_assert_int_eq(json_get(l->items[1], "old_line")->i, 12);
	ck_assert_int_eq(json_get(l->items[1], "new_line")->i, 13);
	ck_assert_str_eq(json_get(l->items[1], "contents")->s, "\tp = grow(4);");
	ck_assert_int_eq(json_get(l->items[1], "increment_change_bytes")->i, 4194304);
	ck_assert_int_eq(json_get(l->items[1], "mem_change_bytes")->i, 4194304);
	ck_assert_int_eq(json_get(l->items[1], "old_occurrences")->i, 1);
	ck_assert_int_eq(json_get(l->items[1], "new_occurrences")->i, 1);
	ck_assert_str_eq(json_get(l->items[2], "status")->s, "added");
	ck_assert_int_eq(json_get(l->items[2], "old_line")->type, JSON_NULL);
	ck_assert_int_eq(json_get(l->items[2], "mem_change_bytes")->type, JSON_NULL);
	ck_assert_str_eq(json_get(l->items[3], "status")->s, "removed");
	ck_assert_int_eq(json_get(l->items[3], "new_line")->type, JSON_NULL);
	ck_assert_int_eq(json_get(l->items[3], "old_occurrences")->i, 2);
	ck_assert_int_eq(json_get(l->items[3], "increment_change_bytes")->i, -4096);
	json_free(v);
	free(got);

	/* Nothing changed: empty arrays. */
	got = diffed(&a, &a, true, 1);
	ck_assert_ptr_nonnull(strstr(got, "  \"lines\": []\n}\n"));
	v = json_parse(got, strlen(got), err, sizeof(err));
	ck_assert_ptr_nonnull(v);
	ck_assert_str_eq(json_get(json_get(v, "functions")->items[0], "status")->s, "unchanged");
	json_free(v);
	free(got);
	diff_report_release(&a);
	diff_report_release(&b);
}
END_TEST

/* A report with one function "f" in f.c whose `n` lines read "L<i+shift>"
 * and grew nothing, but line `hot`, which grew 4 KiB. */
static char *shifted_report(unsigned n, unsigned shift, unsigned hot)
{
	char *buf = NULL;
	size_t len = 0;
	FILE *f = open_memstream(&buf, &len);

	fputs(HEAD FN "[", f);
	for (unsigned i = 1; i <= n; i++)
		fprintf(f, "%s{\"line\": %u, \"contents\": \"L%u\", \"occurrences\": 1,"
			" \"mem_bytes\": 4096, \"increment_bytes\": %d}",
			i > 1 ? "," : "", i, i + shift, i == hot ? 4096 : 0);
	fputs("]}]}", f);
	fclose(f);
	return buf;
}

static size_t line_rows(const char *old, const char *new)
{
	struct diff_report a, b;
	struct json_value *v;
	char err[128], *got;
	size_t n;

	load(old, &a);
	load(new, &b);
	got = diffed(&a, &b, true, 1);
	v = json_parse(got, strlen(got), err, sizeof(err));
	ck_assert_ptr_nonnull(v);
	n = json_get(v, "lines")->n;
	json_free(v);
	free(got);
	diff_report_release(&a);
	diff_report_release(&b);
	return n;
}

START_TEST(pairing)
{
	char *old, *new;

	/* By text: every line moved down one; the first went, the last
	 * came, one grew. */
	old = shifted_report(100, 0, 0);
	new = shifted_report(100, 1, 50);
	ck_assert_uint_eq(line_rows(old, new), 3);
	free(old);
	free(new);
	/* Too long for the table: by line number, so only the growth. */
	old = shifted_report(3000, 0, 0);
	new = shifted_report(3000, 1, 1500);
	ck_assert_uint_eq(line_rows(old, new), 1);
	free(old);
	free(new);
	/* No text in one report (source not readable): by line number. */
	old = strdup(HEAD FN "[{\"line\": 1, \"contents\": \"\", \"occurrences\": 1, \"mem_bytes\": 1, \"increment_bytes\": 1},"
		     " {\"line\": 2, \"contents\": \"\", \"occurrences\": 1, \"mem_bytes\": 1, \"increment_bytes\": 1}]}]}");
	new = strdup(HEAD FN "[{\"line\": 1, \"contents\": \"a\", \"occurrences\": 1, \"mem_bytes\": 1, \"increment_bytes\": 1},"
		     " {\"line\": 2, \"contents\": \"b\", \"occurrences\": 1, \"mem_bytes\": 1, \"increment_bytes\": 2}]}]}");
	ck_assert_uint_eq(line_rows(old, new), 1);
	free(old);
	free(new);
}
END_TEST

/* A function of `name` in `file` whose one line grew `inc` bytes. */
static void fn_json(FILE *f, const char *name, const char *file, int inc)
{
	fprintf(f, "{\"name\": \"%s\", \"file\": \"%s\", \"calls\": 1, \"lines\": "
		"[{\"line\": 1, \"contents\": \"x\", \"occurrences\": 1, "
		"\"mem_bytes\": 4096, \"increment_bytes\": %d}]}", name, file, inc);
}

START_TEST(function_pairing)
{
	struct diff_report a, b;
	char *old = NULL, *new = NULL, *got;
	size_t len;
	FILE *f;

	/* Two static functions named f: each is paired with its own file's,
	 * whatever the order; g moved to another file: paired by name. */
	f = open_memstream(&old, &len);
	fputs(HEAD "[", f);
	fn_json(f, "f", "/old/a.c", 4096);
	fputs(",", f);
	fn_json(f, "f", "/old/b.c", 8192);
	fputs(",", f);
	fn_json(f, "g", "/old/g.c", 0);
	fputs("]}", f);
	fclose(f);
	f = open_memstream(&new, &len);
	fputs(HEAD "[", f);
	fn_json(f, "g", "/new/h.c", 0);
	fputs(",", f);
	fn_json(f, "f", "/new/b.c", 8192);
	fputs(",", f);
	fn_json(f, "f", "/new/a.c", 4096);
	fputs("]}", f);
	fclose(f);
	load(old, &a);
	load(new, &b);
	got = diffed(&a, &b, false, 1);
	ck_assert_str_eq(got,
		"Peak RSS:  0.0 MiB -> 0.0 MiB (0.0 MiB)\n"
		"Final RSS: 0.0 MiB -> 0.0 MiB (0.0 MiB)\n"
		"\n"
		"Function   Increment      Peak    Calls\n"
		"=======================================\n"
		"g            0.0 MiB   0.0 MiB   1 -> 1\n"
		"f            0.0 MiB   0.0 MiB   1 -> 1\n"
		"f            0.0 MiB   0.0 MiB   1 -> 1\n"
		"\n"
		"No line changed.\n");
	free(got);
	diff_report_release(&a);
	diff_report_release(&b);
	free(old);
	free(new);
}
END_TEST

/* Figures at the ends of int64 saturate instead of overflowing. */
START_TEST(extremes)
{
	struct diff_report a, b;
	char *got;

	load(HEAD FN LN "\"mem_bytes\": 0, \"increment_bytes\": -9223372036854775808},"
	     " {\"line\": 2, \"contents\": \"y\", \"occurrences\": 1, \"mem_bytes\": 0, \"increment_bytes\": -9223372036854775808}]}]}", &a);
	load("{\"version\": 1, \"peak_rss_bytes\": 9223372036854775807, \"final_rss_bytes\": 0, \"functions\": "
	     FN LN "\"mem_bytes\": 9223372036854775807, \"increment_bytes\": 9223372036854775807},"
	     " {\"line\": 2, \"contents\": \"y\", \"occurrences\": 9223372036854775807, \"mem_bytes\": 0, \"increment_bytes\": 9223372036854775807}]}]}", &b);
	got = diffed(&a, &b, true, 9);
	ck_assert_ptr_nonnull(strstr(got, "\"increment_change_bytes\": 9223372036854775807"));
	ck_assert_ptr_nonnull(strstr(got, "\"change\": 9223372036854775806"));
	free(got);
	got = diffed(&b, &a, false, 9);
	ck_assert_ptr_nonnull(strstr(got, "-8796093022208.000000000 MiB"));
	free(got);
	diff_report_release(&a);
	diff_report_release(&b);
}
END_TEST

START_TEST(files)
{
	char dir[] = "/tmp/memprof-diff-XXXXXX", a[64], b[64], want[256];
	struct caught c;
	FILE *f, *out;
	char *buf = NULL;
	size_t len = 0;

	ck_assert_ptr_nonnull(mkdtemp(dir));
	snprintf(a, sizeof(a), "%s/a.json", dir);
	snprintf(b, sizeof(b), "%s/b.json", dir);
	f = fopen(a, "w");
	fputs(old_json, f);
	fclose(f);
	f = fopen(b, "w");
	fputs(new_json, f);
	fclose(f);
	out = open_memstream(&buf, &len);
	ck_assert_int_eq(diff_run(a, b, false, 1, out), 0);
	fclose(out);
	ck_assert_ptr_nonnull(strstr(buf, "seed.c:13   work"));
	free(buf);
	/* Failures are -1 with one message, and write nothing. */
	buf = NULL;
	out = open_memstream(&buf, &len);
	catch_begin(&c);
	ck_assert_int_eq(diff_run(a, "/nonexistent/x.json", false, 1, out), -1);
	ck_assert_str_eq(catch_end(&c), "memprof: cannot read '/nonexistent/x.json': No such file or directory\n");
	catch_begin(&c);
	ck_assert_int_eq(diff_run("/nonexistent/x.json", b, false, 1, out), -1);
	ck_assert_str_eq(catch_end(&c), "memprof: cannot read '/nonexistent/x.json': No such file or directory\n");
	catch_begin(&c);
	ck_assert_int_eq(diff_run(dir, b, false, 1, out), -1);
	snprintf(want, sizeof(want), "memprof: cannot read '%s': Is a directory\n", dir);
	ck_assert_str_eq(catch_end(&c), want);
	f = fopen(b, "w");
	fputs("{\"version\": 1", f);
	fclose(f);
	catch_begin(&c);
	ck_assert_int_eq(diff_run(a, b, true, 1, out), -1);
	snprintf(want, sizeof(want), "memprof: '%s' is not a memprof report: line 1, column 14: expected ',' or '}', found the end of the input\n", b);
	ck_assert_str_eq(catch_end(&c), want);
	fclose(out);
	ck_assert_uint_eq(len, 0);
	free(buf);
	unlink(a);
	unlink(b);
	rmdir(dir);
}
END_TEST

Suite *diff_suite(void)
{
	Suite *s = suite_create("diff");
	TCase *tc = tcase_create("diff");

	tcase_add_test(tc, read_report);
	tcase_add_test(tc, not_reports);
	tcase_add_test(tc, text_whole);
	tcase_add_test(tc, json_output);
	tcase_add_test(tc, pairing);
	tcase_add_test(tc, function_pairing);
	tcase_add_test(tc, extremes);
	tcase_add_test(tc, files);
	suite_add_tcase(s, tc);
	return s;
}
